// A holding's refund (refundHolding, PRODUCTS.md "Refunds") through the runtime: routed to its
// coordinator like any product command, its voids journaled steps; an engine restarted on the
// same journal replays it to the same coordinator and performances, and answers its retry.
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/runtime/mod.ts';
import { CARD_SALE_AT_MS, SEASON_CARD } from '../../src/sim/season-setup.ts';
import { EmbeddedBus } from '../../src/runtime/mod.ts';
import { buy, matches, seat, setUp } from './season-fixture.ts';
import { engines, expectCode, expectOk, tickets } from './helpers.ts';

const { start, stop } = engines();

/** What a replay must give back: the coordinator's state hash, holdings and ledger, every performance's tickets. */
async function books(engine: Engine): Promise<unknown> {
  return {
    hash: await engine.query(SEASON_CARD, 'stateHash'),
    holdings: await engine.query(SEASON_CARD, 'holdings'),
    ledger: await engine.query(SEASON_CARD, 'productLedger'),
    tickets: await Promise.all(matches.map((p) => tickets(engine, p.performanceId))),
  };
}

describe('refundHolding in the runtime', () => {
  it('refunds through the router, and a restart on the journal replays it to the same state', async () => {
    const bus = new EmbeddedBus({ keepJournal: true });
    const first = await start({ workers: 1, shards: 2, bus });
    await setUp(first);
    const bought = await first.submit(SEASON_CARD, buy('b1', 'alice', [seat(60)]), CARD_SALE_AT_MS);
    expectOk(bought);
    const card = bought as unknown as { holdingId: string; totalMinor: number };
    expectOk(await first.submit(SEASON_CARD, buy('b2', 'bob', [seat(61)]), CARD_SALE_AT_MS));
    const refund = { type: 'refundHolding', commandId: 'r1', holdingId: card.holdingId, reason: 'moved away' } as const;
    const done = await first.submit(SEASON_CARD, refund, CARD_SALE_AT_MS + 1);
    expect(done).toMatchObject({ ok: true, holdingId: card.holdingId, refundedMinor: card.totalMinor, performances: matches.map((p) => p.performanceId), kept: [] });
    const rows = (await Promise.all(matches.map((p) => tickets(first, p.performanceId)))).flat();
    expect(rows.filter((t) => t.holdingId === card.holdingId).map((t) => t.status)).toEqual(matches.map(() => 'void'));
    expect(((await first.query(SEASON_CARD, 'holdings')) as { holdingId: string }[]).map((h) => h.holdingId)).toEqual([`${SEASON_CARD}-H2`]);
    const before = await books(first);
    await stop(first);
    const second = await start({ workers: 1, shards: 2, bus });
    expect(await books(second)).toEqual(before);
    expect(await second.submit(SEASON_CARD, refund, CARD_SALE_AT_MS + 2)).toEqual(done);
    expectCode(await second.submit(SEASON_CARD, { ...refund, commandId: 'r2' }, CARD_SALE_AT_MS + 2), 'HOLDING_NOT_REFUNDABLE');
    // The seat sells again as a card.
    expectOk(await second.submit(SEASON_CARD, buy('b3', 'cy', [seat(60)]), CARD_SALE_AT_MS + 3));
  });
});
