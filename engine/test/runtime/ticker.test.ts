// The engine's ticker (tickEveryMs): time moves for a performance that gets no command. Its
// expired holds give their seats back and its quotas due to close return their stock, at the
// engine's clock, through the journal, so a replay of that journal ends in the same state.
import { describe, expect, it } from 'vitest';
import { EmbeddedBus, type Engine } from '../../src/runtime/mod.ts';
import { LAST_SEASON_CARD, RENEWAL_FROM_MS, RENEWAL_UNTIL_MS, SEASON_CARD, matchSpec, seasonCardProduct } from '../../src/sim/season-setup.ts';
import { engines, expectOk, hold, idPerShard, open, seatCounts, stall, stateHash, T0 } from './helpers.ts';
import { matches, seat } from './season-fixture.ts';

const { start, stop } = engines();
const shards = 2;
/** specFor's hold time to live. */
const ttlMs = 60_000;

/** Resolves once `check` holds, polling; fails after `ms`. */
async function eventually(check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function setUp(engine: Engine, pid: string, at: number): Promise<void> {
  expectOk(await engine.submit(pid, open(pid), at));
  expectOk(await engine.submit(pid, hold(`${pid}-h1`, 'ann', [stall('A', 1), stall('A', 2)]), at));
  expectOk(await engine.submit(pid, { type: 'createQuota', commandId: `${pid}-q`, quotaId: 'partner', channels: ['web'], policy: 'onlyQuota', seats: [stall('B', 1)], closesAtMs: at + 2 * ttlMs }, at));
}

describe('runtime - the ticker', () => {
  it('expires holds and closes quotas on idle performances as the engine\'s clock passes their times', async () => {
    let now = T0;
    const bus = new EmbeddedBus({ keepJournal: true });
    const engine = await start({ shards, bus, clock: () => now, tickEveryMs: 5 });
    const [a, b] = idPerShard('TICK', shards);
    await setUp(engine, a, now);
    await setUp(engine, b, now);
    const quotaOf = async (pid: string) => ((await engine.query(pid, 'availability')) as { quotas: { capacity: number }[] }).quotas[0].capacity;
    expect((await seatCounts(engine, a)).held).toBe(2);

    now = T0 + ttlMs;
    // No command reaches either performance: the ticks do.
    await eventually(async () => (await seatCounts(engine, a)).held === 0 && (await seatCounts(engine, b)).held === 0);
    expect(await quotaOf(a), 'the quota is not due yet').toBe(1);
    now = T0 + 2 * ttlMs;
    await eventually(async () => (await quotaOf(a)) === 0 && (await quotaOf(b)) === 0);

    // Nothing is due any more: the ticker sends ticks, and the performances stay as they are.
    const hashes = [await stateHash(engine, a), await stateHash(engine, b)];
    now += 10 * ttlMs;
    await new Promise((r) => setTimeout(r, 50));
    expect([await stateHash(engine, a), await stateHash(engine, b)]).toEqual(hashes);

    // The ticks are journaled: an engine recovered from the journal alone ends the same.
    await stop(engine);
    const again = await start({ shards, bus });
    expect([await stateHash(again, a), await stateHash(again, b)]).toEqual(hashes);
  });

  // Found in session 19: the ticker ticked performances only, so a product's summary showed its
  // renewal open after the window's end (its reservations on the performances had closed) until
  // the next command reached the coordinator.
  it('closes a product\'s renewal at the window\'s end with no command sent to the product', async () => {
    let now = RENEWAL_FROM_MS - 10_000;
    const bus = new EmbeddedBus({ keepJournal: true });
    const engine = await start({ shards, bus, clock: () => now, tickEveryMs: 5 });
    for (const p of matches) expectOk(await engine.submit(p.performanceId, { type: 'openPerformance', commandId: `${p.performanceId}-open`, venue: 'stadium', spec: matchSpec(p.performanceId, p.endsAtMs) }, now));
    const renewal = {
      fromProductId: LAST_SEASON_CARD, windowStartMs: RENEWAL_FROM_MS, windowEndMs: RENEWAL_UNTIL_MS, ticketTypes: { card: 'card-renewal' },
      holders: [{ holdingId: 'OLD-1', buyerId: 'ann', seats: [seat(10)], ticketType: 'card' }, { holdingId: 'OLD-2', buyerId: 'bob', seats: [seat(11)], ticketType: 'card' }],
    };
    expectOk(await engine.submit(SEASON_CARD, seasonCardProduct('create-card', matches, renewal), now));
    now = RENEWAL_FROM_MS;
    expectOk(await engine.submit(SEASON_CARD, { type: 'renewHolding', commandId: 'renew-ann', previousHoldingId: 'OLD-1', buyerId: 'ann' }, now));
    const renewalOf = async () => ((await engine.query(SEASON_CARD, 'productReport')) as { renewal: { closed: boolean } | null }).renewal;
    const soldOn = async (n: number) => (await seatCounts(engine, matches[n].performanceId)).sold;
    expect(await renewalOf()).toMatchObject({ closed: false });
    now = RENEWAL_UNTIL_MS - 1;
    await new Promise((r) => setTimeout(r, 30));
    expect(await renewalOf(), 'not before the end').toMatchObject({ closed: false });
    now = RENEWAL_UNTIL_MS;
    await eventually(async () => (await renewalOf())?.closed === true);
    // The reservations closed on the performances too: bob's unrenewed seat is on sale.
    await eventually(async () => ((await engine.query(matches[0].performanceId, 'availability')) as { quotas: { capacity: number }[] }).quotas.every((q) => q.capacity === 1));
    expect(await soldOn(0)).toBe(1);
    // Who renewed and whose seats went back on sale, as the renewalStatus query lists them.
    const holders = ((await engine.query(SEASON_CARD, 'renewalStatus')) as { holders: { holdingId: string; status: string }[] }).holders;
    expect(holders.map((h) => [h.holdingId, h.status])).toEqual([['OLD-1', 'renewed'], ['OLD-2', 'released']]);
    const report = await engine.query(SEASON_CARD, 'productReport');
    await stop(engine);
    const again = await start({ shards, bus });
    expect(await again.query(SEASON_CARD, 'productReport'), 'the product\'s ticks are journaled').toEqual(report);
  });

  it('does not tick without tickEveryMs: a caller that passes the time moves it itself', async () => {
    let now = T0;
    const engine = await start({ shards, clock: () => now });
    const [a] = idPerShard('STILL', shards);
    await setUp(engine, a, now);
    now = T0 + 10 * ttlMs;
    await new Promise((r) => setTimeout(r, 50));
    expect((await seatCounts(engine, a)).held).toBe(2);
    expectOk(await engine.submit(a, { type: 'tick', commandId: `${a}-tick` }));
    expect((await seatCounts(engine, a)).held).toBe(0);
  });

  it('refuses a tickEveryMs that is not a time', async () => {
    await expect(start({ shards, tickEveryMs: -1 })).rejects.toThrow(/tickEveryMs/);
  });
});
