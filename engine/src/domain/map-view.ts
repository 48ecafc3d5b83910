// A read-only Map over a table that is not a Map (buyers, open holds): audits, snapshots and
// tests read it with the Map methods they know. Subclasses give `size`, `get` and `entries`.
export abstract class MapView<V> implements ReadonlyMap<string, V> {
  abstract get size(): number;
  abstract get(id: string): V | undefined;
  abstract entries(): MapIterator<[string, V]>;

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  *keys(): MapIterator<string> {
    for (const [id] of this.entries()) yield id;
  }

  *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  forEach(callback: (value: V, key: string, map: ReadonlyMap<string, V>) => void): void {
    for (const [id, value] of this.entries()) callback(value, id, this);
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }
}
