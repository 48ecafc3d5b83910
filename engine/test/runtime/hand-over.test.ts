// The two memories of command ids (shard.ts, recent.ts; domain memo.ts): a performance keeps
// what it answered, with the answers, and hands each id to the shard's memory when it lets go of
// it. No id the performance answered is in both, none is in neither, and an actor rebuilt after
// a throw (whose replay lets go of the same generations again) hands nothing over twice.
import { describe, expect, it } from 'vitest';
import { hashId, limits } from '../../src/domain/mod.ts';
import { Shard, VenueCatalog } from '../../src/runtime/mod.ts';
import { expectCode, expectOk, miss, open, T0 } from './helpers.ts';

const P = 'HAND-1';

describe('runtime - ids handed from a performance to its shard', () => {
  it('keeps each id a performance answered in exactly one of the two memories, and a rebuild hands nothing over twice', () => {
    let failOn = '';
    const shard = new Shard({
      shard: 0, venues: new VenueCatalog(), dedupeWindowMs: 600_000, dedupeEntriesMax: 1_000_000,
      fault: (_pid, command) => command.commandId === failOn,
    });
    expectOk(shard.applyOne(P, T0, open(P)));
    // The shard keeps the open itself (the performance did not answer it); nothing else yet.
    expect(shard.recent.size).toBe(1);
    const memo = () => shard.actors.get(P)!.state.dedupe;
    const inShard = (id: string): boolean => shard.recent.get(P, id, hashId(id)) !== undefined;
    const inPerformance = (id: string): boolean => memo().find(id, hashId(id)) >= 0;
    // Past both generations of the performance's memory, so that it lets go of ids twice.
    const total = limits.dedupeEntriesMax + 10_000;
    let checks = 0;
    for (let i = 0; i < total; i++) {
      expectCode(shard.applyOne(P, T0 + 1 + Math.floor(i / 1_000), miss(`m${i}`)), 'HOLD_NOT_FOUND');
      if (i % 4_999 !== 0 && i !== total - 1) continue;
      const applied = i + 1;
      const forgotten = applied - memo().size;
      expect(shard.recent.size).toBe(1 + forgotten);
      for (const j of [0, forgotten - 1, forgotten, applied - 1]) {
        if (j < 0 || j >= applied) continue;
        const id = `m${j}`;
        expect([inShard(id), inPerformance(id)], id).toEqual(j < forgotten ? [true, false] : [false, true]);
      }
      checks++;
    }
    expect(checks).toBeGreaterThan(10);
    expect(memo().size).toBeLessThan(total);
    // The ids handed over are kept with the time of the command that made the performance let go.
    expect(shard.recent.get(P, 'm0', hashId('m0'))?.atMs).toBeGreaterThan(T0);

    // A throw: the actor is rebuilt by replaying every command since its checkpoint, which lets
    // go of the same generations again. Only the failed command's id is new in the shard.
    const before = shard.recent.size;
    failOn = 'boom';
    expectCode(shard.applyOne(P, T0 + 500, miss('boom')), 'ACTOR_FAILED');
    expect(shard.recent.size).toBe(before + 1);
    failOn = '';
    // The rebuilt performance still hands over what it lets go of from now on.
    const size = memo().size;
    for (let i = 0; i < limits.dedupeEntriesMax / 2; i++) shard.applyOne(P, T0 + 501, miss(`n${i}`));
    expect(shard.recent.size - (before + 1)).toBe(size + limits.dedupeEntriesMax / 2 - memo().size);
    // A late retry of a handed-over id is told it was applied, and applies nothing.
    expectCode(shard.applyOne(P, T0 + 502, miss('m1')), 'COMMAND_ALREADY_APPLIED');
  });
});
