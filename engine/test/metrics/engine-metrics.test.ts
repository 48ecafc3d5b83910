// The metrics object against a stand-in engine, for what a real one does not show on demand: a
// stuck or malformed worker answer, shards owned elsewhere, one stats() call per scrape, the
// label guards, and the observer's arithmetic on hand-made batches.
import { createHistogram } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { reject, type Result } from '../../src/domain/mod.ts';
import { createEngineMetrics, parseEngineStats, parseShardStats, parseWorkerStats, type EngineStatsSource, type ShardStats, type WorkerStats } from '../../src/metrics/mod.ts';
import type { EngineCommand, EngineObserver } from '../../src/runtime/mod.ts';
import { eventLoopLagSince } from '../../src/runtime/loop-lag.ts';
import { commandsCounted, labelled, parseExposition, samplesOf, valueOf } from './exposition.ts';

type Batch = Parameters<NonNullable<EngineObserver['applied']>>[1];

function shardStats(shard: number, seats: ShardStats['seats'] = [], more: Partial<ShardStats> = {}): ShardStats {
  return { shard, actors: seats.length, products: 0, productIds: [], commands: 10, actorFailures: 0, dedupeEntries: 3, dedupeKeptMs: 1_500, dedupeEarlyRotations: 0, sagasInFlight: 0, strandedTickets: 0, seats, ...more };
}

function workerStats(worker: number, lag: [p50: number, p99: number, max: number] = [0.001, 0.002, 0.004], busy = 0.25): WorkerStats {
  return { worker, eventLoopLagP50Seconds: lag[0], eventLoopLagP99Seconds: lag[1], eventLoopLagMaxSeconds: lag[2], eventLoopUtilization: busy };
}

/** What Engine.stats() answers: shards 0 and 2 on worker 0, shard 1 on worker 1. */
function answerOf(shards: unknown[], workers: unknown[] = [workerStats(0), workerStats(1)]): { shards: unknown[]; workers: unknown[] } {
  return { shards, workers };
}

class FakeEngine implements EngineStatsSource {
  readonly shards = 3;
  owned = [0, 1, 2];
  /** Per shard: commands not yet acknowledged by the journal, and journaled but not yet applied. */
  journal = [0, 5, 0];
  apply = [0, 2, 0];
  statsCalls = 0;
  answer: () => Promise<unknown> = async () => answerOf([shardStats(0), shardStats(1), shardStats(2)]);
  stats(): Promise<unknown> {
    this.statsCalls++;
    return this.answer();
  }
  mailboxDepth(shard: number): number {
    return this.journal[shard] + this.apply[shard];
  }
  journalLag(shard: number): number {
    return this.journal[shard];
  }
  applyLag(shard: number): number {
    return this.apply[shard];
  }
  ownedShards(): number[] {
    return this.owned;
  }
}

async function scrape(metrics: ReturnType<typeof createEngineMetrics>) {
  return parseExposition(await metrics.registry.metrics());
}

function batch(commands: unknown[], submittedAt: number): Batch {
  return commands.map((command) => ({ performanceId: 'p', nowMs: 0, command: command as EngineCommand, reply: () => {}, submittedAt, internal: false })) as Batch;
}

describe('engine metrics', () => {
  it('engine metrics - applied batches are counted by type and code, and timed', async () => {
    const metrics = createEngineMetrics({ defaultMetrics: false });
    const ok: Result = { ok: true };
    const taken = reject('SEAT_NOT_AVAILABLE', 'seats[0]', 'taken');
    const hold = { type: 'holdSeats', commandId: 'h' };
    // Submitted at t=1000 ms, done at t=1000.3 ms and t=1002 ms: 300 µs and 2 ms.
    metrics.observer.applied!(0, batch([hold, hold, hold, { type: 'tick', commandId: 't' }], 1_000), [ok, taken, taken, ok], 1_000.3);
    metrics.observer.applied!(1, batch([{ type: 'evil\n"label', commandId: 'e' }, null, 42], 1_000), [reject('COMMAND_UNKNOWN', 'type', ''), reject('COMMAND_INVALID', '', ''), reject('COMMAND_INVALID', '', '')], 1_002);
    metrics.observer.refused!(0, hold as EngineCommand, reject('OVERLOADED', '', 'full'), false);
    const x = await scrape(metrics);
    // Client-made types and non-objects share one label value; nothing else is minted.
    expect(commandsCounted(x)).toEqual({
      'holdSeats OK': 1, 'holdSeats SEAT_NOT_AVAILABLE': 2, 'holdSeats OVERLOADED': 1, 'tick OK': 1,
      'unknown COMMAND_UNKNOWN': 1, 'unknown COMMAND_INVALID': 2,
    });
    const h = metrics.histograms.commandDuration;
    expect(h.count).toBe(7);
    expect(h.sum).toBeCloseTo(4 * 0.0003 + 3 * 0.002, 9);
    expect(valueOf(x, 'onsale_command_duration_seconds_bucket', { le: '0.0003' })).toBe(4);
    expect(valueOf(x, 'onsale_command_duration_seconds_bucket', { le: '0.0015' })).toBe(4);
    expect(valueOf(x, 'onsale_command_duration_seconds_bucket', { le: '0.002' })).toBe(7);
    // A second scrape adds only what happened since.
    metrics.observer.applied!(0, batch([hold], 0), [ok], 1);
    expect(valueOf(await scrape(metrics), 'onsale_commands_total', { type: 'holdSeats', code: 'OK' })).toBe(2);
  });

  it('engine metrics - saga steps forwarded to another process are counted by type and answer, apart from the steps applied here', async () => {
    const metrics = createEngineMetrics({ defaultMetrics: false });
    const step = { type: 'holdSeats', commandId: '~1/2/3' } as EngineCommand;
    const report = { type: 'stepResult', commandId: '~1/2/3>' } as EngineCommand;
    metrics.observer.forwarded!(step, reject('SHARD_UNAVAILABLE', 'performanceId', 'no engine answered'));
    metrics.observer.forwarded!(step, { ok: true });
    metrics.observer.forwarded!(report, { ok: true });
    const x = await scrape(metrics);
    expect(labelled(x, 'onsale_saga_steps_forwarded_total', 'type', 'code')).toEqual({ 'holdSeats SHARD_UNAVAILABLE': 1, 'holdSeats OK': 1, 'stepResult OK': 1 });
    expect(labelled(x, 'onsale_saga_steps_total', 'type', 'code')).toEqual({});
  });

  it('engine metrics - journal, snapshot and lease events land in their series', async () => {
    const metrics = createEngineMetrics({ defaultMetrics: false });
    const o = metrics.observer;
    o.journaled!(0, 100, 5_000, 0.002);
    o.journaled!(1, 1, 60, 0.00002);
    o.snapshotted!(1, 12_345, 0.25);
    o.snapshotted!(0, 999, 0.25);
    o.leaseChanged!(0, true);
    o.leaseChanged!(1, true);
    o.leaseChanged!(1, false);
    o.mailbox!(0, 33);
    let x = await scrape(metrics);
    expect(valueOf(x, 'onsale_batch_commands_sum')).toBe(101);
    expect(valueOf(x, 'onsale_batch_commands_bucket', { le: '64' })).toBe(1);
    expect(valueOf(x, 'onsale_batch_commands_bucket', { le: '128' })).toBe(2);
    expect(valueOf(x, 'onsale_journal_append_duration_seconds_count')).toBe(2);
    expect(valueOf(x, 'onsale_journal_bytes_total')).toBe(5_060);
    // A shard this process no longer holds exports no snapshot size (its new owner does).
    expect(samplesOf(x, 'onsale_snapshot_size_bytes').map((s) => [s.labels.shard, s.value])).toEqual([['0', 999]]);
    expect(valueOf(x, 'onsale_snapshot_duration_seconds_bucket', { le: '0.3' })).toBe(2);
    expect(valueOf(x, 'onsale_snapshot_duration_seconds_bucket', { le: '0.2' })).toBe(0);
    expect(valueOf(x, 'onsale_shard_owned', { shard: '0' })).toBe(1);
    expect(valueOf(x, 'onsale_shard_owned', { shard: '1' })).toBe(0);
    // Before attach, the depth the observer last saw; the engine's own shards are not known yet,
    // nor how the depth splits between the journal and the worker.
    expect(valueOf(x, 'onsale_mailbox_depth', { shard: '0' })).toBe(33);
    expect(valueOf(x, 'onsale_shard_owned', { shard: '2' })).toBeUndefined();
    expect(samplesOf(x, 'onsale_journal_lag_commands')).toEqual([]);
    expect(samplesOf(x, 'onsale_apply_lag_commands')).toEqual([]);
    const engine = new FakeEngine();
    metrics.attach(engine);
    x = await scrape(metrics);
    // After attach: every shard has a lease series, and depths come from the router itself.
    expect(valueOf(x, 'onsale_shard_owned', { shard: '2' })).toBe(0);
    expect(valueOf(x, 'onsale_shard_owned', { shard: '0' })).toBe(1);
    expect(samplesOf(x, 'onsale_mailbox_depth').map((s) => [s.labels.shard, s.value])).toEqual([['0', 0], ['1', 7], ['2', 0]]);
    // The depth split: 5 not yet acknowledged by the journal, 2 journaled and not yet applied.
    expect(samplesOf(x, 'onsale_journal_lag_commands').map((s) => [s.labels.shard, s.value])).toEqual([['0', 0], ['1', 5], ['2', 0]]);
    expect(samplesOf(x, 'onsale_apply_lag_commands').map((s) => [s.labels.shard, s.value])).toEqual([['0', 0], ['1', 2], ['2', 0]]);
  });

  // Found in session 31: OnsaleShardUnserved read onsale_shard_owned, which is 1 from the lease's
  // acquisition on, through a recovery that lasts or stalls: an unserved shard did not alert.
  it('engine metrics - a shard whose lease is held but whose recovery has not ended reads owned 1 and serving 0', async () => {
    const metrics = createEngineMetrics({ defaultMetrics: false });
    const o = metrics.observer;
    expect(samplesOf(await scrape(metrics), 'onsale_shard_serving'), 'nothing before attach').toEqual([]);
    o.leaseChanged!(0, true);
    o.leaseChanged!(1, true);
    const engine = new FakeEngine();
    engine.owned = [0];
    metrics.attach(engine);
    let x = await scrape(metrics);
    expect(samplesOf(x, 'onsale_shard_owned').map((s) => [s.labels.shard, s.value])).toEqual([['0', 1], ['1', 1], ['2', 0]]);
    expect(samplesOf(x, 'onsale_shard_serving').map((s) => [s.labels.shard, s.value])).toEqual([['0', 1], ['1', 0], ['2', 0]]);
    engine.owned = [0, 1];
    x = await scrape(metrics);
    expect(samplesOf(x, 'onsale_shard_serving').map((s) => [s.labels.shard, s.value])).toEqual([['0', 1], ['1', 1], ['2', 0]]);
    metrics.detach();
    expect(samplesOf(await scrape(metrics), 'onsale_shard_serving'), 'nothing once detached').toEqual([]);
  });

  it('engine metrics - one stats() call per scrape, owned shards only', async () => {
    const metrics = createEngineMetrics({ defaultMetrics: false });
    const engine = new FakeEngine();
    engine.owned = [0, 2];
    engine.answer = async () => answerOf([
      shardStats(0, [['p0', { free: 10, held: 1, sold: 2, blocked: 3 }]], { actorFailures: 2, dedupeEarlyRotations: 4, sagasInFlight: 7, strandedTickets: 1 }),
      shardStats(1, [['stale', { free: 1, held: 0, sold: 0, blocked: 0 }]]),
      shardStats(2, [['p2', { free: 5, held: 0, sold: 0, blocked: 0 }]]),
    ]);
    metrics.attach(engine);
    const x = await scrape(metrics);
    expect(engine.statsCalls).toBe(1);
    expect(samplesOf(x, 'onsale_actors_resident').map((s) => s.labels.shard)).toEqual(['0', '2']);
    expect(samplesOf(x, 'onsale_seats', { performance: 'stale' })).toEqual([]);
    expect(samplesOf(x, 'onsale_seats', { performance: 'p0' }).map((s) => [s.labels.state, s.value])).toEqual([['free', 10], ['held', 1], ['sold', 2], ['blocked', 3]]);
    expect(valueOf(x, 'onsale_actor_failures_total', { shard: '0' })).toBe(2);
    expect(valueOf(x, 'onsale_dedupe_early_rotations_total', { shard: '0' })).toBe(4);
    expect(valueOf(x, 'onsale_dedupe_window_seconds', { shard: '2' })).toBe(1.5);
    expect(valueOf(x, 'onsale_dedupe_entries', { shard: '2' })).toBe(3);
    expect(valueOf(x, 'onsale_shard_applied_commands_total', { shard: '2' })).toBe(10);
    expect([valueOf(x, 'onsale_sagas_in_flight', { shard: '0' }), valueOf(x, 'onsale_stranded_tickets', { shard: '0' })]).toEqual([7, 1]);
    expect([valueOf(x, 'onsale_sagas_in_flight', { shard: '2' }), valueOf(x, 'onsale_stranded_tickets', { shard: '2' })]).toEqual([0, 0]);
    // Worker 1 hosts only shard 1, owned elsewhere now: its event loop is still this process's.
    expect(samplesOf(x, 'onsale_worker_eventloop_lag_max_seconds').map((s) => s.labels.worker)).toEqual(['0', '1']);
    // Counters from the workers are totals: a later scrape shows the new total, not a sum of scrapes.
    await scrape(metrics);
    expect(valueOf(await scrape(metrics), 'onsale_actor_failures_total', { shard: '0' })).toBe(2);
    expect(engine.statsCalls).toBe(3);
    metrics.detach();
    const detached = await scrape(metrics);
    expect(samplesOf(detached, 'onsale_seats')).toEqual([]);
    expect(samplesOf(detached, 'onsale_worker_eventloop_lag_p99_seconds')).toEqual([]);
    expect(engine.statsCalls).toBe(3);
  });

  it('engine metrics - a stuck or malformed worker answer is counted and its series left out', async () => {
    const metrics = createEngineMetrics({ defaultMetrics: false, statsTimeoutMs: 50 });
    const engine = new FakeEngine();
    metrics.attach(engine);
    expect(valueOf(await scrape(metrics), 'onsale_actors_resident', { shard: '1' })).toBe(0);
    engine.answer = () => new Promise(() => {});
    const started = Date.now();
    let x = await scrape(metrics);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(samplesOf(x, 'onsale_actors_resident')).toEqual([]);
    expect(valueOf(x, 'onsale_metrics_stats_failures_total')).toBe(1);
    // The router-side series do not depend on the workers.
    expect(valueOf(x, 'onsale_mailbox_depth', { shard: '1' })).toBe(7);
    engine.answer = async () => answerOf([{ shard: 0, actors: 'many' }]);
    x = await scrape(metrics);
    expect(samplesOf(x, 'onsale_actors_resident')).toEqual([]);
    expect(samplesOf(x, 'onsale_worker_eventloop_lag_p50_seconds')).toEqual([]);
    expect(valueOf(x, 'onsale_metrics_stats_failures_total')).toBe(2);
    // A worker's own part malformed, or the answer in its old shape (an array of shards): the
    // whole answer is left out, not half of it.
    engine.answer = async () => answerOf([shardStats(1)], [workerStats(0), { worker: 1, eventLoopLagP50Seconds: NaN }]);
    x = await scrape(metrics);
    expect(samplesOf(x, 'onsale_actors_resident')).toEqual([]);
    expect(samplesOf(x, 'onsale_worker_eventloop_lag_max_seconds')).toEqual([]);
    engine.answer = async () => [shardStats(1)];
    x = await scrape(metrics);
    expect(samplesOf(x, 'onsale_actors_resident')).toEqual([]);
    expect(valueOf(x, 'onsale_metrics_stats_failures_total')).toBe(4);
    engine.answer = async () => answerOf([shardStats(1)]);
    x = await scrape(metrics);
    expect(valueOf(x, 'onsale_actors_resident', { shard: '1' })).toBe(0);
    expect(valueOf(x, 'onsale_metrics_stats_failures_total')).toBe(4);
  });

  it('engine metrics - each living worker\'s event-loop lag is a series labelled worker; a dead one has none', async () => {
    const metrics = createEngineMetrics({ defaultMetrics: false });
    const engine = new FakeEngine();
    engine.answer = async () => answerOf([shardStats(0), shardStats(1), shardStats(2)], [workerStats(0, [0.001, 0.003, 0.25], 0.97), workerStats(1, [0.0011, 0.0012, 0.0015], 0.1)]);
    metrics.attach(engine);
    let x = await scrape(metrics);
    expect(engine.statsCalls).toBe(1);
    for (const [name, type] of x.types) if (name.startsWith('onsale_worker_')) expect(type, name).toBe('gauge');
    expect(labelled(x, 'onsale_worker_eventloop_lag_p50_seconds', 'worker')).toEqual({ 0: 0.001, 1: 0.0011 });
    expect(labelled(x, 'onsale_worker_eventloop_lag_p99_seconds', 'worker')).toEqual({ 0: 0.003, 1: 0.0012 });
    expect(labelled(x, 'onsale_worker_eventloop_lag_max_seconds', 'worker')).toEqual({ 0: 0.25, 1: 0.0015 });
    expect(labelled(x, 'onsale_worker_eventloop_utilization_ratio', 'worker')).toEqual({ 0: 0.97, 1: 0.1 });
    // Worker 0 died: its entry is gone from the answer, and so are its series (not frozen at their last value).
    engine.answer = async () => answerOf([shardStats(1)], [workerStats(1)]);
    x = await scrape(metrics);
    expect(labelled(x, 'onsale_worker_eventloop_lag_max_seconds', 'worker')).toEqual({ 1: 0.004 });
    expect(labelled(x, 'onsale_worker_eventloop_utilization_ratio', 'worker')).toEqual({ 1: 0.25 });
  });

  it('engine metrics - the router\'s busy share is read in its own thread at each scrape, over the time since the previous one', async () => {
    const metrics = createEngineMetrics({ defaultMetrics: false });
    await scrape(metrics);
    // 150 ms of work, then a scrape: most of the interval was busy.
    const until = performance.now() + 150;
    while (performance.now() < until) { /* busy */ }
    const busy = valueOf(await scrape(metrics), 'onsale_router_eventloop_utilization_ratio');
    expect(busy).toBeGreaterThan(0.5);
    expect(busy).toBeLessThanOrEqual(1);
    // 150 ms of waiting: the next interval was mostly idle.
    await new Promise((r) => setTimeout(r, 150));
    expect(valueOf(await scrape(metrics), 'onsale_router_eventloop_utilization_ratio')).toBeLessThan(0.5);
  });

  it('engine metrics - a worker\'s lag is read since its previous answer: the histogram is reset by each read', () => {
    // The worker's reading (engine/src/runtime/loop-lag.ts) on a histogram of known delays, in ns.
    const h = createHistogram();
    for (let i = 0; i < 98; i++) h.record(1_000_000);
    h.record(5_000_000);
    h.record(40_000_000);
    const first = eventLoopLagSince(h);
    expect(first.eventLoopLagP50Seconds).toBeCloseTo(0.001, 5);
    expect(first.eventLoopLagP99Seconds).toBeCloseTo(0.005, 5);
    expect(first.eventLoopLagMaxSeconds).toBeCloseTo(0.04, 4);
    // Nothing recorded since: zeros (an empty histogram's own percentiles are not 0).
    expect(eventLoopLagSince(h)).toEqual({ eventLoopLagP50Seconds: 0, eventLoopLagP99Seconds: 0, eventLoopLagMaxSeconds: 0 });
    // The 40 ms stall is not carried into the next answer.
    h.record(2_000_000);
    expect(eventLoopLagSince(h).eventLoopLagMaxSeconds).toBeCloseTo(0.002, 5);
  });

  it('engine metrics - performances past the cap are summed under _other', async () => {
    const metrics = createEngineMetrics({ defaultMetrics: false, performancesMax: 2 });
    const engine = new FakeEngine();
    const perf = (n: number): [string, { free: number; held: number; sold: number; blocked: number }] => [`p${n}`, { free: n, held: 1, sold: 0, blocked: 0 }];
    engine.answer = async () => answerOf([shardStats(0, [perf(1), perf(2)]), shardStats(1, [perf(3)]), shardStats(2, [perf(4), perf(5)])]);
    metrics.attach(engine);
    const x = await scrape(metrics);
    expect([...new Set(samplesOf(x, 'onsale_seats').map((s) => s.labels.performance))]).toEqual(['p1', 'p2', '_other']);
    expect(valueOf(x, 'onsale_seats', { performance: '_other', state: 'free' })).toBe(3 + 4 + 5);
    expect(valueOf(x, 'onsale_seats', { performance: '_other', state: 'held' })).toBe(3);
    expect(() => createEngineMetrics({ performancesMax: -1 })).toThrow(RangeError);
    expect(() => createEngineMetrics({ statsTimeoutMs: 0 })).toThrow(RangeError);
  });

  // Found in session 29: a series born with the first burst of a refusal shows no increase in
  // Prometheus (none from a series' first sample): 500 OVERLOADED in one scrape read as 0.
  it('engine metrics - the refusals alerts watch have their series from the start, at 0, for every command type', async () => {
    const metrics = createEngineMetrics({ defaultMetrics: false });
    const x = await scrape(metrics);
    for (const code of ['OVERLOADED', 'JOURNAL_FAILED', 'SHARD_UNAVAILABLE', 'ENGINE_STOPPING']) {
      for (const type of ['holdSeats', 'buyProduct', 'commandBatch', 'unknown']) expect(valueOf(x, 'onsale_commands_total', { type, code }), `${type} ${code}`).toBe(0);
    }
    expect(samplesOf(x, 'onsale_commands_total').every((s) => s.value === 0)).toBe(true);
  });

  // Found in session 29: the series went to the performances first in the workers' order, so one
  // opened on an earlier shard pushed a performance a dashboard was showing into _other mid-sale.
  it('engine metrics - a performance keeps its own series past the cap while it is here; one that leaves gives its place up', async () => {
    const metrics = createEngineMetrics({ defaultMetrics: false, performancesMax: 2 });
    const engine = new FakeEngine();
    const perf = (n: number): [string, { free: number; held: number; sold: number; blocked: number }] => [`p${n}`, { free: n, held: 0, sold: 0, blocked: 0 }];
    const own = async () => [...new Set(samplesOf(await scrape(metrics), 'onsale_seats').map((s) => s.labels.performance))].sort();
    metrics.attach(engine);
    engine.answer = async () => answerOf([shardStats(1, [perf(2)]), shardStats(2, [perf(3)])]);
    expect(await own()).toEqual(['p2', 'p3']);
    engine.answer = async () => answerOf([shardStats(0, [perf(1)]), shardStats(1, [perf(2)]), shardStats(2, [perf(3)])]);
    expect(await own(), 'p1 opened on shard 0: summed, p2 and p3 keep theirs').toEqual(['_other', 'p2', 'p3']);
    engine.answer = async () => answerOf([shardStats(0, [perf(1)]), shardStats(2, [perf(3)])]);
    expect(await own(), 'p2 has just left: p1 is still summed, and its seats still counted').toEqual(['_other', 'p3']);
    expect(await own(), 'p2 left: its place goes to p1').toEqual(['p1', 'p3']);
  });

  // Found in session 30: a shard being recovered (its worker replaced) is not among the owned
  // ones, so its performances gave their places up, and another could take them meanwhile.
  it('engine metrics - a performance keeps its place while its shard is recovered here', async () => {
    const metrics = createEngineMetrics({ defaultMetrics: false, performancesMax: 2 });
    const engine = new (class extends FakeEngine {
      recovering: number[] = [];
      recoveringShards(): number[] { return this.recovering; }
    })();
    const perf = (n: number): [string, { free: number; held: number; sold: number; blocked: number }] => [`p${n}`, { free: n, held: 0, sold: 0, blocked: 0 }];
    const own = async () => [...new Set(samplesOf(await scrape(metrics), 'onsale_seats').map((s) => s.labels.performance))].sort();
    metrics.attach(engine);
    engine.answer = async () => answerOf([shardStats(0, [perf(1)]), shardStats(1, [perf(2)]), shardStats(2, [perf(3)])]);
    expect(await own()).toEqual(['_other', 'p1', 'p2']);
    // Shard 0 is recovered on a new worker: not owned (served) for two scrapes.
    engine.owned = [1, 2];
    engine.recovering = [0];
    engine.answer = async () => answerOf([shardStats(1, [perf(2)]), shardStats(2, [perf(3)])]);
    expect(await own(), 'p1 out of the scrape, its place kept: p3 still summed').toEqual(['_other', 'p2']);
    expect(await own()).toEqual(['_other', 'p2']);
    engine.owned = [0, 1, 2];
    engine.recovering = [];
    engine.answer = async () => answerOf([shardStats(0, [perf(1)]), shardStats(1, [perf(2)]), shardStats(2, [perf(3)])]);
    expect(await own(), 'served again: p1 has its own series').toEqual(['_other', 'p1', 'p2']);
  });

  it('engine metrics - parseShardStats accepts what a worker sends and names what is wrong', () => {
    expect(parseShardStats(shardStats(4))).toEqual(shardStats(4));
    expect(() => parseShardStats(null)).toThrow(/not an object/);
    expect(() => parseShardStats({ ...shardStats(0), dedupeKeptMs: -1 })).toThrow(/dedupeKeptMs/);
    expect(() => parseShardStats({ ...shardStats(0), seats: [['p', { free: 1 }]] })).toThrow(/seats entry/);
  });

  it('engine metrics - parseWorkerStats and parseEngineStats accept what the workers send and name what is wrong', () => {
    expect(parseWorkerStats(workerStats(3))).toEqual(workerStats(3));
    expect(() => parseWorkerStats(undefined)).toThrow(/not an object/);
    expect(() => parseWorkerStats({ ...workerStats(0), worker: 1.5 })).toThrow(/worker is not an index/);
    expect(() => parseWorkerStats({ ...workerStats(0), worker: '0' })).toThrow(/worker is not an index/);
    expect(() => parseWorkerStats({ ...workerStats(0), eventLoopLagP99Seconds: -0.001 })).toThrow(/eventLoopLagP99Seconds/);
    expect(() => parseWorkerStats({ ...workerStats(0), eventLoopLagMaxSeconds: Infinity })).toThrow(/eventLoopLagMaxSeconds/);
    expect(() => parseWorkerStats({ ...workerStats(0), eventLoopUtilization: 1.5 })).toThrow(/eventLoopUtilization/);
    expect(() => parseWorkerStats({ ...workerStats(0), eventLoopUtilization: undefined })).toThrow(/eventLoopUtilization/);
    const answer = answerOf([shardStats(0), shardStats(1)]);
    expect(parseEngineStats(answer)).toEqual(answer);
    expect(parseEngineStats(answerOf([], []))).toEqual({ shards: [], workers: [] });
    expect(() => parseEngineStats([shardStats(0)])).toThrow(/not \{ shards/);
    expect(() => parseEngineStats({ shards: [] })).toThrow(/not \{ shards/);
    expect(() => parseEngineStats(answerOf([shardStats(0)], [{ worker: 0 }]))).toThrow(/eventLoopLagP50Seconds/);
  });
});
