// The resale exchange for product seats (seed 003), and a card's one code at the door (seed 000).
// A holder lists one performance's ticket at a price inside the product's band, on a channel the
// product allows, if the seat's quota is authorized for resale; anyone buys it through a resale
// channel; the seller's ticket is transferred and the buyer gets a new one for the same seat.
import { describe, expect, it } from 'vitest';
import {
  execute, limits, resaleReport, settlementFacts, settlementReport, ticketRows, type ListingAccepted, type ResaleBought, type Result, type ScanAccepted,
} from '../../src/domain/mod.ts';
import {
  OPEN, accepted, avail, buyResale, confirm, createQuota, holdGa, holdSeats, linkProduct, listResale, newPerformance, play, productSpec,
  asStepOf, scan, scanHolding, seatState, seats, voidTicket, voidTickets, withdrawResale, type Step,
} from './helpers.ts';

type State = Parameters<typeof avail>[0];

/** A product's hold and its confirm, for a buyer and a holding. */
function sell(holdId: string, buyerId: string, productId: string, holdingId: string, seatIds: string[]): Step[] {
  return [
    { at: OPEN, cmd: holdSeats(holdId, buyerId, seatIds, { productId, holdingId }), expect: 'OK' },
    { at: OPEN, cmd: confirm(holdId, buyerId), expect: 'OK' },
  ];
}

/**
 * The hall with three products: `card` (band 50-120 %, fee 10 %, listed on the web), `fixed` (a
 * fixed-price card, never resold) and `band` (33-101 %, no fee, listed on the web and on the
 * exchange's own channel), whose two allocations are one authorized for resale (with a 7 %
 * discount) and one not. Tickets:
 * T0 ann MAIN-1-1 (card H1), T1 bob FLOOR (card H2), T2 cat MAIN-1-3 (a single ticket),
 * T3 dan MAIN-1-4 (fixed F1), T4 eve MAIN-2-1 (band B1, net 4650), T5 fay MAIN-2-2 (band B2,
 * unauthorized quota), T6 ann MAIN-1-2 (card H3), T7 gus MAIN-1-5 (card H4), T8 hal MAIN-1-6 (card H5).
 */
function resaleHall(edit: Parameters<typeof newPerformance>[0] = productSpec): State {
  const state = newPerformance(edit);
  play(state, [
    { at: 0, cmd: linkProduct('card'), expect: 'OK' },
    { at: 0, cmd: linkProduct('fixed', { cardKind: 'fixedPrice', resale: null }), expect: 'OK' },
    { at: 0, cmd: linkProduct('band', { resale: { minPct: 33, maxPct: 101, feePct: 0, channels: ['web', 'resale'] } }), expect: 'OK' },
    { at: 0, cmd: createQuota('auth', ['resale'], 'quotaFirst', { productId: 'band', seats: ['MAIN-2-1'], discountPct: 7 }), expect: 'OK' },
    { at: 0, cmd: createQuota('plain', ['web'], 'quotaFirst', { productId: 'band', seats: ['MAIN-2-2'] }), expect: 'OK' },
    ...sell('h0', 'ann', 'card', 'H1', ['MAIN-1-1']),
    { at: OPEN, cmd: holdGa('h1', 'bob', 'FLOOR', 1, { productId: 'card', holdingId: 'H2' }), expect: 'OK' },
    { at: OPEN, cmd: confirm('h1', 'bob'), expect: 'OK' },
    { at: OPEN, cmd: holdSeats('h2', 'cat', ['MAIN-1-3']), expect: 'OK' },
    { at: OPEN, cmd: confirm('h2', 'cat'), expect: 'OK' },
    ...sell('h3', 'dan', 'fixed', 'F1', ['MAIN-1-4']),
    ...sell('h4', 'eve', 'band', 'B1', ['MAIN-2-1']),
    ...sell('h5', 'fay', 'band', 'B2', ['MAIN-2-2']),
    ...sell('h6', 'ann', 'card', 'H3', ['MAIN-1-2']),
    ...sell('h7', 'gus', 'card', 'H4', ['MAIN-1-5']),
    ...sell('h8', 'hal', 'card', 'H5', ['MAIN-1-6']),
  ]);
  expect(state.tickets.count).toBe(9);
  return state;
}

const listed = (expected: Omit<ListingAccepted, 'ok'>) => (r: Result) => expect(accepted<ListingAccepted>(r)).toEqual({ ok: true, ...expected });

describe('resale - listing a product seat', () => {
  it('checks ids, the listing, the ticket, the product, the seller, the channel, the quota, then the price band', () => {
    const state = resaleHall();
    play(state, [
      { at: OPEN, cmd: voidTicket('P1-T7', asStepOf('card')), expect: 'OK' },
      { at: OPEN, cmd: scan('P1-T8'), expect: 'OK' },
      { at: OPEN, cmd: listResale('', 'P1-T0', 'ann', 5000), expect: 'COMMAND_INVALID', field: 'listingId', unchanged: true },
      { at: OPEN, cmd: listResale('L1', 'P1-T0', 'ann', 5000, { sellerId: undefined }), expect: 'COMMAND_INVALID', field: 'sellerId', unchanged: true },
      { at: OPEN, cmd: listResale('L1', 'P1-T0', 'ann', 5000.5), expect: 'COMMAND_INVALID', field: 'priceMinor', unchanged: true },
      { at: OPEN, cmd: listResale('L1', 'P1-T0', 'ann', -1), expect: 'COMMAND_INVALID', field: 'priceMinor', unchanged: true },
      { at: OPEN, cmd: listResale('L1', 'P1-T0', 'ann', 5000), expect: 'OK', check: listed({ listingId: 'L1', ticketId: 'P1-T0', priceMinor: 5000, basePriceMinor: 5000 }) },
      { at: OPEN, cmd: listResale('L1', 'P1-T6', 'ann', 5000), expect: 'LISTING_EXISTS', field: 'listingId', unchanged: true },
      { at: OPEN, cmd: listResale('L2', 'P1-T99', 'ann', 5000), expect: 'TICKET_NOT_FOUND', field: 'ticketId', unchanged: true },
      { at: OPEN, cmd: listResale('L2', 'P1-T7', 'gus', 5000), expect: 'RESALE_NOT_ELIGIBLE', field: 'ticketId', unchanged: true, why: 'void' },
      { at: OPEN, cmd: listResale('L2', 'P1-T8', 'hal', 5000), expect: 'RESALE_NOT_ELIGIBLE', field: 'ticketId', unchanged: true, why: 'already scanned' },
      { at: OPEN, cmd: listResale('L2', 'P1-T2', 'cat', 5000), expect: 'RESALE_NOT_ELIGIBLE', field: 'ticketId', unchanged: true, why: 'a single ticket' },
      { at: OPEN, cmd: listResale('L2', 'P1-T3', 'dan', 5000), expect: 'RESALE_NOT_ELIGIBLE', field: 'ticketId', unchanged: true, why: 'a fixed-price card' },
      { at: OPEN, cmd: listResale('L2', 'P1-T6', 'bob', 5000), expect: 'LISTING_NOT_OWNED', field: 'sellerId', unchanged: true },
      { at: OPEN, cmd: listResale('L2', 'P1-T6', 'ann', 5000, { channel: 'tv' }), expect: 'CHANNEL_UNKNOWN', field: 'channel', unchanged: true },
      { at: OPEN, cmd: listResale('L2', 'P1-T6', 'ann', 5000, { channel: 'box' }), expect: 'RESALE_CHANNEL_NOT_ALLOWED', field: 'channel', unchanged: true },
      { at: OPEN, cmd: listResale('L2', 'P1-T5', 'fay', 3000), expect: 'RESALE_QUOTA_NOT_AUTHORIZED', field: 'ticketId', unchanged: true, why: 'its quota names no resale channel' },
      { at: OPEN, cmd: listResale('L2', 'P1-T0', 'ann', 5000), expect: 'TICKET_ALREADY_LISTED', field: 'ticketId', unchanged: true },
      { at: OPEN, cmd: listResale('L2', 'P1-T6', 'ann', 2499), expect: 'RESALE_PRICE_OUT_OF_BAND', field: 'priceMinor', unchanged: true, why: 'below 50 %' },
      { at: OPEN, cmd: listResale('L2', 'P1-T6', 'ann', 6001), expect: 'RESALE_PRICE_OUT_OF_BAND', field: 'priceMinor', unchanged: true, why: 'above 120 %' },
      { at: OPEN, cmd: listResale('L2', 'P1-T6', 'ann', 6000), expect: 'OK' },
      { at: OPEN, cmd: listResale('L3', 'P1-T1', 'bob', 1250), expect: 'OK', why: 'a GA place, at the floor of its band' },
      // Band 33-101 % of 4650 (5000 less the 7 % allocation discount): from 1534 (1534.5 down) to 4697 (4696.5 up).
      { at: OPEN, cmd: listResale('L4', 'P1-T4', 'eve', 1533, { channel: 'resale' }), expect: 'RESALE_PRICE_OUT_OF_BAND', unchanged: true },
      { at: OPEN, cmd: listResale('L4', 'P1-T4', 'eve', 4698, { channel: 'resale' }), expect: 'RESALE_PRICE_OUT_OF_BAND', unchanged: true },
      { at: OPEN, cmd: listResale('L4', 'P1-T4', 'eve', 1534, { channel: 'resale' }), expect: 'OK', check: listed({ listingId: 'L4', ticketId: 'P1-T4', priceMinor: 1534, basePriceMinor: 4650 }) },
      { at: OPEN, cmd: listResale('L5', 'P1-T4', 'eve', 4697), expect: 'TICKET_ALREADY_LISTED', unchanged: true },
    ]);
  });

  it('a listed ticket can be neither voided nor scanned, by its id or its holding, until it is withdrawn', () => {
    const state = resaleHall();
    play(state, [
      { at: OPEN, cmd: listResale('L1', 'P1-T0', 'ann', 5000), expect: 'OK' },
      { at: OPEN, cmd: voidTicket('P1-T0'), expect: 'TICKET_ALREADY_LISTED', field: 'ticketId', unchanged: true },
      { at: OPEN, cmd: scan('P1-T0'), expect: 'TICKET_ALREADY_LISTED', field: 'ticketId', unchanged: true },
      { at: OPEN, cmd: scanHolding('H1'), expect: 'TICKET_ALREADY_LISTED', field: 'holdingId', unchanged: true },
      { at: OPEN, cmd: withdrawResale('L1', 'ann'), expect: 'OK' },
      { at: OPEN, cmd: scanHolding('H1'), expect: 'OK' },
    ]);
  });

  it('a ticket listed or resold keeps every ticket of a voidTickets valid (an exchange voids a holding\'s tickets so)', () => {
    const state = resaleHall();
    play(state, [
      { at: OPEN, cmd: listResale('L1', 'P1-T0', 'ann', 5000), expect: 'OK' },
      { at: OPEN, cmd: voidTickets(['P1-T6', 'P1-T0'], asStepOf('card')), expect: 'TICKET_ALREADY_LISTED', field: 'ticketIds[1]', unchanged: true },
      { at: OPEN + 1, cmd: buyResale('L1', 'ivy'), expect: 'OK' },
      { at: OPEN + 1, cmd: voidTickets(['P1-T6', 'P1-T0'], asStepOf('card')), expect: 'TICKET_TRANSFERRED', field: 'ticketIds[1]', unchanged: true },
      { at: OPEN + 1, cmd: voidTickets(['P1-T6', 'P1-T9'], asStepOf('card')), expect: 'OK', why: 'ann\'s other card and the resale buyer\'s ticket', check: (_r, s) => {
        // The resale is undone: MAIN-1-1 is ann's again (P1-T0 valid), MAIN-1-2 back on sale.
        expect([seatState(s, 'MAIN-1-1'), seatState(s, 'MAIN-1-2')]).toEqual(['sold', 'free']);
        expect(ticketRows(s).find((t) => t.ticketId === 'P1-T0')?.status).toBe('valid');
        expect(ticketRows(s).filter((t) => t.status === 'void').map((t) => t.ticketId)).toEqual(['P1-T6', 'P1-T9']);
      } },
    ]);
  });
});

describe('resale - the quota\'s resale channel', () => {
  // Found in session 17: a quota authorized on one resale channel was resold through any other,
  // as the purchase did not look at the quota (two exchanges, one of them the partner's).
  it('sells a quota seat only on a resale channel its quota names', () => {
    const state = resaleHall((spec) => {
      productSpec(spec);
      spec.channels.push({ id: 'fanx', kind: 'resale', saleStartMs: 0, saleEndMs: spec.channels[0].saleEndMs });
    });
    play(state, [
      { at: OPEN, cmd: listResale('L1', 'P1-T4', 'eve', 4650, { channel: 'resale' }), expect: 'OK', why: 'quota auth names the channel resale' },
      { at: OPEN, cmd: listResale('L2', 'P1-T0', 'ann', 5000), expect: 'OK', why: 'a general-pool seat' },
      { at: OPEN, cmd: buyResale('L1', 'joe', { channel: 'fanx' }), expect: 'RESALE_QUOTA_NOT_AUTHORIZED', field: 'channel', unchanged: true },
      { at: OPEN, cmd: holdSeats('x1', 'joe', ['MAIN-3-3'], { channel: 'fanx' }), expect: 'CHANNEL_RESALE_ONLY', field: 'channel', unchanged: true, why: 'listings only, no stock' },
      { at: OPEN, cmd: holdSeats('x2', 'joe', ['MAIN-2-3'], { channel: 'resale', productId: 'band', holdingId: 'B3' }), expect: 'CHANNEL_RESALE_ONLY', field: 'channel', unchanged: true, why: 'nor the band\'s stock, whose quota names the channel' },
      { at: OPEN, cmd: buyResale('L2', 'joe', { channel: 'fanx' }), expect: 'OK' },
      { at: OPEN, cmd: buyResale('L1', 'kim'), expect: 'OK', why: 'on the channel resale' },
    ]);
  });
});

describe('resale - withdrawing and buying', () => {
  it('withdraws only an open listing of the seller; a withdrawn id is not reused', () => {
    const state = resaleHall();
    play(state, [
      { at: OPEN, cmd: listResale('L1', 'P1-T0', 'ann', 5000), expect: 'OK' },
      { at: OPEN, cmd: withdrawResale('L1', ''), expect: 'COMMAND_INVALID', field: 'sellerId', unchanged: true },
      { at: OPEN, cmd: withdrawResale('L9', 'ann'), expect: 'LISTING_UNKNOWN', field: 'listingId', unchanged: true },
      { at: OPEN, cmd: withdrawResale('L1', 'bob'), expect: 'LISTING_NOT_OWNED', field: 'sellerId', unchanged: true },
      { at: OPEN, cmd: withdrawResale('L1', 'ann'), expect: 'OK' },
      { at: OPEN, cmd: withdrawResale('L1', 'ann'), expect: 'LISTING_CLOSED', field: 'listingId', unchanged: true },
      { at: OPEN, cmd: buyResale('L1', 'joe'), expect: 'LISTING_CLOSED', field: 'listingId', unchanged: true },
      { at: OPEN, cmd: listResale('L1', 'P1-T0', 'ann', 5000), expect: 'LISTING_EXISTS', unchanged: true },
      { at: OPEN, cmd: listResale('L1b', 'P1-T0', 'ann', 5555), expect: 'OK' },
    ]);
    expect(resaleReport(state).listings).toEqual([
      { listingId: 'L1', ticketId: 'P1-T0', sellerId: 'ann', priceMinor: 5000, status: 'withdrawn' },
      { listingId: 'L1b', ticketId: 'P1-T0', sellerId: 'ann', priceMinor: 5555, status: 'open' },
    ]);
  });

  it('sells through a resale channel only, to another buyer within the ticket cap; the seat changes hands', () => {
    const state = resaleHall((spec) => { productSpec(spec); spec.maxTicketsPerBuyer = 6; });
    const before = avail(state).totals;
    play(state, [
      { at: OPEN, cmd: holdSeats('z1', 'zed', seats('BALC-2', 1, 6), { channel: 'box' }), expect: 'OK' },
      { at: OPEN, cmd: confirm('z1', 'zed'), expect: 'OK' },
      { at: OPEN, cmd: listResale('L1', 'P1-T0', 'ann', 5555), expect: 'OK' },
      { at: OPEN, cmd: buyResale('', 'joe'), expect: 'COMMAND_INVALID', field: 'listingId', unchanged: true },
      { at: OPEN, cmd: buyResale('L1', 'joe', { buyerEmail: 'joe' }), expect: 'COMMAND_INVALID', field: 'buyerEmail', unchanged: true },
      { at: OPEN, cmd: buyResale('L9', 'joe'), expect: 'LISTING_UNKNOWN', field: 'listingId', unchanged: true },
      { at: OPEN, cmd: buyResale('L1', 'joe', { channel: 'tv' }), expect: 'CHANNEL_UNKNOWN', field: 'channel', unchanged: true },
      { at: OPEN, cmd: buyResale('L1', 'joe', { channel: 'web' }), expect: 'RESALE_CHANNEL_NOT_ALLOWED', field: 'channel', unchanged: true },
      { at: OPEN, cmd: buyResale('L1', 'ann'), expect: 'LISTING_NOT_OWNED', field: 'buyerId', unchanged: true },
      { at: OPEN, cmd: buyResale('L1', 'zed'), expect: 'BUYER_TICKET_LIMIT', field: 'buyerId', unchanged: true, why: 'zed has six tickets' },
      { at: OPEN + 1, cmd: buyResale('L1', 'joe', { buyerEmail: 'joe@example.org' }), expect: 'OK', check: (r, s) => {
        expect(accepted<ResaleBought>(r)).toEqual({
          ok: true, listingId: 'L1', ticketId: 'P1-T15', resaleOf: 'P1-T0', seatId: 'MAIN-1-1', gaAreaId: null, sellerId: 'ann',
          priceMinor: 5555, basePriceMinor: 5000, feeMinor: 555, sellerCreditMinor: 5000,
        });
        expect(seatState(s, 'MAIN-1-1')).toBe('sold');
        expect(s.seatHolder[s.layout.seatIndexById.get('MAIN-1-1') as number]).toBe(16);
        expect(s.buyers.get('ann')?.soldTickets).toBe(1);
        expect(s.buyers.get('joe')).toEqual({ openHolds: 0, heldTickets: 0, soldTickets: 1 });
        expect(s.orders.get(s.orders.length - 1)).toMatchObject({
          orderId: 'P1-O10', holdId: 'L1', buyerId: 'joe', buyerEmail: 'joe@example.org', totalMinor: 5555, discountMinor: 0,
          productId: null, holdingId: null, resaleOf: 0, basePriceMinor: 5000, createdAtMs: OPEN + 1,
        });
      } },
      { at: OPEN + 1, cmd: buyResale('L1', 'kim'), expect: 'LISTING_CLOSED', unchanged: true },
      { at: OPEN + 1, cmd: scan('P1-T0'), expect: 'TICKET_TRANSFERRED', field: 'ticketId', unchanged: true },
      { at: OPEN + 1, cmd: voidTicket('P1-T0'), expect: 'TICKET_TRANSFERRED', field: 'ticketId', unchanged: true },
      { at: OPEN + 1, cmd: listResale('L2', 'P1-T0', 'ann', 5000), expect: 'TICKET_TRANSFERRED', field: 'ticketId', unchanged: true },
      { at: OPEN + 1, cmd: listResale('L2', 'P1-T15', 'joe', 5000), expect: 'RESALE_NOT_ELIGIBLE', field: 'ticketId', unchanged: true, why: 'a resold ticket is no product ticket' },
      { at: OPEN + 1, cmd: scanHolding('H1'), expect: 'TICKET_TRANSFERRED', field: 'holdingId', unchanged: true },
      { at: OPEN + 1, cmd: scan('P1-T15'), expect: 'OK' },
    ]);
    expect(avail(state).totals).toEqual({ ...before, free: before.free - 6, sold: before.sold + 6 });
    const rows = ticketRows(state);
    expect(rows[0]).toMatchObject({ ticketId: 'P1-T0', buyerId: 'ann', status: 'transferred', productId: 'card', holdingId: 'H1', resaleOf: null, basePriceMinor: null });
    expect(rows[15]).toMatchObject({
      ticketId: 'P1-T15', seatId: 'MAIN-1-1', buyerId: 'joe', channel: 'resale', ticketType: 'adult', priceMinor: 5555, discountMinor: 0, status: 'valid',
      scanned: true, quotaId: null, productId: null, holdingId: null, resaleOf: 'P1-T0', basePriceMinor: 5000, orderId: 'P1-O10',
    });
  });

  it('the seller, having sold, is back under the cap', () => {
    const state = resaleHall((spec) => { productSpec(spec); spec.maxTicketsPerBuyer = 2; });
    play(state, [
      { at: OPEN, cmd: holdSeats('a1', 'ann', ['MAIN-3-3']), expect: 'BUYER_TICKET_LIMIT', unchanged: true, why: 'ann holds two cards' },
      { at: OPEN, cmd: listResale('L1', 'P1-T0', 'ann', 5000), expect: 'OK' },
      { at: OPEN, cmd: buyResale('L1', 'joe'), expect: 'OK' },
      { at: OPEN, cmd: holdSeats('a2', 'ann', ['MAIN-3-3']), expect: 'OK' },
    ]);
  });

  // Session 32: the cap's own edge had no test (a buyer one under it refused passed them all).
  it('sells to a buyer one ticket under the cap, and not to one at it', () => {
    const state = resaleHall((spec) => { productSpec(spec); spec.maxTicketsPerBuyer = 6; });
    play(state, [
      { at: OPEN, cmd: holdSeats('z1', 'zed', seats('BALC-2', 1, 5), { channel: 'box' }), expect: 'OK' },
      { at: OPEN, cmd: confirm('z1', 'zed'), expect: 'OK' },
      { at: OPEN, cmd: listResale('L1', 'P1-T0', 'ann', 5000), expect: 'OK' },
      { at: OPEN, cmd: listResale('L2', 'P1-T6', 'ann', 5000), expect: 'OK' },
      { at: OPEN, cmd: buyResale('L1', 'zed'), expect: 'OK', why: 'the sixth' },
      { at: OPEN, cmd: buyResale('L2', 'zed'), expect: 'BUYER_TICKET_LIMIT', field: 'buyerId', unchanged: true, why: 'a seventh' },
    ]);
  });

  // Session 32: a window's end is excluded, for the exchange's purchases too (no test held the edge).
  it('sells until the resale channel\'s saleEndMs, not at it', () => {
    const state = resaleHall((spec) => { productSpec(spec); spec.channels[3].saleEndMs = OPEN + 10; });
    play(state, [
      { at: OPEN, cmd: listResale('L1', 'P1-T0', 'ann', 5000), expect: 'OK' },
      { at: OPEN, cmd: listResale('L2', 'P1-T6', 'ann', 5000), expect: 'OK' },
      { at: OPEN + 9, cmd: buyResale('L1', 'joe'), expect: 'OK' },
      { at: OPEN + 10, cmd: buyResale('L2', 'kim'), expect: 'CHANNEL_NOT_ON_SALE', field: 'channel', unchanged: true },
    ]);
  });

  it('is refused while the resale channel is not on sale', () => {
    const state = resaleHall((spec) => { productSpec(spec); spec.channels[3].enabled = false; });
    play(state, [
      { at: OPEN, cmd: listResale('L1', 'P1-T0', 'ann', 5000), expect: 'OK' },
      { at: OPEN, cmd: buyResale('L1', 'joe'), expect: 'CHANNEL_NOT_ON_SALE', field: 'channel', unchanged: true },
    ]);
  });

  it('a GA place changes hands in the pool it was sold from, and is the seller\'s again when the new ticket is voided', () => {
    const state = newPerformance(productSpec);
    const floor = (s: State) => avail(s).quotas.find((q) => q.quotaId === 'floor');
    play(state, [
      { at: 0, cmd: linkProduct('card'), expect: 'OK' },
      { at: 0, cmd: createQuota('floor', ['web', 'resale'], 'onlyQuota', { productId: 'card', gaAreaId: 'FLOOR', count: 2 }), expect: 'OK' },
      { at: 1, cmd: holdGa('h1', 'bob', 'FLOOR', 2, { productId: 'card', holdingId: 'H2' }), expect: 'OK' },
      { at: 1, cmd: confirm('h1', 'bob'), expect: 'OK' },
      { at: 2, cmd: listResale('L1', 'P1-T1', 'bob', 3000), expect: 'OK' },
      { at: 2, cmd: buyResale('L1', 'kim'), expect: 'OK', check: (r, s) => {
        expect(accepted<ResaleBought>(r)).toMatchObject({ ticketId: 'P1-T2', resaleOf: 'P1-T1', seatId: null, gaAreaId: 'FLOOR', feeMinor: 300, sellerCreditMinor: 2700 });
        expect(floor(s)).toEqual({ quotaId: 'floor', capacity: 2, free: 0, held: 0, sold: 2, blocked: 0 });
        expect(ticketRows(s)[2]).toMatchObject({ quotaId: 'floor', resaleOf: 'P1-T1' });
      } },
      { at: 3, cmd: scanHolding('H2'), expect: 'OK', why: 'the holding still has its other place', check: (r) => expect(accepted<ScanAccepted>(r)).toEqual({ ok: true, ticketId: 'P1-T0', seatId: null, gaAreaId: 'FLOOR' }) },
      { at: 3, cmd: scanHolding('H2'), expect: 'TICKET_ALREADY_SCANNED', unchanged: true, why: 'used once; the other was resold' },
      { at: 3, cmd: voidTicket('P1-T2'), expect: 'OK', why: 'the resale undone', check: (_r, s) => expect(floor(s)).toMatchObject({ free: 0, sold: 2 }) },
      { at: 4, cmd: scanHolding('H2'), expect: 'OK', why: 'bob\'s second place admits again', check: (r) => expect(accepted<ScanAccepted>(r).ticketId).toBe('P1-T1') },
    ]);
    expect(state.buyers.get('kim')).toBeUndefined();
    expect(state.buyers.get('bob')).toMatchObject({ soldTickets: 2 });
  });

  it('remembers list, withdraw, buy and scanHolding for retries like any command', () => {
    const state = resaleHall();
    const id = (commandId: string) => ({ commandId });
    play(state, [
      { at: OPEN, cmd: listResale('L1', 'P1-T0', 'ann', 5000, id('c1')), expect: 'OK' },
      { at: OPEN, cmd: listResale('L2', 'P1-T6', 'ann', 5000, id('c2')), expect: 'OK' },
      { at: OPEN, cmd: withdrawResale('L2', 'ann', id('c3')), expect: 'OK' },
      { at: OPEN, cmd: buyResale('L1', 'joe', id('c4')), expect: 'OK' },
      { at: OPEN, cmd: scanHolding('H3', id('c5')), expect: 'OK' },
      { at: OPEN, cmd: buyResale('L9', 'joe', id('c6')), expect: 'LISTING_UNKNOWN' },
      { at: OPEN + 9, cmd: listResale('L1', 'P1-T0', 'ann', 5000, id('c1')), expect: 'OK', sameHash: true, check: (r, _s, e) => expect(r).toEqual(e[0]) },
      { at: OPEN + 9, cmd: withdrawResale('L2', 'ann', id('c3')), expect: 'OK', sameHash: true },
      { at: OPEN + 9, cmd: buyResale('L1', 'joe', id('c4')), expect: 'OK', sameHash: true, check: (r, _s, e) => expect(r).toEqual(e[3]) },
      { at: OPEN + 9, cmd: scanHolding('H3', id('c5')), expect: 'OK', sameHash: true, check: (r, _s, e) => expect(r).toEqual(e[4]) },
      { at: OPEN + 9, cmd: buyResale('L9', 'joe', id('c6')), expect: 'LISTING_UNKNOWN', sameHash: true },
      { at: OPEN + 9, cmd: buyResale('L1', 'kim', id('c4')), expect: 'COMMAND_ID_REUSED', sameHash: true },
      { at: OPEN + 9, cmd: scanHolding('H1', id('c5')), expect: 'COMMAND_ID_REUSED', sameHash: true },
    ]);
  });

  it('allows at most listingsPerPerformanceMax listings, withdrawn ones included', () => {
    const state = resaleHall();
    // The bulk is outside the table: the per-step audit would make it quadratic.
    for (let i = 0; i < limits.listingsPerPerformanceMax; i++) {
      const listing = execute(state, { type: 'listResale', commandId: `l${i}`, listingId: `L${i}`, ticketId: 'P1-T0', sellerId: 'ann', channel: 'web', priceMinor: 5000 }, OPEN);
      const withdrawal = execute(state, { type: 'withdrawResale', commandId: `w${i}`, listingId: `L${i}`, sellerId: 'ann' }, OPEN);
      if (!listing.ok || !withdrawal.ok) throw new Error(`listing ${i}`);
    }
    play(state, [
      { at: OPEN, cmd: listResale('one-more', 'P1-T0', 'ann', 5000), expect: 'TICKETS_LIMIT_REACHED', field: 'listingId', unchanged: true },
      { at: OPEN, cmd: listResale('L0', 'P1-T0', 'ann', 5000), expect: 'LISTING_EXISTS', unchanged: true, why: 'the id is checked first' },
    ]);
  });
});

describe('scanHolding - a card\'s one code at this performance', () => {
  it('admits once per ticket of the holding; says why when it cannot', () => {
    const state = resaleHall();
    play(state, [
      ...sell('h9', 'ivy', 'card', 'H9', ['MAIN-3-1', 'MAIN-3-2']),
      { at: OPEN, cmd: scanHolding(''), expect: 'COMMAND_INVALID', field: 'holdingId', unchanged: true },
      { at: OPEN, cmd: scanHolding('H-none'), expect: 'HOLDING_NO_TICKET', field: 'holdingId', unchanged: true, why: 'never bought here' },
      { at: OPEN, cmd: scanHolding('H2'), expect: 'OK', check: (r) => expect(accepted<ScanAccepted>(r)).toEqual({ ok: true, ticketId: 'P1-T1', seatId: null, gaAreaId: 'FLOOR' }) },
      { at: OPEN, cmd: scanHolding('H2'), expect: 'TICKET_ALREADY_SCANNED', field: 'holdingId', unchanged: true },
      { at: OPEN, cmd: scan('P1-T1'), expect: 'TICKET_ALREADY_SCANNED', unchanged: true, why: 'the same ticket' },
      // A card's ticket is voided by its product's coordinator only (an exchange, a compensation):
      // by hand, or by a step of another product, the holding would still list it.
      { at: OPEN, cmd: voidTicket('P1-T6'), expect: 'TICKET_OF_PRODUCT', field: 'ticketId', unchanged: true, why: 'by hand' },
      { at: OPEN, cmd: voidTickets(['P1-T2', 'P1-T6']), expect: 'TICKET_OF_PRODUCT', field: 'ticketIds[1]', unchanged: true, why: 'a single ticket and a card ticket, by hand' },
      { at: OPEN, cmd: voidTicket('P1-T6', asStepOf('fixed')), expect: 'TICKET_OF_PRODUCT', field: 'ticketId', unchanged: true, why: 'a step of another product' },
      { at: OPEN, cmd: voidTicket('P1-T6', { commandId: 'card/x/1' }), expect: 'TICKET_OF_PRODUCT', field: 'ticketId', unchanged: true, why: 'not a step id' },
      { at: OPEN, cmd: voidTicket('P1-T6', asStepOf('card')), expect: 'OK' },
      { at: OPEN, cmd: scanHolding('H3'), expect: 'HOLDING_NO_TICKET', field: 'holdingId', unchanged: true, why: 'its ticket was voided (an exchange)' },
      { at: OPEN, cmd: holdSeats('h10', 'ann', ['MAIN-3-8'], { productId: 'card', holdingId: 'H3' }), expect: 'OK' },
      { at: OPEN, cmd: confirm('h10', 'ann'), expect: 'OK' },
      { at: OPEN, cmd: scanHolding('H3'), expect: 'OK', why: 'the seat it was exchanged for', check: (r) => expect(accepted<ScanAccepted>(r).seatId).toBe('MAIN-3-8') },
      { at: OPEN, cmd: scanHolding('H9'), expect: 'OK', check: (r) => expect(accepted<ScanAccepted>(r).seatId).toBe('MAIN-3-1') },
      { at: OPEN, cmd: scanHolding('H9'), expect: 'OK', check: (r) => expect(accepted<ScanAccepted>(r).seatId).toBe('MAIN-3-2') },
      { at: OPEN, cmd: scanHolding('H9'), expect: 'TICKET_ALREADY_SCANNED', unchanged: true },
    ]);
    expect([...state.holdingTickets.get('H3') ?? []]).toEqual([6, 11]);
  });
});

describe('resale - reports and settlement facts', () => {
  it('lists every listing and sale; settlement splits single, product and resale money', () => {
    const state = resaleHall();
    play(state, [
      { at: OPEN, cmd: listResale('L1', 'P1-T0', 'ann', 6000), expect: 'OK' },
      { at: OPEN, cmd: listResale('L2', 'P1-T4', 'eve', 4000), expect: 'OK' },
      { at: OPEN, cmd: listResale('L3', 'P1-T6', 'ann', 2500), expect: 'OK' },
      { at: OPEN, cmd: withdrawResale('L3', 'ann'), expect: 'OK' },
      { at: OPEN + 5, cmd: buyResale('L1', 'joe', { buyerEmail: 'joe@example.org' }), expect: 'OK' },
      { at: OPEN + 6, cmd: buyResale('L2', 'kim'), expect: 'OK' },
      { at: OPEN + 7, cmd: voidTicket('P1-T7', asStepOf('card')), expect: 'OK' },
    ]);
    const sales = [
      { listingId: 'L1', productId: 'card', holdingId: 'H1', sellerId: 'ann', buyerId: 'joe', ticketId: 'P1-T9', resaleOf: 'P1-T0', priceMinor: 6000, basePriceMinor: 5000, feeMinor: 600, sellerCreditMinor: 5400, atMs: OPEN + 5, refundedAtMs: null },
      { listingId: 'L2', productId: 'band', holdingId: 'B1', sellerId: 'eve', buyerId: 'kim', ticketId: 'P1-T10', resaleOf: 'P1-T4', priceMinor: 4000, basePriceMinor: 4650, feeMinor: 0, sellerCreditMinor: 4000, atMs: OPEN + 6, refundedAtMs: null },
    ];
    expect(resaleReport(state)).toEqual({
      performanceId: 'P1',
      listings: [
        { listingId: 'L1', ticketId: 'P1-T0', sellerId: 'ann', priceMinor: 6000, status: 'sold' },
        { listingId: 'L2', ticketId: 'P1-T4', sellerId: 'eve', priceMinor: 4000, status: 'sold' },
        { listingId: 'L3', ticketId: 'P1-T6', sellerId: 'ann', priceMinor: 2500, status: 'withdrawn' },
      ],
      sales,
    });
    // Single: T2 (5000). card: T0 (transferred, still the card's sale) 5000 + T1 2500 + T6 5000 + T8 5000 (T7 void).
    // fixed: T3 5000. band: T4 4650 + T5 5000. Resale tickets T9 and T10 are the exchange's.
    expect(settlementFacts(state)).toEqual({
      performanceId: 'P1', organizerId: null, singleSalesMinor: 5000,
      productSalesMinor: { card: 17_500, fixed: 5000, band: 9650 }, resales: sales.map((sale) => ({ ...sale, kind: 'sale' })),
    });
    expect(settlementFacts(newPerformance((spec) => { spec.organizerId = 'org-1'; })).organizerId).toBe('org-1');
  });
});

describe('resale - a refunded resale purchase', () => {
  // Voiding a ticket bought on the exchange used to free its seat and leave the sale in the
  // settlement facts as it was: the organizer kept the fee and the seller the credit of a sale
  // whose buyer had been refunded.
  it('marks the sale refunded and books its reversal at the void; the sale\'s own lines stand', () => {
    const state = resaleHall((spec) => { productSpec(spec); spec.organizerId = 'org-1'; });
    play(state, [
      { at: OPEN, cmd: listResale('L1', 'P1-T0', 'ann', 6000), expect: 'OK' },
      { at: OPEN, cmd: listResale('L2', 'P1-T4', 'eve', 4000), expect: 'OK' },
      { at: OPEN, cmd: listResale('L3', 'P1-T6', 'ann', 5000), expect: 'OK' },
      { at: OPEN + 5, cmd: buyResale('L1', 'joe'), expect: 'OK', why: 'P1-T9' },
      { at: OPEN + 6, cmd: buyResale('L2', 'kim'), expect: 'OK', why: 'P1-T10' },
      { at: OPEN + 7, cmd: buyResale('L3', 'liz'), expect: 'OK', why: 'P1-T11' },
      { at: OPEN + 8, cmd: voidTicket('P1-T9'), expect: 'OK', why: 'joe is refunded: the resale is undone', check: (_r, s) => {
        expect(seatState(s, 'MAIN-1-1')).toBe('sold');
        expect(ticketRows(s).find((t) => t.ticketId === 'P1-T0')?.status, 'ann\'s ticket is hers again').toBe('valid');
        expect(s.buyers.get('joe')).toBeUndefined();
        expect(resaleReport(s).sales.map((r) => [r.listingId, r.refundedAtMs])).toEqual([['L1', OPEN + 8], ['L2', null], ['L3', null]]);
      } },
      { at: OPEN + 9, cmd: voidTicket('P1-T9'), expect: 'TICKET_VOID', field: 'ticketId', unchanged: true, why: 'refunded once' },
      { at: OPEN + 9, cmd: voidTicket('P1-T0'), expect: 'TICKET_OF_PRODUCT', field: 'ticketId', unchanged: true, why: 'the seller\'s ticket is a card\'s again: its coordinator voids it' },
      { at: OPEN + 9, cmd: scanHolding('H1'), expect: 'OK', why: 'ann\'s card admits there again' },
      { at: OPEN + 10, cmd: voidTickets(['P1-T2', 'P1-T11']), expect: 'OK', why: 'a single ticket and liz\'s, together', check: (_r, s) => {
        expect(resaleReport(s).sales.map((r) => r.refundedAtMs)).toEqual([OPEN + 8, null, OPEN + 10]);
      } },
    ]);
    const [l1, l2, l3] = resaleReport(state).sales;
    expect(l1).toMatchObject({ priceMinor: 6000, feeMinor: 600, sellerCreditMinor: 5400, atMs: OPEN + 5 });
    expect(settlementFacts(state).resales).toEqual([
      { ...l1, kind: 'sale' },
      { ...l1, kind: 'refund', priceMinor: -6000, feeMinor: -600, sellerCreditMinor: -5400, atMs: OPEN + 8 },
      { ...l2, kind: 'sale' },
      { ...l3, kind: 'sale' },
      { ...l3, kind: 'refund', priceMinor: -5000, feeMinor: -500, sellerCreditMinor: -4500, atMs: OPEN + 10 },
    ]);
    // The ledger: each refund gives back the fee (the organizer's) and the credit (the seller's),
    // which together are the price the buyer is refunded; only eve's sale is left.
    const report = settlementReport([], [settlementFacts(state)], OPEN + 10);
    expect(report.entries.filter((e) => e.ref === 'L1').map((e) => [e.kind, e.payee, e.amountMinor, e.payableAtMs])).toEqual([
      ['resaleFee', 'org-1', 600, OPEN + 5], ['resaleCredit', 'ann', 5400, OPEN + 5], ['resaleFee', 'org-1', -600, OPEN + 8], ['resaleCredit', 'ann', -5400, OPEN + 8],
    ]);
    expect(report.lines).toEqual([
      { organizerId: 'org-1', performanceId: 'P1', singleSalesMinor: 0, productRevenuePaidMinor: 0, productRevenuePendingMinor: 0, resaleFeesMinor: 0, resaleFeesPendingMinor: 0, resaleCreditsMinor: 4000, resaleCreditsPendingMinor: 0 },
    ]);
    expect(report.totals).toEqual({ organizerPaidMinor: 0, organizerPendingMinor: 0, sellerCreditsMinor: 4000, sellerCreditsPendingMinor: 0 });
    // What was payable before the first refund is what it was: the refunds are dated after.
    expect(settlementReport([], [settlementFacts(state)], OPEN + 7).totals).toEqual({ organizerPaidMinor: 1100, organizerPendingMinor: -1100, sellerCreditsMinor: 13_900, sellerCreditsPendingMinor: -9900 });
  });
});
