// Stopping: an engine stopped at any point after start() stops quietly. Recoveries still under
// way are abandoned, not reported as failed shards: an operator's clean stop (or a test's) must
// not print "recovery of shard N failed" for every shard.
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/runtime/mod.ts';

describe('Engine.stop', () => {
  it('right after every shard is served, reports no failure', async () => {
    const errors: string[] = [];
    const engine = await Engine.start({ workers: 2, shards: 8, onError: (e) => errors.push(e.message) });
    await Promise.all(Array.from({ length: engine.shards }, (_, s) => engine.whenServing(s)));
    await engine.stop();
    expect(errors).toEqual([]);
  });

  it('before any shard is served, reports no failure, and whoever waits for a shard is told the engine stopped', async () => {
    const errors: string[] = [];
    const engine = await Engine.start({ workers: 1, shards: 4, onError: (e) => errors.push(e.message) });
    const waiting = engine.whenServing(3).then(() => 'served', (e: Error) => e.message);
    await engine.stop();
    expect(errors).toEqual([]);
    expect(await waiting).toMatch(/served|stopped/);
  });
});
