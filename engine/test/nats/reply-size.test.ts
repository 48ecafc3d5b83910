// Replies larger than the server's max_payload (a nats-server configured with 64 KiB here; the
// default is 1 MiB): nats.js throws on such a message, and the ingress used to let it escape,
// which ended the engine process; every process that took the shard over got the same request
// again and ended too. Now a query's answer that does not fit is REPLY_TOO_LARGE, and a request
// of commands whose results do not fit is answered so, and the client sends it again in halves,
// with the same ids (the commands are not applied twice). Found by session 29's runtime probe.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsEngineClient, NatsIngress, commandSubjectPrefix } from '../../src/nats/mod.ts';
import { Engine, pack, packr, type EngineCommand } from '../../src/runtime/mod.ts';
import { open, T0 } from '../runtime/helpers.ts';
import { startNatsServer, type NatsServer } from './nats-server.ts';

const dir = mkdtempSync(join(tmpdir(), 'onsale-reply-size-'));
let server: NatsServer;
let nc: NatsConnection;
let engine: Engine;
let ingress: NatsIngress;
let client: NatsEngineClient;

beforeAll(async () => {
  const config = join(dir, 'small.conf');
  writeFileSync(config, 'max_payload: 65536\n');
  server = await startNatsServer({ args: ['-c', config] });
  engine = await Engine.start({ workers: 1, shards: 1 });
  await engine.whenServing(0);
  expect((await engine.submit('P-1', open('P-1', 'stadium'), T0)).ok).toBe(true);
  nc = await connect({ servers: server.url });
  ingress = new NatsIngress(nc, engine);
  ingress.sync([0]);
  await nc.flush();
  client = await NatsEngineClient.connect({ servers: server.url, shards: 1, retryForMs: 5_000 });
}, 30_000);

afterAll(async () => {
  await client?.close();
  ingress?.close();
  await nc?.close();
  await engine?.stop();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// Eight seats each: a hold's result (its eight seat ids) is three times the size of its command.
const hold = (i: number): EngineCommand => ({ type: 'holdBestAvailable', commandId: `rs-h${i}`, buyerId: `b${i}`, channel: 'web', count: 8 });

describe('NATS replies past the server\'s max_payload', () => {
  it('answers a request whose results do not fit with REPLY_TOO_LARGE, having applied it; the client splits it and gets every result', async () => {
    // One request of 1,000 holds by hand (43 KB): their results would be about 130 KB.
    const direct = packr.unpack((await nc.request(`${commandSubjectPrefix}.0`, pack(Array.from({ length: 1_000 }, (_, i) => ['P-1', hold(i), null])), { timeout: 10_000 })).data);
    expect(direct, 'one refusal for the whole request').toMatchObject({ ok: false });
    expect((direct as { name: string }).name).toBe('REPLY_TOO_LARGE');
    // Applied all the same: the client, sending them again with the same ids, gets the first answers.
    const again = await Promise.all(Array.from({ length: 1_000 }, (_, i) => client.submit('P-1', hold(i))));
    expect(again.every((r) => r.ok)).toBe(true);
    expect(new Set(again.flatMap((r) => (r as { seats: string[] }).seats)).size).toBe(8_000);
    expect(await engine.query('P-1', 'seatCounts')).toMatchObject({ held: 8_000 });
  }, 60_000);

  it('refuses at once, in the client, one command larger than a message by itself', async () => {
    const started = Date.now();
    const big = await client.submit('P-1', { type: 'tick', commandId: 'rs-big', note: 'x'.repeat(100_000) } as unknown as EngineCommand);
    expect(big).toMatchObject({ ok: false, name: 'COMMAND_INVALID' });
    expect(Date.now() - started, 'not retried until the client gives up').toBeLessThan(4_000);
  });

  it('answers a query whose answer does not fit with REPLY_TOO_LARGE at once, and goes on serving', async () => {
    // 1,000 confirms in one turn: their results (eight tickets each) are split until they fit.
    const confirms = await Promise.all(Array.from({ length: 1_000 }, (_, i) => client.submit('P-1', { type: 'confirmHold', commandId: `rs-c${i}`, holdId: `rs-h${i}`, buyerId: `b${i}` })));
    expect(confirms.every((r) => r.ok)).toBe(true);
    const started = Date.now();
    await expect(client.query('P-1', 'tickets')).rejects.toMatchObject({ code: 'REPLY_TOO_LARGE' });
    expect(Date.now() - started, 'not retried until the client gives up').toBeLessThan(4_000);
    expect(await client.query('P-1', 'seatCounts')).toMatchObject({ sold: 8_000, held: 0 });
    expect((await client.submit('P-1', hold(5_000))).ok).toBe(true);
  }, 60_000);
});
