// A sold holding's performances, tickets and prices as three flat lists (holding ids, state.ts),
// and the operations on them: a holding is replaced, never changed in place, so the retry memory
// keeps the holding as it was sold, and its result (the parts, one object per performance) is
// made only when asked. Replacing keeps the order a Map keyed by performance had: a part replaced
// stays where it was, a new one comes last. Snapshots still write the two entry lists (tickets,
// paidMinor) the holding had as Maps.
import { assert } from '../assert.ts';
import type { Result } from '../results.ts';
import type { Payout, ProductPerformance } from './commands.ts';
import type { BookedRevenue, Holding, HoldingPart, ProductState } from './state.ts';

export interface HoldingResult {
  ok: true;
  productId: string;
  holdingId: string;
  buyerId: string;
  /** The ticket type it was sold at (Holding.ticketType): what next season's renewal maps from. */
  ticketType: string;
  seats: string[] | null;
  performances: HoldingPart[];
  totalMinor: number;
  /** On an exchangePerformance's answer only: the swap and the price difference the box office settles (new minus old; negative: owed to the holder). */
  exchange?: ExchangeDifference;
}

export interface ExchangeDifference { fromPerformanceId: string; toPerformanceId: string; oldPaidMinor: number; newPaidMinor: number; differenceMinor: number }

/** The part in the key order results have always listed: performanceId, tickets, paidMinor. */
export function partFor(performanceId: string, tickets: string[], paidMinor: number): HoldingPart {
  return { performanceId, tickets, paidMinor };
}

/**
 * A holding of these parts. Every part has `quantity` tickets (one per card or subscription
 * bought together, on each performance). Holdings of a product mostly cover the same
 * performances: `shared`, when it lists the same ones, is kept instead of a new list.
 */
export function holdingOf(base: Omit<Holding, 'performanceIds' | 'tickets' | 'paidMinor' | 'saleParts' | 'revenue' | 'refundedAtMs'> & Partial<Pick<Holding, 'saleParts' | 'revenue' | 'refundedAtMs'>>, parts: readonly HoldingPart[], shared: readonly string[] | null): Holding {
  const performanceIds = parts.map((p) => p.performanceId);
  // Sized once: the holding keeps it for good, and one grown by push keeps spare room.
  const tickets = new Array<string>(parts.length * base.quantity);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p.tickets.length !== base.quantity) assert(false, `holding ${base.holdingId}: ${p.tickets.length} tickets on ${p.performanceId}, not ${base.quantity}`);
    for (let j = 0; j < base.quantity; j++) tickets[i * base.quantity + j] = p.tickets[j];
  }
  return {
    holdingId: base.holdingId, buyerId: base.buyerId, quantity: base.quantity, seats: base.seats,
    performanceIds: shared !== null && sameIds(shared, performanceIds) ? shared : performanceIds,
    tickets, paidMinor: parts.map((p) => p.paidMinor), soldAtMs: base.soldAtMs, renewedFrom: base.renewedFrom, ticketType: base.ticketType,
    // A new sale pays for all its parts and books what the sale says.
    saleParts: base.saleParts ?? parts.length, revenue: base.revenue ?? null, refundedAtMs: base.refundedAtMs ?? null,
  };
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The holding's parts, fresh objects. */
export function partsOf(h: Holding): HoldingPart[] {
  return h.performanceIds.map((p, i) => partFor(p, h.tickets.slice(i * h.quantity, (i + 1) * h.quantity), h.paidMinor[i]));
}

/** The ticket ids on one performance; undefined when the holding has none there. */
export function ticketsOn(h: Holding, performanceId: string): string[] | undefined {
  const i = h.performanceIds.indexOf(performanceId);
  return i < 0 ? undefined : h.tickets.slice(i * h.quantity, (i + 1) * h.quantity);
}

/** The holding with `part` in place of the same performance's, or last. */
export function withPart(h: Holding, part: HoldingPart): Holding {
  const parts = partsOf(h);
  const at = parts.findIndex((p) => p.performanceId === part.performanceId);
  if (at >= 0) parts[at] = part;
  else parts.push(part);
  return holdingOf(h, parts, null);
}

/** Splits `total` into `n` parts that differ by at most one minor unit and sum to it exactly. */
export function splitEvenly(total: number, n: number): number[] {
  const base = Math.floor(total / n);
  const parts = new Array<number>(n).fill(base);
  for (let i = 0; i < total - base * n; i++) parts[i]++;
  return parts;
}

/** When each performance ends: an afterEach payout pays a performance's share then. */
export type EndsAt = ReadonlyMap<string, number>;

/** The product's performances' ends, those open to exchanges included. */
export function endsAtOf(s: ProductState): EndsAt {
  return new Map(knownPerformances(s).map((p) => [p.performanceId, p.endsAtMs]));
}

/** The product's performances, then those outside it open to exchanges: every one a holding may have a part on. */
export function knownPerformances(s: ProductState): ProductPerformance[] {
  return s.performances.concat(s.def.exchangeable ?? []);
}

/**
 * The card revenue the holding books, line by line. Until its first exchange it is the sale's,
 * derived here, not kept: each part's price at the sale (continuous), or the sale's total split
 * evenly over the parts it paid for, each share payable when its performance ends (afterEach).
 * A part linked later was paid nothing and books 0: the shares the sale made stand.
 */
export function bookedRevenue(h: Holding, payout: Payout | undefined, endsAt: EndsAt): BookedRevenue {
  if (h.revenue !== null) return h.revenue;
  const n = h.performanceIds.length;
  const amountMinor = h.paidMinor.slice();
  const payableAtMs = new Array<number>(n);
  if (payout === 'afterEach') {
    let saleTotalMinor = 0;
    for (let i = 0; i < h.saleParts; i++) saleTotalMinor += h.paidMinor[i];
    const shares = splitEvenly(saleTotalMinor, h.saleParts);
    for (let i = 0; i < h.saleParts; i++) amountMinor[i] = shares[i];
  }
  for (let i = 0; i < n; i++) payableAtMs[i] = payout === 'afterEach' ? endsAt.get(h.performanceIds[i]) ?? 0 : h.soldAtMs;
  return { performanceIds: h.performanceIds, amountMinor, payableAtMs, exchanges: 0 };
}

/**
 * The holding once an exchange at `nowMs` gave up `fromPerformanceId` for the part `to`. Its
 * revenue gets two lines and loses none: the reversal of what the old performance had booked,
 * and the new performance's booking, which is that amount plus the price difference (the
 * difference is settled at the box office). Continuous payout books both at the exchange;
 * afterEach at each performance's end, both still to come (only unplayed performances are
 * exchanged). So nothing payable before the exchange changes. With afterEach the new share is
 * negative when the refund is larger than the old share: the organizer gives it back then.
 */
export function exchangedHolding(h: Holding, fromPerformanceId: string, to: HoldingPart, payout: Payout | undefined, endsAt: EndsAt, nowMs: number): Holding {
  const booked = bookedRevenue(h, payout, endsAt);
  let netMinor = 0;
  for (let i = 0; i < booked.performanceIds.length; i++) if (booked.performanceIds[i] === fromPerformanceId) netMinor += booked.amountMinor[i];
  const paidFromMinor = h.paidMinor[h.performanceIds.indexOf(fromPerformanceId)];
  const at = (performanceId: string) => (payout === 'afterEach' ? endsAt.get(performanceId) ?? 0 : nowMs);
  const revenue: BookedRevenue = {
    performanceIds: [...booked.performanceIds, fromPerformanceId, to.performanceId],
    amountMinor: [...booked.amountMinor, 0 - netMinor, netMinor + to.paidMinor - paidFromMinor],
    payableAtMs: [...booked.payableAtMs, at(fromPerformanceId), at(to.performanceId)],
    exchanges: booked.exchanges + 1,
  };
  const parts = partsOf(h).filter((p) => p.performanceId !== fromPerformanceId);
  parts.push(to);
  return holdingOf({ ...h, revenue }, parts, null);
}

/**
 * The holding once a refund at `nowMs` took back its parts on `refunded` (performance ids). Its
 * revenue gets one line per part and loses none: minus what the holding paid for that part, so
 * what it books adds up to what it paid less what was refunded (what the holder gets back is
 * what it paid for those performances). Continuous payout books the line at the refund, which
 * leaves the performance at 0 as its tickets are void. afterEach books it at the performance's
 * end, still to come (only unplayed parts are refunded), where the sale's share was: that share
 * and the line cancel when the share was the part's price, and otherwise leave the difference
 * there (the shares of the performances played were paid out, and stand), as an exchange
 * settles a price difference at the new performance's end. Nothing payable before it changes.
 */
export function refundedHolding(h: Holding, refunded: readonly string[], payout: Payout | undefined, endsAt: EndsAt, nowMs: number): Holding {
  const booked = bookedRevenue(h, payout, endsAt);
  const performanceIds = [...booked.performanceIds];
  const amountMinor = [...booked.amountMinor];
  const payableAtMs = [...booked.payableAtMs];
  for (const p of refunded) {
    performanceIds.push(p);
    amountMinor.push(0 - h.paidMinor[h.performanceIds.indexOf(p)]);
    payableAtMs.push(payout === 'afterEach' ? endsAt.get(p) ?? 0 : nowMs);
  }
  const revenue: BookedRevenue = { performanceIds, amountMinor, payableAtMs, exchanges: booked.exchanges };
  const parts = partsOf(h).filter((p) => !refunded.includes(p.performanceId));
  return holdingOf({ ...h, revenue, refundedAtMs: h.refundedAtMs ?? nowMs }, parts, null);
}

/** What the holding paid for the parts on `performanceIds`: what a refund of them gives back. */
export function paidForMinor(h: Holding, performanceIds: readonly string[]): number {
  let totalMinor = 0;
  for (const p of performanceIds) totalMinor += h.paidMinor[h.performanceIds.indexOf(p)];
  return totalMinor;
}

export function paidTotalMinor(h: Holding): number {
  let totalMinor = 0;
  for (const paid of h.paidMinor) totalMinor += paid;
  return totalMinor;
}

export function holdingResult(s: ProductState, h: Holding): HoldingResult {
  return { ok: true, productId: s.productId, holdingId: h.holdingId, buyerId: h.buyerId, ticketType: h.ticketType, seats: h.seats, performances: partsOf(h), totalMinor: paidTotalMinor(h) };
}

/** A finished saga's outcome as answered: a sale keeps its holding, made into the result here. */
export function outcomeResult(s: ProductState, outcome: Result | Holding): Result {
  return 'ok' in outcome ? outcome : (holdingResult(s, outcome) as unknown as Result);
}

/** The two entry lists a snapshot has (ticket ids, then paid, per performance). */
export function partsToPlain(parts: readonly HoldingPart[]): { tickets: [string, string[]][]; paidMinor: [string, number][] } {
  return { tickets: parts.map((p) => [p.performanceId, p.tickets]), paidMinor: parts.map((p) => [p.performanceId, p.paidMinor]) };
}

/** Parts from a snapshot's entry lists, in the order of its ticket entries. */
export function partsFromPlain(tickets: [string, string[]][], paidMinor: [string, number][]): HoldingPart[] {
  const paid = new Map(paidMinor);
  return tickets.map(([performanceId, ids]) => partFor(performanceId, ids, paid.get(performanceId) ?? 0));
}
