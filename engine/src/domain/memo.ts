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
// Every entry's id, and a compact entry's strings, are kept as UTF-16 units in a ring
// (char-ring.ts), not as string objects, for the same reason.
//
// Every entry has a sequence number (`seq`, one more per remembered command). A hold keeps its
// command's number, so closing it writes its fate on that entry while the entry is remembered.
import { assert } from './assert.ts';
import { CharRing } from './char-ring.ts';
import { ClosedFates } from './closed-fates.ts';
import { hashUnits, PlaceIndex } from './idindex.ts';
import { limits } from './limits.ts';

export const Fate = { NONE: 0, CONFIRMED: 1, RELEASED: 2, EXPIRED: 3 } as const;
export type FateNumber = (typeof Fate)[keyof typeof Fate];

export const EntryKind = {
  /** `a` = the command, `b` = its result. */
  OBJECTS: 0,
  /** An accepted holdSeats by seat numbers: strings buyerId, productId, holdingId; hold data in the number columns. */
  HOLD_SEAT_NOS: 1,
  /** The same, with the seats named by id. */
  HOLD_SEAT_IDS: 2,
  /** An accepted releaseHold: strings buyerId, holdId; the result is DONE. */
  RELEASE: 3,
  /** An accepted confirmHold: strings buyerId, holdId; `expiresAtMs` = the order's number; the result is rebuilt from the order. */
  CONFIRM: 4,
} as const;

/** Which optional fields a compact hold entry's command had (`bytes`' fifth byte); their values are its second and third strings. */
export const HoldFields = { TICKET_TYPE: 1, PRODUCT_ID: 2, HOLDING_ID: 4 } as const;

/** Seats per entry in `seats`: the most one hold takes. */
export const SEATS_PER_ENTRY = limits.seatsPerHoldMax;
/** Bytes per entry in `bytes`: channel, seat count, ticket type, source (pool) of the first seat, HoldFields given. */
export const BYTES_PER_ENTRY = 5;

const initialSlots = 256;
/** Strings per entry: the id, then up to three a compact entry names (null: none). */
const STRINGS_PER_ENTRY = 4;
const NO_STRING = 0xffff;

/**
 * Told of each old generation as it is dropped, before its places are reused: the runtime keeps
 * those ids longer (runtime/recent.ts), so that the two memories never hold the same id and
 * the engine does not write every command's id twice. Entries `firstSeq` to `endSeq - 1`,
 * oldest first, are read with hashOfSeq and copyIdOfSeq during the call only.
 */
export interface DropListener {
  dropped(memo: CommandMemo, firstSeq: number, endSeq: number): void;
}

export class CommandMemo {
  /** Null in the pure domain; the runtime's shard sets it on the performances it hosts. */
  dropListener: DropListener | null = null;
  /** Column length: a power of two, grown up to the first one >= capacity (allocate sets the columns). */
  private slots!: number;
  private mask!: number;
  /** Entries in one generation at most. */
  private readonly generationMax: number;
  /**
   * Entries in the first generation at most: from half of generationMax to all of it, set by the
   * `stagger` given (a hash of the performance id). Performances on sale together get commands
   * at about the same pace; with generations of one size they would all let go of one at the
   * same moment, and the runtime takes over every id let go of (runtime/recent.ts), a pause per
   * performance that would then come all at once. An id still outlives a full generation of
   * later commands (the drop that forgets it comes when the generation after it is full).
   */
  private readonly firstGenerationMax: number;
  /** While a snapshot is restored (reset to restored): the entries pushed are the snapshot's, whatever their number. */
  private restoring = false;
  /** The column length the first growth goes to (a power of two). */
  private readonly expectedSlots: number;
  /** Sequence numbers: the oldest entry (the old generation's first), the young generation's first, the next. */
  private first = 0;
  private youngFirst = 0;
  private next = 0;
  /** Where the entry's strings start in `chars` (the id first, then the compact entry's strings, one after the other). */
  private positions!: Float64Array;
  /** Per entry, the length of each of its strings (NO_STRING: null). */
  private lengths!: Uint16Array;
  private readonly chars = new CharRing();
  /** Fates of closed holds whose entries are forgotten (closed-fates.ts): about one slot per place of the venue (expectedEntries), within bounds. */
  readonly closedFates: ClosedFates;
  hashes!: Int32Array;
  kinds!: Uint8Array;
  fates!: Uint8Array;
  /**
   * OBJECTS entries: the command and the result (null elsewhere), by place. (A map by sequence
   * number cost a quarter of best-available and scan, whose answers are all kept as objects.)
   * Empty until the first OBJECTS entry, then as long as the columns: a performance that only
   * holds, confirms and releases never has them, and two arrays of 65,536 slots per stadium
   * were traced by every full collection for nothing.
   */
  private commands!: unknown[];
  private results!: unknown[];
  expiresAtMs!: Float64Array;
  bytes!: Uint8Array;
  seats!: Int32Array;
  private readonly idIs = (place: number, id: string): boolean => this.chars.equals(this.positions[place], this.lengths[place * STRINGS_PER_ENTRY], id);
  private young!: PlaceIndex;
  private old!: PlaceIndex;

  /**
   * `expectedEntries`: how many commands the performance will likely see, at most `capacity`
   * counted. The columns start small (a performance not on sale yet stays small), and their first
   * growth goes straight to that size instead of doubling to it: each doubling copies every
   * column and re-indexes every entry, and they all come in the first minutes of an on-sale's
   * surge, when a large venue takes its most commands (createPerformance expects about one
   * command per place).
   */
  constructor(readonly capacity: number, expectedEntries = initialSlots, stagger = 0) {
    this.generationMax = Math.max(1, capacity >> 1);
    const half = this.generationMax >> 1;
    this.firstGenerationMax = this.generationMax - (half === 0 ? 0 : (stagger >>> 0) % half);
    let slots = initialSlots;
    while (slots < expectedEntries && slots < capacity) slots *= 2;
    this.expectedSlots = slots;
    let fateSlots = limits.closedHoldFatesMin;
    while (fateSlots < expectedEntries && fateSlots < limits.closedHoldFatesMax) fateSlots *= 2;
    this.closedFates = new ClosedFates(fateSlots);
    this.allocate(initialSlots);
  }

  /** Empty columns and indexes of `slots` places (grow copies the entries over). */
  private allocate(slots: number): void {
    this.slots = slots;
    this.mask = slots - 1;
    this.positions = new Float64Array(slots);
    this.lengths = new Uint16Array(slots * STRINGS_PER_ENTRY);
    this.hashes = new Int32Array(slots);
    this.kinds = new Uint8Array(slots);
    this.fates = new Uint8Array(slots);
    this.expiresAtMs = new Float64Array(slots);
    this.bytes = new Uint8Array(slots * BYTES_PER_ENTRY);
    this.seats = new Int32Array(slots * SEATS_PER_ENTRY);
    this.commands = [];
    this.results = [];
    // Twice the places: a generation holds at most all of them while the columns grow, half of
    // them once the memory is full.
    this.young = new PlaceIndex(this.idIs, 2 * slots, Math.log2(slots));
    this.old = new PlaceIndex(this.idIs, 2 * slots, Math.log2(slots));
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

  /** The first words find(…, hash) reads in both generations' indexes (touch.ts). */
  touch(hash: number): number {
    return this.young.touch(hash) ^ this.old.touch(hash);
  }

  /** Remembers `id` (not remembered yet), dropping the old generation when the young one is full; returns its place. */
  push(id: string, hash: number): number {
    assert(id.length < NO_STRING, 'memo: id too long');
    const at = this.nextPlace();
    this.positions[at] = this.chars.append(id);
    const l = at * STRINGS_PER_ENTRY;
    this.lengths[l] = id.length;
    this.lengths[l + 1] = NO_STRING;
    this.lengths[l + 2] = NO_STRING;
    this.lengths[l + 3] = NO_STRING;
    this.enter(at, hash);
    return at;
  }

  /**
   * Snapshot decoding: remembers the entry whose strings are the units from `from` on and whose
   * four string lengths are `lengths[4 * i ..]` (as stringColumns wrote them). Returns its place
   * and the units it took.
   */
  pushFromUnits(units: Uint16Array, from: number, lengths: Uint16Array, i: number): [at: number, taken: number] {
    const at = this.nextPlace();
    const l = at * STRINGS_PER_ENTRY;
    let taken = 0;
    for (let k = 0; k < STRINGS_PER_ENTRY; k++) {
      const length = lengths[i * STRINGS_PER_ENTRY + k];
      this.lengths[l + k] = length;
      if (length !== NO_STRING) taken += length;
    }
    assert(from + taken <= units.length, 'memo: snapshot strings end early');
    this.positions[at] = this.chars.appendUnits(units, from, from + taken);
    this.enter(at, hashUnits(units, from, from + this.lengths[l]));
    return [at, taken];
  }

  /**
   * Snapshot encoding: every entry's strings, oldest first, as one run of units (the ring's live
   * run: an entry's strings follow its id, and the ring lets go of them in the order entries are
   * forgotten), and four lengths per entry.
   */
  stringColumns(): { units: Uint16Array; lengths: Uint16Array } {
    const lengths = this.inOrder(this.lengths, STRINGS_PER_ENTRY);
    let total = 0;
    for (let i = 0; i < lengths.length; i++) if (lengths[i] !== NO_STRING) total += lengths[i];
    const units = this.chars.copyLive();
    assert(units.length === total, `memo: ${units.length} units kept for ${total} units of strings`);
    return { units, lengths };
  }

  /**
   * A copy of `column` (`per` elements per entry) with the entries oldest first: the ring's
   * entries lie in at most two runs, each copied whole.
   */
  inOrder<T extends Uint8Array | Uint16Array | Float64Array>(column: T, per: number): T {
    const count = this.next - this.first;
    const out = new (column.constructor as new (n: number) => T)(count * per);
    const from = this.first & this.mask;
    const firstRun = Math.min(count, this.slots - from);
    out.set(column.subarray(from * per, (from + firstRun) * per), 0);
    out.set(column.subarray(0, (count - firstRun) * per), firstRun * per);
    return out;
  }

  /** [entry index (oldest first), command, result] of every entry kept as objects. */
  objectColumns(): [number, unknown, unknown][] {
    const out: [number, unknown, unknown][] = [];
    let i = 0;
    for (const at of this.places()) {
      if (this.kinds[at] === EntryKind.OBJECTS) out.push([i, ...this.objectsOf(at)]);
      i++;
    }
    return out;
  }

  /** The place the next entry takes, after dropping the old generation or growing, as needed. */
  private nextPlace(): number {
    // The old generation is empty only until the first drop: the young one is the first.
    const youngMax = this.youngFirst === this.first ? this.firstGenerationMax : this.generationMax;
    if (!this.restoring && this.next - this.youngFirst >= youngMax) this.dropOld();
    if (this.next - this.first === this.slots) this.grow();
    return this.next & this.mask;
  }

  /** Indexes the entry just written at `at` and counts it. */
  private enter(at: number, hash: number): void {
    this.hashes[at] = hash;
    this.fates[at] = Fate.NONE;
    // Every column a snapshot writes starts clean: the kinds that do not use these two would
    // otherwise carry a forgotten entry's values into the snapshot, and a state decoded from
    // one (its places start at zero) would then encode differently from the one that ran on.
    this.expiresAtMs[at] = 0;
    const b = at * BYTES_PER_ENTRY;
    for (let i = b; i < b + BYTES_PER_ENTRY; i++) this.bytes[i] = 0;
    if (this.commands.length !== 0) {
      this.commands[at] = null;
      this.results[at] = null;
    }
    this.young.add(hash, at);
    this.next++;
  }

  /**
   * The strings of a compact entry, right after its push (they follow its id in `chars`).
   * Strings, not objects: see char-ring.ts.
   */
  setStrings(at: number, first: string | null, second: string | null = null, third: string | null = null): void {
    assert(at === ((this.next - 1) & this.mask) && this.chars.next === this.positions[at] + this.lengths[at * STRINGS_PER_ENTRY], 'memo: strings are set right after the push');
    const l = at * STRINGS_PER_ENTRY;
    if (first !== null) this.lengths[l + 1] = this.append(first);
    if (second !== null) this.lengths[l + 2] = this.append(second);
    if (third !== null) this.lengths[l + 3] = this.append(third);
  }

  /** Appends a string after the last entry's; returns its length. */
  private append(text: string): number {
    assert(text.length < NO_STRING, 'memo: string too long');
    this.chars.append(text);
    return text.length;
  }

  /** The id hash of the entry numbered `seq` (still kept). */
  hashOfSeq(seq: number): number {
    return this.hashes[seq & this.mask];
  }

  /** The id length of the entry numbered `seq` (still kept). */
  idLengthOfSeq(seq: number): number {
    return this.lengths[(seq & this.mask) * STRINGS_PER_ENTRY];
  }

  /** Unit `i` of the id of the entry numbered `seq` (still kept). */
  idUnitOfSeq(seq: number, i: number): number {
    return this.chars.unitAt(this.positions[seq & this.mask] + i);
  }

  /** The id of the entry numbered `seq` (still kept), as a string. */
  idOfSeq(seq: number): string {
    return this.idOf(seq & this.mask);
  }

  /** Copies the id of the entry numbered `seq` (still kept) into `target` from `offset` on, as UTF-16 units. */
  copyIdOfSeq(seq: number, target: Uint16Array, offset: number): void {
    const at = seq & this.mask;
    this.chars.copyInto(this.positions[at], this.lengths[at * STRINGS_PER_ENTRY], target, offset);
  }

  /** The entry's command id. */
  idOf(at: number): string {
    return this.chars.read(this.positions[at], this.lengths[at * STRINGS_PER_ENTRY]);
  }

  /** The entry's `k`th string (1-3, as given to setStrings), or null. */
  stringOf(at: number, k: 1 | 2 | 3): string | null {
    const l = at * STRINGS_PER_ENTRY;
    if (this.lengths[l + k] === NO_STRING) return null;
    let position = this.positions[at] + this.lengths[l];
    for (let j = 1; j < k; j++) if (this.lengths[l + j] !== NO_STRING) position += this.lengths[l + j];
    return this.chars.read(position, this.lengths[l + k]);
  }

  /** Writes a hold's fate on its command's entry, if that is still remembered. */
  setFate(seq: number, hash: number, fate: FateNumber): void {
    if (this.isKept(seq)) this.fates[seq & this.mask] = fate;
    else this.closedFates.note(hash, fate);
  }

  /** Keeps the command and result of the entry at `at` (an OBJECTS entry). */
  setObjects(at: number, command: unknown, result: unknown): void {
    if (this.commands.length === 0) {
      if (command === null && result === null) return;
      this.commands = new Array<unknown>(this.slots).fill(null);
      this.results = new Array<unknown>(this.slots).fill(null);
    }
    this.commands[at] = command;
    this.results[at] = result;
  }

  /** The command and result kept for the entry at `at` (null, null if none). */
  objectsOf(at: number): [command: unknown, result: unknown] {
    return this.commands.length === 0 ? [null, null] : [this.commands[at], this.results[at]];
  }


  /** Every entry's place, oldest first. */
  *places(): IterableIterator<number> {
    for (let seq = this.first; seq < this.next; seq++) yield seq & this.mask;
  }

  /** Empties the memory (snapshot decoding); push the old generation, then `startYoung`, then the young one. */
  reset(): void {
    for (const at of this.places()) this.setObjects(at, null, null);
    this.young.clear();
    this.old.clear();
    this.chars.releaseBefore(this.chars.next);
    this.first = 0;
    this.youngFirst = 0;
    this.next = 0;
    this.restoring = true;
  }

  /** Snapshot decoding: every entry is back; from now on pushes drop generations again. */
  restored(): void {
    this.restoring = false;
  }

  /** Snapshot decoding: the entries pushed so far are the old generation. */
  startYoung(): void {
    const swap = this.old;
    this.old = this.young;
    this.young = swap;
    this.youngFirst = this.next;
  }

  /**
   * Forgets the old generation whole: its index and its strings. Its places keep their objects
   * until the young generation reuses them (at most `capacity` entries' objects are held).
   */
  private dropOld(): void {
    if (this.dropListener !== null && this.youngFirst > this.first) this.dropListener.dropped(this, this.first, this.youngFirst);
    // The fates written on the entries let go of outlive them (closed-fates.ts).
    for (let seq = this.first; seq < this.youngFirst; seq++) {
      const at = seq & this.mask;
      if (this.fates[at] !== Fate.NONE) this.closedFates.note(this.hashes[at], this.fates[at] as FateNumber);
    }
    this.old.clear();
    this.first = this.youngFirst;
    this.chars.releaseBefore(this.first < this.next ? this.positions[this.first & this.mask] : this.chars.next);
    this.startYoung();
  }

  /**
   * Doubles the columns; entries keep their sequence numbers and move to their new places. The
   * ring is full when it grows, and its entries lie in two runs (from the oldest to the end of the
   * columns, then from the start): each run stays in one piece in the doubled columns, so it is
   * copied whole, column by column.
   */
  private grow(): void {
    const old = { positions: this.positions, lengths: this.lengths, hashes: this.hashes, kinds: this.kinds, fates: this.fates, expiresAtMs: this.expiresAtMs, bytes: this.bytes, seats: this.seats, slots: this.slots };
    const commands = this.commands;
    const results = this.results;
    this.allocate(Math.max(this.slots * 2, this.expectedSlots));
    const count = this.next - this.first;
    // The ring of strings grows in proportion, at the entries' length so far.
    if (count > 0) this.chars.reserve(Math.ceil(((this.chars.next - old.positions[this.first & (old.slots - 1)]) / count) * this.slots));
    const firstRun = Math.min(count, old.slots - (this.first & (old.slots - 1)));
    this.copyRun(old, this.first, firstRun);
    this.copyRun(old, this.first + firstRun, count - firstRun);
    const withObjects = commands.length !== 0;
    if (withObjects) {
      this.commands = new Array<unknown>(this.slots).fill(null);
      this.results = new Array<unknown>(this.slots).fill(null);
    }
    for (let seq = this.first; seq < this.next; seq++) {
      const at = seq & this.mask;
      (seq < this.youngFirst ? this.old : this.young).add(this.hashes[at], at);
      if (!withObjects) continue;
      this.commands[at] = commands[seq & (old.slots - 1)];
      this.results[at] = results[seq & (old.slots - 1)];
    }
  }

  /** Copies `count` entries from sequence number `seq` on, which lie in one run in `old`'s columns and in the new ones. */
  private copyRun(old: { positions: Float64Array; lengths: Uint16Array; hashes: Int32Array; kinds: Uint8Array; fates: Uint8Array; expiresAtMs: Float64Array; bytes: Uint8Array; seats: Int32Array; slots: number }, seq: number, count: number): void {
    if (count === 0) return;
    const from = seq & (old.slots - 1);
    const to = seq & this.mask;
    this.positions.set(old.positions.subarray(from, from + count), to);
    this.lengths.set(old.lengths.subarray(from * STRINGS_PER_ENTRY, (from + count) * STRINGS_PER_ENTRY), to * STRINGS_PER_ENTRY);
    this.hashes.set(old.hashes.subarray(from, from + count), to);
    this.kinds.set(old.kinds.subarray(from, from + count), to);
    this.fates.set(old.fates.subarray(from, from + count), to);
    this.expiresAtMs.set(old.expiresAtMs.subarray(from, from + count), to);
    this.bytes.set(old.bytes.subarray(from * BYTES_PER_ENTRY, (from + count) * BYTES_PER_ENTRY), to * BYTES_PER_ENTRY);
    this.seats.set(old.seats.subarray(from * SEATS_PER_ENTRY, (from + count) * SEATS_PER_ENTRY), to * SEATS_PER_ENTRY);
  }
}
