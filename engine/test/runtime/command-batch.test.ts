// Binary command batches through the runtime (COMMANDS.md "Binary command batches"): a client
// opens a session on a performance, then sends `commandBatch` commands (its words as bytes)
// like any other command: routed to the performance's shard, journaled in the group-commit
// record, applied by the actor, answered with the reply words as bytes. An engine restarted on
// the same journal replays them to the same state, answers the last request again as the first
// time, and goes on with the next.
import { describe, expect, it } from 'vitest';
import { aligned, ANY, BinaryOp, commandWords, compileLayout, theatreLayout, REPLY_WORDS, type BatchAnswered, type Result } from '../../src/domain/mod.ts';
import { EmbeddedBus, type Engine } from '../../src/runtime/mod.ts';
import { engines, expectCode, expectOk, open, seatCounts, stateHash, T0, tickets } from './helpers.ts';

const { start, stop } = engines();

/** The layout open() gives a performance (its seat ids by seat number). */
function compiledTheatre() {
  const r = compileLayout(theatreLayout());
  if (!r.ok) throw new Error(r.message);
  return r.layout;
}

/** A commandBatch of these records (op, buyer key low word, high word, then the op's own words). */
function batch(commandId: string, requestNo: number, ...records: number[][]): { type: 'commandBatch'; commandId: string; sessionNo: number; requestNo: number; count: number; words: Uint8Array } {
  return { type: 'commandBatch', commandId, sessionNo: 0, requestNo, count: records.length, words: new Uint8Array(commandWords(records).buffer) };
}

function replies(r: Result): number[][] {
  expectOk(r);
  const bytes = (r as BatchAnswered).replies;
  const words = aligned(bytes, Int32Array);
  return Array.from({ length: words.length / REPLY_WORDS }, (_, i) => Array.from(words.subarray(i * REPLY_WORDS, (i + 1) * REPLY_WORDS)));
}

async function openSession(engine: Engine, performanceId: string): Promise<void> {
  expect(await engine.submit(performanceId, { type: 'openSession', commandId: `${performanceId}-session`, clientId: 'gateway-1' }, T0)).toEqual({ ok: true, sessionNo: 0, requestNo: 0 });
}

describe('commandBatch in the runtime', () => {
  it('holds, confirms and releases through a worker, and a restart on the journal replays the batches', async () => {
    const bus = new EmbeddedBus({ keepJournal: true });
    const first = await start({ workers: 1, shards: 2, bus });
    expectOk(await first.submit('P1', open('P1'), T0));
    await openSession(first, 'P1');
    const held = replies(await first.submit('P1', batch('b1', 1, [BinaryOp.HOLD_SEATS, 7, 0, 0, -1, 2, 0, 1], [BinaryOp.HOLD_SEATS, 8, 0, 0, -1, 1, 1], [BinaryOp.HOLD_SEATS, 9, 0, 0, -1, 1, 2]), T0 + 1));
    expect(held.map((r) => r[0])).toEqual([0, 33, 0]);
    expect(await seatCounts(first, 'P1')).toMatchObject({ held: 3, sold: 0 });
    const [a, , c] = held;
    const done = replies(await first.submit('P1', batch('b2', 2, [BinaryOp.CONFIRM_HOLD, 7, 0, a[1], a[2]], [BinaryOp.RELEASE_HOLD, 9, 0, c[1], c[2]]), T0 + 2));
    expect(done.map((r) => r[0])).toEqual([0, 0]);
    const rows = await tickets(first, 'P1');
    expect(rows.map((t) => [t.buyerId, t.seatId, t.status])).toEqual([['7', 'STALLS-A-1', 'valid'], ['7', 'STALLS-A-2', 'valid']]);
    expect(done[0][3]).toBe(rows[0].priceMinor + rows[1].priceMinor);
    const hash = await stateHash(first, 'P1');
    await stop(first);

    const second = await start({ workers: 1, shards: 2, bus });
    expect(await stateHash(second, 'P1')).toBe(hash);
    // The last request again: answered as the first time, nothing applied twice.
    const again = await second.submit('P1', batch('b2-again', 2, [BinaryOp.CONFIRM_HOLD, 7, 0, a[1], a[2]], [BinaryOp.RELEASE_HOLD, 9, 0, c[1], c[2]]), T0 + 3);
    expect(replies(again)).toEqual(done);
    expect((again as BatchAnswered).retried).toBe(true);
    expect(await stateHash(second, 'P1')).toBe(hash);
    expectCode(await second.submit('P1', batch('b1-late', 1, [BinaryOp.HOLD_SEATS, 7, 0, 0, -1, 1, 5]), T0 + 3), 'REQUEST_TOO_OLD');
    const next = replies(await second.submit('P1', batch('b3', 3, [BinaryOp.CONFIRM_HOLD, 9, 0, c[1], c[2]], [BinaryOp.HOLD_SEATS, 10, 0, 0, -1, 1, 2]), T0 + 4));
    expect(next.map((r) => r[0])).toEqual([45, 0]);
    expect(await seatCounts(second, 'P1')).toMatchObject({ held: 1, sold: 2 });
  });

  it('best available through a worker: the seats found come back as bytes, and again on a retry after a restart', async () => {
    const bus = new EmbeddedBus({ keepJournal: true });
    const first = await start({ workers: 1, shards: 2, bus });
    expectOk(await first.submit('P1', open('P1'), T0));
    await openSession(first, 'P1');
    // Two searches (2 seats, then 3), any zone and section, with an explicit hold between them.
    const request = batch('ba1', 1, [BinaryOp.HOLD_BEST_AVAILABLE, 7, 0, 0, -1, 2, ANY, ANY, 0], [BinaryOp.HOLD_SEATS, 8, 0, 0, -1, 1, 40], [BinaryOp.HOLD_BEST_AVAILABLE, 9, 0, 0, -1, 3, ANY, ANY, 0]);
    const answer = await first.submit('P1', request, T0 + 1);
    expect(replies(answer).map((r) => r[0])).toEqual([0, 0, 0]);
    const found = Array.from(aligned((answer as BatchAnswered).foundSeats!, Int32Array));
    expect(new Set(found).size).toBe(5);
    await stop(first);

    // A new engine on the journal: the request again is answered as the first time, seats and all.
    const second = await start({ workers: 1, shards: 2, bus });
    const again = await second.submit('P1', { ...request, commandId: 'ba1-again' }, T0 + 2);
    expect((again as BatchAnswered).retried).toBe(true);
    expect(Array.from(aligned((again as BatchAnswered).foundSeats!, Int32Array))).toEqual(found);
    // They are the seats held: confirmed, the tickets are on them, buyer 7's two, then buyer 9's three.
    const [a, , c] = replies(again);
    expect(replies(await second.submit('P1', batch('ba2', 2, [BinaryOp.CONFIRM_HOLD, 7, 0, a[1], a[2]], [BinaryOp.CONFIRM_HOLD, 9, 0, c[1], c[2]]), T0 + 3)).map((r) => r[0])).toEqual([0, 0]);
    const seatIds = compiledTheatre().seatIds;
    expect((await tickets(second, 'P1')).map((t) => [t.buyerId, t.seatId])).toEqual(found.map((seat, i) => [i < 2 ? '7' : '9', seatIds[seat]]));
  });

  it('refuses a batch whose words are not bytes, at the performance, changing nothing', async () => {
    const engine = await start({ workers: 1, shards: 1 });
    expectOk(await engine.submit('P1', open('P1'), T0));
    await openSession(engine, 'P1');
    const bad = { ...batch('bad', 1, [BinaryOp.HOLD_SEATS, 7, 0, 0, -1, 1, 0]), words: [1, 2, 3] as unknown as Uint8Array };
    expectCode(await engine.submit('P1', bad, T0 + 1), 'BATCH_INVALID');
    expectCode(await engine.submit('P1', { ...batch('gap', 2, [BinaryOp.HOLD_SEATS, 7, 0, 0, -1, 1, 0]) }, T0 + 1), 'REQUEST_OUT_OF_ORDER');
    expect(await seatCounts(engine, 'P1')).toMatchObject({ held: 0 });
  });
});
