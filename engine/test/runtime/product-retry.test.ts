// A late retry of a purchase, after the coordinator's own memory of outcomes has let go of it
// (two generations of productLimits.finishedRememberedMax purchases and refusals): the shard
// keeps the ids a coordinator lets go of, as it keeps a performance's (recent.ts), and answers
// COMMAND_ALREADY_APPLIED for the length of its window. Before, the retry started a new saga
// and sold and charged a second card.
import { describe, expect, it } from 'vitest';
import { productLimits, type Result } from '../../src/domain/mod.ts';
import { Shard, VenueCatalog, type ShardOutbox } from '../../src/runtime/mod.ts';
import { CARD_SALE_AT_MS, matchSpec, seasonCardProduct, SEASON_CARD } from '../../src/sim/season-setup.ts';
import { buy, matches, seat } from './season-fixture.ts';
import { expectCode } from './helpers.ts';

/** The router's part played by hand: every step applied on this one shard and its report fed back. */
function drain(shard: Shard): Result[] {
  const done: Result[] = [];
  let outbox: ShardOutbox = shard.takeOutbox();
  for (let rounds = 0; outbox.length > 0 && rounds < 20; rounds++) {
    const next: ShardOutbox = [];
    for (const [productId, nowMs, action] of outbox) {
      if (action.t === 'done') {
        done.push(action.result);
        continue;
      }
      if (action.t !== 'send') continue;
      const result = shard.applyOne(action.to, nowMs, action.command) as Result;
      shard.applyOne(productId, nowMs, { type: 'stepResult', commandId: `${action.command.commandId}>`, saga: action.saga, step: action.step, result });
      next.push(...shard.takeOutbox());
    }
    outbox = next;
  }
  return done;
}

describe('a late retry of a purchase the coordinator has forgotten', () => {
  it('is answered COMMAND_ALREADY_APPLIED by the shard, also after a restore, and sells nothing', () => {
    // A window of ten minutes and room for every id the coordinator lets go of here.
    const config = { shard: 0, venues: new VenueCatalog(), dedupeWindowMs: 600_000, dedupeEntriesMax: 4 * productLimits.finishedRememberedMax };
    const shard = new Shard(config);
    const t = CARD_SALE_AT_MS - 10_000;
    for (const p of matches) shard.applyOne(p.performanceId, t, { type: 'openPerformance', commandId: `${p.performanceId}-open`, venue: 'stadium', spec: matchSpec(p.performanceId, p.endsAtMs) });
    shard.applyOne(SEASON_CARD, t, seasonCardProduct('create', matches));
    drain(shard);
    const first = buy('first', 'ann', [seat(9)]);
    expect(shard.applyOne(SEASON_CARD, CARD_SALE_AT_MS, first)).toMatchObject({ ok: true, pending: true });
    expect(drain(shard)).toMatchObject([{ ok: true, seats: [seat(9)] }]);
    // Refusals are remembered as outcomes too: two generations of them push the sale out.
    const refusals = 2 * productLimits.finishedRememberedMax;
    for (let i = 0; i < refusals; i++) {
      const r = shard.applyOne(SEASON_CARD, CARD_SALE_AT_MS + 1, { type: 'buyProduct', commandId: `r${i}`, buyerId: 'bob', quantity: 99 }) as Result;
      if (i === 0) expectCode(r, 'PRODUCT_QUANTITY_INVALID');
    }
    const holdings = (): unknown => shard.query(SEASON_CARD, 'productReport', null);
    expect(holdings()).toMatchObject({ holdings: 1, sagasInFlight: 0 });
    const retry = (s: Shard): Result => s.applyOne(SEASON_CARD, CARD_SALE_AT_MS + 60_000, first) as Result;
    expectCode(retry(shard), 'COMMAND_ALREADY_APPLIED');
    expect(shard.takeOutbox()).toEqual([]);
    expect(holdings()).toMatchObject({ holdings: 1, sagasInFlight: 0 });
    // A refusal the coordinator still remembers is answered by it, as before.
    const last = { type: 'buyProduct', commandId: `r${refusals - 1}`, buyerId: 'bob', quantity: 99 } as const;
    expectCode(shard.applyOne(SEASON_CARD, CARD_SALE_AT_MS + 60_000, last) as Result, 'PRODUCT_QUANTITY_INVALID');
    // The kept ids are in the shard's snapshot, and a restored coordinator hands its own over again.
    const restored = Shard.restore(config, shard.snapshot());
    expectCode(retry(restored), 'COMMAND_ALREADY_APPLIED');
    expect(restored.takeOutbox()).toEqual([]);
    expect(restored.query(SEASON_CARD, 'productReport', null)).toMatchObject({ holdings: 1, sagasInFlight: 0 });
    for (let i = 0; i < productLimits.finishedRememberedMax; i++) restored.applyOne(SEASON_CARD, CARD_SALE_AT_MS + 60_001, { type: 'buyProduct', commandId: `s${i}`, buyerId: 'bob', quantity: 99 });
    // The generation let go of now is the one it held when restored (its first id below).
    const droppedAfterRestore = `r${productLimits.finishedRememberedMax - 1}`;
    expectCode(restored.applyOne(SEASON_CARD, CARD_SALE_AT_MS + 60_002, { type: 'buyProduct', commandId: droppedAfterRestore, buyerId: 'bob', quantity: 99 }) as Result, 'COMMAND_ALREADY_APPLIED');
  });
});
