// Found by mutation testing of the runtime: recovery and worker-death rules the existing
// tests did not pin down: a recovery waits for the append still in flight, an append acknowledged
// after the worker died is not applied on its successor, a snapshot whose seq disagrees with the
// bus is refused, and the respawn bound counts only the respawns within its window.
import { describe, expect, it } from 'vitest';
import type { Engine, SnapshotEntry } from '../../src/runtime/mod.ts';
import { ControlledBus, confirm, engines, expectCode, expectOk, hold, open, seatCounts, stall, T0, within } from '../runtime/helpers.ts';

const { start } = engines();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const P = 'P-1';

interface Threads { pool: { threads: { terminate(): Promise<number> }[] } }

async function killWorker(engine: Engine, errors: string[]): Promise<void> {
  const before = errors.length;
  await (engine as unknown as Threads).pool.threads[0].terminate();
  for (let i = 0; i < 500 && !errors.slice(before).some((e) => /died/.test(e)); i++) await sleep(10);
  expect(errors.slice(before).join('\n')).toMatch(/shard worker \d+ died/);
}

describe('recovery', () => {
  it('a recovery waits for the append still in flight and replays its record: nothing acknowledged to the journal is missing', async () => {
    const bus = new ControlledBus();
    const engine = await start({ workers: 1, shards: 1, bus });
    expectOk(await engine.submit(P, open(P), T0));
    expectOk(await engine.submit(P, hold('h1', 'b1', [stall('A', 1)]), T0 + 1));
    bus.holdNextAppend = true;
    const confirmed = engine.submit(P, confirm('c1', 'h1', 'b1'), T0 + 2);
    engine.flushAll();
    bus.events.lost(0);
    bus.events.acquired({ shard: 0, epoch: 2 });
    // No read gate: only the wait for the append keeps the recovery from serving without it.
    expect(await within(engine.whenServing(0), 200)).toBe('pending');
    await bus.land();
    await engine.whenServing(0);
    expectCode(await confirmed, 'SHARD_UNAVAILABLE');
    // The record is in the journal, so it is in the recovered state, before any retry.
    expect(await seatCounts(engine, P)).toMatchObject({ held: 0, sold: 1 });
  });

  it('refuses a snapshot whose seq disagrees with the one the bus gave: the shard goes down instead of skipping records', async () => {
    const bus = new ControlledBus();
    const errors: string[] = [];
    const engine = await start({ workers: 1, shards: 1, bus, onError: (e) => errors.push(e.message) });
    expectOk(await engine.submit(P, open(P), T0));
    await engine.snapshotAll();
    expectOk(await engine.submit(P, hold('h1', 'b1', [stall('A', 1)]), T0 + 1));
    bus.events.lost(0);
    const load = bus.loadSnapshot.bind(bus);
    // A store that pairs the snapshot with the next record's seq.
    bus.loadSnapshot = async (shard): Promise<SnapshotEntry | null> => {
      const s = await load(shard);
      return s === null ? null : { seq: s.seq + 1, bytes: s.bytes };
    };
    bus.events.acquired({ shard: 0, epoch: 2 });
    expect(await within(engine.whenServing(0), 2_000)).toEqual({ rejected: expect.stringMatching(/snapshot says seq 1, the bus said 2/) });
    expect(bus.released).toEqual([{ shard: 0, epoch: 2 }]);
  });
});

describe('a shard worker that dies', () => {
  it('an append acknowledged after its worker died is answered SHARD_UNAVAILABLE, not applied on the new worker; the recovery replays it', async () => {
    const bus = new ControlledBus();
    const errors: string[] = [];
    const engine = await start({ workers: 1, shards: 1, bus, onError: (e) => errors.push(e.message) });
    expectOk(await engine.submit(P, open(P), T0));
    bus.holdNextAppend = true;
    const held = engine.submit(P, hold('h1', 'b1', [stall('A', 1)]), T0 + 1);
    engine.flushAll();
    await killWorker(engine, errors);
    await bus.land();
    expectCode(await held, 'SHARD_UNAVAILABLE');
    await engine.whenServing(0);
    expect(await seatCounts(engine, P)).toMatchObject({ held: 1 });
    // The retry gets the first answer from the replayed record.
    expect(await engine.submit(P, hold('h1', 'b1', [stall('A', 1)]), T0 + 2)).toMatchObject({ ok: true, holdId: 'h1' });
  });

  it('the respawn bound counts only the respawns within workerRespawnWindowMs', async () => {
    const bus = new ControlledBus();
    const errors: string[] = [];
    const workerRespawnWindowMs = 100;
    const engine = await start({ workers: 1, shards: 1, bus, runtime: { workerRespawnsMax: 1, workerRespawnWindowMs }, onError: (e) => errors.push(e.message) });
    expectOk(await engine.submit(P, open(P), T0));
    await killWorker(engine, errors);
    await engine.whenServing(0);
    // The first respawn is now out of the window: the next death is replaced again.
    await sleep(3 * workerRespawnWindowMs);
    await killWorker(engine, errors);
    await engine.whenServing(0);
    expect(errors.join('\n')).not.toMatch(/died too often/);
    expect(bus.released).toEqual([]);
    expectOk(await engine.submit(P, hold('h1', 'b1', [stall('A', 1)]), T0 + 1));
  });
});
