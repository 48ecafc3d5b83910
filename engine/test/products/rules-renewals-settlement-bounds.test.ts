// Product rules no other test failed without, found by manual mutation testing of the products
// (one small change per rule; each test here fails with its change). Renewals, settlement, retries and bounds.
import { describe, expect, it } from 'vitest';
import {
  executeProduct, isPending, performanceEntries, productEntries, productLimits, productReport,
  type Holding, type ProductCommand, type RenewalTerms, type Result,
} from '../../src/domain/mod.ts';
import {
  DAY, FIRST, SALE, World, buy, exchange, expectCode, hallLayout, holding, play, productDef, refusal, renew, schedule,
} from '../products/helpers.ts';

const hall = hallLayout();
const games = schedule(['G1', 'G2', 'G3']);
const FROM = SALE;
const UNTIL = SALE + 3 * DAY;
const SINGLE_DURING = SALE + DAY;

describe('renewals', () => {
  it('a renewal refused on every performance leaves the holder free to renew again (not RENEWAL_DONE)', () => {
    // Two seats for a holder each performance caps at one ticket per buyer: every hold is
    // refused, nothing to undo.
    const terms: RenewalTerms = {
      fromProductId: 'OLD', windowStartMs: FROM, windowEndMs: UNTIL, ticketTypes: { card: 'renewal' },
      holders: [{ holdingId: 'H-ann', buyerId: 'ann', seats: ['A-1-1', 'A-1-2'], ticketType: 'card' }],
    };
    const w = new World().add(games, hall, { singleAt: SINGLE_DURING, maxTicketsPerBuyer: 1 });
    expectCode(w.product('CARD', productDef('CARD', 'seasonCard', games, { saleStartMs: UNTIL, renewal: terms }), 0), 'OK');
    play(w, [
      { at: FROM, product: 'CARD', cmd: renew('H-ann', 'ann'), expect: 'BUYER_TICKET_LIMIT', unchanged: true },
      { at: FROM + 1, product: 'CARD', cmd: renew('H-ann', 'ann'), expect: 'BUYER_TICKET_LIMIT', unchanged: true, why: 'she has not renewed: the same refusal, not RENEWAL_DONE' },
    ]);
    expect(productReport(w.prod('CARD')).renewal).toMatchObject({ holders: 1, renewed: 0 });
  });

  it('refuses at creation a renewal that maps to a ticket type the performances do not have, and a sale channel they do not have', () => {
    const terms: RenewalTerms = {
      fromProductId: 'OLD', windowStartMs: FROM, windowEndMs: UNTIL, ticketTypes: { card: 'renewal', vip: 'gold' },
      holders: [{ holdingId: 'H-ann', buyerId: 'ann', seats: ['A-1-1'], ticketType: 'card' }],
    };
    const w = new World().add(games, hall, { singleAt: SINGLE_DURING });
    const refused = w.product('CARD', productDef('CARD', 'seasonCard', games, { saleStartMs: UNTIL, renewal: terms }), 0);
    expectCode(refused, 'TICKET_TYPE_UNKNOWN');
    // The product's own type first, then the mapping's in order: 'gold' is the third.
    expect(refusal(refused).field).toBe('G1:ticketTypes[2]');
    expect(w.prod('CARD').status).toBe('refused');
    for (const g of games) expect(w.perf(g.performanceId).products.size).toBe(0);
    const other = w.product('BOXLESS', productDef('BOXLESS', 'seasonCard', games, { channel: 'kiosk' }), 0);
    expectCode(other, 'CHANNEL_UNKNOWN');
    expect(refusal(other).field).toBe('G1:channel');
    for (const g of games) expect(w.perf(g.performanceId).products.size).toBe(0);
  });
});

describe('settlement', () => {
  it('pays an exchanged-in performance of the production (outside the product) after it ends, with afterEach', () => {
    const shows = schedule(['S1', 'S2', 'S3'], FIRST, 7 * DAY);
    const extra = schedule(['X1'], FIRST + 3 * DAY)[0];
    const w = new World().add([...shows, extra], hall);
    expectCode(w.product('PM', productDef('PM', 'pickMix', shows, { min: 2, max: 2, payout: 'afterEach', exchangeable: [extra] }), 0), 'OK');
    const h = holding(w.product('PM', buy('ann', { picks: ['S1', 'S2'] }), SALE));
    expectCode(w.product('PM', exchange(h.holdingId, 'ann', 'S2', 'X1'), SALE + 1), 'OK');
    const entries = productEntries(w.prod('PM'));
    // The sale's two shares, the reversal of S2's and X1's booking, each at its performance's end.
    expect(entries.map((e) => [e.performanceId, e.payableAtMs])).toEqual([['S1', shows[0].endsAtMs], ['S2', shows[1].endsAtMs], ['S2', shows[1].endsAtMs], ['X1', extra.endsAtMs]]);
    expect(entries[1].amountMinor + entries[2].amountMinor).toBe(0);
  });

  it('counts a single-ticket revenue of one minor unit', () => {
    const entries = performanceEntries([{ performanceId: 'P1', organizerId: 'ORG', singleSalesMinor: 1, resales: [] }]);
    expect(entries.map((e) => [e.kind, e.amountMinor])).toEqual([['singleSales', 1]]);
  });
});

describe('retries and bounds', () => {
  it(`answers a retried sale from the older generation of its memory (after ${productLimits.finishedRememberedMax} more outcomes)`, () => {
    const w = new World().add(games, hall);
    expectCode(w.product('CARD', productDef('CARD', 'seasonCard', games), 0), 'OK');
    const first = { type: 'buyProduct', commandId: 'first', buyerId: 'ann', seats: ['A-1-1'] } as ProductCommand;
    const sold = holding(w.local.product('CARD', first, SALE));
    const s = w.prod('CARD');
    // As many remembered refusals as a generation holds: the sale moves to the older one.
    for (let i = 0; i < productLimits.finishedRememberedMax; i++) {
      const r = executeProduct(s, { type: 'buyProduct', commandId: `r${i}`, buyerId: 'bob', quantity: 99 } as ProductCommand, SALE).result as Result;
      if (i === 0) expectCode(r, 'PRODUCT_QUANTITY_INVALID');
    }
    expect(s.finished.has('first')).toBe(false);
    const again = executeProduct(s, first, SALE + 1);
    expect(isPending(again.result)).toBe(false);
    expect(again.result).toMatchObject({ ok: true, holdingId: sold.holdingId, seats: ['A-1-1'] });
    expect(again.out).toEqual([]);
    expect(s.holdings.size).toBe(1);
  });

  it(`refuses a purchase once the product has ${productLimits.holdingsPerProductMax} holdings (not remembered)`, () => {
    const w = new World().add(games, hall);
    expectCode(w.product('CARD', productDef('CARD', 'seasonCard', games), 0), 'OK');
    const s = w.prod('CARD');
    const h = s.holdings;
    // Filled by hand: selling half a million cards is not needed to reach the bound.
    const stub = { holdingId: 'stub' } as Holding;
    for (let i = 0; i < productLimits.holdingsPerProductMax; i++) h.set(`stub-${i}`, stub);
    const cmd = { type: 'buyProduct', commandId: 'b1', buyerId: 'ann', seats: ['A-1-1'] } as ProductCommand;
    const out = executeProduct(s, cmd, SALE);
    expectCode(out.result as Result, 'HOLDINGS_LIMIT_REACHED');
    expect(out.out).toEqual([]);
    expect(s.finished.has('b1')).toBe(false);
  });

  it(`refuses a product of more than ${productLimits.performancesPerProductMax} performances`, () => {
    const many = schedule(Array.from({ length: productLimits.performancesPerProductMax + 1 }, (_, i) => `P${i + 1}`), FIRST, 4 * 3_600_000);
    const w = new World();
    play(w, [{ at: 0, product: 'MANY', cmd: productDef('MANY', 'series', many), expect: 'PRODUCT_INVALID', field: 'performances', unchanged: true }]);
  });
});
