// Benchmark of the runtime around the domain core: commands through the shard worker pool on the
// embedded bus, the same through NATS JetStream with group commit, and recovery of a shard whose
// journal holds a million commands. Every figure is printed beside a baseline taken in the same
// run. A benchmark, not a test: it exits non-zero only when a command it runs is refused or a
// measurement cannot be taken (then the figures mean nothing). What each figure counts is in
// bench/README.md.
//
//   npm run bench:runtime                           readable table
//   npm run bench:runtime -- --json                 the same, as one JSON object on the last line
//   npm run bench:runtime -- --seconds 1 --only crossThread,baseline
//
// The process re-runs itself under `node --expose-gc` (same tsx loader) so that it can collect
// garbage between measurements. The measurements that build big states in the main thread
// (baseline, inline, seasonCards) each run in a child process of their own: collected or not,
// the memory they used stayed with the process, and crossThreadRssMb, read after them, counted
// 0.4 GB that was not the pool's (bench/RESULTS.md, session 16). The NATS figures start their
// own nats-server (JetStream, a temp store dir, 127.0.0.1 only), which is stopped at the end,
// also on error.
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { startNatsServer, type NatsServer } from '../engine/test/nats/nats-server.ts';
import type { Layout } from '../engine/src/domain/mod.ts';
import { runtimeDefaults, Shard, VenueCatalog, encodeBatch, packResults, unpackResults, type BatchItem, type EngineCommand, type RuntimeOptions } from '../engine/src/runtime/mod.ts';
import { drive, Failures, LatencyRecorder, runtimeOverrides, startEngine, stopEngine, type DriveResult } from './runtime/drive.ts';
import { fillJournal, measureDurable, measureRawPublish, recoverShard, recoveryShard, snapshotCosts, type DurableResult, type Filled, type RawResult, type Recovered, type SnapshotCosts } from './runtime/durable.ts';
import { measureCardBaseline, measureCardBinaryBaseline, measureSeasonCards, type CardRate } from './runtime/season-cards.ts';
import { measureSeasonCardsRuntime, type CardRuntimeRate } from './runtime/season-cards-runtime.ts';
import { compileStadium, directStates, executeDirect, openCommand, performancesOnShards, seatGroups, startNowMs, Workload, type Groups } from './runtime/workload.ts';
import { binaryDirect, driveBinary, seatRuns, type BinaryDriveResult } from './runtime/binary-drive.ts';

// ---------------------------------------------------------------------------------------------
// Options

const measurementNames = ['baseline', 'inline', 'crossThread', 'binaryBaseline', 'crossThreadBinary', 'scaling', 'raw', 'durable', 'recovery', 'fullReplay', 'seasonCards', 'seasonCardsRuntime'] as const;
type MeasurementName = (typeof measurementNames)[number];

interface Options {
  json: boolean;
  seconds: number;
  warmup: number;
  workers: number;
  maxWorkers: number;
  only: Set<MeasurementName> | null;
  seed: number;
  perShard: number;
  /** Records per request of the binary workload (crossThreadBinary, binaryBaseline). */
  binaryBatch: number;
  cardGroup: number;
  window: number;
  burstPairs: number;
  durableWindow: number;
  rawInFlight: number;
  recoveryCommands: number;
  runtime: Partial<RuntimeOptions>;
  maxWallSeconds: number;
  strict: boolean;
  gcChild: boolean;
  /** Set in a child process that takes one main-thread measurement and prints it (inChild). */
  measureChild: ChildMeasurement | null;
}

/** The measurements taken in a child process of their own. */
const childMeasurements = ['baseline', 'inline', 'seasonCards', 'binaryBaseline'] as const;
type ChildMeasurement = (typeof childMeasurements)[number];

const cores = os.availableParallelism();
const usage = `usage: npm run bench:runtime -- [--json] [--seconds N] [--warmup N] [--workers N] [--max-workers N] [--only ${measurementNames.join(',')}]
  [--seed N] [--per-shard N] [--binary-batch N] [--card-group N] [--window N] [--burst N] [--durable-window N] [--raw-in-flight N] [--recovery-commands N] [--runtime key=value,...] [--max-wall-seconds N] [--strict]`;

/** Numeric flags: the option they set, their least value, and whether they take integers only. */
const numericFlags: Record<string, { key: keyof Options; min: number; integer: boolean }> = {
  seconds: { key: 'seconds', min: 0.1, integer: false },
  warmup: { key: 'warmup', min: 0, integer: false },
  workers: { key: 'workers', min: 1, integer: true },
  'max-workers': { key: 'maxWorkers', min: 1, integer: true },
  seed: { key: 'seed', min: 0, integer: true },
  'per-shard': { key: 'perShard', min: 1, integer: true },
  'binary-batch': { key: 'binaryBatch', min: 1, integer: true },
  'card-group': { key: 'cardGroup', min: 1, integer: true },
  window: { key: 'window', min: 2, integer: true },
  burst: { key: 'burstPairs', min: 1, integer: true },
  'durable-window': { key: 'durableWindow', min: 2, integer: true },
  'raw-in-flight': { key: 'rawInFlight', min: 1, integer: true },
  'recovery-commands': { key: 'recoveryCommands', min: 2, integer: true },
  'max-wall-seconds': { key: 'maxWallSeconds', min: 10, integer: false },
};

function toNumber(flag: string, text: string | undefined, min: number, integer: boolean): number {
  const n = Number(text);
  const ok = text !== undefined && text !== '' && Number.isFinite(n) && n >= min && (!integer || Number.isInteger(n));
  if (!ok) throw new Error(`--${flag} wants ${integer ? 'an integer' : 'a number'} of at least ${min}, got '${text ?? ''}'`);
  return n;
}

function parseOptions(argv: string[]): Options {
  const o: Options = {
    json: false, seconds: 3, warmup: -1, workers: cores, maxWorkers: cores, only: null, seed: 1, perShard: 4, binaryBatch: 256, cardGroup: 256,
    window: 8_192, burstPairs: 2_048, durableWindow: 131_072, rawInFlight: 256, recoveryCommands: 1_000_000, runtime: {}, maxWallSeconds: 900,
    strict: false, gcChild: false, measureChild: null,
  };
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...Object.fromEntries(Object.keys(numericFlags).map((flag) => [flag, { type: 'string' as const }])),
      json: { type: 'boolean' }, strict: { type: 'boolean' }, 'gc-child': { type: 'boolean' }, 'measure-child': { type: 'string' }, help: { type: 'boolean', short: 'h' },
      only: { type: 'string' }, runtime: { type: 'string' },
    },
  });
  if (values.help === true) {
    console.log(usage);
    process.exit(0);
  }
  for (const [flag, spec] of Object.entries(numericFlags)) {
    const text = (values as Record<string, unknown>)[flag];
    if (typeof text === 'string') (o[spec.key] as number) = toNumber(flag, text, spec.min, spec.integer);
  }
  o.json = values.json === true;
  o.strict = values.strict === true;
  o.gcChild = values['gc-child'] === true;
  if (typeof values['measure-child'] === 'string') {
    if (!(childMeasurements as readonly string[]).includes(values['measure-child'])) throw new Error(`--measure-child wants one of ${childMeasurements.join(', ')}`);
    o.measureChild = values['measure-child'] as ChildMeasurement;
    // Its stdout is read by the parent: the result line only.
    o.json = true;
  }
  if (typeof values.only === 'string') {
    const names = values.only.split(',').filter((n) => n.length > 0);
    const unknown = names.filter((n) => !(measurementNames as readonly string[]).includes(n));
    if (names.length === 0 || unknown.length > 0) throw new Error(`--only wants a list of ${measurementNames.join(', ')}${unknown.length > 0 ? `; unknown: ${unknown.join(', ')}` : ''}`);
    o.only = new Set(names as MeasurementName[]);
  }
  if (typeof values.runtime === 'string') {
    // Experiments only: runtime option overrides for every engine, e.g. dedupeEntriesMax=2000,flushAfterMs=0.
    for (const pair of values.runtime.split(',').filter((p) => p.length > 0)) {
      const [key, text] = pair.split('=');
      if (!Object.hasOwn(runtimeDefaults, key)) throw new Error(`--runtime: unknown runtime option ${key} (known: ${Object.keys(runtimeDefaults).join(', ')})`);
      o.runtime[key as keyof RuntimeOptions] = toNumber(`runtime ${key}`, text, 0, false);
    }
  }
  if (o.warmup < 0) o.warmup = Math.min(1, o.seconds / 2);
  if (o.window < 4 * o.burstPairs) o.window = 4 * o.burstPairs;
  if (o.durableWindow < 4 * o.burstPairs) o.durableWindow = 4 * o.burstPairs;
  return o;
}

// ---------------------------------------------------------------------------------------------
// Single-thread figures (main thread, no engine)

interface Rate { perSec: number; commands: number; durationMs: number; cpuUsPerCommand: number }

function runFor(seconds: number, batch: () => number): Rate {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const limit = t0 + seconds * 1_000;
  let commands = 0;
  let now = t0;
  do {
    commands += batch();
    now = performance.now();
  } while (now < limit);
  const durationMs = now - t0;
  const cpu = process.cpuUsage(cpu0);
  return { perSec: (commands * 1_000) / durationMs, commands, durationMs, cpuUsPerCommand: (cpu.user + cpu.system) / commands };
}

/** The domain alone: execute() on plain states in this thread, the same commands in the same order. */
function measureBaseline(groups: Groups, performances: string[], o: Options, failures: Failures): Rate {
  const states = directStates(compileStadium(), performances);
  const workload = new Workload(performances, groups);
  const emit = (performanceId: string, command: Parameters<typeof executeDirect>[2], nowMs: number): void => {
    const result = executeDirect(states, performanceId, command, nowMs);
    if (!result.ok) failures.note('baseline', result);
  };
  const batch = (): number => workload.burst(512, emit);
  runFor(o.warmup, batch);
  return runFor(o.seconds, batch);
}

/**
 * Everything a command goes through except the threads: the journal record encoded and decoded,
 * one Shard (the runtime's dedupe memory and actors) applying it, the results packed and
 * unpacked. One record per 256 commands, in this thread. Informative: it splits the pool's cost
 * from the shard's.
 */
function measureInline(groups: Groups, performances: string[], o: Options, failures: Failures): Rate {
  const shard = new Shard({ shard: 0, venues: new VenueCatalog(), dedupeWindowMs: o.runtime.dedupeWindowMs ?? runtimeDefaults.dedupeWindowMs, dedupeEntriesMax: o.runtime.dedupeEntriesMax ?? runtimeDefaults.dedupeEntriesMax });
  for (const id of performances) failures.note('inline open', shard.applyOne(id, startNowMs, openCommand(id)));
  const workload = new Workload(performances, groups);
  let seq = 0;
  let items: BatchItem[] = [];
  const emit = (performanceId: string, command: EngineCommand, nowMs: number): void => { items.push({ performanceId, nowMs, command }); };
  const commandIdOf = (i: number): string | undefined => items[i]?.command.commandId;
  const batch = (): number => {
    items = [];
    const n = workload.burst(128, emit);
    const bytes = encodeBatch(0, 1, items);
    const results = unpackResults(packResults(shard.applyRecordBytes(bytes, ++seq), commandIdOf), commandIdOf);
    for (let i = 0; i < results.length; i++) if (!results[i].ok) failures.note('inline', results[i]);
    return n;
  };
  runFor(o.warmup, batch);
  return runFor(o.seconds, batch);
}

// ---------------------------------------------------------------------------------------------
// Cross-thread (embedded bus)

interface CrossThread extends DriveResult {
  workers: number;
  /** Commands per batch (journal record, worker message), averaged over the run. */
  avgBatch: number;
  shards: number;
  latency: { p50: number; p99: number; p999: number; max: number } | null;
  latencySamples: number;
  latencySeen: number;
}

async function measureCrossThread(groups: Groups, workers: number, o: Options, failures: Failures): Promise<CrossThread> {
  const shards = Math.max(16, workers);
  const performances = performancesOnShards(shards, o.perShard);
  const latency = new LatencyRecorder(1 << 23);
  const engine = await startEngine({ workers, shards, observer: latency.observer, onError: (e) => failures.error('engine', e.message) }, performances, failures, startNowMs, 60_000);
  try {
    const result = await drive(engine, new Workload(performances, groups), { warmupSeconds: o.warmup, seconds: o.seconds, window: o.window, burstPairs: o.burstPairs }, failures, latency);
    return {
      ...result, workers, shards, avgBatch: latency.batches > 0 ? latency.batchedCommands / latency.batches : 0, latency: latency.percentiles(), latencySamples: latency.count, latencySeen: latency.seen,
    };
  } finally {
    await stopEngine(engine, 60_000);
  }
}

/** A binary run through the worker pool, and the worker count it ran with. */
type CrossBinary = BinaryDriveResult & { workers: number };

/** The binary workload (binary-drive.ts) through an Engine of `workers` worker threads and max(16, workers) shards. */
async function measureCrossThreadBinary(layout: Layout, workers: number, o: Options, failures: Failures): Promise<CrossBinary> {
  const shards = Math.max(16, workers);
  const performances = performancesOnShards(shards, o.perShard);
  const engine = await startEngine({ workers, shards, onError: (e) => failures.error('engine', e.message) }, performances, failures, startNowMs, 60_000);
  try {
    return { ...(await driveBinary(engine, performances, seatRuns(layout, o.seed), { warmupSeconds: o.warmup, seconds: o.seconds, batch: o.binaryBatch }, failures)), workers };
  } finally {
    await stopEngine(engine, 60_000);
  }
}

/** The worker counts of the scaling run (the issue's), each skipped above --max-workers. */
const scalingWorkers = [1, 2, 4, 8, 16] as const;

interface ScalingPoint {
  workers: number;
  crossThreadCommandsPerSec: number | null;
  crossThreadBinaryCommandsPerSec: number | null;
  /** The main thread's event-loop utilization in the binary run (the bench's client and the router share it). */
  binaryMainBusy?: number | null;
  skipped?: string;
}

// ---------------------------------------------------------------------------------------------
// Report

const targets = {
  crossThreadCommandsPerSec: cores <= 2 ? 1_000_000 : 2_000_000,
  durableRatio: 10,
  recoveryMsFor1MCommands: 2_000,
  seasonCardsPerSec: 50_000,
};

const counting = {
  workload: 'holdSeats of 1-4 adjacent seats by seatNos (random row, 65,536 pre-computed groups) then releaseHold of it, fresh command ids built in the loop; 2 commands per pair; performances taken in turn; stadiumSpec(), 60,000 seats',
  crossThreadCommandsPerSec: 'commands answered per second over --seconds after --warmup, Engine on the embedded bus with --workers worker threads and max(16, workers) shards, --per-shard performances on every shard; bursts of --burst pairs through engine.send with one shared reply function, then flushAll; at most --window commands unanswered',
  p99CommandMs: 'submit (engine.send) to reply, per command, from the engine observer (submittedAt stamped in send, the batch reply time); commands submitted and answered inside the timed interval; includes queueing behind the window',
  baselineSingleThreadPerSec: 'the same commands, same order, execute() on plain domain states in the main thread',
  crossThreadBinaryCommandsPerSec: 'hold and release records answered per second (2 per pair, as the object workload), Engine on the embedded bus as crossThread: every performance a client session alternating a commandBatch of --binary-batch HOLD_SEATS records (1-4 adjacent seats by seat number from a shuffled cut of every row, buyers by numeric key) and one of as many RELEASE_HOLD records naming the holds its reply gave; one request in flight per session (the session protocol), so the performances are the concurrency; words built and replies read in the loop',
  binaryBaselineSingleThreadPerSec: 'the same requests through executeBatch() on plain domain states in the main thread of a child process, clients in turn',
  inlineShardPerSec: 'the same commands through encodeBatch (as the router writes its batches) + Shard.applyRecordBytes (decodes) + pack/unpack of results in the main thread, 256 commands per record (no threads)',
  durableCommandsPerSec: 'as crossThread through a NatsBus on a nats-server started by the bench; one append in flight per shard (the engine group-commits what queued meanwhile); every command answered after its append is acked; window --durable-window',
  rawJetStreamPublishPerSec: 'acked js.publish per second of one msgpack-packed command each, --raw-in-flight publishes outstanding (one awaiting loop each), file-storage stream of its own, 16 subjects, no msg id or expectations; acks counted inside --seconds after --warmup',
  recoveryMsFor1MCommands: 'one shard filled with --recovery-commands commands through a NatsBus engine (default snapshot policy); engine stopped; a new NatsBus connection (new owner) and Engine.start(): ms from Engine.start() until a query on the shard is answered, i.e. the snapshot loaded and the journal tail replayed and applied in the worker (NatsBus.connect before it is not counted; recoveryServingMsFor1MCommands: until whenServing(shard) resolves, when the tail has been read and handed to the worker)',
  seasonCardsPerSec: '10-match numbered season cards (same explicit seat on all ten), in process: LocalProducts runs the product coordinator and the ten performance state machines in this thread (no journal, no threads); purchases arrive --card-group at a time (LocalProducts.productMany, as a shard applies a batch of commands); per card 1 buyProduct, 10 holds and 10 confirms, carried per performance in the batches of its courier (named binary records, one commandBatch and one stepResult per batch); 20,000 cards per fresh season, timed over --seconds',
  seasonCardBaselinePerSec: 'the same seats sold directly: holdSeats + confirmHold command objects on each of the ten performances per card, no coordinator, same run',
  seasonCardsRuntimePerSec: 'the same cards through the runtime: an Engine on the embedded bus with --workers worker threads and max(16, workers) shards, the ten matches and the coordinator where the shard hash puts them; 2,048 purchases in flight (engine.send, answered when the saga ends), a new buyer on the next seat of a permutation of the house each; cards answered per second over --seconds after --warmup; informative beside seasonCardsPerSec (the figure that grows with cores)',
  seasonCardBinaryBaselinePerSec: 'the same seats sold directly as the named binary records a courier sends (HOLD_SEATS_NAMED, then CONFIRM_HOLD_NAMED of what the replies held), --card-group cards per batch on each of the ten performances, no coordinator, same run: what the saga costs on top of the batches it makes',
  fullReplayMsFor1MCommands: 'as recovery, with the new bus pointed at an empty snapshot bucket (the snapshotBucket option), so loadSnapshot finds nothing and the whole journal is replayed; snapshots left in place',
};

const fmtInt = (n: number | null | undefined): string => (n === null || n === undefined ? '-' : Math.round(n).toLocaleString('en-US'));
const fmtMs = (n: number | null | undefined, digits = 1): string => (n === null || n === undefined ? '-' : n.toFixed(digits));
const ratioOf = (a: number | null | undefined, b: number | null | undefined): number | null => (a == null || b == null || b === 0 ? null : a / b);
const round = (n: number | null | undefined, digits: number): number | null => (n === null || n === undefined ? null : Number(n.toFixed(digits)));

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('   ')).join('\n');
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

/** What a child process prints as its last line (inChild). */
interface ChildLine { value: unknown; failures: { total: number; byCode: Record<string, number>; first: string | null }; error: string | null }

/**
 * Takes one main-thread measurement in a child process with this run's flags and returns what it
 * measured; its refusals are added to `failures`. The child is this script again, under the same
 * node flags (--expose-gc and the tsx loader), with --measure-child.
 */
function inChild<T>(name: ChildMeasurement, failures: Failures): T {
  const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1], ...process.argv.slice(2), '--measure-child', name], {
    stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8',
  });
  if (child.error !== undefined) throw child.error;
  let line: ChildLine;
  try {
    line = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '') as ChildLine;
  } catch {
    throw new Error(`the ${name} child process printed no result (exit ${String(child.status ?? child.signal)})`);
  }
  failures.merge(line.failures);
  if (line.error !== null) throw new Error(line.error);
  return line.value as T;
}

interface CardRates { baseline: CardRate; binaryBaseline: CardRate; cards: CardRate }

/** The child's side of inChild: one measurement, printed as a ChildLine. */
function measureAsChild(name: ChildMeasurement, layout: ReturnType<typeof compileStadium>, groups: Groups, performances: string[], o: Options): void {
  const failures = new Failures();
  const line: ChildLine = { value: null, failures: { total: 0, byCode: {}, first: null }, error: null };
  try {
    if (name === 'baseline') line.value = measureBaseline(groups, performances, o, failures);
    else if (name === 'inline') line.value = measureInline(groups, performances, o, failures);
    else if (name === 'binaryBaseline') line.value = binaryDirect(layout, performances, seatRuns(layout, o.seed), { warmupSeconds: o.warmup, seconds: o.seconds, batch: o.binaryBatch }, failures);
    else {
      line.value = {
        baseline: measureCardBaseline(layout, o.seconds, failures), binaryBaseline: measureCardBinaryBaseline(layout, o.seconds, o.cardGroup, failures),
        cards: measureSeasonCards(layout, o.seconds, o.cardGroup, failures),
      } satisfies CardRates;
    }
  } catch (error) {
    line.error = (error as Error).message;
  }
  line.failures = { total: failures.total, byCode: Object.fromEntries(failures.byCode), first: failures.first || null };
  console.log(JSON.stringify(line));
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  let o: Options;
  try {
    o = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
  // Re-run under --expose-gc (same loader flags) so garbage can be collected between measurements.
  if ((globalThis as { gc?: () => void }).gc === undefined && !o.gcChild) {
    const child = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', process.argv[1], ...process.argv.slice(2), '--gc-child'], { stdio: 'inherit' });
    if (child.error !== undefined) throw child.error;
    process.exit(child.status ?? 1);
  }
  // The time bound of the whole run: past it, exit (the nats-server helper kills its servers on exit).
  setTimeout(() => {
    console.error(`bench:runtime: still running after ${o.maxWallSeconds} s (--max-wall-seconds); giving up`);
    process.exit(1);
  }, o.maxWallSeconds * 1_000).unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

  const run = (name: MeasurementName): boolean => o.only === null || o.only.has(name);
  const say = (line: string): void => { if (!o.json) console.log(line); };
  Object.assign(runtimeOverrides, o.runtime);
  const failures = new Failures();
  const wallStarted = performance.now();
  const layout = compileStadium();
  const groups = seatGroups(layout, o.seed);
  // One shard count for every engine the bench starts and for picking their performances (the
  // engines' default, max(16, workers)): a performance's shard depends on the count.
  const shardCount = Math.max(16, o.workers);
  const performancesAll = performancesOnShards(shardCount, o.perShard);
  if (o.measureChild !== null) return measureAsChild(o.measureChild, layout, groups, performancesAll, o);
  say(`Runtime benchmark: node ${process.version}, ${cores} cores (os.availableParallelism), ${os.cpus()[0]?.model ?? 'unknown CPU'}`);
  say(`${o.workers} workers, ${o.perShard} stadium performances per shard, ${o.seconds} s per measurement after ${o.warmup} s warm-up, window ${o.window}, bursts of ${o.burstPairs} pairs`);

  let baseline: Rate | null = null;
  let inline: Rate | null = null;
  let cross: CrossThread | null = null;
  let crossBinary: CrossBinary | null = null;
  let binaryBase: BinaryDriveResult | null = null;
  const scaling: ScalingPoint[] = [];
  let raw: RawResult | null = null;
  let durable: DurableResult | null = null;
  let filled: Filled | null = null;
  let recovered: Recovered | null = null;
  let replayed: Recovered | null = null;
  let costs: SnapshotCosts | null = null;
  let cardsRate: CardRate | null = null;
  let cardsBaseline: CardRate | null = null;
  let cardsBinaryBaseline: CardRate | null = null;
  let cardsRuntime: CardRuntimeRate | null = null;
  const errors: string[] = [];
  const attempt = async (name: string, work: () => Promise<void>): Promise<void> => {
    say(`  ${name}...`);
    gc();
    try {
      await work();
    } catch (error) {
      errors.push(`${name}: ${(error as Error).message}`);
      if (!o.json) console.error(`  ${name} failed: ${(error as Error).message}`);
    }
  };

  const attemptValue = async <T>(name: string, work: () => Promise<T>): Promise<T | null> => {
    let value: T | null = null;
    await attempt(name, async () => { value = await work(); });
    return value as T | null;
  };

  if (run('seasonCards')) {
    await attempt('season cards (in process, child process)', async () => {
      const rates = inChild<CardRates>('seasonCards', failures);
      cardsBaseline = rates.baseline;
      cardsBinaryBaseline = rates.binaryBaseline;
      cardsRate = rates.cards;
    });
  }
  if (run('seasonCardsRuntime')) {
    await attempt(`season cards through the runtime (${o.workers} workers, embedded bus)`, async () => {
      cardsRuntime = await measureSeasonCardsRuntime(layout, o.workers, { warmupSeconds: o.warmup, seconds: o.seconds }, failures);
    });
  }
  if (run('baseline')) await attempt('baseline (execute in the main thread of a child process)', async () => { baseline = inChild<Rate>('baseline', failures); });
  if (run('inline')) await attempt('inline shard (main thread of a child process, no workers)', async () => { inline = inChild<Rate>('inline', failures); });
  if (run('crossThread')) await attempt(`crossThread (${o.workers} workers, embedded bus)`, async () => { cross = await measureCrossThread(groups, o.workers, o, failures); });
  if (run('binaryBaseline')) await attempt('binary baseline (executeBatch in the main thread of a child process)', async () => { binaryBase = inChild<BinaryDriveResult>('binaryBaseline', failures); });
  if (run('crossThreadBinary')) {
    await attempt(`crossThreadBinary (${o.workers} workers, embedded bus, requests of ${o.binaryBatch} records)`, async () => {
      crossBinary = await measureCrossThreadBinary(layout, o.workers, o, failures);
    });
  }
  if (run('scaling')) {
    // Both workloads at every worker count: the command objects pass through the main thread's
    // router one by one, the binary requests as whole buffers, so they scale differently.
    for (const workers of scalingWorkers) {
      if (workers > o.maxWorkers) { scaling.push({ workers, crossThreadCommandsPerSec: null, crossThreadBinaryCommandsPerSec: null, skipped: `more than --max-workers ${o.maxWorkers}` }); continue; }
      const point: ScalingPoint = { workers, crossThreadCommandsPerSec: null, crossThreadBinaryCommandsPerSec: null };
      const same = cross as CrossThread | null;
      const sameBinary = crossBinary as CrossBinary | null;
      if (same !== null && same.workers === workers) point.crossThreadCommandsPerSec = Math.round(same.perSec);
      else await attempt(`scaling (${workers} workers, command objects)`, async () => { point.crossThreadCommandsPerSec = Math.round((await measureCrossThread(groups, workers, o, failures)).perSec); });
      const binary = sameBinary !== null && sameBinary.workers === workers ? sameBinary : await attemptValue(`scaling (${workers} workers, binary batches)`, () => measureCrossThreadBinary(layout, workers, o, failures));
      if (binary !== null) { point.crossThreadBinaryCommandsPerSec = Math.round(binary.perSec); point.binaryMainBusy = round(binary.mainBusy, 3); }
      scaling.push(point);
    }
  }

  const needsNats = run('raw') || run('durable') || run('recovery') || run('fullReplay');
  let server: NatsServer | null = null;
  if (needsNats) {
    try {
      await attempt('nats-server (127.0.0.1, temp store dir)', async () => { server = await startNatsServer(); });
      const nats = server as NatsServer | null;
      if (nats !== null) {
        say(`    ${nats.url}, store ${nats.storeDir}`);
        if (run('raw')) await attempt(`raw JetStream publishes (${o.rawInFlight} in flight)`, async () => { raw = await measureRawPublish(nats.url, groups, performancesAll, { warmupSeconds: o.warmup, seconds: o.seconds, inFlight: o.rawInFlight }, failures); });
        if (run('durable')) {
          await attempt(`durable (${o.workers} workers, NatsBus)`, async () => {
            durable = await measureDurable(nats.url, groups, performancesAll, o.workers, { warmupSeconds: o.warmup, seconds: o.seconds, window: o.durableWindow, burstPairs: o.burstPairs }, failures);
          });
        }
        if (run('recovery') || run('fullReplay')) {
          const onShard = performancesOnShards(shardCount, 8, recoveryShard);
          await attempt(`fill shard ${recoveryShard} with ${fmtInt(o.recoveryCommands)} commands (NatsBus)`, async () => {
            filled = await fillJournal(nats.url, groups, onShard, o.workers, o.recoveryCommands, { window: 16_384, burstPairs: 2_048, timeoutSeconds: 300 }, failures);
          });
          const fill = filled as Filled | null;
          if (fill !== null && run('recovery')) await attempt('recovery (snapshot + journal tail)', async () => { recovered = await recoverShard(nats.url, onShard, o.workers, shardCount, fill, true, failures); });
          if (fill !== null && run('fullReplay')) await attempt('full replay (no snapshot)', async () => { replayed = await recoverShard(nats.url, onShard, o.workers, shardCount, fill, false, failures); });
          if (fill !== null && run('recovery')) await attempt('snapshot load and restore, timed apart', async () => { costs = await snapshotCosts(nats.url); });
        }
      }
    } finally {
      const nats = server as NatsServer | null;
      if (nats !== null) await nats.stop().catch((error: Error) => errors.push(`nats-server stop: ${error.message}`));
    }
  }

  // TypeScript narrows the `let`s above to null (assigned in closures); read them back as written.
  const b = baseline as Rate | null;
  const inl = inline as Rate | null;
  const x = cross as CrossThread | null;
  const xb = crossBinary as CrossBinary | null;
  const bb = binaryBase as BinaryDriveResult | null;
  const r = raw as RawResult | null;
  const d = durable as DurableResult | null;
  const f = filled as Filled | null;
  const rec = recovered as Recovered | null;
  const rep = replayed as Recovered | null;
  const sc = costs as SnapshotCosts | null;
  const cr = cardsRate as CardRate | null;
  const cb = cardsBaseline as CardRate | null;
  const cbb = cardsBinaryBaseline as CardRate | null;
  const crt = cardsRuntime as CardRuntimeRate | null;

  const durableRatio = ratioOf(d?.perSec, r?.perSec);
  const pass = {
    crossThreadCommandsPerSec: x === null ? null : x.perSec >= targets.crossThreadCommandsPerSec,
    crossThreadBinaryCommandsPerSec: xb === null ? null : xb.perSec >= targets.crossThreadCommandsPerSec,
    durableRatio: durableRatio === null ? null : durableRatio >= targets.durableRatio,
    // The recovery target is for a journal of a million commands: a smaller one (--recovery-commands) is not judged.
    recoveryMsFor1MCommands: rec === null || o.recoveryCommands < 1_000_000 ? null : rec.appliedMs <= targets.recoveryMsFor1MCommands,
    seasonCardsPerSec: cr === null ? null : cr.perSec >= targets.seasonCardsPerSec,
  };
  const valid = failures.total === 0 && errors.length === 0;
  const out = {
    bench: 'runtime', node: process.version, cores, cpu: os.cpus()[0]?.model ?? null, workers: o.workers, maxWorkers: o.maxWorkers, seconds: o.seconds, warmupSeconds: o.warmup,
    seed: o.seed, performancesPerShard: o.perShard, window: o.window, burstPairs: o.burstPairs,
    crossThreadCommandsPerSec: x === null ? null : Math.round(x.perSec),
    shards: x?.shards ?? null, crossThreadRssMb: x === null ? null : Math.round(x.rssMb), crossThreadAvgBatch: x === null ? null : Math.round(x.avgBatch), runtimeOverrides: o.runtime,
    p50CommandMs: round(x?.latency?.p50, 3), p99CommandMs: round(x?.latency?.p99, 3), p999CommandMs: round(x?.latency?.p999, 3), maxCommandMs: round(x?.latency?.max, 3),
    latencySamples: x?.latencySamples ?? null,
    latencyCommandsSeen: x?.latencySeen ?? null,
    baselineSingleThreadPerSec: b === null ? null : Math.round(b.perSec),
    crossThreadToBaseline: round(ratioOf(x?.perSec, b?.perSec), 4),
    crossThreadBinaryCommandsPerSec: xb === null ? null : Math.round(xb.perSec),
    binaryBaselineSingleThreadPerSec: bb === null ? null : Math.round(bb.perSec),
    crossThreadBinaryToBaseline: round(ratioOf(xb?.perSec, bb?.perSec), 4),
    binaryBatch: o.binaryBatch,
    inlineShardPerSec: inl === null ? null : Math.round(inl.perSec),
    scaling,
    durableCommandsPerSec: d === null ? null : Math.round(d.perSec),
    durableWindow: o.durableWindow,
    durableAvgBatch: d === null ? null : Math.round(d.avgBatch), durableAvgAppendMs: round(d?.avgAppendMs, 2), durableP99CommandMs: round(d?.p99CommandMs, 3),
    rawJetStreamPublishPerSec: r === null ? null : Math.round(r.perSec),
    rawInFlight: o.rawInFlight, rawBytesPerMessage: r === null ? null : Math.round(r.bytesPerMessage),
    durableRatio: round(durableRatio, 2),
    durableToCrossThread: round(ratioOf(d?.perSec, x?.perSec), 3),
    cpuUsPerCommand: {
      baseline: round(b?.cpuUsPerCommand, 3), inlineShard: round(inl?.cpuUsPerCommand, 3),
      crossThread: round(x?.cpuUsPerCommand, 3), crossThreadRouter: round(x?.routerUsPerCommand, 3), crossThreadRouterBusy: round(x?.routerBusy, 3),
      crossThreadBinaryMainBusy: round(xb?.mainBusy, 3),
      durable: round(d?.cpuUsPerCommand, 3), durableRouter: round(d?.routerUsPerCommand, 3), durableRouterBusy: round(d?.routerBusy, 3),
    },
    recoveryMsFor1MCommands: rec === null ? null : Math.round(rec.appliedMs),
    fullReplayMsFor1MCommands: rep === null ? null : Math.round(rep.appliedMs),
    recoveryServingMsFor1MCommands: rec === null ? null : Math.round(rec.servingMs),
    fullReplayServingMsFor1MCommands: rep === null ? null : Math.round(rep.servingMs),
    // whenServing resolves once the journal tail has been read and posted to the worker, not applied:
    // these are the times until a query on the shard is answered, i.e. the replayed tail is applied.
    recovery: f === null ? null : {
      journalCommands: f.commands, journalRecords: f.records, lastSeq: f.lastSeq, fillPerSec: Math.round(f.fillPerSec), fillMs: Math.round(f.fillMs),
      snapshotsTaken: f.snapshots, snapshotSeq: f.snapshotSeq, snapshotBytes: f.snapshotBytes, tailRecords: f.tailRecords, tailCommands: f.tailCommands,
      snapshotLoadMs: sc === null ? null : Math.round(sc.loadMs), snapshotRestoreMs: sc === null ? null : Math.round(sc.restoreMs),
      withSnapshot: rec === null ? null : recoveredJson(rec),
      fullReplay: rep === null ? null : recoveredJson(rep),
    },
    seasonCardsPerSec: cr === null ? null : Math.round(cr.perSec),
    seasonCardBaselinePerSec: cb === null ? null : Math.round(cb.perSec),
    seasonCardsToBaseline: round(ratioOf(cr?.perSec, cb?.perSec), 3),
    seasonCardBinaryBaselinePerSec: cbb === null ? null : Math.round(cbb.perSec),
    seasonCardsToBinaryBaseline: round(ratioOf(cr?.perSec, cbb?.perSec), 3),
    cardGroup: o.cardGroup,
    seasonCardsRuntimePerSec: crt === null ? null : Math.round(crt.perSec),
    seasonCardsRuntimeToInProcess: round(ratioOf(crt?.perSec, cr?.perSec), 3),
    targets: {
      seasonCardsPerSec: { min: targets.seasonCardsPerSec, pass: pass.seasonCardsPerSec },
      crossThreadCommandsPerSec: { min: targets.crossThreadCommandsPerSec, pass: pass.crossThreadCommandsPerSec },
      // The same target through binary command batches (the same rules; commands counted as records).
      crossThreadBinaryCommandsPerSec: { min: targets.crossThreadCommandsPerSec, pass: pass.crossThreadBinaryCommandsPerSec },
      durableRatio: { min: targets.durableRatio, pass: pass.durableRatio },
      recoveryMsFor1MCommands: {
        max: targets.recoveryMsFor1MCommands, pass: pass.recoveryMsFor1MCommands,
      },
    },
    failures: { total: failures.total, byCode: Object.fromEntries(failures.byCode), first: failures.first || null },
    errors,
    durationMs: {
      baseline: b === null ? null : Math.round(b.durationMs), inline: inl === null ? null : Math.round(inl.durationMs), crossThread: x === null ? null : Math.round(x.durationMs),
      durable: d === null ? null : Math.round(d.durationMs), raw: r === null ? null : Math.round(r.durationMs), wall: Math.round(performance.now() - wallStarted),
    },
    counting,
    valid,
  };

  if (o.json) {
    if (!valid) console.error('INVALID: some benchmark commands were refused or a measurement failed; the figures mean nothing.');
    console.log(JSON.stringify(out));
  } else {
    const verdict = (p: boolean | null): string => (p === null ? 'n/a' : p ? 'PASS' : 'FAIL');
    const rows: string[][] = [
      ['figure', 'value', 'baseline (same run)', 'ratio', 'target', 'result'],
      ['crossThreadCommandsPerSec', fmtInt(x?.perSec), `${fmtInt(b?.perSec)} single thread`, fmtMs(ratioOf(x?.perSec, b?.perSec), 3), `>= ${fmtInt(targets.crossThreadCommandsPerSec)}`, verdict(pass.crossThreadCommandsPerSec)],
      ['crossThreadBinaryCommandsPerSec', fmtInt(xb?.perSec), `${fmtInt(bb?.perSec)} single thread`, fmtMs(ratioOf(xb?.perSec, bb?.perSec), 3), `>= ${fmtInt(targets.crossThreadCommandsPerSec)}`, verdict(pass.crossThreadBinaryCommandsPerSec)],
      ['inlineShardPerSec', fmtInt(inl?.perSec), `${fmtInt(b?.perSec)} single thread`, fmtMs(ratioOf(inl?.perSec, b?.perSec), 3), 'informative', '-'],
      ['p99CommandMs', fmtMs(x?.latency?.p99, 2), `${fmtMs(x?.latency?.p50, 2)} p50`, fmtMs(ratioOf(x?.latency?.p99, x?.latency?.p50), 2), '-', '-'],
      ['durableCommandsPerSec', fmtInt(d?.perSec), `${fmtInt(r?.perSec)} raw publishes`, fmtMs(durableRatio, 2), `>= ${targets.durableRatio} x raw`, verdict(pass.durableRatio)],
      ['rawJetStreamPublishPerSec', fmtInt(r?.perSec), `(baseline, ${o.rawInFlight} in flight)`, '-', '-', '-'],
      ['recoveryMsFor1MCommands', fmtMs(rec?.appliedMs, 0), `${fmtMs(rec?.firstEmptyShardServingMs, 0)} empty shard`, fmtMs(ratioOf(rec?.appliedMs, rec?.firstEmptyShardServingMs), 2), `<= ${fmtInt(targets.recoveryMsFor1MCommands)}`, verdict(pass.recoveryMsFor1MCommands)],
      ['recoveryServingMsFor1MCommands', fmtMs(rec?.servingMs, 0), `${fmtMs(rec?.appliedMs, 0)} tail applied`, fmtMs(ratioOf(rec?.servingMs, rec?.appliedMs), 2), 'informative', '-'],
      ['fullReplayMsFor1MCommands', fmtMs(rep?.appliedMs, 0), `${fmtMs(rec?.appliedMs, 0)} with snapshot`, fmtMs(ratioOf(rep?.appliedMs, rec?.appliedMs), 2), 'informative', '-'],
      ['fullReplayServingMsFor1MCommands', fmtMs(rep?.servingMs, 0), `${fmtMs(rep?.appliedMs, 0)} tail applied`, fmtMs(ratioOf(rep?.servingMs, rep?.appliedMs), 2), 'informative', '-'],
      ['seasonCardsPerSec', fmtInt(cr?.perSec), `${fmtInt(cb?.perSec)} direct sales`, fmtMs(ratioOf(cr?.perSec, cb?.perSec), 3), `>= ${fmtInt(targets.seasonCardsPerSec)}`, verdict(pass.seasonCardsPerSec)],
      ['seasonCardsPerSec (binary)', fmtInt(cr?.perSec), `${fmtInt(cbb?.perSec)} direct batches`, fmtMs(ratioOf(cr?.perSec, cbb?.perSec), 3), 'informative', '-'],
      ['seasonCardsRuntimePerSec', fmtInt(crt?.perSec), `${fmtInt(cr?.perSec)} in one thread`, fmtMs(ratioOf(crt?.perSec, cr?.perSec), 3), `informative (${crt?.workers ?? o.workers} workers)`, '-'],
    ];
    console.log('');
    console.log(table(rows));
    console.log('');
    if (scaling.length > 0) {
      console.log(`scaling (workers: command objects/s | binary records/s): ${scaling.map((s) => `${s.workers}: ${s.skipped !== undefined ? `skipped (${s.skipped})` : `${fmtInt(s.crossThreadCommandsPerSec)} | ${fmtInt(s.crossThreadBinaryCommandsPerSec)}`}`).join(', ')}`);
    }
    if (x !== null) console.log(`crossThread: ${fmtInt(x.avgBatch)} commands per batch on average, ${x.shards} shards, process RSS ${fmtInt(x.rssMb)} MB at the end${Object.keys(o.runtime).length > 0 ? `, runtime overrides ${JSON.stringify(o.runtime)}` : ''}`);
    const us = (v: number | null | undefined): string => fmtMs(v, 2);
    console.log(`CPU us per command (process CPU time, all threads; unlike the rates, not lowered by other processes' load): baseline ${us(b?.cpuUsPerCommand)}, `
      + `inline shard ${us(inl?.cpuUsPerCommand)}, crossThread ${us(x?.cpuUsPerCommand)} (main thread ${us(x?.routerUsPerCommand)}, event loop busy ${fmtMs(x === null ? null : x.routerBusy * 100, 0)}% of wall), `
      + `durable ${us(d?.cpuUsPerCommand)} without nats-server (main thread ${us(d?.routerUsPerCommand)}, busy ${fmtMs(d === null ? null : d.routerBusy * 100, 0)}%)`);
    if (x?.latency != null) console.log(`latency: ${fmtInt(x.latencySamples)} samples of ${fmtInt(x.latencySeen)} commands, p99.9 ${fmtMs(x.latency.p999, 2)} ms, max ${fmtMs(x.latency.max, 2)} ms (window ${o.window} commands)`);
    if (d !== null) console.log(`durable: ${fmtInt(d.records)} journal appends, ${fmtInt(d.avgBatch)} commands each on average, ${fmtMs(d.avgAppendMs, 2)} ms per append, p99 ${fmtMs(d.p99CommandMs, 2)} ms`);
    if (f !== null) {
      console.log(`recovery journal: ${fmtInt(f.commands)} commands in ${fmtInt(f.records)} records (filled at ${fmtInt(f.fillPerSec)}/s), ${f.snapshots} snapshots, latest at seq ${f.snapshotSeq} (${fmtInt(f.snapshotBytes)} bytes), tail ${fmtInt(f.tailCommands)} commands in ${f.tailRecords} records`);
      if (sc !== null) console.log(`snapshot, timed apart in the main thread: Object Store read ${fmtMs(sc.loadMs, 0)} ms, Shard.restore ${fmtMs(sc.restoreMs, 0)} ms`);
    }
    for (const [what, v] of [['recovery', rec], ['full replay', rep]] as const) {
      if (v !== null) {
        console.log(`${what}: connect ${fmtMs(v.connectMs, 0)} ms (not counted), then from Engine.start(): lease ${fmtMs(v.leaseMs, 0)} ms, whenServing ${fmtMs(v.servingMs, 0)} ms, `
          + `replayed tail applied ${fmtMs(v.appliedMs, 0)} ms, first empty shard ${fmtMs(v.firstEmptyShardServingMs, 0)} ms, all empty shards ${fmtMs(v.emptyShardsServingMs, 0)} ms, state hashes ${v.hashesMatch ? 'match' : 'DIFFER'}`);
      }
    }
    console.log('counted:');
    for (const [k, v] of Object.entries(counting)) console.log(`  ${k}: ${v}`);
    console.log(`cores: ${cores}`);
    for (const e of errors) console.log(`error: ${e}`);
    console.log(failures.total === 0 ? 'failures: 0' : `failures: ${failures.total} (${JSON.stringify(Object.fromEntries(failures.byCode))}); first: ${failures.first}`);
    if (!valid) console.error('INVALID: some benchmark commands were refused or a measurement failed; the figures mean nothing.');
  }
  if (!valid) process.exitCode = 1;
  else if (o.strict && [pass.crossThreadCommandsPerSec, pass.durableRatio, pass.recoveryMsFor1MCommands, pass.seasonCardsPerSec].includes(false)) process.exitCode = 3;
}

function recoveredJson(v: Recovered): Record<string, number | boolean | null> {
  return {
    servingMs: Math.round(v.servingMs), connectMs: Math.round(v.connectMs), leaseMs: v.leaseMs === null ? null : Math.round(v.leaseMs),
    tailAppliedMs: Math.round(v.appliedMs), firstEmptyShardServingMs: Math.round(v.firstEmptyShardServingMs), emptyShardsServingMs: Math.round(v.emptyShardsServingMs), hashesMatch: v.hashesMatch, snapshotUsed: v.snapshotUsed,
  };
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: Error) => {
    console.error(error.stack ?? error.message);
    process.exit(1);
  },
);
