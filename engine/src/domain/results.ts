// What an accepted command returns. Results are plain data (no references into the state), so
// they can be remembered for idempotent retries, put into snapshots and sent over the wire.
import type { Rejection } from './codes.ts';

export interface HoldAccepted {
  ok: true;
  holdId: string;
  expiresAtMs: number;
  /** Seat ids in the order they were taken (empty for GA). */
  seats: string[];
  gaAreaId: string | null;
  count: number;
  quotaId: string | null;
  ticketType: string;
}

export interface TicketView {
  ticketId: string;
  seatId: string | null;
  gaAreaId: string | null;
  ticketType: string;
  priceMinor: number;
  discountMinor: number;
  quotaId: string | null;
}

export interface OrderAccepted {
  ok: true;
  orderId: string;
  holdId: string;
  totalMinor: number;
  discountMinor: number;
  tickets: TicketView[];
}

export interface ScanAccepted { ok: true; ticketId: string; seatId: string | null; gaAreaId: string | null }
/** createQuota, returnQuota: seats or places moved; a quota that closes by itself echoes its time (the coordinator reads it). */
export interface CountAccepted { ok: true; count: number; closesAtMs?: number }
export interface Done { ok: true }

/** linkProduct: what the coordinator needs to check the product's performances against each other. */
export interface LinkAccepted {
  ok: true;
  performanceId: string;
  numbered: boolean;
  capacity: number;
  /** The earliest sale start of the performance's channels, other than resale channels. */
  singleSaleStartMs: number;
  /** The product's number in this performance (never given to another product): its steps' ids there use it. */
  linkNo: number;
  /** The performance's layout: its hall. (Absent from the answers an engine from before session 23 journaled.) */
  layoutId?: string;
  /** The performance's organizer, when its spec names one (and an engine from after session 28 answered). */
  organizerId?: string;
}
export interface ListingAccepted { ok: true; listingId: string; ticketId: string; priceMinor: number; basePriceMinor: number }
export interface ResaleBought {
  ok: true;
  listingId: string;
  /** The buyer's new ticket. */
  ticketId: string;
  /** The seller's ticket, now `transferred`. */
  resaleOf: string;
  seatId: string | null;
  gaAreaId: string | null;
  sellerId: string;
  priceMinor: number;
  basePriceMinor: number;
  feeMinor: number;
  sellerCreditMinor: number;
}

/** openSession: the session's number (binary batches name it) and the last request applied in it (0 for none). */
export interface SessionOpened { ok: true; sessionNo: number; requestNo: number }

/** A commandBatch's answer: executeBatch's, with the reply words copied out as bytes (32-bit little-endian, REPLY_WORDS per command). */
export interface BatchAnswered {
  ok: true; sessionNo: number; requestNo: number; count: number; expiresAtMs: number; retried: boolean; replies: Uint8Array;
  /** The seats the batch's best-available holds found, in order (32-bit little-endian); absent when it had none. */
  foundSeats?: Uint8Array;
}

export type Accepted = SessionOpened | BatchAnswered | HoldAccepted | OrderAccepted | ScanAccepted | CountAccepted | Done | LinkAccepted | ListingAccepted | ResaleBought;
export type Result = Accepted | Rejection;

export const DONE: Done = Object.freeze({ ok: true }) as Done;
