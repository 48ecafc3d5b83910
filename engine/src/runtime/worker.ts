// The body of one shard worker thread: it owns some shards and applies their batches in the
// order they arrive. A command runs to completion before the next; nothing here awaits.
import { parentPort, workerData } from 'node:worker_threads';
import { eventLoopLagSince, LoopUtilization, monitorLoopLag } from './loop-lag.ts';
import { Shard, type Fault, type ShardConfig } from './shard.ts';
import { VenueCatalog } from './venues.ts';
import { pack, packResults, type FromWorker, type ToWorker, type WorkerStatsAnswer } from './wire.ts';
import type { LayoutJson } from '../domain/mod.ts';

export interface WorkerSetup {
  entry: string;
  /** This worker's index in the pool (its shards are those congruent to it modulo the workers). */
  worker: number;
  shards: number[];
  venues: Record<string, LayoutJson>;
  dedupeWindowMs: number;
  dedupeEntriesMax: number;
  /** Test hook: commands whose id starts with this throw inside the actor after applying. */
  faultCommandIdPrefix: string | null;
}

const setup = workerData as WorkerSetup;
const port = parentPort;
if (port === null) throw new Error('worker.ts runs only as a worker thread');

const venues = new VenueCatalog(setup.venues);
const prefix = setup.faultCommandIdPrefix;
const fault: Fault | undefined = prefix === null ? undefined : (_id, command) => command.commandId.startsWith(prefix);
const configOf = (shard: number): ShardConfig => ({ shard, venues, dedupeWindowMs: setup.dedupeWindowMs, dedupeEntriesMax: setup.dedupeEntriesMax, fault });
const shards = new Map<number, Shard>(setup.shards.map((n) => [n, new Shard(configOf(n))]));

/** This thread's event-loop delay, sampled every 1 ms from now on (loop-lag.ts); each stats answer reads and resets it. */
const loopLag = monitorLoopLag();
/** This thread's busy share of wall time, read the same way. */
const loopBusy = new LoopUtilization();

function shardOf(n: number): Shard {
  const shard = shards.get(n);
  if (shard === undefined) throw new Error(`shard ${n} does not live in this worker`);
  return shard;
}

// The bytes posted are always our own exact-size copies (wire.pack), so they are transferred,
// not cloned a second time.
function send(message: FromWorker): void {
  const transfer: ArrayBuffer[] = [];
  if (message.t !== 'failed' && message.bytes !== null) transfer.push(message.bytes.buffer as ArrayBuffer);
  if (message.t === 'applied' && message.out !== null) transfer.push(message.out.buffer as ArrayBuffer);
  port!.postMessage(message, transfer);
}

port.on('message', (message: ToWorker) => {
  switch (message.t) {
    case 'apply': {
      const shard = shardOf(message.shard);
      const results = shard.applyRecordBytes(message.bytes, message.seq);
      // On replay the actions were already taken before the crash, or are still pending in the
      // coordinators' sagas: the router asks for those (pendingSteps) once the shard is up.
      const out = shard.takeOutbox();
      send({ t: 'applied', shard: message.shard, seq: message.seq, bytes: message.replay ? null : packResults(results, (i) => shard.appliedCommandId(i)), out: message.replay || out.length === 0 ? null : pack(out) });
      return;
    }
    case 'snapshot':
      return answer(message.id, () => shardOf(message.shard).snapshot());
    case 'restore':
      return answer(message.id, () => {
        shards.set(message.shard, message.bytes === null ? new Shard(configOf(message.shard)) : Shard.restore(configOf(message.shard), message.bytes));
        return shardOf(message.shard).appliedSeq;
      });
    case 'query':
      return answer(message.id, () => shardOf(message.shard).query(message.performanceId, message.query, message.arg));
    case 'ping':
      return answer(message.id, () => ({ appliedSeq: shardOf(message.shard).appliedSeq, lastNowMs: shardOf(message.shard).lastNowMs }));
    case 'stats':
      return answer(message.id, (): WorkerStatsAnswer => ({
        shards: [...shards.values()].map((s) => ({
          shard: s.config.shard,
          actors: s.actors.size,
          products: s.products.size,
          productIds: [...s.products.keys()],
          commands: s.counters.commands,
          actorFailures: s.counters.actorFailures,
          dedupeEntries: s.recent.size,
          dedupeKeptMs: s.recent.keptForMs(s.lastNowMs),
          dedupeEarlyRotations: s.recent.earlyRotations,
          ...s.productCounts(),
          seats: s.seatCountsByPerformance(),
        })),
        worker: { worker: setup.worker, ...eventLoopLagSince(loopLag), eventLoopUtilization: loopBusy.since() },
      }));
  }
});

function answer(id: number, work: () => unknown): void {
  try {
    const value = work();
    send({ t: 'answer', id, bytes: value instanceof Uint8Array ? value : pack(value) });
  } catch (error) {
    send({ t: 'failed', id, message: (error as Error).message });
  }
}
