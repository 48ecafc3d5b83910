// A test file's nats-servers, each stopped after its test. Apart from nats-server.ts, which the
// benchmarks import too (outside vitest, where afterEach does not exist).
import { afterEach } from 'vitest';
import { startNatsServer, type NatsServer, type NatsServerOptions } from './nats-server.ts';

/** `start()` gives a fresh server on 127.0.0.1; every one is stopped after the test that started it. */
export function natsServersPerTest(): { start(options?: NatsServerOptions): Promise<NatsServer> } {
  const started: NatsServer[] = [];
  afterEach(async () => {
    for (const server of started.splice(0)) await server.stop();
  });
  return {
    async start(options: NatsServerOptions = {}) {
      const server = await startNatsServer(options);
      started.push(server);
      return server;
    },
  };
}
