// `onsale replay --nats` on a server with no journal: nothing to replay, said in one line, and
// nothing created there (connecting a bus creates the stream and buckets it misses; a replay,
// read-only, must not leave them behind).
import { describe, expect, it } from 'vitest';
import { NatsBus } from '../../src/nats/mod.ts';
import { onsale } from '../cli/helpers.ts';
import { natsServersPerTest } from './servers-per-test.ts';

const servers = natsServersPerTest();

describe('replay --nats on a server without a journal', () => {
  it('says there is nothing to replay (exit code 1) and creates no stream', async () => {
    const server = await servers.start();
    const { code, stdout, stderr } = await onsale(['replay', '--nats', server.url]);
    expect(code).toBe(1);
    expect(stderr).toBe(`onsale: no journal stream ONSALE_JOURNAL at ${server.url}: nothing to replay\n`);
    expect(stdout).toBe('');
    expect(await NatsBus.hasJournal(server.url)).toBe(false);
  }, 60_000);
});
