// The metrics end to end: a real Engine (one worker, two shards) with the metrics observer, a
// script of commands whose every outcome is known, then /metrics read over HTTP and, last, a
// real Prometheus scraping it. Every expected number below follows from the script; the
// comments say how.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandWords, type PerformanceSpec, type Result } from '../../src/domain/mod.ts';
import { createEngineMetrics, startMetricsServer, type EngineMetrics, type MetricsServer } from '../../src/metrics/mod.ts';
import { Engine, type EngineCommand } from '../../src/runtime/mod.ts';
import { hallSpec, OPEN } from '../scenarios/helpers.ts';
import { dashboardQueries } from './dashboard-queries.ts';
import { commandsCounted, labelled, parseExposition, samplesOf, valueOf, type Exposition } from './exposition.ts';
import { alertRules, alertsFile } from './alert-rules.ts';
import { startPrometheus, type Prometheus } from './prometheus.ts';

/** The scenario tables' set-up (web on sale from OPEN), priced in the theatre's zones P1-P3. */
function theatreSpec(performanceId: string): PerformanceSpec {
  return { ...hallSpec(), performanceId, ticketTypes: [{ id: 'adult', prices: { P1: 5000, P2: 3000, P3: 2000 } }] };
}

function outcome(result: Result): string {
  return result.ok ? 'OK' : result.name;
}

let metrics: EngineMetrics;
let engine: Engine;
let server: MetricsServer;
let prometheus: Prometheus | null = null;
/** Two performances on different shards, so per-shard series differ. */
const perfA = 'perf-a';
let perfB = '';
const outcomes: string[] = [];

async function scrape(url = server.url): Promise<{ text: string; exposition: Exposition; contentType: string | null }> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  const text = await response.text();
  return { text, exposition: parseExposition(text), contentType: response.headers.get('content-type') };
}

async function submit(performanceId: string, command: Record<string, unknown>, nowMs: number): Promise<string> {
  const result = outcome(await engine.submit(performanceId, command as unknown as EngineCommand, nowMs));
  outcomes.push(`${String(command.type)} ${result}`);
  return result;
}

beforeAll(async () => {
  metrics = createEngineMetrics();
  engine = await Engine.start({
    workers: 1,
    shards: 2,
    observer: metrics.observer,
    // mailboxMax 64 makes OVERLOADED reachable with 100 commands; commands whose id starts with
    // boom- throw inside their actor (ACTOR_FAILED).
    runtime: { mailboxMax: 64 },
    faultCommandIdPrefix: 'boom-',
  });
  metrics.attach(engine);
  server = await startMetricsServer({ registry: metrics.registry, port: 0 });
  for (let i = 1; perfB === ''; i++) if (engine.shardOf(`perf-b${i}`) !== engine.shardOf(perfA)) perfB = `perf-b${i}`;
  await Promise.all([engine.whenServing(0), engine.whenServing(1)]);

  // Each line's expected outcome is asserted here, so a domain change shows up as itself and
  // not as a wrong metric further down.
  expect(await submit(perfA, { type: 'openPerformance', commandId: 'open-a', venue: 'theatre', spec: theatreSpec(perfA) }, OPEN)).toBe('OK');
  expect(await submit(perfB, { type: 'openPerformance', commandId: 'open-b', venue: 'theatre', spec: theatreSpec(perfB) }, OPEN)).toBe('OK');
  expect(await submit(perfA, { type: 'openPerformance', commandId: 'open-a-again', venue: 'theatre', spec: theatreSpec(perfA) }, OPEN + 1_500)).toBe('PERFORMANCE_EXISTS');
  expect(await submit(perfA, { type: 'holdSeats', commandId: 'h1', buyerId: 'b1', channel: 'web', seats: ['STALLS-A-6', 'STALLS-A-7'] }, OPEN + 2_000)).toBe('OK');
  expect(await submit(perfA, { type: 'confirmHold', commandId: 'c1', holdId: 'h1', buyerId: 'b1' }, OPEN + 3_000)).toBe('OK');
  expect(await submit(perfA, { type: 'holdSeats', commandId: 'h2', buyerId: 'b2', channel: 'web', seats: ['STALLS-A-6'] }, OPEN + 4_000)).toBe('SEAT_NOT_AVAILABLE');
  expect(await submit(perfA, { type: 'holdSeats', commandId: 'h3', buyerId: 'b3', channel: 'web', seats: ['STALLS-B-6', 'STALLS-B-7', 'STALLS-B-8'] }, OPEN + 5_000)).toBe('OK');
  expect(await submit(perfA, { type: 'bogus', commandId: 'x1' }, OPEN + 5_200)).toBe('COMMAND_UNKNOWN');
  expect(await submit(perfA, { type: 'holdSeats', commandId: 'boom-1', buyerId: 'b4', channel: 'web', seats: ['STALLS-C-6'] }, OPEN + 5_500)).toBe('ACTOR_FAILED');
  // A client session on B and one binary batch: a hold of seat 0, a hold of the same seat
  // (SEAT_NOT_AVAILABLE), an op the engine does not know (COMMAND_UNKNOWN).
  expect(await submit(perfB, { type: 'openSession', commandId: 's1', clientId: 'gateway-1' }, OPEN + 5_600)).toBe('OK');
  const words = commandWords([[1, 7, 0, 0, -1, 1, 0], [1, 8, 0, 0, -1, 1, 0], [9]]);
  expect(await submit(perfB, { type: 'commandBatch', commandId: 'batch-1', sessionNo: 0, requestNo: 1, count: 3, words: new Uint8Array(words.buffer) }, OPEN + 5_700)).toBe('OK');
  // 100 ticks in one turn: the mailbox takes 64 (nothing else is waiting), the other 36 are
  // refused at the door without reaching the journal.
  const ticks = await Promise.all(Array.from({ length: 100 }, (_, i) => submit(perfB, { type: 'tick', commandId: `t${i}` }, OPEN + 6_000)));
  expect(ticks.filter((t) => t === 'OK')).toHaveLength(64);
  expect(ticks.filter((t) => t === 'OVERLOADED')).toHaveLength(36);
  await engine.snapshotAll();
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await server?.close();
  metrics?.detach();
  await engine?.stop();
});

describe('metrics', () => {
  it('metrics - /metrics counts every answered command by type and code', async () => {
    const { exposition, contentType } = await scrape();
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(exposition.types.get('onsale_commands_total')).toBe('counter');
    // Every series, so a stray label pair fails too. A type the engine does not know is counted
    // under a fixed label (no client-minted series).
    expect(commandsCounted(exposition)).toEqual({
      'openPerformance OK': 2, 'openPerformance PERFORMANCE_EXISTS': 1,
      'holdSeats OK': 2, 'holdSeats SEAT_NOT_AVAILABLE': 1, 'holdSeats ACTOR_FAILED': 1,
      'confirmHold OK': 1, 'unknown COMMAND_UNKNOWN': 1, 'tick OK': 64, 'tick OVERLOADED': 36, 'openSession OK': 1, 'commandBatch OK': 1,
    });
    // The batch's own commands, by op and code (the batch itself is the commandBatch above).
    expect(exposition.types.get('onsale_batch_records_total')).toBe('counter');
    expect(labelled(exposition, 'onsale_batch_records_total', 'op', 'code')).toEqual({ 'holdSeats OK': 1, 'holdSeats SEAT_NOT_AVAILABLE': 1, 'unknown COMMAND_UNKNOWN': 1 });
    expect(samplesOf(exposition, 'onsale_commands_total').reduce((sum, s) => sum + s.value, 0)).toBe(outcomes.length);
  });

  it('metrics - latency, batch and journal histograms account for every journaled command', async () => {
    const { exposition } = await scrape();
    // Everything but the 36 refusals went through the journal and a worker.
    const journaled = outcomes.length - 36;
    expect(exposition.types.get('onsale_command_duration_seconds')).toBe('histogram');
    expect(valueOf(exposition, 'onsale_command_duration_seconds_count')).toBe(journaled);
    expect(valueOf(exposition, 'onsale_command_duration_seconds_bucket', { le: '+Inf' })).toBe(journaled);
    const sum = valueOf(exposition, 'onsale_command_duration_seconds_sum')!;
    expect(sum).toBeGreaterThan(0);
    expect(sum).toBeLessThan(journaled * 10);
    const buckets = samplesOf(exposition, 'onsale_command_duration_seconds_bucket').map((s) => s.value);
    expect(buckets.every((v, i) => i === 0 || v >= buckets[i - 1])).toBe(true);
    expect(valueOf(exposition, 'onsale_batch_commands_sum')).toBe(journaled);
    // Nine awaited commands are nine batches; the 64 ticks share one or a few.
    const batches = valueOf(exposition, 'onsale_batch_commands_count')!;
    expect(batches).toBeGreaterThanOrEqual(10);
    expect(batches).toBeLessThanOrEqual(journaled);
    expect(valueOf(exposition, 'onsale_journal_append_duration_seconds_count')).toBe(batches);
    expect(valueOf(exposition, 'onsale_journal_bytes_total')).toBeGreaterThan(journaled * 10);
    // The same counts answer quantiles for reports.
    const p50 = metrics.histograms.commandDuration.quantile(0.5);
    const p99 = metrics.histograms.commandDuration.quantile(0.99);
    expect(p50).toBeGreaterThan(0);
    expect(p99).toBeGreaterThanOrEqual(p50);
    expect(p99).toBeLessThanOrEqual(10);
  });

  it('metrics - per-shard and per-performance series come from the worker', async () => {
    const { exposition } = await scrape();
    const a = String(engine.shardOf(perfA));
    const b = String(engine.shardOf(perfB));
    const seats = (performance: string, state: string) => valueOf(exposition, 'onsale_seats', { performance, state });
    // Theatre: 900 seats. A sold 2 (h1), holds 3 (h3); the failed boom-1 hold left no trace.
    expect([seats(perfA, 'free'), seats(perfA, 'held'), seats(perfA, 'sold'), seats(perfA, 'blocked')]).toEqual([895, 3, 2, 0]);
    expect([seats(perfB, 'free'), seats(perfB, 'held'), seats(perfB, 'sold'), seats(perfB, 'blocked')]).toEqual([899, 1, 0, 0]);
    expect(valueOf(exposition, 'onsale_actors_resident', { shard: a })).toBe(1);
    expect(valueOf(exposition, 'onsale_actors_resident', { shard: b })).toBe(1);
    expect(valueOf(exposition, 'onsale_actor_failures_total', { shard: a })).toBe(1);
    expect(valueOf(exposition, 'onsale_actor_failures_total', { shard: b })).toBe(0);
    // Shard A applied 8 commands (2 opens, h1, c1, h2, h3, x1, boom-1); shard B its open, the
    // session, the batch (one command) and 64 ticks.
    expect(valueOf(exposition, 'onsale_shard_applied_commands_total', { shard: a })).toBe(8);
    expect(valueOf(exposition, 'onsale_shard_applied_commands_total', { shard: b })).toBe(67);
    // Remembered ids reach back to the opens at OPEN: A's last command ran 5.5 s later, B's
    // ticks (never remembered, but they move the clock) 6 s later.
    expect(valueOf(exposition, 'onsale_dedupe_window_seconds', { shard: a })).toBe(5.5);
    expect(valueOf(exposition, 'onsale_dedupe_window_seconds', { shard: b })).toBe(6);
    expect(valueOf(exposition, 'onsale_dedupe_entries', { shard: b })).toBe(1);
    expect(valueOf(exposition, 'onsale_dedupe_early_rotations_total', { shard: a })).toBe(0);
    for (const shard of ['0', '1']) {
      expect(valueOf(exposition, 'onsale_shard_owned', { shard })).toBe(1);
      expect(valueOf(exposition, 'onsale_mailbox_depth', { shard })).toBe(0);
      expect(valueOf(exposition, 'onsale_journal_lag_commands', { shard })).toBe(0);
      expect(valueOf(exposition, 'onsale_apply_lag_commands', { shard })).toBe(0);
      expect(valueOf(exposition, 'onsale_snapshot_size_bytes', { shard })).toBeGreaterThan(0);
    }
    // snapshotAll() took one snapshot per shard; the periodic one is 30 s away.
    expect(valueOf(exposition, 'onsale_snapshot_duration_seconds_count')).toBe(2);
    expect(valueOf(exposition, 'onsale_metrics_stats_failures_total')).toBe(0);
    // The one worker reports its own event loop too.
    for (const name of ['onsale_worker_eventloop_lag_p50_seconds', 'onsale_worker_eventloop_lag_p99_seconds', 'onsale_worker_eventloop_lag_max_seconds', 'onsale_worker_eventloop_utilization_ratio']) {
      expect(samplesOf(exposition, name).map((s) => s.labels.worker), name).toEqual(['0']);
    }
    // Busy shares, as the worker and the router read them: from 0 to 1.
    for (const name of ['onsale_worker_eventloop_utilization_ratio', 'onsale_router_eventloop_utilization_ratio']) {
      const value = samplesOf(exposition, name)[0]?.value;
      expect(value, name).toBeGreaterThanOrEqual(0);
      expect(value, name).toBeLessThanOrEqual(1);
    }
  });

  it('metrics - process metrics, event-loop lag included, carry the onsale_ prefix', async () => {
    const { exposition } = await scrape();
    expect(exposition.types.get('onsale_nodejs_eventloop_lag_seconds')).toBe('gauge');
    expect(valueOf(exposition, 'onsale_nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    expect(valueOf(exposition, 'onsale_process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(exposition.samples.filter((s) => !s.name.startsWith('onsale_'))).toEqual([]);
  });

  it('metrics - past performancesMax, seats are summed under performance="_other"', async () => {
    // A second view of the same engine, capped at one performance: the counts still add up.
    const capped = createEngineMetrics({ performancesMax: 1, defaultMetrics: false });
    capped.attach(engine);
    const exposition = parseExposition(await capped.registry.metrics());
    const performances = new Set(samplesOf(exposition, 'onsale_seats').map((s) => s.labels.performance));
    expect(performances.size).toBe(2);
    expect(performances.has('_other')).toBe(true);
    for (const state of ['free', 'held', 'sold']) {
      const total = samplesOf(exposition, 'onsale_seats', { state }).reduce((sum, s) => sum + s.value, 0);
      expect(total, state).toBe({ free: 1794, held: 4, sold: 2 }[state]);
    }
  });

  it('metrics - the server answers /metrics only, to GET and HEAD', async () => {
    const base = server.url.replace(/\/metrics$/, '');
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
    const head = await fetch(server.url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await fetch(`${server.url}?name[]=x`)).status).toBe(200);
  });

  it('metrics - a real Prometheus scrapes the endpoint, answers the dashboard queries and evaluates the alerts', async () => {
    prometheus = await startPrometheus({ targets: [server.url.replace(/^http:\/\/|\/metrics$/g, '')], ruleFiles: [alertsFile] });
    const prom = prometheus;
    const scalar = async (expr: string): Promise<number | undefined> => {
      const answer = await prom.query(expr);
      if (answer.status !== 'success') throw new Error(`${expr}: ${answer.errorType}: ${answer.error}`);
      const result = answer.data?.result as { value: [number, string] }[];
      return result.length === 1 ? Number(result[0].value[1]) : undefined;
    };
    // The first scrape lands within a scrape interval or two of the start; wait generously, a
    // loaded CI machine can be slow to start Prometheus' TSDB.
    const deadline = Date.now() + 45_000;
    let seen: number | undefined;
    while ((seen = await scalar('onsale_commands_total{type="tick",code="OVERLOADED"}')) !== 36) {
      if (Date.now() > deadline) throw new Error(`Prometheus never saw onsale_commands_total{type="tick",code="OVERLOADED"} = 36 (last: ${seen})\n${prom.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(await scalar('up{job="onsale"}')).toBe(1);
    expect(await scalar('sum(onsale_commands_total)')).toBe(outcomes.length);
    expect(await scalar(`onsale_seats{performance="${perfA}",state="sold"}`)).toBe(2);
    const p99 = await scalar('histogram_quantile(0.99, sum by (le) (onsale_command_duration_seconds_bucket))');
    expect(p99).toBeGreaterThan(0);
    expect(p99).toBeLessThanOrEqual(10);

    // Every query of the dashboard parses and runs against the real series.
    const dashboard = JSON.parse(readFileSync(new URL('../../../dashboards/onsale-engine.json', import.meta.url), 'utf8')) as unknown;
    const queries = dashboardQueries(dashboard);
    expect(queries.length).toBeGreaterThan(10);
    for (const { where, expr } of queries) {
      const answer = await prom.query(expr);
      expect(answer.status, `${where}: ${expr}: ${answer.error}`).toBe('success');
    }

    // The alerting rules: every one loads and evaluates without error against the real series,
    // and a command that throws in its actor now (the counter rises between two scrapes) fires
    // OnsaleActorFailures, while both shards are served and the engine is up.
    const names = alertRules(readFileSync(alertsFile, 'utf8')).map((r) => r.alert);
    expect(await submit(perfA, { type: 'holdSeats', commandId: 'boom-2', buyerId: 'b5', channel: 'web', seats: ['STALLS-C-7'] }, OPEN + 6_000)).toBe('ACTOR_FAILED');
    const alertDeadline = Date.now() + 45_000;
    let states = new Map<string, string>();
    for (;;) {
      const loaded = (await prom.rules()).flatMap((g) => g.rules);
      expect(loaded.map((r) => r.name).sort()).toEqual([...names].sort());
      for (const r of loaded) expect(r.health, `${r.name}: ${r.lastError}`).not.toBe('err');
      states = new Map(loaded.map((r) => [r.name, `${r.health} ${r.state}`]));
      if (states.get('OnsaleActorFailures') === 'ok firing' && loaded.every((r) => r.health === 'ok')) break;
      if (Date.now() > alertDeadline) throw new Error(`OnsaleActorFailures never fired: ${JSON.stringify([...states])}\n${prom.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    for (const quiet of ['OnsaleEngineDown', 'OnsaleShardUnserved', 'OnsaleJournalFailing', 'OnsaleStrandedTickets']) expect(states.get(quiet), quiet).toBe('ok inactive');
  }, 120_000);
});
