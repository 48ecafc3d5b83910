// `onsale simulate` flag handling: a bad flag or flag value gets a clear error (`onsale: ...`,
// exit 2) before anything runs, never an uncaught exception with a stack trace, and never a
// silent default.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isCleanError, onsale, scratchDir } from './helpers.ts';

describe('cli - onsale simulate flag handling', () => {
  it('a non-integer --seed gets a clean error', async () => {
    const r = await onsale(['simulate', '--buyers', '50', '--json', '--seed', 'abc']);
    expect(isCleanError(r)).toBe(true);
  });

  it('an unknown flag gets a clean error, not an ERR_PARSE_ARGS_UNKNOWN_OPTION stack trace', async () => {
    const r = await onsale(['simulate', '--buyers', '50', '--json', '--bogus']);
    expect(r.stderr).not.toContain('ERR_PARSE_ARGS');
    expect(isCleanError(r)).toBe(true);
  });

  it('a flag without its value (--seed at the end) gets a clean error', async () => {
    const r = await onsale(['simulate', '--buyers', '50', '--json', '--seed']);
    expect(isCleanError(r)).toBe(true);
  });

  it('a negative value as a separate argument (--seed -1) gets a clean error', async () => {
    const r = await onsale(['simulate', '--buyers', '50', '--json', '--seed', '-1']);
    expect(isCleanError(r)).toBe(true);
  });

  it('a stray positional argument gets a clean error', async () => {
    const r = await onsale(['simulate', 'stadium', '--buyers', '50', '--json']);
    expect(isCleanError(r)).toBe(true);
  });

  it('--json=1 (a value on a boolean flag) gets a clean error', async () => {
    const r = await onsale(['simulate', '--buyers', '50', '--json=1']);
    expect(isCleanError(r)).toBe(true);
  });

  it('an empty --seed is refused, not silently run as seed 0', async () => {
    const r = await onsale(['simulate', '--buyers', '50', '--json', '--seed', '']);
    expect(isCleanError(r)).toBe(true);
  });

  it('--shards below the worker count gets a clean error, not a RangeError from the pool', async () => {
    const r = await onsale(['simulate', '--buyers', '50', '--json', '--workers', '2', '--shards', '1']);
    expect(r.stderr).not.toContain('RangeError');
    expect(isCleanError(r)).toBe(true);
  });

  // Found in session 17: --buyers 5000000000 failed inside the simulator with a RangeError.
  it('flags that size a run have upper bounds, refused with a clean error', async () => {
    for (const args of [['--buyers', '10000001'], ['--workers', '257', '--shards', '300'], ['--shards', '4097'], ['--buyers', '5000000000']]) {
      const r = await onsale(['simulate', '--json', ...args]);
      expect(r.stderr).not.toContain('RangeError');
      expect(isCleanError(r), `${args.join(' ')}: ${r.stderr}`).toBe(true);
    }
  });

  it('an invalid --ticket-key is refused up front with a clean error (not a RangeError after the whole run)', async () => {
    const dir = scratchDir();
    const r = await onsale(['simulate', '--buyers', '50', '--json', '--ticket-key', 'zz', '--tickets-out', join(dir, 't.jsonl')]);
    expect(r.stderr).not.toContain('RangeError');
    expect(isCleanError(r)).toBe(true);
    // Nothing ran: no summary on stdout.
    expect(r.stdout).toBe('');
  });

  it('an invalid ONSALE_TICKET_KEY is refused with a clean error', async () => {
    const dir = scratchDir();
    const r = await onsale(['simulate', '--buyers', '50', '--json', '--tickets-out', join(dir, 't.jsonl')], { ONSALE_TICKET_KEY: 'not-hex' });
    expect(isCleanError(r)).toBe(true);
  });

  it('an unwritable --tickets-out is refused with a clean error (not an uncaught ENOENT after the run)', async () => {
    const file = join(scratchDir(), 'no-such-dir', 't.jsonl');
    const r = await onsale(['simulate', '--buyers', '50', '--json', '--tickets-out', file]);
    expect(existsSync(file)).toBe(false);
    expect(r.stderr).not.toContain('triggerUncaughtException');
    expect(isCleanError(r)).toBe(true);
  });

  it('an unwritable --journal-out is refused with a clean error (not a set-up refusal stack trace)', async () => {
    const file = join(scratchDir(), 'no-such-dir', 'run.journal');
    const r = await onsale(['simulate', '--buyers', '50', '--json', '--journal-out', file]);
    expect(r.stderr).not.toContain('simulation set-up refused');
    expect(isCleanError(r)).toBe(true);
  });

  it('an unreachable --nats gets a clean error, not an uncaught NatsError', async () => {
    const r = await onsale(['simulate', '--buyers', '50', '--json', '--nats', 'nats://127.0.0.1:1']);
    expect(r.stderr).not.toContain('NatsError');
    expect(r.code).not.toBe(0);
    expect(r.stderr.startsWith('onsale: ')).toBe(true);
    expect(/\n\s+at /.test(r.stderr)).toBe(false);
  });

  it('--shards, which simulate accepts, is in the usage text', async () => {
    const r = await onsale(['help']);
    const simulateUsage = r.stdout.slice(r.stdout.indexOf('onsale simulate'), r.stdout.indexOf('onsale serve'));
    expect(simulateUsage).toContain('--shards');
  });
});

describe('cli - onsale serve and replay flag handling', () => {
  it('--help after a command prints the usage, exit 0', async () => {
    for (const command of ['serve', 'replay', 'simulate']) {
      const r = await onsale([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('onsale serve');
    }
  });

  it('serve refuses bad flags before it starts anything', async () => {
    for (const args of [['--bogus'], ['--workers', '0'], ['--metrics-port', 'abc'], ['--metrics-port', '1e3'], ['--metrics-port', '70000'], ['--workers', '4', '--shards', '2'], ['--workers', '2', '--shards', '1'], ['--fault-prefix', 'x']]) {
      const r = await onsale(['serve', ...args]);
      expect(isCleanError(r), `${args.join(' ')}: ${r.stderr}`).toBe(true);
      expect(r.stdout).toBe('');
    }
  });

  it('serve and replay with an unreachable --nats say so in one line, exit 1', async () => {
    for (const command of ['serve', 'replay']) {
      const r = await onsale([command, '--nats', 'nats://127.0.0.1:1']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^onsale: cannot use NATS at nats:\/\/127\.0\.0\.1:1: /);
      expect(/\n\s+at /.test(r.stderr)).toBe(false);
    }
  });
});
