// Ticket codes: signed on the piscina pool exactly as in-thread, and a scanner-side check that
// refuses a forged, altered or foreign code.
import { afterAll, describe, expect, it } from 'vitest';
import { signTicketCode, TicketSigner, verifyTicketCode, type CodeSubject } from '../../src/runtime/mod.ts';

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

  it('refuses a short key', async () => {
    await expect(signer.sign('abcd', tickets.slice(0, 1))).rejects.toThrow(/16 bytes/);
  });
});
