// Product rules no other test failed without, found by manual mutation testing of the products
// (one small change per rule; each test here fails with its change). Linking (DOMAIN §3) and the sale saga (hold on all, confirm on all, or release and void on all).
import { describe, expect, it } from 'vitest';
import { productLimits, productLinks, type Command, type RenewalTerms } from '../../src/domain/mod.ts';
import {
  DAY, FIRST, SALE, World, buy, expectCode, hallLayout, holding, linkLater, play, productDef, refusal, schedule, stepCommands,
} from '../products/helpers.ts';

const hall = hallLayout();
const games = schedule(['G1', 'G2', 'G3']);
/** Performances four hours apart (each three hours long). */
const HOUR_STEP = 4 * 3_600_000;

/** Every ticket (any status) and open hold a product left on the performances. */
function productTraces(w: World, productId: string, ids: string[]): { valid: number; holds: number } {
  let valid = 0;
  let holds = 0;
  for (const p of ids) {
    valid += w.valid(p).filter((t) => t.productId === productId).length;
    holds += w.openHolds(p, productId).length;
  }
  return { valid, holds };
}

describe('linking', () => {
  it('accepts capacities exactly the allowed spread apart (refused only when more than it)', () => {
    // 40 and 36 seats: 10 % of the largest apart, the default allowed spread.
    const wide = hallLayout('hall40', ['A', 'B'], 4, 5);
    const four = [...schedule(['G1', 'G2']), ...schedule(['W1'], FIRST + 2 * DAY)];
    const w = new World().add(four.slice(0, 2), hall).add(four.slice(2), wide);
    play(w, [{ at: 0, product: 'EDGE', cmd: productDef('EDGE', 'seasonCard', four), expect: 'OK', why: 'exactly 10.0 % apart, 10 % allowed' }]);
  });

  it(`links at most ${productLimits.performancesPerProductMax} performances, also later`, () => {
    const n = productLimits.performancesPerProductMax;
    const many = schedule(Array.from({ length: n + 1 }, (_, i) => `P${i + 1}`), FIRST, HOUR_STEP);
    const w = new World().add(many, hall);
    expectCode(w.product('MANY', productDef('MANY', 'series', many.slice(0, n)), 0), 'OK');
    play(w, [{ at: SALE, product: 'MANY', cmd: linkLater(many[n]), expect: 'PRODUCT_INVALID', field: 'performance', unchanged: true }]);
    expect(productLinks(w.perf(many[n].performanceId))).toEqual([]);
  });

  it('a performance linked later gives pick & mix holders nothing there: it is only a new choice for them', () => {
    const shows = schedule(['S1', 'S2', 'S3']);
    const later = schedule(['S4'], FIRST + 3 * DAY)[0];
    const w = new World().add([...shows, later], hall);
    expectCode(w.product('PM', productDef('PM', 'pickMix', shows, { min: 2, max: 2 }), 0), 'OK');
    const h = holding(w.product('PM', buy('ann', { picks: ['S1', 'S2'] }), SALE));
    expect(w.product('PM', linkLater(later), SALE + 1)).toMatchObject({ ok: true, performanceId: 'S4', holders: 0, conflicts: [] });
    expect(w.valid('S4')).toEqual([]);
    expect(w.prod('PM').holdings.get(h.holdingId)?.performanceIds).toEqual(['S1', 'S2']);
    // S4 can now be picked.
    expectCode(w.product('PM', buy('bob', { picks: ['S1', 'S4'] }), SALE + 2), 'OK');
  });

  it('a link refused after one of its quotas was made gives that quota back and unlinks the performance', () => {
    // The product has an allocation and an open renewal: the link makes both quotas on the new
    // performance in one wave. The allocation is made; the reservation is refused (a holder's
    // seat is blocked there). The allocation is given back, then the performance unlinked.
    const FROM = SALE;
    const UNTIL = SALE + 3 * DAY;
    const later = schedule(['G4'], games[2].startsAtMs + DAY)[0];
    const terms: RenewalTerms = {
      fromProductId: 'OLD', windowStartMs: FROM, windowEndMs: UNTIL, ticketTypes: {},
      holders: [{ holdingId: 'H-ann', buyerId: 'ann', seats: ['A-1-4'], ticketType: 'card' }],
    };
    const w = new World().add([...games, later], hall, { singleAt: SALE + DAY });
    expectCode(w.product('CARD', productDef('CARD', 'seasonCard', games, { saleStartMs: UNTIL, renewal: terms, allocation: { policy: 'quotaFirst', seats: ['B-3-1', 'B-3-2'] } }), 0), 'OK');
    expectCode(w.perform('G4', { type: 'blockForeign', blockId: 'other', system: 'XS', seats: ['A-1-4'] }, FROM), 'OK');
    const before = w.perf('G4').products.size;
    expectCode(w.product('CARD', linkLater(later), FROM + 1), 'QUOTA_SEAT_NOT_FREE');
    expect(w.prod('CARD').links.has('G4')).toBe(false);
    expect(productLinks(w.perf('G4'))).toEqual([]);
    expect(w.perf('G4').products.size).toBe(before);
    expect(w.perf('G4').quotas.filter((q) => q !== null)).toEqual([]);
    expect(w.seat('G4', 'B-3-1')).toBe('free');
  });
});

describe('season cards take all of their performances', () => {
  it('refuses picks for a season card, even picks that name every performance', () => {
    const w = new World().add(games, hall);
    expectCode(w.product('CARD', productDef('CARD', 'seasonCard', games), 0), 'OK');
    play(w, [{ at: SALE, product: 'CARD', cmd: buy('ann', { seats: ['A-1-1'], picks: ['G1', 'G2', 'G3'] }), expect: 'PRODUCT_PICKS_INVALID', field: 'picks', unchanged: true }]);
  });
});

describe('the sale saga: a refused confirm voids what was confirmed and releases the rest', () => {
  it('leaves no valid ticket of the card anywhere when the last performance refuses its confirm', () => {
    const w = new World().add(games, hall);
    expectCode(w.product('CARD', productDef('CARD', 'seasonCard', games), 0), 'OK');
    // The hold on G3 is gone by the time its confirm arrives (as when it expires in the runtime).
    const perform = w.local.perform.bind(w.local);
    w.local.perform = (performanceId: string, command: Command, nowMs: number) => {
      // The confirm travels in the courier's batch (products/couriers.ts): looked for in it.
      for (const c of stepCommands(command)) {
        if (performanceId === 'G3' && c.type === 'confirmHold') expectCode(perform('G3', { type: 'releaseHold', commandId: 'gone', holdId: c.holdId, buyerId: c.buyerId } as Command, nowMs), 'OK');
      }
      return perform(performanceId, command, nowMs);
    };
    const r = w.product('CARD', buy('ann', { seats: ['A-1-1'] }), SALE);
    expect(refusal(r).field).toMatch(/^G3/);
    expect(productTraces(w, 'CARD', ['G1', 'G2', 'G3'])).toEqual({ valid: 0, holds: 0 });
    for (const g of games) expect(w.seat(g.performanceId, 'A-1-1')).toBe('free');
    expect(w.prod('CARD').holdings.size).toBe(0);
  });
});
