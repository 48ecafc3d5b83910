// The shard reads a record's dedupe words ahead of applying its commands (shard.ts readAhead,
// domain touch.ts). Reading ahead must change nothing: a record applied whole gives the same
// answers, states and remembered ids as the same commands applied one at a time, whatever sits
// in a read-ahead chunk (a performance opened in the middle of one, a retry inside the chunk that
// holds the first try, commands that are not objects, ticks, unknown performances).
import { describe, expect, it } from 'vitest';
import { createPerformance, compileLayout, hashId, stateHash as domainStateHash, theatreLayout, touch, execute } from '../../src/domain/mod.ts';
import { Shard, VenueCatalog, type EngineCommand, type JournalItem } from '../../src/runtime/mod.ts';
import { confirm, hold, holdBest, open, release, specFor, stall, T0 } from './helpers.ts';

function shard(): Shard {
  return new Shard({ shard: 0, venues: new VenueCatalog(), dedupeWindowMs: 600_000, dedupeEntriesMax: 1_000 });
}

/** About 60 items, so they span four read-ahead chunks with every odd case inside one. */
function items(): JournalItem[] {
  const out: JournalItem[] = [];
  let t = T0;
  const push = (pid: string, command: unknown): void => void out.push([pid, t++, command as EngineCommand]);
  push('RA-1', open('RA-1'));
  for (let i = 1; i <= 6; i++) push('RA-1', hold(`a-h${i}`, `b${i}`, [stall('A', i)]));
  // A second performance opened in the middle of a chunk, used at once.
  push('RA-2', open('RA-2'));
  push('RA-2', hold('b-h1', 'b1', [stall('B', 1)]));
  push('RA-2', holdBest('b-h2', 'b2', 3));
  // Retries inside the same chunk as their first try: same payload, then another payload.
  push('RA-1', hold('a-h6', 'b6', [stall('A', 6)]));
  push('RA-1', hold('a-h6', 'b6', [stall('A', 7)]));
  // Not commands, a tick, an unknown performance.
  push('RA-1', null);
  push('RA-1', { type: 'holdSeats', commandId: 42 });
  push('RA-1', { type: 'tick', commandId: 'tick-1' });
  push('RA-9', hold('z-h1', 'b1', [stall('C', 1)]));
  for (let i = 1; i <= 6; i++) push('RA-1', i % 2 === 0 ? confirm(`a-c${i}`, `a-h${i}`, `b${i}`) : release(`a-r${i}`, `a-h${i}`, `b${i}`));
  for (let i = 0; i < 30; i++) push(i % 2 === 0 ? 'RA-1' : 'RA-2', hold(`m-h${i}`, `m${i}`, [stall('D', i + 1)]));
  // Retries of commands from earlier chunks, and of one the first chunk opened.
  push('RA-2', hold('b-h1', 'b1', [stall('B', 1)]));
  push('RA-1', open('RA-1'));
  return out;
}

describe('runtime - reading ahead', () => {
  it('applies a record exactly as its commands one at a time', () => {
    const whole = shard();
    const single = shard();
    const list = items();
    expect(list.length).toBeGreaterThan(48);
    const results = whole.applyRecord({ v: 2, shard: 0, epoch: 1, items: list }, 1);
    const expected = list.map(([pid, nowMs, command]) => single.applyOne(pid, nowMs, command));
    expect(results).toEqual(expected);
    // The record had every kind of answer the chunking could disturb.
    const codes = new Set(results.map((r) => (r.ok ? 'OK' : r.name)));
    for (const code of ['OK', 'COMMAND_ID_REUSED', 'COMMAND_INVALID', 'PERFORMANCE_UNKNOWN']) expect(codes, code).toContain(code);
    for (const pid of ['RA-1', 'RA-2']) expect(whole.query(pid, 'stateHash', null)).toBe(single.query(pid, 'stateHash', null));
    expect(whole.recent.size).toBe(single.recent.size);
    expect(whole.recent.toArrays()).toEqual(single.recent.toArrays());
  });

  it('touch reads a performance without changing it', () => {
    const compiled = compileLayout(theatreLayout());
    if (!compiled.ok) throw new Error(compiled.message);
    const created = createPerformance(specFor('RA-T', 'theatre'), compiled.layout);
    if (!created.ok) throw new Error(created.message);
    const s = created.state;
    for (let i = 1; i <= 20; i++) expect(execute(s, hold(`t-h${i}`, `b${i}`, [stall('E', i)]) as never, T0 + i).ok).toBe(true);
    const before = domainStateHash(s);
    let read = 0;
    const probes: unknown[] = [
      hold('t-h1', 'b1', [stall('E', 1)]), { type: 'holdSeats', commandId: 'n1', seatNos: [0, 5, 899] }, { type: 'holdSeats', commandId: 'n2', seatNos: [-1, 900, 1.5, NaN, '3', null] },
      { type: 'holdSeats', commandId: 'n3', seatNos: 'x' }, { type: 'releaseHold', commandId: 'r1', holdId: 't-h2', buyerId: 'b2' }, { type: 'holdSeats', commandId: '' },
    ];
    for (const command of probes) read ^= touch(s, command as never, hashId((command as { commandId: string }).commandId));
    expect(Number.isInteger(read)).toBe(true);
    expect(domainStateHash(s)).toBe(before);
    // And the retry memory still answers as before.
    expect(execute(s, hold('t-h1', 'b1', [stall('E', 1)]) as never, T0 + 100)).toMatchObject({ ok: true, holdId: 't-h1' });
  });
});
