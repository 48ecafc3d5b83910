// The memory of recent commands for idempotent retries, in two generations: new ids go into the
// young generation; when it holds half the capacity, the old generation is dropped whole and the
// young one becomes old. An id is remembered for at least capacity/2 and at most capacity later
// remembered commands. Each generation has its own id index (idindex.ts); dropping one clears
// its index in one pass, where forgetting the oldest id one at a time cost a random memory access
// per command.
//
// Entries are columns, not objects, in a ring of places in the order the commands ran. Most
// entries keep the command and its result as they were (`kind` OBJECTS: `a` is the command, `b`
// the result). The commands an on-sale is made of, an accepted `holdSeats` (also a product's, with
// its ticket type, product and holding), `confirmHold` and `releaseHold` with no fields beyond
// those, are kept as a few numbers and the strings they named (dedupe.ts writes and reads them):
// keeping every command and result object for the length of the window made each of them survive
// into the old generation of the garbage collector, which cost more than the command itself.
//
// Every entry has a sequence number (`seq`, one more per remembered command). A hold keeps its
// command's number, so closing it writes its fate on that entry while the entry is remembered.
import { PlaceIndex } from './idindex.ts';
import { limits } from './limits.ts';

export const Fate = { NONE: 0, CONFIRMED: 1, RELEASED: 2, EXPIRED: 3 } as const;
export type FateNumber = (typeof Fate)[keyof typeof Fate];

export const EntryKind = {
  /** `a` = the command, `b` = its result. */
  OBJECTS: 0,
  /** An accepted holdSeats by seat numbers: `a` = buyerId; hold data in the number columns. */
  HOLD_SEAT_NOS: 1,
  /** The same, with the seats named by id. */
  HOLD_SEAT_IDS: 2,
  /** An accepted releaseHold: `a` = buyerId, `b` = holdId; the result is DONE. */
  RELEASE: 3,
  /** An accepted confirmHold: `a` = buyerId, `b` = holdId, `expiresAtMs` = the order's number; the result is rebuilt from the order. */
  CONFIRM: 4,
} as const;

/** Which optional fields a compact hold entry's command had (`bytes`' fifth byte); their values are in `b` and `c`. */
export const HoldFields = { TICKET_TYPE: 1, PRODUCT_ID: 2, HOLDING_ID: 4 } as const;

/** Seats per entry in `seats`: the most one hold takes. */
export const SEATS_PER_ENTRY = limits.seatsPerHoldMax;
/** Bytes per entry in `bytes`: channel, seat count, ticket type, source (pool) of the first seat, HoldFields given. */
export const BYTES_PER_ENTRY = 5;

const initialSlots = 256;

export class CommandMemo {
  /** Column length: a power of two, grown up to the first one >= capacity. */
  private slots = initialSlots;
  private mask = initialSlots - 1;
  /** Entries in one generation at most. */
  private readonly generationMax: number;
  /** Sequence numbers: the oldest entry (the old generation's first), the young generation's first, the next. */
  private first = 0;
  private youngFirst = 0;
  private next = 0;
  ids: (string | null)[] = [];
  hashes = new Int32Array(initialSlots);
  kinds = new Uint8Array(initialSlots);
  fates = new Uint8Array(initialSlots);
  a: unknown[] = [];
  b: unknown[] = [];
  c: unknown[] = [];
  expiresAtMs = new Float64Array(initialSlots);
  bytes = new Uint8Array(initialSlots * BYTES_PER_ENTRY);
  seats = new Int32Array(initialSlots * SEATS_PER_ENTRY);
  private young = new PlaceIndex(this.ids, 2 * initialSlots, Math.log2(initialSlots));
  private old = new PlaceIndex(this.ids, 2 * initialSlots, Math.log2(initialSlots));

  constructor(readonly capacity: number) {
    this.generationMax = Math.max(1, capacity >> 1);
    this.fillRefs(initialSlots);
  }

  get size(): number { return this.next - this.first; }

  /** Entries in the old generation (the first ones, oldest first). */
  get oldSize(): number { return this.youngFirst - this.first; }

  /** The sequence number the next remembered command gets. */
  get nextSeq(): number { return this.next; }

  isKept(seq: number): boolean { return seq >= this.first && seq < this.next; }

  /** The place of the entry remembered under `id`, or -1. */
  find(id: string, hash: number): number {
    const at = this.young.find(id, hash);
    return at >= 0 ? at : this.old.find(id, hash);
  }

  /** Remembers `id` (not remembered yet), dropping the old generation when the young one is full; returns its place. */
  push(id: string, hash: number): number {
    if (this.next - this.youngFirst >= this.generationMax) this.dropOld();
    if (this.next - this.first === this.slots) this.grow();
    const at = this.next & this.mask;
    this.ids[at] = id;
    this.hashes[at] = hash;
    this.fates[at] = Fate.NONE;
    this.c[at] = null;
    this.young.add(hash, at);
    this.next++;
    return at;
  }

  /** Writes a hold's fate on its command's entry, if that is still remembered. */
  setFate(seq: number, fate: FateNumber): void {
    if (this.isKept(seq)) this.fates[seq & this.mask] = fate;
  }

  /** Every entry's place, oldest first. */
  *places(): IterableIterator<number> {
    for (let seq = this.first; seq < this.next; seq++) yield seq & this.mask;
  }

  /** Empties the memory (snapshot decoding); push the old generation, then `startYoung`, then the young one. */
  reset(): void {
    for (const at of this.places()) this.clearRefs(at);
    this.young.clear();
    this.old.clear();
    this.first = 0;
    this.youngFirst = 0;
    this.next = 0;
  }

  /** Snapshot decoding: the entries pushed so far are the old generation. */
  startYoung(): void {
    const swap = this.old;
    this.old = this.young;
    this.young = swap;
    this.youngFirst = this.next;
  }

  /**
   * The old generation's places keep their references until the young generation reuses them
   * (at most `capacity` entries' objects are held at any time, as when the memory is full).
   */
  private dropOld(): void {
    this.old.clear();
    this.first = this.youngFirst;
    this.startYoung();
  }

  private clearRefs(at: number): void {
    this.ids[at] = null;
    this.a[at] = null;
    this.b[at] = null;
    this.c[at] = null;
  }

  private fillRefs(to: number): void {
    const from = this.ids.length;
    if (from >= to) return;
    this.ids.length = to;
    this.ids.fill(null, from);
    this.a.length = to;
    this.a.fill(null, from);
    this.b.length = to;
    this.b.fill(null, from);
    this.c.length = to;
    this.c.fill(null, from);
  }

  /**
   * Doubles the columns; entries keep their sequence numbers and move to their new places. The
   * ring is full when it grows, and its entries lie in two runs (from the oldest to the end of the
   * columns, then from the start): each run stays in one piece in the doubled columns, so it is
   * copied whole, column by column.
   */
  private grow(): void {
    const old = { ids: this.ids, hashes: this.hashes, kinds: this.kinds, fates: this.fates, a: this.a, b: this.b, c: this.c, expiresAtMs: this.expiresAtMs, bytes: this.bytes, seats: this.seats, slots: this.slots };
    const slots = this.slots * 2;
    this.slots = slots;
    this.mask = slots - 1;
    this.ids = [];
    this.a = [];
    this.b = [];
    this.c = [];
    this.fillRefs(slots);
    this.hashes = new Int32Array(slots);
    this.kinds = new Uint8Array(slots);
    this.fates = new Uint8Array(slots);
    this.expiresAtMs = new Float64Array(slots);
    this.bytes = new Uint8Array(slots * BYTES_PER_ENTRY);
    this.seats = new Int32Array(slots * SEATS_PER_ENTRY);
    // Twice the places: a generation holds at most all of them while the columns grow, half of
    // them once the memory is full.
    this.young = new PlaceIndex(this.ids, 2 * slots, Math.log2(slots));
    this.old = new PlaceIndex(this.ids, 2 * slots, Math.log2(slots));
    const count = this.next - this.first;
    const firstRun = Math.min(count, old.slots - (this.first & (old.slots - 1)));
    this.copyRun(old, this.first, firstRun);
    this.copyRun(old, this.first + firstRun, count - firstRun);
    for (let seq = this.first; seq < this.next; seq++) {
      const at = seq & this.mask;
      (seq < this.youngFirst ? this.old : this.young).add(this.hashes[at], at);
    }
  }

  /** Copies `count` entries from sequence number `seq` on, which lie in one run in `old`'s columns and in the new ones. */
  private copyRun(old: { ids: (string | null)[]; hashes: Int32Array; kinds: Uint8Array; fates: Uint8Array; a: unknown[]; b: unknown[]; c: unknown[]; expiresAtMs: Float64Array; bytes: Uint8Array; seats: Int32Array; slots: number }, seq: number, count: number): void {
    if (count === 0) return;
    const from = seq & (old.slots - 1);
    const to = seq & this.mask;
    for (let k = 0; k < count; k++) {
      this.ids[to + k] = old.ids[from + k];
      this.a[to + k] = old.a[from + k];
      this.b[to + k] = old.b[from + k];
      this.c[to + k] = old.c[from + k];
    }
    this.hashes.set(old.hashes.subarray(from, from + count), to);
    this.kinds.set(old.kinds.subarray(from, from + count), to);
    this.fates.set(old.fates.subarray(from, from + count), to);
    this.expiresAtMs.set(old.expiresAtMs.subarray(from, from + count), to);
    this.bytes.set(old.bytes.subarray(from * BYTES_PER_ENTRY, (from + count) * BYTES_PER_ENTRY), to * BYTES_PER_ENTRY);
    this.seats.set(old.seats.subarray(from * SEATS_PER_ENTRY, (from + count) * SEATS_PER_ENTRY), to * SEATS_PER_ENTRY);
  }
}
