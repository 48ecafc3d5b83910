// What became of closed holds after the command memory has forgotten them. A hold's fate
// (confirmed, released, expired) is written on its command's entry in the memory (memo.ts), which
// keeps the last 32,768 to 65,536 commands: in a stadium's surge that is a few minutes, less than
// a hold's time to live, so a buyer who came back to a hold that had expired was told
// HOLD_NOT_FOUND, as if it had never been made (1,133 of them in the default simulation). Here
// the fates outlive their entries: noted when a hold closes after its entry was forgotten, and
// when the memory lets go of an entry that has one.
//
// A table of the ids' hashes, not of the ids, in buckets of four slots: a hold's hash picks its
// bucket, and a bucket that is full lets go of its oldest hold (first in, first out). So the
// table keeps about the last `slots` holds closed, needs no index, and a lookup reads one bucket.
// A lookup matches on the 32-bit hash alone: a never-made hold id whose hash equals a noted one
// is told HOLD_EXPIRED (or released, already confirmed) instead of HOLD_NOT_FOUND, a refusal
// either way with nothing changed, once in about 2^30 unknown ids. Allocated at the first note: a
// performance whose holds all close while their commands are remembered never has one.
import { assert } from './assert.ts';
import type { FateNumber } from './memo.ts';

const WAYS = 4;

export interface ClosedFateColumns { hashes: Int32Array; fates: Uint8Array; next: Uint8Array }

export class ClosedFates {
  private hashes: Int32Array | null = null;
  /** Per slot, the fate (0: empty). */
  private fates: Uint8Array | null = null;
  /** Per bucket, the way the next new hold takes (the oldest once the bucket is full). */
  private next: Uint8Array | null = null;
  private readonly bucketMask: number;

  constructor(readonly slots: number) {
    assert(slots >= WAYS && (slots & (slots - 1)) === 0, 'closed fates: slots must be a power of two of at least four');
    this.bucketMask = slots / WAYS - 1;
  }

  /** Notes the fate of the hold whose id hashes to `hash` (a FateNumber other than NONE). */
  note(hash: number, fate: FateNumber): void {
    if (this.hashes === null) this.allocate();
    const hashes = this.hashes!;
    const fates = this.fates!;
    const bucket = (hash >>> 2) & this.bucketMask;
    const first = bucket * WAYS;
    for (let at = first; at < first + WAYS; at++) {
      if (fates[at] !== 0 && hashes[at] === hash) {
        fates[at] = fate;
        return;
      }
    }
    const at = first + this.next![bucket];
    hashes[at] = hash;
    fates[at] = fate;
    this.next![bucket] = (this.next![bucket] + 1) % WAYS;
  }

  /** The fate noted for `hash`, or 0 (Fate.NONE). */
  fateOf(hash: number): FateNumber {
    const hashes = this.hashes;
    if (hashes === null) return 0;
    const fates = this.fates!;
    const first = ((hash >>> 2) & this.bucketMask) * WAYS;
    for (let at = first; at < first + WAYS; at++) if (fates[at] !== 0 && hashes[at] === hash) return fates[at] as FateNumber;
    return 0;
  }

  /** The table as it is (a snapshot), or null when nothing was ever noted. */
  columns(): ClosedFateColumns | null {
    return this.hashes === null ? null : { hashes: this.hashes, fates: this.fates!, next: this.next! };
  }

  /** Takes back what columns() gave, copied. */
  restore(c: ClosedFateColumns): void {
    assert(c.hashes.length === this.slots && c.fates.length === this.slots && c.next.length === this.slots / WAYS, 'closed fates: a table of another size');
    this.allocate();
    this.hashes!.set(c.hashes);
    this.fates!.set(c.fates);
    this.next!.set(c.next);
  }

  private allocate(): void {
    this.hashes = new Int32Array(this.slots);
    this.fates = new Uint8Array(this.slots);
    this.next = new Uint8Array(this.slots / WAYS);
  }
}
