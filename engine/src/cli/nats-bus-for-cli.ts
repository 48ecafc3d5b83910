// The CLI's NATS buses: a writing one (simulate, serve) owning leases under this process' name,
// and a read-only one for `replay`, which competes for nothing and writes nothing.
import { hostname } from 'node:os';
import { NatsBus, natsBusDefaults } from '../nats/mod.ts';
import { runtimeOptions, type Bus, type JournalEntry, type LeaseEvents, type SnapshotEntry } from '../runtime/mod.ts';
import { StartError } from './flags.ts';

export async function connectNatsBus(servers: string, onError?: (error: Error) => void): Promise<NatsBus> {
  const o = runtimeOptions();
  return reachable(servers, NatsBus.connect({
    servers,
    owner: `${hostname().replace(/[^-_=/.A-Za-z0-9]/g, '_')}-${process.pid}`,
    leaseRenewMs: o.leaseRenewMs,
    leaseTtlMs: o.leaseTtlMs,
    journalAckTimeoutMs: o.journalAckTimeoutMs,
    onError,
  }));
}

/** A server that cannot be reached is the user's to fix, not a stack trace (exit 1). */
async function reachable<T>(servers: string, connecting: Promise<T>): Promise<T> {
  try {
    return await connecting;
  } catch (error) {
    const message = (error as Error).message;
    // NATS says 503 when nothing answers a request: here, the JetStream API.
    const why = message === '503' ? '503: JetStream does not answer there (start nats-server with -js)' : message;
    throw new StartError(`cannot use NATS at ${servers}: ${why}`);
  }
}

/** Replays the whole journal from its start (snapshots ignored): a clean rebuild to compare with. */
class ReplayBus implements Bus {
  readonly kind = 'nats' as const;
  readonly durable = true;
  /** Snapshots are dropped: a replay rebuilds from the journal alone. */
  readonly recoversFromSnapshots = false;
  constructor(private readonly inner: NatsBus) {}
  append(): Promise<number> {
    return Promise.reject(new Error('replay is read-only'));
  }
  read(shard: number, afterSeq: number, each: (entry: JournalEntry) => void): Promise<number> {
    return this.inner.read(shard, afterSeq, each);
  }
  async saveSnapshot(_shard: number, _snapshot: SnapshotEntry): Promise<void> {}
  async loadSnapshot(): Promise<SnapshotEntry | null> {
    return null;
  }
  async startLeases(shards: number, events: LeaseEvents): Promise<void> {
    for (let shard = 0; shard < shards; shard++) events.acquired({ shard, epoch: 0 });
  }
  /** A replay holds no real leases. */
  release(): void {}
  async close(): Promise<void> {
    await this.inner.close();
  }
}

/**
 * A read-only bus over the journal at `servers`; the shard count its writers recorded (null for
 * a journal from before it was), and the least count its records need (journalShardsReached).
 */
export async function connectReplayBus(servers: string): Promise<{ bus: Bus; shards: number | null; shardsReached: number }> {
  if (!(await reachable(servers, NatsBus.hasJournal(servers)))) throw new StartError(`no journal stream ${natsBusDefaults.streamName} at ${servers}: nothing to replay`);
  const inner = await reachable(servers, NatsBus.connect({ servers, owner: `replay-${process.pid}`, leaseRenewMs: 500, leaseTtlMs: 3_000, journalAckTimeoutMs: 5_000 }));
  try {
    return { bus: new ReplayBus(inner), shards: await inner.journalShardCount(), shardsReached: await inner.journalShardsReached() };
  } catch (error) {
    await inner.close();
    throw error;
  }
}
