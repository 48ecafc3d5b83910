// The resale exchange for product seats (DOMAIN §6). A card or subscription holder lists one
// performance's ticket at a price inside the product's band; anyone buys it through a channel of
// kind `resale`. The sale transfers the seat: the seller's ticket becomes `transferred` (it no
// longer admits) and the buyer gets a new ticket for the same seat or place, in an order of its
// own. The seat stays sold throughout, so no counter of seats or places moves.
import type { BuyResale, ListResale, WithdrawResale } from './commands.ts';
import { reject, type Rejection } from './codes.ts';
import { limits } from './limits.ts';
import { needEmail, needId, needInt } from './checks.ts';
import { hashId } from './idindex.ts';
import { assert } from './assert.ts';
import { moveSeatTicket } from './moves.ts';
import { DONE, type Done, type ListingAccepted, type ResaleBought } from './results.ts';
import { Order, type Listing, type PerformanceState, type ProductLink, type ResaleSale, type ResaleTerms } from './state.ts';
import { TicketStatus, reserveTickets, ticketIdOf, ticketNoOf } from './tickets.ts';

/** The price band of a listing: from floor(base × minPct / 100) to ceil(base × maxPct / 100). */
export function priceBand(basePriceMinor: number, terms: ResaleTerms): [number, number] {
  return [Math.floor((basePriceMinor * terms.minPct) / 100), Math.ceil((basePriceMinor * terms.maxPct) / 100)];
}

export function listResale(s: PerformanceState, cmd: ListResale, nowMs: number): ListingAccepted | Rejection {
  const bad = needId(cmd.listingId, 'listingId') ?? needId(cmd.ticketId, 'ticketId') ?? needId(cmd.sellerId, 'sellerId')
    ?? needId(cmd.channel, 'channel') ?? needInt(cmd.priceMinor, 'priceMinor', 0, limits.priceMinorMax);
  if (bad !== null) return bad;
  if (s.listings.has(cmd.listingId)) return reject('LISTING_EXISTS', 'listingId', `listing ${cmd.listingId} exists`);
  if (s.listings.size >= limits.listingsPerPerformanceMax) return reject('TICKETS_LIMIT_REACHED', 'listingId', `at most ${limits.listingsPerPerformanceMax} resale listings per performance`);
  const t = s.tickets;
  const no = ticketNoOf(t, s.performanceId, cmd.ticketId);
  if (no < 0) return reject('TICKET_NOT_FOUND', 'ticketId', `no ticket ${cmd.ticketId} for performance ${s.performanceId}`);
  if (t.status[no] === TicketStatus.TRANSFERRED) return reject('TICKET_TRANSFERRED', 'ticketId', `ticket ${cmd.ticketId} was resold`);
  if (t.status[no] !== TicketStatus.VALID || t.scanned[no] !== 0) return reject('RESALE_NOT_ELIGIBLE', 'ticketId', `ticket ${cmd.ticketId} is ${t.scanned[no] !== 0 ? 'already scanned' : 'void'}`);
  const order = s.orders.get(t.order[no]);
  const terms = order.productId === null ? null : ((s.products.get(order.productId) as ProductLink).resale);
  if (terms === null) return reject('RESALE_NOT_ELIGIBLE', 'ticketId', `ticket ${cmd.ticketId} was not sold through a product that allows resale`);
  if (cmd.sellerId !== order.buyerId) return reject('LISTING_NOT_OWNED', 'sellerId', `ticket ${cmd.ticketId} is not held by ${cmd.sellerId}`);
  const channel = s.channelIndexById.get(cmd.channel);
  if (channel === undefined) return reject('CHANNEL_UNKNOWN', 'channel', `no channel ${cmd.channel}`);
  if (!terms.channels.includes(channel)) return reject('RESALE_CHANNEL_NOT_ALLOWED', 'channel', `product ${String(order.productId)} is not resold on channel ${cmd.channel}`);
  const unauthorized = quotaNotAuthorized(s, no, order.productId, (c) => s.channels[c].kind === 'resale', 'a resale channel', 'ticketId');
  if (unauthorized !== null) return unauthorized;
  if (s.openListings.has(no)) return reject('TICKET_ALREADY_LISTED', 'ticketId', `ticket ${cmd.ticketId} is already listed`);
  const basePriceMinor = t.priceMinor[no] - t.discountMinor[no];
  const [low, high] = priceBand(basePriceMinor, terms);
  if (cmd.priceMinor < low || cmd.priceMinor > high) return reject('RESALE_PRICE_OUT_OF_BAND', 'priceMinor', `the price must be from ${low} to ${high}`);
  const listing: Listing = { listingId: cmd.listingId, ticket: no, sellerId: cmd.sellerId, channel, priceMinor: cmd.priceMinor, basePriceMinor, status: 'open', createdAtMs: nowMs };
  s.listings.set(listing.listingId, listing);
  s.openListings.set(no, listing);
  return { ok: true, listingId: listing.listingId, ticketId: cmd.ticketId, priceMinor: listing.priceMinor, basePriceMinor };
}

/**
 * Whether the quota ticket `no` was sold from lets it be resold where `authorizes` says (a
 * channel number to yes or no): the general pool does; a product's own quota that names no
 * channels (the allocation and renewal reservation its coordinator creates) goes with the
 * product's resale policy, checked by the listing; any other quota must name such a channel.
 */
function quotaNotAuthorized(s: PerformanceState, no: number, productId: string | null, authorizes: (channel: number) => boolean, where: string, field: string): Rejection | null {
  const quota = s.quotas[s.tickets.source[no]];
  if (quota === null) return null;
  if (quota.productId === productId && quota.channels.length === 0) return null;
  if (quota.channels.some(authorizes)) return null;
  return reject('RESALE_QUOTA_NOT_AUTHORIZED', field, `quota ${quota.quotaId} is not authorized on ${where}`);
}

/** The listing a withdrawal or a purchase names, while it is open. */
function openListing(s: PerformanceState, listingId: string): Listing | Rejection {
  const listing = s.listings.get(listingId);
  if (listing === undefined) return reject('LISTING_UNKNOWN', 'listingId', `no listing ${listingId}`);
  if (listing.status !== 'open') return reject('LISTING_CLOSED', 'listingId', `listing ${listingId} was ${listing.status}`);
  return listing;
}

export function withdrawResale(s: PerformanceState, cmd: WithdrawResale): Done | Rejection {
  const bad = needId(cmd.listingId, 'listingId') ?? needId(cmd.sellerId, 'sellerId');
  if (bad !== null) return bad;
  const listing = openListing(s, cmd.listingId);
  if ('ok' in listing) return listing;
  if (listing.sellerId !== cmd.sellerId) return reject('LISTING_NOT_OWNED', 'sellerId', `listing ${cmd.listingId} is not ${cmd.sellerId}'s`);
  listing.status = 'withdrawn';
  s.openListings.delete(listing.ticket);
  return DONE;
}

/**
 * Checks, in order: ids and e-mail (COMMAND_INVALID); the listing known and open; the channel
 * known, of kind `resale` and on sale; the buyer is not the seller; the buyer's ticket cap (a
 * new buyer: room for one more); room for a ticket.
 */
export function buyResale(s: PerformanceState, cmd: BuyResale, nowMs: number): ResaleBought | Rejection {
  const bad = needId(cmd.listingId, 'listingId') ?? needId(cmd.buyerId, 'buyerId') ?? needId(cmd.channel, 'channel') ?? needEmail(cmd.buyerEmail, 'buyerEmail');
  if (bad !== null) return bad;
  const listing = openListing(s, cmd.listingId);
  if ('ok' in listing) return listing;
  const channel = s.channelIndexById.get(cmd.channel);
  if (channel === undefined) return reject('CHANNEL_UNKNOWN', 'channel', `no channel ${cmd.channel}`);
  const ch = s.channels[channel];
  if (ch.kind !== 'resale') return reject('RESALE_CHANNEL_NOT_ALLOWED', 'channel', `channel ${cmd.channel} is not a resale channel`);
  if (!ch.enabled || nowMs < ch.saleStartMs || nowMs >= ch.saleEndMs) return reject('CHANNEL_NOT_ON_SALE', 'channel', `channel ${ch.id} is not on sale now`);
  // The quota's authorization is for the resale channel the seat changes hands on, not any.
  const unauthorized = quotaNotAuthorized(s, listing.ticket, s.orders.productIdOf(s.tickets.order[listing.ticket]), (c) => c === channel, `channel ${ch.id}`, 'channel');
  if (unauthorized !== null) return unauthorized;
  if (cmd.buyerId === listing.sellerId) return reject('LISTING_NOT_OWNED', 'buyerId', 'the seller cannot buy their own listing');
  const buyers = s.buyers;
  const buyerHash = hashId(cmd.buyerId);
  let buyerNo = buyers.find(cmd.buyerId, buyerHash);
  // A buyer not tracked yet holds nothing, and every performance allows at least one ticket.
  if (buyerNo >= 0 && buyers.heldTickets[buyerNo] + buyers.soldTickets[buyerNo] + 1 > s.spec.maxTicketsPerBuyer) {
    return reject('BUYER_TICKET_LIMIT', 'buyerId', `at most ${s.spec.maxTicketsPerBuyer} tickets per buyer for this performance`);
  }
  if (buyerNo < 0 && buyers.size >= limits.buyersPerPerformanceMax) return reject('BUYERS_LIMIT_REACHED', 'buyerId', 'this performance tracks as many buyers as it may');
  if (!reserveTickets(s.tickets, 1)) return reject('TICKETS_LIMIT_REACHED', '', 'this performance has issued as many tickets as it may');

  const t = s.tickets;
  const old = listing.ticket;
  const sold = s.orders.get(t.order[old]);
  const no = t.count++;
  const orderNo = s.orders.length;
  const seat = t.seat[old];
  t.seat[no] = seat;
  t.gaArea[no] = t.gaArea[old];
  t.order[no] = orderNo;
  t.ticketType[no] = t.ticketType[old];
  t.channel[no] = channel;
  // The same pool as the seller's ticket: a GA place stays sold in the pool it was sold from.
  t.source[no] = t.source[old];
  t.status[no] = TicketStatus.VALID;
  t.scanned[no] = 0;
  t.priceMinor[no] = listing.priceMinor;
  t.discountMinor[no] = 0;
  t.status[old] = TicketStatus.TRANSFERRED;
  if (seat >= 0) moveSeatTicket(s, seat, no);
  const order = new Order(
    s.performanceId, orderNo, listing.listingId, cmd.buyerId, cmd.buyerEmail ?? null, channel, null, no, 1,
    listing.priceMinor, 0, nowMs, null, null, old, listing.basePriceMinor,
  );
  s.orders.add(order);
  const sellerNo = buyers.find(listing.sellerId, hashId(listing.sellerId));
  buyers.soldTickets[sellerNo]--;
  buyers.forgetIfIdle(sellerNo);
  // Looked up again: forgetting the seller may have freed the number a new buyer takes.
  buyerNo = buyers.find(cmd.buyerId, buyerHash);
  if (buyerNo < 0) buyerNo = buyers.add(cmd.buyerId, buyerHash);
  buyers.soldTickets[buyerNo]++;
  listing.status = 'sold';
  s.openListings.delete(old);

  const terms = (s.products.get(sold.productId as string) as ProductLink).resale as ResaleTerms;
  const feeMinor = Math.floor((listing.priceMinor * terms.feePct) / 100);
  const sale: ResaleSale = {
    listingId: listing.listingId, productId: sold.productId as string, holdingId: sold.holdingId, sellerId: listing.sellerId, buyerId: cmd.buyerId,
    ticketId: ticketIdOf(s.performanceId, no), resaleOf: ticketIdOf(s.performanceId, old), priceMinor: listing.priceMinor,
    basePriceMinor: listing.basePriceMinor, feeMinor, sellerCreditMinor: listing.priceMinor - feeMinor, atMs: nowMs, refundedAtMs: null,
  };
  s.resales.push(sale);
  return {
    ok: true, listingId: sale.listingId, ticketId: sale.ticketId, resaleOf: sale.resaleOf,
    seatId: seat >= 0 ? s.layout.seatIds[seat] : null, gaAreaId: seat >= 0 ? null : s.layout.gaAreas[t.gaArea[no]].id,
    sellerId: sale.sellerId, priceMinor: sale.priceMinor, basePriceMinor: sale.basePriceMinor, feeMinor, sellerCreditMinor: sale.sellerCreditMinor,
  };
}

/**
 * The ticket bought through listing `listingId` (on seat `seat`, or a GA place when -1) was
 * voided (scan.ts): the buyer is refunded the resale price, and the resale is undone as a whole.
 * The sale is marked, not removed, so settlement can book the reversal beside the sale's own
 * lines (the fee and the seller's credit, negated). The seller's ticket `sellerTicket` is valid
 * again, on the same seat, and counts for the seller again, as before the sale: the seller gave
 * the seat up for a credit the reversal takes back, and must not lose both. The seat stays sold
 * (a place stays sold in its pool); it is not put back on sale.
 */
export function unwindResale(s: PerformanceState, listingId: string, sellerTicket: number, seat: number, nowMs: number): void {
  const t = s.tickets;
  assert(t.status[sellerTicket] === TicketStatus.TRANSFERRED, `the ticket listing ${listingId} resold is not transferred`);
  t.status[sellerTicket] = TicketStatus.VALID;
  if (seat >= 0) moveSeatTicket(s, seat, sellerTicket);
  // From the newest: a refund most often follows its sale closely, and a listing sells once.
  for (let i = s.resales.length - 1; i >= 0; i--) {
    const sale = s.resales[i];
    if (sale.listingId !== listingId) continue;
    assert(sale.refundedAtMs === null, `resale ${listingId} was already refunded`);
    sale.refundedAtMs = nowMs;
    // Counted again, like any ticket held (above maxTicketsPerBuyer only if the seller bought up to it meanwhile: given back, not bought).
    const buyers = s.buyers;
    const sellerHash = hashId(sale.sellerId);
    let sellerNo = buyers.find(sale.sellerId, sellerHash);
    if (sellerNo < 0) sellerNo = buyers.add(sale.sellerId, sellerHash);
    buyers.soldTickets[sellerNo]++;
    return;
  }
  assert(false, `no resale recorded for listing ${listingId}`);
}
