// A real nats-server for tests: JetStream on, 127.0.0.1 only, a free port, a fresh store dir,
// no HTTP monitor. Shared by every suite that needs NATS (the bus tests, the kill -9 tests), so
// its API stays small:
//
//   const server = await startNatsServer();   // resolves once JetStream answers
//   server.url                                 // 'nats://127.0.0.1:<port>'
//   await server.kill9();                      // SIGKILL, the store dir stays (a crash)
//   await server.restart();                    // same port and store dir; stops it first if running
//   await server.stop();                       // SIGTERM, then removes the store dir (final)
//
// The binary is $NATS_SERVER_BIN, else /usr/sbin/nats-server, else `nats-server` on PATH.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { connect } from 'nats';

export interface NatsServer {
  /** 'nats://127.0.0.1:<port>'; the same across restarts. */
  readonly url: string;
  /** JetStream's store dir (kept across kill9 and restart, removed by stop). */
  readonly storeDir: string;
  /** SIGTERM, wait for the exit, remove the store dir. The server cannot be restarted after. */
  stop(): Promise<void>;
  /** SIGKILL and wait for the exit: a crash. The store dir stays for restart(). */
  kill9(): Promise<void>;
  /** Starts it again on the same port and store dir (SIGTERM first if it is running). */
  restart(): Promise<void>;
}

export interface NatsServerOptions {
  /** How long to wait for JetStream to answer after a start (default 15 s: a loaded CI machine). */
  readyTimeoutMs?: number;
  /** Extra nats-server arguments (e.g. ['-c', configFile] for sync_interval: always). */
  args?: string[];
}

const running = new Set<ChildProcess>();
/** Store dirs of servers not stopped yet. */
const stores = new Set<string>();
// A test runner or benchmark that exits without stop() (an error, its wall-time limit, Ctrl-C)
// must not leave servers behind holding ports, nor their store dirs on disk.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
  for (const dir of stores) rmSync(dir, { recursive: true, force: true });
});

export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const binary = findBinary();
  const storeDir = mkdtempSync(join(tmpdir(), 'onsale-nats-'));
  stores.add(storeDir);
  const readyTimeoutMs = options.readyTimeoutMs ?? 15_000;
  let port = await freePort();
  let child: ChildProcess | null = null;
  let stopped = false;

  const launch = async (): Promise<void> => {
    const args = ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir, ...(options.args ?? [])];
    const started = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(started);
    let output = '';
    const keep = (chunk: Buffer): void => { output = (output + chunk.toString()).slice(-4_000); };
    started.stdout?.on('data', keep);
    started.stderr?.on('data', keep);
    const exited = new Promise<void>((resolve) => started.once('exit', () => { running.delete(started); resolve(); }));
    child = started;
    try {
      await waitReady(`nats://127.0.0.1:${port}`, readyTimeoutMs, exited);
    } catch (error) {
      started.kill('SIGKILL');
      await exited;
      child = null;
      throw new Error(`nats-server did not start (${binary} ${args.join(' ')}): ${(error as Error).message}\n${output}`);
    }
  };

  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const current = child;
    child = null;
    if (current === null || current.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
    current.kill(signal);
    await exited;
  };

  // The free port can be taken between probing and listening; a second port is enough in practice.
  for (let attempt = 1; ; attempt++) {
    try {
      await launch();
      break;
    } catch (error) {
      if (attempt >= 3) {
        rmSync(storeDir, { recursive: true, force: true });
        stores.delete(storeDir);
        throw error;
      }
      port = await freePort();
    }
  }

  return {
    url: `nats://127.0.0.1:${port}`,
    storeDir,
    async stop() {
      stopped = true;
      await halt('SIGTERM');
      rmSync(storeDir, { recursive: true, force: true });
      stores.delete(storeDir);
    },
    async kill9() {
      await halt('SIGKILL');
    },
    async restart() {
      if (stopped) throw new Error('this nats-server was stopped (its store dir is gone); start a new one');
      await halt('SIGTERM');
      await launch();
    },
  };
}

function findBinary(): string {
  const candidates = [process.env.NATS_SERVER_BIN, '/usr/sbin/nats-server', ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'nats-server'))];
  for (const candidate of candidates) {
    if (candidate === undefined || candidate === '') continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next place
    }
  }
  throw new Error('nats-server is not installed: looked at $NATS_SERVER_BIN, /usr/sbin/nats-server and PATH. Install it (Debian: apt-get install nats-server) or set NATS_SERVER_BIN.');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Ready means JetStream answers, not just that the port listens: JetStream starts after it. */
async function waitReady(url: string, timeoutMs: number, exited: Promise<void>): Promise<void> {
  let gone = false;
  void exited.then(() => { gone = true; });
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    if (gone) throw new Error('the process exited');
    try {
      const nc = await connect({ servers: url, reconnect: false, timeout: 1_000 });
      try {
        await nc.jetstreamManager();
        return;
      } finally {
        await nc.close();
      }
    } catch (error) {
      last = error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`not ready within ${timeoutMs} ms (last error: ${String(last)})`);
}
