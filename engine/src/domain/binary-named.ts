// Binary records that name their buyer, product, holding, channel, ticket type and seats by
// strings: a product coordinator's saga steps (products/couriers.ts), and any client whose
// buyers have ids that are not numbers. The batch carries the strings once (`strings`); a record
// gives each one's place in it. Each record is the object command it stands for, applied by the
// object command's own function (holds.ts seatsHold, orders.ts confirmedOrder, holds.ts
// releaseHold): the same checks, in the same order, with the same codes. What it saves is the
// envelope: no command id (the session numbers the batch), no memory entry and no result object
// per command, one journal entry and one report to the coordinator per batch.
//
//   HOLD_SEATS_NAMED    op, product (-1: none), buyer, holding (-1: none), channel, ticketType (-1: the default), count, seat x count (up to 9)
//   RELEASE_HOLD_NAMED  op, buyer, slot, binaryNo
//   CONFIRM_HOLD_NAMED  op, buyer, slot, binaryNo, buyerEmail (-1: none), complimentary (0 or 1)
// Replies are binary.ts's: HOLD_SEATS_NAMED as HOLD_SEATS, the others as RELEASE_HOLD and CONFIRM_HOLD.
import type { ConfirmHold, HoldSeats, ReleaseHold } from './commands.ts';
import { Code, type Rejection } from './codes.ts';
// binary.ts imports this module too: these are read inside functions only, once both are loaded.
import { BinaryOp, COMMAND_WORDS, liveBinaryHold } from './binary.ts';
import { binaryHoldId } from './hold-record.ts';
import { closeHold, seatsHold } from './holds.ts';
import { needEmail, needId } from './checks.ts';
import { Fate } from './memo.ts';
import { limits } from './limits.ts';
import { orderOfConfirmed } from './orders.ts';
import type { Hold, PerformanceState } from './state.ts';

/** Word offsets in a named record. */
export const NamedWord = {
  OP: 0, PRODUCT: 1, BUYER: 2, HOLDING: 3, CHANNEL: 4, TICKET_TYPE: 5, COUNT: 6, SEATS: 7,
  /** RELEASE_HOLD_NAMED and CONFIRM_HOLD_NAMED. */
  HOLD_BUYER: 1, SLOT: 2, BINARY_NO: 3, EMAIL: 4, COMPLIMENTARY: 5,
} as const;
/** Seats a HOLD_SEATS_NAMED record has room for (a record is 16 words). */
export const NAMED_SEATS_MAX = 9;
/** The word for "none" where a string is optional. */
export const NO_STRING = -1;

/** The string at place `i` of the batch's strings, or undefined (the object check then says what is wrong). */
function str(strings: readonly unknown[], i: number): string | undefined {
  return i >= 0 && i < strings.length ? (strings[i] as string) : undefined;
}

/**
 * An optional string: undefined for NO_STRING (the field left out), else the string, or null for
 * a place past the strings, which the object check refuses as it refuses a field of null (a
 * word out of range must not read as "none": a product's hold would become a single ticket's).
 */
function opt(strings: readonly unknown[], i: number): string | null | undefined {
  if (i === NO_STRING) return undefined;
  return i >= 0 && i < strings.length ? (strings[i] as string) : null;
}

/** The refused seat's position in a rejection's field (`seats[i]`), or -1. */
function seatPosition(r: Rejection): number {
  return r.field.startsWith('seats[') ? Number.parseInt(r.field.slice(6), 10) : -1;
}

/** HOLD_SEATS_NAMED: holdSeats with seats by id, the hold named by the next binary number. Returns the code; fills the reply. */
export function holdSeatsNamed(s: PerformanceState, c: Int32Array, at: number, strings: readonly unknown[], nowMs: number, r: Int32Array, o: number): number {
  const count = c[at + NamedWord.COUNT];
  if (count < 1) return Code.COMMAND_INVALID;
  if (count > limits.seatsPerHoldMax) return Code.SEATS_PER_HOLD_EXCEEDED;
  if (count > NAMED_SEATS_MAX) return Code.COMMAND_INVALID;
  if (s.nextBinaryNo >= limits.binaryHoldsMax) return Code.HOLDS_LIMIT_REACHED;
  const binaryNo = s.nextBinaryNo;
  const hold = seatsHold(s, namedHoldSeats(c, at, count, strings), binaryNo, 0, nowMs);
  if ('ok' in hold) {
    r[o + 1] = seatPosition(hold);
    return hold.code;
  }
  s.nextBinaryNo++;
  r[o + 1] = hold.slot;
  r[o + 2] = binaryNo;
  r[o + 3] = s.seatSource[hold.seats[0]];
  return Code.OK;
}

/** A HOLD_SEATS_NAMED record's first `count` seats as the holdSeats command it stands for (with an empty commandId). */
function namedHoldSeats(c: Int32Array, at: number, count: number, strings: readonly unknown[]): HoldSeats {
  const seats = new Array<string | undefined>(count);
  for (let i = 0; i < count; i++) seats[i] = str(strings, c[at + NamedWord.SEATS + i]);
  return {
    type: 'holdSeats', commandId: '', buyerId: str(strings, c[at + NamedWord.BUYER]), channel: str(strings, c[at + NamedWord.CHANNEL]),
    ticketType: opt(strings, c[at + NamedWord.TICKET_TYPE]), productId: opt(strings, c[at + NamedWord.PRODUCT]),
    holdingId: opt(strings, c[at + NamedWord.HOLDING]), seats,
  } as HoldSeats;
}

/** The hold a named release or confirm names: by slot and number, as its id reads. */
function namedHoldId(c: Int32Array, at: number): string {
  return binaryHoldId(c[at + NamedWord.SLOT], c[at + NamedWord.BINARY_NO]);
}

/**
 * The live hold a named release or confirm names, found by its slot (no id made and parsed back):
 * holds.ts liveHold's checks for the id `#<slot>.<binaryNo>`, in its order (the buyer's id, the
 * hold, its owner, its time), as codes.
 */
function liveNamedHold(s: PerformanceState, c: Int32Array, at: number, strings: readonly unknown[], nowMs: number): Hold | number {
  const buyerId = str(strings, c[at + NamedWord.HOLD_BUYER]);
  if (needId(buyerId, 'buyerId') !== null) return Code.COMMAND_INVALID;
  return liveBinaryHold(s, c[at + NamedWord.SLOT], c[at + NamedWord.BINARY_NO], -1, buyerId as string, nowMs);
}

/** RELEASE_HOLD_NAMED: releaseHold by the hold's slot and number. */
export function releaseHoldNamed(s: PerformanceState, c: Int32Array, at: number, strings: readonly unknown[], nowMs: number, r: Int32Array, o: number): number {
  const hold = liveNamedHold(s, c, at, strings, nowMs);
  if (typeof hold === 'number') return hold;
  closeHold(s, hold, Fate.RELEASED);
  r[o + 1] = 0;
  return Code.OK;
}

/** CONFIRM_HOLD_NAMED: confirmHold's checks in its order (e-mail, complimentary, the hold, then orders.ts orderOfConfirmed). */
export function confirmHoldNamed(s: PerformanceState, c: Int32Array, at: number, strings: readonly unknown[], nowMs: number, r: Int32Array, o: number): number {
  const email = c[at + NamedWord.EMAIL];
  const complimentary = c[at + NamedWord.COMPLIMENTARY];
  const buyerEmail = opt(strings, email);
  if (needEmail(buyerEmail, 'buyerEmail') !== null) return Code.COMMAND_INVALID;
  if (complimentary !== 0 && complimentary !== 1) return Code.COMMAND_INVALID;
  const hold = liveNamedHold(s, c, at, strings, nowMs);
  if (typeof hold === 'number') return hold;
  const order = orderOfConfirmed(s, hold, buyerEmail ?? undefined, complimentary === 1, nowMs);
  if ('ok' in order) return order.code;
  r[o + 1] = order.no;
  r[o + 2] = order.firstTicket;
  r[o + 3] = order.totalMinor;
  return Code.OK;
}

/**
 * A batch's named records as the object commands they stand for (with an empty commandId), null
 * for any other record: what a tool or a test reads a coordinator's batch as. Strings out of
 * range read as undefined, as the performance reads them.
 */
export function namedCommands(words: Int32Array, count: number, strings: readonly string[]): (HoldSeats | ReleaseHold | ConfirmHold | null)[] {
  const commands: (HoldSeats | ReleaseHold | ConfirmHold | null)[] = [];
  for (let i = 0; i < count; i++) {
    const at = i * COMMAND_WORDS;
    switch (words[at]) {
      case BinaryOp.HOLD_SEATS_NAMED: commands.push(namedHoldSeats(words, at, Math.max(0, Math.min(words[at + NamedWord.COUNT], NAMED_SEATS_MAX)), strings)); break;
      case BinaryOp.RELEASE_HOLD_NAMED: commands.push({ type: 'releaseHold', commandId: '', holdId: namedHoldId(words, at), buyerId: str(strings, words[at + NamedWord.HOLD_BUYER]) } as ReleaseHold); break;
      case BinaryOp.CONFIRM_HOLD_NAMED: {
        const cmd = { type: 'confirmHold', commandId: '', holdId: namedHoldId(words, at), buyerId: str(strings, words[at + NamedWord.HOLD_BUYER]) } as ConfirmHold;
        if (words[at + NamedWord.EMAIL] !== NO_STRING) cmd.buyerEmail = opt(strings, words[at + NamedWord.EMAIL]) as string;
        if (words[at + NamedWord.COMPLIMENTARY] === 1) cmd.complimentary = true;
        commands.push(cmd);
        break;
      }
      default: commands.push(null);
    }
  }
  return commands;
}

/**
 * The first of `count` records that holds for a product (a HOLD_SEATS_NAMED naming a product or
 * a holding), or -1: what the engine's door refuses from a client (PRODUCT_STEP_ONLY), as it
 * refuses a client's holdSeats with a productId. Reads the words as little-endian 32-bit.
 */
export function productHoldIn(words: Uint8Array, count: number): number {
  const view = new DataView(words.buffer, words.byteOffset, words.byteLength);
  const n = Math.min(count, Math.floor(words.byteLength / (4 * COMMAND_WORDS)));
  for (let i = 0; i < n; i++) {
    const at = 4 * i * COMMAND_WORDS;
    if (view.getInt32(at, true) !== BinaryOp.HOLD_SEATS_NAMED) continue;
    if (view.getInt32(at + 4 * NamedWord.PRODUCT, true) !== NO_STRING || view.getInt32(at + 4 * NamedWord.HOLDING, true) !== NO_STRING) return i;
  }
  return -1;
}
