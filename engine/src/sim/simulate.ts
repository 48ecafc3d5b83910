// The on-sale simulation: a seeded crowd of buyers against a running engine (any bus). Buyers
// arrive in a surge when the sale opens; they pick best-available or explicit seats, check out
// or abandon their holds (which expire), come back when they miss, and a few try to buy past
// the per-buyer cap. Time is simulated: every command carries the moment it happens, so the
// same seed gives the same commands, the same journal and the same tickets.
//
// The seat-map picks and the best-available requests, and the confirms and releases of the
// holds they make, go as binary command batches (engine/docs/COMMANDS.md), as a gateway would
// send them: the simulator is one client session, each second's holds one request. Buyers are
// named by number ("4711") so that a buyer is the same one, caps included, on either path.
// Everything else (the presale, whose holds name a link's code) goes as command objects.
import { performance } from 'node:perf_hooks';
import {
  aligned, ANY, BinaryOp, codeName, commandWords, REPLY_WORDS, type BatchAnswered, type HoldAccepted, type Result, type TicketRow,
} from '../domain/mod.ts';
import { VenueCatalog, type Engine, type EngineCommand } from '../runtime/mod.ts';
import { Rng } from './rng.ts';
import {
  HOLD_TTL_MS, MAX_TICKETS_PER_BUYER, ONSALE_AT_MS, PARTNER_SECTIONS, PRESALE_CODE, PRESALE_FROM_MS, SEATS_PER_SECTION, SECTIONS, setupCommands,
} from './stadium-onsale.ts';
import { TimeBuckets } from './time-buckets.ts';
import type { SummaryCore } from './driver.ts';

export interface SimulateOptions {
  seed: number;
  buyers: number;
  performanceId?: string;
}

type Kind = 'presale' | 'partner' | 'public';
interface Buyer {
  id: string;
  /** The buyer's numeric key: `id` is it in decimal. */
  key: number;
  kind: Kind;
  wants: number;
  attempts: number;
  /** The open hold: a command object's id, or (slot, binaryNo) of a binary one (slot -1: none). */
  holdId: string | null;
  slot: number;
  binaryNo: number;
  commands: number;
  bought: number;
  again: boolean;
  visits: number;
}
/** A binary command's answer, as react() reads answers: its code, and a hold's slot and number. */
interface BinaryAnswer { ok: boolean; name: string; slot: number; binaryNo: number }
type Action = 'hold' | 'confirm' | 'release' | 'again';
interface Event { atMs: number; seq: number; buyer: number; action: Action }

export interface SimulationSummary extends SummaryCore {
  scenario: 'onsale';
  /**
   * Simulated ms from the sale's opening to the moment the web channel had nothing free left
   * for good: seats that came back later (expired or released holds) undo it, and a sale that
   * ends with seats the web could still sell never sold out (null).
   */
  sellOutMs: number | null;
  /** Simulated ms from the sale's opening to the last ticket sold. */
  lastSaleMs: number | null;
  holds: { made: number; confirmed: number; released: number; expired: number };
  /** Buyers who saw too few seats on the seat map and left without asking. */
  turnedAway: number;
  /** Seats the web channel could still sell when the sale closed (0 when it sold out). */
  webUnsold: number;
  revenueMinor: number;
  checks: { seatsSoldTwice: number; buyersOverCap: number };
}

export interface SimulationRun { summary: SimulationSummary; tickets: TicketRow[] }

export const BUCKET_MS = 1_000;
/** Every reaction to an answer happens at least this much later in simulated time... */
const REACTION_MIN_MS = 10_000;
/** ...so this many buckets can be in flight at once. */
const LAG = REACTION_MIN_MS / BUCKET_MS;
const HORIZON_MS = 4 * 3_600_000;
const WANTS = [1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 6, 6];
/**
 * How often a buyer turned away by the seat map (too few seats shown) looks again before giving
 * up, 1 to 5 minutes apart: about 50 minutes in all, as fans in a sold-out queue keep looking
 * for the seats that abandoned holds (10-minute TTL) give back. With 4 visits they had all left
 * before the last holds expired, and the default run closed with 711 web seats unsold (seed 3: 638).
 */
export const MAP_VISITS_MAX = 16;

export async function simulateOnsale(engine: Engine, options: SimulateOptions): Promise<SimulationRun> {
  const performanceId = options.performanceId ?? 'STADIUM-2026-12-01';
  const rng = new Rng(options.seed);
  const layout = new VenueCatalog().known('stadium');
  const capacity = layout.capacity;
  const publicSections = SECTIONS - PARTNER_SECTIONS;

  const started = performance.now();
  let commands = 0;
  const latencies: number[] = [];
  const rejections: Record<string, number> = {};
  const holds = { made: 0, confirmed: 0, released: 0, expired: 0 };
  let lastSaleMs: number | null = null;
  let sellOutMs: number | null = null;
  /** What the public seat map shows: web-sellable seats left, refreshed once the house runs low. */
  let webFree = Number.POSITIVE_INFINITY;
  let turnedAway = 0;

  const submitAll = async (batch: { command: EngineCommand; atMs: number }[]): Promise<Result[]> => {
    const results: Result[] = new Array(batch.length);
    let left = batch.length;
    if (left === 0) return results;
    await new Promise<void>((done) => {
      for (let i = 0; i < batch.length; i++) {
        const sentAt = performance.now();
        engine.send(performanceId, batch[i].command, batch[i].atMs, (result) => {
          latencies.push(performance.now() - sentAt);
          results[i] = result;
          if (--left === 0) done();
        });
      }
      engine.flushAll();
    });
    commands += batch.length;
    for (const r of results) if (!r.ok) rejections[r.name] = (rejections[r.name] ?? 0) + 1;
    return results;
  };

  // The set-up, and the simulator's client session for its binary batches.
  const setUp: EngineCommand[] = [...setupCommands(performanceId, layout.seatIds), { type: 'openSession', commandId: `${performanceId}-session`, clientId: 'simulator' }];
  const setupResults = await submitAll(setUp.map((command) => ({ command, atMs: PRESALE_FROM_MS - 60_000 })));
  for (const r of setupResults) if (!r.ok) throw new Error(`simulation set-up refused: ${r.name} ${r.field} ${r.message}`);
  const sessionNo = (setupResults[setupResults.length - 1] as { sessionNo: number }).sessionNo;
  let requestNo = 0;

  /** One request of binary commands at `atMs`, after everything submitted before it; its answers, one per command. */
  const submitRecords = async (records: number[][], atMs: number): Promise<BinaryAnswer[]> => {
    if (records.length === 0) return [];
    const words = commandWords(records);
    const request = ++requestNo;
    const sentAt = performance.now();
    const result = await new Promise<Result>((done) => {
      engine.send(performanceId, { type: 'commandBatch', commandId: `${performanceId}-request-${request}`, sessionNo, requestNo: request, count: records.length, words: new Uint8Array(words.buffer) }, atMs, done);
      engine.flushAll();
    });
    if (!result.ok) throw new Error(`simulation request ${request} refused: ${result.name} ${result.field} ${result.message}`);
    const latency = performance.now() - sentAt;
    const bytes = (result as BatchAnswered).replies;
    const replies = aligned(bytes, Int32Array);
    commands += records.length;
    return records.map((_, i) => {
      latencies.push(latency);
      const code = replies[i * REPLY_WORDS];
      const name = code === 0 ? 'OK' : codeName(code);
      if (code !== 0) rejections[name] = (rejections[name] ?? 0) + 1;
      return { ok: code === 0, name, slot: replies[i * REPLY_WORDS + 1], binaryNo: replies[i * REPLY_WORDS + 2] };
    });
  };

  // The crowd. Arrival times: presale fans spread over the presale hour, partner customers over
  // the first two hours, everyone else in a surge (exponential, mean 2 minutes) after opening.
  const agenda = new TimeBuckets<Event>(PRESALE_FROM_MS, BUCKET_MS, Math.ceil((HORIZON_MS + 3_600_000) / BUCKET_MS));
  const buyers: Buyer[] = new Array(options.buyers);
  let seq = 0;
  const schedule = (atMs: number, buyer: number, action: Action) => agenda.at(atMs, { atMs, seq: seq++, buyer, action });
  for (let b = 0; b < options.buyers; b++) {
    const roll = rng.int(0, 999);
    const kind: Kind = roll < 20 ? 'presale' : roll < 35 ? 'partner' : 'public';
    buyers[b] = {
      id: String(b + 1), key: b + 1, kind, wants: rng.pick(WANTS), attempts: 0, holdId: null, slot: -1, binaryNo: -1, commands: 0, bought: 0, again: rng.chance(0.01), visits: 0,
    };
    const atMs = kind === 'presale' ? PRESALE_FROM_MS + rng.int(0, 3_599_999)
      : kind === 'partner' ? PRESALE_FROM_MS + rng.int(0, 3 * 3_600_000 - 1)
        : ONSALE_AT_MS + Math.min(HORIZON_MS - 1, Math.floor(-120_000 * Math.log(1 - rng.int(0, 999_998) / 1_000_000)));
    schedule(atMs, b, 'hold');
  }

  /** A command object, the words of a binary command, or null (the buyer does nothing). */
  const commandFor = (event: Event): EngineCommand | number[] | null => {
    const buyer = buyers[event.buyer];
    const commandId = `${buyer.id}-${buyer.commands++}`;
    const channel = buyer.kind === 'partner' ? 'partner' : 'web';
    const presaleCode = buyer.kind === 'presale' && event.atMs < ONSALE_AT_MS ? PRESALE_CODE : undefined;
    switch (event.action) {
      case 'hold':
      case 'again': {
        const count = event.action === 'again' ? MAX_TICKETS_PER_BUYER : Math.min(buyer.wants, presaleCode === undefined ? 10 : 4);
        // A buyer who sees too few seats on the map leaves instead of asking (the waiting room
        // and seat map are served from the read model, not by the performance's actor).
        if (channel === 'web' && presaleCode === undefined && webFree < count) {
          turnedAway++;
          // ...and looks again a few minutes later (abandoned holds expire and come back), up
          // to a few times.
          if (++buyer.visits < MAP_VISITS_MAX) schedule(event.atMs + rng.int(60_000, 300_000), event.buyer, event.action);
          return null;
        }
        // A third of the public pick their seats on the map; the rest ask for the best available.
        if (buyer.kind === 'public' && buyer.attempts === 0 && rng.chance(0.35)) {
          const section = rng.int(0, publicSections - 1);
          const row = rng.int(0, 49);
          const first = rng.int(0, 30 - count);
          const seatNos: number[] = [];
          for (let n = 0; n < count; n++) seatNos.push(section * SEATS_PER_SECTION + row * 30 + first + n);
          // Channel 0 is the web channel of the stadium's spec; -1 its default ticket type.
          return [BinaryOp.HOLD_SEATS, buyer.key, 0, 0, -1, count, ...seatNos];
        }
        const zone = buyer.kind === 'public' && rng.chance(0.3) ? rng.pick(['A', 'B', 'C', 'D']) : undefined;
        // Best available goes in the second's binary request too (channels 0 web, 1 partner; the
        // zone by its place in the layout, -1 any; any section; accessible or not). A presale
        // hold names its link's code, which only a command object carries.
        if (presaleCode === undefined) {
          return [BinaryOp.HOLD_BEST_AVAILABLE, buyer.key, 0, channel === 'web' ? 0 : 1, -1, count, zone === undefined ? ANY : layout.zoneIndexById.get(zone)!, ANY, 0];
        }
        return {
          type: 'holdBestAvailable', commandId, buyerId: buyer.id, channel, count, presaleCode,
          ...(zone === undefined ? {} : { filter: { zone } }),
        };
      }
      case 'confirm':
        if (buyer.slot >= 0) return [BinaryOp.CONFIRM_HOLD, buyer.key, 0, buyer.slot, buyer.binaryNo];
        return buyer.holdId === null ? null : { type: 'confirmHold', commandId, buyerId: buyer.id, holdId: buyer.holdId, buyerEmail: `b${buyer.id}@example.test` };
      case 'release':
        if (buyer.slot >= 0) return [BinaryOp.RELEASE_HOLD, buyer.key, 0, buyer.slot, buyer.binaryNo];
        return buyer.holdId === null ? null : { type: 'releaseHold', commandId, buyerId: buyer.id, holdId: buyer.holdId };
    }
  };

  const react = (event: Event, result: Result | BinaryAnswer) => {
    const buyer = buyers[event.buyer];
    if (event.action === 'hold' || event.action === 'again') {
      buyer.attempts++;
      if (result.ok) {
        holds.made++;
        if ('binaryNo' in result) {
          buyer.slot = result.slot;
          buyer.binaryNo = result.binaryNo;
        } else {
          buyer.holdId = (result as HoldAccepted).holdId;
        }
        const fate = rng.int(0, 99);
        if (fate < 72) schedule(event.atMs + rng.int(REACTION_MIN_MS + 5_000, 240_000), event.buyer, 'confirm');
        else if (fate < 77) schedule(event.atMs + HOLD_TTL_MS + rng.int(1_000, 300_000), event.buyer, 'confirm');
        else if (fate < 82) schedule(event.atMs + rng.int(REACTION_MIN_MS, 60_000), event.buyer, 'release');
        // else: abandoned; the hold expires after its TTL.
        return;
      }
      const name = (result as { name: string }).name;
      const retry = name === 'SEAT_NOT_AVAILABLE' || name === 'NOT_ENOUGH_SEATS' || name === 'CHANNEL_NOT_ON_SALE';
      if (retry && buyer.attempts < 3 && event.action === 'hold') schedule(event.atMs + rng.int(REACTION_MIN_MS, 30_000), event.buyer, 'hold');
      return;
    }
    if (event.action === 'confirm') {
      if (result.ok) {
        holds.confirmed++;
        buyer.bought++;
        lastSaleMs = event.atMs - ONSALE_AT_MS;
        if (buyer.again) schedule(event.atMs + rng.int(600_000, 3_600_000), event.buyer, 'again');
      }
      forgetHold(buyer);
      return;
    }
    if (event.action === 'release' && result.ok) holds.released++;
    forgetHold(buyer);
  };
  const forgetHold = (buyer: Buyer): void => {
    buyer.holdId = null;
    buyer.slot = -1;
    buyer.binaryNo = -1;
  };

  // Buckets are pipelined: bucket i is submitted before the answers of buckets i-1..i-LAG are
  // read. That is safe and deterministic because every reaction lies at least LAG buckets ahead
  // (REACTION_MIN_MS), and the answers of bucket i-LAG are always read just before bucket i is
  // taken, whatever the threads' timing.
  const flights = new Map<number, { sent: Event[]; lastAtMs: number; results: Promise<(Result | BinaryAnswer)[]>; webFree: Promise<number> | null }>();
  let lowSeats = false;
  for (let index = 0; index < agenda.length + LAG && (agenda.pending > 0 || flights.size > 0); index++) {
    const due = flights.get(index - LAG);
    if (due !== undefined) {
      flights.delete(index - LAG);
      const results = await due.results;
      for (let i = 0; i < due.sent.length; i++) react(due.sent[i], results[i]);
      if (due.webFree !== null) {
        webFree = await due.webFree;
        if (webFree === 0 && sellOutMs === null) sellOutMs = Math.max(0, due.lastAtMs - ONSALE_AT_MS);
        // Seats came back: it was not sold out after all (not yet).
        else if (webFree > 0) sellOutMs = null;
      }
      // The seat map is consulted once the house runs low (before that, nobody is turned away).
      lowSeats ||= results.some((r) => !r.ok && (r as { name: string }).name === 'NOT_ENOUGH_SEATS');
    }
    if (index >= agenda.length) continue;
    const events = agenda.take(index);
    if (events.length === 0) continue;
    events.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
    const batch: { command: EngineCommand; atMs: number }[] = [];
    const objectEvents: Event[] = [];
    const records: number[][] = [];
    const recordEvents: Event[] = [];
    let firstAtMs = -1;
    let lastAtMs = 0;
    for (const event of events) {
      const command = commandFor(event);
      if (command === null) continue;
      if (firstAtMs < 0) firstAtMs = event.atMs;
      if (Array.isArray(command)) {
        records.push(command);
        recordEvents.push(event);
      } else {
        batch.push({ command, atMs: event.atMs });
        objectEvents.push(event);
      }
      lastAtMs = event.atMs;
    }
    if (objectEvents.length + recordEvents.length === 0) continue;
    // The second's binary commands first, as one request at the second's first moment (a request
    // has one time, and time never runs back on a performance: the command objects after it are
    // all at that moment or later), then its command objects; the answers are read in that order.
    const sent = [...recordEvents, ...objectEvents];
    const binaryResults = submitRecords(records, firstAtMs);
    const objectResults = submitAll(batch);
    const results = Promise.all([binaryResults, objectResults]).then(([a, b]) => [...a, ...b]);
    // Sold out as the public sees it: nothing left that the web channel may sell. The query
    // sees exactly the commands submitted before it (the engine's read-your-writes order).
    const free = lowSeats ? engine.query(performanceId, 'availability', 'web').then((a) => (a as { free: number }).free) : null;
    flights.set(index, { sent, lastAtMs, results, webFree: free });
  }
  // Let every abandoned hold run out before the books are closed.
  await submitAll([{ command: { type: 'tick', commandId: `${performanceId}-close` }, atMs: PRESALE_FROM_MS + HORIZON_MS + 2 * HOLD_TTL_MS }]);
  await engine.drain();
  const wallMs = performance.now() - started;

  // Seats the web could still sell at the close (holds that ran out after the last buyer left):
  // the web never sold out for good.
  const webUnsold = ((await engine.query(performanceId, 'availability', 'web')) as { free: number }).free;
  if (webUnsold > 0) sellOutMs = null;
  const tickets = await engine.query(performanceId, 'tickets') as TicketRow[];
  const counts = await engine.query(performanceId, 'seatCounts') as { sold: number; held: number };
  // Every hold ends confirmed, released or expired (the closing tick expired the rest).
  holds.expired = holds.made - holds.confirmed - holds.released;
  const sorted = Float64Array.from(latencies).sort();
  const quantile = (q: number) => (sorted.length === 0 ? 0 : round3(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]));
  return {
    summary: {
      scenario: 'onsale',
      seed: options.seed,
      buyers: options.buyers,
      commands,
      commandsPerSec: Math.round(commands / (wallMs / 1_000)),
      wallMs: Math.round(wallMs),
      latencyMs: { p50: quantile(0.5), p99: quantile(0.99) },
      rejections: sortedKeys(rejections),
      limits: { maxTicketsPerBuyerPerPerformance: MAX_TICKETS_PER_BUYER },
      performances: [{ performanceId, capacity, sold: counts.sold }],
      bus: engine.bus.kind,
      durable: engine.bus.durable,
      workers: engine.workers,
      shards: engine.shards,
      sellOutMs,
      lastSaleMs,
      holds,
      turnedAway,
      webUnsold,
      revenueMinor: tickets.reduce((sum, t) => sum + (t.status === 'valid' ? t.priceMinor - t.discountMinor : 0), 0),
      checks: checkTickets(tickets),
    },
    tickets,
  };
}

/** What must never happen, counted from the tickets themselves rather than trusted. */
export function checkTickets(tickets: readonly TicketRow[]): { seatsSoldTwice: number; buyersOverCap: number } {
  const seats = new Set<string>();
  const perBuyer = new Map<string, number>();
  let seatsSoldTwice = 0;
  for (const t of tickets) {
    if (t.status !== 'valid') continue;
    const key = `${t.performanceId}/${t.seatId}`;
    if (t.seatId !== null) {
      if (seats.has(key)) seatsSoldTwice++;
      seats.add(key);
    }
    perBuyer.set(`${t.performanceId}/${t.buyerId}`, (perBuyer.get(`${t.performanceId}/${t.buyerId}`) ?? 0) + 1);
  }
  let buyersOverCap = 0;
  for (const n of perBuyer.values()) if (n > MAX_TICKETS_PER_BUYER) buyersOverCap++;
  return { seatsSoldTwice, buyersOverCap };
}

function round3(x: number): number {
  return Math.round(x * 1_000) / 1_000;
}

function sortedKeys(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

