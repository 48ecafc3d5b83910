// `--seed N` reproduces a run exactly, and a different seed never silently gives another seed's
// run: the simulator's generator takes 32 bits, so the CLI refuses seeds past 4294967295 (before
// session 12, 4294967297 ran exactly as 1).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isCleanError, lastJson, onsale, readTickets, scratchDir } from './helpers.ts';

const withoutBarcode = (rows: Record<string, unknown>[]) => rows.map(({ barcode: _b, ...rest }) => rest);

async function run(seed: string, dir: string, extra: string[] = []) {
  const file = join(dir, `t-${seed}.jsonl`);
  const r = await onsale(['simulate', '--json', '--buyers', '2000', '--seed', seed, '--tickets-out', file, ...extra]);
  expect(r.code).toBe(0);
  return { summary: lastJson(r.stdout), tickets: readTickets(file) };
}

describe('cli - seeds', () => {
  it('the same seed gives byte-identical tickets', async () => {
    const dir = scratchDir();
    const a = await run('3', dir);
    const b = await run('3', join(dir));
    expect(b.tickets).toEqual(a.tickets);
    expect(a.tickets.length).toBeGreaterThan(100);
  });

  it('the largest seed runs as itself; one past it is refused', async () => {
    const dir = scratchDir();
    const one = await run('1', dir);
    const top = await run('4294967295', dir);
    expect(top.summary.seed).toBe(4294967295);
    expect(withoutBarcode(top.tickets)).not.toEqual(withoutBarcode(one.tickets));
    const past = await onsale(['simulate', '--json', '--buyers', '2000', '--seed', '4294967296']);
    expect(isCleanError(past)).toBe(true);
  });
});
