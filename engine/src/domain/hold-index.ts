// Open holds by id: an id index (idindex.ts) from hold id to hold slot. Read as a map (hold id ->
// hold, in creation order) by audits and tests.
import { IdIndex, hashId } from './idindex.ts';
import { MapView } from './map-view.ts';
import type { Hold } from './state.ts';

export class HoldIndex extends MapView<Hold> {
  /** Hold id per slot; null for a free slot. */
  private readonly ids: (string | null)[] = [];
  private readonly index = new IdIndex(this.ids);
  /** The expiry list, walked for iteration (set once the state exists). */
  list: { readonly holdHead: Hold | null } = { holdHead: null };

  constructor(private readonly bySlot: readonly (Hold | null)[]) {
    super();
  }

  get size(): number { return this.index.size; }

  /** The open hold with this id (whose hash is `hash`), or undefined. */
  find(id: string, hash: number): Hold | undefined {
    const slot = this.index.find(id, hash);
    return slot < 0 ? undefined : (this.bySlot[slot] as Hold);
  }

  add(hold: Hold): void {
    while (this.ids.length <= hold.slot) this.ids.push(null);
    this.ids[hold.slot] = hold.holdId;
    this.index.add(hold.hash, hold.slot);
  }

  remove(hold: Hold): void {
    this.index.remove(hold.hash, hold.slot);
    this.ids[hold.slot] = null;
  }

  // ReadonlyMap, in creation (= expiry) order.
  get(id: string): Hold | undefined {
    return this.find(id, hashId(id));
  }

  *entries(): MapIterator<[string, Hold]> {
    for (let hold = this.list.holdHead; hold !== null; hold = hold.next) yield [hold.holdId, hold];
  }
}
