// An actor that throws (a bug, injected by faultCommandIdPrefix after the command has changed
// the state) answers ACTOR_FAILED and is rebuilt without that command: its earlier commands
// stand, the other actors of its shard never notice, later commands work, and the state is the
// one an engine reaches that never got the failing command.
import { describe, expect, it } from 'vitest';
import type { Result } from '../../src/domain/mod.ts';
import type { Engine, EngineCommand, EngineOptions } from '../../src/runtime/mod.ts';
import {
  confirm, engines, expectCode, expectOk, hold, idsOnShard, open, seatCounts, stall, stateHash, T0, tickets,
} from './helpers.ts';

const { start } = engines();

const shards = 2;
/** Two performances on one shard: P gets the failing command, Q shares its shard. */
const [P, Q] = idsOnShard('F', 1, shards, 2);
const boomSeat = stall('B', 5);

type Step = [performanceId: string, command: EngineCommand];

const before: Step[] = [
  [P, open(P)],
  [Q, open(Q)],
  [P, hold(`${P}-h1`, 'b1', [stall('A', 1), stall('A', 2)])],
  [P, confirm(`${P}-c1`, `${P}-h1`, 'b1')],
];
/** After a snapshot, so the failed actor is rebuilt from its checkpoint and the commands since. */
const sinceSnapshot: Step[] = [
  [P, hold(`${P}-h2`, 'b2', [stall('A', 3)])],
  [Q, hold(`${Q}-h1`, 'q1', [stall('A', 1)])],
];
const boom: Step = [P, hold('boom-1', 'b3', [boomSeat])];
const after: Step[] = [
  [Q, confirm(`${Q}-c1`, `${Q}-h1`, 'q1')],
  [P, hold(`${P}-h3`, 'b3', [boomSeat])],
  [P, confirm(`${P}-c2`, `${P}-h2`, 'b2')],
];

async function run(engine: Engine, steps: Step[], from: number): Promise<Result[]> {
  const results: Result[] = [];
  for (const [i, [pid, command]] of steps.entries()) results.push(await engine.submit(pid, command, T0 + from + i));
  return results;
}

describe('runtime - actor fault', () => {
  it('answers ACTOR_FAILED, discards the command, keeps everything else', async () => {
    const options: EngineOptions = { workers: 1, shards };
    const engine = await start({ ...options, faultCommandIdPrefix: 'boom' });
    const twin = await start(options);
    expect(engine.shardOf(P)).toBe(engine.shardOf(Q));

    (await run(engine, before, 0)).forEach(expectOk);
    (await run(twin, before, 0)).forEach(expectOk);
    await engine.snapshotAll();
    (await run(engine, sinceSnapshot, 50)).forEach(expectOk);
    (await run(twin, sinceSnapshot, 50)).forEach(expectOk);
    const ticketsBefore = await tickets(engine, P);
    expect(ticketsBefore.length).toBe(2);

    expectCode(await engine.submit(...boom, T0 + 100), 'ACTOR_FAILED');
    // Its hold is gone: the seat is free; the earlier hold and sale stand; Q is untouched.
    expect(await seatCounts(engine, P)).toMatchObject({ held: 1, sold: 2 });
    expect(await tickets(engine, P)).toEqual(ticketsBefore);
    expect(await stateHash(engine, P)).toBe(await stateHash(twin, P));
    expect(await stateHash(engine, Q)).toBe(await stateHash(twin, Q));
    // The failure is remembered: a retry gets it again and changes nothing.
    expectCode(await engine.submit(...boom, T0 + 101), 'ACTOR_FAILED');
    expect(await seatCounts(engine, P)).toMatchObject({ held: 1, sold: 2 });

    // Later commands work, on both actors, and end where the twin ends.
    (await run(engine, after, 200)).forEach(expectOk);
    (await run(twin, after, 200)).forEach(expectOk);
    for (const pid of [P, Q]) {
      expect(await stateHash(engine, pid), pid).toBe(await stateHash(twin, pid));
      expect(await tickets(engine, pid), pid).toEqual(await tickets(twin, pid));
    }
    expect(await seatCounts(engine, P)).toMatchObject({ held: 1, sold: 3 });

    const { shards: stats } = await engine.stats();
    expect(stats.find((s) => s.shard === engine.shardOf(P))?.actorFailures).toBe(1);
  });
});
