// Best-available as stories on small drawn layouts (one letter per seat, see seatedLayout):
// the steps documented at the top of engine/src/domain/best-available.ts, one table each.
//   1. one row, adjacent seats, leaving no single empty seat beside the block;
//   2. one row, adjacent seats, even if a single seat is left;
//   3. one section, the best free seats in it (not adjacent);
//   4. anywhere the filters allow, the best free seats.
import { describe, expect, it } from 'vitest';
import { limits, type PerformanceSpec } from '../../src/domain/mod.ts';
import { OPEN, holdBest, holdSeats, newPerformance, play, roomy, seatState, seatedLayout, seats, took } from './helpers.ts';

describe('best available - one row, adjacent seats', () => {
  it('takes adjacent seats nearest the middle of the best row, then the next row', () => {
    const state = newPerformance(roomy);
    play(state, [
      { at: OPEN, cmd: holdBest('h1', 'ann', 2), expect: 'OK', check: took('MAIN-1-4', 'MAIN-1-5'), why: 'the middle of row 1 of eight' },
      { at: OPEN, cmd: holdBest('h2', 'bob', 4), expect: 'OK', check: took('MAIN-2-3', 'MAIN-2-4', 'MAIN-2-5', 'MAIN-2-6'), why: 'row 1 has two runs of three left' },
      { at: OPEN, cmd: holdBest('h3', 'cat', 3), expect: 'OK', check: took('MAIN-1-1', 'MAIN-1-2', 'MAIN-1-3'), why: 'both runs of three are as near the middle: the first' },
      { at: OPEN, cmd: holdBest('h4', 'dan', 3), expect: 'OK', check: took('MAIN-1-6', 'MAIN-1-7', 'MAIN-1-8') },
      { at: OPEN, cmd: holdBest('h5', 'eve', 8), expect: 'OK', check: took(...seats('MAIN-3', 1, 8)), why: 'row 2 has runs of two; a whole row is free further back' },
    ]);
  });

  it('prefers rows and sections in layout order, not by their names', () => {
    const layout = seatedLayout('order', [['UPPER', ['AAAA', 'AAAA']], ['LOWER', ['AAAA']]]);
    const state = newPerformance(roomy, layout);
    play(state, [
      { at: OPEN, cmd: holdBest('h1', 'ann', 4), expect: 'OK', check: took(...seats('UPPER-1', 1, 4)) },
      { at: OPEN, cmd: holdBest('h2', 'ann', 4), expect: 'OK', check: took(...seats('UPPER-2', 1, 4)) },
      { at: OPEN, cmd: holdBest('h3', 'ann', 4), expect: 'OK', check: took(...seats('LOWER-1', 1, 4)) },
      { at: OPEN, cmd: holdBest('h4', 'ann', 1), expect: 'NOT_ENOUGH_SEATS', field: 'count', unchanged: true },
    ]);
  });
});

// Found by mutation testing (Stryker, session 31): two rules no table held. Each case was found
// by a random search telling the rule's code from a one-token change of it.
describe('best available - rules the mutants found untested', () => {
  it('takes the run nearest the row\'s middle when a taken seat splits the row, not the first run that fits', () => {
    const state = newPerformance(roomy, seatedLayout('split', [['S', ['AAAAAAAAAA']]]));
    play(state, [
      { at: OPEN, cmd: holdSeats('x', 'set', ['S-1-3']), expect: 'OK', why: 'runs 1-2 and 4-10' },
      { at: OPEN, cmd: holdBest('h1', 'ann', 2), expect: 'OK', check: took('S-1-4', 'S-1-5'), why: 'S-1-1..2 fits and strands nothing, but 4-5 is nearer the middle (5-6 would strand S-1-4)' },
    ]);
  });

  it('looks at the free seats of another zone beyond the run on both sides, also when moving right of the middle', () => {
    // Zone A run S-1-3..4 between free zone-B seats S-1-2 and S-1-5 (S-1-1 taken): either seat of
    // the run strands one B seat, so step 1 finds nothing and step 2 takes the middle seat.
    const state = newPerformance(roomy, seatedLayout('sides', [['S', ['ABAAB']]]));
    play(state, [
      { at: OPEN, cmd: holdSeats('x', 'set', ['S-1-1']), expect: 'OK' },
      { at: OPEN, cmd: holdBest('h1', 'ann', 1, { filter: { zone: 'A' } }), expect: 'OK', check: took('S-1-3'), why: 'S-1-4 would strand S-1-5 as S-1-3 strands S-1-2: the middle wins' },
    ]);
  });
});

describe('best available - no single empty seat', () => {
  it('skips a block that would strand one seat when the row has another place', () => {
    const state = newPerformance(roomy, seatedLayout('gap', [['S', ['AAAAAA', 'AAAAAA']]]));
    play(state, [
      { at: OPEN, cmd: holdSeats('x', 'set', ['S-1-4']), expect: 'OK', why: 'row 1 is now 1-3 free, 4 taken, 5-6 free' },
      { at: OPEN, cmd: holdBest('h1', 'ann', 2), expect: 'OK', check: took('S-1-5', 'S-1-6'), why: 'S-1-1..2 would strand S-1-3' },
      { at: OPEN, cmd: holdBest('h2', 'bob', 2), expect: 'OK', check: took('S-2-3', 'S-2-4'), why: 'every pair in 1-3 strands a seat, and row 2 has room' },
    ]);
  });

  it('moves off the middle when the centred block would strand a seat', () => {
    const state = newPerformance(roomy, seatedLayout('gap2', [['S', ['AAAAAA']]]));
    play(state, [
      { at: OPEN, cmd: holdSeats('x', 'set', ['S-1-6']), expect: 'OK', why: 'row 1 is 1-5 free' },
      { at: OPEN, cmd: holdBest('h1', 'ann', 2), expect: 'OK', check: took('S-1-4', 'S-1-5'), why: 'S-1-3..4 is central but strands S-1-5' },
      { at: OPEN, cmd: holdBest('h2', 'bob', 3), expect: 'OK', check: took('S-1-1', 'S-1-2', 'S-1-3') },
    ]);
  });
});

describe('best available - a single seat is any free seat, whatever its zone or price', () => {
  // Step 1 promises "no single empty seat on either side of the block". Whether the seat beside
  // the block is left alone depends on the seats around it that are free, not only on those the
  // filter or the ticket type would take.
  it('does not strand a free seat of another zone at the end of a row', () => {
    // Row 1: one zone-B seat, then two zone-A seats. Row 2: two zone-A seats.
    const state = newPerformance(roomy, seatedLayout('orphan-zone', [['F', ['BAA', 'AA']]]));
    play(state, [
      { at: OPEN, cmd: holdBest('h1', 'ann', 2, { filter: { zone: 'A' } }), expect: 'OK', check: took('F-2-1', 'F-2-2'), why: 'F-1-2..3 would leave F-1-1 alone' },
    ]);
  });

  it('does not strand a free seat the ticket type has no price for', () => {
    const state = newPerformance((spec) => {
      roomy(spec);
      spec.ticketTypes = [{ id: 'adult', prices: { A: 5000, B: 3000 } }, { id: 'child', prices: { B: 1500 } }];
    }, seatedLayout('orphan-price', [['F', ['ABB', 'BB']]]));
    play(state, [
      { at: OPEN, cmd: holdBest('h1', 'ann', 2, { ticketType: 'child' }), expect: 'OK', check: took('F-2-1', 'F-2-2'), why: 'F-1-2..3 would leave F-1-1 alone' },
    ]);
  });

  it('counts free seats of another zone beyond the run when judging a single gap', () => {
    // Row 1: B, four A, B. Any three A seats leave a single free seat at one end of the row
    // (F-1-1 or F-1-6, free though of zone B), so step 1 passes over row 1 for row 2, which
    // three seats fill exactly.
    const state = newPerformance(roomy, seatedLayout('no-orphan', [['F', ['BAAAAB', 'AAA']]]));
    play(state, [
      { at: OPEN, cmd: holdBest('h1', 'ann', 3, { filter: { zone: 'A' } }), expect: 'OK', check: took('F-2-1', 'F-2-2', 'F-2-3') },
    ]);
  });

  it('takes a row whose block leaves two free seats of another zone together', () => {
    // Row 1: B, B, three A. Three A seats leave F-1-1 and F-1-2 free together: no single seat.
    const state = newPerformance(roomy, seatedLayout('two-left', [['F', ['BBAAA', 'AAA']]]));
    play(state, [
      { at: OPEN, cmd: holdBest('h1', 'ann', 3, { filter: { zone: 'A' } }), expect: 'OK', check: took('F-1-3', 'F-1-4', 'F-1-5') },
    ]);
  });
});

describe('best available - relaxing step by step', () => {
  it('2: allows a single seat when no row can avoid one', () => {
    const state = newPerformance(roomy, seatedLayout('threes', [['S', ['AAA', 'AAA']]]));
    play(state, [
      { at: OPEN, cmd: holdBest('h1', 'ann', 2), expect: 'OK', check: took('S-1-2', 'S-1-3'), why: 'a pair in a row of three always strands one: row 1, nearest its middle' },
      { at: OPEN, cmd: holdBest('h2', 'bob', 2), expect: 'OK', check: took('S-2-2', 'S-2-3') },
    ]);
  });

  it('3: takes scattered seats in one section, 4: then anywhere', () => {
    const state = newPerformance(roomy, seatedLayout('scatter', [['L', ['AAAA', 'AAAA']], ['R', ['AAAA']]]));
    play(state, [
      { at: OPEN, cmd: holdSeats('x', 'set', ['L-1-2', 'L-1-4', 'L-2-2', 'L-2-4', 'R-1-2', 'R-1-4']), expect: 'OK', why: 'no two free seats are adjacent any more' },
      { at: OPEN, cmd: holdBest('h1', 'ann', 3), expect: 'OK', check: took('L-1-1', 'L-1-3', 'L-2-1'), why: 'section L has four free: the best three of them' },
      { at: OPEN, cmd: holdBest('h2', 'bob', 2), expect: 'OK', check: took('R-1-1', 'R-1-3'), why: 'L has one left; R has two' },
      { at: OPEN, cmd: holdSeats('y', 'set', ['L-2-3']), expect: 'OK' },
      { at: OPEN, cmd: holdBest('h3', 'cat', 1), expect: 'NOT_ENOUGH_SEATS', field: 'count', unchanged: true },
    ]);
  });

  it('4: spreads over sections when no section has enough', () => {
    const state = newPerformance(roomy, seatedLayout('spread', [['L', ['AAAA']], ['R', ['AAAA']]]));
    play(state, [
      { at: OPEN, cmd: holdSeats('x', 'set', ['L-1-1', 'L-1-3', 'R-1-2', 'R-1-4']), expect: 'OK' },
      { at: OPEN, cmd: holdBest('h1', 'ann', 3), expect: 'OK', check: took('L-1-2', 'L-1-4', 'R-1-1') },
      { at: OPEN, cmd: holdBest('h2', 'bob', 2), expect: 'NOT_ENOUGH_SEATS', unchanged: true, why: 'one seat is left' },
      { at: OPEN, cmd: holdBest('h3', 'bob', 1), expect: 'OK', check: took('R-1-3') },
    ]);
  });
});

describe('best available - filters and prices', () => {
  // FRONT row 1: two zone-B seats, four zone-A seats, two zone-B seats.
  // FRONT row 2: two wheelchair places in zone A, then six zone-B seats. BACK: six zone-C seats.
  const layout = seatedLayout('filters', [['FRONT', ['BBAAAABB', 'aaBBBBBB']], ['BACK', ['CCCCCC']]]);
  const spec = (s: PerformanceSpec) => {
    roomy(s);
    s.ticketTypes = [
      { id: 'adult', prices: { A: 5000, B: 3000, C: 2000 } },
      { id: 'child', prices: { B: 1500, C: 1000 } },
    ];
  };

  it('refuses filters that name nothing in the layout', () => {
    const state = newPerformance(spec, layout);
    play(state, [
      { at: OPEN, cmd: holdBest('h1', 'ann', 2, { filter: { zone: 'Z' } }), expect: 'FILTER_UNKNOWN_ZONE', field: 'filter.zone', unchanged: true },
      { at: OPEN, cmd: holdBest('h2', 'ann', 2, { filter: { section: 'SIDE' } }), expect: 'FILTER_UNKNOWN_SECTION', field: 'filter.section', unchanged: true },
      { at: OPEN, cmd: holdBest('h3', 'ann', 2, { filter: { zone: 'A', section: 'NOPE' } }), expect: 'FILTER_UNKNOWN_SECTION', unchanged: true },
      { at: OPEN, cmd: holdBest('h4', 'ann', 11), expect: 'SEATS_PER_HOLD_EXCEEDED', field: 'count', unchanged: true },
    ]);
  });

  it('keeps to the zone, the section and wheelchair places it is asked for', () => {
    const state = newPerformance(spec, layout);
    play(state, [
      { at: OPEN, cmd: holdBest('h1', 'ann', 4, { filter: { zone: 'A' } }), expect: 'OK', check: took('FRONT-1-3', 'FRONT-1-4', 'FRONT-1-5', 'FRONT-1-6') },
      { at: OPEN, cmd: holdBest('h2', 'bob', 2, { filter: { section: 'BACK' } }), expect: 'OK', check: took('BACK-1-3', 'BACK-1-4') },
      { at: OPEN, cmd: holdBest('h3', 'cat', 2, { filter: { accessible: true } }), expect: 'OK', check: took('FRONT-2-1', 'FRONT-2-2') },
      { at: OPEN, cmd: holdBest('h4', 'dan', 1, { filter: { accessible: true } }), expect: 'NOT_ENOUGH_SEATS', unchanged: true },
      { at: OPEN, cmd: holdBest('h5', 'dan', 1, { filter: { zone: 'A' } }), expect: 'NOT_ENOUGH_SEATS', unchanged: true },
      { at: OPEN, cmd: holdBest('h6', 'dan', 3, { filter: { zone: 'C', section: 'FRONT' } }), expect: 'NOT_ENOUGH_SEATS', unchanged: true },
      { at: OPEN, cmd: holdBest('h7', 'dan', 2, { filter: { zone: 'B', section: 'FRONT' } }), expect: 'OK', check: took('FRONT-1-1', 'FRONT-1-2') },
      { at: OPEN, cmd: holdBest('h8', 'eve', 2, { filter: { accessible: false } }), expect: 'OK', check: took('FRONT-1-7', 'FRONT-1-8'), why: 'accessible: false is no filter' },
    ]);
  });

  it('takes only seats the ticket type has a price for', () => {
    const state = newPerformance(spec, layout);
    play(state, [
      { at: OPEN, cmd: holdBest('h1', 'ann', 2, { ticketType: 'child' }), expect: 'OK', check: took('FRONT-1-1', 'FRONT-1-2'), why: 'the zone-A middle of row 1 has no child price' },
      { at: OPEN, cmd: holdBest('h2', 'ann', 1, { ticketType: 'child', filter: { zone: 'A' } }), expect: 'NOT_ENOUGH_SEATS', unchanged: true },
      { at: OPEN, cmd: holdBest('h3', 'bob', 6, { ticketType: 'child' }), expect: 'OK', check: took(...seats('FRONT-2', 3, 8)) },
      { at: OPEN, cmd: holdBest('h4', 'cat', 4, { ticketType: 'child' }), expect: 'OK', check: took(...seats('BACK-1', 1, 4)), why: 'FRONT-1-7..8 is too short; in a row of six, four leave two together' },
      { at: OPEN, cmd: holdBest('h5', 'dan', 2, { ticketType: 'adult' }), expect: 'OK', check: took('FRONT-1-3', 'FRONT-1-4'), why: 'adult may sit in A and B: 3..8 is one run' },
    ]);
    for (const id of seats('FRONT-1', 5, 8)) expect(seatState(state, id), id).toBe('free');
  });
});

describe('best available - seats passed over (exceptSeats)', () => {
  // A product coordinator picks a same-seat holding's seats again, passing over those found
  // taken on another of its performances: they are free here, but not to be taken.
  it('takes the best seats but those named, and refuses when no others match', () => {
    const state = newPerformance(roomy, seatedLayout('except', [['S', ['AAAA', 'AAAA']]]));
    play(state, [
      { at: OPEN, cmd: holdBest('h1', 'ann', 2, { exceptSeats: ['S-1-2'] }), expect: 'OK', check: took('S-1-3', 'S-1-4'), why: 'the middle pair would take S-1-2' },
      { at: OPEN, cmd: holdBest('h2', 'bob', 2, { exceptSeats: ['S-1-1'] }), expect: 'OK', check: took('S-2-1', 'S-2-2'), why: 'row 1 has no pair left but the one passed over' },
      { at: OPEN, cmd: holdBest('h3', 'cat', 4, { exceptSeats: ['S-2-4'] }), expect: 'NOT_ENOUGH_SEATS', field: 'count', unchanged: true, why: 'four are free and one is passed over' },
      { at: OPEN, cmd: holdBest('h4', 'cat', 4), expect: 'OK', check: took('S-1-1', 'S-1-2', 'S-2-3', 'S-2-4'), why: 'nothing is left passed over for the next command' },
    ]);
  });

  it('checks the list before anything else: 1 to exceptSeatsMax seat ids of the layout, none twice', () => {
    const state = newPerformance(roomy, seatedLayout('except-bad', [['S', ['AAAA']]]));
    play(state, [
      { at: OPEN, cmd: holdBest('x1', 'ann', 1, { exceptSeats: [] }), expect: 'COMMAND_INVALID', field: 'exceptSeats', unchanged: true },
      { at: OPEN, cmd: holdBest('x2', 'ann', 1, { exceptSeats: 'S-1-1' }), expect: 'COMMAND_INVALID', field: 'exceptSeats', unchanged: true },
      { at: OPEN, cmd: holdBest('x3', 'ann', 1, { exceptSeats: null }), expect: 'COMMAND_INVALID', field: 'exceptSeats', unchanged: true },
      { at: OPEN, cmd: holdBest('x4', 'ann', 1, { exceptSeats: Array.from({ length: limits.exceptSeatsMax + 1 }, () => 'S-1-1') }), expect: 'COMMAND_INVALID', field: 'exceptSeats', unchanged: true },
      { at: OPEN, cmd: holdBest('x5', 'ann', 1, { exceptSeats: ['S-1-1', 'S-9-9'] }), expect: 'SEAT_UNKNOWN', field: 'exceptSeats[1]', unchanged: true },
      { at: OPEN, cmd: holdBest('x6', 'ann', 1, { exceptSeats: ['S-1-1', 'S-1-1'] }), expect: 'SEATS_DUPLICATED', field: 'exceptSeats[1]', unchanged: true },
      { at: OPEN, cmd: holdBest('x7', 'ann', 0, { exceptSeats: ['S-1-1'] }), expect: 'COMMAND_INVALID', field: 'count', unchanged: true, why: 'then the checks of any best-available hold' },
      { at: OPEN, cmd: holdBest('h1', 'ann', 1, { exceptSeats: ['S-1-2', 'S-1-3'] }), expect: 'OK', check: took('S-1-1') },
      { at: OPEN, cmd: holdBest('h1', 'ann', 1, { exceptSeats: ['S-1-2', 'S-1-3'] }), expect: 'OK', sameHash: true, check: took('S-1-1'), why: 'a retry answers the first result' },
      { at: OPEN, cmd: holdBest('h1', 'ann', 1, { exceptSeats: ['S-1-2'] }), expect: 'COMMAND_ID_REUSED', sameHash: true, why: 'another list under the same id' },
    ]);
  });
});
