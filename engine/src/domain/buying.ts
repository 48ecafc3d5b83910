// The checks every hold runs before looking at seats, in a fixed order: buyer, channel (known,
// and not a resale channel: those sell the exchange's listings only, resale.ts), the
// product (a coordinator's hold), the channel's sale window (or the presale link and its
// window; a product's hold skips the channel's window: the coordinator keeps the product's own),
// ticket type (known, not closed, then its own rules: products only, its channels, its window;
// ticket-access.ts), the buyer's caps, the link's caps, the performance's bound on open holds.
import type { HoldBestAvailable, HoldGa, HoldSeats } from './commands.ts';
import { reject, type Rejection } from './codes.ts';
import { limits } from './limits.ts';
import { needId, shown } from './checks.ts';
import { hashId } from './idindex.ts';
import { productOfHold } from './products-link.ts';
import { checkTicketTypeAccess } from './ticket-access.ts';
import type { PerformanceState, Presale, ProductLink } from './state.ts';

export interface BuyContext {
  ok: true;
  buyerId: string;
  channel: number;
  ticketType: number;
  presale: Presale | null;
  /** The buyer's number in `s.buyers`, or -1 for a buyer not tracked yet. */
  buyerNo: number;
  buyerHash: number;
  /** A product coordinator's hold: the linked product and the holding; null for any other hold. */
  product: ProductLink | null;
  holdingId: string | null;
}

/** The checks before seats; `hash` is hashId(cmd.commandId), the id the hold will have. */
export function checkBuying(s: PerformanceState, cmd: HoldSeats | HoldBestAvailable | HoldGa, hash: number, count: number, nowMs: number): BuyContext | Rejection {
  const bad = needId(cmd.buyerId, 'buyerId');
  if (bad !== null) return bad;
  const channelIndex = s.channelIndexById.get(cmd.channel);
  if (channelIndex === undefined) return reject('CHANNEL_UNKNOWN', 'channel', `no channel ${shown(cmd.channel)}`);
  const channel = s.channels[channelIndex];
  // Checked before the window and the product: no hold, a coordinator's included, ever takes
  // fresh stock on the exchange, and a quota naming the channel only authorizes resale there.
  if (channel.kind === 'resale') return reject('CHANNEL_RESALE_ONLY', 'channel', `channel ${channel.id} sells resale listings only (buyResale)`);
  let product: ProductLink | null = null;
  if (cmd.productId !== undefined || cmd.holdingId !== undefined) {
    const link = productOfHold(s, cmd);
    if ('ok' in link) return link;
    product = link;
  }
  let presale: Presale | null = null;
  let ticketType: number;
  if (cmd.presaleCode !== undefined) {
    const link = s.presales.get(cmd.presaleCode);
    if (link === undefined) return reject('PRESALE_UNKNOWN', 'presaleCode', 'no presale link with this code');
    if (channel.kind !== 'web') return reject('PRESALE_CHANNEL_NOT_WEB', 'channel', `presale links work on web channels; ${channel.id} is ${channel.kind}`);
    if (!channel.enabled) return reject('PRESALE_WEB_NOT_ON_SALE', 'channel', `web channel ${channel.id} is not enabled`);
    if (link.stopped) return reject('PRESALE_STOPPED', 'presaleCode', 'this presale link was stopped');
    if (nowMs < link.validFromMs || nowMs >= link.validUntilMs) return reject('PRESALE_NOT_ACTIVE', 'presaleCode', 'this presale link is outside its validity window');
    // A link opens the web sale early (DOMAIN §4: the performance must be on sale on the web);
    // it never keeps it open past the channel's end, whatever its own window says.
    if (nowMs >= channel.saleEndMs) return reject('CHANNEL_NOT_ON_SALE', 'channel', `web channel ${channel.id} stopped selling at ${channel.saleEndMs}`);
    if (cmd.ticketType !== undefined && cmd.ticketType !== s.ticketTypes[link.ticketType].id) {
      return reject('COMMAND_INVALID', 'ticketType', `this presale link sells ticket type ${s.ticketTypes[link.ticketType].id}`);
    }
    presale = link;
    ticketType = link.ticketType;
  } else {
    // Outside a presale the channel's own window applies; a presale link brings its own window,
    // and a product's coordinator checks the product's sales window before it holds.
    if (product === null && (!channel.enabled || nowMs < channel.saleStartMs || nowMs >= channel.saleEndMs)) {
      return reject('CHANNEL_NOT_ON_SALE', 'channel', `channel ${channel.id} is not on sale now`);
    }
    if (cmd.ticketType === undefined) ticketType = s.defaultTicketType;
    else {
      const found = s.ticketTypeIndexById.get(cmd.ticketType);
      if (found === undefined) return reject('TICKET_TYPE_UNKNOWN', 'ticketType', `no ticket type ${shown(cmd.ticketType)}`);
      ticketType = found;
    }
    if (s.ticketTypes[ticketType].closed) return reject('TICKET_TYPE_REQUIRES_PRESALE', 'ticketType', `ticket type ${s.ticketTypes[ticketType].id} is sold through presale links only`);
  }
  // The type's own rules apply inside a presale link too: the link names the type, and
  // narrows its sale (its window, its caps); it does not widen where or when the type sells.
  const typeRefused = checkTicketTypeAccess(s.ticketTypes[ticketType], channel, product !== null, nowMs);
  if (typeRefused !== null) return typeRefused;
  const buyers = s.buyers;
  const buyerHash = hashId(cmd.buyerId);
  const buyerNo = buyers.find(cmd.buyerId, buyerHash);
  const capped = buyerCapsRefusal(s, buyerNo, count);
  if (capped !== null) return capped;
  if (presale !== null) {
    if (presale.held + presale.sold + count > presale.totalMax) return reject('PRESALE_SOLD_OUT', 'presaleCode', 'this presale link has no tickets left');
    if ((presale.buyerUse.get(cmd.buyerId) ?? 0) + count > presale.perBuyerMax) {
      return reject('PRESALE_BUYER_LIMIT', 'presaleCode', `at most ${presale.perBuyerMax} tickets per buyer through this link`);
    }
  }
  // The dedupe window is bounded; a live hold outlives it, so its id is checked here too.
  if (s.holds.find(cmd.commandId, hash) !== undefined) return reject('COMMAND_ID_REUSED', 'commandId', `hold ${cmd.commandId} is still open`);
  if (s.holds.size >= limits.holdsOpenPerPerformanceMax) return holdsFull();
  return { ok: true, buyerId: cmd.buyerId, channel: channelIndex, ticketType, presale, buyerNo, buyerHash, product, holdingId: product === null ? null : (cmd.holdingId as string) };
}

/** The buyer's caps (open holds, tickets for the performance) against `count` more tickets; buyerNo -1 for a buyer not tracked yet. */
export function buyerCapsRefusal(s: PerformanceState, buyerNo: number, count: number): Rejection | null {
  const buyers = s.buyers;
  if (buyerNo >= 0) {
    if (buyers.openHolds[buyerNo] >= s.spec.maxOpenHoldsPerBuyer) return reject('BUYER_HOLD_LIMIT', 'buyerId', `at most ${s.spec.maxOpenHoldsPerBuyer} open holds per buyer`);
    if (buyers.heldTickets[buyerNo] + buyers.soldTickets[buyerNo] + count > s.spec.maxTicketsPerBuyer) {
      return reject('BUYER_TICKET_LIMIT', 'buyerId', `at most ${s.spec.maxTicketsPerBuyer} tickets per buyer for this performance`);
    }
  } else {
    if (count > s.spec.maxTicketsPerBuyer) return reject('BUYER_TICKET_LIMIT', 'buyerId', `at most ${s.spec.maxTicketsPerBuyer} tickets per buyer for this performance`);
    if (buyers.size >= limits.buyersPerPerformanceMax) return reject('BUYERS_LIMIT_REACHED', 'buyerId', 'this performance tracks as many buyers as it may');
  }
  return null;
}

export function holdsFull(): Rejection {
  return reject('HOLDS_LIMIT_REACHED', '', 'too many open holds on this performance; try again shortly');
}
