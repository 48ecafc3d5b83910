// Routing and order: every performance lives on one shard, its commands are journaled and applied
// in the order they were submitted (whatever the batching and the interleaving with other
// performances), and the worker threads end in the same state as a shard run directly in this
// thread on the same commands.
import { describe, expect, it } from 'vitest';
import type { Result } from '../../src/domain/mod.ts';
import { decodeRecord, EmbeddedBus, Shard, shardOf, VenueCatalog, type JournalItem } from '../../src/runtime/mod.ts';
import {
  confirm, engines, expectOk, hold, holdBest, holdGa, idPerShard, open, outcome, release, seatCounts, stall, stateHash, T0, tickets, type Venue,
} from './helpers.ts';

const { start } = engines();

/**
 * One performance's story, seven commands whose outcomes depend on their order: a release
 * before its hold, or the second hold before the release, would read differently.
 */
function story(pid: string, venue: Venue): { items: JournalItem[]; expected: string[] } {
  const at = (k: number) => T0 + k * 1_000;
  const c = (name: string) => `${pid}-${name}`;
  if (venue === 'club') {
    return {
      items: [
        [pid, at(0), open(pid, 'club')],
        [pid, at(1), holdGa(c('h1'), 'b1', 'FLOOR', 5)],
        [pid, at(2), release(c('r1'), c('h1'), 'b1')],
        [pid, at(3), confirm(c('c1'), c('h1'), 'b1')],
        [pid, at(4), holdGa(c('h2'), 'b2', 'BALCONY', 4)],
        [pid, at(5), confirm(c('c2'), c('h2'), 'b2')],
        [pid, at(6), holdGa(c('h3'), 'b3', 'FLOOR', 2)],
      ],
      expected: ['OK', 'OK', 'OK', 'HOLD_RELEASED', 'OK', 'OK', 'OK'],
    };
  }
  const seat = stall('C', 7);
  return {
    items: [
      [pid, at(0), open(pid, 'theatre')],
      [pid, at(1), hold(c('h1'), 'b1', [seat])],
      [pid, at(2), release(c('r1'), c('h1'), 'b1')],
      [pid, at(3), hold(c('h2'), 'b2', [seat])],
      [pid, at(4), hold(c('h3'), 'b3', [seat])],
      [pid, at(5), confirm(c('c2'), c('h2'), 'b2')],
      [pid, at(6), holdBest(c('h4'), 'b4', 3)],
    ],
    expected: ['OK', 'OK', 'OK', 'OK', 'SEAT_NOT_AVAILABLE', 'OK', 'OK'],
  };
}

describe('runtime - routing and order', () => {
  it('keeps each performance on its shard, in submission order, equal to a direct shard run', async () => {
    const shards = 4;
    const bus = new EmbeddedBus({ keepJournal: true });
    // Small batches, so every shard's commands span several journal records and worker messages.
    const engine = await start({ workers: 2, shards, bus, runtime: { batchCommandsMax: 7 } });
    // Two performances on each shard (so each of the two workers serves four), theatres and clubs.
    const pids = [...idPerShard('R', shards), ...idPerShard('Q', shards)];
    const venueOf = (i: number): Venue => (i % 3 === 2 ? 'club' : 'theatre');
    const stories = pids.map((pid, i) => story(pid, venueOf(i)));
    expect(new Set(pids.map((p) => engine.shardOf(p))).size).toBe(shards);

    // Interleaved: step k of every performance, then step k + 1; all in one synchronous burst.
    const submitted: JournalItem[] = [];
    for (let k = 0; k < 7; k++) for (const s of stories) submitted.push(s.items[k]);
    const answers = submitted.map(([pid, nowMs, command]) => engine.submit(pid, command, nowMs));
    // Read-your-writes: asked before any answer, the query still sees every command before it.
    const counts = pids.map((pid) => seatCounts(engine, pid));
    const results = await Promise.all(answers);

    pids.forEach((pid, i) => {
      const mine = submitted.map((item, n) => [item, results[n]] as const).filter(([item]) => item[0] === pid).map(([, r]) => outcome(r));
      expect(mine, pid).toEqual(stories[i].expected);
    });
    const seen = await Promise.all(counts);
    pids.forEach((pid, i) => {
      expect(seen[i], pid).toMatchObject(venueOf(i) === 'club' ? { held: 2, sold: 4 } : { held: 3, sold: 1 });
    });

    // The journal holds each shard's commands exactly as submitted, over several records.
    for (let s = 0; s < shards; s++) {
      const records: JournalItem[][] = [];
      await bus.read(s, 0, (entry) => {
        const record = decodeRecord(entry.bytes);
        expect(record.shard).toBe(s);
        records.push(record.items);
      });
      expect(records.length, `records of shard ${s}`).toBeGreaterThan(1);
      expect(records.flat(), `journal of shard ${s}`).toEqual(submitted.filter(([pid]) => shardOf(pid, shards) === s));
    }

    // The same commands through Shard instances in this thread: same results, states, tickets.
    const venues = new VenueCatalog();
    const direct = Array.from({ length: shards }, (_, s) => new Shard({
      shard: s, venues, dedupeWindowMs: engine.options.dedupeWindowMs, dedupeEntriesMax: engine.options.dedupeEntriesMax,
    }));
    const expectedResults: Result[] = submitted.map(([pid, nowMs, command]) => direct[shardOf(pid, shards)].applyOne(pid, nowMs, command));
    expect(results).toEqual(expectedResults);
    for (const pid of pids) {
      const shard = direct[shardOf(pid, shards)];
      expect(await stateHash(engine, pid), pid).toBe(shard.query(pid, 'stateHash', null));
      expect(await tickets(engine, pid), pid).toEqual(shard.query(pid, 'tickets', null));
    }
  });

  // Found in session 17: a query waited for the answers to the commands before it and was then
  // posted to the worker, which by then could have been handed later batches; on NATS a seeded
  // simulation read other availability and sold other seats from run to run.
  it('answers a query with none of the commands submitted after it, also when they reach the worker first', async () => {
    const engine = await start({ workers: 1, shards: 1 });
    const pid = 'AFTER-1';
    expectOk(await engine.submit(pid, open(pid), T0));
    const first = engine.submit(pid, hold(`${pid}-h1`, 'b1', [stall('A', 1)]), T0 + 1);
    const counted = seatCounts(engine, pid);
    // Submitted in a later turn of the event loop, so journaled in a batch of its own, handed to
    // the worker before the first batch's answers come back.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const later = [2, 3, 4].map((n) => engine.submit(pid, hold(`${pid}-h${n}`, `b${n}`, [stall('A', n)]), T0 + 1 + n));
    for (const r of [await first, ...(await Promise.all(later))]) expectOk(r);
    expect(await counted).toMatchObject({ held: 1 });
    expect(await seatCounts(engine, pid)).toMatchObject({ held: 4 });
    // In one synchronous burst the commands before and after the query wait in the same queue:
    // the batch is cut where the query stands.
    const before = engine.submit(pid, hold(`${pid}-h5`, 'b5', [stall('A', 5)]), T0 + 10);
    const between = seatCounts(engine, pid);
    const after = engine.submit(pid, hold(`${pid}-h6`, 'b6', [stall('A', 6)]), T0 + 11);
    expectOk(await before);
    expectOk(await after);
    expect(await between).toMatchObject({ held: 5 });
  });

  it('stamps commands without a time by its clock, never backwards within a shard', async () => {
    // The clock runs backwards before the third hold; the domain refuses time that regresses.
    let now = T0;
    const engine = await start({ clock: () => now });
    const pid = 'CLOCK-1';
    expectOk(await engine.submit(pid, open(pid)));
    now = T0 + 5_000;
    expectOk(await engine.submit(pid, hold(`${pid}-h1`, 'b1', [stall('A', 1)])));
    now = T0 + 1_000;
    const rewound = await engine.submit(pid, hold(`${pid}-h2`, 'b2', [stall('A', 2)]));
    expectOk(rewound);
    expect((rewound as { expiresAtMs: number }).expiresAtMs).toBe(T0 + 5_000 + 60_000);
  });
});
