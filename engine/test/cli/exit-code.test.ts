// "A run whose own checks find a broken rule exits 1" (engine/docs/CLI.md): no real run breaks a
// rule, so the command is run in-process with the simulation's summary reporting one broken rule.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Engine } from '../../src/runtime/mod.ts';

vi.mock('../../src/sim/simulate.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/sim/simulate.ts')>();
  return {
    ...real,
    simulateOnsale: async (engine: Engine, options: { seed: number; buyers: number }) => {
      const run = await real.simulateOnsale(engine, options);
      return { ...run, summary: { ...run.summary, checks: { seatsSoldTwice: 0, buyersOverCap: 1 } } };
    },
  };
});

const argv = process.argv;
afterEach(() => {
  process.argv = argv;
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

describe('onsale simulate exit code', () => {
  it('a summary with a broken rule makes the command exit 1', async () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    process.argv = [argv[0], 'onsale', 'simulate', '--json', '--buyers', '50', '--workers', '1', '--shards', '1'];
    await import('../../src/cli/onsale.ts');
    const summary = JSON.parse(out.join('').trim().split('\n').pop()!) as { checks: Record<string, number> };
    expect(summary.checks.buyersOverCap).toBe(1);
    expect(process.exitCode).toBe(1);
  });
});
