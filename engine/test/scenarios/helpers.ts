// The scenario tables' runner and vocabulary. A scenario is a list of steps, one per line: the
// time, the command, the result it must get (`OK` or a code name) and, where it matters, the
// field the refusal names and a check of what the step left behind. After every step the runner
// asks the auditor for problems and checks that each quota still adds up, so a table that only
// states results still proves that the counters stayed true.
import { expect } from 'vitest';
import {
  auditPerformance, availability, compileLayout, createPerformance, execute, stateHash, stepCommandId,
  type Availability, type CodeName, type Command, type Layout, type LayoutJson, type PerformanceSpec,
  type HoldAccepted, type PerformanceState, type Rejection, type Result,
} from '../../src/domain/mod.ts';

/** The web channel opens at this time; most stories start here. */
export const OPEN = 10_000;
/** Every sale window in the default spec closes here (exclusive). */
export const CLOSE = 10_000_000;
/** The default hold time to live. */
export const TTL = 60_000;

export type Expectation = CodeName;

/** A command as a table writes it: well formed, or deliberately broken for a refusal. */
export type Loose = Command | Record<string, unknown> | null;

export interface Step {
  /** The time the command is executed at (`nowMs`). */
  at: number;
  cmd: Loose;
  expect: Expectation;
  /** For a refusal: the field it must name ('' for the whole command). */
  field?: string;
  /**
   * The step must leave seats, places, holds, orders, tickets, buyers, presale use, quotas and
   * blocks as they were (a refusal has no effect; a retry is not applied twice).
   */
  unchanged?: boolean;
  /** The step must change nothing at all: the snapshot bytes are the same before and after. */
  sameHash?: boolean;
  /** Why the line is there, printed when it fails. */
  why?: string;
  check?: (result: Result, state: PerformanceState, earlier: readonly Result[]) => void;
}

/** What the result is called in a table: OK or the refusal's code name. */
export function outcome(result: Result): Expectation {
  return result.ok ? 'OK' : result.name;
}

/** The refusal behind a result, failing the test when the command was accepted. */
export function refusal(result: Result): Rejection {
  if (result.ok) throw new Error('expected a refusal, the command was accepted');
  return result;
}

/** The accepted result as the shape a test expects (holds, orders, counts). */
export function accepted<T extends Result>(result: Result): Extract<T, { ok: true }> {
  if (!result.ok) throw new Error(`expected OK, got ${result.name} at ${result.field}: ${result.message}`);
  return result as Extract<T, { ok: true }>;
}

/** A step check: the step's hold took exactly these seats, in this order. */
export const took = (...ids: string[]) => (r: Result) => expect(accepted<HoldAccepted>(r).seats).toEqual(ids);

/** A spec edit: a buyer who may take many seats, so a story can set the scene in one hold. */
export const roomy = (spec: PerformanceSpec): void => {
  spec.maxTicketsPerBuyer = 20;
  spec.maxOpenHoldsPerBuyer = 20;
};

const autoIds = new WeakMap<PerformanceState, number>();

/**
 * Commands written without a commandId get one per state, in order, so two runs agree. A line
 * that retries an earlier one names its commandId (holds always do: the id is the hold's id).
 */
function withId(state: PerformanceState, cmd: Loose): Loose {
  if (cmd === null || typeof cmd !== 'object' || 'commandId' in cmd) return cmd;
  const n = (autoIds.get(state) ?? 0) + 1;
  autoIds.set(state, n);
  return { commandId: `auto-${n}`, ...cmd };
}

/** Runs a table against one performance and returns every step's result. */
export function play(state: PerformanceState, steps: readonly Step[]): Result[] {
  const results: Result[] = [];
  steps.forEach((step, i) => {
    const cmd = withId(state, step.cmd);
    // A bigint (a value some tests send to see it refused) is shown as JSON cannot show it.
    const where = `step ${i + 1} at ${step.at}${step.why === undefined ? '' : ` (${step.why})`}: ${JSON.stringify(cmd, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`;
    const beforeView = step.unchanged === true ? view(state) : '';
    const beforeHash = step.sameHash === true ? stateHash(state) : '';
    const result = execute(state, cmd as Command, step.at);
    const detail = result.ok ? '' : ` [${result.field}] ${result.message}`;
    expect(outcome(result), `${where} -> ${outcome(result)}${detail}`).toBe(step.expect);
    if (step.field !== undefined) expect(refusal(result).field, `${where}: field`).toBe(step.field);
    expect(auditPerformance(state), `${where}: audit`).toEqual([]);
    checkQuotasAddUp(state, where);
    if (step.unchanged === true) expect(view(state), `${where}: unchanged`).toBe(beforeView);
    if (step.sameHash === true) expect(stateHash(state), `${where}: same bytes`).toBe(beforeHash);
    step.check?.(result, state, results);
    results.push(result);
  });
  return results;
}

/** The second, public half of the quota invariant: what availability() reports adds up. */
function checkQuotasAddUp(state: PerformanceState, where: string): void {
  const a = avail(state);
  const t = a.totals;
  expect(t.free + t.held + t.sold + t.blocked, `${where}: totals`).toBe(a.capacity);
  for (const q of a.quotas) expect(q.free + q.held + q.sold + q.blocked, `${where}: quota ${q.quotaId}`).toBe(q.capacity);
}

/** Everything a command may change, except time and the dedupe window. */
function view(s: PerformanceState): string {
  return JSON.stringify({
    availability: avail(s),
    seats: Array.from(s.seatState),
    sources: Array.from(s.seatSource),
    holds: [...s.holds.keys()],
    orders: s.orders.length,
    tickets: s.tickets.count,
    status: Array.from(s.tickets.status.subarray(0, s.tickets.count)),
    scanned: Array.from(s.tickets.scanned.subarray(0, s.tickets.count)),
    buyers: [...s.buyers],
    presales: [...s.presales.values()].map((p) => [p.code, p.held, p.sold, p.totalMax, p.perBuyerMax, p.validFromMs, p.validUntilMs, p.stopped, [...p.buyerUse]]),
    quotas: [...s.quotaById.values()].map((q) => [q.quotaId, q.closed]),
    blocks: s.blocks.map((b) => [b.blockId, b.count, b.returned, b.seats]),
    products: [...s.products.values()],
    holdings: [...s.holdingTickets],
    listings: [...s.listings.values()],
    resales: s.resales.map((r) => [r.listingId, r.refundedAtMs]),
  });
}

/** availability() that fails the test instead of returning a refusal. */
export function avail(state: PerformanceState, channel?: string): Availability {
  const a = availability(state, channel);
  if ('ok' in a) throw new Error(`availability refused: ${a.name}`);
  return a;
}

export type SeatStateName = 'free' | 'held' | 'sold' | 'blocked';
const stateNames: readonly SeatStateName[] = ['free', 'held', 'sold', 'blocked'];

/** A seat's state, read from the performance's per-seat array. */
export function seatState(state: PerformanceState, seatId: string): SeatStateName {
  const seat = state.layout.seatIndexById.get(seatId);
  if (seat === undefined) throw new Error(`no seat ${seatId}`);
  return stateNames[state.seatState[seat]];
}

/** The pool a seat belongs to: a quota id, or `general`. */
export function seatPool(state: PerformanceState, seatId: string): string {
  const seat = state.layout.seatIndexById.get(seatId);
  if (seat === undefined) throw new Error(`no seat ${seatId}`);
  const source = state.seatSource[seat];
  return source === 0 ? 'general' : (state.quotas[source]?.quotaId ?? `source ${source}`);
}

/** Seat ids `${row}-${from}` .. `${row}-${to}`: seats('MAIN-1', 1, 3) is MAIN-1-1, MAIN-1-2, MAIN-1-3. */
export function seats(row: string, from: number, to: number): string[] {
  const ids: string[] = [];
  for (let n = from; n <= to; n++) ids.push(`${row}-${n}`);
  return ids;
}

// ---- Layouts and performances --------------------------------------------------------------

function compiled(json: LayoutJson): Layout {
  const result = compileLayout(json);
  if (!result.ok) throw new Error(`layout ${json.layoutId}: ${result.name} at ${result.field}`);
  return result.layout;
}

/**
 * A seated layout written as text: each row is a string with one letter per seat, the letter
 * naming the seat's price zone; a lower-case letter is a wheelchair place (flag `accessible`) in
 * the upper-case zone. Sections and rows are listed best first; rows are numbered from 1 and
 * seats are `${section}-${row}-${n}`.
 */
export function seatedLayout(layoutId: string, sections: [string, string[]][], gaAreas: { id: string; capacity: number; zone: string }[] = []): Layout {
  const zones = new Set<string>(gaAreas.map((g) => g.zone));
  const json: LayoutJson = {
    layoutId,
    zones: [],
    sections: sections.map(([sectionId, rows]) => ({
      id: sectionId,
      rows: rows.map((letters, r) => ({
        id: String(r + 1),
        seats: [...letters].map((letter, k) => {
          const zone = letter.toUpperCase();
          zones.add(zone);
          const id = `${sectionId}-${r + 1}-${k + 1}`;
          return letter === zone ? { id, zone } : { id, zone, flags: ['accessible' as const] };
        }),
      })),
    })),
    gaAreas,
  };
  json.zones = [...zones].sort().map((id) => ({ id }));
  return compiled(json);
}

/**
 * The hall most stories use (76 places): MAIN, three rows of eight zone-A seats (row 3 starts
 * with two wheelchair places); BALC, two rows of six zone-B seats; FLOOR, 40 standing places in
 * zone G.
 */
export const hall = seatedLayout('hall', [['MAIN', ['AAAAAAAA', 'AAAAAAAA', 'aaAAAAAA']], ['BALC', ['BBBBBB', 'BBBBBB']]], [{ id: 'FLOOR', capacity: 40, zone: 'G' }]);

/**
 * The hall's set-up: web (opens at OPEN), box office (open from 0), partner (opens at OPEN) and a
 * disabled resale channel; `adult` priced everywhere, `child` only on the balcony, and two closed
 * types (`guest`, `early`) sold through presale links.
 */
export function hallSpec(): PerformanceSpec {
  return {
    performanceId: 'P1',
    holdTtlMs: TTL,
    maxTicketsPerBuyer: 6,
    maxOpenHoldsPerBuyer: 2,
    channels: [
      { id: 'web', kind: 'web', saleStartMs: OPEN, saleEndMs: CLOSE },
      { id: 'box', kind: 'boxOffice', saleStartMs: 0, saleEndMs: CLOSE },
      { id: 'partner', kind: 'partner', saleStartMs: OPEN, saleEndMs: CLOSE },
      { id: 'resale', kind: 'resale', saleStartMs: 0, saleEndMs: CLOSE, enabled: false },
    ],
    ticketTypes: [
      { id: 'adult', prices: { A: 5000, B: 3000, G: 2500 } },
      { id: 'child', prices: { B: 1500 } },
      { id: 'guest', webCode: '!guest', prices: { A: 0, B: 0, G: 0 } },
      { id: 'early', webCode: '!early', prices: { A: 4000, B: 2500, G: 2000 } },
    ],
  };
}

/**
 * A fresh performance; the default is the hall with hallSpec(), changed by `edit`. On another
 * layout the ticket types keep their prices in the zones it shares with the hall, and `adult`
 * (1000), `guest` (0) and `early` (800) get a price in each of its other zones.
 */
export function newPerformance(edit: (spec: PerformanceSpec) => void = () => {}, layout: Layout = hall): PerformanceState {
  const spec = hallSpec();
  if (layout !== hall) {
    const extra: Record<string, number> = { adult: 1000, guest: 0, early: 800 };
    for (const type of spec.ticketTypes) {
      const prices: Record<string, number> = {};
      for (const zone of layout.zoneIds) {
        const price = type.prices[zone] ?? extra[type.id];
        if (price !== undefined) prices[zone] = price;
      }
      type.prices = prices;
    }
  }
  edit(spec);
  const created = createPerformance(spec, layout);
  if (!created.ok) throw new Error(`spec refused: ${created.name} at ${created.field}: ${created.message}`);
  return created.state;
}

// ---- Command builders ------------------------------------------------------------------------
// A hold's commandId is its holdId, so holds are named; other commands take an id only where a
// story retries them (`more.commandId`), and the runner numbers the rest.

type More = Record<string, unknown>;

/** A builder's command, typed loosely so a story may also build malformed ones. */
function loose(fields: Record<string, unknown>): Loose {
  return fields;
}

export function holdSeats(holdId: string, buyerId: string, seatIds: string[], more: More = {}): Loose {
  return loose({ type: 'holdSeats', commandId: holdId, buyerId, channel: 'web', seats: seatIds, ...more });
}

/** A hold by seat numbers (positions in layout order from 0), the gateway's compact form. */
export function holdSeatNos(holdId: string, buyerId: string, seatNos: unknown[], more: More = {}): Loose {
  return loose({ type: 'holdSeats', commandId: holdId, buyerId, channel: 'web', seatNos, ...more });
}

export function holdBest(holdId: string, buyerId: string, count: number, more: More = {}): Loose {
  return loose({ type: 'holdBestAvailable', commandId: holdId, buyerId, channel: 'web', count, ...more });
}

export function holdGa(holdId: string, buyerId: string, gaAreaId: string, count: number, more: More = {}): Loose {
  return loose({ type: 'holdGa', commandId: holdId, buyerId, channel: 'web', gaAreaId, count, ...more });
}

export function confirm(holdId: string, buyerId: string, more: More = {}): Loose {
  return loose({ type: 'confirmHold', holdId, buyerId, ...more });
}

export function release(holdId: string, buyerId: string, more: More = {}): Loose {
  return loose({ type: 'releaseHold', holdId, buyerId, ...more });
}

export function createQuota(quotaId: string, channels: string[], policy: string, more: More): Loose {
  return loose({ type: 'createQuota', quotaId, channels, policy, ...more });
}

export function returnQuota(quotaId: string, more: More = {}): Loose {
  return loose({ type: 'returnQuota', quotaId, ...more });
}

export function hardTickets(batchId: string, outlet: string, deliveryNote: string, more: More): Loose {
  return loose({ type: 'issueHardTickets', batchId, outlet, deliveryNote, ...more });
}

export function returnHardTickets(batchId: string, more: More = {}): Loose {
  return loose({ type: 'returnHardTickets', batchId, ...more });
}

export function blockForeign(blockId: string, system: string, more: More): Loose {
  return loose({ type: 'blockForeign', blockId, system, ...more });
}

export function createPresale(code: string, ticketType: string, validFromMs: number, validUntilMs: number, totalMax: number, perBuyerMax: number, more: More = {}): Loose {
  return loose({ type: 'createPresale', code, ticketType, validFromMs, validUntilMs, totalMax, perBuyerMax, ...more });
}

export function editPresale(code: string, more: More): Loose {
  return loose({ type: 'editPresale', code, ...more });
}

export function stopPresale(code: string, more: More = {}): Loose {
  return loose({ type: 'stopPresale', code, ...more });
}

export function scan(ticketId: unknown, more: More = {}): Loose {
  return loose({ type: 'scanTicket', ticketId, ...more });
}

export function voidTicket(ticketId: unknown, more: More = {}): Loose {
  return loose({ type: 'voidTicket', ticketId, ...more });
}

export function voidTickets(ticketIds: unknown, more: More = {}): Loose {
  return loose({ type: 'voidTickets', ticketIds, ...more });
}

let stepsSent = 0;
/**
 * A command id of a step of `productId`'s sagas (stepCommandId's long form): these tests drive
 * a performance as the product's coordinator would, and only its steps void the product's tickets.
 */
export function asStepOf(productId: string): More {
  return { commandId: stepCommandId(productId, 0, ++stepsSent, undefined) };
}

export function tick(more: More = {}): Loose {
  return loose({ type: 'tick', ...more });
}

/**
 * A product coordinator's linkProduct; by default a calculated-price season card whose seats may
 * be listed on the web (band 50-120 %, fee 10 %).
 */
export function linkProduct(productId: string, more: More = {}): Loose {
  return loose({ type: 'linkProduct', productId, kind: 'seasonCard', cardKind: 'calculatedPrice', resale: { minPct: 50, maxPct: 120, feePct: 10, channels: ['web'] }, ...more });
}

export function unlinkProduct(productId: string, more: More = {}): Loose {
  return loose({ type: 'unlinkProduct', productId, ...more });
}

/** A coordinator's step replacing its product's listing channels here; a step of the product unless `more` names another commandId. */
export function setProductResale(productId: string, channels: unknown, more: More = {}): Loose {
  return loose({ type: 'setProductResale', ...asStepOf(productId), productId, channels, ...more });
}

export function setQuotaResale(quotaId: string, channels: unknown, more: More = {}): Loose {
  return loose({ type: 'setQuotaResale', quotaId, channels, ...more });
}

export function listResale(listingId: string, ticketId: string, sellerId: string, priceMinor: number, more: More = {}): Loose {
  return loose({ type: 'listResale', listingId, ticketId, sellerId, channel: 'web', priceMinor, ...more });
}

export function withdrawResale(listingId: string, sellerId: string, more: More = {}): Loose {
  return loose({ type: 'withdrawResale', listingId, sellerId, ...more });
}

export function buyResale(listingId: string, buyerId: string, more: More = {}): Loose {
  return loose({ type: 'buyResale', listingId, buyerId, channel: 'resale', ...more });
}

export function scanHolding(holdingId: unknown, more: More = {}): Loose {
  return loose({ type: 'scanHolding', holdingId, ...more });
}

/**
 * The hall's set-up for products: every channel that sells single tickets opens at OPEN (so a
 * product may be linked before), and the resale channel is enabled.
 */
export function productSpec(spec: PerformanceSpec): void {
  for (const channel of spec.channels) {
    if (channel.kind === 'resale') channel.enabled = true;
    else channel.saleStartMs = OPEN;
  }
}

/** A standing-only venue: one GA area, FLOOR, of the given capacity in zone G. */
export function gaLayout(layoutId: string, capacity: number): Layout {
  return compiled({ layoutId, zones: [{ id: 'G' }], gaAreas: [{ id: 'FLOOR', capacity, zone: 'G' }] });
}
