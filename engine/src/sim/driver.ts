// What the product scenarios share: a driver that submits waves of client commands (each wave
// answered in full before the next, so that a seed gives the same outcome whatever the thread
// timing) and keeps the figures of the summary: commands, latency, rejections by code.
import { performance } from 'node:perf_hooks';
import { performanceEntries, settle, type LedgerEntry, type PerformanceFacts, type ProductReport, type ProductSummary, type Result, type TicketRow } from '../domain/mod.ts';
import type { Engine, EngineCommand } from '../runtime/mod.ts';

export interface ScenarioOptions { seed: number; buyers: number }

export type Item = [actorId: string, command: EngineCommand, atMs: number];

export class ScenarioDriver {
  commands = 0;
  readonly latencies: number[] = [];
  readonly rejections: Record<string, number> = {};
  readonly started = performance.now();

  constructor(readonly engine: Engine) {}

  /** Submits every item at once and resolves with their results, in order. */
  wave(items: readonly Item[]): Promise<Result[]> {
    const results: Result[] = new Array(items.length);
    let left = items.length;
    if (left === 0) return Promise.resolve(results);
    return new Promise((done) => {
      for (let i = 0; i < items.length; i++) {
        const sentAt = performance.now();
        this.engine.send(items[i][0], items[i][1], items[i][2], (result) => {
          this.latencies.push(performance.now() - sentAt);
          if (!result.ok) this.rejections[result.name] = (this.rejections[result.name] ?? 0) + 1;
          results[i] = result;
          if (--left === 0) done(results);
        });
      }
      this.commands += items.length;
      this.engine.flushAll();
    });
  }

  /** Like wave(), for set-up commands that must all be accepted. */
  async setUp(items: readonly Item[]): Promise<Result[]> {
    const results = await this.wave(items);
    results.forEach((r, i) => {
      if (!r.ok) throw new Error(`scenario set-up refused ${items[i][1].type} on ${items[i][0]}: ${r.name} ${r.field} ${r.message}`);
    });
    return results;
  }

  /** Waves of at most `size` items: one coordinator batch each (see the journal's batch bound). */
  async waves(items: readonly Item[], size: number): Promise<Result[]> {
    const all: Result[] = [];
    for (let i = 0; i < items.length; i += size) all.push(...(await this.wave(items.slice(i, i + size))));
    return all;
  }

  figures(): { commands: number; commandsPerSec: number; wallMs: number; latencyMs: { p50: number; p99: number }; rejections: Record<string, number> } {
    const wallMs = performance.now() - this.started;
    const sorted = Float64Array.from(this.latencies).sort();
    const q = (p: number) => (sorted.length === 0 ? 0 : Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] * 1_000) / 1_000);
    return {
      commands: this.commands,
      commandsPerSec: Math.round(this.commands / (wallMs / 1_000)),
      wallMs: Math.round(wallMs),
      latencyMs: { p50: q(0.5), p99: q(0.99) },
      rejections: Object.fromEntries(Object.entries(this.rejections).sort(([a], [b]) => a.localeCompare(b))),
    };
  }
}

/**
 * When item `i` of a phase happens: the phase's items go out in waves of `wave`, each wave a
 * short slice of simulated time (its items a millisecond apart), the waves spread evenly over
 * the phase. A saga's steps run at its command's time or later, so items of one wave must not
 * be hours apart or the first ones' holds would expire while the last ones are taken.
 */
export function phaseTime(startMs: number, spanMs: number, count: number, wave: number, i: number): number {
  const waves = Math.max(1, Math.ceil(count / wave));
  const w = Math.floor(i / wave);
  return startMs + Math.floor((spanMs * w) / waves) + (i % wave);
}

export interface ProductChecks {
  seatsSoldTwice: number;
  buyersOverCap: number;
  /** Same-seat holdings whose seat differs between performances. */
  holdingSeatMismatch: number;
  /** Product tickets without their productId or holdingId, resale tickets without resaleOf or basePriceMinor. */
  ticketsMissingFields: number;
  /** Transferred tickets with no resale ticket pointing back at them. */
  transfersWithoutBuyer: number;
  /**
   * Tickets a saga's compensation could not void (scanned, listed or resold in between), as the
   * coordinators report them (productReport `stranded`); finishRun fills it in.
   */
  ticketsStranded?: number;
}

/** What must never happen, counted from the tickets themselves. */
export function checkProductTickets(tickets: readonly TicketRow[], sameSeatProducts: ReadonlySet<string>, capPerBuyer: number): ProductChecks {
  const seats = new Set<string>();
  const perBuyer = new Map<string, number>();
  const holdingSeats = new Map<string, Map<string, string[]>>();
  const resold = new Set<string>();
  const checks: ProductChecks = { seatsSoldTwice: 0, buyersOverCap: 0, holdingSeatMismatch: 0, ticketsMissingFields: 0, transfersWithoutBuyer: 0 };
  for (const t of tickets) {
    if (t.resaleOf !== null) {
      resold.add(t.resaleOf);
      if (t.basePriceMinor === null) checks.ticketsMissingFields++;
    }
    if ((t.productId === null) !== (t.holdingId === null)) checks.ticketsMissingFields++;
    if (t.status !== 'valid') continue;
    if (t.seatId !== null) {
      const key = `${t.performanceId}/${t.seatId}`;
      if (seats.has(key)) checks.seatsSoldTwice++;
      seats.add(key);
    }
    const buyerKey = `${t.performanceId}/${t.buyerId}`;
    perBuyer.set(buyerKey, (perBuyer.get(buyerKey) ?? 0) + 1);
  }
  for (const t of tickets) {
    if (t.status === 'transferred' && !resold.has(t.ticketId)) checks.transfersWithoutBuyer++;
    if (t.holdingId === null || t.seatId === null || t.status === 'void' || !sameSeatProducts.has(t.productId!)) continue;
    let byPerformance = holdingSeats.get(t.holdingId);
    if (byPerformance === undefined) holdingSeats.set(t.holdingId, (byPerformance = new Map()));
    const list = byPerformance.get(t.performanceId) ?? [];
    list.push(t.seatId);
    byPerformance.set(t.performanceId, list);
  }
  for (const byPerformance of holdingSeats.values()) {
    const lists = [...byPerformance.values()].map((l) => [...l].sort().join(','));
    if (lists.some((l) => l !== lists[0])) checks.holdingSeatMismatch++;
  }
  for (const n of perBuyer.values()) if (n > capPerBuyer) checks.buyersOverCap++;
  return checks;
}

/** The product scenarios' summary (`--json`): the core fields and the products issue's `products`. */
/** The fields every simulation's summary has (fixed by the runtime issue: tools read them). */
export interface SummaryCore {
  seed: number;
  buyers: number;
  commands: number;
  commandsPerSec: number;
  wallMs: number;
  latencyMs: { p50: number; p99: number };
  rejections: Record<string, number>;
  limits: { maxTicketsPerBuyerPerPerformance: number };
  performances: { performanceId: string; capacity: number; sold: number }[];
  bus: string;
  durable: boolean;
  workers: number;
  shards: number;
}

export interface ScenarioSummary extends SummaryCore {
  scenario: 'season' | 'theatre';
  products: ProductSummary[];
  /** What happened, phase by phase, in counts. */
  phases: Record<string, Record<string, number>>;
  settlement: { organizerPaidMinor: number; organizerPendingMinor: number; sellerCreditsMinor: number; sellerCreditsPendingMinor: number };
  checks: ProductChecks;
}

export interface ScenarioRun { summary: ScenarioSummary; tickets: TicketRow[] }

export function countOutcomes(results: readonly Result[]): { ok: number; refused: number } {
  let ok = 0;
  for (const r of results) if (r.ok) ok++;
  return { ok, refused: results.length - ok };
}

/** Reads tickets, counts, products and settlement back from the engine and builds the summary. */
export async function finishRun(
  engine: Engine, driver: ScenarioDriver, options: ScenarioOptions, scenario: 'season' | 'theatre', performanceIds: string[], productIds: string[],
  phases: Record<string, Record<string, number>>, settleAtMs: number, maxPerBuyer: number,
): Promise<ScenarioRun> {
  const figures = driver.figures();
  const tickets: TicketRow[] = [];
  const performances = [];
  const facts: PerformanceFacts[] = [];
  for (const pid of performanceIds) {
    tickets.push(...((await engine.query(pid, 'tickets')) as TicketRow[]));
    const counts = (await engine.query(pid, 'seatCounts')) as { free: number; held: number; sold: number; blocked: number };
    performances.push({ performanceId: pid, capacity: counts.free + counts.held + counts.sold + counts.blocked, sold: counts.sold });
    facts.push((await engine.query(pid, 'settlementFacts')) as PerformanceFacts);
  }
  const products: ProductSummary[] = [];
  let entries: LedgerEntry[] = performanceEntries(facts);
  let ticketsStranded = 0;
  for (const id of productIds) {
    products.push((await engine.query(id, 'productSummary')) as ProductSummary);
    entries = entries.concat((await engine.query(id, 'productLedger')) as LedgerEntry[]);
    ticketsStranded += ((await engine.query(id, 'productReport')) as ProductReport).stranded.tickets;
  }
  const sameSeat = new Set(products.filter((p) => p.sameSeat).map((p) => p.productId));
  return {
    summary: {
      scenario,
      seed: options.seed,
      buyers: options.buyers,
      ...figures,
      limits: { maxTicketsPerBuyerPerPerformance: maxPerBuyer },
      performances,
      products,
      bus: engine.bus.kind,
      durable: engine.bus.durable,
      workers: engine.workers,
      shards: engine.shards,
      phases,
      settlement: settle(entries, settleAtMs).totals,
      checks: { ...checkProductTickets(tickets, sameSeat, maxPerBuyer), ticketsStranded },
    },
    tickets,
  };
}
