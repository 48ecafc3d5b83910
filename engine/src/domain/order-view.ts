// An order's answer, built from the order and the ticket columns: confirmHold answers with it,
// and a retried confirmHold rebuilds the same answer from the same rows (dedupe.ts keeps only the
// order's number). Every field read here is fixed when the ticket is issued.
import type { OrderAccepted, TicketView } from './results.ts';
import { quotaIdOf, type Order, type PerformanceState } from './state.ts';
import { ticketIdOf } from './tickets.ts';

export function ticketViewOf(s: PerformanceState, no: number): TicketView {
  const t = s.tickets;
  const seat = t.seat[no];
  const source = t.source[no];
  return {
    ticketId: ticketIdOf(s.performanceId, no), seatId: seat >= 0 ? s.layout.seatIds[seat] : null,
    gaAreaId: seat >= 0 ? null : s.layout.gaAreas[t.gaArea[no]].id, ticketType: s.ticketTypes[t.ticketType[no]].id,
    priceMinor: t.priceMinor[no], discountMinor: t.discountMinor[no], quotaId: quotaIdOf(s, source),
  };
}

export function orderAcceptedOf(s: PerformanceState, order: Order): OrderAccepted {
  const tickets = new Array<TicketView>(order.ticketCount);
  for (let i = 0; i < order.ticketCount; i++) tickets[i] = ticketViewOf(s, order.firstTicket + i);
  return { ok: true, orderId: order.orderId, holdId: order.holdId, totalMinor: order.totalMinor, discountMinor: order.discountMinor, tickets };
}
