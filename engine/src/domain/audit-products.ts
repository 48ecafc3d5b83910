// The auditor's half for products and resale (audit.ts calls it): recounts each product's open
// holds and orders, rebuilds the holding index from the orders, and checks that every listing,
// every transferred ticket and every resale agrees with the tickets and orders it names.
import type { PerformanceState } from './state.ts';
import { TicketStatus, ticketNoOf } from './tickets.ts';

export function auditProducts(s: PerformanceState, fail: (message: string) => void): void {
  const held = new Map<string, number>();
  const orders = new Map<string, number>();
  const linked = (productId: string, what: string): void => { if (!s.products.has(productId)) fail(`${what} names product ${productId}, which is not linked`); };
  for (let hold = s.holdHead; hold !== null; hold = hold.next) {
    if (hold.productId === null) continue;
    linked(hold.productId, `hold ${hold.holdId}`);
    held.set(hold.productId, (held.get(hold.productId) ?? 0) + 1);
  }
  const holdings = new Map<string, number[]>();
  // Per ticket resold: its resale orders, and those whose ticket is not void (the resale stands).
  const replaced = new Map<number, number>();
  const standing = new Map<number, number>();
  for (const order of s.orders) {
    if (order.resaleOf !== null) {
      if (order.ticketCount !== 1 || order.productId !== null) fail(`resale order ${order.orderId} is not one ticket without a product`);
      replaced.set(order.resaleOf, (replaced.get(order.resaleOf) ?? 0) + 1);
      if (s.tickets.status[order.tickets[0]] !== TicketStatus.VOID) standing.set(order.resaleOf, (standing.get(order.resaleOf) ?? 0) + 1);
    }
    if (order.productId === null) continue;
    linked(order.productId, `order ${order.orderId}`);
    orders.set(order.productId, (orders.get(order.productId) ?? 0) + 1);
    if (order.holdingId === null) continue;
    const tickets = holdings.get(order.holdingId);
    if (tickets === undefined) holdings.set(order.holdingId, order.tickets);
    else tickets.push(...order.tickets);
  }
  for (const [productId, link] of s.products) {
    if (link.heldHolds !== (held.get(productId) ?? 0) || link.orders !== (orders.get(productId) ?? 0)) {
      fail(`product ${productId}: ${link.heldHolds} holds and ${link.orders} orders counted, ${held.get(productId) ?? 0} and ${orders.get(productId) ?? 0} found`);
    }
  }
  for (const quota of s.quotas) if (quota !== null && quota.productId !== null) linked(quota.productId, `quota ${quota.quotaId}`);
  if (holdings.size !== s.holdingTickets.size) fail(`${s.holdingTickets.size} holdings indexed, ${holdings.size} found`);
  for (const [holdingId, tickets] of holdings) {
    const indexed = s.holdingTickets.get(holdingId);
    if (indexed === undefined || indexed.length !== tickets.length || indexed.some((no, i) => no !== tickets[i])) fail(`holding ${holdingId}: tickets ${JSON.stringify(indexed)} indexed, ${JSON.stringify(tickets)} found`);
  }

  const t = s.tickets;
  // A resale that stands leaves the seller's ticket transferred; one undone (its buyer's ticket
  // voided) gives it back, valid (resale.ts unwindResale). An engine from before session 29 left
  // it transferred: a transferred ticket has at least one resale order, and at most one stands.
  for (let no = 0; no < t.count; no++) {
    const transferred = t.status[no] === TicketStatus.TRANSFERRED;
    const stands = standing.get(no) ?? 0;
    if (stands > 1 || (stands === 1 && !transferred) || (transferred && !replaced.has(no))) {
      fail(`ticket ${no}: status ${t.status[no]}, replaced by ${replaced.get(no) ?? 0} resale orders, ${stands} standing`);
    }
  }
  const undone = new Set(s.resales.filter((sale) => sale.refundedAtMs !== null).map((sale) => sale.listingId));
  let open = 0;
  let sold = 0;
  for (const listing of s.listings.values()) {
    const no = listing.ticket;
    if (listing.status === 'sold') {
      sold++;
      if (t.status[no] !== TicketStatus.TRANSFERRED && !undone.has(listing.listingId)) fail(`listing ${listing.listingId} is sold but ticket ${no} is not transferred`);
    }
    if (listing.status !== 'open') continue;
    open++;
    if (no >= t.count || t.status[no] !== TicketStatus.VALID || t.scanned[no] !== 0) fail(`open listing ${listing.listingId} names ticket ${no}, which is not valid and unscanned`);
    else if (s.orders.buyerIdOf(t.order[no]) !== listing.sellerId) fail(`open listing ${listing.listingId}: ticket ${no} is not held by its seller ${listing.sellerId}`);
    if (s.openListings.get(no) !== listing) fail(`open listing ${listing.listingId} is not indexed under ticket ${no}`);
  }
  if (open !== s.openListings.size) fail(`${s.openListings.size} open listings indexed, ${open} found`);
  if (sold !== s.resales.length) fail(`${sold} listings sold, ${s.resales.length} resales recorded`);
  // A resale is refunded exactly when its buyer's ticket is void (scan.ts voidValid).
  for (const sale of s.resales) {
    const no = ticketNoOf(t, s.performanceId, sale.ticketId);
    if (no < 0 || no >= t.count) fail(`resale ${sale.listingId} names ticket ${sale.ticketId}, which was not issued`);
    else if ((t.status[no] === TicketStatus.VOID) !== (sale.refundedAtMs !== null)) fail(`resale ${sale.listingId}: ticket ${sale.ticketId} has status ${t.status[no]}, refundedAtMs ${String(sale.refundedAtMs)}`);
  }
}
