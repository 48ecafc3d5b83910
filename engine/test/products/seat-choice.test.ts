// Seat choice in subscriptions without the same seat (seed 002, Tixly: in pick & mix the buyer
// chooses a seat on each performance in the seat map; with grouped tickets only best available).
// buyProduct.seatsByPerformance names the seats chosen on some of the purchase's performances;
// the others take best available. Each performance says whether its seats are free.
import { describe, expect, it } from 'vitest';
import {
  DAY, FIRST, SALE, World, buy, expectCode, hallLayout, holding, play, productDef, refusal, schedule, unchanged,
} from './helpers.ts';

const hall = hallLayout();
const shows = schedule(['S1', 'S2', 'S3', 'S4'], FIRST, 7 * DAY);
const [S1, S2, S3, S4] = shows.map((p) => p.performanceId);

function theatre(): World {
  return new World().add(shows, hall);
}

const pickMix = (more = {}) => productDef('PM', 'pickMix', shows, { min: 2, max: 3, perPurchaseMax: 2, saleEndMs: shows[3].startsAtMs, ...more });

/** The seats of a holding's valid tickets on each performance. */
function seatsOf(w: World, holdingId: string, performances: string[]): Record<string, (string | null)[]> {
  return Object.fromEntries(performances.map((p) => [p, w.valid(p, holdingId).map((t) => t.seatId).sort()]));
}

describe('seat choice in a pick & mix purchase (buyProduct.seatsByPerformance)', () => {
  it('holds the chosen seats where the buyer chose them and best available elsewhere', () => {
    const w = theatre();
    expectCode(w.product('PM', pickMix(), 0), 'OK');
    const h = holding(w.product('PM', buy('ann', { picks: [S1, S2, S4], quantity: 2, seatsByPerformance: { [S1]: ['B-3-5', 'B-3-6'], [S4]: ['A-2-1', 'A-2-2'] } }), SALE));
    const seats = seatsOf(w, h.holdingId, [S1, S2, S4]);
    expect(seats[S1]).toEqual(['B-3-5', 'B-3-6']);
    expect(seats[S4]).toEqual(['A-2-1', 'A-2-2']);
    // S2 chose nothing: best available, two seats, not the chosen ones of the other evenings.
    expect(seats[S2]).toHaveLength(2);
    expect(seats[S2]).not.toEqual(['B-3-5', 'B-3-6']);
    expect(w.valid(S3, h.holdingId)).toEqual([]);
    expect(w.seat(S1, 'B-3-5')).toBe('sold');
  });

  it('refuses the purchase when a chosen seat is taken, naming the performance and the seat, and changes nothing', () => {
    const w = theatre();
    expectCode(w.product('PM', pickMix(), 0), 'OK');
    // Bob chose A-1-3 on S2 first.
    const bob = holding(w.product('PM', buy('bob', { picks: [S2, S3], seatsByPerformance: { [S2]: ['A-1-3'] } }), SALE));
    const before = { s1: w.avail(S1).totals, s2: w.avail(S2).totals };
    const r = w.product('PM', buy('ann', { picks: [S1, S2], seatsByPerformance: { [S2]: ['A-1-3'] } }), SALE + 1);
    expect(refusal(r)).toMatchObject({ name: 'SEAT_NOT_AVAILABLE', field: `${S2}:seats[0]` });
    expect([...w.prod('PM').holdings.keys()]).toEqual([bob.holdingId]);
    // S1's hold (best available) was released: nothing of ann's purchase is left anywhere.
    expect({ s1: w.avail(S1).totals, s2: w.avail(S2).totals }).toEqual(before);
    for (const p of [S1, S2]) expect(w.openHolds(p, 'PM')).toEqual([]);
    expect(seatsOf(w, bob.holdingId, [S2])[S2]).toEqual(['A-1-3']);
  });

  it('refuses seats for a performance outside the purchase, the wrong number of seats, and seat choice where the product decides the seats', () => {
    const w = theatre();
    expectCode(w.product('PM', pickMix(), 0), 'OK');
    expectCode(w.product('SER', productDef('SER', 'series', shows, { sameSeat: true, saleEndMs: shows[3].startsAtMs }), 0), 'OK');
    play(w, unchanged([
      { at: SALE, product: 'PM', cmd: buy('ann', { picks: [S1, S2], seatsByPerformance: { [S3]: ['A-1-1'] } }), expect: 'PRODUCT_PICKS_INVALID', field: `seatsByPerformance.${S3}`, why: 'S3 is not picked' },
      { at: SALE, product: 'PM', cmd: buy('ann', { picks: [S1, S2], seatsByPerformance: { S9: ['A-1-1'] } }), expect: 'PRODUCT_PICKS_INVALID', field: 'seatsByPerformance.S9' },
      { at: SALE, product: 'PM', cmd: buy('ann', { picks: [S1, S2], quantity: 2, seatsByPerformance: { [S1]: ['A-1-1'] } }), expect: 'PRODUCT_QUANTITY_INVALID', field: `seatsByPerformance.${S1}`, why: 'two places, one seat' },
      { at: SALE, product: 'PM', cmd: buy('ann', { picks: [S1, S2], quantity: 2, seatsByPerformance: { [S1]: ['A-1-1', 'A-1-1'] } }), expect: 'PRODUCT_QUANTITY_INVALID', field: `seatsByPerformance.${S1}`, why: 'the same seat twice' },
      { at: SALE, product: 'PM', cmd: buy('ann', { picks: [S1, S2], seatsByPerformance: { [S1]: [7] } }), expect: 'PRODUCT_QUANTITY_INVALID', field: `seatsByPerformance.${S1}`, why: 'not a seat id' },
      { at: SALE, product: 'PM', cmd: buy('ann', { picks: [S1, S2], seatsByPerformance: [['S1', ['A-1-1']]] }), expect: 'COMMAND_INVALID', field: 'seatsByPerformance' },
      { at: SALE, product: 'SER', cmd: buy('bob', { seatsByPerformance: { [S1]: ['A-1-1'] } }), expect: 'COMMAND_INVALID', field: 'seatsByPerformance', why: 'a same-seat series takes seats' },
    ]));
    // An unknown seat is the performance's to refuse, as any hold's.
    const unknown = w.product('PM', buy('ann', { picks: [S1, S2], seatsByPerformance: { [S1]: ['Z-9-9'] } }), SALE + 1);
    expect(refusal(unknown)).toMatchObject({ name: 'SEAT_UNKNOWN', field: `${S1}:seats[0]` });
  });

  it('a retry of the purchase gets its holding, and the same id with other seats is COMMAND_ID_REUSED', () => {
    const w = theatre();
    expectCode(w.product('PM', pickMix(), 0), 'OK');
    const cmd = buy('ann', { commandId: 'b1', picks: [S1, S3], seatsByPerformance: { [S3]: ['B-2-2'] } });
    const first = holding(w.product('PM', cmd, SALE));
    expect(holding(w.product('PM', cmd, SALE + 1)).holdingId).toBe(first.holdingId);
    expectCode(w.product('PM', { ...cmd, seatsByPerformance: { [S3]: ['B-2-3'] } }, SALE + 2), 'COMMAND_ID_REUSED');
    expect(seatsOf(w, first.holdingId, [S3])[S3]).toEqual(['B-2-2']);
  });
});

describe('a product that sells best available only (createProduct.seatChoice: false)', () => {
  it('refuses a purchase that names seats, either way, and sells best available', () => {
    const w = theatre();
    expectCode(w.product('PM', pickMix({ seatChoice: false }), 0), 'OK');
    expectCode(w.product('SER', productDef('SER', 'series', shows, { sameSeat: true, seatChoice: false, saleEndMs: shows[3].startsAtMs }), 0), 'OK');
    play(w, unchanged([
      { at: SALE, product: 'PM', cmd: buy('ann', { picks: [S1, S2], seatsByPerformance: { [S1]: ['A-1-1'] } }), expect: 'PRODUCT_SEAT_CHOICE_OFF', field: 'seatsByPerformance' },
      { at: SALE, product: 'SER', cmd: buy('bob', { seats: ['A-1-1'] }), expect: 'PRODUCT_SEAT_CHOICE_OFF', field: 'seats' },
    ]));
    const h = holding(w.product('PM', buy('ann', { picks: [S1, S2] }), SALE + 1));
    expect(seatsOf(w, h.holdingId, [S1, S2])[S1]).toHaveLength(1);
    expectCode(w.product('SER', buy('bob', {}), SALE + 1), 'OK');
  });

  it('is a product term: true or false, kept in the definition only when false', () => {
    const w = theatre();
    play(w, [{ at: 0, product: 'X', cmd: pickMix({ productId: 'X', seatChoice: 'no' }), expect: 'PRODUCT_INVALID', field: 'seatChoice', unchanged: true }]);
    expectCode(w.product('PM', pickMix({ seatChoice: true }), 0), 'OK');
    expect('seatChoice' in w.prod('PM').def).toBe(false);
    expectCode(w.product('PN', productDef('PN', 'pickMix', shows, { min: 2, max: 3, saleEndMs: shows[3].startsAtMs, seatChoice: false }), 0), 'OK');
    expect(w.prod('PN').def.seatChoice).toBe(false);
  });
});
