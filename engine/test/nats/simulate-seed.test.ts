// `--seed N` reproduces a run exactly on the durable bus too, and the same run as on the embedded
// one (issue 3: "--nats URL runs the same simulation through NATS"). Found in session 17: the
// simulation's seat-map query, once the house runs low, could see commands submitted after it
// (the batch holding the last command before the query also held later ones, and a later batch
// could reach the worker before the query), so NATS runs drifted apart after ~40,000 commands.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lastJson, onsale, readTickets, scratchDir } from '../cli/helpers.ts';
import { startNatsServer, type NatsServer } from './nats-server.ts';

const servers: NatsServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

/** 20,000 buyers: enough to sell the house low, where the simulator starts reading the seat map. */
async function run(file: string, extra: string[]) {
  const r = await onsale(['simulate', '--json', '--buyers', '20000', '--seed', '7', '--workers', '1', '--tickets-out', file, ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return { summary: lastJson(r.stdout), tickets: readTickets(file) };
}

describe('simulate --nats - seeds', () => {
  it('two runs on fresh servers give the tickets of the embedded run', async () => {
    const dir = scratchDir();
    const embedded = await run(join(dir, 'embedded.jsonl'), []);
    expect((embedded.summary.rejections as Record<string, number>).NOT_ENOUGH_SEATS).toBeGreaterThan(0);
    for (const name of ['a', 'b']) {
      const server = await startNatsServer();
      servers.push(server);
      const durable = await run(join(dir, `${name}.jsonl`), ['--nats', server.url]);
      expect(durable.summary.commands).toBe(embedded.summary.commands);
      expect(durable.tickets).toEqual(embedded.tickets);
      await servers.pop()!.stop();
    }
  }, 120_000);
});
