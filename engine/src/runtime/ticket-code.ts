// Ticket codes (the barcode a scanner reads): the ticket id plus an HMAC-SHA256 signature over
// what the ticket admits, so a scanner can reject a forged or altered code without asking the
// engine. A season card or subscription has one code of its own (DOMAIN §3: "one code that can
// be scanned once at each linked performance"), signed the same way over its holding; the door
// then sends scanHolding with the holding id the verified code names. Pure functions of the key
// and the subject; signed in bulk on a piscina pool.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface CodeSubject { ticketId: string; performanceId: string; seatId: string | null; gaAreaId: string | null }
/** A product's holding (card, subscription): what its one code admits to. */
export interface HoldingSubject { holdingId: string; productId: string }

/** A ticket signing key: at least 16 bytes, in hex. */
export const ticketKeyPattern = /^([0-9a-f]{2}){16,}$/i;

/** The last key found good: a bulk signing checks its key once, not per ticket. */
let checkedKey = '';

/**
 * 128 bits of the signature, base64url: short enough for a QR code, long enough not to guess.
 * A key that is not hex of at least 16 bytes is refused: Buffer.from(key, 'hex') reads up to the
 * first bad pair, so "", "0x…" or a typo became the empty key, and a door set up with one took
 * codes anyone can make (until session 30).
 */
function signature(keyHex: string, signed: string): string {
  if (keyHex !== checkedKey) {
    if (typeof keyHex !== 'string' || !ticketKeyPattern.test(keyHex)) throw new RangeError('the ticket key must be at least 16 bytes, in hex');
    checkedKey = keyHex;
  }
  return createHmac('sha256', Buffer.from(keyHex, 'hex')).update(signed).digest().subarray(0, 16).toString('base64url');
}

// What each kind of code signs. A holding's starts with a word no ticket's can (a ticket's
// starts with its id, and ids have no `|`), so that no ticket code is ever a holding code.
const ticketSigned = (t: CodeSubject): string => `${t.ticketId}|${t.performanceId}|${t.seatId ?? ''}|${t.gaAreaId ?? ''}`;
const holdingSigned = (h: HoldingSubject): string => `holding|${h.holdingId}|${h.productId}`;

function sameCode(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function signTicketCode(keyHex: string, t: CodeSubject): string {
  return `${t.ticketId}.${signature(keyHex, ticketSigned(t))}`;
}

export function verifyTicketCode(keyHex: string, code: string, t: CodeSubject): boolean {
  return sameCode(code, signTicketCode(keyHex, t));
}

export function signHoldingCode(keyHex: string, h: HoldingSubject): string {
  return `${h.holdingId}.${signature(keyHex, holdingSigned(h))}`;
}

export function verifyHoldingCode(keyHex: string, code: string, h: HoldingSubject): boolean {
  return sameCode(code, signHoldingCode(keyHex, h));
}
