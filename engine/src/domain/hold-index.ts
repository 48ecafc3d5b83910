// Open holds by id: an id index (idindex.ts) from hold id to hold slot. Read as a map (hold id ->
// hold, in creation order) by audits and tests. A binary hold (hold-record.ts) is not in the
// index: its id names its slot, so it is found there.
import { BINARY_ID_MARK, parseBinaryHoldId } from './hold-record.ts';
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

  /** Open binary holds. */
  private binaryCount = 0;

  get size(): number { return this.index.size + this.binaryCount; }

  /** The open hold with this id (whose hash is `hash`), or undefined. */
  find(id: string, hash: number): Hold | undefined {
    if (id.charCodeAt(0) === BINARY_ID_MARK) {
      const named = parseBinaryHoldId(id);
      return named === null ? undefined : this.findBinary(named[0], named[1]);
    }
    const slot = this.index.find(id, hash);
    return slot < 0 ? undefined : (this.bySlot[slot] as Hold);
  }

  /** The open binary hold `#slot.binaryNo`, or undefined. */
  findBinary(slot: number, binaryNo: number): Hold | undefined {
    const hold = slot >= 0 && slot < this.bySlot.length ? this.bySlot[slot] : null;
    return hold !== null && hold.binaryNo === binaryNo && binaryNo >= 0 ? hold : undefined;
  }

  add(hold: Hold): void {
    if (hold.binaryNo >= 0) {
      this.binaryCount++;
      return;
    }
    while (this.ids.length <= hold.slot) this.ids.push(null);
    this.ids[hold.slot] = hold.holdId;
    this.index.add(hold.hash, hold.slot);
  }

  remove(hold: Hold): void {
    if (hold.binaryNo >= 0) {
      this.binaryCount--;
      return;
    }
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
