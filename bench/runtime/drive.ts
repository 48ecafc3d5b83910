// Drives an Engine with the workload: bursts through engine.send, then engine.flushAll, with at
// most `window` commands submitted and not yet answered. Counts answered commands over a timed
// interval after a warm-up, and the submit → reply latency of the commands answered in it.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Engine, type EngineObserver, type EngineOptions, type RuntimeOptions } from '../../engine/src/runtime/mod.ts';
import type { Result } from '../../engine/src/domain/mod.ts';
import { openCommand, type Workload } from './workload.ts';
import { Reservoir } from '../reservoir.ts';

export interface DriveOptions {
  warmupSeconds: number;
  seconds: number;
  /** Commands submitted and not yet answered, at most. */
  window: number;
  /** Hold + release pairs per burst (2 commands each). */
  burstPairs: number;
  /** Stop after this many commands have been submitted (the count bound); Infinity: time only. */
  maxCommands?: number;
  /** Give up (and report it) when answers stop coming for this long. */
  stallMs?: number;
}

export interface DriveResult {
  perSec: number;
  /** Commands answered inside the timed interval. */
  commands: number;
  durationMs: number;
  submitted: number;
  answered: number;
  wallMs: number;
  /** CPU time of the whole process (main thread, workers, GC), user + system, per command answered in the timed interval. */
  cpuUsPerCommand: number;
  /** The main thread's (router's) event-loop utilization over the timed interval, 0-1 (wall clock: includes time the OS gave to others). */
  routerBusy: number;
  /** The main thread's own CPU time per command (Linux /proc, 10 ms ticks; parallel GC helper threads not included), or null. */
  routerUsPerCommand: number | null;
  /** Resident memory of the whole process (main thread and workers) at the end of the timed interval, MB. */
  rssMb: number;
}

/** CPU time (user + system) of this process's main thread in µs, from /proc (Linux), or null elsewhere. */
export function mainThreadCpuUs(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command name (which is in parentheses and may hold spaces): utime is the 14th field, stime the 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10_000 : null;
  } catch {
    return null;
  }
}

/** Refusals, counted by code, with the first one kept; any refusal makes the run invalid. */
export class Failures {
  total = 0;
  readonly byCode = new Map<string, number>();
  first = '';

  note(where: string, result: Result): void {
    if (result.ok) return;
    this.total++;
    const code = result.name;
    this.byCode.set(code, (this.byCode.get(code) ?? 0) + 1);
    if (this.first === '') this.first = `${where}: ${code} ${result.field} ${result.message}`;
  }

  /** Adds what a child process counted (its JSON line's `failures`). */
  merge(other: { total: number; byCode: Record<string, number>; first: string | null }): void {
    this.total += other.total;
    for (const [code, n] of Object.entries(other.byCode)) this.byCode.set(code, (this.byCode.get(code) ?? 0) + n);
    if (this.first === '' && other.first !== null) this.first = other.first;
  }

  error(where: string, message: string): void {
    this.total++;
    this.byCode.set('ERROR', (this.byCode.get('ERROR') ?? 0) + 1);
    if (this.first === '') this.first = `${where}: ${message}`;
  }
}

/**
 * Submit → reply latencies, in ms, from the engine's own per-batch observer hook (the time it
 * stamps at submit, and the time the batch's replies were made): no per-command closure. Only
 * commands submitted and answered inside the recording interval count; past the capacity a
 * uniform sample of them is kept (Reservoir), so the percentiles cover the whole interval.
 */
export class LatencyRecorder {
  private readonly samples: Reservoir;
  /** Batches answered (one journal record and one worker message each) and their commands, over the whole run. */
  batches = 0;
  batchedCommands = 0;
  private from = Infinity;
  private until = Infinity;

  constructor(capacity: number) {
    this.samples = new Reservoir(new Float32Array(capacity));
  }

  readonly observer: EngineObserver = {
    applied: (_shard, batch, _results, doneAt) => {
      this.batches++;
      this.batchedCommands += batch.length;
      if (doneAt < this.from || doneAt > this.until) return;
      for (let i = 0; i < batch.length; i++) {
        const submittedAt = batch[i].submittedAt;
        if (submittedAt < this.from) continue;
        this.samples.add(doneAt - submittedAt);
      }
    },
  };

  record(from: number, until: number): void {
    this.from = from;
    this.until = until;
  }

  /** Samples kept for the percentiles. */
  get count(): number {
    return this.samples.count;
  }

  /** Commands whose latency was seen (all of them count; `count` of them are kept). */
  get seen(): number {
    return this.samples.seen;
  }

  percentiles(): { p50: number; p99: number; p999: number; max: number } | null {
    const q = this.samples.quantiles([0.5, 0.99, 0.999]);
    return q === null ? null : { p50: q[0], p99: q[1], p999: q[2], max: this.samples.max };
  }
}

/** Runtime option overrides (--runtime) given to every engine the bench starts; none by default. */
export const runtimeOverrides: Partial<RuntimeOptions> = {};

/** Starts an engine and opens the workload's performances; every shard they live on is served first. */
export async function startEngine(options: EngineOptions, performances: readonly string[], failures: Failures, nowMs: number, timeoutMs: number): Promise<Engine> {
  const engine = await Engine.start({ ...options, runtime: runtimeOverrides });
  try {
    const shards = [...new Set(performances.map((id) => engine.shardOf(id)))];
    await within(timeoutMs, `shards ${shards.join(',')} served`, Promise.all(shards.map((s) => engine.whenServing(s))));
    const opened = await within(timeoutMs, 'performances opened', Promise.all(performances.map((id) => engine.submit(id, openCommand(id), nowMs))));
    for (const result of opened) failures.note('openPerformance', result);
    return engine;
  } catch (error) {
    await stopEngine(engine, 10_000);
    throw error;
  }
}

/** engine.stop() with a time bound; a stop that hangs is reported, not waited for forever. */
export async function stopEngine(engine: Engine, timeoutMs: number): Promise<void> {
  await within(timeoutMs, 'engine stop', engine.stop());
}

export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function drive(engine: Engine, workload: Workload, o: DriveOptions, failures: Failures, latency: LatencyRecorder | null = null): Promise<DriveResult> {
  const burstCommands = 2 * o.burstPairs;
  if (o.window < burstCommands) throw new Error(`window ${o.window} is smaller than one burst (${burstCommands} commands)`);
  const maxCommands = o.maxCommands ?? Infinity;
  const stallMs = o.stallMs ?? 30_000;
  let submitted = 0;
  let answered = 0;
  let wake: (() => void) | null = null;
  // Wake the submitter once a burst fits in the window again.
  let wakeAt = 0;
  const reply = (result: Result): void => {
    answered++;
    if (!result.ok) failures.note('runtime', result);
    if (wake !== null && answered >= wakeAt) {
      const go = wake;
      wake = null;
      go();
    }
  };
  const send = (performanceId: string, command: Parameters<Engine['send']>[1], nowMs: number): void => engine.send(performanceId, command, nowMs, reply);

  const started = performance.now();
  const timedFrom = started + o.warmupSeconds * 1_000;
  const timedUntil = timedFrom + o.seconds * 1_000;
  let answeredAtFrom = -1;
  let answeredAtUntil = -1;
  let fromAt = 0;
  let untilAt = 0;
  let cpuFrom = process.cpuUsage();
  let eluFrom = performance.eventLoopUtilization();
  let routerFrom = mainThreadCpuUs();
  let cpu = { user: 0, system: 0 };
  let elu = { utilization: 0 };
  let routerUs: number | null = null;
  let rssMb = 0;
  latency?.record(timedFrom, timedUntil);
  for (;;) {
    const now = performance.now();
    if (answeredAtFrom < 0 && now >= timedFrom) {
      answeredAtFrom = answered;
      fromAt = now;
      cpuFrom = process.cpuUsage();
      eluFrom = performance.eventLoopUtilization();
      routerFrom = mainThreadCpuUs();
    }
    if (now >= timedUntil || submitted >= maxCommands) {
      answeredAtUntil = answered;
      untilAt = now;
      cpu = process.cpuUsage(cpuFrom);
      elu = performance.eventLoopUtilization(eluFrom);
      const routerUntil = mainThreadCpuUs();
      routerUs = routerFrom === null || routerUntil === null ? null : routerUntil - routerFrom;
      rssMb = process.memoryUsage.rss() / 1e6;
      break;
    }
    while (submitted - answered + burstCommands <= o.window && submitted < maxCommands) {
      const pairs = Math.min(o.burstPairs, Math.ceil((maxCommands - submitted) / 2));
      submitted += workload.burst(pairs, send);
    }
    engine.flushAll();
    wakeAt = submitted - o.window + burstCommands;
    if (answered < wakeAt) {
      const before = answered;
      const woken = new Promise<void>((resolve) => { wake = resolve; });
      const stalled = await Promise.race([woken.then(() => false), sleep(stallMs).then(() => true)]);
      if (stalled && answered === before) throw new Error(`no answer for ${stallMs} ms (${submitted - answered} commands in flight)`);
    } else {
      // Let replies and worker messages in between bursts.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  // Untimed: let every command submitted be answered before the engine is used again.
  engine.flushAll();
  const drainUntil = performance.now() + stallMs;
  while (answered < submitted && performance.now() < drainUntil) await sleep(1);
  if (answered < submitted) failures.error('drain', `${submitted - answered} commands unanswered ${stallMs} ms after the run`);
  if (answeredAtFrom < 0) { answeredAtFrom = 0; fromAt = started; }
  const commands = answeredAtUntil - answeredAtFrom;
  const durationMs = untilAt - fromAt;
  const perCommand = (us: number): number => (commands > 0 ? us / commands : 0);
  return {
    perSec: durationMs > 0 ? (commands * 1_000) / durationMs : 0, commands, durationMs, submitted, answered, wallMs: performance.now() - started,
    cpuUsPerCommand: perCommand(cpu.user + cpu.system), routerBusy: elu.utilization, routerUsPerCommand: routerUs === null ? null : perCommand(routerUs), rssMb,
  };
}

/**
 * The timed part of a run that keeps its own work in flight: waits out the warm-up, then counts
 * what `count()` gains over `seconds` of wall time.
 */
export async function timedCount(o: { warmupSeconds: number; seconds: number }, count: () => number): Promise<{ counted: number; durationMs: number; mainBusy: number }> {
  await sleep(o.warmupSeconds * 1_000);
  const from = count();
  const fromAt = performance.now();
  const eluFrom = performance.eventLoopUtilization();
  await sleep(o.seconds * 1_000);
  const mainBusy = performance.eventLoopUtilization(eluFrom).utilization;
  return { counted: count() - from, durationMs: performance.now() - fromAt, mainBusy };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
