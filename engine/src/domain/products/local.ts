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
    return this.runCommands(productId, [command], nowMs)[0];
  }

  /**
   * Runs product commands that arrive together, as the runtime runs a batch of them: each is
   * applied in turn, then every step they caused, until every one has its outcome (by position).
   * Steps to one performance made meanwhile go in its courier's next batch (couriers.ts).
   */
  productMany(productId: string, commands: readonly ProductCommand[], nowMs: number): Result[] {
    return this.runCommands(productId, commands, nowMs);
  }

  private runCommands(productId: string, commands: readonly ProductCommand[], nowMs: number): Result[] {
    const outcomes: (Result | null)[] = [];
    const waiting = new Map<string, number[]>();
    // Every action comes from this one product: its sagas talk only to performances.
    const queue: Outbound[] = [];
    for (const command of commands) {
      const first = this.apply(productId, command, nowMs);
      const at = outcomes.length;
      if (first === null) outcomes.push(misaddressed());
      else if (!isPending(first.result)) outcomes.push(first.result);
      else {
        outcomes.push(null);
        const same = waiting.get(command.commandId);
        if (same === undefined) waiting.set(command.commandId, [at]);
        else same.push(at);
      }
      if (first !== null) for (const o of first.out) queue.push(o);
    }
    for (let i = 0; i < queue.length; i++) {
      if (i >= stepsPerCommandMax) throw new Error(`product commands ran more than ${stepsPerCommandMax} steps`);
      const o = queue[i];
      if (o.t === 'done') {
        for (const at of waiting.get(o.commandId) ?? []) outcomes[at] = o.result;
        continue;
      }
      const result = this.perform(o.to, o.command, nowMs);
      const next = this.apply(productId, { type: 'stepResult', commandId: `r${this.stepNo++}`, saga: o.saga, step: o.step, result }, nowMs)!;
      for (const n of next.out) queue.push(n);
    }
    return outcomes.map((r, i) => {
      if (r === null) throw new Error(`product command ${commands[i].commandId} did not finish`);
      return r;
    });
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
