// The only code that changes a seat's or a GA place's state or source. Every counter
// (per source, per GA area, per row and section, totals) is kept in step here, so the rest of
// the domain cannot forget one.
import { assert } from './assert.ts';
import { GENERAL, SOURCES, STATES, SeatState, type PerformanceState, type ProductLink } from './state.ts';

export function moveSeat(s: PerformanceState, seat: number, to: number, holder: number): void {
  const from = s.seatState[seat];
  const base = s.seatSource[seat] * STATES;
  s.counts[base + from]--;
  s.counts[base + to]++;
  s.totals[from]--;
  s.totals[to]++;
  if (from === SeatState.FREE || to === SeatState.FREE) {
    const row = s.layout.seatRow[seat];
    const delta = to === SeatState.FREE ? 1 : -1;
    s.rowFree[row] += delta;
    if (delta > 0 && row < s.firstFreeRow) s.firstFreeRow = row;
    s.sectionFree[s.layout.rowSection[row]] += delta;
  }
  s.seatState[seat] = to;
  s.seatHolder[seat] = holder;
}

/**
 * A held or sold seat comes free: back in its pool, or in the general pool when its pool is a
 * closed quota (a renewal reservation after its window: nothing sells from it any more).
 */
export function freeSeat(s: PerformanceState, seat: number): void {
  moveSeat(s, seat, SeatState.FREE, 0);
  const source = s.seatSource[seat];
  if (source !== GENERAL && s.quotas[source]?.closed === true) moveSeatSource(s, seat, GENERAL);
}

/** `count` held or sold GA places of `source` come free, as freeSeat does for a seat. */
export function freeGa(s: PerformanceState, area: number, source: number, from: number, count: number): void {
  moveGa(s, area, source, from, SeatState.FREE, count);
  if (source !== GENERAL && s.quotas[source]?.closed === true) moveGaSource(s, area, source, GENERAL, count);
}

/** A sold seat changes hands (resale): it stays sold, in its pool, to another ticket. */
export function moveSeatTicket(s: PerformanceState, seat: number, ticketNo: number): void {
  s.seatHolder[seat] = ticketNo + 1;
}

export function moveGa(s: PerformanceState, area: number, source: number, from: number, to: number, count: number): void {
  const base = (area * SOURCES + source) * STATES;
  s.gaCounts[base + from] -= count;
  s.gaCounts[base + to] += count;
  s.counts[source * STATES + from] -= count;
  s.counts[source * STATES + to] += count;
  s.totals[from] -= count;
  s.totals[to] += count;
}

/** Moves a free seat from one pool to another (quota creation and return). */
export function moveSeatSource(s: PerformanceState, seat: number, toSource: number): void {
  const fromSource = s.seatSource[seat];
  s.counts[fromSource * STATES + SeatState.FREE]--;
  s.capacityBySource[fromSource]--;
  s.counts[toSource * STATES + SeatState.FREE]++;
  s.capacityBySource[toSource]++;
  s.seatSource[seat] = toSource;
}

export function moveGaSource(s: PerformanceState, area: number, fromSource: number, toSource: number, count: number): void {
  s.gaCounts[(area * SOURCES + fromSource) * STATES + SeatState.FREE] -= count;
  s.gaCounts[(area * SOURCES + toSource) * STATES + SeatState.FREE] += count;
  s.counts[fromSource * STATES + SeatState.FREE] -= count;
  s.capacityBySource[fromSource] -= count;
  s.counts[toSource * STATES + SeatState.FREE] += count;
  s.capacityBySource[toSource] += count;
}

export function gaFree(s: PerformanceState, area: number, source: number): number {
  return s.gaCounts[(area * SOURCES + source) * STATES + SeatState.FREE];
}

/**
 * Whether a channel may sell from a pool: none for a resale channel (it sells the exchange's
 * listings only; a quota names it to authorize its seats' resale, DOMAIN §6, not to sell them
 * fresh there); else the general pool unless it sells only from its quotas, and a quota that
 * names it, unless the quota is a product's allocation (only that product's holds draw on those).
 */
export function channelMaySell(s: PerformanceState, channel: number, source: number): boolean {
  if (s.channels[channel].kind === 'resale') return false;
  if (source === 0) return !s.channels[channel].onlyQuota;
  const quota = s.quotas[source];
  return quota !== null && quota !== undefined && quota.productId === null && quota.channels.includes(channel);
}

/** Whether a product's hold may take from a pool: its own allocations, and the general pool unless one of them is `onlyQuota`. */
export function productMaySell(s: PerformanceState, product: ProductLink, source: number): boolean {
  if (source === 0) return !product.onlyQuota;
  const quota = s.quotas[source];
  return quota !== null && quota !== undefined && quota.productId === product.productId;
}

/** Whether a hold may take from a pool: a product's hold by its product's pools, any other by its channel's. */
export function holdMaySell(s: PerformanceState, channel: number, product: ProductLink | null, source: number): boolean {
  return product === null ? channelMaySell(s, channel, source) : productMaySell(s, product, source);
}

/**
 * The cheap half of the invariant pair, after every command: free + held + sold + blocked =
 * capacity over the whole performance. The auditor (audit.ts) recomputes every counter from the
 * per-seat arrays and is the other half.
 */
export function assertBalanced(s: PerformanceState): void {
  const t = s.totals;
  assert(t[0] >= 0 && t[1] >= 0 && t[2] >= 0 && t[3] >= 0, 'a state count went negative');
  assert(t[0] + t[1] + t[2] + t[3] === s.layout.capacity, 'free + held + sold + blocked != capacity');
}
