// Engine processes for crash tests: `onsale serve --nats` as a real child process, killed with
// SIGKILL like a crashed machine would be, with its "owns shards [..]" lines parsed from stdout.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { startNatsServer, type NatsServer } from './nats-server.ts';

const bin = fileURLToPath(new URL('../../../bin/onsale.js', import.meta.url));
const alive = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of alive) child.kill('SIGKILL');
});

export interface EngineProcess {
  /** The shards it owns, from its last "owns shards" line. */
  owned(): number[];
  /** Resolves when `test` holds for its ownership; rejects after timeoutMs. */
  waitForOwned(test: (owned: number[]) => boolean, timeoutMs: number): Promise<number[]>;
  kill9(): Promise<void>;
  /** SIGSTOP: the whole process freezes (a stalled machine, a long GC pause); its leases run out while it cannot tell. */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  stop(): Promise<void>;
  output(): string;
}

export function startEngineProcess(natsUrl: string, shards: number): EngineProcess {
  const child = spawn(process.execPath, [bin, 'serve', '--nats', natsUrl, '--workers', '1', '--shards', String(shards), '--metrics-port', '0', '--client-time'], { stdio: ['ignore', 'pipe', 'pipe'] });
  alive.add(child);
  let owned: number[] = [];
  let log = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => { alive.delete(child); resolve(); }));
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    log += chunk;
    for (const m of chunk.matchAll(/owns shards \[([\d,]*)\]/g)) owned = m[1] === '' ? [] : m[1].split(',').map(Number);
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  return {
    owned: () => owned,
    async waitForOwned(test, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!test(owned)) {
        if (Date.now() > deadline) throw new Error(`ownership ${JSON.stringify(owned)} did not reach the expected state in ${timeoutMs} ms; output:\n${log}`);
        if (child.exitCode !== null) throw new Error(`engine process exited (${child.exitCode}); output:\n${log}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return owned;
    },
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    pause() {
      if (child.exitCode === null) child.kill('SIGSTOP');
    },
    resume() {
      if (child.exitCode === null) child.kill('SIGCONT');
    },
    async stop() {
      // A paused process would not act on SIGTERM until continued.
      if (child.exitCode === null) child.kill('SIGCONT');
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    output: () => log,
  };
}

/** Runs `onsale replay --nats URL --json` and returns its summary. */
export interface ReplaySummary {
  performances: { performanceId: string; sold: number; stateHash: string }[];
  products: { productId: string; holdings: number; sagasInFlight: number; stateHash: string }[];
}

export async function replayJson(natsUrl: string, shards: number): Promise<ReplaySummary> {
  const child = spawn(process.execPath, [bin, 'replay', '--nats', natsUrl, '--shards', String(shards), '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`replay exited ${code}: ${err}`);
  return JSON.parse(out.trim().split('\n').pop()!);
}

/**
 * A real nats-server for the tests of one describe block, and the engine processes they start:
 * every process is stopped and the server with them when the block ends.
 */
export function natsWithEngines(): { readonly server: NatsServer; readonly processes: EngineProcess[] } {
  let server: NatsServer | null = null;
  const processes: EngineProcess[] = [];
  beforeAll(async () => {
    server = await startNatsServer();
  }, 30_000);
  afterAll(async () => {
    for (const p of processes) await p.stop().catch(() => undefined);
    await server?.stop();
  });
  return {
    get server(): NatsServer {
      if (server === null) throw new Error('the nats-server has not started');
      return server;
    },
    processes,
  };
}

/**
 * A kill in the middle of a load, and proof that it met work in flight: requests sent through
 * `track` are counted while they wait. `killSoon` sends the kill a moment later (not awaited:
 * requests keep meeting the dead process and its successor), once; the test then expects
 * `outstandingAtKill` and `answeredAfterKill` (sent before the kill, answered after it) above 0.
 * Killing awaited, between waves, met nothing in flight (until session 31).
 */
export class KillMidLoad {
  /** Whether the kill was decided (killSoon was called). */
  decided = false;
  /** Whether it was sent. */
  private dead = false;
  private outstanding = 0;
  outstandingAtKill = 0;
  answeredAfterKill = 0;

  async track<T>(request: () => Promise<T>): Promise<T> {
    this.outstanding++;
    const sentBeforeKill = !this.dead;
    try {
      return await request();
    } finally {
      this.outstanding--;
      if (sentBeforeKill && this.dead) this.answeredAfterKill++;
    }
  }

  /** Sends `kill` after `delayMs` (the commands sent meanwhile are being journaled and applied), once. */
  killSoon(delayMs: number, kill: () => Promise<void>): void {
    if (this.decided) return;
    this.decided = true;
    setTimeout(() => {
      this.dead = true;
      this.outstandingAtKill = this.outstanding;
      void kill();
    }, delayMs);
  }
}

/** Runs `work(i)` for i in 0..count-1, `width` at a time as a sliding window (no waves: something is always in flight). */
export async function slidingWindow<T>(count: number, width: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      results[i] = await work(i);
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  return results;
}
