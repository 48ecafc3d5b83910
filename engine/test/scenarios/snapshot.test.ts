// Snapshots as stories: one journal (a table that touches every kind of record: presale links,
// quotas, batches, foreign blocks, holds of each kind, orders, voids, scans, expiries, a
// remembered refusal and a retry), then the properties the runtime's recovery relies on.
import { describe, expect, it } from 'vitest';
import {
  decodeSnapshot, encodeSnapshot, execute, stateHash, type Command, type PerformanceState, type Result,
} from '../../src/domain/mod.ts';
import {
  OPEN, blockForeign, confirm, createPresale, createQuota, editPresale, hall, hardTickets, holdBest, holdGa, holdSeatNos, holdSeats,
  newPerformance, play, release, returnQuota, scan, seatedLayout, seats, stopPresale, tick, voidTicket, type Step,
} from './helpers.ts';
import { expectResumes, expectRoundTrips, replay as replayJournal } from './snapshot-checks.ts';

const id = (commandId: string) => ({ commandId });

const journal: Step[] = [
  { at: 1000, cmd: createPresale('friends', 'guest', 2000, 20_000, 5, 2, id('c1')), expect: 'OK' },
  { at: 1000, cmd: createQuota('club', ['partner'], 'onlyQuota', { ...id('c2'), seats: seats('BALC-1', 1, 6), discountPct: 10 }), expect: 'OK' },
  { at: 1000, cmd: createQuota('floor', ['box'], 'quotaFirst', { ...id('c3'), gaAreaId: 'FLOOR', count: 8 }), expect: 'OK' },
  { at: 1000, cmd: hardTickets('batch1', 'kiosk', 'DN-1: two seats', { ...id('c4'), seats: ['MAIN-3-1', 'MAIN-3-2'] }), expect: 'OK' },
  { at: 1000, cmd: blockForeign('tm', 'Ticketmaster', { ...id('c5'), gaAreaId: 'FLOOR', count: 5 }), expect: 'OK' },
  { at: 2000, cmd: holdSeats('g1', 'ann', ['MAIN-1-1', 'MAIN-1-2'], { presaleCode: 'friends' }), expect: 'OK' },
  { at: 2000, cmd: holdGa('b1', 'bob', 'FLOOR', 3, { channel: 'box' }), expect: 'OK' },
  { at: 2000, cmd: holdSeats('bad', 'bob', ['MAIN-1-1'], { channel: 'box' }), expect: 'SEAT_NOT_AVAILABLE' },
  { at: 3000, cmd: confirm('g1', 'ann', { ...id('c6'), buyerEmail: 'ann@example.org' }), expect: 'OK' },
  { at: OPEN, cmd: holdBest('w1', 'cat', 3), expect: 'OK' },
  { at: OPEN, cmd: holdSeats('p1', 'dan', ['BALC-1-1', 'BALC-1-2'], { channel: 'partner' }), expect: 'OK' },
  { at: OPEN + 1, cmd: confirm('p1', 'dan', id('c7')), expect: 'OK' },
  { at: OPEN + 2, cmd: release('w1', 'cat', id('c8')), expect: 'OK' },
  { at: OPEN + 3, cmd: holdBest('w2', 'eve', 4, { filter: { section: 'MAIN' } }), expect: 'OK' },
  { at: OPEN + 4, cmd: tick(id('t1')), expect: 'OK' },
  { at: 20_000, cmd: voidTicket('P1-T0', id('c9')), expect: 'OK' },
  { at: 20_000, cmd: scan('P1-T1', id('c10')), expect: 'OK' },
  { at: 80_000, cmd: tick(id('t2')), expect: 'OK' },
  { at: 80_000, cmd: holdGa('b2', 'fay', 'FLOOR', 2, { channel: 'box' }), expect: 'OK' },
  { at: 80_000, cmd: returnQuota('club', { ...id('c11'), seats: ['BALC-1-3'] }), expect: 'OK' },
  { at: 80_001, cmd: editPresale('friends', { ...id('c12'), totalMax: 8 }), expect: 'OK' },
  { at: 80_001, cmd: stopPresale('friends', id('c13')), expect: 'OK' },
  { at: 80_002, cmd: confirm('b2', 'fay', id('c14')), expect: 'OK' },
  { at: 80_002, cmd: holdSeats('g1', 'ann', ['MAIN-1-1', 'MAIN-1-2'], { presaleCode: 'friends' }), expect: 'OK', why: 'a retry' },
  { at: 80_002, cmd: holdSeats('g1', 'ann', ['MAIN-1-3'], { presaleCode: 'friends' }), expect: 'COMMAND_ID_REUSED' },
  { at: 80_003, cmd: holdSeatNos('n1', 'gus', [15]), expect: 'OK', why: 'by seat number (MAIN-2-8)' },
  { at: 80_003, cmd: release('n1', 'gus', id('c15')), expect: 'OK' },
  { at: 80_003, cmd: holdSeats('x1', 'gus', ['MAIN-2-1']), expect: 'OK', why: 'an open hold at the end' },
];

/** Runs journal lines [from, to) with execute alone; the full table run below audits each. */
function replay(state: PerformanceState, from: number, to: number): Result[] {
  return replayJournal(state, journal, from, to);
}

function fresh(): PerformanceState {
  return newPerformance();
}

describe('snapshot - the journal', () => {
  it('runs as a table, audited after every line', () => {
    const state = fresh();
    play(state, journal);
    expect(state.holds.size).toBe(1);
  });
});

describe('snapshot - encode and decode', () => {
  it('encode -> decode -> encode gives the same bytes, at every point of the journal', () => {
    expectRoundTrips(journal, fresh, hall);
  });

  it('replaying the rest of the journal on a decoded snapshot gives the bytes and results of the full run', () => {
    expectResumes(journal, fresh, hall);
  });

  it('the same commands on two fresh states give the same hash; one other command does not', () => {
    const a = fresh();
    const b = fresh();
    replay(a, 0, journal.length);
    replay(b, 0, journal.length);
    expect(stateHash(a)).toBe(stateHash(b));
    expect(stateHash(a)).toMatch(/^[0-9a-f]{8}$/);
    execute(b, { type: 'releaseHold', commandId: 'r-x1', holdId: 'x1', buyerId: 'gus' }, 80_003);
    expect(stateHash(a)).not.toBe(stateHash(b));
  });

  it('refuses a snapshot taken against another layout, or another version of the same one', () => {
    const state = fresh();
    replay(state, 0, journal.length);
    const bytes = encodeSnapshot(state);
    const other = seatedLayout('other', [['MAIN', ['AAAAAAAA']]]);
    expect(() => decodeSnapshot(bytes, other)).toThrow(/layout/);
    const edited = seatedLayout('hall', [['MAIN', ['AAAAAAAA', 'AAAAAAAA', 'aaAAAAAA']], ['BALC', ['BBBBBB', 'BBBBBBB']]], [{ id: 'FLOOR', capacity: 40, zone: 'G' }]);
    expect(edited.layoutId).toBe(hall.layoutId);
    expect(() => decodeSnapshot(bytes, edited)).toThrow(/layout/);
  });

  it('a retry after decode still returns the first result and changes nothing', () => {
    const state = fresh();
    const results = replay(state, 0, journal.length);
    const decoded = decodeSnapshot(encodeSnapshot(state), hall);
    const retries: Step[] = [];
    journal.forEach((line, i) => {
      const cmd = line.cmd as Command;
      if (cmd.type === 'tick' || (i > 0 && journal.slice(0, i).some((l) => (l.cmd as Command).commandId === cmd.commandId))) return;
      retries.push({ at: 80_010, cmd, expect: line.expect, sameHash: true, check: (r) => expect(r).toEqual(results[i]) });
    });
    expect(retries.length).toBeGreaterThan(15);
    play(decoded, retries);
  });
});

describe('snapshot - once the retry memory has wrapped round', () => {
  it('a decoded state fed the rest of the journal encodes like the state that saw it all', () => {
    // 70,000 remembered commands: more than the memory's 65,536 places, so its ring reuses the
    // places of forgotten entries (half of them holds, whose columns the releases do not use).
    const state = fresh();
    for (let i = 0; i < 35_000; i++) {
      const hold = execute(state, { type: 'holdSeats', commandId: `h${i}`, buyerId: 'ann', channel: 'web', seatNos: [0] } as Command, OPEN);
      const freed = execute(state, { type: 'releaseHold', commandId: `r${i}`, holdId: `h${i}`, buyerId: 'ann' } as Command, OPEN);
      if (!hold.ok || !freed.ok) throw new Error(`command ${i} refused: ${JSON.stringify(hold.ok ? freed : hold)}`);
    }
    const decoded = decodeSnapshot(encodeSnapshot(state), hall);
    expect(stateHash(decoded)).toBe(stateHash(state));
    // The rest of the journal: a release and two refusals, each taking a reused place.
    for (const s of [state, decoded]) {
      execute(s, { type: 'holdSeats', commandId: 'last-hold', buyerId: 'bob', channel: 'web', seatNos: [1] } as Command, OPEN + 1);
      execute(s, { type: 'releaseHold', commandId: 'last-release', holdId: 'last-hold', buyerId: 'bob' } as Command, OPEN + 1);
      execute(s, { type: 'scanTicket', commandId: 'scan-1', ticketId: 'NOPE-T1' } as Command, OPEN + 1);
      execute(s, { type: 'scanTicket', commandId: 'scan-2', ticketId: 'NOPE-T2' } as Command, OPEN + 1);
    }
    expect(Buffer.from(encodeSnapshot(decoded)).equals(Buffer.from(encodeSnapshot(state)))).toBe(true);
  });
});
