// The on-sale simulation's summary against what the engine was actually sent and answered: the
// engine is wrapped so that every command, its simulated time, its answer and its own
// submit-to-reply time are recorded, and the summary's figures are checked against that record
// (commands, rejections by code, latency, holds, abandoned holds, presale, partner quota, explicit
// and best-available picks, the surge, the sell-out time) rather than against the simulator's
// own bookkeeping. A binary batch (the seat-map picks and their confirms and releases) is
// recorded command by command, each with the answer its reply words give.
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { aligned, BinaryOp, binaryHoldId, codeName, COMMAND_WORDS, REPLY_WORDS, Word, type BatchAnswered, type CommandBatch, type Result } from '../../src/domain/mod.ts';
import type { Engine, EngineCommand } from '../../src/runtime/mod.ts';
import { BUCKET_MS, simulateOnsale, type SimulationRun } from '../../src/sim/simulate.ts';
import { ONSALE_AT_MS, PARTNER_QUOTA, PRESALE_CODE, stadiumSpec } from '../../src/sim/stadium-onsale.ts';
import { engines } from '../runtime/helpers.ts';

const { start, stop } = engines();

interface Sent { command: EngineCommand & Record<string, unknown>; atMs: number; result: Result; ms: number }

/** The engine as the simulator sees it, with every command it sends recorded. */
function recording(engine: Engine, onQuery?: (args: unknown[], real: () => Promise<unknown>, drained: boolean) => Promise<unknown>, onSend?: (atMs: number) => void) {
  const sent: Sent[] = [];
  let drained = false;
  const proxy = new Proxy(engine, {
    get(target, prop) {
      if (prop === 'send') {
        return (pid: string, command: EngineCommand, atMs: number, reply: (r: Result) => void) => {
          onSend?.(atMs);
          const t0 = performance.now();
          target.send(pid, command, atMs, (result) => {
            const ms = performance.now() - t0;
            if (command.type === 'commandBatch' && result.ok) sent.push(...unbatched(command, result as BatchAnswered, atMs, ms));
            else sent.push({ command: command as Sent['command'], atMs, result, ms });
            reply(result);
          });
        };
      }
      if (prop === 'drain') {
        return () => {
          drained = true;
          return target.drain();
        };
      }
      if (prop === 'query' && onQuery !== undefined) {
        return (...args: unknown[]) => onQuery(args, () => (target.query as (...a: unknown[]) => Promise<unknown>)(...args), drained);
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { engine: proxy, sent };
}

/**
 * A binary batch's commands as the command objects they stand for, each with its answer read
 * from the reply words: what the summary counts is per command, whichever way it was sent.
 */
function unbatched(batch: CommandBatch, answer: BatchAnswered, atMs: number, ms: number): Sent[] {
  const words = aligned(batch.words, Int32Array);
  const replies = aligned(answer.replies, Int32Array);
  const channels = ['web', 'partner', 'box'];
  return Array.from({ length: batch.count }, (_, i) => {
    const w = words.subarray(i * COMMAND_WORDS, (i + 1) * COMMAND_WORDS);
    const r = replies.subarray(i * REPLY_WORDS, (i + 1) * REPLY_WORDS);
    const buyerId = String(w[Word.BUYER_HI] * 2 ** 32 + (w[Word.BUYER_LO] >>> 0));
    const op = w[Word.OP];
    const command: Record<string, unknown> = op === BinaryOp.HOLD_SEATS
      ? { type: 'holdSeats', buyerId, channel: channels[w[Word.CHANNEL]], seatNos: Array.from(w.subarray(Word.SEATS, Word.SEATS + w[Word.COUNT])) }
      : op === BinaryOp.HOLD_BEST_AVAILABLE
        ? { type: 'holdBestAvailable', buyerId, channel: channels[w[Word.CHANNEL]], count: w[Word.COUNT] }
        : { type: op === BinaryOp.CONFIRM_HOLD ? 'confirmHold' : 'releaseHold', buyerId, holdId: binaryHoldId(w[Word.SLOT], w[Word.BINARY_NO]) };
    const isHold = op === BinaryOp.HOLD_SEATS || op === BinaryOp.HOLD_BEST_AVAILABLE;
    const result = r[0] !== 0 ? ({ ok: false, code: r[0], name: codeName(r[0]) } as unknown as Result)
      : isHold ? ({ ok: true, holdId: binaryHoldId(r[1], r[2]) } as unknown as Result) : ({ ok: true } as Result);
    return { command: command as Sent['command'], atMs, result, ms };
  });
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const ok = (s: Sent) => s.result.ok;

describe('onsale simulation summary against the commands sent', () => {
  let run: SimulationRun;
  let sent: Sent[];

  it('a 40,000-buyer sale: figures, holds, presale, quota, picks, surge and sell-out time match what was sent', async () => {
    const engine = await start({ workers: 2, shards: 4 });
    const rec = recording(engine);
    run = await simulateOnsale(rec.engine, { seed: 11, buyers: 40_000 });
    sent = rec.sent;
    await stop(engine);
    const s = run.summary;

    // commands: every command submitted; rejections: every refusal, by its code name.
    expect(s.commands).toBe(sent.length);
    const refusals: Record<string, number> = {};
    for (const x of sent) if (!x.result.ok) refusals[x.result.name] = (refusals[x.result.name] ?? 0) + 1;
    expect(s.rejections).toEqual(refusals);
    expect(Object.keys(s.rejections).length).toBeGreaterThan(0);

    // commandsPerSec: commands per second of wall time.
    expect(Math.abs(s.commandsPerSec - s.commands / (s.wallMs / 1_000)) / s.commandsPerSec).toBeLessThan(0.01);

    // Latency: the simulator's submit-to-reply time encloses the wrapper's for each command,
    // so its p99 is at least the wrapper's p99, and its p50 no more than the wrapper's p90.
    const ms = sent.map((x) => x.ms);
    expect(s.latencyMs.p99).toBeGreaterThanOrEqual(quantile(ms, 0.99) - 0.001);
    expect(s.latencyMs.p50).toBeLessThanOrEqual(quantile(ms, 0.9) + 0.001);
    expect(s.latencyMs.p50).toBeLessThanOrEqual(s.latencyMs.p99);

    // limits: the performance's own per-buyer cap.
    expect(s.limits).toEqual({ maxTicketsPerBuyerPerPerformance: stadiumSpec(s.performances[0].performanceId).maxTicketsPerBuyer });
    // The embedded bus is not durable, and the summary says so.
    expect([s.bus, s.durable]).toEqual(['embedded', false]);

    // Holds: made, confirmed, released as answered; the rest expired (abandoned or confirmed too late).
    const isHold = (x: Sent) => x.command.type === 'holdSeats' || x.command.type === 'holdBestAvailable';
    const holdsOk = sent.filter((x) => isHold(x) && ok(x));
    expect(s.holds.made).toBe(holdsOk.length);
    expect(s.holds.confirmed).toBe(sent.filter((x) => x.command.type === 'confirmHold' && ok(x)).length);
    expect(s.holds.released).toBe(sent.filter((x) => x.command.type === 'releaseHold' && ok(x)).length);
    expect(s.holds.expired).toBe(s.holds.made - s.holds.confirmed - s.holds.released);
    expect(s.holds.expired).toBeGreaterThan(0);
    // Abandoned holds: holds nobody ever confirmed or released (they can only expire).
    const followed = new Set(sent.filter((x) => x.command.type === 'confirmHold' || x.command.type === 'releaseHold').map((x) => x.command.holdId));
    const abandoned = holdsOk.filter((x) => !followed.has((x.result as { holdId: string }).holdId)).length;
    expect(abandoned).toBeGreaterThan(s.holds.made / 20);

    // Explicit picks and best-available both sell.
    expect(holdsOk.filter((x) => x.command.type === 'holdSeats').length).toBeGreaterThan(1_000);
    expect(holdsOk.filter((x) => x.command.type === 'holdBestAvailable').length).toBeGreaterThan(1_000);
    // Best-available picks in the public surge, not only presale, partner and retries.
    expect(holdsOk.filter((x) => x.command.type === 'holdBestAvailable' && x.command.channel === 'web' && x.command.presaleCode === undefined && x.atMs < ONSALE_AT_MS + 60_000).length).toBeGreaterThan(500);

    // The presale window: presale tickets, on the fan-club type, held before the opening.
    const presale = run.tickets.filter((t) => t.presaleCode !== null);
    expect(presale.length).toBeGreaterThan(100);
    for (const t of presale) expect([t.presaleCode, t.ticketType]).toEqual([PRESALE_CODE, 'fanclub']);
    for (const x of sent.filter((y) => y.command.presaleCode !== undefined && isHold(y))) expect(x.atMs).toBeLessThan(ONSALE_AT_MS);
    // The partner quota: quota tickets, sold on the partner channel, at a discount.
    const quota = run.tickets.filter((t) => t.quotaId === PARTNER_QUOTA);
    expect(quota.length).toBeGreaterThan(100);
    for (const t of quota) expect(t.channel).toBe('partner');
    expect(quota.every((t) => t.discountMinor > 0)).toBe(true);
    // revenueMinor is net of those discounts.
    expect(s.revenueMinor).toBe(run.tickets.filter((t) => t.status === 'valid').reduce((sum, t) => sum + t.priceMinor - t.discountMinor, 0));

    // The surge: public buyers' first visits come within minutes of the opening (mean 2 min).
    const firstVisit = new Map<string, number>();
    for (const x of sent) {
      if (isHold(x) && x.command.channel === 'web' && x.command.presaleCode === undefined && !firstVisit.has(x.command.buyerId as string)) firstVisit.set(x.command.buyerId as string, x.atMs);
    }
    expect(quantile([...firstVisit.values()].map((t) => t - ONSALE_AT_MS), 0.5)).toBeLessThan(5 * 60_000);

    // A sale the web never sold out for good reports the seats it left and no sell-out time.
    expect(s.sellOutMs === null).toBe(s.webUnsold > 0);
  }, 120_000);

  it('sellOutMs is the end of the bucket after which the seat map showed nothing free for good', async () => {
    const engine = await start({ workers: 1, shards: 2 });
    // The map (read once the house runs low) is scripted: nothing free, then 3 seats back, then
    // nothing free for good. The sell-out is the second time, not the first.
    let queries = 0;
    let lastAtMsBeforeSecondZero: number | null = null;
    let lastSentAtMs = 0;
    const rec = recording(engine, (args, real, drained) => {
      if (args[1] !== 'availability') return real();
      if (drained) return Promise.resolve({ free: 0 });
      const q = queries++;
      if (q === 6) lastAtMsBeforeSecondZero = lastSentAtMs;
      return Promise.resolve({ free: q === 5 ? 3 : 0 });
    }, (atMs) => (lastSentAtMs = atMs));
    const r = await simulateOnsale(rec.engine, { seed: 11, buyers: 15_000 });
    await stop(engine);
    expect(queries).toBeGreaterThan(6);
    expect(lastAtMsBeforeSecondZero).not.toBeNull();
    expect(r.summary.webUnsold).toBe(0);
    // The bucket sent just before the second "nothing free": its last event (the sell-out) is at
    // or after its first command's time, inside the bucket. A bucket whose holds all go in its
    // binary request sends them at its first moment, so the last command seen is not the last event.
    const sellOutAtMs = r.summary.sellOutMs! + ONSALE_AT_MS;
    expect(sellOutAtMs).toBeGreaterThanOrEqual(lastAtMsBeforeSecondZero!);
    expect(sellOutAtMs).toBeLessThan(lastAtMsBeforeSecondZero! + BUCKET_MS);
  }, 120_000);

  it('sellOutMs is null when web seats are left at the close, even if the map once showed none', async () => {
    const engine = await start({ workers: 1, shards: 2 });
    // The seat map (queried during the sale) shows nothing free; the closing count is the real one.
    const rec = recording(engine, (args, real, drained) => (!drained && args[1] === 'availability' ? Promise.resolve({ free: 0 }) : real()));
    // Enough buyers that some are refused NOT_ENOUGH_SEATS (which makes the simulator read the map).
    const r = await simulateOnsale(rec.engine, { seed: 11, buyers: 15_000 });
    await stop(engine);
    expect(r.summary.rejections.NOT_ENOUGH_SEATS).toBeGreaterThan(0);
    expect(r.summary.webUnsold).toBeGreaterThan(0);
    expect(r.summary.sellOutMs).toBeNull();
  }, 120_000);
});
