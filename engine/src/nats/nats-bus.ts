// The durable bus: the journal in a JetStream stream, snapshots in an Object Store, shard
// leases in a KV bucket, all on one connection. See engine/docs/NATS.md for what an
// acknowledged append promises and how long a takeover takes.
import { randomBytes } from 'node:crypto';
import { connect, StorageType, type NatsConnection, type StreamConfig } from 'nats';
import type { Bus, JournalEntry, Lease, LeaseEvents, SnapshotEntry } from '../runtime/bus.ts';
import { apiErrorCode, losingSettings, onReconnect, streamNotFound } from './nats-connection.ts';
import { NatsJournal } from './nats-journal.ts';
import { NatsLeases } from './nats-leases.ts';
import { NatsSnapshots } from './nats-snapshots.ts';

export interface NatsBusOptions {
  /** One URL or several, comma-separated or as an array: 'nats://127.0.0.1:4222'. */
  servers: string | string[];
  /** This process's name among the engine processes: unique per process, a KV key token ([-_=/.A-Za-z0-9]+, e.g. `${hostname}-${pid}`). */
  owner: string;
  /** How often held leases are renewed (runtimeDefaults.leaseRenewMs). */
  leaseRenewMs: number;
  /** How long a lease lasts unrenewed before another process takes it (runtimeDefaults.leaseTtlMs); at least twice leaseRenewMs. */
  leaseTtlMs: number;
  /** An append not acknowledged within this rejects with JOURNAL_FAILED (runtimeDefaults.journalAckTimeoutMs). */
  journalAckTimeoutMs: number;
  /** The journal stream (default ONSALE_JOURNAL), created with file storage if missing. */
  streamName?: string;
  /** The journal's subject prefix (default 'onsale.journal'): shard n is `<prefix>.<n>`. */
  subjectPrefix?: string;
  /** The Object Store bucket for snapshots (default onsale_snapshots). */
  snapshotBucket?: string;
  /** The KV bucket for leases and members (default onsale_leases). */
  leaseBucket?: string;
  /** Unexpected failures of the background lease loop (expected ones, like losing a race, are not reported). */
  onError?: (error: Error) => void;
}

export const natsBusDefaults = {
  streamName: 'ONSALE_JOURNAL',
  subjectPrefix: 'onsale.journal',
  snapshotBucket: 'onsale_snapshots',
  leaseBucket: 'onsale_leases',
} as const;

const ownerPattern = /^[-_=/.A-Za-z0-9]+$/;

/**
 * What makes a lease bucket made beforehand lose its keys, or null: a TTL (max_age) or a limit
 * on its size lets the leases and the journal's recorded shard count go (a process started with
 * another count was then taken in: two writers for a performance), and memory storage loses them
 * when nats-server stops.
 */
function lostBy(c: StreamConfig): string | null {
  const lost = losingSettings(c, ['max_age', 'max_bytes', 'max_msgs']);
  return lost.length > 0 ? lost.join(', ') : null;
}

export class NatsBus implements Bus {
  readonly kind = 'nats' as const;
  readonly durable = true;
  readonly recoversFromSnapshots = true;
  /** Room left in a message for the journal's headers (msg id, expected sequence, epoch): a few hundred bytes, with a margin. */
  private static readonly headerRoomBytes = 4_096;
  /** Makes msg ids unique to this process even if a lost lease bucket ever let an epoch repeat. */
  private readonly nonce = randomBytes(4).toString('hex');
  private closed = false;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly journal: NatsJournal,
    private readonly snapshots: NatsSnapshots,
    private readonly leases: NatsLeases,
    private readonly journalAckTimeoutMs: number,
  ) {}

  /**
   * Whether the server holds the journal stream, asked without creating anything (connect()
   * creates what is missing): a replay of a server that has none has nothing to read, and must
   * not leave an empty stream and buckets behind.
   */
  static async hasJournal(servers: string | string[], streamName: string = natsBusDefaults.streamName): Promise<boolean> {
    const nc = await connect({ servers, name: 'onsale-engine journal check', maxReconnectAttempts: 0 });
    try {
      await (await nc.jetstreamManager()).streams.info(streamName);
      return true;
    } catch (error) {
      if (apiErrorCode(error) === streamNotFound) return false;
      throw error;
    } finally {
      await nc.close();
    }
  }

  /** Connects, and creates the stream and buckets where they do not exist yet. */
  static async connect(options: NatsBusOptions): Promise<NatsBus> {
    if (!ownerPattern.test(options.owner)) throw new RangeError(`owner must match ${ownerPattern}, got '${options.owner}'`);
    for (const key of ['leaseRenewMs', 'leaseTtlMs', 'journalAckTimeoutMs'] as const) {
      if (!Number.isFinite(options[key]) || options[key] <= 0) throw new RangeError(`${key} must be a positive number, got ${options[key]}`);
    }
    if (options.leaseRenewMs * 2 > options.leaseTtlMs) throw new RangeError('leaseTtlMs must be at least twice leaseRenewMs');
    const nc = await connect({
      servers: options.servers,
      name: `onsale-engine ${options.owner}`,
      // An engine outlives a nats-server restart: keep trying; the lease fence covers the gap.
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
    });
    try {
      const js = nc.jetstream();
      const journal = await NatsJournal.open(nc, options.streamName ?? natsBusDefaults.streamName, options.subjectPrefix ?? natsBusDefaults.subjectPrefix);
      const snapshots = await NatsSnapshots.open(js, options.snapshotBucket ?? natsBusDefaults.snapshotBucket);
      const leaseBucket = options.leaseBucket ?? natsBusDefaults.leaseBucket;
      const kv = await js.views.kv(leaseBucket, { history: 1, storage: StorageType.File });
      const lost = lostBy((await kv.status()).streamInfo.config);
      if (lost !== null) throw new Error(`lease bucket ${leaseBucket} exists but loses keys (${lost}): the leases and the journal's shard count must stay until they are changed; remove that from the bucket, or name another one`);
      const leases = new NatsLeases({
        kv,
        owner: options.owner,
        leaseRenewMs: options.leaseRenewMs,
        leaseTtlMs: options.leaseTtlMs,
        tail: (shard) => journal.tail(shard),
        journalEmpty: async () => (await journal.records()) === 0,
        onError: options.onError ?? (() => undefined),
      });
      onReconnect(nc, () => leases.reconnected());
      return new NatsBus(nc, journal, snapshots, leases, options.journalAckTimeoutMs);
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  /**
   * The server's max_payload less the headers' room: a smaller max_payload than the default
   * 1 MiB (set in the server's configuration) would otherwise fail every large batch's append,
   * and each failure gives the shard's lease up.
   */
  get recordBytesMax(): number | undefined {
    // The stream's max_msg_size counts too (headers included): a stream made with a smaller one
    // failed every large batch's append, each giving the shard's lease up (until session 30).
    const limits = [this.nc.info?.max_payload, this.journal.maxMsgSize ?? undefined].filter((v): v is number => v !== undefined);
    if (limits.length === 0) return undefined;
    // (Not below 1 KiB: a limit smaller than the headers' room would otherwise give no room at
    // all; such a server refuses the appends, as it would refuse anything else.)
    return Math.max(1_024, Math.min(...limits) - NatsBus.headerRoomBytes);
  }

  /** The bus' connection, shared by the command ingress (one connection per process). */
  get connection(): NatsConnection {
    return this.nc;
  }

  /** The journal stream's name, and the records it holds (all shards): what an earlier run left there. */
  async journalRecords(): Promise<{ stream: string; records: number }> {
    return { stream: this.journal.stream, records: await this.journal.records() };
  }

  /** The shard count the engine processes on this journal serve, or null where none was recorded (a journal from before session 28). */
  journalShardCount(): Promise<number | null> {
    return this.leases.shardCount();
  }

  /** One more than the highest shard the journal holds records of: the least shard count it was written with. */
  journalShardsReached(): Promise<number> {
    return this.journal.shardsReached();
  }

  stillHolds(shard: number, lease: Lease): boolean {
    return this.leases.stillHolds(shard, lease);
  }

  async append(shard: number, lease: Lease, bytes: Uint8Array): Promise<number> {
    const writer = this.leases.writer(shard, lease);
    writer.appending = true;
    const msgId = `${shard}:${writer.epoch}:${++writer.appended}:${this.nonce}`;
    try {
      const { seq } = await this.journal.publish(shard, bytes, {
        msgId,
        epoch: writer.epoch,
        expectedLastSeq: writer.expectedSeq,
        timeoutMs: this.journalAckTimeoutMs,
      });
      writer.expectedSeq = seq;
      return seq;
    } catch (error) {
      this.leases.giveUp(writer);
      throw error;
    } finally {
      writer.appending = false;
    }
  }

  read(shard: number, afterSeq: number, each: (entry: JournalEntry) => void): Promise<number> {
    return this.journal.read(shard, afterSeq, each);
  }

  saveSnapshot(shard: number, snapshot: SnapshotEntry): Promise<void> {
    return this.snapshots.save(shard, snapshot);
  }

  loadSnapshot(shard: number): Promise<SnapshotEntry | null> {
    return this.snapshots.load(shard);
  }

  startLeases(shards: number, events: LeaseEvents): Promise<void> {
    return this.leases.start(shards, events);
  }

  release(shard: number, lease: Lease): void {
    this.leases.release(shard, lease.epoch);
  }

  /** Hands every held shard back (lost first, then the key is deleted), leaves, and disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.leases.close();
    await this.nc.close();
  }

  /** Test only: dies as a killed process would: timers stop, the connection drops, no key is released. */
  async abandonForTest(): Promise<void> {
    this.closed = true;
    this.leases.abandon();
    await this.nc.close();
  }

  /** Test only: freezes the lease loop (no heartbeat, renewal or rebalancing); appends and fence timers go on. */
  stopRenewingForTest(): void {
    this.leases.stopRenewing();
  }
}
