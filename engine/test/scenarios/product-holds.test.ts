// A product coordinator's holds (seeds 000, 002): holds carrying a linked product's id and the
// holding (card, subscription) they are for. The product's own sales window applies (the
// coordinator's), not the channel's; the buyer's caps still apply; the order and every ticket
// carry the product and the holding. A product's allocation (a quota made with its id) is drawn
// on only by its holds, first or only as its policy says.
import { describe, expect, it } from 'vitest';
import { decodeSnapshot, encodeSnapshot, execute, stateHash, ticketRows, type Command, type HoldAccepted, type OrderAccepted, type Result } from '../../src/domain/mod.ts';
import {
  OPEN, TTL, accepted, avail, confirm, createPresale, createQuota, holdBest, holdGa, holdSeats, linkProduct, newPerformance, play,
  productSpec, release, returnQuota, seatPool, seats, tick,
} from './helpers.ts';
import { hashId } from '../../src/domain/idindex.ts';
import { EntryKind } from '../../src/domain/memo.ts';

type State = Parameters<typeof avail>[0];

const card = (holdingId: string) => ({ productId: 'card', holdingId });
const subs = (holdingId: string) => ({ productId: 'subs', holdingId });
const took = (quotaId: string | null, seatIds?: string[]) => (r: Result) => {
  const hold = accepted<HoldAccepted>(r);
  expect(hold.quotaId).toBe(quotaId);
  if (seatIds !== undefined) expect(hold.seats).toEqual(seatIds);
};
const quota = (s: State, quotaId: string) => avail(s).quotas.find((q) => q.quotaId === quotaId);

/** The hall for products, with a disabled web kiosk, and the products `card` and `subs` linked at 0. */
function linkedHall(): State {
  const state = newPerformance((spec) => {
    productSpec(spec);
    spec.channels.push({ id: 'kiosk', kind: 'web', saleStartMs: OPEN, saleEndMs: OPEN * 100, enabled: false });
  });
  play(state, [
    { at: 0, cmd: linkProduct('card'), expect: 'OK' },
    { at: 0, cmd: linkProduct('subs', { kind: 'series', resale: null }), expect: 'OK' },
  ]);
  return state;
}

describe('product holds - what they need', () => {
  it('a linked product, both ids, no presale link; the channel must exist but its sale window does not apply', () => {
    const state = linkedHall();
    play(state, [
      { at: 1, cmd: createPresale('friends', 'guest', 0, OPEN, 10, 2), expect: 'OK' },
      { at: 1, cmd: holdSeats('x1', 'ann', ['MAIN-1-1'], { productId: 'nope', holdingId: 'H1' }), expect: 'PRODUCT_NOT_LINKED', field: 'productId', unchanged: true },
      { at: 1, cmd: holdBest('x2', 'ann', 2, { productId: 'nope', holdingId: 'H1' }), expect: 'PRODUCT_NOT_LINKED', field: 'productId', unchanged: true },
      { at: 1, cmd: holdGa('x3', 'ann', 'FLOOR', 2, { productId: 'nope', holdingId: 'H1' }), expect: 'PRODUCT_NOT_LINKED', field: 'productId', unchanged: true },
      { at: 1, cmd: holdSeats('x4', 'ann', ['MAIN-1-1'], { productId: 'card' }), expect: 'COMMAND_INVALID', field: 'holdingId', unchanged: true },
      { at: 1, cmd: holdSeats('x5', 'ann', ['MAIN-1-1'], { holdingId: 'H1' }), expect: 'COMMAND_INVALID', field: 'productId', unchanged: true },
      { at: 1, cmd: holdSeats('x6', 'ann', ['MAIN-1-1'], { productId: '', holdingId: 'H1' }), expect: 'COMMAND_INVALID', field: 'productId', unchanged: true },
      { at: 1, cmd: holdSeats('x7', 'ann', ['MAIN-1-1'], { ...card('H1'), presaleCode: 'friends' }), expect: 'COMMAND_INVALID', field: 'presaleCode', unchanged: true },
      { at: 1, cmd: holdSeats('x8', 'ann', ['MAIN-1-1'], { ...card('H1'), channel: 'tv' }), expect: 'CHANNEL_UNKNOWN', field: 'channel', unchanged: true },
      { at: 1, cmd: holdSeats('x9', 'ann', ['MAIN-1-1'], { ticketType: 'guest', ...card('H1') }), expect: 'TICKET_TYPE_REQUIRES_PRESALE', unchanged: true },
      { at: 1, cmd: holdSeats('w1', 'ann', ['MAIN-1-1']), expect: 'CHANNEL_NOT_ON_SALE', unchanged: true, why: 'single tickets go on sale at OPEN' },
      { at: 1, cmd: holdSeats('h1', 'ann', ['MAIN-1-1'], card('H1')), expect: 'OK', why: 'the coordinator keeps the product sales window', check: (r) => {
        expect(accepted<HoldAccepted>(r)).toEqual({ ok: true, holdId: 'h1', expiresAtMs: 1 + TTL, seats: ['MAIN-1-1'], gaAreaId: null, count: 1, quotaId: null, ticketType: 'adult' });
      } },
      { at: 1, cmd: holdGa('h2', 'bob', 'FLOOR', 2, { ...card('H2'), channel: 'kiosk' }), expect: 'OK', why: 'a disabled channel too' },
      { at: 1, cmd: holdBest('h3', 'cat', 2, { ...subs('S1'), channel: 'box' }), expect: 'OK' },
    ]);
    expect(state.holds.get('h1')).toMatchObject({ productId: 'card', holdingId: 'H1' });
    expect(state.holds.get('h3')).toMatchObject({ productId: 'subs', holdingId: 'S1' });
  });

  it('the buyer caps of the performance still apply', () => {
    const state = linkedHall();
    play(state, [
      { at: 1, cmd: holdSeats('h1', 'ann', seats('MAIN-1', 1, 4), card('H1')), expect: 'OK' },
      { at: 1, cmd: holdSeats('h2', 'ann', seats('MAIN-1', 5, 7), card('H2')), expect: 'BUYER_TICKET_LIMIT', field: 'buyerId', unchanged: true, why: '4 + 3 > 6' },
      { at: 1, cmd: holdSeats('h3', 'ann', ['MAIN-1-5'], card('H2')), expect: 'OK' },
      { at: 1, cmd: holdSeats('h4', 'ann', ['MAIN-1-6'], subs('S1')), expect: 'BUYER_HOLD_LIMIT', field: 'buyerId', unchanged: true },
    ]);
  });

  it('confirming books the product and the holding on the order and on each ticket', () => {
    const state = linkedHall();
    play(state, [
      { at: 1, cmd: holdSeats('h1', 'ann', ['MAIN-1-1', 'MAIN-1-2'], card('H1')), expect: 'OK' },
      { at: 2, cmd: confirm('h1', 'ann', { buyerEmail: 'ann@example.org' }), expect: 'OK', check: (r) => expect(accepted<OrderAccepted>(r)).toMatchObject({ orderId: 'P1-O0', totalMinor: 10_000 }) },
      { at: OPEN, cmd: holdSeats('h2', 'bob', ['MAIN-1-3']), expect: 'OK' },
      { at: OPEN, cmd: confirm('h2', 'bob'), expect: 'OK' },
      { at: OPEN, cmd: holdGa('h3', 'cat', 'FLOOR', 1, card('H2')), expect: 'OK' },
      { at: OPEN, cmd: confirm('h3', 'cat'), expect: 'OK' },
    ]);
    expect(state.orders.map((o) => [o.orderId, o.productId, o.holdingId, o.resaleOf, o.basePriceMinor])).toEqual([
      ['P1-O0', 'card', 'H1', null, null], ['P1-O1', null, null, null, null], ['P1-O2', 'card', 'H2', null, null],
    ]);
    expect(ticketRows(state).map((t) => [t.ticketId, t.seatId ?? t.gaAreaId, t.status, t.productId, t.holdingId, t.resaleOf, t.basePriceMinor])).toEqual([
      ['P1-T0', 'MAIN-1-1', 'valid', 'card', 'H1', null, null],
      ['P1-T1', 'MAIN-1-2', 'valid', 'card', 'H1', null, null],
      ['P1-T2', 'MAIN-1-3', 'valid', null, null, null, null],
      ['P1-T3', 'FLOOR', 'valid', 'card', 'H2', null, null],
    ]);
    expect([...state.holdingTickets]).toEqual([['H1', [0, 1]], ['H2', [3]]]);
  });
});

describe('product holds - a product allocation (a quota made with the product id)', () => {
  it('needs the product linked; may name no channel, and only then', () => {
    const state = linkedHall();
    play(state, [
      { at: 1, cmd: createQuota('alloc', [], 'onlyQuota', { productId: 'nope', seats: ['BALC-1-1'] }), expect: 'PRODUCT_NOT_LINKED', field: 'productId', unchanged: true },
      { at: 1, cmd: createQuota('alloc', [], 'onlyQuota', { productId: 7, seats: ['BALC-1-1'] }), expect: 'COMMAND_INVALID', field: 'productId', unchanged: true },
      { at: 1, cmd: createQuota('alloc', [], 'onlyQuota', { seats: ['BALC-1-1'] }), expect: 'COMMAND_INVALID', field: 'channels', unchanged: true, why: 'a channel quota names a channel' },
      { at: 1, cmd: createQuota('alloc', ['tv'], 'onlyQuota', { productId: 'subs', seats: ['BALC-1-1'] }), expect: 'CHANNEL_UNKNOWN', field: 'channels[0]', unchanged: true },
      { at: 1, cmd: createQuota('alloc', [], 'onlyQuota', { productId: 'subs', seats: ['BALC-1-1'] }), expect: 'OK' },
    ]);
  });

  it('onlyQuota: the product holds only from its allocation; no other hold takes from it, whatever the channel', () => {
    const state = linkedHall();
    play(state, [
      // Its channels only authorize resale: web must not become a quota-only channel.
      { at: 1, cmd: createQuota('alloc', ['web'], 'onlyQuota', { productId: 'subs', seats: seats('BALC-1', 1, 6) }), expect: 'OK' },
      { at: 1, cmd: createQuota('club', ['partner'], 'onlyQuota', { seats: seats('MAIN-3', 1, 8) }), expect: 'OK' },
      { at: 1, cmd: holdSeats('s1', 'ann', ['MAIN-1-2'], subs('S1')), expect: 'SEAT_NOT_IN_CHANNEL', field: 'seats[0]', unchanged: true, why: 'the general pool' },
      { at: 1, cmd: holdBest('s2', 'ann', 2, subs('S1')), expect: 'OK', check: took('alloc', ['BALC-1-3', 'BALC-1-4']) },
      { at: 1, cmd: holdGa('s3', 'bob', 'FLOOR', 1, subs('S2')), expect: 'NOT_ENOUGH_PLACES', unchanged: true, why: 'no allocation on the floor' },
      { at: 1, cmd: holdSeats('c1', 'bob', ['BALC-1-5'], card('H1')), expect: 'SEAT_NOT_IN_CHANNEL', unchanged: true, why: "another product's allocation" },
      { at: 1, cmd: holdSeats('c2', 'bob', ['MAIN-3-3'], { ...card('H1'), channel: 'partner' }), expect: 'SEAT_NOT_IN_CHANNEL', unchanged: true, why: "a channel's quota" },
      { at: 1, cmd: holdBest('c3', 'bob', 2, { ...card('H1'), filter: { section: 'BALC' } }), expect: 'OK', check: took(null, ['BALC-2-3', 'BALC-2-4']) },
      { at: OPEN, cmd: holdSeats('w1', 'cat', ['BALC-1-1']), expect: 'SEAT_NOT_IN_CHANNEL', field: 'seats[0]', unchanged: true, why: 'web is named by the allocation, but does not sell it' },
      { at: OPEN, cmd: holdSeats('w2', 'cat', ['MAIN-1-1']), expect: 'OK', why: 'web still sells the general pool' },
      { at: OPEN, cmd: holdBest('w3', 'dan', 5, { filter: { section: 'BALC' } }), expect: 'NOT_ENOUGH_SEATS', unchanged: true, why: 'eight BALC seats are free, four in the general pool' },
      { at: OPEN, cmd: holdBest('w4', 'dan', 1, { filter: { section: 'BALC' } }), expect: 'OK', check: took(null) },
    ]);
    expect(avail(state, 'web').sections).toEqual([{ sectionId: 'MAIN', free: 24 - 8 - 1 }, { sectionId: 'BALC', free: 3 }]);
    expect(quota(state, 'alloc')).toEqual({ quotaId: 'alloc', capacity: 6, free: 4, held: 2, sold: 0, blocked: 0 });
  });

  it('quotaFirst: best-available and GA take the allocation first, then the general pool; named seats may be general', () => {
    const state = newPerformance((spec) => { productSpec(spec); spec.maxTicketsPerBuyer = 10; });
    play(state, [
      { at: 0, cmd: linkProduct('card'), expect: 'OK' },
      { at: 1, cmd: createQuota('alloc', [], 'quotaFirst', { productId: 'card', seats: ['MAIN-2-1', 'MAIN-2-2'], discountPct: 20 }), expect: 'OK' },
      { at: 1, cmd: createQuota('floor', [], 'quotaFirst', { productId: 'card', gaAreaId: 'FLOOR', count: 3 }), expect: 'OK' },
      { at: 1, cmd: holdBest('c1', 'ann', 2, card('H1')), expect: 'OK', check: took('alloc', ['MAIN-2-1', 'MAIN-2-2']) },
      { at: 1, cmd: holdBest('c2', 'ann', 2, card('H2')), expect: 'OK', check: took(null, ['MAIN-1-4', 'MAIN-1-5']) },
      { at: 1, cmd: holdSeats('c3', 'bob', ['MAIN-1-1'], card('H3')), expect: 'OK', check: took(null) },
      { at: 1, cmd: holdGa('c4', 'cat', 'FLOOR', 2, card('H4')), expect: 'OK', check: took('floor') },
      { at: 1, cmd: holdGa('c5', 'cat', 'FLOOR', 2, card('H5')), expect: 'OK', why: 'one allocated place left: the general pool', check: took(null) },
      { at: OPEN, cmd: holdGa('w1', 'dan', 'FLOOR', 1), expect: 'OK', check: (r, s) => {
        took(null)(r);
        expect(avail(s, 'web').gaAreas[0].free).toBe(40 - 3 - 2 - 1);
      } },
      { at: OPEN, cmd: confirm('c1', 'ann'), expect: 'OK', why: 'the allocation discount is booked as a discount line', check: (r) => {
        expect(accepted<OrderAccepted>(r)).toMatchObject({ totalMinor: 8000, discountMinor: 2000 });
      } },
    ]);
    expect(quota(state, 'floor')).toEqual({ quotaId: 'floor', capacity: 3, free: 1, held: 2, sold: 0, blocked: 0 });
  });

  it('released and expired holds give their seats back to the allocation; returnQuota gives them to sale', () => {
    const state = linkedHall();
    play(state, [
      { at: 1, cmd: createQuota('alloc', [], 'onlyQuota', { productId: 'subs', seats: seats('BALC-1', 1, 3) }), expect: 'OK' },
      { at: 1, cmd: createQuota('floor', [], 'onlyQuota', { productId: 'subs', gaAreaId: 'FLOOR', count: 5 }), expect: 'OK' },
      { at: 1, cmd: holdSeats('s1', 'ann', ['BALC-1-1', 'BALC-1-2'], subs('S1')), expect: 'OK' },
      { at: 1, cmd: holdGa('s2', 'bob', 'FLOOR', 4, subs('S2')), expect: 'OK' },
      { at: 2, cmd: release('s2', 'bob'), expect: 'OK', check: (_r, s) => expect(quota(s, 'floor')).toMatchObject({ capacity: 5, free: 5, held: 0 }) },
      { at: 1 + TTL, cmd: tick(), expect: 'OK', check: (_r, s) => {
        expect(quota(s, 'alloc')).toMatchObject({ capacity: 3, free: 3, held: 0 });
        expect(seatPool(s, 'BALC-1-1')).toBe('alloc');
        expect(s.products.get('subs')?.heldHolds).toBe(0);
      } },
      { at: 1 + TTL, cmd: holdSeats('w1', 'cat', ['BALC-1-1']), expect: 'SEAT_NOT_IN_CHANNEL', unchanged: true },
      { at: 1 + TTL, cmd: returnQuota('alloc', { seats: ['BALC-1-1'] }), expect: 'OK' },
      { at: 1 + TTL, cmd: returnQuota('floor', { count: 2 }), expect: 'OK' },
      { at: 1 + TTL, cmd: holdSeats('w2', 'cat', ['BALC-1-1']), expect: 'OK', check: took(null) },
      { at: 1 + TTL, cmd: holdSeats('s3', 'dan', ['BALC-1-1'], subs('S3')), expect: 'SEAT_NOT_IN_CHANNEL', unchanged: true, why: 'returned: general now, and subs is allocation-only' },
    ]);
    expect(avail(state, 'web').gaAreas[0].free).toBe(35 + 2);
  });
});

describe('product holds - idempotent retries (kept compact, not as objects)', () => {
  // The coordinator's holds name a ticket type, a product and a holding; its confirms name only
  // the hold and the buyer. Both are remembered as numbers and strings (dedupe.ts), and a retry
  // rebuilds the first command and answer from them, before and after a snapshot round trip.
  it('answers retries of product holds and confirms with the first result, and refuses another payload', () => {
    const sameAs = (k: number) => (r: unknown, _s: unknown, earlier: readonly unknown[]) => expect(r).toEqual(earlier[k]);
    const steps = (state: State, base: number) => play(state, [
      { at: base, cmd: holdSeats('p1', 'ann', ['MAIN-1-1', 'MAIN-1-2'], { ...card('H1'), ticketType: 'adult' }), expect: 'OK' },
      { at: base + 1, cmd: holdSeats('p1', 'ann', ['MAIN-1-1', 'MAIN-1-2'], { ...card('H1'), ticketType: 'adult' }), expect: 'OK', sameHash: true, check: sameAs(0), why: 'a retry' },
      { at: base + 1, cmd: holdSeats('p1', 'ann', ['MAIN-1-1', 'MAIN-1-2'], card('H1')), expect: 'COMMAND_ID_REUSED', sameHash: true, why: 'the ticket type is part of the payload' },
      { at: base + 1, cmd: holdSeats('p1', 'ann', ['MAIN-1-1', 'MAIN-1-2'], { ...card('H2'), ticketType: 'adult' }), expect: 'COMMAND_ID_REUSED', sameHash: true, why: 'so is the holding' },
      { at: base + 1, cmd: holdSeats('p1', 'ann', ['MAIN-1-1', 'MAIN-1-2'], { ...subs('H1'), ticketType: 'adult' }), expect: 'COMMAND_ID_REUSED', sameHash: true, why: 'and the product' },
      { at: base + 1, cmd: holdSeats('p2', 'bob', ['MAIN-2-1'], { ticketType: 'adult' }), expect: 'OK', why: 'a ticket type without a product' },
      { at: base + 2, cmd: holdSeats('p2', 'bob', ['MAIN-2-1'], { ticketType: 'adult' }), expect: 'OK', sameHash: true, check: sameAs(5) },
      { at: base + 2, cmd: holdSeats('p2', 'bob', ['MAIN-2-1']), expect: 'COMMAND_ID_REUSED', sameHash: true },
      { at: base + 3, cmd: confirm('p1', 'ann', { commandId: 'c1' }), expect: 'OK' },
      { at: base + 4, cmd: confirm('p1', 'ann', { commandId: 'c1' }), expect: 'OK', sameHash: true, check: sameAs(8), why: 'the answer is rebuilt from the order' },
      { at: base + 4, cmd: confirm('p1', 'bob', { commandId: 'c1' }), expect: 'COMMAND_ID_REUSED', sameHash: true },
      { at: base + 4, cmd: confirm('p1', 'ann', { commandId: 'c1', buyerEmail: 'ann@example.org' }), expect: 'COMMAND_ID_REUSED', sameHash: true },
    ]);
    const state = linkedHall();
    const first = steps(state, OPEN);
    const order = accepted<OrderAccepted>(first[8]);
    expect(order.tickets.map((t) => t.seatId)).toEqual(['MAIN-1-1', 'MAIN-1-2']);
    expect(state.orders.get(0)).toMatchObject({ productId: 'card', holdingId: 'H1' });
    const kindOf = (s: State, id: string) => s.dedupe.kinds[s.dedupe.find(id, hashId(id))];
    expect(['p1', 'p2', 'c1'].map((id) => kindOf(state, id))).toEqual([EntryKind.HOLD_SEAT_IDS, EntryKind.HOLD_SEAT_IDS, EntryKind.CONFIRM]);
    // After a snapshot round trip the same retries get the same answers.
    const copy = decodeSnapshot(encodeSnapshot(state), state.layout);
    expect(stateHash(copy)).toBe(stateHash(state));
    const again = (cmd: Command, k: number) => expect(execute(copy, cmd, OPEN + 10)).toEqual(first[k]);
    expect(['p1', 'p2', 'c1'].map((id) => kindOf(copy, id))).toEqual([EntryKind.HOLD_SEAT_IDS, EntryKind.HOLD_SEAT_IDS, EntryKind.CONFIRM]);
    again(holdSeats('p1', 'ann', ['MAIN-1-1', 'MAIN-1-2'], { ...card('H1'), ticketType: 'adult' }) as Command, 0);
    again(holdSeats('p2', 'bob', ['MAIN-2-1'], { ticketType: 'adult' }) as Command, 5);
    again(confirm('p1', 'ann', { commandId: 'c1' }) as Command, 8);
    expect(execute(copy, confirm('p1', 'bob', { commandId: 'c1' }) as Command, OPEN + 10)).toMatchObject({ name: 'COMMAND_ID_REUSED' });
  });
});
