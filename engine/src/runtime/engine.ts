// The router: the main thread's half of the runtime. It maps each command to its shard, keeps a
// bounded mailbox per shard, groups commands into batches (one journal record each: group
// commit), appends a batch to the bus and, once acknowledged, hands the same bytes to the shard's
// worker. A command is answered only after its batch is journaled and applied.
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Code, isPending, isStepCommandId, productHoldIn, reject, unkeepable, type LayoutJson, type Outbound, type Result } from '../domain/mod.ts';
import type { Bus, Lease } from './bus.ts';
import { EmbeddedBus } from './embedded-bus.ts';
import { runtimeOptions, type RuntimeOptions } from './limits.ts';
import { ShardPool } from './pool.ts';
import { notCompiled, VenueCatalog } from './venues.ts';
import { QueryRefused } from './query-refused.ts';
import { shardOf } from './shard-of.ts';
import { workerEntry, type WorkerEntry, type WorkerLoader } from './worker-entry.ts';
import { encodeBatch, envelopeRefusal, packr, unpackResults, type EngineCommand, type EngineStats, type QueryName, type ShardOutbox } from './wire.ts';

export type Reply = (result: Result) => void;

/** Performance ids whose shard is cached; past this the hash is computed each time. */
const shardCacheMax = 1_000_000;
/** stop() and drain() wait at most this long for commands in flight. */
const drainTimeoutMs = 100_000;
/**
 * Saga steps refused for a passing reason (the command was not applied) are sent again after
 * this delay, doubling up to the maximum; a restart sends every pending step again anyway.
 */
const stepRetryFirstMs = 20;
const stepRetryMaxMs = 2_000;
/**
 * The steps one batch of coordinator commands made. Their results are reported together, in the
 * order the steps were made, once each has one; a step refused for a passing reason leaves the
 * group (`detached`) and is reported by itself when it gets its result, so that one step waiting
 * for a shard does not hold back the others' reports (another product's saga among them).
 */
interface StepGroup {
  steps: { productId: string; nowMs: number; step: Extract<Outbound, { t: 'send' }> }[];
  results: (Result | undefined)[];
  /** Steps still in the group and without a result. */
  left: number;
  detached: boolean[];
}

/** Refusals that leave a step unapplied and worth sending again. */
const passing = new Set<number>([Code.OVERLOADED, Code.SHARD_UNAVAILABLE, Code.JOURNAL_FAILED]);

interface Pending {
  performanceId: string;
  nowMs: number;
  command: EngineCommand;
  reply: Reply;
  /** performance.now() at submit, for the submit → reply latency. */
  submittedAt: number;
  /** A saga step or step report the router made itself, not a client's command. */
  internal: boolean;
}

/** Hooks for metrics; every call is per batch or per event, never per command on the hot path. */
export interface EngineObserver {
  /** A batch applied; a saga's command is answered `pending` here, and finally in sagaAnswered. */
  applied?(shard: number, batch: readonly Pending[], results: readonly Result[], doneAt: number): void;
  /** A client's saga command answered with the saga's final result (or refused when the engine stopped first). */
  sagaAnswered?(command: Pending, result: Result, doneAt: number): void;
  /** A command answered without being applied; `shard` is -1 for one refused before it had one. */
  refused?(shard: number, command: EngineCommand, result: Result, internal: boolean): void;
  journaled?(shard: number, commands: number, bytes: number, seconds: number): void;
  snapshotted?(shard: number, bytes: number, seconds: number): void;
  mailbox?(shard: number, depth: number): void;
  leaseChanged?(shard: number, owned: boolean): void;
  /** A saga step or report sent to the process serving its shard (StepForwarder) was answered. */
  forwarded?(command: EngineCommand, result: Result): void;
}

/**
 * Carries a saga step, or a step's report, to the process that serves the target's shard when
 * this one does not (several engine processes share the shards). It answers with the target's
 * result, or with a passing refusal (SHARD_UNAVAILABLE when no process answered in time): the
 * router then sends it again, under the same id, as it does every step refused that way. The
 * receiving process applies it with `Engine.applyForwardedStep`, never forwarding it again.
 */
export interface StepForwarder {
  forward(shard: number, actorId: string, command: EngineCommand, nowMs: number, reply: Reply): void;
}

export interface EngineOptions {
  bus?: Bus;
  /** Where saga steps for shards served by another process go (NATS: that shard's command subject); none: they wait until this process serves the shard. */
  stepForwarder?: StepForwarder;
  /** Worker threads; default: the machine's cores. */
  workers?: number;
  /** Journal partitions; fixed for a journal's life. Default 16 (at least `workers`). */
  shards?: number;
  venues?: Record<string, LayoutJson>;
  runtime?: Partial<RuntimeOptions>;
  /** The engine's clock for commands submitted without a time; ms since the epoch. */
  clock?: () => number;
  observer?: EngineObserver;
  /** Test hook: commands whose id starts with this throw inside their actor. */
  faultCommandIdPrefix?: string;
  /** Called when something goes wrong outside any one command (a worker died, a snapshot failed). */
  onError?: (error: Error) => void;
  /**
   * Every this many ms of the engine's clock, each shard this process serves gets a `tickDue`
   * (wire.ts): its performances whose holds have expired or whose quotas are due to close by
   * now get a `tick`, so an idle performance's availability and seat gauges show what time
   * has done. 0 (the default) for none: a caller that passes the time with its commands (the
   * simulator, tests) moves time itself. `onsale serve` ticks every second.
   */
  tickEveryMs?: number;
}

type LaneState = 'down' | 'recovering' | 'up';

class Lane {
  state: LaneState = 'down';
  lease: Lease | null = null;
  queued: Pending[] = [];
  /** Commands journaled or being journaled, and not yet answered. */
  inFlight = 0;
  journaling = false;
  /** A tickDue of the ticker waits in this lane (Engine.tickShards). */
  ticking = false;
  /** Commands of the batch being appended now (part of inFlight): 0 once the append settles. */
  appendingCommands = 0;
  flushScheduled = false;
  /** Batches sent to the worker, oldest first; null marks a replayed batch (no replies). */
  readonly sent: (Pending[] | null)[] = [];
  lastSeq = 0;
  lastNowMs = 0;
  /** Commands accepted into the mailbox since start. */
  submitted = 0;
  /**
   * Commands handed to the worker, or answered without reaching it (refused after the mailbox,
   * journal failures): a query waits until this counts every command submitted before it.
   */
  handed = 0;
  /**
   * Commands answered `pending` by a product's coordinator (a saga started, or a retry joining
   * one) whose clients wait in Engine.sagaWaiters for the saga's end. They are submitted and not
   * yet answered, so they count against mailboxMax as the queued ones do: until session 32 a
   * client retrying a slow purchase parked a reply per retry, without bound.
   */
  parked = 0;
  /** Queries asked and not yet answered (waiting for a recovery, for the commands before them, or for the worker): at most mailboxMax. */
  queries = 0;
  /** Queries waiting for the commands submitted before them, each posted to the worker as soon as they are handed on (handedOn). */
  readers: { after: number; go: () => void }[] = [];
  commandsSinceSnapshot = 0;
  lastSnapshotAtMs = 0;
  snapshotting = false;
  /** Bumped when the lane's worker dies: callbacks of the old generation must not touch counters. */
  generation = 0;
  /** Bumped by each recovery started: an older one still running stops at its next step. */
  recovery = 0;
  /** Why this process stopped serving the shard by itself (recovery failed, worker gone); null when it did not. */
  failure: Error | null = null;
  /** The last journal append made (one at a time), settled or not: a recovery waits for it. */
  appending: Promise<number> | null = null;
  /**
   * This lane's snapshot threshold: staggered between 0.5x and 1.5x snapshotEveryCommands so
   * that shards under even load do not all stop to snapshot in the same moment.
   */
  snapshotAfterCommands = 0;
  constructor(readonly shard: number) {}
}

/** What whenServing() and stats() answer once stop() has let the workers go (query() answers ENGINE_STOPPING as a refusal). */
const stoppedError = (): Error => new Error('ENGINE_STOPPING: the engine has stopped');

export class Engine {
  readonly options: RuntimeOptions;
  readonly bus: Bus;
  readonly shards: number;
  private readonly pool: ShardPool;
  private readonly lanes: Lane[];
  private readonly clock: () => number;
  private readonly observer: EngineObserver;
  private readonly stepForwarder: StepForwarder | null;
  private readonly shardCache = new Map<string, number>();
  private readonly ready = new Map<number, { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void }>();
  private snapshotTimer: NodeJS.Timeout | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private readonly tickEveryMs: number;
  /** stop() has begun: clients are refused; saga steps still run until the first drain ends. */
  private stopping = false;
  /** After that drain: steps still failing are given up (a restart sends them again). */
  private halting = false;
  /** Clients waiting for sagas: "productId\0commandId" → replies. */
  private readonly sagaWaiters = new Map<string, Pending[]>();
  /** Saga steps and step reports on their way (sent, or waiting to be sent again). */
  private stepsInFlight = 0;
  private readonly stepTimers = new Set<NodeJS.Timeout>();
  /** When each worker was last replaced (performance.now()), for the respawn bound. */
  private readonly respawnedAt = new Map<number, number[]>();

  /** How the shard workers loaded the runtime (worker-entry.ts): 'bundle', or 'tsx' where it could not be bundled or ONSALE_WORKER_LOADER=tsx asked for it. */
  readonly workerLoader: WorkerLoader;

  private constructor(opts: EngineOptions, entry: WorkerEntry) {
    this.options = runtimeOptions(opts.runtime);
    // Checked before any thread starts.
    this.tickEveryMs = opts.tickEveryMs ?? 0;
    if (!(this.tickEveryMs >= 0) || !Number.isFinite(this.tickEveryMs)) throw new RangeError(`tickEveryMs must be 0 or more, got ${this.tickEveryMs}`);
    // A custom venue that does not compile is refused here, with its layout's code and path,
    // rather than at each openPerformance naming it.
    const invalid = new VenueCatalog(opts.venues ?? {}).firstInvalid();
    if (invalid !== null) throw new RangeError(notCompiled(invalid.name, invalid.refusal));
    this.bus = opts.bus ?? new EmbeddedBus();
    this.recordBytesMax = Math.min(this.options.batchBytesMax, this.bus.recordBytesMax ?? Number.POSITIVE_INFINITY);
    const workers = opts.workers ?? availableParallelism();
    this.shards = opts.shards ?? Math.max(16, workers);
    this.clock = opts.clock ?? Date.now;
    this.observer = opts.observer ?? {};
    this.stepForwarder = opts.stepForwarder ?? null;
    const onError = opts.onError ?? ((error: Error) => console.error(`onsale engine: ${error.message}`));
    this.lanes = Array.from({ length: this.shards }, (_, s) => new Lane(s));
    for (const lane of this.lanes) lane.snapshotAfterCommands = Math.max(1, Math.round(this.options.snapshotEveryCommands * (0.5 + (lane.shard + 0.5) / this.shards)));
    this.workerLoader = entry.loader;
    if (entry.fallback !== null) onError(new Error(`shard workers load the TypeScript sources through tsx (slower to start): the runtime could not be bundled: ${entry.fallback}`));
    this.pool = new ShardPool({
      entry: entry.url,
      workers,
      shards: this.shards,
      venues: opts.venues ?? {},
      dedupeWindowMs: this.options.dedupeWindowMs,
      dedupeEntriesMax: this.options.dedupeEntriesMax,
      faultCommandIdPrefix: opts.faultCommandIdPrefix ?? null,
      onApplied: (shard, seq, bytes, out) => this.applied(shard, seq, bytes, out),
      onWorkerError: (worker, error) => this.workerDied(worker, error),
    });
    this.onError = onError;
  }

  private readonly onError: (error: Error) => void;
  /** The bytes a journal record may take: batchBytesMax, or less where the bus says so (Bus.recordBytesMax). */
  private readonly recordBytesMax: number;
  /** stop() has let the bus and the workers go: queries and stats are refused. */
  private closed = false;

  /** Starts the workers and competes for shards; resolves once the bus has been asked for them. */
  static async start(opts: EngineOptions = {}): Promise<Engine> {
    const engine = new Engine(opts, await workerEntry());
    try {
      await engine.bus.startLeases(engine.shards, {
        acquired: (lease) => engine.acquired(lease),
        lost: (shard) => engine.lost(shard),
      });
    } catch (error) {
      // Refused (a NATS journal served with another shard count): nothing is left running.
      await engine.stop().catch(() => undefined);
      throw error;
    }
    engine.snapshotTimer = setInterval(() => engine.snapshotDue(), Math.min(1_000, engine.options.snapshotEveryMs)).unref();
    if (engine.tickEveryMs > 0) engine.tickTimer = setInterval(() => engine.tickShards(), engine.tickEveryMs).unref();
    return engine;
  }

  /**
   * The ticker: one `tickDue` per shard served, at the engine's clock, through the journal like
   * any command. Not to a shard whose mailbox is half full (its commands move its time already),
   * nor while one is still waiting there.
   */
  private tickShards(): void {
    if (this.stopping) return;
    const now = this.clock();
    for (const lane of this.lanes) {
      if (lane.state !== 'up' || lane.ticking || (lane.queued.length + lane.inFlight) * 2 >= this.options.mailboxMax) continue;
      lane.ticking = true;
      this.enqueueOn(lane, '', { type: 'tickDue', commandId: `tick-${lane.shard}-${now}` }, undefined, () => { lane.ticking = false; }, true);
    }
  }

  get workers(): number {
    return this.pool.workers;
  }

  shardOf(performanceId: string): number {
    let shard = this.shardCache.get(performanceId);
    if (shard === undefined) {
      shard = shardOf(performanceId, this.shards);
      if (this.shardCache.size < shardCacheMax) this.shardCache.set(performanceId, shard);
    }
    return shard;
  }

  /** Shards this process owns and is recovering (replaying their journal), not yet served. */
  recoveringShards(): number[] {
    return this.lanes.filter((l) => l.state === 'recovering').map((l) => l.shard);
  }

  /** Shards this process owns and serves now. */
  ownedShards(): number[] {
    return this.lanes.filter((l) => l.state === 'up').map((l) => l.shard);
  }

  /** Resolves when the shard is recovered and served here (or at once if it already is); rejects if its recovery fails. */
  whenServing(shard: number): Promise<void> {
    if (this.closed) return Promise.reject(stoppedError());
    const lane = this.lanes[shard];
    if (lane.state === 'up') return Promise.resolve();
    // Given up by this process: no recovery is coming here (another process may take it over).
    if (lane.state === 'down' && lane.failure !== null) return Promise.reject(lane.failure);
    let entry = this.ready.get(shard);
    if (entry === undefined) {
      let resolve!: () => void;
      let reject!: (error: Error) => void;
      const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
      this.ready.set(shard, (entry = { promise, resolve, reject }));
    }
    return entry.promise;
  }

  submit(performanceId: string, command: EngineCommand, nowMs?: number): Promise<Result> {
    return new Promise((resolve) => this.send(performanceId, command, nowMs, resolve));
  }

  /** The allocation-light form of submit for callers that batch (the simulator, benchmarks). */
  send(performanceId: string, command: EngineCommand, nowMs: number | undefined, reply: Reply): void {
    const forged = coordinatorsOnly(command);
    if (forged !== null) return this.refuseAtTheDoor(command, forged, reply);
    this.enqueue(performanceId, command, nowMs, reply, false);
  }

  /**
   * A saga step or step report another process forwarded here (StepForwarder): applied at its
   * saga's time or later, as this process's own steps are (time never runs back in a shard), and
   * taken while stopping like them. Never forwarded again: a shard this process does not serve
   * refuses it with SHARD_UNAVAILABLE, and the sender tries again.
   */
  applyForwardedStep(actorId: string, command: EngineCommand, nowMs: number, reply: Reply): void {
    if (typeof actorId !== 'string' || typeof nowMs !== 'number' || !Number.isFinite(nowMs)) return this.refuseAtTheDoor(command, reject('COMMAND_INVALID', 'nowMs', 'a forwarded step names its actor and its time'), reply, true);
    this.enqueue(actorId, command, this.notBefore(actorId, nowMs), reply, true);
  }

  /**
   * A refusal given before anything reaches a shard, answered and counted (no shard named): the
   * engine's own at its door, and a transport's (the NATS ingress: a request or an item it cannot
   * read, a step on the wrong subject). `internal`: a step, not a client's command.
   */
  refuseAtTheDoor(command: unknown, refusal: Result, reply: Reply, internal = false): void {
    this.observer.refused?.(-1, command as EngineCommand, refusal, internal);
    reply(refusal);
  }

  /** A step or report of this process's coordinators: to its shard here, or to the process that serves it. */
  private enqueueStep(actorId: string, command: EngineCommand, nowMs: number, reply: Reply): void {
    const shard = this.shardOf(actorId);
    const at = this.notBefore(actorId, nowMs);
    const forwarder = this.stepForwarder;
    if (forwarder === null || this.lanes[shard].state !== 'down') return this.enqueue(actorId, command, at, reply, true);
    forwarder.forward(shard, actorId, command, at, (result) => {
      this.observer.forwarded?.(command, result);
      // ENGINE_STOPPING from the other side (it is stopping) leaves the step unapplied, like the passing refusals.
      reply(!result.ok && result.code === Code.ENGINE_STOPPING ? reject('SHARD_UNAVAILABLE', 'performanceId', result.message) : result);
    });
  }

  /** `internal`: a saga step or report from the router itself, still taken while stopping. */
  private enqueue(performanceId: string, command: EngineCommand, nowMs: number | undefined, reply: Reply, internal: boolean): void {
    // What cannot be journaled is refused at the door: it would fail the whole batch it joined
    // (the domain answers the same for a command that is not an object with a string id).
    const malformed = typeof performanceId !== 'string' ? reject('COMMAND_INVALID', 'performanceId', 'performanceId must be a string')
      // A caller's time moves its shard's clock (every later command there is at or after it):
      // one that is not a time at all (Infinity, NaN, a string) would stop the shard for good.
      : nowMs !== undefined && !(Number.isSafeInteger(nowMs) && nowMs >= 0) ? reject('COMMAND_INVALID', 'nowMs', `the command's time must be a whole number of ms from 0 to ${Number.MAX_SAFE_INTEGER}`)
        // What msgpack would change on its way to the worker, refused here where it can still be
        // seen: a lone UTF-16 surrogate became U+FFFD, so "c\ud800" and "c\udc00" were one
        // command id and one buyer, and a Set of seats became a list (session 32). The domain
        // asks the same of every command (execute.ts); a coordinator's own steps are its
        // checked data, not asked again.
        : envelopeRefusal(command) ?? (internal ? null : unkeepable(command as object));
    // Counted like every refusal (a flood of malformed commands must show); no shard is named.
    if (malformed !== null) return this.refuseAtTheDoor(command, malformed, reply, internal);
    this.enqueueOn(this.lanes[this.shardOf(performanceId)], performanceId, command, nowMs, reply, internal);
  }

  private enqueueOn(lane: Lane, performanceId: string, command: EngineCommand, nowMs: number | undefined, reply: Reply, internal: boolean): void {
    let refusal: Result | null = null;
    if (this.stopping && !internal) refusal = reject('ENGINE_STOPPING', '', 'the engine is stopping');
    else if (lane.state === 'down') refusal = reject('SHARD_UNAVAILABLE', 'performanceId', `shard ${lane.shard} is not served by this process`);
    // A saga's own steps and reports (internal) do not count the parked clients: they are what
    // ends the sagas those clients wait for, and refusing them for it would keep them waiting.
    else if (lane.queued.length + lane.inFlight + (internal ? 0 : lane.parked) >= this.options.mailboxMax) {
      const forSagas = lane.parked === 0 ? '' : ` (${lane.parked} of them waiting for sagas to finish)`;
      refusal = reject('OVERLOADED', '', `shard ${lane.shard} has ${this.options.mailboxMax} commands waiting${forSagas}; retry later with the same commandId`);
    }
    if (refusal !== null) {
      this.observer.refused?.(lane.shard, command, refusal, internal);
      reply(refusal);
      return;
    }
    let time = nowMs ?? this.clock();
    // The engine's clock must not run backwards within a shard (the domain refuses that).
    if (nowMs === undefined && time < lane.lastNowMs) time = lane.lastNowMs;
    if (time > lane.lastNowMs) lane.lastNowMs = time;
    lane.queued.push({ performanceId, nowMs: time, command, reply, submittedAt: performance.now(), internal });
    lane.submitted++;
    if (lane.queued.length >= this.options.batchCommandsMax) this.flush(lane);
    else this.scheduleFlush(lane);
  }

  /**
   * Sends every waiting command now instead of after flushAfterMs: for a caller that knows its
   * burst is complete (the simulator submits one simulated second at a time).
   */
  flushAll(): void {
    for (const lane of this.lanes) this.flush(lane);
  }

  /**
   * Reads a performance (not journaled). Read-your-writes: the query sees every command
   * submitted to its shard before it, and none after, so a seeded run reads the same values.
   */
  async query(performanceId: string, query: QueryName, arg: string | null = null): Promise<unknown> {
    if (this.closed) throw new QueryRefused(reject('ENGINE_STOPPING', '', 'the engine has stopped'));
    // A caller's (or the NATS ingress's) malformed question is refused here, as a command's is at
    // the door: a map for the query's name went on to be converted to text in the router and
    // threw, answered SHARD_UNAVAILABLE, which clients retry (session 32).
    const malformed = typeof performanceId !== 'string' ? reject('COMMAND_INVALID', 'performanceId', 'performanceId must be a string')
      : typeof query !== 'string' ? reject('COMMAND_INVALID', 'query', 'a query is named by a string (COMMANDS.md, Queries)')
        : arg !== null && arg !== undefined && typeof arg !== 'string' ? reject('COMMAND_INVALID', 'arg', 'a query\'s argument is a string or null')
          : null;
    if (malformed !== null) throw new QueryRefused(malformed);
    const shard = this.shardOf(performanceId);
    const lane = this.lanes[shard];
    // Not from a shard this process does not serve (its worker may hold a stale state), nor from
    // one still replaying its journal: acknowledged commands would be missing from the answer.
    if (lane.state === 'down') throw new QueryRefused(reject('SHARD_UNAVAILABLE', 'performanceId', `shard ${shard} is not served by this process`));
    // The commands before it are those submitted by now: counted before any wait, or a query
    // asked during a recovery saw the commands submitted while it waited (session 30).
    const after = lane.submitted;
    // Bounded like the mailbox: a flood of reads is refused, whether the queries wait for a
    // recovery, for the commands before them, or for the worker's answer (until session 32 only
    // those waiting for commands were counted: 20,000 at once to an idle shard all went to the
    // worker's queue, and any number waited for a recovery).
    if (lane.queries >= this.options.mailboxMax) {
      throw new QueryRefused(reject('OVERLOADED', '', `shard ${shard} has ${this.options.mailboxMax} queries waiting; retry later`));
    }
    lane.queries++;
    try {
      return await this.askShard(lane, after, performanceId, query, arg);
    } finally {
      lane.queries--;
    }
  }

  private async askShard(lane: Lane, after: number, performanceId: string, query: QueryName, arg: string | null): Promise<unknown> {
    const shard = lane.shard;
    if (lane.state === 'recovering') await this.whenServing(shard);
    // A lease past its fence (this process stalled while another may have taken the shard over)
    // is given up now rather than answered from: the state here may be behind the shard's.
    if (lane.lease !== null && this.bus.stillHolds !== undefined && !this.bus.stillHolds(shard, lane.lease)) {
      throw new QueryRefused(reject('SHARD_UNAVAILABLE', 'performanceId', `shard ${shard}'s lease ran out here; ask again (another process serves it now)`));
    }
    if (lane.handed >= after) return this.pool.query(shard, performanceId, query, arg);
    // Posted to the worker the moment the last command before it is (handedOn), so that it runs
    // after that command's batch and before any later one: waiting for the answers instead let
    // later batches reach the worker first (on NATS a seeded run then read other values).
    return new Promise((resolve, fail) => {
      lane.readers.push({ after, go: () => this.readServed(lane, performanceId, query, arg).then(resolve, fail) });
    });
  }

  /**
   * A waiting query's read, once the commands before it are handed on: from the worker when the
   * shard is served; after the recovery when the commands were handed on because the worker
   * died (a query posted then reached the new worker before its state did, and answered from
   * an empty shard: PERFORMANCE_UNKNOWN, until session 30); refused when the shard is down.
   */
  private async readServed(lane: Lane, performanceId: string, query: QueryName, arg: string | null): Promise<unknown> {
    // A recovery that fails leaves the shard down: refused below, as any query to a down shard.
    if (lane.state === 'recovering') await this.whenServing(lane.shard).catch(() => undefined);
    if (lane.state !== 'up') throw new QueryRefused(reject('SHARD_UNAVAILABLE', 'performanceId', `shard ${lane.shard} is not served by this process`));
    return this.pool.query(lane.shard, performanceId, query, arg);
  }

  /**
   * Statistics from the living workers: per shard (actors, dedupe window, seats by state) and per
   * worker (event-loop lag since the previous call, which resets it: the metrics' scrapes call it).
   */
  stats(): Promise<EngineStats> {
    if (this.closed) return Promise.reject(stoppedError());
    return this.pool.stats();
  }

  /** Commands submitted to the shard and not yet answered: journalLag + applyLag. */
  mailboxDepth(shard: number): number {
    const lane = this.lanes[shard];
    return lane.queued.length + lane.inFlight;
  }

  /** Commands submitted to the shard whose journal append is not yet acknowledged: queued, or in the batch being appended. */
  journalLag(shard: number): number {
    const lane = this.lanes[shard];
    return lane.queued.length + lane.appendingCommands;
  }

  /** Commands journaled and not yet applied and answered by the shard's worker. */
  applyLag(shard: number): number {
    const lane = this.lanes[shard];
    return lane.inFlight - lane.appendingCommands;
  }

  /** Takes a snapshot of every owned shard now and waits until the bus has it. */
  async snapshotAll(): Promise<void> {
    await Promise.all(this.lanes.filter((l) => l.state === 'up').map((l) => this.snapshot(l)));
  }

  /** Waits until every submitted command is answered. */
  async drain(): Promise<void> {
    const deadline = performance.now() + drainTimeoutMs;
    while (performance.now() < deadline) {
      if (this.stepsInFlight === 0 && this.lanes.every((l) => l.queued.length === 0 && l.inFlight === 0 && !l.snapshotting)) return;
      await new Promise((r) => setTimeout(r, 1));
    }
    throw new Error(`drain: commands still in flight after ${drainTimeoutMs} ms`);
  }

  async stop(): Promise<void> {
    if (this.snapshotTimer !== null) clearInterval(this.snapshotTimer);
    if (this.tickTimer !== null) clearInterval(this.tickTimer);
    // Clients are refused from now; sagas in flight are finished first (their steps are
    // ordinary commands), then steps that still fail are given up.
    this.stopping = true;
    // A drain that runs out of time is reported and the stop goes on: the workers and the bus
    // are let go whatever is left (what was journaled is replayed by the next start).
    await this.drain().catch((error: Error) => this.onError(error));
    this.halting = true;
    // Each timer is a step (or report) waiting to be sent again: given up here, as retryStep
    // gives one up once halting (the count left stop()'s second drain waiting, until session 30).
    for (const timer of this.stepTimers) clearTimeout(timer);
    this.stepsInFlight -= this.stepTimers.size;
    this.stepTimers.clear();
    await this.drain().catch((error: Error) => this.onError(error));
    // Clients still waiting for a saga given up here are told so; the saga goes on after a
    // restart, and a retry with the same command id joins it.
    const stopping = reject('ENGINE_STOPPING', '', 'the engine stopped before the saga finished; retry with the same commandId');
    for (const waiting of this.sagaWaiters.values()) this.answerSaga(waiting, stopping);
    this.sagaWaiters.clear();
    for (const lane of this.lanes) lane.parked = 0;
    this.abandonRecoveries();
    // From here the workers are going: a query or stats would wait for ever.
    this.closed = true;
    await this.bus.close();
    await this.pool.close();
  }

  /**
   * stop(): recoveries still under way end here. A recovery goes on a little after its shard is
   * served (it asks the worker for the sagas to resume), so nearly every shard has one for a
   * moment after start(). Its token is moved on, so the failure the closing pool gives it is
   * not taken for the shard's; whoever still waits for the shard is told the engine stopped.
   */
  private abandonRecoveries(): void {
    for (const lane of this.lanes) {
      lane.recovery++;
      const waiting = this.ready.get(lane.shard);
      if (waiting === undefined) continue;
      this.ready.delete(lane.shard);
      waiting.reject(new Error(`the engine stopped before shard ${lane.shard} was served`));
    }
  }

  private scheduleFlush(lane: Lane): void {
    if (lane.flushScheduled) return;
    lane.flushScheduled = true;
    const run = () => {
      lane.flushScheduled = false;
      this.flush(lane);
    };
    // Group commit: commands submitted in the same turn of the event loop share a batch; a
    // partly filled batch waits at most flushAfterMs.
    if (this.options.flushAfterMs <= 0) setImmediate(run);
    else setTimeout(run, this.options.flushAfterMs);
  }

  private flush(lane: Lane): void {
    if (lane.journaling || lane.state !== 'up' || lane.queued.length === 0 || lane.lease === null) return;
    const max = Math.min(this.options.batchCommandsMax, this.untilNextReader(lane));
    const batch = lane.queued.length <= max ? lane.queued : lane.queued.slice(0, max);
    lane.queued = batch === lane.queued ? [] : lane.queued.slice(batch.length);
    let count = batch.length;
    let bytes: Uint8Array;
    try {
      bytes = encodeBatch(lane.shard, lane.lease.epoch, batch);
    } catch {
      return this.refuseUnencodable(lane, batch);
    }
    // Too big for one journal message: halve until it fits (or is one command), and put the
    // rest back at the head of the mailbox for the next batch.
    while (bytes.length > this.recordBytesMax && count > 1) {
      count >>= 1;
      bytes = encodeBatch(lane.shard, lane.lease.epoch, batch.slice(0, count));
    }
    if (count < batch.length) {
      lane.queued = batch.slice(count).concat(lane.queued);
      batch.length = count;
    }
    if (bytes.length > this.recordBytesMax) {
      // One command larger than a journal message by itself (NATS refuses a message past its
      // max_payload): refused like one that cannot be encoded, without asking the bus, whose
      // failed append would give up the shard's lease and fail the commands behind it.
      this.answerAll(lane, batch, reject('COMMAND_INVALID', '', `the command takes ${bytes.length} bytes in the journal, more than one journal message holds (${this.recordBytesMax})`));
      if (lane.queued.length > 0) this.scheduleFlush(lane);
      return;
    }
    this.flushBatch(lane, batch, bytes);
  }

  /**
   * How many queued commands the next batch may take so that it ends where a waiting query
   * stands: the query is posted behind the batch holding the last command before it, so that
   * batch must not hold any command after it (while an append is in flight, commands submitted
   * before and after a query wait in the same queue).
   */
  private untilNextReader(lane: Lane): number {
    const taken = lane.submitted - lane.queued.length;
    for (const r of lane.readers) if (r.after > taken) return r.after - taken;
    return Number.POSITIVE_INFINITY;
  }

  /**
   * A batch msgpack could not write (a command holding a BigInt, a cycle, ...): each command is
   * tried alone, those that fail are refused, the others go back to the head of the mailbox in
   * their order. Nothing is lost and no exception escapes into a timer.
   */
  private refuseUnencodable(lane: Lane, batch: Pending[]): void {
    const kept: Pending[] = [];
    for (const p of batch) {
      try {
        encodeBatch(lane.shard, lane.lease?.epoch ?? 0, [p]);
        kept.push(p);
      } catch (error) {
        this.answerAll(lane, [p], reject('COMMAND_INVALID', '', `the command cannot be journaled: ${(error as Error).message}`));
      }
    }
    if (kept.length === batch.length) {
      // Each command alone can be written, the batch cannot: not the commands' fault, and not
      // to be retried in a loop.
      this.answerAll(lane, kept, reject('JOURNAL_FAILED', '', 'the batch could not be written to the journal'));
      return;
    }
    lane.queued = kept.concat(lane.queued);
    if (kept.length > 0) this.scheduleFlush(lane);
  }

  private flushBatch(lane: Lane, batch: Pending[], encoded: Uint8Array): void {
    const bytes = encoded;
    lane.journaling = true;
    lane.inFlight += batch.length;
    lane.appendingCommands = batch.length;
    this.observer.mailbox?.(lane.shard, lane.queued.length + lane.inFlight);
    const started = performance.now();
    const generation = lane.generation;
    const lease = lane.lease!;
    const appended = this.bus.append(lane.shard, lease, bytes);
    lane.appending = appended;
    appended.then(
      (seq) => {
        lane.journaling = false;
        lane.appendingCommands = 0;
        // In the journal whatever happens next (the recovery replays it): counted as journaled.
        this.observer.journaled?.(lane.shard, batch.length, bytes.length, (performance.now() - started) / 1_000);
        if (generation !== lane.generation) {
          // The worker died meanwhile: the batch is journaled but nobody will apply it here.
          this.answerAll(lane, batch, reject('SHARD_UNAVAILABLE', 'performanceId', `the worker of shard ${lane.shard} died; the shard must be recovered`));
          return;
        }
        if (lane.state === 'down' || lane.lease !== lease) {
          // Journaled by a writer that has lost the shard since (even if this process has it
          // again): whoever owns it now applies the record from the journal, in its place.
          // Applied here, it would land on the recovered snapshot ahead of the journal's tail.
          this.answerAll(lane, batch, reject('SHARD_UNAVAILABLE', 'performanceId', `shard ${lane.shard} changed hands while this batch was journaled; retry with the same commandId`));
          lane.inFlight -= batch.length;
          if (lane.state === 'up') this.flush(lane);
          return;
        }
        lane.lastSeq = seq;
        lane.sent.push(batch);
        lane.commandsSinceSnapshot += batch.length;
        this.pool.apply(lane.shard, seq, bytes);
        this.handedOn(lane, batch.length);
        if (lane.commandsSinceSnapshot >= lane.snapshotAfterCommands) this.snapshotForRecovery(lane);
        this.flush(lane);
      },
      (error: Error) => {
        lane.journaling = false;
        lane.appendingCommands = 0;
        if (generation !== lane.generation) {
          this.answerAll(lane, batch, reject('JOURNAL_FAILED', '', `journal append failed: ${error.message}; the record may still have reached the journal: retry with the same commandId to learn the outcome`));
          return;
        }
        lane.inFlight -= batch.length;
        this.answerAll(lane, batch, reject('JOURNAL_FAILED', '', `journal append failed: ${error.message}; the record may still have reached the journal: retry with the same commandId to learn the outcome`));
        this.flush(lane);
      },
    );
  }

  private applied(shard: number, _seq: number, bytes: Uint8Array | null, out: Uint8Array | null): void {
    const lane = this.lanes[shard];
    const batch = lane.sent.shift();
    if (batch === undefined || batch === null || bytes === null) return;
    const results = unpackResults(bytes, (i) => batch[i]?.command.commandId);
    lane.inFlight -= batch.length;
    for (let i = 0; i < batch.length; i++) {
      const result = results[i];
      // A saga started (or joined by a retry): the client is answered when it finishes.
      if (isPending(result)) this.waitForSaga(batch[i]);
      else batch[i].reply(result);
    }
    this.observer.applied?.(shard, batch, results, performance.now());
    if (out !== null) this.route(packr.unpack(out) as ShardOutbox);
    if (lane.queued.length > 0) this.flush(lane);
  }

  private waitForSaga(pending: Pending): void {
    const key = `${pending.performanceId}\u0000${pending.command.commandId}`;
    this.lanes[this.shardOf(pending.performanceId)].parked++;
    const waiting = this.sagaWaiters.get(key);
    if (waiting === undefined) this.sagaWaiters.set(key, [pending]);
    else waiting.push(pending);
  }

  /** Takes the clients waiting under `key` off the books (their saga ended, or they are told why not); undefined when none. */
  private takeSagaWaiters(key: string): Pending[] | undefined {
    const waiting = this.sagaWaiters.get(key);
    if (waiting === undefined) return undefined;
    this.sagaWaiters.delete(key);
    this.unpark(waiting);
    return waiting;
  }

  /** The clients of one command (one product, so one shard) no longer wait for its saga. */
  private unpark(waiting: readonly Pending[]): void {
    this.lanes[this.shardOf(waiting[0].performanceId)].parked -= waiting.length;
  }

  private answerSaga(waiting: readonly Pending[], result: Result): void {
    for (const p of waiting) p.reply(result);
    const answered = this.observer.sagaAnswered;
    if (answered === undefined) return;
    const doneAt = performance.now();
    for (const p of waiting) answered(p, result, doneAt);
  }

  /** Carries out the coordinators' actions: steps to performances, final answers to clients. */
  private route(outbox: ShardOutbox): void {
    let group: StepGroup | null = null;
    for (const [productId, nowMs, action] of outbox) {
      if (action.t === 'done') {
        const waiting = this.takeSagaWaiters(`${productId}\u0000${action.commandId}`);
        if (waiting !== undefined) this.answerSaga(waiting, action.result);
        continue;
      }
      group ??= { steps: [], results: [], left: 0, detached: [] };
      group.steps.push({ productId, nowMs, step: action });
      group.detached.push(false);
      group.left++;
    }
    if (group === null) return;
    this.stepsInFlight += group.steps.length;
    for (let i = 0; i < group.steps.length; i++) this.sendStep(group, i, stepRetryFirstMs);
  }

  /**
   * One saga step: the command to its performance. Its result is reported to the coordinator
   * once every step of its group (the steps one batch of coordinator commands made) has its
   * result, in the order the steps were made: the coordinators then see the same reports in the
   * same order whatever the threads' timing, so a seeded simulation gives the same tickets.
   */
  private sendStep(group: StepGroup, i: number, retryMs: number): void {
    const { productId, step, nowMs } = group.steps[i];
    this.enqueueStep(step.to, step.command, nowMs, (answer) => {
      let result = answer;
      if (!result.ok && passing.has(result.code)) {
        // Out of the group: the others' reports do not wait for this one (a shard being
        // recovered, or down, would otherwise hold back every saga whose steps went with it).
        if (!group.detached[i]) {
          group.detached[i] = true;
          if (--group.left === 0) this.reportGroup(group);
        }
        const stranded = this.stranded(step.to);
        if (stranded === null) return this.retryStep(() => this.sendStep(group, i, Math.min(retryMs * 2, stepRetryMaxMs)), retryMs);
        if (stranded === 'parked') return this.parkStep(productId, step.to);
        // Its shard's state died with its worker: the step is not applied and never will be,
        // which is the step's result; its saga compensates and its client gets its answer.
        result = reject('SHARD_UNAVAILABLE', 'performanceId', `${step.to}'s shard was given up by this process (${this.lanes[this.shardOf(step.to)].failure?.message ?? 'down'}); the step cannot be applied before a restart`);
      }
      group.results[i] = result;
      if (group.detached[i]) this.reportStep(group, i, stepRetryFirstMs);
      else if (--group.left === 0) this.reportGroup(group);
    });
  }

  /** The results of the steps still in the group, in the order they were made. */
  private reportGroup(group: StepGroup): void {
    for (let j = 0; j < group.steps.length; j++) if (!group.detached[j]) this.reportStep(group, j, stepRetryFirstMs);
  }

  private reportStep(group: StepGroup, i: number, retryMs: number): void {
    const { productId, nowMs, step } = group.steps[i];
    const report = { type: 'stepResult' as const, commandId: `${step.command.commandId}>`, saga: step.saga, step: step.step, result: group.results[i]! };
    this.enqueueStep(productId, report, nowMs, (answer) => {
      if (!answer.ok && passing.has(answer.code)) {
        // A coordinator that can never be served here again: the report is given up (its saga
        // goes on after a restart, pendingSteps), and its clients were told when its shard went
        // (answerSagaWaitersOf).
        if (this.stranded(productId) !== null) return void this.stepsInFlight--;
        return this.retryStep(() => this.reportStep(group, i, Math.min(retryMs * 2, stepRetryMaxMs)), retryMs);
      }
      this.stepsInFlight--;
    });
  }

  /**
   * Whether a step (or a report) to `actorId` can never get through from this process: its
   * shard was given up here (its worker died on a bus that keeps no journal, or past the
   * respawn bound, or its recovery failed), no other process can be asked (no StepForwarder),
   * and the bus is the embedded one, which never hands the shard back. 'gone': the shard's
   * state died with its worker (no journal); 'parked': the journal keeps it, and a restart
   * recovers it. Null when the step may get through later. Retried, such a step would keep its
   * client and stop() waiting for ever.
   */
  private stranded(actorId: string): 'gone' | 'parked' | null {
    const lane = this.lanes[this.shardOf(actorId)];
    if (lane.state !== 'down' || lane.failure === null || this.stepForwarder !== null || this.bus.kind !== 'embedded') return null;
    return this.bus.recoversFromSnapshots ? 'parked' : 'gone';
  }

  /**
   * Gives up a step whose shard is parked: it may be in that shard's journal already, so its
   * saga must not take it as refused; the saga waits in its coordinator, whose recovery after a
   * restart sends it again (pendingSteps). The clients waiting for that product's sagas are told
   * now (SHARD_UNAVAILABLE: retry with the same commandId after the restart): which of them this
   * step holds back is the coordinator's to know (a courier's batch carries many sagas' steps).
   */
  private parkStep(productId: string, actorId: string): void {
    this.stepsInFlight--;
    this.tellSagaWaiters((coordinator) => coordinator === productId, reject('SHARD_UNAVAILABLE', 'performanceId', `a step of ${productId}'s sagas waits for ${actorId}, whose shard this process gave up (${this.lanes[this.shardOf(actorId)].failure?.message ?? 'down'}); retry with the same commandId after a restart`));
  }

  /** Answers (and forgets) the clients waiting for sagas of the coordinators `which` picks. */
  private tellSagaWaiters(which: (productId: string) => boolean, refusal: Result): void {
    for (const [key, waiting] of this.sagaWaiters) {
      if (!which(waiting[0].performanceId)) continue;
      this.sagaWaiters.delete(key);
      this.unpark(waiting);
      this.answerSaga(waiting, refusal);
    }
  }

  /** A step's time: its saga's, or later if the target's shard has moved on (time never runs back in a shard). */
  private notBefore(actorId: string, nowMs: number): number {
    return Math.max(nowMs, this.lanes[this.shardOf(actorId)].lastNowMs);
  }

  private retryStep(again: () => void, delayMs: number): void {
    // Halting: the step is given up; its saga's unanswered steps are sent again by whoever
    // recovers the coordinator's shard (pendingSteps).
    if (this.halting) {
      this.stepsInFlight--;
      return;
    }
    const timer = setTimeout(() => {
      this.stepTimers.delete(timer);
      again();
    }, delayMs);
    this.stepTimers.add(timer);
  }

  /** `handed`: whether the batch was handed to the worker already (its answers then never came). */
  private answerAll(lane: Lane, batch: Pending[], result: Result, handed = false): void {
    for (const p of batch) p.reply(result);
    // Counted like refusals at the door, so the metrics see every answer (these paths are rare).
    const refused = this.observer.refused;
    if (refused !== undefined) for (const p of batch) refused(lane.shard, p.command, result, p.internal);
    if (!handed) this.handedOn(lane, batch.length);
  }

  /** Commands handed to the worker (or answered without it), in submission order: the queries that waited for them go now. */
  private handedOn(lane: Lane, count: number): void {
    lane.handed += count;
    while (lane.readers.length > 0 && lane.readers[0].after <= lane.handed) lane.readers.shift()!.go();
  }

  private snapshotDue(): void {
    const now = this.clock();
    for (const lane of this.lanes) {
      if (lane.state === 'up' && lane.commandsSinceSnapshot > 0 && now - lane.lastSnapshotAtMs >= this.options.snapshotEveryMs) this.snapshotForRecovery(lane);
    }
  }

  /** The snapshots the engine takes by itself: only where one can shorten a recovery (Bus.recoversFromSnapshots). */
  private snapshotForRecovery(lane: Lane): void {
    if (this.bus.recoversFromSnapshots) void this.snapshot(lane);
  }

  private async snapshot(lane: Lane): Promise<void> {
    if (lane.snapshotting || lane.state !== 'up') return;
    lane.snapshotting = true;
    // The worker answers after every batch sent so far, so the snapshot reflects lastSeq.
    const seq = lane.lastSeq;
    const count = lane.commandsSinceSnapshot;
    const started = performance.now();
    try {
      const bytes = await this.pool.snapshot(lane.shard);
      await this.bus.saveSnapshot(lane.shard, { seq, bytes });
      lane.commandsSinceSnapshot -= count;
      lane.lastSnapshotAtMs = this.clock();
      this.observer.snapshotted?.(lane.shard, bytes.length, (performance.now() - started) / 1_000);
    } catch (error) {
      this.onError(new Error(`snapshot of shard ${lane.shard} failed: ${(error as Error).message}`));
    } finally {
      lane.snapshotting = false;
    }
  }

  private acquired(lease: Lease): void {
    this.observer.leaseChanged?.(lease.shard, true);
    this.startRecovery(this.lanes[lease.shard], lease);
  }

  /** Recovers the shard under the lease; a failure leaves it down and hands the lease back. */
  private startRecovery(lane: Lane, lease: Lease): void {
    lane.lease = lease;
    lane.state = 'recovering';
    lane.failure = null;
    const token = ++lane.recovery;
    void this.recover(lane, token).catch((error: Error) => {
      if (token !== lane.recovery) return;
      this.giveUp(lane, lease, new Error(`recovery of shard ${lane.shard} failed: ${error.message}`));
    });
  }

  /**
   * This process cannot serve the shard: it goes down here, whoever waits for it is told, and
   * the lease goes back to the bus so that another process (or this one, later) recovers it.
   */
  private giveUp(lane: Lane, lease: Lease, failure: Error): void {
    // A recovery still under way (asking its worker for the sagas to resume) fails with the
    // worker too: this is its give-up already, not a second one.
    lane.recovery++;
    this.onError(failure);
    this.down(lane, 'SHARD_UNAVAILABLE');
    lane.failure = failure;
    this.ready.get(lane.shard)?.reject(failure);
    this.ready.delete(lane.shard);
    // Reported here, not left to the bus: the embedded bus has nobody to hand the lease to and
    // says nothing, yet the shard is no longer served (dashboards, the NATS ingress).
    this.observer.leaseChanged?.(lane.shard, false);
    this.bus.release(lane.shard, lease);
  }

  /** Latest snapshot, then every journal record after it, applied in order. */
  private async recover(lane: Lane, token: number): Promise<void> {
    // An append made under the lease this process lost may still land: the tail is read after
    // it has settled, so the record is replayed in its place rather than missed.
    await lane.appending?.catch(() => undefined);
    if (this.pool.isDead(lane.shard) && !this.respawn(this.pool.workerOf(lane.shard))) {
      throw new Error(`its worker died more than ${this.options.workerRespawnsMax} times in ${this.options.workerRespawnWindowMs} ms`);
    }
    const snapshot = await this.bus.loadSnapshot(lane.shard);
    const fromSeq = snapshot?.seq ?? 0;
    // The worker handles messages in order, so the journal tail can be read and posted while
    // it is still decoding the snapshot.
    const restored = this.pool.restore(lane.shard, snapshot?.bytes ?? null);
    // Awaited only after the tail is read: a stop (the pool closing) or a dead worker may reject
    // it before then, and a rejection nothing handles yet ends the process (a SIGTERM right after
    // `serve` started did: exit 1 with a stack trace). The await below still gets the rejection.
    restored.catch(() => undefined);
    const lastSeq = await this.bus.read(lane.shard, fromSeq, (entry) => {
      // A newer recovery (after a worker died, or the lease came back) has taken over.
      if (token !== lane.recovery) return;
      lane.sent.push(null);
      this.pool.apply(lane.shard, entry.seq, entry.bytes, true);
    });
    const snapshotSeq = await restored;
    if (snapshotSeq !== fromSeq) throw new Error(`the snapshot says seq ${snapshotSeq}, the bus said ${fromSeq}`);
    // Serving means the tail is applied, not only posted.
    const recovered = await this.pool.ping(lane.shard);
    if (lane.state !== 'recovering' || token !== lane.recovery) return;
    lane.lastSeq = lastSeq;
    // The shard's clock as its journal left it: commands this process stamps go on from there.
    // Stamped by this process's own clock alone, every command was refused TIME_REGRESSED until
    // that clock passed the shard's (a takeover by a process whose clock is behind, or a
    // restart after a client's time ahead of it; session 32).
    if (recovered.lastNowMs > lane.lastNowMs) lane.lastNowMs = recovered.lastNowMs;
    lane.commandsSinceSnapshot = 0;
    lane.lastSnapshotAtMs = this.clock();
    lane.state = 'up';
    this.ready.get(lane.shard)?.resolve();
    this.ready.delete(lane.shard);
    // A snapshot right after a replayed tail keeps the next recovery short.
    if (lastSeq > fromSeq) this.snapshotForRecovery(lane);
    this.flush(lane);
    // Sagas cut off by a crash go on: their unanswered steps are sent again under the same
    // command ids, so a step the performance already applied gets its first result back.
    this.route((await this.pool.query(lane.shard, '', 'pendingSteps')) as ShardOutbox);
  }

  private lost(shard: number): void {
    this.observer.leaseChanged?.(shard, false);
    this.down(this.lanes[shard], 'SHARD_UNAVAILABLE');
  }

  /**
   * Clients waiting here for sagas of coordinators on a shard this process no longer serves (its
   * lease lost or handed back, its worker dead): the saga ends wherever the shard is served next
   * (a recovery here included, whose replay answers no client), and its final answer would never
   * reach them from here (they would wait for ever, and their entries would stay). Told now,
   * they retry with the same command id, which joins the saga there or gets its outcome.
   */
  private answerSagaWaitersOf(shard: number): void {
    this.tellSagaWaiters((productId) => this.shardOf(productId) === shard, reject('SHARD_UNAVAILABLE', 'performanceId', `shard ${shard} left this process while the saga ran; retry with the same commandId to join it where the shard is served`));
  }

  /**
   * A shard worker died. Everything it was sent is answered SHARD_UNAVAILABLE (what was
   * journaled is replayed by the recovery, so a retry with the same id gets its first answer).
   * Where the bus can give the journal back, a new worker is started and each of its shards held
   * here is recovered on it; otherwise (the default embedded bus keeps no journal: the shards'
   * state died with the worker, and serving them empty would sell their seats again) they stay
   * down until a restart, and their leases are handed back.
   */
  private workerDied(worker: number, error: Error): void {
    const failure = new Error(`shard worker ${worker} died: ${error.message}`);
    this.onError(failure);
    const held: [Lane, Lease][] = [];
    for (const lane of this.lanes) {
      if (this.pool.workerOf(lane.shard) !== worker) continue;
      if (lane.lease !== null) held.push([lane, lane.lease]);
      this.workerLost(lane);
    }
    const respawned = this.bus.recoversFromSnapshots && !this.stopping && this.respawn(worker);
    for (const [lane, lease] of held) {
      if (respawned) this.startRecovery(lane, lease);
      else this.giveUp(lane, lease, new Error(`shard ${lane.shard} is down: ${failure.message}${!this.bus.recoversFromSnapshots ? '; this bus keeps no journal to recover it from' : this.stopping ? '; the engine is stopping' : '; its worker died too often to be replaced'}`));
    }
  }

  /** Replaces a dead worker unless it was replaced workerRespawnsMax times within workerRespawnWindowMs. */
  private respawn(worker: number): boolean {
    const now = performance.now();
    const recent = (this.respawnedAt.get(worker) ?? []).filter((at) => now - at < this.options.workerRespawnWindowMs);
    if (recent.length >= this.options.workerRespawnsMax) return false;
    recent.push(now);
    this.respawnedAt.set(worker, recent);
    this.pool.respawn(worker);
    return true;
  }

  /** The worker thread itself died: nothing it was sent will be answered. */
  private workerLost(lane: Lane): void {
    lane.generation++;
    this.down(lane, 'SHARD_UNAVAILABLE');
    const unavailable = reject('SHARD_UNAVAILABLE', 'performanceId', `the worker of shard ${lane.shard} died; retry with the same commandId once the shard is recovered`);
    for (const batch of lane.sent.splice(0)) if (batch !== null) this.answerAll(lane, batch, unavailable, true);
    lane.inFlight = 0;
    lane.journaling = false;
    lane.appendingCommands = 0;
  }

  private down(lane: Lane, code: 'SHARD_UNAVAILABLE'): void {
    lane.state = 'down';
    lane.lease = null;
    const queued = lane.queued;
    lane.queued = [];
    this.answerAll(lane, queued, reject(code, 'performanceId', `shard ${lane.shard} is not served by this process`));
    this.answerSagaWaitersOf(lane.shard);
  }
}

const productHoldTypes: ReadonlySet<string> = new Set(['holdSeats', 'holdBestAvailable', 'holdGa']);

/**
 * PRODUCT_STEP_ONLY for a client's command that only a product's coordinator may send: one whose
 * id has a saga step's shape (`…/<digits>/<digits>`, the ids a performance trusts to void a
 * product's tickets or set its resale channels), or a hold for a product (`productId` or
 * `holdingId`: it skips the channel's sale window, draws on the product's allocation and renewal
 * reservation, and may be confirmed complimentary). The coordinators' own steps come in through
 * enqueueStep and applyForwardedStep, never through send. The pure domain trusts its caller
 * (LocalProducts, tests); this is where a client reaches the engine.
 */
function coordinatorsOnly(command: EngineCommand): Result | null {
  if (typeof command !== 'object' || command === null) return null;
  const c = command as { type?: unknown; commandId?: unknown; productId?: unknown; holdingId?: unknown };
  // The router's report of a step's result: from a client it would stand in for a performance's
  // answer (refuse a purchase, or give a holding tickets that do not exist).
  if (c.type === 'stepResult') return reject('PRODUCT_STEP_ONLY', 'type', 'stepResult is the runtime\'s report of a saga step to its coordinator; clients do not send it');
  if (typeof c.commandId === 'string' && isStepCommandId(c.commandId)) {
    return reject('PRODUCT_STEP_ONLY', 'commandId', `command ids of the shape <id>/<n>/<n> are the product coordinators' saga steps; choose another id`);
  }
  if (typeof c.type === 'string' && productHoldTypes.has(c.type) && (c.productId !== undefined || c.holdingId !== undefined)) {
    return reject('PRODUCT_STEP_ONLY', c.productId !== undefined ? 'productId' : 'holdingId', 'a hold for a product is made by its coordinator: buy through the product (buyProduct)');
  }
  // The same hold as a named record of a binary batch (a coordinator's courier sends those).
  const batch = command as { type?: unknown; words?: unknown; count?: unknown };
  if (batch.type === 'commandBatch' && batch.words instanceof Uint8Array && typeof batch.count === 'number') {
    const at = productHoldIn(batch.words, batch.count);
    if (at >= 0) return reject('PRODUCT_STEP_ONLY', 'words', `record ${at} holds for a product: a hold for a product is made by its coordinator (buyProduct)`);
  }
  return null;
}
