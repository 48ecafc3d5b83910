// What an actor rebuilds from when a command throws: its checkpoint and the commands applied
// since, which it finds again in the journal records' bytes (not as decoded objects it keeps).
// A fault in the middle of a record rebuilds from the commands before it in that same record;
// the bytes the tails pin are bounded per shard, and the actors reaching back furthest
// checkpoint when the bound is passed, after which a rebuild starts from that checkpoint.
import { describe, expect, it } from 'vitest';
import type { Result } from '../../src/domain/mod.ts';
import { encodeRecord, Shard, VenueCatalog, type EngineCommand, type JournalItem, type ShardConfig } from '../../src/runtime/mod.ts';
import { confirm, expectCode, hold, open, release, stall, T0 } from './helpers.ts';

const P = 'TAIL-P';
const Q = 'TAIL-Q';

function shardPair(tailBytesMax?: number): { faulty: Shard; twin: Shard } {
  const base: ShardConfig = { shard: 0, venues: new VenueCatalog(), dedupeWindowMs: 600_000, dedupeEntriesMax: 10_000, tailBytesMax };
  return {
    faulty: new Shard({ ...base, fault: (_id, command) => command.commandId.startsWith('boom') }),
    twin: new Shard(base),
  };
}

let seq = 0;
function record(shard: Shard, items: JournalItem[]): Result[] {
  return shard.applyRecordBytes(encodeRecord({ shard: 0, epoch: 1, items }), ++seq) as Result[];
}

const item = (performanceId: string, nowMs: number, command: EngineCommand): JournalItem => [performanceId, nowMs, command];
const hashOf = (shard: Shard, id: string): unknown => shard.query(id, 'stateHash', null);

describe('runtime - actor tails kept as record bytes', () => {
  it('a fault in the middle of a record rebuilds from the commands before it in that record', () => {
    const { faulty, twin } = shardPair();
    for (const s of [faulty, twin]) record(s, [item(P, T0, open(P)), item(Q, T0, open(Q))]);
    const head = [
      item(P, T0 + 1, hold('h1', 'b1', [stall('A', 1), stall('A', 2)])),
      item(Q, T0 + 1, hold('q1', 'c1', [stall('A', 1)])),
      item(P, T0 + 2, confirm('o1', 'h1', 'b1')),
    ];
    const boom = item(P, T0 + 3, hold('boom-1', 'b2', [stall('B', 5)]));
    const tail = [item(P, T0 + 4, hold('h2', 'b2', [stall('B', 5)])), item(Q, T0 + 4, confirm('qo1', 'q1', 'c1'))];

    const results = record(faulty, [...head, boom, ...tail]);
    const twinResults = record(twin, [...head, ...tail]);
    expectCode(results[3], 'ACTOR_FAILED');
    expect([...results.slice(0, 3), ...results.slice(4)]).toEqual(twinResults);
    for (const id of [P, Q]) expect(hashOf(faulty, id), id).toBe(hashOf(twin, id));
    expect(faulty.counters.actorFailures).toBe(1);

    // A second fault rebuilds again, now also over the commands after the first one.
    const boom2 = item(P, T0 + 5, release('boom-2', 'h2', 'b2'));
    const more = [item(P, T0 + 6, hold('h3', 'b3', [stall('C', 1)])), item(Q, T0 + 6, hold('q2', 'c2', [stall('C', 1)]))];
    expectCode(record(faulty, [boom2, ...more])[0], 'ACTOR_FAILED');
    record(twin, more);
    for (const id of [P, Q]) expect(hashOf(faulty, id), id).toBe(hashOf(twin, id));
  });

  it('bounds the record bytes the tails pin, checkpointing the actors that reach back furthest', () => {
    const tailBytesMax = 8 * 1024;
    const { faulty, twin } = shardPair(tailBytesMax);
    for (const s of [faulty, twin]) record(s, [item(P, T0, open(P)), item(Q, T0, open(Q))]);
    // Q gets one command, early; P gets many records after it.
    for (const s of [faulty, twin]) record(s, [item(Q, T0 + 1, hold('q1', 'c1', [stall('A', 1)])), item(P, T0 + 1, hold('p0', 'b0', [stall('A', 1)]))]);
    let pinnedMax = 0;
    for (let r = 0; r < 200; r++) {
      const items: JournalItem[] = [];
      for (let i = 0; i < 8; i++) {
        const id = `p${r}-${i}`;
        items.push(item(P, T0 + 2 + r, hold(id, `b${i}`, [stall('D', 1 + i)])), item(P, T0 + 2 + r, release(`${id}-r`, id, `b${i}`)));
      }
      const a = record(faulty, items);
      const b = record(twin, items);
      expect(a).toEqual(b);
      pinnedMax = Math.max(pinnedMax, faulty.pinnedBytes);
    }
    expect(pinnedMax).toBeGreaterThan(tailBytesMax / 2);
    expect(pinnedMax).toBeLessThanOrEqual(tailBytesMax);

    // Both actors rebuild from their newer checkpoints and what followed, and match the twin.
    const boomQ = item(Q, T0 + 300, confirm('boom-q', 'q1', 'c1'));
    const boomP = item(P, T0 + 300, hold('boom-p', 'b9', [stall('E', 1)]));
    const results = record(faulty, [boomQ, boomP, item(Q, T0 + 301, confirm('qo1', 'q1', 'c1'))]);
    expectCode(results[0], 'ACTOR_FAILED');
    expectCode(results[1], 'ACTOR_FAILED');
    record(twin, [item(Q, T0 + 301, confirm('qo1', 'q1', 'c1'))]);
    for (const id of [P, Q]) expect(hashOf(faulty, id), id).toBe(hashOf(twin, id));
  });

  it('a command applied without a record (applyOne) is kept as it is and rebuilt from', () => {
    const { faulty, twin } = shardPair();
    for (const s of [faulty, twin]) {
      s.applyOne(P, T0, open(P));
      s.applyOne(P, T0 + 1, hold('h1', 'b1', [stall('A', 1)]));
    }
    record(faulty, [item(P, T0 + 2, hold('h2', 'b2', [stall('A', 2)]))]);
    record(twin, [item(P, T0 + 2, hold('h2', 'b2', [stall('A', 2)]))]);
    expectCode(faulty.applyOne(P, T0 + 3, hold('boom', 'b3', [stall('A', 3)])), 'ACTOR_FAILED');
    expect(hashOf(faulty, P)).toBe(hashOf(twin, P));
  });
});
