// A journal append that is acknowledged after its shard was lost and taken again by the same
// process (a slow publish outliving its lease, then a new lease): the batch is not applied on
// top of the recovered snapshot ahead of the journal's tail; the recovery waits for the append
// and replays it in its place, so the state equals a full replay of the journal.
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedBus, Engine, type EngineCommand } from '../../src/runtime/mod.ts';
import { ControlledBus, open, stall, T0 } from './helpers.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const running: Engine[] = [];
afterEach(async () => {
  for (const e of running.splice(0)) await e.stop().catch(() => undefined);
});

const P = 'P-1';
const hold: EngineCommand = { type: 'holdSeats', commandId: 'h1', buyerId: 'b1', channel: 'web', seats: [stall('A', 1)] };
const confirm: EngineCommand = { type: 'confirmHold', commandId: 'c1', holdId: 'h1', buyerId: 'b1' };

describe('runtime - an append acknowledged after the shard changed hands', () => {
  it('is replayed in its journal place: the recovered state equals a full replay', async () => {
    const bus = new ControlledBus();
    const engine = await Engine.start({ bus, workers: 1, shards: 1 });
    running.push(engine);
    await engine.whenServing(0);
    expect((await engine.submit(P, open(P), T0)).ok).toBe(true);
    await engine.snapshotAll();
    expect((await engine.submit(P, hold, T0 + 1)).ok).toBe(true);
    bus.holdNextAppend = true;
    const confirmed = engine.submit(P, confirm, T0 + 2);
    await sleep(20);
    bus.events.lost(0);
    let openGate!: () => void;
    bus.readGate = new Promise((r) => { openGate = r; });
    bus.events.acquired({ shard: 0, epoch: 2 });
    await sleep(20);
    await bus.land();
    await sleep(20);
    bus.readGate = null;
    openGate();
    await engine.whenServing(0);
    // Journaled, but answered as a shard that changed hands: a retry gets the first result.
    expect(await confirmed).toMatchObject({ ok: false, name: 'SHARD_UNAVAILABLE' });
    expect(await engine.submit(P, confirm, T0 + 3)).toMatchObject({ ok: true });
    const live = await engine.query(P, 'seatCounts');
    const copy = new EmbeddedBus({ keepJournal: true });
    await bus.read(0, 0, (e) => void copy.append(0, { shard: 0, epoch: 1 }, e.bytes));
    const replay = await Engine.start({ bus: copy, workers: 1, shards: 1 });
    running.push(replay);
    await replay.whenServing(0);
    expect(live).toEqual(await replay.query(P, 'seatCounts'));
    expect(live).toMatchObject({ sold: 1, held: 0 });
  });
});
