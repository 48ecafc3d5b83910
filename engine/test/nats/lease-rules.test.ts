// Found by mutation testing of the NATS bus: lease rules the existing NATS tests did not
// pin down, against a real nats-server (bus-fixture.ts: a stream and buckets of
// its own for every test, on one server per file).
import { describe, expect, it } from 'vitest';
import { NatsLeases } from '../../src/nats/nats-leases.ts';
import { Engine, queryRejection } from '../../src/runtime/mod.ts';
import { open, T0 } from '../runtime/helpers.ts';
import { busFixture, recorder, rejection, renewMs, ttlMs, waitFor } from './bus-fixture.ts';

const { place, bus, leaseBucket, closeAfter } = busFixture('r');

const text = new TextEncoder();

describe('nats leases', () => {
  it('renewal is a compare-and-set: an owner whose key was taken reports the shard lost and does not overwrite the new owner', async () => {
    const where = place();
    // A TTL far longer than the test: only the failed renewal can explain the loss.
    const a = await bus(where, 'a', { leaseTtlMs: 60_000 });
    const seen = recorder();
    await a.startLeases(1, seen.events);
    const lease = seen.held.get(0)!;
    const kv = await leaseBucket(where);
    await kv.put('shard.0', JSON.stringify({ owner: 'intruder', epoch: lease.epoch + 1, renewedAtMs: 0 }));
    await waitFor('a to lose shard 0', () => seen.lost.some((l) => l.shard === 0));
    // Several renew periods later the key is still the intruder's.
    await new Promise((resolve) => setTimeout(resolve, 5 * renewMs));
    expect((await kv.get('shard.0'))?.json()).toMatchObject({ owner: 'intruder', epoch: lease.epoch + 1 });
    expect((await rejection(a.append(0, lease, text.encode('late')))).code).toBe('JOURNAL_FAILED');
  });

  it('acquisition is a compare-and-set on the revision seen: a key changed meanwhile is not taken', async () => {
    const where = place();
    await bus(where, 'creator'); // creates the stream and buckets
    const kv = await leaseBucket(where);
    // A free shard whose key exists (deleted): taken by an update on the revision seen.
    await kv.put('shard.0', JSON.stringify({ owner: 'old', epoch: 1, renewedAtMs: 0 }));
    await kv.delete('shard.0');
    let intruded = false;
    const intrude = async (): Promise<void> => {
      if (intruded) return;
      intruded = true;
      await kv.put('shard.0', JSON.stringify({ owner: 'intruder', epoch: 7, renewedAtMs: 0 }));
    };
    // Another process writes the key between our read of it and our write.
    const racing = new Proxy(kv, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown;
        if ((prop === 'update' || prop === 'put' || prop === 'create') && typeof value === 'function') {
          return async (key: string, ...rest: unknown[]) => {
            if (key === 'shard.0') await intrude();
            return (value as (...args: unknown[]) => unknown).apply(target, [key, ...rest]);
          };
        }
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const leases = new NatsLeases({ kv: racing, owner: 'b', leaseRenewMs: renewMs, leaseTtlMs: 60_000, tail: async () => ({ seq: 0, epoch: 0 }), onError: () => undefined, journalEmpty: async () => true });
    closeAfter(leases);
    const seen = recorder();
    await leases.start(1, seen.events); // the first round is awaited
    expect(intruded).toBe(true);
    expect(seen.held.has(0)).toBe(false);
    expect((await kv.get('shard.0'))?.json()).toMatchObject({ owner: 'intruder' });
  });

  it('an append past the self-fence deadline is refused even when the fence timer has not run yet (a blocked event loop)', async () => {
    const where = place();
    const a = await bus(where, 'a');
    const seen = recorder();
    await a.startLeases(1, seen.events);
    const lease = seen.held.get(0)!;
    expect(await a.append(0, lease, text.encode('before'))).toBeGreaterThan(0);
    // Block the loop past leaseTtlMs: no renewal can be sent or answered, no timer can run.
    const until = performance.now() + ttlMs + renewMs;
    while (performance.now() < until) { /* busy */ }
    const refused = await rejection(a.append(0, lease, text.encode('after the deadline')));
    expect(refused.code).toBe('JOURNAL_FAILED');
    expect(refused.message).toMatch(/not renewed in time/);
  });

  it('a query past the self-fence deadline is refused even when the fence timer has not run yet: another process may serve the shard by then', async () => {
    const where = place();
    const a = await bus(where, 'a');
    const engine = await Engine.start({ bus: a, workers: 1, shards: 1 });
    closeAfter({ close: () => engine.stop() });
    await engine.whenServing(0);
    expect((await engine.submit('P-1', open('P-1'), T0)).ok).toBe(true);
    expect(await engine.query('P-1', 'seatCounts')).toMatchObject({ held: 0 });
    // Block the loop past leaseTtlMs, as a stalled process (SIGSTOP, a long pause) would be.
    const until = performance.now() + ttlMs + renewMs;
    while (performance.now() < until) { /* busy */ }
    const refused = await engine.query('P-1', 'seatCounts').then(() => null, (e: unknown) => queryRejection(e));
    expect(refused).toMatchObject({ ok: false, name: 'SHARD_UNAVAILABLE' });
    // The lease was given up at once: the shard is down here until it is won again.
    expect(engine.ownedShards()).not.toContain(0);
  });

  it('a shard handed back for balance is not adopted back by the process that handed it, when the newcomer is slow to take it', async () => {
    const where = place();
    await bus(where, 'creator'); // creates the stream and buckets
    const leasesOf = async (owner: string, tailMs: number): Promise<NatsLeases> => {
      const leases = new NatsLeases({
        kv: await leaseBucket(where), owner, leaseRenewMs: renewMs, leaseTtlMs: ttlMs, onError: () => undefined, journalEmpty: async () => true,
        // The newcomer's journal read is slower than the orphan grace (half a TTL).
        tail: async () => { await new Promise((resolve) => setTimeout(resolve, tailMs)); return { seq: 0, epoch: 0 }; },
      });
      closeAfter(leases);
      return leases;
    };
    const a = await leasesOf('a', 0);
    const aSeen = recorder();
    await a.start(2, aSeen.events);
    expect(aSeen.shards()).toEqual([0, 1]);
    const b = await leasesOf('b', (3 * ttlMs) / 4);
    const bSeen = recorder();
    void b.start(2, bSeen.events);
    await waitFor('b to take the shard a handed back', () => bSeen.held.size === 1, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 4 * renewMs));
    expect({ a: aSeen.shards().length, b: bSeen.shards().length }).toEqual({ a: 1, b: 1 });
    // a gave up shard 1 for balance once and never took it again.
    expect(aSeen.acquired.map((l) => l.shard).sort()).toEqual([0, 1]);
  });

  it('a new owner takes an epoch above the epoch of the journal\'s last record, also when it never saw the old lease', async () => {
    const where = place();
    const a = await bus(where, 'a');
    const aSeen = recorder();
    await a.startLeases(1, aSeen.events);
    const old = aSeen.held.get(0)!;
    await a.append(0, old, text.encode('r1'));
    // Close releases (deletes) the key; then a fresh process that never watched it before starts.
    await a.close();
    const kv = await leaseBucket(where);
    await kv.purge('shard.0');
    const b = await bus(where, 'b');
    const bSeen = recorder();
    await b.startLeases(1, bSeen.events);
    await waitFor('b to take shard 0', () => bSeen.held.has(0));
    expect(bSeen.held.get(0)!.epoch).toBeGreaterThan(old.epoch);
  });
});
