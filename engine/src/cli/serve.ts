// `onsale serve`: the engine as a long-running process. With --nats, commands arrive on NATS
// subjects per shard and are journaled in JetStream; this process serves the shards whose lease
// it holds and takes over others' when they die. /metrics is served on 127.0.0.1.
import { parseArgs } from 'node:util';
import { createEngineMetrics, metricsPortDefault, startMetricsServer, type MetricsServer, type MetricsServerOptions } from '../metrics/mod.ts';
import { NatsEngineClient, NatsIngress, type NatsBus } from '../nats/mod.ts';
import { combineObservers, EmbeddedBus, Engine, type Bus } from '../runtime/mod.ts';
import { connectNatsBus } from './nats-bus-for-cli.ts';
import { counted } from './counted.ts';
import { intFlag, StartError, workersAndShards } from './flags.ts';

/** How often `serve` ticks the performances it serves (Engine tickEveryMs). */
const serveTickEveryMs = 1_000;

export async function serve(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { nats: { type: 'string' }, workers: { type: 'string' }, shards: { type: 'string' }, 'metrics-port': { type: 'string' }, 'client-time': { type: 'boolean' } },
  });
  // Every flag is read before anything starts, so a bad one costs nothing to stop.
  const { workers, shards } = workersAndShards(values);
  const metricsPort = values['metrics-port'] === undefined ? metricsPortDefault : intFlag(values['metrics-port'], 'metrics-port', 0, 65_535);
  const say = (line: string) => process.stdout.write(`onsale: ${line}\n`);
  const onError = (error: Error) => process.stderr.write(`onsale: ${error.message}\n`);
  // SIGINT and SIGTERM are heard from the start: one that comes while the engine is starting
  // (connecting, taking leases, recovering) stops it as soon as it has started, not the default
  // way (exit 143, nothing said).
  let stop: (() => Promise<void>) | null = null;
  let stopAsked = false;
  const onSignal = (): void => {
    if (stop !== null) return void stop();
    if (stopAsked) return;
    stopAsked = true;
    say('stopping once started');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const metrics = createEngineMetrics();
  // The port is taken first: one in use is said in one line, before a NATS connection or a
  // worker exists that would have to be stopped. Until the engine is attached, scrapes get the
  // process metrics alone.
  const server = await listenForMetrics(metrics.registry, metricsPort);
  let nats: NatsBus | null = null;
  try {
    nats = values.nats === undefined ? null : await connectNatsBus(values.nats, onError);
  } catch (error) {
    await server.close();
    throw error;
  }
  const bus: Bus = nats ?? new EmbeddedBus();
  const owned = new Set<number>();
  let ingress: NatsIngress | null = null;
  // One "owns shards" line per turn of the event loop, not per lease: a start takes every shard
  // in one turn on the embedded bus, and printed one by one the lines grew with the square of
  // the shard count (--shards up to 4,096). The ingress follows every change at once.
  let ownedLineQueued = false;
  const sayOwned = () => {
    ownedLineQueued = false;
    say(`owns shards [${[...owned].sort((a, b) => a - b).join(',')}]`);
  };
  const leases = {
    leaseChanged: (shard: number, isOwned: boolean) => {
      if (isOwned) owned.add(shard);
      else owned.delete(shard);
      ingress?.sync([...owned]);
      if (!ownedLineQueued) {
        ownedLineQueued = true;
        setImmediate(sayOwned);
      }
    },
  };
  const engine = await Engine.start({
    bus,
    workers,
    shards,
    observer: combineObservers(metrics.observer, leases),
    // Saga steps for shards another process serves go to it over NATS (its command subject).
    ...(nats === null ? {} : { stepForwarder: NatsEngineClient.forwarderOver(nats.connection, shards) }),
    onError,
    // Time moves for idle performances too: expired holds and due quotas show within a second.
    tickEveryMs: serveTickEveryMs,
  });
  // Created once the engine exists; leases won during start are in `owned` already.
  if (nats !== null) {
    ingress = new NatsIngress(nats.connection, engine, { clientTime: values['client-time'] === true });
    ingress.sync([...owned]);
  }
  metrics.attach(engine);
  say(`serving on the ${bus.kind} bus (${bus.durable ? 'durable' : 'NOT durable: in-process, state is lost on exit'}), ${counted(engine.workers, 'worker')}, ${counted(engine.shards, 'shard')}; metrics at ${server.url}`);
  if (bus.kind === 'embedded') say('the embedded bus has no command ingress: use --nats URL, or `onsale simulate` to try the engine');
  let stopping = false;
  stop = async () => {
    if (stopping) return;
    stopping = true;
    say('stopping');
    ingress?.close();
    metrics.detach();
    await server.close();
    await engine.stop();
    process.exit(0);
  };
  if (stopAsked) void stop();
}

/** The /metrics server on 127.0.0.1, or a StartError that says why the port could not be had. */
async function listenForMetrics(registry: MetricsServerOptions['registry'], port: number): Promise<MetricsServer> {
  try {
    return await startMetricsServer({ registry, port });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why = code === 'EADDRINUSE' ? 'the port is in use' : code === 'EACCES' ? 'no permission to listen on it' : (error as Error).message;
    throw new StartError(`cannot serve /metrics on 127.0.0.1:${port}: ${why}; choose another --metrics-port (0 picks a free one)`);
  }
}
