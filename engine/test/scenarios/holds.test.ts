// Holds as stories: explicit seats, GA places, the checks every hold runs (channel, window,
// ticket type, buyer caps), the life of a hold (confirm, release, expiry), malformed commands,
// time, and idempotent retries. One line per command; the runner audits after each.
import { describe, expect, it } from 'vitest';
import { decodeSnapshot, encodeSnapshot, execute, limits, stateHash, type HoldAccepted } from '../../src/domain/mod.ts';
import {
  CLOSE, OPEN, TTL, accepted, avail, blockForeign, confirm, createQuota, gaLayout, holdBest, holdGa, holdSeatNos, holdSeats, linkProduct, newPerformance,
  play, productSpec, release, seatState, seats, tick, type Step,
} from './helpers.ts';

const free = (...ids: string[]) => (_r: unknown, s: Parameters<typeof seatState>[0]) => {
  for (const id of ids) expect(seatState(s, id), id).toBe('free');
};
const held = (...ids: string[]) => (_r: unknown, s: Parameters<typeof seatState>[0]) => {
  for (const id of ids) expect(seatState(s, id), id).toBe('held');
};

describe('holds - explicit seats are all or nothing', () => {
  it('refuses the whole hold when one seat is bad, and holds nothing', () => {
    const state = newPerformance();
    play(state, [
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-1-1', 'MAIN-1-2']), expect: 'OK', check: held('MAIN-1-1', 'MAIN-1-2') },
      { at: OPEN, cmd: holdSeats('h2', 'bob', ['MAIN-1-3', 'MAIN-1-2']), expect: 'SEAT_NOT_AVAILABLE', field: 'seats[1]', unchanged: true, check: free('MAIN-1-3') },
      { at: OPEN, cmd: holdSeats('h3', 'bob', ['MAIN-1-3', 'MAIN-9-9']), expect: 'SEAT_UNKNOWN', field: 'seats[1]', unchanged: true, check: free('MAIN-1-3') },
      { at: OPEN, cmd: holdSeats('h4', 'bob', ['MAIN-1-3', 'MAIN-1-4', 'MAIN-1-3']), expect: 'SEATS_DUPLICATED', field: 'seats[2]', unchanged: true },
      { at: OPEN, cmd: holdSeats('h5', 'bob', seats('MAIN-2', 1, limits.seatsPerHoldMax + 1)), expect: 'SEATS_PER_HOLD_EXCEEDED', field: 'seats', unchanged: true },
      { at: OPEN, cmd: holdSeats('h6', 'bob', []), expect: 'COMMAND_INVALID', field: 'seats', unchanged: true },
      { at: OPEN, cmd: holdSeats('h7', 'bob', ['MAIN-1-3', 'MAIN-1-4']), expect: 'OK', check: (r) => expect(accepted<HoldAccepted>(r).seats).toEqual(['MAIN-1-3', 'MAIN-1-4']) },
      { at: OPEN, cmd: holdSeats('h8', 'cat', seats('MAIN-2', 1, 6)), expect: 'OK', why: 'six seats is within the per-buyer cap of six' },
    ]);
    const a = avail(state);
    expect(a.totals).toEqual({ free: 76 - 10, held: 10, sold: 0, blocked: 0 });
  });
});

describe('holds - channels and sale windows', () => {
  it('sells from saleStartMs inclusive to saleEndMs exclusive, on enabled channels only', () => {
    const state = newPerformance();
    play(state, [
      { at: OPEN - 1, cmd: holdSeats('h1', 'ann', ['MAIN-1-1'], { channel: 'tv' }), expect: 'CHANNEL_UNKNOWN', field: 'channel', unchanged: true },
      { at: OPEN - 1, cmd: holdSeats('h2', 'ann', ['MAIN-1-1']), expect: 'CHANNEL_NOT_ON_SALE', field: 'channel', unchanged: true, why: 'web opens at OPEN' },
      { at: OPEN - 1, cmd: holdSeats('h3', 'ann', ['MAIN-1-1'], { channel: 'box' }), expect: 'OK', why: 'the box office is already open' },
      { at: OPEN - 1, cmd: holdSeats('h4', 'bob', ['MAIN-1-2'], { channel: 'resale' }), expect: 'CHANNEL_RESALE_ONLY', field: 'channel', unchanged: true, why: 'a resale channel sells no stock, enabled or not' },
      { at: OPEN, cmd: holdSeats('h5', 'bob', ['MAIN-1-2']), expect: 'OK', why: 'the start is inclusive' },
      { at: CLOSE - 1, cmd: holdSeats('h6', 'cat', ['MAIN-1-3']), expect: 'OK', why: 'the last millisecond of the window' },
      { at: CLOSE, cmd: holdSeats('h7', 'dan', ['MAIN-1-4']), expect: 'CHANNEL_NOT_ON_SALE', field: 'channel', unchanged: true, why: 'the end is exclusive' },
      { at: CLOSE + 1, cmd: holdSeats('h8', 'dan', ['MAIN-1-4'], { channel: 'box' }), expect: 'CHANNEL_NOT_ON_SALE', unchanged: true },
      { at: CLOSE + 1, cmd: holdGa('h9', 'dan', 'FLOOR', 1, { channel: 'partner' }), expect: 'CHANNEL_NOT_ON_SALE', unchanged: true },
      { at: CLOSE + 1, cmd: holdBest('h10', 'dan', 1), expect: 'CHANNEL_NOT_ON_SALE', unchanged: true },
    ]);
  });
});

describe('holds - a resale channel sells the exchange\'s listings, never stock', () => {
  // An enabled resale channel used to take holds like any other, and a quota that named it (to
  // authorize its seats for resale, DOMAIN §6) had its unsold seats sold fresh there.
  it('refuses every kind of hold on it, whatever pool, quota or product; the quota still sells on its other channels', () => {
    const state = newPerformance(productSpec);
    play(state, [
      { at: 0, cmd: linkProduct('card'), expect: 'OK' },
      { at: 0, cmd: createQuota('club', ['resale', 'partner'], 'quotaFirst', { seats: ['BALC-1-1', 'BALC-1-2'] }), expect: 'OK' },
      { at: 0, cmd: createQuota('pit', ['resale'], 'onlyQuota', { gaAreaId: 'FLOOR', count: 4 }), expect: 'OK' },
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['BALC-1-1'], { channel: 'resale' }), expect: 'CHANNEL_RESALE_ONLY', field: 'channel', unchanged: true, why: 'the quota names it to authorize resale, not to sell' },
      { at: OPEN, cmd: holdSeats('h2', 'ann', ['MAIN-1-1'], { channel: 'resale' }), expect: 'CHANNEL_RESALE_ONLY', field: 'channel', unchanged: true, why: 'nor the general pool' },
      { at: OPEN, cmd: holdBest('h3', 'ann', 2, { channel: 'resale' }), expect: 'CHANNEL_RESALE_ONLY', field: 'channel', unchanged: true },
      { at: OPEN, cmd: holdGa('h4', 'ann', 'FLOOR', 1, { channel: 'resale' }), expect: 'CHANNEL_RESALE_ONLY', field: 'channel', unchanged: true, why: 'an onlyQuota quota naming it' },
      { at: OPEN, cmd: holdSeats('h5', 'ann', ['MAIN-1-2'], { channel: 'resale', productId: 'card', holdingId: 'H1' }), expect: 'CHANNEL_RESALE_ONLY', field: 'channel', unchanged: true, why: 'a coordinator\'s hold too' },
      { at: OPEN, cmd: holdSeats('h6', 'ann', ['BALC-1-1'], { channel: 'partner' }), expect: 'OK', why: 'the quota\'s other channel', check: held('BALC-1-1') },
      { at: OPEN, cmd: holdSeats('h7', 'bob', ['BALC-1-2']), expect: 'SEAT_NOT_IN_CHANNEL', field: 'seats[0]', unchanged: true, why: 'the web is not named' },
    ]);
    expect(avail(state, 'resale')).toMatchObject({ free: 0, gaAreas: [{ gaAreaId: 'FLOOR', free: 0 }] });
    expect(avail(state, 'partner').gaAreas).toEqual([{ gaAreaId: 'FLOOR', capacity: 40, free: 36 }]);
  });
});

describe('holds - ticket types', () => {
  it('prices a hold by a known, open ticket type that has a price in the zone', () => {
    const state = newPerformance();
    play(state, [
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-1-1'], { ticketType: 'vip' }), expect: 'TICKET_TYPE_UNKNOWN', field: 'ticketType', unchanged: true },
      { at: OPEN, cmd: holdSeats('h2', 'ann', ['BALC-1-1', 'MAIN-1-1'], { ticketType: 'child' }), expect: 'TICKET_TYPE_NOT_PRICED_IN_ZONE', field: 'seats[1]', unchanged: true, why: 'child has no zone-A price' },
      { at: OPEN, cmd: holdGa('h3', 'ann', 'FLOOR', 2, { ticketType: 'child' }), expect: 'TICKET_TYPE_NOT_PRICED_IN_ZONE', field: 'gaAreaId', unchanged: true },
      { at: OPEN, cmd: holdBest('h4', 'ann', 2, { ticketType: 'child', filter: { section: 'MAIN' } }), expect: 'NOT_ENOUGH_SEATS', field: 'count', unchanged: true },
      { at: OPEN, cmd: holdSeats('h5', 'ann', ['MAIN-1-1'], { ticketType: 'guest' }), expect: 'TICKET_TYPE_REQUIRES_PRESALE', field: 'ticketType', unchanged: true },
      { at: OPEN, cmd: holdGa('h6', 'ann', 'FLOOR', 1, { ticketType: 'early' }), expect: 'TICKET_TYPE_REQUIRES_PRESALE', unchanged: true },
      { at: OPEN, cmd: holdSeats('h7', 'ann', ['BALC-1-1', 'BALC-1-2'], { ticketType: 'child' }), expect: 'OK', check: (r) => expect(accepted<HoldAccepted>(r).ticketType).toBe('child') },
      { at: OPEN, cmd: holdSeats('h8', 'bob', ['MAIN-1-1']), expect: 'OK', why: 'no ticket type: the first open one', check: (r) => expect(accepted<HoldAccepted>(r).ticketType).toBe('adult') },
    ]);
  });

  it('uses the spec\'s default ticket type when the hold names none', () => {
    const state = newPerformance((spec) => { spec.defaultTicketType = 'child'; });
    play(state, [
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-1-1']), expect: 'TICKET_TYPE_NOT_PRICED_IN_ZONE', field: 'seats[0]' },
      { at: OPEN, cmd: holdSeats('h2', 'ann', ['BALC-1-1']), expect: 'OK', check: (r) => expect(accepted<HoldAccepted>(r).ticketType).toBe('child') },
    ]);
  });
});

describe('holds - buyer caps', () => {
  it('counts open holds, and tickets held plus sold across orders and channels', () => {
    const state = newPerformance();
    play(state, [
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-1-1', 'MAIN-1-2']), expect: 'OK' },
      { at: OPEN, cmd: holdSeats('h2', 'ann', ['MAIN-1-3', 'MAIN-1-4'], { channel: 'box' }), expect: 'OK' },
      { at: OPEN, cmd: holdSeats('h3', 'ann', ['MAIN-1-5']), expect: 'BUYER_HOLD_LIMIT', field: 'buyerId', unchanged: true, why: 'two open holds is the cap' },
      { at: OPEN, cmd: holdGa('h3b', 'ann', 'FLOOR', 1, { channel: 'partner' }), expect: 'BUYER_HOLD_LIMIT', field: 'buyerId', unchanged: true, why: 'on any channel' },
      { at: OPEN + 1, cmd: confirm('h1', 'ann'), expect: 'OK' },
      { at: OPEN + 2, cmd: holdSeats('h4', 'ann', ['BALC-1-1', 'BALC-1-2', 'BALC-1-3'], { channel: 'partner' }), expect: 'BUYER_TICKET_LIMIT', field: 'buyerId', unchanged: true, why: '2 sold + 2 held + 3 > 6' },
      { at: OPEN + 2, cmd: holdSeats('h5', 'ann', ['BALC-1-1', 'BALC-1-2'], { channel: 'partner' }), expect: 'OK', why: '2 sold + 2 held + 2 = 6' },
      { at: OPEN + 3, cmd: confirm('h2', 'ann'), expect: 'OK' },
      { at: OPEN + 3, cmd: confirm('h5', 'ann'), expect: 'OK' },
      { at: OPEN + 4, cmd: holdGa('h6', 'ann', 'FLOOR', 1, { channel: 'box' }), expect: 'BUYER_TICKET_LIMIT', field: 'buyerId', unchanged: true, why: 'six sold on three channels' },
      { at: OPEN + 4, cmd: holdBest('h7', 'ann', 1), expect: 'BUYER_TICKET_LIMIT', unchanged: true },
      { at: OPEN + 4, cmd: holdSeats('h8', 'bob', seats('MAIN-2', 1, 7)), expect: 'BUYER_TICKET_LIMIT', field: 'buyerId', unchanged: true, why: 'a new buyer asking for seven' },
      { at: OPEN + 4, cmd: holdGa('h9', 'bob', 'FLOOR', 6), expect: 'OK' },
      { at: OPEN + 5, cmd: release('h9', 'bob'), expect: 'OK' },
      { at: OPEN + 5, cmd: holdSeats('h10', 'bob', seats('MAIN-2', 1, 6)), expect: 'OK', why: 'a released hold gives the allowance back' },
    ]);
  });
});

describe('holds - confirm, release and their refusals', () => {
  it('tells apart unknown, foreign, released and confirmed holds', () => {
    const state = newPerformance();
    play(state, [
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-1-1', 'MAIN-1-2']), expect: 'OK' },
      { at: OPEN + 1, cmd: confirm('h1', 'bob'), expect: 'HOLD_NOT_OWNED', field: 'buyerId', unchanged: true },
      { at: OPEN + 1, cmd: release('h1', 'bob'), expect: 'HOLD_NOT_OWNED', field: 'buyerId', unchanged: true },
      { at: OPEN + 1, cmd: confirm('nope', 'ann'), expect: 'HOLD_NOT_FOUND', field: 'holdId', unchanged: true },
      { at: OPEN + 1, cmd: release('nope', 'ann'), expect: 'HOLD_NOT_FOUND', field: 'holdId', unchanged: true },
      { at: OPEN + 2, cmd: release('h1', 'ann'), expect: 'OK', check: free('MAIN-1-1', 'MAIN-1-2') },
      { at: OPEN + 3, cmd: confirm('h1', 'ann'), expect: 'HOLD_RELEASED', field: 'holdId', unchanged: true },
      { at: OPEN + 3, cmd: release('h1', 'ann'), expect: 'HOLD_RELEASED', field: 'holdId', unchanged: true },
      { at: OPEN + 4, cmd: holdSeats('h2', 'ann', ['MAIN-1-1', 'MAIN-1-2']), expect: 'OK', why: 'released seats are free again' },
      { at: OPEN + 5, cmd: confirm('h2', 'ann'), expect: 'OK' },
      { at: OPEN + 6, cmd: confirm('h2', 'ann'), expect: 'HOLD_ALREADY_CONFIRMED', field: 'holdId', unchanged: true, why: 'a new command id' },
      { at: OPEN + 6, cmd: release('h2', 'ann'), expect: 'HOLD_ALREADY_CONFIRMED', field: 'holdId', unchanged: true },
      { at: OPEN + 6, cmd: holdSeats('h3', 'bob', ['MAIN-1-2']), expect: 'SEAT_NOT_AVAILABLE', field: 'seats[0]', unchanged: true, why: 'sold' },
    ]);
  });
});

describe('holds - expiry', () => {
  it('expires at exactly expiresAtMs: the seats are free and the hold can never be confirmed', () => {
    const state = newPerformance();
    play(state, [
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-2-1', 'MAIN-2-2']), expect: 'OK', check: (r) => expect(accepted<HoldAccepted>(r).expiresAtMs).toBe(OPEN + TTL) },
      { at: OPEN + TTL - 1, cmd: holdSeats('h2', 'bob', ['MAIN-2-2']), expect: 'SEAT_NOT_AVAILABLE', field: 'seats[0]', why: 'one millisecond before expiry' },
      { at: OPEN + TTL, cmd: confirm('h1', 'ann'), expect: 'HOLD_EXPIRED', field: 'holdId', check: free('MAIN-2-1', 'MAIN-2-2') },
      { at: OPEN + TTL + 1000, cmd: confirm('h1', 'ann'), expect: 'HOLD_EXPIRED', field: 'holdId', unchanged: true, why: 'and later' },
      { at: OPEN + TTL + 1000, cmd: release('h1', 'ann'), expect: 'HOLD_EXPIRED', field: 'holdId', unchanged: true },
      { at: OPEN + TTL + 1000, cmd: holdSeats('h3', 'bob', ['MAIN-2-1', 'MAIN-2-2']), expect: 'OK' },
      { at: OPEN + TTL + 1000, cmd: holdSeats('h4', 'ann', seats('MAIN-3', 1, 6)), expect: 'OK', why: 'the expired hold no longer counts against ann' },
    ]);
  });

  it('confirms one millisecond before expiry; a later confirm finds it expired', () => {
    const state = newPerformance();
    play(state, [
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-1-1']), expect: 'OK' },
      { at: OPEN, cmd: holdGa('h2', 'ann', 'FLOOR', 3), expect: 'OK' },
      { at: OPEN + TTL - 1, cmd: confirm('h1', 'ann'), expect: 'OK' },
      { at: OPEN + 2 * TTL, cmd: confirm('h2', 'ann'), expect: 'HOLD_EXPIRED', check: (_r, s) => expect(avail(s).gaAreas[0]).toEqual({ gaAreaId: 'FLOOR', capacity: 40, free: 40 }) },
    ]);
  });

  it('expires holds on a tick, oldest first, and returns every seat and place', () => {
    const state = newPerformance();
    play(state, [
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-1-1']), expect: 'OK' },
      { at: OPEN + 10, cmd: holdGa('h2', 'bob', 'FLOOR', 4), expect: 'OK' },
      { at: OPEN + TTL, cmd: tick(), expect: 'OK', check: (_r, s) => {
        expect(seatState(s, 'MAIN-1-1')).toBe('free');
        expect(avail(s).totals).toEqual({ free: 72, held: 4, sold: 0, blocked: 0 });
      } },
      { at: OPEN + TTL + 10, cmd: tick(), expect: 'OK', check: (_r, s) => expect(avail(s).totals.held).toBe(0) },
      { at: OPEN + TTL + 10, cmd: confirm('h2', 'bob'), expect: 'HOLD_EXPIRED' },
    ]);
  });
});

describe('holds - seat numbers', () => {
  // The hall's seat numbers in layout order: MAIN row 1 is 0-7, row 2 8-15, row 3 16-23; BALC
  // row 1 is 24-29, row 2 30-35.
  it('takes seat numbers instead of ids, with the same checks, naming seatNos', () => {
    const state = newPerformance();
    play(state, [
      { at: OPEN, cmd: holdSeatNos('h1', 'ann', [0, 1]), expect: 'OK', check: (r, s) => {
        expect(accepted<HoldAccepted>(r).seats).toEqual(['MAIN-1-1', 'MAIN-1-2']);
        held('MAIN-1-1', 'MAIN-1-2')(r, s);
      } },
      { at: OPEN, cmd: holdSeats('h2', 'bob', ['MAIN-1-3'], { seatNos: [2] }), expect: 'COMMAND_INVALID', field: 'seats', unchanged: true, why: 'both forms' },
      { at: OPEN, cmd: { type: 'holdSeats', commandId: 'h3', buyerId: 'bob', channel: 'web' }, expect: 'COMMAND_INVALID', field: 'seats', unchanged: true, why: 'neither form' },
      { at: OPEN, cmd: holdSeatNos('h4', 'bob', []), expect: 'COMMAND_INVALID', field: 'seatNos', unchanged: true },
      { at: OPEN, cmd: holdSeatNos('h5', 'bob', [2, 36]), expect: 'SEAT_UNKNOWN', field: 'seatNos[1]', unchanged: true, why: 'the hall has 36 seats' },
      { at: OPEN, cmd: holdSeatNos('h6', 'bob', [2, -1]), expect: 'SEAT_UNKNOWN', field: 'seatNos[1]', unchanged: true },
      { at: OPEN, cmd: holdSeatNos('h7', 'bob', [2.5]), expect: 'SEAT_UNKNOWN', field: 'seatNos[0]', unchanged: true },
      { at: OPEN, cmd: holdSeatNos('h8', 'bob', ['2']), expect: 'SEAT_UNKNOWN', field: 'seatNos[0]', unchanged: true },
      { at: OPEN, cmd: holdSeatNos('h9', 'bob', [2, 3, 2]), expect: 'SEATS_DUPLICATED', field: 'seatNos[2]', unchanged: true },
      { at: OPEN, cmd: holdSeatNos('h10', 'bob', [2, 1]), expect: 'SEAT_NOT_AVAILABLE', field: 'seatNos[1]', unchanged: true },
      { at: OPEN, cmd: holdSeatNos('h11', 'bob', [24, 2], { ticketType: 'child' }), expect: 'TICKET_TYPE_NOT_PRICED_IN_ZONE', field: 'seatNos[1]', unchanged: true },
      { at: OPEN, cmd: holdSeatNos('h12', 'bob', [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]), expect: 'SEATS_PER_HOLD_EXCEEDED', field: 'seatNos', unchanged: true },
      { at: OPEN, cmd: holdSeatNos('h13', 'bob', [35, 30]), expect: 'OK', check: (r) => expect(accepted<HoldAccepted>(r).seats).toEqual(['BALC-2-6', 'BALC-2-1']) },
    ]);
  });
});

describe('holds - general admission', () => {
  it('holds places by count, within the per-hold bound and what is free', () => {
    const state = newPerformance();
    play(state, [
      { at: OPEN, cmd: holdGa('h1', 'ann', 'ROOF', 2), expect: 'GA_AREA_UNKNOWN', field: 'gaAreaId', unchanged: true },
      { at: OPEN, cmd: holdGa('h2', 'ann', 'FLOOR', limits.placesPerHoldMax + 1), expect: 'PLACES_PER_HOLD_EXCEEDED', field: 'count', unchanged: true },
      { at: OPEN, cmd: holdGa('h3', 'ann', 'FLOOR', 0), expect: 'COMMAND_INVALID', field: 'count', unchanged: true },
      { at: OPEN, cmd: holdGa('h4', 'ann', 'FLOOR', 1.5), expect: 'COMMAND_INVALID', field: 'count', unchanged: true },
      { at: OPEN, cmd: blockForeign('other', 'OtherTix', { gaAreaId: 'FLOOR', count: 36 }), expect: 'OK', why: 'leaves four places' },
      { at: OPEN, cmd: holdGa('h5', 'ann', 'FLOOR', 5), expect: 'NOT_ENOUGH_PLACES', field: 'count', unchanged: true },
      { at: OPEN, cmd: holdGa('h6', 'ann', 'FLOOR', 4), expect: 'OK', check: (r, s) => {
        expect(accepted<HoldAccepted>(r)).toMatchObject({ seats: [], gaAreaId: 'FLOOR', count: 4, quotaId: null });
        expect(avail(s).gaAreas[0].free).toBe(0);
      } },
      { at: OPEN, cmd: holdGa('h7', 'bob', 'FLOOR', 1), expect: 'NOT_ENOUGH_PLACES', unchanged: true },
      { at: OPEN + 1, cmd: release('h6', 'ann'), expect: 'OK', check: (_r, s) => expect(avail(s).gaAreas[0].free).toBe(4) },
    ]);
  });
});

describe('holds - malformed commands', () => {
  const bad: { why: string; cmd: Record<string, unknown> | null; code?: 'COMMAND_UNKNOWN'; field: string }[] = [
    { why: 'not an object', cmd: null, field: '' },
    { why: 'no commandId', cmd: { type: 'tick', commandId: undefined }, field: 'commandId' },
    { why: 'an empty commandId', cmd: { type: 'holdSeats', commandId: '', buyerId: 'ann', channel: 'web', seats: ['MAIN-1-1'] }, field: 'commandId' },
    { why: 'a numeric commandId', cmd: { type: 'holdSeats', commandId: 7, buyerId: 'ann', channel: 'web', seats: ['MAIN-1-1'] }, field: 'commandId' },
    { why: 'a commandId too long', cmd: { type: 'tick', commandId: 'x'.repeat(limits.idLengthMax * 2 + 1) }, field: 'commandId' },
    { why: 'no buyer', cmd: holdSeats('m1', '', ['MAIN-1-1']) as Record<string, unknown>, field: 'buyerId' },
    { why: 'a numeric buyer', cmd: holdSeats('m2', 42 as unknown as string, ['MAIN-1-1']) as Record<string, unknown>, field: 'buyerId' },
    { why: 'seats not a list', cmd: holdSeats('m3', 'ann', 'MAIN-1-1' as unknown as string[]) as Record<string, unknown>, field: 'seats' },
    { why: 'a fractional count', cmd: holdBest('m4', 'ann', 2.5) as Record<string, unknown>, field: 'count' },
    { why: 'no count', cmd: holdBest('m5', 'ann', undefined as unknown as number) as Record<string, unknown>, field: 'count' },
    { why: 'a filter that is not an object', cmd: holdBest('m6', 'ann', 2, { filter: 'front' }) as Record<string, unknown>, field: 'filter' },
    { why: 'accessible not a boolean', cmd: holdBest('m7', 'ann', 2, { filter: { accessible: 'yes' } }) as Record<string, unknown>, field: 'filter.accessible' },
    { why: 'a negative GA count', cmd: holdGa('m8', 'ann', 'FLOOR', -1) as Record<string, unknown>, field: 'count' },
    { why: 'a confirm without a hold id', cmd: { type: 'confirmHold', commandId: 'm9', buyerId: 'ann' }, field: 'holdId' },
    { why: 'a release without a buyer', cmd: { type: 'releaseHold', commandId: 'm10', holdId: 'h1' }, field: 'buyerId' },
    { why: 'an e-mail without @', cmd: { type: 'confirmHold', commandId: 'm11', holdId: 'h1', buyerId: 'ann', buyerEmail: 'ann.example.org' }, field: 'buyerEmail' },
    { why: 'a quota without an id', cmd: { type: 'createQuota', commandId: 'm12', channels: ['partner'], policy: 'onlyQuota', seats: ['MAIN-1-1'] }, field: 'quotaId' },
    { why: 'an unknown policy', cmd: { type: 'createQuota', commandId: 'm13', quotaId: 'q', channels: ['partner'], policy: 'sometimes', seats: ['MAIN-1-1'] }, field: 'policy' },
    { why: 'a discount over 100%', cmd: { type: 'createQuota', commandId: 'm14', quotaId: 'q', channels: ['partner'], policy: 'onlyQuota', seats: ['MAIN-1-1'], discountPct: 120 }, field: 'discountPct' },
    { why: 'a quota for no channel', cmd: { type: 'createQuota', commandId: 'm15', quotaId: 'q', channels: [], policy: 'onlyQuota', seats: ['MAIN-1-1'] }, field: 'channels' },
    { why: 'seats and a GA area at once', cmd: { type: 'createQuota', commandId: 'm16', quotaId: 'q', channels: ['partner'], policy: 'onlyQuota', seats: ['MAIN-1-1'], gaAreaId: 'FLOOR', count: 2 }, field: 'seats' },
    { why: 'neither seats nor a GA area', cmd: { type: 'createQuota', commandId: 'm17', quotaId: 'q', channels: ['partner'], policy: 'onlyQuota' }, field: 'seats' },
    { why: 'a GA quota of no places', cmd: { type: 'createQuota', commandId: 'm18', quotaId: 'q', channels: ['partner'], policy: 'onlyQuota', gaAreaId: 'FLOOR', count: 0 }, field: 'count' },
    { why: 'a return without a quota id', cmd: { type: 'returnQuota', commandId: 'm19' }, field: 'quotaId' },
    { why: 'a delivery note that is not text', cmd: { type: 'issueHardTickets', commandId: 'm20', batchId: 'b', outlet: 'kiosk', deliveryNote: 5, seats: ['MAIN-1-1'] }, field: 'deliveryNote' },
    { why: 'an empty delivery note (a batch is issued with its note)', cmd: { type: 'issueHardTickets', commandId: 'm20e', batchId: 'b', outlet: 'kiosk', deliveryNote: '', seats: ['MAIN-1-1'] }, field: 'deliveryNote' },
    { why: 'a batch without an outlet', cmd: { type: 'issueHardTickets', commandId: 'm21', batchId: 'b', outlet: '', deliveryNote: 'n', seats: ['MAIN-1-1'] }, field: 'outlet' },
    { why: 'a batch with an empty seat list', cmd: { type: 'issueHardTickets', commandId: 'm22', batchId: 'b', outlet: 'kiosk', deliveryNote: 'n', seats: [] }, field: 'seats' },
    { why: 'a foreign block without a system', cmd: { type: 'blockForeign', commandId: 'm23', blockId: 'f', gaAreaId: 'FLOOR', count: 2 }, field: 'system' },
    { why: 'a foreign block of a fractional count', cmd: { type: 'blockForeign', commandId: 'm24', blockId: 'f', system: 'X', gaAreaId: 'FLOOR', count: 0.5 }, field: 'count' },
    { why: 'a presale without a code', cmd: { type: 'createPresale', commandId: 'm25', ticketType: 'guest', validFromMs: 0, validUntilMs: 10, totalMax: 5, perBuyerMax: 2 }, field: 'code' },
    { why: 'a presale window that ends before it starts', cmd: { type: 'createPresale', commandId: 'm26', code: 'c', ticketType: 'guest', validFromMs: 10, validUntilMs: 10, totalMax: 5, perBuyerMax: 2 }, field: 'validUntilMs' },
    { why: 'a presale starting before time zero', cmd: { type: 'createPresale', commandId: 'm27', code: 'c', ticketType: 'guest', validFromMs: -1, validUntilMs: 10, totalMax: 5, perBuyerMax: 2 }, field: 'validFromMs' },
    { why: 'a presale of no tickets', cmd: { type: 'createPresale', commandId: 'm28', code: 'c', ticketType: 'guest', validFromMs: 0, validUntilMs: 10, totalMax: 0, perBuyerMax: 1 }, field: 'totalMax' },
    { why: 'a per-buyer cap above the total', cmd: { type: 'createPresale', commandId: 'm29', code: 'c', ticketType: 'guest', validFromMs: 0, validUntilMs: 10, totalMax: 5, perBuyerMax: 6 }, field: 'perBuyerMax' },
    { why: 'an unknown command type', cmd: { type: 'refund', commandId: 'm30', ticketId: 'P1-T0' }, code: 'COMMAND_UNKNOWN', field: 'type' },
    { why: 'no command type', cmd: { commandId: 'm31' }, code: 'COMMAND_UNKNOWN', field: 'type' },
  ];

  it('names the malformed field and changes nothing', () => {
    const state = newPerformance();
    play(state, [
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-3-8']), expect: 'OK' },
      ...bad.map((b): Step => ({ at: OPEN + 1, cmd: b.cmd, expect: b.code ?? 'COMMAND_INVALID', field: b.field, unchanged: true, why: b.why })),
    ]);
  });

  it('answers an unknown command type once and remembers it like any result', () => {
    const state = newPerformance();
    play(state, [
      { at: OPEN, cmd: { type: 'refund', commandId: 'x1' }, expect: 'COMMAND_UNKNOWN', field: 'type' },
      { at: OPEN, cmd: { type: 'refund', commandId: 'x1' }, expect: 'COMMAND_UNKNOWN', sameHash: true },
      { at: OPEN, cmd: holdSeats('x1', 'ann', ['MAIN-1-1']), expect: 'COMMAND_ID_REUSED', field: 'commandId', sameHash: true },
    ]);
  });
});

describe('holds - time', () => {
  it('refuses a time before the last command\'s, changes nothing and remembers nothing', () => {
    const state = newPerformance();
    play(state, [
      { at: OPEN + 5000, cmd: holdSeats('h1', 'ann', ['MAIN-1-1']), expect: 'OK' },
      { at: OPEN + 4999, cmd: holdSeats('h2', 'bob', ['MAIN-1-2']), expect: 'TIME_REGRESSED', field: '', sameHash: true },
      { at: OPEN + 4999, cmd: confirm('h1', 'ann'), expect: 'TIME_REGRESSED', sameHash: true },
      { at: OPEN + 4999, cmd: tick(), expect: 'TIME_REGRESSED', sameHash: true },
      { at: OPEN + 4000, cmd: holdSeats('h1', 'ann', ['MAIN-1-1']), expect: 'OK', sameHash: true, why: 'a retry is answered before the clock is looked at' },
      { at: Number.NaN, cmd: holdSeats('h2', 'bob', ['MAIN-1-2']), expect: 'TIME_REGRESSED', sameHash: true, why: 'not a time at all' },
      { at: OPEN + 5000, cmd: holdSeats('h2', 'bob', ['MAIN-1-2']), expect: 'OK', why: 'the same time again is no regression; h2 was never remembered' },
      { at: OPEN + 5000 + TTL, cmd: holdSeats('h3', 'cat', ['MAIN-1-1']), expect: 'OK', why: 'h1 expired' },
      { at: OPEN + 5000, cmd: confirm('h1', 'ann'), expect: 'TIME_REGRESSED', sameHash: true, why: 'time does not go back to revive h1' },
    ]);
  });
});

describe('holds - idempotent retries', () => {
  it('returns the first result for the same id and payload, and applies the command once', () => {
    const state = newPerformance();
    const first = (r: unknown, _s: unknown, earlier: readonly unknown[]) => expect(r).toEqual(earlier[0]);
    play(state, [
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-1-1', 'MAIN-1-2']), expect: 'OK' },
      { at: OPEN + 1, cmd: holdSeats('h1', 'ann', ['MAIN-1-1', 'MAIN-1-2']), expect: 'OK', sameHash: true, check: first, why: 'a retry' },
      { at: OPEN + 1, cmd: { seats: ['MAIN-1-1', 'MAIN-1-2'], channel: 'web', buyerId: 'ann', commandId: 'h1', type: 'holdSeats' }, expect: 'OK', sameHash: true, check: first, why: 'key order does not matter' },
      { at: OPEN + 1, cmd: holdSeats('h1', 'ann', ['MAIN-1-1', 'MAIN-1-3']), expect: 'COMMAND_ID_REUSED', field: 'commandId', sameHash: true },
      { at: OPEN + 1, cmd: holdSeats('h1', 'ann', ['MAIN-1-1', 'MAIN-1-2'], { ticketType: 'adult' }), expect: 'COMMAND_ID_REUSED', sameHash: true, why: 'an added field is another payload' },
      { at: OPEN + 2, cmd: confirm('h1', 'ann', { commandId: 'c1', buyerEmail: 'ann@example.org' }), expect: 'OK' },
      { at: OPEN + 3, cmd: confirm('h1', 'ann', { commandId: 'c1', buyerEmail: 'ann@example.org' }), expect: 'OK', sameHash: true, check: (r, s, earlier) => {
        expect(r).toEqual(earlier[5]);
        expect(s.orders.length).toBe(1);
        expect(avail(s).totals.sold).toBe(2);
      } },
      { at: OPEN + 3, cmd: confirm('h1', 'ann', { commandId: 'c2' }), expect: 'HOLD_ALREADY_CONFIRMED', unchanged: true, why: 'a new id is a new command' },
    ]);
  });

  it('answers retries of holds by seat number and of releases alike (both are remembered as numbers, not objects)', () => {
    const state = newPerformance();
    const sameAs = (k: number) => (r: unknown, _s: unknown, earlier: readonly unknown[]) => expect(r).toEqual(earlier[k]);
    play(state, [
      { at: OPEN, cmd: holdSeatNos('h1', 'ann', [0, 1]), expect: 'OK', check: held('MAIN-1-1', 'MAIN-1-2') },
      { at: OPEN + 1, cmd: holdSeatNos('h1', 'ann', [0, 1]), expect: 'OK', sameHash: true, check: sameAs(0), why: 'a retry' },
      { at: OPEN + 1, cmd: { seatNos: [0, 1], channel: 'web', buyerId: 'ann', commandId: 'h1', type: 'holdSeats', ticketType: undefined }, expect: 'OK', sameHash: true, check: sameAs(0), why: 'key order and fields without a value do not matter' },
      { at: OPEN + 1, cmd: holdSeatNos('h1', 'ann', [1, 0]), expect: 'COMMAND_ID_REUSED', field: 'commandId', sameHash: true, why: 'the seat order is part of the payload' },
      { at: OPEN + 1, cmd: holdSeats('h1', 'ann', ['MAIN-1-1', 'MAIN-1-2']), expect: 'COMMAND_ID_REUSED', sameHash: true, why: 'seat ids are another payload than seat numbers' },
      { at: OPEN + 1, cmd: holdSeatNos('h1', 'ann', [0, 1], { note: 'x' }), expect: 'COMMAND_ID_REUSED', sameHash: true, why: 'an added field is another payload' },
      { at: OPEN + 1, cmd: holdSeatNos('h1', 'bob', [0, 1]), expect: 'COMMAND_ID_REUSED', sameHash: true },
      { at: OPEN + 2, cmd: release('h1', 'ann', { commandId: 'r1' }), expect: 'OK', check: free('MAIN-1-1', 'MAIN-1-2') },
      { at: OPEN + 3, cmd: release('h1', 'ann', { commandId: 'r1' }), expect: 'OK', sameHash: true, why: 'a retried release is answered, not applied' },
      { at: OPEN + 3, cmd: { holdId: 'h1', type: 'releaseHold', commandId: 'r1', buyerId: 'ann' }, expect: 'OK', sameHash: true, why: 'key order does not matter' },
      { at: OPEN + 3, cmd: release('h1', 'bob', { commandId: 'r1' }), expect: 'COMMAND_ID_REUSED', sameHash: true },
      { at: OPEN + 3, cmd: release('h1', 'ann', { commandId: 'r1', reason: 'changed my mind' }), expect: 'COMMAND_ID_REUSED', sameHash: true },
      { at: OPEN + 3, cmd: release('h1', 'ann', { commandId: 'r2' }), expect: 'HOLD_RELEASED', unchanged: true, why: 'the hold command remembers what became of the hold' },
      { at: OPEN + 4, cmd: holdSeatNos('h3', 'cat', [0], { trace: 't-1' }), expect: 'OK', why: 'a field beyond the known ones: kept as the object it came in' },
      { at: OPEN + 5, cmd: holdSeatNos('h3', 'cat', [0], { trace: 't-1' }), expect: 'OK', sameHash: true, check: sameAs(13) },
      { at: OPEN + 5, cmd: holdSeatNos('h3', 'cat', [0]), expect: 'COMMAND_ID_REUSED', sameHash: true },
    ]);
  });

  it('returns the first refusal too, even when the command would now succeed', () => {
    const state = newPerformance();
    play(state, [
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-1-1']), expect: 'OK' },
      { at: OPEN, cmd: holdSeats('h2', 'bob', ['MAIN-1-1']), expect: 'SEAT_NOT_AVAILABLE' },
      { at: OPEN + 1, cmd: release('h1', 'ann'), expect: 'OK' },
      { at: OPEN + 2, cmd: holdSeats('h2', 'bob', ['MAIN-1-1']), expect: 'SEAT_NOT_AVAILABLE', sameHash: true, why: 'the retry gets the first answer' },
      { at: OPEN + 2, cmd: holdSeats('h3', 'bob', ['MAIN-1-1']), expect: 'OK', why: 'a new id gets a new answer' },
    ]);
  });

  it('a retry after the hold expired still answers with the hold it made', () => {
    const state = newPerformance();
    play(state, [
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-1-1']), expect: 'OK' },
      { at: OPEN + TTL, cmd: tick(), expect: 'OK', check: free('MAIN-1-1') },
      { at: OPEN + TTL, cmd: holdSeats('h1', 'ann', ['MAIN-1-1']), expect: 'OK', sameHash: true, check: free('MAIN-1-1') },
      { at: OPEN + TTL, cmd: confirm('h1', 'ann'), expect: 'HOLD_EXPIRED' },
    ]);
  });

  it('a tick is not remembered, so its id means nothing later', () => {
    const state = newPerformance();
    play(state, [
      { at: OPEN, cmd: tick({ commandId: 't1' }), expect: 'OK' },
      { at: OPEN, cmd: holdSeats('t1', 'ann', ['MAIN-1-1']), expect: 'OK' },
    ]);
  });
});

describe('holds - a hold outlives the dedupe window', () => {
  it('refuses a new hold under the id of a hold still open after its command was forgotten', () => {
    const state = newPerformance();
    play(state, [{ at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-1-1']), expect: 'OK' }]);
    // Enough later commands to push h1 out of both generations of the dedupe memory.
    for (let i = 0; i < limits.dedupeEntriesMax; i++) {
      execute(state, { type: 'releaseHold', commandId: `r${i}`, holdId: 'none', buyerId: 'ann' }, OPEN + 1);
    }
    play(state, [
      { at: OPEN + 2, cmd: holdSeats('h1', 'ann', ['MAIN-1-1']), expect: 'COMMAND_ID_REUSED', field: 'commandId', unchanged: true, why: 'the retry is no longer recognised, the open hold is' },
      { at: OPEN + 2, cmd: holdGa('h1', 'bob', 'FLOOR', 2), expect: 'COMMAND_ID_REUSED', field: 'commandId', unchanged: true, why: 'and with another payload' },
      { at: OPEN + 3, cmd: confirm('h1', 'ann'), expect: 'OK', why: 'the hold itself is intact', check: (_r, s) => expect(seatState(s, 'MAIN-1-1')).toBe('sold') },
      { at: OPEN + 4, cmd: confirm('h1', 'ann'), expect: 'HOLD_ALREADY_CONFIRMED', unchanged: true, why: 'the fate of a hold that closed after its command was forgotten is kept apart' },
    ]);
  });

  /** Enough refused commands (each remembered) to push every earlier command out of the memory. */
  const forget = (state: ReturnType<typeof newPerformance>, at: number, tag: string): void => {
    for (let i = 0; i < limits.dedupeEntriesMax; i++) execute(state, { type: 'releaseHold', commandId: `${tag}${i}`, holdId: 'none', buyerId: 'zed' }, at);
  };

  it('tells a buyer who comes back to a hold long expired that it expired, not that it never was', () => {
    const state = newPerformance();
    play(state, [
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-1-1']), expect: 'OK' },
      { at: OPEN, cmd: holdSeats('h2', 'bob', ['MAIN-1-2']), expect: 'OK' },
      { at: OPEN, cmd: holdSeats('h3', 'cat', ['MAIN-1-3']), expect: 'OK' },
      { at: OPEN + 1, cmd: release('h3', 'cat'), expect: 'OK', why: 'closed while its command is remembered' },
    ]);
    // The holds outlive their commands' entries: h1 and h2 close after the memory forgot them.
    forget(state, OPEN + 2, 'a');
    play(state, [{ at: OPEN + TTL, cmd: release('h2', 'bob'), expect: 'HOLD_EXPIRED', check: free('MAIN-1-1', 'MAIN-1-2') }]);
    // h3's entry, with its fate, is let go of only now.
    forget(state, OPEN + TTL + 1, 'b');
    play(state, [
      { at: OPEN + TTL + 2, cmd: confirm('h1', 'ann'), expect: 'HOLD_EXPIRED', field: 'holdId', unchanged: true },
      { at: OPEN + TTL + 2, cmd: release('h2', 'bob'), expect: 'HOLD_EXPIRED', unchanged: true },
      { at: OPEN + TTL + 2, cmd: confirm('h3', 'cat'), expect: 'HOLD_RELEASED', unchanged: true, why: 'the fate outlives the entry it was written on' },
      { at: OPEN + TTL + 2, cmd: confirm('h9', 'ann'), expect: 'HOLD_NOT_FOUND', unchanged: true, why: 'a hold never made' },
    ]);
    // The fates are in the snapshot: a decoded state answers the same and encodes the same.
    const back = decodeSnapshot(encodeSnapshot(state), state.layout);
    expect(stateHash(back)).toBe(stateHash(state));
    expect(execute(back, { ...confirm('h1', 'ann'), commandId: 'again' } as never, OPEN + TTL + 3)).toMatchObject({ ok: false, name: 'HOLD_EXPIRED' });
  });

});

describe('holds - the bound on open holds', () => {
  it('refuses a hold past holdsOpenPerPerformanceMax until one closes', () => {
    const max = limits.holdsOpenPerPerformanceMax;
    const perBuyer = 20;
    const state = newPerformance((spec) => {
      spec.maxOpenHoldsPerBuyer = perBuyer;
      spec.maxTicketsPerBuyer = perBuyer;
    }, gaLayout('floor-big', max + 10));
    // The bulk is outside the table: the table's per-step audit would make this quadratic.
    let made = 0;
    for (let i = 0; i < max; i++) {
      const r = execute(state, { type: 'holdGa', commandId: `b${i}`, buyerId: `buyer${Math.floor(i / perBuyer)}`, channel: 'web', gaAreaId: 'FLOOR', count: 1 }, OPEN);
      if (r.ok) made++;
    }
    expect(made).toBe(max);
    play(state, [
      { at: OPEN, cmd: holdGa('one-more', 'late', 'FLOOR', 1), expect: 'HOLDS_LIMIT_REACHED', field: '', unchanged: true },
      { at: OPEN, cmd: release('b0', 'buyer0'), expect: 'OK' },
      { at: OPEN, cmd: holdGa('one-more', 'late', 'FLOOR', 1), expect: 'HOLDS_LIMIT_REACHED', sameHash: true, why: 'a retry gets the first answer' },
      { at: OPEN, cmd: holdGa('one-more-2', 'late', 'FLOOR', 1), expect: 'OK', why: 'a new command finds room' },
    ]);
  });
});
