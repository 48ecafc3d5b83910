// The product scenarios of `onsale simulate`: both run on the embedded engine, keep every rule
// the tickets can show (checks all zero), list their products as the CLI contract says, and a
// seed reproduces the same tickets whatever the thread timing.
import { describe, expect, it } from 'vitest';
import { simulateSeason } from '../../src/sim/season.ts';
import { simulateTheatre } from '../../src/sim/theatre.ts';
import type { ScenarioRun } from '../../src/sim/driver.ts';
import { engines } from './helpers.ts';

const { start, stop } = engines();

async function run(scenario: 'season' | 'theatre', seed: number, buyers: number): Promise<ScenarioRun> {
  const engine = await start({ workers: 2, shards: 8 });
  try {
    return scenario === 'season' ? await simulateSeason(engine, { seed, buyers }) : await simulateTheatre(engine, { seed, buyers });
  } finally {
    await stop(engine);
  }
}

describe('product scenarios', () => {
  it('season: renewals, cards, singles and resale keep every rule, and a seed reproduces the tickets', async () => {
    const a = await run('season', 5, 3_000);
    const b = await run('season', 5, 3_000);
    expect(a.summary.checks).toEqual({ seatsSoldTwice: 0, buyersOverCap: 0, holdingSeatMismatch: 0, ticketsMissingFields: 0, transfersWithoutBuyer: 0, ticketsStranded: 0 });
    expect(a.summary.products).toEqual([{
      productId: 'SEASON-2027', kind: 'seasonCard', numbered: true, sameSeat: true,
      performances: Array.from({ length: 10 }, (_, i) => `MATCH-${String(i + 1).padStart(2, '0')}`), min: 10, max: 10, resale: { minPct: 50, maxPct: 120 },
    }]);
    expect(a.summary.phases.renewal.renewed).toBeGreaterThan(0);
    expect(a.summary.phases.cards.sold).toBeGreaterThan(0);
    expect(a.summary.phases.resale.bought).toBeGreaterThan(0);
    const resold = a.tickets.filter((t) => t.resaleOf !== null);
    expect(resold.length).toBe(a.summary.phases.resale.bought);
    for (const t of resold) expect(t.basePriceMinor).not.toBeNull();
    // A few holders were refunded before the season: every ticket of their cards is void.
    expect(a.summary.phases.refunds.refunded).toBeGreaterThan(0);
    const statuses = new Map<string, string[]>();
    for (const t of a.tickets) if (t.holdingId !== null && t.resaleOf === null) statuses.set(t.holdingId, [...(statuses.get(t.holdingId) ?? []), t.status]);
    expect([...statuses.values()].filter((s) => s.every((x) => x === 'void')).length).toBe(a.summary.phases.refunds.refunded);
    for (const t of a.tickets.filter((x) => x.ticketType.startsWith('card') && x.resaleOf === null)) expect([t.productId, t.holdingId === null]).toEqual(['SEASON-2027', false]);
    expect(JSON.stringify(b.tickets)).toBe(JSON.stringify(a.tickets));
  }, 120_000);

  it('theatre: series and pick & mix with allocations, singles and exchanges keep every rule, and a seed reproduces the tickets', async () => {
    const a = await run('theatre', 9, 1_500);
    const b = await run('theatre', 9, 1_500);
    expect(a.summary.checks).toEqual({ seatsSoldTwice: 0, buyersOverCap: 0, holdingSeatMismatch: 0, ticketsMissingFields: 0, transfersWithoutBuyer: 0, ticketsStranded: 0 });
    expect(a.summary.products.map((p) => [p.productId, p.kind, p.sameSeat, p.min, p.max, p.resale])).toEqual([
      ['SERIES-2027', 'series', true, 8, 8, null],
      ['PICKMIX-2027', 'pickMix', false, 3, 5, null],
    ]);
    expect(a.summary.phases.exchanges.done).toBeGreaterThan(0);
    // Some exchanged into the extra date outside the subscription (DOMAIN §5: optionally outside it).
    expect(a.summary.phases.exchanges.outside).toBeGreaterThan(0);
    expect(new Set(a.tickets.filter((x) => x.productId === 'PICKMIX-2027' && x.performanceId === 'STAGE-EXTRA' && x.status === 'valid').map((x) => x.holdingId)).size).toBe(a.summary.phases.exchanges.outside);
    // Pick & mix sells only from its allocation in the circle; the extra date has no allocation.
    for (const t of a.tickets.filter((x) => x.productId === 'PICKMIX-2027' && x.status === 'valid' && x.performanceId !== 'STAGE-EXTRA')) expect(t.seatId).toMatch(/^CIRCLE-/);
    expect(JSON.stringify(b.tickets)).toBe(JSON.stringify(a.tickets));
  }, 120_000);
});
