// A stable hash maps a performance to its shard: the same id lands on the same shard in every
// process and after every restart, as long as the shard count is the same (it is part of the
// journal's layout: one subject per shard).
import { fnv1a } from '../domain/mod.ts';

export function shardOf(performanceId: string, shards: number): number {
  return Number.parseInt(fnv1a(performanceId), 16) % shards;
}
