// Every ticket a performance issued, as plain rows: what `onsale simulate --tickets-out` writes
// and what settlement and audits read. Walks the ticket columns once; bounded by the ticket table.
import { quotaIdOf, type PerformanceState } from './state.ts';
import { ticketIdOf } from './tickets.ts';

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
  /** `transferred`: resold on the exchange; the ticket named by the buyer's `resaleOf` replaces it. */
  status: 'valid' | 'transferred' | 'void';
  scanned: boolean;
  quotaId: string | null;
  presaleCode: string | null;
  orderId: string;
  /** The product and holding (card, subscription) the ticket was sold for; null for a single ticket or a resale. */
  productId: string | null;
  holdingId: string | null;
  /** A ticket bought on the resale exchange: the seller's ticket it replaced, and the seller's net purchase price. */
  resaleOf: string | null;
  basePriceMinor: number | null;
}

/** By TicketStatus number (0 is never issued). */
const statusNames: readonly TicketRow['status'][] = ['void', 'valid', 'void', 'transferred'];

export function ticketRows(s: PerformanceState): TicketRow[] {
  const t = s.tickets;
  const rows: TicketRow[] = [];
  for (let n = 0; n < t.count; n++) {
    const order = s.orders.get(t.order[n]);
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
      status: statusNames[t.status[n]],
      scanned: t.scanned[n] === 1,
      quotaId: quotaIdOf(s, t.source[n]),
      presaleCode: order.presaleCode,
      orderId: order.orderId,
      productId: order.productId,
      holdingId: order.holdingId,
      resaleOf: order.resaleOf === null ? null : ticketIdOf(s.performanceId, order.resaleOf),
      basePriceMinor: order.basePriceMinor,
    });
  }
  return rows;
}
