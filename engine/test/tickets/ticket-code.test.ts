// Ticket codes: signed on the piscina pool exactly as in-thread, and a scanner-side check that
// refuses a forged, altered or foreign code.
import { afterAll, describe, expect, it } from 'vitest';
import { signHoldingCode, signTicketCode, TicketSigner, verifyHoldingCode, verifyTicketCode, type CodeSubject } from '../../src/runtime/mod.ts';

const key = 'a1'.repeat(32);
const tickets: CodeSubject[] = Array.from({ length: 12_000 }, (_, i) => ({
  ticketId: `P1-T${i}`, performanceId: 'P1', seatId: i % 3 === 0 ? null : `S101-1-${i}`, gaAreaId: i % 3 === 0 ? 'FLOOR' : null,
}));

describe('ticket codes', () => {
  const signer = new TicketSigner(2);
  afterAll(() => signer.close());

  it('signs on the pool, across several tasks, in order, the same as in-thread', async () => {
    const codes = await signer.sign(key, tickets);
    expect(codes.length).toBe(tickets.length);
    for (const i of [0, 1, 4_999, 5_000, 11_999]) expect(codes[i]).toBe(signTicketCode(key, tickets[i]));
    expect(new Set(codes).size).toBe(tickets.length);
  });

  it('verifies its own codes and refuses altered ones', () => {
    const t = tickets[7];
    const code = signTicketCode(key, t);
    expect(code.startsWith(`${t.ticketId}.`)).toBe(true);
    expect(verifyTicketCode(key, code, t)).toBe(true);
    expect(verifyTicketCode(key, code, { ...t, seatId: 'S101-1-8' })).toBe(false);
    expect(verifyTicketCode(key, code, { ...t, performanceId: 'P2' })).toBe(false);
    expect(verifyTicketCode('b2'.repeat(32), code, t)).toBe(false);
    expect(verifyTicketCode(key, code.slice(0, -1) + (code.endsWith('A') ? 'B' : 'A'), t)).toBe(false);
  });

  // A card's one code (DOMAIN §3): signed over its holding, so a guessed holding id, or one of
  // another product, does not pass the door; and never equal to a ticket's code.
  it('signs a holding\'s one code on the pool, verifies it, and refuses a forged or a ticket\'s code', async () => {
    const holdings = Array.from({ length: 7_000 }, (_, i) => ({ holdingId: `CARD-H${i + 1}`, productId: 'CARD' }));
    const codes = await signer.signHoldings(key, holdings);
    expect(codes.length).toBe(holdings.length);
    for (const i of [0, 4_999, 5_000, 6_999]) expect(codes[i]).toBe(signHoldingCode(key, holdings[i]));
    const h = holdings[41];
    expect(codes[41].startsWith(`${h.holdingId}.`)).toBe(true);
    expect(verifyHoldingCode(key, codes[41], h)).toBe(true);
    expect(verifyHoldingCode(key, `${h.holdingId}.`, h), 'the bare id').toBe(false);
    expect(verifyHoldingCode(key, codes[41], holdings[42]), 'another holding').toBe(false);
    expect(verifyHoldingCode(key, codes[41], { ...h, productId: 'SUB' }), 'another product').toBe(false);
    expect(verifyHoldingCode('b2'.repeat(32), codes[41], h), 'another key').toBe(false);
    const asTicket = { ticketId: h.holdingId, performanceId: h.productId, seatId: null, gaAreaId: null };
    expect(signTicketCode(key, asTicket)).not.toBe(codes[41]);
    expect(verifyTicketCode(key, codes[41], asTicket)).toBe(false);
  });

  it('refuses a short key', async () => {
    await expect(signer.sign('abcd', tickets.slice(0, 1))).rejects.toThrow(/16 bytes/);
  });

  // Found in session 30: Buffer.from(key, 'hex') reads up to the first bad pair, so a door set up
  // with "", "0x…" or a typo checked codes against the empty key, which anyone can sign with.
  it('refuses a key that is not hex of at least 16 bytes in the functions a door checks codes with', () => {
    const t = tickets[3];
    const h = { holdingId: 'CARD-H1', productId: 'CARD' };
    for (const bad of ['', 'not-hex-at-all-0123456789abcdef0123', 'x00112233445566778899aabbccddeeff', 'abcd', `${'a1'.repeat(16)}f`]) {
      expect(() => signTicketCode(bad, t), bad).toThrow(RangeError);
      expect(() => verifyTicketCode(bad, signTicketCode(key, t), t), bad).toThrow(RangeError);
      expect(() => signHoldingCode(bad, h), bad).toThrow(RangeError);
      expect(() => verifyHoldingCode(bad, signHoldingCode(key, h), h), bad).toThrow(RangeError);
    }
  });
});
