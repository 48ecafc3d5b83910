// Input a performance must refuse before it can keep it, and input it must refuse without
// throwing. A thrown error means a broken invariant (the runtime rebuilds the actor), so an
// odd value in a field must come back as a typed refusal that changes nothing; and whatever a
// performance remembers must come back exactly from its snapshot, or a retry after a restore
// would be answered differently from the first time (COMMANDS.md, the envelope).
import { describe, expect, it } from 'vitest';
import { decodeSnapshot, encodeSnapshot, execute, type Command, type PerformanceState, type Result } from '../../src/domain/mod.ts';
import {
  confirm, createPresale, createQuota, hardTickets, holdBest, holdGa, holdSeats, newPerformance, OPEN, play, refusal, scan, voidTicket, type Loose,
} from './helpers.ts';

/** JSON a client may send: an object whose toString is a number cannot be made a string. */
const noString = (): unknown => JSON.parse('{"toString":0}');

/** Runs a command through a snapshot and back: the restored performance and the bytes both ways. */
function restored(state: PerformanceState): { twin: PerformanceState; same: boolean } {
  const bytes = encodeSnapshot(state);
  const twin = decodeSnapshot(bytes, state.layout);
  return { twin, same: Buffer.from(encodeSnapshot(twin)).equals(Buffer.from(bytes)) };
}

const run = (state: PerformanceState, cmd: Loose, at = OPEN): Result => execute(state, cmd as Command, at);

describe('values no refusal message can show', () => {
  const cases: { cmd: (v: unknown) => Loose; code: string; field: string }[] = [
    { cmd: (v) => holdSeats('h1', 'ann', ['MAIN-1-1'], { channel: v }), code: 'CHANNEL_UNKNOWN', field: 'channel' },
    { cmd: (v) => holdSeats('h1', 'ann', ['MAIN-1-1'], { ticketType: v }), code: 'TICKET_TYPE_UNKNOWN', field: 'ticketType' },
    { cmd: (v) => holdSeats('h1', 'ann', [v as string]), code: 'SEAT_UNKNOWN', field: 'seats[0]' },
    { cmd: (v) => holdGa('h1', 'ann', v as string, 1), code: 'GA_AREA_UNKNOWN', field: 'gaAreaId' },
    { cmd: (v) => holdBest('h1', 'ann', 1, { filter: { zone: v } }), code: 'FILTER_UNKNOWN_ZONE', field: 'filter.zone' },
    { cmd: (v) => createQuota('q1', [v as string], 'quotaFirst', { seats: ['MAIN-1-1'] }), code: 'CHANNEL_UNKNOWN', field: 'channels[0]' },
    { cmd: (v) => createQuota('q1', ['web'], 'quotaFirst', { seats: [v] }), code: 'SEAT_UNKNOWN', field: 'seats[0]' },
    { cmd: (v) => hardTickets('b1', 'outlet', 'note', { seats: [v] }), code: 'SEAT_UNKNOWN', field: 'seats[0]' },
    { cmd: (v) => createPresale('CODE', v as string, 0, 10 * OPEN, 10, 2), code: 'TICKET_TYPE_UNKNOWN', field: 'ticketType' },
    { cmd: (v) => scan(v), code: 'TICKET_NOT_FOUND', field: 'ticketId' },
    { cmd: (v) => voidTicket(v), code: 'TICKET_NOT_FOUND', field: 'ticketId' },
  ];

  it.each(cases.map((c, i) => [i, c] as const))('case %i: an object whose toString is not a function is refused, not thrown', (_, c) => {
    const state = newPerformance();
    play(state, [{ at: OPEN, cmd: c.cmd(noString()), expect: c.code as never, field: c.field, unchanged: true }]);
  });

  it('the same with an object without a prototype, which JSON cannot make but a caller can', () => {
    const state = newPerformance();
    for (const [i, c] of cases.entries()) {
      const result = run(state, { ...(c.cmd(Object.create(null)) as object), commandId: `x${i}` });
      expect(refusal(result).name, c.field).toBe(c.code);
    }
  });

  it('a refusal quotes at most 160 characters of what it was given', () => {
    const state = newPerformance();
    const result = refusal(run(state, holdSeats('h1', 'ann', ['MAIN-1-1'], { channel: { list: 'x'.repeat(10_000) } })));
    expect(result.name).toBe('CHANNEL_UNKNOWN');
    expect(result.message.length).toBeLessThan(200);
  });
});

describe('what a snapshot could not give back is refused before it is kept', () => {
  const lone = 'ann\ud800';
  const cases: { why: string; cmd: Loose; field: string }[] = [
    { why: 'a lone surrogate in an id', cmd: holdSeats('h1', lone, ['MAIN-1-1']), field: 'buyerId' },
    { why: 'a lone surrogate in a seat id', cmd: holdSeats('h1', 'ann', [lone]), field: 'seats[0]' },
    { why: 'a lone surrogate in a field of the caller\'s', cmd: holdSeats('h1', 'ann', ['MAIN-1-1'], { note: lone }), field: 'note' },
    { why: 'a lone surrogate in a field name', cmd: holdSeats('h1', 'ann', ['MAIN-1-1'], { [lone]: 1 }), field: lone },
    { why: 'a lone surrogate in a nested field', cmd: holdBest('h1', 'ann', 1, { filter: { zone: lone } }), field: 'filter.zone' },
    { why: 'a field named __proto__ (JSON.parse makes one)', cmd: { ...(holdSeats('h1', 'ann', ['MAIN-1-1']) as object), ...JSON.parse('{"__proto__":{"x":1}}') }, field: '__proto__' },
    { why: 'a nested field named __proto__', cmd: holdBest('h1', 'ann', 1, { filter: JSON.parse('{"__proto__":1}') }), field: 'filter.__proto__' },
    { why: 'a number that is not finite', cmd: holdBest('h1', 'ann', Number.NaN), field: 'count' },
    { why: 'an infinite number in a field of the caller\'s', cmd: scan('P1-T0', { weight: Number.POSITIVE_INFINITY }), field: 'weight' },
    { why: 'values nested too deep', cmd: holdSeats('h1', 'ann', ['MAIN-1-1'], { note: [[[[[['deep']]]]]] }), field: 'note[0][0][0][0][0]' },
    // An in-process caller's values with no JSON form: a symbol made every later snapshot throw,
    // a Map or a function came back changed (a retry after a restore was COMMAND_ID_REUSED).
    { why: 'a symbol', cmd: holdSeats('h1', 'ann', ['MAIN-1-1'], { note: Symbol('x') }), field: 'note' },
    { why: 'a function', cmd: holdSeats('h1', 'ann', ['MAIN-1-1'], { note: () => 1 }), field: 'note' },
    { why: 'a bigint', cmd: holdSeats('h1', 'ann', ['MAIN-1-1'], { note: [1n] }), field: 'note[0]' },
    { why: 'a Map', cmd: holdSeats('h1', 'ann', ['MAIN-1-1'], { note: new Map([['a', 1]]) }), field: 'note' },
    { why: 'a Date', cmd: holdSeats('h1', 'ann', ['MAIN-1-1'], { note: { at: new Date(0) } }), field: 'note.at' },
    { why: 'a class\'s instance as the command', cmd: Object.assign(new (class Hold {})(), holdSeats('h1', 'ann', ['MAIN-1-1'])), field: '' },
  ];

  it.each(cases.map((c) => [c.why, c] as const))('%s: COMMAND_INVALID naming the place, nothing kept', (_, c) => {
    const state = newPerformance();
    play(state, [
      { at: OPEN, cmd: c.cmd, expect: 'COMMAND_INVALID', field: c.field, sameHash: true },
      // Not remembered (as TIME_REGRESSED): the id is free for the command meant.
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-1-1']), expect: 'OK' },
    ]);
    expect(restored(state).same).toBe(true);
  });

  it('well-formed text of any script, and emoji (surrogate pairs), is kept exactly', () => {
    const state = newPerformance();
    const buyer = 'Zoë 李 🎫';
    play(state, [
      { at: OPEN, cmd: holdSeats('h1', buyer, ['MAIN-1-1'], { note: '🎟️ ok' }), expect: 'OK' },
      { at: OPEN, cmd: confirm('h1', buyer), expect: 'OK' },
    ]);
    const { twin, same } = restored(state);
    expect(same).toBe(true);
    // A retry after the restore is the same payload, answered as the first time.
    expect(run(twin, holdSeats('h1', buyer, ['MAIN-1-1'], { note: '🎟️ ok' }))).toEqual(run(state, holdSeats('h1', buyer, ['MAIN-1-1'], { note: '🎟️ ok' })));
    expect(run(twin, confirm('h1', buyer))).toEqual(run(state, confirm('h1', buyer)));
  });

  it('a batch\'s strings are checked too, its words are not walked', () => {
    const state = newPerformance();
    const batch = { type: 'commandBatch', commandId: 'b1', sessionNo: 0, requestNo: 1, count: 0, words: new Uint8Array(0), strings: [lone] };
    play(state, [{ at: OPEN, cmd: batch, expect: 'COMMAND_INVALID', field: 'strings[0]', sameHash: true }]);
  });
});

describe('a retry gives the same payload when it gives NaN again', () => {
  it('NaN equals NaN in a retry\'s payload, before and after a restore', async () => {
    const { samePayload } = await import('../../src/domain/mod.ts');
    expect(samePayload({ count: Number.NaN, list: [Number.NaN] }, { count: Number.NaN, list: [Number.NaN] })).toBe(true);
    expect(samePayload({ count: Number.NaN }, { count: 1 })).toBe(false);
    expect(samePayload({ count: 0 }, { count: Number.NaN })).toBe(false);
  });
});
