// Orders as stories: confirming holds into priced tickets (ticket type price in the seat's zone,
// in minor units), contingent discounts booked as discount lines, the sales report, voids that
// put the seat back in its pool, and entry scans that admit once.
import { describe, expect, it } from 'vitest';
import { limits, salesReport, ticketIdOf, type CountAccepted, type OrderAccepted, type Result, type ScanAccepted } from '../../src/domain/mod.ts';
import {
  OPEN, accepted, avail, confirm, createQuota, holdGa, holdSeats, newPerformance, play, scan, seatPool, seatState, voidTicket,
  voidTickets, type Step,
} from './helpers.ts';

const order = (r: Result) => accepted<OrderAccepted>(r);

/** The sale most stories here start from: 13 tickets on three channels, 5 from two quotas. */
function sold(): Step[] {
  return [
    { at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-1-1', 'MAIN-1-2']), expect: 'OK' },
    { at: OPEN, cmd: confirm('h1', 'ann', { buyerEmail: 'ann@example.org' }), expect: 'OK', check: (r) => expect(order(r)).toEqual({
      ok: true, orderId: 'P1-O0', holdId: 'h1', totalMinor: 10_000, discountMinor: 0, tickets: [
        { ticketId: 'P1-T0', seatId: 'MAIN-1-1', gaAreaId: null, ticketType: 'adult', priceMinor: 5000, discountMinor: 0, quotaId: null },
        { ticketId: 'P1-T1', seatId: 'MAIN-1-2', gaAreaId: null, ticketType: 'adult', priceMinor: 5000, discountMinor: 0, quotaId: null },
      ],
    }) },
    { at: OPEN, cmd: holdSeats('h2', 'bob', ['BALC-1-1', 'BALC-1-2', 'BALC-1-3'], { ticketType: 'child' }), expect: 'OK' },
    { at: OPEN, cmd: confirm('h2', 'bob'), expect: 'OK', check: (r) => {
      expect(order(r)).toMatchObject({ orderId: 'P1-O1', totalMinor: 4500, discountMinor: 0 });
      expect(order(r).tickets.map((t) => [t.ticketId, t.seatId, t.priceMinor])).toEqual([['P1-T2', 'BALC-1-1', 1500], ['P1-T3', 'BALC-1-2', 1500], ['P1-T4', 'BALC-1-3', 1500]]);
    } },
    { at: OPEN, cmd: holdGa('h3', 'cat', 'FLOOR', 3, { channel: 'box' }), expect: 'OK' },
    { at: OPEN, cmd: confirm('h3', 'cat'), expect: 'OK', check: (r) => {
      expect(order(r)).toMatchObject({ orderId: 'P1-O2', totalMinor: 7500 });
      expect(order(r).tickets.map((t) => [t.ticketId, t.seatId, t.gaAreaId, t.priceMinor])).toEqual([
        ['P1-T5', null, 'FLOOR', 2500], ['P1-T6', null, 'FLOOR', 2500], ['P1-T7', null, 'FLOOR', 2500],
      ]);
    } },
    { at: OPEN, cmd: createQuota('club', ['partner'], 'quotaFirst', { seats: ['BALC-2-1', 'BALC-2-2', 'BALC-2-3', 'BALC-2-4'], discountPct: 15 }), expect: 'OK' },
    { at: OPEN, cmd: createQuota('fanzone', ['partner'], 'quotaFirst', { gaAreaId: 'FLOOR', count: 5, discountPct: 7 }), expect: 'OK' },
    { at: OPEN, cmd: holdSeats('h4', 'dan', ['BALC-2-1', 'BALC-2-2'], { channel: 'partner' }), expect: 'OK' },
    { at: OPEN, cmd: confirm('h4', 'dan'), expect: 'OK', why: 'list price 3000, 15% off booked as a discount', check: (r) => expect(order(r)).toMatchObject({
      orderId: 'P1-O3', totalMinor: 2 * 2550, discountMinor: 2 * 450, tickets: [
        { ticketId: 'P1-T8', seatId: 'BALC-2-1', priceMinor: 3000, discountMinor: 450, quotaId: 'club' },
        { ticketId: 'P1-T9', seatId: 'BALC-2-2', priceMinor: 3000, discountMinor: 450, quotaId: 'club' },
      ],
    }) },
    { at: OPEN, cmd: holdGa('h5', 'eve', 'FLOOR', 2, { channel: 'partner' }), expect: 'OK' },
    { at: OPEN, cmd: confirm('h5', 'eve'), expect: 'OK', check: (r) => expect(order(r)).toMatchObject({
      orderId: 'P1-O4', totalMinor: 2 * 2325, discountMinor: 2 * 175, tickets: [
        { ticketId: 'P1-T10', gaAreaId: 'FLOOR', priceMinor: 2500, discountMinor: 175, quotaId: 'fanzone' },
        { ticketId: 'P1-T11', gaAreaId: 'FLOOR', priceMinor: 2500, discountMinor: 175, quotaId: 'fanzone' },
      ],
    }) },
    { at: OPEN, cmd: holdSeats('h6', 'fay', ['BALC-2-3'], { channel: 'partner', ticketType: 'child' }), expect: 'OK' },
    { at: OPEN, cmd: confirm('h6', 'fay'), expect: 'OK', check: (r) => expect(order(r)).toMatchObject({ orderId: 'P1-O5', totalMinor: 1275, discountMinor: 225 }) },
  ];
}

const line = (tickets: number, grossMinor: number, discountMinor = 0) => ({ tickets, grossMinor, discountMinor, netMinor: grossMinor - discountMinor });

describe('orders - confirming prices the tickets', () => {
  it('prices each ticket by its type in its zone, and books quota discounts as discounts', () => {
    const state = newPerformance();
    play(state, sold());
    expect(avail(state).totals).toEqual({ free: 76 - 13, held: 0, sold: 13, blocked: 0 });
    expect(ticketIdOf('P1', 12)).toBe('P1-T12');
  });

  it('rounds a discount down to whole minor units', () => {
    const state = newPerformance((spec) => { spec.ticketTypes[0].prices.B = 999; });
    play(state, [
      { at: OPEN, cmd: createQuota('club', ['partner'], 'onlyQuota', { seats: ['BALC-1-1', 'BALC-1-2'], discountPct: 15 }), expect: 'OK' },
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['BALC-1-1', 'BALC-1-2'], { channel: 'partner' }), expect: 'OK' },
      { at: OPEN, cmd: confirm('h1', 'ann'), expect: 'OK', why: '15% of 999 is 149.85', check: (r) => expect(order(r)).toMatchObject({ totalMinor: 2 * 850, discountMinor: 2 * 149 }) },
    ]);
  });

  it('confirms complimentary only a product\'s hold (a coordinator\'s, for a performance linked later)', () => {
    const state = newPerformance();
    play(state, [
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-1-1']), expect: 'OK' },
      { at: OPEN, cmd: confirm('h1', 'ann', { complimentary: 'yes' }), expect: 'COMMAND_INVALID', field: 'complimentary', unchanged: true, why: 'not a boolean' },
      { at: OPEN, cmd: confirm('h1', 'ann', { complimentary: true }), expect: 'COMMAND_INVALID', field: 'complimentary', unchanged: true, why: 'a single ticket is always paid for' },
      { at: OPEN, cmd: confirm('h1', 'ann', { complimentary: false }), expect: 'OK', check: (r) => expect(order(r)).toMatchObject({ totalMinor: 5000, discountMinor: 0 }) },
    ]);
  });

  it('reports sales by channel, quota, ticket type and presale link', () => {
    const state = newPerformance();
    play(state, sold());
    expect(salesReport(state)).toEqual({
      performanceId: 'P1',
      total: line(13, 34_500, 1475),
      byChannel: { web: line(5, 14_500), box: line(3, 7500), partner: line(5, 12_500, 1475) },
      byQuota: { general: line(8, 22_000), club: line(3, 7500, 1125), fanzone: line(2, 5000, 350) },
      byTicketType: { adult: line(9, 28_500, 1250), child: line(4, 6000, 225) },
      byPresale: { none: line(13, 34_500, 1475) },
    });
  });

  it('reports nothing before the first sale', () => {
    const state = newPerformance();
    expect(salesReport(state)).toEqual({ performanceId: 'P1', total: line(0, 0), byChannel: {}, byQuota: {}, byTicketType: {}, byPresale: {} });
  });
});

describe('orders - voids and scans', () => {
  it('voids a ticket back into the pool it was sold from', () => {
    const state = newPerformance();
    play(state, sold());
    play(state, [
      { at: OPEN + 1, cmd: voidTicket('P1-T0'), expect: 'OK', check: (_r, s) => {
        expect(seatState(s, 'MAIN-1-1')).toBe('free');
        expect(salesReport(s).total).toEqual(line(12, 29_500, 1475));
        expect(salesReport(s).byChannel.web).toEqual(line(4, 9500));
      } },
      { at: OPEN + 1, cmd: voidTicket('P1-T0'), expect: 'TICKET_VOID', field: 'ticketId', unchanged: true },
      { at: OPEN + 1, cmd: scan('P1-T0'), expect: 'TICKET_VOID', field: 'ticketId', unchanged: true },
      { at: OPEN + 2, cmd: holdSeats('h7', 'gus', ['MAIN-1-1']), expect: 'OK', why: 'the voided seat is on sale again' },
      { at: OPEN + 2, cmd: voidTicket('P1-T8'), expect: 'OK', why: 'a quota ticket', check: (_r, s) => {
        expect(seatState(s, 'BALC-2-1')).toBe('free');
        expect(seatPool(s, 'BALC-2-1')).toBe('club');
        expect(avail(s).quotas.find((q) => q.quotaId === 'club')).toMatchObject({ capacity: 4, free: 2, sold: 2 });
      } },
      { at: OPEN + 2, cmd: holdSeats('h8', 'gus', ['BALC-2-1']), expect: 'SEAT_NOT_IN_CHANNEL', field: 'seats[0]', unchanged: true, why: 'back in the quota, not the general pool' },
      { at: OPEN + 2, cmd: holdSeats('h9', 'hal', ['BALC-2-1'], { channel: 'partner' }), expect: 'OK', check: (r) => expect(r).toMatchObject({ quotaId: 'club' }) },
      { at: OPEN + 3, cmd: voidTicket('P1-T6'), expect: 'OK', why: 'a general GA place', check: (_r, s) => expect(avail(s, 'web').gaAreas[0].free).toBe(40 - 5 - 3 + 1) },
      { at: OPEN + 3, cmd: voidTicket('P1-T10'), expect: 'OK', why: 'a quota GA place', check: (_r, s) => {
        expect(avail(s).quotas.find((q) => q.quotaId === 'fanzone')).toMatchObject({ capacity: 5, free: 4, sold: 1 });
        expect(avail(s, 'web').gaAreas[0].free).toBe(33);
      } },
    ]);
  });

  it('voids as many tickets as ticketsPerVoidMax at once', () => {
    const state = newPerformance();
    play(state, sold());
    const most = Array.from({ length: limits.ticketsPerVoidMax }, (_, i) => `P1-T${i}`);
    play(state, [{ at: OPEN + 1, cmd: voidTickets(most), expect: 'OK', check: (r) => expect(r).toEqual({ ok: true, count: limits.ticketsPerVoidMax }) }]);
  });

  it('admits a ticket once and cannot void it after', () => {
    const state = newPerformance();
    play(state, sold());
    play(state, [
      { at: OPEN + 1, cmd: scan('P1-T1'), expect: 'OK', check: (r) => expect(accepted<ScanAccepted>(r)).toEqual({ ok: true, ticketId: 'P1-T1', seatId: 'MAIN-1-2', gaAreaId: null }) },
      { at: OPEN + 1, cmd: scan('P1-T1'), expect: 'TICKET_ALREADY_SCANNED', field: 'ticketId', unchanged: true },
      { at: OPEN + 1, cmd: scan('P1-T0'), expect: 'OK', why: 'the layout\'s first seat (number 0) is a seat, not a GA place', check: (r, s) => {
        expect(s.layout.seatIndexById.get('MAIN-1-1')).toBe(0);
        expect(r).toEqual({ ok: true, ticketId: 'P1-T0', seatId: 'MAIN-1-1', gaAreaId: null });
      } },
      { at: OPEN + 1, cmd: voidTicket('P1-T1'), expect: 'TICKET_ALREADY_SCANNED', field: 'ticketId', unchanged: true },
      { at: OPEN + 1, cmd: scan('P1-T5'), expect: 'OK', check: (r) => expect(r).toEqual({ ok: true, ticketId: 'P1-T5', seatId: null, gaAreaId: 'FLOOR' }) },
      { at: OPEN + 1, cmd: scan('P1-T13'), expect: 'TICKET_NOT_FOUND', field: 'ticketId', unchanged: true, why: 'not issued yet' },
      { at: OPEN + 1, cmd: scan('P2-T0'), expect: 'TICKET_NOT_FOUND', unchanged: true, why: 'another performance' },
      { at: OPEN + 1, cmd: scan('P1-T01'), expect: 'TICKET_NOT_FOUND', unchanged: true, why: 'not the canonical number' },
      { at: OPEN + 1, cmd: scan('P1-O0'), expect: 'TICKET_NOT_FOUND', unchanged: true, why: 'an order id' },
      { at: OPEN + 1, cmd: scan(42), expect: 'TICKET_NOT_FOUND', unchanged: true },
      { at: OPEN + 1, cmd: voidTicket('P1-T999999999'), expect: 'TICKET_NOT_FOUND', unchanged: true },
    ]);
  });

  it('voids several tickets all or nothing: a list checked whole, then every ticket before the first is voided', () => {
    const state = newPerformance();
    play(state, sold());
    // A product's exchange voids a holding's tickets on one performance, one hold's worth, at once.
    expect(limits.ticketsPerVoidMax).toBeGreaterThanOrEqual(Math.max(limits.seatsPerHoldMax, limits.placesPerHoldMax));
    const tooMany = Array.from({ length: limits.ticketsPerVoidMax + 1 }, (_, i) => `P1-T${i}`);
    play(state, [
      { at: OPEN + 1, cmd: scan('P1-T3'), expect: 'OK' },
      { at: OPEN + 1, cmd: voidTickets([]), expect: 'COMMAND_INVALID', field: 'ticketIds', unchanged: true, why: 'an empty list' },
      { at: OPEN + 1, cmd: voidTickets('P1-T0'), expect: 'COMMAND_INVALID', field: 'ticketIds', unchanged: true, why: 'not a list' },
      { at: OPEN + 1, cmd: voidTickets(tooMany), expect: 'COMMAND_INVALID', field: 'ticketIds', unchanged: true, why: `more than ${limits.ticketsPerVoidMax}` },
      { at: OPEN + 1, cmd: voidTickets(['P1-T0', 7]), expect: 'COMMAND_INVALID', field: 'ticketIds[1]', unchanged: true, why: 'not an id' },
      { at: OPEN + 1, cmd: voidTickets(['P1-T0', 'P1-T1', 'P1-T0']), expect: 'COMMAND_INVALID', field: 'ticketIds[2]', unchanged: true, why: 'listed twice' },
      { at: OPEN + 1, cmd: voidTickets(['P1-T0', 'P1-T99']), expect: 'TICKET_NOT_FOUND', field: 'ticketIds[1]', unchanged: true, why: 'an unknown ticket after a good one' },
      { at: OPEN + 1, cmd: voidTickets(['P1-T2', 'P1-T3', 'P1-T4']), expect: 'TICKET_ALREADY_SCANNED', field: 'ticketIds[1]', unchanged: true, why: 'the scanned one keeps the others valid' },
      { at: OPEN + 2, cmd: voidTickets(['P1-T0', 'P1-T1', 'P1-T8'], { commandId: 'v1' }), expect: 'OK', check: (r, s) => {
        expect(accepted<CountAccepted>(r)).toEqual({ ok: true, count: 3 });
        expect([seatState(s, 'MAIN-1-1'), seatState(s, 'MAIN-1-2'), seatState(s, 'BALC-2-1')]).toEqual(['free', 'free', 'free']);
        expect(seatPool(s, 'BALC-2-1')).toBe('club');
        expect(salesReport(s).total).toEqual(line(10, 21_500, 1025));
      } },
      { at: OPEN + 2, cmd: voidTickets(['P1-T0', 'P1-T1', 'P1-T8'], { commandId: 'v1' }), expect: 'OK', sameHash: true, why: 'a retry answers the first result' },
      { at: OPEN + 2, cmd: voidTickets(['P1-T0'], { commandId: 'v1' }), expect: 'COMMAND_ID_REUSED', sameHash: true, why: 'another list under the same id' },
      { at: OPEN + 2, cmd: voidTickets(['P1-T2', 'P1-T0']), expect: 'TICKET_VOID', field: 'ticketIds[1]', unchanged: true },
      { at: OPEN + 3, cmd: voidTickets(['P1-T6', 'P1-T10']), expect: 'OK', why: 'GA places, general and from a quota', check: (_r, s) => {
        expect(avail(s).quotas.find((q) => q.quotaId === 'fanzone')).toMatchObject({ capacity: 5, free: 4, sold: 1 });
        expect(avail(s, 'web').gaAreas[0].free).toBe(33);
      } },
      { at: OPEN + 3, cmd: holdSeats('h7', 'ann', ['MAIN-1-1', 'MAIN-1-2', 'MAIN-1-3', 'MAIN-1-4', 'MAIN-1-5', 'MAIN-1-6']), expect: 'OK', why: 'ann\'s allowance is back: six tickets again' },
    ]);
  });

  it('a void gives the buyer\'s allowance back', () => {
    const state = newPerformance();
    play(state, [
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-1-1', 'MAIN-1-2', 'MAIN-1-3', 'MAIN-1-4', 'MAIN-1-5', 'MAIN-1-6']), expect: 'OK' },
      { at: OPEN, cmd: confirm('h1', 'ann'), expect: 'OK' },
      { at: OPEN, cmd: holdSeats('h2', 'ann', ['MAIN-1-7']), expect: 'BUYER_TICKET_LIMIT' },
      { at: OPEN, cmd: voidTicket('P1-T3'), expect: 'OK' },
      { at: OPEN, cmd: holdSeats('h3', 'ann', ['MAIN-1-7']), expect: 'OK' },
    ]);
  });
});

// Found in session 30: the report's tables were plain objects keyed by ids. A channel named
// `__proto__` reached the worker's shared prototype (every later command there was refused), and
// `constructor` or `toString` found a line that was not there.
describe('the sales report - ids that name what plain objects have', () => {
  it('keeps a line for a channel named constructor and a ticket type named toString', () => {
    const s = newPerformance((spec) => {
      spec.channels[0] = { ...spec.channels[0], id: 'constructor' };
      spec.ticketTypes[0] = { ...spec.ticketTypes[0], id: 'toString' };
    });
    play(s, [
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-1-1'], { channel: 'constructor', ticketType: 'toString' }), expect: 'OK' },
      { at: OPEN, cmd: confirm('h1', 'ann'), expect: 'OK' },
    ]);
    const report = salesReport(s);
    expect(report.byChannel.constructor).toEqual({ tickets: 1, grossMinor: 5000, discountMinor: 0, netMinor: 5000 });
    expect(report.byTicketType.toString).toEqual({ tickets: 1, grossMinor: 5000, discountMinor: 0, netMinor: 5000 });
    expect(Object.keys(report.byChannel)).toEqual(['constructor']);
  });

  it('refuses __proto__ as an id: in a spec, and in a command', () => {
    expect(() => newPerformance((spec) => { spec.channels[0] = { ...spec.channels[0], id: '__proto__' }; })).toThrow(/SPEC_INVALID/);
    expect(() => newPerformance((spec) => { spec.ticketTypes[0] = { ...spec.ticketTypes[0], id: '__proto__' }; })).toThrow(/SPEC_INVALID/);
    const s = newPerformance();
    play(s, [{ at: OPEN, cmd: holdSeats('h1', '__proto__', ['MAIN-1-1']), expect: 'COMMAND_INVALID', field: 'buyerId', unchanged: true }]);
    expect(({} as { tickets?: unknown }).tickets).toBeUndefined();
  });
});
