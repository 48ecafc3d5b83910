// Products and performances driven in one thread, with no runtime: every action a coordinator
// returns is executed at once, in order, and its result fed back. The reference harness for the
// property tests and the `seasonCardsPerSec` benchmark; the runtime does the same through
// journaled commands. Bounded: one client command runs at most `stepsPerCommandMax` steps.
import { reject } from '../codes.ts';
import type { Command } from '../commands.ts';
import { execute } from '../execute.ts';
import type { Result } from '../results.ts';
import type { PerformanceState } from '../state.ts';
import type { ProductCommand } from './commands.ts';
import { executeProduct } from './execute.ts';
import { isPending, type Outbound } from './outbound.ts';
import type { ProductState } from './state.ts';

const stepsPerCommandMax = 10_000_000;

/** The runtime's shard answers the same: a product is created where it is addressed. */
export function misaddressed(): Result {
  return reject('COMMAND_INVALID', 'productId', 'productId must be the product the command is sent to');
}

export class LocalProducts {
  readonly performances = new Map<string, PerformanceState>();
  readonly products = new Map<string, ProductState>();
  private stepNo = 0;

  addPerformance(s: PerformanceState): void {
    this.performances.set(s.performanceId, s);
  }

  /** Runs a performance command directly. */
  perform(performanceId: string, command: Command, nowMs: number): Result {
    const s = this.performances.get(performanceId);
    if (s === undefined) return reject('PERFORMANCE_UNKNOWN', 'performanceId', `no performance ${performanceId}`);
    return execute(s, command, nowMs);
  }

  /** Runs a product command and every saga step it causes; returns the final outcome. */
  product(productId: string, command: ProductCommand, nowMs: number): Result {
    const first = this.apply(productId, command, nowMs);
    if (first === null) return misaddressed();
    let outcome: Result | null = isPending(first.result) ? null : first.result;
    // Every action comes from this one product: its sagas talk only to performances.
    const queue: Outbound[] = [...first.out];
    for (let i = 0; i < queue.length; i++) {
      if (i >= stepsPerCommandMax) throw new Error(`product command ${command.commandId} ran more than ${stepsPerCommandMax} steps`);
      const o = queue[i];
      if (o.t === 'done') {
        if (o.commandId === command.commandId) outcome = o.result;
        continue;
      }
      const result = this.perform(o.to, o.command, nowMs);
      const next = this.apply(productId, { type: 'stepResult', commandId: `r${this.stepNo++}`, saga: o.saga, step: o.step, result }, nowMs)!;
      for (const n of next.out) queue.push(n);
    }
    if (outcome === null) throw new Error(`product command ${command.commandId} did not finish`);
    return outcome;
  }

  /** Null when a createProduct names another product than the one it is sent to (nothing is kept). */
  private apply(productId: string, command: ProductCommand, nowMs: number): ReturnType<typeof executeProduct> | null {
    const known = this.products.get(productId) ?? null;
    const output = executeProduct(known, command, nowMs);
    if (known === null && output.state !== null) {
      if (output.state.productId !== productId) return null;
      this.products.set(productId, output.state);
    }
    return output;
  }
}
