// Products on a venue with seats and a standing area (a stadium with a terrace, a concert hall
// with a floor): a card takes seats or the area's places, and the link answers for those, not
// for the whole layout. Before session 21 such a venue was counted unnumbered with its whole
// capacity, so no numbered card could be sold there at all.
import { describe, expect, it } from 'vitest';
import { productSummary, type LinkAccepted } from '../../src/domain/mod.ts';
import { SALE, World, buy, expectCode, holding, layoutOf, linkLater, ok, play, productDef, schedule } from './helpers.ts';

/** 2 sections × 3 rows × 6 seats in zones A and B, and a standing floor in zone G. */
function mixed(layoutId: string, floor: number) {
  return layoutOf({
    layoutId,
    zones: [{ id: 'A' }, { id: 'B' }, { id: 'G' }],
    sections: ['A', 'B'].map((id) => ({
      id,
      rows: [1, 2, 3].map((r) => ({ id: String(r), seats: [1, 2, 3, 4, 5, 6].map((n) => ({ id: `${id}-${r}-${n}`, zone: id })) })),
    })),
    gaAreas: [{ id: 'FLOOR', capacity: floor, zone: 'G' }],
  });
}

const arena = mixed('arena', 200);
const nights = schedule(['M1', 'M2', 'M3']);

describe('products on a venue with seats and a standing area', () => {
  it('sells a numbered card (the same seat on every night) and a standing card on the same performances', () => {
    const w = new World().add(nights, arena);
    expectCode(w.product('SEATS', productDef('SEATS', 'seasonCard', nights), 0), 'OK');
    expectCode(w.product('FLOOR', productDef('FLOOR', 'seasonCard', nights, { gaAreaId: 'FLOOR' }), 0), 'OK');
    expect([productSummary(w.prod('SEATS')).numbered, productSummary(w.prod('FLOOR')).numbered]).toEqual([true, false]);
    const seat = holding(w.product('SEATS', buy('ann', { seats: ['A-1-3'] }), SALE));
    const place = holding(w.product('FLOOR', buy('bob', { quantity: 2 }), SALE));
    for (const n of nights) {
      expect(w.valid(n.performanceId, seat.holdingId).map((t) => [t.seatId, t.gaAreaId])).toEqual([['A-1-3', null]]);
      expect(w.valid(n.performanceId, place.holdingId).map((t) => [t.seatId, t.gaAreaId])).toEqual([[null, 'FLOOR'], [null, 'FLOOR']]);
    }
  });

  it('compares the capacities of what the product takes: the seats, or the area', () => {
    const bigFloor = mixed('arena-big-floor', 500);
    const w = new World().add(nights.slice(0, 2), arena).add(nights.slice(2), bigFloor);
    play(w, [
      { at: 0, product: 'SEATS', cmd: productDef('SEATS', 'seasonCard', nights), expect: 'OK', why: '36 seats on every night' },
      { at: 0, product: 'FLOOR', cmd: productDef('FLOOR', 'seasonCard', nights, { gaAreaId: 'FLOOR' }), expect: 'PRODUCT_CAPACITY_MISMATCH', field: 'performances', why: 'a floor of 200 and one of 500' },
    ]);
  });

  // Two halls whose seats happen to have the same ids: a same-seat series over both sold "the
  // same seat" in different rooms. A series is one hall's (DOMAIN §5); a card may span venues.
  it('refuses a series over two halls, at creation and when a performance is linked later, and lets a card span them', () => {
    const other = mixed('arena-2', 200);
    const later = schedule(['M4'], nights[2].startsAtMs + 86_400_000)[0];
    const w = new World().add(nights.slice(0, 2), arena).add(nights.slice(2), other).add([later], other);
    play(w, [
      { at: 0, product: 'SER', cmd: productDef('SER', 'series', nights, { sameSeat: true, min: 1 }), expect: 'PRODUCT_HALL_MISMATCH', field: 'performances' },
      { at: 0, product: 'SER2', cmd: productDef('SER2', 'series', nights.slice(0, 2), { min: 1 }), expect: 'OK', why: 'both in arena' },
      { at: 0, product: 'SER2', cmd: linkLater(later), expect: 'PRODUCT_HALL_MISMATCH', field: 'performances', why: 'M4 is in arena-2' },
      { at: 0, product: 'CARD', cmd: productDef('CARD', 'seasonCard', nights), expect: 'OK', why: 'a card may span venues with the same seats' },
    ]);
    expect(w.prod('SER').status).toBe('refused');
    expect([...w.prod('SER2').links.keys()]).toEqual(['M1', 'M2']);
    for (const n of nights) expect(w.local.performances.get(n.performanceId)?.products.has('SER'), `${n.performanceId} unlinked`).toBe(false);
  });

  it('refuses a numbered card over a venue with seats and one without, and a standing card whose area one venue lacks', () => {
    const standing = layoutOf({ layoutId: 'club', zones: [{ id: 'G' }], gaAreas: [{ id: 'FLOOR', capacity: 200, zone: 'G' }, { id: 'BAR', capacity: 36, zone: 'G' }] });
    const w = new World().add(nights.slice(0, 2), arena).add(nights.slice(2), standing);
    play(w, [
      { at: 0, product: 'SEATS', cmd: productDef('SEATS', 'seasonCard', nights), expect: 'PRODUCT_MIXED_NUMBERING', field: 'performances' },
      { at: 0, product: 'FLOOR', cmd: productDef('FLOOR', 'seasonCard', nights, { gaAreaId: 'FLOOR' }), expect: 'OK', why: 'every night has the floor' },
      { at: 0, product: 'BAR', cmd: productDef('BAR', 'seasonCard', nights, { gaAreaId: 'BAR' }), expect: 'GA_AREA_UNKNOWN', field: 'M1:gaAreaId' },
    ]);
  });

  it('answers a link of the older form (no gaAreaId, as journaled before session 21) as it always did', () => {
    const w = new World().add(nights, arena);
    const link = (productId: string, more: object) => w.perform('M1', { type: 'linkProduct', productId, kind: 'seasonCard', cardKind: 'fixedPrice', resale: null, ...more }, 0);
    expect(ok<LinkAccepted>(link('OLD', {}))).toMatchObject({ numbered: false, capacity: 236 });
    expect(ok<LinkAccepted>(link('SEATS', { gaAreaId: null }))).toMatchObject({ numbered: true, capacity: 36 });
    expect(ok<LinkAccepted>(link('FLOOR', { gaAreaId: 'FLOOR' }))).toMatchObject({ numbered: false, capacity: 200 });
    play(w, [
      { at: 0, perf: 'M1', cmd: { type: 'linkProduct', productId: 'X', kind: 'seasonCard', cardKind: 'fixedPrice', resale: null, gaAreaId: 'NOPE' }, expect: 'GA_AREA_UNKNOWN', field: 'gaAreaId', unchanged: true },
      { at: 0, perf: 'M1', cmd: { type: 'linkProduct', productId: 'X', kind: 'seasonCard', cardKind: 'fixedPrice', resale: null, gaAreaId: 5 }, expect: 'COMMAND_INVALID', field: 'gaAreaId', unchanged: true },
    ]);
  });
});
