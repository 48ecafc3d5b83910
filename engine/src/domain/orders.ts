// Confirming a hold into an order: one ticket per seat or place, priced from the ticket type
// and the seat's zone in minor units, with the quota's discount booked as a discount line (all of
// the price for a complimentary confirm).
import type { ConfirmHold } from './commands.ts';
import { reject, type Rejection } from './codes.ts';
import { needEmail } from './checks.ts';
import { closeHold, liveHold } from './holds.ts';
import { Fate } from './memo.ts';
import { moveGa, moveSeat } from './moves.ts';
import { orderAcceptedOf } from './order-view.ts';
import type { OrderAccepted } from './results.ts';
import { countProductOrder } from './products-link.ts';
import { Order, SeatState, type Hold, type PerformanceState } from './state.ts';
import { TicketStatus, reserveTickets } from './tickets.ts';

export function confirmHold(s: PerformanceState, cmd: ConfirmHold, nowMs: number): OrderAccepted | Rejection {
  const order = confirmedOrder(s, cmd, nowMs);
  return 'ok' in order ? order : orderAcceptedOf(s, order);
}

/** confirmHold's rules: the order made, or the refusal. */
export function confirmedOrder(s: PerformanceState, cmd: ConfirmHold, nowMs: number): Order | Rejection {
  const badEmail = needEmail(cmd.buyerEmail, 'buyerEmail');
  if (badEmail !== null) return badEmail;
  if (cmd.complimentary !== undefined && typeof cmd.complimentary !== 'boolean') return reject('COMMAND_INVALID', 'complimentary', 'complimentary must be true or false');
  const hold = liveHold(s, cmd, nowMs);
  if ('ok' in hold) return hold;
  return orderOfConfirmed(s, hold, cmd.buyerEmail, cmd.complimentary === true, nowMs);
}

/**
 * What confirmHold asks of the live hold it names (a presale hold's e-mail address, a
 * complimentary confirm's product), then the order: the rest of confirmedOrder, which a named
 * binary confirm (binary-named.ts) runs on the hold it finds by slot.
 */
export function orderOfConfirmed(s: PerformanceState, hold: Hold, buyerEmail: string | undefined, free: boolean, nowMs: number): Order | Rejection {
  // DOMAIN §4: the organizer sees each presale link's buyers by e-mail address (presaleReport).
  if (hold.presaleCode !== null && buyerEmail === undefined) return reject('COMMAND_INVALID', 'buyerEmail', `hold ${hold.holdId} was made with presale code ${hold.presaleCode}: its order needs the buyer's e-mail address`);
  // Only what a product sold before may be given: a single ticket always has a price to pay.
  if (free && hold.productId === null) return reject('COMMAND_INVALID', 'complimentary', 'only a product\'s hold is confirmed complimentary');
  return orderOf(s, hold, buyerEmail ?? null, free, nowMs);
}

/**
 * Turns a live hold into an order: its tickets issued at the type's price in each seat's zone,
 * less the quota's discount (all of it when `free`), its seats or places sold, the hold closed.
 */
export function orderOf(s: PerformanceState, hold: Hold, buyerEmail: string | null, free: boolean, nowMs: number): Order | Rejection {
  if (!reserveTickets(s.tickets, hold.count)) return reject('TICKETS_LIMIT_REACHED', '', 'this performance has issued as many tickets as it may');

  const orderNo = s.orders.length;
  const ticketType = s.ticketTypes[hold.ticketType];
  const t = s.tickets;
  let totalMinor = 0;
  let discountMinor = 0;
  const places = hold.seats.length > 0 ? hold.seats.length : hold.count;
  // The order's tickets are the next `places` numbers (Order keeps the run, not a list).
  const firstTicket = t.count;
  for (let i = 0; i < places; i++) {
    const seat = hold.seats.length > 0 ? hold.seats[i] : -1;
    const source = seat >= 0 ? s.seatSource[seat] : hold.source;
    const zone = seat >= 0 ? s.layout.seatZone[seat] : s.layout.gaAreas[hold.gaArea].zone;
    const priceMinor = ticketType.priceByZone[zone];
    const quota = source === 0 ? null : s.quotas[source];
    const discount = free ? priceMinor : quota === null ? 0 : Math.floor((priceMinor * quota.discountPct) / 100);
    const no = t.count++;
    t.seat[no] = seat;
    t.gaArea[no] = seat >= 0 ? -1 : hold.gaArea;
    t.order[no] = orderNo;
    t.ticketType[no] = hold.ticketType;
    t.channel[no] = hold.channel;
    t.source[no] = source;
    t.status[no] = TicketStatus.VALID;
    t.scanned[no] = 0;
    t.priceMinor[no] = priceMinor;
    t.discountMinor[no] = discount;
    if (seat >= 0) moveSeat(s, seat, SeatState.SOLD, no + 1);
    totalMinor += priceMinor - discount;
    discountMinor += discount;
  }
  if (hold.gaArea >= 0) moveGa(s, hold.gaArea, hold.source, SeatState.HELD, SeatState.SOLD, hold.count);
  const order = new Order(
    s.performanceId, orderNo, hold.holdId, hold.buyerId, buyerEmail, hold.channel, hold.presaleCode, firstTicket, places,
    totalMinor, discountMinor, nowMs, hold.productId, hold.holdingId, null, null,
  );
  s.orders.add(order);
  if (hold.presaleCode !== null) s.presales.get(hold.presaleCode)?.orders.push(orderNo);
  if (hold.productId !== null) countProductOrder(s, order);
  closeHold(s, hold, Fate.CONFIRMED);
  return order;
}
