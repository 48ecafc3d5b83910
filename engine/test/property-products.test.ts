// Property-based tests of product holds, product allocations and the resale exchange.
//
// The reference model of property.test.ts predicts every answer of the single-ticket commands; it
// does not know products or resale. This suite has no model: it runs random sequences that mix
// single-ticket and product holds, allocations, listings, withdrawals, purchases, holding scans,
// scans, voids and unlinks, and checks after every command that
//   1. auditPerformance finds nothing wrong (counts, pools, holdings, listings, transfers);
//   2. two performances fed the same commands answer alike and encode to the same bytes;
//   3. a refused command changes nothing but the clock, expiries and its dedupe entry;
// and that a snapshot taken part-way, decoded and fed the rest ends in the same bytes, with the
// same answers, as the uninterrupted run. Commands name tickets, holders and listings that exist
// most of the time: a scratch performance run alongside the generator resolves the references.
//
// ONSALE_PROPERTY_RUNS sets the number of runs (default 150 here), ONSALE_PROPERTY_SEED the seed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  auditPerformance, compileLayout, createPerformance, decodeSnapshot, encodeSnapshot, execute,
  type Command, type Layout, type PerformanceSpec, type PerformanceState, type Result,
} from '../src/domain/mod.ts';
import { expectNoEffect, sameBytes } from './snapshot-compare.ts';

const envRuns = Number(process.env.ONSALE_PROPERTY_RUNS);
const RUNS = Number.isSafeInteger(envRuns) && envRuns > 0 ? Math.max(20, Math.floor(envRuns * 3 / 8)) : 150;
const envSeed = Number(process.env.ONSALE_PROPERTY_SEED);
const SEED = Number.isSafeInteger(envSeed) && process.env.ONSALE_PROPERTY_SEED !== '' ? envSeed : 0x9e5a1e;

const T0 = 1_000_000;
const TTL = 10_000;
const BUYERS = ['b1', 'b2', 'b3', 'b4'];
const HOLDINGS = ['H1', 'H2', 'H3', 'H4'];
const PRODUCTS = ['PA', 'PB', 'PX'];

function venue(): Layout {
  const rows = [1, 2].map((r) => ({ id: String(r), seats: [1, 2, 3, 4, 5].map((n) => ({ id: `M-${r}-${n}`, zone: r === 1 ? 'A' : 'B' })) }));
  const compiled = compileLayout({ layoutId: 'prop-products', zones: [{ id: 'A' }, { id: 'B' }], sections: [{ id: 'M', rows }], gaAreas: [{ id: 'PIT', capacity: 8, zone: 'B' }] });
  if (!compiled.ok) throw new Error(compiled.name);
  return compiled.layout;
}
const SEATS = [1, 2].flatMap((r) => [1, 2, 3, 4, 5].map((n) => `M-${r}-${n}`));

const spec: PerformanceSpec = {
  performanceId: 'P1', holdTtlMs: TTL, maxTicketsPerBuyer: 5, maxOpenHoldsPerBuyer: 2,
  channels: [
    { id: 'web', kind: 'web', saleStartMs: T0, saleEndMs: T0 + 10_000_000 },
    { id: 'box', kind: 'boxOffice', saleStartMs: T0, saleEndMs: T0 + 10_000_000 },
    { id: 'resale', kind: 'resale', saleStartMs: T0, saleEndMs: T0 + 10_000_000 },
  ],
  ticketTypes: [{ id: 'adult', prices: { A: 4590, B: 2495 } }],
};

function fresh(layout: Layout): PerformanceState {
  const created = createPerformance(spec, layout);
  if (!created.ok) throw new Error(created.name);
  return created.state;
}

type Op =
  | { k: 'advance'; ms: number }
  | { k: 'hold'; kind: 'seats' | 'best' | 'ga'; seats: string[]; count: number; buyer: string; channel: string; product: string | null; holding: string | null; checkout: boolean }
  | { k: 'confirm' | 'release'; ref: number }
  | { k: 'quota'; quotaId: string; productId: string; policy: string; channels: string[]; seats: string[] | null; count: number }
  | { k: 'returnQuota'; quotaId: string }
  | { k: 'list'; listing: string; ticket: number; honest: boolean; seller: string; pct: number; channel: string }
  | { k: 'withdraw'; ref: number; honest: boolean; seller: string }
  | { k: 'buy'; ref: number; buyer: string; channel: string }
  | { k: 'scanHolding'; holding: string }
  | { k: 'scan' | 'void'; ticket: number }
  | { k: 'unlink'; productId: string }
  | { k: 'retry'; ref: number; same: boolean; other: number };

const w = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary });

const holdOp = fc.record({
  kind: fc.constantFrom('seats' as const, 'best' as const, 'ga' as const),
  seats: fc.uniqueArray(fc.constantFrom(...SEATS), { minLength: 1, maxLength: 3 }),
  count: fc.integer({ min: 1, max: 3 }),
  buyer: fc.constantFrom(...BUYERS),
  channel: fc.oneof(w(8, fc.constant('web')), w(2, fc.constant('box')), w(1, fc.constant('resale'))),
  product: fc.oneof(w(4, fc.constant(null)), w(8, fc.constant('PA')), w(2, fc.constant('PB')), w(1, fc.constant('PX'))),
  holding: fc.oneof(w(12, fc.constantFrom(...HOLDINGS)), w(1, fc.constant(null))),
  checkout: fc.integer({ min: 0, max: 9 }).map((n) => n < 6),
}).map((r): Op => ({ k: 'hold', ...r }));

const quotaOp = fc.record({
  quotaId: fc.constantFrom('Q1', 'Q2', 'Q3'),
  productId: fc.oneof(w(6, fc.constant('PA')), w(2, fc.constant('PB')), w(1, fc.constant('PX'))),
  policy: fc.constantFrom('onlyQuota', 'quotaFirst'),
  channels: fc.constantFrom<string[]>([], ['resale'], ['web'], ['web', 'resale']),
  seats: fc.oneof(fc.constant(null), fc.uniqueArray(fc.constantFrom(...SEATS), { minLength: 1, maxLength: 3 })),
  count: fc.integer({ min: 1, max: 3 }),
}).map((r): Op => ({ k: 'quota', ...r }));

const anyOp: fc.Arbitrary<Op> = fc.oneof(
  w(14, holdOp),
  w(6, fc.record({ ref: fc.nat() }).map((r): Op => ({ k: 'confirm', ...r }))),
  w(3, fc.record({ ref: fc.nat() }).map((r): Op => ({ k: 'release', ...r }))),
  w(6, fc.oneof(w(6, fc.integer({ min: 0, max: 4 }).map((n) => n * 1000)), w(1, fc.constant(TTL))).map((ms): Op => ({ k: 'advance', ms }))),
  w(3, quotaOp),
  w(1, fc.constantFrom('Q1', 'Q2', 'Q3').map((quotaId): Op => ({ k: 'returnQuota', quotaId }))),
  w(14, fc.record({
    listing: fc.constantFrom('L1', 'L2', 'L3', 'L4', 'L5', 'L6'), ticket: fc.nat(), honest: fc.integer({ min: 0, max: 4 }).map((n) => n > 0),
    seller: fc.constantFrom(...BUYERS), pct: fc.oneof(w(6, fc.constantFrom(50, 100, 150)), w(1, fc.constantFrom(40, 151))), channel: fc.oneof(w(9, fc.constant('web')), w(1, fc.constant('box'))),
  }).map((r): Op => ({ k: 'list', ...r }))),
  w(3, fc.record({ ref: fc.nat(), honest: fc.integer({ min: 0, max: 4 }).map((n) => n > 0), seller: fc.constantFrom(...BUYERS) }).map((r): Op => ({ k: 'withdraw', ...r }))),
  w(8, fc.record({ ref: fc.nat(), buyer: fc.constantFrom(...BUYERS, 'b9'), channel: fc.oneof(w(9, fc.constant('resale')), w(1, fc.constant('web'))) }).map((r): Op => ({ k: 'buy', ...r }))),
  w(4, fc.constantFrom(...HOLDINGS, 'H9').map((holding): Op => ({ k: 'scanHolding', holding }))),
  w(2, fc.nat().map((ticket): Op => ({ k: 'scan', ticket }))),
  w(3, fc.nat().map((ticket): Op => ({ k: 'void', ticket }))),
  w(1, fc.constantFrom(...PRODUCTS).map((productId): Op => ({ k: 'unlink', productId }))),
  w(3, fc.record({ ref: fc.nat(), same: fc.boolean(), other: fc.nat() }).map((r): Op => ({ k: 'retry', ...r }))),
);

const opsArbitrary = fc.tuple(fc.array(quotaOp, { maxLength: 2 }), fc.array(anyOp, { minLength: 1, maxLength: 60, size: 'max' }));

interface Step { command: Command; nowMs: number }

/**
 * Operations to commands, resolving references (the n-th ticket, its holder and price, an open
 * hold, a listing) against a scratch performance fed the same commands. Pure: depends on the
 * operations only.
 */
function materialize(layout: Layout, [setup, ops]: [Op[], Op[]]): Step[] {
  const s = fresh(layout);
  const steps: Step[] = [];
  let nowMs = T0 - 5_000;
  let next = 0;
  const id = () => `c${next++}`;
  const holds: { holdId: string; buyerId: string }[] = [];
  const push = (command: Command): Result => {
    steps.push({ command, nowMs });
    const result = execute(s, structuredClone(command), nowMs);
    const c = command as { type: string; commandId: string; buyerId?: string };
    if (c.type.startsWith('hold')) holds.push({ holdId: c.commandId, buyerId: c.buyerId as string });
    return result;
  };
  const ticket = (n: number) => (s.tickets.count === 0 ? 0 : n % s.tickets.count);
  push({ type: 'linkProduct', commandId: id(), productId: 'PA', kind: 'seasonCard', cardKind: 'championship', resale: { minPct: 50, maxPct: 150, feePct: 10, channels: ['web'] } });
  push({ type: 'linkProduct', commandId: id(), productId: 'PB', kind: 'series', cardKind: 'fixedPrice', resale: null });
  for (const op of [...setup, ...ops]) {
    switch (op.k) {
      case 'advance': nowMs += op.ms; break;
      case 'hold': {
        const base = { commandId: id(), buyerId: op.buyer, channel: op.channel, ...(op.product === null ? {} : { productId: op.product }), ...(op.holding === null || op.product === null ? {} : { holdingId: op.holding }) };
        const result = op.kind === 'seats' ? push({ type: 'holdSeats', ...base, seats: [...op.seats] })
          : op.kind === 'best' ? push({ type: 'holdBestAvailable', ...base, count: op.count })
            : push({ type: 'holdGa', ...base, gaAreaId: 'PIT', count: op.count });
        // Most buyers check out at once; the others later, or never (the hold expires).
        if (result.ok && op.checkout) push({ type: 'confirmHold', commandId: id(), holdId: base.commandId, buyerId: op.buyer });
        break;
      }
      case 'confirm':
      case 'release': {
        // Mostly an open hold; sometimes one of the last holds asked for, whatever became of it.
        const open = [...s.holds.values()];
        const hold = open.length > 0 && op.ref % 5 !== 0 ? open[op.ref % open.length]
          : holds.length === 0 ? { holdId: 'none', buyerId: 'b1' } : holds[holds.length - 1 - (op.ref % Math.min(3, holds.length))];
        push({ type: op.k === 'confirm' ? 'confirmHold' : 'releaseHold', commandId: id(), holdId: hold.holdId, buyerId: hold.buyerId });
        break;
      }
      case 'quota': {
        const shape = op.seats === null ? { gaAreaId: 'PIT', count: op.count } : { seats: [...op.seats] };
        push({ type: 'createQuota', commandId: id(), quotaId: op.quotaId, channels: [...op.channels], policy: op.policy as 'onlyQuota', productId: op.productId, ...shape });
        break;
      }
      case 'returnQuota': push({ type: 'returnQuota', commandId: id(), quotaId: op.quotaId }); break;
      case 'list': {
        // An honest seller lists a ticket of their own card, mostly one that may be listed.
        const t = s.tickets;
        const cards: number[] = [];
        for (let n = 0; n < t.count; n++) if (t.status[n] === 1 && t.scanned[n] === 0 && s.orders.productIdOf(t.order[n]) === 'PA') cards.push(n);
        const no = op.honest && cards.length > 0 ? cards[op.ticket % cards.length] : ticket(op.ticket);
        const holder = t.count === 0 ? op.seller : s.orders.buyerIdOf(t.order[no]);
        const base = t.count === 0 ? 1000 : t.priceMinor[no] - t.discountMinor[no];
        push({ type: 'listResale', commandId: id(), listingId: op.listing, ticketId: `P1-T${no}`, sellerId: op.honest ? holder : op.seller, channel: op.channel, priceMinor: Math.floor((base * op.pct) / 100) });
        break;
      }
      case 'withdraw':
      case 'buy': {
        const listings = [...s.listings.values()];
        const listing = listings.length === 0 ? undefined : listings[op.ref % listings.length];
        const listingId = listing?.listingId ?? 'L0';
        if (op.k === 'withdraw') push({ type: 'withdrawResale', commandId: id(), listingId, sellerId: op.honest ? (listing?.sellerId ?? op.seller) : op.seller });
        else push({ type: 'buyResale', commandId: id(), listingId, buyerId: op.buyer, channel: op.channel });
        break;
      }
      case 'scanHolding': push({ type: 'scanHolding', commandId: id(), holdingId: op.holding }); break;
      case 'scan': push({ type: 'scanTicket', commandId: id(), ticketId: `P1-T${ticket(op.ticket)}` }); break;
      case 'void': push({ type: 'voidTicket', commandId: id(), ticketId: `P1-T${ticket(op.ticket)}` }); break;
      case 'unlink': push({ type: 'unlinkProduct', commandId: id(), productId: op.productId }); break;
      case 'retry': {
        if (steps.length === 0) break;
        const first = steps[op.ref % steps.length].command;
        push(op.same ? structuredClone(first) : { ...structuredClone(steps[op.other % steps.length].command), commandId: first.commandId });
        break;
      }
    }
    if (nowMs < T0) nowMs = T0;
  }
  return steps;
}

const where = (i: number, step: Step) => `step ${i} at +${step.nowMs - T0} ms: ${JSON.stringify(step.command)}`;

/** How often each new command was accepted, over the first property's runs. */
const accepted = new Map<string, number>();

describe('property - products and resale', () => {
  const layout = venue();
  const steps = opsArbitrary.map((ops) => materialize(layout, ops));

  it('property - audited after every command; two performances agree; a refusal has no effect', () => {
    fc.assert(fc.property(steps, (st) => {
      const a = fresh(layout);
      const b = fresh(layout);
      const seen = new Set<string>();
      for (let i = 0; i < st.length; i++) {
        const { command, nowMs } = st[i];
        const retry = seen.has(command.commandId);
        seen.add(command.commandId);
        const before = encodeSnapshot(a);
        const ra = execute(a, command, nowMs);
        const rb = execute(b, structuredClone(command), nowMs);
        expect(rb, where(i, st[i])).toEqual(ra);
        const problems = auditPerformance(a);
        if (problems.length > 0) throw new Error(`${where(i, st[i])}: audit: ${problems.join('; ')}`);
        const after = encodeSnapshot(a);
        expect(sameBytes(after, encodeSnapshot(b)), `${where(i, st[i])}: snapshots differ`).toBe(true);
        const key = command.type === 'holdSeats' || command.type === 'holdBestAvailable' || command.type === 'holdGa'
          ? ('productId' in command ? 'product hold' : 'hold') : command.type;
        if (ra.ok && !retry) accepted.set(key, (accepted.get(key) ?? 0) + 1);
        if (retry) expect(sameBytes(after, before), `${where(i, st[i])}: a retry changed the state`).toBe(true);
        else if (!ra.ok) expectNoEffect(layout, before, after, command.commandId, nowMs, `${where(i, st[i])}: the rejection ${ra.name}`);
      }
    }), { seed: SEED, numRuns: RUNS });
  });

  it('property - the generator reaches the accepted paths of every new command', () => {
    for (const key of ['product hold', 'listResale', 'withdrawResale', 'buyResale', 'scanHolding', 'createQuota', 'unlinkProduct']) {
      expect(accepted.get(key) ?? 0, key).toBeGreaterThan(0);
    }
  });

  it('property - snapshot, decode and replay the rest gives the same answers and bytes', () => {
    fc.assert(fc.property(steps, fc.nat(), (st, cut) => {
      const k = cut % (st.length + 1);
      const whole = fresh(layout);
      for (let i = 0; i < k; i++) execute(whole, st[i].command, st[i].nowMs);
      const bytes = encodeSnapshot(whole);
      const resumed = decodeSnapshot(bytes, layout);
      expect(sameBytes(encodeSnapshot(resumed), bytes)).toBe(true);
      const results: [Result, Result][] = [];
      for (let i = k; i < st.length; i++) results.push([execute(whole, st[i].command, st[i].nowMs), execute(resumed, structuredClone(st[i].command), st[i].nowMs)]);
      for (const [i, [r1, r2]] of results.entries()) expect(r2, where(k + i, st[k + i])).toEqual(r1);
      expect(sameBytes(encodeSnapshot(resumed), encodeSnapshot(whole)), 'snapshots differ at the end').toBe(true);
      expect(auditPerformance(resumed)).toEqual([]);
    }), { seed: SEED + 1, numRuns: RUNS });
  });
});
