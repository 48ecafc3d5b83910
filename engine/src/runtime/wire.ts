// What crosses a boundary: journal records (one group-commit batch each) and the messages
// between the router and the shard workers. Everything on the wire is msgpack (msgpackr).
import { Packr } from 'msgpackr';
import { reject, type Command, type Outbound, type PerformanceSpec, type ProductCommand, type Rejection, type Result, type SagaPending } from '../domain/mod.ts';
import { ByteReader } from './bytes.ts';
import { compactItem, expandCommand, type WireItem } from './compact.ts';
import { readAnswers, readHotCommand, startWriting, writeAnswers, writeHotCommand } from './hot-wire.ts';
export { compactItem, type WireItem } from './compact.ts';

/** Opens a performance in the engine: the venue is a name from the engine's venue catalog. */
export interface OpenPerformance { type: 'openPerformance'; commandId: string; venue: string; spec: PerformanceSpec }
/**
 * The engine's ticker (Engine option tickEveryMs), to one shard: every performance there that
 * time alone would change by now (a hold to expire, a quota to close: domain nextDueAtMs) gets a
 * `tick` at the command's time. Journaled like any command, so a replay ticks the same ones.
 */
export interface TickDue { type: 'tickDue'; commandId: string }
/** Performance commands go to a performance's actor, product commands to the product's coordinator. */
export type EngineCommand = Command | OpenPerformance | ProductCommand | TickDue;

/** One command as journaled: which actor (performance or product id), the time it was given, the command. */
export type JournalItem = [actorId: string, nowMs: number, command: EngineCommand];

/**
 * One journal record = one group-commit batch for one shard. Version 2 (sessions 7 to 9) writes
 * the commonest commands in a compact form (compact.ts); version 3 (since session 10) also names
 * each item's actor by number and its time as a difference; version 4 (since session 14) writes
 * the compact shapes in binary (encodeBatch, hot-wire.ts). Versions 1 to 3 still read; decodeRecord gives every version back as `[actorId, nowMs, command]` items.
 */
export interface JournalRecord {
  v: 1 | 2 | 3 | 4;
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

/** One command as the router holds it (its Pending entries), to be written into a record. */
export interface BatchItem { performanceId: string; nowMs: number; command: EngineCommand }

/** Writes a record in the current version (encodeBatch), whatever its `v`. */
export function encodeRecord(record: Pick<JournalRecord, 'shard' | 'epoch' | 'items'>): Uint8Array {
  const items = record.items;
  const batch: BatchItem[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) batch[i] = { performanceId: items[i][0], nowMs: items[i][1], command: items[i][2] };
  return encodeBatch(record.shard, record.epoch, batch);
}

/**
 * The router's batch as one record, version 4: each item names its actor by its place in the
 * record's `actors` and its time as the difference from the record's `atMs` (its first item's),
 * as in version 3 (since session 10: a batch holds commands for the few actors of one shard, all
 * given within a few milliseconds); the commands of compact.ts's shapes are written in binary
 * (`hot`, hot-wire.ts), the others in their version-3 form in `cold`, in order: a zero byte in
 * `hot` stands for the next cold item.
 */
export function encodeBatch(shard: number, epoch: number, batch: readonly BatchItem[]): Uint8Array {
  const n = batch.length;
  // Differences of whole numbers are exact; of other values (a time the domain will refuse) they
  // may not be: such a batch is written as version 2, each time as it was given.
  for (let i = 0; i < n; i++) {
    if (!Number.isSafeInteger(batch[i].nowMs)) return pack({ v: 2, shard, epoch, items: batch.map((b) => compactItem(b.performanceId, b.nowMs, b.command)) });
  }
  const atMs = n === 0 ? 0 : batch[0].nowMs;
  const actors: string[] = [];
  const cold: WireItem[] = [];
  let lastActor: string | null = null;
  let lastNo = -1;
  const w = startWriting();
  for (let i = 0; i < n; i++) {
    const { performanceId: actor, nowMs, command } = batch[i];
    if (actor !== lastActor) {
      lastNo = actors.indexOf(actor);
      if (lastNo < 0) lastNo = actors.push(actor) - 1;
      lastActor = actor;
    }
    const dt = nowMs - atMs;
    if (writeHotCommand(w, command, lastNo, dt)) continue;
    w.u8(0);
    const x = compactItem(actor, nowMs, command);
    x[0] = lastNo;
    x[1] = dt;
    cold.push(x);
  }
  return pack({ v: 4, shard, epoch, atMs, actors, hot: w.buf.subarray(0, w.pos), cold });
}

/** A version-3 item (or a version-4 cold one): [actor number, time difference, command or tag, ...], made [actorId, nowMs, ...] in place. */
function placeItem(x: unknown, i: number, atMs: number, actors: readonly unknown[]): WireItem {
  const actor = Array.isArray(x) ? x[0] : undefined;
  if (!Array.isArray(x) || x.length < 3 || typeof actor !== 'number' || !Number.isInteger(actor) || actor < 0 || actor >= actors.length || typeof x[1] !== 'number') {
    throw new Error(`journal record item ${i} is not [actor number, time difference, command or tag, ...]`);
  }
  x[0] = actors[actor];
  x[1] = x[1] + atMs;
  return x;
}

/** The items of a version-4 record, in order. */
function itemsOfV4(record: Record<string, unknown>): JournalItem[] {
  const { atMs, actors, hot, cold } = record;
  if (typeof atMs !== 'number' || !Array.isArray(actors) || !(hot instanceof Uint8Array) || !Array.isArray(cold)) {
    throw new Error('journal record version 4 without its atMs, actors, hot bytes and cold items');
  }
  const items: JournalItem[] = [];
  const r = new ByteReader(hot);
  let c = 0;
  while (!r.done) {
    const i = items.length;
    const tag = r.u8();
    if (tag === 0) {
      if (c >= cold.length) throw new Error(`journal record item ${i} names a cold item the record does not have`);
      const x = placeItem(cold[c++], i, atMs, actors);
      if (typeof x[2] === 'number') {
        x[2] = expandCommand(x);
        x.length = 3;
      }
      items.push(x as JournalItem);
      continue;
    }
    items.push(readHotCommand(r, tag, atMs, actors));
  }
  if (c !== cold.length) throw new Error('journal record version 4 with cold items its bytes do not name');
  return items;
}

export function decodeRecord(bytes: Uint8Array): JournalRecord {
  const record = packr.unpack(bytes) as JournalRecord;
  if (record !== null && typeof record === 'object' && record.v === 4) {
    const items = itemsOfV4(record as unknown as Record<string, unknown>);
    return { v: 4, shard: record.shard, epoch: record.epoch, items };
  }
  if (record === null || typeof record !== 'object' || (record.v !== 1 && record.v !== 2 && record.v !== 3) || !Array.isArray(record.items)) {
    throw new Error('not a journal record (version 1 to 4)');
  }
  if (record.v === 3) {
    const { atMs, actors } = record as unknown as { atMs: unknown; actors: unknown };
    if (typeof atMs !== 'number' || !Array.isArray(actors)) throw new Error('journal record version 3 without its atMs and actors');
    const wire = record.items as unknown[];
    for (let i = 0; i < wire.length; i++) placeItem(wire[i], i, atMs, actors);
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

/**
 * A worker's answers to one record, as sent to the router: `{ hot, cold }` (hot-wire.ts).
 * `commandIdOf(i)` is the id of the command `results[i]` answers; unpackResults is given the same.
 */
export function packResults(results: readonly (Result | SagaPending)[], commandIdOf: (i: number) => string | undefined): Uint8Array {
  const { hot, cold } = writeAnswers(results, commandIdOf);
  return pack({ hot, cold });
}

export function unpackResults(bytes: Uint8Array, commandIdOf: (i: number) => string | undefined): Result[] {
  const wire = packr.unpack(bytes) as { hot?: unknown; cold?: unknown };
  if (wire === null || typeof wire !== 'object' || !(wire.hot instanceof Uint8Array) || !Array.isArray(wire.cold)) throw new Error('not a worker\'s answers ({ hot, cold })');
  return readAnswers(wire.hot, wire.cold, commandIdOf);
}

/** Router → worker. */
export type ToWorker =
  | { t: 'apply'; shard: number; seq: number; bytes: Uint8Array; replay: boolean }
  | { t: 'snapshot'; shard: number; id: number }
  | { t: 'restore'; shard: number; id: number; bytes: Uint8Array | null }
  | { t: 'query'; shard: number; id: number; performanceId: string; query: QueryName; arg: string | null }
  | { t: 'stats'; id: number }
  | { t: 'ping'; shard: number; id: number };

/** One shard's statistics as its worker reports them (Engine.stats()). */
export interface ShardStats {
  shard: number;
  /** Performance actors in memory. */
  actors: number;
  /** Product coordinators in memory. */
  products: number;
  /** Their product ids (what `onsale replay` lists). */
  productIds: string[];
  /** Commands applied since the shard was loaded, replayed ones included. */
  commands: number;
  actorFailures: number;
  dedupeEntries: number;
  dedupeKeptMs: number;
  dedupeEarlyRotations: number;
  /** The coordinators' sagas not finished, and their stranded tickets (products/stranded.ts). */
  sagasInFlight: number;
  strandedTickets: number;
  seats: [performanceId: string, counts: { free: number; held: number; sold: number; blocked: number }][];
}

/**
 * A worker thread's own statistics (Engine.stats()): its event loop's delay since its previous
 * stats answer, sampled every millisecond (each reading includes that interval), in seconds.
 */
export interface WorkerStats {
  /** The worker's index in the pool. */
  worker: number;
  eventLoopLagP50Seconds: number;
  eventLoopLagP99Seconds: number;
  eventLoopLagMaxSeconds: number;
  /**
   * The share of wall time the worker's event loop was busy since the previous stats answer,
   * 0-1 (node:perf_hooks eventLoopUtilization): how near the worker is to full.
   */
  eventLoopUtilization: number;
}

/** One worker's answer to `stats`: the shards it hosts, and itself. */
export interface WorkerStatsAnswer { shards: ShardStats[]; worker: WorkerStats }

/** Engine.stats(): the living workers' answers, gathered (a dead worker has no entry, nor its shards). */
export interface EngineStats { shards: ShardStats[]; workers: WorkerStats[] }

/** Worker → router. */
export type FromWorker =
  /** `out`: the coordinators' actions (packed `ShardOutbox`), or null when there are none or on replay. */
  | { t: 'applied'; shard: number; seq: number; bytes: Uint8Array | null; out: Uint8Array | null }
  | { t: 'answer'; id: number; bytes: Uint8Array }
  | { t: 'failed'; id: number; message: string };

export type QueryName =
  | 'availability' | 'salesReport' | 'presaleReport' | 'blocksReport' | 'tickets' | 'stateHash' | 'seatCounts'
  | 'resaleReport' | 'settlementFacts'
  | 'productSummary' | 'productReport' | 'holdings' | 'renewalStatus' | 'productLedger' | 'strandedTickets' | 'pendingSteps';

/**
 * Actions of the coordinators in one applied batch, in the order they were made, each with the
 * time of the command that made it: a saga's steps run at its own time, not the router's clock.
 */
export type ShardOutbox = [productId: string, nowMs: number, action: Outbound][];

/** The runtime's first check of any command (the router's door, the shard): an object with a string id. */
export function envelopeRefusal(command: unknown): Rejection | null {
  if (typeof command !== 'object' || command === null || typeof (command as { commandId?: unknown }).commandId !== 'string') {
    return reject('COMMAND_INVALID', 'commandId', 'a command is an object with a string commandId');
  }
  // A batch's words are bytes. msgpack writes another typed array (an Int32Array, which
  // commandWords makes) as bytes cut from its elements, and an ArrayBuffer or an Int8Array comes
  // back a Uint8Array: the first was journaled as garbage, the others passed the door's check of
  // holds for a product, which reads only a Uint8Array (session 30).
  const c = command as { type?: unknown; words?: unknown };
  if (c.type === 'commandBatch' && !(c.words instanceof Uint8Array && c.words.constructor === Uint8Array) && !Buffer.isBuffer(c.words)) {
    return reject('BATCH_INVALID', 'words', 'words must be a Uint8Array of the records\' bytes (new Uint8Array(words.buffer, words.byteOffset, words.byteLength) of an Int32Array)');
  }
  return null;
}
