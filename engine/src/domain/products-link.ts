// Products (season cards, subscriptions) as one performance sees them. A product's coordinator
// links the product here before it sells (DOMAIN §3: before the single-ticket sale starts), which
// registers the product's terms: the performance owns its seats, so it decides resale. Holds
// carrying the product's id then draw on the product's allocation (quotas.ts), and their orders
// carry the product and the holding (card or subscription) on every ticket.
import type { CardKind, LinkProduct, ProductKind, SetProductResale, UnlinkProduct } from './commands.ts';
import { reject, type Rejection } from './codes.ts';
import { limits } from './limits.ts';
import { isInt, needId, shown } from './checks.ts';
import { IdIndex, hashId } from './idindex.ts';
import { MapView } from './map-view.ts';
import { grown } from './typed-arrays.ts';
import { dropQuota, refreshOnlyQuota } from './quotas.ts';
import { DONE, type Done, type LinkAccepted } from './results.ts';
import { isStepOf } from './products/outbound.ts';
import { resaleChannelList } from './channel-list.ts';
import type { ChannelKind, Order, PerformanceState, ProductLink, ResaleTerms } from './state.ts';
import { sellsOn } from './ticket-access.ts';

const productKinds: readonly ProductKind[] = ['seasonCard', 'series', 'pickMix'];
const cardKinds: readonly CardKind[] = ['fixedPrice', 'calculatedPrice', 'championship'];
/** The widest price band a product may allow, in percent of the purchase price. */
const bandPctMax = 1000;
/**
 * The channel kinds a holder may list a product's seat on: the online ones (DOMAIN §6, "per
 * online channel"). A box office is not online; a partner channel is a named outside party's
 * point of sale (DOMAIN §2), not one of the organizer's online points of sale the seed sets.
 */
const listingKinds: readonly ChannelKind[] = ['web', 'resale'];

/**
 * Checks, in order: productId; not linked yet (PRODUCT_ALREADY_LINKED); room; kind, cardKind and
 * the resale terms (COMMAND_INVALID, CHANNEL_UNKNOWN for a listing channel, RESALE_CHANNEL_NOT_ALLOWED
 * for one that is not online); the product's channel
 * and ticket types (CHANNEL_UNKNOWN, TICKET_TYPE_UNKNOWN); its GA area (GA_AREA_UNKNOWN); a fixed-price card
 * with resale terms (RESALE_NOT_ELIGIBLE); the single-ticket sale not started
 * (PRODUCT_LINK_TOO_LATE).
 */
export function linkProduct(s: PerformanceState, cmd: LinkProduct, nowMs: number): LinkAccepted | Rejection {
  const bad = needId(cmd.productId, 'productId');
  if (bad !== null) return bad;
  if (s.products.has(cmd.productId)) return reject('PRODUCT_ALREADY_LINKED', 'productId', `product ${cmd.productId} is already linked to ${s.performanceId}`);
  if (s.products.size >= limits.productsPerPerformanceMax) return reject('COMMAND_INVALID', 'productId', `at most ${limits.productsPerPerformanceMax} products per performance`);
  if (!productKinds.includes(cmd.kind)) return reject('COMMAND_INVALID', 'kind', `kind must be one of ${productKinds.join(', ')}`);
  if (!cardKinds.includes(cmd.cardKind)) return reject('COMMAND_INVALID', 'cardKind', `cardKind must be one of ${cardKinds.join(', ')}`);
  const resale = resaleTerms(s, cmd.resale);
  if (resale !== null && 'ok' in resale) return resale;
  const unusable = unusableTerms(s, cmd);
  if (unusable !== null) return unusable;
  const places = placesOf(s, cmd);
  if ('ok' in places) return places;
  if (resale !== null && cmd.cardKind === 'fixedPrice') return reject('RESALE_NOT_ELIGIBLE', 'resale', 'fixed-price cards are never resold: resale must be null');
  const singleSaleStartMs = singleSaleStart(s);
  if (nowMs >= singleSaleStartMs) return reject('PRODUCT_LINK_TOO_LATE', '', `the single-ticket sale of ${s.performanceId} started at ${singleSaleStartMs}`);
  const linkNo = s.nextLinkNo++;
  s.products.set(cmd.productId, { productId: cmd.productId, kind: cmd.kind, cardKind: cmd.cardKind, resale, linkNo, onlyQuota: false, heldHolds: 0, orders: 0 });
  const accepted: LinkAccepted = { ok: true, performanceId: s.performanceId, ...places, singleSaleStartMs, linkNo, layoutId: s.layout.layoutId };
  // Only when the performance names one: the coordinator compares it with the product's.
  if (s.spec.organizerId !== undefined) accepted.organizerId = s.spec.organizerId;
  return accepted;
}

type Places = Pick<LinkAccepted, 'numbered' | 'capacity'>;

/**
 * What the product would take here: its seats (gaAreaId null: numbered when the layout has
 * seats, their number), or its GA area (not numbered, the area's capacity; an area this layout
 * lacks is refused). Without gaAreaId (a link journaled before it was sent), the layout's: not
 * numbered once it has a GA area, and its whole capacity.
 */
function placesOf(s: PerformanceState, cmd: LinkProduct): Places | Rejection {
  const layout = s.layout;
  const gaAreaId = cmd.gaAreaId as unknown;
  if (gaAreaId === undefined) return { numbered: layout.seatCount > 0 && layout.gaAreas.length === 0, capacity: layout.capacity };
  if (gaAreaId === null) return { numbered: layout.seatCount > 0, capacity: layout.seatCount };
  const bad = needId(gaAreaId, 'gaAreaId');
  if (bad !== null) return bad;
  const area = layout.gaIndexById.get(gaAreaId as string);
  if (area === undefined) return reject('GA_AREA_UNKNOWN', 'gaAreaId', `the product takes its places from GA area ${shown(gaAreaId)}, which ${s.performanceId} does not have`);
  return { numbered: false, capacity: layout.gaAreas[area].capacity };
}

/**
 * The product's sale channel and ticket types, when the link names them, exist here, and each
 * type can be sold on that channel: not limited to other channels, not a presale-only (`!`)
 * type. Otherwise every purchase, renewal or exchange would be refused here later, one by one.
 */
function unusableTerms(s: PerformanceState, cmd: LinkProduct): Rejection | null {
  let channel: number | undefined;
  if (cmd.channel !== undefined) {
    const bad = needId(cmd.channel, 'channel');
    if (bad !== null) return bad;
    channel = s.channelIndexById.get(cmd.channel);
    if (channel === undefined) return reject('CHANNEL_UNKNOWN', 'channel', `the product sells on channel ${cmd.channel}, which ${s.performanceId} does not have`);
  }
  const types = cmd.ticketTypes;
  if (types === undefined) return null;
  if (!Array.isArray(types) || types.length > limits.ticketTypesPerPerformanceMax) return reject('COMMAND_INVALID', 'ticketTypes', 'ticketTypes lists the ticket types the product sells with');
  for (let i = 0; i < types.length; i++) {
    const bad = needId(types[i], `ticketTypes[${i}]`);
    if (bad !== null) return bad;
    const index = s.ticketTypeIndexById.get(types[i]);
    if (index === undefined) return reject('TICKET_TYPE_UNKNOWN', `ticketTypes[${i}]`, `the product sells with ticket type ${types[i]}, which ${s.performanceId} does not have`);
    const type = s.ticketTypes[index];
    if (type.closed) return reject('TICKET_TYPE_REQUIRES_PRESALE', `ticketTypes[${i}]`, `ticket type ${type.id} is sold through presale links only on ${s.performanceId}: no purchase of the product could use it`);
    if (channel !== undefined && !sellsOn(type, channel)) return reject('TICKET_TYPE_NOT_IN_CHANNEL', `ticketTypes[${i}]`, `ticket type ${type.id} is not sold on channel ${cmd.channel} on ${s.performanceId}: no purchase of the product could use it`);
  }
  return null;
}

/** The resale terms checked, with channel numbers; null for none. */
function resaleTerms(s: PerformanceState, resale: unknown): ResaleTerms | Rejection | null {
  if (resale === null) return null;
  if (typeof resale !== 'object' || Array.isArray(resale)) return reject('COMMAND_INVALID', 'resale', 'resale is the resale policy, or null');
  const r = resale as Record<string, unknown>;
  if (!isInt(r.minPct, 0, bandPctMax)) return reject('COMMAND_INVALID', 'resale.minPct', `minPct must be a whole number from 0 to ${bandPctMax}`);
  if (!isInt(r.maxPct, r.minPct, bandPctMax)) return reject('COMMAND_INVALID', 'resale.maxPct', `maxPct must be a whole number from minPct to ${bandPctMax}`);
  if (!isInt(r.feePct, 0, 100)) return reject('COMMAND_INVALID', 'resale.feePct', 'feePct must be a whole number from 0 to 100');
  const channels = resaleChannelList(s, r.channels, 'resale.channels', listingKinds);
  if (!Array.isArray(channels)) return channels;
  return { minPct: r.minPct, maxPct: r.maxPct as number, feePct: r.feePct, channels };
}

/**
 * Replaces the channels a linked product's seats may be listed on here, as a step of the
 * product's setResaleChannels saga. Checks, in order: productId (COMMAND_INVALID); linked
 * (PRODUCT_NOT_LINKED); the command is a step of that product's sagas (PRODUCT_STEP_ONLY: the
 * coordinator keeps the channels too, and gives them to a performance it links later); the
 * product has resale terms (RESALE_NOT_ELIGIBLE); the channels (listingChannels). Open listings
 * stay as they are: a channel closed refuses new listings only.
 */
export function setProductResale(s: PerformanceState, cmd: SetProductResale): Done | Rejection {
  const bad = needId(cmd.productId, 'productId');
  if (bad !== null) return bad;
  const link = s.products.get(cmd.productId);
  if (link === undefined) return reject('PRODUCT_NOT_LINKED', 'productId', `product ${cmd.productId} is not linked to ${s.performanceId}`);
  if (!isStepOf(cmd.commandId, link.productId, link.linkNo)) return reject('PRODUCT_STEP_ONLY', 'commandId', `only product ${link.productId}'s coordinator sets its resale channels (setResaleChannels)`);
  if (link.resale === null) return reject('RESALE_NOT_ELIGIBLE', 'productId', `product ${link.productId} has no resale policy: its seats are never resold`);
  const channels = resaleChannelList(s, cmd.channels, 'channels', listingKinds);
  if (!Array.isArray(channels)) return channels;
  link.resale = { ...link.resale, channels };
  return DONE;
}

/**
 * When single tickets go on sale: the earliest sale start of the channels that sell them (all but
 * resale channels) and of the presale links, which sell before their channel's window opens;
 * MAX_SAFE_INTEGER when nothing does.
 */
function singleSaleStart(s: PerformanceState): number {
  let start = Number.MAX_SAFE_INTEGER;
  for (const channel of s.channels) if (channel.kind !== 'resale' && channel.saleStartMs < start) start = channel.saleStartMs;
  for (const presale of s.presales.values()) if (presale.validFromMs < start) start = presale.validFromMs;
  return start;
}

/**
 * Undoes a link whose product holds, sold and reserves nothing here. Its quotas must be empty
 * (given back with returnQuota: a refused product's allocation, a closed renewal's reservation
 * that renewed nothing) and go with it, so a refused product leaves nothing behind.
 */
export function unlinkProduct(s: PerformanceState, cmd: UnlinkProduct): Done | Rejection {
  const bad = needId(cmd.productId, 'productId');
  if (bad !== null) return bad;
  const link = s.products.get(cmd.productId);
  if (link === undefined) return reject('PRODUCT_NOT_LINKED', 'productId', `product ${cmd.productId} is not linked to ${s.performanceId}`);
  if (link.heldHolds > 0 || link.orders > 0) return reject('PRODUCT_HAS_SALES', 'productId', `product ${cmd.productId} holds or sold seats on ${s.performanceId}`);
  for (const quota of s.quotas) {
    if (quota !== null && quota.productId === cmd.productId && s.capacityBySource[quota.source] > 0) {
      return reject('PRODUCT_HAS_SALES', 'productId', `product ${cmd.productId} has allocation ${quota.quotaId} on ${s.performanceId} with ${s.capacityBySource[quota.source]} places; return them first`);
    }
  }
  for (const quota of s.quotas) if (quota !== null && quota.productId === cmd.productId) dropQuota(s, quota);
  s.products.delete(cmd.productId);
  refreshOnlyQuota(s);
  return DONE;
}

/** The product a coordinator's hold names: both ids given, no presale link, the product linked. */
export function productOfHold(s: PerformanceState, cmd: { productId?: unknown; holdingId?: unknown; presaleCode?: unknown }): ProductLink | Rejection {
  const bad = needId(cmd.productId, 'productId') ?? needId(cmd.holdingId, 'holdingId');
  if (bad !== null) return bad;
  if (cmd.presaleCode !== undefined) return reject('COMMAND_INVALID', 'presaleCode', 'a product\'s hold comes through no presale link');
  const link = s.products.get(cmd.productId as string);
  if (link === undefined) return reject('PRODUCT_NOT_LINKED', 'productId', `product ${shown(cmd.productId)} is not linked to ${s.performanceId}`);
  return link;
}

/** Books an order made for a product: the product's count, and the holding's tickets. */
export function countProductOrder(s: PerformanceState, order: Order): void {
  (s.products.get(order.productId as string) as ProductLink).orders++;
  if (order.holdingId !== null) s.holdingTickets.add(order.holdingId, order.firstTicket, order.ticketCount);
}

/**
 * Ticket numbers per holding id (orders made for a card or subscription), in issue order; read as
 * a map (holding id -> ticket numbers) by scans, audits and tests, in first-order order. Every
 * sold card adds a holding on each of its performances, so a holding is a number under an id
 * index and its tickets a chain through a column per ticket number: a Map entry and an array per
 * holding were most of a card's bookkeeping time and of the memory it keeps.
 */
export class HoldingTable extends MapView<number[]> {
  /** Holding id per holding number. */
  private readonly ids: string[] = [];
  private readonly index = new IdIndex(this.ids);
  /** First and last ticket number per holding number; -1 for none. */
  private first = new Int32Array(16);
  private last = new Int32Array(16);
  /** The same holding's next ticket number per ticket number, -1 after its last; set only for a holding's tickets. */
  private next = new Int32Array(16);

  get size(): number { return this.ids.length; }

  /** Appends an order's tickets, numbers firstTicket .. firstTicket + count - 1 (no other holding has them), to the holding's. */
  add(holdingId: string, firstTicket: number, count: number): void {
    const hash = hashId(holdingId);
    let no = this.index.find(holdingId, hash);
    if (no < 0) {
      no = this.ids.length;
      this.ids.push(holdingId);
      if (no === this.first.length) {
        this.first = grown(this.first, 2 * no);
        this.last = grown(this.last, 2 * no);
      }
      this.first[no] = -1;
      this.last[no] = -1;
      this.index.add(hash, no);
    }
    for (let ticket = firstTicket; ticket < firstTicket + count; ticket++) {
      if (ticket >= this.next.length) this.next = grown(this.next, Math.max(2 * this.next.length, ticket + 1));
      this.next[ticket] = -1;
      if (this.last[no] < 0) this.first[no] = ticket;
      else this.next[this.last[no]] = ticket;
      this.last[no] = ticket;
    }
  }

  get(holdingId: string): number[] | undefined {
    const no = this.index.find(holdingId, hashId(holdingId));
    return no < 0 ? undefined : this.ticketsOf(no);
  }

  *entries(): MapIterator<[string, number[]]> {
    for (let no = 0; no < this.ids.length; no++) yield [this.ids[no], this.ticketsOf(no)];
  }

  private ticketsOf(no: number): number[] {
    const tickets: number[] = [];
    for (let ticket = this.first[no]; ticket >= 0; ticket = this.next[ticket]) tickets.push(ticket);
    return tickets;
  }
}
