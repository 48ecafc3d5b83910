// What a coordinator asks its runtime to do: an xstate-style list of actions returned by the
// pure transition, never run by it. Step command ids are derived from the product, the saga and
// the step number, so a step re-sent after a crash is deduplicated by the performance.
import type { Command } from '../commands.ts';
import type { Result } from '../results.ts';

export type Outbound =
  /** Send `command` to performance `to`; report its result back as `stepResult {saga, step}`. */
  | { t: 'send'; to: string; command: Command; saga: number; step: number }
  /** The client command `commandId` that started a saga has its final result. */
  | { t: 'done'; commandId: string; result: Result };

/** The immediate answer to a command that started (or joins) a saga still running. */
export interface SagaPending { ok: true; pending: true; productId: string; saga: number }

export function isPending(result: Result | SagaPending): result is SagaPending {
  return result.ok && (result as SagaPending).pending === true;
}

/**
 * A step's id: `~<linkNo>/<saga>/<step>` once the performance has linked the product and given it
 * its number there, else `<productId>/<saga>/<step>` (the link steps themselves, and products
 * linked before link numbers). Unique within the performance either way. The short form is
 * flat and a few characters long: a step's id is built, hashed and copied into both memories of
 * command ids, and the long one (a string built of parts, then flattened) cost about a fifth of
 * what a performance spends on the step.
 */
export function stepCommandId(productId: string, saga: number, step: number, linkNo: number | undefined): string {
  return linkNo === undefined ? `${productId}/${saga}/${step}` : `~${linkNo}/${saga}/${step}`;
}

/**
 * Whether `id` is a step of that product's sagas at a performance where it has `linkNo` (either
 * form of stepCommandId): what a performance asks before it voids one of the product's tickets.
 */
export function isStepOf(id: string, productId: string, linkNo: number | undefined): boolean {
  if (!isStepCommandId(id)) return false;
  return id.startsWith(`${productId}/`) || (linkNo !== undefined && id.startsWith(`~${linkNo}/`));
}

/** Whether `id` has the shape of a saga step's id (a client's id of that shape is taken for one: harmless). */
export function isStepCommandId(id: string): boolean {
  // The shard asks this of every command: most ids have no slash, and are answered without the pattern.
  return id.includes('/') && /\/\d+\/\d+$/.test(id);
}
