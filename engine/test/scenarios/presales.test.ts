// Presale links (closed sales, seed 001) as stories: a code for a closed ticket type (web code
// starting with `!`), a validity window, a total and a per-buyer cap. The link works on web
// channels inside its own window, even before the channel's sale starts; the organizer sees
// its use, orders and buyers' e-mail addresses, and can edit or stop it.
import { describe, expect, it } from 'vitest';
import { execute, limits, presaleReport, salesReport, type HoldAccepted, type PresaleReport, type Result } from '../../src/domain/mod.ts';
import {
  CLOSE, OPEN, TTL, accepted, confirm, createPresale, editPresale, holdBest, holdGa, holdSeats, newPerformance, play, release,
  stopPresale, tick, voidTicket,
} from './helpers.ts';

type State = Parameters<typeof presaleReport>[0];

function report(s: State, code: string): PresaleReport {
  const r = presaleReport(s, code);
  if ('ok' in r) throw new Error(`presaleReport: ${r.name}`);
  return r;
}

/** The link's use as the organizer sees it. */
const use = (code: string, expected: Partial<PresaleReport>) => (_r: Result, s: State) => expect(report(s, code)).toMatchObject(expected);
const withCode = (more: Record<string, unknown> = {}) => ({ presaleCode: 'friends', ...more });

const FROM = 2000;
const UNTIL = 20_000;

describe('presales - creating a link', () => {
  it('needs a new code and a closed ticket type', () => {
    const state = newPerformance();
    play(state, [
      { at: 1000, cmd: createPresale('friends', 'guest', FROM, UNTIL, 5, 2), expect: 'OK', check: use('friends', { ticketType: 'guest', totalMax: 5, perBuyerMax: 2, held: 0, sold: 0, remaining: 5, stopped: false }) },
      { at: 1000, cmd: createPresale('friends', 'early', FROM, UNTIL, 5, 2), expect: 'PRESALE_EXISTS', field: 'code', unchanged: true },
      { at: 1000, cmd: createPresale('vip-link', 'vip', FROM, UNTIL, 5, 2), expect: 'TICKET_TYPE_UNKNOWN', field: 'ticketType', unchanged: true },
      { at: 1000, cmd: createPresale('adults', 'adult', FROM, UNTIL, 5, 2), expect: 'PRESALE_TICKET_TYPE_NOT_CLOSED', field: 'ticketType', unchanged: true },
      { at: 1000, cmd: createPresale('early-birds', 'early', 0, OPEN, 100, 4), expect: 'OK' },
    ]);
    expect(presaleReport(state, 'nope')).toMatchObject({ ok: false, name: 'PRESALE_UNKNOWN' });
  });

  it('needs the performance on sale on the web', () => {
    const noWeb = newPerformance((spec) => { spec.channels[0].enabled = false; });
    play(noWeb, [
      { at: 1000, cmd: createPresale('friends', 'guest', FROM, UNTIL, 5, 2), expect: 'PRESALE_WEB_NOT_ON_SALE', field: '', unchanged: true },
    ]);
    const twoWebs = newPerformance((spec) => { spec.channels.push({ id: 'web2', kind: 'web', saleStartMs: 0, saleEndMs: OPEN * 10, enabled: false }); });
    play(twoWebs, [
      { at: 1000, cmd: createPresale('friends', 'guest', FROM, UNTIL, 5, 2), expect: 'OK' },
      { at: FROM, cmd: holdSeats('h1', 'ann', ['MAIN-1-1'], withCode({ channel: 'web2' })), expect: 'PRESALE_WEB_NOT_ON_SALE', field: 'channel', unchanged: true },
      { at: FROM, cmd: holdSeats('h2', 'ann', ['MAIN-1-1'], withCode()), expect: 'OK' },
    ]);
  });

  it('allows at most presalesPerPerformanceMax links', () => {
    const state = newPerformance();
    // The bulk is outside the table; the table takes over for the refusal.
    for (let i = 0; i < limits.presalesPerPerformanceMax; i++) {
      const r = execute(state, { type: 'createPresale', commandId: `p${i}`, code: `code${i}`, ticketType: 'guest', validFromMs: FROM, validUntilMs: UNTIL, totalMax: 1, perBuyerMax: 1 }, 1000);
      if (!r.ok) throw new Error(`presale ${i}: ${r.name}`);
    }
    play(state, [
      { at: 1000, cmd: createPresale('one-more', 'guest', FROM, UNTIL, 1, 1), expect: 'PRESALES_LIMIT_REACHED', field: 'code', unchanged: true },
      { at: 1000, cmd: createPresale('code0', 'guest', FROM, UNTIL, 1, 1), expect: 'PRESALE_EXISTS', unchanged: true, why: 'an existing code is named first' },
    ]);
  });
});

describe('presales - buying through a link', () => {
  it('sells inside its window before the web opens, within its total and per-buyer caps, and gives back what is not bought', () => {
    const state = newPerformance();
    play(state, [
      { at: 1000, cmd: createPresale('friends', 'guest', FROM, UNTIL, 5, 2), expect: 'OK' },
      { at: FROM - 500, cmd: holdSeats('h0', 'ann', ['MAIN-1-1'], withCode()), expect: 'PRESALE_NOT_ACTIVE', field: 'presaleCode', unchanged: true, why: 'before the window' },
      { at: FROM, cmd: holdSeats('h1', 'ann', ['MAIN-1-1', 'MAIN-1-2'], withCode()), expect: 'OK', why: 'the web opens only at OPEN', check: (r, s) => {
        expect(accepted<HoldAccepted>(r).ticketType).toBe('guest');
        use('friends', { held: 2, remaining: 3 })(r, s);
      } },
      { at: FROM, cmd: holdSeats('h2', 'ann', ['MAIN-1-3']), expect: 'CHANNEL_NOT_ON_SALE', unchanged: true, why: 'without the code the channel\'s window applies' },
      { at: FROM, cmd: holdSeats('h3', 'bob', ['MAIN-1-3'], { presaleCode: 'nope' }), expect: 'PRESALE_UNKNOWN', field: 'presaleCode', unchanged: true },
      { at: FROM, cmd: holdSeats('h4', 'bob', ['MAIN-1-3'], withCode({ channel: 'box' })), expect: 'PRESALE_CHANNEL_NOT_WEB', field: 'channel', unchanged: true },
      { at: FROM, cmd: holdSeats('h5', 'bob', ['MAIN-1-3'], withCode({ channel: 'resale' })), expect: 'CHANNEL_RESALE_ONLY', field: 'channel', unchanged: true, why: 'no hold on a resale channel, a code or none' },
      { at: FROM, cmd: holdSeats('h6', 'bob', ['MAIN-1-3'], withCode({ ticketType: 'adult' })), expect: 'COMMAND_INVALID', field: 'ticketType', unchanged: true, why: 'the link sells guest' },
      { at: FROM, cmd: holdGa('h7', 'bob', 'FLOOR', 2, withCode({ ticketType: 'guest' })), expect: 'OK' },
      { at: FROM, cmd: holdSeats('h8', 'ann', ['MAIN-1-3'], withCode()), expect: 'PRESALE_BUYER_LIMIT', field: 'presaleCode', unchanged: true, why: 'two per buyer' },
      { at: FROM, cmd: holdBest('h9', 'cat', 2, withCode()), expect: 'PRESALE_SOLD_OUT', field: 'presaleCode', unchanged: true, why: '4 used + 2 > 5' },
      { at: FROM, cmd: holdBest('h10', 'cat', 1, withCode()), expect: 'OK', check: use('friends', { held: 5, remaining: 0 }) },
      { at: FROM, cmd: holdGa('h11', 'dan', 'FLOOR', 1, withCode()), expect: 'PRESALE_SOLD_OUT', unchanged: true },
      { at: FROM + 1000, cmd: release('h1', 'ann'), expect: 'OK', why: 'a released hold gives the link its tickets back', check: use('friends', { held: 3, remaining: 2 }) },
      { at: FROM + 1000, cmd: holdSeats('h12', 'dan', ['MAIN-1-1', 'MAIN-1-2'], withCode()), expect: 'OK' },
      { at: FROM + 1000, cmd: holdSeats('h13', 'ann', ['MAIN-2-1', 'MAIN-2-2'], withCode()), expect: 'PRESALE_SOLD_OUT', unchanged: true, why: 'ann may again, but the link is full' },
      { at: FROM + 2000, cmd: confirm('h7', 'bob', { buyerEmail: 'bob@example.org' }), expect: 'OK', check: (r) => expect(r).toMatchObject({ totalMinor: 0 }) },
      { at: FROM + 2000, cmd: confirm('h12', 'dan', { buyerEmail: 'dan@example.org' }), expect: 'OK', check: use('friends', { held: 1, sold: 4 }) },
      { at: FROM + 2000, cmd: editPresale('friends', { totalMax: 4 }), expect: 'PRESALE_BELOW_USED', field: 'totalMax', unchanged: true, why: '5 held or sold' },
      { at: FROM + 2000, cmd: editPresale('nope', { totalMax: 4 }), expect: 'PRESALE_UNKNOWN', field: 'code', unchanged: true },
      { at: FROM + 2000, cmd: editPresale('friends', { perBuyerMax: 9 }), expect: 'COMMAND_INVALID', field: 'perBuyerMax', unchanged: true, why: 'above the total' },
      { at: FROM + 2000, cmd: editPresale('friends', { validUntilMs: FROM }), expect: 'COMMAND_INVALID', field: 'validUntilMs', unchanged: true },
      { at: FROM + 2000, cmd: editPresale('friends', { totalMax: null }), expect: 'COMMAND_INVALID', field: 'totalMax', unchanged: true, why: 'null is no number, not "left out"' },
      { at: FROM + 2000, cmd: editPresale('friends', { totalMax: 5 }), expect: 'OK', why: 'exactly what is used' },
      { at: FROM + 2000, cmd: editPresale('friends', { totalMax: 8 }), expect: 'OK', check: use('friends', { totalMax: 8, remaining: 3 }) },
      { at: FROM + 3000, cmd: holdSeats('h14', 'eve', ['BALC-1-1', 'BALC-1-2'], withCode()), expect: 'OK' },
      { at: UNTIL, cmd: holdSeats('h15', 'fay', ['BALC-1-3'], withCode()), expect: 'PRESALE_NOT_ACTIVE', unchanged: true, why: 'the end is exclusive' },
      { at: UNTIL, cmd: confirm('h14', 'eve', { buyerEmail: 'eve@example.org' }), expect: 'OK', why: 'a hold made inside the window confirms after it' },
      { at: FROM + TTL, cmd: tick(), expect: 'OK', why: 'cat\'s hold expires', check: use('friends', { held: 0, sold: 6, remaining: 2 }) },
      { at: FROM + TTL, cmd: holdBest('h16', 'cat', 1, withCode()), expect: 'PRESALE_NOT_ACTIVE', unchanged: true },
      { at: FROM + TTL, cmd: editPresale('friends', { validUntilMs: 100_000 }), expect: 'OK' },
      { at: FROM + TTL, cmd: holdBest('h17', 'cat', 2, withCode()), expect: 'OK', why: 'cat\'s expired hold gave the allowance back', check: (r, s) => {
        expect(accepted<HoldAccepted>(r).ticketType).toBe('guest');
        use('friends', { held: 2, sold: 6, remaining: 0 })(r, s);
      } },
      { at: FROM + TTL, cmd: stopPresale('friends'), expect: 'OK', check: use('friends', { stopped: true }) },
      { at: FROM + TTL, cmd: holdGa('h18', 'gus', 'FLOOR', 1, withCode()), expect: 'PRESALE_STOPPED', field: 'presaleCode', unchanged: true },
      { at: FROM + TTL, cmd: stopPresale('nope'), expect: 'PRESALE_UNKNOWN', field: 'code', unchanged: true },
      { at: FROM + TTL + 1, cmd: confirm('h17', 'cat', { buyerEmail: 'cat@example.org' }), expect: 'OK', why: 'holds made before the stop still confirm' },
      { at: FROM + TTL + 1, cmd: editPresale('friends', { totalMax: 9 }), expect: 'OK', why: 'an edit does not restart a stopped link' },
      { at: FROM + TTL + 1, cmd: holdGa('h19', 'gus', 'FLOOR', 1, withCode()), expect: 'PRESALE_STOPPED', unchanged: true },
    ]);
    expect(report(state, 'friends')).toEqual({
      code: 'friends', ticketType: 'guest', validFromMs: FROM, validUntilMs: 100_000, totalMax: 9, perBuyerMax: 2, stopped: true,
      held: 0, sold: 8, remaining: 1,
      orders: [
        { orderId: 'P1-O0', buyerId: 'bob', buyerEmail: 'bob@example.org', tickets: 2, voidedTickets: 0, totalMinor: 0, createdAtMs: FROM + 2000 },
        { orderId: 'P1-O1', buyerId: 'dan', buyerEmail: 'dan@example.org', tickets: 2, voidedTickets: 0, totalMinor: 0, createdAtMs: FROM + 2000 },
        { orderId: 'P1-O2', buyerId: 'eve', buyerEmail: 'eve@example.org', tickets: 2, voidedTickets: 0, totalMinor: 0, createdAtMs: UNTIL },
        { orderId: 'P1-O3', buyerId: 'cat', buyerEmail: 'cat@example.org', tickets: 2, voidedTickets: 0, totalMinor: 0, createdAtMs: FROM + TTL + 1 },
      ],
      buyerEmails: ['bob@example.org', 'cat@example.org', 'dan@example.org', 'eve@example.org'],
    });
    expect(salesReport(state).byPresale).toEqual({ friends: { tickets: 8, grossMinor: 0, discountMinor: 0, netMinor: 0 } });
  });

  it('prices an early-bird link by its ticket type and reports it apart from open sales', () => {
    const state = newPerformance();
    play(state, [
      { at: 1000, cmd: createPresale('early-birds', 'early', 0, OPEN, 100, 4), expect: 'OK' },
      { at: 1000, cmd: holdSeats('h1', 'ann', ['MAIN-1-1', 'BALC-1-1'], { presaleCode: 'early-birds' }), expect: 'OK' },
      { at: 1000, cmd: confirm('h1', 'ann'), expect: 'COMMAND_INVALID', field: 'buyerEmail', unchanged: true, why: 'a presale order names its buyer\'s e-mail address (DOMAIN §4)' },
      { at: 1000, cmd: confirm('h1', 'ann', { buyerEmail: 'ann@example.org' }), expect: 'OK', check: (r) => expect(r).toMatchObject({ totalMinor: 4000 + 2500 }) },
      { at: OPEN, cmd: holdSeats('h2', 'ann', ['MAIN-1-2'], { presaleCode: 'early-birds' }), expect: 'PRESALE_NOT_ACTIVE', unchanged: true, why: 'early birds end when the web opens' },
      { at: OPEN, cmd: holdSeats('h3', 'ann', ['MAIN-1-2'], { ticketType: 'early' }), expect: 'TICKET_TYPE_REQUIRES_PRESALE', unchanged: true },
      { at: OPEN, cmd: holdSeats('h4', 'ann', ['MAIN-1-2']), expect: 'OK' },
      { at: OPEN, cmd: confirm('h4', 'ann'), expect: 'OK' },
    ]);
    expect(salesReport(state).byPresale).toEqual({
      'early-birds': { tickets: 2, grossMinor: 6500, discountMinor: 0, netMinor: 6500 },
      none: { tickets: 1, grossMinor: 5000, discountMinor: 0, netMinor: 5000 },
    });
    expect(report(state, 'early-birds')).toMatchObject({ sold: 2, orders: [{ orderId: 'P1-O0', buyerEmail: 'ann@example.org', tickets: 2, totalMinor: 6500 }], buyerEmails: ['ann@example.org'] });
  });

  it('opens the web sale early but never keeps it open past the channel\'s end (DOMAIN §4: the performance must be on sale on the web)', () => {
    const state = newPerformance();
    play(state, [
      { at: 1000, cmd: createPresale('guests', 'guest', FROM, CLOSE + 100_000, 10, 4), expect: 'OK', why: 'a window past the channel\'s end is taken (the end may be moved); the end still applies at each hold' },
      { at: CLOSE - 1, cmd: holdSeats('h1', 'ann', ['MAIN-1-1'], { presaleCode: 'guests' }), expect: 'OK' },
      { at: CLOSE, cmd: holdSeats('h2', 'bob', ['MAIN-1-2'], { presaleCode: 'guests' }), expect: 'CHANNEL_NOT_ON_SALE', field: 'channel', unchanged: true, why: 'the web sold until CLOSE' },
      { at: CLOSE, cmd: holdGa('h3', 'bob', 'FLOOR', 1, { presaleCode: 'guests' }), expect: 'CHANNEL_NOT_ON_SALE', field: 'channel', unchanged: true },
      { at: CLOSE, cmd: holdBest('h4', 'bob', 1, { presaleCode: 'guests' }), expect: 'CHANNEL_NOT_ON_SALE', field: 'channel', unchanged: true },
      { at: CLOSE, cmd: confirm('h1', 'ann', { buyerEmail: 'ann@example.org' }), expect: 'OK', why: 'a hold made while the web sold confirms after its end, as any hold does' },
    ]);
    expect(report(state, 'guests')).toMatchObject({ held: 0, sold: 1 });
  });

  it('a voided presale ticket gives the link and the buyer a ticket back', () => {
    const state = newPerformance();
    play(state, [
      { at: 1000, cmd: createPresale('friends', 'guest', FROM, UNTIL, 2, 2), expect: 'OK' },
      { at: FROM, cmd: holdSeats('h1', 'ann', ['MAIN-1-1', 'MAIN-1-2'], withCode()), expect: 'OK' },
      { at: FROM, cmd: confirm('h1', 'ann', { buyerEmail: 'ann@example.org' }), expect: 'OK' },
      { at: FROM, cmd: holdSeats('h2', 'ann', ['MAIN-1-3'], withCode()), expect: 'PRESALE_SOLD_OUT' },
      { at: FROM, cmd: voidTicket('P1-T0'), expect: 'OK', check: use('friends', { sold: 1, remaining: 1 }) },
      { at: FROM, cmd: holdSeats('h3', 'ann', ['MAIN-1-3'], withCode()), expect: 'OK' },
    ]);
    expect(report(state, 'friends').orders).toEqual([
      { orderId: 'P1-O0', buyerId: 'ann', buyerEmail: 'ann@example.org', tickets: 1, voidedTickets: 1, totalMinor: 0, createdAtMs: FROM },
    ]);
  });

  it('the orders of the report add up to the link\'s sales line after voids, and a buyer left with no ticket is not listed', () => {
    const state = newPerformance();
    play(state, [
      { at: 1000, cmd: createPresale('early-birds', 'early', 0, OPEN, 100, 4), expect: 'OK' },
      { at: 1000, cmd: holdSeats('h1', 'ann', ['MAIN-1-1', 'BALC-1-1'], { presaleCode: 'early-birds' }), expect: 'OK' },
      { at: 1000, cmd: confirm('h1', 'ann', { buyerEmail: 'ann@example.org' }), expect: 'OK', check: (r) => expect(r).toMatchObject({ totalMinor: 4000 + 2500 }) },
      { at: 1000, cmd: holdSeats('h2', 'bob', ['MAIN-1-2'], { presaleCode: 'early-birds' }), expect: 'OK' },
      { at: 1000, cmd: confirm('h2', 'bob', { buyerEmail: 'bob@example.org' }), expect: 'OK' },
      { at: 1000, cmd: voidTicket('P1-T0'), expect: 'OK', why: 'ann\'s MAIN-1-1 (4000)' },
      { at: 1000, cmd: voidTicket('P1-T2'), expect: 'OK', why: 'bob\'s only ticket' },
    ]);
    const line = salesReport(state).byPresale['early-birds'];
    expect(line).toEqual({ tickets: 1, grossMinor: 2500, discountMinor: 0, netMinor: 2500 });
    const r = report(state, 'early-birds');
    expect(r.orders.map((o) => [o.orderId, o.tickets, o.voidedTickets, o.totalMinor])).toEqual([['P1-O0', 1, 1, 2500], ['P1-O1', 0, 1, 0]]);
    expect(r.orders.reduce((sum, o) => sum + o.totalMinor, 0)).toBe(line.netMinor);
    expect(r.buyerEmails).toEqual(['ann@example.org']);
  });
});
