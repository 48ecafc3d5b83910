// A best-available hold that passes over named seats (`exceptSeats`). A product coordinator
// sends it when it retries a same-seat purchase: the seats best available gave it first were
// taken on another of the product's performances, and the same search would give them again.
// Everything else (the checks, the search, the hold) is holdBestAvailable's own; the seats to
// skip reach the search through the state, for the length of this one command only.
import type { HoldBestAvailable } from './commands.ts';
import { reject, type Rejection } from './codes.ts';
import { holdBestAvailable } from './holds.ts';
import { limits } from './limits.ts';
import type { HoldAccepted } from './results.ts';
import { resolveSeats } from './seats.ts';
import type { PerformanceState } from './state.ts';

/** Checks `exceptSeats` (1 to exceptSeatsMax seat ids of the layout, none twice), then holds as holdBestAvailable does. */
export function holdBestAvailableExcept(s: PerformanceState, cmd: HoldBestAvailable, hash: number, nowMs: number): HoldAccepted | Rejection {
  const named = cmd.exceptSeats as unknown;
  if (!Array.isArray(named) || named.length === 0 || named.length > limits.exceptSeatsMax) {
    return reject('COMMAND_INVALID', 'exceptSeats', `exceptSeats must be an array of 1 to ${limits.exceptSeatsMax} seat ids`);
  }
  const seats = resolveSeats(s, named, 'exceptSeats');
  if (!Array.isArray(seats)) return seats;
  s.bestAvailableExcept = new Set(seats);
  try {
    return holdBestAvailable(s, cmd, hash, nowMs);
  } finally {
    // A thrown invariant makes the runtime rebuild the actor; a returned result must not leave
    // the exclusion behind for the next command either way.
    s.bestAvailableExcept = null;
  }
}
