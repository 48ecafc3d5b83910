// Property-based tests of the product coordinators over several performances, against an
// independent reference model.
//
// fast-check generates random sequences over five performances of one small venue (a numbered
// hall of 2 sections × 3 rows × 6 seats, or a standing floor of 20 places): P1-P3 carry a season
// card (CARD, resale allowed) and a pick & mix subscription (SUB, sold only from an allocation
// of 6 seats or 4 places, exchangeable to P5, a named customer per place); P4 may be linked to the card later. The sequences
// mix card purchases (explicit seats or best available, 1-3 cards), subscription purchases,
// single-ticket holds, confirms and releases on every performance, resale listings, purchases
// and withdrawals, exchanges, the later link, holding scans, foreign blocks, customers named and
// renamed, refunds of cards and subscriptions, and time moving forward (holds expire, performances get played, sales close).
//
// The model below shares no code with the engine (only its public types and the documented
// rules: DOMAIN.md, REJECTIONS.md, COMMANDS.md): plain maps per seat, per GA pool, per hold,
// ticket, holding and listing. It predicts every command's outcome and code; where the engine
// chooses (best-available seats) the model checks the choice is legal and takes it. After every
// step the suite checks that
//   (a) a card holder has the same seat(s) on every performance its card has tickets for;
//   (b) every seat has one owner: the model's and the engine's seat states, pools and tickets
//       agree, at most one valid ticket per seat, a sold seat on exactly one;
//   (c) a resale leaves one valid ticket on the seat and the seller's ticket no longer admits;
//   (d) free + held + sold + blocked = capacity on every performance (and per pool);
//   (e) a refused product purchase leaves no hold and no ticket anywhere (the model does not
//       change, and the engine must still agree with it; no product hold is ever left open);
//   (f) the same commands run in a second world give the same answers, the same stateHash on
//       every performance and the same coordinator snapshots after every step;
// and, at the end of each sequence, (g) the product revenue the settlement ledger showed as paid
// as of the moment before each step is what it shows as of that moment after the whole sequence.
//
// Reproducible by default (fixed seeds). ONSALE_PROPERTY_RUNS scales the number of runs,
// ONSALE_PROPERTY_SEED changes the base seed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  availability, productEntries, productHoldings, resaleReport, settle, ticketRows, type HoldAccepted, type HoldingResult, type Layout, type OrderAccepted,
  type ProductPerformance, type ResaleBought, type Result,
} from '../../src/domain/mod.ts';
import { World, hallLayout, outcomeText, productDef, standingLayout, type Expectation } from './helpers.ts';

const envRuns = Number(process.env.ONSALE_PROPERTY_RUNS);
const RUNS = Number.isSafeInteger(envRuns) && envRuns > 0 ? Math.max(10, Math.floor(envRuns / 4)) : 100;
const envSeed = Number(process.env.ONSALE_PROPERTY_SEED);
const SEED = Number.isSafeInteger(envSeed) && process.env.ONSALE_PROPERTY_SEED !== '' ? envSeed : 0x5ea5;
const MAX_OPS = 40;
/** ONSALE_PROPERTY_STATS=1 prints how often each operation got each answer (generator coverage). */
const STATS = process.env.ONSALE_PROPERTY_STATS !== undefined && process.env.ONSALE_PROPERTY_STATS !== '';
const stats = new Map<string, number>();

// ---- the calendar, the venues, the products ---------------------------------------------------

const T0 = 1_000_000;
const SALE = T0 + 1_000;
const SINGLE = T0 + 3_000;
/** P4's single-ticket sale opens later: the card may be linked to it until then. */
const SINGLE_P4 = T0 + 100_000;
const TTL = 10_000;
const MAX_TICKETS = 100;
const MAX_HOLDS = 20;
const PERFS = ['P1', 'P2', 'P3', 'P4', 'P5'];
const STARTS: Record<string, number> = { P1: T0 + 200_000, P2: T0 + 260_000, P3: T0 + 320_000, P4: T0 + 380_000, P5: T0 + 290_000 };
const perf = (id: string): ProductPerformance => ({ performanceId: id, startsAtMs: STARTS[id], endsAtMs: STARTS[id] + 30_000 });
const END = (id: string): number => STARTS[id] + 30_000;
const IN_PRODUCTS = ['P1', 'P2', 'P3'];
const SUB_TARGETS = ['P1', 'P2', 'P3', 'P5'];
const BUYERS = ['b1', 'b2', 'b3', 'b4'];
/**
 * Customers a subscription may name, as given and as kept (trimmed). Some are the same person:
 * 0 and 1 by name (no address, case and spaces aside), 2 and 3 by address (case aside).
 */
const PEOPLE: { given: object; kept: object; person: string }[] = [
  { given: { name: 'Ann Berg' }, kept: { name: 'Ann Berg' }, person: 'ann' },
  { given: { name: ' ann  berg ' }, kept: { name: 'ann berg' }, person: 'ann' },
  { given: { email: 'bo@example.org' }, kept: { email: 'bo@example.org' }, person: 'bo' },
  { given: { name: 'Bo', email: 'BO@example.org ' }, kept: { name: 'Bo', email: 'BO@example.org' }, person: 'bo' },
  { given: { name: 'Cy', email: 'cy@example.org' }, kept: { name: 'Cy', email: 'cy@example.org' }, person: 'cy' },
];
/**
 * The customers an operation names for `quantity` places: with `fit`, the first of its PEOPLE
 * indexes that are different people, one per place; else all of them, as generated.
 */
function namesOf(names: number[], fit: boolean, quantity: number): number[] {
  if (!fit) return names;
  const picked: number[] = [];
  for (const i of names) if (picked.length < quantity && !picked.some((j) => PEOPLE[j].person === PEOPLE[i].person)) picked.push(i);
  return picked;
}
/** Whether these customers (PEOPLE indexes) suit a holding of `quantity` places: one each, all different people. */
const customersFit = (names: number[], quantity: number): boolean => names.length === quantity && new Set(names.map((i) => PEOPLE[i].person)).size === names.length;
const ALLOCATION = ['B-3-1', 'B-3-2', 'B-3-3', 'B-3-4', 'B-3-5', 'B-3-6'];
const BAND = { minPct: 50, maxPct: 150, feePct: 10 };
/** The standing floor, and its places in the subscription's allocation on P1-P3. */
const FLOOR_PLACES = 20;
const FLOOR_ALLOCATION = 4;

interface Venue { name: string; layout: Layout; numbered: boolean; seatIds: string[]; hot: string[] }
const hall: Venue = (() => {
  const layout = hallLayout('prop-hall');
  return { name: 'numbered hall', layout, numbered: true, seatIds: [...layout.seatIds], hot: ['A-1-3', 'A-1-4', 'A-2-3', 'B-1-1', 'B-3-1', 'B-3-2'] };
})();
const floor: Venue = { name: 'standing floor', layout: standingLayout('prop-floor', [{ id: 'FLOOR', capacity: FLOOR_PLACES }]), numbered: false, seatIds: [], hot: [] };

function setUp(venue: Venue): World {
  const w = new World();
  for (const id of PERFS) w.add([perf(id)], venue.layout, { singleAt: id === 'P4' ? SINGLE_P4 : SINGLE, maxTicketsPerBuyer: MAX_TICKETS, maxOpenHoldsPerBuyer: MAX_HOLDS, holdTtlMs: TTL });
  const ga = venue.numbered ? {} : { gaAreaId: 'FLOOR' };
  const card = productDef('CARD', 'seasonCard', IN_PRODUCTS.map(perf), {
    ...ga, saleStartMs: SALE, perPurchaseMax: 3, cardKind: 'championship', resale: { ...BAND, channels: ['web'] }, payout: 'afterEach',
  });
  const sub = productDef('SUB', 'pickMix', IN_PRODUCTS.map(perf), {
    ...ga, min: 1, max: 2, perPurchaseMax: 2, saleStartMs: SALE, saleEndMs: STARTS.P3, exchangeable: [perf('P5')], customerPerTicket: true,
    allocation: venue.numbered ? { policy: 'onlyQuota', seats: ALLOCATION } : { policy: 'onlyQuota', gaAreaId: 'FLOOR', count: FLOOR_ALLOCATION },
  });
  for (const [id, def] of [['CARD', card], ['SUB', sub]] as const) {
    const r = w.product(id, def, T0);
    if (!r.ok) throw new Error(`${id}: ${outcomeText(r)}`);
  }
  return w;
}

// ---- the reference model ---------------------------------------------------------------------

type Pool = 'general' | 'alloc';
type SeatSt = 'free' | 'held' | 'sold' | 'blocked';
type Counts = Record<SeatSt, number>;
type Fate = 'open' | 'confirmed' | 'released' | 'expired';

interface MHold { id: string; perf: string; buyer: string; seats: string[]; count: number; pool: Pool; expiresAt: number; fate: Fate }
interface MTicket {
  id: string; perf: string; seat: string | null; pool: Pool; owner: string; status: 'valid' | 'void' | 'transferred'; scanned: boolean;
  listing: string | null; product: 'CARD' | 'SUB' | null; holdingId: string | null; base: number; resaleOf: string | null;
}
interface MPerf {
  id: string;
  seat: Map<string, { st: SeatSt; pool: Pool; ticket: string | null; hold: string | null }>;
  ga: Record<Pool, Counts>;
  holds: Map<string, MHold>;
  tickets: Map<string, MTicket>;
  /** Ticket ids issued per holding on this performance, in issue order (scans walk them). */
  holdingTickets: Map<string, string[]>;
}
/** `refunded`: a refund took parts back (its `tickets` keep only the parts not refunded); no longer a holder. */
interface MHolding { id: string; product: 'CARD' | 'SUB'; buyer: string; quantity: number; seats: string[] | null; tickets: Map<string, string[]>; customers: object[] | null; refunded: boolean }
interface MListing { id: string; perf: string; ticket: string; seller: string; price: number; status: 'open' | 'sold' | 'withdrawn' }

const zero = (): Counts => ({ free: 0, held: 0, sold: 0, blocked: 0 });

class Model {
  readonly perfs = new Map<string, MPerf>();
  readonly holdings = new Map<string, MHolding>();
  readonly listings = new Map<string, MListing>();
  /** Single-ticket holds ever made, for confirms and releases to aim at. */
  readonly singleHolds: MHold[] = [];
  readonly cardPerfs = [...IN_PRODUCTS];
  now = T0;

  constructor(readonly venue: Venue) {
    for (const id of PERFS) {
      const allocated = IN_PRODUCTS.includes(id);
      const p: MPerf = { id, seat: new Map(), ga: { general: zero(), alloc: zero() }, holds: new Map(), tickets: new Map(), holdingTickets: new Map() };
      for (const seatId of venue.seatIds) p.seat.set(seatId, { st: 'free', pool: allocated && ALLOCATION.includes(seatId) ? 'alloc' : 'general', ticket: null, hold: null });
      if (!venue.numbered) {
        p.ga.general.free = allocated ? FLOOR_PLACES - FLOOR_ALLOCATION : FLOOR_PLACES;
        p.ga.alloc.free = allocated ? FLOOR_ALLOCATION : 0;
      }
      this.perfs.set(id, p);
    }
  }

  p(id: string): MPerf {
    return this.perfs.get(id) as MPerf;
  }

  /** Expires every open hold whose time has come (the world ticks every performance first). */
  advance(to: number): void {
    this.now = to;
    for (const p of this.perfs.values()) {
      for (const h of p.holds.values()) {
        if (h.fate !== 'open' || h.expiresAt > to) continue;
        h.fate = 'expired';
        this.unhold(p, h);
      }
    }
  }

  private unhold(p: MPerf, h: MHold): void {
    for (const seatId of h.seats) Object.assign(p.seat.get(seatId) as object, { st: 'free', hold: null });
    if (!this.venue.numbered) {
      p.ga[h.pool].held -= h.count;
      p.ga[h.pool].free += h.count;
    }
  }

  /** The refusal a buyer's caps give a hold of `count` (checkBuying), or null. */
  buyerRefusal(perfId: string, buyer: string, count: number): Expectation | null {
    const p = this.p(perfId);
    let open = 0;
    let held = 0;
    for (const h of p.holds.values()) if (h.fate === 'open' && h.buyer === buyer) { open++; held += h.count; }
    let sold = 0;
    for (const t of p.tickets.values()) if (t.status === 'valid' && t.owner === buyer) sold++;
    const tracked = open > 0 || sold > 0;
    if (tracked && open >= MAX_HOLDS) return 'BUYER_HOLD_LIMIT';
    if (held + sold + count > MAX_TICKETS) return 'BUYER_TICKET_LIMIT';
    return null;
  }

  freeSeats(perfId: string, pool: Pool): string[] {
    return [...this.p(perfId).seat].filter(([, s]) => s.st === 'free' && s.pool === pool).map(([id]) => id);
  }

  freeIn(perfId: string, pool: Pool): number {
    return this.venue.numbered ? this.freeSeats(perfId, pool).length : this.p(perfId).ga[pool].free;
  }

  /** Whether a named seat may be held from `pools`: the code of the first reason it may not. */
  seatRefusal(perfId: string, seatId: string, pools: Pool[]): Expectation | null {
    const s = this.p(perfId).seat.get(seatId);
    if (s === undefined) return 'SEAT_UNKNOWN';
    if (!pools.includes(s.pool)) return 'SEAT_NOT_IN_CHANNEL';
    if (s.st !== 'free') return 'SEAT_NOT_AVAILABLE';
    return null;
  }

  openHold(perfId: string, id: string, buyer: string, seats: string[], count: number, pool: Pool): MHold {
    const p = this.p(perfId);
    const h: MHold = { id, perf: perfId, buyer, seats, count, pool, expiresAt: this.now + TTL, fate: 'open' };
    for (const seatId of seats) {
      const s = p.seat.get(seatId);
      if (s === undefined || s.st !== 'free' || s.pool !== pool) throw new Error(`the engine held ${seatId} on ${perfId}, which the model has ${JSON.stringify(s)} (pool ${pool} wanted)`);
      Object.assign(s, { st: 'held', hold: id });
    }
    if (!this.venue.numbered) {
      if (p.ga[pool].free < count) throw new Error(`the engine held ${count} places in ${pool} on ${perfId}; the model has ${p.ga[pool].free} free`);
      p.ga[pool].free -= count;
      p.ga[pool].held += count;
    }
    p.holds.set(id, h);
    return h;
  }

  /** Sells tickets straight from free stock (a product's hold and confirm in one saga). */
  issue(perfId: string, ids: string[], seats: (string | null)[], pool: Pool, owner: string, product: MTicket['product'], holdingId: string | null, base: number[]): void {
    const p = this.p(perfId);
    ids.forEach((id, i) => {
      const seatId = seats[i];
      if (seatId !== null) {
        const s = p.seat.get(seatId);
        if (s === undefined || s.st !== 'free' || s.pool !== pool) throw new Error(`the engine sold ${seatId} on ${perfId}, which the model has ${JSON.stringify(s)} (pool ${pool} wanted)`);
        Object.assign(s, { st: 'sold', ticket: id });
      } else {
        if (p.ga[pool].free < 1) throw new Error(`the engine sold a place in ${pool} on ${perfId}; the model has none free`);
        p.ga[pool].free--;
        p.ga[pool].sold++;
      }
      p.tickets.set(id, { id, perf: perfId, seat: seatId, pool, owner, status: 'valid', scanned: false, listing: null, product, holdingId, base: base[i], resaleOf: null });
      if (holdingId !== null) p.holdingTickets.set(holdingId, [...(p.holdingTickets.get(holdingId) ?? []), id]);
    });
  }

  voidTicket(t: MTicket): void {
    const p = this.p(t.perf);
    t.status = 'void';
    if (t.seat !== null) Object.assign(p.seat.get(t.seat) as object, { st: 'free', ticket: null });
    else {
      p.ga[t.pool].sold--;
      p.ga[t.pool].free++;
    }
  }

  /** The code a ticket gives to voidTicket (exchange), or null when it may be voided. */
  voidRefusal(t: MTicket): Expectation | null {
    if (t.status === 'void') return 'TICKET_VOID';
    if (t.status === 'transferred') return 'TICKET_TRANSFERRED';
    if (t.scanned) return 'TICKET_ALREADY_SCANNED';
    if (t.listing !== null) return 'TICKET_ALREADY_LISTED';
    return null;
  }
}

// ---- generated operations ----------------------------------------------------------------------

type Op =
  | { k: 'card'; dt: number; buyer: string; quantity: number; explicit: boolean; seats: number[] }
  /** `names`: PEOPLE indexes, or null to name none. */
  | { k: 'sub'; dt: number; buyer: string; quantity: number; picks: number[]; names: number[] | null; fit: boolean }
  | { k: 'name'; dt: number; ref: number; other: boolean; names: number[]; fit: boolean }
  | { k: 'hold'; dt: number; perf: number; buyer: string; best: boolean; seats: number[]; count: number }
  | { k: 'confirm' | 'release'; dt: number; ref: number; other: boolean }
  | { k: 'list'; dt: number; ref: number; cardOnly: boolean; other: boolean; pricePct: number; channel: string }
  | { k: 'buyListing'; dt: number; ref: number; buyer: string; channel: string }
  | { k: 'withdraw'; dt: number; ref: number; other: boolean }
  | { k: 'exchange'; dt: number; ref: number; from: number; to: number; other: boolean }
  | { k: 'link'; dt: number }
  | { k: 'scan'; dt: number; ref: number; perf: number }
  | { k: 'refund'; dt: number; ref: number; sub: boolean }
  /** `holder`: block a seat (or the places) a card holder has, when there is one. */
  | { k: 'block'; dt: number; perf: number; seat: number; count: number; holder: number | null };

function opsFor(venue: Venue): fc.Arbitrary<Op[]> {
  const w = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary });
  const dt = fc.oneof(w(6, fc.constant(0)), w(3, fc.constant(1_000)), w(2, fc.constant(5_000)), w(2, fc.constant(11_000)), w(1, fc.constant(40_000)));
  const buyer = fc.constantFrom(...BUYERS);
  const seatCount = Math.max(1, venue.seatIds.length);
  const hotIdx = venue.hot.map((s) => venue.seatIds.indexOf(s));
  const seat = venue.numbered ? fc.oneof(w(3, fc.constantFrom(...hotIdx)), w(2, fc.nat(seatCount - 1))) : fc.nat(9);
  const other = fc.oneof(w(5, fc.constant(false)), w(1, fc.constant(true)));
  // Mostly as many different people as places (fit, namesOf), sometimes the same one twice or a count that does not fit.
  const names = fc.array(fc.nat(PEOPLE.length - 1), { minLength: 2, maxLength: 4 });
  const fit = fc.oneof(w(8, fc.constant(true)), w(1, fc.constant(false)));
  const op: fc.Arbitrary<Op> = fc.oneof(
    w(6, fc.record({ k: fc.constant('card' as const), dt, buyer, quantity: fc.oneof(w(12, fc.integer({ min: 1, max: 3 })), w(1, fc.constant(4))), explicit: fc.boolean(), seats: fc.uniqueArray(seat, { minLength: 3, maxLength: 3 }) })),
    w(4, fc.record({
      k: fc.constant('sub' as const), dt, buyer, quantity: fc.oneof(w(12, fc.integer({ min: 1, max: 2 })), w(1, fc.constant(3))),
      picks: fc.oneof(w(10, fc.uniqueArray(fc.nat(2), { minLength: 1, maxLength: 2 })), w(1, fc.array(fc.nat(2), { minLength: 1, maxLength: 3 }))), names: fc.option(names, { freq: 12 }), fit,
    })),
    w(2, fc.record({ k: fc.constant('name' as const), dt, ref: fc.nat(), other, names, fit })),
    w(6, fc.record({ k: fc.constant('hold' as const), dt, perf: fc.nat(4), buyer, best: fc.boolean(), seats: fc.uniqueArray(seat, { minLength: 1, maxLength: 2 }), count: fc.integer({ min: 1, max: 3 }) })),
    w(4, fc.record({ k: fc.constant('confirm' as const), dt, ref: fc.nat(), other })),
    w(2, fc.record({ k: fc.constant('release' as const), dt, ref: fc.nat(), other })),
    w(4, fc.record({ k: fc.constant('list' as const), dt, ref: fc.nat(), cardOnly: fc.oneof(w(4, fc.constant(true)), w(1, fc.constant(false))), other, pricePct: fc.constantFrom(49, 50, 100, 150, 151), channel: fc.oneof(w(8, fc.constant('web')), w(1, fc.constant('box'))) })),
    w(3, fc.record({ k: fc.constant('buyListing' as const), dt, ref: fc.nat(), buyer: fc.constantFrom(...BUYERS, 'guest'), channel: fc.oneof(w(8, fc.constant('exchange')), w(1, fc.constant('web'))) })),
    w(1, fc.record({ k: fc.constant('withdraw' as const), dt, ref: fc.nat(), other })),
    w(3, fc.record({ k: fc.constant('exchange' as const), dt, ref: fc.nat(), from: fc.oneof(w(4, fc.nat(1)), w(1, fc.nat(3))), to: fc.nat(3), other })),
    w(2, fc.record({ k: fc.constant('link' as const), dt })),
    // perf -1: one of the performances the holding has tickets for.
    w(3, fc.record({ k: fc.constant('scan' as const), dt, ref: fc.nat(), perf: fc.oneof(w(3, fc.constant(-1)), w(1, fc.nat(4))) })),
    w(2, fc.record({ k: fc.constant('refund' as const), dt, ref: fc.nat(), sub: fc.boolean() })),
    w(2, fc.record({
      k: fc.constant('block' as const), dt, perf: fc.oneof(w(3, fc.constant(3)), w(1, fc.nat(4))), seat,
      count: fc.oneof(w(3, fc.integer({ min: 1, max: 3 })), w(2, fc.integer({ min: 8, max: 16 }))), holder: fc.option(fc.nat(), { freq: 2 }),
    })),
  );
  return fc.array(op, { minLength: 1, maxLength: MAX_OPS, size: 'max' });
}

// ---- running a sequence -----------------------------------------------------------------------------

/** One command as it was sent, so that a second world can be fed exactly the same. */
type Sent = { product: string; cmd: Record<string, unknown>; at: number } | { perf: string; cmd: Record<string, unknown>; at: number };

class Run {
  readonly w: World;
  readonly twin: World;
  readonly m: Model;
  private n = 0;
  private step = '';

  constructor(readonly venue: Venue) {
    this.w = setUp(venue);
    this.twin = setUp(venue);
    this.m = new Model(venue);
  }

  id(prefix: string): string {
    return `${prefix}${++this.n}`;
  }

  /**
   * Sends a command to both worlds; the answers must be the same (f). The first world checks
   * the invariants after it (World); the second only runs it (LocalProducts), and so do ticks.
   */
  send(sent: Sent, checked = true): Result {
    const target = 'product' in sent ? `product ${sent.product}` : `perf ${sent.perf}`;
    // The same object, keys in the same order, to both: a performance remembers the payload of
    // each command (dedupe) as it was written, so the order of its keys is part of the state.
    const cmd = { commandId: sent.cmd.commandId, ...sent.cmd };
    const run = (w: World, check: boolean): Result => {
      if (check) return 'product' in sent ? w.product(sent.product, cmd, sent.at) : w.perform(sent.perf, cmd, sent.at);
      return 'product' in sent ? w.local.product(sent.product, cmd as never, sent.at) : w.local.perform(sent.perf, cmd as never, sent.at);
    };
    const result = run(this.w, checked);
    expect(run(this.twin, false), `${this.step}: the second world answers ${target} alike`).toEqual(result);
    return result;
  }

  /** Sends and checks the code the model predicted; returns the result. */
  expectSend(sent: Sent, expected: Expectation | 'OK', note = ''): Result {
    const result = this.send(sent);
    expect(result.ok ? 'OK' : result.name, `${this.step}${note}: ${JSON.stringify(sent.cmd)} -> ${outcomeText(result)}`).toBe(expected);
    if (STATS) {
      const key = `${String(sent.cmd.type)} ${result.ok ? 'OK' : result.name}`;
      stats.set(key, (stats.get(key) ?? 0) + 1);
    }
    return result;
  }

  rowsById(perfId: string): Map<string, ReturnType<typeof ticketRows>[number]> {
    return new Map(ticketRows(this.w.perf(perfId)).map((r) => [r.ticketId, r]));
  }

  apply(op: Op, index: number): void {
    this.step = `op ${index} ${JSON.stringify(op)}`;
    const at = this.m.now + op.dt;
    for (const id of PERFS) this.send({ perf: id, cmd: { type: 'tick', commandId: this.id('tick') }, at }, false);
    this.m.advance(at);
    switch (op.k) {
      case 'card': return this.card(op, at);
      case 'sub': return this.sub(op, at);
      case 'name': return this.name(op, at);
      case 'hold': return this.hold(op, at);
      case 'confirm':
      case 'release': return this.settle(op, at);
      case 'list': return this.list(op, at);
      case 'buyListing': return this.buyListing(op, at);
      case 'withdraw': return this.withdraw(op, at);
      case 'exchange': return this.exchange(op, at);
      case 'link': return this.link(at);
      case 'scan': return this.scan(op, at);
      case 'block': return this.block(op, at);
      case 'refund': return this.refund(op, at);
    }
  }

  // -- products --

  private card(op: Extract<Op, { k: 'card' }>, at: number): void {
    const m = this.m;
    const explicit = this.venue.numbered && op.explicit && op.quantity <= 3;
    const seats = explicit ? op.seats.slice(0, op.quantity).map((i) => this.venue.seatIds[i]) : null;
    const cmd = { type: 'buyProduct', commandId: this.id('card'), buyerId: op.buyer, quantity: op.quantity, ...(seats === null ? {} : { seats }) };
    const sent = { product: 'CARD', cmd, at };
    let expected: Expectation | 'OK' | 'ANY_SEAT' = 'OK';
    if (at < SALE || at >= STARTS.P1) expected = 'PRODUCT_SALE_CLOSED';
    else if (op.quantity < 1 || op.quantity > 3) expected = 'PRODUCT_QUANTITY_INVALID';
    else {
      const perfs = m.cardPerfs.filter((p) => STARTS[p] > at);
      // Numbered without seats: the engine picks seats on the first performance (any free ones
      // in the general pool) and holds the same on the others, picking again where some are
      // taken (a bounded number of times); the model checks what it picked.
      const anchored = this.venue.numbered && seats === null;
      for (const p of perfs) {
        if (anchored && p !== perfs[0]) {
          expected = 'ANY_SEAT';
          break;
        }
        const refusal = m.buyerRefusal(p, op.buyer, op.quantity)
          ?? (seats !== null ? seats.map((s) => m.seatRefusal(p, s, ['general'])).find((r) => r !== null) ?? null
            : m.freeIn(p, 'general') < op.quantity ? (this.venue.numbered ? 'NOT_ENOUGH_SEATS' : 'NOT_ENOUGH_PLACES') : null);
        if (refusal !== null) {
          expected = refusal;
          break;
        }
      }
    }
    if (expected === 'ANY_SEAT') {
      const result = this.send(sent);
      if (STATS) stats.set(`buyProduct (best available) ${result.ok ? 'OK' : result.name}`, (stats.get(`buyProduct (best available) ${result.ok ? 'OK' : result.name}`) ?? 0) + 1);
      if (!result.ok) {
        expect(['SEAT_NOT_AVAILABLE', 'SEAT_NOT_IN_CHANNEL', 'NOT_ENOUGH_SEATS', 'BUYER_HOLD_LIMIT', 'BUYER_TICKET_LIMIT'], `${this.step}: ${outcomeText(result)}`).toContain(result.name);
        // The first performance had seats for the first pick: it refuses only seats picked on
        // another performance when the pick was tried again there.
        if (result.field.startsWith(`${m.cardPerfs[0]}:`)) expect(result.field, `${this.step}: the first performance had the seats`).toMatch(/^P\d:seats\[\d+\]$/);
        return;
      }
      return this.sold('CARD', op.buyer, op.quantity, result);
    }
    const result = this.expectSend(sent, expected);
    if (result.ok) this.sold('CARD', op.buyer, op.quantity, result);
  }

  private sub(op: Extract<Op, { k: 'sub' }>, at: number): void {
    const m = this.m;
    const picks = op.picks.map((i) => IN_PRODUCTS[i]);
    const names = op.names === null ? null : namesOf(op.names, op.fit, op.quantity);
    const cmd = { type: 'buyProduct', commandId: this.id('sub'), buyerId: op.buyer, quantity: op.quantity, picks, ...(names === null ? {} : { customers: names.map((i) => PEOPLE[i].given) }) };
    const unplayed = IN_PRODUCTS.filter((p) => STARTS[p] > at);
    let expected: Expectation = 'OK';
    if (at < SALE || at >= STARTS.P3) expected = 'PRODUCT_SALE_CLOSED';
    else if (op.quantity < 1 || op.quantity > 2) expected = 'PRODUCT_QUANTITY_INVALID';
    else if (names === null || !customersFit(names, op.quantity)) expected = 'CUSTOMERS_INVALID';
    else if (unplayed.length < 1) expected = 'PRODUCT_TOO_FEW_LEFT';
    else if (picks.length > 2 || new Set(picks).size !== picks.length || picks.some((p) => !unplayed.includes(p))) expected = 'PRODUCT_PICKS_INVALID';
    else {
      for (const p of unplayed.filter((q) => picks.includes(q))) {
        const refusal = m.buyerRefusal(p, op.buyer, op.quantity) ?? (m.freeIn(p, 'alloc') < op.quantity ? (this.venue.numbered ? 'NOT_ENOUGH_SEATS' : 'NOT_ENOUGH_PLACES') : null);
        if (refusal !== null) {
          expected = refusal;
          break;
        }
      }
    }
    const result = this.expectSend({ product: 'SUB', cmd, at }, expected);
    if (result.ok) this.sold('SUB', op.buyer, op.quantity, result, names!.map((i) => PEOPLE[i].kept));
  }

  /** nameCustomers on a subscription: its buyer only, until its first performance starts or it is refunded. */
  private name(op: Extract<Op, { k: 'name' }>, at: number): void {
    const subs = [...this.m.holdings.values()].filter((h) => h.product === 'SUB');
    if (subs.length === 0) return;
    const h = subs[op.ref % subs.length];
    const buyer = op.other ? BUYERS.find((b) => b !== h.buyer) as string : h.buyer;
    const names = namesOf(op.names, op.fit, h.quantity);
    const cmd = { type: 'nameCustomers', commandId: this.id('n'), holdingId: h.id, buyerId: buyer, customers: names.map((i) => PEOPLE[i].given) };
    let expected: Expectation = 'OK';
    if (buyer !== h.buyer) expected = 'HOLDING_NOT_OWNED';
    else if (h.refunded || [...h.tickets.keys()].some((p) => STARTS[p] <= at)) expected = 'CUSTOMERS_LOCKED';
    else if (!customersFit(names, h.quantity)) expected = 'CUSTOMERS_INVALID';
    const result = this.expectSend({ product: 'SUB', cmd, at }, expected);
    if (result.ok) h.customers = names.map((i) => PEOPLE[i].kept);
  }

  /** A product purchase accepted: the model takes the tickets the engine issued, after checking them. */
  private sold(product: 'CARD' | 'SUB', buyer: string, quantity: number, result: Result, customers: object[] | null = null): void {
    const h = result as unknown as HoldingResult;
    expect(this.m.holdings.has(h.holdingId), `${this.step}: a new holding`).toBe(false);
    const holding: MHolding = { id: h.holdingId, product, buyer, quantity, seats: product === 'CARD' && this.venue.numbered ? h.seats : null, tickets: new Map(), customers, refunded: false };
    const expectedPerfs = product === 'CARD' ? this.m.cardPerfs.filter((p) => STARTS[p] > this.m.now) : null;
    if (expectedPerfs !== null) expect(h.performances.map((p) => p.performanceId), `${this.step}: the card's performances`).toEqual(expectedPerfs);
    for (const p of h.performances) {
      expect(p.tickets, `${this.step}: ${quantity} tickets on ${p.performanceId}`).toHaveLength(quantity);
      const rows = this.rowsById(p.performanceId);
      const seats = p.tickets.map((t) => rows.get(t)?.seatId ?? null);
      if (holding.seats !== null) expect([...seats].sort(), `${this.step}: (a) the card's seats on ${p.performanceId}`).toEqual([...holding.seats].sort());
      const pool: Pool = product === 'SUB' ? 'alloc' : 'general';
      const type = product === 'CARD' ? 'card' : 'sub';
      const base = p.tickets.map((t) => rows.get(t)?.priceMinor ?? -1);
      for (const [i, t] of p.tickets.entries()) expect(rows.get(t), `${this.step}: ticket ${t}`).toMatchObject({ status: 'valid', buyerId: buyer, productId: product, holdingId: h.holdingId, ticketType: type, priceMinor: base[i] });
      this.m.issue(p.performanceId, p.tickets, seats, pool, buyer, product, h.holdingId, base);
      holding.tickets.set(p.performanceId, [...p.tickets]);
    }
    this.m.holdings.set(holding.id, holding);
  }

  private link(at: number): void {
    const m = this.m;
    const cmd = { type: 'linkPerformance', commandId: this.id('link'), performance: perf('P4') };
    if (m.cardPerfs.includes('P4')) return void this.expectSend({ product: 'CARD', cmd, at }, 'PRODUCT_ALREADY_LINKED');
    if (at >= SINGLE_P4) return void this.expectSend({ product: 'CARD', cmd, at }, 'PRODUCT_LINK_TOO_LATE');
    // Every card holder in turn gets its seats (or places) on P4, or a conflict; a refunded card is no holder.
    const cards = [...m.holdings.values()].filter((h) => h.product === 'CARD' && !h.refunded);
    const predicted: { holdingId: string; name: string }[] = [];
    const granted: MHolding[] = [];
    const p4 = m.p('P4');
    const taking = new Set<string>();
    let places = p4.ga.general.free;
    for (const h of cards) {
      const refusal = m.buyerRefusal('P4', h.buyer, h.quantity)
        ?? (h.seats !== null ? h.seats.map((s) => (taking.has(s) ? 'SEAT_NOT_AVAILABLE' : m.seatRefusal('P4', s, ['general']))).find((r) => r !== null) ?? null
          : places < h.quantity ? 'NOT_ENOUGH_PLACES' : null);
      if (refusal !== null) predicted.push({ holdingId: h.id, name: refusal });
      else {
        granted.push(h);
        for (const s of h.seats ?? []) taking.add(s);
        if (h.seats === null) places -= h.quantity;
      }
    }
    const result = this.expectSend({ product: 'CARD', cmd, at }, 'OK');
    const answer = result as unknown as { holders: number; conflicts: { holdingId: string; name: string }[] };
    expect(answer.holders, `${this.step}: holders`).toBe(cards.length);
    expect(answer.conflicts.map((c) => ({ holdingId: c.holdingId, name: c.name })), `${this.step}: conflicts`).toEqual(predicted);
    if (STATS) stats.set('(link conflicts)', (stats.get('(link conflicts)') ?? 0) + predicted.length);
    m.cardPerfs.push('P4');
    const rows = ticketRows(this.w.perf('P4'));
    for (const h of granted) {
      const mine = rows.filter((r) => r.holdingId === h.id);
      expect(mine, `${this.step}: ${h.id}'s tickets on P4`).toHaveLength(h.quantity);
      // The card was paid for before P4 was linked: its tickets there are given (net 0), and so
      // resale there is priced from 0.
      for (const r of mine) expect(r.discountMinor, `${this.step}: ${r.ticketId} is complimentary`).toBe(r.priceMinor);
      m.issue('P4', mine.map((r) => r.ticketId), mine.map((r) => r.seatId), 'general', h.buyer, 'CARD', h.id, mine.map(() => 0));
      h.tickets.set('P4', mine.map((r) => r.ticketId));
    }
  }

  private exchange(op: Extract<Op, { k: 'exchange' }>, at: number): void {
    const m = this.m;
    const subs = [...m.holdings.values()].filter((h) => h.product === 'SUB');
    if (subs.length === 0) return;
    const h = subs[op.ref % subs.length];
    const mine = [...h.tickets.keys()];
    const from = op.from < mine.length ? mine[op.from] : SUB_TARGETS[op.from];
    const to = SUB_TARGETS[op.to];
    const buyer = op.other ? BUYERS.find((b) => b !== h.buyer) as string : h.buyer;
    const cmd = { type: 'exchangePerformance', commandId: this.id('x'), holdingId: h.id, buyerId: buyer, fromPerformanceId: from, toPerformanceId: to };
    const sent = { product: 'SUB', cmd, at };
    const old = (h.tickets.get(from) ?? []).map((t) => m.p(from).tickets.get(t) as MTicket);
    // The old tickets are voided all or nothing (voidTickets): the first that may not be voided
    // refuses the exchange, and every old ticket stays as it was, the voidable ones too.
    const voids = old.map((t) => m.voidRefusal(t));
    let expected: Expectation = 'OK';
    const pool: Pool = to === 'P5' ? 'general' : 'alloc';
    if (buyer !== h.buyer) expected = 'HOLDING_NOT_OWNED';
    else if (h.refunded || !h.tickets.has(from) || h.tickets.has(to) || STARTS[from] <= at || STARTS[to] <= at) expected = 'EXCHANGE_INVALID';
    else expected = m.buyerRefusal(to, h.buyer, h.quantity) ?? (m.freeIn(to, pool) < h.quantity ? (this.venue.numbered ? 'NOT_ENOUGH_SEATS' : 'NOT_ENOUGH_PLACES') : null) ?? voids.find((v) => v !== null) ?? 'OK';
    const result = this.expectSend(sent, expected);
    const voidedNew = expected === 'TICKET_ALREADY_SCANNED' || expected === 'TICKET_VOID' || expected === 'TICKET_TRANSFERRED' || expected === 'TICKET_ALREADY_LISTED';
    if (!result.ok && !voidedNew) return;
    // The new tickets were issued on `to` (and voided again when the old ones could not be).
    const rows = ticketRows(this.w.perf(to)).filter((r) => r.holdingId === h.id && !(m.p(to).tickets.has(r.ticketId)));
    expect(rows, `${this.step}: new tickets on ${to}`).toHaveLength(h.quantity);
    m.issue(to, rows.map((r) => r.ticketId), rows.map((r) => r.seatId), pool, h.buyer, 'SUB', h.id, rows.map((r) => r.priceMinor));
    if (voidedNew) {
      for (const r of rows) m.voidTicket(m.p(to).tickets.get(r.ticketId) as MTicket);
      return;
    }
    for (const t of old) m.voidTicket(t);
    h.tickets.delete(from);
    h.tickets.set(to, rows.map((r) => r.ticketId));
  }

  /**
   * refundHolding: each part of the holding not yet started is voided whole, or kept when one of
   * its tickets may not be voided (the first such ticket's code, as voidTickets checks them);
   * nothing to refund, or nothing voided, is refused (HOLDING_NOT_REFUNDABLE, or the first
   * part's code). The refunded seats and places go back to the pools they were sold from.
   */
  private refund(op: Extract<Op, { k: 'refund' }>, at: number): void {
    const m = this.m;
    const product = op.sub ? 'SUB' : 'CARD';
    const holdings = [...m.holdings.values()].filter((h) => h.product === product);
    if (holdings.length === 0) return;
    const h = holdings[op.ref % holdings.length];
    const unplayed = [...h.tickets.keys()].filter((p) => STARTS[p] > at);
    const tickets = (p: string): MTicket[] => (h.tickets.get(p) as string[]).map((t) => m.p(p).tickets.get(t) as MTicket);
    const refusals = unplayed.map((p) => tickets(p).map((t) => m.voidRefusal(t)).find((r) => r !== null) ?? null);
    const refunded = unplayed.filter((_, i) => refusals[i] === null);
    const expected: Expectation = unplayed.length === 0 ? 'HOLDING_NOT_REFUNDABLE' : refunded.length === 0 ? refusals[0] as Expectation : 'OK';
    const result = this.expectSend({ product, cmd: { type: 'refundHolding', commandId: this.id('rf'), holdingId: h.id }, at }, expected);
    if (!result.ok) return;
    const answer = result as unknown as { refundedMinor: number; performances: string[]; kept: { performanceId: string; name: string }[] };
    expect(answer.performances, `${this.step}: refunded`).toEqual(refunded);
    expect(answer.kept.map((k) => [k.performanceId, k.name]), `${this.step}: kept`).toEqual(unplayed.flatMap((p, i) => (refusals[i] === null ? [] : [[p, refusals[i]]])));
    expect(answer.refundedMinor, `${this.step}: refundedMinor`).toBe(refunded.flatMap(tickets).reduce((a, t) => a + t.base, 0));
    for (const p of refunded) {
      for (const t of tickets(p)) m.voidTicket(t);
      h.tickets.delete(p);
    }
    h.refunded = true;
  }

  // -- single tickets --

  private hold(op: Extract<Op, { k: 'hold' }>, at: number): void {
    const m = this.m;
    const p = PERFS[op.perf];
    const holdId = this.id('h');
    const onSale = at >= (p === 'P4' ? SINGLE_P4 : SINGLE) && at < END(p);
    let cmd: Record<string, unknown>;
    let expected: Expectation | null;
    if (!this.venue.numbered) {
      cmd = { type: 'holdGa', commandId: holdId, buyerId: op.buyer, channel: 'web', gaAreaId: 'FLOOR', count: op.count };
      expected = !onSale ? 'CHANNEL_NOT_ON_SALE' : m.buyerRefusal(p, op.buyer, op.count) ?? (m.freeIn(p, 'general') < op.count ? 'NOT_ENOUGH_PLACES' : null);
    } else if (op.best) {
      cmd = { type: 'holdBestAvailable', commandId: holdId, buyerId: op.buyer, channel: 'web', count: op.count };
      expected = !onSale ? 'CHANNEL_NOT_ON_SALE' : m.buyerRefusal(p, op.buyer, op.count) ?? (m.freeIn(p, 'general') < op.count ? 'NOT_ENOUGH_SEATS' : null);
    } else {
      const seats = op.seats.map((i) => this.venue.seatIds[i]);
      cmd = { type: 'holdSeats', commandId: holdId, buyerId: op.buyer, channel: 'web', seats };
      expected = !onSale ? 'CHANNEL_NOT_ON_SALE' : m.buyerRefusal(p, op.buyer, seats.length) ?? seats.map((s) => m.seatRefusal(p, s, ['general'])).find((r) => r !== null) ?? null;
    }
    const result = this.expectSend({ perf: p, cmd, at }, expected ?? 'OK');
    if (!result.ok) return;
    const held = result as HoldAccepted;
    expect(held.expiresAtMs, `${this.step}: expiry`).toBe(at + TTL);
    const count = this.venue.numbered ? held.seats.length : op.count;
    this.m.singleHolds.push(m.openHold(p, holdId, op.buyer, held.seats, count, 'general'));
  }

  private settle(op: Extract<Op, { k: 'confirm' | 'release' }>, at: number): void {
    const m = this.m;
    if (m.singleHolds.length === 0) return;
    const h = m.singleHolds[op.ref % m.singleHolds.length];
    const buyer = op.other ? BUYERS.find((b) => b !== h.buyer) as string : h.buyer;
    const cmd = { type: op.k === 'confirm' ? 'confirmHold' : 'releaseHold', commandId: this.id(op.k), holdId: h.id, buyerId: buyer };
    const fates: Record<Fate, Expectation> = { open: 'OK', expired: 'HOLD_EXPIRED', released: 'HOLD_RELEASED', confirmed: 'HOLD_ALREADY_CONFIRMED' };
    const expected = h.fate === 'open' && buyer !== h.buyer ? 'HOLD_NOT_OWNED' : fates[h.fate];
    const result = this.expectSend({ perf: h.perf, cmd, at }, expected);
    if (!result.ok) return;
    const p = m.p(h.perf);
    if (op.k === 'release') {
      h.fate = 'released';
      for (const seatId of h.seats) Object.assign(p.seat.get(seatId) as object, { st: 'free', hold: null });
      if (!this.venue.numbered) { p.ga.general.held -= h.count; p.ga.general.free += h.count; }
      return;
    }
    h.fate = 'confirmed';
    const order = result as OrderAccepted;
    expect(order.tickets.map((t) => t.seatId), `${this.step}: the order's seats`).toEqual(this.venue.numbered ? h.seats : Array(h.count).fill(null));
    for (const seatId of h.seats) Object.assign(p.seat.get(seatId) as object, { st: 'free', hold: null });
    if (!this.venue.numbered) { p.ga.general.held -= h.count; p.ga.general.free += h.count; }
    m.issue(h.perf, order.tickets.map((t) => t.ticketId), order.tickets.map((t) => t.seatId), 'general', h.buyer, null, null, order.tickets.map((t) => t.priceMinor));
  }

  private block(op: Extract<Op, { k: 'block' }>, at: number): void {
    const m = this.m;
    const p = PERFS[op.perf];
    const blockId = this.id('blk');
    const cards = [...m.holdings.values()].filter((h) => h.product === 'CARD');
    const holder = op.holder === null || cards.length === 0 ? null : cards[op.holder % cards.length];
    if (this.venue.numbered) {
      const seatId = holder?.seats?.[0] ?? this.venue.seatIds[op.seat];
      const s = m.p(p).seat.get(seatId);
      const ok = s !== undefined && s.st === 'free' && s.pool === 'general';
      const result = this.expectSend({ perf: p, cmd: { type: 'blockForeign', commandId: this.id('q'), blockId, system: 'XS', seats: [seatId] }, at }, ok ? 'OK' : 'SEAT_NOT_AVAILABLE');
      if (result.ok) Object.assign(s as object, { st: 'blocked' });
      return;
    }
    const ok = m.p(p).ga.general.free >= op.count;
    const result = this.expectSend({ perf: p, cmd: { type: 'blockForeign', commandId: this.id('q'), blockId, system: 'XS', gaAreaId: 'FLOOR', count: op.count }, at }, ok ? 'OK' : 'NOT_ENOUGH_PLACES');
    if (result.ok) { m.p(p).ga.general.free -= op.count; m.p(p).ga.general.blocked += op.count; }
  }

  // -- resale and the door --

  private list(op: Extract<Op, { k: 'list' }>, at: number): void {
    const m = this.m;
    const all = [...m.perfs.values()].flatMap((p) => [...p.tickets.values()]).filter((t) => !op.cardOnly || t.product === 'CARD');
    if (all.length === 0) return;
    const t = all[op.ref % all.length];
    const seller = op.other ? BUYERS.find((b) => b !== t.owner) as string : t.owner;
    const price = Math.round((t.base * op.pricePct) / 100);
    const listingId = this.id('L');
    const cmd = { type: 'listResale', commandId: this.id('q'), listingId, ticketId: t.id, sellerId: seller, channel: op.channel, priceMinor: price };
    const [low, high] = [Math.floor((t.base * BAND.minPct) / 100), Math.ceil((t.base * BAND.maxPct) / 100)];
    let expected: Expectation = 'OK';
    if (t.status === 'transferred') expected = 'TICKET_TRANSFERRED';
    else if (t.status === 'void' || t.scanned) expected = 'RESALE_NOT_ELIGIBLE';
    else if (t.product !== 'CARD') expected = 'RESALE_NOT_ELIGIBLE';
    else if (seller !== t.owner) expected = 'LISTING_NOT_OWNED';
    else if (op.channel !== 'web') expected = 'RESALE_CHANNEL_NOT_ALLOWED';
    else if (t.listing !== null) expected = 'TICKET_ALREADY_LISTED';
    else if (price < low || price > high) expected = 'RESALE_PRICE_OUT_OF_BAND';
    const result = this.expectSend({ perf: t.perf, cmd, at }, expected);
    if (!result.ok) return;
    t.listing = listingId;
    m.listings.set(listingId, { id: listingId, perf: t.perf, ticket: t.id, seller, price, status: 'open' });
  }

  private buyListing(op: Extract<Op, { k: 'buyListing' }>, at: number): void {
    const m = this.m;
    const listings = [...m.listings.values()];
    if (listings.length === 0) return;
    const l = listings[op.ref % listings.length];
    const cmd = { type: 'buyResale', commandId: this.id('q'), listingId: l.id, buyerId: op.buyer, channel: op.channel };
    let expected: Expectation = 'OK';
    if (l.status !== 'open') expected = 'LISTING_CLOSED';
    else if (op.channel !== 'exchange') expected = 'RESALE_CHANNEL_NOT_ALLOWED';
    else if (at >= END(l.perf)) expected = 'CHANNEL_NOT_ON_SALE';
    else if (op.buyer === l.seller) expected = 'LISTING_NOT_OWNED';
    else expected = m.buyerRefusal(l.perf, op.buyer, 1) === 'BUYER_TICKET_LIMIT' ? 'BUYER_TICKET_LIMIT' : 'OK';
    const result = this.expectSend({ perf: l.perf, cmd, at }, expected);
    if (!result.ok) return;
    const bought = result as ResaleBought;
    const p = m.p(l.perf);
    const old = p.tickets.get(l.ticket) as MTicket;
    expect(bought, `${this.step}: the sale`).toMatchObject({ resaleOf: old.id, seatId: old.seat, sellerId: l.seller, priceMinor: l.price, basePriceMinor: old.base, feeMinor: Math.floor((l.price * BAND.feePct) / 100) });
    old.status = 'transferred';
    old.listing = null;
    l.status = 'sold';
    p.tickets.set(bought.ticketId, { id: bought.ticketId, perf: l.perf, seat: old.seat, pool: old.pool, owner: op.buyer, status: 'valid', scanned: false, listing: null, product: null, holdingId: null, base: l.price, resaleOf: old.id });
    if (old.seat !== null) (p.seat.get(old.seat) as { ticket: string | null }).ticket = bought.ticketId;
    // (c) the seller's ticket no longer admits.
    this.expectSend({ perf: l.perf, cmd: { type: 'scanTicket', commandId: this.id('q'), ticketId: old.id }, at }, 'TICKET_TRANSFERRED', ' (c)');
  }

  private withdraw(op: Extract<Op, { k: 'withdraw' }>, at: number): void {
    const listings = [...this.m.listings.values()];
    if (listings.length === 0) return;
    const l = listings[op.ref % listings.length];
    const seller = op.other ? BUYERS.find((b) => b !== l.seller) as string : l.seller;
    const expected = l.status !== 'open' ? 'LISTING_CLOSED' : seller !== l.seller ? 'LISTING_NOT_OWNED' : 'OK';
    const result = this.expectSend({ perf: l.perf, cmd: { type: 'withdrawResale', commandId: this.id('q'), listingId: l.id, sellerId: seller }, at }, expected);
    if (!result.ok) return;
    l.status = 'withdrawn';
    (this.m.p(l.perf).tickets.get(l.ticket) as MTicket).listing = null;
  }

  private scan(op: Extract<Op, { k: 'scan' }>, at: number): void {
    const holdings = [...this.m.holdings.values()];
    if (holdings.length === 0) return;
    const h = holdings[op.ref % holdings.length];
    const mine = [...h.tickets.keys()];
    // A holding refunded whole has no performance left: scan one of the products'.
    const p = this.m.p(op.perf >= 0 ? PERFS[op.perf] : mine.length > 0 ? mine[op.ref % mine.length] : IN_PRODUCTS[op.ref % IN_PRODUCTS.length]);
    const issued = (p.holdingTickets.get(h.id) ?? []).map((t) => p.tickets.get(t) as MTicket);
    let admit: MTicket | null = null;
    const seen = { listed: false, scanned: false, transferred: false };
    for (const t of issued) {
      if (t.status === 'transferred') seen.transferred = true;
      else if (t.status !== 'valid') continue;
      else if (t.scanned) seen.scanned = true;
      else if (t.listing !== null) seen.listed = true;
      else { admit = t; break; }
    }
    const expected: Expectation = admit !== null ? 'OK' : seen.listed ? 'TICKET_ALREADY_LISTED' : seen.scanned ? 'TICKET_ALREADY_SCANNED' : seen.transferred ? 'TICKET_TRANSFERRED' : 'HOLDING_NO_TICKET';
    const result = this.expectSend({ perf: p.id, cmd: { type: 'scanHolding', commandId: this.id('q'), holdingId: h.id }, at }, expected);
    if (result.ok && admit !== null) {
      expect(result, `${this.step}: the ticket admitted`).toMatchObject({ ticketId: admit.id, seatId: admit.seat });
      admit.scanned = true;
    }
  }

  // -- the checks after every step --

  check(): void {
    const { w, m, venue } = this;
    const where = this.step;
    for (const p of m.perfs.values()) {
      const s = w.perf(p.id);
      const rows = ticketRows(s);
      // (b) seats and pools, and the ticket on each sold seat.
      if (venue.numbered) {
        const validOn = new Map(rows.filter((r) => r.status === 'valid').map((r) => [r.seatId, r.ticketId]));
        for (const [seatId, ms] of p.seat) {
          const seat = s.layout.seatIndexById.get(seatId) as number;
          const source = s.seatSource[seat];
          const pool = source === 0 ? 'general' : s.quotas[source]?.quotaId === 'SUB.allocation' ? 'alloc' : `quota ${source}`;
          expect([(['free', 'held', 'sold', 'blocked'] as const)[s.seatState[seat]], pool], `${where}: ${p.id} seat ${seatId}`).toEqual([ms.st, ms.pool]);
          expect(validOn.get(seatId) ?? null, `${where}: ${p.id} the ticket on ${seatId}`).toBe(ms.st === 'sold' ? ms.ticket : null);
        }
      }
      // (d) the counts, in all and per pool.
      const a = availability(s);
      if ('ok' in a) throw new Error('availability refused');
      const alloc = a.quotas.find((q) => q.quotaId === 'SUB.allocation');
      const counts = { general: zero(), alloc: zero() };
      if (venue.numbered) for (const ms of p.seat.values()) counts[ms.pool][ms.st]++;
      else Object.assign(counts, { general: { ...p.ga.general }, alloc: { ...p.ga.alloc } });
      const total = (c: Counts) => c.free + c.held + c.sold + c.blocked;
      expect(total(counts.general) + total(counts.alloc), `${where}: ${p.id} capacity`).toBe(a.capacity);
      expect(a.totals, `${where}: ${p.id} totals`).toEqual({ free: counts.general.free + counts.alloc.free, held: counts.general.held + counts.alloc.held, sold: counts.general.sold + counts.alloc.sold, blocked: counts.general.blocked + counts.alloc.blocked });
      if (IN_PRODUCTS.includes(p.id)) expect(alloc, `${where}: ${p.id} allocation`).toMatchObject(counts.alloc);
      // Holds and tickets, one by one.
      expect([...s.holds.keys()].sort(), `${where}: ${p.id} open holds`).toEqual([...p.holds.values()].filter((h) => h.fate === 'open').map((h) => h.id).sort());
      expect(rows.map((r) => [r.ticketId, r.status, r.buyerId, r.seatId, r.holdingId, r.productId, r.scanned, r.resaleOf]), `${where}: ${p.id} tickets`)
        .toEqual([...p.tickets.values()].map((t) => [t.id, t.status, t.owner, t.seat, t.holdingId, t.product, t.scanned, t.resaleOf]));
      expect(resaleReport(s).listings.map((l) => [l.listingId, l.status]), `${where}: ${p.id} listings`)
        .toEqual([...m.listings.values()].filter((l) => l.perf === p.id).map((l) => [l.id, l.status]));
      // (a) a card's tickets sit on the card's seats on every performance.
      if (venue.numbered) {
        for (const h of m.holdings.values()) {
          if (h.seats === null) continue;
          const mine = rows.filter((r) => r.holdingId === h.id);
          if (mine.length > 0) expect(mine.map((r) => r.seatId).sort(), `${where}: (a) ${h.id} on ${p.id}`).toEqual([...h.seats].sort());
        }
      }
    }
    // The coordinators' holdings are the model's.
    for (const product of ['CARD', 'SUB']) {
      const kept = productHoldings(w.prod(product)).map((h) => [h.holdingId, h.buyerId, h.seats, h.performances.map((p) => [p.performanceId, p.tickets]), h.customers ?? null]);
      const model = [...m.holdings.values()].filter((h) => h.product === product && !h.refunded).map((h) => [h.id, h.buyer, h.seats, [...h.tickets], h.customers]);
      expect(kept, `${where}: ${product} holdings`).toEqual(model);
    }
    // (f) the second world is the same, byte for byte.
    expect(this.twin.fingerprint(), `${where}: (f) the second world`).toBe(w.fingerprint());
  }
}

/** The products' revenue paid out as of `atMs`, per performance (where not 0). */
function paidAsOf(w: World, atMs: number): Record<string, number> {
  const lines = settle(['CARD', 'SUB'].flatMap((p) => productEntries(w.prod(p))), atMs).lines;
  return Object.fromEntries(lines.filter((l) => l.productRevenuePaidMinor !== 0).map((l) => [l.performanceId, l.productRevenuePaidMinor]));
}

function runSequence(venue: Venue, ops: Op[]): void {
  const run = new Run(venue);
  run.m.advance(SALE);
  if (STATS) stats.set('(operations)', (stats.get('(operations)') ?? 0) + ops.length);
  // (g) What the ledger showed as paid at each step, as of the moment before it, it shows the
  // same at the end: sales, links and exchanges never change what was payable before them.
  // (Commands of the same millisecond may: a sale books at its own time.)
  const paid: [number, Record<string, number>][] = [];
  ops.forEach((op, i) => {
    run.apply(op, i);
    run.check();
    paid.push([run.m.now - 1, paidAsOf(run.w, run.m.now - 1)]);
  });
  for (const [i, [atMs, then]] of paid.entries()) expect(paidAsOf(run.w, atMs), `(g) paid as of op ${i} (${atMs}), after all ${ops.length}`).toEqual(then);
}

describe('products - property: card, subscription, singles, resale, exchanges, links over five performances', () => {
  for (const [v, venue] of [hall, floor].entries()) {
    it(`agrees with the model on a ${venue.name}`, () => {
      fc.assert(fc.property(opsFor(venue), (ops) => { runSequence(venue, ops); }), { seed: SEED + v, numRuns: venue.numbered ? RUNS : Math.ceil((RUNS * 3) / 5) });
      if (STATS) {
        console.log(`${venue.name}:\n${[...stats].sort().map(([k, n]) => `  ${k}: ${n}`).join('\n')}`);
        stats.clear();
      }
    });
  }
});
