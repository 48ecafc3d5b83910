// Card sagas racing client commands through the real runtime: two worker threads, the router
// routing each saga's steps while door scans of card codes and ticks that move a performance's
// time past the holds' expiry arrive on the same shards. Which command wins each race depends on
// the threads' timing, so outcomes are not predicted; once every saga has finished the books must
// agree, as in the domain's interleaving suite (products/interleaving.test.ts): every valid
// ticket sold through the card is in its holding or in the coordinator's stranded list, no
// holding lists a void ticket, a card has the same seat on every performance, no seat is on two
// valid tickets, and each performance's product sales are what the holdings paid there plus
// the stranded tickets' net prices. With stranded tickets not kept (before session 21) this test
// fails on a valid ticket in no holding.
import { describe, expect, it } from 'vitest';
import type { HoldingResult, PerformanceSpec, ProductReport, Result, SettlementFacts, StrandedTicket, TicketRow } from '../../src/domain/mod.ts';
import type { Engine, EngineCommand } from '../../src/runtime/mod.ts';
import { Rng } from '../../src/sim/rng.ts';
import { engines, expectOk, stall, T0, tickets } from './helpers.ts';

const { start } = engines();
const TTL_MS = 60_000;
const SINGLE_AT = T0 + 10_000;
const MATCHES = ['RACE-1', 'RACE-2', 'RACE-3'];
const performances = MATCHES.map((performanceId, i) => ({ performanceId, startsAtMs: T0 + (30 + i) * 86_400_000, endsAtMs: T0 + (30 + i) * 86_400_000 + 3 * 3_600_000 }));

function spec(performanceId: string): PerformanceSpec {
  return {
    performanceId,
    holdTtlMs: TTL_MS,
    maxTicketsPerBuyer: 100,
    maxOpenHoldsPerBuyer: 20,
    channels: [
      { id: 'web', kind: 'web', saleStartMs: SINGLE_AT, saleEndMs: T0 + 90 * 86_400_000 },
      { id: 'exchange', kind: 'resale', saleStartMs: 0, saleEndMs: T0 + 90 * 86_400_000 },
    ],
    ticketTypes: [{ id: 'adult', prices: { P1: 4_000, P2: 3_000, P3: 2_000 } }, { id: 'card', prices: { P1: 3_000, P2: 2_000, P3: 1_500 } }],
    defaultTicketType: 'adult',
  };
}

async function setUp(engine: Engine): Promise<void> {
  for (const p of MATCHES) expectOk(await engine.submit(p, { type: 'openPerformance', commandId: `${p}-open`, venue: 'theatre', spec: spec(p) }, T0));
  expectOk(await engine.submit('CARD', {
    type: 'createProduct', commandId: 'create-card', productId: 'CARD', kind: 'seasonCard', organizerId: 'ORG', performances,
    saleStartMs: T0, saleEndMs: performances[0].startsAtMs, channel: 'web', ticketType: 'card', perPurchaseMin: 1, perPurchaseMax: 2,
  } as EngineCommand, T0 + 1));
}

async function books(engine: Engine): Promise<void> {
  const holdings = (await engine.query('CARD', 'holdings')) as HoldingResult[];
  const stranded = (await engine.query('CARD', 'strandedTickets')) as StrandedTicket[];
  const strandedIds = new Set(stranded.map((t) => t.ticketId));
  const rows = new Map<string, TicketRow>();
  for (const p of MATCHES) for (const t of await tickets(engine, p)) rows.set(t.ticketId, t);
  const inHoldings = new Set<string>();
  for (const h of holdings) {
    const seats = new Set<string>();
    for (const part of h.performances) {
      for (const ticketId of part.tickets) {
        inHoldings.add(ticketId);
        const t = rows.get(ticketId);
        expect(t?.status, `${ticketId} of ${h.holdingId}`).not.toBe('void');
        if (t?.seatId != null) seats.add(t.seatId);
      }
    }
    expect(seats.size, `${h.holdingId}: the same seats on every match`).toBe(h.seats?.length);
  }
  const onSeat = new Set<string>();
  for (const t of rows.values()) {
    if (strandedIds.has(t.ticketId)) expect(t.status, `stranded ${t.ticketId}`).not.toBe('void');
    if (t.status !== 'valid') continue;
    const seat = `${t.performanceId}/${t.seatId}`;
    expect(onSeat.has(seat), `${seat} on two valid tickets`).toBe(false);
    onSeat.add(seat);
    if (t.productId === 'CARD') expect(inHoldings.has(t.ticketId) || strandedIds.has(t.ticketId), `${t.ticketId} (${t.holdingId}) is valid, in no holding and not stranded`).toBe(true);
  }
  for (const p of MATCHES) {
    const facts = (await engine.query(p, 'settlementFacts')) as SettlementFacts;
    let paid = 0;
    for (const h of holdings) for (const part of h.performances) if (part.performanceId === p) paid += part.paidMinor;
    for (const t of rows.values()) if (t.performanceId === p && strandedIds.has(t.ticketId)) paid += t.priceMinor - t.discountMinor;
    expect(facts.productSalesMinor.CARD ?? 0, `${p}: product sales`).toBe(paid);
  }
}

describe('runtime - card sagas racing door scans and time', () => {
  it('keeps the books whatever wins each race', async () => {
    const engine = await start({ workers: 2, shards: 4 });
    await setUp(engine);
    const rng = new Rng(21);
    const seats = ['A', 'B', 'C'].flatMap((row) => Array.from({ length: 30 }, (_, i) => stall(row, i + 1)));
    let now = SINGLE_AT;
    let purchases = 0;
    const pending: Promise<Result>[] = [];
    for (let i = 0; i < 600; i++) {
      const roll = rng.int(0, 99);
      if (roll < 40) {
        // A card on a seat of a small pool, so purchases also race each other.
        pending.push(engine.submit('CARD', { type: 'buyProduct', commandId: `buy-${i}`, buyerId: `fan-${rng.int(0, 20)}`, seats: [rng.pick(seats)] } as EngineCommand, now));
        purchases++;
      } else if (roll < 80) {
        // The code of a card sold or being sold (most often one of the last few), at a match's door.
        const n = Math.max(1, purchases - rng.int(0, 3));
        pending.push(engine.submit(rng.pick(MATCHES), { type: 'scanHolding', commandId: `scan-${i}`, holdingId: `CARD-H${n}` } as EngineCommand, now));
      } else {
        // Time moves on at one match: holds made before expire there, and a saga's confirm that
        // arrives after this refuses, so its purchase is undone on the other matches.
        now += TTL_MS + 1;
        pending.push(engine.submit(rng.pick(MATCHES), { type: 'tick', commandId: `tick-${i}` } as EngineCommand, now));
      }
      // Let the threads run a little: a saga's steps then land among the later commands.
      if (rng.chance(0.5)) await new Promise((resolve) => (rng.chance(0.5) ? setImmediate(resolve) : setTimeout(resolve, rng.int(0, 2))));
    }
    const results = await Promise.all(pending);
    expect(results.filter((r) => !r.ok && r.name === 'ACTOR_FAILED')).toEqual([]);
    // Purchases were undone after a confirm came too late (the races above happened at all).
    // How many left a stranded ticket depends on the threads' timing: 0 to 7 per run (0 in 3 of 7
    // runs on a loaded machine, session 31), so the stranded case itself is not asserted here;
    // products/stranded.test.ts makes it happen for certain.
    expect(results.filter((r) => !r.ok && r.name === 'HOLD_EXPIRED').length).toBeGreaterThan(0);
    // Every saga has answered its client; the books are read once the coordinator is idle.
    for (let i = 0; i < 200 && ((await engine.query('CARD', 'productReport')) as ProductReport).sagasInFlight > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(((await engine.query('CARD', 'productReport')) as ProductReport).sagasInFlight).toBe(0);
    await books(engine);
  }, 60_000);
});
