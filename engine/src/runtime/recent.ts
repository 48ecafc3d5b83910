// The engine's own memory of command ids, in front of the domain's short per-performance window:
// a retry that arrives minutes later (after JetStream's 2-minute duplicate window, after a
// restart) still gets its first result. Two generations rotated by command time (so replay makes
// the same decisions), bounded by a count: a shard past `entriesMax` rotates early, and the
// window it really keeps is reported (`windowMs`) so the shortening is visible on a dashboard.
import type { Result } from '../domain/mod.ts';
import type { EngineCommand } from './wire.ts';

export interface Remembered {
  performanceId: string;
  command: EngineCommand;
  result: Result;
  atMs: number;
  /** Another performance's command with the same id (ids are scoped per performance). */
  next?: Remembered | null;
}

export interface RecentArrays { sinceMs: number; earlyRotations: number; previous: [string, Remembered][]; current: [string, Remembered][] }

export class RecentCommands {
  private current = new Map<string, Remembered>();
  private previous = new Map<string, Remembered>();
  private currentSinceMs = -1;
  /** Rotations forced by the count bound rather than by time. */
  earlyRotations = 0;

  constructor(readonly windowMs: number, readonly entriesMax: number) {}

  // Keyed by the command id alone (a flat string whose hash V8 caches), with a short chain for
  // the rare id used by several performances: ids are scoped per performance, as in the domain.
  get(performanceId: string, commandId: string): Remembered | undefined {
    for (let e: Remembered | null | undefined = this.current.get(commandId); e !== undefined && e !== null; e = e.next) if (e.performanceId === performanceId) return e;
    for (let e: Remembered | null | undefined = this.previous.get(commandId); e !== undefined && e !== null; e = e.next) if (e.performanceId === performanceId) return e;
    return undefined;
  }

  /** Remembers a command that get() did not find. */
  remember(commandId: string, entry: Remembered): void {
    if (this.currentSinceMs < 0) this.currentSinceMs = entry.atMs;
    // Each generation spans windowMs, so an entry is kept between one and two windows.
    if (entry.atMs - this.currentSinceMs >= this.windowMs) this.rotate(entry.atMs);
    else if (this.current.size >= this.entriesMax / 2) {
      this.earlyRotations++;
      this.rotate(entry.atMs);
    }
    entry.next = this.current.get(commandId) ?? null;
    this.current.set(commandId, entry);
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
    this.currentSinceMs = nowMs;
  }

  /** Plain arrays for a snapshot: both generations as they are, so a restore forgets nothing sooner or later. */
  toArrays(): RecentArrays {
    return { sinceMs: this.currentSinceMs, earlyRotations: this.earlyRotations, previous: flatten(this.previous), current: flatten(this.current) };
  }

  static fromArrays(windowMs: number, entriesMax: number, data: RecentArrays): RecentCommands {
    const recent = new RecentCommands(windowMs, entriesMax);
    for (const [id, entry] of data.previous) chain(recent.previous, id, entry);
    for (const [id, entry] of data.current) chain(recent.current, id, entry);
    recent.currentSinceMs = data.sinceMs;
    recent.earlyRotations = data.earlyRotations;
    return recent;
  }
}

function flatten(generation: Map<string, Remembered>): [string, Remembered][] {
  const out: [string, Remembered][] = [];
  for (const [id, head] of generation) {
    for (let e: Remembered | null | undefined = head; e !== undefined && e !== null; e = e.next) {
      out.push([id, { performanceId: e.performanceId, command: e.command, result: e.result, atMs: e.atMs }]);
    }
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
