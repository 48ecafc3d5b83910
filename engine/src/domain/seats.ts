// Seat id resolution shared by holds, quotas and blocks.
import { reject, type Rejection } from './codes.ts';
import type { PerformanceState } from './state.ts';

/** Seat ids to indexes, in order; SEAT_UNKNOWN or SEATS_DUPLICATED names the first bad entry. */
export function resolveSeats(s: PerformanceState, ids: readonly unknown[], field: string): number[] | Rejection {
  const out = new Array<number>(ids.length);
  const index = s.layout.seatIndexById;
  // Small lists (holds) are checked pairwise without allocating; large ones (quotas) by a set.
  const seen = ids.length > 16 ? new Set<number>() : null;
  for (let i = 0; i < ids.length; i++) {
    const seat = index.get(ids[i] as string);
    if (seat === undefined) return reject('SEAT_UNKNOWN', `${field}[${i}]`, `seat ${String(ids[i])} is not in layout ${s.layout.layoutId}`);
    if (seen === null) {
      for (let j = 0; j < i; j++) if (out[j] === seat) return reject('SEATS_DUPLICATED', `${field}[${i}]`, `seat ${String(ids[i])} is named twice`);
    } else {
      if (seen.has(seat)) return reject('SEATS_DUPLICATED', `${field}[${i}]`, `seat ${String(ids[i])} is named twice`);
      seen.add(seat);
    }
    out[i] = seat;
  }
  return out;
}

/** Seat numbers checked (whole, in the layout, not repeated); the command's own array is kept. */
export function checkSeatNos(s: PerformanceState, seatNos: readonly unknown[]): number[] | Rejection {
  const seatCount = s.layout.seatCount;
  for (let i = 0; i < seatNos.length; i++) {
    const seat = seatNos[i];
    if (typeof seat !== 'number' || !Number.isInteger(seat) || seat < 0 || seat >= seatCount) {
      return reject('SEAT_UNKNOWN', `seatNos[${i}]`, `seat number ${String(seat)} is not in layout ${s.layout.layoutId}`);
    }
    for (let j = 0; j < i; j++) if (seatNos[j] === seat) return reject('SEATS_DUPLICATED', `seatNos[${i}]`, `seat number ${seat} is named twice`);
  }
  return seatNos as number[];
}

export function seatIdsOf(s: PerformanceState, seats: readonly number[]): string[] {
  const ids = new Array<string>(seats.length);
  for (let i = 0; i < seats.length; i++) ids[i] = s.layout.seatIds[seats[i]];
  return ids;
}
