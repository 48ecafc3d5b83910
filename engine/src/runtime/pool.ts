// The router's side of the worker threads: spawns them, places shards on them (shard s lives on
// worker s mod workers), and matches their answers to what was asked. Batches for one shard
// are answered in the order they were sent, so a FIFO per shard pairs them without ids.
import { Worker } from 'node:worker_threads';
import type { LayoutJson } from '../domain/mod.ts';
import type { WorkerSetup } from './worker.ts';
import { ensureWorkerEntry } from './worker-entry.ts';
import { packr, type EngineStats, type FromWorker, type QueryName, type ToWorker, type WorkerStatsAnswer } from './wire.ts';

export interface PoolOptions {
  /** What each worker imports (worker-entry.ts): the bundled runtime, or worker.ts through tsx. */
  entry: string;
  workers: number;
  shards: number;
  venues: Record<string, LayoutJson>;
  dedupeWindowMs: number;
  dedupeEntriesMax: number;
  faultCommandIdPrefix?: string | null;
  /** Called with each batch's packed results (null for replayed batches), in send order per shard. */
  onApplied: (shard: number, seq: number, bytes: Uint8Array | null, out: Uint8Array | null) => void;
  onWorkerError: (worker: number, error: Error) => void;
}

interface Waiting { worker: number; resolve: (bytes: Uint8Array) => void; reject: (error: Error) => void }

export class ShardPool {
  private readonly threads: Worker[] = [];
  private readonly waiting = new Map<number, Waiting>();
  /** Workers that threw or exited: nothing is asked of them any more (it would never be answered). */
  private readonly dead = new Set<number>();
  private nextId = 1;
  private closing = false;

  constructor(private readonly options: PoolOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 1) throw new RangeError('workers must be a positive integer');
    if (!Number.isInteger(options.shards) || options.shards < options.workers) throw new RangeError('shards must be an integer no smaller than workers');
    for (let w = 0; w < options.workers; w++) this.threads.push(this.spawn(w));
  }

  private spawn(w: number): Worker {
    const shards: number[] = [];
    for (let s = w; s < this.options.shards; s += this.options.workers) shards.push(s);
    const setup: WorkerSetup = {
      entry: this.options.entry, worker: w, shards, venues: this.options.venues,
      dedupeWindowMs: this.options.dedupeWindowMs, dedupeEntriesMax: this.options.dedupeEntriesMax,
      faultCommandIdPrefix: this.options.faultCommandIdPrefix ?? null,
    };
    ensureWorkerEntry(this.options.entry);
    const thread = new Worker(new URL('./boot.mjs', import.meta.url), { workerData: setup, name: `onsale-shards-${w}` });
    // A thread that was replaced says nothing any more: an answer it posted before it died would
    // otherwise be paired with a batch sent to its successor.
    const current = () => this.threads[w] === thread && !this.dead.has(w);
    thread.on('message', (message: FromWorker) => {
      if (current()) this.receive(message);
    });
    const died = (error: Error) => {
      if (this.closing || !current()) return;
      this.dead.add(w);
      this.failWaiting(w, new Error(`SHARD_UNAVAILABLE: shard worker ${w} died`));
      this.options.onWorkerError(w, error);
    };
    thread.on('error', died);
    // A worker that exits without an error (process.exit in a bug) is as dead as one that threw.
    thread.on('exit', (code) => died(new Error(`exited with code ${code}`)));
    return thread;
  }

  /** Whether the worker that hosts this shard has died and not been replaced. */
  isDead(shard: number): boolean {
    return this.dead.has(this.workerOf(shard));
  }

  /**
   * Replaces a dead worker with a new thread hosting the same shards, all empty: each must be
   * restored (snapshot and journal) before it serves again.
   */
  respawn(worker: number): void {
    if (!this.dead.has(worker) || this.closing) return;
    const old = this.threads[worker];
    this.threads[worker] = this.spawn(worker);
    this.dead.delete(worker);
    void old.terminate().catch(() => undefined);
  }

  get workers(): number {
    return this.threads.length;
  }

  workerOf(shard: number): number {
    return shard % this.threads.length;
  }

  apply(shard: number, seq: number, bytes: Uint8Array, replay = false): void {
    this.post(shard, { t: 'apply', shard, seq, bytes: ownBuffer(bytes), replay });
  }

  snapshot(shard: number): Promise<Uint8Array> {
    return this.ask(shard, (id) => ({ t: 'snapshot', shard, id }));
  }

  /** Replaces the shard with its snapshot, or with an empty shard; resolves with the snapshot's journal seq. */
  async restore(shard: number, bytes: Uint8Array | null): Promise<number> {
    return packr.unpack(await this.ask(shard, (id) => ({ t: 'restore', shard, id, bytes: bytes === null ? null : ownBuffer(bytes) }))) as number;
  }

  async query(shard: number, performanceId: string, query: QueryName, arg: string | null = null): Promise<unknown> {
    return packr.unpack(await this.ask(shard, (id) => ({ t: 'query', shard, id, performanceId, query, arg })));
  }

  /** Resolves, with the shard's applied journal seq, once the worker has handled everything sent before. */
  /** Answers once the worker has handled every message sent to it before: the shard's applied seq and its clock (the latest command time it applied). */
  async ping(shard: number): Promise<{ appliedSeq: number; lastNowMs: number }> {
    return packr.unpack(await this.ask(shard, (id) => ({ t: 'ping', shard, id }))) as { appliedSeq: number; lastNowMs: number };
  }

  /**
   * The living workers' statistics, their shards' and their own (a dead worker has no entry; its
   * shards are reported by the engine as down). Asking resets each worker's event-loop histogram.
   */
  async stats(): Promise<EngineStats> {
    const living = this.threads.map((_, w) => w).filter((w) => !this.dead.has(w));
    const all = await Promise.all(living.map((w) => this.askWorker(w, (id) => ({ t: 'stats', id }))));
    const answers = all.map((bytes) => packr.unpack(bytes) as WorkerStatsAnswer);
    return { shards: answers.flatMap((a) => a.shards), workers: answers.map((a) => a.worker) };
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const [, waiting] of this.waiting) waiting.reject(new Error('the shard pool closed'));
    this.waiting.clear();
    await Promise.all(this.threads.map((t) => t.terminate()));
  }

  private post(shard: number, message: ToWorker): void {
    this.threads[this.workerOf(shard)].postMessage(message);
  }

  private ask(shard: number, make: (id: number) => ToWorker): Promise<Uint8Array> {
    return this.askWorker(this.workerOf(shard), make);
  }

  private askWorker(worker: number, make: (id: number) => ToWorker): Promise<Uint8Array> {
    // A question to a terminated thread would never be answered.
    if (this.closing) return Promise.reject(new Error('ENGINE_STOPPING: the shard pool closed'));
    if (this.dead.has(worker)) return Promise.reject(new Error(`SHARD_UNAVAILABLE: shard worker ${worker} died`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { worker, resolve, reject });
      try {
        this.threads[worker].postMessage(make(id));
      } catch (error) {
        // A question that cannot be posted (a value a thread cannot be sent) is never answered:
        // not left waiting (session 30).
        this.waiting.delete(id);
        reject(error as Error);
      }
    });
  }

  /** Fails the open questions to a worker that died, so none waits forever; the others' stand. */
  private failWaiting(worker: number, error: Error): void {
    for (const [id, waiting] of this.waiting) {
      if (waiting.worker !== worker) continue;
      this.waiting.delete(id);
      waiting.reject(error);
    }
  }

  private receive(message: FromWorker): void {
    if (message.t === 'applied') {
      this.options.onApplied(message.shard, message.seq, message.bytes, message.out);
      return;
    }
    const waiting = this.waiting.get(message.id);
    if (waiting === undefined) return;
    this.waiting.delete(message.id);
    if (message.t === 'answer') waiting.resolve(message.bytes);
    else waiting.reject(new Error(message.message));
  }
}

/**
 * The bytes in a buffer of their own. Posting a view clones the whole buffer under it: a journal
 * file read in one piece (`onsale replay --journal`) or a message from a NATS socket read posted
 * that way copied megabytes per record, and a replay of a 17 MB journal grew to 24 GB.
 */
export function ownBuffer(bytes: Uint8Array): Uint8Array {
  // new Uint8Array(view) copies; a Buffer's slice() would not (it is a view, like subarray).
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}
