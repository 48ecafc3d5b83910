// Usage per buyer (open holds, held and sold tickets), kept only while the buyer holds or owns
// something, as columns indexed by a buyer number with an id index over them. A buyer who holds
// once and releases costs no allocation: the number goes back on a free list.
// Read as a map (buyer id -> usage) by audits, snapshots and tests.
//
// A buyer whose id is a whole number in plain decimal ("0", "4711", at most 2^53 - 1) is found
// by that number (findKey), whichever way a command names it: binary commands (binary.ts) name
// buyers so, and the buyer is the same one, with the same caps, as an object command's "4711".
import { IdIndex, hashId, hashKey } from './idindex.ts';
import { MapView } from './map-view.ts';
import { grown } from './typed-arrays.ts';

export interface BuyerUsage { openHolds: number; heldTickets: number; soldTickets: number }

export class BuyerTable extends MapView<BuyerUsage> {
  /**
   * Buyer id per number; null for a free number, and for a buyer a binary command made (idOf
   * makes its id when something asks: a confirm, a query, a snapshot).
   */
  readonly ids: (string | null)[] = [];
  /** The hash each buyer is indexed under: hashId of its id, or hashKey of its numeric key. */
  private hashes = new Int32Array(16);
  /** The id as a number where it is one in plain decimal (decimalKeyOf), else -1 (also for a free number). */
  private numericKeys = new Float64Array(16).fill(-1);
  openHolds = new Int32Array(16);
  heldTickets = new Int32Array(16);
  soldTickets = new Int32Array(16);
  /** Free numbers, the last freed taken first. */
  readonly free: number[] = [];
  /** Buyers whose id is not a plain decimal number, by id. */
  private readonly index = new IdIndex(this.ids);
  /**
   * Buyers whose id is a plain decimal number, by that number (findNumber): no string is made
   * or hashed to find one, which was a sixth of a binary hold's time.
   */
  private readonly keyIndex = new IdIndex(this.ids);

  get size(): number { return this.index.size + this.keyIndex.size; }

  /** The buyer's number, or -1 when the buyer is not tracked; `hash` is hashId(id). */
  find(id: string, hash: number): number {
    const key = decimalKeyOf(id);
    return key >= 0 ? this.findKey(key) : this.index.find(id, hash);
  }

  /** The number of the buyer whose id is String(key) (key a safe integer >= 0), or -1. */
  findKey(key: number): number {
    return this.keyIndex.findNumber(key, hashKey(key), this.numericKeys);
  }

  /** The number buyer `no`'s id is in plain decimal, or -1. */
  keyOf(no: number): number {
    return this.numericKeys[no];
  }

  /** Buyer `no`'s id (a tracked buyer's). */
  idOf(no: number): string {
    return this.ids[no] ?? (this.ids[no] = String(this.numericKeys[no]));
  }

  /** Whether number `no` is a tracked buyer's. */
  tracks(no: number): boolean {
    return this.ids[no] !== null || this.numericKeys[no] >= 0;
  }

  /** Tracks the buyer String(key) (not tracked yet), without making its id; returns its number. */
  addKey(key: number): number {
    return this.place(null, key, hashKey(key));
  }

  /** Tracks a new buyer with no usage; returns its number. `hash` is hashId(id). */
  add(id: string, hash: number): number {
    const key = decimalKeyOf(id);
    return this.place(id, key, key >= 0 ? hashKey(key) : hash);
  }

  private place(id: string | null, key: number, hash: number): number {
    const no = this.free.length > 0 ? (this.free.pop() as number) : this.ids.length;
    if (no === this.ids.length) {
      this.ids.push(id);
      if (no === this.hashes.length) this.grow();
    } else {
      this.ids[no] = id;
    }
    this.hashes[no] = hash;
    this.numericKeys[no] = key;
    this.openHolds[no] = 0;
    this.heldTickets[no] = 0;
    this.soldTickets[no] = 0;
    (key >= 0 ? this.keyIndex : this.index).add(hash, no);
    return no;
  }

  /** Stops tracking a buyer who holds and owns nothing. */
  forgetIfIdle(no: number): void {
    if (this.openHolds[no] !== 0 || this.heldTickets[no] !== 0 || this.soldTickets[no] !== 0) return;
    (this.numericKeys[no] >= 0 ? this.keyIndex : this.index).remove(this.hashes[no], no);
    this.ids[no] = null;
    this.numericKeys[no] = -1;
    this.free.push(no);
  }

  /** Snapshot decoding, first: `length` numbers, of which `free` are free (taken in that order). */
  reserve(length: number, free: readonly number[]): void {
    while (this.ids.length < length) {
      this.ids.push(null);
      if (this.ids.length > this.hashes.length) this.grow();
    }
    this.free.push(...free);
  }

  /** Snapshot decoding, then: a buyer under the number it had. */
  restore(no: number, id: string, usage: BuyerUsage): void {
    const key = decimalKeyOf(id);
    const hash = key >= 0 ? hashKey(key) : hashId(id);
    this.ids[no] = id;
    this.hashes[no] = hash;
    this.numericKeys[no] = key;
    this.openHolds[no] = usage.openHolds;
    this.heldTickets[no] = usage.heldTickets;
    this.soldTickets[no] = usage.soldTickets;
    (key >= 0 ? this.keyIndex : this.index).add(hash, no);
  }

  usage(no: number): BuyerUsage {
    return { openHolds: this.openHolds[no], heldTickets: this.heldTickets[no], soldTickets: this.soldTickets[no] };
  }

  private grow(): void {
    const old = this.hashes.length;
    const size = old * 2;
    this.hashes = grown(this.hashes, size);
    this.numericKeys = grown(this.numericKeys, size);
    this.numericKeys.fill(-1, old);
    this.openHolds = grown(this.openHolds, size);
    this.heldTickets = grown(this.heldTickets, size);
    this.soldTickets = grown(this.soldTickets, size);
  }

  // ReadonlyMap, in buyer-number order.
  get(id: string): BuyerUsage | undefined {
    const no = this.find(id, hashId(id));
    return no < 0 ? undefined : this.usage(no);
  }

  *entries(): MapIterator<[string, BuyerUsage]> {
    for (let no = 0; no < this.ids.length; no++) if (this.tracks(no)) yield [this.idOf(no), this.usage(no)];
  }
}

/** The number an id is in plain decimal (no sign, no leading zero, at most 2^53 - 1), else -1. */
export function decimalKeyOf(id: string): number {
  const first = id.charCodeAt(0);
  // Most ids are not numbers: one comparison decides.
  if (!(first >= 48 && first <= 57) || id.length > 16 || (first === 48 && id.length > 1)) return -1;
  let n = 0;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    n = n * 10 + (c - 48);
  }
  return n <= Number.MAX_SAFE_INTEGER ? n : -1;
}
