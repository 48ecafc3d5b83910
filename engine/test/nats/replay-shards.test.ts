// `onsale replay --nats` with a shard count below the writer's: the stream does not name the
// writer's count, and a replay over shards 0..N-1 left the records of the shards past N out and
// printed the rest as if whole (exit 0; session 28's CLI probe). Now a --shards below what the
// records reach is refused, and without --shards the replay reaches every shard with records.
import { describe, expect, it } from 'vitest';
import { NatsBus } from '../../src/nats/mod.ts';
import type { Lease } from '../../src/runtime/mod.ts';
import { lastJson, onsale } from '../cli/helpers.ts';
import { natsServersPerTest } from './servers-per-test.ts';

const servers = natsServersPerTest();

describe('replay --nats and the writer\'s shard count', () => {
  it('refuses a --shards the records reach past (exit 2), and replays every shard without one', async () => {
    const server = await servers.start();
    const written = await onsale(['simulate', '--scenario', 'theatre', '--buyers', '300', '--workers', '2', '--shards', '32', '--nats', server.url, '--json']);
    expect(written.code, written.stderr).toBe(0);
    const performances = (lastJson(written.stdout) as { performances: unknown[] }).performances.length;

    // The writers recorded their count (the lease bucket's `shards` key): another is refused.
    const short = await onsale(['replay', '--nats', server.url, '--shards', '16']);
    expect(short.code).toBe(2);
    expect(short.stderr.split('\n')[0]).toBe(`onsale: --shards 16: the journal at ${server.url} was written by engines of 32 shards`);

    // A process serving the journal with another count would write performances another owns.
    const serving = await onsale(['serve', '--nats', server.url, '--shards', '16', '--metrics-port', '0'], {}, 30_000);
    expect(serving.code).toBe(1);
    expect(serving.stderr).toMatch(/^onsale: the engine processes on this journal serve 32 shards, and this one was started with 16: .*--shards \(32\)\n$/);

    const whole = await onsale(['replay', '--nats', server.url, '--json']);
    expect(whole.code, whole.stderr).toBe(0);
    const summary = lastJson(whole.stdout) as { shards: number; performances: unknown[]; products: unknown[] };
    expect(summary.shards).toBe(32);
    expect(summary.performances.length).toBe(performances);
    expect(summary.products.length).toBe(2);
  }, 120_000);

  it('the first process records the count; another is refused once the journal holds records, and replaces it while it holds none', async () => {
    const server = await servers.start();
    const connect = (owner: string): Promise<NatsBus> => NatsBus.connect({ servers: server.url, owner, leaseRenewMs: 500, leaseTtlMs: 3_000, journalAckTimeoutMs: 5_000 });
    const leases: Lease[] = [];
    const events = { acquired: (lease: Lease) => { leases.push(lease); }, lost: () => undefined };

    const first = await connect('first');
    await first.startLeases(4, events);
    expect(await first.journalShardCount()).toBe(4);
    await first.close();

    // Nothing journaled yet (a fresh run after the stream was removed): the new count stands.
    const second = await connect('second');
    leases.length = 0;
    await second.startLeases(8, events);
    expect(await second.journalShardCount()).toBe(8);
    const lease = leases.find((l) => l.shard === 0)!;
    await second.append(0, lease, new Uint8Array([1, 2, 3]));

    const third = await connect('third');
    await expect(third.startLeases(4, events)).rejects.toThrow(/serve 8 shards, and this one was started with 4/);
    await third.close();
    await second.close();
  }, 60_000);
});
