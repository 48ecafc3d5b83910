// What the NatsBus suites share: one real nats-server per test file (engine/test/nats/nats-server.ts),
// a stream and buckets of its own for every test (so tests cannot see each other's keys), buses
// and connections closed after each test, lease events recorded as they happen. Lease timings
// are small (renew 100 ms, TTL 500 ms); every wait polls a condition with a generous timeout.
import { connect, type KV, type NatsConnection } from 'nats';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Lease, LeaseEvents } from '../../src/runtime/bus.ts';
import { NatsBus, type NatsBusOptions } from '../../src/nats/nats-bus.ts';
import { startNatsServer, type NatsServer } from './nats-server.ts';

export const renewMs = 100;
export const ttlMs = 500;

export type Place = Pick<NatsBusOptions, 'streamName' | 'subjectPrefix' | 'snapshotBucket' | 'leaseBucket'>;

export interface BusFixture {
  server(): NatsServer;
  /** A stream and buckets of its own for one test; `tag` keeps two files' names apart. */
  place(): Place;
  /** A bus on the test's place with the small lease timings, closed after the test. */
  bus(where: Place, owner: string, timing?: Partial<NatsBusOptions>, url?: string): Promise<NatsBus>;
  /** A connection of the test's own, closed after the test. */
  connection(): Promise<NatsConnection>;
  /** The lease bucket of a place, as another process sees it. */
  leaseBucket(where: Place): Promise<KV>;
  /** Anything else with a close() to run after the test. */
  closeAfter(thing: { close(): Promise<unknown> }): void;
}

/** Registers the file's server and clean-up hooks; call once at the top of a test file. */
export function busFixture(tag: string): BusFixture {
  let server: NatsServer | undefined;
  let places = 0;
  const opened: { close(): Promise<unknown> }[] = [];
  beforeAll(async () => {
    server = await startNatsServer();
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).reverse().map((thing) => thing.close().catch(() => undefined)));
  });
  const fixture: BusFixture = {
    server: () => server!,
    place() {
      const n = ++places;
      return { streamName: `${tag.toUpperCase()}${n}`, subjectPrefix: `${tag}${n}.journal`, snapshotBucket: `${tag}snap${n}`, leaseBucket: `${tag}lease${n}` };
    },
    async bus(where, owner, timing = {}, url = server!.url) {
      const connected = await NatsBus.connect({ servers: url, owner, leaseRenewMs: renewMs, leaseTtlMs: ttlMs, journalAckTimeoutMs: 5_000, ...where, ...timing });
      opened.push(connected);
      return connected;
    },
    async connection() {
      const nc = await connect({ servers: server!.url });
      opened.push(nc);
      return nc;
    },
    async leaseBucket(where) {
      return (await fixture.connection()).jetstream().views.kv(where.leaseBucket!, { history: 1 });
    },
    closeAfter(thing) {
      opened.push(thing);
    },
  };
  return fixture;
}

/** Lease events as they happen, with the time of each by this process's monotonic clock. */
export function recorder() {
  const held = new Map<number, Lease>();
  const acquired: (Lease & { atMs: number })[] = [];
  const lost: { shard: number; atMs: number }[] = [];
  const events: LeaseEvents = {
    acquired(lease) {
      held.set(lease.shard, lease);
      acquired.push({ ...lease, atMs: performance.now() });
    },
    lost(shard) {
      held.delete(shard);
      lost.push({ shard, atMs: performance.now() });
    },
  };
  return { events, held, acquired, lost, shards: () => [...held.keys()].sort((a, b) => a - b) };
}

export async function waitFor(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}
