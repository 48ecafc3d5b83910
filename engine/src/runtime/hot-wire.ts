// The binary part of journal records (version 4) and of a worker's answers: the commands and
// answers of compact.ts's shapes, written byte by byte (bytes.ts) instead of value by value by
// msgpackr. On the cross-thread path msgpackr's writing and reading of those values was about a
// quarter of a command's CPU (bench/RESULTS.md, session 14). The record itself stays a msgpack
// map; what does not fit a shape exactly (another command, a string with a character above 0x7f
// or longer than 255, a number that is not an Int32, keys in another order) goes in the map's
// `cold` list in its version 3 form, so every command still reads back exactly as it was given.
import { DONE, type Result, type SagaPending } from '../domain/mod.ts';
import { ByteReader, ByteWriter, isInt32 } from './bytes.ts';
import { shapesByTag, shapesByType, ValueKind } from './compact.ts';
import type { EngineCommand } from './wire.ts';

/** Array values longer than this go cold (their length is two bytes). */
const arrayMax = 0xffff;
/** A record's actors are numbered in two bytes. */
const actorsMax = 0xffff;

// Module-local names for the tables: read through an import binding in the hot loops, they made
// writing and reading a third slower (under tsx these modules run as CommonJS, where reading an
// import is a call to a getter).
const byType = shapesByType;
const byTag = shapesByTag;
const { Str, Int, Ints, Strs } = ValueKind;

const writer = new ByteWriter();

/** The writer for one record or answer list: the same buffer each time (one thread, never nested). */
export function startWriting(): ByteWriter {
  writer.pos = 0;
  return writer;
}

function writeInts(w: ByteWriter, a: unknown): boolean {
  if (!Array.isArray(a) || a.length > arrayMax) return false;
  const n = a.length;
  w.ensure(2 + 4 * n);
  const buf = w.buf;
  let p = w.pos;
  buf[p] = n & 0xff;
  buf[p + 1] = n >>> 8;
  p += 2;
  // Little-endian by hand: a typed array's store keeps the low byte.
  for (let i = 0; i < n; i++) {
    const v: unknown = a[i];
    if (!isInt32(v)) return false;
    buf[p] = v;
    buf[p + 1] = v >> 8;
    buf[p + 2] = v >> 16;
    buf[p + 3] = v >> 24;
    p += 4;
  }
  w.pos = p;
  return true;
}

function writeStrs(w: ByteWriter, a: unknown): boolean {
  if (!Array.isArray(a) || a.length > arrayMax) return false;
  w.u16(a.length);
  for (let i = 0; i < a.length; i++) if (!w.ascii(a[i])) return false;
  return true;
}

function writeValue(w: ByteWriter, kind: number, v: unknown): boolean {
  switch (kind) {
    case Str: return w.ascii(v);
    case Int:
      if (!isInt32(v)) return false;
      w.i32(v);
      return true;
    case Ints: return writeInts(w, v);
    case Strs: return writeStrs(w, v);
    default: return false;
  }
}

/**
 * `command` as tag, actor number, time difference and values, if its own enumerable keys are
 * exactly `type` then one shape's keys, in that order, each value of its kind. Otherwise nothing
 * is left written and the answer is false.
 */
export function writeHotCommand(w: ByteWriter, command: object, actorNo: number, dt: number): boolean {
  const start = w.pos;
  if (actorNo > actorsMax || !isInt32(dt)) return false;
  const candidates = byType.get((command as { type?: unknown }).type as string);
  if (candidates === undefined) return false;
  const o = command as Record<string, unknown>;
  for (let c = 0; c < candidates.length; c++) {
    const shape = candidates[c];
    const kinds = shape.kinds;
    w.pos = start;
    w.u8(shape.tag);
    w.u16(actorNo);
    w.i32(dt);
    const keys = shape.keys;
    let i = -1;
    let fits = true;
    for (const k in o) {
      if (i === -1) {
        if (k !== 'type') { fits = false; break; }
      } else if (i >= keys.length || k !== keys[i] || !writeValue(w, kinds[i], o[k])) {
        fits = false;
        break;
      }
      i++;
    }
    if (fits && i === keys.length) return true;
  }
  w.pos = start;
  return false;
}

/** Values are read into this array at the places compact.ts's makers read them (3 on). */
const scratch: unknown[] = [];

function readInts(r: ByteReader): number[] {
  const n = r.u16();
  const b = r.buf;
  let p = r.pos;
  if (p + 4 * n > b.length) throw new Error('binary wire part ends early');
  const a = new Array<number>(n);
  for (let i = 0; i < n; i++, p += 4) a[i] = b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
  r.pos = p;
  return a;
}

function readStrs(r: ByteReader): string[] {
  const n = r.u16();
  const a = new Array<string>(n);
  for (let i = 0; i < n; i++) a[i] = r.ascii();
  return a;
}

/** Reads one hot command after its tag: [actorId, nowMs, command], its actor looked up in `actors` and its time added to `atMs`. */
export function readHotCommand(r: ByteReader, tag: number, atMs: number, actors: readonly unknown[]): [string, number, EngineCommand] {
  const shape = byTag[tag];
  if (shape === undefined) throw new Error(`journal item with unknown binary tag ${tag}`);
  const actorNo = r.u16();
  if (actorNo >= actors.length) throw new Error(`journal item names actor ${actorNo} of ${actors.length}`);
  const dt = r.i32();
  const kinds = shape.kinds;
  for (let i = 0; i < kinds.length; i++) {
    switch (kinds[i]) {
      case Str: scratch[3 + i] = r.ascii(); break;
      case Int: scratch[3 + i] = r.i32(); break;
      case Ints: scratch[3 + i] = readInts(r); break;
      case Strs: scratch[3 + i] = readStrs(r); break;
    }
  }
  // scratch is not cut back (setting an array's length is a slow call): a maker reads only its own places.
  const command = shape.make(scratch as never[]);
  return [actors[actorNo] as string, atMs + dt, command];
}

// ---------------------------------------------------------------------------------------------
// Answers. Each is one byte of kind, then its values: DONE is the kind alone, an accepted hold
// (keys in the domain's order, strings ASCII) its values, anything else the next entry of the
// answers' `cold` list, written by msgpackr as it is.

const AnswerKind = { Done: 0, Hold: 1, Cold: 2 } as const;
/** Flags of an accepted hold. */
const HOLD_ID_IS_COMMAND_ID = 1;
const NO_GA_AREA = 2;
const NO_QUOTA = 4;
const holdKeys = ['ok', 'holdId', 'expiresAtMs', 'seats', 'gaAreaId', 'count', 'quotaId', 'ticketType'];

function writeHold(w: ByteWriter, r: Result, commandId: string | undefined): boolean {
  const o = r as unknown as Record<string, unknown>;
  let i = 0;
  for (const k in o) {
    if (i >= holdKeys.length || k !== holdKeys[i]) return false;
    i++;
  }
  if (i !== holdKeys.length || o.ok !== true || typeof o.expiresAtMs !== 'number' || !isInt32(o.count)) return false;
  const { holdId, gaAreaId, quotaId } = o;
  const flags = (holdId === commandId ? HOLD_ID_IS_COMMAND_ID : 0) | (gaAreaId === null ? NO_GA_AREA : 0) | (quotaId === null ? NO_QUOTA : 0);
  w.u8(AnswerKind.Hold);
  w.u8(flags);
  if ((flags & HOLD_ID_IS_COMMAND_ID) === 0 && !w.ascii(holdId)) return false;
  w.f64(o.expiresAtMs);
  if (!writeStrs(w, o.seats)) return false;
  if ((flags & NO_GA_AREA) === 0 && !w.ascii(gaAreaId)) return false;
  w.i32(o.count);
  if ((flags & NO_QUOTA) === 0 && !w.ascii(quotaId)) return false;
  return w.ascii(o.ticketType);
}

/**
 * A batch's answers: `hot` bytes and the `cold` ones. `commandIdOf(i)`: the id of the command
 * answered by `results[i]`, so that a hold named by its command's id (nearly all) is not written
 * twice; the reader is given the same ids.
 */
export function writeAnswers(results: readonly (Result | SagaPending)[], commandIdOf: (i: number) => string | undefined): { hot: Uint8Array; cold: unknown[] } {
  const w = startWriting();
  const cold: unknown[] = [];
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    if (r === DONE) {
      w.u8(AnswerKind.Done);
      continue;
    }
    const start = w.pos;
    if (r.ok && 'expiresAtMs' in r && writeHold(w, r, commandIdOf(i))) continue;
    w.pos = start;
    w.u8(AnswerKind.Cold);
    cold.push(r);
  }
  return { hot: w.buf.subarray(0, w.pos), cold };
}

export function readAnswers(hot: Uint8Array, cold: readonly unknown[], commandIdOf: (i: number) => string | undefined): Result[] {
  const r = new ByteReader(hot);
  const out: Result[] = [];
  let c = 0;
  while (!r.done) {
    const kind = r.u8();
    if (kind === AnswerKind.Done) out.push(DONE);
    else if (kind === AnswerKind.Cold) {
      if (c >= cold.length) throw new Error('answers: fewer cold answers than their bytes name');
      out.push(cold[c++] as Result);
    } else if (kind === AnswerKind.Hold) {
      const flags = r.u8();
      let holdId: string;
      if ((flags & HOLD_ID_IS_COMMAND_ID) !== 0) {
        const id = commandIdOf(out.length);
        if (id === undefined) throw new Error(`answer ${out.length} names its command's id, which the reader was not given`);
        holdId = id;
      } else holdId = r.ascii();
      const expiresAtMs = r.f64();
      const seats = readStrs(r);
      const gaAreaId = (flags & NO_GA_AREA) !== 0 ? null : r.ascii();
      const count = r.i32();
      const quotaId = (flags & NO_QUOTA) !== 0 ? null : r.ascii();
      const ticketType = r.ascii();
      out.push({ ok: true, holdId, expiresAtMs, seats, gaAreaId, count, quotaId, ticketType });
    } else throw new Error(`answer with unknown binary kind ${kind}`);
  }
  if (c !== cold.length) throw new Error('answers: more cold answers than their bytes name');
  return out;
}
