// Ticket codes (the barcode a scanner reads): the ticket id plus an HMAC-SHA256 signature over
// what the ticket admits, so a scanner can reject a forged or altered code without asking the
// engine. Pure functions of the key and the ticket; signed in bulk on a piscina pool.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface CodeSubject { ticketId: string; performanceId: string; seatId: string | null; gaAreaId: string | null }

/** 128 bits of the signature, base64url: short enough for a QR code, long enough not to guess. */
function signature(keyHex: string, t: CodeSubject): string {
  return createHmac('sha256', Buffer.from(keyHex, 'hex'))
    .update(`${t.ticketId}|${t.performanceId}|${t.seatId ?? ''}|${t.gaAreaId ?? ''}`)
    .digest()
    .subarray(0, 16)
    .toString('base64url');
}

export function signTicketCode(keyHex: string, t: CodeSubject): string {
  return `${t.ticketId}.${signature(keyHex, t)}`;
}

export function verifyTicketCode(keyHex: string, code: string, t: CodeSubject): boolean {
  const expected = Buffer.from(signTicketCode(keyHex, t));
  const given = Buffer.from(code);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
