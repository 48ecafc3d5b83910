// The one workload every runtime figure runs: holdSeats of 1-4 adjacent seats (by seat number)
// on a stadium performance, then releaseHold of that hold, both with fresh command ids built in
// the loop. Many performances, spread over the shards; a burst goes round them in turn, and each
// hold's release is submitted right behind it (the hold id is the hold command's id), so on every
// performance the commands alternate hold, release, hold, release and never collide.
import { compileLayout, createPerformance, execute, isProductCommand, stadiumLayout, type Layout, type PerformanceState, type Result } from '../../engine/src/domain/mod.ts';
import type { EngineCommand } from '../../engine/src/runtime/mod.ts';
import { shardOf } from '../../engine/src/runtime/mod.ts';
import { ONSALE_AT_MS, stadiumSpec } from '../../engine/src/sim/stadium-onsale.ts';

/** Pre-computed seat groups (seat numbers), cycled; a power of two. */
const groupCount = 1 << 16;
/** Buyers per performance, taken in turn: a buyer has at most one open hold at a time. */
const buyerCount = 4_096;

export interface Groups {
  readonly seatNos: number[][];
}

/** A small seeded generator (xorshift32): the same seats on every run with the same seed. */
export function seeded(seed: number): (n: number) => number {
  let x = (seed >>> 0) || 0x9e3779b9;
  return (n: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

export function compileStadium(): Layout {
  const compiled = compileLayout(stadiumLayout());
  if (!compiled.ok) throw new Error(`stadium layout refused: ${compiled.message}`);
  return compiled.layout;
}

/** Groups of 1-4 adjacent seats in a random row of the layout. */
export function seatGroups(layout: Layout, seed: number): Groups {
  const pick = seeded(seed);
  const rows = layout.rowIds.length;
  const seatNos: number[][] = [];
  while (seatNos.length < groupCount) {
    const row = pick(rows);
    const first = layout.rowStart[row];
    const inRow = layout.rowStart[row + 1] - first;
    const size = Math.min(1 + pick(4), inRow);
    const start = first + pick(inRow - size + 1);
    seatNos.push(Array.from({ length: size }, (_, j) => start + j));
  }
  return { seatNos };
}

/** `perShard` performance ids on every one of `shards` shards (ids `P<n>`, picked by hash). */
export function performancesOnShards(shards: number, perShard: number, only: number | null = null): string[] {
  const count = new Array<number>(shards).fill(0);
  const ids: string[] = [];
  const wanted = only === null ? shards * perShard : perShard;
  for (let n = 0; ids.length < wanted && n < 1_000_000; n++) {
    const id = `P${n}`;
    const shard = shardOf(id, shards);
    if ((only !== null && shard !== only) || count[shard] >= perShard) continue;
    count[shard]++;
    ids.push(id);
  }
  if (ids.length < wanted) throw new Error(`found only ${ids.length} of ${wanted} performance ids for ${shards} shards`);
  return ids;
}

export function openCommand(performanceId: string): EngineCommand {
  return { type: 'openPerformance', commandId: `open-${performanceId}`, venue: 'stadium', spec: stadiumSpec(performanceId) };
}

/** The time given to the first command: the stadium's web sale is open. */
export const startNowMs = ONSALE_AT_MS + 60_000;

/** Fresh ids for the whole process: no id is ever reused, so no run meets another's dedupe entries. */
let idSeq = 0;

/** Emits hold + release pairs in a fixed order over the given performances. */
export class Workload {
  private g = 0;
  private p = 0;
  private b = 0;
  private readonly buyers: string[];
  nowMs = startNowMs;

  constructor(readonly performances: readonly string[], readonly groups: Groups) {
    this.buyers = Array.from({ length: buyerCount }, (_, i) => `B${i}`);
  }

  /** Emits `pairs` hold + release pairs (2 x pairs commands) to `emit`, all at one `nowMs`. */
  burst(pairs: number, emit: (performanceId: string, command: EngineCommand, nowMs: number) => void): number {
    const performances = this.performances;
    const seatNos = this.groups.seatNos;
    const nowMs = this.nowMs++;
    for (let i = 0; i < pairs; i++) {
      const performanceId = performances[this.p];
      this.p = this.p + 1 === performances.length ? 0 : this.p + 1;
      const seats = seatNos[this.g];
      this.g = (this.g + 1) & (groupCount - 1);
      // Buyers advance once per round of the performances, so each performance sees them in turn.
      const buyerId = this.buyers[this.b];
      if (this.p === 0) this.b = this.b + 1 === buyerCount ? 0 : this.b + 1;
      const n = idSeq++;
      const holdId = `h${n}`;
      emit(performanceId, { type: 'holdSeats', commandId: holdId, buyerId, channel: 'web', seatNos: seats }, nowMs);
      emit(performanceId, { type: 'releaseHold', commandId: `r${n}`, holdId, buyerId }, nowMs);
    }
    return 2 * pairs;
  }
}

/** The performances as plain domain states in this thread, for the single-thread baseline. */
export function directStates(layout: Layout, performances: readonly string[]): Map<string, PerformanceState> {
  const states = new Map<string, PerformanceState>();
  for (const id of performances) {
    const created = createPerformance(stadiumSpec(id), layout);
    if (!created.ok) throw new Error(`performance ${id} refused: ${created.name} ${created.message}`);
    states.set(id, created.state);
  }
  return states;
}

/** Applies a command to a direct state; the baseline's `emit`. */
export function executeDirect(states: Map<string, PerformanceState>, performanceId: string, command: EngineCommand, nowMs: number): Result {
  if (command.type === 'openPerformance' || command.type === 'tickDue' || isProductCommand(command)) throw new Error('the baseline runs performance commands only');
  return execute(states.get(performanceId)!, command, nowMs);
}
