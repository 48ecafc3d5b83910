// Signing ticket codes in bulk on a piscina pool. This is where piscina fits: each task is
// stateless (key + tickets in, codes out), so any free thread may take it. The performance
// actors are not on piscina: each owns state that must stay on one thread and see its commands
// in order, which a task pool (any task to any thread) cannot promise.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { ticketKeyPattern, type CodeSubject, type HoldingSubject } from './ticket-code.ts';
import type { SignTask } from './ticket-code-task.ts';

/** Tickets per task: large enough that the hand-off is small next to the HMACs. */
const ticketsPerTask = 5_000;

export { ticketKeyPattern };

export class TicketSigner {
  private readonly pool: Piscina;
  constructor(threads = Math.max(1, Math.min(4, availableParallelism() - 1))) {
    this.pool = new Piscina({ filename: new URL('./ticket-code-task.mjs', import.meta.url).href, minThreads: 1, maxThreads: threads });
  }

  /** The tickets' codes, in order. */
  sign(keyHex: string, tickets: readonly CodeSubject[]): Promise<string[]> {
    return this.inTasks(keyHex, tickets, (slice) => ({ keyHex, tickets: slice.map((t) => ({ ticketId: t.ticketId, performanceId: t.performanceId, seatId: t.seatId, gaAreaId: t.gaAreaId })) }));
  }

  /** The holdings' codes (a card's or subscription's one code), in order. */
  signHoldings(keyHex: string, holdings: readonly HoldingSubject[]): Promise<string[]> {
    return this.inTasks(keyHex, holdings, (slice) => ({ keyHex, holdings: slice.map((h) => ({ holdingId: h.holdingId, productId: h.productId })) }));
  }

  /** Tasks of ticketsPerTask subjects each (only the fields signed are sent to the threads); their codes in order. */
  private async inTasks<T>(keyHex: string, subjects: readonly T[], task: (slice: readonly T[]) => SignTask): Promise<string[]> {
    if (!ticketKeyPattern.test(keyHex)) throw new RangeError('the ticket key must be at least 16 bytes, hex');
    const tasks: Promise<string[]>[] = [];
    for (let at = 0; at < subjects.length; at += ticketsPerTask) tasks.push(this.pool.run(task(subjects.slice(at, at + ticketsPerTask))));
    return (await Promise.all(tasks)).flat();
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}
