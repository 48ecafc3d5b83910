// The domain rules checked on the tickets file of each scenario, as an outside tool would read
// it, independently of the simulator's own checks.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyHoldingCode } from '../../src/runtime/mod.ts';
import { lastJson, onsale, readTickets, scratchDir } from './helpers.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON lines as an outside tool reads them, checked field by field
type T = Record<string, any>;

function commonRules(tickets: T[], summary: T): Record<string, number> {
  const bad: Record<string, number> = {};
  const hit = (k: string) => (bad[k] = (bad[k] ?? 0) + 1);
  const fields = ['ticketId', 'performanceId', 'seatId', 'gaAreaId', 'buyerId', 'channel', 'priceMinor', 'status', 'quotaId', 'presaleCode', 'productId', 'holdingId', 'resaleOf'];
  const byId = new Map(tickets.map((t) => [t.ticketId, t]));
  const seats = new Set<string>();
  const perBuyer = new Map<string, number>();
  const replaced = new Map<string, number>();
  for (const t of tickets) {
    for (const f of fields) if (!(f in t)) hit(`missing ${f}`);
    if (!['valid', 'transferred', 'void'].includes(t.status)) hit('status');
    if (t.resaleOf !== null) replaced.set(t.resaleOf, (replaced.get(t.resaleOf) ?? 0) + 1);
    if (t.status === 'valid' && t.seatId !== null) {
      const k = `${t.performanceId}/${t.seatId}`;
      if (seats.has(k)) hit('seat sold twice');
      seats.add(k);
    }
    const b = `${t.performanceId}/${t.buyerId}`;
    perBuyer.set(b, (perBuyer.get(b) ?? 0) + 1);
  }
  for (const n of perBuyer.values()) if (n > summary.limits.maxTicketsPerBuyerPerPerformance) hit('buyer over cap');
  for (const t of tickets) {
    if (t.status === 'transferred' && replaced.get(t.ticketId) !== 1) hit('transfer not replaced once');
    if (t.resaleOf !== null) {
      const o = byId.get(t.resaleOf)!;
      if (o.seatId !== t.seatId || t.basePriceMinor !== o.priceMinor) hit('resale base/seat');
      const p = summary.products.find((x: T) => x.productId === o.productId);
      if (!p?.resale || t.priceMinor * 100 < t.basePriceMinor * p.resale.minPct || t.priceMinor * 100 > t.basePriceMinor * p.resale.maxPct) hit('resale out of band');
    }
  }
  for (const p of summary.performances) {
    if (p.sold !== tickets.filter((t) => t.performanceId === p.performanceId && t.status === 'valid').length) hit('sold != valid');
  }
  return bad;
}

function holdingRules(tickets: T[], summary: T): Record<string, number> {
  const bad: Record<string, number> = {};
  const holdings = new Map<string, Map<string, string[]>>();
  for (const t of tickets) {
    if (t.holdingId === null || t.status === 'void') continue;
    const m = holdings.get(t.holdingId) ?? new Map<string, string[]>();
    holdings.set(t.holdingId, m);
    m.set(t.performanceId, [...(m.get(t.performanceId) ?? []), t.seatId]);
  }
  for (const [id, m] of holdings) {
    const p = summary.products.find((x: T) => id.startsWith(`${x.productId}-H`));
    if (m.size < p.min || m.size > p.max) bad['performances outside min..max'] = (bad['performances outside min..max'] ?? 0) + 1;
    const lists = [...m.values()].map((l) => [...l].sort().join());
    if (p.sameSeat && lists.some((l) => l !== lists[0])) bad['same seat broken'] = (bad['same seat broken'] ?? 0) + 1;
  }
  return bad;
}

async function scenario(args: string[]): Promise<{ tickets: T[]; summary: T }> {
  const file = join(scratchDir(), 't.jsonl');
  const r = await onsale(['simulate', '--json', '--tickets-out', file, ...args], {}, 300_000);
  expect(r.code).toBe(0);
  return { tickets: readTickets(file), summary: lastJson(r.stdout) };
}

describe('cli - domain rules on the tickets file', () => {
  it('onsale: no seat twice, caps, presale within its cap and per-buyer max, quota tickets from S139-S140 on partner', async () => {
    const { tickets, summary } = await scenario(['--seed', '7', '--buyers', '40000']);
    expect(commonRules(tickets, { ...summary, products: [] })).toEqual({});
    const presale = tickets.filter((t) => t.presaleCode !== null);
    expect(presale.length).toBeLessThanOrEqual(6_000);
    const perPresaleBuyer = new Map<string, number>();
    for (const t of presale) perPresaleBuyer.set(t.buyerId, (perPresaleBuyer.get(t.buyerId) ?? 0) + 1);
    expect(Math.max(0, ...perPresaleBuyer.values())).toBeLessThanOrEqual(4);
    for (const t of tickets) {
      expect(t.quotaId !== null).toBe(/^S1(39|40)-/.test(t.seatId));
      expect(t.channel === 'partner').toBe(t.quotaId !== null);
    }
  }, 300_000);

  it('season: rules, same seat on all 10 matches, resale in band of the seller price', async () => {
    const { tickets, summary } = await scenario(['--scenario', 'season', '--seed', '7', '--buyers', '8000']);
    expect(tickets.some((t) => t.status === 'transferred')).toBe(true);
    expect(commonRules(tickets, summary)).toEqual({});
    expect(holdingRules(tickets, summary)).toEqual({});
    // A card has one code of its own (DOMAIN §3), on each of its tickets' lines, signed over the
    // holding with the seed's key; no ticket outside a holding has one.
    const key = createHash('sha256').update('onsale-simulation-7').digest('hex');
    const codes = new Map<string, string>();
    for (const t of tickets) {
      if (t.holdingId === null) {
        expect(t.holdingBarcode, t.ticketId).toBeNull();
        continue;
      }
      if (!codes.has(t.holdingId)) expect(verifyHoldingCode(key, t.holdingBarcode, { holdingId: t.holdingId, productId: t.productId }), t.holdingId).toBe(true);
      expect(t.holdingBarcode, t.ticketId).toBe(codes.get(t.holdingId) ?? t.holdingBarcode);
      codes.set(t.holdingId, t.holdingBarcode);
    }
    expect(codes.size).toBeGreaterThan(0);
    expect(new Set(codes.values()).size).toBe(codes.size);
  }, 300_000);

  it('theatre: rules, series same seat on 8, pick & mix 3..5 from the circle allocation', async () => {
    const { tickets, summary } = await scenario(['--scenario', 'theatre', '--seed', '7']);
    expect(commonRules(tickets, summary)).toEqual({});
    expect(holdingRules(tickets, summary)).toEqual({});
    // From its allocation in the circle, except on the extra date outside it (exchanges only, ordinary seats).
    for (const t of tickets.filter((x) => x.productId === 'PICKMIX-2027' && x.performanceId !== 'STAGE-EXTRA')) expect(t.seatId.startsWith('CIRCLE-')).toBe(true);
    expect(tickets.some((x) => x.productId === 'PICKMIX-2027' && x.performanceId === 'STAGE-EXTRA')).toBe(true);
  }, 300_000);
});
