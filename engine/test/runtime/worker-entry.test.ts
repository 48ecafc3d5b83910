// What the shard workers load (worker-entry.ts): the runtime bundled once per process into
// node_modules/.cache/onsale/ (named by its contents' hash), or worker.ts through tsx where asked.
// Both must run the same engine: a hold, a confirm and the state they leave agree.
import { existsSync, unlinkSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/runtime/mod.ts';
import { workerEntry } from '../../src/runtime/worker-entry.ts';
import { confirm, expectOk, hold, open, seatCounts, stall, stateHash, T0 } from './helpers.ts';

const started: Engine[] = [];
afterEach(async () => {
  delete process.env.ONSALE_WORKER_LOADER;
  await Promise.all(started.splice(0).map((e) => e.stop()));
});

async function sell(engine: Engine): Promise<string> {
  const pid = 'ENTRY-1';
  expectOk(await engine.submit(pid, open(pid), T0));
  expectOk(await engine.submit(pid, hold('h1', 'b1', [stall('A', 1), stall('A', 2)]), T0 + 1));
  expectOk(await engine.submit(pid, confirm('c1', 'h1', 'b1'), T0 + 2));
  expect(await seatCounts(engine, pid)).toMatchObject({ sold: 2, held: 0 });
  return stateHash(engine, pid);
}

describe('shard worker entry', () => {
  it('is a bundle in node_modules/.cache/onsale named by its contents, made once per process', async () => {
    const first = await workerEntry();
    expect(first.loader).toBe('bundle');
    expect(first.fallback).toBeNull();
    const file = fileURLToPath(first.url);
    expect(file).toMatch(/[/\\]node_modules[/\\]\.cache[/\\]onsale[/\\]/);
    expect(basename(file)).toMatch(/^worker-[0-9a-f]{16}\.mjs$/);
    expect(existsSync(file)).toBe(true);
    expect(await workerEntry()).toBe(first);
  });

  it('is written again before a worker starts when another process removed it as stale', async () => {
    const entry = await workerEntry();
    unlinkSync(fileURLToPath(entry.url));
    const engine = await Engine.start({ workers: 1, shards: 2 });
    started.push(engine);
    expect(engine.workerLoader).toBe('bundle');
    expect(existsSync(fileURLToPath(entry.url))).toBe(true);
    expect(await sell(engine)).toMatch(/^[0-9a-f]+$/);
  });

  it('runs the same engine bundled as through tsx (ONSALE_WORKER_LOADER=tsx)', async () => {
    const bundled = await Engine.start({ workers: 1, shards: 2 });
    started.push(bundled);
    expect(bundled.workerLoader).toBe('bundle');
    process.env.ONSALE_WORKER_LOADER = 'tsx';
    const throughTsx = await Engine.start({ workers: 1, shards: 2 });
    started.push(throughTsx);
    expect(throughTsx.workerLoader).toBe('tsx');
    expect(await sell(throughTsx)).toBe(await sell(bundled));
  });
});
