// The shard's memory of command ids (RecentCommands): what a snapshot keeps of it, in both the
// column forms of shard snapshot versions 5 and 4 and the per-entry form of version 3, and the filter
// in front of its maps that must never turn away a remembered id.
import { describe, expect, it } from 'vitest';
import { hashId } from '../../src/domain/idindex.ts';
import { DONE } from '../../src/domain/results.ts';
import { RecentCommands, type RecentArrays, type RecentArraysV3, type RecentGeneration, type RecentGenerationV4 } from '../../src/runtime/recent.ts';
import { pack, packr } from '../../src/runtime/wire.ts';

const windowMs = 60_000;

function filled(): RecentCommands {
  const recent = new RecentCommands(windowMs, 1_000);
  // Two performances share an id (ids are scoped per performance); one entry keeps its answer.
  recent.remember('x', hashId('x'), 'P1', 1);
  recent.remember('x', hashId('x'), 'P2', 2);
  recent.remember('open-P3', hashId('open-P3'), 'P3', 3, { type: 'openPerformance', commandId: 'open-P3' } as never, DONE);
  for (let i = 0; i < 700; i++) recent.remember(`c${i}`, hashId(`c${i}`), `P${i % 3}`, 10 + i);
  return recent;
}

function sameAnswers(a: RecentCommands, b: RecentCommands): void {
  for (const [p, id] of [['P1', 'x'], ['P2', 'x'], ['P3', 'x'], ['P3', 'open-P3'], ['P0', 'c0'], ['P1', 'c1'], ['P0', 'c699'], ['P1', 'c699'], ['P0', 'nope']]) {
    expect(b.get(p, id, hashId(id)), `${p} ${id}`).toEqual(a.get(p, id, hashId(id)));
  }
  expect(b.size).toBe(a.size);
  expect(b.earlyRotations).toBe(a.earlyRotations);
}

describe('runtime - the shard memory of command ids', () => {
  it('finds every remembered id (the filter has no false negatives) and only under its performance', () => {
    const recent = filled();
    expect(recent.earlyRotations).toBe(1);
    for (let i = 0; i < 700; i++) expect(recent.get(`P${i % 3}`, `c${i}`, hashId(`c${i}`)), `c${i}`).toMatchObject({ atMs: 10 + i });
    expect(recent.get('P1', 'c0', hashId('c0'))).toBeUndefined();
    expect(recent.get('P3', 'open-P3', hashId('open-P3'))).toMatchObject({ result: DONE });
    expect(recent.get('P1', 'x', hashId('x'))).toMatchObject({ atMs: 1 });
    expect(recent.get('P2', 'x', hashId('x'))).toMatchObject({ atMs: 2 });
  });

  it('keeps finding the previous generation\'s ids after each rotation, and forgets them at the next (the two filters share words)', () => {
    const perGeneration = 5_000;
    const recent = new RecentCommands(windowMs, 2 * perGeneration);
    const id = (g: number, i: number) => `g${g}-${i}`;
    for (let g = 0; g < 5; g++) {
      for (let i = 0; i < perGeneration; i++) recent.remember(id(g, i), hashId(id(g, i)), 'P1', g);
      // Generation g is the current one, g - 1 the previous one; g - 2 was dropped by the last rotation.
      for (const back of [0, 1, 2]) {
        if (g - back < 0) continue;
        const found = Array.from({ length: perGeneration }, (_, i) => recent.get('P1', id(g - back, i), hashId(id(g - back, i))) !== undefined);
        expect(found.every((f) => f === back < 2), `generation ${g - back} seen from ${g}`).toBe(true);
      }
    }
    expect(recent.earlyRotations).toBe(4);
  });

  it('restores the same memory from its columns (through msgpack, as a shard snapshot), and from versions 4 and 3', () => {
    const recent = filled();
    const columns = recent.toArrays();
    sameAnswers(recent, RecentCommands.fromArrays(windowMs, 1_000, packr.unpack(pack(columns)) as RecentArrays));
    // Version 4: a string per id and plain arrays.
    const v4 = (g: RecentGeneration): RecentGenerationV4 => {
      const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
      const n = g.ends.length / 4;
      const ids: string[] = [];
      for (let i = 0, start = 0; i < n; i++) {
        const end = view(g.ends).getInt32(4 * i, true);
        ids.push(String.fromCharCode(...Array.from({ length: end - start }, (_, k) => view(g.units).getUint16(2 * (start + k), true))));
        start = end;
      }
      return {
        ids, performances: g.performances, performance: ids.map((_, i) => view(g.performance).getInt32(4 * i, true)), atMs: ids.map((_, i) => view(g.atMs).getFloat64(8 * i, true)), kept: g.kept,
      };
    };
    const columnsV4 = { ...columns, previous: v4(columns.previous as RecentGeneration), current: v4(columns.current as RecentGeneration) };
    sameAnswers(recent, RecentCommands.fromArrays(windowMs, 1_000, structuredClone(columnsV4)));
    const v3 = (g: RecentGenerationV4) => g.ids.map((id, i) => {
      const kept = g.kept.find(([k]) => k === i);
      return [id, { performanceId: g.performances[g.performance[i]], command: kept?.[1] ?? null, result: kept?.[2] ?? null, atMs: g.atMs[i] }];
    });
    const old = { ...columns, previous: v3(columnsV4.previous), current: v3(columnsV4.current) } as RecentArraysV3;
    sameAnswers(recent, RecentCommands.fromArrays(windowMs, 1_000, structuredClone(old)));
  });
});
