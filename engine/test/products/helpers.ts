// The product tests' world and vocabulary. A World is a LocalProducts (coordinators and
// performances in one thread) with small venues, a fixed calendar and a set-up every
// performance shares; every command a test runs through it is followed by the invariant checks
// on every performance (the auditor, one valid ticket per seat at most, the counters adding up
// to capacity, no product hold left open once a saga has finished). Scenario tables are lists
// of steps, one per line, each with the result it must get (`OK` or a code name): the coverage
// test (coverage.test.ts) reads `expect: 'NAME'` and `expectCode(..., 'NAME')` in these files.
import { expect } from 'vitest';
import {
  auditPerformance, availability, compileLayout, namedCommands, createPerformance, decodeSnapshot, encodeSnapshot, executeProduct, LocalProducts, productFromPlain,
  productEntries, productToPlain, stateHash, ticketRows,
  type Availability, type CodeName, type Command, type CreateProduct, type HoldingResult, type Layout, type LayoutJson,
  type Outbound, type PerformanceSpec, type PerformanceState, type ProductCommand, type ProductPerformance, type ProductState,
  type Rejection, type Result, type TicketRow,
} from '../../src/domain/mod.ts';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** Products are created at 0; their sale opens here. */
export const SALE = DAY;
/** Single-ticket sale opens here on every performance (unless a test says otherwise). */
export const SINGLE = 5 * DAY;
/** The first performance starts here; the next ones a day apart. */
export const FIRST = 10 * DAY;
export const TTL = 10 * MINUTE;
export const ORGANIZER = 'ORG';

// ---- venues ----------------------------------------------------------------------------------

export function layoutOf(json: LayoutJson): Layout {
  const r = compileLayout(json);
  if (!r.ok) throw new Error(`layout ${json.layoutId}: ${r.name} at ${r.field}: ${r.message}`);
  return r.layout;
}

/**
 * A small seated hall: sections (zone = section id) of `rows` rows of `seats` seats, listed best
 * first; seat ids are `${section}-${row}-${n}`. The default is 2 × 3 × 6 = 36 seats.
 */
export function hallLayout(layoutId = 'hall', sections: string[] = ['A', 'B'], rows = 3, seats = 6): Layout {
  return layoutOf({
    layoutId,
    zones: sections.map((id) => ({ id })),
    sections: sections.map((id) => ({
      id,
      rows: Array.from({ length: rows }, (_, r) => ({ id: String(r + 1), seats: Array.from({ length: seats }, (_, n) => ({ id: `${id}-${r + 1}-${n + 1}`, zone: id })) })),
    })),
  });
}

/** A standing venue: GA areas in zone G. */
export function standingLayout(layoutId: string, areas: { id: string; capacity: number }[]): Layout {
  return layoutOf({ layoutId, zones: [{ id: 'G' }], gaAreas: areas.map((a) => ({ ...a, zone: 'G' })) });
}

/** Performances a day apart from `firstAt`, each three hours long. */
export function schedule(ids: string[], firstAt = FIRST, everyMs = DAY): ProductPerformance[] {
  return ids.map((performanceId, n) => ({ performanceId, startsAtMs: firstAt + n * everyMs, endsAtMs: firstAt + n * everyMs + 3 * HOUR }));
}

// ---- the performance set-up ----------------------------------------------------------------

/** Base prices per ticket type in a layout's first zone; each further zone costs 500 more. */
export const BASE = { single: 5000, card: 3000, renewal: 2500, sub: 2000 } as const;

export interface PerfOptions {
  /** When single-ticket sale opens (web, box office, partner). */
  singleAt: number;
  /** Percent applied to every price of this performance, so sums over performances differ. */
  pricePct: number;
  maxTicketsPerBuyer: number;
  maxOpenHoldsPerBuyer: number;
  /** The resale channel's opening. */
  resaleAt: number;
  holdTtlMs: number;
  /** The performance's organizer (default ORGANIZER, the products'); null: its spec names none. */
  organizerId: string | null;
}

/** The price of a ticket type in a zone of a performance set up with `pricePct`. */
export function priceOf(layout: Layout, type: keyof typeof BASE, zoneId: string, pricePct = 100): number {
  const z = layout.zoneIds.indexOf(zoneId);
  if (z < 0) throw new Error(`no zone ${zoneId}`);
  return Math.round(((BASE[type] + 500 * z) * pricePct) / 100);
}

export function perfSpec(p: ProductPerformance, layout: Layout, o: Partial<PerfOptions> = {}): PerformanceSpec {
  const singleAt = o.singleAt ?? SINGLE;
  const prices = (type: keyof typeof BASE) => Object.fromEntries(layout.zoneIds.map((z) => [z, priceOf(layout, type, z, o.pricePct)]));
  return {
    performanceId: p.performanceId,
    ...(o.organizerId === null ? {} : { organizerId: o.organizerId ?? ORGANIZER }),
    holdTtlMs: o.holdTtlMs ?? TTL,
    maxTicketsPerBuyer: o.maxTicketsPerBuyer ?? 100,
    maxOpenHoldsPerBuyer: o.maxOpenHoldsPerBuyer ?? 20,
    channels: [
      { id: 'web', kind: 'web', saleStartMs: singleAt, saleEndMs: p.endsAtMs },
      { id: 'box', kind: 'boxOffice', saleStartMs: singleAt, saleEndMs: p.endsAtMs },
      { id: 'exchange', kind: 'resale', saleStartMs: o.resaleAt ?? 0, saleEndMs: p.endsAtMs },
    ],
    ticketTypes: [
      { id: 'single', prices: prices('single') },
      { id: 'card', prices: prices('card') },
      { id: 'renewal', prices: prices('renewal') },
      { id: 'sub', prices: prices('sub') },
    ],
    defaultTicketType: 'single',
  };
}

// ---- products ----------------------------------------------------------------------------------

type Terms = Omit<CreateProduct, 'type' | 'commandId' | 'productId' | 'performances'>;

/** A product's createProduct with the defaults of these tests, changed by `more`. */
export function productDef(productId: string, kind: CreateProduct['kind'], performances: ProductPerformance[], more: Partial<Terms> = {}): CreateProduct {
  const cardish = kind === 'seasonCard';
  return {
    type: 'createProduct', commandId: `create-${productId}`, productId, kind, organizerId: ORGANIZER, performances,
    saleStartMs: SALE, saleEndMs: performances[0].startsAtMs, channel: 'box', ticketType: cardish ? 'card' : 'sub',
    perPurchaseMin: 1, perPurchaseMax: 4,
    ...more,
  };
}

/** A season card whose seats may be resold on the web (50-150 %, fee 10 %). */
export function resaleCard(productId: string, performances: ProductPerformance[], more: Partial<Terms> = {}): CreateProduct {
  return productDef(productId, 'seasonCard', performances, { cardKind: 'championship', resale: { minPct: 50, maxPct: 150, feePct: 10, channels: ['web'] }, ...more });
}

// ---- the world -----------------------------------------------------------------------------------

type Loose = object;

/** LocalProducts with invariant checks after every command. */
export class World {
  readonly local = new LocalProducts();
  readonly layouts = new Map<string, Layout>();
  private next = 0;

  /**
   * Another world in the same state, rebuilt from snapshots: every performance encoded and
   * decoded, every coordinator through productToPlain, JSON and productFromPlain.
   */
  clone(): World {
    const twin = new World();
    twin.next = this.next;
    for (const [id, s] of this.local.performances) {
      twin.local.addPerformance(decodeSnapshot(encodeSnapshot(s), s.layout));
      twin.layouts.set(id, s.layout);
    }
    for (const [id, s] of this.local.products) twin.local.products.set(id, productFromPlain(JSON.parse(JSON.stringify(productToPlain(s)))));
    return twin;
  }

  /** Adds performances on one layout, set up alike. */
  add(performances: ProductPerformance[], layout: Layout, o: Partial<PerfOptions> = {}): this {
    for (const p of performances) {
      const created = createPerformance(perfSpec(p, layout, o), layout);
      if (!created.ok) throw new Error(`${p.performanceId}: ${created.name} at ${created.field}: ${created.message}`);
      this.local.addPerformance(created.state);
      this.layouts.set(p.performanceId, layout);
    }
    return this;
  }

  /** A fresh command id (a command given without one gets it). */
  id(prefix = 'c'): string {
    return `${prefix}${++this.next}`;
  }

  /** Runs a product command to its final outcome, then checks every performance. */
  product(productId: string, cmd: Loose, at: number): Result {
    const full = { commandId: this.id('p'), ...cmd } as unknown as ProductCommand;
    const result = this.local.product(productId, full, at);
    checkWorld(this.local, `${productId} ${JSON.stringify(full).slice(0, 300)} -> ${outcomeText(result)}`);
    return result;
  }

  /** Runs a performance command, then checks every performance. */
  perform(performanceId: string, cmd: Loose, at: number): Result {
    const full = { commandId: this.id('q'), ...cmd } as unknown as Command;
    const result = this.local.perform(performanceId, full, at);
    checkWorld(this.local, `${performanceId} ${JSON.stringify(full).slice(0, 300)} -> ${outcomeText(result)}`);
    return result;
  }

  perf(performanceId: string): PerformanceState {
    const s = this.local.performances.get(performanceId);
    if (s === undefined) throw new Error(`no performance ${performanceId}`);
    return s;
  }

  prod(productId: string): ProductState {
    const s = this.local.products.get(productId);
    if (s === undefined) throw new Error(`no product ${productId}`);
    return s;
  }

  rows(performanceId: string): TicketRow[] {
    return ticketRows(this.perf(performanceId));
  }

  /** The valid tickets of a performance, of one holding when named. */
  valid(performanceId: string, holdingId?: string): TicketRow[] {
    return this.rows(performanceId).filter((t) => t.status === 'valid' && (holdingId === undefined || t.holdingId === holdingId));
  }

  /** A seat's state on a performance. */
  seat(performanceId: string, seatId: string): 'free' | 'held' | 'sold' | 'blocked' {
    const s = this.perf(performanceId);
    const seat = s.layout.seatIndexById.get(seatId);
    if (seat === undefined) throw new Error(`no seat ${seatId}`);
    return (['free', 'held', 'sold', 'blocked'] as const)[s.seatState[seat]];
  }

  avail(performanceId: string, channel?: string): Availability {
    const a = availability(this.perf(performanceId), channel);
    if ('ok' in a) throw new Error(`availability: ${a.name}`);
    return a;
  }

  /** Open holds of a performance (every one, or those of a product). */
  openHolds(performanceId: string, productId?: string): string[] {
    const ids: string[] = [];
    for (let h = this.perf(performanceId).holdHead; h !== null; h = h.next) if (productId === undefined || h.productId === productId) ids.push(h.holdId);
    return ids;
  }

  /** Every byte of every performance and every coordinator: equal before and after means nothing changed. */
  fingerprint(): string {
    const perfs = [...this.local.performances.values()].map((s) => stateHash(s));
    const products = [...this.local.products.values()].map((s) => JSON.stringify(productToPlain(s)));
    return JSON.stringify({ perfs, products });
  }

  /** What sales left behind (seats, places, holds, tickets, listings, holdings and their customers); not time or dedupe memory. */
  view(): string {
    const perfs = [...this.local.performances.values()].map((s) => ({
      seats: Array.from(s.seatState), sources: Array.from(s.seatSource), ga: Array.from(s.gaCounts).join(','),
      holds: [...s.holds.keys()], rows: ticketRows(s), listings: [...s.listings.values()], products: [...s.products.keys()],
    }));
    const products = [...this.local.products.values()].map((s) => {
      const plain = productToPlain(s) as Record<string, unknown>;
      return { status: s.status, holdings: plain.holdings, customers: plain.customers, renewed: plain.renewed, links: plain.links, performances: s.performances, renewalClosed: s.renewalClosed };
    });
    return JSON.stringify({ perfs, products });
  }
}

export function outcomeText(result: Result): string {
  return result.ok ? 'OK' : `${result.name} [${result.field}] ${result.message}`;
}

/**
 * The invariants after every command, on every performance: the auditor finds nothing; no seat
 * is on two valid tickets and every sold seat is on exactly one; free + held + sold + blocked =
 * capacity (in all and per quota); no product hold is open (every saga finished in its call).
 */
export function checkWorld(local: LocalProducts, where: string): void {
  for (const s of local.performances.values()) {
    const at = `${where} on ${s.performanceId}`;
    expect(auditPerformance(s), `${at}: audit`).toEqual([]);
    const onSeat = new Map<string, number>();
    for (const t of ticketRows(s)) if (t.status === 'valid' && t.seatId !== null) onSeat.set(t.seatId, (onSeat.get(t.seatId) ?? 0) + 1);
    for (const [seatId, n] of onSeat) expect(n, `${at}: valid tickets on ${seatId}`).toBe(1);
    let soldSeats = 0;
    for (let seat = 0; seat < s.layout.seatCount; seat++) if (s.seatState[seat] === 2) soldSeats++;
    expect(onSeat.size, `${at}: sold seats vs seats on a valid ticket`).toBe(soldSeats);
    const a = availability(s);
    if ('ok' in a) throw new Error('availability refused');
    expect(a.totals.free + a.totals.held + a.totals.sold + a.totals.blocked, `${at}: totals`).toBe(a.capacity);
    for (const q of a.quotas) expect(q.free + q.held + q.sold + q.blocked, `${at}: quota ${q.quotaId}`).toBe(q.capacity);
    for (let h = s.holdHead; h !== null; h = h.next) expect(h.productId, `${at}: product hold ${h.holdId} left open`).toBeNull();
  }
  // What a holding books in the settlement ledger adds up to what it paid, through links and exchanges.
  for (const p of local.products.values()) {
    const booked = new Map<string, number>();
    for (const e of productEntries(p)) booked.set(e.ref, (booked.get(e.ref) ?? 0) + e.amountMinor);
    for (const h of p.holdings.values()) expect(booked.get(h.holdingId) ?? 0, `${where}: revenue booked for ${h.holdingId}`).toBe(h.paidMinor.reduce((a, b) => a + b, 0));
  }
}

// ---- results -------------------------------------------------------------------------------------

export type Expectation = 'OK' | CodeName;

/** Asserts the result's code (`OK` or a code name); returns the result. */
export function expectCode(result: Result, name: Expectation, why = ''): Result {
  expect(result.ok ? 'OK' : result.name, `${why} ${outcomeText(result)}`).toBe(name);
  return result;
}

/** The accepted result as the shape a test expects, failing the test on a refusal. */
export function ok<T>(result: Result): T {
  if (!result.ok) throw new Error(`expected OK, got ${outcomeText(result)}`);
  return result as unknown as T;
}

export function refusal(result: Result): Rejection {
  if (result.ok) throw new Error('expected a refusal, the command was accepted');
  return result;
}

export const holding = (result: Result): HoldingResult => ok<HoldingResult>(result);

// ---- tables ----------------------------------------------------------------------------------------

export interface Step {
  at: number;
  /** Where it goes: a product (coordinator) or a performance. */
  product?: string;
  perf?: string;
  cmd: Loose;
  expect: Expectation;
  /** For a refusal: the field it names. */
  field?: string;
  /** Nothing a sale leaves behind may change (seats, holds, tickets, listings, holdings). */
  unchanged?: boolean;
  why?: string;
  check?: (result: Result, w: World) => void;
}

/** The same steps, each of which must leave sales as they were (refusals). */
export const unchanged = (steps: Step[]): Step[] => steps.map((s) => ({ ...s, unchanged: true }));

export function play(w: World, steps: readonly Step[]): Result[] {
  return steps.map((step, i) => {
    const before = step.unchanged === true ? w.view() : '';
    const result = step.product !== undefined ? w.product(step.product, step.cmd, step.at) : w.perform(step.perf as string, step.cmd, step.at);
    const where = `step ${i + 1}${step.why === undefined ? '' : ` (${step.why})`}: ${JSON.stringify(step.cmd).slice(0, 200)}`;
    expect(result.ok ? 'OK' : result.name, `${where} -> ${outcomeText(result)}`).toBe(step.expect);
    if (step.field !== undefined) expect(refusal(result).field, `${where}: field`).toBe(step.field);
    if (step.unchanged === true) expect(w.view(), `${where}: unchanged`).toBe(before);
    step.check?.(result, w);
    return result;
  });
}

// ---- command builders ------------------------------------------------------------------------------

export const buy = (buyerId: string, more: Loose = {}): Loose => ({ type: 'buyProduct', buyerId, ...more });
export const linkLater = (performance: ProductPerformance, more: Loose = {}): Loose => ({ type: 'linkPerformance', performance, ...more });
export const exchange = (holdingId: string, buyerId: string, fromPerformanceId: string, toPerformanceId: string): Loose => ({ type: 'exchangePerformance', holdingId, buyerId, fromPerformanceId, toPerformanceId });
export const renew = (previousHoldingId: string, buyerId: string): Loose => ({ type: 'renewHolding', previousHoldingId, buyerId });
export const closeRenewal = (): Loose => ({ type: 'closeRenewal' });
/** Moves a performance's time on (holds expire, quotas due close) and does nothing else. */
export const tick = (): Loose => ({ type: 'tick' });
export const hold = (buyerId: string, seats: string[], more: Loose = {}): Loose => ({ type: 'holdSeats', buyerId, channel: 'web', seats, ...more });
export const holdGa = (buyerId: string, gaAreaId: string, count: number, more: Loose = {}): Loose => ({ type: 'holdGa', buyerId, channel: 'web', gaAreaId, count, ...more });
export const confirm = (holdId: string, buyerId: string): Loose => ({ type: 'confirmHold', holdId, buyerId });
export const scanHolding = (holdingId: string): Loose => ({ type: 'scanHolding', holdingId });
export const list = (listingId: string, ticketId: string, sellerId: string, priceMinor: number, more: Loose = {}): Loose => ({ type: 'listResale', listingId, ticketId, sellerId, channel: 'web', priceMinor, ...more });
export const buyListing = (listingId: string, buyerId: string, more: Loose = {}): Loose => ({ type: 'buyResale', listingId, buyerId, channel: 'exchange', ...more });
export const withdraw = (listingId: string, sellerId: string): Loose => ({ type: 'withdrawResale', listingId, sellerId });

/** Single tickets: hold the seats on the web and confirm; returns the ticket ids. */
export function sellSingle(w: World, performanceId: string, buyerId: string, seats: string[], at: number): string[] {
  const holdId = w.id('h');
  ok(w.perform(performanceId, { ...hold(buyerId, seats), commandId: holdId }, at));
  return ok<{ tickets: { ticketId: string }[] }>(w.perform(performanceId, confirm(holdId, buyerId), at)).tickets.map((t) => t.ticketId);
}

/**
 * The router's part played by hand: runs every step of `queue` (a coordinator's actions) on the
 * performances and feeds each answer back to coordinator `s`, appending what it sends next;
 * returns the sagas' outcomes by command id.
 */
export function driveSteps(w: World, s: ProductState, queue: Outbound[], at: number): Map<string, Result> {
  const done = new Map<string, Result>();
  let n = 0;
  for (let i = 0; i < queue.length; i++) {
    const o = queue[i];
    if (o.t === 'done') {
      done.set(o.commandId, o.result);
      continue;
    }
    const result = w.local.perform(o.to, o.command, at);
    queue.push(...executeProduct(s, { type: 'stepResult', commandId: `rv${o.saga}-${o.step}-${n++}`, saga: o.saga, step: o.step, result }, at).out);
  }
  return done;
}

/**
 * The commands a step stands for: the step itself, or for a courier's batch (products/couriers.ts)
 * each named record as the object command it is (holds named `#slot.binaryNo`). Tests that
 * meddle with a saga's confirms or holds look through batches with it.
 */
export function stepCommands(command: Command): Command[] {
  if (command.type !== 'commandBatch') return [command];
  const bytes = command.words;
  const words = new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return namedCommands(words, command.count, command.strings ?? []).filter((c): c is NonNullable<typeof c> => c !== null);
}
