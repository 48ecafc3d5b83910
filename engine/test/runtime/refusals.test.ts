// The runtime's own refusals at the door and in the shard: a performance that is not open, one
// opened twice, an unknown venue, a malformed open, and a stopping engine. Refusals that say
// nothing about a command's effect (COMMAND_INVALID, PERFORMANCE_UNKNOWN) leave its id free.
import { describe, expect, it } from 'vitest';
import type { LayoutJson, Result } from '../../src/domain/mod.ts';
import { actorsPerShardMax, runtimeOptions, Shard, VenueCatalog, type EngineCommand } from '../../src/runtime/mod.ts';
import { matchPerformances, seasonCardProduct, SEASON_CARD } from '../../src/sim/season-setup.ts';
import { engines, expectCode, expectOk, hold, open, seatCounts, specFor, stall, T0 } from './helpers.ts';

const { start, stop } = engines();

describe('runtime - refusals', () => {
  it('PERFORMANCE_UNKNOWN for a performance never opened, and the id stays free', async () => {
    const engine = await start();
    const P = 'U-1';
    const early = hold(`${P}-h`, 'b1', [stall('A', 1)]);
    expectCode(await engine.submit(P, early, T0), 'PERFORMANCE_UNKNOWN');
    expectCode((await engine.query(P, 'seatCounts')) as Result, 'PERFORMANCE_UNKNOWN');
    expectOk(await engine.submit(P, open(P), T0 + 1));
    expectOk(await engine.submit(P, early, T0 + 2));
    expect(await seatCounts(engine, P)).toMatchObject({ held: 1 });
  });

  it('PERFORMANCE_EXISTS for a second open under a new id; the same open again gets its first result', async () => {
    const engine = await start();
    const P = 'E-1';
    expectOk(await engine.submit(P, open(P), T0));
    expectOk(await engine.submit(P, hold(`${P}-h`, 'b1', [stall('A', 1)]), T0 + 1));
    expectCode(await engine.submit(P, open(P, 'club', `${P}-reopen`), T0 + 2), 'PERFORMANCE_EXISTS');
    expect(await engine.submit(P, open(P), T0 + 3)).toEqual({ ok: true });
    // The performance was not replaced: the hold is still there.
    expect(await seatCounts(engine, P)).toMatchObject({ held: 1, free: 899 });
  });

  it('COMMAND_INVALID for an unknown venue or a malformed open, and the id stays free', async () => {
    const engine = await start();
    const P = 'V-1';
    const good = open(P);
    const bad = (venue: unknown) => ({ ...good, venue }) as EngineCommand;
    expect(expectCode(await engine.submit(P, bad('arena'), T0), 'COMMAND_INVALID').field).toBe('venue');
    expect(expectCode(await engine.submit(P, bad(42), T0), 'COMMAND_INVALID').field).toBe('venue');
    const otherId = { ...good, spec: { ...(good as { spec: object }).spec, performanceId: 'V-2' } } as EngineCommand;
    expect(expectCode(await engine.submit(P, otherId, T0), 'COMMAND_INVALID').field).toBe('spec.performanceId');
    expectCode(await engine.submit(P, hold(`${P}-h`, 'b1', [stall('A', 1)]), T0), 'PERFORMANCE_UNKNOWN');
    // Same commandId, now well formed: opened.
    expectOk(await engine.submit(P, good, T0 + 1));
  });

  it('ENGINE_STOPPING once stop() has begun; what came before is still answered', async () => {
    const engine = await start();
    const P = 'STOP-1';
    expectOk(await engine.submit(P, open(P), T0));
    const before = engine.submit(P, hold(`${P}-h1`, 'b1', [stall('A', 1)]), T0 + 1);
    const stopping = stop(engine);
    expectCode(await engine.submit(P, hold(`${P}-h2`, 'b2', [stall('A', 2)]), T0 + 2), 'ENGINE_STOPPING');
    expectOk(await before);
    await stopping;
  });

  it('a custom venue that does not compile is refused when the engine starts, naming the venue, the layout\'s code and the field', async () => {
    const broken: LayoutJson = { layoutId: 'broken', zones: [{ id: 'A' }], gaAreas: [{ id: 'FLOOR', capacity: 10, zone: 'X' }] };
    await expect(start({ workers: 1, shards: 2, venues: { broken } })).rejects.toThrow(/^venue broken does not compile: LAYOUT_UNKNOWN_ZONE at gaAreas\[0\]\.zone/);
    // A venue given as null is a document that does not compile, not an unknown name.
    await expect(start({ workers: 1, shards: 2, venues: { nothing: null as unknown as LayoutJson } })).rejects.toThrow(/^venue nothing does not compile: LAYOUT_INVALID at the document/);
  });

  it('a shard answers an open on a venue that does not compile with the layout\'s code, the field a path into the venues option', () => {
    const broken: LayoutJson = { layoutId: 'broken', zones: [{ id: 'A' }], gaAreas: [{ id: 'FLOOR', capacity: 10, zone: 'X' }] };
    const shard = new Shard({ shard: 0, venues: new VenueCatalog({ broken }), dedupeWindowMs: 600_000, dedupeEntriesMax: 1_000 });
    const spec = (open('B-1') as { spec: object }).spec;
    expect(shard.applyOne('B-1', T0, { type: 'openPerformance', commandId: 'b-open', venue: 'broken', spec } as EngineCommand)).toMatchObject({
      ok: false, name: 'LAYOUT_UNKNOWN_ZONE', field: 'venues.broken.gaAreas[0].zone',
    });
    // An unknown name is quoted as every refusal quotes a value: cut short.
    const unknown = shard.applyOne('B-1', T0, { type: 'openPerformance', commandId: 'b-open2', venue: 'x'.repeat(10_000), spec } as EngineCommand);
    expect(unknown).toMatchObject({ ok: false, name: 'COMMAND_INVALID', field: 'venue' });
    expect((unknown as { message: string }).message.length).toBeLessThan(400);
  });

  it('refuses runtime options that cannot work', () => {
    expect(() => runtimeOptions({ mailboxMax: -1 })).toThrow(RangeError);
    expect(() => runtimeOptions({ leaseRenewMs: 2_000, leaseTtlMs: 3_000 })).toThrow(RangeError);
  });

  it('refuses batches of no commands', () => {
    // With batchCommandsMax 0 every flush journals an empty record and flushes again at once:
    // the commands are never answered and the event loop never gets to a timer.
    expect(() => runtimeOptions({ batchCommandsMax: 0 })).toThrow(RangeError);
  });
});

describe('runtime - actors per shard', () => {
  // Found in session 32: a shard took any number of performances and products (2,000 theatre
  // performances took 200 MB), and nothing closes one.
  it('refuses an openPerformance or createProduct past actorsPerShardMax with ACTORS_LIMIT_REACHED, and makes nothing', () => {
    const tiny: LayoutJson = { layoutId: 'tiny', zones: [{ id: 'GA' }], gaAreas: [{ id: 'FLOOR', capacity: 1, zone: 'GA' }] };
    const shard = new Shard({ shard: 0, venues: new VenueCatalog({ tiny }), dedupeWindowMs: 600_000, dedupeEntriesMax: 1_000 });
    const openTiny = (id: string): Result => {
      const spec = { ...specFor(id, 'club'), ticketTypes: [{ id: 'adult', prices: { GA: 1_000 } }] };
      return shard.applyOne(id, T0, { type: 'openPerformance', commandId: `${id}-open`, venue: 'tiny', spec } as EngineCommand) as Result;
    };
    for (let i = 0; i < actorsPerShardMax; i++) expectOk(openTiny(`T-${i}`));
    expectCode(openTiny('T-last'), 'ACTORS_LIMIT_REACHED');
    const product = seasonCardProduct('card-create', matchPerformances(2));
    expectCode(shard.applyOne(SEASON_CARD, T0, product as unknown as EngineCommand) as Result, 'ACTORS_LIMIT_REACHED');
    expect(shard.actors.size + shard.products.size).toBe(actorsPerShardMax);
    // The refused ids stay free: nothing of them is known.
    expectCode(shard.applyOne('T-last', T0, hold('T-last-h', 'b', []) as EngineCommand) as Result, 'PERFORMANCE_UNKNOWN');
  });
});
