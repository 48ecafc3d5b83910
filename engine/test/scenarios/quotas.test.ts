// Contingents (quotas), hard-ticket batches and foreign blocks as stories (seed 004): seats or
// places taken out of the general pool for named channels, sold only there (or there first),
// returned to free stock by the organizer; batches printed for an outside box office; seats
// another system sells, never sold here. The runner checks after every step that each quota's
// free + held + sold + blocked equals its capacity, as availability() reports it.
import { describe, expect, it } from 'vitest';
import { blocksReport, decodeSnapshot, encodeSnapshot, execute, limits, theatreLayout, compileLayout, type HoldAccepted, type Layout, type OrderAccepted, type Result } from '../../src/domain/mod.ts';
import {
  OPEN, TTL, accepted, avail, blockForeign, confirm, createQuota, gaLayout, hardTickets, holdBest, holdGa, holdSeats,
  newPerformance, play, release, returnQuota, seatPool, seatState, seats, tick, voidTicket, type Step,
} from './helpers.ts';

type State = Parameters<typeof avail>[0];

/** The quota's line in availability(). */
const quota = (s: State, quotaId: string) => avail(s).quotas.find((q) => q.quotaId === quotaId);
const quotaIs = (quotaId: string, counts: Record<string, number>) => (_r: Result, s: State) => expect(quota(s, quotaId)).toEqual({ quotaId, ...counts });
const count = (n: number) => (r: Result) => expect(r).toEqual({ ok: true, count: n });
const fromQuota = (quotaId: string | null) => (r: Result) => expect(accepted<HoldAccepted>(r).quotaId).toBe(quotaId);

const club = seats('BALC-1', 1, 6);

describe('quotas - creating contingents', () => {
  it('takes seats or GA places out of the general pool, only while they are free there', () => {
    const state = newPerformance();
    play(state, [
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-3-8']), expect: 'OK' },
      { at: OPEN, cmd: createQuota('club', ['partner'], 'onlyQuota', { seats: club }), expect: 'OK', check: (r, s) => {
        count(6)(r);
        quotaIs('club', { capacity: 6, free: 6, held: 0, sold: 0, blocked: 0 })(r, s);
        expect(avail(s).totals.free).toBe(76 - 1);
        expect(seatPool(s, 'BALC-1-1')).toBe('club');
      } },
      { at: OPEN, cmd: createQuota('club', ['box'], 'quotaFirst', { seats: ['MAIN-1-1'] }), expect: 'QUOTA_EXISTS', field: 'quotaId', unchanged: true },
      { at: OPEN, cmd: createQuota('fans', ['partner'], 'quotaFirst', { seats: ['MAIN-1-1', 'BALC-1-1'] }), expect: 'QUOTA_SEAT_NOT_FREE', field: 'seats[1]', unchanged: true, why: 'already in club' },
      { at: OPEN, cmd: createQuota('fans', ['partner'], 'quotaFirst', { seats: ['MAIN-3-8'] }), expect: 'QUOTA_SEAT_NOT_FREE', field: 'seats[0]', unchanged: true, why: 'held' },
      { at: OPEN, cmd: createQuota('fans', ['partner', 'tv'], 'quotaFirst', { seats: ['MAIN-1-1'] }), expect: 'CHANNEL_UNKNOWN', field: 'channels[1]', unchanged: true },
      { at: OPEN, cmd: createQuota('fans', ['partner'], 'quotaFirst', { seats: ['MAIN-1-1', 'NOPE'] }), expect: 'SEAT_UNKNOWN', field: 'seats[1]', unchanged: true },
      { at: OPEN, cmd: createQuota('fans', ['partner'], 'quotaFirst', { seats: ['MAIN-1-1', 'MAIN-1-1'] }), expect: 'SEATS_DUPLICATED', field: 'seats[1]', unchanged: true },
      { at: OPEN, cmd: createQuota('floor', ['partner', 'box'], 'quotaFirst', { gaAreaId: 'FLOOR', count: 10 }), expect: 'OK', check: (r, s) => {
        count(10)(r);
        expect(avail(s).gaAreas[0]).toEqual({ gaAreaId: 'FLOOR', capacity: 40, free: 40 });
        expect(avail(s, 'web').gaAreas[0].free).toBe(30);
      } },
      { at: OPEN, cmd: createQuota('more', ['partner'], 'quotaFirst', { gaAreaId: 'FLOOR', count: 31 }), expect: 'NOT_ENOUGH_PLACES', field: 'count', unchanged: true, why: '30 left in the general pool' },
      { at: OPEN, cmd: createQuota('more', ['partner'], 'quotaFirst', { gaAreaId: 'ROOF', count: 1 }), expect: 'GA_AREA_UNKNOWN', field: 'gaAreaId', unchanged: true },
      { at: OPEN, cmd: createQuota('more', ['partner'], 'quotaFirst', { gaAreaId: 'FLOOR', count: 30 }), expect: 'OK', why: 'a second quota in one area' },
    ]);
    expect(avail(state, 'web').free).toBe(76 - 6 - 40 - 1);
  });

  it('allows at most quotasPerPerformanceMax quotas', () => {
    const theatre = compiled(theatreLayout());
    const state = newPerformance(() => {}, theatre);
    const make: Step[] = [];
    for (let q = 0; q < limits.quotasPerPerformanceMax; q++) {
      make.push({ at: OPEN, cmd: createQuota(`q${q}`, ['partner'], 'quotaFirst', { seats: [theatre.seatIds[q]] }), expect: 'OK' });
    }
    play(state, [
      ...make,
      { at: OPEN, cmd: createQuota('one-more', ['partner'], 'quotaFirst', { seats: [theatre.seatIds[899]] }), expect: 'QUOTAS_LIMIT_REACHED', field: 'quotaId', unchanged: true },
    ]);
    expect(avail(state).quotas).toHaveLength(limits.quotasPerPerformanceMax);
  });

  // Found by mutation testing (session 31): no test listed exactly as many channels as allowed.
  it('takes a channel list of up to channelsPerPerformanceMax entries (one named twice counts once)', () => {
    const state = newPerformance();
    const most = Array.from({ length: limits.channelsPerPerformanceMax }, (_, i) => (i % 2 === 0 ? 'partner' : 'box'));
    play(state, [
      { at: OPEN, cmd: createQuota('over', [...most, 'partner'], 'quotaFirst', { seats: ['MAIN-1-1'] }), expect: 'COMMAND_INVALID', field: 'channels', unchanged: true },
      { at: OPEN, cmd: createQuota('most', most, 'quotaFirst', { seats: ['MAIN-1-1'] }), expect: 'OK' },
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-1-1'], { channel: 'box' }), expect: 'OK', check: (r) => expect(r).toMatchObject({ quotaId: 'most' }) },
    ]);
  });
});

describe('quotas - who may sell what', () => {
  it('onlyQuota: the channel sells its quota and nothing else; no other channel sells the quota', () => {
    const state = newPerformance();
    play(state, [
      { at: OPEN, cmd: createQuota('club', ['partner'], 'onlyQuota', { seats: club }), expect: 'OK' },
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-1-1'], { channel: 'partner' }), expect: 'SEAT_NOT_IN_CHANNEL', field: 'seats[0]', unchanged: true },
      { at: OPEN, cmd: holdSeats('h2', 'ann', ['BALC-1-6', 'BALC-1-1']), expect: 'SEAT_NOT_IN_CHANNEL', field: 'seats[0]', unchanged: true, why: 'web may not take club seats' },
      { at: OPEN, cmd: holdSeats('h3', 'ann', ['BALC-1-1'], { channel: 'box' }), expect: 'SEAT_NOT_IN_CHANNEL', unchanged: true },
      { at: OPEN, cmd: holdGa('h4', 'ann', 'FLOOR', 2, { channel: 'partner' }), expect: 'NOT_ENOUGH_PLACES', field: 'count', unchanged: true, why: 'the partner has no FLOOR quota' },
      { at: OPEN, cmd: holdSeats('h5', 'ann', ['BALC-1-1', 'BALC-1-2'], { channel: 'partner' }), expect: 'OK', check: fromQuota('club') },
      { at: OPEN, cmd: holdBest('h6', 'bob', 3, { channel: 'partner' }), expect: 'OK', check: (r) => {
        fromQuota('club')(r);
        for (const id of accepted<HoldAccepted>(r).seats) expect(club).toContain(id);
      } },
      { at: OPEN, cmd: holdBest('h7', 'cat', 2, { channel: 'partner' }), expect: 'NOT_ENOUGH_SEATS', unchanged: true, why: 'one club seat left, and no general seats for the partner' },
      { at: OPEN, cmd: holdBest('h8', 'cat', 6, { channel: 'web', filter: { section: 'BALC' } }), expect: 'OK', check: (r) => expect(accepted<HoldAccepted>(r).seats).toEqual(seats('BALC-2', 1, 6)) },
      { at: OPEN, cmd: holdBest('h9', 'dan', 1, { channel: 'web', filter: { section: 'BALC' } }), expect: 'NOT_ENOUGH_SEATS', unchanged: true, why: 'BALC-1-6 is free but in the club' },
    ]);
    expect(avail(state, 'partner').free).toBe(1);
    expect(avail(state, 'web').sections).toEqual([{ sectionId: 'MAIN', free: 24 }, { sectionId: 'BALC', free: 0 }]);
  });

  it('quotaFirst: best-available takes the quota first, then falls back to the general pool', () => {
    const state = newPerformance((spec) => { spec.maxTicketsPerBuyer = 10; });
    play(state, [
      { at: OPEN, cmd: createQuota('boxq', ['box'], 'quotaFirst', { seats: ['MAIN-3-1', 'MAIN-3-2'] }), expect: 'OK' },
      { at: OPEN, cmd: createQuota('boxga', ['box'], 'quotaFirst', { gaAreaId: 'FLOOR', count: 3 }), expect: 'OK' },
      { at: OPEN, cmd: holdBest('h1', 'ann', 2, { channel: 'box' }), expect: 'OK', check: (r) => expect(accepted<HoldAccepted>(r)).toMatchObject({ seats: ['MAIN-3-1', 'MAIN-3-2'], quotaId: 'boxq' }) },
      { at: OPEN, cmd: holdBest('h2', 'ann', 2, { channel: 'box' }), expect: 'OK', check: (r) => expect(accepted<HoldAccepted>(r)).toMatchObject({ seats: ['MAIN-1-4', 'MAIN-1-5'], quotaId: null }) },
      { at: OPEN, cmd: holdSeats('h3', 'bob', ['MAIN-1-1'], { channel: 'box' }), expect: 'OK', why: 'a quotaFirst channel may name general seats' },
      { at: OPEN, cmd: holdGa('h4', 'cat', 'FLOOR', 2, { channel: 'box' }), expect: 'OK', check: fromQuota('boxga') },
      { at: OPEN, cmd: holdGa('h5', 'cat', 'FLOOR', 2, { channel: 'box' }), expect: 'OK', why: 'one quota place left: the general pool', check: fromQuota(null) },
      { at: OPEN, cmd: holdGa('h6', 'dan', 'FLOOR', 1, { channel: 'web' }), expect: 'OK', check: fromQuota(null) },
    ]);
    expect(quota(state, 'boxga')).toMatchObject({ capacity: 3, free: 1, held: 2 });
  });

  it('quotaFirst: best-available tries each step in the quota, then the general pool, before it relaxes', () => {
    const state = newPerformance((spec) => { spec.maxTicketsPerBuyer = 10; });
    play(state, [
      { at: OPEN, cmd: createQuota('scattered', ['box'], 'quotaFirst', { seats: ['MAIN-3-8', 'BALC-1-1', 'BALC-2-6'] }), expect: 'OK' },
      { at: OPEN, cmd: holdBest('h1', 'ann', 3, { channel: 'box' }), expect: 'OK', why: 'the quota has three seats, none adjacent: a block of the general pool comes first',
        check: (r) => expect(accepted<HoldAccepted>(r)).toMatchObject({ seats: ['MAIN-1-4', 'MAIN-1-5', 'MAIN-1-6'], quotaId: null }) },
      { at: OPEN, cmd: createQuota('between', ['partner'], 'quotaFirst', { seats: ['BALC-1-3', 'BALC-1-4', 'BALC-1-5'] }), expect: 'OK' },
      { at: OPEN, cmd: holdSeats('x', 'set', ['BALC-1-2', 'BALC-1-6'], { channel: 'web' }), expect: 'OK', why: 'the quota is three seats between two taken ones' },
      { at: OPEN, cmd: holdBest('h2', 'bob', 2, { channel: 'partner' }), expect: 'OK', why: 'any pair of the quota strands one seat; the general pool has a clean pair',
        check: (r) => expect(accepted<HoldAccepted>(r).quotaId).toBeNull() },
      { at: OPEN, cmd: holdBest('h3', 'cat', 3, { channel: 'partner' }), expect: 'OK', why: 'a block of three fills the quota and strands nothing: the quota first',
        check: (r) => expect(accepted<HoldAccepted>(r)).toMatchObject({ seats: ['BALC-1-3', 'BALC-1-4', 'BALC-1-5'], quotaId: 'between' }) },
    ]);
  });

  it('a hold that expires or is released gives its seats back to the quota, not the general pool', () => {
    const state = newPerformance();
    play(state, [
      { at: OPEN, cmd: createQuota('club', ['partner'], 'onlyQuota', { seats: club }), expect: 'OK' },
      { at: OPEN, cmd: createQuota('floor', ['partner'], 'onlyQuota', { gaAreaId: 'FLOOR', count: 10 }), expect: 'OK' },
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['BALC-1-1', 'BALC-1-2'], { channel: 'partner' }), expect: 'OK', check: quotaIs('club', { capacity: 6, free: 4, held: 2, sold: 0, blocked: 0 }) },
      { at: OPEN, cmd: holdGa('h2', 'ann', 'FLOOR', 4, { channel: 'partner' }), expect: 'OK', check: quotaIs('floor', { capacity: 10, free: 6, held: 4, sold: 0, blocked: 0 }) },
      { at: OPEN + TTL, cmd: tick(), expect: 'OK', check: (r, s) => {
        quotaIs('club', { capacity: 6, free: 6, held: 0, sold: 0, blocked: 0 })(r, s);
        quotaIs('floor', { capacity: 10, free: 10, held: 0, sold: 0, blocked: 0 })(r, s);
        expect(seatPool(s, 'BALC-1-1')).toBe('club');
        expect(avail(s, 'web').gaAreas[0].free).toBe(30);
      } },
      { at: OPEN + TTL, cmd: holdSeats('h3', 'bob', ['BALC-1-1']), expect: 'SEAT_NOT_IN_CHANNEL', unchanged: true },
      { at: OPEN + TTL, cmd: holdSeats('h4', 'bob', ['BALC-1-1'], { channel: 'partner' }), expect: 'OK' },
      { at: OPEN + TTL, cmd: release('h4', 'bob'), expect: 'OK', check: (r, s) => {
        quotaIs('club', { capacity: 6, free: 6, held: 0, sold: 0, blocked: 0 })(r, s);
        expect(seatPool(s, 'BALC-1-1')).toBe('club');
      } },
    ]);
  });
});

describe('quotas - returning unsold seats to free stock', () => {
  it('returns named or all free seats; held and sold quota seats stay in the quota', () => {
    const state = newPerformance();
    play(state, [
      { at: OPEN, cmd: createQuota('club', ['partner'], 'onlyQuota', { seats: club }), expect: 'OK' },
      { at: OPEN, cmd: holdSeats('p1', 'ann', ['BALC-1-1'], { channel: 'partner' }), expect: 'OK' },
      { at: OPEN, cmd: holdSeats('p2', 'bob', ['BALC-1-2'], { channel: 'partner' }), expect: 'OK' },
      { at: OPEN, cmd: confirm('p2', 'bob'), expect: 'OK' },
      { at: OPEN, cmd: returnQuota('nope'), expect: 'QUOTA_UNKNOWN', field: 'quotaId', unchanged: true },
      { at: OPEN, cmd: returnQuota('club', { seats: ['BALC-1-3', 'MAIN-1-1'] }), expect: 'SEAT_NOT_IN_QUOTA', field: 'seats[1]', unchanged: true },
      { at: OPEN, cmd: returnQuota('club', { seats: ['BALC-1-1'] }), expect: 'QUOTA_SEAT_NOT_FREE', field: 'seats[0]', unchanged: true, why: 'held' },
      { at: OPEN, cmd: returnQuota('club', { seats: ['BALC-1-2'] }), expect: 'QUOTA_SEAT_NOT_FREE', field: 'seats[0]', unchanged: true, why: 'sold' },
      { at: OPEN, cmd: returnQuota('club', { seats: ['BALC-1-3', 'NOPE'] }), expect: 'SEAT_UNKNOWN', field: 'seats[1]', unchanged: true },
      { at: OPEN, cmd: returnQuota('club', { seats: [] }), expect: 'COMMAND_INVALID', field: 'seats', unchanged: true },
      { at: OPEN, cmd: returnQuota('club', { count: 2 }), expect: 'COMMAND_INVALID', field: 'count', unchanged: true, why: 'a seated quota returns seats' },
      { at: OPEN, cmd: returnQuota('club', { seats: ['BALC-1-3'] }), expect: 'OK', check: (r, s) => {
        count(1)(r);
        quotaIs('club', { capacity: 5, free: 3, held: 1, sold: 1, blocked: 0 })(r, s);
        expect(seatPool(s, 'BALC-1-3')).toBe('general');
      } },
      { at: OPEN, cmd: holdSeats('w1', 'cat', ['BALC-1-3']), expect: 'OK', why: 'web may sell it now' },
      { at: OPEN, cmd: returnQuota('club'), expect: 'OK', why: 'all free ones: BALC-1-4..6', check: (r, s) => {
        count(3)(r);
        quotaIs('club', { capacity: 2, free: 0, held: 1, sold: 1, blocked: 0 })(r, s);
      } },
      { at: OPEN, cmd: returnQuota('club'), expect: 'OK', check: count(0) },
      { at: OPEN + 1, cmd: release('p1', 'ann'), expect: 'OK', check: (r, s) => {
        quotaIs('club', { capacity: 2, free: 1, held: 0, sold: 1, blocked: 0 })(r, s);
        expect(seatPool(s, 'BALC-1-1')).toBe('club');
      } },
      { at: OPEN + 1, cmd: holdSeats('w2', 'dan', ['BALC-1-1']), expect: 'SEAT_NOT_IN_CHANNEL', unchanged: true, why: 'a released seat goes back to its quota even after a return' },
      { at: OPEN + 1, cmd: holdBest('w3', 'dan', 3, { filter: { section: 'BALC' } }), expect: 'OK', check: (r) => expect(accepted<HoldAccepted>(r).seats).toEqual(['BALC-1-4', 'BALC-1-5', 'BALC-1-6']) },
    ]);
  });

  it('returns some or all free GA places, never more than are free', () => {
    const state = newPerformance();
    play(state, [
      { at: OPEN, cmd: createQuota('floor', ['partner'], 'onlyQuota', { gaAreaId: 'FLOOR', count: 10 }), expect: 'OK' },
      { at: OPEN, cmd: holdGa('p1', 'ann', 'FLOOR', 4, { channel: 'partner' }), expect: 'OK' },
      { at: OPEN, cmd: returnQuota('floor', { count: 7 }), expect: 'QUOTA_RETURN_TOO_MANY', field: 'count', unchanged: true, why: 'six are free' },
      { at: OPEN, cmd: returnQuota('floor', { count: 0 }), expect: 'COMMAND_INVALID', field: 'count', unchanged: true },
      { at: OPEN, cmd: returnQuota('floor', { seats: ['MAIN-1-1'] }), expect: 'COMMAND_INVALID', field: 'seats', unchanged: true },
      { at: OPEN, cmd: returnQuota('floor', { count: 2 }), expect: 'OK', check: (r, s) => {
        count(2)(r);
        quotaIs('floor', { capacity: 8, free: 4, held: 4, sold: 0, blocked: 0 })(r, s);
        expect(avail(s, 'web').gaAreas[0].free).toBe(32);
      } },
      { at: OPEN, cmd: returnQuota('floor'), expect: 'OK', check: (r, s) => {
        count(4)(r);
        quotaIs('floor', { capacity: 4, free: 0, held: 4, sold: 0, blocked: 0 })(r, s);
      } },
      { at: OPEN, cmd: confirm('p1', 'ann'), expect: 'OK', check: quotaIs('floor', { capacity: 4, free: 0, held: 0, sold: 4, blocked: 0 }) },
      { at: OPEN, cmd: holdGa('p2', 'bob', 'FLOOR', 1, { channel: 'partner' }), expect: 'NOT_ENOUGH_PLACES', unchanged: true },
    ]);
  });
});

describe('quotas - closing a quota', () => {
  // returnQuota with close: the quota's last return (a renewal reservation after its window).
  it('returns all its free stock and sends whatever comes free in it later to the general pool', () => {
    const state = newPerformance();
    const sold = play(state, [
      { at: OPEN, cmd: createQuota('club', ['partner'], 'onlyQuota', { seats: club }), expect: 'OK' },
      { at: OPEN, cmd: createQuota('floor', ['partner'], 'onlyQuota', { gaAreaId: 'FLOOR', count: 10 }), expect: 'OK' },
      { at: OPEN, cmd: holdSeats('p1', 'ann', ['BALC-1-1'], { channel: 'partner' }), expect: 'OK' },
      { at: OPEN, cmd: holdSeats('p2', 'bob', ['BALC-1-2'], { channel: 'partner' }), expect: 'OK' },
      { at: OPEN, cmd: confirm('p2', 'bob'), expect: 'OK' },
      { at: OPEN, cmd: holdGa('g1', 'cat', 'FLOOR', 3, { channel: 'partner' }), expect: 'OK' },
      { at: OPEN, cmd: holdGa('g2', 'dan', 'FLOOR', 2, { channel: 'partner' }), expect: 'OK' },
      { at: OPEN, cmd: confirm('g2', 'dan'), expect: 'OK' },
      { at: OPEN, cmd: returnQuota('club', { close: 'yes' }), expect: 'COMMAND_INVALID', field: 'close', unchanged: true },
      { at: OPEN, cmd: returnQuota('club', { seats: ['BALC-1-3'], close: true }), expect: 'COMMAND_INVALID', field: 'close', unchanged: true, why: 'a close returns all' },
      { at: OPEN, cmd: returnQuota('floor', { count: 1, close: true }), expect: 'COMMAND_INVALID', field: 'close', unchanged: true },
      { at: OPEN, cmd: returnQuota('club', { close: true }), expect: 'OK', check: (r, s) => {
        count(4)(r);
        quotaIs('club', { capacity: 2, free: 0, held: 1, sold: 1, blocked: 0 })(r, s);
      } },
      { at: OPEN, cmd: returnQuota('floor', { close: true }), expect: 'OK', check: (r, s) => {
        count(5)(r);
        quotaIs('floor', { capacity: 5, free: 0, held: 3, sold: 2, blocked: 0 })(r, s);
      } },
    ]);
    const bobTicket = accepted<OrderAccepted>(sold[4]).tickets[0].ticketId;
    const danTicket = accepted<OrderAccepted>(sold[7]).tickets[0].ticketId;
    const webFloor = avail(state, 'web').gaAreas[0].free;
    const steps: Step[] = [
      { at: OPEN + 1, cmd: release('p1', 'ann'), expect: 'OK', check: (r, s) => {
        quotaIs('club', { capacity: 1, free: 0, held: 0, sold: 1, blocked: 0 })(r, s);
        expect(seatPool(s, 'BALC-1-1')).toBe('general');
      } },
      { at: OPEN + 1, cmd: holdSeats('w1', 'eve', ['BALC-1-1']), expect: 'OK', why: 'the web sells the released seat' },
      { at: OPEN + 1, cmd: voidTicket(bobTicket), expect: 'OK', check: (r, s) => {
        quotaIs('club', { capacity: 0, free: 0, held: 0, sold: 0, blocked: 0 })(r, s);
        expect(seatPool(s, 'BALC-1-2')).toBe('general');
        expect(seatState(s, 'BALC-1-2')).toBe('free');
      } },
      { at: OPEN + TTL, cmd: tick(), expect: 'OK', why: 'cat\'s GA hold expires', check: (r, s) => {
        quotaIs('floor', { capacity: 2, free: 0, held: 0, sold: 2, blocked: 0 })(r, s);
        expect(avail(s, 'web').gaAreas[0].free).toBe(webFloor + 3);
      } },
      { at: OPEN + TTL, cmd: voidTicket(danTicket), expect: 'OK', check: (r, s) => {
        quotaIs('floor', { capacity: 1, free: 0, held: 0, sold: 1, blocked: 0 })(r, s);
        expect(avail(s, 'web').gaAreas[0].free).toBe(webFloor + 4);
      } },
      { at: OPEN + TTL, cmd: returnQuota('club', { close: true }), expect: 'OK', check: count(0), why: 'closing again returns nothing' },
    ];
    // A snapshot keeps the closed flag: decoded at any step, the rest of the steps go the same way.
    const before = decodeSnapshot(encodeSnapshot(state), state.layout);
    expect(before.quotas.map((q) => q?.closed)).toEqual([undefined, true, true]);
    play(state, steps);
    play(before, steps.map((step, i) => ({ ...step, cmd: { commandId: `again-${i}`, ...(step.cmd as object) } })));
    expect(avail(before)).toEqual(avail(state));
  });
});

describe('quotas - closing by themselves (closesAtMs)', () => {
  // A partner's contingent returned at a set time, a renewal reservation at its window's end:
  // the first command at or past closesAtMs (a tick too) closes the quota before it runs.
  const AT = OPEN + TTL / 2;
  it('sells from the quota to the last moment, then returns its free stock and closes it', () => {
    const state = newPerformance();
    const steps: Step[] = [
      { at: OPEN, cmd: createQuota('club', ['partner'], 'onlyQuota', { seats: club, closesAtMs: 1.5 }), expect: 'COMMAND_INVALID', field: 'closesAtMs', unchanged: true },
      { at: OPEN, cmd: createQuota('club', ['partner'], 'onlyQuota', { seats: club, closesAtMs: -1 }), expect: 'COMMAND_INVALID', field: 'closesAtMs', unchanged: true },
      { at: OPEN, cmd: createQuota('club', ['partner'], 'onlyQuota', { seats: club, closesAtMs: AT }), expect: 'OK', check: (r) => expect(r).toEqual({ ok: true, count: 6, closesAtMs: AT }) },
      { at: OPEN, cmd: createQuota('floor', ['partner'], 'onlyQuota', { gaAreaId: 'FLOOR', count: 10, closesAtMs: AT + 1 }), expect: 'OK' },
      { at: OPEN, cmd: holdSeats('p1', 'ann', ['BALC-1-1'], { channel: 'partner' }), expect: 'OK' },
      { at: OPEN, cmd: holdSeats('p2', 'bob', ['BALC-1-2'], { channel: 'partner' }), expect: 'OK' },
      { at: OPEN, cmd: confirm('p2', 'bob'), expect: 'OK' },
      { at: AT - 1, cmd: holdSeats('w0', 'cat', ['BALC-1-3']), expect: 'SEAT_NOT_IN_CHANNEL', unchanged: true, why: 'the partner\'s to the last ms' },
      { at: AT - 1, cmd: holdGa('g1', 'cat', 'FLOOR', 2, { channel: 'partner' }), expect: 'OK' },
      { at: AT, cmd: tick(), expect: 'OK', why: 'club is due, floor not yet', check: (r, s) => {
        quotaIs('club', { capacity: 2, free: 0, held: 1, sold: 1, blocked: 0 })(r, s);
        quotaIs('floor', { capacity: 10, free: 8, held: 2, sold: 0, blocked: 0 })(r, s);
        expect(seatPool(s, 'BALC-1-3')).toBe('general');
      } },
      { at: AT, cmd: holdSeats('w1', 'cat', ['BALC-1-3']), expect: 'OK', why: 'the web sells a returned seat' },
      { at: AT, cmd: holdSeats('p3', 'dan', ['BALC-1-4'], { channel: 'partner' }), expect: 'SEAT_NOT_IN_CHANNEL', unchanged: true, why: 'onlyQuota: the partner sold its contingent only, and it is back' },
      { at: AT + 1, cmd: release('p1', 'ann'), expect: 'OK', why: 'floor closes first, then the release', check: (r, s) => {
        quotaIs('club', { capacity: 1, free: 0, held: 0, sold: 1, blocked: 0 })(r, s);
        expect(seatPool(s, 'BALC-1-1')).toBe('general');
        quotaIs('floor', { capacity: 2, free: 0, held: 2, sold: 0, blocked: 0 })(r, s);
      } },
      { at: AT + 1 + TTL, cmd: tick(), expect: 'OK', why: 'cat\'s floor hold expires into the general pool', check: quotaIs('floor', { capacity: 0, free: 0, held: 0, sold: 0, blocked: 0 }) },
      { at: AT + 1 + TTL, cmd: returnQuota('club', { close: true }), expect: 'OK', check: count(0), why: 'closing it by hand as well returns nothing' },
    ];
    // A snapshot keeps the time a quota closes: decoded before it, the steps after go the same way.
    const split = 7;
    play(state, steps.slice(0, split));
    const copy = decodeSnapshot(encodeSnapshot(state), state.layout);
    expect(copy.quotas.map((q) => q?.closesAtMs)).toEqual([undefined, AT, AT + 1]);
    play(state, steps.slice(split));
    play(copy, steps.slice(split).map((step, i) => ({ ...step, cmd: { commandId: `again-${i}`, ...(step.cmd as object) } })));
    expect(avail(copy)).toEqual(avail(state));
    expect(copy.quotas.map((q) => q?.closed)).toEqual([undefined, true, true]);
  });

  it('closes at once when its time has already come', () => {
    const state = newPerformance();
    play(state, [
      { at: OPEN, cmd: createQuota('club', ['partner'], 'onlyQuota', { seats: club, closesAtMs: OPEN }), expect: 'OK', check: (r, s) => {
        expect(r).toEqual({ ok: true, count: 6, closesAtMs: OPEN });
        quotaIs('club', { capacity: 0, free: 0, held: 0, sold: 0, blocked: 0 })(r, s);
      } },
      { at: OPEN, cmd: holdSeats('w1', 'ann', ['BALC-1-1']), expect: 'OK' },
    ]);
  });
});

describe('hard tickets - batches printed for an outside box office', () => {
  it('blocks seats and places for good, with a delivery note and the seat list', () => {
    const state = newPerformance();
    play(state, [
      { at: OPEN, cmd: createQuota('club', ['partner'], 'onlyQuota', { seats: club }), expect: 'OK' },
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-2-8']), expect: 'OK' },
      { at: OPEN + 5, cmd: hardTickets('batch1', 'kiosk-north', 'DN-1001: 4 tickets by courier', { seats: seats('MAIN-2', 1, 4) }), expect: 'OK', check: count(4) },
      { at: OPEN + 6, cmd: hardTickets('batch1', 'kiosk-south', 'DN-1002', { seats: ['MAIN-2-5'] }), expect: 'BLOCK_EXISTS', field: 'batchId', unchanged: true },
      { at: OPEN + 6, cmd: hardTickets('batch2', 'kiosk-south', 'DN-1002', { seats: ['MAIN-2-5', 'MAIN-2-8'] }), expect: 'SEAT_NOT_AVAILABLE', field: 'seats[1]', unchanged: true, why: 'held' },
      { at: OPEN + 6, cmd: hardTickets('batch2', 'kiosk-south', 'DN-1002', { seats: ['MAIN-2-1'] }), expect: 'SEAT_NOT_AVAILABLE', unchanged: true, why: 'already in batch1' },
      { at: OPEN + 6, cmd: hardTickets('batch2', 'kiosk-south', 'DN-1002', { seats: ['BALC-1-1'] }), expect: 'SEAT_NOT_AVAILABLE', unchanged: true, why: 'in a quota' },
      { at: OPEN + 6, cmd: hardTickets('batch2', 'kiosk-south', 'DN-1002', { seats: ['MAIN-2-5', 'MAIN-2-5'] }), expect: 'SEATS_DUPLICATED', unchanged: true },
      { at: OPEN + 6, cmd: hardTickets('batch2', 'kiosk-south', 'DN-1002', { gaAreaId: 'FLOOR', count: 41 }), expect: 'NOT_ENOUGH_PLACES', field: 'count', unchanged: true },
      { at: OPEN + 6, cmd: hardTickets('batch2', 'kiosk-south', 'DN-1002', { gaAreaId: 'ROOF', count: 1 }), expect: 'GA_AREA_UNKNOWN', unchanged: true },
      { at: OPEN + 6, cmd: hardTickets('batch2', 'kiosk-south', 'DN-1002: 5 standing', { gaAreaId: 'FLOOR', count: 5 }), expect: 'OK', check: count(5) },
      { at: OPEN + 7, cmd: holdSeats('h2', 'bob', ['MAIN-2-3']), expect: 'SEAT_NOT_AVAILABLE', field: 'seats[0]', unchanged: true },
      { at: OPEN + 7, cmd: holdSeats('h3', 'bob', ['MAIN-2-3'], { channel: 'box' }), expect: 'SEAT_NOT_AVAILABLE', unchanged: true },
    ]);
    expect(blocksReport(state)).toEqual([
      { blockId: 'batch1', kind: 'hardTicket', party: 'kiosk-north', deliveryNote: 'DN-1001: 4 tickets by courier', quotaId: null, seats: seats('MAIN-2', 1, 4), gaAreaId: null, count: 4, returned: 0, createdAtMs: OPEN + 5 },
      { blockId: 'batch2', kind: 'hardTicket', party: 'kiosk-south', deliveryNote: 'DN-1002: 5 standing', quotaId: null, seats: [], gaAreaId: 'FLOOR', count: 5, returned: 0, createdAtMs: OPEN + 6 },
    ]);
    expect(avail(state).totals).toEqual({ free: 76 - 1 - 9, held: 1, sold: 0, blocked: 9 });
    expect(avail(state).gaAreas[0].free).toBe(35);
  });
});

describe('foreign blocks - seats another ticketing system sells', () => {
  it('are never sold here, and best-available never picks them', () => {
    const state = newPerformance();
    const steps: Step[] = [
      { at: OPEN, cmd: blockForeign('eventim', 'Eventim', { seats: seats('MAIN-1', 1, 8) }), expect: 'OK', check: count(8) },
      { at: OPEN, cmd: hardTickets('eventim', 'kiosk', 'DN', { seats: ['MAIN-2-1'] }), expect: 'BLOCK_EXISTS', field: 'batchId', unchanged: true, why: 'batches and blocks share ids' },
      { at: OPEN, cmd: blockForeign('eventim', 'Other', { seats: ['MAIN-2-1'] }), expect: 'BLOCK_EXISTS', field: 'blockId', unchanged: true },
      { at: OPEN, cmd: blockForeign('tm', 'Ticketmaster', { seats: ['MAIN-2-4', 'BALC-2-3'] }), expect: 'OK' },
      { at: OPEN, cmd: blockForeign('tm-ga', 'Ticketmaster', { gaAreaId: 'FLOOR', count: 40 }), expect: 'OK' },
      { at: OPEN, cmd: blockForeign('tm-ga2', 'Ticketmaster', { gaAreaId: 'FLOOR', count: 1 }), expect: 'NOT_ENOUGH_PLACES', unchanged: true },
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-1-4']), expect: 'SEAT_NOT_AVAILABLE', field: 'seats[0]', unchanged: true },
      { at: OPEN, cmd: holdSeats('h2', 'ann', ['MAIN-2-4'], { channel: 'box' }), expect: 'SEAT_NOT_AVAILABLE', unchanged: true },
      { at: OPEN, cmd: holdGa('h3', 'ann', 'FLOOR', 1), expect: 'NOT_ENOUGH_PLACES', unchanged: true },
    ];
    // Then best-available takes every seat that is left, one buyer per hold, and never a blocked one.
    const left = 36 - 10;
    for (let i = 0; i < left; i++) {
      steps.push({ at: OPEN, cmd: holdBest(`b${i}`, `buyer${i}`, 1), expect: 'OK', check: (r, s) => expect(seatState(s, accepted<HoldAccepted>(r).seats[0])).toBe('held') });
    }
    steps.push({ at: OPEN, cmd: holdBest('b-last', 'late', 1), expect: 'NOT_ENOUGH_SEATS', unchanged: true });
    play(state, steps);
    for (const id of [...seats('MAIN-1', 1, 8), 'MAIN-2-4', 'BALC-2-3']) expect(seatState(state, id), id).toBe('blocked');
    expect(blocksReport(state).map((b) => [b.blockId, b.kind, b.party, b.count])).toEqual([
      ['eventim', 'foreign', 'Eventim', 8], ['tm', 'foreign', 'Ticketmaster', 2], ['tm-ga', 'foreign', 'Ticketmaster', 40],
    ]);
  });

  it('allows at most blocksPerPerformanceMax batches and blocks together', () => {
    const max = limits.blocksPerPerformanceMax;
    const state = newPerformance(() => {}, gaLayout('floor-blocks', max + 10));
    // The bulk is outside the table: the table's per-step audit would make this quadratic.
    for (let i = 0; i < max; i++) {
      const r = execute(state, { type: 'blockForeign', commandId: `f${i}`, blockId: `f${i}`, system: 'X', gaAreaId: 'FLOOR', count: 1 }, OPEN);
      if (!r.ok) throw new Error(`block ${i}: ${r.name}`);
    }
    play(state, [
      { at: OPEN, cmd: hardTickets('batch', 'kiosk', 'DN', { gaAreaId: 'FLOOR', count: 1 }), expect: 'BLOCKS_LIMIT_REACHED', field: 'batchId', unchanged: true },
      { at: OPEN, cmd: blockForeign('f0', 'X', { gaAreaId: 'FLOOR', count: 1 }), expect: 'BLOCK_EXISTS', unchanged: true, why: 'the id is checked first' },
    ]);
  });
});

function compiled(json: unknown): Layout {
  const r = compileLayout(json);
  if (!r.ok) throw new Error(r.name);
  return r.layout;
}
