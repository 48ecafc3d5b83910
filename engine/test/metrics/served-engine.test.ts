// The metrics on a real engine built the way `onsale serve` builds it (embedded bus,
// createEngineMetrics(), observer = combineObservers(metrics.observer, ...), attach after start),
// with 2 workers and 4 shards, scraped over HTTP: what SREs read is what clients were answered.
import { afterEach, describe, expect, it } from 'vitest';
import { compileLayout, stadiumLayout, type Result } from '../../src/domain/mod.ts';
import { createEngineMetrics, startMetricsServer, type EngineMetrics, type MetricsServer } from '../../src/metrics/mod.ts';
import { combineObservers, EmbeddedBus, Engine, type EngineCommand, type EngineOptions, type Lease } from '../../src/runtime/mod.ts';
import { CARD_SALE_AT_MS, matchPerformances, matchSpec, seasonCardProduct, SEASON_CARD, SINGLE_SALE_AT_MS } from '../../src/sim/season-setup.ts';
import { commandsCounted, labelled, parseExposition, samplesOf, valueOf, type Exposition } from './exposition.ts';
import { confirm, hold, idPerShard, miss, open, stall, T0 } from '../runtime/helpers.ts';

interface Rig { engine: Engine; metrics: EngineMetrics; server: MetricsServer; errors: string[]; owned: Set<number> }
const rigs: Rig[] = [];

/** As engine/src/cli/serve.ts does it, minus NATS. */
async function startRig(opts: Partial<EngineOptions> = {}): Promise<Rig> {
  const metrics = createEngineMetrics();
  const owned = new Set<number>();
  const errors: string[] = [];
  const leases = { leaseChanged: (shard: number, isOwned: boolean) => { if (isOwned) owned.add(shard); else owned.delete(shard); } };
  const engine = await Engine.start({ bus: new EmbeddedBus(), workers: 2, shards: 4, observer: combineObservers(metrics.observer, leases), onError: (e) => errors.push(e.message), ...opts });
  metrics.attach(engine);
  const server = await startMetricsServer({ registry: metrics.registry, port: 0 });
  await Promise.all(Array.from({ length: engine.shards }, (_, s) => engine.whenServing(s)));
  const rig = { engine, metrics, server, errors, owned };
  rigs.push(rig);
  return rig;
}

afterEach(async () => {
  for (const rig of rigs.splice(0)) {
    await rig.server.close();
    rig.metrics.detach();
    await rig.engine.stop();
  }
});

async function scrape(rig: Rig): Promise<Exposition> {
  const response = await fetch(rig.server.url);
  expect(response.status).toBe(200);
  return parseExposition(await response.text());
}

const outcome = (r: Result): string => (r.ok ? 'OK' : r.name);
const total = (x: Exposition, name: string, labels: Record<string, string> = {}) => samplesOf(x, name, labels).reduce((s, v) => s + v.value, 0);

/** An embedded bus whose appends wait, while `holding` is set, until the test acknowledges them (landNext). */
class HoldingBus extends EmbeddedBus {
  holding = false;
  private readonly held: { shard: number; lease: Lease; bytes: Uint8Array; resolve: (seq: number) => void }[] = [];
  get waiting(): number {
    return this.held.length;
  }
  override append(shard: number, lease: Lease, bytes: Uint8Array): Promise<number> {
    if (!this.holding) return super.append(shard, lease, bytes);
    return new Promise((resolve) => this.held.push({ shard, lease, bytes, resolve }));
  }
  /** Acknowledges the oldest held append; when this resolves, the engine has handled the acknowledgement (no worker has answered since). */
  async landNext(): Promise<void> {
    const next = this.held.shift();
    if (next === undefined) throw new Error('no append is held');
    next.resolve(await super.append(next.shard, next.lease, next.bytes));
  }
}

/** A shard's three router-side counts in one scrape. */
function lags(x: Exposition, shard: string): { mailbox?: number; journal?: number; apply?: number } {
  return {
    mailbox: valueOf(x, 'onsale_mailbox_depth', { shard }),
    journal: valueOf(x, 'onsale_journal_lag_commands', { shard }),
    apply: valueOf(x, 'onsale_apply_lag_commands', { shard }),
  };
}

/** Every shard's journal lag and apply lag add up to its mailbox depth (the three are read in the same turn). */
function expectLagsAddUp(x: Exposition, shards: number): void {
  for (let s = 0; s < shards; s++) {
    const { mailbox, journal, apply } = lags(x, String(s));
    expect(journal! + apply!, `shard ${s}: journal lag ${journal} + apply lag ${apply} vs mailbox depth ${mailbox}`).toBe(mailbox);
  }
}

const workerLagNames = ['onsale_worker_eventloop_lag_p50_seconds', 'onsale_worker_eventloop_lag_p99_seconds', 'onsale_worker_eventloop_lag_max_seconds'] as const;

/** Each worker's p50, p99 and max, by worker label. */
function workerLags(x: Exposition): Record<string, number[]> {
  const byWorker: Record<string, number[]> = {};
  for (const name of workerLagNames) for (const s of samplesOf(x, name)) (byWorker[s.labels.worker] ??= []).push(s.value);
  return byWorker;
}

describe('metrics on a served engine (2 workers)', () => {
  it('counts by type and code, in seconds, from both workers; seats add up to capacity; mailboxes back to 0', async () => {
    const rig = await startRig({ runtime: { mailboxMax: 16 } });
    const { engine } = rig;
    const pids = idPerShard('RV', 4);
    const seen: string[] = [];
    const submit = async (pid: string, c: EngineCommand, t: number) => {
      const r = outcome(await engine.submit(pid, c, t));
      seen.push(`${c.type} ${r}`);
      return r;
    };
    for (const pid of pids) expect(await submit(pid, open(pid), T0)).toBe('OK');
    expect(await submit(pids[0], hold('h1', 'b1', [stall('A', 1), stall('A', 2)]), T0 + 1)).toBe('OK');
    expect(await submit(pids[0], confirm('c1', 'h1', 'b1'), T0 + 2)).toBe('OK');
    expect(await submit(pids[0], hold('h2', 'b2', [stall('A', 1)]), T0 + 3)).toBe('SEAT_NOT_AVAILABLE');
    expect(await submit(pids[3], hold('h3', 'b3', [stall('B', 1), stall('B', 2), stall('B', 3)]), T0 + 4)).toBe('OK');
    const burst = await Promise.all(Array.from({ length: 40 }, (_, i) => submit(pids[1], { type: 'tick', commandId: `t${i}` } as EngineCommand, T0 + 5)));
    expect(burst.filter((r) => r === 'OVERLOADED').length).toBe(24);
    await engine.drain();
    await engine.snapshotAll();
    const x = await scrape(rig);
    const expected: Record<string, number> = {};
    for (const s of seen) expected[s] = (expected[s] ?? 0) + 1;
    expect(commandsCounted(x)).toEqual(expected);
    // Histograms in seconds: a command on an idle machine takes well under a second.
    const count = valueOf(x, 'onsale_command_duration_seconds_count')!;
    expect(count).toBe(seen.length - 24);
    expect(valueOf(x, 'onsale_command_duration_seconds_sum')! / count).toBeLessThan(0.5);
    expect(valueOf(x, 'onsale_journal_append_duration_seconds_sum')! / valueOf(x, 'onsale_journal_append_duration_seconds_count')!).toBeLessThan(0.5);
    expect(valueOf(x, 'onsale_snapshot_duration_seconds_count')).toBe(4);
    // Both workers' shards reported, one actor each.
    expect(samplesOf(x, 'onsale_actors_resident').map((s) => [s.labels.shard, s.value]).sort()).toEqual([['0', 1], ['1', 1], ['2', 1], ['3', 1]]);
    for (const pid of pids) expect(total(x, 'onsale_seats', { performance: pid })).toBe(900);
    expect(valueOf(x, 'onsale_seats', { performance: pids[0], state: 'sold' })).toBe(2);
    expect(valueOf(x, 'onsale_seats', { performance: pids[3], state: 'held' })).toBe(3);
    for (const shard of ['0', '1', '2', '3']) expect(lags(x, shard)).toEqual({ mailbox: 0, journal: 0, apply: 0 });
    // Both workers' own series.
    expect(Object.keys(workerLags(x)).sort()).toEqual(['0', '1']);
    // Every family has HELP and TYPE; counters end in _total.
    for (const [name, type] of x.types) if (name.startsWith('onsale_') && type === 'counter') expect(name).toMatch(/_total$/);
  });

  it('commands refused at the door as malformed (COMMAND_INVALID) are counted', async () => {
    const rig = await startRig();
    const [pid] = idPerShard('RV', 4);
    // No commandId: envelopeRefusal() answers at the door.
    const a = await rig.engine.submit(pid, { type: 'holdSeats', buyerId: 'b', channel: 'web', seats: [] } as unknown as EngineCommand);
    // A performanceId that is not a string: refused at the door too.
    const b = await rig.engine.submit(42 as unknown as string, { type: 'tick', commandId: 'x' } as EngineCommand);
    // Not an object at all.
    const c = await rig.engine.submit(pid, null as unknown as EngineCommand);
    expect([a, b, c].map(outcome)).toEqual(['COMMAND_INVALID', 'COMMAND_INVALID', 'COMMAND_INVALID']);
    const x = await scrape(rig);
    // The help text promises every answered command, refusals at the door included.
    expect(total(x, 'onsale_commands_total', { code: 'COMMAND_INVALID' })).toBe(3);
  });

  it('a saga command counts once, with the final answer its client got; its steps count apart', async () => {
    const rig = await startRig();
    const { engine } = rig;
    const layout = (() => {
      const r = compileLayout(stadiumLayout());
      if (!r.ok) throw new Error(r.message);
      return r.layout;
    })();
    const seat = (n: number) => layout.seatIds[n];
    const matches = matchPerformances(4);
    for (const p of matches) {
      expect(outcome(await engine.submit(p.performanceId, { type: 'openPerformance', commandId: `${p.performanceId}-open`, venue: 'stadium', spec: matchSpec(p.performanceId, p.endsAtMs) } as EngineCommand, CARD_SALE_AT_MS - 10_000))).toBe('OK');
    }
    expect(outcome(await engine.submit(SEASON_CARD, seasonCardProduct('create-card', matches), CARD_SALE_AT_MS - 5_000))).toBe('OK');
    // Seat 7 on the last match is taken by a single ticket: a card with seat 7 cannot be sold.
    expect(outcome(await engine.submit(matches[3].performanceId, { type: 'holdSeats', commandId: 'single', buyerId: 'x', channel: 'box', seats: [seat(7)] } as EngineCommand, SINGLE_SALE_AT_MS))).toBe('OK');
    const answer = await engine.submit(SEASON_CARD, { type: 'buyProduct', commandId: 'card-7', buyerId: 'buyer7', seats: [seat(7)] } as EngineCommand, SINGLE_SALE_AT_MS);
    expect(outcome(answer)).toBe('SEAT_NOT_AVAILABLE');
    await engine.drain();
    const x = await scrape(rig);
    const byCode = commandsCounted(x);
    expect(Object.fromEntries(Object.entries(byCode).filter(([k]) => k.startsWith('buyProduct')))).toEqual({ 'buyProduct SEAT_NOT_AVAILABLE': 1 });
    // Only client commands are in onsale_commands_total (and timed): the 4 opens, the product,
    // the single hold and the card.
    expect(Object.values(byCode).reduce((a, b) => a + b, 0)).toBe(7);
    expect(valueOf(x, 'onsale_command_duration_seconds_count')).toBe(7);
    // The sagas' steps: the product linked to each match; the card's couriers (one per match,
    // domain/products/couriers.ts) open their sessions, then carry its holds (the last refused)
    // and the releases of the three it got, a batch each; a report of each back to the coordinator.
    const steps = labelled(x, 'onsale_saga_steps_total', 'type', 'code');
    expect(steps['linkProduct OK']).toBe(4);
    expect(steps['openSession OK']).toBe(4);
    expect(steps['commandBatch OK']).toBe(7);
    expect(steps['stepResult OK']).toBe(15);
    // What the batches carried, by record.
    expect(labelled(x, 'onsale_batch_records_total', 'op', 'code')).toEqual({ 'holdSeatsNamed OK': 3, 'holdSeatsNamed SEAT_NOT_AVAILABLE': 1, 'releaseHoldNamed OK': 3 });
  });

  it('after a worker dies on the embedded bus, its shards read onsale_shard_owned 0 and their series go', async () => {
    const rig = await startRig();
    const { engine } = rig;
    const pids = idPerShard('RV', 4);
    for (const pid of pids) expect(outcome(await engine.submit(pid, open(pid), T0))).toBe('OK');
    await engine.snapshotAll();
    await (engine as unknown as { pool: { threads: { terminate(): Promise<number> }[] } }).pool.threads[0].terminate();
    for (let i = 0; i < 500 && !rig.errors.some((e) => /died/.test(e)); i++) await new Promise((r) => setTimeout(r, 10));
    // Worker 0 hosted shards 0 and 2: they are down, refused SHARD_UNAVAILABLE, and their leases handed back.
    expect(engine.ownedShards()).toEqual([1, 3]);
    expect(outcome(await engine.submit(pids[0], hold('late', 'b', [stall('A', 9)]), T0 + 1))).toBe('SHARD_UNAVAILABLE');
    const x = await scrape(rig);
    // What does hold: the dead worker's shards have no stats series any more; the living worker's do.
    expect(samplesOf(x, 'onsale_actors_resident').map((s) => s.labels.shard).sort()).toEqual(['1', '3']);
    expect(samplesOf(x, 'onsale_seats').map((s) => s.labels.performance).filter((p) => p === pids[0] || p === pids[2])).toEqual([]);
    // Nor has the dead worker an event loop to report.
    for (const name of workerLagNames) expect(samplesOf(x, name).map((s) => s.labels.worker), name).toEqual(['1']);
    expect(valueOf(x, 'onsale_metrics_stats_failures_total')).toBe(0);
    expect(valueOf(x, 'onsale_mailbox_depth', { shard: '0' })).toBe(0);
    // "Shards owned" shows the loss (it read 4 of 4 before session 12).
    expect([0, 1, 2, 3].map((s) => valueOf(x, 'onsale_shard_owned', { shard: String(s) }))).toEqual([0, 1, 0, 1]);
  });

  it('each worker\'s event-loop lag: one series per worker, sampled every millisecond, read afresh at each scrape', async () => {
    const rig = await startRig();
    for (const pid of idPerShard('EL', 4)) expect(outcome(await rig.engine.submit(pid, open(pid), T0))).toBe('OK');
    await new Promise((r) => setTimeout(r, 200));
    for (const round of ['after 200 ms', 'at once again']) {
      const x = await scrape(rig);
      for (const name of workerLagNames) expect(x.types.get(name), name).toBe('gauge');
      const byWorker = workerLags(x);
      expect(Object.keys(byWorker).sort(), round).toEqual(['0', '1']);
      for (const [worker, [p50, p99, max]] of Object.entries(byWorker)) {
        const where = `${round}, worker ${worker}: p50 ${p50}, p99 ${p99}, max ${max}`;
        expect([p50, p99, max].every((v) => Number.isFinite(v) && v >= 0), where).toBe(true);
        expect(p50 <= p99 && p99 <= max, where).toBe(true);
        // 200 ms of an idle loop: about 200 readings of about 1 ms each (the interval included);
        // sampled every 10 ms (prom-client's default), none would be under 10 ms. The reading at
        // once after covers only the scrape between, so it may hold no sample at all (0).
        if (round === 'after 200 ms') {
          expect(p50, where).toBeGreaterThan(0);
          expect(p50, where).toBeLessThan(0.01);
        }
      }
    }
  });

  it('journal lag counts the commands the journal has not acknowledged, apply lag those journaled and not yet applied; together the mailbox depth', async () => {
    const bus = new HoldingBus();
    const rig = await startRig({ bus });
    const { engine, metrics } = rig;
    const pid = idPerShard('JL', 4)[1];
    expect(outcome(await engine.submit(pid, open(pid), T0))).toBe('OK');
    bus.holding = true;
    // Five commands leave as one batch, whose append the bus holds; three more queue behind it.
    const first = Array.from({ length: 5 }, (_, i) => engine.submit(pid, miss(`a${i}`), T0 + 1));
    engine.flushAll();
    const second = Array.from({ length: 3 }, (_, i) => engine.submit(pid, miss(`b${i}`), T0 + 2));
    engine.flushAll();
    expect(bus.waiting).toBe(1);
    let x = await scrape(rig);
    expect(lags(x, '1')).toEqual({ mailbox: 8, journal: 8, apply: 0 });
    expectLagsAddUp(x, 4);
    // The first append acknowledged: its five are handed to the worker and the three leave as the
    // next batch, held in turn. Read in this same turn, before the worker can answer.
    await bus.landNext();
    x = parseExposition(await metrics.registry.metrics());
    expect(lags(x, '1')).toEqual({ mailbox: 8, journal: 3, apply: 5 });
    expectLagsAddUp(x, 4);
    // The five applied and answered: only the unacknowledged three are left.
    expect((await Promise.all(first)).map(outcome)).toEqual(Array(5).fill('HOLD_NOT_FOUND'));
    x = await scrape(rig);
    expect(lags(x, '1')).toEqual({ mailbox: 3, journal: 3, apply: 0 });
    expectLagsAddUp(x, 4);
    bus.holding = false;
    await bus.landNext();
    expect((await Promise.all(second)).map(outcome)).toEqual(Array(3).fill('HOLD_NOT_FOUND'));
    x = await scrape(rig);
    for (const shard of ['0', '1', '2', '3']) expect(lags(x, shard)).toEqual({ mailbox: 0, journal: 0, apply: 0 });
  });

  it('journal lag + apply lag = mailbox depth in every scrape of a busy engine', async () => {
    const rig = await startRig();
    const { engine } = rig;
    const pids = idPerShard('JB', 4);
    for (const pid of pids) expect(outcome(await engine.submit(pid, open(pid), T0))).toBe('OK');
    const answers: Promise<Result>[] = [];
    let busy = 0;
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 400; i++) answers.push(engine.submit(pids[i % 4], miss(`m${round}-${i}`), T0 + 1 + round));
      // Over HTTP (the commands move meanwhile), or in this same turn (the 400 still count).
      const x = round % 2 === 0 ? await scrape(rig) : parseExposition(await rig.metrics.registry.metrics());
      expectLagsAddUp(x, 4);
      busy += total(x, 'onsale_mailbox_depth');
    }
    expect(busy).toBeGreaterThan(0);
    await Promise.all(answers);
  });

  it('a shard no longer served exports no snapshot size', async () => {
    const rig = await startRig();
    const { engine } = rig;
    for (const pid of idPerShard('RV', 4)) expect(outcome(await engine.submit(pid, open(pid), T0))).toBe('OK');
    await engine.snapshotAll();
    await (engine as unknown as { pool: { threads: { terminate(): Promise<number> }[] } }).pool.threads[0].terminate();
    for (let i = 0; i < 500 && !rig.errors.some((e) => /died/.test(e)); i++) await new Promise((r) => setTimeout(r, 10));
    expect(engine.ownedShards()).toEqual([1, 3]);
    const x = await scrape(rig);
    expect(samplesOf(x, 'onsale_snapshot_size_bytes').map((s) => s.labels.shard).sort()).toEqual(['1', '3']);
  });
});
