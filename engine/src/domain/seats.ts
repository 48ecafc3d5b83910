// Seat id resolution shared by holds, quotas and blocks.
import { Code, codeName, reject, type Rejection } from './codes.ts';
import { isInt, shown } from './checks.ts';
import { limits } from './limits.ts';
import { gaFree } from './moves.ts';
import { GENERAL, quotaIdOf, SeatState, type PerformanceState } from './state.ts';

/** What a seat refusal names besides the seat: the hold's channel, product, ticket type and the layout, by id. */
export interface SeatContext { channel: string; productId: string | null; ticketType: string; layoutId: string }

/**
 * What the refusal of one seat says, by its code: one wording for the seat checks here and in
 * holds.ts, and for a product's courier (products/couriers.ts), which rebuilds the refusal from a
 * batch reply's code and seat position.
 */
export function seatRefusalMessage(code: number, seatId: string, at: SeatContext): string {
  switch (code) {
    case Code.SEAT_UNKNOWN: return `seat ${seatId} is not in layout ${at.layoutId}`;
    case Code.SEATS_DUPLICATED: return `seat ${seatId} is named twice`;
    case Code.SEAT_NOT_IN_CHANNEL: return `seat ${seatId} is not sold on channel ${at.channel}${at.productId === null ? '' : ` for product ${at.productId}`}`;
    case Code.SEAT_NOT_AVAILABLE: return `seat ${seatId} is not free`;
    case Code.TICKET_TYPE_NOT_PRICED_IN_ZONE: return `ticket type ${at.ticketType} has no price in the zone of seat ${seatId}`;
    default: return `seat ${seatId}: ${codeName(code)}`;
  }
}

/** The context of a refusal that names a seat of the layout and nothing else. */
const layoutOnly = (s: PerformanceState): SeatContext => ({ channel: '', productId: null, ticketType: '', layoutId: s.layout.layoutId });

/** Seat ids to indexes, in order; SEAT_UNKNOWN or SEATS_DUPLICATED names the first bad entry. */
export function resolveSeats(s: PerformanceState, ids: readonly unknown[], field: string): number[] | Rejection {
  const out = new Array<number>(ids.length);
  const index = s.layout.seatIndexById;
  // Small lists (holds) are checked pairwise without allocating; large ones (quotas) by a set.
  const seen = ids.length > 16 ? new Set<number>() : null;
  for (let i = 0; i < ids.length; i++) {
    const seat = index.get(ids[i] as string);
    if (seat === undefined) return reject('SEAT_UNKNOWN', `${field}[${i}]`, seatRefusalMessage(Code.SEAT_UNKNOWN, shown(ids[i]), layoutOnly(s)));
    if (seen === null) {
      for (let j = 0; j < i; j++) if (out[j] === seat) return reject('SEATS_DUPLICATED', `${field}[${i}]`, seatRefusalMessage(Code.SEATS_DUPLICATED, shown(ids[i]), layoutOnly(s)));
    } else {
      if (seen.has(seat)) return reject('SEATS_DUPLICATED', `${field}[${i}]`, seatRefusalMessage(Code.SEATS_DUPLICATED, shown(ids[i]), layoutOnly(s)));
      seen.add(seat);
    }
    out[i] = seat;
  }
  return out;
}

/** Seat numbers checked (whole, in the layout, not repeated); the command's own array is kept. */
export function checkSeatNos(s: PerformanceState, seatNos: readonly unknown[]): number[] | Rejection {
  const bad = badSeatNo(s, seatNos);
  if (bad === 0) return seatNos as number[];
  const i = bad >>> 8;
  if ((bad & 0xff) === Code.SEAT_UNKNOWN) return reject('SEAT_UNKNOWN', `seatNos[${i}]`, `seat number ${shown(seatNos[i])} is not in layout ${s.layout.layoutId}`);
  return reject('SEATS_DUPLICATED', `seatNos[${i}]`, `seat number ${shown(seatNos[i])} is named twice`);
}

/**
 * The first of `seatNos` that is not a seat number of the layout (SEAT_UNKNOWN) or repeats an
 * earlier one (SEATS_DUPLICATED), as its position << 8 | the code, or 0 (as holds.ts
 * unsellableSeat: the binary path learns both without a rejection object).
 */
export function badSeatNo(s: PerformanceState, seatNos: readonly unknown[]): number {
  const seatCount = s.layout.seatCount;
  for (let i = 0; i < seatNos.length; i++) {
    const seat = seatNos[i];
    if (typeof seat !== 'number' || !Number.isInteger(seat) || seat < 0 || seat >= seatCount) return (i << 8) | Code.SEAT_UNKNOWN;
    for (let j = 0; j < i; j++) if (seatNos[j] === seat) return (i << 8) | Code.SEATS_DUPLICATED;
  }
  return 0;
}

export function seatIdsOf(s: PerformanceState, seats: readonly number[]): string[] {
  const ids = new Array<string>(seats.length);
  for (let i = 0; i < seats.length; i++) ids[i] = s.layout.seatIds[seats[i]];
  return ids;
}

export type FreeStock = { seats: number[]; gaArea: -1; count: number } | { seats: null; gaArea: number; count: number };

/**
 * Free stock of one pool named by a set-up command (a quota, a hard-ticket batch, a foreign
 * block): seats that must each be in the pool `source` (a quota's: else SEAT_NOT_IN_QUOTA) and
 * free there (else `seatCode`), or a GA area with a count of free places of that pool (else
 * NOT_ENOUGH_PLACES; a quota holding no places in the area has none).
 */
export function freeStock(
  s: PerformanceState, cmd: { seats?: string[]; gaAreaId?: string; count?: number }, source: number, seatCode: 'QUOTA_SEAT_NOT_FREE' | 'SEAT_NOT_AVAILABLE',
): FreeStock | Rejection {
  const pool = source === GENERAL ? 'the general pool' : `quota ${quotaIdOf(s, source) as string}`;
  if (cmd.seats !== undefined) {
    const seats = resolveSeats(s, cmd.seats, 'seats');
    if (!Array.isArray(seats)) return seats;
    for (let i = 0; i < seats.length; i++) {
      const inPool = s.seatSource[seats[i]] === source;
      if (!inPool && source !== GENERAL) return reject('SEAT_NOT_IN_QUOTA', `seats[${i}]`, `seat ${cmd.seats[i]} is not in ${pool}`);
      if (!inPool || s.seatState[seats[i]] !== SeatState.FREE) return reject(seatCode, `seats[${i}]`, `seat ${cmd.seats[i]} is not free in ${pool}`);
    }
    return { seats, gaArea: -1, count: seats.length };
  }
  const area = s.layout.gaIndexById.get(cmd.gaAreaId as string);
  if (area === undefined) return reject('GA_AREA_UNKNOWN', 'gaAreaId', `area ${shown(cmd.gaAreaId)} is not in the layout`);
  if (!isInt(cmd.count, 1, limits.gaCapacityMax)) return reject('COMMAND_INVALID', 'count', 'count must be a whole number of at least 1');
  if (gaFree(s, area, source) < cmd.count) return reject('NOT_ENOUGH_PLACES', 'count', `fewer than ${cmd.count} free places of ${pool} in ${cmd.gaAreaId}`);
  return { seats: null, gaArea: area, count: cmd.count };
}
