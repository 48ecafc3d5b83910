// What became of closed binary holds (binary.ts), so that a late release or confirm is told
// HOLD_EXPIRED, HOLD_RELEASED or HOLD_ALREADY_CONFIRMED rather than HOLD_NOT_FOUND. A binary
// hold has a number no other hold of the performance has, given in order, so its fate is kept
// in a ring indexed by that number: two writes when a hold closes, no hash and no search (the
// hashed table of closed-fates.ts was an eighth of a binary hold and release). The ring keeps the
// fate of a hold until a hold whose number has the same low bits closes: about the last `slots`
// holds made. Allocated at the first binary hold that closes.
import { assert } from './assert.ts';
import type { FateNumber } from './memo.ts';

export interface BinaryFateColumns { nos: Int32Array; fates: Uint8Array }

export class BinaryFates {
  private nos: Int32Array | null = null;
  private fates: Uint8Array | null = null;
  private readonly mask: number;

  constructor(readonly slots: number) {
    assert(slots > 0 && (slots & (slots - 1)) === 0, 'binary fates: slots must be a power of two');
    this.mask = slots - 1;
  }

  note(binaryNo: number, fate: FateNumber): void {
    if (this.nos === null) this.allocate();
    const at = binaryNo & this.mask;
    this.nos![at] = binaryNo;
    this.fates![at] = fate;
  }

  /** The fate noted for hold `binaryNo`, or 0 (Fate.NONE). */
  fateOf(binaryNo: number): FateNumber {
    if (this.nos === null) return 0;
    const at = binaryNo & this.mask;
    return this.nos[at] === binaryNo ? (this.fates![at] as FateNumber) : 0;
  }

  /** The ring as it is (a snapshot), or null when nothing was ever noted. */
  columns(): BinaryFateColumns | null {
    return this.nos === null ? null : { nos: this.nos, fates: this.fates! };
  }

  /** Takes back what columns() gave, copied. */
  restore(c: BinaryFateColumns): void {
    assert(c.nos.length === this.slots && c.fates.length === this.slots, 'binary fates: a ring of another size');
    this.allocate();
    this.nos!.set(c.nos);
    this.fates!.set(c.fates);
  }

  private allocate(): void {
    this.nos = new Int32Array(this.slots);
    this.fates = new Uint8Array(this.slots);
  }
}
