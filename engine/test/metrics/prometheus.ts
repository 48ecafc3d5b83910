// A real Prometheus for tests: 127.0.0.1 only, a free port, a fresh TSDB dir, scraping the
// given targets every second.
//
//   const prom = await startPrometheus({ targets: ['127.0.0.1:9464'] });  // resolves once /-/ready
//   await prom.query('sum(onsale_commands_total)')                          // the API's data.result
//   await prom.stop();                                                      // SIGTERM, removes the dir
//
// The binary is $PROMETHEUS_BIN, else `prometheus` on PATH (Debian: apt-get install prometheus).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface QueryAnswer {
  status: 'success' | 'error';
  error?: string;
  errorType?: string;
  data?: { resultType: string; result: VectorSample[] | [number, string] };
}

export interface RuleGroup {
  name: string;
  rules: { name: string; type: 'alerting' | 'recording'; health: 'ok' | 'err' | 'unknown'; lastError?: string; state?: 'inactive' | 'pending' | 'firing'; lastEvaluation: string }[];
}

export interface Prometheus {
  readonly url: string;
  /** An instant query; answers errors as well (status 'error'), so a test can check syntax. */
  query(expr: string): Promise<QueryAnswer>;
  /** The loaded rules with their health and state (GET /api/v1/rules): the API's data.groups. */
  rules(): Promise<RuleGroup[]>;
  /** Prometheus' own output so far (the last few KiB), for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function prometheusBinary(): string {
  const binary = process.env.PROMETHEUS_BIN ?? 'prometheus';
  const probe = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      `prometheus is not installed (tried ${JSON.stringify(binary)}: ${probe.error?.message ?? probe.stderr}). ` +
      'Install it (Debian: apt-get install -y --no-install-recommends prometheus; CI does this in .ci/run) or set PROMETHEUS_BIN.',
    );
  }
  return binary;
}

/** `ruleFiles`: rule files (absolute paths) to load, evaluated every second. */
export async function startPrometheus(options: { targets: string[]; ruleFiles?: string[]; readyTimeoutMs?: number }): Promise<Prometheus> {
  const binary = prometheusBinary();
  const dir = mkdtempSync(join(tmpdir(), 'onsale-prometheus-'));
  // scrape_timeout may not exceed the interval; 1 s keeps the test's wait short.
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    '  - job_name: onsale',
    '    static_configs:',
    `      - targets: [${options.targets.map((t) => `'${t}'`).join(', ')}]`,
    ...(options.ruleFiles === undefined ? [] : ['rule_files:', ...options.ruleFiles.map((f) => `  - '${f}'`)]),
    '',
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), config);
  let output = '';
  // The probed port can be taken before Prometheus binds it; a second one is enough in practice.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const args = [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`];
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    const keep = (chunk: Buffer): void => { output = (output + chunk.toString()).slice(-6_000); };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const exited = new Promise<void>((resolve) => child.once('exit', () => { running.delete(child); resolve(); }));
    const stop = async (): Promise<void> => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
    };
    try {
      await waitReady(url, options.readyTimeoutMs ?? 30_000, () => child.exitCode !== null || child.signalCode !== null);
    } catch (error) {
      await stop();
      if (attempt < 3) continue;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`prometheus did not start (${binary} ${args.join(' ')}): ${(error as Error).message}\n${output}`);
    }
    return {
      url,
      output: () => output,
      async query(expr) {
        const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
        return (await response.json()) as QueryAnswer;
      },
      async rules() {
        const response = await fetch(`${url}/api/v1/rules`);
        return ((await response.json()) as { data: { groups: RuleGroup[] } }).data.groups;
      },
      async stop() {
        await stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

async function waitReady(url: string, timeoutMs: number, gone: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (gone()) throw new Error('the process exited');
    try {
      const response = await fetch(`${url}/-/ready`);
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not ready within ${timeoutMs} ms (${last})`);
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
