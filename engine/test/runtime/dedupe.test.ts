// Idempotent retries through the engine: a retry gets the first result and is applied once,
// another payload under a used id is COMMAND_ID_REUSED, and the engine's own memory of command
// ids (RecentCommands, per shard) keeps a retry from being applied again long after the domain's
// per-performance memo (limits.dedupeEntriesMax), which keeps the answers, has forgotten it.
import { describe, expect, it } from 'vitest';
import { isStepCommandId, limits, type HoldAccepted, type Result } from '../../src/domain/mod.ts';
import type { Engine, EngineCommand } from '../../src/runtime/mod.ts';
import {
  engines, expectCode, expectOk, hold, holdBest, idsOnShard, miss, open, outcome, release, seatCounts, stall, T0,
} from './helpers.ts';

const { start } = engines();

describe('runtime - dedupe', () => {
  it('answers a retry with the first result, applies it once, and refuses another payload under the id', async () => {
    const engine = await start();
    const P = 'D-1';
    expectOk(await engine.submit(P, open(P), T0));
    const id = `${P}-best`;
    // Best available: a second application would take two other seats.
    const first = engine.submit(P, holdBest(id, 'b1', 2), T0 + 1);
    const sameBatch = engine.submit(P, holdBest(id, 'b1', 2), T0 + 2);
    const keysReordered = engine.submit(P, { count: 2, channel: 'web', buyerId: 'b1', commandId: id, type: 'holdBestAvailable' }, T0 + 3);
    const [a, b, c] = await Promise.all([first, sameBatch, keysReordered]);
    expectOk(a);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(await engine.submit(P, holdBest(id, 'b1', 2), T0 + 10)).toEqual(a);
    expect(await seatCounts(engine, P)).toMatchObject({ held: 2 });

    expectCode(await engine.submit(P, holdBest(id, 'b1', 3), T0 + 11), 'COMMAND_ID_REUSED');
    expect(await seatCounts(engine, P)).toMatchObject({ held: 2 });

    // A refusal is remembered too: the retry is refused the same way after the seat came free.
    const seat = (a as HoldAccepted).seats[0];
    const taken = await engine.submit(P, hold(`${P}-late`, 'b2', [seat]), T0 + 12);
    expectCode(taken, 'SEAT_NOT_AVAILABLE');
    expectOk(await engine.submit(P, release(`${P}-rel`, id, 'b1'), T0 + 13));
    expect(await engine.submit(P, hold(`${P}-late`, 'b2', [seat]), T0 + 14)).toEqual(taken);
    expect(await seatCounts(engine, P)).toMatchObject({ held: 0 });

    // openPerformance is remembered by the engine alone (the domain never sees it).
    expect(await engine.submit(P, open(P), T0 + 15)).toEqual({ ok: true });
    const otherVenue = { ...open(P, 'club'), commandId: `${P}-open` };
    expectCode(await engine.submit(P, otherVenue, T0 + 16), 'COMMAND_ID_REUSED');
  });

  // The domain's memo keeps an id for at most limits.dedupeEntriesMax later commands of the
  // performance; this story puts more than that between a hold and its retry.
  async function retryAfterManyCommands(engine: Engine, oldId = 'W-1-old'): Promise<{ first: Result; retry: Result; held: number }> {
    const P = 'W-1';
    expectOk(await engine.submit(P, open(P), T0));
    const old = hold(oldId, 'b1', [stall('A', 1)]);
    // A step's id comes in as a coordinator's step does (the engine refuses it from a client).
    const submitOld = (command: EngineCommand, nowMs: number): Promise<Result> => (isStepCommandId(oldId)
      ? new Promise((resolve) => engine.applyForwardedStep(P, command, nowMs, resolve))
      : engine.submit(P, command, nowMs));
    const first = await submitOld(old, T0 + 1);
    expectOk(first);
    expectOk(await engine.submit(P, release(`${P}-rel`, oldId, 'b1'), T0 + 2));
    const fillers = limits.dedupeEntriesMax + 5_000;
    const chunk = 10_000;
    for (let from = 0; from < fillers; from += chunk) {
      const answers: Promise<Result>[] = [];
      for (let i = from; i < Math.min(fillers, from + chunk); i++) answers.push(engine.submit(P, miss(`${P}-f${i}`), T0 + 3));
      const results = await Promise.all(answers);
      expectCode(results[0], 'HOLD_NOT_FOUND');
    }
    const retry = await submitOld({ ...old }, T0 + 4);
    return { first, retry, held: (await seatCounts(engine, P)).held };
  }

  it('refuses a retry from the engine window after the domain memo has forgotten the id, and applies nothing', async () => {
    const engine = await start();
    const { retry, held } = await retryAfterManyCommands(engine);
    // The engine keeps the id, not a second copy of the answer: the retry is told the command
    // was applied, and the seat stays released.
    expectCode(retry, 'COMMAND_ALREADY_APPLIED');
    expect(held).toBe(0);
  });

  it('answers a saga step\'s retry with its first result after the domain memo has forgotten it (steps are kept whole)', async () => {
    // A step re-sent after a restart must get its first answer for the saga to go on.
    const engine = await start();
    const { first, retry, held } = await retryAfterManyCommands(engine, 'CARD/7/0');
    expect(retry).toEqual(first);
    expect(held).toBe(0);
  });

  it('control: with a short engine window, the same retry is applied afresh', async () => {
    // Shows the story above really outlives the domain memo: without the engine's window the
    // old hold is made again, with a new expiry.
    const engine = await start({ runtime: { dedupeWindowMs: 1_000, dedupeEntriesMax: 1_000 } });
    const { first, retry, held } = await retryAfterManyCommands(engine);
    expectOk(retry);
    expect((retry as HoldAccepted).expiresAtMs).toBe((first as HoldAccepted).expiresAtMs + 3);
    expect(held).toBe(1);
  });

  it('scopes a command id to its performance, also on a shared shard', async () => {
    // Two performances on one shard, and one on another shard, use the same (per-performance)
    // command ids: each is its own command, whatever shard the performances hash to.
    const engine = await start({ workers: 1, shards: 2 });
    const [P, Q] = idsOnShard('SCOPE', 0, 2, 2);
    const [R] = idsOnShard('SCOPE', 1, 2, 1);
    const seen: string[] = [];
    for (const pid of [P, Q, R]) {
      seen.push(`${pid} open-1 ${outcome(await engine.submit(pid, open(pid, 'theatre', 'open-1'), T0))}`);
      seen.push(`${pid} hold-1 ${outcome(await engine.submit(pid, hold('hold-1', 'b1', [stall('A', 1)]), T0 + 1))}`);
    }
    expect(seen).toEqual([P, Q, R].flatMap((pid) => [`${pid} open-1 OK`, `${pid} hold-1 OK`]));
  });
});
