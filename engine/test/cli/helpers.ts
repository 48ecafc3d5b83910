// The CLI tests' helpers: run the real `onsale` CLI (bin/onsale.js) as a child process, as a user would.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '../../..');

export interface CliResult { code: number | null; stdout: string; stderr: string }

export function onsale(args: string[], env: Record<string, string> = {}, timeoutMs = 110_000): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['bin/onsale.js', ...args], { cwd: root, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'onsale-cli-'));
}

export function readTickets(file: string): Record<string, unknown>[] {
  const text = readFileSync(file, 'utf8').trim();
  return text === '' ? [] : text.split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
}

/** A CLI error the contract accepts: a one-line `onsale: ...` message, exit 2, no stack trace. */
export function isCleanError(r: CliResult): boolean {
  return r.code === 2 && r.stderr.startsWith('onsale: ') && !/\n\s+at /.test(r.stderr) && !r.stderr.includes('node:internal');
}
