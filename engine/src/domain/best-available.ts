// Best-available seat selection. Rows are preferred in layout order (the layout lists
// sections and rows best first). The search relaxes step by step, and stops at the first step
// that finds seats:
//   1. one row, adjacent seats, leaving no single empty seat beside the block;
//   2. one row, adjacent seats, even if a single seat is left;
//   3. one section, the best free seats in it (not adjacent);
//   4. anywhere the filters allow, the best free seats.
// Each step is tried in every pool the channel (or, for a product's hold, the product) may sell
// from before the search relaxes to the next: its quotas first (in the order they were made),
// then the general pool. A hold never mixes pools. Seats a command names in `exceptSeats` are
// passed over as if taken.
import { SeatFlagBit } from './layout.ts';
import { holdMaySell } from './moves.ts';
import { SeatState, type PerformanceState, type ProductLink } from './state.ts';

interface Search {
  s: PerformanceState;
  source: number;
  priceByZone: Int32Array;
  count: number;
  zone: number;
  accessible: boolean;
  rowFrom: number;
  rowTo: number;
  /** Free seats not to take (a holdBestAvailable's `exceptSeats`), or null. */
  except: ReadonlySet<number> | null;
}

export function findBestAvailable(s: PerformanceState, channel: number, product: ProductLink | null, ticketType: number, count: number, zone: number, section: number, accessible: boolean, except: ReadonlySet<number> | null = null): number[] | null {
  const layout = s.layout;
  if (layout.seatCount === 0) return null;
  const rows = layout.rowIds.length;
  while (s.firstFreeRow < rows && s.rowFree[s.firstFreeRow] === 0) s.firstFreeRow++;
  const search: Search = {
    s, source: 0, priceByZone: s.ticketTypes[ticketType].priceByZone, count, zone, accessible,
    rowFrom: Math.max(s.firstFreeRow, section < 0 ? 0 : layout.sectionRowStart[section]),
    rowTo: section < 0 ? layout.rowIds.length : layout.sectionRowStart[section + 1],
    except,
  };
  // Each step over every pool before the next step: a quota's scattered seats, or a block that
  // leaves a single empty seat, are not taken while another pool has a better block.
  const general = holdMaySell(s, channel, product, 0);
  for (let step = 0; step < STEPS; step++) {
    for (let q = 1; q < s.quotas.length; q++) {
      const quota = s.quotas[q];
      if (quota === null || quota.gaArea >= 0 || !holdMaySell(s, channel, product, q)) continue;
      search.source = q;
      const found = searchStep(search, step);
      if (found !== null) return found;
    }
    if (!general) continue;
    search.source = 0;
    const found = searchStep(search, step);
    if (found !== null) return found;
  }
  return null;
}

/** The relaxation steps above, in order. */
const STEPS = 4;

function searchStep(search: Search, step: number): number[] | null {
  switch (step) {
    case 0: return inOneRow(search, true);
    case 1: return inOneRow(search, false);
    case 2: return scattered(search, true);
    default: return scattered(search, false);
  }
}

function matches(search: Search, seat: number): boolean {
  const { s } = search;
  if (s.seatState[seat] !== SeatState.FREE || s.seatSource[seat] !== search.source) return false;
  if (search.except !== null && search.except.has(seat)) return false;
  const zone = s.layout.seatZone[seat];
  if (search.zone >= 0 && zone !== search.zone) return false;
  if (search.accessible && (s.layout.seatFlags[seat] & SeatFlagBit.accessible) === 0) return false;
  return search.priceByZone[zone] >= 0;
}

/** The best row with a block of adjacent matching seats; within it, the block nearest the middle. */
function inOneRow(search: Search, noSingleGap: boolean): number[] | null {
  const { s, count } = search;
  const rowStart = s.layout.rowStart;
  for (let r = search.rowFrom; r < search.rowTo; r++) {
    if (s.rowFree[r] < count) continue;
    const first = rowStart[r];
    const end = rowStart[r + 1];
    // Twice the row's middle, to stay in whole numbers: a block [b, b+count) is centred at
    // (2b + count - 1) / 2.
    const middle2 = first + end - 1;
    let bestStart = -1;
    let bestDistance = Infinity;
    let runStart = -1;
    for (let seat = first; seat <= end; seat++) {
      if (seat < end && matches(search, seat)) {
        if (runStart < 0) runStart = seat;
        continue;
      }
      if (runStart >= 0) {
        // Free seats just outside the run (another zone, pool or price) still count when
        // judging whether a block would leave a single empty seat.
        const leftFree = freeBeside(s, runStart - 1, first, -1);
        const rightFree = freeBeside(s, seat, end, 1);
        const start = placeInRun(runStart, seat - runStart, count, middle2, noSingleGap, leftFree, rightFree);
        if (start >= 0) {
          const distance = Math.abs(2 * start + count - 1 - middle2);
          if (distance < bestDistance) { bestDistance = distance; bestStart = start; }
        }
        runStart = -1;
      }
    }
    if (bestStart >= 0) {
      const seats = new Array<number>(count);
      for (let i = 0; i < count; i++) seats[i] = bestStart + i;
      return seats;
    }
  }
  return null;
}

/** How many free seats (0, 1 or 2 meaning "two or more") stand next to a run, walking by `step`. */
function freeBeside(s: PerformanceState, from: number, limit: number, step: 1 | -1): number {
  let n = 0;
  for (let seat = from; n < 2 && (step > 0 ? seat < limit : seat >= limit); seat += step) {
    if (s.seatState[seat] !== SeatState.FREE) break;
    n++;
  }
  return n;
}

/**
 * Where in a run of `length` matching seats a block of `count` goes, nearest the row's middle;
 * -1 when it does not fit, or (with noSingleGap) when every place would leave exactly one empty
 * seat on a side. `leftFree` / `rightFree` are the free seats just outside the run.
 */
function placeInRun(runStart: number, length: number, count: number, middle2: number, noSingleGap: boolean, leftFree: number, rightFree: number): number {
  const spare = length - count;
  if (spare < 0) return -1;
  const ideal = Math.min(spare, Math.max(0, Math.round((middle2 - count + 1) / 2 - runStart)));
  if (!noSingleGap) return runStart + ideal;
  // Walk outwards from the ideal offset; the first place that leaves no single seat is nearest.
  // The empty seats left beside the block are those of the run plus the free ones beyond it.
  for (let d = 0; d <= spare; d++) {
    const below = ideal - d;
    if (below >= 0 && below + leftFree !== 1 && spare - below + rightFree !== 1) return runStart + below;
    const above = ideal + d;
    if (d > 0 && above <= spare && above + leftFree !== 1 && spare - above + rightFree !== 1) return runStart + above;
  }
  return -1;
}

/** The first `count` matching seats in preference order, in one section or across the range. */
function scattered(search: Search, oneSection: boolean): number[] | null {
  const { s, count } = search;
  const layout = s.layout;
  const seats: number[] = [];
  let section = -1;
  for (let r = search.rowFrom; r < search.rowTo; r++) {
    if (oneSection && layout.rowSection[r] !== section) {
      section = layout.rowSection[r];
      seats.length = 0;
      if (s.sectionFree[section] < count) {
        r = layout.sectionRowStart[section + 1] - 1;
        continue;
      }
    }
    if (s.rowFree[r] === 0) continue;
    for (let seat = layout.rowStart[r]; seat < layout.rowStart[r + 1]; seat++) {
      if (!matches(search, seat)) continue;
      seats.push(seat);
      if (seats.length === count) return seats;
    }
  }
  return null;
}
