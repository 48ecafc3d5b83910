// The engine's Prometheus metrics. Two sources feed one registry:
// - the EngineObserver hooks, called on the router thread per batch or per event; they only
//   bump typed arrays and numbers, so the per-command cost is a Map lookup and two increments;
// - statistics the workers hold, per shard (actors, seats, dedupe window) and their own (event-loop
//   lag), pulled through Engine.stats() when Prometheus scrapes, so one /metrics endpoint covers
//   every worker.
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { Code, COMMAND_WORDS, isPending, REPLY_WORDS, type BatchAnswered, type Result } from '../domain/mod.ts';
import { eventLoopSampleMs, LoopUtilization, type EngineCommand, type EngineObserver, type EngineStats, type ShardStats, type WorkerStats } from '../runtime/mod.ts';
import { registerFastHistogram, type FastHistogram } from './fast-histogram.ts';
import { defaultMetricsPrefix, metricDefinitions as defs, otherPerformances, performancesMaxDefault, type MetricDefinition } from './definitions.ts';

export type { EngineStats, ShardStats, WorkerStats };

/** What attach() needs from an engine; Engine has it, and tests may pass a stand-in. */
export interface EngineStatsSource {
  readonly shards: number;
  /** The workers' statistics, `{ shards, workers }` (checked by parseEngineStats: it crosses a thread). */
  stats(): Promise<unknown>;
  /** Commands submitted to the shard and not yet answered (journalLag + applyLag). */
  mailboxDepth(shard: number): number;
  /** Commands submitted to the shard whose journal append is not yet acknowledged. */
  journalLag(shard: number): number;
  /** Commands journaled and not yet applied and answered by the shard's worker. */
  applyLag(shard: number): number;
  /** Shards this process owns and serves (recovered, taking commands). */
  ownedShards(): number[];
  /** Shards this process owns and is recovering: their performances keep their seats series' places meanwhile. */
  recoveringShards?(): number[];
}

export interface EngineMetricsOptions {
  /** Register into this registry; default: a new one (the engine's own, not prom-client's global). */
  registry?: Registry;
  /** Performances with their own onsale_seats series; the rest are summed under performance="_other". */
  performancesMax?: number;
  /** prom-client's process metrics (CPU, memory, GC, event-loop lag), prefixed onsale_. Default true. */
  defaultMetrics?: boolean;
  /** A scrape waits this long for the workers' statistics before leaving them out. Default 2 s: well inside a scrape timeout. */
  statsTimeoutMs?: number;
}

export interface SeatCounts { free: number; held: number; sold: number; blocked: number }

// The command types a label may name. `satisfies` makes the compiler fail when the engine gains
// or loses a command type; anything else a client sends is counted as type="unknown", so a
// hostile client cannot mint label values.
const commandTypes = {
  openPerformance: true, holdSeats: true, holdBestAvailable: true, holdGa: true, confirmHold: true, releaseHold: true, openSession: true, commandBatch: true,
  createQuota: true, returnQuota: true, setQuotaResale: true, issueHardTickets: true, returnHardTickets: true, blockForeign: true,
  createPresale: true, editPresale: true, stopPresale: true, scanTicket: true, voidTicket: true, voidTickets: true, tick: true, tickDue: true,
  linkProduct: true, unlinkProduct: true, setProductResale: true, listResale: true, withdrawResale: true, buyResale: true, scanHolding: true,
  createProduct: true, buyProduct: true, renewHolding: true, nameCustomers: true, closeRenewal: true, linkPerformance: true, exchangePerformance: true, refundHolding: true, setResaleChannels: true, tickProduct: true, stepResult: true,
} as const satisfies Record<EngineCommand['type'], true>;

const codeLabels: string[] = [];
for (const [name, number] of Object.entries(Code)) codeLabels[number] = name;
const seatStates = ['free', 'held', 'sold', 'blocked'] as const;

/** Refusals that alerts watch (dashboards/alerts.yml): their series exist from the start, at 0. */
const watchedCodes = ['OVERLOADED', 'JOURNAL_FAILED', 'SHARD_UNAVAILABLE', 'ENGINE_STOPPING'] as const;

/**
 * Answered commands by type and code, as plain counts: one Float64Array per command type,
 * indexed by the result's code number (OK is 0). The hot path is one Map lookup and one
 * increment; the prom-client counter is brought up to date once per scrape, one inc() per label
 * pair that moved.
 */
class CommandCounts {
  private readonly rows = new Map<unknown, Float64Array>();
  private readonly unknownRow = new Float64Array(codeLabels.length);

  constructor() {
    for (const type of Object.keys(commandTypes)) this.rows.set(type, new Float64Array(codeLabels.length));
  }

  row(command: unknown): Float64Array {
    const type = typeof command === 'object' && command !== null ? (command as { type?: unknown }).type : undefined;
    return this.rows.get(type) ?? this.unknownRow;
  }

  flushInto(counter: Counter<'type' | 'code'>): void {
    const flushRow = (type: string, row: Float64Array) => {
      for (let code = 0; code < row.length; code++) {
        if (row[code] === 0) continue;
        counter.inc({ type, code: codeLabels[code] ?? 'UNKNOWN' }, row[code]);
        row[code] = 0;
      }
    };
    for (const [type, row] of this.rows) flushRow(type as string, row);
    flushRow('unknown', this.unknownRow);
  }
}

/** The op labels of onsale_batch_records_total, by op number (binary.ts BinaryOp); anything else is `unknown`. */
const batchOps = ['unknown', 'holdSeats', 'releaseHold', 'confirmHold', 'holdSeatsNamed', 'releaseHoldNamed', 'confirmHoldNamed', 'holdBestAvailable'] as const;

/**
 * The commands inside answered binary batches, by op and code: read from the batch's words (the
 * op of each command) and its reply (the code of each), as plain counts like CommandCounts.
 */
class BatchRecordCounts {
  private readonly rows = batchOps.map(() => new Float64Array(codeLabels.length));

  count(command: EngineCommand, result: Result): void {
    if (!result.ok || command.type !== 'commandBatch') return;
    const answer = result as BatchAnswered;
    const words = command.words;
    const replies = answer.replies;
    if (!(words instanceof Uint8Array) || !(replies instanceof Uint8Array)) return;
    const ops = new DataView(words.buffer, words.byteOffset, words.byteLength);
    const codes = new DataView(replies.buffer, replies.byteOffset, replies.byteLength);
    const n = Math.min(answer.count, Math.floor(words.byteLength / (4 * COMMAND_WORDS)), Math.floor(replies.byteLength / (4 * REPLY_WORDS)));
    for (let i = 0; i < n; i++) {
      const op = ops.getInt32(4 * i * COMMAND_WORDS, true);
      const code = codes.getInt32(4 * i * REPLY_WORDS, true);
      const row = this.rows[op >= 1 && op < batchOps.length ? op : 0];
      if (code >= 0 && code < row.length) row[code]++;
    }
  }

  flushInto(counter: Counter<'op' | 'code'>): void {
    this.rows.forEach((row, op) => {
      for (let code = 0; code < row.length; code++) {
        if (row[code] === 0) continue;
        counter.inc({ op: batchOps[op], code: codeLabels[code] ?? 'UNKNOWN' }, row[code]);
        row[code] = 0;
      }
    });
  }
}

export class EngineMetrics {
  readonly registry: Registry;
  readonly observer: EngineObserver;
  /** The histograms behind the *_seconds and batch series; quantile() on them feeds reports. */
  readonly histograms: {
    readonly commandDuration: FastHistogram;
    readonly batchCommands: FastHistogram;
    readonly journalAppend: FastHistogram;
    readonly snapshotDuration: FastHistogram;
  };

  private source: EngineStatsSource | null = null;
  private refreshing: Promise<void> | null = null;
  private readonly performancesMax: number;
  /** The performances that have their own onsale_seats series (at most performancesMax), kept while they are here. */
  private readonly ownSeats = new Map<string, number>();
  private readonly statsTimeoutMs: number;
  private readonly counts = new CommandCounts();
  /** The sagas' own commands (steps and their reports), kept apart from the clients'. */
  private readonly stepCounts = new CommandCounts();
  private readonly forwardedCounts = new CommandCounts();
  private readonly batchRecordCounts = new BatchRecordCounts();
  /** Depths reported by the observer, for the mailbox gauges before an engine is attached. */
  private readonly observedDepth = new Map<number, number>();
  private readonly leaseSeen = new Set<number>();

  private readonly commands: Counter<'type' | 'code'>;
  private readonly journalBytes: Counter;
  private readonly snapshotSize: Gauge<'shard'>;
  private readonly shardOwned: Gauge<'shard'>;
  private readonly statsFailures: Counter;
  /** Series rebuilt from Engine.stats() at each scrape. */
  private readonly fromStats: {
    actors: Gauge<'shard'>;
    seats: Gauge<'performance' | 'state'>;
    actorFailures: Counter<'shard'>;
    applied: Counter<'shard'>;
    dedupeWindow: Gauge<'shard'>;
    dedupeEntries: Gauge<'shard'>;
    dedupeEarlyRotations: Counter<'shard'>;
    sagasInFlight: Gauge<'shard'>;
    strandedTickets: Gauge<'shard'>;
    workerLagP50: Gauge<'worker'>;
    workerLagP99: Gauge<'worker'>;
    workerLagMax: Gauge<'worker'>;
    workerBusy: Gauge<'worker'>;
  };

  constructor(options: EngineMetricsOptions = {}) {
    this.registry = options.registry ?? new Registry();
    this.performancesMax = options.performancesMax ?? performancesMaxDefault;
    this.statsTimeoutMs = options.statsTimeoutMs ?? 2_000;
    if (!Number.isInteger(this.performancesMax) || this.performancesMax < 0) throw new RangeError(`performancesMax must be a non-negative integer, got ${this.performancesMax}`);
    if (!(this.statsTimeoutMs > 0) || !Number.isFinite(this.statsTimeoutMs)) throw new RangeError(`statsTimeoutMs must be a positive number, got ${this.statsTimeoutMs}`);
    const registers = [this.registry];
    const config = <L extends string>(def: MetricDefinition) => ({ name: def.name, help: def.help, labelNames: def.labels as readonly L[], registers });
    // Every per-shard and per-worker series waits for the same Engine.stats() call; see refresh().
    const fromStats = () => this.refresh();
    const histogram = (def: MetricDefinition & { buckets: readonly number[] }) => registerFastHistogram(this.registry, def.name, def.help, def.buckets);

    this.histograms = {
      commandDuration: histogram(defs.commandDuration),
      batchCommands: histogram(defs.batchCommands),
      journalAppend: histogram(defs.journalAppend),
      snapshotDuration: histogram(defs.snapshotDuration),
    };
    const counts = this.counts;
    const stepCounts = this.stepCounts;
    this.commands = new Counter<'type' | 'code'>({ ...config(defs.commands), collect() { counts.flushInto(this); } });
    // The codes alerts and panels take rate() of start at 0 for every type: Prometheus counts no
    // increase from a series' first sample, so the first burst of OVERLOADED at the opening (or
    // of JOURNAL_FAILED in a short outage) was invisible to them when its series began with it.
    for (const type of [...Object.keys(commandTypes), 'unknown']) for (const code of watchedCodes) this.commands.inc({ type, code }, 0);
    new Counter<'type' | 'code'>({ ...config(defs.sagaSteps), collect() { stepCounts.flushInto(this); } });
    const forwardedCounts = this.forwardedCounts;
    new Counter<'type' | 'code'>({ ...config(defs.sagaStepsForwarded), collect() { forwardedCounts.flushInto(this); } });
    const batchRecordCounts = this.batchRecordCounts;
    new Counter<'op' | 'code'>({ ...config(defs.batchRecords), collect() { batchRecordCounts.flushInto(this); } });
    this.journalBytes = new Counter(config(defs.journalBytes));
    this.snapshotSize = new Gauge<'shard'>(config(defs.snapshotSize));
    this.shardOwned = new Gauge<'shard'>(config(defs.shardOwned));
    this.statsFailures = new Counter({ ...config(defs.statsFailures), collect: fromStats });
    // Read at scrape time from the router, which holds each command until it is answered: the
    // observer's mailbox() samples only when a batch leaves, and would miss the drain. The three
    // are read in the same turn (the registry calls every collect() at once), so journal lag +
    // apply lag = mailbox depth in every scrape.
    const mailbox: Gauge<'shard'> = new Gauge<'shard'>({ ...config(defs.mailboxDepth), collect: () => this.setDepths(mailbox, (s, shard) => s.mailboxDepth(shard), this.observedDepth) });
    const journalLag: Gauge<'shard'> = new Gauge<'shard'>({ ...config(defs.journalLag), collect: () => this.setDepths(journalLag, (s, shard) => s.journalLag(shard)) });
    const applyLag: Gauge<'shard'> = new Gauge<'shard'>({ ...config(defs.applyLag), collect: () => this.setDepths(applyLag, (s, shard) => s.applyLag(shard)) });
    // Read at scrape time too: a lease held is not a shard served while its recovery lasts (or
    // stalls, and is retried about every leaseTtlMs: owned flips back to 1 each time).
    const serving: Gauge<'shard'> = new Gauge<'shard'>({
      ...config(defs.shardServing),
      collect: () => {
        const up = new Set(this.source?.ownedShards() ?? []);
        this.setDepths(serving, (_s, shard) => (up.has(shard) ? 1 : 0));
      },
    });
    this.fromStats = {
      actors: new Gauge<'shard'>({ ...config(defs.actorsResident), collect: fromStats }),
      seats: new Gauge<'performance' | 'state'>({ ...config(defs.seats), collect: fromStats }),
      actorFailures: new Counter<'shard'>({ ...config(defs.actorFailures), collect: fromStats }),
      applied: new Counter<'shard'>({ ...config(defs.shardAppliedCommands), collect: fromStats }),
      dedupeWindow: new Gauge<'shard'>({ ...config(defs.dedupeWindow), collect: fromStats }),
      dedupeEntries: new Gauge<'shard'>({ ...config(defs.dedupeEntries), collect: fromStats }),
      dedupeEarlyRotations: new Counter<'shard'>({ ...config(defs.dedupeEarlyRotations), collect: fromStats }),
      sagasInFlight: new Gauge<'shard'>({ ...config(defs.sagasInFlight), collect: fromStats }),
      strandedTickets: new Gauge<'shard'>({ ...config(defs.strandedTickets), collect: fromStats }),
      workerLagP50: new Gauge<'worker'>({ ...config(defs.workerEventLoopLagP50), collect: fromStats }),
      workerLagP99: new Gauge<'worker'>({ ...config(defs.workerEventLoopLagP99), collect: fromStats }),
      workerLagMax: new Gauge<'worker'>({ ...config(defs.workerEventLoopLagMax), collect: fromStats }),
      workerBusy: new Gauge<'worker'>({ ...config(defs.workerEventLoopUtilization), collect: fromStats }),
    };
    // The router's busy share since the previous scrape: read in this thread, not from the stats.
    const routerBusy = new LoopUtilization();
    new Gauge({ ...config(defs.routerEventLoopUtilization), collect() { this.set(routerBusy.since()); } });
    if (options.defaultMetrics ?? true) {
      // The router's loop is sampled every millisecond like the shard workers', not every 10
      // (prom-client's default): runtime/loop-lag.ts says why.
      collectDefaultMetrics({ register: this.registry, prefix: defaultMetricsPrefix, eventLoopMonitoringPrecision: eventLoopSampleMs });
      // Gauges named *_total break the naming rules (promtool check metrics); the same counts
      // are in onsale_nodejs_active_{handles,requests,resources}, by type.
      for (const name of ['handles', 'requests', 'resources']) this.registry.removeSingleMetric(`${defaultMetricsPrefix}nodejs_active_${name}_total`);
    }
    this.observer = this.makeObserver();
  }

  /** Lets scrapes read per-shard data from the engine (call after Engine.start()). */
  attach(source: EngineStatsSource): void {
    this.source = source;
    // Shards never acquired yet read 0, so a dashboard shows the whole set from the start.
    for (let shard = 0; shard < source.shards; shard++) if (!this.leaseSeen.has(shard)) this.shardOwned.set({ shard: String(shard) }, 0);
  }

  /** Stops reading from the engine (before stopping it); the per-shard and per-worker series disappear. */
  detach(): void {
    this.source = null;
  }

  private makeObserver(): EngineObserver {
    const { commandDuration, batchCommands, journalAppend, snapshotDuration } = this.histograms;
    const counts = this.counts;
    const stepCounts = this.stepCounts;
    const batchRecordCounts = this.batchRecordCounts;
    /** A client's command answered: counted by type and code, and timed from its submit; a batch's commands counted too. */
    const answered = (pending: { command: EngineCommand; submittedAt: number }, result: Result, doneAt: number): void => {
      counts.row(pending.command)[result.ok ? 0 : result.code]++;
      if (result.ok && pending.command.type === 'commandBatch') batchRecordCounts.count(pending.command, result);
      commandDuration.observe((doneAt - pending.submittedAt) / 1_000);
    };
    return {
      applied: (_shard, batch, results, doneAt) => {
        // Runs on the router thread once per batch: keep the loop free of allocation and labels.
        for (let i = 0; i < batch.length; i++) {
          const pending = batch[i];
          const result = results[i];
          if (result === undefined) continue;
          if (pending.internal) {
            stepCounts.row(pending.command)[result.ok ? 0 : result.code]++;
            // A coordinator's courier batch (domain/products/couriers.ts): its records count as a client's do.
            if (result.ok && pending.command.type === 'commandBatch') batchRecordCounts.count(pending.command, result);
            continue;
          }
          // A saga started or joined: the client's answer (and its time) comes in sagaAnswered.
          if (!isPending(result)) answered(pending, result, doneAt);
        }
      },
      sagaAnswered: answered,
      refused: (_shard, command, result, internal) => {
        (internal ? stepCounts : counts).row(command)[result.ok ? 0 : result.code]++;
      },
      forwarded: (command, result) => {
        this.forwardedCounts.row(command)[result.ok ? 0 : result.code]++;
      },
      journaled: (_shard, commands, bytes, seconds) => {
        batchCommands.observe(commands);
        journalAppend.observe(seconds);
        this.journalBytes.inc(bytes);
      },
      snapshotted: (shard, bytes, seconds) => {
        snapshotDuration.observe(seconds);
        this.snapshotSize.set({ shard: String(shard) }, bytes);
      },
      mailbox: (shard, depth) => {
        this.observedDepth.set(shard, depth);
      },
      leaseChanged: (shard, owned) => {
        this.leaseSeen.add(shard);
        this.shardOwned.set({ shard: String(shard) }, owned ? 1 : 0);
        // Whoever serves the shard now reports its snapshots; two processes must not both export one.
        if (!owned) this.snapshotSize.remove({ shard: String(shard) });
      },
    };
  }

  /**
   * A per-shard count read from the router at scrape time. Before attach, only the mailbox depth
   * is known (what the observer last saw); the journal and apply lags have no series until then.
   */
  private setDepths(gauge: Gauge<'shard'>, read: (source: EngineStatsSource, shard: number) => number, beforeAttach?: ReadonlyMap<number, number>): void {
    gauge.reset();
    const source = this.source;
    if (source === null) {
      for (const [shard, depth] of beforeAttach ?? []) gauge.set({ shard: String(shard) }, depth);
      return;
    }
    for (let shard = 0; shard < source.shards; shard++) gauge.set({ shard: String(shard) }, read(source, shard));
  }

  /**
   * One Engine.stats() round trip per scrape, however many series need it: the registry calls
   * every metric's collect() in the same turn, so they all find and await the same promise.
   */
  private refresh(): Promise<void> {
    const source = this.source;
    if (source === null) {
      this.clearFromStats();
      return Promise.resolve();
    }
    if (this.refreshing === null) {
      this.refreshing = withTimeout(source.stats(), this.statsTimeoutMs)
        .then((stats) => this.applyStats(source, stats))
        .catch(() => {
          // A dead or stuck worker must not hang the scrape: leave its series out (Prometheus
          // marks them stale) and count the miss.
          this.clearFromStats();
          this.statsFailures.inc();
        })
        .finally(() => {
          this.refreshing = null;
        });
    }
    return this.refreshing;
  }

  private applyStats(source: EngineStatsSource, raw: unknown): void {
    const parsed = parseEngineStats(raw);
    // A worker also keeps state for shards this process no longer owns; only owned shards speak.
    // Every living worker reports its event loop, whichever shards it serves.
    const owned = new Set(source.ownedShards());
    const stats = parsed.shards.filter((s) => owned.has(s.shard));
    this.clearFromStats();
    const m = this.fromStats;
    for (const w of parsed.workers) {
      const worker = { worker: String(w.worker) };
      m.workerLagP50.set(worker, w.eventLoopLagP50Seconds);
      m.workerLagP99.set(worker, w.eventLoopLagP99Seconds);
      m.workerLagMax.set(worker, w.eventLoopLagMaxSeconds);
      m.workerBusy.set(worker, w.eventLoopUtilization);
    }
    const other: SeatCounts = { free: 0, held: 0, sold: 0, blocked: 0 };
    let summed = false;
    const seen = new Set<string>();
    for (const s of stats) {
      const shard = { shard: String(s.shard) };
      m.actors.set(shard, s.actors);
      m.actorFailures.inc(shard, s.actorFailures);
      m.applied.inc(shard, s.commands);
      m.dedupeWindow.set(shard, s.dedupeKeptMs / 1_000);
      m.dedupeEntries.set(shard, s.dedupeEntries);
      m.dedupeEarlyRotations.inc(shard, s.dedupeEarlyRotations);
      m.sagasInFlight.set(shard, s.sagasInFlight);
      m.strandedTickets.set(shard, s.strandedTickets);
      for (const [performance, counts] of s.seats) {
        seen.add(performance);
        // A performance keeps its own series once it has one (first come, first served), so a
        // dashboard's choice of performance does not vanish into _other mid-sale when another
        // one opens on an earlier worker or shard.
        if (!this.ownSeats.has(performance) && this.ownSeats.size < this.performancesMax) this.ownSeats.set(performance, s.shard);
        if (this.ownSeats.has(performance)) {
          for (const state of seatStates) m.seats.set({ performance, state }, counts[state]);
        } else {
          summed = true;
          for (const state of seatStates) other[state] += counts[state];
        }
      }
    }
    if (summed) for (const state of seatStates) m.seats.set({ performance: otherPerformances, state }, other[state]);
    // A performance no longer here (its shard moved, or it was let go of) gives its place up; one
    // whose shard is being recovered here (a worker replaced) is still here, and keeps it (it
    // gave it up, and could find it taken, until session 30).
    const recovering = new Set(source.recoveringShards?.() ?? []);
    for (const [performance, shard] of this.ownSeats) if (!seen.has(performance) && !recovering.has(shard)) this.ownSeats.delete(performance);
  }

  private clearFromStats(): void {
    for (const metric of Object.values(this.fromStats)) metric.reset();
  }
}

export function createEngineMetrics(options: EngineMetricsOptions = {}): EngineMetrics {
  return new EngineMetrics(options);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/**
 * Checks the workers' answers (Engine.stats()) field by field: a malformed one fails the scrape's
 * statistics, not the process.
 */
export function parseEngineStats(value: unknown): EngineStats {
  const s = value as Partial<Record<keyof EngineStats, unknown>> | null;
  if (typeof s !== 'object' || s === null || !Array.isArray(s.shards) || !Array.isArray(s.workers)) throw new TypeError('engine stats: not { shards: [...], workers: [...] }');
  return { shards: s.shards.map(parseShardStats), workers: s.workers.map(parseWorkerStats) };
}

/** Checks one worker's own statistics (its index, event-loop lag in seconds and busy share). */
export function parseWorkerStats(value: unknown): WorkerStats {
  const w = value as Partial<Record<keyof WorkerStats, unknown>> | null;
  if (typeof w !== 'object' || w === null) throw new TypeError('worker stats: not an object');
  if (!Number.isSafeInteger(w.worker) || (w.worker as number) < 0) throw new TypeError('worker stats: worker is not an index');
  for (const key of ['eventLoopLagP50Seconds', 'eventLoopLagP99Seconds', 'eventLoopLagMaxSeconds'] as const) {
    if (!isCount(w[key])) throw new TypeError(`worker stats: ${key} is not a non-negative number`);
  }
  if (!isCount(w.eventLoopUtilization) || (w.eventLoopUtilization as number) > 1) throw new TypeError('worker stats: eventLoopUtilization is not a share from 0 to 1');
  return w as WorkerStats;
}

/** Checks one shard's statistics from its worker. */
export function parseShardStats(value: unknown): ShardStats {
  const s = value as Partial<Record<keyof ShardStats, unknown>> | null;
  const counts = ['shard', 'actors', 'products', 'commands', 'actorFailures', 'dedupeEntries', 'dedupeKeptMs', 'dedupeEarlyRotations', 'sagasInFlight', 'strandedTickets'] as const;
  if (typeof s !== 'object' || s === null) throw new TypeError('shard stats: not an object');
  for (const key of counts) if (!isCount(s[key])) throw new TypeError(`shard stats: ${key} is not a count`);
  if (!Array.isArray(s.seats)) throw new TypeError('shard stats: seats is not an array');
  if (!Array.isArray(s.productIds) || !s.productIds.every((id) => typeof id === 'string')) throw new TypeError('shard stats: productIds is not a list of ids');
  for (const entry of s.seats as unknown[]) {
    const [performance, c] = entry as [unknown, Partial<Record<string, unknown>> | null];
    if (typeof performance !== 'string' || typeof c !== 'object' || c === null || !seatStates.every((k) => isCount(c[k]))) {
      throw new TypeError('shard stats: a seats entry is not [performanceId, {free, held, sold, blocked}]');
    }
  }
  return s as ShardStats;
}
