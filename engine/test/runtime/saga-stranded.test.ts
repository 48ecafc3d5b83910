// Sagas whose shards die under them. A client waiting for a saga is always answered: with its
// outcome, or SHARD_UNAVAILABLE (retry with the same commandId) when the coordinator's shard
// leaves this process or the saga waits for a shard this process gave up; stop() then ends
// promptly. A step refused for a passing reason no longer holds back the reports of the steps
// routed with it (another product's saga among them). And a client cannot stand in for the
// router: `stepResult` is refused at the door.
import { describe, expect, it } from 'vitest';
import type { Result } from '../../src/domain/mod.ts';
import { EmbeddedBus, shardOf, type Engine, type EngineOptions, type Lease } from '../../src/runtime/mod.ts';
import { CARD_SALE_AT_MS, seasonCardProduct, SEASON_CARD } from '../../src/sim/season-setup.ts';
import { engines, expectCode, expectOk, outcome, within } from './helpers.ts';
import { buy, matches, seat, setUp } from './season-fixture.ts';

const { start, stop } = engines();
const shards = 2;

interface Threads { pool: { threads: { terminate(): Promise<number> }[] } }

const terminate = (engine: Engine, worker: number): Promise<number> => (engine as unknown as Threads).pool.threads[worker].terminate();

/** Ends `worker` and waits until the engine has heard of it. */
async function killed(engine: Engine, errors: string[], worker: number): Promise<void> {
  await terminate(engine, worker);
  for (let i = 0; i < 300 && !errors.some((e) => /died/.test(e)); i++) await new Promise((r) => setTimeout(r, 10));
}

/** The answer came within 5 s, and stop() then takes less than 10 s. */
async function answeredThenStopped(engine: Engine, answer: Promise<Result>): Promise<Result> {
  const result = await within(answer, 5_000);
  expect(result).not.toBe('pending');
  const stopped = Date.now();
  await stop(engine);
  expect(Date.now() - stopped).toBeLessThan(10_000);
  return result as Result;
}

/**
 * Two workers, one shard each (shard s on worker s); `killOnPending` ends that worker the moment
 * a purchase is answered pending (a function: once it names a worker, so that purchases before
 * then finish).
 */
async function season(errors: string[], killOnPending: number | null | (() => number | null) = null, extra: EngineOptions = {}): Promise<Engine> {
  let kill = killOnPending;
  let engine: Engine | null = null;
  engine = await start({
    workers: 2, shards, onError: (e) => errors.push(e.message), ...extra,
    observer: {
      applied: (_shard, batch, results) => {
        const worker = typeof kill === 'function' ? kill() : kill;
        if (worker === null || engine === null || !batch.some((p, i) => p.command.type === 'buyProduct' && (results[i] as { pending?: boolean }).pending === true)) return;
        void terminate(engine, worker);
        kill = null;
      },
    },
  });
  await setUp(engine);
  return engine;
}

const coordinatorShard = shardOf(SEASON_CARD, shards);
const otherShard = 1 - coordinatorShard;

describe('runtime - sagas whose shards die', () => {
  it('answers the client of a saga whose coordinator\'s worker dies (no journal to recover from), and stop() ends', async () => {
    const errors: string[] = [];
    const engine = await season(errors, coordinatorShard);
    expectCode(await answeredThenStopped(engine, engine.submit(SEASON_CARD, buy('cut-1', 'alice', [seat(10)]), CARD_SALE_AT_MS)), 'SHARD_UNAVAILABLE');
  });

  it('answers a purchase that waits for a performance whose worker died, and stop() ends', async () => {
    const errors: string[] = [];
    const engine = await season(errors);
    expect(matches.some((p) => shardOf(p.performanceId, shards) === otherShard)).toBe(true);
    await killed(engine, errors, otherShard);
    const answer = await answeredThenStopped(engine, engine.submit(SEASON_CARD, buy('late-1', 'bob', [seat(11)]), CARD_SALE_AT_MS));
    expect(answer).toMatchObject({ ok: false, name: 'SHARD_UNAVAILABLE', message: expect.stringMatching(/MATCH-\d+.s shard was given up by this process/) });
  });

  it('on a bus that keeps the journal, answers a purchase that waits for a performance given up past the respawn bound, and stop() ends', async () => {
    const errors: string[] = [];
    const engine = await season(errors, null, { bus: new EmbeddedBus({ keepJournal: true }), runtime: { workerRespawnsMax: 0 } });
    await killed(engine, errors, otherShard);
    // The step may be in that shard's journal already: the saga is not compensated, it waits for a
    // restart (pendingSteps), and its client is told to retry then.
    const answer = await answeredThenStopped(engine, engine.submit(SEASON_CARD, buy('parked-1', 'dee', [seat(12)]), CARD_SALE_AT_MS));
    expect(answer).toMatchObject({ ok: false, name: 'SHARD_UNAVAILABLE', message: expect.stringMatching(/retry with the same commandId after a restart/) });
  });

  it('answers a query that waited behind a batch whose worker died from the recovered shard, not from the new worker\'s empty one', async () => {
    class SlowBus extends EmbeddedBus {
      slow = false;
      override async append(shard: number, lease: Lease, bytes: Uint8Array): Promise<number> {
        if (this.slow) await new Promise((r) => setTimeout(r, 300));
        return super.append(shard, lease, bytes);
      }
    }
    const errors: string[] = [];
    const bus = new SlowBus({ keepJournal: true });
    const engine = await season(errors, null, { bus });
    expectOk(await engine.submit(SEASON_CARD, buy('q-1', 'eve', [seat(7)]), CARD_SALE_AT_MS));
    const match = matches[0].performanceId;
    const before = await engine.query(match, 'seatCounts');
    bus.slow = true;
    const cut = engine.submit(match, { type: 'releaseHold', commandId: 'q-miss', holdId: 'nope', buyerId: 'x' }, CARD_SALE_AT_MS + 1);
    engine.flushAll();
    const read = engine.query(match, 'seatCounts');
    await new Promise((r) => setTimeout(r, 20));
    await terminate(engine, shardOf(match, shards));
    expectCode(await cut, 'SHARD_UNAVAILABLE');
    expect(await read).toEqual(before);
    bus.slow = false;
  });

  it('does not hold back another product\'s saga routed with a step that waits for a dead shard', async () => {
    const errors: string[] = [];
    const engine = await season(errors);
    // Product B on the coordinator's shard, selling only the matches of that shard.
    let other = '';
    for (let n = 0; other === ''; n++) if (shardOf(`CARD-B${n}`, shards) === coordinatorShard) other = `CARD-B${n}`;
    const served = matches.filter((p) => shardOf(p.performanceId, shards) === coordinatorShard);
    expectOk(await engine.submit(other, { ...seasonCardProduct('create-B', served), productId: other }, CARD_SALE_AT_MS - 1_000));
    await killed(engine, errors, otherShard);
    // One burst: both coordinators' steps leave in one group.
    const a = engine.submit(SEASON_CARD, buy('a-1', 'ann', [seat(30)]), CARD_SALE_AT_MS);
    const b = engine.submit(other, buy('b-1', 'ben', [seat(31)]), CARD_SALE_AT_MS);
    expect(outcome((await within(b, 5_000)) as Result)).toBe('OK');
    expect(outcome((await within(a, 5_000)) as Result)).toBe('SHARD_UNAVAILABLE');
  });

  it('answers every client of a coordinator whose worker dies and is replaced, and retries get the sagas\' outcomes', async () => {
    const errors: string[] = [];
    let armed = false;
    const engine = await season(errors, () => (armed ? coordinatorShard : null), { bus: new EmbeddedBus({ keepJournal: true }) });
    const purchases = Array.from({ length: 20 }, (_, i) => buy(`r-${i}`, `buyer${i}`, [seat(100 + i)]));
    // Five finish before the death; the worker dies on the first of the others to be answered pending.
    const before = await Promise.all(purchases.slice(0, 5).map((c) => within(engine.submit(SEASON_CARD, c, CARD_SALE_AT_MS), 10_000)));
    expect(before.map((r) => outcome(r as Result))).toEqual(['OK', 'OK', 'OK', 'OK', 'OK']);
    armed = true;
    const first = before.concat(await Promise.all(purchases.slice(5).map((c) => within(engine.submit(SEASON_CARD, c, CARD_SALE_AT_MS), 10_000))));
    // Nobody left waiting: each is answered, with its outcome or SHARD_UNAVAILABLE.
    expect(first.filter((r) => r === 'pending')).toHaveLength(0);
    expect(first.map((r) => outcome(r as Result)).every((c) => c === 'OK' || c === 'SHARD_UNAVAILABLE')).toBe(true);
    expect(first.some((r) => outcome(r as Result) === 'SHARD_UNAVAILABLE')).toBe(true);
    for (let s = 0; s < shards; s++) await engine.whenServing(s);
    const retried = await Promise.all(purchases.map((c) => within(engine.submit(SEASON_CARD, c, CARD_SALE_AT_MS + 1), 10_000)));
    expect(retried.map((r) => outcome(r as Result))).toEqual(purchases.map(() => 'OK'));
    // The purchases answered before the death get the same answer again from the replaced worker
    // (its coordinator recovered from the journal); until session 31 none was answered OK first.
    expect(first.filter((r) => outcome(r as Result) === 'OK').length).toBeGreaterThanOrEqual(5);
    first.forEach((r, i) => { if (outcome(r as Result) === 'OK') expect(retried[i]).toEqual(r); });
  });
});

describe('runtime - the router\'s own commands', () => {
  it('refuses a client\'s stepResult (it would stand in for a performance\'s answer) and applies nothing', async () => {
    const engine = await start({ workers: 1, shards });
    await setUp(engine);
    const forged = { type: 'stepResult', commandId: 'evil-1', saga: 1, step: 0, result: { ok: false, code: 11, name: 'SEAT_NOT_AVAILABLE', field: 'seats[0]', message: 'forged' } } as const;
    expect(await engine.submit(SEASON_CARD, forged as never, CARD_SALE_AT_MS)).toMatchObject({ ok: false, name: 'PRODUCT_STEP_ONLY', field: 'type' });
    expect(outcome(await engine.submit(SEASON_CARD, buy('fine-1', 'cid', [seat(50)]), CARD_SALE_AT_MS))).toBe('OK');
  });
});
