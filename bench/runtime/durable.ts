// The figures that need a real nats-server: raw JetStream publishes (the baseline), the workload
// through a NatsBus (group commit by the engine), and recovery of a shard whose journal holds a
// million commands, from its latest snapshot and from the journal alone.
import { connect, StorageType } from 'nats';
import { NatsBus } from '../../engine/src/nats/nats-bus.ts';
import { decodeRecord, Engine, runtimeDefaults, Shard, shardOf, VenueCatalog, type EngineObserver } from '../../engine/src/runtime/mod.ts';
import { pack } from '../../engine/src/runtime/wire.ts';
import { drive, Failures, LatencyRecorder, runtimeOverrides, sleep, startEngine, stopEngine, within, type DriveOptions, type DriveResult } from './drive.ts';
import { startNowMs, Workload, type Groups } from './workload.ts';

/** A stream and buckets of their own, so the phases never read each other's records. */
export interface Place { streamName: string; subjectPrefix: string; snapshotBucket: string; leaseBucket: string }

export function place(name: string): Place {
  return { streamName: `BENCH_${name.toUpperCase()}`, subjectPrefix: `bench.${name}`, snapshotBucket: `bench_${name}_snapshots`, leaseBucket: `bench_${name}_leases` };
}

export function connectBus(url: string, owner: string, where: Place): Promise<NatsBus> {
  return NatsBus.connect({
    servers: url, owner, ...where,
    leaseRenewMs: runtimeDefaults.leaseRenewMs, leaseTtlMs: runtimeDefaults.leaseTtlMs, journalAckTimeoutMs: runtimeDefaults.journalAckTimeoutMs,
  });
}

const shardsForSubjects = 16;

export interface RawResult { perSec: number; acked: number; durationMs: number; inFlight: number; bytesPerMessage: number }

/**
 * The baseline: one command per JetStream publish, each awaited, `inFlight` publishes
 * outstanding at once (one async loop each), to a stream of its own (file storage, no limits,
 * the journal's settings) with a subject per shard. Plain publishes: no msg id, no expected
 * sequence, no header. The command is packed (msgpack) in the loop, as the engine packs its batches.
 */
export async function measureRawPublish(url: string, groups: Groups, performances: readonly string[], o: { warmupSeconds: number; seconds: number; inFlight: number }, failures: Failures): Promise<RawResult> {
  const nc = await connect({ servers: url, name: 'onsale-bench raw' });
  try {
    const jsm = await nc.jetstreamManager();
    const stream = 'BENCH_RAW';
    await jsm.streams.add({ name: stream, subjects: ['bench.raw.>'], storage: StorageType.File });
    const js = nc.jetstream();
    const workload = new Workload(performances, groups);
    const queue: { subject: string; bytes: Uint8Array }[] = [];
    let bytesTotal = 0;
    let packed = 0;
    const next = (): { subject: string; bytes: Uint8Array } => {
      if (queue.length === 0) {
        workload.burst(256, (performanceId, command) => {
          const bytes = pack(command);
          bytesTotal += bytes.length;
          packed++;
          queue.push({ subject: `bench.raw.${shardOf(performanceId, shardsForSubjects)}`, bytes });
        });
        queue.reverse();
      }
      return queue.pop()!;
    };
    const started = performance.now();
    const from = started + o.warmupSeconds * 1_000;
    const until = from + o.seconds * 1_000;
    let acked = 0;
    const lane = async (): Promise<void> => {
      while (performance.now() < until) {
        const message = next();
        try {
          await js.publish(message.subject, message.bytes, { timeout: 10_000 });
        } catch (error) {
          failures.error('raw publish', (error as Error).message);
          return;
        }
        const at = performance.now();
        if (at >= from && at < until) acked++;
      }
    };
    await Promise.all(Array.from({ length: o.inFlight }, lane));
    await jsm.streams.delete(stream).catch(() => undefined);
    const durationMs = o.seconds * 1_000;
    return { perSec: (acked * 1_000) / durationMs, acked, durationMs, inFlight: o.inFlight, bytesPerMessage: packed > 0 ? bytesTotal / packed : 0 };
  } finally {
    await nc.close();
  }
}

export interface DurableResult extends DriveResult {
  records: number;
  journaledCommands: number;
  avgBatch: number;
  avgAppendMs: number;
  p99CommandMs: number | null;
}

/** The workload through a NatsBus: every command answered only after its batch's append is acknowledged. */
export async function measureDurable(url: string, groups: Groups, performances: readonly string[], workers: number, o: DriveOptions, failures: Failures): Promise<DurableResult> {
  const bus = await connectBus(url, 'bench-durable', place('durable'));
  const latency = new LatencyRecorder(1 << 23);
  let records = 0;
  let journaledCommands = 0;
  let appendSeconds = 0;
  const observer: EngineObserver = {
    ...latency.observer,
    journaled: (_shard, commands, _bytes, seconds) => { records++; journaledCommands += commands; appendSeconds += seconds; },
  };
  const engine = await startEngine({ bus, workers, observer, onError: (e) => failures.error('durable engine', e.message) }, performances, failures, startNowMs, 60_000);
  try {
    const result = await drive(engine, new Workload(performances, groups), o, failures, latency);
    return {
      ...result, records, journaledCommands, avgBatch: records > 0 ? journaledCommands / records : 0, avgAppendMs: records > 0 ? (appendSeconds * 1_000) / records : 0,
      p99CommandMs: latency.percentiles()?.p99 ?? null,
    };
  } finally {
    await stopEngine(engine, 60_000);
  }
}

export interface Filled {
  commands: number;
  records: number;
  lastSeq: number;
  snapshots: number;
  snapshotSeq: number;
  snapshotBytes: number;
  tailRecords: number;
  tailCommands: number;
  fillPerSec: number;
  fillMs: number;
  hashes: Map<string, unknown>;
}

const recoveryShard = 0;

/**
 * Fills one shard's journal with `commands` hold/release commands (plus the opens of its
 * performances) through an engine on a NatsBus with the default snapshot policy, records each
 * performance's state hash, and stops the engine (which hands its leases back).
 */
export async function fillJournal(url: string, groups: Groups, performances: readonly string[], workers: number, commands: number, o: { window: number; burstPairs: number; timeoutSeconds: number }, failures: Failures): Promise<Filled> {
  const where = place('recovery');
  const bus = await connectBus(url, 'bench-fill', where);
  let snapshots = 0;
  const engine = await startEngine({ bus, workers, observer: { snapshotted: () => { snapshots++; } }, onError: (e) => failures.error('fill engine', e.message) }, performances, failures, startNowMs, 60_000);
  let stopped = false;
  try {
    const result = await drive(engine, new Workload(performances, groups), {
      warmupSeconds: 0, seconds: o.timeoutSeconds, window: o.window, burstPairs: o.burstPairs, maxCommands: commands,
    }, failures);
    if (result.answered < commands) failures.error('fill', `only ${result.answered} of ${commands} commands journaled within ${o.timeoutSeconds} s`);
    // Let a snapshot in progress finish, so what the recovery finds does not depend on a race with stop().
    await within(60_000, 'fill drain', engine.drain());
    const hashes = await stateHashes(engine, performances);
    const snapshot = await bus.loadSnapshot(recoveryShard);
    const snapshotSeq = snapshot?.seq ?? 0;
    let tailRecords = 0;
    let tailCommands = 0;
    const lastSeq = await bus.read(recoveryShard, snapshotSeq, (entry) => { tailRecords++; tailCommands += decodeRecord(entry.bytes).items.length; });
    let records = 0;
    await bus.read(recoveryShard, 0, () => { records++; });
    stopped = true;
    await stopEngine(engine, 60_000);
    return {
      commands: result.answered, records, lastSeq, snapshots, snapshotSeq, snapshotBytes: snapshot?.bytes.length ?? 0, tailRecords, tailCommands,
      fillPerSec: (result.answered * 1_000) / result.wallMs, fillMs: result.wallMs, hashes,
    };
  } finally {
    if (!stopped) await stopEngine(engine, 60_000);
  }
}

async function stateHashes(engine: Engine, performances: readonly string[]): Promise<Map<string, unknown>> {
  const hashes = new Map<string, unknown>();
  for (const id of performances) hashes.set(id, await within(60_000, `stateHash of ${id}`, engine.query(id, 'stateHash')));
  return hashes;
}

export interface Recovered {
  /** Engine.start() → whenServing(shard) resolved: the brief's figure. */
  servingMs: number;
  /** NatsBus.connect, before the start (not in servingMs). */
  connectMs: number;
  /** Engine.start() → the shard's lease acquired (workers boot meanwhile). */
  leaseMs: number | null;
  /** Engine.start() → the first other (empty) shard served: the fixed cost of a start (lease, worker boot, a restore round trip). */
  firstEmptyShardServingMs: number;
  /** Engine.start() → every other (empty) shard served (those on the same worker wait behind the full one). */
  emptyShardsServingMs: number;
  /** Engine.start() → a query on the shard answered: the replayed tail is applied in the worker. */
  appliedMs: number;
  hashesMatch: boolean;
  snapshotUsed: boolean;
}

/**
 * A fresh engine on a new NatsBus connection (a new owner, same server) recovers the shard.
 * `withSnapshots: false` points the new bus at an empty snapshot bucket, so loadSnapshot finds
 * nothing and the shard is rebuilt from journal seq 0; the real snapshots are left in place.
 */
export async function recoverShard(url: string, performances: readonly string[], workers: number, shards: number, filled: Filled, withSnapshots: boolean, failures: Failures): Promise<Recovered> {
  const where = place('recovery');
  if (!withSnapshots) where.snapshotBucket = 'bench_recovery_no_snapshots';
  const c0 = performance.now();
  const bus = await connectBus(url, withSnapshots ? 'bench-recover' : 'bench-replay', where);
  const connectMs = performance.now() - c0;
  let leaseAt: number | null = null;
  const t0 = performance.now();
  let engine: Engine;
  try {
    engine = await Engine.start({
      bus, workers, shards, runtime: runtimeOverrides,
      observer: { leaseChanged: (shard, owned) => { if (shard === recoveryShard && owned && leaseAt === null) leaseAt = performance.now(); } },
      onError: (e) => failures.error('recovering engine', e.message),
    });
  } catch (error) {
    await bus.close();
    throw error;
  }
  try {
    let emptyAt = 0;
    let firstEmptyAt = 0;
    const others = Promise.all(Array.from({ length: shards - 1 }, (_, i) => engine.whenServing(i + 1).then(() => { if (firstEmptyAt === 0) firstEmptyAt = performance.now(); })))
      .then(() => { emptyAt = performance.now(); });
    await within(120_000, `shard ${recoveryShard} served`, engine.whenServing(recoveryShard));
    const servedAt = performance.now();
    await within(120_000, 'a query after recovery', engine.query(performances[0], 'seatCounts'));
    const appliedAt = performance.now();
    await within(60_000, 'the empty shards served', others);
    const hashes = await stateHashes(engine, performances);
    let hashesMatch = hashes.size === filled.hashes.size;
    for (const [id, hash] of hashes) if (filled.hashes.get(id) !== hash) hashesMatch = false;
    if (!hashesMatch) failures.error(withSnapshots ? 'recovery' : 'full replay', 'state hashes after recovery differ from the ones before it');
    return {
      servingMs: servedAt - t0, connectMs, leaseMs: leaseAt === null ? null : leaseAt - t0, firstEmptyShardServingMs: firstEmptyAt - t0, emptyShardsServingMs: emptyAt - t0, appliedMs: appliedAt - t0, hashesMatch,
      snapshotUsed: withSnapshots && filled.snapshotSeq > 0,
    };
  } finally {
    await stopEngine(engine, 60_000);
    // Let the lease keys' deletes land before the next engine looks at the bucket.
    await sleep(50);
  }
}

export interface SnapshotCosts { loadMs: number; restoreMs: number; bytes: number }

/**
 * The two big steps of a recovery from a snapshot, timed on their own in this thread after the
 * recovery runs: reading the shard's snapshot from the Object Store on a new connection
 * (Bus.loadSnapshot), and Shard.restore of its bytes (what the worker does with them).
 */
export async function snapshotCosts(url: string): Promise<SnapshotCosts | null> {
  const bus = await connectBus(url, 'bench-snapshot-read', place('recovery'));
  try {
    const t0 = performance.now();
    const snapshot = await bus.loadSnapshot(recoveryShard);
    const loadMs = performance.now() - t0;
    if (snapshot === null) return null;
    const t1 = performance.now();
    const dedupeWindowMs = runtimeOverrides.dedupeWindowMs ?? runtimeDefaults.dedupeWindowMs;
    const dedupeEntriesMax = runtimeOverrides.dedupeEntriesMax ?? runtimeDefaults.dedupeEntriesMax;
    Shard.restore({ shard: recoveryShard, venues: new VenueCatalog(), dedupeWindowMs, dedupeEntriesMax }, snapshot.bytes);
    return { loadMs, restoreMs: performance.now() - t1, bytes: snapshot.bytes.length };
  } finally {
    await bus.close();
  }
}

export { recoveryShard };
