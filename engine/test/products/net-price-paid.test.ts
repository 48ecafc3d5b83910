// A holding records what was paid for each performance as the order's net price. An order's
// `totalMinor` is already net of quota discounts (COMMANDS.md; orders.ts adds price - discount
// per ticket); the coordinator once subtracted the discount again, on a purchase and on an
// exchange, so holdings and the settlement ledger's card revenue came out short by it and
// disagreed with the performance's own settlement facts.
import { describe, expect, it } from 'vitest';
import { productEntries, settlementFacts } from '../../src/domain/mod.ts';
import { FIRST, SALE, World, buy, exchange, expectCode, hallLayout, holding, priceOf, productDef, schedule } from '../products/helpers.ts';

const hall = hallLayout();
const games = schedule(['G1', 'G2', 'G3']);

/** A 20 % discount quota of the product (a club contingent) with the seat B-1-1 on each performance. */
function discounted(w: World, productId: string, ids: string[]): void {
  for (const p of ids) {
    expectCode(w.perform(p, { type: 'createQuota', quotaId: 'club', channels: [], policy: 'quotaFirst', productId, discountPct: 20, seats: ['B-1-1'] }, SALE), 'OK');
  }
}

const gross = priceOf(hall, 'sub', 'B');
const net = gross - Math.floor((gross * 20) / 100);

describe('a quota discount is subtracted once from a holding\'s price', () => {
  it('a purchase records the tickets\' net price as paid, as the performance does', () => {
    const w = new World().add(games, hall);
    expectCode(w.product('SER', productDef('SER', 'series', games, { sameSeat: true }), 0), 'OK');
    discounted(w, 'SER', ['G1', 'G2', 'G3']);
    const h = holding(w.product('SER', buy('ann', { seats: ['B-1-1'] }), SALE));
    // What the tickets say was paid.
    for (const g of games) expect(w.valid(g.performanceId, h.holdingId).map((t) => t.priceMinor - t.discountMinor)).toEqual([net]);
    expect(h.performances.map((p) => p.paidMinor)).toEqual([net, net, net]);
    expect(h.totalMinor).toBe(3 * net);
    // The ledger's card revenue per performance agrees with the performance's facts.
    const revenue = productEntries(w.prod('SER')).map((e) => [e.performanceId, e.amountMinor]);
    expect(revenue).toEqual(games.map((g) => [g.performanceId, settlementFacts(w.perf(g.performanceId)).productSalesMinor.SER]));
  });

  it('an exchange records the new ticket\'s net price as paid', () => {
    const shows = schedule(['S1', 'S2', 'S3']);
    const w = new World().add(shows, hall);
    expectCode(w.product('PM', productDef('PM', 'pickMix', shows, { min: 2, max: 2, saleEndMs: FIRST }), 0), 'OK');
    discounted(w, 'PM', ['S3']);
    const h = holding(w.product('PM', buy('ann', { picks: ['S1', 'S2'], filter: { zone: 'A' } }), SALE));
    // Best available on S3 takes the product's quota first: B-1-1 at 20 % off.
    const swapped = holding(w.product('PM', exchange(h.holdingId, 'ann', 'S2', 'S3'), SALE + 1));
    expect(w.valid('S3', h.holdingId).map((t) => [t.seatId, t.priceMinor - t.discountMinor])).toEqual([['B-1-1', net]]);
    expect(swapped.performances.find((p) => p.performanceId === 'S3')?.paidMinor).toBe(net);
  });
});
