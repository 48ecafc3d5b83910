// The state of one performance: per-seat typed arrays, counters kept in step with them, and the
// small per-transaction records (holds, orders, quotas, presale links).
import { reject, type Rejection } from './codes.ts';
import type { Layout } from './layout.ts';
import { limits } from './limits.ts';
import type { CardKind, PresaleTerms, ProductKind, QuotaPolicy } from './commands.ts';
import { CommandMemo } from './memo.ts';
import { BuyerTable, type BuyerUsage } from './buyers.ts';
import { HoldIndex } from './hold-index.ts';
import { SessionTable } from './sessions.ts';
import { BinaryFates } from './binary-fates.ts';
import type { HoldRecord } from './hold-record.ts';
import { hashId } from './idindex.ts';
import { HoldingTable } from './products-link.ts';
import { OrderTable } from './order-table.ts';
import { createTicketTable, type TicketTable } from './tickets.ts';
import { fallbackTicketType, ownAccessSpec, ticketTypeAccessOf, type TicketTypeAccess } from './ticket-access.ts';

/** Seat and place states. The four sum to capacity, per performance and per quota. */
export const SeatState = { FREE: 0, HELD: 1, SOLD: 2, BLOCKED: 3 } as const;
export const STATES = 4;
/** Source 0 is the general pool; 1..255 are quotas. */
export const GENERAL = 0;
export const SOURCES = limits.quotasPerPerformanceMax + 1;

export type ChannelKind = 'web' | 'boxOffice' | 'partner' | 'resale';
export interface ChannelSpec { id: string; kind: ChannelKind; saleStartMs: number; saleEndMs: number; enabled?: boolean }
export interface TicketTypeSpec {
  id: string;
  name?: string;
  webCode?: string;
  prices: Record<string, number>;
  /** The ids of the channels that may sell this type (not of kind resale); every channel when omitted. */
  channels?: string[];
  /** The type's own sale window, start inclusive, end exclusive, like a channel's; always when omitted. */
  saleStartMs?: number;
  saleEndMs?: number;
  /** Only a product coordinator's holds (season cards, subscriptions, renewals, exchanges) may use this type. */
  productsOnly?: boolean;
}
export interface PerformanceSpec {
  performanceId: string;
  organizerId?: string;
  holdTtlMs: number;
  maxTicketsPerBuyer: number;
  maxOpenHoldsPerBuyer: number;
  channels: ChannelSpec[];
  ticketTypes: TicketTypeSpec[];
  /**
   * Used when a hold names no ticket type; never a productsOnly type. When omitted: the first
   * open (non-`!`) type that is not productsOnly (ticket-access.ts fallbackTicketType).
   */
  defaultTicketType?: string;
}

export interface Channel { id: string; index: number; kind: ChannelKind; saleStartMs: number; saleEndMs: number; enabled: boolean; onlyQuota: boolean }
export interface TicketType {
  id: string; index: number; name: string; webCode: string; closed: boolean; priceByZone: Int32Array;
  /** Its channels, window and productsOnly (ticket-access.ts). */
  access: TicketTypeAccess;
}

export interface Hold {
  /** The id of the command that made it, or `#<slot>.<binaryNo>` for a binary hold (hold-record.ts). */
  holdId: string;
  slot: number;
  /** -1, or the hold's number among the binary holds of the performance (binary.ts). */
  binaryNo: number;
  buyerId: string;
  channel: number;
  ticketType: number;
  presaleCode: string | null;
  /** Seat indexes; empty for a GA hold. */
  seats: number[];
  gaArea: number;
  /** Where the places came from (GA holds; seats carry their own source). */
  source: number;
  count: number;
  createdAtMs: number;
  expiresAtMs: number;
  /** The buyer's number in `buyers`, so closing a hold needs no lookup. */
  buyerNo: number;
  /** The sequence number of the command that made the hold (memo.ts): its fate is written there on close. */
  entrySeq: number;
  /** Set by a product coordinator's hold (season card, subscription); null for any other hold. */
  productId: string | null;
  holdingId: string | null;
  /** hashId(holdId), for the hold index. */
  hash: number;
  /** Intrusive list in creation order. Holds share one TTL, so creation order is expiry order. */
  prev: Hold | null;
  next: Hold | null;
}

export type HoldFate = 'confirmed' | 'released' | 'expired';

/**
 * An order, kept for the whole sale. Smaller than its fields say: its id is made from the
 * performance and its number when asked, and its tickets are a run of ticket numbers (every
 * order's tickets are issued one after the other), not an array. The id string and the array were
 * a third of what each sold card kept alive on each performance, and the collector traced them
 * again at every full collection.
 */
export { Order, orderIdOf } from './order-table.ts';

export interface Quota {
  quotaId: string;
  source: number;
  channels: number[];
  policy: QuotaPolicy;
  discountPct: number;
  /** -1 for a numbered quota, else the GA area it holds places in. */
  gaArea: number;
  /**
   * A product's allocation: only holds carrying this product id draw on it, whatever their
   * channel; its `channels` then only say where its seats may be resold.
   */
  productId: string | null;
  /**
   * Closed by `returnQuota` with `close`: a seat or place that comes free in it goes straight
   * back to the general pool (a renewal reservation after its window: moves.ts freeSeat).
   */
  closed: boolean;
  /**
   * When the quota closes by itself (`createQuota.closesAtMs`): the first command at or past it
   * returns its free stock and closes it (quotas.ts closeDueQuotas). MAX_SAFE_INTEGER for never.
   */
  closesAtMs: number;
}

/** A product's resale terms, with the listing channels as channel numbers. */
export interface ResaleTerms { minPct: number; maxPct: number; feePct: number; channels: number[] }

/** A product (season card, subscription) linked to this performance by its coordinator. */
export interface ProductLink {
  productId: string;
  kind: ProductKind;
  cardKind: CardKind;
  resale: ResaleTerms | null;
  /**
   * The product's number in this performance, given at link time and never given again (not
   * reused after an unlink): the coordinator names its steps here by it (products/outbound.ts).
   */
  linkNo: number;
  /** Derived (not in snapshots): one of its quotas is `onlyQuota`, so its holds never take general stock. */
  onlyQuota: boolean;
  /** Derived: its open holds, and the orders ever made for it (unlinking needs both at 0). */
  heldHolds: number;
  orders: number;
}

export type ListingStatus = 'open' | 'sold' | 'withdrawn';
export interface Listing {
  listingId: string;
  ticket: number;
  sellerId: string;
  channel: number;
  priceMinor: number;
  /** The seller's net purchase price of the ticket, the base of the price band. */
  basePriceMinor: number;
  status: ListingStatus;
  createdAtMs: number;
}

/** One sale on the resale exchange: what settlement pays and credits. */
export interface ResaleSale {
  listingId: string;
  productId: string;
  holdingId: string | null;
  sellerId: string;
  buyerId: string;
  /** The buyer's new ticket, and the seller's ticket it replaced. */
  ticketId: string;
  resaleOf: string;
  priceMinor: number;
  basePriceMinor: number;
  feeMinor: number;
  sellerCreditMinor: number;
  atMs: number;
  /**
   * When the buyer's ticket was voided, else null. A void is a refund of the resale price to the
   * buyer: the sale stays on record (what was payable when it was made never changes), and
   * settlement books its reversal at this time (settlement-facts.ts).
   */
  refundedAtMs: number | null;
}

export type BlockKind = 'hardTicket' | 'foreign';
export interface Block {
  blockId: string;
  number: number;
  kind: BlockKind;
  /** The outside box office (hard tickets) or the other ticketing system (foreign). */
  party: string;
  deliveryNote: string;
  /** Seat indexes still issued offline (a return takes seats off this list). */
  seats: number[];
  gaArea: number;
  /** Seats or places still issued offline (blocked). */
  count: number;
  /**
   * Where the stock came from: GENERAL, or the quota (an outlet's contingent) whose seats the
   * outlet sold offline. Blocked stock stays counted in that pool until it is returned.
   */
  source: number;
  /** Seats or places of a hard-ticket batch given back to sale so far (returnHardTickets). */
  returned: number;
  createdAtMs: number;
}

export interface Presale extends PresaleTerms {
  code: string;
  ticketType: number;
  stopped: boolean;
  held: number;
  sold: number;
  /** Tickets held or sold through the link, per buyer. */
  buyerUse: Map<string, number>;
  orders: number[];
}

export type { BuyerUsage };

export interface PerformanceState {
  readonly performanceId: string;
  readonly spec: PerformanceSpec;
  readonly layout: Layout;
  readonly channels: Channel[];
  readonly channelIndexById: Map<string, number>;
  readonly ticketTypes: TicketType[];
  readonly ticketTypeIndexById: Map<string, number>;
  readonly defaultTicketType: number;
  lastNowMs: number;

  // Per seat: 6 bytes resident per performance (the layout's arrays are shared).
  readonly seatState: Uint8Array;
  /** Held: hold slot + 1. Sold: ticket number + 1. Blocked: block number + 1. Free: 0. */
  readonly seatHolder: Uint32Array;
  /** 0 = general pool, else the quota's source number. */
  readonly seatSource: Uint8Array;

  /** counts[source * 4 + state], seats and GA places together. */
  readonly counts: Int32Array;
  readonly capacityBySource: Int32Array;
  /** gaCounts[(area * SOURCES + source) * 4 + state]. */
  readonly gaCounts: Int32Array;
  readonly rowFree: Uint16Array;
  /**
   * No row before this one has a free seat: best-available starts here instead of walking the
   * sold-out front of the house. A derived hint, lowered when a seat is freed; not in snapshots.
   */
  firstFreeRow: number;
  readonly sectionFree: Uint32Array;
  readonly totals: Int32Array;

  /** Open holds by id (an index over `holdBySlot`), iterated in creation order. */
  readonly holds: HoldIndex;
  holdHead: Hold | null;
  holdTail: Hold | null;
  readonly holdBySlot: (Hold | null)[];
  readonly freeSlots: number[];
  /** A hold record per slot, reused by the next hold in the slot (a closed hold's record is stale). */
  readonly holdRecords: HoldRecord[];

  readonly tickets: TicketTable;
  /** Every order, by number (order-table.ts). */
  readonly orders: OrderTable;
  readonly buyers: BuyerTable;
  readonly quotas: (Quota | null)[];
  readonly quotaById: Map<string, Quota>;
  /**
   * The ids of quotas dropped by unlinkProduct, by their number: tickets and remembered holds
   * name their pool by number, and keep naming it by its id after it is gone.
   */
  readonly droppedQuotaIds: Map<number, string>;
  /**
   * No open quota closes before this (MAX_SAFE_INTEGER for none); the earliest closesAtMs when
   * last computed, stale-early after a quota is closed by hand or dropped. Derived.
   */
  nextQuotaCloseAtMs: number;
  readonly blocks: Block[];
  readonly blockById: Map<string, Block>;
  readonly presales: Map<string, Presale>;
  /** Linked products by id, in link order. */
  readonly products: Map<string, ProductLink>;
  /** The linkNo the next linked product gets. */
  nextLinkNo: number;
  /** Ticket numbers per holding id (orders made for a card or subscription), in issue order. Derived. */
  readonly holdingTickets: HoldingTable;
  /** Resale listings by id, in creation order, and the open one per ticket number (derived). */
  readonly listings: Map<string, Listing>;
  readonly openListings: Map<number, Listing>;
  /** Sales on the resale exchange, in sale order. */
  readonly resales: ResaleSale[];
  /** The last limits.dedupeEntriesMax remembered commands and their results (dedupe.ts). */
  readonly dedupe: CommandMemo;
  /** Client sessions of binary command batches (sessions.ts). */
  readonly sessions: SessionTable;
  /** The binaryNo the next binary hold gets. */
  nextBinaryNo: number;
  /** What became of recently closed binary holds. */
  readonly binaryFates: BinaryFates;
}

export type CreateResult = { ok: true; state: PerformanceState } | Rejection;

function isInt(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}

const channelKinds: readonly ChannelKind[] = ['web', 'boxOffice', 'partner', 'resale'];

/** Validates a performance's set-up against its layout and builds its empty state. */
export function createPerformance(spec: PerformanceSpec, layout: Layout): CreateResult {
  if (typeof spec !== 'object' || spec === null) return reject('SPEC_INVALID', '', 'a performance spec is an object');
  if (typeof spec.performanceId !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(spec.performanceId)) {
    return reject('SPEC_INVALID', 'performanceId', 'performanceId must be a short id (letters, digits, _ . : -)');
  }
  if (!isInt(spec.holdTtlMs, limits.holdTtlMsMin, limits.holdTtlMsMax)) {
    return reject('SPEC_INVALID', 'holdTtlMs', `holdTtlMs must be from ${limits.holdTtlMsMin} to ${limits.holdTtlMsMax}`);
  }
  if (!isInt(spec.maxTicketsPerBuyer, 1, limits.ticketsPerBuyerCeiling)) {
    return reject('SPEC_INVALID', 'maxTicketsPerBuyer', `maxTicketsPerBuyer must be from 1 to ${limits.ticketsPerBuyerCeiling}`);
  }
  if (!isInt(spec.maxOpenHoldsPerBuyer, 1, limits.openHoldsPerBuyerCeiling)) {
    return reject('SPEC_INVALID', 'maxOpenHoldsPerBuyer', `maxOpenHoldsPerBuyer must be from 1 to ${limits.openHoldsPerBuyerCeiling}`);
  }
  if (!Array.isArray(spec.channels) || spec.channels.length === 0 || spec.channels.length > limits.channelsPerPerformanceMax) {
    return reject('SPEC_INVALID', 'channels', `from 1 to ${limits.channelsPerPerformanceMax} channels`);
  }
  const channels: Channel[] = [];
  const channelIndexById = new Map<string, number>();
  for (let c = 0; c < spec.channels.length; c++) {
    const ch = spec.channels[c];
    const at = `channels[${c}]`;
    // (Not __proto__: reports key their lines by these ids, checks.ts isId.)
    if (typeof ch?.id !== 'string' || ch.id.length === 0 || ch.id.length > limits.idLengthMax || ch.id === '__proto__') return reject('SPEC_INVALID', `${at}.id`, 'a channel needs an id');
    if (channelIndexById.has(ch.id)) return reject('SPEC_DUPLICATE_ID', `${at}.id`, `channel ${ch.id} appears twice`);
    if (!channelKinds.includes(ch.kind)) return reject('SPEC_INVALID', `${at}.kind`, `kind must be one of ${channelKinds.join(', ')}`);
    if (!isInt(ch.saleStartMs, 0, Number.MAX_SAFE_INTEGER)) return reject('SPEC_INVALID', `${at}.saleStartMs`, 'saleStartMs must be a time in whole milliseconds');
    if (!isInt(ch.saleEndMs, 0, Number.MAX_SAFE_INTEGER) || ch.saleEndMs <= ch.saleStartMs) {
      return reject('SPEC_INVALID', `${at}.saleEndMs`, 'saleEndMs must be a time in whole milliseconds after saleStartMs');
    }
    channelIndexById.set(ch.id, c);
    channels.push({ id: ch.id, index: c, kind: ch.kind, saleStartMs: ch.saleStartMs, saleEndMs: ch.saleEndMs, enabled: ch.enabled !== false, onlyQuota: false });
  }
  if (!Array.isArray(spec.ticketTypes) || spec.ticketTypes.length === 0 || spec.ticketTypes.length > limits.ticketTypesPerPerformanceMax) {
    return reject('SPEC_INVALID', 'ticketTypes', `from 1 to ${limits.ticketTypesPerPerformanceMax} ticket types`);
  }
  const ticketTypes: TicketType[] = [];
  const ticketTypeIndexById = new Map<string, number>();
  for (let t = 0; t < spec.ticketTypes.length; t++) {
    const tt = spec.ticketTypes[t];
    const at = `ticketTypes[${t}]`;
    if (typeof tt?.id !== 'string' || tt.id.length === 0 || tt.id.length > limits.idLengthMax || tt.id === '__proto__') return reject('SPEC_INVALID', `${at}.id`, 'a ticket type needs an id');
    if (ticketTypeIndexById.has(tt.id)) return reject('SPEC_DUPLICATE_ID', `${at}.id`, `ticket type ${tt.id} appears twice`);
    if (tt.webCode !== undefined && typeof tt.webCode !== 'string') return reject('SPEC_INVALID', `${at}.webCode`, 'webCode must be a string');
    if (typeof tt.prices !== 'object' || tt.prices === null) return reject('SPEC_INVALID', `${at}.prices`, 'prices map zone ids to minor units');
    const priceByZone = new Int32Array(layout.zoneIds.length).fill(-1);
    for (const [zoneId, price] of Object.entries(tt.prices)) {
      const zone = layout.zoneIndexById.get(zoneId);
      if (zone === undefined) return reject('SPEC_UNKNOWN_ZONE', `${at}.prices.${zoneId}`, `zone ${zoneId} is not in layout ${layout.layoutId}`);
      if (!isInt(price, 0, limits.priceMinorMax)) return reject('SPEC_INVALID', `${at}.prices.${zoneId}`, `a price is a whole number of minor units from 0 to ${limits.priceMinorMax}`);
      priceByZone[zone] = price;
    }
    const access = ticketTypeAccessOf(tt, at, channelIndexById, channels);
    if ('ok' in access) return access;
    const webCode = tt.webCode ?? '';
    ticketTypeIndexById.set(tt.id, t);
    ticketTypes.push({ id: tt.id, index: t, name: tt.name ?? tt.id, webCode, closed: webCode.startsWith('!'), priceByZone, access });
  }
  const defaultTicketType = spec.defaultTicketType === undefined ? fallbackTicketType(ticketTypes) : (ticketTypeIndexById.get(spec.defaultTicketType) ?? -1);
  if (defaultTicketType === -1) return reject('SPEC_INVALID', 'defaultTicketType', `unknown ticket type ${spec.defaultTicketType}`);
  // A hold that names no type is a single-ticket buyer's: it must not land on a products-only type.
  if (spec.defaultTicketType !== undefined && ticketTypes[defaultTicketType].access.productsOnly) {
    return reject('SPEC_INVALID', 'defaultTicketType', `ticket type ${spec.defaultTicketType} is sold only with products; the default must be one a single ticket may use`);
  }

  // The state keeps its own copy of the checked set-up: a caller changing its object later
  // must not change a live performance (or its snapshots).
  const own: PerformanceSpec = {
    performanceId: spec.performanceId,
    organizerId: typeof spec.organizerId === 'string' ? spec.organizerId : undefined,
    holdTtlMs: spec.holdTtlMs,
    maxTicketsPerBuyer: spec.maxTicketsPerBuyer,
    maxOpenHoldsPerBuyer: spec.maxOpenHoldsPerBuyer,
    channels: channels.map((c) => ({ id: c.id, kind: c.kind, saleStartMs: c.saleStartMs, saleEndMs: c.saleEndMs, enabled: c.enabled })),
    ticketTypes: spec.ticketTypes.map((t) => ({ id: t.id, name: t.name ?? t.id, webCode: t.webCode ?? '', prices: { ...t.prices }, ...ownAccessSpec(t) })),
    defaultTicketType: ticketTypes[defaultTicketType].id,
  };
  if (own.organizerId === undefined) delete own.organizerId;
  // Every type products-only: the fallback is one, which a spec may not name; left out, the
  // restored copy (snapshot.ts) falls back to the same type.
  if (ticketTypes[defaultTicketType].access.productsOnly) delete own.defaultTicketType;
  const seatCount = layout.seatCount;
  const counts = new Int32Array(SOURCES * STATES);
  const capacityBySource = new Int32Array(SOURCES);
  counts[GENERAL * STATES + SeatState.FREE] = layout.capacity;
  capacityBySource[GENERAL] = layout.capacity;
  const gaCounts = new Int32Array(layout.gaAreas.length * SOURCES * STATES);
  layout.gaAreas.forEach((area, g) => { gaCounts[(g * SOURCES + GENERAL) * STATES + SeatState.FREE] = area.capacity; });
  const rowCount = layout.rowIds.length;
  const rowFree = new Uint16Array(rowCount);
  for (let r = 0; r < rowCount; r++) rowFree[r] = layout.rowStart[r + 1] - layout.rowStart[r];
  const sectionFree = new Uint32Array(layout.sectionIds.length);
  for (let s = 0; s < sectionFree.length; s++) sectionFree[s] = layout.rowStart[layout.sectionRowStart[s + 1]] - layout.rowStart[layout.sectionRowStart[s]];
  const totals = new Int32Array(STATES);
  totals[SeatState.FREE] = layout.capacity;

  const holdBySlot: (Hold | null)[] = [];
  const state: PerformanceState = {
    performanceId: own.performanceId,
    spec: own,
    layout,
    channels,
    channelIndexById,
    ticketTypes,
    ticketTypeIndexById,
    defaultTicketType,
    lastNowMs: 0,
    seatState: new Uint8Array(seatCount),
    seatHolder: new Uint32Array(seatCount),
    seatSource: new Uint8Array(seatCount),
    counts,
    capacityBySource,
    gaCounts,
    rowFree,
    firstFreeRow: 0,
    sectionFree,
    totals,
    holds: new HoldIndex(holdBySlot),
    holdHead: null,
    holdTail: null,
    holdBySlot,
    freeSlots: [],
    holdRecords: [],
    tickets: createTicketTable(),
    orders: new OrderTable(spec.performanceId),
    buyers: new BuyerTable(),
    quotas: [null],
    quotaById: new Map(),
    droppedQuotaIds: new Map(),
    nextQuotaCloseAtMs: Number.MAX_SAFE_INTEGER,
    blocks: [],
    blockById: new Map(),
    presales: new Map(),
    products: new Map(),
    nextLinkNo: 0,
    holdingTickets: new HoldingTable(),
    listings: new Map(),
    openListings: new Map(),
    resales: [],
    dedupe: new CommandMemo(limits.dedupeEntriesMax, layout.capacity, hashId(spec.performanceId)),
    sessions: new SessionTable(),
    nextBinaryNo: 0,
    binaryFates: new BinaryFates(limits.binaryFatesMax),
  };
  state.holds.list = state;
  return { ok: true, state };
}

/** The id of pool `source` (a quota's number; 0, the general pool, has none), also once the quota was dropped. */
export function quotaIdOf(s: PerformanceState, source: number): string | null {
  if (source === 0) return null;
  return s.quotas[source]?.quotaId ?? s.droppedQuotaIds.get(source) ?? null;
}
