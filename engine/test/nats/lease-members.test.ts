// What a long-lived process keeps of the lease bucket's member keys, against a real
// nats-server (bus-fixture.ts). Member ids are unique per process, so a view that kept every
// member key it ever saw would grow with every engine restart for the life of the process.
import type { KV } from 'nats';
import { describe, expect, it } from 'vitest';
import { NatsLeases } from '../../src/nats/nats-leases.ts';
import { busFixture, recorder, renewMs, ttlMs, waitFor } from './bus-fixture.ts';

const { place, bus, leaseBucket, closeAfter } = busFixture('m');

const leasesOn = (kv: KV, owner: string): NatsLeases => {
  const leases = new NatsLeases({ kv, owner, leaseRenewMs: renewMs, leaseTtlMs: ttlMs, tail: async () => ({ seq: 0, epoch: 0 }), onError: () => undefined, journalEmpty: async () => true });
  closeAfter(leases);
  return leases;
};

/** The member keys in the bucket (kv.keys() may name a key twice when it is written meanwhile). */
const memberKeys = async (kv: KV): Promise<string[]> => {
  const keys = new Set<string>();
  for await (const key of await kv.keys('member.>')) keys.add(key);
  return [...keys].sort();
};

describe('nats lease members', () => {
  it('a long-lived process forgets the members that left cleanly, and stays so after a re-watch; a killed one\'s key stays', async () => {
    const where = place();
    await bus(where, 'creator'); // creates the stream and buckets
    const kv = await leaseBucket(where);
    // One shard: the short-lived members find it held and take nothing, so no lease moves.
    const steady = leasesOn(kv, 'steady');
    await steady.start(1, recorder().events);
    const baseline = steady.trackedKeys(); // `shards`, `shard.0`, `member.steady`
    expect(baseline).toBe(3);

    const N = 50;
    const killed = 10;
    const members = Array.from({ length: N }, (_, i) => leasesOn(kv, `gone-${i}`));
    for (let i = 0; i < N; i += 10) await Promise.all(members.slice(i, i + 10).map((m) => m.start(1, recorder().events)));
    await waitFor('steady to see every member', () => steady.trackedKeys() === baseline + N);
    // Members that keep their heartbeat are not forgotten, however long they stay.
    await new Promise((resolve) => setTimeout(resolve, 3 * ttlMs));
    expect(steady.trackedKeys()).toBe(baseline + N);
    expect(await memberKeys(kv)).toHaveLength(N + 1);

    // Most leave cleanly (their key deleted); the last few are killed (their key stays behind).
    await Promise.all(members.slice(0, N - killed).map((m) => m.close()));
    for (const m of members.slice(N - killed)) m.abandon();
    // nats-server 2.9 expires nothing: a killed member's key stays in the bucket, and in the view.
    await waitFor('steady to forget every member that left cleanly', () => steady.trackedKeys() === baseline + killed, 5_000);
    expect(await memberKeys(kv)).toEqual(['member.steady', ...members.slice(N - killed).map((_, i) => `member.gone-${N - killed + i}`)].sort());

    // A re-watch replays the deletes: they are not kept either.
    steady.reconnected();
    await new Promise((resolve) => setTimeout(resolve, 3 * renewMs));
    expect(steady.trackedKeys()).toBe(baseline + killed);
  }, 20_000);
});
