// Shard snapshots are compressed by the shard that takes them (snapshot-codec.ts), and a
// snapshot taken before compression (plain msgpack) still restores.
import { describe, expect, it } from 'vitest';
import { encodeRecord, Shard, VenueCatalog, type JournalItem, type ShardConfig } from '../../src/runtime/mod.ts';
import { expandSnapshot } from '../../src/runtime/snapshot-codec.ts';
import { hold, open, release, stall, T0 } from './helpers.ts';

describe('runtime - shard snapshot compression', () => {
  it('compresses, and restores both compressed and plain snapshots to the same state', () => {
    const config: ShardConfig = { shard: 0, venues: new VenueCatalog(), dedupeWindowMs: 600_000, dedupeEntriesMax: 10_000 };
    const shard = new Shard(config);
    shard.applyOne('Z', T0, open('Z'));
    for (let r = 0; r < 50; r++) {
      const items: JournalItem[] = [];
      for (let i = 0; i < 40; i++) {
        const id = `h${r}-${i}`;
        items.push(['Z', T0 + r, hold(id, `b${i}`, [stall('C', 1 + (i % 30))])], ['Z', T0 + r, release(`${id}-r`, id, `b${i}`)]);
      }
      shard.applyRecordBytes(encodeRecord({ shard: 0, epoch: 1, items }), r + 1);
    }
    const bytes = shard.snapshot();
    expect([...bytes.subarray(0, 4)]).toEqual([0x4f, 0x53, 0x5a, 0x31]);
    const plain = expandSnapshot(bytes);
    expect(plain.length).toBeGreaterThan(3 * bytes.length);
    expect(expandSnapshot(plain)).toBe(plain);
    const hash = shard.query('Z', 'stateHash', null);
    for (const restored of [Shard.restore(config, bytes), Shard.restore(config, plain)]) {
      expect(restored.query('Z', 'stateHash', null)).toBe(hash);
      expect(restored.appliedSeq).toBe(50);
      expect(restored.recent.size).toBe(shard.recent.size);
    }
  });
});
