// Sagas when shards leave this process (several engine processes share them): a step for a shard
// another process serves goes to the StepForwarder, and a client waiting for a saga whose
// coordinator's shard left is told so at once instead of waiting for a final answer that would
// be given elsewhere. Leases are steered by hand (ControlledBus); the real NATS path with two
// processes is crash-soak.test.ts.
import { describe, expect, it } from 'vitest';
import { reject } from '../../src/domain/mod.ts';
import { shardOf, type EngineCommand, type Reply, type StepForwarder } from '../../src/runtime/mod.ts';
import { CARD_SALE_AT_MS, SEASON_CARD } from '../../src/sim/season-setup.ts';
import { buy, matches, seat, setUp } from './season-fixture.ts';
import { ControlledBus, engines, expectCode, tickets, within } from './helpers.ts';

const { start } = engines();
const SHARDS = 4;
const coordinatorShard = shardOf(SEASON_CARD, SHARDS);
/** A match on another shard than the coordinator's. */
const away = matches.find((p) => shardOf(p.performanceId, SHARDS) !== coordinatorShard)!;
const awayShard = shardOf(away.performanceId, SHARDS);

class RecordingForwarder implements StepForwarder {
  readonly forwarded: { shard: number; actorId: string; type: string; nowMs: number }[] = [];
  forward(shard: number, actorId: string, command: EngineCommand, nowMs: number, reply: Reply): void {
    this.forwarded.push({ shard, actorId, type: command.type, nowMs });
    // As a process that is stopping answers: the step was not applied there.
    reply(reject('ENGINE_STOPPING', '', 'the engine is stopping'));
  }
}

describe('sagas across shards this process does not serve', () => {
  it('sends a step for a shard served elsewhere to the forwarder, retries it after ENGINE_STOPPING, and finishes here once the shard is served here again', async () => {
    const bus = new ControlledBus();
    const forwarder = new RecordingForwarder();
    const engine = await start({ workers: 1, shards: SHARDS, bus, stepForwarder: forwarder });
    await setUp(engine);
    bus.events.lost(awayShard);
    const bought = engine.submit(SEASON_CARD, buy('b1', 'alice', [seat(42)]), CARD_SALE_AT_MS);
    expect(await within(bought, 300)).toBe('pending');
    // The first step for the away match (its courier opening its session there, before the hold:
    // domain/products/couriers.ts) went to the forwarder, at the saga's time, and again after the refusal.
    const steps = forwarder.forwarded.filter((f) => f.actorId === away.performanceId);
    expect(steps.length).toBeGreaterThanOrEqual(2);
    expect(steps.every((f) => f.shard === awayShard && f.type === 'openSession' && f.nowMs >= CARD_SALE_AT_MS)).toBe(true);
    // Nothing for a shard served here was forwarded.
    expect(forwarder.forwarded.every((f) => shardOf(f.actorId, SHARDS) === awayShard)).toBe(true);
    bus.events.acquired({ shard: awayShard, epoch: 2 });
    expect(await bought).toMatchObject({ ok: true, seats: [seat(42)] });
    for (const p of matches) expect((await tickets(engine, p.performanceId)).map((t) => t.seatId)).toEqual([seat(42)]);
  });

  it('answers a client waiting for a saga SHARD_UNAVAILABLE when the coordinator\'s shard leaves; the retry with the same id gets the outcome', async () => {
    const bus = new ControlledBus();
    const engine = await start({ workers: 1, shards: SHARDS, bus });
    await setUp(engine);
    // The saga cannot finish while the away match's shard is served nowhere.
    bus.events.lost(awayShard);
    const bought = engine.submit(SEASON_CARD, buy('b2', 'bob', [seat(43)]), CARD_SALE_AT_MS);
    expect(await within(bought, 300)).toBe('pending');
    bus.events.lost(coordinatorShard);
    expectCode(await within(bought, 300) as Awaited<typeof bought>, 'SHARD_UNAVAILABLE');
    bus.events.acquired({ shard: awayShard, epoch: 2 });
    bus.events.acquired({ shard: coordinatorShard, epoch: 2 });
    await Promise.all([engine.whenServing(awayShard), engine.whenServing(coordinatorShard)]);
    const again = await engine.submit(SEASON_CARD, buy('b2', 'bob', [seat(43)]), CARD_SALE_AT_MS + 1);
    expect(again).toMatchObject({ ok: true, seats: [seat(43)] });
    for (const p of matches) expect((await tickets(engine, p.performanceId)).map((t) => t.seatId)).toEqual([seat(43)]);
    expect(await engine.query(SEASON_CARD, 'productReport')).toMatchObject({ holdings: 1, sagasInFlight: 0 });
  });
});
