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
}

export interface RecentArrays { sinceMs: number; earlyRotations: number; previous: [string, Remembered][]; current: [string, Remembered][] }

/** Command ids are scoped per performance, as in the domain: two performances may use the same id. */
export function recentKey(performanceId: string, commandId: string): string {
  return `${performanceId}\u0000${commandId}`;
}

export class RecentCommands {
  private current = new Map<string, Remembered>();
  private previous = new Map<string, Remembered>();
  private currentSinceMs = -1;
  /** Rotations forced by the count bound rather than by time. */
  earlyRotations = 0;

  constructor(readonly windowMs: number, readonly entriesMax: number) {}

  get(commandId: string): Remembered | undefined {
    return this.current.get(commandId) ?? this.previous.get(commandId);
  }

  remember(commandId: string, entry: Remembered): void {
    if (this.currentSinceMs < 0) this.currentSinceMs = entry.atMs;
    // Each generation spans windowMs, so an entry is kept between one and two windows.
    if (entry.atMs - this.currentSinceMs >= this.windowMs) this.rotate(entry.atMs);
    else if (this.current.size >= this.entriesMax / 2) {
      this.earlyRotations++;
      this.rotate(entry.atMs);
    }
    this.current.set(commandId, entry);
  }

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
    return { sinceMs: this.currentSinceMs, earlyRotations: this.earlyRotations, previous: [...this.previous], current: [...this.current] };
  }

  static fromArrays(windowMs: number, entriesMax: number, data: RecentArrays): RecentCommands {
    const recent = new RecentCommands(windowMs, entriesMax);
    recent.previous = new Map(data.previous);
    recent.current = new Map(data.current);
    recent.currentSinceMs = data.sinceMs;
    recent.earlyRotations = data.earlyRotations;
    return recent;
  }
}
