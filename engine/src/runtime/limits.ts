// Every bound of the runtime, named once, units last. Hitting one is a typed refusal
// (OVERLOADED) or a flush, never unbounded growth. The domain's own bounds are in
// engine/src/domain/limits.ts.

export const runtimeDefaults = {
  /** Commands submitted to one shard and not yet answered; past this, OVERLOADED. */
  mailboxMax: 65_536,
  /** Commands in one batch (one journal record, one message to a worker). */
  batchCommandsMax: 4_096,
  /** A batch is flushed once its encoded size passes this (NATS' default max_payload is 1 MiB). */
  batchBytesMax: 512 * 1024,
  /** A partly filled batch waits at most this long for company (group commit). */
  flushAfterMs: 1,
  /** A shard snapshot is taken after this many commands... */
  snapshotEveryCommands: 100_000,
  /** ...or this long after the last one, if any command arrived since. */
  snapshotEveryMs: 30_000,
  /** The engine remembers command ids at least this long (JetStream's own window is 2 minutes)... */
  dedupeWindowMs: 10 * 60_000,
  /** ...unless a shard passes this many remembered commands, which shortens the window (metered). */
  dedupeEntriesMax: 200_000,
  /** Shard lease: renewed this often... */
  leaseRenewMs: 500,
  /** ...and taken over by another process when not renewed for this long. */
  leaseTtlMs: 3_000,
  /** A journal append not acknowledged within this is a failure (JOURNAL_FAILED). */
  journalAckTimeoutMs: 5_000,
  /**
   * A shard worker that dies is replaced and its shards recovered (snapshot and journal) at most
   * this many times per workerRespawnWindowMs; past that its shards stay down here and their
   * leases are handed back, so a worker killed by what it replays cannot loop.
   */
  workerRespawnsMax: 3,
  workerRespawnWindowMs: 60_000,
} as const;

/**
 * Performances and products one shard hosts at most: an `openPerformance` or `createProduct`
 * past it is refused ACTORS_LIMIT_REACHED. Nothing closes an actor, and each is kept in memory,
 * ticked every second and counted at every scrape (until session 32 there was no bound: 2,000
 * theatre performances took 200 MB of one shard). A constant, not an option: a journal replayed
 * with another bound would refuse other commands than the run did.
 */
export const actorsPerShardMax = 4_096;

export type RuntimeOptions = { -readonly [K in keyof typeof runtimeDefaults]: number };

export function runtimeOptions(overrides: Partial<RuntimeOptions> = {}): RuntimeOptions {
  const merged: RuntimeOptions = { ...runtimeDefaults };
  for (const key of Object.keys(overrides) as (keyof RuntimeOptions)[]) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`runtime option ${key} must be a non-negative number, got ${value}`);
    merged[key] = value;
  }
  for (const key of ['mailboxMax', 'batchCommandsMax', 'batchBytesMax', 'dedupeEntriesMax'] as const) {
    if (!Number.isInteger(merged[key]) || merged[key] < 1) throw new RangeError(`runtime option ${key} must be an integer >= 1, got ${merged[key]}`);
  }
  if (merged.leaseRenewMs * 2 > merged.leaseTtlMs) throw new RangeError('leaseTtlMs must be at least twice leaseRenewMs');
  return merged;
}
