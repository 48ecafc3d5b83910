// An outlet's contingent sold outside the system (seed 004): the organizer gives an outside box
// office a contingent, prints its hard tickets from that contingent (or records what the outlet
// sold offline), takes back the printed tickets it did not sell, and on the day returns what is
// left of the contingent to free stock. Returning the quota must never put a seat the outlet sold
// on paper back on sale, and a returned printed ticket goes back to the pool it came from.
import { describe, expect, it } from 'vitest';
import { blocksReport, decodeSnapshot, encodeSnapshot, execute, type Result } from '../../src/domain/mod.ts';
import {
  OPEN, avail, blockForeign, createQuota, hardTickets, holdGa, holdSeats, linkProduct, newPerformance, play, productSpec,
  returnHardTickets, returnQuota, seatPool, seatState, seats,
} from './helpers.ts';

type State = Parameters<typeof avail>[0];

const quotaLine = (s: State, quotaId: string) => avail(s).quotas.find((q) => q.quotaId === quotaId);
const count = (n: number) => (r: Result) => expect(r).toEqual({ ok: true, count: n });
const batch = (s: State, batchId: string) => blocksReport(s).find((b) => b.blockId === batchId);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** A partner outlet's contingent of the balcony's first row (6 seats) and 10 standing places. */
function withContingent(): State {
  const state = newPerformance();
  play(state, [
    { at: OPEN, cmd: createQuota('kiosk', ['partner'], 'onlyQuota', { seats: seats('BALC-1', 1, 6) }), expect: 'OK' },
    { at: OPEN, cmd: createQuota('kiosk-floor', ['partner'], 'onlyQuota', { gaAreaId: 'FLOOR', count: 10 }), expect: 'OK' },
  ]);
  return state;
}

describe('outlet contingents - hard tickets printed from a quota', () => {
  it('blocks the seats inside the quota, and returning the quota gives back only the rest', () => {
    const state = withContingent();
    play(state, [
      { at: OPEN + 1, cmd: hardTickets('kiosk-1', 'kiosk-north', 'DN-7: 3 printed', { quotaId: 'kiosk', seats: seats('BALC-1', 1, 3) }), expect: 'OK', check: count(3) },
      { at: OPEN + 2, cmd: holdSeats('h1', 'ann', ['BALC-1-2'], { channel: 'partner' }), expect: 'SEAT_NOT_AVAILABLE', field: 'seats[0]', unchanged: true, why: 'printed for the outlet' },
      { at: OPEN + 3, cmd: returnQuota('kiosk'), expect: 'OK', check: count(3), why: 'day of the show: the 3 unprinted seats' },
    ]);
    expect(quotaLine(state, 'kiosk')).toEqual({ quotaId: 'kiosk', capacity: 3, free: 0, held: 0, sold: 0, blocked: 3 });
    for (const id of seats('BALC-1', 1, 3)) expect([seatState(state, id), seatPool(state, id)]).toEqual(['blocked', 'kiosk']);
    for (const id of seats('BALC-1', 4, 6)) expect([seatState(state, id), seatPool(state, id)]).toEqual(['free', 'general']);
    expect(batch(state, 'kiosk-1')).toEqual({
      blockId: 'kiosk-1', kind: 'hardTicket', party: 'kiosk-north', deliveryNote: 'DN-7: 3 printed', quotaId: 'kiosk',
      seats: seats('BALC-1', 1, 3), gaAreaId: null, count: 3, returned: 0, createdAtMs: OPEN + 1,
    });
  });

  it('takes GA places of the quota, and only as many as it has free', () => {
    const state = withContingent();
    play(state, [
      { at: OPEN, cmd: holdGa('h1', 'ann', 'FLOOR', 2, { channel: 'partner' }), expect: 'OK', why: 'the partner sells 2 online' },
      { at: OPEN, cmd: hardTickets('k', 'kiosk', 'DN', { quotaId: 'kiosk-floor', gaAreaId: 'FLOOR', count: 9 }), expect: 'NOT_ENOUGH_PLACES', field: 'count', unchanged: true, why: '8 left in the quota' },
      { at: OPEN, cmd: hardTickets('k', 'kiosk', 'DN', { quotaId: 'kiosk-floor', gaAreaId: 'FLOOR', count: 8 }), expect: 'OK', check: count(8) },
      { at: OPEN, cmd: returnQuota('kiosk-floor'), expect: 'OK', check: count(0) },
    ]);
    expect(quotaLine(state, 'kiosk-floor')).toEqual({ quotaId: 'kiosk-floor', capacity: 10, free: 0, held: 2, sold: 0, blocked: 8 });
    expect(avail(state).gaAreas[0]).toEqual({ gaAreaId: 'FLOOR', capacity: 40, free: 30 });
  });

  it('refuses a quota that is unknown, a product\'s, or does not hold the stock, and changes nothing', () => {
    const state = newPerformance(productSpec);
    play(state, [
      { at: 0, cmd: linkProduct('subs', { kind: 'series', resale: null }), expect: 'OK' },
      { at: 0, cmd: createQuota('alloc', [], 'onlyQuota', { productId: 'subs', seats: ['BALC-2-1'] }), expect: 'OK' },
      { at: 0, cmd: createQuota('kiosk', ['partner'], 'onlyQuota', { seats: seats('BALC-1', 1, 6) }), expect: 'OK' },
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['BALC-1-6'], { channel: 'partner' }), expect: 'OK' },
    ]);
    const issue = (more: Record<string, unknown>) => hardTickets('k', 'kiosk-north', 'DN', more);
    play(state, [
      { at: OPEN, cmd: issue({ quotaId: 'nope', seats: ['BALC-1-1'] }), expect: 'QUOTA_UNKNOWN', field: 'quotaId', unchanged: true },
      { at: OPEN, cmd: issue({ quotaId: 7, seats: ['BALC-1-1'] }), expect: 'COMMAND_INVALID', field: 'quotaId', unchanged: true },
      { at: OPEN, cmd: issue({ quotaId: 'alloc', seats: ['BALC-2-1'] }), expect: 'QUOTA_OF_PRODUCT', field: 'quotaId', unchanged: true, why: 'a product sells its allocation' },
      { at: OPEN, cmd: issue({ quotaId: 'kiosk', seats: ['BALC-1-1', 'MAIN-1-1'] }), expect: 'SEAT_NOT_IN_QUOTA', field: 'seats[1]', unchanged: true, why: 'a general seat' },
      { at: OPEN, cmd: issue({ quotaId: 'kiosk', seats: ['BALC-1-6'] }), expect: 'SEAT_NOT_AVAILABLE', field: 'seats[0]', unchanged: true, why: 'held on the partner channel' },
      { at: OPEN, cmd: issue({ quotaId: 'kiosk', gaAreaId: 'FLOOR', count: 1 }), expect: 'NOT_ENOUGH_PLACES', field: 'count', unchanged: true, why: 'a numbered quota has no places' },
      { at: OPEN, cmd: issue({ seats: ['BALC-1-1'] }), expect: 'SEAT_NOT_AVAILABLE', field: 'seats[0]', unchanged: true, why: 'without quotaId: the general pool' },
      { at: OPEN, cmd: issue({ quotaId: 'kiosk', seats: ['BALC-1-1'] }), expect: 'OK' },
    ]);
    expect(quotaLine(state, 'kiosk')).toEqual({ quotaId: 'kiosk', capacity: 6, free: 4, held: 1, sold: 0, blocked: 1 });
  });
});

describe('outlet contingents - unsold printed tickets come back (returnHardTickets)', () => {
  it('puts returned seats back in their quota while it is open, and in the general pool once it is closed', () => {
    const state = withContingent();
    play(state, [
      { at: OPEN, cmd: hardTickets('kiosk-1', 'kiosk-north', 'DN-7', { quotaId: 'kiosk', seats: seats('BALC-1', 1, 4) }), expect: 'OK' },
      { at: OPEN, cmd: hardTickets('gen-1', 'kiosk-south', 'DN-8', { seats: ['MAIN-1-1', 'MAIN-1-2'] }), expect: 'OK' },
      { at: OPEN + 1, cmd: returnHardTickets('kiosk-1', { seats: ['BALC-1-2'] }), expect: 'OK', check: count(1) },
      { at: OPEN + 1, cmd: returnHardTickets('gen-1', { seats: ['MAIN-1-2'] }), expect: 'OK', check: count(1) },
    ]);
    expect([seatState(state, 'BALC-1-2'), seatPool(state, 'BALC-1-2')]).toEqual(['free', 'kiosk']);
    expect([seatState(state, 'MAIN-1-2'), seatPool(state, 'MAIN-1-2')]).toEqual(['free', 'general']);
    play(state, [
      { at: OPEN + 2, cmd: holdSeats('h1', 'ann', ['BALC-1-2'], { channel: 'partner' }), expect: 'OK', why: 'the partner sells it again' },
      { at: OPEN + 3, cmd: returnQuota('kiosk', { close: true }), expect: 'OK', check: count(2), why: 'BALC-1-5 and -6' },
      { at: OPEN + 4, cmd: returnHardTickets('kiosk-1'), expect: 'OK', check: count(3), why: 'all that is still out' },
      { at: OPEN + 4, cmd: returnHardTickets('kiosk-1'), expect: 'OK', check: count(0), why: 'nothing left out' },
    ]);
    for (const id of ['BALC-1-1', 'BALC-1-3', 'BALC-1-4']) expect([seatState(state, id), seatPool(state, id)]).toEqual(['free', 'general']);
    expect(quotaLine(state, 'kiosk')).toEqual({ quotaId: 'kiosk', capacity: 1, free: 0, held: 1, sold: 0, blocked: 0 });
    expect(batch(state, 'kiosk-1')).toMatchObject({ seats: [], count: 0, returned: 4, quotaId: 'kiosk' });
    expect(batch(state, 'gen-1')).toMatchObject({ seats: ['MAIN-1-1'], count: 1, returned: 1, quotaId: null });
  });

  it('returns GA places some at a time, to the quota they came from', () => {
    const state = withContingent();
    play(state, [
      { at: OPEN, cmd: hardTickets('k', 'kiosk', 'DN', { quotaId: 'kiosk-floor', gaAreaId: 'FLOOR', count: 6 }), expect: 'OK' },
      { at: OPEN, cmd: returnHardTickets('k', { count: 7 }), expect: 'BLOCK_RETURN_TOO_MANY', field: 'count', unchanged: true },
      { at: OPEN, cmd: returnHardTickets('k', { count: 2 }), expect: 'OK', check: count(2) },
    ]);
    expect(quotaLine(state, 'kiosk-floor')).toMatchObject({ free: 6, blocked: 4 });
    play(state, [{ at: OPEN, cmd: returnHardTickets('k'), expect: 'OK', check: count(4) }]);
    expect(quotaLine(state, 'kiosk-floor')).toMatchObject({ capacity: 10, free: 10, blocked: 0 });
    expect(batch(state, 'k')).toMatchObject({ count: 0, returned: 6, gaAreaId: 'FLOOR' });
  });

  it('refuses what is not a hard-ticket batch, or not out in it, and changes nothing', () => {
    const state = withContingent();
    play(state, [
      { at: OPEN, cmd: hardTickets('k', 'kiosk', 'DN', { quotaId: 'kiosk', seats: seats('BALC-1', 1, 2) }), expect: 'OK' },
      { at: OPEN, cmd: hardTickets('k2', 'kiosk', 'DN', { seats: ['MAIN-1-1'] }), expect: 'OK' },
      { at: OPEN, cmd: hardTickets('ga', 'kiosk', 'DN', { gaAreaId: 'FLOOR', count: 3 }), expect: 'OK' },
      { at: OPEN, cmd: blockForeign('tm', 'Ticketmaster', { seats: ['MAIN-1-2'] }), expect: 'OK' },
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-1-3']), expect: 'OK' },
    ]);
    play(state, [
      { at: OPEN, cmd: returnHardTickets('nope'), expect: 'BLOCK_UNKNOWN', field: 'batchId', unchanged: true },
      { at: OPEN, cmd: returnHardTickets(''), expect: 'COMMAND_INVALID', field: 'batchId', unchanged: true },
      { at: OPEN, cmd: returnHardTickets('tm'), expect: 'BLOCK_NOT_HARD_TICKETS', field: 'batchId', unchanged: true, why: 'another system sells it' },
      { at: OPEN, cmd: returnHardTickets('ga', { seats: ['MAIN-1-1'] }), expect: 'COMMAND_INVALID', field: 'seats', unchanged: true },
      { at: OPEN, cmd: returnHardTickets('k', { count: 1 }), expect: 'COMMAND_INVALID', field: 'count', unchanged: true },
      { at: OPEN, cmd: returnHardTickets('ga', { count: 0 }), expect: 'COMMAND_INVALID', field: 'count', unchanged: true },
      { at: OPEN, cmd: returnHardTickets('k', { seats: [] }), expect: 'COMMAND_INVALID', field: 'seats', unchanged: true },
      { at: OPEN, cmd: returnHardTickets('k', { seats: ['BALC-1-1', 'MAIN-1-1'] }), expect: 'SEAT_NOT_IN_BLOCK', field: 'seats[1]', unchanged: true, why: 'in batch k2' },
      { at: OPEN, cmd: returnHardTickets('k', { seats: ['BALC-1-3'] }), expect: 'SEAT_NOT_IN_BLOCK', field: 'seats[0]', unchanged: true, why: 'free in the quota' },
      { at: OPEN, cmd: returnHardTickets('k2', { seats: ['MAIN-1-3'] }), expect: 'SEAT_NOT_IN_BLOCK', field: 'seats[0]', unchanged: true, why: 'held' },
      { at: OPEN, cmd: returnHardTickets('k2', { seats: ['MAIN-1-2'] }), expect: 'SEAT_NOT_IN_BLOCK', field: 'seats[0]', unchanged: true, why: 'a foreign block' },
      { at: OPEN, cmd: returnHardTickets('k', { seats: ['BALC-1-1', 'NOPE'] }), expect: 'SEAT_UNKNOWN', field: 'seats[1]', unchanged: true },
      { at: OPEN, cmd: returnHardTickets('k', { seats: ['BALC-1-1', 'BALC-1-1'] }), expect: 'SEATS_DUPLICATED', field: 'seats[1]', unchanged: true },
      { at: OPEN, cmd: returnHardTickets('k', { seats: ['BALC-1-1'] }), expect: 'OK' },
      { at: OPEN, cmd: returnHardTickets('k', { seats: ['BALC-1-1'] }), expect: 'SEAT_NOT_IN_BLOCK', field: 'seats[0]', unchanged: true, why: 'already returned' },
    ]);
  });

  it('survives a snapshot: the batch\'s quota, what is out and what came back', () => {
    const state = withContingent();
    play(state, [
      { at: OPEN, cmd: hardTickets('k', 'kiosk', 'DN', { quotaId: 'kiosk', seats: seats('BALC-1', 1, 3) }), expect: 'OK' },
      { at: OPEN, cmd: hardTickets('ga', 'kiosk', 'DN', { quotaId: 'kiosk-floor', gaAreaId: 'FLOOR', count: 5 }), expect: 'OK' },
      { at: OPEN, cmd: returnHardTickets('k', { seats: ['BALC-1-2'] }), expect: 'OK' },
      { at: OPEN, cmd: returnHardTickets('ga', { count: 1 }), expect: 'OK' },
    ]);
    const bytes = encodeSnapshot(state);
    const copy = decodeSnapshot(bytes, state.layout);
    expect(blocksReport(copy)).toEqual(blocksReport(state));
    expect(hex(encodeSnapshot(copy))).toBe(hex(bytes));
    // The copy goes on as the original: the rest comes back to the quota on both.
    for (const s of [state, copy]) {
      expect(execute(s, { type: 'returnHardTickets', commandId: 'r-all', batchId: 'k' }, OPEN + 1)).toEqual({ ok: true, count: 2 });
      expect(execute(s, { type: 'returnHardTickets', commandId: 'r-ga', batchId: 'ga' }, OPEN + 1)).toEqual({ ok: true, count: 4 });
    }
    expect(hex(encodeSnapshot(copy))).toBe(hex(encodeSnapshot(state)));
    expect(quotaLine(copy, 'kiosk')).toMatchObject({ free: 6, blocked: 0 });
    expect(quotaLine(copy, 'kiosk-floor')).toMatchObject({ free: 10, blocked: 0 });
  });
});
