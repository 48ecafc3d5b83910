// A query the engine does not run (its shard is not served here, too many queries wait behind
// it): thrown by Engine.query with the rejection it amounts to, so that a transport answers with
// the code (the NATS ingress does) rather than with a message to parse.
import { reject, type Rejection } from '../domain/mod.ts';

export class QueryRefused extends Error {
  constructor(readonly rejection: Rejection) {
    super(`${rejection.name}: ${rejection.message}`);
    this.name = 'QueryRefused';
  }
}

/** What a failed query amounts to as a rejection: its own, or SHARD_UNAVAILABLE (the worker failed to answer). */
export function queryRejection(failure: unknown): Rejection {
  if (failure instanceof QueryRefused) return failure.rejection;
  return reject('SHARD_UNAVAILABLE', '', failure instanceof Error ? failure.message : String(failure));
}
