// Group commit: the commands of a burst share journal records (one append each) of at most
// batchCommandsMax commands and about batchBytesMax bytes, and the records carry every command
// once, in submission order per shard.
import { describe, expect, it } from 'vitest';
import type { Result } from '../../src/domain/mod.ts';
import {
  decodeRecord, EmbeddedBus, shardOf, type Bus, type JournalEntry, type JournalItem, type Lease, type LeaseEvents, type SnapshotEntry,
} from '../../src/runtime/mod.ts';
import { engines, expectCode, expectOk, idPerShard, miss, open, T0 } from './helpers.ts';

const { start } = engines();

/** An embedded bus that keeps every append's record, decoded, in the order of the calls. */
class CountingBus implements Bus {
  readonly kind = 'embedded' as const;
  readonly durable = false;
  readonly recoversFromSnapshots = false;
  readonly appends: { shard: number; bytes: number; items: JournalItem[] }[] = [];
  private readonly inner = new EmbeddedBus();

  append(shard: number, lease: Lease, bytes: Uint8Array): Promise<number> {
    const record = decodeRecord(bytes);
    expect(record.shard).toBe(shard);
    this.appends.push({ shard, bytes: bytes.length, items: record.items });
    return this.inner.append(shard, lease, bytes);
  }
  read(shard: number, afterSeq: number, each: (entry: JournalEntry) => void): Promise<number> {
    return this.inner.read(shard, afterSeq, each);
  }
  saveSnapshot(shard: number, snapshot: SnapshotEntry): Promise<void> {
    return this.inner.saveSnapshot(shard, snapshot);
  }
  loadSnapshot(shard: number): Promise<SnapshotEntry | null> {
    return this.inner.loadSnapshot(shard);
  }
  startLeases(shards: number, events: LeaseEvents): Promise<void> {
    return this.inner.startLeases(shards, events);
  }
  release(shard: number, lease: Lease): void {
    this.inner.release(shard, lease);
  }
  close(): Promise<void> {
    return this.inner.close();
  }

  /** Every journaled item of a shard, in append order. */
  journal(shard: number): JournalItem[] {
    return this.appends.filter((a) => a.shard === shard).flatMap((a) => a.items);
  }
}

const shards = 2;

/** Opens one performance per shard, then sends `count` commands in one synchronous burst, alternating. */
async function burstOf(count: number, bus: CountingBus, runtime: Record<string, number> = {}): Promise<{ pids: string[]; sent: JournalItem[]; opens: number }> {
  const engine = await start({ workers: 1, shards, bus, runtime });
  const pids = idPerShard('G', shards);
  for (const pid of pids) expectOk(await engine.submit(pid, open(pid), T0));
  const opens = bus.appends.length;
  const sent: JournalItem[] = [];
  for (let i = 0; i < count; i++) {
    const pid = pids[i % pids.length];
    sent.push([pid, T0 + 1 + (i >> 4), miss(`${pid}-m${i}`)]);
  }
  const answers: Promise<Result>[] = sent.map(([pid, nowMs, command]) => engine.submit(pid, command, nowMs));
  const results = await Promise.all(answers);
  for (const r of [results[0], results[count - 1]]) expectCode(r, 'HOLD_NOT_FOUND');
  expect(results.every((r) => !r.ok && r.name === 'HOLD_NOT_FOUND')).toBe(true);
  return { pids, sent, opens };
}

function expectInOrder(bus: CountingBus, sent: JournalItem[], skip: number): void {
  for (let s = 0; s < shards; s++) {
    expect(bus.journal(s).slice(skip), `journal of shard ${s}`).toEqual(sent.filter(([pid]) => shardOf(pid, shards) === s));
  }
}

describe('runtime - group commit', () => {
  it('journals a burst of 10,000 commands in a few appends, in submission order', async () => {
    const bus = new CountingBus();
    const batchCommandsMax = 1_000;
    const { sent, opens } = await burstOf(10_000, bus, { batchCommandsMax });
    const appends = bus.appends.slice(opens);
    // Full batches, and at most one partial one per shard.
    expect(appends.length).toBeLessThanOrEqual(10_000 / batchCommandsMax + shards);
    for (const a of appends) expect(a.items.length).toBeLessThanOrEqual(batchCommandsMax);
    // One open per shard before the burst.
    expectInOrder(bus, sent, 1);
  });

  it('journals with the default batch size too', async () => {
    const bus = new CountingBus();
    const { sent, opens } = await burstOf(10_000, bus);
    expect(bus.appends.length - opens).toBeLessThanOrEqual(Math.ceil(5_000 / 4_096) * shards);
    expectInOrder(bus, sent, 1);
  });

  it('splits a batch that passes batchBytesMax until each record fits', async () => {
    // About 53 bytes a command: 400 commands a shard are some 21 KiB in one batch, for records of
    // at most 2 KiB (a record passes the bound only when it is a single command).
    const bus = new CountingBus();
    const batchBytesMax = 2_048;
    const { sent, opens } = await burstOf(800, bus, { batchBytesMax });
    const appends = bus.appends.slice(opens);
    expect(appends.length).toBeGreaterThan(2 * shards);
    const over = appends.filter((a) => a.items.length > 1 && a.bytes > batchBytesMax).map((a) => `${a.items.length} commands in ${a.bytes} bytes`);
    expectInOrder(bus, sent, 1);
    expect(over).toEqual([]);
  });
});
