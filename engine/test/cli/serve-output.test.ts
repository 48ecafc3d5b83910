// `onsale serve` on the embedded bus: what an operator reads. The shards it takes at start are
// announced in one "owns shards [..]" line (tools parse that line), not one line per lease, whose
// lists grew with the square of the shard count; SIGTERM stops it cleanly with exit code 0.
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { onsale, root } from './helpers.ts';

/** `onsale serve` with these flags and a free metrics port, its output gathered as it comes. */
function serve(flags: string[]) {
  const child = spawn(process.execPath, ['bin/onsale.js', 'serve', ...flags, '--metrics-port', '0'], { cwd: root });
  const out = { child, stdout: '', stderr: '', exited: new Promise<[number | null, string | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal]))) };
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out.stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out.stderr += d));
  return out;
}

describe('onsale serve (embedded bus)', () => {
  it('says what it serves (1 worker, not 1 workers), announces the shards it takes at start in one line, and stops on SIGTERM with exit code 0', async () => {
    const serving = serve(['--workers', '1', '--shards', '64']);
    const deadline = Date.now() + 60_000;
    while (!(serving.stdout.includes('owns shards') && serving.stdout.includes('serving on the embedded bus'))) {
      if (Date.now() > deadline || serving.child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // A turn later any further line would be out.
    await new Promise((r) => setTimeout(r, 200));
    serving.child.kill('SIGTERM');
    const [code] = await serving.exited;
    const { stdout, stderr } = serving;
    const ownedLines = stdout.split('\n').filter((l) => l.includes('owns shards'));
    expect(ownedLines).toEqual([`onsale: owns shards [${Array.from({ length: 64 }, (_, i) => i).join(',')}]`]);
    expect(stdout).toContain('onsale: serving on the embedded bus (NOT durable: in-process, state is lost on exit), 1 worker, 64 shards;');
    expect(stdout).toContain('onsale: stopping');
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  // Found in session 29: a SIGTERM while `serve` was starting ended it the default way (exit 143,
  // nothing said), or, while shards recovered, with exit 1 and a stack trace.
  it('stops with exit code 0 on a SIGTERM that comes while it is still starting', async () => {
    const serving = serve(['--workers', '2', '--shards', '4096']);
    // The first line is out once the shards are taken, before 4,096 of them have recovered.
    const deadline = Date.now() + 60_000;
    while (serving.stdout === '' && Date.now() < deadline && serving.child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
    serving.child.kill('SIGTERM');
    expect(await serving.exited).toEqual([0, null]);
    expect(serving.stdout).toMatch(/onsale: stopping/);
    expect(serving.stderr).toBe('');
  });

  it('says in one line that the metrics port is in use, with exit code 1 and no stack trace, and starts nothing', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const { code, stdout, stderr } = await onsale(['serve', '--workers', '1', '--shards', '2', '--metrics-port', String(port)]);
      expect(code).toBe(1);
      expect(stderr).toBe(`onsale: cannot serve /metrics on 127.0.0.1:${port}: the port is in use; choose another --metrics-port (0 picks a free one)\n`);
      expect(stdout).toBe('');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
