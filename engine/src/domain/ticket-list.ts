// Every ticket a performance issued, as plain rows: what `onsale simulate --tickets-out` writes
// and what settlement and audits read. Walks the ticket columns once; bounded by the ticket table.
import type { PerformanceState } from './state.ts';
import { TicketStatus, ticketIdOf } from './tickets.ts';

export interface TicketRow {
  ticketId: string;
  performanceId: string;
  seatId: string | null;
  gaAreaId: string | null;
  buyerId: string;
  channel: string;
  ticketType: string;
  priceMinor: number;
  discountMinor: number;
  status: 'valid' | 'void';
  scanned: boolean;
  quotaId: string | null;
  presaleCode: string | null;
  orderId: string;
}

export function ticketRows(s: PerformanceState): TicketRow[] {
  const t = s.tickets;
  const rows: TicketRow[] = [];
  for (let n = 0; n < t.count; n++) {
    const order = s.orders[t.order[n]];
    const seat = t.seat[n];
    const area = t.gaArea[n];
    rows.push({
      ticketId: ticketIdOf(s.performanceId, n),
      performanceId: s.performanceId,
      seatId: seat >= 0 ? s.layout.seatIds[seat] : null,
      gaAreaId: area >= 0 ? s.layout.gaAreas[area].id : null,
      buyerId: order.buyerId,
      channel: s.channels[t.channel[n]].id,
      ticketType: s.ticketTypes[t.ticketType[n]].id,
      priceMinor: t.priceMinor[n],
      discountMinor: t.discountMinor[n],
      status: t.status[n] === TicketStatus.VOID ? 'void' : 'valid',
      scanned: t.scanned[n] === 1,
      quotaId: t.source[n] === 0 ? null : (s.quotas[t.source[n]]?.quotaId ?? null),
      presaleCode: order.presaleCode,
      orderId: order.orderId,
    });
  }
  return rows;
}
