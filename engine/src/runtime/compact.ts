// Compact wire forms of the commands that make up nearly all of an on-sale's traffic (holds,
// releases, confirms): their shapes, written in binary since record version 4 (hot-wire.ts), and
// as positional arrays in version 2 and 3 records and in version 4's cold items. msgpackr writes an object as a record: cheap to read, but its
// writer looks every key up again for every object, and on the router's thread that was about
// 40 % of its time (bench/RESULTS.md, session 7). A positional array of the same values is written
// in about half the time by the same library, and read as fast. Only an object with exactly the
// keys of one of these shapes, none of them undefined, is written compactly; anything else
// (optional fields, extra keys, other commands) goes as the object itself, so what is read back
// is always equal to what was written.
import type { EngineCommand } from './wire.ts';

type Obj = Record<string, unknown>;

// Tags are part of the journal format (record version 2): never renumber one, only add. A shape
// is the command's keys in order: the order is kept too, so a command reads back as it was
// written, key for key (a command kept whole in a performance's retry memory is snapshotted with
// its keys in their order). Clients build the same command in a few orders; the common ones are
// listed, any other order goes as the object.
/** How each value of a shape is written in binary (hot-wire.ts); part of the journal format (version 4). */
export const ValueKind = { Str: 0, Int: 1, Ints: 2, Strs: 3 } as const;
const { Str: vs, Int: vi, Ints: vI, Strs: vS } = ValueKind;

export interface CompactShape { tag: number; type: string; keys: readonly string[]; kinds: readonly number[]; make: (v: never[]) => EngineCommand }
const shapes: readonly CompactShape[] = [
  { tag: 1, type: 'holdSeats', keys: ['commandId', 'buyerId', 'channel', 'seatNos'], kinds: [vs, vs, vs, vI], make: (v) => ({ type: 'holdSeats', commandId: v[3], buyerId: v[4], channel: v[5], seatNos: v[6] }) },
  { tag: 2, type: 'holdSeats', keys: ['commandId', 'buyerId', 'channel', 'seats'], kinds: [vs, vs, vs, vS], make: (v) => ({ type: 'holdSeats', commandId: v[3], buyerId: v[4], channel: v[5], seats: v[6] }) },
  { tag: 3, type: 'releaseHold', keys: ['commandId', 'holdId', 'buyerId'], kinds: [vs, vs, vs], make: (v) => ({ type: 'releaseHold', commandId: v[3], holdId: v[4], buyerId: v[5] }) },
  { tag: 4, type: 'confirmHold', keys: ['commandId', 'holdId', 'buyerId'], kinds: [vs, vs, vs], make: (v) => ({ type: 'confirmHold', commandId: v[3], holdId: v[4], buyerId: v[5] }) },
  { tag: 5, type: 'confirmHold', keys: ['commandId', 'holdId', 'buyerId', 'buyerEmail'], kinds: [vs, vs, vs, vs], make: (v) => ({ type: 'confirmHold', commandId: v[3], holdId: v[4], buyerId: v[5], buyerEmail: v[6] }) },
  { tag: 6, type: 'holdBestAvailable', keys: ['commandId', 'buyerId', 'channel', 'count'], kinds: [vs, vs, vs, vi], make: (v) => ({ type: 'holdBestAvailable', commandId: v[3], buyerId: v[4], channel: v[5], count: v[6] }) },
  { tag: 7, type: 'releaseHold', keys: ['commandId', 'buyerId', 'holdId'], kinds: [vs, vs, vs], make: (v) => ({ type: 'releaseHold', commandId: v[3], buyerId: v[4], holdId: v[5] }) },
  { tag: 8, type: 'confirmHold', keys: ['commandId', 'buyerId', 'holdId'], kinds: [vs, vs, vs], make: (v) => ({ type: 'confirmHold', commandId: v[3], buyerId: v[4], holdId: v[5] }) },
  { tag: 9, type: 'confirmHold', keys: ['commandId', 'buyerId', 'holdId', 'buyerEmail'], kinds: [vs, vs, vs, vs], make: (v) => ({ type: 'confirmHold', commandId: v[3], buyerId: v[4], holdId: v[5], buyerEmail: v[6] }) },
  { tag: 10, type: 'holdBestAvailable', keys: ['commandId', 'buyerId', 'channel', 'count', 'presaleCode'], kinds: [vs, vs, vs, vi, vs], make: (v) => ({ type: 'holdBestAvailable', commandId: v[3], buyerId: v[4], channel: v[5], count: v[6], presaleCode: v[7] }) },
];
/** Shapes by command type, and by tag: for both forms, the arrays here and hot-wire.ts's binary. */
export const shapesByType: ReadonlyMap<string, readonly CompactShape[]> = new Map<string, CompactShape[]>();
export const shapesByTag: readonly (CompactShape | undefined)[] = [];
for (const shape of shapes) {
  (shapesByType as Map<string, CompactShape[]>).set(shape.type, [...(shapesByType.get(shape.type) ?? []), shape]);
  (shapesByTag as (CompactShape | undefined)[])[shape.tag] = shape;
}

/**
 * `head` followed by `o`'s values if its own enumerable keys are exactly `first` then `keys`, in
 * that order, none undefined; else null. The values are read in the same for-in (its enum cache
 * makes those reads fast; a second pass by key name was slower than msgpackr's records).
 */
function valuesInShape(o: Obj, first: string, keys: readonly string[], head: number, item: unknown[]): unknown[] | null {
  let i = -1;
  for (const k in o) {
    if (i === -1) {
      if (k !== first) return null;
    } else {
      if (i >= keys.length || k !== keys[i]) return null;
      const v = o[k];
      if (v === undefined) return null;
      item[head + i] = v;
    }
    i++;
  }
  return i === keys.length ? item : null;
}

/**
 * A journal item on the wire: `[actorId, nowMs, command]`, or for a command of a compact shape
 * `[actorId, nowMs, tag, ...its values]`.
 */
export type WireItem = unknown[];

/** The wire form of one journal item. */
export function compactItem(actorId: string, nowMs: number, c: EngineCommand): WireItem {
  const candidates = shapesByType.get(c.type);
  if (candidates !== undefined) {
    const o = c as unknown as Obj;
    for (const shape of candidates) {
      const item = valuesInShape(o, 'type', shape.keys, 3, new Array(3 + shape.keys.length));
      if (item === null) continue;
      item[0] = actorId;
      item[1] = nowMs;
      item[2] = shape.tag;
      return item;
    }
  }
  return [actorId, nowMs, c];
}

/** The command of a wire item (either form); throws on a tag this version does not know. */
export function expandCommand(x: WireItem): EngineCommand {
  const tag = x[2];
  if (typeof tag !== 'number') return tag as EngineCommand;
  // The values are put back under the keys they were taken from; their types are the domain's
  // to check, as for any command.
  const make = shapesByTag[tag]?.make;
  if (make === undefined) throw new Error(`journal item with unknown compact tag ${String(tag)}`);
  return make(x as never[]);
}

/** The shapes, for the test that keeps each maker's keys equal to its shape's. */
export const compactShapes = shapes;
