// The strings of the command memory (memo.ts) as UTF-16 units in one ring, not as string
// objects: tens of thousands of remembered ids per performance, each a heap object that every
// collection traced and every young collection copied, cost more than the commands themselves.
// Strings are appended in the order commands are remembered and let go of from the oldest on,
// which is the order the memory forgets them, so the live ones are one run of the ring.
// Positions count from the ring's creation (a unit's place is its position modulo the size).
import { assert } from './assert.ts';

export class CharRing {
  private units = new Uint16Array(1_024);
  private mask = 1_023;
  /** Position of the oldest unit still needed, and of the next one. */
  private start = 0;
  private end = 0;

  /** Appends `text`; returns its position. */
  append(text: string): number {
    const at = this.end;
    if (at + text.length - this.start > this.units.length) this.grow(at + text.length - this.start);
    const units = this.units;
    const mask = this.mask;
    for (let i = 0; i < text.length; i++) units[(at + i) & mask] = text.charCodeAt(i);
    this.end = at + text.length;
    return at;
  }

  /** The position the next append gets. */
  get next(): number {
    return this.end;
  }

  /** Lets go of every unit before `position` (strings there are never read again). */
  releaseBefore(position: number): void {
    assert(position >= this.start && position <= this.end, 'char ring: release outside the live run');
    this.start = position;
  }

  /** Whether the `length` units at `position` are `text`. */
  equals(position: number, length: number, text: string): boolean {
    if (length !== text.length) return false;
    const units = this.units;
    const mask = this.mask;
    for (let i = 0; i < length; i++) if (units[(position + i) & mask] !== text.charCodeAt(i)) return false;
    return true;
  }

  read(position: number, length: number): string {
    const units = this.units;
    const at = position & this.mask;
    // apply, not a spread: a spread of the subarray iterates it and read three times slower.
    if (at + length <= units.length) return String.fromCharCode.apply(null, units.subarray(at, at + length) as unknown as number[]);
    let text = '';
    for (let i = 0; i < length; i++) text += String.fromCharCode(units[(position + i) & this.mask]);
    return text;
  }

  /**
   * Every unit appended so far as one string, when none was ever released (so a position is an
   * index in it). Read in chunks: one apply of a long array passes the engine's argument limit.
   */
  readAll(): string {
    assert(this.start === 0, 'char ring: readAll after a release');
    const chunk = 8_192;
    let text = '';
    for (let at = 0; at < this.end; at += chunk) text += this.read(at, Math.min(chunk, this.end - at));
    return text;
  }

  /** Copies the `length` units at `position` into `target` from `offset` on. */
  copyInto(position: number, length: number, target: Uint16Array, offset: number): void {
    // Unit by unit: ids are short, and a subarray per copy was two objects per id.
    const units = this.units;
    const mask = this.mask;
    for (let i = 0; i < length; i++) target[offset + i] = units[(position + i) & mask];
  }

  /** The unit at `position`. */
  unitAt(position: number): number {
    return this.units[position & this.mask];
  }

  /** Appends `units[from..to)`; returns the position of the first. */
  appendUnits(units: Uint16Array, from: number, to: number): number {
    const at = this.end;
    const length = to - from;
    if (at + length - this.start > this.units.length) this.grow(at + length - this.start);
    const first = at & this.mask;
    const firstRun = Math.min(length, this.units.length - first);
    this.units.set(units.subarray(from, from + firstRun), first);
    this.units.set(units.subarray(from + firstRun, to), 0);
    this.end = at + length;
    return at;
  }

  /** The live units, oldest first, in an array of their own (a snapshot writes them as they are). */
  copyLive(): Uint16Array {
    const length = this.end - this.start;
    const out = new Uint16Array(length);
    const first = this.start & this.mask;
    const firstRun = Math.min(length, this.units.length - first);
    out.set(this.units.subarray(first, first + firstRun), 0);
    out.set(this.units.subarray(0, length - firstRun), firstRun);
    return out;
  }

  /**
   * Makes room for `units` live units without growing again: the memory calls it when its own
   * columns jump to the size it expects (memo.ts), so that the ring jumps with them instead of
   * doubling ten times on the way, each time copying every live unit into fresh pages.
   */
  reserve(units: number): void {
    if (units > this.units.length) this.grow(units);
  }

  private grow(needed: number): void {
    let n = this.units.length * 2;
    while (n < needed) n *= 2;
    const old = this.units;
    const oldMask = this.mask;
    const length = this.end - this.start;
    this.units = new Uint16Array(n);
    this.mask = n - 1;
    // The live run keeps its positions: it lies in at most two runs in the old ring, copied
    // straight across (no intermediate copy: at a stadium's size that was 2 MB of fresh pages
    // per growth). The new ring's size is a multiple of the old one's, so wherever the run wraps
    // in the new ring it wraps in the old one too: a run of the old ring never crosses the end of
    // the new one.
    let done = 0;
    while (done < length) {
      const from = (this.start + done) & oldMask;
      const to = (this.start + done) & this.mask;
      const run = Math.min(length - done, old.length - from);
      this.units.set(old.subarray(from, from + run), to);
      done += run;
    }
  }
}
