// `onsale simulate --nats` on a server an earlier run journaled to. Its shards would recover
// that run's performances and sessions, and the simulation's own commands would be refused:
// before session 27 the second run stopped on REQUEST_TOO_OLD with a stack trace. Now it is
// refused in one line before anything runs, and the tickets file of the first run is left as it
// was.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onsale, scratchDir } from '../cli/helpers.ts';
import { natsServersPerTest } from './servers-per-test.ts';

const servers = natsServersPerTest();

describe('simulate --nats on a journal an earlier run left', () => {
  it('is refused in one line (exit code 1), and leaves the earlier run\'s tickets file alone', async () => {
    const server = await servers.start();
    const tickets = join(scratchDir(), 'tickets.jsonl');
    const args = ['simulate', '--json', '--buyers', '2000', '--workers', '1', '--nats', server.url, '--tickets-out', tickets];
    const first = await onsale(args);
    expect(first.code, first.stderr).toBe(0);
    const written = readFileSync(tickets, 'utf8');
    expect(written.length).toBeGreaterThan(0);
    const second = await onsale(args);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/^onsale: the journal stream ONSALE_JOURNAL at nats:\/\/127\.0\.0\.1:\d+ already holds \d+ records \(an earlier run's\): a seeded simulation needs an empty journal; use a fresh nats-server, or delete the stream \(nats stream rm ONSALE_JOURNAL\)\n$/);
    expect(second.stdout).toBe('');
    expect(readFileSync(tickets, 'utf8')).toBe(written);
  }, 120_000);
});
