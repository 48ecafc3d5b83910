// Rules no other test failed without, found by manual mutation testing of engine/src/domain/
// (one small change per rule; a rule whose change no test noticed got a story here). Each story
// names the change it catches. Same runner and vocabulary as the other scenarios.
import { describe, expect, it } from 'vitest';
import { execute, limits, presaleReport, type PresaleReport } from '../../src/domain/mod.ts';
import {
  OPEN, TTL, avail, confirm, createPresale, createQuota, editPresale, gaLayout, holdBest, holdGa, holdSeats, newPerformance, play,
  release, roomy, seatedLayout, seats, took,
} from '../scenarios/helpers.ts';

describe('best available never strands a single seat on the right either', () => {
  // Mutant BA6 (best-available.ts placeInRun): the walk towards the row's end checks only the
  // seats left of the block.
  it('moves a block to the end of the run rather than leave one seat at the row end', () => {
    // S-1-5 is zone B: free, outside a zone-A search, but it still counts as an empty seat.
    const state = newPerformance(roomy, seatedLayout('rgap', [['S', ['AAAABAAAA']]]));
    play(state, [
      { at: OPEN, cmd: holdSeats('x', 'set', seats('S-1', 1, 4)), expect: 'OK', why: 'S-1-5 (zone B) and S-1-6..9 (zone A) are left free' },
      {
        at: OPEN, cmd: holdBest('h1', 'ann', 2, { filter: { zone: 'A' } }), expect: 'OK', check: took('S-1-8', 'S-1-9'),
        why: 'S-1-6..7 strands S-1-5, S-1-7..8 strands S-1-9; S-1-8..9 leaves three together',
      },
    ]);
  });
});

describe('best available finds seats freed in a row it had passed as sold out', () => {
  // Mutant BA16 (moves.ts moveSeat): firstFreeRow, the hint that lets the search skip the
  // sold-out front rows, is not lowered when a seat in a front row is freed again.
  it('takes the front row again once a hold there is released', () => {
    const state = newPerformance(roomy, seatedLayout('refill', [['S', ['AAAA', 'AAAA']]]));
    play(state, [
      { at: OPEN, cmd: holdBest('h1', 'ann', 4), expect: 'OK', check: took(...seats('S-1', 1, 4)), why: 'row 1 is now full' },
      { at: OPEN, cmd: holdBest('h2', 'bob', 2), expect: 'OK', check: took('S-2-1', 'S-2-2'), why: 'the search moves past row 1 (S-2-2..3 would strand S-2-1)' },
      { at: OPEN + 1, cmd: release('h1', 'ann'), expect: 'OK', why: 'row 1 is free again' },
      { at: OPEN + 2, cmd: holdBest('h3', 'cat', 2), expect: 'OK', check: took('S-1-1', 'S-1-2'), why: 'row 1 is the best row again, ahead of S-2-3..4' },
    ]);
  });
});

describe('a hold past its expiry is never confirmed, even when the sweep is bounded', () => {
  // Mutants C6 and C7 (holds.ts liveHold): a command expires at most expiriesPerCommandMax holds
  // before it runs; a hold due but left linked must still be refused, from its expiresAtMs on.
  it('refuses the confirm of a hold left over by the bounded sweep, at exactly expiresAtMs', () => {
    const perBuyer = 20;
    const n = limits.expiriesPerCommandMax + 1;
    const state = newPerformance((spec) => {
      spec.maxOpenHoldsPerBuyer = perBuyer;
      spec.maxTicketsPerBuyer = perBuyer;
    }, gaLayout('floor-sweep', n + 10));
    // The bulk is outside the table, as in holds.test.ts: the per-step audit would be quadratic.
    for (let i = 0; i < n - 1; i++) {
      const r = execute(state, { type: 'holdGa', commandId: `b${i}`, buyerId: `buyer${Math.floor(i / perBuyer)}`, channel: 'web', gaAreaId: 'FLOOR', count: 1 }, OPEN);
      expect(r.ok).toBe(true);
    }
    play(state, [
      { at: OPEN, cmd: holdGa('last', 'lou', 'FLOOR', 1), expect: 'OK', why: 'the newest hold: the sweep reaches it last' },
      {
        at: OPEN + TTL, cmd: confirm('last', 'lou'), expect: 'HOLD_EXPIRED', field: 'holdId', why: 'the sweep expires the other holds first; this one is due too',
        check: (_r, s) => {
          expect(s.orders.length).toBe(0);
          expect(avail(s).totals).toEqual({ free: n + 10, held: 0, sold: 0, blocked: 0 });
        },
      },
      { at: OPEN + TTL, cmd: confirm('last', 'lou', { commandId: 'again' }), expect: 'HOLD_EXPIRED', field: 'holdId', unchanged: true },
    ]);
  });
});

describe('editing a presale link changes its terms', () => {
  type State = Parameters<typeof presaleReport>[0];
  const report = (s: State): PresaleReport => {
    const r = presaleReport(s, 'friends');
    if ('ok' in r) throw new Error(`presaleReport: ${r.name}`);
    return r;
  };
  const withCode = { presaleCode: 'friends' };
  const FROM = 2000;
  const UNTIL = 20_000;

  // Mutant P23 (presales.ts editPresale): an accepted edit of perBuyerMax is not stored.
  it('raises the per-buyer cap', () => {
    const state = newPerformance(roomy);
    play(state, [
      { at: 1000, cmd: createPresale('friends', 'guest', FROM, UNTIL, 5, 1), expect: 'OK' },
      { at: FROM, cmd: holdSeats('h1', 'ann', ['MAIN-1-1'], withCode), expect: 'OK' },
      { at: FROM, cmd: holdSeats('h2', 'ann', ['MAIN-1-2'], withCode), expect: 'PRESALE_BUYER_LIMIT', field: 'presaleCode', unchanged: true },
      { at: FROM, cmd: editPresale('friends', { perBuyerMax: 2 }), expect: 'OK', check: (_r, s) => expect(report(s)).toMatchObject({ perBuyerMax: 2, totalMax: 5 }) },
      { at: FROM, cmd: holdSeats('h3', 'ann', ['MAIN-1-2'], withCode), expect: 'OK', why: 'two per buyer now' },
      { at: FROM, cmd: holdSeats('h4', 'ann', ['MAIN-1-3'], withCode), expect: 'PRESALE_BUYER_LIMIT', unchanged: true },
    ]);
  });

  // Mutant P25 (presales.ts editPresale): an accepted edit of validFromMs is not stored.
  it('moves the start of its window', () => {
    const state = newPerformance();
    play(state, [
      { at: 1000, cmd: createPresale('friends', 'guest', FROM, UNTIL, 5, 2), expect: 'OK' },
      { at: 1000, cmd: holdSeats('h1', 'ann', ['MAIN-1-1'], withCode), expect: 'PRESALE_NOT_ACTIVE', field: 'presaleCode', unchanged: true },
      { at: 1000, cmd: editPresale('friends', { validFromMs: 500 }), expect: 'OK', check: (_r, s) => expect(report(s)).toMatchObject({ validFromMs: 500, validUntilMs: UNTIL }) },
      { at: 1000, cmd: holdSeats('h2', 'ann', ['MAIN-1-1'], withCode), expect: 'OK', why: 'inside the window now' },
    ]);
  });
});

describe('availability by zone counts general-admission places', () => {
  // Mutant QY2 (queries.ts availability): the free places of GA areas are left out of their zone.
  it('reports the GA area\'s free places under its zone, as the channel sees them', () => {
    const state = newPerformance();
    play(state, [
      {
        at: OPEN, cmd: holdGa('h1', 'ann', 'FLOOR', 2), expect: 'OK',
        check: (_r, s) => expect(avail(s).zones).toEqual([{ zoneId: 'A', free: 24 }, { zoneId: 'B', free: 12 }, { zoneId: 'G', free: 38 }]),
      },
      {
        at: OPEN, cmd: createQuota('floor', ['partner'], 'onlyQuota', { gaAreaId: 'FLOOR', count: 10 }), expect: 'OK',
        check: (_r, s) => {
          expect(avail(s, 'web').zones.find((z) => z.zoneId === 'G')).toEqual({ zoneId: 'G', free: 28 });
          expect(avail(s, 'partner').zones).toEqual([{ zoneId: 'A', free: 0 }, { zoneId: 'B', free: 0 }, { zoneId: 'G', free: 10 }]);
        },
      },
    ]);
  });
});
