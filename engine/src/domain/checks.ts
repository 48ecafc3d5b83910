// Small field checks shared by every command handler; each returns a Rejection naming the
// field, or null when the field is good.
import { reject, type Rejection } from './codes.ts';
import { limits } from './limits.ts';

export function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= limits.idLengthMax * 2;
}

export function isInt(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}

export function needId(value: unknown, field: string): Rejection | null {
  return isId(value) ? null : reject('COMMAND_INVALID', field, `${field} must be a non-empty string of at most ${limits.idLengthMax * 2} characters`);
}

export function needInt(value: unknown, field: string, min: number, max: number): Rejection | null {
  return isInt(value, min, max) ? null : reject('COMMAND_INVALID', field, `${field} must be a whole number from ${min} to ${max}`);
}

/** An e-mail address as far as the engine checks one: at most 254 characters (RFC 5321), with an @. */
export function isEmail(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 254 && value.includes('@');
}

/** An optional e-mail address (a buyer's, for the order). */
export function needEmail(value: unknown, field: string): Rejection | null {
  if (value === undefined || isEmail(value)) return null;
  return reject('COMMAND_INVALID', field, `${field} must be an e-mail address`);
}

/** Either a non-empty list of seat ids or a GA area with a count: exactly one of the two. */
export function needSeatsOrPlaces(cmd: { seats?: unknown; gaAreaId?: unknown; count?: unknown }): Rejection | null {
  const hasSeats = cmd.seats !== undefined;
  const hasGa = cmd.gaAreaId !== undefined;
  if (hasSeats && hasGa) return reject('COMMAND_INVALID', 'seats', 'name seats or a GA area, not both');
  if (!hasSeats && !hasGa) return reject('COMMAND_INVALID', 'seats', 'name seats or a GA area with a count');
  if (hasSeats) {
    if (!Array.isArray(cmd.seats) || cmd.seats.length === 0 || cmd.seats.length > limits.seatsPerLayoutMax) return reject('COMMAND_INVALID', 'seats', 'seats must be a non-empty array of seat ids');
    return null;
  }
  return needId(cmd.gaAreaId, 'gaAreaId');
}
