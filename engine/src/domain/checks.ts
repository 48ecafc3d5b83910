// Small field checks shared by every command handler; each returns a Rejection naming the
// field, or null when the field is good.
import { reject, type Rejection } from './codes.ts';
import { limits } from './limits.ts';

/**
 * A value as a refusal message quotes it: a string as it is, anything else as JSON, cut at
 * limits.shownLengthMax characters. Never throws: `String(x)` and a template literal throw on an
 * object whose toString is not a function (`{"toString":0}` in JSON), on one with no prototype
 * and on a symbol, and a refusal must not become an exception (which rebuilds the actor).
 */
export function shown(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (value === null || (typeof value !== 'object' && typeof value !== 'function')) text = String(value);
  else {
    try {
      text = JSON.stringify(value) ?? typeof value;
    } catch {
      text = Array.isArray(value) ? '(an array)' : '(an object)';
    }
  }
  return text.length > limits.shownLengthMax ? `${text.slice(0, limits.shownLengthMax - 3)}...` : text;
}

/** Node 20 has String.prototype.isWellFormed (ES2024); the project's lib is ES2022. */
const wellFormed = (text: string): boolean => (text as string & { isWellFormed(): boolean }).isWellFormed();

/**
 * Whether a value (not an object) comes back from a snapshot or the journal as it is: text, a
 * finite number, true, false, null or undefined (a field without a value). A symbol, a function
 * or a bigint has no JSON form (an engine.send caller can pass one; nothing off the wire can).
 */
const keptAsIs = (v: unknown): boolean => {
  switch (typeof v) {
    case 'string': return wellFormed(v);
    case 'number': return Number.isFinite(v);
    case 'boolean':
    case 'undefined': return true;
    default: return v === null;
  }
};

/** Whether an object is written as its own fields and read back as the same: a plain one (a Map, a Date or a class's instance is not). */
function plainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The first place in `value` (a command's field path, '' for the command itself) that a
 * performance could not keep exactly, or null. Snapshots and the journal write strings as
 * UTF-8, numbers as msgpack or JSON numbers and objects as maps, so these would come back
 * changed from a restore or a replay: a string with a lone UTF-16 surrogate (UTF-8 has no form
 * for one: it comes back as U+FFFD), a number that is not finite (JSON has none), a field named
 * `__proto__` (which JSON.parse makes an own field, and a decoder cannot) and values nested past
 * limits.commandDepthMax; nor would a value with no JSON form (a symbol, a function, a bigint)
 * or an object other than a plain one or an array (a Map comes back as a plain object, a Date
 * as a string). Typed arrays (a batch's words) are kept as they are.
 */
export function unkeepableAt(value: unknown, depth = 0): string | null {
  if (typeof value !== 'object' || value === null) return keptAsIs(value) ? null : '';
  if (ArrayBuffer.isView(value)) return null;
  if (depth >= limits.commandDepthMax) return '';
  // Strings and numbers, nearly all of a command, are looked at here, without a call each.
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'string' && wellFormed(v)) continue;
      const at = unkeepableAt(v, depth + 1);
      if (at !== null) return `[${i}]${at}`;
    }
    return null;
  }
  if (!plainObject(value)) return '';
  for (const key in value) {
    const v: unknown = (value as Record<string, unknown>)[key];
    if (key === '__proto__' || !wellFormed(key)) return depth === 0 ? key : `.${key}`;
    if (typeof v === 'string' && wellFormed(v)) continue;
    const at = unkeepableAt(v, depth + 1);
    if (at !== null) return `${depth === 0 ? key : `.${key}`}${at}`;
  }
  return null;
}

/** unkeepableAt's finding as the refusal of the command that holds it. */
export function unkeepable(command: object): Rejection | null {
  const at = unkeepableAt(command);
  if (at === null) return null;
  return reject('COMMAND_INVALID', at, `${at === '' ? 'the command' : at} cannot be kept exactly: a string with a lone UTF-16 surrogate, a number that is not finite, a field named __proto__, values nested more than ${limits.commandDepthMax} deep, or a value JSON has no form for (a symbol, a function, a bigint, an object that is not a plain one or an array)`);
}

/**
 * An id: 1 to 128 characters, and not `__proto__`: reports key their lines by ids (a channel's, a
 * quota's...), and a msgpack decoder renames that key (the runtime's answers cross a thread
 * that way), so such a line could not be named (session 30).
 */
export function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= limits.idLengthMax * 2 && value !== '__proto__';
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

/**
 * An object keyed by ids (a report's lines by channel, quota, ticket type, presale code,
 * product): with no prototype, so an id such as `__proto__`, `constructor` or `toString` is a
 * key like any other. On a plain object `__proto__` reached the shared prototype (a
 * salesReport over a channel so named left a field on every object of the worker, and each
 * later command was refused) and the others found a line that was not there (session 30).
 */
export function idTable<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
