// Binary command batches: the hot commands of an on-sale (hold explicit seats, release,
// confirm) as fixed-size records of 32-bit words, applied in order, answered with numbers. The
// rules are the object commands' own (the same checks, the same codes, in the same order; a test
// runs both paths side by side); what differs is the envelope:
//   - no command ids: a batch is numbered in its client session (sessions.ts), which makes it
//     idempotent as a whole, and a hold is named by its slot and binary number (hold-record.ts);
//   - numbers for names: channels and ticket types by their place in the performance's spec,
//     seats by seat number, buyers by a numeric key (the buyer whose id is the key in decimal,
//     the same buyer an object command names by that id);
//   - replies are words in a buffer, not objects.
// An object command costs a hashed string id, a remembered entry and a result object; these were
// most of a hold's time (bench/RESULTS.md, session 24). Everything else (best available, GA,
// presale links, products, set-up, queries) stays on the object API, which sees binary holds as
// holds like any other (`#<slot>.<binaryNo>` for an id).
//
// Command record, COMMAND_WORDS words:
//   HOLD_SEATS    op, buyerLo, buyerHi, channel, ticketType (-1: the default), count, seat x count (up to 10)
//   RELEASE_HOLD  op, buyerLo, buyerHi, slot, binaryNo
//   CONFIRM_HOLD  op, buyerLo, buyerHi, slot, binaryNo
//   HOLD_BEST_AVAILABLE  op, buyerLo, buyerHi, channel, ticketType, count, zone (-1: any), section (-1: any), accessible (0 or 1)
//   HOLD_SEATS_NAMED, RELEASE_HOLD_NAMED, CONFIRM_HOLD_NAMED: the same commands with their
//   buyer, product, holding, channel, ticket type and seats named by strings the batch carries
//   (binary-named.ts): a product coordinator's steps.
// buyerLo is the key's low 32 bits (as a signed word), buyerHi the high 21. Unused words are ignored.
// Reply record, REPLY_WORDS words: code (0 accepted), then
//   HOLD_SEATS    slot, binaryNo, the seats' pool (0 general, else the quota's source number)
//   RELEASE_HOLD  0, 0, 0
//   CONFIRM_HOLD  order number, first ticket number, total in minor units
//   HOLD_BEST_AVAILABLE  as HOLD_SEATS; the seats it found go, in order, into the batch's `foundSeats`
//                        (after those of the best-available holds before it in the batch)
//   refused       the position of the seat refused (-1 when no one seat is), 0, 0
import type { Rejection } from './codes.ts';
import type { CommandBatch } from './commands.ts';
import type { BatchAnswered } from './results.ts';
import { aligned, grown } from './typed-arrays.ts';
import { Code, reject } from './codes.ts';
import { isInt, shown, unkeepableAt } from './checks.ts';
import { assertBalanced } from './moves.ts';
import { buyerCapsRefusal } from './buying.ts';
import { closeHold, expireHolds, placeHold, unsellableSeat } from './holds.ts';
import { badSeatNo } from './seats.ts';
import { findBestAvailable } from './best-available.ts';
import { confirmHoldNamed, holdSeatsNamed, releaseHoldNamed } from './binary-named.ts';
import { limits } from './limits.ts';
import { Fate } from './memo.ts';
import { orderOf } from './orders.ts';
import { closeDueQuotas } from './quotas.ts';
import { keepRequest, replyRoom, sameRequest, type Session } from './sessions.ts';
import { GENERAL, type Hold, type PerformanceState } from './state.ts';
import { checkTicketTypeAccess } from './ticket-access.ts';
import { BINARY_SLOT_MAX } from './hold-record.ts';

export const BinaryOp = { HOLD_SEATS: 1, RELEASE_HOLD: 2, CONFIRM_HOLD: 3, HOLD_SEATS_NAMED: 4, RELEASE_HOLD_NAMED: 5, CONFIRM_HOLD_NAMED: 6, HOLD_BEST_AVAILABLE: 7 } as const;
export const COMMAND_WORDS = 16;
export const REPLY_WORDS = 4;
/** Word offsets in a command record. */
export const Word = { OP: 0, BUYER_LO: 1, BUYER_HI: 2, CHANNEL: 3, TICKET_TYPE: 4, COUNT: 5, SEATS: 6, SLOT: 3, BINARY_NO: 4, ZONE: 6, SECTION: 7, ACCESSIBLE: 8 } as const;
/** The zone and section words' value for "any". */
export const ANY = -1;
/** The ticket type word's value for the performance's default type. */
export const DEFAULT_TICKET_TYPE = -1;

/** Commands given as lists of words (op first), packed COMMAND_WORDS apart: a client's batch, when it is not built in place. */
export function commandWords(records: readonly (readonly number[])[]): Int32Array {
  const words = new Int32Array(records.length * COMMAND_WORDS);
  for (let i = 0; i < records.length; i++) words.set(records[i], i * COMMAND_WORDS);
  return words;
}

const TWO_32 = 4_294_967_296;
/** buyerHi's bound: a key is below 2^53. */
const BUYER_HI_LIMIT = 1 << 21;

export interface BatchAccepted {
  ok: true;
  sessionNo: number;
  requestNo: number;
  count: number;
  /** When the holds this batch made expire (one time for the whole batch). */
  expiresAtMs: number;
  /** REPLY_WORDS per command: a view of the session's buffer, valid until its next batch. */
  replies: Int32Array;
  /** The seats each accepted HOLD_BEST_AVAILABLE found, `count` of them each, in the order of the batch (empty when none): a view, as `replies`. */
  foundSeats: Int32Array;
  /** True when this was the session's last request again, answered as the first time. */
  retried: boolean;
}

/**
 * Applies `count` commands of `commands` (COMMAND_WORDS each) as request `requestNo` of session
 * `sessionNo`, at `nowMs`. The batch is refused whole (nothing applied) when the session, the
 * request number or the time is wrong; inside a batch each command is accepted or refused on
 * its own, in order, as a run of object commands would be.
 */
export function executeBatch(
  s: PerformanceState, sessionNo: number, requestNo: number, commands: Int32Array, count: number, nowMs: number, strings: readonly string[] = noStrings,
): BatchAccepted | Rejection {
  const session = isInt(sessionNo, 0, s.sessions.list.length - 1) ? s.sessions.list[sessionNo] : undefined;
  if (session === undefined) return reject('SESSION_UNKNOWN', 'sessionNo', `no session ${shown(sessionNo)} on this performance (openSession first)`);
  if (!isInt(requestNo, 1, Number.MAX_SAFE_INTEGER)) return reject('BATCH_INVALID', 'requestNo', 'requestNo must be a whole number of at least 1');
  if (!isInt(count, 1, limits.batchCommandsMax)) return reject('BATCH_INVALID', 'count', `a batch has 1 to ${limits.batchCommandsMax} commands`);
  if (!(commands instanceof Int32Array) || commands.length < count * COMMAND_WORDS) return reject('BATCH_INVALID', 'commands', `commands must be an Int32Array of at least ${COMMAND_WORDS} words per command`);
  if (!Array.isArray(strings) || strings.length > count * COMMAND_WORDS) return reject('BATCH_INVALID', 'strings', `strings must be an array of at most ${COMMAND_WORDS} per command`);
  // As the envelope checks a commandBatch's (execute.ts): the session keeps the strings with the
  // request, and a snapshot must give them back exactly (a lone surrogate, or anything but text,
  // made retries after a restore REQUEST_REUSED, or the snapshot throw).
  for (let i = 0; i < strings.length; i++) {
    const text: unknown = strings[i];
    if (typeof text !== 'string' || unkeepableAt(text) !== null) return reject('BATCH_INVALID', `strings[${i}]`, 'strings must be well-formed text (no lone UTF-16 surrogate)');
  }
  // A retry is answered before the clock is looked at, as an object command's is.
  if (requestNo === session.requestNo) {
    if (!sameRequest(session, commands, count, COMMAND_WORDS, strings)) return reject('REQUEST_REUSED', 'requestNo', `request ${requestNo} of this session had other commands`);
    return accepted(session, true);
  }
  if (requestNo < session.requestNo) return reject('REQUEST_TOO_OLD', 'requestNo', `request ${requestNo} was answered before request ${session.requestNo}`);
  if (requestNo > session.requestNo + 1) return reject('REQUEST_OUT_OF_ORDER', 'requestNo', `the next request of this session is ${session.requestNo + 1}`);
  if (!Number.isSafeInteger(nowMs) || nowMs < s.lastNowMs) return reject('TIME_REGRESSED', '', `time ${nowMs} is before the last command's ${s.lastNowMs}`);
  s.lastNowMs = nowMs;
  const replies = replyRoom(session, count, REPLY_WORDS);
  session.seatCount = 0;
  // One time for the whole batch: quotas due close at its first command, and every later
  // command's check would find none due (closeDueQuotas is a no-op at the same time).
  closeDueQuotas(s, nowMs);
  for (let i = 0; i < count; i++) {
    // Expiry stays per command: it is bounded per command (limits.expiriesPerCommandMax).
    if (s.holdHead !== null && s.holdHead.expiresAtMs <= nowMs) expireHolds(s, nowMs);
    applyOne(s, session, commands, i * COMMAND_WORDS, strings, nowMs, replies, i * REPLY_WORDS);
    assertBalanced(s);
  }
  keepRequest(session, requestNo, commands, count, COMMAND_WORDS, strings, nowMs, nowMs + s.spec.holdTtlMs);
  return accepted(session, false);
}

/** A commandBatch command: its words from bytes, executeBatch, and the replies copied out as bytes (the result outlives the session's buffer). */
export function answerBatch(s: PerformanceState, cmd: CommandBatch, nowMs: number): BatchAnswered | Rejection {
  const bytes = cmd.words;
  if (!(bytes instanceof Uint8Array) || bytes.length % 4 !== 0) return reject('BATCH_INVALID', 'words', 'words must be bytes, 4 per 32-bit word');
  const words = bytes.byteOffset % 4 === 0 ? new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4) : aligned(bytes, Int32Array);
  const r = executeBatch(s, cmd.sessionNo, cmd.requestNo, words, cmd.count, nowMs, cmd.strings ?? noStrings);
  if (!r.ok) return r;
  const answer: BatchAnswered = { ok: true, sessionNo: r.sessionNo, requestNo: r.requestNo, count: r.count, expiresAtMs: r.expiresAtMs, retried: r.retried, replies: copiedBytes(r.replies) };
  // Only a batch with best-available holds has seats: other answers are as they were.
  if (r.foundSeats.length > 0) answer.foundSeats = copiedBytes(r.foundSeats);
  return answer;
}

/** The words as bytes of their own (the answer outlives the session's buffer). */
function copiedBytes(words: Int32Array): Uint8Array {
  const bytes = new Uint8Array(words.byteLength);
  bytes.set(new Uint8Array(words.buffer, words.byteOffset, words.byteLength));
  return bytes;
}

function accepted(session: Session, retried: boolean): BatchAccepted {
  return {
    ok: true, sessionNo: session.sessionNo, requestNo: session.requestNo, count: session.count, expiresAtMs: session.expiresAtMs,
    replies: session.reply.subarray(0, session.count * REPLY_WORDS), foundSeats: session.seats.subarray(0, session.seatCount), retried,
  };
}

const noStrings: readonly string[] = Object.freeze([]);

function applyOne(s: PerformanceState, session: Session, c: Int32Array, at: number, strings: readonly string[], nowMs: number, r: Int32Array, o: number): void {
  r[o + 1] = -1;
  r[o + 2] = 0;
  r[o + 3] = 0;
  switch (c[at]) {
    case BinaryOp.HOLD_SEATS: r[o] = holdSeats(s, c, at, nowMs, r, o); return;
    case BinaryOp.RELEASE_HOLD: r[o] = releaseHold(s, c, at, nowMs, r, o); return;
    case BinaryOp.CONFIRM_HOLD: r[o] = confirmHold(s, c, at, nowMs, r, o); return;
    case BinaryOp.HOLD_SEATS_NAMED: r[o] = holdSeatsNamed(s, c, at, strings, nowMs, r, o); return;
    case BinaryOp.RELEASE_HOLD_NAMED: r[o] = releaseHoldNamed(s, c, at, strings, nowMs, r, o); return;
    case BinaryOp.CONFIRM_HOLD_NAMED: r[o] = confirmHoldNamed(s, c, at, strings, nowMs, r, o); return;
    case BinaryOp.HOLD_BEST_AVAILABLE: r[o] = holdBestAvailable(s, session, c, at, nowMs, r, o); return;
    default: r[o] = Code.COMMAND_UNKNOWN;
  }
}

/** The buyer key of the record at `at`, or -1 when its words are not one. */
function buyerKeyOf(c: Int32Array, at: number): number {
  const hi = c[at + Word.BUYER_HI];
  if (hi < 0 || hi >= BUYER_HI_LIMIT) return -1;
  return hi * TWO_32 + (c[at + Word.BUYER_LO] >>> 0);
}

/** holdSeats with seatNos, checked as holds.ts and buying.ts check it, in the same order. Returns the code; fills the reply. */
function holdSeats(s: PerformanceState, c: Int32Array, at: number, nowMs: number, r: Int32Array, o: number): number {
  const count = c[at + Word.COUNT];
  if (count < 1) return Code.COMMAND_INVALID;
  if (count > limits.seatsPerHoldMax) return Code.SEATS_PER_HOLD_EXCEEDED;
  const key = buyerKeyOf(c, at);
  if (key < 0) return Code.COMMAND_INVALID;
  const buyerNo = s.buyers.findKey(key);
  const buying = checkBuying(s, c, at, buyerNo, count, nowMs);
  if (buying < 0) return -buying;
  const seats = new Array<number>(count);
  for (let i = 0; i < count; i++) seats[i] = c[at + Word.SEATS + i];
  const refused = badSeatNo(s, seats) || unsellableSeat(s, buying & CHANNEL_MASK, null, buying >>> TYPE_SHIFT, seats);
  if (refused !== 0) {
    r[o + 1] = refused >>> 8;
    return refused & 0xff;
  }
  return openHold(s, key, buyerNo, buying, seats, count, nowMs, r, o);
}

/**
 * holdBestAvailable (holds.ts) by numbers: the count, the filter (a zone and a section by their
 * place in the layout, -1 for any; accessible 0 or 1), buying.ts's checks, then the search. The
 * seats found go into the session's seat list, after those of the batch's earlier searches.
 */
function holdBestAvailable(s: PerformanceState, session: Session, c: Int32Array, at: number, nowMs: number, r: Int32Array, o: number): number {
  const count = c[at + Word.COUNT];
  if (count < 1) return Code.COMMAND_INVALID;
  if (count > limits.seatsPerHoldMax) return Code.SEATS_PER_HOLD_EXCEEDED;
  const zone = c[at + Word.ZONE];
  if (zone !== ANY && (zone < 0 || zone >= s.layout.zoneIds.length)) return Code.FILTER_UNKNOWN_ZONE;
  const section = c[at + Word.SECTION];
  if (section !== ANY && (section < 0 || section >= s.layout.sectionIds.length)) return Code.FILTER_UNKNOWN_SECTION;
  const accessible = c[at + Word.ACCESSIBLE];
  if (accessible !== 0 && accessible !== 1) return Code.COMMAND_INVALID;
  const key = buyerKeyOf(c, at);
  if (key < 0) return Code.COMMAND_INVALID;
  const buyerNo = s.buyers.findKey(key);
  const buying = checkBuying(s, c, at, buyerNo, count, nowMs);
  if (buying < 0) return -buying;
  const seats = findBestAvailable(s, buying & CHANNEL_MASK, null, buying >>> TYPE_SHIFT, count, zone, section, accessible === 1);
  if (seats === null) return Code.NOT_ENOUGH_SEATS;
  const room = session.seatCount + seats.length;
  if (session.seats.length < room) session.seats = grown(session.seats, room);
  for (let i = 0; i < seats.length; i++) session.seats[session.seatCount + i] = seats[i];
  session.seatCount = room;
  return openHold(s, key, buyerNo, buying, seats, count, nowMs, r, o);
}

/** checkBuying's result: the channel in the low 16 bits, the ticket type above. */
const CHANNEL_MASK = 0xffff;
const TYPE_SHIFT = 16;

/**
 * buying.ts checkBuying by numbers, in its order after the buyer (whose key the caller has
 * checked and looked up: `buyerNo`, -1 for one not tracked yet): channel, its window, ticket
 * type, the type's own rules, the buyer's caps, the bound on open holds. The channel and ticket
 * type packed (CHANNEL_MASK, TYPE_SHIFT), or minus the code. Channels and types are a performance's
 * few (limits), well within 16 bits each.
 */
function checkBuying(s: PerformanceState, c: Int32Array, at: number, buyerNo: number, count: number, nowMs: number): number {
  const channelNo = c[at + Word.CHANNEL];
  if (channelNo < 0 || channelNo >= s.channels.length) return -Code.CHANNEL_UNKNOWN;
  const channel = s.channels[channelNo];
  if (channel.kind === 'resale') return -Code.CHANNEL_RESALE_ONLY;
  if (!channel.enabled || nowMs < channel.saleStartMs || nowMs >= channel.saleEndMs) return -Code.CHANNEL_NOT_ON_SALE;
  let ticketType = c[at + Word.TICKET_TYPE];
  if (ticketType === DEFAULT_TICKET_TYPE) ticketType = s.defaultTicketType;
  else if (ticketType < 0 || ticketType >= s.ticketTypes.length) return -Code.TICKET_TYPE_UNKNOWN;
  const type = s.ticketTypes[ticketType];
  if (type.closed) return -Code.TICKET_TYPE_REQUIRES_PRESALE;
  const typeRefused = checkTicketTypeAccess(type, channel, false, nowMs);
  if (typeRefused !== null) return -typeRefused.code;
  const capped = buyerCapsRefusal(s, buyerNo, count);
  if (capped !== null) return -capped.code;
  if (s.holds.size >= limits.holdsOpenPerPerformanceMax || s.nextBinaryNo >= limits.binaryHoldsMax) return -Code.HOLDS_LIMIT_REACHED;
  return channelNo | (ticketType << TYPE_SHIFT);
}

/** Puts a checked binary hold of `seats` on the books for the buyer `key` (`buyerNo`, or -1: tracked from now on); fills the reply (slot, number, pool). */
function openHold(s: PerformanceState, key: number, buyerNo: number, buying: number, seats: number[], count: number, nowMs: number, r: Int32Array, o: number): number {
  const buyer = buyerNo >= 0 ? buyerNo : s.buyers.addKey(key);
  const binaryNo = s.nextBinaryNo++;
  const hold = placeHold(s, '', binaryNo, 0, buyer, null, buying & CHANNEL_MASK, buying >>> TYPE_SHIFT, seats, -1, GENERAL, count, nowMs);
  r[o + 1] = hold.slot;
  r[o + 2] = binaryNo;
  r[o + 3] = s.seatSource[seats[0]];
  return Code.OK;
}

function releaseHold(s: PerformanceState, c: Int32Array, at: number, nowMs: number, r: Int32Array, o: number): number {
  const hold = liveHold(s, c, at, nowMs);
  if (typeof hold === 'number') return hold;
  closeHold(s, hold, Fate.RELEASED);
  r[o + 1] = 0;
  return Code.OK;
}

function confirmHold(s: PerformanceState, c: Int32Array, at: number, nowMs: number, r: Int32Array, o: number): number {
  const hold = liveHold(s, c, at, nowMs);
  if (typeof hold === 'number') return hold;
  // A binary hold has no presale link or product, so nothing else is asked of its confirm.
  const order = orderOf(s, hold, null, false, nowMs);
  if ('ok' in order) return order.code;
  r[o + 1] = order.no;
  r[o + 2] = order.firstTicket;
  r[o + 3] = order.totalMinor;
  return Code.OK;
}

const codeOfFate = [Code.HOLD_NOT_FOUND, Code.HOLD_ALREADY_CONFIRMED, Code.HOLD_RELEASED, Code.HOLD_EXPIRED] as const;

/** The open binary hold a release or confirm names, owned by its buyer and not past its time, or the code saying why not (as holds.ts liveHold). */
function liveHold(s: PerformanceState, c: Int32Array, at: number, nowMs: number): Hold | number {
  const key = buyerKeyOf(c, at);
  if (key < 0) return Code.COMMAND_INVALID;
  return liveBinaryHold(s, c[at + Word.SLOT], c[at + Word.BINARY_NO], key, null, nowMs);
}

/**
 * The open binary hold `slot`/`binaryNo`, owned by the buyer with key `buyerKey` (or, when
 * `buyerId` is given, with that id: a named record's), not past its time; else the code, as
 * holds.ts liveHold answers for the hold's id `#<slot>.<binaryNo>`.
 */
export function liveBinaryHold(s: PerformanceState, slot: number, binaryNo: number, buyerKey: number, buyerId: string | null, nowMs: number): Hold | number {
  // A slot no id can name (more than 9 digits) is not found, as its id `#<slot>.<no>` is not.
  if (slot < 0 || slot > BINARY_SLOT_MAX || binaryNo < 0) return Code.HOLD_NOT_FOUND;
  const hold = s.holds.findBinary(slot, binaryNo);
  if (hold === undefined) return codeOfFate[s.binaryFates.fateOf(binaryNo)];
  if (buyerId !== null ? hold.buyerId !== buyerId : s.buyers.keyOf(hold.buyerNo) !== buyerKey) return Code.HOLD_NOT_OWNED;
  if (hold.expiresAtMs <= nowMs) {
    closeHold(s, hold, Fate.EXPIRED);
    return Code.HOLD_EXPIRED;
  }
  return hold;
}
