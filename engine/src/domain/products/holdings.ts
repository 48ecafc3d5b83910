// A sold holding's performances, tickets and prices as three flat lists (holding ids, state.ts),
// and the operations on them: a holding is replaced, never changed in place, so the retry memory
// keeps the holding as it was sold, and its result (the parts, one object per performance) is
// made only when asked. Replacing keeps the order a Map keyed by performance had: a part replaced
// stays where it was, a new one comes last. Snapshots still write the two entry lists (tickets,
// paidMinor) the holding had as Maps.
import { assert } from '../assert.ts';
import type { Result } from '../results.ts';
import type { Holding, HoldingPart, ProductState } from './state.ts';

export interface HoldingResult {
  ok: true;
  productId: string;
  holdingId: string;
  buyerId: string;
  seats: string[] | null;
  performances: HoldingPart[];
  totalMinor: number;
}

/** The part in the key order results have always listed: performanceId, tickets, paidMinor. */
export function partFor(performanceId: string, tickets: string[], paidMinor: number): HoldingPart {
  return { performanceId, tickets, paidMinor };
}

/**
 * A holding of these parts. Every part has `quantity` tickets (one per card or subscription
 * bought together, on each performance). Holdings of a product mostly cover the same
 * performances: `shared`, when it lists the same ones, is kept instead of a new list.
 */
export function holdingOf(base: Omit<Holding, 'performanceIds' | 'tickets' | 'paidMinor'>, parts: readonly HoldingPart[], shared: readonly string[] | null): Holding {
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
    tickets, paidMinor: parts.map((p) => p.paidMinor), soldAtMs: base.soldAtMs, renewedFrom: base.renewedFrom,
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

/** The holding without the performance's part. */
export function withoutPart(h: Holding, performanceId: string): Holding {
  return holdingOf(h, partsOf(h).filter((p) => p.performanceId !== performanceId), null);
}

export function paidTotalMinor(h: Holding): number {
  let totalMinor = 0;
  for (const paid of h.paidMinor) totalMinor += paid;
  return totalMinor;
}

export function holdingResult(s: ProductState, h: Holding): HoldingResult {
  return { ok: true, productId: s.productId, holdingId: h.holdingId, buyerId: h.buyerId, seats: h.seats, performances: partsOf(h), totalMinor: paidTotalMinor(h) };
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
