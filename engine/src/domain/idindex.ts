// An index from id strings (command, hold and buyer ids) to small numbers (a slot in the
// owner's columns), by open addressing over typed arrays. A string-keyed `Map` costs a hash
// table entry object per key, rehashes on growth and leaves deleted slots behind; this one keeps
// a 32-bit hash and the number per slot, compares the full string only when the hashes match, and
// deletes by shifting the run back (no tombstones), so a table that takes one key in and one out
// per command never degrades.
//
// The owner keeps the keys: `keys[value]` is the id stored under `value`. The table's layout is
// never read in slot order, so nothing observable depends on where a key landed.
import { assert } from './assert.ts';

/** FNV-1a over the id's UTF-16 units, then a finalizer (murmur3 fmix32) so low bits are well mixed. */
export function hashId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return finish(h);
}

/** hashId of the string whose UTF-16 units are `units[from..to)` (snapshots keep ids as units). */
export function hashUnits(units: Uint16Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ units[i], 0x01000193);
  return finish(h);
}

/** A hash of a safe integer >= 0 (a buyer's numeric key, buyers.ts): both 32-bit halves, mixed. */
export function hashKey(key: number): number {
  return finish(Math.imul((key >>> 0) ^ 0x811c9dc5, 0x01000193) ^ Math.floor(key / 4_294_967_296));
}

function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class IdIndex {
  /** Two numbers per slot, side by side so a probe reads one cache line: value + 1 (0 = empty), then the hash. */
  private slots: Int32Array;
  private mask: number;
  private count = 0;

  /** `keys[value]` is the id stored under `value`; the owner fills it before `add`. */
  constructor(private readonly keys: readonly (string | null | undefined)[], initialSlots = 16) {
    let n = 16;
    while (n < initialSlots) n *= 2;
    this.slots = new Int32Array(2 * n);
    this.mask = n - 1;
  }

  get size(): number { return this.count; }

  /** The value stored under `id` (whose hash is `hash`), or -1. */
  find(id: string, hash: number): number {
    const slots = this.slots;
    const mask = this.mask;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const v = slots[2 * i];
      if (v === 0) return -1;
      if (slots[2 * i + 1] === hash && this.keys[v - 1] === id) return v - 1;
    }
  }

  /**
   * The value whose number in `column` is `key` (stored under `hash`), or -1: a lookup by a
   * number standing for the id (a buyer's numeric key, buyers.ts), so no id string is made.
   */
  findNumber(key: number, hash: number, column: Float64Array): number {
    const slots = this.slots;
    const mask = this.mask;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const v = slots[2 * i];
      if (v === 0) return -1;
      if (slots[2 * i + 1] === hash && column[v - 1] === key) return v - 1;
    }
  }

  /** Stores `value` under the id `keys[value]`, which must not be stored yet. */
  add(hash: number, value: number): void {
    if (4 * (this.count + 1) > this.slots.length) this.grow();
    this.place(hash, value);
    this.count++;
  }

  /** Removes `value`, stored under an id whose hash is `hash`. */
  remove(hash: number, value: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let i = hash & mask;
    while (slots[2 * i] !== value + 1) {
      assert(slots[2 * i] !== 0, `id index: value ${value} is not stored`);
      i = (i + 1) & mask;
    }
    // Shift back every later entry of the run that may stand at the hole (its home slot is not
    // between the hole and where it stands), so lookups never need a tombstone.
    for (let j = (i + 1) & mask; slots[2 * j] !== 0; j = (j + 1) & mask) {
      if (((j - (slots[2 * j + 1] & mask)) & mask) >= ((j - i) & mask)) {
        slots[2 * i] = slots[2 * j];
        slots[2 * i + 1] = slots[2 * j + 1];
        i = j;
      }
    }
    slots[2 * i] = 0;
    this.count--;
  }

  clear(): void {
    this.slots.fill(0);
    this.count = 0;
  }

  private place(hash: number, value: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let i = hash & mask;
    while (slots[2 * i] !== 0) i = (i + 1) & mask;
    slots[2 * i] = value + 1;
    slots[2 * i + 1] = hash;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.mask = old.length - 1;
    for (let i = 0; i < old.length; i += 2) if (old[i] !== 0) this.place(old[i + 1], old[i] - 1);
  }
}


/**
 * The command memory's index (memo.ts): ids to places below 2^placeBits, without removal (a
 * generation is cleared whole). One 32-bit word per slot, the place in the low bits and the hash's
 * high bits above it (the lowest of them set, so a used word is never 0): a probe reads one word,
 * and the same memory holds twice the slots of an IdIndex, so the table runs at half the load.
 */
export class PlaceIndex {
  private readonly words: Int32Array;
  private readonly mask: number;

  /** `idIs(place, id)` says whether `id` is stored under `place`; `slots` (a power of two) is at least twice the places stored. */
  constructor(private readonly idIs: (place: number, id: string) => boolean, slots: number, private readonly placeBits: number) {
    this.words = new Int32Array(slots);
    this.mask = slots - 1;
  }

  /** The place stored under `id` (whose hash is `hash`), or -1. */
  find(id: string, hash: number): number {
    const words = this.words;
    const mask = this.mask;
    const bits = this.placeBits;
    const tag = (hash >>> bits) | 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const word = words[i];
      if (word === 0) return -1;
      const place = word & ((1 << bits) - 1);
      if (word >>> bits === tag && this.idIs(place, id)) return place;
    }
  }

  /** Stores `place` under its id (one idIs(place, ...) says yes to), which must not be stored yet. */
  add(hash: number, place: number): void {
    const words = this.words;
    const mask = this.mask;
    let i = hash & mask;
    while (words[i] !== 0) i = (i + 1) & mask;
    words[i] = (((hash >>> this.placeBits) | 1) << this.placeBits) | place;
  }

  clear(): void {
    this.words.fill(0);
  }

  /** The word find(…, hash) reads first (touch.ts). */
  touch(hash: number): number {
    return this.words[hash & this.mask];
  }
}
