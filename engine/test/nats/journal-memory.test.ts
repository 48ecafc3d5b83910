// What a long-running `serve --nats` keeps per journal append, against a real nats-server: nothing
// once the append is acknowledged. Each append used to race its acknowledgement against one
// promise that settled only at the next reconnect, and every race left a reaction on it holding
// the acknowledgement (about 390 bytes an append, for as long as the connection stayed up: an
// engine's ticker alone appends once per shard a second). Memory, not time, is measured: the
// heap after a full collection, before and after a run of appends.
import v8 from 'node:v8';
import vm from 'node:vm';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsJournal } from '../../src/nats/nats-journal.ts';
import { startNatsServer, type NatsServer } from './nats-server.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heapAfterCollection(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

let server: NatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

describe('nats journal - memory', () => {
  it('acknowledged appends leave nothing behind while the connection stays up', async () => {
    const journal = await NatsJournal.open(nc, 'MEMORY', 'memory.journal');
    const bytes = new Uint8Array(64);
    let last = 0;
    const append = async (i: number): Promise<void> => {
      last = (await journal.publish(0, bytes, { msgId: `m${i}`, epoch: 1, expectedLastSeq: last, timeoutMs: 5_000 })).seq;
    };
    for (let i = 0; i < 1_000; i++) await append(i);
    const before = heapAfterCollection();
    const appends = 30_000;
    for (let i = 1_000; i < 1_000 + appends; i++) await append(i);
    const keptBytes = heapAfterCollection() - before;
    expect(last).toBe(1_000 + appends);
    // With the leak: about 11.7 MB for these appends. Room for the collector's own noise.
    expect(keptBytes).toBeLessThan(3_000_000);
  }, 60_000);
});
