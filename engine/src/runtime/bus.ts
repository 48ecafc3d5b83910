// The one interface between the engine and its transport: a journal partitioned by shard,
// snapshots, and shard leases. Two implementations: the embedded bus (in process, the default,
// not durable) and NATS JetStream (durable; engine/src/nats/). The engine core never imports a
// transport; the CLI picks one.

/** A journal record as stored: its sequence (increasing within a shard) and its bytes. */
export interface JournalEntry { seq: number; bytes: Uint8Array }

export interface SnapshotEntry { seq: number; bytes: Uint8Array }

/** A shard this process may write: `epoch` grows each time the lease changes hands. */
export interface Lease { shard: number; epoch: number }

export interface LeaseEvents {
  /** This process now owns the shard: recover it, then serve it. */
  acquired(lease: Lease): void;
  /** This process lost the shard (not renewed in time, or taken): stop serving it at once. */
  lost(shard: number): void;
}

export interface Bus {
  readonly kind: 'embedded' | 'nats';
  /** Whether an acknowledged append survives this process (the CLI says so when it does not). */
  readonly durable: boolean;
  /**
   * Whether a snapshot saved here can later rebuild a shard, with the journal records after it
   * (`read`). When it cannot (an embedded bus that keeps no journal), the engine takes no
   * periodic snapshots: nothing could ever recover from one, and writing a shard of stadiums
   * out cost a worker a sixth of its time. snapshotAll() still takes them.
   */
  readonly recoversFromSnapshots: boolean;
  /**
   * The largest record an append can take, in bytes, where the bus has a bound of its own (NATS:
   * the server's max_payload, less room for the headers). The engine's batches stay within it
   * and within `batchBytesMax`; a single command past it is refused at the door.
   */
  readonly recordBytesMax?: number;

  /**
   * Appends one record (a group-commit batch) to the shard's journal and resolves with its
   * sequence once it is acknowledged. Rejects when the write is not acknowledged, or when this
   * writer is no longer the shard's only writer (a fence): nothing may then be applied.
   */
  append(shard: number, lease: Lease, bytes: Uint8Array): Promise<number>;

  /** Calls `each` for every record of the shard after `afterSeq`, in order; resolves with the last seq seen. */
  read(shard: number, afterSeq: number, each: (entry: JournalEntry) => void): Promise<number>;

  saveSnapshot(shard: number, snapshot: SnapshotEntry): Promise<void>;
  loadSnapshot(shard: number): Promise<SnapshotEntry | null>;

  /**
   * This process cannot serve a shard it holds (its recovery failed, its worker is gone): the
   * lease is handed back now, so that another process takes the shard over without waiting for
   * the lease to expire. A bus with no other process to hand it to does nothing.
   */
  release(shard: number, lease: Lease): void;

  /**
   * Whether this process may still serve the shard under `lease`, by its own clock: false once
   * the lease is past the point where its holder must fence itself, even if the event saying
   * so (`lost`) has not run yet. The engine asks before answering a query, so a process that
   * stalled past its lease (while another took the shard over) does not answer from a state
   * that is no longer the shard's. Absent: always (a bus with one process).
   */
  stillHolds?(shard: number, lease: Lease): boolean;

  /** Starts competing for shard leases; events say which shards this process owns. */
  startLeases(shards: number, events: LeaseEvents): Promise<void>;

  close(): Promise<void>;
}
