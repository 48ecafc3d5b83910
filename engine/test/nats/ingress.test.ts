// The NATS command ingress with malformed requests (a real nats-server; the engine on the
// embedded bus, since the ingress serves any engine): every request is answered with a refusal,
// none throws into the client library's reader (which would stop the process from hearing any
// request again), and the shard goes on serving.
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsIngress, commandSubjectPrefix, querySubjectPrefix } from '../../src/nats/mod.ts';
import { Engine, pack, packr } from '../../src/runtime/mod.ts';
import { open, T0 } from '../runtime/helpers.ts';
import { startNatsServer, type NatsServer } from './nats-server.ts';

let server: NatsServer;
let nc: NatsConnection;
let engine: Engine;
let ingress: NatsIngress;

beforeAll(async () => {
  server = await startNatsServer();
  engine = await Engine.start({ workers: 1, shards: 1 });
  await engine.whenServing(0);
  expect((await engine.submit('P-1', open('P-1'), T0)).ok).toBe(true);
  nc = await connect({ servers: server.url });
  ingress = new NatsIngress(nc, engine);
  ingress.sync([0]);
  await nc.flush();
}, 30_000);

afterAll(async () => {
  ingress?.close();
  await nc?.close();
  await engine?.stop();
  await server?.stop();
});

const command = async (body: unknown): Promise<unknown> => packr.unpack((await nc.request(`${commandSubjectPrefix}.0`, pack(body), { timeout: 3_000 })).data);
const query = async (body: unknown): Promise<unknown> => packr.unpack((await nc.request(`${querySubjectPrefix}.0`, pack(body), { timeout: 3_000 })).data);

describe('NATS ingress - malformed requests', () => {
  it('answers an item that is not an array, and a command that is not an object, with COMMAND_INVALID', async () => {
    expect(await command([5])).toEqual([expect.objectContaining({ ok: false, name: 'COMMAND_INVALID', field: '[0]' })]);
    expect(await command([['P-1', null, null]])).toEqual([expect.objectContaining({ ok: false, name: 'COMMAND_INVALID', field: 'commandId' })]);
    // A good command next to a bad one is applied and answered.
    const mixed = await command([['P-1', null, null], ['P-1', { type: 'holdSeats', commandId: 'ing-h1', buyerId: 'b1', channel: 'web', seatNos: [0] }, null]]);
    expect(mixed).toEqual([expect.objectContaining({ name: 'COMMAND_INVALID' }), expect.objectContaining({ ok: true, holdId: 'ing-h1' })]);
  });

  it('answers a query that is not a map, and goes on serving', async () => {
    expect(await query(null)).toEqual(expect.objectContaining({ ok: false, name: 'COMMAND_INVALID' }));
    expect(await query({ performanceId: 'P-1', query: 'seatMap', arg: null })).toEqual({ ok: true, answer: expect.objectContaining({ ok: false, name: 'COMMAND_INVALID', field: 'query' }) });
    expect(await query({ performanceId: 'P-1', query: 'seatCounts', arg: null })).toEqual({ ok: true, answer: expect.objectContaining({ held: 1 }) });
  });
});
