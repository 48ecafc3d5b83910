// Client sessions and the envelope of binary batches (sessions.ts, binary.ts): opening and
// resuming a session; a batch refused whole (unknown session, bad request number, count or
// buffer, time going back) changes nothing; the last request again is answered as the first time
// and applied once, with other commands it is REQUEST_REUSED; binary holds seen through the object
// API (confirmed, released, refused by their `#slot.no` id, their fate remembered, the buyer's
// caps shared); command ids starting with #; the numeric buyer key and its hash; snapshots; the
// seats best-available records found, kept with the session's last request (retries, snapshots,
// commandBatch's foundSeats).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  aligned, ANY, auditPerformance, BinaryOp, Code, commandWords, type CodeName, binaryHoldId, parseBinaryHoldId, decodeSnapshot, encodeSnapshot, execute, executeBatch, limits, REPLY_WORDS,
  stateHash, type BatchAccepted, type PerformanceState, type Result,
} from '../../src/domain/mod.ts';
import { decimalKeyOf } from '../../src/domain/buyers.ts';
import { hall, newPerformance, OPEN, TTL } from '../scenarios/helpers.ts';
import { sameBytes } from '../snapshot-compare.ts';

/** Words for these commands (each: op, buyer key, then the op's own words). */
const words = (...records: number[][]): Int32Array => commandWords(records);
const hold = (buyer: number, seats: number[], channel = 0, type = -1) => [BinaryOp.HOLD_SEATS, buyer, 0, channel, type, seats.length, ...seats];
const release = (buyer: number, slot: number, no: number) => [BinaryOp.RELEASE_HOLD, buyer, 0, slot, no];
const confirm = (buyer: number, slot: number, no: number) => [BinaryOp.CONFIRM_HOLD, buyer, 0, slot, no];
/** A best-available hold: zone and section by their place in the layout (ANY for any), accessible 0 or 1. */
const best = (buyer: number, count: number, zone = ANY, section = ANY, accessible = 0) => [BinaryOp.HOLD_BEST_AVAILABLE, buyer, 0, 0, -1, count, zone, section, accessible];
/** The hall's zone B (the balcony) and G (standing places only: no seat is in it), by place. */
const ZONE_B = hall.zoneIds.indexOf('B');
const ZONE_G = hall.zoneIds.indexOf('G');
/** Seat numbers as the layout's seat ids, to read found seats by. */
const seatIdsOf = (seats: ArrayLike<number>) => Array.from(seats, (seat) => hall.seatIds[seat]);

function opened(state: PerformanceState, clientId = 'gw-1'): number {
  const r = execute(state, { type: 'openSession', commandId: `open-${clientId}-${state.sessions.list.length}`, clientId }, Math.max(OPEN, state.lastNowMs));
  if (!r.ok) throw new Error(r.message);
  return (r as { sessionNo: number }).sessionNo;
}

function ok(r: BatchAccepted | Result): BatchAccepted {
  if (!r.ok) throw new Error(`${r.name}: ${r.message}`);
  return r as BatchAccepted;
}

const codeOf = (r: BatchAccepted, i: number) => r.replies[i * REPLY_WORDS];
const name = (r: BatchAccepted | Result) => (r.ok ? 'OK' : (r as { name: string }).name);

describe('sessions', () => {
  it('opens one session per client, resumed with its last request, and no more than the limit', () => {
    const s = newPerformance();
    expect(opened(s, 'a')).toBe(0);
    expect(opened(s, 'b')).toBe(1);
    ok(executeBatch(s, 0, 1, words(hold(1, [0])), 1, OPEN));
    expect(execute(s, { type: 'openSession', commandId: 'again', clientId: 'a' }, OPEN)).toEqual({ ok: true, sessionNo: 0, requestNo: 1 });
    expect(name(execute(s, { type: 'openSession', commandId: 'bad', clientId: '' }, OPEN))).toBe('COMMAND_INVALID');
    for (let i = 2; i < limits.sessionsPerPerformanceMax; i++) opened(s, `c${i}`);
    const over = execute(s, { type: 'openSession', commandId: 'over', clientId: 'one-too-many' }, OPEN);
    expect(name(over)).toBe('SESSIONS_LIMIT_REACHED');
    expect(auditPerformance(s)).toEqual([]);
  });

  it('refuses a batch whole, changing nothing, when its envelope is wrong', () => {
    const s = newPerformance();
    const session = opened(s);
    const one = words(hold(1, [0]));
    const before = stateHash(s);
    expect(name(executeBatch(s, 5, 1, one, 1, OPEN))).toBe('SESSION_UNKNOWN');
    expect(name(executeBatch(s, -1, 1, one, 1, OPEN))).toBe('SESSION_UNKNOWN');
    expect(name(executeBatch(s, session, 0, one, 1, OPEN))).toBe('BATCH_INVALID');
    expect(name(executeBatch(s, session, 2, one, 1, OPEN))).toBe('REQUEST_OUT_OF_ORDER');
    expect(name(executeBatch(s, session, 1, one, 0, OPEN))).toBe('BATCH_INVALID');
    expect(name(executeBatch(s, session, 1, one, limits.batchCommandsMax + 1, OPEN))).toBe('BATCH_INVALID');
    expect(name(executeBatch(s, session, 1, one, 2, OPEN))).toBe('BATCH_INVALID');
    expect(name(executeBatch(s, session, 1, [1, 2, 3] as unknown as Int32Array, 1, OPEN))).toBe('BATCH_INVALID');
    // Strings the session could not keep exactly (found in session 29: accepted, they made a
    // retry after a snapshot REQUEST_REUSED, or the snapshot throw).
    for (const bad of ['b\ud800', Symbol('x'), 7, Number.NaN, null] as unknown[]) {
      expect(executeBatch(s, session, 1, one, 1, OPEN, ['web', bad as string]), String(bad)).toMatchObject({ ok: false, name: 'BATCH_INVALID', field: 'strings[1]' });
    }
    expect(stateHash(s)).toBe(before);
    ok(executeBatch(s, session, 1, one, 1, OPEN + 10));
    const after = stateHash(s);
    expect(name(executeBatch(s, session, 2, words(hold(2, [1])), 1, OPEN + 9))).toBe('TIME_REGRESSED');
    expect(stateHash(s)).toBe(after);
  });

  it('answers the last request again as the first time, once applied; older requests and other commands are refused', () => {
    const s = newPerformance();
    const session = opened(s);
    const first = ok(executeBatch(s, session, 1, words(hold(1, [0, 1]), hold(2, [1])), 2, OPEN));
    expect([codeOf(first, 0), codeOf(first, 1)]).toEqual([0, 33]);
    const replies = Array.from(first.replies);
    const [slot, no] = [first.replies[1], first.replies[2]];
    const hash = stateHash(s);
    // Redelivered (at any time, even an earlier one): the same reply, nothing applied again.
    const again = ok(executeBatch(s, session, 1, words(hold(1, [0, 1]), hold(2, [1])), 2, OPEN - 5));
    expect(again.retried).toBe(true);
    expect(Array.from(again.replies)).toEqual(replies);
    expect(again.expiresAtMs).toBe(OPEN + TTL);
    expect(stateHash(s)).toBe(hash);
    expect(name(executeBatch(s, session, 1, words(hold(1, [0, 2]), hold(2, [1])), 2, OPEN))).toBe('REQUEST_REUSED');
    expect(name(executeBatch(s, session, 1, words(hold(1, [0, 1])), 1, OPEN))).toBe('REQUEST_REUSED');
    ok(executeBatch(s, session, 2, words(release(1, slot, no)), 1, OPEN + 1));
    expect(name(executeBatch(s, session, 1, words(hold(1, [0, 1]), hold(2, [1])), 2, OPEN + 1))).toBe('REQUEST_TOO_OLD');
    // The released hold's number, with a slot of 9 digits (any slot: the fate is kept by number)
    // or 10 (no id names it, so no hold is found), as the object path answers its id.
    const late = ok(executeBatch(s, session, 3, words(release(1, 999_999_999, no), release(1, 1_000_000_000, no)), 2, OPEN + 1));
    expect([codeOf(late, 0), codeOf(late, 1)]).toEqual([Code.HOLD_RELEASED, Code.HOLD_NOT_FOUND]);
    expect(name(execute(s, { type: 'releaseHold', commandId: 'r-9', holdId: `#999999999.${no}`, buyerId: '1' }, OPEN + 1))).toBe('HOLD_RELEASED');
    expect(name(execute(s, { type: 'releaseHold', commandId: 'r-10', holdId: `#1000000000.${no}`, buyerId: '1' }, OPEN + 1))).toBe('HOLD_NOT_FOUND');
    // Two sessions number their requests each on their own.
    const other = opened(s, 'gw-2');
    expect(codeOf(ok(executeBatch(s, other, 1, words(hold(3, [0])), 1, OPEN + 2)), 0)).toBe(0);
    expect(auditPerformance(s)).toEqual([]);
  });

  it('refuses a command of unknown op and a buyer key of 2^53 or more, and applies the rest of the batch', () => {
    const s = newPerformance();
    const session = opened(s);
    const batch = words([99, 1, 0], [BinaryOp.HOLD_SEATS, 1, 1 << 21, 0, -1, 1, 0], hold(1, [0]), [BinaryOp.RELEASE_HOLD, 1, -1, 0, 0]);
    const r = ok(executeBatch(s, session, 1, batch, 4, OPEN));
    expect([0, 1, 2, 3].map((i) => codeOf(r, i))).toEqual([2, 1, 0, 1]);
    // The refused seat's position comes back in the reply's second word.
    const taken = ok(executeBatch(s, session, 2, words(hold(2, [5, 0])), 1, OPEN));
    expect([codeOf(taken, 0), taken.replies[1]]).toEqual([33, 1]);
  });
});

describe('seats found by best-available records', () => {
  // One batch: two searches, an explicit hold between them, a refused search (no seats of its
  // own), a search for a wheelchair place; its found seats are the three accepted searches', in order.
  const batch = () => words(best(1, 2), hold(2, [0]), best(3, 3, ZONE_B), best(4, 2, 7), best(5, 1, ANY, ANY, 1));
  const expected = ['MAIN-1-4', 'MAIN-1-5', 'BALC-1-4', 'BALC-1-5', 'BALC-1-6', 'MAIN-3-1'];

  it('come back with the batch, in order, as the holds\' seats; a retry answers them again, before and after a snapshot', () => {
    const s = newPerformance();
    const session = opened(s);
    const first = ok(executeBatch(s, session, 1, batch(), 5, OPEN));
    expect([0, 1, 2, 3, 4].map((i) => codeOf(first, i))).toEqual([0, 0, 0, Code.FILTER_UNKNOWN_ZONE, 0]);
    const found = Array.from(first.foundSeats);
    expect(seatIdsOf(found)).toEqual(expected);
    // Each accepted search's share of them is the seats of the hold its reply names.
    const heldBy = (i: number) => s.holds.findBinary(first.replies[i * REPLY_WORDS + 1], first.replies[i * REPLY_WORDS + 2])?.seats;
    expect([heldBy(0), heldBy(2), heldBy(4)]).toEqual([found.slice(0, 2), found.slice(2, 5), found.slice(5)]);
    const replies = Array.from(first.replies);
    const hash = stateHash(s);
    // Redelivered: the same replies and seats, nothing searched or held again.
    const again = ok(executeBatch(s, session, 1, batch(), 5, OPEN + 7));
    expect([again.retried, Array.from(again.replies), Array.from(again.foundSeats)]).toEqual([true, replies, found]);
    expect(stateHash(s)).toBe(hash);
    // A batch refused whole is no request: the last one's seats stay for its retry.
    expect(name(executeBatch(s, session, 2, words(best(6, 1)), 1, OPEN - 1))).toBe('TIME_REGRESSED');
    expect(Array.from(ok(executeBatch(s, session, 1, batch(), 5, OPEN)).foundSeats)).toEqual(found);
    // The snapshot keeps them: the decoded performance answers the retry as the first time.
    const bytes = encodeSnapshot(s);
    const decoded = decodeSnapshot(bytes, hall);
    expect(sameBytes(encodeSnapshot(decoded), bytes)).toBe(true);
    expect(auditPerformance(decoded)).toEqual([]);
    const retried = ok(executeBatch(decoded, session, 1, batch(), 5, OPEN + 1));
    expect([retried.retried, Array.from(retried.replies), Array.from(retried.foundSeats)]).toEqual([true, replies, found]);
    expect(sameBytes(encodeSnapshot(decoded), bytes)).toBe(true);
    // The next request searches again on both alike: same replies, seats and bytes after it.
    const next = words(release(1, replies[1], replies[2]), best(6, 2), confirm(3, replies[9], replies[10]), best(7, 2, ANY, hall.sectionIds.indexOf('BALC')));
    const [a, b] = [s, decoded].map((x) => ok(executeBatch(x, session, 2, next, 4, OPEN + 2))).map((r) => [Array.from(r.replies), seatIdsOf(r.foundSeats)]);
    expect(b).toEqual(a);
    expect((a[0] as number[]).filter((_, i) => i % REPLY_WORDS === 0)).toEqual([0, 0, 0, 0]);
    // MAIN-1-4 and -5 are free again, and the best two seats of the hall once more.
    expect(a[1]).toEqual(['MAIN-1-4', 'MAIN-1-5', 'BALC-2-3', 'BALC-2-4']);
    expect(sameBytes(encodeSnapshot(decoded), encodeSnapshot(s))).toBe(true);
  });

  it('are none for a request that found none, though the request before found some, also after a snapshot', () => {
    const s = newPerformance();
    const session = opened(s);
    expect(ok(executeBatch(s, session, 1, batch(), 5, OPEN)).foundSeats.length).toBe(6);
    // Refused searches (zone G has no seat; 11 seats are too many) and an explicit hold: no seats.
    const none = words(best(8, 1, ZONE_G), best(9, 11), hold(10, [30]));
    const r = ok(executeBatch(s, session, 2, none, 3, OPEN + 1));
    expect([codeOf(r, 0), codeOf(r, 1), codeOf(r, 2)]).toEqual([Code.NOT_ENOUGH_SEATS, Code.SEATS_PER_HOLD_EXCEEDED, 0]);
    expect(r.foundSeats.length).toBe(0);
    expect(ok(executeBatch(s, session, 2, none, 3, OPEN + 1)).foundSeats.length).toBe(0);
    const bytes = encodeSnapshot(s);
    const decoded = decodeSnapshot(bytes, hall);
    expect(sameBytes(encodeSnapshot(decoded), bytes)).toBe(true);
    const retried = ok(executeBatch(decoded, session, 2, none, 3, OPEN + 1));
    expect([retried.retried, retried.foundSeats.length]).toEqual([true, 0]);
  });

  it('travel in commandBatch\'s answer as foundSeats bytes, only when a best-available record was accepted', () => {
    const direct = newPerformance();
    const viaExecute = newPerformance();
    const [sessionA, sessionB] = [opened(direct), opened(viaExecute)];
    const asBytes = (records: Int32Array) => new Uint8Array(records.buffer, records.byteOffset, records.byteLength);
    const send = (requestNo: number, records: Int32Array, count: number, nowMs: number) => {
      const r = execute(viaExecute, { type: 'commandBatch', commandId: `batch-${requestNo}-${nowMs}`, sessionNo: sessionB, requestNo, count, words: asBytes(records) }, nowMs);
      if (!r.ok) throw new Error(`${r.name}: ${r.message}`);
      return r as { retried: boolean; replies: Uint8Array; foundSeats?: Uint8Array };
    };
    // Explicit holds only, then searches all refused: no foundSeats at all, as before best available.
    const holds = words(hold(1, [0, 1]), hold(2, [2]));
    expect('foundSeats' in send(1, holds, 2, OPEN)).toBe(false);
    const refused = words(best(3, 0), best(3, 1, ZONE_G), best(3, 1, ANY, 9), best(3, 1, ANY, ANY, 2));
    const nothing = send(2, refused, 4, OPEN);
    expect(Array.from(aligned(nothing.replies, Int32Array)).filter((_, i) => i % REPLY_WORDS === 0)).toEqual([
      Code.COMMAND_INVALID, Code.NOT_ENOUGH_SEATS, Code.FILTER_UNKNOWN_SECTION, Code.COMMAND_INVALID,
    ]);
    expect('foundSeats' in nothing).toBe(false);
    // Accepted searches: the seats as 32-bit words, executeBatch's own.
    ok(executeBatch(direct, sessionA, 1, holds, 2, OPEN));
    ok(executeBatch(direct, sessionA, 2, refused, 4, OPEN));
    const searches = words(best(4, 2), hold(5, [40]), best(6, 1, ZONE_B));
    const expectedSeats = Array.from(ok(executeBatch(direct, sessionA, 3, searches, 3, OPEN)).foundSeats);
    expect(expectedSeats.length).toBe(3);
    const answered = send(3, searches, 3, OPEN);
    expect(answered.foundSeats?.byteLength).toBe(3 * 4);
    expect(Array.from(aligned(answered.foundSeats!, Int32Array))).toEqual(expectedSeats);
    // A retry (another command id, the same request) carries them again.
    const retried = send(3, searches, 3, OPEN + 1);
    expect([retried.retried, Array.from(aligned(retried.foundSeats!, Int32Array))]).toEqual([true, expectedSeats]);
    // A copy: the session's next request does not change it.
    const replies = aligned(answered.replies, Int32Array);
    expect('foundSeats' in send(4, words(release(4, replies[1], replies[2]), best(7, 3)), 2, OPEN + 2)).toBe(true);
    expect(Array.from(aligned(answered.foundSeats!, Int32Array))).toEqual(expectedSeats);
    expect(auditPerformance(viaExecute)).toEqual([]);
  });
});

describe('commandBatch, the batch as a command object', () => {
  it('answers as executeBatch, with the replies copied out as bytes, from words at any byte offset', () => {
    const direct = newPerformance();
    const viaExecute = newPerformance();
    const records = words(hold(1, [0, 1]), hold(2, [1]), hold(3, [2]));
    const expected = Array.from(ok(executeBatch(direct, opened(direct), 1, records, 3, OPEN)).replies);
    const session = opened(viaExecute);
    // One byte in: the words are not 4-aligned in their buffer, as a decoded message's may be.
    const shifted = new Uint8Array(records.byteLength + 1).fill(0xee);
    shifted.set(new Uint8Array(records.buffer), 1);
    const r = execute(viaExecute, { type: 'commandBatch', commandId: 'batch-1', sessionNo: session, requestNo: 1, count: 3, words: shifted.subarray(1) }, OPEN);
    expect(r.ok).toBe(true);
    const bytes = (r as unknown as { replies: Uint8Array }).replies;
    expect(Array.from(aligned(bytes, Int32Array))).toEqual(expected);
    // A copy: the session's next request does not change it.
    ok(executeBatch(viaExecute, session, 2, words(release(1, expected[1], expected[2])), 1, OPEN));
    expect(Array.from(aligned(bytes, Int32Array))).toEqual(expected);
    expect(stateHash(viaExecute)).not.toBe(stateHash(direct));
    expect(name(execute(viaExecute, { type: 'commandBatch', commandId: 'b', sessionNo: session, requestNo: 3, count: 1, words: new Uint8Array(7) }, OPEN))).toBe('BATCH_INVALID');
  });
});

describe('binary holds through the object API', () => {
  it('are holds like any other: queried, confirmed and released by their #slot.no id, their fate remembered', () => {
    const s = newPerformance();
    const session = opened(s);
    const held = ok(executeBatch(s, session, 1, words(hold(42, [0, 1]), hold(43, [2])), 2, OPEN));
    const idA = binaryHoldId(held.replies[1], held.replies[2]);
    const idB = binaryHoldId(held.replies[5], held.replies[6]);
    expect(s.holds.get(idA)?.seats).toEqual([0, 1]);
    expect([...s.holds.keys()]).toEqual([idA, idB]);
    expect(name(execute(s, { type: 'confirmHold', commandId: 'x1', holdId: idA, buyerId: '43' }, OPEN + 1))).toBe('HOLD_NOT_OWNED');
    const order = execute(s, { type: 'confirmHold', commandId: 'x2', holdId: idA, buyerId: '42' }, OPEN + 1);
    expect(order).toMatchObject({ ok: true, holdId: idA, totalMinor: 10_000 });
    expect(name(execute(s, { type: 'releaseHold', commandId: 'x3', holdId: idA, buyerId: '42' }, OPEN + 2))).toBe('HOLD_ALREADY_CONFIRMED');
    expect(execute(s, { type: 'releaseHold', commandId: 'x4', holdId: idB, buyerId: '43' }, OPEN + 2).ok).toBe(true);
    // The binary path learns the same fates.
    const late = ok(executeBatch(s, session, 2, words(confirm(42, held.replies[1], held.replies[2]), release(43, held.replies[5], held.replies[6])), 2, OPEN + 3));
    expect([codeOf(late, 0), codeOf(late, 1)]).toEqual([46, 45]);
    // A hold that expires is told so on both paths.
    const third = ok(executeBatch(s, session, 3, words(hold(44, [3])), 1, OPEN + 4));
    const idC = binaryHoldId(third.replies[1], third.replies[2]);
    const expired = ok(executeBatch(s, session, 4, words(confirm(44, third.replies[1], third.replies[2])), 1, OPEN + 4 + TTL));
    expect(codeOf(expired, 0)).toBe(44);
    expect(name(execute(s, { type: 'releaseHold', commandId: 'x5', holdId: idC, buyerId: '44' }, OPEN + 5 + TTL))).toBe('HOLD_EXPIRED');
    expect(name(execute(s, { type: 'releaseHold', commandId: 'x6', holdId: '#9.99', buyerId: '44' }, OPEN + 5 + TTL))).toBe('HOLD_NOT_FOUND');
    expect(auditPerformance(s)).toEqual([]);
  });

  it('count against the same buyer as object holds of the buyer whose id is the key in decimal', () => {
    const s = newPerformance();
    const session = opened(s);
    for (const seat of [11, 12]) expect(execute(s, { type: 'holdSeats', commandId: `h${seat}`, buyerId: '7', channel: 'web', seatNos: [seat] }, OPEN).ok).toBe(true);
    const r = ok(executeBatch(s, session, 1, words(hold(7, [20]), hold(8, [20])), 2, OPEN));
    expect([codeOf(r, 0), codeOf(r, 1)]).toEqual([51, 0]);
    expect(s.buyers.get('8')).toEqual({ openHolds: 1, heldTickets: 1, soldTickets: 0 });
  });

  it('refuses command ids starting with #, which name binary holds', () => {
    const s = newPerformance();
    const r = execute(s, { type: 'holdSeats', commandId: '#0.0', buyerId: 'b', channel: 'web', seatNos: [0] }, OPEN);
    expect(r).toMatchObject({ ok: false, name: 'COMMAND_INVALID', field: 'commandId' });
  });

  it('snapshot and decode to the same bytes, and the decoded performance goes on as the original', () => {
    const s = newPerformance();
    const session = opened(s);
    // Replies are a view of the session's buffer, which the next request writes over: keep a copy.
    const held = { replies: Array.from(ok(executeBatch(s, session, 1, words(hold(1, [0, 1]), hold(2, [2]), hold(3, [3])), 3, OPEN)).replies) };
    ok(executeBatch(s, session, 2, words(release(2, held.replies[5], held.replies[6]), confirm(3, held.replies[9], held.replies[10])), 2, OPEN + 1));
    const bytes = encodeSnapshot(s);
    const decoded = decodeSnapshot(bytes, hall);
    expect(sameBytes(encodeSnapshot(decoded), bytes)).toBe(true);
    expect(auditPerformance(decoded)).toEqual([]);
    // The last request again: the same reply from the decoded performance.
    const retry = words(release(2, held.replies[5], held.replies[6]), confirm(3, held.replies[9], held.replies[10]));
    expect(Array.from(ok(executeBatch(decoded, session, 2, retry, 2, OPEN + 1)).replies)).toEqual(Array.from(ok(executeBatch(s, session, 2, retry, 2, OPEN + 1)).replies));
    // The next request: the same replies and the same bytes after it on both.
    const next = words(release(1, held.replies[1], held.replies[2]), confirm(2, held.replies[5], held.replies[6]), hold(4, [0, 1, 2]));
    const a = Array.from(ok(executeBatch(s, session, 3, next, 3, OPEN + 2)).replies);
    const b = Array.from(ok(executeBatch(decoded, session, 3, next, 3, OPEN + 2)).replies);
    expect(b).toEqual(a);
    expect([a[0], a[4], a[8]]).toEqual([0, 45, 0]);
    expect(sameBytes(encodeSnapshot(decoded), encodeSnapshot(s))).toBe(true);
  });
});

describe('binary hold ids', () => {
  // parseBinaryHoldId reads ids by hand (a courier reads one per confirm): the form is exact,
  // `#<slot>.<binaryNo>` with no leading zeros, a slot of at most 9 digits, a number of at most
  // 2^31 - 1; anything else names no binary hold.
  it('reads back exactly the ids binaryHoldId makes, and nothing else', () => {
    for (const [slot, no] of [[0, 0], [1, 2], [12, 345], [999_999_999, 2_147_483_647]]) expect(parseBinaryHoldId(binaryHoldId(slot, no))).toEqual([slot, no]);
    for (const id of ['#01.2', '#1.02', '#.2', '#1.', '#1', '#a.b', '1.2', '#1.2.3', '#1234567890.1', '#1.2147483648', '#1.12345678901', '#-1.2', '#1.-2', '', '#', '#1.2 ', ' #1.2', '#0.00', '#1,2']) {
      expect(parseBinaryHoldId(id), id).toBeNull();
    }
  });
});

describe('coverage', () => {
  it('expects every code of 160-169 in this file', () => {
    const text = readFileSync(new URL(import.meta.url), 'utf8');
    const missing = (Object.keys(Code) as CodeName[]).filter((n) => Code[n] >= 160 && Code[n] < 170 && !text.includes(`toBe('${n}')`));
    expect(missing).toEqual([]);
  });
});

describe('numeric buyer keys', () => {
  it('find the buyer an object command named by the key in decimal, and the other way round, across the whole range', () => {
    const s = newPerformance((spec) => { spec.maxOpenHoldsPerBuyer = 1; });
    const session = opened(s);
    const keys = [0, 9, 4711, 2 ** 31 - 1, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 3, 2 ** 53 - 1];
    keys.forEach((key, i) => {
      const byObject = i % 2 === 0;
      if (byObject) expect(execute(s, { type: 'holdSeats', commandId: `o${i}`, buyerId: String(key), channel: 'web', seatNos: [i] }, OPEN).ok).toBe(true);
      const r = ok(executeBatch(s, session, i + 1, words([BinaryOp.HOLD_SEATS, key % 2 ** 32 | 0, Math.floor(key / 2 ** 32), 0, -1, 1, 20 + i]), 1, OPEN));
      // One open hold per buyer: the binary hold is refused exactly when the object one came first.
      expect(codeOf(r, 0), String(key)).toBe(byObject ? 51 : 0);
      if (!byObject) expect(name(execute(s, { type: 'holdSeats', commandId: `p${i}`, buyerId: String(key), channel: 'web', seatNos: [i] }, OPEN)), String(key)).toBe('BUYER_HOLD_LIMIT');
      expect(s.buyers.get(String(key)), String(key)).toEqual({ openHolds: 1, heldTickets: 1, soldTickets: 0 });
    });
    expect(s.buyers.size).toBe(keys.length);
    expect(auditPerformance(s)).toEqual([]);
    expect([...s.holds.values()].map((h) => h.buyerId).sort()).toEqual(keys.map(String).sort());
  });

  it('stand for the ids that are plain decimal numbers only', () => {
    expect(['0', '7', '4711', '9007199254740991'].map(decimalKeyOf)).toEqual([0, 7, 4711, 9007199254740991]);
    expect(['', '07', '-1', '1e3', '1.5', ' 1', 'b1', '9007199254740992', '12345678901234567'].map(decimalKeyOf)).toEqual(Array(9).fill(-1));
  });
});
