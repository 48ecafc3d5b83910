// Linking a performance to a product that is already selling (DOMAIN §3, §5; PRODUCTS.md
// "Linking", "Renewal", "Allocation"): a link never runs beside a sale, so no holding is left
// without the new performance; a link made while the renewal window is open reserves the
// unrenewed holders' seats there too; a link whose allocation or reservation cannot be made is
// refused and leaves nothing behind, as a product is at creation.
import { describe, expect, it } from 'vitest';
import { executeProduct, isPending, productFromPlain, productToPlain, type ProductCommand, type RenewalTerms, type Result } from '../../src/domain/mod.ts';
import { DAY, SALE, World, buy, driveSteps, closeRenewal, exchange, expectCode, hallLayout, hold, holding, linkLater, productDef, renew, schedule } from './helpers.ts';

const hall = hallLayout();
const games = schedule(['G1', 'G2', 'G3']);
const later = schedule(['G4'], games[2].startsAtMs + DAY)[0];


describe('products - a link never runs beside a sale', () => {
  it('waits for the sale in flight, and gives the card it made the new performance too', () => {
    const w = new World().add([...games, later], hall);
    expectCode(w.product('CARD', productDef('CARD', 'seasonCard', games), 0), 'OK');
    const s = w.prod('CARD');
    const sale = executeProduct(s, { type: 'buyProduct', commandId: 'b1', buyerId: 'ann', seats: ['A-1-1'] } as ProductCommand, SALE);
    const link = executeProduct(s, { type: 'linkPerformance', commandId: 'l1', performance: later } as ProductCommand, SALE);
    expect(isPending(link.result)).toBe(true);
    // Nothing is sent for the link while the sale runs.
    expect(link.out).toEqual([]);
    // While the link waits, no sale, exchange or second link starts; the refusal is not kept.
    const waiting = { type: 'buyProduct', commandId: 'b2', buyerId: 'bob', seats: ['A-1-2'] } as ProductCommand;
    expectCode(executeProduct(s, waiting, SALE).result as Result, 'PRODUCT_BUSY');
    expectCode(executeProduct(s, { type: 'linkPerformance', commandId: 'l2', performance: { ...later, performanceId: 'G9' } } as ProductCommand, SALE).result as Result, 'PRODUCT_BUSY');
    // A coordinator restored from its snapshot knows the link waits too.
    const restored = productFromPlain(JSON.parse(JSON.stringify(productToPlain(s))));
    expectCode(executeProduct(restored, { ...waiting, commandId: 'b3' }, SALE).result as Result, 'PRODUCT_BUSY');
    const done = driveSteps(w, w.prod('CARD'), [...sale.out], SALE);
    expect(done.get('b1')).toMatchObject({ ok: true, holdingId: 'CARD-H1' });
    expect(done.get('l1')).toMatchObject({ ok: true, performanceId: 'G4', holders: 1, conflicts: [] });
    expect(s.holdings.get('CARD-H1')?.performanceIds).toEqual(['G1', 'G2', 'G3', 'G4']);
    expect(w.valid('G4', 'CARD-H1').map((t) => t.seatId)).toEqual(['A-1-1']);
    // The same purchase, retried once the link is done, goes through.
    const retried = executeProduct(s, waiting, SALE + 1);
    expect(isPending(retried.result)).toBe(true);
    expect(driveSteps(w, w.prod('CARD'), [...retried.out], SALE + 1).get('b2')).toMatchObject({ ok: true, holdingId: 'CARD-H2' });
    expect(w.valid('G4', 'CARD-H2').map((t) => t.seatId)).toEqual(['A-1-2']);
  });

  it('refuses an exchange and a closeRenewal while a link runs', () => {
    const shows = schedule(['S1', 'S2', 'S3']);
    const w = new World().add([...shows, later], hall);
    expectCode(w.product('SER', productDef('SER', 'series', shows, { min: 1, sameSeat: true }), 0), 'OK');
    const h = holding(w.product('SER', buy('ann', { seats: ['A-1-1'], picks: ['S1', 'S2'] }), SALE));
    const s = w.prod('SER');
    expect(isPending(executeProduct(s, { type: 'linkPerformance', commandId: 'l1', performance: later } as ProductCommand, SALE).result)).toBe(true);
    expectCode(executeProduct(s, { commandId: 'x1', ...exchange(h.holdingId, 'ann', 'S2', 'S3') } as unknown as ProductCommand, SALE).result as Result, 'PRODUCT_BUSY');
    expectCode(executeProduct(s, { commandId: 'c1', ...closeRenewal() } as unknown as ProductCommand, SALE).result as Result, 'RENEWAL_CLOSED');
  });
});

describe('products - a link during the renewal window', () => {
  const FROM = SALE;
  const UNTIL = SALE + 3 * DAY;
  const SINGLE_DURING = SALE + DAY;
  const terms: RenewalTerms = {
    fromProductId: 'CARD26', windowStartMs: FROM, windowEndMs: UNTIL, ticketTypes: { card: 'renewal' },
    holders: [
      { holdingId: 'H-ann', buyerId: 'ann', seats: ['A-1-3'], ticketType: 'card' },
      { holdingId: 'H-cid', buyerId: 'cid', seats: ['A-1-4'], ticketType: 'card' },
      { holdingId: 'H-dee', buyerId: 'dee', seats: ['A-1-5'], ticketType: 'card' },
    ],
  };

  it('reserves the seats of the holders who have not renewed yet on the new performance', () => {
    const w = new World().add([...games, later], hall, { singleAt: SINGLE_DURING });
    expectCode(w.product('CARD27', productDef('CARD27', 'seasonCard', games, { saleStartMs: UNTIL, renewal: terms }), 0), 'OK');
    const ann = holding(expectCode(w.product('CARD27', renew('H-ann', 'ann'), FROM), 'OK'));
    expect(w.product('CARD27', linkLater(later), FROM + 1)).toMatchObject({ ok: true, holders: 1, conflicts: [] });
    // The reservation there holds the seats of those who have not renewed, and only theirs.
    expect(w.avail('G4').quotas.find((q) => q.quotaId === 'CARD27.renewal')?.capacity, 'cid and dee only').toBe(2);
    expect(w.valid('G4', ann.holdingId).map((t) => [t.seatId, t.quotaId]), 'ann\'s ticket is not from the reservation').toEqual([['A-1-3', null]]);
    expectCode(w.perform('G4', hold('walk-in', ['A-1-5']), SINGLE_DURING), 'SEAT_NOT_IN_CHANNEL', 'dee\'s seat on G4 in the window');
    // ann renewed before the link: her seat there is hers; cid's waits for him.
    expect(w.seat('G4', 'A-1-3')).toBe('sold');
    expectCode(w.perform('G2', hold('walk-in', ['A-1-4']), SINGLE_DURING), 'SEAT_NOT_IN_CHANNEL', 'G2');
    expectCode(w.perform('G4', hold('walk-in', ['A-1-4']), SINGLE_DURING), 'SEAT_NOT_IN_CHANNEL', 'G4, linked in the window');
    const cid = holding(expectCode(w.product('CARD27', renew('H-cid', 'cid'), SINGLE_DURING + 1), 'OK', 'cid renews within the window'));
    expect(w.valid('G4', cid.holdingId).map((t) => t.seatId)).toEqual(['A-1-4']);
    // At the window's end what is left of the reservation goes back on sale on every
    // performance, G4 included, with no closeRenewal.
    expectCode(w.perform('G4', hold('walk-in', ['A-1-5']), UNTIL + 1), 'OK', 'dee did not renew: her seat on G4 is on sale');
    expectCode(w.perform('G1', hold('walk-in', ['A-1-5']), UNTIL + 1), 'OK', 'and on G1');
  });

  it('refuses the link when a holder\'s seat is taken there, and leaves nothing behind', () => {
    const w = new World().add([...games, later], hall, { singleAt: SINGLE_DURING });
    expectCode(w.product('CARD27', productDef('CARD27', 'seasonCard', games, { saleStartMs: UNTIL, renewal: terms }), 0), 'OK');
    expectCode(w.perform('G4', { type: 'blockForeign', blockId: 'other', system: 'XS', seats: ['A-1-4'] }, FROM), 'OK');
    const before = w.perf('G4').products.size;
    expectCode(w.product('CARD27', linkLater(later), FROM + 1), 'QUOTA_SEAT_NOT_FREE');
    expect(w.prod('CARD27').links.has('G4')).toBe(false);
    expect(w.prod('CARD27').performances.map((p) => p.performanceId)).toEqual(['G1', 'G2', 'G3']);
    expect(w.perf('G4').products.size).toBe(before);
    expect(w.perf('G4').quotas.filter((q) => q !== null)).toEqual([]);
  });
});

describe('products - a link to a product with an allocation', () => {
  const shows = schedule(['S1', 'S2', 'S3']);
  const allocation = ['B-3-1', 'B-3-2', 'B-3-3'];

  it('is refused when the allocation cannot be made there, and the product cannot be bought there', () => {
    const w = new World().add([...shows, later], hall);
    expectCode(w.product('PM', productDef('PM', 'pickMix', shows, { min: 2, max: 2, allocation: { policy: 'onlyQuota', seats: allocation } }), 0), 'OK');
    expectCode(w.perform('G4', { type: 'blockForeign', blockId: 'other', system: 'XS', seats: ['B-3-1'] }, SALE), 'OK');
    expectCode(w.product('PM', linkLater(later), SALE), 'QUOTA_SEAT_NOT_FREE');
    expect(w.prod('PM').links.has('G4')).toBe(false);
    expect(w.perf('G4').quotas.filter((q) => q !== null)).toEqual([]);
    expectCode(w.product('PM', buy('ann', { picks: ['S1', 'G4'] }), SALE + 1), 'PRODUCT_PICKS_INVALID');
  });

  it('sells there only from the allocation once linked', () => {
    const w = new World().add([...shows, later], hall);
    expectCode(w.product('PM', productDef('PM', 'pickMix', shows, { min: 2, max: 2, allocation: { policy: 'onlyQuota', seats: allocation } }), 0), 'OK');
    expectCode(w.product('PM', linkLater(later), SALE), 'OK');
    const h = holding(w.product('PM', buy('ann', { picks: ['S1', 'G4'] }), SALE + 1));
    const onG4 = w.valid('G4', h.holdingId)[0];
    expect({ seat: allocation.includes(onG4.seatId ?? ''), quota: onG4.quotaId }).toEqual({ seat: true, quota: 'PM.allocation' });
  });
});
