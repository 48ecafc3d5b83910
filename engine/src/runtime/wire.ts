// What crosses a boundary: journal records (one group-commit batch each) and the messages
// between the router and the shard workers. Everything on the wire is msgpack (msgpackr).
import { Packr } from 'msgpackr';
import { reject, type Command, type Outbound, type PerformanceSpec, type ProductCommand, type Rejection, type Result, type SagaPending } from '../domain/mod.ts';
import { compactItem, compactResult, expandCommand, expandResult, type WireItem } from './compact.ts';
export { compactItem, type WireItem } from './compact.ts';

/** Opens a performance in the engine: the venue is a name from the engine's venue catalog. */
export interface OpenPerformance { type: 'openPerformance'; commandId: string; venue: string; spec: PerformanceSpec }
/** Performance commands go to a performance's actor, product commands to the product's coordinator. */
export type EngineCommand = Command | OpenPerformance | ProductCommand;

/** One command as journaled: which actor (performance or product id), the time it was given, the command. */
export type JournalItem = [actorId: string, nowMs: number, command: EngineCommand];

/**
 * One journal record = one group-commit batch for one shard. Version 2 (sessions 7 to 9) writes
 * the commonest commands in a compact form (compact.ts); version 3 (since session 10) also names
 * each item's actor by number and its time as a difference (encodeWireRecord). Versions 1 and 2
 * still read; decodeRecord gives every version back as `[actorId, nowMs, command]` items.
 */
export interface JournalRecord {
  v: 1 | 2 | 3;
  shard: number;
  /** The lease epoch of the writer, so a record from a deposed writer can be told apart. */
  epoch: number;
  items: JournalItem[];
}

// Records (msgpackr "structures") make repeated command shapes cheap to encode and decode; each
// message carries its own structure definitions, so no state is shared between threads.
export const packr = new Packr({ useRecords: true, mapsAsObjects: true });

/**
 * Packs a value into bytes of its own. msgpackr returns a view into its reusable buffer, and
 * posting a view to another thread clones the whole buffer under it (megabytes), so everything
 * that leaves the call gets an exact-size copy.
 */
export function pack(value: unknown): Uint8Array {
  return new Uint8Array(packr.pack(value));
}

/** Writes a record in the current version (encodeWireRecord), whatever its `v`. */
export function encodeRecord(record: Pick<JournalRecord, 'shard' | 'epoch' | 'items'>): Uint8Array {
  const items = record.items;
  const wire: WireItem[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) wire[i] = compactItem(items[i][0], items[i][1], items[i][2]);
  return encodeWireRecord(record.shard, record.epoch, wire);
}

/**
 * A record of items already in their wire form (compactItem): the router's batches. Written as
 * version 3: each item names its actor by its place in the record's `actors` and its time as
 * the difference from the record's `atMs` (its first item's). A batch holds commands for the
 * few actors of one shard, all given within a few milliseconds: the ids were most of the bytes
 * written and read per command, and each read made a new string that every lookup by actor id
 * then hashed again; a full time is a 9-byte float where the difference is one byte or two.
 * The items are changed for the packing only, and given back as they were.
 */
export function encodeWireRecord(shard: number, epoch: number, wire: WireItem[]): Uint8Array {
  const n = wire.length;
  // Differences of whole numbers are exact; of other values (a time the domain will refuse) they
  // may not be: such a batch is written as version 2, each time as it was given.
  for (let i = 0; i < n; i++) if (!Number.isSafeInteger(wire[i][1])) return pack({ v: 2, shard, epoch, items: wire });
  const atMs = n === 0 ? 0 : (wire[0][1] as number);
  const actors: unknown[] = [];
  let lastActor: unknown = null;
  let lastNo = -1;
  for (let i = 0; i < n; i++) {
    const x = wire[i];
    const actor = x[0];
    if (actor !== lastActor) {
      lastNo = actors.indexOf(actor);
      if (lastNo < 0) lastNo = actors.push(actor) - 1;
      lastActor = actor;
    }
    x[0] = lastNo;
    x[1] = (x[1] as number) - atMs;
  }
  try {
    return pack({ v: 3, shard, epoch, atMs, actors, items: wire });
  } finally {
    for (let i = 0; i < n; i++) {
      const x = wire[i];
      x[0] = actors[x[0] as number];
      x[1] = (x[1] as number) + atMs;
    }
  }
}

export function decodeRecord(bytes: Uint8Array): JournalRecord {
  const record = packr.unpack(bytes) as JournalRecord;
  if (record === null || typeof record !== 'object' || (record.v !== 1 && record.v !== 2 && record.v !== 3) || !Array.isArray(record.items)) {
    throw new Error('not a journal record (version 1, 2 or 3)');
  }
  if (record.v === 3) {
    const { atMs, actors } = record as unknown as { atMs: unknown; actors: unknown };
    if (typeof atMs !== 'number' || !Array.isArray(actors)) throw new Error('journal record version 3 without its atMs and actors');
    const wire = record.items as unknown as WireItem[];
    for (let i = 0; i < wire.length; i++) {
      const x = wire[i];
      const actor = Array.isArray(x) ? x[0] : undefined;
      if (!Array.isArray(x) || x.length < 3 || typeof actor !== 'number' || !Number.isInteger(actor) || actor < 0 || actor >= actors.length || typeof x[1] !== 'number') {
        throw new Error(`journal record item ${i} is not [actor number, time difference, command or tag, ...]`);
      }
      x[0] = actors[actor];
      x[1] = x[1] + atMs;
    }
    delete (record as { atMs?: unknown }).atMs;
    delete (record as { actors?: unknown }).actors;
  }
  if (record.v !== 1) {
    // Each compact item becomes [actorId, nowMs, command] in place: no second array per command.
    const wire = record.items as unknown as WireItem[];
    for (let i = 0; i < wire.length; i++) {
      const x = wire[i];
      if (!Array.isArray(x) || x.length < 3) throw new Error(`journal record item ${i} is not an array of at least 3`);
      if (typeof x[2] !== 'number') continue;
      x[2] = expandCommand(x);
      x.length = 3;
    }
  }
  return record;
}

/** A worker's answers to one record, as sent to the router. */
export function packResults(results: readonly (Result | SagaPending)[]): Uint8Array {
  const wire: unknown[] = new Array(results.length);
  for (let i = 0; i < results.length; i++) wire[i] = compactResult(results[i]);
  return pack(wire);
}

export function unpackResults(bytes: Uint8Array): Result[] {
  const wire = packr.unpack(bytes) as unknown[];
  for (let i = 0; i < wire.length; i++) wire[i] = expandResult(wire[i]);
  return wire as Result[];
}

/** Router → worker. */
export type ToWorker =
  | { t: 'apply'; shard: number; seq: number; bytes: Uint8Array; replay: boolean }
  | { t: 'snapshot'; shard: number; id: number }
  | { t: 'restore'; shard: number; id: number; bytes: Uint8Array | null }
  | { t: 'query'; shard: number; id: number; performanceId: string; query: QueryName; arg: string | null }
  | { t: 'stats'; id: number }
  | { t: 'ping'; shard: number; id: number };

/** Worker → router. */
export type FromWorker =
  /** `out`: the coordinators' actions (packed `ShardOutbox`), or null when there are none or on replay. */
  | { t: 'applied'; shard: number; seq: number; bytes: Uint8Array | null; out: Uint8Array | null }
  | { t: 'answer'; id: number; bytes: Uint8Array }
  | { t: 'failed'; id: number; message: string };

export type QueryName =
  | 'availability' | 'salesReport' | 'presaleReport' | 'blocksReport' | 'tickets' | 'stateHash' | 'seatCounts'
  | 'resaleReport' | 'settlementFacts'
  | 'productSummary' | 'productReport' | 'holdings' | 'productLedger' | 'pendingSteps';

/**
 * Actions of the coordinators in one applied batch, in the order they were made, each with the
 * time of the command that made it: a saga's steps run at its own time, not the router's clock.
 */
export type ShardOutbox = [productId: string, nowMs: number, action: Outbound][];

/** The runtime's first check of any command (the router's door, the shard): an object with a string id. */
export function envelopeRefusal(command: unknown): Rejection | null {
  if (typeof command === 'object' && command !== null && typeof (command as { commandId?: unknown }).commandId === 'string') return null;
  return reject('COMMAND_INVALID', 'commandId', 'a command is an object with a string commandId');
}
