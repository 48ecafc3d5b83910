// Entry scans and voids. A ticket admits once; a void returns its seat or place to the pool
// it was sold from.
import type { ScanTicket, VoidTicket } from './commands.ts';
import { reject, type Rejection } from './codes.ts';
import { hashId } from './idindex.ts';
import { moveGa, moveSeat } from './moves.ts';
import { DONE, type Done, type ScanAccepted } from './results.ts';
import { SeatState, type PerformanceState } from './state.ts';
import { TicketStatus, ticketNoOf } from './tickets.ts';

function validTicket(s: PerformanceState, ticketId: unknown): number | Rejection {
  const no = ticketNoOf(s.tickets, s.performanceId, ticketId);
  if (no < 0) return reject('TICKET_NOT_FOUND', 'ticketId', `no ticket ${String(ticketId)} for performance ${s.performanceId}`);
  if (s.tickets.status[no] === TicketStatus.VOID) return reject('TICKET_VOID', 'ticketId', `ticket ${String(ticketId)} is void`);
  if (s.tickets.scanned[no] !== 0) return reject('TICKET_ALREADY_SCANNED', 'ticketId', `ticket ${String(ticketId)} has already been scanned`);
  return no;
}

export function scanTicket(s: PerformanceState, cmd: ScanTicket): ScanAccepted | Rejection {
  const no = validTicket(s, cmd.ticketId);
  if (typeof no !== 'number') return no;
  s.tickets.scanned[no] = 1;
  const seat = s.tickets.seat[no];
  return { ok: true, ticketId: cmd.ticketId, seatId: seat >= 0 ? s.layout.seatIds[seat] : null, gaAreaId: seat >= 0 ? null : s.layout.gaAreas[s.tickets.gaArea[no]].id };
}

/** Voids a valid, unscanned ticket (a refund); its seat or place goes back on sale. */
export function voidTicket(s: PerformanceState, cmd: VoidTicket): Done | Rejection {
  const no = validTicket(s, cmd.ticketId);
  if (typeof no !== 'number') return no;
  const t = s.tickets;
  t.status[no] = TicketStatus.VOID;
  const seat = t.seat[no];
  if (seat >= 0) moveSeat(s, seat, SeatState.FREE, 0);
  else moveGa(s, t.gaArea[no], t.source[no], SeatState.SOLD, SeatState.FREE, 1);
  const order = s.orders[t.order[no]];
  const buyerNo = s.buyers.find(order.buyerId, hashId(order.buyerId));
  if (buyerNo >= 0) {
    s.buyers.soldTickets[buyerNo]--;
    s.buyers.forgetIfIdle(buyerNo);
  }
  if (order.presaleCode !== null) {
    const presale = s.presales.get(order.presaleCode);
    if (presale !== undefined) {
      presale.sold--;
      const used = (presale.buyerUse.get(order.buyerId) ?? 1) - 1;
      if (used <= 0) presale.buyerUse.delete(order.buyerId);
      else presale.buyerUse.set(order.buyerId, used);
    }
  }
  return DONE;
}
