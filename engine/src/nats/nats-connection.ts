// Small things the journal and the leases both need from a NATS connection.
import { Events, StorageType, type NatsConnection, type NatsError, type StreamConfig } from 'nats';

/** JetStream's own error code (err_code) of a refused API call or publish, e.g. 10071 for a CAS conflict. */
export function apiErrorCode(error: unknown): number | undefined {
  return (error as NatsError | null)?.api_error?.err_code;
}

/** JetStream's "wrong last sequence": a compare-and-set (expected last subject seq) that lost. */
export const wrongLastSequence = 10071;
/** JetStream's "stream not found". */
export const streamNotFound = 10059;

/**
 * Calls `listener` after each reconnect. Requests written just before a disconnect die with the
 * socket and answer only at their timeout, and a KV watcher may stop delivering: both want to
 * know at once.
 */
export function onReconnect(nc: NatsConnection, listener: () => void): void {
  void (async () => {
    for await (const status of nc.status()) if (status.type === Events.Reconnect) listener();
  })();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The settings of a stream made beforehand (the journal's, or a KV bucket's underneath) that
 * let it lose what it holds, said for an operator: each of `limits` set above 0 (an age, a size,
 * a count), and memory storage (all lost when nats-server stops). Empty when none.
 */
export function losingSettings(c: StreamConfig, limits: readonly ('max_msgs' | 'max_bytes' | 'max_age' | 'max_msgs_per_subject')[]): string[] {
  const found = limits.filter((name) => typeof c[name] === 'number' && c[name] > 0).map((name) => `${name} ${c[name]}`);
  if (c.storage !== undefined && c.storage !== StorageType.File) found.push(`storage ${c.storage} (lost when nats-server stops)`);
  return found;
}
