// Refusals that say "not now" are not remembered (PRODUCTS.md, Retries): a retry with the same
// commandId once the obstacle is gone goes through. Session 28's products probe found two that
// were kept, so that a client following the refusal's own advice could never succeed: a second
// exchange of a holding while one is in flight (then EXCHANGE_INVALID, now PRODUCT_BUSY), and
// RENEWAL_STILL_OPEN.
import { describe, expect, it } from 'vitest';
import { executeProduct, type ProductCommand } from '../../src/domain/mod.ts';
import { DAY, SALE, World, driveSteps, expectCode, hallLayout, productDef, schedule } from './helpers.ts';

const hall = hallLayout();

describe('products - not-now refusals and their retries', () => {
  it('a second exchange of a holding while one is in flight: PRODUCT_BUSY, and its retry goes through after', () => {
    const [P1, P2, P3, X, Y] = schedule(['P1', 'P2', 'P3', 'X', 'Y']);
    const w = new World().add([P1, P2, P3, X, Y], hall);
    expectCode(w.product('S', productDef('S', 'series', [P1, P2, P3], { exchangeable: [X, Y] }), 0), 'OK');
    expectCode(w.product('S', { type: 'buyProduct', buyerId: 'carol' }, SALE), 'OK');
    const x2 = { type: 'exchangePerformance', commandId: 'x2', holdingId: 'S-H1', buyerId: 'carol', fromPerformanceId: 'P2', toPerformanceId: 'Y' } as ProductCommand;
    const [first, second] = w.local.productMany('S', [
      { type: 'exchangePerformance', commandId: 'x1', holdingId: 'S-H1', buyerId: 'carol', fromPerformanceId: 'P1', toPerformanceId: 'X' } as ProductCommand, x2,
    ], SALE + 1);
    expectCode(first, 'OK');
    expectCode(second, 'PRODUCT_BUSY');
    expectCode(w.local.product('S', x2, SALE + 2), 'OK', 'the retry, once x1 is done');
  });

  it('a purchase while a renewal started in the window is in flight: RENEWAL_STILL_OPEN, and its retry goes through after', () => {
    const games = schedule(['G1', 'G2', 'G3']);
    const until = SALE + 3 * DAY;
    const w = new World().add(games, hall, { singleAt: SALE + 5 * DAY });
    const renewal = { fromProductId: 'OLD', windowStartMs: SALE, windowEndMs: until, ticketTypes: { card: 'renewal' }, holders: [{ holdingId: 'H-ann', buyerId: 'ann', seats: ['A-1-1'], ticketType: 'card' }] };
    expectCode(w.product('C', productDef('C', 'seasonCard', games, { saleStartMs: until, renewal }), 0), 'OK');
    const s = w.prod('C');
    const renewing = executeProduct(s, { type: 'renewHolding', commandId: 'ren', previousHoldingId: 'H-ann', buyerId: 'ann' } as ProductCommand, until - 1);
    const buy = { type: 'buyProduct', commandId: 'buy1', buyerId: 'dan' } as ProductCommand;
    expectCode(executeProduct(s, buy, until).result, 'RENEWAL_STILL_OPEN');
    driveSteps(w, s, renewing.out, until);
    const retried = executeProduct(s, buy, until + 1);
    expect(retried.result.ok ? 'started' : retried.result.name, 'the retry starts the purchase').not.toBe('RENEWAL_STILL_OPEN');
    expect(driveSteps(w, s, retried.out, until + 1).get('buy1')?.ok, 'and it ends in a holding').toBe(true);
  });

  it('an exchange before the renewal closed: RENEWAL_STILL_OPEN, and its retry after the window goes through', () => {
    const shows = schedule(['S1', 'S2', 'S3', 'S4']);
    const until = SALE + 3 * DAY;
    const w = new World().add(shows, hall, { singleAt: SALE + 5 * DAY });
    const renewal = { fromProductId: 'OLD', windowStartMs: SALE, windowEndMs: until, ticketTypes: {}, holders: [{ holdingId: 'H-ann', buyerId: 'ann', seats: ['A-1-1'], ticketType: 'sub' }] };
    expectCode(w.product('R', productDef('R', 'series', shows.slice(0, 3), { saleStartMs: until, exchangeable: [shows[3]], renewal }), 0), 'OK');
    expectCode(w.product('R', { type: 'renewHolding', commandId: 'ren', previousHoldingId: 'H-ann', buyerId: 'ann' }, SALE), 'OK');
    const x = { type: 'exchangePerformance', commandId: 'xw', holdingId: 'R-H1', buyerId: 'ann', fromPerformanceId: 'S1', toPerformanceId: 'S4' } as ProductCommand;
    expectCode(w.local.product('R', x, SALE + 1), 'RENEWAL_STILL_OPEN');
    expectCode(w.local.product('R', x, until + 1), 'OK', 'the retry, after the window');
  });
});
