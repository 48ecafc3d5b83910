// The `onsale` command line: simulate an on-sale, serve the engine, replay a journal.
// Usage is printed by `onsale help`; flags and the JSON fields are a contract other tools read.
import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import { accessSync, appendFileSync, constants, existsSync, openSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Result } from '../domain/mod.ts';
import { EmbeddedBus, Engine, journalFileBus, ticketKeyPattern, TicketSigner, type Bus } from '../runtime/mod.ts';
import { simulateOnsale } from '../sim/simulate.ts';
import { simulateSeason } from '../sim/season.ts';
import { simulateTheatre } from '../sim/theatre.ts';
import { renderReport, renderScenarioReport } from './report.ts';
import { holdingsOf, writeTickets } from './tickets-out.ts';
import { buyersFlagMax, intFlag, StartError, UsageError, workersAndShards } from './flags.ts';

const defaultBuyers = { onsale: 300_000, season: 40_000, theatre: 6_000 } as const;

const usage = `onsale: an engine for high-demand ticket on-sales

  onsale simulate [--seed N] [--buyers N] [--workers N] [--shards N] [--json] [--tickets-out FILE]
                  [--journal-out NEW_FILE] [--nats URL] [--scenario onsale|season|theatre] [--ticket-key HEX]
      A seeded on-sale on the embedded bus (or NATS with --nats); --seed 0..4294967295 (default 1):
        onsale   a 60,000-seat stadium, 300,000 buyers by default
        season   a 10-match stadium season: renewals, season cards, single tickets, resale (40,000 buyers)
        theatre  8 theatre performances: series and pick & mix subscriptions, singles, exchanges (6,000 buyers)
  onsale serve [--nats URL] [--workers N] [--shards N] [--metrics-port 9464] [--client-time]
      Runs the engine; /metrics on 127.0.0.1. Commands are stamped with the engine's clock;
      --client-time takes the time a NATS client sends (simulated time; trusted callers only).
  onsale replay (--journal FILE | --nats URL) [--shards N] [--json]
      Rebuilds every performance from a journal and prints a summary and a state hash
      (a --journal file names the shard count it was written with).
`;

function int(value: string | undefined, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  return value === undefined ? fallback : intFlag(value, name, min, max);
}

/**
 * Refuses, before the run, a file the run would write at its end and could not: a directory, a
 * file it may not write, or one in a folder that is missing or that it may not write in. Nothing
 * is created or opened now: a run that stops early (refused, or failed) leaves the path as it
 * was, and the file is opened (replaced, or a pipe written) only when the tickets are written.
 */
function checkWritable(path: string, flag: string): void {
  try {
    if (existsSync(path)) {
      if (statSync(path).isDirectory()) fail(`${flag}: ${path} is a directory`);
      accessSync(path, constants.W_OK);
    } else accessSync(dirname(resolve(path)), constants.W_OK);
  } catch (error) {
    fail(`${flag}: ${(error as Error).message}`);
  }
}

/** The file a path names, links followed where it exists (two flags naming one file write over each other). */
function fileOf(path: string): string {
  return existsSync(path) ? realpathSync(path) : resolve(path);
}

function fail(message: string): never {
  process.stderr.write(`onsale: ${message}\n\n${usage}`);
  process.exit(2);
}

async function busFor(nats: string | undefined, journalOut: string | undefined): Promise<Bus> {
  if (nats !== undefined) {
    if (journalOut !== undefined) fail('--journal-out writes the embedded bus\'s journal to a file; with --nats the journal is the JetStream stream (onsale replay --nats reads it)');
    const { connectNatsBus } = await import('./nats-bus-for-cli.ts');
    const bus = await connectNatsBus(nats);
    // A seeded run starts from an empty journal: on one an earlier run left, its shards would
    // recover that run's performances and sessions, and the simulation's own commands would be
    // refused (a run twice on one server stopped on REQUEST_TOO_OLD, with a stack trace).
    const { stream, records } = await bus.journalRecords();
    if (records > 0) {
      await bus.close();
      throw new StartError(`the journal stream ${stream} at ${nats} already holds ${records} records (an earlier run's): a seeded simulation needs an empty journal; use a fresh nats-server, or delete the stream (nats stream rm ${stream})`);
    }
    return bus;
  }
  if (journalOut !== undefined && existsSync(journalOut) && statSync(journalOut).isDirectory()) fail(`--journal-out: ${journalOut} is a directory`);
  try {
    const bus = new EmbeddedBus({ journalFile: journalOut });
    // Created (empty) now, so a path that cannot be written is refused before the run.
    if (journalOut !== undefined) appendFileSync(journalOut, new Uint8Array(0));
    return bus;
  } catch (error) {
    fail(`--journal-out: ${(error as Error).message}`);
  }
}

async function simulate(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      seed: { type: 'string' }, buyers: { type: 'string' }, workers: { type: 'string' }, shards: { type: 'string' },
      json: { type: 'boolean' }, 'tickets-out': { type: 'string' }, 'journal-out': { type: 'string' }, nats: { type: 'string' },
      scenario: { type: 'string' }, 'ticket-key': { type: 'string' },
    },
  });
  const scenario = values.scenario ?? 'onsale';
  if (scenario !== 'onsale' && scenario !== 'season' && scenario !== 'theatre') fail(`unknown scenario ${scenario}; known: onsale, season, theatre`);
  // The simulator's generator takes 32 bits: a larger seed would repeat a smaller one's sale.
  const seed = int(values.seed, 'seed', 1, 0, 0xFFFF_FFFF);
  const buyers = int(values.buyers, 'buyers', defaultBuyers[scenario], 1, buyersFlagMax);
  const { workers, shards } = workersAndShards(values);
  // A simulation's key is derived from its seed, so its barcodes reproduce too; a real
  // organizer passes its own secret (--ticket-key or ONSALE_TICKET_KEY).
  const keyHex = values['ticket-key'] ?? process.env.ONSALE_TICKET_KEY ?? createHash('sha256').update(`onsale-simulation-${seed}`).digest('hex');
  if (!ticketKeyPattern.test(keyHex)) fail(`the ticket key (${values['ticket-key'] !== undefined ? '--ticket-key' : 'ONSALE_TICKET_KEY'}) must be at least 16 bytes, in hex`);
  const ticketsOut = values['tickets-out'];
  if (ticketsOut !== undefined && ticketsOut !== '-') {
    checkWritable(ticketsOut, '--tickets-out');
    if (values['journal-out'] !== undefined && fileOf(ticketsOut) === fileOf(values['journal-out'])) fail(`--tickets-out and --journal-out name the same file (${ticketsOut}): the tickets would overwrite the journal`);
  }
  const journalOut = values['journal-out'];
  const bus = await busFor(values.nats, journalOut);
  // A journal file that cannot be written (a full disk) fails its appends: the run stops at the
  // first one with one line (it was a stack trace, or a scenario waiting for ever on sagas whose
  // steps were sent again and again), and the engine is not drained (nothing more can be written).
  let journalError: StartError | null = null;
  let journalFailed: (error: StartError) => void = () => undefined;
  const journalFailure = new Promise<never>((_, failRun) => { journalFailed = failRun; });
  journalFailure.catch(() => undefined);
  const failedAppend = (result: Result): void => {
    if (journalOut === undefined || result.ok || result.name !== 'JOURNAL_FAILED' || journalError !== null) return;
    journalError = new StartError(`--journal-out: the journal could not be written (${result.message}); the run stopped`);
    journalFailed(journalError);
  };
  const engine = await Engine.start({ bus, workers, shards, observer: { refused: (_shard, _command, result) => failedAppend(result) } }).catch((error: Error) => {
    if (journalOut !== undefined) throw new StartError(`--journal-out: ${error.message}`);
    throw error;
  });
  let abandoned = false;
  try {
    if (!values.json) process.stderr.write(`simulating ${buyers.toLocaleString('en-US')} buyers (seed ${seed}) on the ${bus.kind} bus...\n`);
    const simulation = scenario === 'onsale' ? simulateOnsale(engine, { seed, buyers })
      : scenario === 'season' ? simulateSeason(engine, { seed, buyers }) : simulateTheatre(engine, { seed, buyers });
    const run = await Promise.race([simulation, journalFailure]).catch((error: Error) => {
      // The scenario's own refusal of a failed append (a plain error) says less than this one.
      if (journalError === null) throw error;
      abandoned = true;
      throw journalError;
    });
    if (ticketsOut !== undefined) {
      const signer = new TicketSigner();
      try {
        const holdings = holdingsOf(run.tickets);
        const holdingCodes = await signer.signHoldings(keyHex, holdings);
        const codes = await signer.sign(keyHex, run.tickets);
        // Opened now, once the tickets are signed: 'w' replaces a file, and writes a pipe (a
        // FIFO, >(gzip ...)) as it is. `-` and /dev/stdout are this process' stdout, written
        // directly: opening /dev/stdout fails where stdout is a socket (a child of Node's spawn).
        let fd: number | 'stdout';
        try {
          fd = ticketsOut === '-' || ticketsOut === '/dev/stdout' ? 'stdout' : openSync(ticketsOut, 'w');
        } catch (error) {
          throw new StartError(`--tickets-out: ${(error as Error).message}`);
        }
        // The stream closes the file when it is done or fails. A write that fails (a full disk, a
        // reader that went away) is one line, not a stack trace.
        await writeTickets(fd, run.tickets, codes, new Map(holdings.map((h, i) => [h.holdingId, holdingCodes[i]]))).catch((error: Error) => {
          throw new StartError(`--tickets-out: ${error.message}`);
        });
      } finally {
        await signer.close();
      }
    }
    if (values.json) process.stdout.write(JSON.stringify(run.summary) + '\n');
    else process.stdout.write(('phases' in run.summary ? renderScenarioReport(run.summary) : renderReport(run.summary)) + '\n');
    if (Object.values(run.summary.checks).some((n) => n > 0)) process.exitCode = 1;
  } finally {
    if (!abandoned) await engine.stop();
  }
}

async function replay(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { journal: { type: 'string' }, nats: { type: 'string' }, shards: { type: 'string' }, workers: { type: 'string' }, json: { type: 'boolean' } } });
  let bus: Bus;
  const { workers, shards: shardsAsked } = workersAndShards(values, 1);
  let shards = shardsAsked;
  let unchecked = false;
  if (values.journal !== undefined && values.nats !== undefined) fail('replay reads one journal: --journal FILE or --nats URL, not both');
  if (values.journal !== undefined) {
    if (!existsSync(values.journal)) fail(`--journal: no journal file at ${values.journal}`);
    // A file cut short, or not a journal at all, is said in one line (StartError), not a stack.
    const file = await journalFileBus(values.journal).catch((error: Error) => { throw new StartError(`cannot replay ${values.journal}: ${error.message}`); });
    if (file.shards !== null) {
      // A performance's shard depends on the count: only the writer's finds it again.
      if (values.shards !== undefined && shardsAsked !== file.shards) fail(`--shards ${shardsAsked}: ${values.journal} was written by an engine of ${file.shards} shards`);
      shards = file.shards;
    } else {
      // Nothing at all is not a journal (simulate --journal-out writes the shard count first).
      if (file.shardsReached === 0) throw new StartError(`cannot replay ${values.journal}: it holds no journal record`);
      shards = shardsFor(shardsAsked, values.shards !== undefined, file.shardsReached, values.journal);
    }
    bus = file.bus;
    unchecked = !file.checksums;
  } else if (values.nats !== undefined) {
    const { connectReplayBus } = await import('./nats-bus-for-cli.ts');
    const journal = await connectReplayBus(values.nats);
    bus = journal.bus;
    // (A refusal below exits the process, which closes the connection with it.)
    if (journal.shards !== null) {
      // The count the writers recorded (as a --journal file's first frame).
      if (values.shards !== undefined && shardsAsked !== journal.shards) fail(`--shards ${shardsAsked}: the journal at ${values.nats} was written by engines of ${journal.shards} shards`);
      shards = journal.shards;
    } else {
      // A journal from before the count was recorded: at least one more than its highest shard.
      shards = shardsFor(shardsAsked, values.shards !== undefined, journal.shardsReached, values.nats);
    }
  } else fail('replay needs --journal FILE or --nats URL');
  // A count the journal gave (or reached) may be below the workers asked for.
  if (shards < workers) fail(`--workers ${workers}: ${values.journal ?? `the journal at ${values.nats}`} was written by an engine of ${shards} shards, and a shard has one worker at most`);
  const started = performance.now();
  // The engine's own reports are kept, not printed: a record the workers cannot apply (a corrupt
  // journal) makes each try print its own, and the first one says why the replay failed.
  const failures: string[] = [];
  const engine = await Engine.start({ bus, shards, workers, onError: (error) => failures.push(error.message) });
  try {
    await Promise.all(Array.from({ length: shards }, (_, s) => engine.whenServing(s))).catch((error: Error) => {
      throw new StartError(`cannot replay ${values.journal ?? values.nats}: ${failures[0] ?? error.message}`);
    });
    const stats = await engine.stats();
    const performances = [];
    for (const shard of stats.shards) {
      for (const [performanceId, seats] of shard.seats) {
        const stateHash = await engine.query(performanceId, 'stateHash');
        // Asked of the shard the count maps it to: another answer means the count is not the writer's.
        if (typeof stateHash !== 'string') throw new StartError(`${performanceId} was rebuilt but is not found by its id with ${shards} shards (${(stateHash as { name?: string }).name ?? 'no state hash'}): give --shards N, the count the journal was written with`);
        performances.push({ performanceId, ...seats, stateHash });
      }
    }
    performances.sort((a, b) => a.performanceId.localeCompare(b.performanceId));
    // The product coordinators too: a replay must rebuild their sagas, holdings and ledger as they were.
    const products = [];
    for (const productId of stats.shards.flatMap((s) => s.productIds)) {
      const report = await engine.query(productId, 'productReport') as { holdings: number; sagasInFlight: number };
      products.push({ productId, holdings: report.holdings, sagasInFlight: report.sagasInFlight, stateHash: await engine.query(productId, 'stateHash') as string });
    }
    products.sort((a, b) => a.productId.localeCompare(b.productId));
    const summary = { journal: values.journal ?? values.nats, shards, performances, products, replayMs: Math.round(performance.now() - started) };
    if (values.json) process.stdout.write(JSON.stringify(summary) + '\n');
    else {
      process.stdout.write(`replayed ${summary.journal} (${shards} shards) in ${summary.replayMs} ms\n`);
      for (const p of performances) process.stdout.write(`  ${p.performanceId}: free ${p.free}, held ${p.held}, sold ${p.sold}, blocked ${p.blocked}, state hash ${p.stateHash}\n`);
      for (const p of products) process.stdout.write(`  ${p.productId}: holdings ${p.holdings}, sagas in flight ${p.sagasInFlight}, state hash ${p.stateHash}\n`);
    }
    // A file from before frames carried a checksum: a damaged record there replays as another one.
    if (unchecked) process.stderr.write(`onsale: note: ${values.journal} was written before checksums: damage cannot be detected\n`);
  } finally {
    await engine.stop();
  }
}

/**
 * The shard count to replay a journal with that does not name it (a NATS stream, an older file),
 * whose records reach `reached` shards: the one asked for, which must reach as far (a record on
 * a shard past it would be left out, and the replay would say nothing of it), else the default
 * count or `reached`, whichever is more. A count that is still not the writer's shows when a
 * performance is not found by its id (exit 1, give --shards N).
 */
function shardsFor(asked: number, given: boolean, reached: number, journal: string): number {
  if (!given) return Math.max(asked, reached);
  if (asked < reached) fail(`--shards ${asked}: the journal at ${journal} has records of shard ${reached - 1}, so it was written by an engine of ${reached} shards or more`);
  return asked;
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== undefined && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(usage);
    return;
  }
  try {
    await run(command, rest);
  } catch (error) {
    // A flag parseArgs does not know or cannot read, or a value a command refuses: the usage,
    // not a stack trace.
    // (parseArgs says some things in several lines, e.g. of --seed -1: one line here.)
    if (error instanceof UsageError || (typeof (error as { code?: unknown }).code === 'string' && (error as { code: string }).code.startsWith('ERR_PARSE_ARGS'))) fail((error as Error).message.replace(/\s*\n\s*/g, ' '));
    // (The NATS bus is loaded only with --nats: its refusal is known by name.)
    if (error instanceof StartError || (error as Error).name === 'ShardCountMismatch') {
      process.stderr.write(`onsale: ${(error as Error).message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

async function run(command: string | undefined, rest: string[]): Promise<void> {
  switch (command) {
    case 'simulate': return simulate(rest);
    case 'replay': return replay(rest);
    case 'serve': {
      const { serve } = await import('./serve.ts');
      return serve(rest);
    }
    case undefined: case 'help': case '--help': case '-h':
      process.stdout.write(usage);
      return;
    default:
      fail(`unknown command ${command}`);
  }
}

await main();
