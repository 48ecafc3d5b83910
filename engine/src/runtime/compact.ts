// Compact wire forms of the commands and answers that make up nearly all of an on-sale's traffic
// (holds, releases, confirms). msgpackr writes an object as a record: cheap to read, but its
// writer looks every key up again for every object, and on the router's thread that was about
// 40 % of its time (bench/RESULTS.md, session 7). A positional array of the same values is written
// in about half the time by the same library, and read as fast. Only an object with exactly the
// keys of one of these shapes, none of them undefined, is written compactly; anything else
// (optional fields, extra keys, other commands) goes as the object itself, so what is read back
// is always equal to what was written.
import { DONE, type Result, type SagaPending } from '../domain/mod.ts';
import type { EngineCommand } from './wire.ts';

type Obj = Record<string, unknown>;

/** Own enumerable keys of a plain object, counted without allocating. */
function keyCount(o: Obj): number {
  let n = 0;
  for (const _ in o) n++;
  return n;
}

// Tags are part of the journal format (record version 2): never renumber one, only add.
const HOLD_SEAT_NOS = 1;
const HOLD_SEATS = 2;
const RELEASE_HOLD = 3;
const CONFIRM_HOLD = 4;
const CONFIRM_HOLD_EMAIL = 5;
const HOLD_BEST_AVAILABLE = 6;

/**
 * A journal item on the wire: `[actorId, nowMs, command]`, or for a command of a compact shape
 * `[actorId, nowMs, tag, ...its values]`.
 */
export type WireItem = unknown[];

/** The wire form of one journal item. */
export function compactItem(actorId: string, nowMs: number, c: EngineCommand): WireItem {
  const o = c as unknown as Obj;
  switch (c.type) {
    case 'holdSeats':
      if (keyCount(o) === 5 && c.commandId !== undefined && c.buyerId !== undefined && c.channel !== undefined) {
        if (c.seatNos !== undefined) return [actorId, nowMs, HOLD_SEAT_NOS, c.commandId, c.buyerId, c.channel, c.seatNos];
        if (c.seats !== undefined) return [actorId, nowMs, HOLD_SEATS, c.commandId, c.buyerId, c.channel, c.seats];
      }
      break;
    case 'releaseHold':
      if (keyCount(o) === 4 && c.commandId !== undefined && c.holdId !== undefined && c.buyerId !== undefined) {
        return [actorId, nowMs, RELEASE_HOLD, c.commandId, c.holdId, c.buyerId];
      }
      break;
    case 'confirmHold': {
      const n = keyCount(o);
      if (c.commandId !== undefined && c.holdId !== undefined && c.buyerId !== undefined) {
        if (n === 4) return [actorId, nowMs, CONFIRM_HOLD, c.commandId, c.holdId, c.buyerId];
        if (n === 5 && c.buyerEmail !== undefined) return [actorId, nowMs, CONFIRM_HOLD_EMAIL, c.commandId, c.holdId, c.buyerId, c.buyerEmail];
      }
      break;
    }
    case 'holdBestAvailable':
      if (keyCount(o) === 5 && c.commandId !== undefined && c.buyerId !== undefined && c.channel !== undefined && c.count !== undefined) {
        return [actorId, nowMs, HOLD_BEST_AVAILABLE, c.commandId, c.buyerId, c.channel, c.count];
      }
      break;
  }
  return [actorId, nowMs, c];
}

/** The command of a wire item (either form); throws on a tag this version does not know. */
export function expandCommand(x: WireItem): EngineCommand {
  const tag = x[2];
  if (typeof tag !== 'number') return tag as EngineCommand;
  // The values are put back under the keys they were taken from; their types are the domain's
  // to check, as for any command.
  const v = x as never[];
  switch (tag) {
    case HOLD_SEAT_NOS: return { type: 'holdSeats', commandId: v[3], buyerId: v[4], channel: v[5], seatNos: v[6] };
    case HOLD_SEATS: return { type: 'holdSeats', commandId: v[3], buyerId: v[4], channel: v[5], seats: v[6] };
    case RELEASE_HOLD: return { type: 'releaseHold', commandId: v[3], holdId: v[4], buyerId: v[5] };
    case CONFIRM_HOLD: return { type: 'confirmHold', commandId: v[3], holdId: v[4], buyerId: v[5] };
    case CONFIRM_HOLD_EMAIL: return { type: 'confirmHold', commandId: v[3], holdId: v[4], buyerId: v[5], buyerEmail: v[6] };
    case HOLD_BEST_AVAILABLE: return { type: 'holdBestAvailable', commandId: v[3], buyerId: v[4], channel: v[5], count: v[6] };
    default: throw new Error(`journal item with unknown compact tag ${String(tag)}`);
  }
}

// Answers: DONE (`{ ok: true }`) is written as the number 0, an accepted hold as a tagged array.
const DONE_FORM = 0;
const HOLD_ACCEPTED = 1;

/** The wire form of one answer. */
export function compactResult(r: Result | SagaPending): unknown {
  if (r === DONE) return DONE_FORM;
  if (r.ok && 'expiresAtMs' in r && 'holdId' in r && 'seats' in r && 'gaAreaId' in r && 'count' in r && 'quotaId' in r && 'ticketType' in r && keyCount(r as unknown as Obj) === 8) {
    return [HOLD_ACCEPTED, r.holdId, r.expiresAtMs, r.seats, r.gaAreaId, r.count, r.quotaId, r.ticketType];
  }
  return r;
}

/** The answer of a wire form (either form). */
export function expandResult(x: unknown): Result {
  if (x === DONE_FORM) return DONE;
  if (!Array.isArray(x)) return x as Result;
  if (x[0] !== HOLD_ACCEPTED) throw new Error(`answer with unknown compact tag ${String(x[0])}`);
  return { ok: true, holdId: x[1], expiresAtMs: x[2], seats: x[3], gaAreaId: x[4], count: x[5], quotaId: x[6], ticketType: x[7] };
}
