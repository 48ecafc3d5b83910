// Signing ticket codes in bulk on a piscina pool. This is where piscina fits: each task is
// stateless (key + tickets in, codes out), so any free thread may take it. The performance
// actors are not on piscina: each owns state that must stay on one thread and see its commands
// in order, which a task pool (any task to any thread) cannot promise.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { CodeSubject } from './ticket-code.ts';

/** Tickets per task: large enough that the hand-off is small next to the HMACs. */
const ticketsPerTask = 5_000;

/** A ticket signing key: at least 16 bytes, in hex. */
export const ticketKeyPattern = /^([0-9a-f]{2}){16,}$/i;

export class TicketSigner {
  private readonly pool: Piscina;
  constructor(threads = Math.max(1, Math.min(4, availableParallelism() - 1))) {
    this.pool = new Piscina({ filename: new URL('./ticket-code-task.mjs', import.meta.url).href, minThreads: 1, maxThreads: threads });
  }

  async sign(keyHex: string, tickets: readonly CodeSubject[]): Promise<string[]> {
    if (!ticketKeyPattern.test(keyHex)) throw new RangeError('the ticket key must be at least 16 bytes, hex');
    const tasks: Promise<string[]>[] = [];
    for (let at = 0; at < tickets.length; at += ticketsPerTask) {
      const slice = tickets.slice(at, at + ticketsPerTask).map((t) => ({ ticketId: t.ticketId, performanceId: t.performanceId, seatId: t.seatId, gaAreaId: t.gaAreaId }));
      tasks.push(this.pool.run({ keyHex, tickets: slice }));
    }
    return (await Promise.all(tasks)).flat();
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}
