// Tickets as columns of typed arrays indexed by ticket number: a sold-out stadium is 60,000
// rows of a few bytes each, not 60,000 objects. Ticket ids are derived from the number.
import { limits } from './limits.ts';

/** A transferred ticket was resold on the exchange: the buyer's new ticket replaces it. */
export const TicketStatus = { VALID: 1, VOID: 2, TRANSFERRED: 3 } as const;

export interface TicketTable {
  count: number;
  /** Seat index, or -1 for a GA place. */
  seat: Int32Array;
  /** GA area index, or -1 for a seat. */
  gaArea: Int16Array;
  order: Uint32Array;
  ticketType: Uint8Array;
  channel: Uint8Array;
  source: Uint8Array;
  status: Uint8Array;
  scanned: Uint8Array;
  priceMinor: Uint32Array;
  discountMinor: Uint32Array;
}

const initialRows = 1024;

export function createTicketTable(rows = initialRows): TicketTable {
  return {
    count: 0,
    seat: new Int32Array(rows),
    gaArea: new Int16Array(rows),
    order: new Uint32Array(rows),
    ticketType: new Uint8Array(rows),
    channel: new Uint8Array(rows),
    source: new Uint8Array(rows),
    status: new Uint8Array(rows),
    scanned: new Uint8Array(rows),
    priceMinor: new Uint32Array(rows),
    discountMinor: new Uint32Array(rows),
  };
}

type Column = Exclude<keyof TicketTable, 'count'>;
export const ticketColumns: readonly Column[] = ['seat', 'gaArea', 'order', 'ticketType', 'channel', 'source', 'status', 'scanned', 'priceMinor', 'discountMinor'];

/** Room for `more` rows; false when the performance's ticket bound would be passed. */
export function reserveTickets(table: TicketTable, more: number): boolean {
  const needed = table.count + more;
  if (needed > limits.ticketsPerPerformanceMax) return false;
  const capacity = table.seat.length;
  if (needed <= capacity) return true;
  let grown = capacity * 2;
  while (grown < needed) grown *= 2;
  grown = Math.min(grown, limits.ticketsPerPerformanceMax);
  for (const column of ticketColumns) {
    const old = table[column];
    const next = new (old.constructor as new (n: number) => typeof old)(grown);
    next.set(old as never);
    (table as unknown as Record<Column, typeof old>)[column] = next;
  }
  return true;
}

export function ticketIdOf(performanceId: string, ticketNo: number): string {
  return `${performanceId}-T${ticketNo}`;
}

/** The ticket number behind an id of this performance, or -1. */
export function ticketNoOf(table: TicketTable, performanceId: string, ticketId: unknown): number {
  if (typeof ticketId !== 'string') return -1;
  const prefix = performanceId.length + 2;
  if (ticketId.length <= prefix || ticketId.length > prefix + 9 || !ticketId.startsWith(performanceId) || ticketId.charCodeAt(prefix - 2) !== 45 || ticketId.charCodeAt(prefix - 1) !== 84) return -1;
  const digits = ticketId.slice(prefix);
  if (!/^(0|[1-9][0-9]*)$/.test(digits)) return -1;
  const no = Number(digits);
  return no < table.count ? no : -1;
}
