// The on-sale simulation is deterministic: the same seed on fresh engines gives the same tickets
// and the same summary (but for the wall-clock figures), another seed another sale, and no run
// sells a seat twice.
import { describe, expect, it } from 'vitest';
import { simulateOnsale, type SimulationRun } from '../../src/sim/simulate.ts';
import { engines } from './helpers.ts';

const { start, stop } = engines();

async function simulate(seed: number): Promise<SimulationRun> {
  const engine = await start({ workers: 2, shards: 4 });
  const run = await simulateOnsale(engine, { seed, buyers: 3_000 });
  await stop(engine);
  return run;
}

/** The summary without what the wall clock decides. */
function timeless(run: SimulationRun): Omit<SimulationRun['summary'], 'wallMs' | 'commandsPerSec' | 'latencyMs'> {
  const { wallMs: _wallMs, commandsPerSec: _perSec, latencyMs: _latency, ...rest } = run.summary;
  return rest;
}

describe('runtime - simulation', () => {
  it('gives the same sale for the same seed, another for another seed', async () => {
    const first = await simulate(5);
    const again = await simulate(5);
    const other = await simulate(6);

    expect(first.tickets.length).toBeGreaterThan(1_000);
    expect(again.tickets).toEqual(first.tickets);
    expect(timeless(again)).toEqual(timeless(first));
    expect(first.summary.seed).toBe(5);
    expect(other.tickets).not.toEqual(first.tickets);

    for (const run of [first, again, other]) {
      expect(run.summary.checks).toEqual({ seatsSoldTwice: 0, buyersOverCap: 0 });
      expect(run.summary.performances[0].sold).toBe(run.tickets.filter((t) => t.status === 'valid' && t.seatId !== null).length);
    }
  });
});
