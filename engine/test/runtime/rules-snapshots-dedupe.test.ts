// Found by mutation testing of the runtime: snapshot triggers (every N commands, every T ms
// of the engine's injectable clock, only with commands in between), and the engine's dedupe
// window: longer than JetStream's 2 minutes with the default options, rotated by command time.
import { describe, expect, it } from 'vitest';
import { hashId, limits, type Result } from '../../src/domain/mod.ts';
import { RecentCommands } from '../../src/runtime/recent.ts';
import { EmbeddedBus, type Engine } from '../../src/runtime/mod.ts';
import { engines, expectCode, expectOk, hold, idPerShard, idsOnShard, miss, open, release, seatCounts, stall, T0 } from '../runtime/helpers.ts';

const { start } = engines();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitForSnapshot(bus: EmbeddedBus, shard: number, timeoutMs = 3_000): Promise<{ seq: number } | null> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const snapshot = await bus.loadSnapshot(shard);
    if (snapshot !== null || performance.now() > deadline) return snapshot;
    await sleep(10);
  }
}

describe('snapshots', () => {
  it('snapshots after exactly snapshotEveryCommands commands (one shard: no stagger), reflecting that seq', async () => {
    const bus = new EmbeddedBus({ keepJournal: true });
    const engine = await start({ workers: 1, shards: 1, bus, runtime: { snapshotEveryCommands: 4 } });
    const P = 'SNAPN-1';
    // One command per record: seqs 1..3.
    expectOk(await engine.submit(P, open(P), T0));
    for (let i = 0; i < 2; i++) expectCode(await engine.submit(P, miss(`${P}-m${i}`), T0), 'HOLD_NOT_FOUND');
    // A worker round trip after the third: a snapshot asked for by then would be saved by now.
    await engine.query(P, 'seatCounts');
    await sleep(0);
    expect(await bus.loadSnapshot(0), 'snapshot after 3 of 4 commands').toBeNull();
    expectCode(await engine.submit(P, miss(`${P}-m2`), T0), 'HOLD_NOT_FOUND');
    expect(await waitForSnapshot(bus, 0), 'snapshot after the 4th command').toMatchObject({ seq: 4 });
  });

  it('snapshots a shard with commands once snapshotEveryMs of the engine clock have passed, and not an idle shard', async () => {
    const bus = new EmbeddedBus({ keepJournal: true });
    let now = T0;
    const snapshotEveryMs = 40;
    const engine: Engine = await start({ workers: 1, shards: 2, bus, clock: () => now, runtime: { snapshotEveryMs } });
    const [P] = idPerShard('SNAPT', 2);
    expect(engine.shardOf(P)).toBe(0);
    expectOk(await engine.submit(P, open(P), T0));
    // Recovery (at start) counted as the last snapshot, at T0 by the engine clock.
    now = T0 + snapshotEveryMs - 1;
    await sleep(4 * snapshotEveryMs);
    expect(await bus.loadSnapshot(0), 'snapshot before snapshotEveryMs').toBeNull();
    now = T0 + snapshotEveryMs;
    expect(await waitForSnapshot(bus, 0), 'snapshot at snapshotEveryMs').toMatchObject({ seq: 1 });
    // Shard 1 had no command: the same rounds took no snapshot of it.
    await sleep(4 * snapshotEveryMs);
    expect(await bus.loadSnapshot(1)).toBeNull();
  });
});

describe('the engine window of command ids', () => {
  it('with the default options, refuses a retry 9 minutes (of command time) later, past JetStream\'s 2-minute window', async () => {
    // Like dedupe.test.ts: the performance's own memo forgets the hold after many commands; the
    // shard keeps its id. Command time then moves on by opening performances of the same shard
    // (the shard remembers opens itself, which rotates its generations by time).
    const engine = await start({ workers: 1, shards: 2 });
    const [P, Q, R] = idsOnShard('WIN9', 0, 2, 3);
    expectOk(await engine.submit(P, open(P), T0));
    const old = hold(`${P}-old`, 'b1', [stall('A', 1)]);
    expectOk(await engine.submit(P, old, T0 + 1));
    expectOk(await engine.submit(P, release(`${P}-rel`, `${P}-old`, 'b1'), T0 + 2));
    const fillers = limits.dedupeEntriesMax + 5_000;
    for (let from = 0; from < fillers; from += 10_000) {
      const answers: Promise<Result>[] = [];
      for (let i = from; i < Math.min(fillers, from + 10_000); i++) answers.push(engine.submit(P, miss(`${P}-f${i}`), T0 + 3));
      expectCode((await Promise.all(answers))[0], 'HOLD_NOT_FOUND');
    }
    const minute = 60_000;
    expectOk(await engine.submit(Q, open(Q), T0 + 3 * minute));
    expectOk(await engine.submit(R, open(R), T0 + 6 * minute));
    expectCode(await engine.submit(P, { ...old }, T0 + 9 * minute), 'COMMAND_ALREADY_APPLIED');
    expect(await seatCounts(engine, P)).toMatchObject({ held: 0 });
  });
});

describe('the shard memory rotates by command time', () => {
  it('keeps an id for one to two windows of command time, whatever the count', () => {
    const windowMs = 1_000;
    const recent = new RecentCommands(windowMs, 1_000_000);
    const has = (id: string): boolean => recent.get('P1', id, hashId(id)) !== undefined;
    recent.remember('a', hashId('a'), 'P1', 0);
    recent.remember('b', hashId('b'), 'P1', windowMs - 1);
    expect(has('a')).toBe(true);
    // The first rotation, at exactly one window: 'a' is in the previous generation.
    recent.remember('c', hashId('c'), 'P1', windowMs);
    expect(has('a')).toBe(true);
    recent.remember('d', hashId('d'), 'P1', 2 * windowMs - 1);
    expect(has('a')).toBe(true);
    // The second: 'a' and 'b' are gone, 'c' and 'd' kept.
    recent.remember('e', hashId('e'), 'P1', 2 * windowMs);
    expect([has('a'), has('b'), has('c'), has('d'), has('e')]).toEqual([false, false, true, true, true]);
    expect(recent.earlyRotations).toBe(0);
  });
});
