// The files a run writes (--tickets-out, --journal-out) and reads (replay --journal): paths that
// cannot serve are refused before the run, in one line (exit 2); a refused run creates nothing;
// a pipe takes the tickets; one file is never both; an empty file is not a journal. Found by
// probing the CLI in session 28 (CLI.md, exit codes).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isCleanError, lastJson, onsale, readTickets, scratchDir } from './helpers.ts';

/** The refusal's own line: the first of stderr (the usage follows a blank line). */
const firstLine = (stderr: string): string => stderr.split('\n')[0];

describe('cli - the files a run writes', () => {
  it('refuses --tickets-out and --journal-out naming one file (the tickets overwrote the journal), and creates it not', async () => {
    const file = join(scratchDir(), 'both');
    const r = await onsale(['simulate', '--scenario', 'theatre', '--buyers', '50', '--tickets-out', file, '--journal-out', file]);
    expect(isCleanError(r)).toBe(true);
    expect(firstLine(r.stderr)).toContain('name the same file');
    expect(existsSync(file)).toBe(false);
  });

  it('refuses a directory for either file, saying so', async () => {
    const dir = join(scratchDir(), 'adir');
    mkdirSync(dir);
    for (const flag of ['--tickets-out', '--journal-out']) {
      const r = await onsale(['simulate', '--buyers', '50', flag, dir]);
      expect(isCleanError(r), flag).toBe(true);
      expect(firstLine(r.stderr)).toBe(`onsale: ${flag}: ${dir} is a directory`);
    }
  });

  it('refuses --journal-out with --nats (the journal is the stream) before connecting', async () => {
    const file = join(scratchDir(), 'j');
    const r = await onsale(['simulate', '--buyers', '50', '--nats', 'nats://127.0.0.1:1', '--journal-out', file]);
    expect(isCleanError(r)).toBe(true);
    expect(firstLine(r.stderr)).toContain('--journal-out writes the embedded bus');
    expect(existsSync(file)).toBe(false);
  });

  it('a run refused after the flags (NATS unreachable) creates no tickets file', async () => {
    const file = join(scratchDir(), 'new.jsonl');
    const r = await onsale(['simulate', '--buyers', '50', '--nats', 'nats://127.0.0.1:1', '--tickets-out', file]);
    expect(r.code).toBe(1);
    expect(existsSync(file)).toBe(false);
  });

  it('writes the tickets to a pipe (/dev/stdout): no ftruncate of a pipe, no stack trace', async () => {
    const r = await onsale(['simulate', '--buyers', '50', '--workers', '1', '--json', '--tickets-out', '/dev/stdout']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const summary = lastJson(r.stdout) as { performances: { sold: number }[] };
    // Every ticket line, then the summary (written after the tickets).
    expect(lines.length - 1).toBe(summary.performances[0].sold);
    expect(JSON.parse(lines[0])).toHaveProperty('ticketId');
  });

  it('replaces an earlier run\'s tickets file only when its own tickets are written', async () => {
    const file = join(scratchDir(), 't.jsonl');
    writeFileSync(file, 'an earlier run\n'.repeat(10_000));
    const r = await onsale(['simulate', '--buyers', '50', '--json', '--tickets-out', file]);
    expect(r.code).toBe(0);
    const tickets = readTickets(file);
    expect(tickets.length).toBe((lastJson(r.stdout) as { performances: { sold: number }[] }).performances[0].sold);
  });

  // Session 30: a write that failed (a full disk) ended the run with a stack trace.
  it.runIf(existsSync('/dev/full'))('a tickets file or a journal that cannot be written (a full disk) stops the run in one line, exit code 1', async () => {
    for (const flag of ['--tickets-out', '--journal-out']) {
      const r = await onsale(['simulate', '--buyers', '50', '--workers', '1', '--json', flag, '/dev/full']);
      expect(r.code, flag).toBe(1);
      // One line, no stack trace.
      expect(r.stderr, flag).toMatch(new RegExp(`^onsale: ${flag}: [^\\n]*ENOSPC[^\\n]*\\n$`));
    }
  });

  it('a negative value given apart (--seed -1) is refused in one line', async () => {
    const r = await onsale(['simulate', '--seed', '-1']);
    expect(isCleanError(r)).toBe(true);
    expect(r.stderr.split('\n')[1]).toBe('');
    expect(firstLine(r.stderr)).toContain("'--seed=-XYZ'");
  });
});

describe('cli - replay --journal', () => {
  it('an empty file is not a journal: exit 1, nothing replayed', async () => {
    const file = join(scratchDir(), 'empty');
    writeFileSync(file, '');
    const r = await onsale(['replay', '--journal', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`onsale: cannot replay ${file}: it holds no journal record\n`);
    expect(r.stdout).toBe('');
  });

  it('--journal and --nats together are refused: one journal is replayed', async () => {
    const file = join(scratchDir(), 'empty');
    writeFileSync(file, '');
    const r = await onsale(['replay', '--journal', file, '--nats', 'nats://127.0.0.1:1']);
    expect(isCleanError(r)).toBe(true);
    expect(firstLine(r.stderr)).toContain('not both');
  });
});

describe('cli - season with very few buyers', () => {
  it('--buyers 1 simulates its one buyer (the shares rounded down to none but the resale\'s)', async () => {
    const r = await onsale(['simulate', '--scenario', 'season', '--buyers', '1', '--json']);
    expect(r.code).toBe(0);
    const s = lastJson(r.stdout) as { buyers: number; phases: { singles: { buyers: number } }; performances: { sold: number }[] };
    expect(s.phases.singles.buyers).toBe(1);
    expect(s.performances.reduce((n, p) => n + p.sold, 0)).toBeGreaterThan(0);
  });
});
