// One engine (embedded bus, one shard, performance P-1 open) behind a NatsIngress on a real
// nats-server, for the tests of one file, and requests to its three subjects as a client sends
// them (msgpack, request/reply).
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, expect } from 'vitest';
import { NatsIngress, commandSubjectPrefix, querySubjectPrefix, stepSubjectPrefix, type NatsIngressOptions } from '../../src/nats/mod.ts';
import { Engine, pack, packr, type EngineObserver } from '../../src/runtime/mod.ts';
import { open } from '../runtime/helpers.ts';
import { startNatsServer, type NatsServer } from './nats-server.ts';

export interface IngressFixture {
  readonly engine: Engine;
  /** The nats-server's URL. */
  readonly url: string;
  command(body: unknown): Promise<unknown>;
  forwarded(body: unknown): Promise<unknown>;
  query(body: unknown): Promise<unknown>;
}

/** `openedAtMs`: P-1's opening time (undefined: the engine's clock). */
export function ingressFixture(options: NatsIngressOptions, openedAtMs?: number, observer?: EngineObserver): IngressFixture {
  let server: NatsServer;
  let nc: NatsConnection;
  let engine: Engine;
  let ingress: NatsIngress;
  beforeAll(async () => {
    server = await startNatsServer();
    engine = await Engine.start({ workers: 1, shards: 1, ...(observer === undefined ? {} : { observer }) });
    await engine.whenServing(0);
    expect((await engine.submit('P-1', open('P-1'), openedAtMs)).ok).toBe(true);
    nc = await connect({ servers: server.url });
    ingress = new NatsIngress(nc, engine, options);
    ingress.sync([0]);
    await nc.flush();
  }, 30_000);
  afterAll(async () => {
    ingress?.close();
    await nc?.close();
    await engine?.stop();
    await server?.stop();
  });
  const ask = async (subject: string, body: unknown): Promise<unknown> => packr.unpack((await nc.request(subject, pack(body), { timeout: 3_000 })).data);
  return {
    get engine() { return engine; },
    get url() { return server.url; },
    command: (body) => ask(`${commandSubjectPrefix}.0`, body),
    forwarded: (body) => ask(`${stepSubjectPrefix}.0`, body),
    query: (body) => ask(`${querySubjectPrefix}.0`, body),
  };
}
