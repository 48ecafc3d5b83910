// The commands one performance accepts. Each carries a commandId (the idempotency key) and is
// executed with the current time passed in: `execute(state, command, nowMs)`.
// Field-by-field rules and the order of checks are in engine/docs/COMMANDS.md.

export interface BestAvailableFilter {
  zone?: string;
  section?: string;
  /** Only wheelchair places (seat flag `accessible`). */
  accessible?: boolean;
}

interface Base { commandId: string }
interface Buying extends Base {
  buyerId: string;
  channel: string;
  /** Defaults to the performance's default ticket type, or the presale link's ticket type. */
  ticketType?: string;
  presaleCode?: string;
  /**
   * Set only by a product coordinator (season card, subscription): the product and the holding
   * (card or subscription) the hold is for. The product must be linked to the performance
   * (`linkProduct`); its own sales window applies instead of the channel's, and its allocation
   * (a quota created with its `productId`) is drawn on first or only, as its policy says.
   */
  productId?: string;
  holdingId?: string;
}

export interface HoldSeats extends Buying {
  type: 'holdSeats';
  /** Seat ids from the layout. Give either these or `seatNos`. */
  seats?: string[];
  /**
   * Seat numbers: a seat's position in the layout (sections, rows, seats in the order listed,
   * from 0). The compact wire form: the gateway resolves ids once, so the single writer does not.
   */
  seatNos?: number[];
}
export interface HoldBestAvailable extends Buying {
  type: 'holdBestAvailable';
  count: number;
  filter?: BestAvailableFilter;
  /**
   * Seats the search must not take, though free. Sent by a product coordinator that retries a
   * same-seat purchase after these seats were found taken on another of its performances.
   */
  exceptSeats?: string[];
}
export interface HoldGa extends Buying { type: 'holdGa'; gaAreaId: string; count: number }
export interface ConfirmHold extends Base {
  type: 'confirmHold';
  holdId: string;
  buyerId: string;
  buyerEmail?: string;
  /**
   * Set only by a product coordinator, on a product's hold: the holding was paid for before this
   * performance was linked to the product (`linkPerformance`), so each ticket is booked at its
   * price with all of it as discount, and the order's total is 0.
   */
  complimentary?: boolean;
}
export interface ReleaseHold extends Base { type: 'releaseHold'; holdId: string; buyerId: string }
/**
 * Opens (or, for a client already known, resumes) the client session binary command batches are
 * sent in (sessions.ts, binary.ts). `clientId` names the client process, stably across its
 * restarts: a client that resumes learns the last request the performance applied for it.
 */
export interface OpenSession extends Base { type: 'openSession'; clientId: string }
/**
 * A binary command batch (binary.ts) as a command object, for transports that carry commands
 * (the runtime's journal and workers): `words` are the batch's command words as bytes (32-bit
 * little-endian, COMMAND_WORDS per command). Deduplicated by its session and request number,
 * not by `commandId`, which only labels it (journal, metrics).
 */
export interface CommandBatch extends Base {
  type: 'commandBatch'; sessionNo: number; requestNo: number; count: number; words: Uint8Array;
  /** The strings the named records (binary-named.ts) give by their place; absent when none do. */
  strings?: string[];
}

export type QuotaPolicy = 'onlyQuota' | 'quotaFirst';
export interface CreateQuota extends Base {
  type: 'createQuota';
  quotaId: string;
  channels: string[];
  policy: QuotaPolicy;
  /** Numbered: the seats taken out of the general pool. */
  seats?: string[];
  /** Unnumbered: a count of places taken out of one GA area. */
  gaAreaId?: string;
  count?: number;
  /** Contingent discount, booked on each ticket as a discount line (0-100). */
  discountPct?: number;
  /**
   * A product's allocation (subscriptions) or its renewal reservation: only holds carrying this
   * productId draw on the quota, whatever their channel; `channels` may then be empty.
   */
  productId?: string;
  /**
   * When the quota closes by itself: the first command at or past this time (a `tick` too)
   * returns its free stock to the general pool and closes it, as `returnQuota` with `close`
   * would. A time not after the command's closes it at once. Omitted: open until returned.
   */
  closesAtMs?: number;
}
export interface ReturnQuota extends Base {
  type: 'returnQuota';
  quotaId: string;
  /** Seats to give back to free stock; all unsold free seats of the quota when omitted. */
  seats?: string[];
  /** GA places to give back; all free places when omitted. */
  count?: number;
  /**
   * Also closes the quota (only when returning all its free stock): whatever comes free in it
   * later (a voided ticket, a released or expired hold) goes to the general pool too.
   */
  close?: boolean;
}
export interface IssueHardTickets extends Base {
  type: 'issueHardTickets';
  batchId: string;
  outlet: string;
  deliveryNote: string;
  seats?: string[];
  gaAreaId?: string;
  count?: number;
  /**
   * An outlet's contingent (DOMAIN §2, seed 004): the batch takes free seats or places of this
   * quota instead of the general pool, so that returning the quota later gives back only what
   * the outlet did not sell. Not a product's allocation or reservation.
   */
  quotaId?: string;
}
/**
 * Printed tickets an outlet gives back unsold: their seats or places go back on sale, to the pool
 * they came from (the general pool, or their quota; the general pool when that quota is closed).
 * Every still-issued seat or place of the batch when neither `seats` nor `count` is given.
 */
export interface ReturnHardTickets extends Base {
  type: 'returnHardTickets';
  batchId: string;
  seats?: string[];
  count?: number;
}
export interface BlockForeign extends Base {
  type: 'blockForeign';
  blockId: string;
  system: string;
  seats?: string[];
  gaAreaId?: string;
  count?: number;
}
/** The terms of a presale link: its window and its caps. */
export interface PresaleTerms {
  validFromMs: number;
  validUntilMs: number;
  totalMax: number;
  perBuyerMax: number;
}
export interface CreatePresale extends Base, PresaleTerms {
  type: 'createPresale';
  code: string;
  ticketType: string;
}
export interface EditPresale extends Base {
  type: 'editPresale';
  code: string;
  validFromMs?: number;
  validUntilMs?: number;
  totalMax?: number;
  perBuyerMax?: number;
}
export interface StopPresale extends Base { type: 'stopPresale'; code: string }
export interface ScanTicket extends Base { type: 'scanTicket'; ticketId: string }
export interface VoidTicket extends Base { type: 'voidTicket'; ticketId: string }
/**
 * Voids several tickets all or nothing: every ticket is checked first, and the first that may
 * not be voided refuses the whole command. A product coordinator's exchange voids a holding's
 * tickets on the performance given up with it, so a refusal never leaves the holding half there.
 */
export interface VoidTickets extends Base { type: 'voidTickets'; ticketIds: string[] }
export type ProductKind = 'seasonCard' | 'series' | 'pickMix';
/** Season-card kinds as the resale rules know them (DOMAIN §6): fixed-price cards are never resold. */
export type CardKind = 'fixedPrice' | 'calculatedPrice' | 'championship';
export interface ResalePolicy {
  /** The listing price band, in percent of the seller's purchase price for that performance. */
  minPct: number;
  maxPct: number;
  /** The exchange's fee, in percent of the resale price, kept from the seller's credit. */
  feePct: number;
  /**
   * The online channels (kind `web` or `resale`) on which the organizer allows listing this
   * product's seats. The product's coordinator replaces them later (`setResaleChannels`).
   */
  channels: string[];
}
/**
 * Sent by a product coordinator before it sells on this performance: registers the product's
 * terms here (resale is decided by the performance that owns the seat). Refused once the
 * performance's single-ticket sale has started (DOMAIN §3).
 */
export interface LinkProduct extends Base {
  type: 'linkProduct';
  productId: string;
  kind: ProductKind;
  cardKind: CardKind;
  resale: ResalePolicy | null;
  /**
   * The channel the product sells on and the ticket types it sells with (its own, and those its
   * renewal maps old types to): each must exist here, so that terms no purchase could use are
   * refused when the product is created, with the reason, not at every purchase. Absent in links
   * journaled before they were sent: nothing is checked then.
   */
  channel?: string;
  ticketTypes?: string[];
  /**
   * What the product's places are: null for seats, else the GA area they are taken from. The
   * answer's `numbered` and `capacity` are then those of the product's places (the seats, or the
   * area), so a venue with seats and standing areas takes a card of either kind. Absent in links
   * journaled before it was sent: the answer is the layout's then (numbered only without GA
   * areas, the whole capacity), as it always was.
   */
  gaAreaId?: string | null;
}
/**
 * Undoes a link that sold nothing (a product whose creation was refused): the product's empty
 * quotas here (an allocation or renewal reservation given back with returnQuota) go with it.
 */
export interface UnlinkProduct extends Base { type: 'unlinkProduct'; productId: string }
/**
 * Sent by a product's coordinator only (a step of its `setResaleChannels` saga): replaces the
 * channels on which the product's seats may be listed here. Existing listings stay open.
 */
export interface SetProductResale extends Base { type: 'setProductResale'; productId: string; channels: string[] }
/**
 * Authorizes a quota's seats for resale (DOMAIN §6, seed 003) on these channels of kind
 * `resale`, or withdraws the authorization: they replace the quota's resale channels, and its
 * other channels stay as they are. Existing listings stay open.
 */
export interface SetQuotaResale extends Base { type: 'setQuotaResale'; quotaId: string; channels: string[] }
/** A holder puts one performance's seat of a product on the resale exchange. */
export interface ListResale extends Base {
  type: 'listResale';
  listingId: string;
  ticketId: string;
  sellerId: string;
  /** The online channel the seller lists on; the product's resale policy must allow it. */
  channel: string;
  priceMinor: number;
}
export interface WithdrawResale extends Base { type: 'withdrawResale'; listingId: string; sellerId: string }
/** Anyone, registered or not, buys a listing through a channel of kind `resale`. */
export interface BuyResale extends Base {
  type: 'buyResale';
  listingId: string;
  buyerId: string;
  buyerEmail?: string;
  channel: string;
}
/** A card's one code, scanned at this performance: admits once, unless the seat was resold. */
export interface ScanHolding extends Base { type: 'scanHolding'; holdingId: string }
/** Moves time forward only: expires holds. Not remembered for dedupe (it is idempotent). */
export interface Tick extends Base { type: 'tick' }

export type Command =
  | HoldSeats | HoldBestAvailable | HoldGa | ConfirmHold | ReleaseHold | OpenSession | CommandBatch
  | CreateQuota | ReturnQuota | SetQuotaResale | IssueHardTickets | ReturnHardTickets | BlockForeign
  | CreatePresale | EditPresale | StopPresale
  | ScanTicket | VoidTicket | VoidTickets | Tick
  | LinkProduct | UnlinkProduct | SetProductResale | ListResale | WithdrawResale | BuyResale | ScanHolding;

export type CommandType = Command['type'];
