// Idempotent retries: a command id seen before returns the first result without applying the
// command again; the same id with another payload is refused. The window is bounded and the
// oldest id is forgotten first (memo.ts). Accepted holdSeats and releaseHold commands are kept
// as numbers and strings rather than objects; a retry of one rebuilds the command and its result
// from them, equal (samePayload) to what was given and answered the first time.
import { reject } from './codes.ts';
import type { Command, HoldSeats } from './commands.ts';
import { BYTES_PER_ENTRY, EntryKind, SEATS_PER_ENTRY } from './memo.ts';
import { DONE, type HoldAccepted, type Result } from './results.ts';
import { hashId } from './idindex.ts';
import type { Hold, HoldFate, PerformanceState } from './state.ts';

/** Structural equality of plain command payloads (JSON-like values), key order ignored. */
export function samePayload(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    if (a.length !== other.length) return false;
    for (let i = 0; i < a.length; i++) if (!samePayload(a[i], other[i])) return false;
    return true;
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left).filter((k) => left[k] !== undefined);
  if (keys.length !== Object.keys(right).filter((k) => right[k] !== undefined).length) return false;
  for (const key of keys) if (!samePayload(left[key], right[key])) return false;
  return true;
}

/**
 * How many fields a command has. One that has only the fields the compact form rebuilds, each with
 * a value, can be kept compact; one with any other field (even one without a value) is kept as it
 * is. (Counting keys without reading their values is the cheaper test, and stays exact.)
 */
function fieldCount(command: object): number {
  let n = 0;
  for (const _ in command) n++;
  return n;
}

/** Remembers a command that ran, with its result, under its id (whose hash is `hash`). */
export function remember(s: PerformanceState, command: Command, hash: number, result: Result): void {
  const memo = s.dedupe;
  const at = memo.push(command.commandId, hash);
  if (result.ok) {
    if (command.type === 'holdSeats') {
      // An accepted hold has type, commandId, buyerId, channel and one of seats / seatNos: with
      // five fields it has nothing else (no ticketType, presaleCode or field of the caller's).
      if (fieldCount(command) === 5) {
        keepHold(s, at, command, s.holdTail as Hold);
        return;
      }
    } else if (command.type === 'releaseHold') {
      // type, commandId, holdId and buyerId.
      if (fieldCount(command) === 4) {
        memo.kinds[at] = EntryKind.RELEASE;
        memo.a[at] = command.buyerId;
        memo.b[at] = command.holdId;
        return;
      }
    }
  }
  memo.kinds[at] = EntryKind.OBJECTS;
  memo.a[at] = command;
  memo.b[at] = result;
}

function keepHold(s: PerformanceState, at: number, command: HoldSeats, hold: Hold): void {
  const memo = s.dedupe;
  memo.kinds[at] = command.seatNos !== undefined ? EntryKind.HOLD_SEAT_NOS : EntryKind.HOLD_SEAT_IDS;
  memo.a[at] = command.buyerId;
  memo.b[at] = null;
  memo.expiresAtMs[at] = hold.expiresAtMs;
  const seats = hold.seats;
  const bytes = at * BYTES_PER_ENTRY;
  memo.bytes[bytes] = hold.channel;
  memo.bytes[bytes + 1] = seats.length;
  memo.bytes[bytes + 2] = hold.ticketType;
  memo.bytes[bytes + 3] = s.seatSource[seats[0]];
  const base = at * SEATS_PER_ENTRY;
  for (let i = 0; i < seats.length; i++) memo.seats[base + i] = seats[i];
}

/** The answer to a command whose id is remembered at `at`: the first result, or COMMAND_ID_REUSED. */
export function answerRetry(s: PerformanceState, at: number, command: Command): Result {
  const [first, result] = rebuild(s, at);
  return samePayload(first, command) ? result : reject('COMMAND_ID_REUSED', 'commandId', `command id ${command.commandId} was used for another command`);
}

/** The command and result remembered at `at`, as they were given and answered. */
export function rebuild(s: PerformanceState, at: number): [unknown, Result] {
  const memo = s.dedupe;
  const kind = memo.kinds[at];
  const commandId = memo.ids[at] as string;
  if (kind === EntryKind.OBJECTS) return [memo.a[at], memo.b[at] as Result];
  if (kind === EntryKind.RELEASE) return [{ type: 'releaseHold', commandId, holdId: memo.b[at], buyerId: memo.a[at] }, DONE];
  const bytes = at * BYTES_PER_ENTRY;
  const count = memo.bytes[bytes + 1];
  const seatNos = Array.from(memo.seats.subarray(at * SEATS_PER_ENTRY, at * SEATS_PER_ENTRY + count));
  const seatIds = seatNos.map((seat) => s.layout.seatIds[seat]);
  const command: Record<string, unknown> = { type: 'holdSeats', commandId, buyerId: memo.a[at], channel: s.channels[memo.bytes[bytes]].id };
  if (kind === EntryKind.HOLD_SEAT_NOS) command.seatNos = seatNos;
  else command.seats = seatIds.slice();
  const result: HoldAccepted = {
    ok: true, holdId: commandId, expiresAtMs: memo.expiresAtMs[at], seats: seatIds, gaAreaId: null, count,
    quotaId: s.quotas[memo.bytes[bytes + 3]]?.quotaId ?? null, ticketType: s.ticketTypes[memo.bytes[bytes + 2]].id,
  };
  return [command, result];
}

/** Fate numbers (memo.ts) by name. */
const fateNames: readonly (HoldFate | null)[] = [null, 'confirmed', 'released', 'expired'];

/** What became of the hold made by the remembered command `id`, or null (no such command, or not closed). */
export function rememberedFate(s: PerformanceState, id: string, hash: number): HoldFate | null {
  const at = s.dedupe.find(id, hash);
  return at < 0 ? null : fateNames[s.dedupe.fates[at]];
}

/** The remembered commands as plain tuples for a snapshot: the old generation, then the young one, oldest first. */
export function memoTuples(s: PerformanceState): [unknown[], unknown[]] {
  const memo = s.dedupe;
  const old: unknown[] = [];
  const young: unknown[] = [];
  let k = 0;
  for (const at of memo.places()) (k++ < memo.oldSize ? old : young).push(entryTuple(s, at));
  return [old, young];
}

function entryTuple(s: PerformanceState, at: number): unknown[] {
  const memo = s.dedupe;
  const kind = memo.kinds[at];
  if (kind === EntryKind.OBJECTS || kind === EntryKind.RELEASE) return [memo.ids[at], kind, memo.fates[at], memo.a[at], memo.b[at]];
  const bytes = at * BYTES_PER_ENTRY;
  const seats = Array.from(memo.seats.subarray(at * SEATS_PER_ENTRY, at * SEATS_PER_ENTRY + memo.bytes[bytes + 1]));
  return [memo.ids[at], kind, memo.fates[at], memo.a[at], memo.expiresAtMs[at], memo.bytes[bytes], memo.bytes[bytes + 2], memo.bytes[bytes + 3], seats];
}

/** Rebuilds the memory from `memoTuples`. */
export function restoreMemo(s: PerformanceState, [old, young]: readonly (readonly unknown[])[][]): void {
  const memo = s.dedupe;
  memo.reset();
  for (const tuple of old) restoreEntry(s, tuple);
  memo.startYoung();
  for (const tuple of young) restoreEntry(s, tuple);
}

function restoreEntry(s: PerformanceState, tuple: readonly unknown[]): void {
  const memo = s.dedupe;
  const id = tuple[0] as string;
  const at = memo.push(id, hashId(id));
  const kind = tuple[1] as number;
  memo.kinds[at] = kind;
  memo.fates[at] = tuple[2] as number;
  memo.a[at] = tuple[3];
  if (kind === EntryKind.OBJECTS || kind === EntryKind.RELEASE) {
    memo.b[at] = tuple[4];
    return;
  }
  const seats = tuple[8] as number[];
  const bytes = at * BYTES_PER_ENTRY;
  memo.expiresAtMs[at] = tuple[4] as number;
  memo.bytes[bytes] = tuple[5] as number;
  memo.bytes[bytes + 1] = seats.length;
  memo.bytes[bytes + 2] = tuple[6] as number;
  memo.bytes[bytes + 3] = tuple[7] as number;
  memo.seats.set(seats, at * SEATS_PER_ENTRY);
}
