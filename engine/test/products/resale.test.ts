// Resale of season-ticket seats (DOMAIN §6): allowed per online channel, for eligible card kinds
// only, inside a price band; a seat from a quota not authorized on a resale channel cannot be
// listed; a buyer (registered or not) gets a new ticket, the seller's no longer admits and the
// seller is credited the price less the fee; a listing may be withdrawn.
import { describe, expect, it } from 'vitest';
import { resaleReport, settlementFacts, type ResaleBought } from '../../src/domain/mod.ts';
import {
  FIRST, SALE, World, buy, buyListing, expectCode, hallLayout, holding, list, ok, play, priceOf, productDef, resaleCard, scanHolding,
  schedule, withdraw,
} from './helpers.ts';

const hall = hallLayout();
const games = schedule(['G1', 'G2', 'G3']);
const base = priceOf(hall, 'card', 'A');

function withCard(): { w: World; holdingId: string; ticketId: string } {
  const w = new World().add(games, hall);
  expectCode(w.product('CARD', resaleCard('CARD', games), 0), 'OK');
  const h = holding(w.product('CARD', buy('ann', { seats: ['A-1-1'] }), SALE));
  return { w, holdingId: h.holdingId, ticketId: w.valid('G2', h.holdingId)[0].ticketId };
}

describe('resale - listing', () => {
  it('lists on an allowed channel inside the band, once per ticket, by its holder; withdraws', () => {
    const { w, ticketId } = withCard();
    const [low, high] = [base / 2, (base * 3) / 2];
    const at = SALE + 1;
    play(w, [
      { at, perf: 'G2', cmd: list('L1', ticketId, 'ann', base, { channel: 'box' }), expect: 'RESALE_CHANNEL_NOT_ALLOWED', field: 'channel', unchanged: true, why: 'the policy allows the web only' },
      { at, perf: 'G2', cmd: list('L1', ticketId, 'ann', base, { channel: 'tv' }), expect: 'CHANNEL_UNKNOWN', field: 'channel', unchanged: true },
      { at, perf: 'G2', cmd: list('L1', ticketId, 'ann', low - 1), expect: 'RESALE_PRICE_OUT_OF_BAND', field: 'priceMinor', unchanged: true },
      { at, perf: 'G2', cmd: list('L1', ticketId, 'ann', high + 1), expect: 'RESALE_PRICE_OUT_OF_BAND', field: 'priceMinor', unchanged: true },
      { at, perf: 'G2', cmd: list('L1', ticketId, 'bob', base), expect: 'LISTING_NOT_OWNED', field: 'sellerId', unchanged: true },
      { at, perf: 'G2', cmd: list('L1', ticketId, 'ann', high), expect: 'OK', check: (r) => expect(r).toMatchObject({ priceMinor: high, basePriceMinor: base }) },
      { at, perf: 'G2', cmd: list('L2', ticketId, 'ann', base), expect: 'TICKET_ALREADY_LISTED', unchanged: true },
      { at, perf: 'G2', cmd: list('L1', 'G2-T99', 'ann', base), expect: 'LISTING_EXISTS', unchanged: true },
      { at, perf: 'G2', cmd: scanHolding('CARD-H1'), expect: 'TICKET_ALREADY_LISTED', why: 'a listed seat does not admit until withdrawn' },
      { at, perf: 'G2', cmd: withdraw('L1', 'bob'), expect: 'LISTING_NOT_OWNED', unchanged: true },
      { at, perf: 'G2', cmd: withdraw('L1', 'ann'), expect: 'OK' },
      { at, perf: 'G2', cmd: withdraw('L1', 'ann'), expect: 'LISTING_CLOSED', unchanged: true },
      { at, perf: 'G2', cmd: withdraw('L9', 'ann'), expect: 'LISTING_UNKNOWN', unchanged: true },
      { at, perf: 'G2', cmd: buyListing('L1', 'bob'), expect: 'LISTING_CLOSED', unchanged: true, why: 'withdrawn' },
      { at, perf: 'G2', cmd: list('L2', ticketId, 'ann', low), expect: 'OK', why: 'listed again, at the bottom of the band' },
    ]);
    expect(resaleReport(w.perf('G2')).listings.map((l) => [l.listingId, l.status, l.priceMinor])).toEqual([['L1', 'withdrawn', high], ['L2', 'open', low]]);
  });

  it('refuses fixed-price cards: never resold', () => {
    const w = new World().add(games, hall);
    play(w, [
      { at: 0, product: 'FIXED', cmd: resaleCard('FIXED', games, { cardKind: 'fixedPrice' }), expect: 'RESALE_NOT_ELIGIBLE', field: 'resale', unchanged: true },
      { at: 0, product: 'FIXED', cmd: buy('ann'), expect: 'PRODUCT_UNKNOWN', unchanged: true, why: 'never created' },
      { at: 0, product: 'FIXED', cmd: productDef('FIXED', 'seasonCard', games, { cardKind: 'fixedPrice' }), expect: 'OK', why: 'without resale' },
      { at: SALE, product: 'FIXED', cmd: buy('ann', { seats: ['A-1-1'] }), expect: 'OK' },
    ]);
    const ticketId = w.valid('G1', 'FIXED-H1')[0].ticketId;
    play(w, [{ at: SALE, perf: 'G1', cmd: list('L1', ticketId, 'ann', base), expect: 'RESALE_NOT_ELIGIBLE', field: 'ticketId', unchanged: true }]);
  });

  it('refuses a seat sold from a quota that names channels but no resale channel; the product\'s own allocation goes with its policy', () => {
    const w = new World().add(games, hall);
    const terms = { cardKind: 'calculatedPrice' as const, resale: { minPct: 80, maxPct: 100, feePct: 5, channels: ['web'] }, sameSeat: true };
    expectCode(w.product('SER', productDef('SER', 'series', games, { ...terms, allocation: { policy: 'quotaFirst', seats: ['B-2-1'] } }), 0), 'OK');
    // Two contingents of the product set up on each performance by hand: one sold through the
    // box office only, one authorized on the resale channel.
    for (const g of games) {
      expectCode(w.perform(g.performanceId, { type: 'createQuota', quotaId: 'box-only', channels: ['box'], policy: 'quotaFirst', productId: 'SER', seats: ['B-1-1'] }, SALE), 'OK');
      expectCode(w.perform(g.performanceId, { type: 'createQuota', quotaId: 'resold', channels: ['exchange'], policy: 'quotaFirst', productId: 'SER', seats: ['B-1-2'] }, SALE), 'OK');
    }
    const boxOnly = holding(w.product('SER', buy('ann', { seats: ['B-1-1'] }), SALE));
    const resold = holding(w.product('SER', buy('bob', { seats: ['B-1-2'] }), SALE));
    const own = holding(w.product('SER', buy('cid', { seats: ['B-2-1'] }), SALE));
    const sub = priceOf(hall, 'sub', 'B');
    const first = (h: typeof own) => w.valid('G1', h.holdingId)[0].ticketId;
    play(w, [
      { at: SALE, perf: 'G1', cmd: list('L1', first(boxOnly), 'ann', sub), expect: 'RESALE_QUOTA_NOT_AUTHORIZED', field: 'ticketId', unchanged: true },
      { at: SALE, perf: 'G1', cmd: list('L2', first(resold), 'bob', sub), expect: 'OK' },
      { at: SALE, perf: 'G1', cmd: list('L3', first(own), 'cid', sub), expect: 'OK', why: 'the coordinator\'s allocation names no channel' },
    ]);
    expect(w.valid('G1').filter((t) => t.productId === 'SER').map((t) => t.quotaId)).toEqual(['box-only', 'resold', 'SER.allocation']);
  });
});

describe('resale - buying', () => {
  it('gives an unregistered buyer a new ticket; the seller\'s is transferred and credited price less fee', () => {
    const { w, holdingId, ticketId } = withCard();
    const price = base + 500;
    const at = SALE + 2;
    const results = play(w, [
      { at, perf: 'G2', cmd: list('L1', ticketId, 'ann', price), expect: 'OK' },
      { at, perf: 'G2', cmd: buyListing('L1', 'guest-7', { channel: 'web' }), expect: 'RESALE_CHANNEL_NOT_ALLOWED', field: 'channel', unchanged: true, why: 'bought on a resale channel only' },
      { at, perf: 'G2', cmd: buyListing('L1', 'ann'), expect: 'LISTING_NOT_OWNED', field: 'buyerId', unchanged: true, why: 'not from oneself' },
      { at, perf: 'G2', cmd: buyListing('L9', 'guest-7'), expect: 'LISTING_UNKNOWN', unchanged: true },
      { at, perf: 'G2', cmd: buyListing('L1', 'guest-7', { buyerEmail: 'guest@example.org' }), expect: 'OK' },
      { at, perf: 'G2', cmd: buyListing('L1', 'guest-8'), expect: 'LISTING_CLOSED', unchanged: true, why: 'sold' },
    ]);
    const sold = ok<ResaleBought>(results[4]);
    const fee = Math.floor(price / 10);
    expect(sold).toMatchObject({ resaleOf: ticketId, seatId: 'A-1-1', sellerId: 'ann', priceMinor: price, basePriceMinor: base, feeMinor: fee, sellerCreditMinor: price - fee });
    const rows = w.rows('G2');
    expect(rows.find((t) => t.ticketId === ticketId)).toMatchObject({ status: 'transferred', buyerId: 'ann', holdingId });
    expect(rows.find((t) => t.ticketId === sold.ticketId)).toMatchObject({
      status: 'valid', buyerId: 'guest-7', seatId: 'A-1-1', resaleOf: ticketId, basePriceMinor: base, priceMinor: price, productId: null, holdingId: null,
    });
    expect(w.valid('G2').filter((t) => t.seatId === 'A-1-1')).toHaveLength(1);
    const facts = settlementFacts(w.perf('G2'));
    expect(facts.resales).toEqual([expect.objectContaining({ listingId: 'L1', productId: 'CARD', holdingId, sellerId: 'ann', buyerId: 'guest-7', feeMinor: fee, sellerCreditMinor: price - fee })]);
    expect(facts.productSalesMinor).toEqual({ CARD: base });
    play(w, [
      { at: FIRST, perf: 'G2', cmd: scanHolding(holdingId), expect: 'TICKET_TRANSFERRED', field: 'holdingId', why: 'the card no longer admits here' },
      { at: FIRST, perf: 'G2', cmd: { type: 'scanTicket', ticketId }, expect: 'TICKET_TRANSFERRED' },
      { at: FIRST, perf: 'G2', cmd: list('L2', ticketId, 'ann', base), expect: 'TICKET_TRANSFERRED', unchanged: true },
      { at: FIRST, perf: 'G2', cmd: { type: 'voidTicket', ticketId }, expect: 'TICKET_TRANSFERRED', unchanged: true },
      { at: FIRST, perf: 'G2', cmd: list('L2', sold.ticketId, 'guest-7', base), expect: 'RESALE_NOT_ELIGIBLE', unchanged: true, why: 'a resale ticket is not a product\'s' },
      { at: FIRST, perf: 'G2', cmd: { type: 'scanTicket', ticketId: sold.ticketId }, expect: 'OK', why: 'the buyer\'s ticket admits' },
      { at: FIRST, perf: 'G1', cmd: scanHolding(holdingId), expect: 'OK', why: 'the card still admits where it was not resold' },
      { at: FIRST, perf: 'G3', cmd: scanHolding(holdingId), expect: 'OK' },
    ]);
  });
});

// Found in session 29: a refunded resale (its buyer's ticket voided) took back the seller's
// credit but left the seller's ticket transferred and put the seat back on sale: the seller lost
// both, and a refund of the holding kept that part as "resold". The resale is undone instead.
describe('resale - a resale undone by a void of the buyer\'s ticket', () => {
  it('gives the seller the seat back: the card admits there, and a refund of the holding takes that part too', () => {
    const perfs = games;
    const w = new World().add(perfs, hall);
    expectCode(w.product('C', resaleCard('C', perfs), 0), 'OK');
    const ann = holding(expectCode(w.product('C', buy('ann', { seats: ['A-1-1'] }), SALE), 'OK'));
    const onG2 = ann.performances[1].tickets[0];
    expectCode(w.perform('G2', list('L1', onG2, 'ann', 3000), SALE + 1), 'OK');
    const bought = ok<ResaleBought>(expectCode(w.perform('G2', buyListing('L1', 'bob'), SALE + 2), 'OK'));
    expectCode(w.perform('G2', { type: 'scanHolding', holdingId: ann.holdingId }, SALE + 2), 'TICKET_TRANSFERRED');
    expectCode(w.perform('G2', { type: 'voidTicket', ticketId: bought.ticketId }, SALE + 3), 'OK', 'bob is refunded');
    expect(w.seat('G2', 'A-1-1')).toBe('sold');
    expect(w.valid('G2', ann.holdingId).map((t) => t.ticketId)).toEqual([onG2]);
    expect(resaleReport(w.perf('G2')).sales.map((s) => [s.listingId, s.refundedAtMs])).toEqual([['L1', SALE + 3]]);
    expectCode(w.product('C', { type: 'refundHolding', holdingId: ann.holdingId }, SALE + 4), 'OK');
    for (const p of perfs) expect(w.seat(p.performanceId, 'A-1-1'), `${p.performanceId}: refunded, back on sale`).toBe('free');
    expect(w.prod('C').holdings.get(ann.holdingId)?.performanceIds, 'no part kept').toEqual([]);
  });
});
