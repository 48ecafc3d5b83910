// Idempotent retries: a command id seen before returns the first result without applying the
// command again; the same id with another payload is refused. The window is bounded and the
// oldest id is forgotten first (memo.ts). Accepted holdSeats and releaseHold commands are kept
// as numbers and strings rather than objects; a retry of one rebuilds the command and its result
// from them, equal (samePayload) to what was given and answered the first time.
import { reject } from './codes.ts';
import type { Command, HoldSeats } from './commands.ts';
import { BYTES_PER_ENTRY, EntryKind, Fate, HoldFields, SEATS_PER_ENTRY } from './memo.ts';
import { orderAcceptedOf } from './order-view.ts';
import { DONE, type HoldAccepted, type Result } from './results.ts';
import { hashId } from './idindex.ts';
import { BINARY_ID_MARK, parseBinaryHoldId } from './hold-record.ts';
import { quotaIdOf, type Hold, type HoldFate, type PerformanceState } from './state.ts';

/** Structural equality of plain command payloads (JSON-like values, NaN equal to NaN), key order ignored. */
export function samePayload(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // NaN is the one value not equal to itself: a retry that gives it again gives the same payload.
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
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
      // An accepted hold has type, commandId, buyerId, channel and one of seats / seatNos, and
      // may have ticketType, productId and holdingId: with no more fields than those it names,
      // it has nothing else (no presaleCode or field of the caller's).
      const given = holdFieldsOf(command);
      if (fieldCount(command) === 5 + fieldsCounted[given]) {
        keepHold(s, at, command, s.holdTail as Hold, given);
        return;
      }
    } else if (command.type === 'releaseHold' || command.type === 'confirmHold') {
      // type, commandId, holdId and buyerId (a confirm with a buyerEmail is kept as it is).
      if (fieldCount(command) === 4) {
        memo.kinds[at] = command.type === 'releaseHold' ? EntryKind.RELEASE : EntryKind.CONFIRM;
        memo.setStrings(at, command.buyerId, command.holdId);
        // The order just made is the last one.
        if (command.type === 'confirmHold') memo.expiresAtMs[at] = s.orders.length - 1;
        return;
      }
    }
  }
  memo.kinds[at] = EntryKind.OBJECTS;
  memo.setObjects(at, command, result);
}

function holdFieldsOf(command: HoldSeats): number {
  return (command.ticketType !== undefined ? HoldFields.TICKET_TYPE : 0) | (command.productId !== undefined ? HoldFields.PRODUCT_ID : 0) | (command.holdingId !== undefined ? HoldFields.HOLDING_ID : 0);
}

/** How many of the optional fields a HoldFields set names. */
const fieldsCounted = [0, 1, 1, 2, 1, 2, 2, 3];

function keepHold(s: PerformanceState, at: number, command: HoldSeats, hold: Hold, given: number): void {
  const memo = s.dedupe;
  memo.kinds[at] = command.seatNos !== undefined ? EntryKind.HOLD_SEAT_NOS : EntryKind.HOLD_SEAT_IDS;
  memo.setStrings(at, command.buyerId, command.productId ?? null, command.holdingId ?? null);
  memo.expiresAtMs[at] = hold.expiresAtMs;
  const seats = hold.seats;
  const bytes = at * BYTES_PER_ENTRY;
  memo.bytes[bytes] = hold.channel;
  memo.bytes[bytes + 1] = seats.length;
  memo.bytes[bytes + 2] = hold.ticketType;
  memo.bytes[bytes + 3] = s.seatSource[seats[0]];
  memo.bytes[bytes + 4] = given;
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
  if (kind === EntryKind.OBJECTS) {
    const [command, result] = memo.objectsOf(at);
    return [command, result as Result];
  }
  const commandId = memo.idOf(at);
  if (kind === EntryKind.RELEASE) return [{ type: 'releaseHold', commandId, holdId: memo.stringOf(at, 2), buyerId: memo.stringOf(at, 1) }, DONE];
  if (kind === EntryKind.CONFIRM) return [{ type: 'confirmHold', commandId, holdId: memo.stringOf(at, 2), buyerId: memo.stringOf(at, 1) }, orderAcceptedOf(s, s.orders.get(memo.expiresAtMs[at]))];
  const bytes = at * BYTES_PER_ENTRY;
  const count = memo.bytes[bytes + 1];
  const seatNos = Array.from(memo.seats.subarray(at * SEATS_PER_ENTRY, at * SEATS_PER_ENTRY + count));
  const seatIds = seatNos.map((seat) => s.layout.seatIds[seat]);
  const command: Record<string, unknown> = { type: 'holdSeats', commandId, buyerId: memo.stringOf(at, 1), channel: s.channels[memo.bytes[bytes]].id };
  if (kind === EntryKind.HOLD_SEAT_NOS) command.seatNos = seatNos;
  else command.seats = seatIds.slice();
  const given = memo.bytes[bytes + 4];
  if ((given & HoldFields.TICKET_TYPE) !== 0) command.ticketType = s.ticketTypes[memo.bytes[bytes + 2]].id;
  if ((given & HoldFields.PRODUCT_ID) !== 0) command.productId = memo.stringOf(at, 2);
  if ((given & HoldFields.HOLDING_ID) !== 0) command.holdingId = memo.stringOf(at, 3);
  const result: HoldAccepted = {
    ok: true, holdId: commandId, expiresAtMs: memo.expiresAtMs[at], seats: seatIds, gaAreaId: null, count,
    quotaId: quotaIdOf(s, memo.bytes[bytes + 3]), ticketType: s.ticketTypes[memo.bytes[bytes + 2]].id,
  };
  return [command, result];
}

/** Fate numbers (memo.ts) by name. */
const fateNames: readonly (HoldFate | null)[] = [null, 'confirmed', 'released', 'expired'];

/** Whether the performance still remembers the command `commandId` (and so answers a retry of it itself). */
export function remembers(s: PerformanceState, commandId: string): boolean {
  return s.dedupe.find(commandId, hashId(commandId)) >= 0;
}

/** What became of the hold made by the remembered command `id`, or null (no such command, or not closed). */
export function rememberedFate(s: PerformanceState, id: string, hash: number): HoldFate | null {
  if (id.charCodeAt(0) === BINARY_ID_MARK) {
    const named = parseBinaryHoldId(id);
    return named === null ? null : fateNames[s.binaryFates.fateOf(named[1])];
  }
  const at = s.dedupe.find(id, hash);
  // An entry without a fate may be a later command under the hold's id (refused as a reuse),
  // after the hold's own entry was forgotten: the table may still know the hold's fate.
  const fate = at < 0 ? Fate.NONE : s.dedupe.fates[at];
  return fateNames[fate !== Fate.NONE ? fate : s.dedupe.closedFates.fateOf(hash)];
}

/**
 * The remembered commands as columns for a snapshot (version 5), oldest first: raw bytes where
 * they are numbers, the held seats of hold entries one after the other, every entry's strings
 * (its id, then a compact entry's strings) as one run of UTF-16 units with four lengths per
 * entry, and the command and result of the entries kept as objects. A tuple per entry (versions
 * 2 and 3), or a string per id (version 4), cost an object per entry to build and to pack, for
 * tens of thousands of entries per performance and snapshot.
 */
export interface MemoColumns {
  oldSize: number;
  kinds: Uint8Array;
  fates: Uint8Array;
  expiresAtMs: Float64Array;
  bytes: Uint8Array;
  seats: Int32Array;
  units: Uint16Array;
  lengths: Uint16Array;
  /** [entry index, command, result] of each OBJECTS entry. */
  objects: [number, unknown, unknown][];
}

/** Version 4's columns: the same numbers, with the strings and objects as one value per entry. */
export interface MemoColumnsV4 {
  oldSize: number;
  ids: (string | null)[];
  kinds: Uint8Array;
  fates: Uint8Array;
  a: unknown[];
  b: unknown[];
  c: unknown[];
  expiresAtMs: Float64Array;
  bytes: Uint8Array;
  seats: Int32Array;
}

export function memoColumns(s: PerformanceState): MemoColumns {
  const memo = s.dedupe;
  const { units, lengths } = memo.stringColumns();
  const kinds = memo.inOrder(memo.kinds, 1);
  const bytes = memo.inOrder(memo.bytes, BYTES_PER_ENTRY);
  // Held seats of hold entries, one after the other: counted, then copied.
  let seatCount = 0;
  for (let i = 0; i < kinds.length; i++) if (kinds[i] === EntryKind.HOLD_SEAT_NOS || kinds[i] === EntryKind.HOLD_SEAT_IDS) seatCount += bytes[i * BYTES_PER_ENTRY + 1];
  const seats = new Int32Array(seatCount);
  let seat = 0;
  let i = 0;
  for (const at of memo.places()) {
    if (kinds[i] === EntryKind.HOLD_SEAT_NOS || kinds[i] === EntryKind.HOLD_SEAT_IDS) {
      const count = bytes[i * BYTES_PER_ENTRY + 1];
      seats.set(memo.seats.subarray(at * SEATS_PER_ENTRY, at * SEATS_PER_ENTRY + count), seat);
      seat += count;
    }
    i++;
  }
  return {
    oldSize: memo.oldSize, kinds, fates: memo.inOrder(memo.fates, 1), expiresAtMs: memo.inOrder(memo.expiresAtMs, 1), bytes, seats, units, lengths,
    objects: memo.objectColumns(),
  };
}

/** Rebuilds the memory from `memoColumns`. */
export function restoreMemoColumns(s: PerformanceState, cols: MemoColumns): void {
  const memo = s.dedupe;
  memo.reset();
  let seat = 0;
  let unit = 0;
  let object = 0;
  const n = cols.kinds.length;
  for (let i = 0; i < n; i++) {
    if (i === cols.oldSize) memo.startYoung();
    const [at, taken] = memo.pushFromUnits(cols.units, unit, cols.lengths, i);
    unit += taken;
    const kind = cols.kinds[i];
    memo.kinds[at] = kind;
    memo.fates[at] = cols.fates[i];
    memo.expiresAtMs[at] = cols.expiresAtMs[i];
    for (let k = 0; k < BYTES_PER_ENTRY; k++) memo.bytes[at * BYTES_PER_ENTRY + k] = cols.bytes[i * BYTES_PER_ENTRY + k];
    if (kind === EntryKind.OBJECTS) {
      const [index, command, result] = cols.objects[object++];
      if (index !== i) throw new Error(`snapshot memo: entry ${i} is kept as objects, but the next objects are entry ${index}'s`);
      memo.setObjects(at, command, result);
    } else if (kind === EntryKind.HOLD_SEAT_NOS || kind === EntryKind.HOLD_SEAT_IDS) {
      const count = cols.bytes[i * BYTES_PER_ENTRY + 1];
      for (let k = 0; k < count; k++) memo.seats[at * SEATS_PER_ENTRY + k] = cols.seats[seat++];
    }
  }
  if (n === cols.oldSize) memo.startYoung();
  memo.restored();
  if (unit !== cols.units.length || object !== cols.objects.length) throw new Error('snapshot memo: strings or objects left over');
}

/** Rebuilds the memory from version 4's columns. */
export function restoreMemoColumnsV4(s: PerformanceState, cols: MemoColumnsV4): void {
  const memo = s.dedupe;
  memo.reset();
  let seat = 0;
  for (let i = 0; i < cols.ids.length; i++) {
    if (i === cols.oldSize) memo.startYoung();
    const id = cols.ids[i] as string;
    const at = memo.push(id, hashId(id));
    const kind = cols.kinds[i];
    memo.kinds[at] = kind;
    memo.fates[at] = cols.fates[i];
    if (kind === EntryKind.OBJECTS) {
      memo.setObjects(at, cols.a[i] ?? null, cols.b[i] ?? null);
    } else {
      memo.setStrings(at, (cols.a[i] ?? null) as string | null, (cols.b[i] ?? null) as string | null, (cols.c[i] ?? null) as string | null);
    }
    memo.expiresAtMs[at] = cols.expiresAtMs[i];
    for (let k = 0; k < BYTES_PER_ENTRY; k++) memo.bytes[at * BYTES_PER_ENTRY + k] = cols.bytes[i * BYTES_PER_ENTRY + k];
    if (kind === EntryKind.HOLD_SEAT_NOS || kind === EntryKind.HOLD_SEAT_IDS) {
      const count = cols.bytes[i * BYTES_PER_ENTRY + 1];
      for (let k = 0; k < count; k++) memo.seats[at * SEATS_PER_ENTRY + k] = cols.seats[seat++];
    }
  }
  if (cols.ids.length === cols.oldSize) memo.startYoung();
  memo.restored();
}

/** Rebuilds the memory from `memoTuples` (snapshots of versions 2 and 3). */
export function restoreMemo(s: PerformanceState, [old, young]: readonly (readonly unknown[])[][]): void {
  const memo = s.dedupe;
  memo.reset();
  for (const tuple of old) restoreEntry(s, tuple);
  memo.startYoung();
  for (const tuple of young) restoreEntry(s, tuple);
  memo.restored();
}

function restoreEntry(s: PerformanceState, tuple: readonly unknown[]): void {
  const memo = s.dedupe;
  const id = tuple[0] as string;
  const at = memo.push(id, hashId(id));
  const kind = tuple[1] as number;
  memo.kinds[at] = kind;
  memo.fates[at] = tuple[2] as number;
  if (kind === EntryKind.OBJECTS) {
    memo.setObjects(at, tuple[3], tuple[4]);
    return;
  }
  if (kind === EntryKind.RELEASE || kind === EntryKind.CONFIRM) {
    memo.setStrings(at, tuple[3] as string, tuple[4] as string);
    if (kind === EntryKind.CONFIRM) memo.expiresAtMs[at] = tuple[5] as number;
    return;
  }
  const seats = tuple[8] as number[];
  const bytes = at * BYTES_PER_ENTRY;
  memo.expiresAtMs[at] = tuple[4] as number;
  memo.bytes[bytes] = tuple[5] as number;
  memo.bytes[bytes + 1] = seats.length;
  memo.bytes[bytes + 2] = tuple[6] as number;
  memo.bytes[bytes + 3] = tuple[7] as number;
  memo.bytes[bytes + 4] = (tuple[9] as number | undefined) ?? 0;
  memo.setStrings(at, tuple[3] as string, (tuple[10] ?? null) as string | null, (tuple[11] ?? null) as string | null);
  memo.seats.set(seats, at * SEATS_PER_ENTRY);
}
