// Subscriptions (DOMAIN §5): series (all or at least `min` performances, optionally the same
// seat) and pick & mix (min..max picks, required performances, sale stops when fewer than min
// unplayed remain); per-purchase quantity and the sales window; allocations sold only or first;
// the price as the sum over the included performances; exchanges.
import { describe, expect, it } from 'vitest';
import { clubLayout, productHoldings } from '../../src/domain/mod.ts';
import {
  DAY, FIRST, HOUR, SALE, SINGLE, World, buy, exchange, expectCode, hallLayout, hold, holding, layoutOf, play, priceOf,
  productDef, scanHolding, schedule, sellSingle, unchanged,
} from './helpers.ts';

const hall = hallLayout();
const shows = schedule(['S1', 'S2', 'S3', 'S4', 'S5'], FIRST, 7 * DAY);
/** Prices differ per performance: S1 at 100 %, S2 at 110 %, ... */
const pct = (i: number): number => 100 + 10 * i;
/** The same production, outside the product: open to pick & mix exchanges. */
const extra = schedule(['X1'], FIRST + 3 * DAY)[0];
const [S1, S2, S3, S4, S5] = shows.map((p) => p.performanceId);

function theatre(): World {
  const w = new World();
  shows.forEach((p, i) => w.add([p], hall, { pricePct: pct(i) }));
  w.add([extra], hall, { pricePct: 90 });
  return w;
}

const sumOf = (ids: string[], zone: string, quantity = 1): number =>
  quantity * ids.reduce((n, id) => n + priceOf(hall, 'sub', zone, id === 'X1' ? 90 : pct(shows.findIndex((p) => p.performanceId === id))), 0);

describe('subscriptions - series', () => {
  it('keeps the same seat on every performance and costs the sum of the subscription prices', () => {
    const w = theatre();
    expectCode(w.product('SER', productDef('SER', 'series', shows, { sameSeat: true, min: 3 }), 0), 'OK');
    const full = holding(expectCode(w.product('SER', buy('ann', { seats: ['A-2-2'] }), SALE), 'OK'));
    expect(full.performances.map((p) => p.performanceId)).toEqual([S1, S2, S3, S4, S5]);
    for (const p of shows) expect(w.valid(p.performanceId, full.holdingId).map((t) => [t.seatId, t.ticketType])).toEqual([['A-2-2', 'sub']]);
    expect(full.totalMinor).toBe(sumOf([S1, S2, S3, S4, S5], 'A'));
    expect(full.performances.map((p) => p.paidMinor)).toEqual(shows.map((_, i) => priceOf(hall, 'sub', 'A', pct(i))));
    const pair = holding(expectCode(w.product('SER', buy('bob', { quantity: 2, filter: { zone: 'B' } }), SALE), 'OK'));
    for (const p of shows) expect(w.valid(p.performanceId, pair.holdingId).map((t) => t.seatId)).toEqual(pair.seats);
    expect(pair.totalMinor).toBe(sumOf([S1, S2, S3, S4, S5], 'B', 2));
  });

  it('may be bought partly: at least min of its performances', () => {
    const w = theatre();
    expectCode(w.product('SER', productDef('SER', 'series', shows, { sameSeat: true, min: 3 }), 0), 'OK');
    const [part] = play(w, [
      { at: SALE, product: 'SER', cmd: buy('ann', { seats: ['A-1-1'], picks: [S5, S1, S3] }), expect: 'OK' },
      { at: SALE, product: 'SER', cmd: buy('bob', { seats: ['A-1-2'], picks: [S1, S2] }), expect: 'PRODUCT_PICKS_INVALID', field: 'picks', unchanged: true, why: 'fewer than min' },
      { at: SALE, product: 'SER', cmd: buy('bob', { seats: ['A-1-2'], picks: [S1, S2, 'S9'] }), expect: 'PRODUCT_PICKS_INVALID', field: 'picks[2]', unchanged: true },
      { at: SALE, product: 'SER', cmd: buy('bob', { seats: ['A-1-2', 'A-1-3'], quantity: 1 }), expect: 'PRODUCT_QUANTITY_INVALID', field: 'seats', unchanged: true, why: 'two seats for one' },
    ]);
    const h = holding(part);
    expect(h.performances.map((p) => p.performanceId)).toEqual([S1, S3, S5]);
    expect(h.totalMinor).toBe(sumOf([S1, S3, S5], 'A'));
    expect(w.valid(S2, h.holdingId)).toEqual([]);
    expect(w.seat(S2, 'A-1-1')).toBe('free');
  });

  // Found in session 30: a purchase without picks took every performance, past max.
  it('made with a max below its performances, is bought by picks: a purchase without them is refused', () => {
    const w = theatre();
    expectCode(w.product('SER', productDef('SER', 'series', shows, { sameSeat: true, min: 1, max: 2 }), 0), 'OK');
    play(w, [
      { at: SALE, product: 'SER', cmd: buy('ann', { seats: ['A-1-1'] }), expect: 'PRODUCT_PICKS_INVALID', field: 'picks', unchanged: true, why: 'five to play, max 2' },
      { at: SALE, product: 'SER', cmd: buy('ann', { seats: ['A-1-1'], picks: [S1, S2] }), expect: 'OK' },
    ]);
  });

  it('takes seats only when it keeps one seat; picks them best available otherwise', () => {
    const w = theatre();
    expectCode(w.product('FREE', productDef('FREE', 'series', shows), 0), 'OK');
    play(w, [
      { at: SALE, product: 'FREE', cmd: buy('ann', { seats: ['A-1-1'] }), expect: 'COMMAND_INVALID', field: 'seats', unchanged: true },
      { at: SALE, product: 'FREE', cmd: buy('ann', { quantity: 2 }), expect: 'OK' },
    ]);
  });
});

describe('subscriptions - pick & mix', () => {
  const pickMix = (more = {}) => productDef('PM', 'pickMix', shows, { min: 2, max: 3, required: [S2], perPurchaseMax: 2, saleEndMs: shows[4].startsAtMs, exchangeable: [extra], ...more });

  it('takes from min to max picks, the required ones included, each once and not yet played', () => {
    const w = theatre();
    expectCode(w.product('PM', pickMix(), 0), 'OK');
    const afterS1 = shows[0].startsAtMs + 1;
    play(w, unchanged([
      { at: SALE, product: 'PM', cmd: buy('ann'), expect: 'PRODUCT_PICKS_INVALID', field: 'picks', why: 'no picks' },
      { at: SALE, product: 'PM', cmd: buy('ann', { picks: [S2] }), expect: 'PRODUCT_PICKS_INVALID', field: 'picks', why: 'fewer than min' },
      { at: SALE, product: 'PM', cmd: buy('ann', { picks: [S1, S2, S3, S4] }), expect: 'PRODUCT_PICKS_INVALID', field: 'picks', why: 'more than max' },
      { at: SALE, product: 'PM', cmd: buy('ann', { picks: [S2, S2] }), expect: 'PRODUCT_PICKS_INVALID', field: 'picks[1]', why: 'twice' },
      { at: SALE, product: 'PM', cmd: buy('ann', { picks: [S2, 'S9'] }), expect: 'PRODUCT_PICKS_INVALID', field: 'picks[1]', why: 'unknown' },
      { at: SALE, product: 'PM', cmd: buy('ann', { picks: [S2, 'X1'] }), expect: 'PRODUCT_PICKS_INVALID', field: 'picks[1]', why: 'open to exchanges only' },
      { at: SALE, product: 'PM', cmd: buy('ann', { picks: [S1, S3] }), expect: 'PRODUCT_PICKS_INVALID', field: 'picks', why: 'the required S2 left out' },
      { at: SALE, product: 'PM', cmd: buy('ann', { picks: 'S2' }), expect: 'PRODUCT_PICKS_INVALID', field: 'picks', why: 'not a list' },
      { at: SALE, product: 'PM', cmd: buy('ann', { picks: [S2, S3], seats: ['A-1-1'] }), expect: 'COMMAND_INVALID', field: 'seats', why: 'pick & mix never keeps one seat' },
      { at: SALE, product: 'PM', cmd: buy('ann', { picks: [S2, S3], quantity: 3 }), expect: 'PRODUCT_QUANTITY_INVALID', field: 'quantity' },
      { at: SALE, product: 'PM', cmd: buy('ann', { picks: [S2, S3], quantity: 0 }), expect: 'PRODUCT_QUANTITY_INVALID', field: 'quantity' },
      { at: SALE, product: 'PM', cmd: buy('ann', { picks: [S2, S3], quantity: 1.5 }), expect: 'PRODUCT_QUANTITY_INVALID', field: 'quantity' },
      { at: SALE - 1, product: 'PM', cmd: buy('ann', { picks: [S2, S3] }), expect: 'TIME_REGRESSED', why: 'the coordinator\'s clock only goes forward' },
      { at: afterS1, product: 'PM', cmd: buy('ann', { picks: [S1, S2] }), expect: 'PRODUCT_PICKS_INVALID', field: 'picks[0]', why: 'S1 has been played' },
    ]));
    const h = holding(expectCode(w.product('PM', buy('ann', { picks: [S4, S2], quantity: 2 }), afterS1), 'OK'));
    expect(h.performances.map((p) => p.performanceId)).toEqual([S2, S4]);
    expect(h.totalMinor).toBe(sumOf([S2, S4], 'A', 2));
    play(w, [
      { at: afterS1, perf: S3, cmd: scanHolding(h.holdingId), expect: 'HOLDING_NO_TICKET', why: 'not picked' },
      { at: afterS1, perf: S2, cmd: scanHolding(h.holdingId), expect: 'OK' },
    ]);
  });

  it('no longer needs a required performance once it has been played', () => {
    const w = theatre();
    expectCode(w.product('PM', pickMix(), 0), 'OK');
    expectCode(w.product('PM', buy('ann', { picks: [S3, S4] }), shows[1].startsAtMs), 'OK');
  });

  it('stops selling when fewer than min unplayed performances remain, and outside its sales window', () => {
    const w = theatre();
    expectCode(w.product('PM', pickMix(), 0), 'OK');
    play(w, [
      { at: SALE - 1, product: 'PM', cmd: buy('ann', { picks: [S2, S3] }), expect: 'PRODUCT_SALE_CLOSED', unchanged: true, why: 'not yet open' },
      { at: shows[3].startsAtMs - 1, product: 'PM', cmd: buy('ann', { picks: [S4, S5] }), expect: 'OK', why: 'S4 and S5 are still to be played' },
      { at: shows[3].startsAtMs, product: 'PM', cmd: buy('bob', { picks: [S5] }), expect: 'PRODUCT_TOO_FEW_LEFT', unchanged: true, why: 'only S5 is left, min is 2' },
      { at: shows[4].startsAtMs, product: 'PM', cmd: buy('bob', { picks: [S5] }), expect: 'PRODUCT_SALE_CLOSED', unchanged: true, why: 'the window ends when S5 starts' },
    ]);
  });
});

describe('subscriptions - allocations', () => {
  const allocation = ['B-3-1', 'B-3-2', 'B-3-3'];

  it('onlyQuota sells from the allocation and never from ordinary seats', () => {
    const w = theatre();
    expectCode(w.product('PM', productDef('PM', 'pickMix', shows, { min: 2, max: 2, perPurchaseMax: 2, allocation: { policy: 'onlyQuota', seats: allocation } }), 0), 'OK');
    const a = holding(expectCode(w.product('PM', buy('ann', { picks: [S1, S2], quantity: 2 }), SALE), 'OK'));
    for (const id of [S1, S2]) expect(w.valid(id, a.holdingId).every((t) => t.quotaId === 'PM.allocation' && allocation.includes(t.seatId as string))).toBe(true);
    play(w, [
      { at: SALE, product: 'PM', cmd: buy('bob', { picks: [S2, S3], quantity: 2 }), expect: 'NOT_ENOUGH_SEATS', field: `${S2}:count`, unchanged: true, why: 'one allocation seat left on S2; 33 ordinary seats free' },
      { at: SALE, product: 'PM', cmd: buy('bob', { picks: [S2, S3] }), expect: 'OK' },
      { at: SALE, product: 'PM', cmd: buy('cid', { picks: [S1, S2] }), expect: 'NOT_ENOUGH_SEATS', field: `${S2}:count`, unchanged: true },
      { at: SINGLE, perf: S4, cmd: hold('single', ['B-3-1']), expect: 'SEAT_NOT_IN_CHANNEL', why: 'the allocation is not for sale to single tickets' },
      { at: SINGLE, perf: S4, cmd: hold('single', ['B-3-4']), expect: 'OK' },
    ]);
    expect(w.avail(S1).quotas).toEqual([{ quotaId: 'PM.allocation', capacity: 3, free: 1, held: 0, sold: 2, blocked: 0 }]);
  });

  it('quotaFirst sells the allocation first, then ordinary seats', () => {
    const w = theatre();
    expectCode(w.product('SER', productDef('SER', 'series', shows, { sameSeat: true, allocation: { policy: 'quotaFirst', seats: ['A-3-5', 'A-3-6'] } }), 0), 'OK');
    const first = holding(expectCode(w.product('SER', buy('ann', { quantity: 2 }), SALE), 'OK'));
    expect([...(first.seats ?? [])].sort()).toEqual(['A-3-5', 'A-3-6']);
    for (const p of shows) expect(w.valid(p.performanceId, first.holdingId).map((t) => t.quotaId)).toEqual(['SER.allocation', 'SER.allocation']);
    const next = holding(expectCode(w.product('SER', buy('bob', { quantity: 2 }), SALE), 'OK'));
    for (const p of shows) expect(w.valid(p.performanceId, next.holdingId).map((t) => t.quotaId)).toEqual([null, null]);
  });

  it('onlyQuota of GA places', () => {
    const club = layoutOf(clubLayout());
    const nights = schedule(['N1', 'N2', 'N3']);
    const w = new World().add(nights, club);
    expectCode(w.product('GA', productDef('GA', 'pickMix', nights, { min: 2, max: 3, perPurchaseMax: 2, gaAreaId: 'BALCONY', allocation: { policy: 'onlyQuota', gaAreaId: 'BALCONY', count: 4 } }), 0), 'OK');
    play(w, [
      { at: SALE, product: 'GA', cmd: buy('ann', { picks: ['N1', 'N2'], quantity: 2 }), expect: 'OK' },
      { at: SALE, product: 'GA', cmd: buy('bob', { picks: ['N1', 'N3'], quantity: 2 }), expect: 'OK' },
      { at: SALE, product: 'GA', cmd: buy('cid', { picks: ['N1', 'N3'] }), expect: 'NOT_ENOUGH_PLACES', field: 'N1:count', unchanged: true, why: '296 ordinary balcony places are free' },
    ]);
    expect(w.avail('N1').quotas).toEqual([{ quotaId: 'GA.allocation', capacity: 4, free: 0, held: 0, sold: 4, blocked: 0 }]);
  });
});

describe('subscriptions - exchanges', () => {
  function withPickMix(): World {
    const w = theatre();
    expectCode(w.product('PM', productDef('PM', 'pickMix', shows, { min: 2, max: 3, saleEndMs: shows[4].startsAtMs, exchangeable: [extra] }), 0), 'OK');
    return w;
  }

  it('swaps a performance for another of the product, or an exchangeable one; the old seat goes back on sale', () => {
    const w = withPickMix();
    const h = holding(w.product('PM', buy('ann', { picks: [S2, S3] }), SALE));
    const [old] = w.valid(S3, h.holdingId);
    const [swapped] = play(w, [{ at: SALE + 1, product: 'PM', cmd: exchange(h.holdingId, 'ann', S3, S4), expect: 'OK' }]);
    expect(holding(swapped).performances.map((p) => p.performanceId)).toEqual([S2, S4]);
    expect(w.rows(S3).find((t) => t.ticketId === old.ticketId)?.status).toBe('void');
    expect(w.seat(S3, old.seatId as string)).toBe('free');
    expect(w.valid(S4, h.holdingId)).toHaveLength(1);
    // The seat given back is sold to a single-ticket buyer once that sale opens.
    sellSingle(w, S3, 'walk-in', [old.seatId as string], SINGLE);
    const [outside] = play(w, [{ at: SINGLE, product: 'PM', cmd: exchange(h.holdingId, 'ann', S2, 'X1'), expect: 'OK' }]);
    expect(holding(outside).performances.map((p) => p.performanceId)).toEqual([S4, 'X1']);
    expect(holding(outside).totalMinor).toBe(sumOf([S4, 'X1'], 'A'));
    expect(w.valid('X1', h.holdingId)).toHaveLength(1);
    expect(w.valid(S2, h.holdingId)).toEqual([]);
    expectCode(w.perform('X1', scanHolding(h.holdingId), extra.startsAtMs), 'OK');
  });

  // A holding is replaced, not changed, by an exchange (holdings.ts): the retry memory keeps the
  // holding each command made, so each retry answers what its command answered, before and after
  // a snapshot, which writes those outcomes out in full.
  it('answers a retried sale with the holding as sold, and a retried exchange with it as swapped', () => {
    const w = withPickMix();
    const sale = buy('ann', { picks: [S2, S3], commandId: 'sale' });
    const sold = holding(expectCode(w.product('PM', sale, SALE), 'OK'));
    const swap = { ...exchange(sold.holdingId, 'ann', S3, S4), commandId: 'swap' };
    const swapped = holding(expectCode(w.product('PM', swap, SALE + 1), 'OK'));
    expect(swapped.performances.map((p) => p.performanceId)).toEqual([S2, S4]);
    for (const world of [w, w.clone()]) {
      expect(world.product('PM', sale, SALE + 2)).toEqual(sold);
      expect(world.product('PM', swap, SALE + 2)).toEqual(swapped);
      // The holdings query lists the holding as swapped, without the exchange's difference.
      expect(holding(productHoldings(world.prod('PM'))[0] as never)).toEqual({ ...swapped, exchange: undefined });
    }
  });

  it('refuses exchanges that name the wrong performances, holding or buyer', () => {
    const w = withPickMix();
    w.add(schedule(['Y1'], FIRST + 4 * DAY), hall);
    const h = holding(w.product('PM', buy('ann', { picks: [S2, S3] }), SALE));
    const afterS2 = shows[1].startsAtMs;
    play(w, unchanged([
      { at: SALE, product: 'PM', cmd: exchange('PM-H9', 'ann', S2, S4), expect: 'HOLDING_UNKNOWN', field: 'holdingId' },
      { at: SALE, product: 'PM', cmd: exchange(h.holdingId, 'bob', S2, S4), expect: 'HOLDING_NOT_OWNED', field: 'buyerId' },
      { at: SALE, product: 'PM', cmd: exchange(h.holdingId, 'ann', S1, S4), expect: 'EXCHANGE_INVALID', field: 'fromPerformanceId', why: 'S1 is not in the holding' },
      { at: SALE, product: 'PM', cmd: exchange(h.holdingId, 'ann', S2, S3), expect: 'EXCHANGE_INVALID', field: 'toPerformanceId', why: 'S3 already is' },
      { at: SALE, product: 'PM', cmd: exchange(h.holdingId, 'ann', S2, 'S9'), expect: 'EXCHANGE_INVALID', field: 'toPerformanceId', why: 'unknown' },
      { at: SALE, product: 'PM', cmd: exchange(h.holdingId, 'ann', S2, 'Y1'), expect: 'EXCHANGE_INVALID', field: 'toPerformanceId', why: 'not open to this product\'s exchanges' },
      { at: afterS2, product: 'PM', cmd: exchange(h.holdingId, 'ann', S2, S4), expect: 'EXCHANGE_INVALID', field: 'fromPerformanceId', why: 'S2 has been played' },
      { at: shows[0].startsAtMs + 7 * DAY * 2, product: 'PM', cmd: exchange(h.holdingId, 'ann', S3, 'X1'), expect: 'EXCHANGE_INVALID', why: 'both have been played' },
    ]));
  });

  // Found in session 17: an exchange could drop a required performance, making a holding that a
  // purchase would refuse.
  it('does not exchange a required performance away until it has been played', () => {
    const w = theatre();
    expectCode(w.product('PM', productDef('PM', 'pickMix', shows, { min: 2, max: 3, required: [S1], saleEndMs: shows[4].startsAtMs }), 0), 'OK');
    const h = holding(w.product('PM', buy('ann', { picks: [S1, S2] }), SALE));
    play(w, [
      { at: SALE, product: 'PM', cmd: exchange(h.holdingId, 'ann', S1, S3), expect: 'EXCHANGE_INVALID', field: 'fromPerformanceId', unchanged: true, why: 'S1 is required' },
      { at: SALE, product: 'PM', cmd: exchange(h.holdingId, 'ann', S2, S3), expect: 'OK', why: 'S2 is not' },
    ]);
  });

  it('keeps the seat of a same-seat series where it can, and refuses when that seat is taken', () => {
    const w = theatre();
    expectCode(w.product('SER', productDef('SER', 'series', shows, { sameSeat: true, min: 2, exchangeable: [extra] }), 0), 'OK');
    const h = holding(w.product('SER', buy('ann', { seats: ['A-1-6'], picks: [S1, S2] }), SALE));
    const taken = holding(w.product('SER', buy('bob', { seats: ['A-1-5'], picks: [S1, S2] }), SALE));
    sellSingle(w, 'X1', 'walk-in', ['A-1-5'], SINGLE);
    play(w, [
      { at: SINGLE, product: 'SER', cmd: exchange(taken.holdingId, 'bob', S2, 'X1'), expect: 'SEAT_NOT_AVAILABLE', field: 'X1:seats[0]', unchanged: true },
      { at: SINGLE, product: 'SER', cmd: exchange(h.holdingId, 'ann', S2, 'X1'), expect: 'OK' },
    ]);
    expect(w.valid('X1', h.holdingId).map((t) => t.seatId)).toEqual(['A-1-6']);
  });

  it('refuses season cards: they are not exchanged', () => {
    const w = theatre();
    expectCode(w.product('CARD', productDef('CARD', 'seasonCard', shows.slice(0, 3)), 0), 'OK');
    const h = holding(w.product('CARD', buy('ann'), SALE));
    play(w, [{ at: SALE, product: 'CARD', cmd: exchange(h.holdingId, 'ann', S1, S4), expect: 'EXCHANGE_INVALID', field: '', unchanged: true }]);
  });

  // Found by these tests (fixed): an exchange voided the old performance's tickets one
  // voidTicket each, so when one of them could not be voided (scanned at the door, listed,
  // resold) the others stayed void and the holder had lost them for nothing (DOMAIN §7). The old
  // tickets are now voided by one all-or-nothing command (voidTickets, sagas.ts advanceExchange).
  it('a refused exchange leaves the holding\'s tickets on the old performance as they were', () => {
    const w = theatre();
    expectCode(w.product('SER', productDef('SER', 'series', shows, { sameSeat: true, min: 2, exchangeable: [extra] }), 0), 'OK');
    const h = holding(w.product('SER', buy('ann', { seats: ['A-1-1', 'A-1-2'], picks: [S2, S3] }), SALE));
    const doorsOpen = shows[1].startsAtMs - HOUR;
    // One of the two is scanned at the door; then the holder asks to move the pair to S4.
    expectCode(w.perform(S2, scanHolding(h.holdingId), doorsOpen), 'OK');
    const [refused] = play(w, [{ at: doorsOpen + 1, product: 'SER', cmd: exchange(h.holdingId, 'ann', S2, S4), expect: 'TICKET_ALREADY_SCANNED', field: 'S2:ticketIds[0]' }]);
    expect(w.rows(S2).filter((t) => t.holdingId === h.holdingId).map((t) => t.status)).toEqual(['valid', 'valid']);
    expect(productHoldings(w.prod('SER'))).toEqual([h]);
    // The new tickets were voided again, their seats free.
    expect(w.rows(S4).filter((t) => t.holdingId === h.holdingId).map((t) => t.status)).toEqual(['void', 'void']);
    expect([w.seat(S4, 'A-1-1'), w.seat(S4, 'A-1-2')]).toEqual(['free', 'free']);
    expect(refused).toMatchObject({ message: expect.stringMatching(/^on S2: ticket S2-T\d+ has already been scanned$/) });
    // The second of the pair still admits, and the other performance still swaps, both tickets at once.
    expectCode(w.perform(S2, scanHolding(h.holdingId), doorsOpen + 2), 'OK');
    const [swapped] = play(w, [{ at: doorsOpen + 3, product: 'SER', cmd: exchange(h.holdingId, 'ann', S3, S4), expect: 'OK' }]);
    expect(holding(swapped).performances.map((p) => p.performanceId)).toEqual([S2, S4]);
    expect(w.rows(S3).filter((t) => t.holdingId === h.holdingId).map((t) => t.status)).toEqual(['void', 'void']);
    expect(w.valid(S4, h.holdingId).map((t) => t.seatId)).toEqual(['A-1-1', 'A-1-2']);
  });
});
