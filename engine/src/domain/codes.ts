// The one registry of rejection codes. Numbers are stable forever: a client, a dashboard or a
// journal written today must read the same meaning tomorrow. Never renumber; retire a code by
// leaving its number unused. Every code here is documented in engine/docs/REJECTIONS.md and a
// test keeps the two equal.

export const Code = {
  OK: 0,

  // 1-9: the envelope of a command.
  COMMAND_INVALID: 1,
  COMMAND_UNKNOWN: 2,
  COMMAND_ID_REUSED: 3,
  TIME_REGRESSED: 4,

  // 10-19: layouts (venue definitions).
  LAYOUT_INVALID: 10,
  LAYOUT_DUPLICATE_ID: 11,
  LAYOUT_EMPTY_ROW: 12,
  LAYOUT_UNKNOWN_ZONE: 13,
  LAYOUT_TOO_LARGE: 14,
  LAYOUT_EMPTY_SECTION: 15,

  // 20-29: performance set-up (channels, ticket types, prices).
  SPEC_INVALID: 20,
  SPEC_DUPLICATE_ID: 21,
  SPEC_UNKNOWN_ZONE: 22,

  // 30-49: channels, seats, places, holds.
  CHANNEL_UNKNOWN: 30,
  CHANNEL_NOT_ON_SALE: 31,
  SEAT_UNKNOWN: 32,
  SEAT_NOT_AVAILABLE: 33,
  SEAT_NOT_IN_CHANNEL: 34,
  SEATS_DUPLICATED: 35,
  SEATS_PER_HOLD_EXCEEDED: 36,
  NOT_ENOUGH_SEATS: 37,
  GA_AREA_UNKNOWN: 38,
  NOT_ENOUGH_PLACES: 39,
  FILTER_UNKNOWN_ZONE: 40,
  FILTER_UNKNOWN_SECTION: 41,
  HOLDS_LIMIT_REACHED: 42,
  HOLD_NOT_FOUND: 43,
  HOLD_EXPIRED: 44,
  HOLD_RELEASED: 45,
  HOLD_ALREADY_CONFIRMED: 46,
  HOLD_NOT_OWNED: 47,
  PLACES_PER_HOLD_EXCEEDED: 48,
  CHANNEL_RESALE_ONLY: 49,

  // 50-59: buyers and ticket types.
  BUYER_TICKET_LIMIT: 50,
  BUYER_HOLD_LIMIT: 51,
  BUYERS_LIMIT_REACHED: 52,
  TICKET_TYPE_UNKNOWN: 53,
  TICKET_TYPE_NOT_PRICED_IN_ZONE: 54,
  TICKET_TYPE_REQUIRES_PRESALE: 55,
  TICKETS_LIMIT_REACHED: 56,
  TICKET_TYPE_NOT_IN_CHANNEL: 57,
  TICKET_TYPE_NOT_ON_SALE: 58,
  TICKET_TYPE_PRODUCTS_ONLY: 59,

  // 60-69: quotas (contingents), hard tickets, foreign blocks, and bounds on set-up records.
  QUOTA_EXISTS: 60,
  QUOTA_UNKNOWN: 61,
  QUOTA_SEAT_NOT_FREE: 62,
  QUOTA_RETURN_TOO_MANY: 63,
  QUOTAS_LIMIT_REACHED: 64,
  BLOCK_EXISTS: 65,
  SEAT_NOT_IN_QUOTA: 66,
  BLOCKS_LIMIT_REACHED: 67,
  PRESALES_LIMIT_REACHED: 68,
  BLOCK_UNKNOWN: 69,

  // 70-79: presale links (closed sales).
  PRESALE_EXISTS: 70,
  PRESALE_UNKNOWN: 71,
  PRESALE_NOT_ACTIVE: 72,
  PRESALE_STOPPED: 73,
  PRESALE_SOLD_OUT: 74,
  PRESALE_BUYER_LIMIT: 75,
  PRESALE_TICKET_TYPE_NOT_CLOSED: 76,
  PRESALE_BELOW_USED: 77,
  PRESALE_WEB_NOT_ON_SALE: 78,
  PRESALE_CHANNEL_NOT_WEB: 79,

  // 80-89: tickets and scans.
  TICKET_NOT_FOUND: 80,
  TICKET_ALREADY_SCANNED: 81,
  TICKET_VOID: 82,
  TICKET_TRANSFERRED: 83,
  HOLDING_NO_TICKET: 84,
  TICKET_OF_PRODUCT: 85,

  // 90-99: resale of product seats, and products as a performance sees them.
  RESALE_CHANNEL_NOT_ALLOWED: 90,
  RESALE_NOT_ELIGIBLE: 91,
  RESALE_PRICE_OUT_OF_BAND: 92,
  RESALE_QUOTA_NOT_AUTHORIZED: 93,
  LISTING_EXISTS: 94,
  LISTING_UNKNOWN: 95,
  LISTING_CLOSED: 96,
  LISTING_NOT_OWNED: 97,
  TICKET_ALREADY_LISTED: 98,
  PRODUCT_NOT_LINKED: 99,

  // 100-119: the runtime (shards, mailboxes, the bus); never produced by the pure domain.
  OVERLOADED: 100,
  PERFORMANCE_UNKNOWN: 101,
  PERFORMANCE_EXISTS: 102,
  ACTOR_FAILED: 103,
  SHARD_UNAVAILABLE: 104,
  JOURNAL_FAILED: 105,
  ENGINE_STOPPING: 106,
  COMMAND_ALREADY_APPLIED: 107,
  REPLY_TOO_LARGE: 108,
  ACTORS_LIMIT_REACHED: 109,

  // 120-139: products across performances (season cards, subscriptions), their coordinators.
  PRODUCT_INVALID: 120,
  PRODUCT_EXISTS: 121,
  PRODUCT_UNKNOWN: 122,
  PRODUCT_MIXED_NUMBERING: 123,
  PRODUCT_CAPACITY_MISMATCH: 124,
  PRODUCT_NOT_ACTIVE: 125,
  PRODUCT_SALE_CLOSED: 126,
  PRODUCT_PICKS_INVALID: 127,
  PRODUCT_QUANTITY_INVALID: 128,
  PRODUCT_TOO_FEW_LEFT: 129,
  HOLDING_UNKNOWN: 130,
  HOLDING_NOT_OWNED: 131,
  RENEWAL_CLOSED: 132,
  RENEWAL_DONE: 133,
  EXCHANGE_INVALID: 134,
  PRODUCT_LINK_TOO_LATE: 135,
  PRODUCT_ALREADY_LINKED: 136,
  HOLDINGS_LIMIT_REACHED: 137,
  RENEWAL_STILL_OPEN: 138,
  PRODUCT_HAS_SALES: 139,
  // 140-149: product coordinators, continued.
  PRODUCT_BUSY: 140,
  CUSTOMERS_INVALID: 141,
  CUSTOMERS_LOCKED: 142,
  PRODUCT_HALL_MISMATCH: 143,
  PRODUCT_STEP_ONLY: 144,
  EXCHANGES_NOT_ALLOWED: 145,
  PRODUCT_TICKET_TYPE_NOT_OFFERED: 146,
  HOLDING_NOT_REFUNDABLE: 147,
  PRODUCT_FLAG_REQUIRED: 148,
  PRODUCT_SEAT_CHOICE_OFF: 149,

  // 150-159: quotas, hard tickets and blocks, continued.
  QUOTA_OF_PRODUCT: 150,
  BLOCK_NOT_HARD_TICKETS: 151,
  SEAT_NOT_IN_BLOCK: 152,
  BLOCK_RETURN_TOO_MANY: 153,

  // 160-169: client sessions and binary command batches.
  SESSION_UNKNOWN: 160,
  SESSIONS_LIMIT_REACHED: 161,
  REQUEST_OUT_OF_ORDER: 162,
  REQUEST_TOO_OLD: 163,
  REQUEST_REUSED: 164,
  BATCH_INVALID: 165,

  // 170-179: products across performances, continued.
  PRODUCT_ORGANIZER_MISMATCH: 170,
} as const;

export type CodeName = keyof typeof Code;
export type CodeNumber = (typeof Code)[CodeName];

const namesByNumber = new Map<number, CodeName>(
  (Object.keys(Code) as CodeName[]).map((name) => [Code[name], name]),
);

export function codeName(code: number): CodeName {
  const name = namesByNumber.get(code);
  if (name === undefined) throw new Error(`unknown code ${code}`);
  return name;
}

/** A refusal: what was wrong and which field, with a stable code. Never thrown. */
export interface Rejection {
  readonly ok: false;
  readonly code: CodeNumber;
  readonly name: CodeName;
  /** The offending field as a path into the command (`seats[2]`), or '' for the whole command. */
  readonly field: string;
  readonly message: string;
}

export function reject(name: Exclude<CodeName, 'OK'>, field: string, message: string): Rejection {
  return { ok: false, code: Code[name], name, field, message };
}
