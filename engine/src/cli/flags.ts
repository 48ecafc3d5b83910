// What the `onsale` commands share to read their flags. A command line that cannot run is a
// UsageError (printed with the usage, exit code 2); a run that cannot start for a reason outside
// the command line (NATS unreachable) is a StartError (its message, exit code 1). Neither is a
// stack trace.
import { availableParallelism } from 'node:os';
import { journalFileShardsMax } from '../runtime/mod.ts';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export class StartError extends Error {
  override readonly name = 'StartError';
}

/** A whole number flag: digits only (Number() would read '' as 0 and take '0x10', '1e3' or ' 7 '). */
export function intFlag(value: string, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${value}'`);
  return n;
}

/**
 * Upper bounds of the flags that size a run, so a typo is refused with a usage line instead of
 * exhausting memory or threads (`--buyers 5000000000` failed deep in the simulator with a
 * RangeError). Far above what one machine runs: 256 worker threads, 4,096 shards (journal
 * subjects and leases), 10 million simulated buyers (about 30 times the stadium scenario's).
 */
export const workersFlagMax = 256;
/** The journal file's own bound: a replay runs as many shards as the file names. */
export const shardsFlagMax = journalFileShardsMax;
export const buyersFlagMax = 10_000_000;

/**
 * --workers and --shards as the engine will take them: workers default to `defaultWorkers` (the
 * engine's own default is the machine's cores), shards to max(16, workers), and never fewer
 * shards than workers.
 */
export function workersAndShards(values: { workers?: string; shards?: string }, defaultWorkers = availableParallelism()): { workers: number; shards: number } {
  const workers = values.workers === undefined ? defaultWorkers : intFlag(values.workers, 'workers', 1, workersFlagMax);
  const shards = values.shards === undefined ? Math.max(16, workers) : intFlag(values.shards, 'shards', 1, shardsFlagMax);
  if (shards < workers) throw new UsageError(`--shards (${shards}) must be at least the number of workers (${workers}${values.workers === undefined ? ', the machine\'s cores; lower it with --workers' : ''})`);
  return { workers, shards };
}
