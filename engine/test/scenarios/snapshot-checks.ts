// The snapshot properties the runtime's recovery relies on, checked on a journal (a scenario
// table) at every point of it: a snapshot decodes to a sound state that encodes to the same bytes,
// and a performance resumed from it and fed the rest of the journal answers and ends like the
// one that saw the whole journal.
import { expect } from 'vitest';
import {
  auditPerformance, decodeSnapshot, encodeSnapshot, execute, stateHash, type Command, type Layout, type PerformanceState, type Result,
} from '../../src/domain/mod.ts';
import type { Step } from './helpers.ts';

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/** Runs journal lines [from, to) with execute alone (the table runner audits each line). */
export function replay(state: PerformanceState, journal: readonly Step[], from: number, to: number): Result[] {
  const results: Result[] = [];
  for (let i = from; i < to; i++) results.push(execute(state, journal[i].cmd as Command, journal[i].at));
  return results;
}

/** encode -> decode -> encode gives the same bytes and an audited state after every line; `also` checks more. */
export function expectRoundTrips(journal: readonly Step[], fresh: () => PerformanceState, layout: Layout, also?: (decoded: PerformanceState, original: PerformanceState, k: number) => void): void {
  for (let k = 0; k <= journal.length; k++) {
    const state = fresh();
    replay(state, journal, 0, k);
    const bytes = encodeSnapshot(state);
    const decoded = decodeSnapshot(bytes, layout);
    expect(auditPerformance(decoded), `after ${k} lines`).toEqual([]);
    expect(same(encodeSnapshot(decoded), bytes), `after ${k} lines`).toBe(true);
    expect(stateHash(decoded)).toBe(stateHash(state));
    also?.(decoded, state, k);
  }
}

/** Resumed from a snapshot after every line, the rest of the journal gives the full run's results and bytes. */
export function expectResumes(journal: readonly Step[], fresh: () => PerformanceState, layout: Layout): void {
  const full = fresh();
  const fullResults = replay(full, journal, 0, journal.length);
  const fullBytes = encodeSnapshot(full);
  for (let k = 0; k <= journal.length; k++) {
    const first = fresh();
    replay(first, journal, 0, k);
    const resumed = decodeSnapshot(encodeSnapshot(first), layout);
    const rest = replay(resumed, journal, k, journal.length);
    expect(rest, `resumed after ${k} lines`).toEqual(fullResults.slice(k));
    expect(auditPerformance(resumed)).toEqual([]);
    expect(same(encodeSnapshot(resumed), fullBytes), `resumed after ${k} lines`).toBe(true);
  }
}
