// The engine's own memory of command ids, in front of the domain's short per-performance window:
// a retry that arrives minutes later (after JetStream's 2-minute duplicate window, after a
// restart) still gets its first result. Two generations rotated by command time (so replay makes
// the same decisions), bounded by a count: a shard past `entriesMax` rotates early, and the
// window it really keeps is reported (`windowMs`) so the shortening is visible on a dashboard.
import { aligned, bytesOf, grown, hashId, hashUnits, type CommandMemo, type Result } from '../domain/mod.ts';
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
}

/**
 * One generation in a snapshot (shard snapshot version 5), as columns in the order the entries
 * were remembered, each typed column as its bytes (little-endian, as the machine's): the ids'
 * UTF-16 units one after the other and where each ends (Int32), each entry's performance as an
 * index into `performances` (Int32), its time (Float64), and the command and answer of the few
 * entries that keep them. A string or an object per entry cost more to build and pack than the
 * rest of the shard snapshot.
 */
export interface RecentGeneration { units: Uint8Array; ends: Uint8Array; performances: string[]; performance: Uint8Array; atMs: Uint8Array; kept: [number, EngineCommand, Result][] }
/** Version 4: the same, with a string per id and plain arrays. */
export interface RecentGenerationV4 { ids: string[]; performances: string[]; performance: number[]; atMs: number[]; kept: [number, EngineCommand, Result][] }

export interface RecentArrays { sinceMs: number; earlyRotations: number; previous: RecentGeneration | RecentGenerationV4; current: RecentGeneration | RecentGenerationV4 }
/** Shard snapshots of version 3 listed each entry as [id, entry]. */
export interface RecentArraysV3 { sinceMs: number; earlyRotations: number; previous: [string, Remembered][]; current: [string, Remembered][] }

export class RecentCommands {
  private current: IdGeneration;
  private previous: IdGeneration;
  private currentSinceMs = -1;
  /** Rotations forced by the count bound rather than by time. */
  earlyRotations = 0;
  /**
   * One filter per generation: nearly every command is new, and a miss in two large tables
   * (cache misses) cost more than the command's own work. A new id is nearly always turned away
   * by the filters; the tables are asked only when both bits of one filter are set.
   */
  private currentFilter: IdFilter;
  private previousFilter: IdFilter;
  /** Performances by number, as the generations name them; numbers are never reused. */
  private readonly performanceNames: string[] = [];
  private readonly performanceNos = new Map<string, number>();
  private lastPerformance = '';
  private lastPerformanceNo = -1;

  constructor(readonly windowMs: number, readonly entriesMax: number) {
    this.currentFilter = new IdFilter(entriesMax / 2);
    this.previousFilter = new IdFilter(entriesMax / 2);
    this.current = new IdGeneration();
    this.previous = new IdGeneration();
  }

  // Ids are scoped per performance, as in the domain: an entry matches on the id and the
  // performance. `hash` is hashId(commandId): the shard computes it once for the lookup and the
  // remembering.
  get(performanceId: string, commandId: string, hash: number): Remembered | undefined {
    if (!this.currentFilter.has(hash) && !this.previousFilter.has(hash)) return undefined;
    const no = this.performanceNos.get(performanceId);
    if (no === undefined) return undefined;
    for (const g of [this.current, this.previous]) {
      const at = g.find(no, commandId, hash);
      if (at >= 0) {
        const kept = g.kept.get(at);
        return { performanceId, command: kept?.[0] ?? null, result: kept?.[1] ?? null, atMs: g.atMs[at] };
      }
    }
    return undefined;
  }

  private has(performance: number, commandId: string, hash: number): boolean {
    return this.current.find(performance, commandId, hash) >= 0 || this.previous.find(performance, commandId, hash) >= 0;
  }

  /**
   * Reads the words get() reads first for `hash` (domain touch.ts); no effect. Not the current
   * generation's table, which remember() reads: a command the performance answers is not
   * remembered here when it runs (only when its performance lets go of it, in bulk), so that
   * load would be a cache miss per command for nothing.
   */
  touch(hash: number): number {
    return this.currentFilter.touch(hash) ^ this.previousFilter.touch(hash);
  }

  /**
   * Remembers a command that get() did not find: its id, performance and time, and the command
   * with its answer only when given (the few the performance does not answer itself).
   */
  remember(commandId: string, hash: number, performanceId: string, atMs: number, command: EngineCommand | null = null, result: Result | null = null): void {
    this.rotateIfDue(atMs);
    const at = this.current.add(this.performanceNo(performanceId), commandId, hash, atMs);
    if (command !== null && result !== null) this.current.kept.set(at, [command, result]);
    this.currentFilter.add(hash);
  }

  /**
   * Takes over the ids a performance's own memory lets go of (its old generation, entries
   * `firstSeq` to `endSeq - 1` of `memo`), at `atMs`: the time of the command that made it let
   * go, which is when these ids start being kept here, and the latest any of them was applied.
   * Only their ids and that time are kept: the performance answered them.
   */
  rememberDropped(performanceId: string, atMs: number, memo: CommandMemo, firstSeq: number, endSeq: number): void {
    const no = this.performanceNo(performanceId);
    for (let seq = firstSeq; seq < endSeq; seq++) {
      this.rotateIfDue(atMs);
      const hash = memo.hashOfSeq(seq);
      // A saga's step is kept here whole from the start (shard.ts): not a second time without
      // its answer, which a retry could find first. Other ids are told apart by their shape,
      // without reading the filters.
      if (hasStepShape(memo, seq) && (this.currentFilter.has(hash) || this.previousFilter.has(hash)) && this.has(no, memo.idOfSeq(seq), hash)) continue;
      this.current.addFromMemo(no, memo, seq, hash, atMs);
      this.currentFilter.add(hash);
    }
  }

  private rotateIfDue(atMs: number): void {
    if (this.currentSinceMs < 0) this.currentSinceMs = atMs;
    // Each generation spans windowMs, so an entry is kept between one and two windows.
    if (atMs - this.currentSinceMs >= this.windowMs) this.rotate(atMs);
    else if (this.current.count >= this.entriesMax / 2) {
      this.earlyRotations++;
      this.rotate(atMs);
    }
  }

  /** Commands remembered (an id used by several performances counts once for each). */
  get size(): number {
    return this.current.count + this.previous.count;
  }

  /** How far back ids are remembered now, in command time. */
  keptForMs(nowMs: number): number {
    const g = this.previous.count > 0 ? this.previous : this.current;
    return g.count === 0 ? 0 : nowMs - g.atMs[0];
  }

  private performanceNo(performanceId: string): number {
    if (performanceId === this.lastPerformance) return this.lastPerformanceNo;
    let no = this.performanceNos.get(performanceId);
    if (no === undefined) {
      no = this.performanceNames.length;
      this.performanceNames.push(performanceId);
      this.performanceNos.set(performanceId, no);
    }
    this.lastPerformance = performanceId;
    this.lastPerformanceNo = no;
    return no;
  }

  private rotate(nowMs: number): void {
    const old = this.previous;
    this.previous = this.current;
    old.clear();
    this.current = old;
    const filter = this.previousFilter;
    this.previousFilter = this.currentFilter;
    filter.clear();
    this.currentFilter = filter;
    this.currentSinceMs = nowMs;
  }

  /** Plain arrays for a snapshot: both generations as they are, so a restore forgets nothing sooner or later. */
  toArrays(): RecentArrays {
    return {
      sinceMs: this.currentSinceMs, earlyRotations: this.earlyRotations,
      previous: this.previous.toColumns(this.performanceNames), current: this.current.toColumns(this.performanceNames),
    };
  }

  static fromArrays(windowMs: number, entriesMax: number, data: RecentArrays | RecentArraysV3): RecentCommands {
    const recent = new RecentCommands(windowMs, entriesMax);
    const load = (g: RecentGeneration | RecentGenerationV4 | [string, Remembered][], into: IdGeneration, filter: IdFilter): void => {
      if (!Array.isArray(g) && !('ids' in g)) {
        const performances = g.performances.map((id) => recent.performanceNo(id));
        into.load(g, performances, filter);
        return;
      }
      for (const [id, entry] of Array.isArray(g) ? g : entriesOf(g)) {
        const hash = hashId(id);
        const at = into.add(recent.performanceNo(entry.performanceId), id, hash, entry.atMs);
        if (entry.command !== null && entry.result !== null) into.kept.set(at, [entry.command, entry.result]);
        filter.add(hash);
      }
    };
    load(data.previous, recent.previous, recent.previousFilter);
    load(data.current, recent.current, recent.currentFilter);
    recent.currentSinceMs = data.sinceMs;
    recent.earlyRotations = data.earlyRotations;
    return recent;
  }
}

/** Whether the memo's entry `seq` has an id of isStepCommandId's shape (`…/digits/digits`), read from its units. */
function hasStepShape(memo: CommandMemo, seq: number): boolean {
  let i = memo.idLengthOfSeq(seq) - 1;
  for (let part = 0; part < 2; part++) {
    const last = i;
    while (i >= 0 && isDigit(memo.idUnitOfSeq(seq, i))) i--;
    if (i === last || i < 0 || memo.idUnitOfSeq(seq, i) !== 0x2f) return false;
    i--;
  }
  return true;
}

function isDigit(unit: number): boolean {
  return unit >= 0x30 && unit <= 0x39;
}

function entriesOf(g: RecentGenerationV4): [string, Remembered][] {
  const out: [string, Remembered][] = g.ids.map((id, i) => [id, { performanceId: g.performances[g.performance[i]], command: null, result: null, atMs: g.atMs[i] }]);
  for (const [i, command, result] of g.kept) {
    out[i][1].command = command;
    out[i][1].result = result;
  }
  return out;
}

/**
 * One generation of remembered ids, in typed arrays: per entry its hash, performance number,
 * time and where its id's characters lie; the characters in one array; an open-addressing table
 * from hash to entry. Nothing here is a JavaScript object per command: a Map of id strings to an
 * entry object each was a large share of a worker's heap, traced by every collection and copied
 * by every scavenge while young.
 */
class IdGeneration {
  count = 0;
  private hashes = new Int32Array(1_024);
  private performances = new Int32Array(1_024);
  atMs = new Float64Array(1_024);
  /** Entry i's id is chars[i === 0 ? 0 : ends[i - 1] .. ends[i]). */
  private ends = new Int32Array(1_024);
  private chars = new Uint16Array(16 * 1_024);
  /** Entry + 1 per slot (0: empty); at most half full. */
  private slots = new Int32Array(2_048);
  /** The command and answer of the few entries that keep them, by entry. */
  readonly kept = new Map<number, [EngineCommand, Result]>();

  find(performance: number, id: string, hash: number): number {
    const slots = this.slots;
    const mask = slots.length - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const v = slots[i];
      if (v === 0) return -1;
      const at = v - 1;
      if (this.hashes[at] === hash && this.performances[at] === performance && this.idIs(at, id)) return at;
    }
  }

  add(performance: number, id: string, hash: number, atMs: number): number {
    const at = this.count;
    if (at === this.hashes.length) this.growEntries();
    const start = at === 0 ? 0 : this.ends[at - 1];
    if (start + id.length > this.chars.length) this.chars = grown(this.chars, start + id.length);
    for (let i = 0; i < id.length; i++) this.chars[start + i] = id.charCodeAt(i);
    return this.enter(at, start + id.length, performance, hash, atMs);
  }

  /** The same, with the id of the memo's entry `seq` (copied from its units, never made a string). */
  addFromMemo(performance: number, memo: CommandMemo, seq: number, hash: number, atMs: number): number {
    const at = this.count;
    if (at === this.hashes.length) this.growEntries();
    const start = at === 0 ? 0 : this.ends[at - 1];
    const length = memo.idLengthOfSeq(seq);
    if (start + length > this.chars.length) this.chars = grown(this.chars, start + length);
    memo.copyIdOfSeq(seq, this.chars, start);
    return this.enter(at, start + length, performance, hash, atMs);
  }

  private addUnits(performance: number, units: Uint16Array, from: number, to: number, hash: number, atMs: number): number {
    const at = this.count;
    if (at === this.hashes.length) this.growEntries();
    const start = at === 0 ? 0 : this.ends[at - 1];
    if (start + to - from > this.chars.length) this.chars = grown(this.chars, start + to - from);
    this.chars.set(units.subarray(from, to), start);
    return this.enter(at, start + to - from, performance, hash, atMs);
  }

  private enter(at: number, end: number, performance: number, hash: number, atMs: number): number {
    this.ends[at] = end;
    this.hashes[at] = hash;
    this.performances[at] = performance;
    this.atMs[at] = atMs;
    this.count++;
    if (2 * this.count > this.slots.length) this.growSlots();
    else this.place(hash, at);
    return at;
  }

  clear(): void {
    this.count = 0;
    this.slots.fill(0);
    this.kept.clear();
  }

  toColumns(names: readonly string[]): RecentGeneration {
    const n = this.count;
    const performance = new Int32Array(n);
    const performances: string[] = [];
    const numbers = new Map<number, number>();
    for (let at = 0; at < n; at++) {
      let no = numbers.get(this.performances[at]);
      if (no === undefined) {
        no = performances.length;
        numbers.set(this.performances[at], no);
        performances.push(names[this.performances[at]]);
      }
      performance[at] = no;
    }
    const kept: [number, EngineCommand, Result][] = [...this.kept].sort(([a], [b]) => a - b).map(([at, [command, result]]) => [at, command, result]);
    return {
      units: bytesOf(this.chars.slice(0, n === 0 ? 0 : this.ends[n - 1])), ends: bytesOf(this.ends.slice(0, n)), performances, performance: bytesOf(performance),
      atMs: bytesOf(this.atMs.slice(0, n)), kept,
    };
  }

  /** Takes a snapshot's generation (into an empty one); `performances` maps its performance indexes to this memory's numbers. */
  load(g: RecentGeneration, performances: readonly number[], filter: IdFilter): void {
    const chars = aligned(g.units, Uint16Array);
    const ends = aligned(g.ends, Int32Array);
    const performance = aligned(g.performance, Int32Array);
    const atMs = aligned(g.atMs, Float64Array);
    const n = ends.length;
    if (performance.length !== n || atMs.length !== n || (n > 0 && ends[n - 1] !== chars.length)) throw new Error('shard snapshot: recent ids columns of different lengths');
    this.count = 0;
    let start = 0;
    for (let at = 0; at < n; at++) {
      const hash = hashUnits(chars, start, ends[at]);
      this.addUnits(performances[performance[at]], chars, start, ends[at], hash, atMs[at]);
      filter.add(hash);
      start = ends[at];
    }
    for (const [at, command, result] of g.kept) this.kept.set(at, [command, result]);
  }

  private idIs(at: number, id: string): boolean {
    const start = at === 0 ? 0 : this.ends[at - 1];
    if (this.ends[at] - start !== id.length) return false;
    for (let i = 0; i < id.length; i++) if (this.chars[start + i] !== id.charCodeAt(i)) return false;
    return true;
  }

  private place(hash: number, at: number): void {
    const slots = this.slots;
    const mask = slots.length - 1;
    let i = hash & mask;
    while (slots[i] !== 0) i = (i + 1) & mask;
    slots[i] = at + 1;
  }

  private growEntries(): void {
    const n = 2 * this.hashes.length;
    this.hashes = grown(this.hashes, n);
    this.performances = grown(this.performances, n);
    this.atMs = grown(this.atMs, n);
    this.ends = grown(this.ends, n);
  }

  private growSlots(): void {
    this.slots = new Int32Array(2 * this.slots.length);
    for (let at = 0; at < this.count; at++) this.place(this.hashes[at], at);
  }
}

/**
 * A Bloom filter of command ids (two bits per id, sixteen bits or more per id of a full
 * generation: about 1.5 % of new ids pass and are looked up in the map). No false negatives.
 * Blocked: an id's two bits are in one 64-byte block (16 words), so a lookup costs one cache
 * line, not two. The filters of a worker's shards are megabytes, rarely in cache, and every
 * command looks its id up in two of them.
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

  /** The first bit's word: the hash's high bits. */
  private wordA(hash: number): number {
    return hash >>> (32 - this.bits + 5);
  }

  /** The second bit's word: a word of the same block, chosen by `h2` (a second hash of the id). */
  private static wordB(wordA: number, h2: number): number {
    return (wordA & ~15) | (h2 >>> 28);
  }

  has(hash: number): boolean {
    const a = this.wordA(hash);
    const h2 = Math.imul(hash, 0x9e3779b1);
    return (this.words[a] & (1 << (hash & 31))) !== 0 && (this.words[IdFilter.wordB(a, h2)] & (1 << ((h2 >>> 23) & 31))) !== 0;
  }

  /** The block has(hash) and add(hash) read. */
  touch(hash: number): number {
    return this.words[this.wordA(hash)];
  }

  add(hash: number): void {
    const a = this.wordA(hash);
    const h2 = Math.imul(hash, 0x9e3779b1);
    this.words[a] |= 1 << (hash & 31);
    this.words[IdFilter.wordB(a, h2)] |= 1 << ((h2 >>> 23) & 31);
  }

  clear(): void {
    this.words.fill(0);
  }
}
