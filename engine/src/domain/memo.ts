// A bounded memory of recent keys, in two generations: new keys go into the young map; when it
// holds half the capacity, the old map is dropped whole and the young one becomes old. A key is
// remembered for at least capacity/2 and at most capacity later insertions.
// Why not one Map with oldest-first eviction: deleting one entry per insertion costs a delete
// and a ring of keys, and asking a Map for its first key after many deletions walks every
// deleted slot (V8 compacts only on rehash). Dropping a generation costs nothing per key.
export class BoundedMemo<V> {
  private old = new Map<string, V>();
  private young = new Map<string, V>();
  private readonly generationMax: number;

  constructor(readonly capacity: number) {
    this.generationMax = Math.max(1, capacity >> 1);
  }

  get size(): number { return this.old.size + this.young.size; }

  get(key: string): V | undefined {
    const value = this.young.get(key);
    return value !== undefined ? value : this.old.get(key);
  }

  /** Remembers a key that is not remembered yet (callers look it up first). */
  add(key: string, value: V): void {
    if (this.young.size >= this.generationMax) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }

  /** Both generations, oldest first, for snapshots. */
  generations(): [Map<string, V>, Map<string, V>] {
    return [this.old, this.young];
  }

  /** Rebuilds the exact generations a snapshot recorded. */
  restore(old: Iterable<[string, V]>, young: Iterable<[string, V]>): void {
    this.old = new Map(old);
    this.young = new Map(young);
  }
}
