// The `onsale` command as a user runs it (bin/onsale.js), for the contract points the CLI tests
// did not pin: the default run's size, the tickets file's presale, quota, order and barcode
// fields, the readable report, flag edge cases, `serve` and `replay`.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedBus, Engine, shardOf, verifyTicketCode } from '../../src/runtime/mod.ts';
import { simulateOnsale } from '../../src/sim/simulate.ts';
import { parseExposition, valueOf } from '../metrics/exposition.ts';
import { isCleanError, lastJson, onsale, readTickets, root, scratchDir } from '../cli/helpers.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON lines as an outside tool reads them
type T = Record<string, any>;

const seedKey = (seed: number) => createHash('sha256').update(`onsale-simulation-${seed}`).digest('hex');
const subject = (t: T) => ({ ticketId: t.ticketId, performanceId: t.performanceId, seatId: t.seatId, gaAreaId: t.gaAreaId });

async function simulate(args: string[]): Promise<{ summary: T; tickets: T[] }> {
  const file = join(scratchDir(), 't.jsonl');
  const r = await onsale(['simulate', '--json', '--workers', '1', '--tickets-out', file, ...args], {}, 300_000);
  expect(r.code, r.stderr).toBe(0);
  return { summary: lastJson(r.stdout), tickets: readTickets(file) };
}

describe('onsale simulate, the default run', () => {
  it('with no flags: seed 1, at least 300,000 buyers, presale and quota sold, abandoned holds expired', async () => {
    const r = await onsale(['simulate', '--json'], {}, 300_000);
    expect(r.code, r.stderr).toBe(0);
    const s = lastJson(r.stdout) as T;
    expect(s.scenario).toBe('onsale');
    expect(s.seed).toBe(1);
    expect(s.buyers).toBeGreaterThanOrEqual(300_000);
    expect(s.commands).toBeGreaterThan(s.buyers / 10);
    expect(s.holds.expired).toBeGreaterThan(0);
    expect([s.bus, s.durable]).toEqual(['embedded', false]);
  }, 300_000);
});

describe('the tickets file of an on-sale', () => {
  it('presale and quota fields, net prices, orders, one line per ticket, barcodes signed with the seed\'s key', async () => {
    const { summary, tickets } = await simulate(['--buyers', '2000', '--seed', '3']);
    expect(tickets.length).toBe(summary.performances[0].sold);
    // Presale tickets carry their code and the fan-club ticket type.
    const presale = tickets.filter((t) => t.presaleCode !== null);
    expect(presale.length).toBeGreaterThan(10);
    for (const t of presale) expect([t.presaleCode, t.ticketType]).toEqual(['FANCLUB-2026', 'fanclub']);
    expect(tickets.some((t) => t.ticketType === 'adult')).toBe(true);
    // Quota tickets: 10 % off, priceMinor is net of discountMinor.
    const quota = tickets.filter((t) => t.quotaId !== null);
    expect(quota.length).toBeGreaterThan(10);
    for (const t of quota) {
      expect(t.discountMinor).toBeGreaterThan(0);
      expect(Math.abs((t.priceMinor + t.discountMinor) / 10 - t.discountMinor)).toBeLessThanOrEqual(1);
    }
    // revenueMinor is the sum of the valid tickets' (net) prices.
    expect(tickets.filter((t) => t.status === 'valid').reduce((sum, t) => sum + t.priceMinor, 0)).toBe(summary.revenueMinor);
    // Orders: several tickets to an order, one buyer each.
    const orders = new Map<string, Set<string>>();
    for (const t of tickets) orders.set(t.orderId, (orders.get(t.orderId) ?? new Set()).add(t.buyerId));
    expect(orders.size).toBeLessThan(tickets.length);
    for (const buyers of orders.values()) expect(buyers.size).toBe(1);
    // Each barcode is its own ticket's, signed with the key derived from the seed.
    for (const t of tickets) expect(verifyTicketCode(seedKey(3), t.barcode, subject(t)), t.ticketId).toBe(true);
    expect(verifyTicketCode(seedKey(4), tickets[0].barcode, subject(tickets[0]))).toBe(false);
  }, 120_000);

  it('--ticket-key signs the barcodes with that key', async () => {
    const key = 'ab'.repeat(32);
    const { tickets } = await simulate(['--buyers', '500', '--seed', '3', '--ticket-key', key]);
    expect(tickets.length).toBeGreaterThan(0);
    for (const t of tickets) expect(verifyTicketCode(key, t.barcode, subject(t))).toBe(true);
  }, 120_000);

  it('a seed above 2^31 is its own sale, not the sale of the seed 2^31 below it', async () => {
    const withoutBarcode = (rows: T[]) => rows.map(({ barcode: _b, ...rest }) => rest);
    const one = await simulate(['--buyers', '1000', '--seed', '1']);
    const high = await simulate(['--buyers', '1000', '--seed', String(2 ** 31 + 1)]);
    expect(high.summary.seed).toBe(2 ** 31 + 1);
    expect(withoutBarcode(high.tickets)).not.toEqual(withoutBarcode(one.tickets));
  }, 120_000);
});

describe('the readable report', () => {
  it('says the embedded bus is not durable, and shows sold and rejections by code as the JSON does', async () => {
    const json = await simulate(['--buyers', '3000', '--seed', '3']);
    const r = await onsale(['simulate', '--workers', '1', '--buyers', '3000', '--seed', '3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('NOT durable');
    const p = json.summary.performances[0];
    expect(r.stdout).toContain(`${p.performanceId}: sold ${p.sold.toLocaleString('en-US')} of ${p.capacity.toLocaleString('en-US')} seats`);
    expect(r.stdout).toContain('rejections by code:');
    expect(Object.keys(json.summary.rejections).length).toBeGreaterThan(0);
    for (const [code, n] of Object.entries(json.summary.rejections as Record<string, number>)) {
      expect(r.stdout).toMatch(new RegExp(`\\n\\s+${code}\\s+${n.toLocaleString('en-US')}\\n`));
    }
    expect(r.stdout).toMatch(/commands\/s/);
    expect(r.stdout).toMatch(/p50 [\d.]+ ms, p99 [\d.]+ ms/);
  }, 120_000);
});

describe('flags', () => {
  it('--seed 0 is a seed (0 to 4294967295)', async () => {
    const { summary } = await simulate(['--buyers', '200', '--seed', '0']);
    expect(summary.seed).toBe(0);
  });

  it('--buyers 0, an unknown scenario, an unknown command and a replay without a journal are refused (exit 2)', async () => {
    for (const args of [['simulate', '--buyers', '0'], ['simulate', '--buyers', '50', '--scenario', 'arena'], ['simulte'], ['replay']]) {
      const r = await onsale(args);
      expect(isCleanError(r), `${args.join(' ')}: ${r.code} ${r.stderr}`).toBe(true);
      expect(r.stdout, args.join(' ')).toBe('');
    }
  });
});

/** Starts `onsale serve` and resolves with its metrics URL and the start line; `stop()` sends SIGTERM. */
async function serve(args: string[]): Promise<{ url: string; line: string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, ['bin/onsale.js', 'serve', ...args], { cwd: root });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start line: ${out}`)), 60_000);
    const look = (d: Buffer) => {
      out += d;
      const m = /^onsale: serving on .*$/m.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    };
    child.stdout.on('data', look);
    child.stderr.on('data', (d) => (out += d));
    void exited.then(() => reject(new Error(`serve exited: ${out}`)));
  });
  const url = /metrics at (\S+)/.exec(line)![1];
  return { url, line, stop: async () => { child.kill('SIGTERM'); return exited; } };
}

async function portFree(port: number): Promise<boolean> {
  const probe = createServer();
  const free = await new Promise<boolean>((resolve) => probe.once('error', () => resolve(false)).listen(port, '127.0.0.1', () => resolve(true)));
  if (free) await new Promise((resolve) => probe.close(resolve));
  return free;
}

describe('onsale serve', () => {
  it('serves /metrics on 127.0.0.1 with every shard owned and its mailbox, and says the embedded bus is not durable', async () => {
    const s = await serve(['--workers', '1', '--shards', '2', '--metrics-port', '0']);
    try {
      expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect(s.line).toContain('NOT durable');
      const x = parseExposition(await (await fetch(s.url)).text());
      for (const shard of ['0', '1']) {
        expect(valueOf(x, 'onsale_shard_owned', { shard }), shard).toBe(1);
        expect(valueOf(x, 'onsale_mailbox_depth', { shard }), shard).toBe(0);
      }
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  it('listens on 127.0.0.1:9464 by default', async (ctx) => {
    if (!(await portFree(9464))) ctx.skip();
    const s = await serve(['--workers', '1', '--shards', '1']);
    try {
      expect(s.url).toBe('http://127.0.0.1:9464/metrics');
    } finally {
      await s.stop();
    }
  });
});

/** A journal file written by an engine of `shards` shards with one simulated on-sale of `performanceId`, and its live state. */
async function journal(shards: number, performanceId: string): Promise<{ file: string; live: string; counts: { free: number; held: number; sold: number; blocked: number } }> {
  const file = join(scratchDir(), 'run.journal');
  const engine = await Engine.start({ bus: new EmbeddedBus({ journalFile: file }), workers: 1, shards });
  try {
    await simulateOnsale(engine, { seed: 5, buyers: 1_000, performanceId });
    const live = await engine.query(performanceId, 'stateHash') as string;
    const counts = await engine.query(performanceId, 'seatCounts') as { free: number; held: number; sold: number; blocked: number };
    expect(counts.sold).toBeGreaterThan(0);
    return { file, live, counts };
  } finally {
    await engine.stop();
  }
}

const onShard = (shard: number, shards: number) => {
  for (let i = 0; ; i++) if (shardOf(`STADIUM-R${i}`, shards) === shard) return `STADIUM-R${i}`;
};

describe('onsale replay --journal', () => {
  it('rebuilds every shard of the file (20, more than its default 16) and prints the live state hash and seat counts', async () => {
    const performanceId = onShard(19, 20);
    const { file, live, counts } = await journal(20, performanceId);
    const r = await onsale(['replay', '--journal', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = lastJson(r.stdout) as { shards: number; performances: T[] };
    expect(summary.shards).toBe(20);
    expect(summary.performances.find((x) => x.performanceId === performanceId)).toEqual({ performanceId, ...counts, stateHash: live });
    const text = await onsale(['replay', '--journal', file]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`${performanceId}: free ${counts.free}, held ${counts.held}, sold ${counts.sold}, blocked ${counts.blocked}, state hash ${live}`);
  }, 120_000);

  // The writer's shard count is in the file: a performance's shard depends on it, and a replay
  // with any other count would rebuild it on one shard and ask for it on another.
  it('a journal written with 5 shards replays with 5 (the count the file names) to the live state hash', async () => {
    const performanceId = 'STADIUM-2026-12-01';
    const { file, live } = await journal(5, performanceId);
    const r = await onsale(['replay', '--journal', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = lastJson(r.stdout) as { shards: number; performances: T[] };
    expect(summary.shards).toBe(5);
    expect(summary.performances.find((x) => x.performanceId === performanceId)?.stateHash).toBe(live);
    // Another count asked for is refused, not replayed wrong.
    const other = await onsale(['replay', '--journal', file, '--shards', '16']);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('written by an engine of 5 shards');
    // More workers than the file's shards cannot run either: refused, not a crash in the pool.
    const crowded = await onsale(['replay', '--journal', file, '--workers', '8']);
    expect(isCleanError(crowded), `${crowded.code} ${crowded.stderr}`).toBe(true);
    expect(crowded.stderr).toContain('--workers 8');
  }, 120_000);

  it('a file that names no shard count (written before it did) is refused when the guess is wrong, and replays with --shards', async () => {
    const performanceId = 'STADIUM-2026-12-01';
    const { file, live } = await journal(5, performanceId);
    // The records in the format an older engine wrote: no header, no checksums (session 32), and
    // without the first frame (shard 0xffffffff, the count), which it did not write either.
    const bytes = readFileSync(file);
    expect(bytes.subarray(0, 8).toString('latin1')).toBe('ONSALEJ2');
    expect(bytes.readUInt32BE(8)).toBe(0xffffffff);
    const frames: Buffer[] = [];
    for (let at = 8 + 12 + bytes.readUInt32BE(12); at < bytes.length; at += 12 + bytes.readUInt32BE(at + 4)) {
      frames.push(bytes.subarray(at, at + 8), bytes.subarray(at + 12, at + 12 + bytes.readUInt32BE(at + 4)));
    }
    const old = join(scratchDir(), 'old.journal');
    writeFileSync(old, Buffer.concat(frames));
    const guessed = await onsale(['replay', '--journal', old, '--json']);
    expect(guessed.code).toBe(1);
    expect(guessed.stderr).toMatch(/^onsale: .*give --shards N, the count the journal was written with/);
    expect(guessed.stdout).not.toContain('stateHash');
    const told = await onsale(['replay', '--journal', old, '--shards', '5', '--json']);
    expect(told.code, told.stderr).toBe(0);
    expect((lastJson(told.stdout) as { performances: T[] }).performances.find((x) => x.performanceId === performanceId)?.stateHash).toBe(live);
  }, 120_000);
});
