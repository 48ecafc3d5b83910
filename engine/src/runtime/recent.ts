// The engine's own memory of command ids, in front of the domain's short per-performance window:
// a retry that arrives minutes later (after JetStream's 2-minute duplicate window, after a
// restart) still gets its first result. Two generations rotated by command time (so replay makes
// the same decisions), bounded by a count: a shard past `entriesMax` rotates early, and the
// window it really keeps is reported (`windowMs`) so the shortening is visible on a dashboard.
import { hashId, type Result } from '../domain/mod.ts';
import type { EngineCommand } from './wire.ts';

export interface Remembered {
  performanceId: string;
  /**
   * The command and its answer; both null when the performance's state machine answered it: the
   * performance remembers those itself (domain dedupe), and the shard answers a retry through it.
   */
  command: EngineCommand | null;
  result: Result | null;
  atMs: number;
  /** Another performance's command with the same id (ids are scoped per performance). */
  next?: Remembered | null;
}

/**
 * One generation in a snapshot, as columns in the order the entries are chained (heads first):
 * the ids, each entry's performance as an index into `performances`, its time, and the command and
 * answer of the few entries that keep them. An object per entry cost more to build and pack than
 * the rest of the shard snapshot.
 */
export interface RecentGeneration { ids: string[]; performances: string[]; performance: number[]; atMs: number[]; kept: [number, EngineCommand, Result][] }

export interface RecentArrays { sinceMs: number; earlyRotations: number; previous: RecentGeneration; current: RecentGeneration }
/** Shard snapshots of version 3 listed each entry as [id, entry]. */
export interface RecentArraysV3 { sinceMs: number; earlyRotations: number; previous: [string, Remembered][]; current: [string, Remembered][] }

export class RecentCommands {
  private current = new Map<string, Remembered>();
  private previous = new Map<string, Remembered>();
  private currentSinceMs = -1;
  /** Rotations forced by the count bound rather than by time. */
  earlyRotations = 0;
  /**
   * One filter per generation: nearly every command is new, and a miss in two large maps (cache
   * misses, the string's hash) cost more than the command's own work. A new id is nearly always
   * turned away by the filters; the maps are asked only when both bits of one filter are set.
   */
  private currentFilter: IdFilter;
  private previousFilter: IdFilter;

  constructor(readonly windowMs: number, readonly entriesMax: number) {
    this.currentFilter = new IdFilter(entriesMax / 2);
    this.previousFilter = new IdFilter(entriesMax / 2);
  }

  // Keyed by the command id alone (a flat string whose hash V8 caches), with a short chain for
  // the rare id used by several performances: ids are scoped per performance, as in the domain.
  // `hash` is hashId(commandId): the shard computes it once for the lookup and the remembering.
  get(performanceId: string, commandId: string, hash: number): Remembered | undefined {
    if (!this.currentFilter.has(hash) && !this.previousFilter.has(hash)) return undefined;
    for (let e: Remembered | null | undefined = this.current.get(commandId); e !== undefined && e !== null; e = e.next) if (e.performanceId === performanceId) return e;
    for (let e: Remembered | null | undefined = this.previous.get(commandId); e !== undefined && e !== null; e = e.next) if (e.performanceId === performanceId) return e;
    return undefined;
  }

  /** Remembers a command that get() did not find. */
  remember(commandId: string, hash: number, entry: Remembered): void {
    if (this.currentSinceMs < 0) this.currentSinceMs = entry.atMs;
    // Each generation spans windowMs, so an entry is kept between one and two windows.
    if (entry.atMs - this.currentSinceMs >= this.windowMs) this.rotate(entry.atMs);
    else if (this.current.size >= this.entriesMax / 2) {
      this.earlyRotations++;
      this.rotate(entry.atMs);
    }
    // Another performance's entry under the same id is chained (rare: the filter says when to look).
    entry.next = this.currentFilter.has(hash) ? this.current.get(commandId) ?? null : null;
    this.current.set(commandId, entry);
    this.currentFilter.add(hash);
  }

  /** Command ids remembered (an id shared by several performances counts once). */
  get size(): number {
    return this.current.size + this.previous.size;
  }

  /** How far back ids are remembered now, in command time. */
  keptForMs(nowMs: number): number {
    const oldest = this.previous.size > 0 ? this.previous.values().next().value : this.current.values().next().value;
    return oldest === undefined ? 0 : nowMs - oldest.atMs;
  }

  private rotate(nowMs: number): void {
    this.previous = this.current;
    this.current = new Map();
    const filter = this.previousFilter;
    this.previousFilter = this.currentFilter;
    filter.clear();
    this.currentFilter = filter;
    this.currentSinceMs = nowMs;
  }

  /** Plain arrays for a snapshot: both generations as they are, so a restore forgets nothing sooner or later. */
  toArrays(): RecentArrays {
    return { sinceMs: this.currentSinceMs, earlyRotations: this.earlyRotations, previous: flatten(this.previous), current: flatten(this.current) };
  }

  static fromArrays(windowMs: number, entriesMax: number, data: RecentArrays | RecentArraysV3): RecentCommands {
    const recent = new RecentCommands(windowMs, entriesMax);
    const previous = Array.isArray(data.previous) ? data.previous : entriesOf(data.previous);
    const current = Array.isArray(data.current) ? data.current : entriesOf(data.current as RecentGeneration);
    for (const [id, entry] of previous) {
      chain(recent.previous, id, entry);
      recent.previousFilter.add(hashId(id));
    }
    for (const [id, entry] of current) {
      chain(recent.current, id, entry);
      recent.currentFilter.add(hashId(id));
    }
    recent.currentSinceMs = data.sinceMs;
    recent.earlyRotations = data.earlyRotations;
    return recent;
  }
}

function flatten(generation: Map<string, Remembered>): RecentGeneration {
  const out: RecentGeneration = { ids: [], performances: [], performance: [], atMs: [], kept: [] };
  const numbers = new Map<string, number>();
  for (const [id, head] of generation) {
    for (let e: Remembered | null | undefined = head; e !== undefined && e !== null; e = e.next) {
      let no = numbers.get(e.performanceId);
      if (no === undefined) {
        no = out.performances.length;
        numbers.set(e.performanceId, no);
        out.performances.push(e.performanceId);
      }
      if (e.result !== null) out.kept.push([out.ids.length, e.command as EngineCommand, e.result]);
      out.ids.push(id);
      out.performance.push(no);
      out.atMs.push(e.atMs);
    }
  }
  return out;
}

function entriesOf(g: RecentGeneration): [string, Remembered][] {
  const out: [string, Remembered][] = g.ids.map((id, i) => [id, { performanceId: g.performances[g.performance[i]], command: null, result: null, atMs: g.atMs[i] }]);
  for (const [i, command, result] of g.kept) {
    out[i][1].command = command;
    out[i][1].result = result;
  }
  return out;
}

/** Rebuilds a chain in its original order (flatten lists heads first). */
function chain(generation: Map<string, Remembered>, id: string, entry: Remembered): void {
  entry.next = null;
  const head = generation.get(id);
  if (head === undefined) {
    generation.set(id, entry);
    return;
  }
  let tail = head;
  while (tail.next !== undefined && tail.next !== null) tail = tail.next;
  tail.next = entry;
}

/**
 * A Bloom filter of command ids (two bits per id, sixteen bits or more per id of a full
 * generation: about 1 % of new ids pass and are looked up in the map). No false negatives.
 */
class IdFilter {
  private readonly words: Uint32Array;
  private readonly bits: number;

  constructor(idsMax: number) {
    let bits = 10;
    while (2 ** bits < 16 * idsMax && bits < 24) bits++;
    this.bits = bits;
    this.words = new Uint32Array(2 ** (bits - 5));
  }

  has(hash: number): boolean {
    const a = hash >>> (32 - this.bits);
    const b = Math.imul(hash, 0x9e3779b1) >>> (32 - this.bits);
    return (this.words[a >>> 5] & (1 << (a & 31))) !== 0 && (this.words[b >>> 5] & (1 << (b & 31))) !== 0;
  }

  add(hash: number): void {
    const a = hash >>> (32 - this.bits);
    const b = Math.imul(hash, 0x9e3779b1) >>> (32 - this.bits);
    this.words[a >>> 5] |= 1 << (a & 31);
    this.words[b >>> 5] |= 1 << (b & 31);
  }

  clear(): void {
    this.words.fill(0);
  }
}
