// Entry scans and voids. A ticket admits once; a void returns its seat or place to the pool
// it was sold from (and refunds a resale purchase's sale, resale.ts); several tickets are voided
// all or nothing. A product's holding (card, subscription) is scanned by its holding id.
import type { ScanHolding, ScanTicket, VoidTicket, VoidTickets } from './commands.ts';
import { needId, shown } from './checks.ts';
import { reject, type Rejection } from './codes.ts';
import { hashId } from './idindex.ts';
import { limits } from './limits.ts';
import { isStepOf } from './products/outbound.ts';
import { freeGa, freeSeat } from './moves.ts';
import { unwindResale } from './resale.ts';
import { DONE, type CountAccepted, type Done, type ScanAccepted } from './results.ts';
import { SeatState, type PerformanceState } from './state.ts';
import { TicketStatus, ticketIdOf, ticketNoOf } from './tickets.ts';

/**
 * The ticket a scan or a void names, if it may still admit: issued, not void, not resold
 * (transferred), not scanned, and not on the resale exchange (its seller withdraws the listing
 * first).
 */
function validTicket(s: PerformanceState, ticketId: unknown): number | Rejection {
  const no = ticketNoOf(s.tickets, s.performanceId, ticketId);
  if (no < 0) return reject('TICKET_NOT_FOUND', 'ticketId', `no ticket ${shown(ticketId)} for performance ${s.performanceId}`);
  const status = s.tickets.status[no];
  if (status === TicketStatus.VOID) return reject('TICKET_VOID', 'ticketId', `ticket ${shown(ticketId)} is void`);
  if (status === TicketStatus.TRANSFERRED) return reject('TICKET_TRANSFERRED', 'ticketId', `ticket ${shown(ticketId)} was resold`);
  if (s.tickets.scanned[no] !== 0) return reject('TICKET_ALREADY_SCANNED', 'ticketId', `ticket ${shown(ticketId)} has already been scanned`);
  if (s.openListings.size > 0 && s.openListings.has(no)) return reject('TICKET_ALREADY_LISTED', 'ticketId', `ticket ${shown(ticketId)} is on the resale exchange`);
  return no;
}

export function scanTicket(s: PerformanceState, cmd: ScanTicket): ScanAccepted | Rejection {
  const no = validTicket(s, cmd.ticketId);
  if (typeof no !== 'number') return no;
  return admit(s, no, cmd.ticketId);
}

function admit(s: PerformanceState, no: number, ticketId: string): ScanAccepted {
  s.tickets.scanned[no] = 1;
  const seat = s.tickets.seat[no];
  return { ok: true, ticketId, seatId: seat >= 0 ? s.layout.seatIds[seat] : null, gaAreaId: seat >= 0 ? null : s.layout.gaAreas[s.tickets.gaArea[no]].id };
}

/**
 * A card's (or subscription's) one code at this performance: admits with the holding's first
 * ticket that may admit. When none may, the refusal says why, the most telling reason first: a
 * ticket on the exchange, the entitlement used, resold, or no ticket at all (void or never
 * bought here).
 */
export function scanHolding(s: PerformanceState, cmd: ScanHolding): ScanAccepted | Rejection {
  const bad = needId(cmd.holdingId, 'holdingId');
  if (bad !== null) return bad;
  const tickets = s.holdingTickets.get(cmd.holdingId);
  if (tickets === undefined) return reject('HOLDING_NO_TICKET', 'holdingId', `holding ${cmd.holdingId} has no ticket for ${s.performanceId}`);
  const t = s.tickets;
  let listed = false;
  let scanned = false;
  let transferred = false;
  for (const no of tickets) {
    if (t.status[no] === TicketStatus.TRANSFERRED) transferred = true;
    else if (t.status[no] !== TicketStatus.VALID) continue;
    else if (t.scanned[no] !== 0) scanned = true;
    else if (s.openListings.has(no)) listed = true;
    else return admit(s, no, ticketIdOf(s.performanceId, no));
  }
  if (listed) return reject('TICKET_ALREADY_LISTED', 'holdingId', `the ticket of holding ${cmd.holdingId} is on the resale exchange`);
  if (scanned) return reject('TICKET_ALREADY_SCANNED', 'holdingId', `holding ${cmd.holdingId} was already scanned at ${s.performanceId}`);
  if (transferred) return reject('TICKET_TRANSFERRED', 'holdingId', `the seat of holding ${cmd.holdingId} at ${s.performanceId} was resold`);
  return reject('HOLDING_NO_TICKET', 'holdingId', `holding ${cmd.holdingId} has no valid ticket for ${s.performanceId}`);
}

/**
 * The ticket a void names, if it may be voided: valid (validTicket), and not a card's or a
 * subscription's unless its product's coordinator voids it (a step of its sagas: an exchange,
 * a compensation). A holding's ticket voided by hand would leave the coordinator listing it and
 * the settlement ledger booking its revenue; the holder gives a performance up through the
 * product (exchange) or the resale exchange instead.
 */
function voidableTicket(s: PerformanceState, ticketId: unknown, commandId: string): number | Rejection {
  const no = validTicket(s, ticketId);
  if (typeof no !== 'number') return no;
  const productId = s.orders.productIdOf(s.tickets.order[no]);
  if (productId !== null && !isStepOf(commandId, productId, s.products.get(productId)?.linkNo)) {
    return reject('TICKET_OF_PRODUCT', 'ticketId', `ticket ${shown(ticketId)} belongs to holding ${s.orders.get(s.tickets.order[no])?.holdingId ?? '?'} of product ${productId}: only the product voids it (an exchange)`);
  }
  return no;
}

/**
 * Voids a valid, unscanned ticket (a refund) at `nowMs`; its seat or place goes back on sale. A
 * ticket bought on the resale exchange undoes that sale: the seat is the seller's again (resale.ts
 * unwindResale).
 */
export function voidTicket(s: PerformanceState, cmd: VoidTicket, nowMs: number): Done | Rejection {
  const no = voidableTicket(s, cmd.ticketId, cmd.commandId);
  if (typeof no !== 'number') return no;
  voidValid(s, no, nowMs);
  return DONE;
}

/**
 * Voids every ticket listed, or none (DOMAIN §7): the list is checked whole (an array of 1 to
 * ticketsPerVoidMax ids, none twice), then each ticket as voidTicket checks it, in order, before
 * the first is voided. A refusal is the first ticket's own, naming it (`ticketIds[i]`).
 */
export function voidTickets(s: PerformanceState, cmd: VoidTickets, nowMs: number): CountAccepted | Rejection {
  const ids = cmd.ticketIds as unknown;
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > limits.ticketsPerVoidMax) {
    return reject('COMMAND_INVALID', 'ticketIds', `ticketIds must be an array of 1 to ${limits.ticketsPerVoidMax} ticket ids`);
  }
  const numbers = new Array<number>(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const bad = needId(ids[i], `ticketIds[${i}]`);
    if (bad !== null) return bad;
    if (ids.indexOf(ids[i]) !== i) return reject('COMMAND_INVALID', `ticketIds[${i}]`, `ticket ${shown(ids[i])} is listed twice`);
  }
  for (let i = 0; i < ids.length; i++) {
    const no = voidableTicket(s, ids[i], cmd.commandId);
    if (typeof no !== 'number') return { ...no, field: `ticketIds[${i}]` };
    numbers[i] = no;
  }
  for (const no of numbers) voidValid(s, no, nowMs);
  return { ok: true, count: numbers.length };
}

/**
 * Voids a ticket validTicket accepted: the seat or place back in its pool (or, for a resale
 * purchase, back to the seller, its sale marked refunded: its order's holdId is the listing id),
 * the buyer's and the presale link's counts down.
 */
function voidValid(s: PerformanceState, no: number, nowMs: number): void {
  const t = s.tickets;
  t.status[no] = TicketStatus.VOID;
  const order = s.orders.get(t.order[no]);
  const seat = t.seat[no];
  // A ticket bought on the exchange: the resale is undone, and the seat or place is the
  // seller's again (resale.ts unwindResale), not back on sale. Any other: back in its pool.
  if (order.resaleOf !== null) unwindResale(s, order.holdId, order.resaleOf, seat, nowMs);
  else if (seat >= 0) freeSeat(s, seat);
  else freeGa(s, t.gaArea[no], t.source[no], SeatState.SOLD, 1);
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
}
