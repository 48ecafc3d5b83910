// The runtime workload as binary command batches (COMMANDS.md "Binary command batches"): every
// performance is a client session that alternates a request of `batch` HOLD_SEATS records (1-4
// adjacent seats by seat number, buyers by numeric key) and a request of `batch` RELEASE_HOLD
// records naming the holds its reply gave. One request in flight per session, as the session
// protocol has it, so the performances are the concurrency. Seats come from every row cut into
// runs of 1-4, shuffled (seeded), taken in turn: the holds of one request never collide.
// Counts records answered (a hold and its release are 2 commands, as in the object workload).
// `binaryDirect` runs the same requests through executeBatch on plain states in this thread:
// the single-thread baseline of the same run.
import { performance } from 'node:perf_hooks';
import { aligned, createPerformance, execute, executeBatch, type BatchAnswered, type Layout, type PerformanceState, type Result } from '../../engine/src/domain/mod.ts';
import type { Engine } from '../../engine/src/runtime/mod.ts';
import { stadiumSpec } from '../../engine/src/sim/stadium-onsale.ts';
import { seeded, startNowMs } from './workload.ts';
import { timedCount, type Failures } from './drive.ts';
import { BinaryClient as Client, seatRuns as cutRows, type SeatRuns } from '../binary-client.ts';

/** The seat runs of the binary workload, shuffled by the run's seed. */
export function seatRuns(layout: Layout, seed: number): SeatRuns {
  return cutRows(layout, seeded(seed));
}

export interface BinaryDriveResult {
  perSec: number;
  commands: number;
  durationMs: number;
  batch: number;
  /** The main thread's event-loop utilization over the timed part, 0-1 (client and router share it); null where no engine ran. */
  mainBusy: number | null;
}

/**
 * Opens a session on every performance (already opened on the engine), then runs the clients for
 * `warmupSeconds` + `seconds`, counting the records answered in the timed part.
 */
export async function driveBinary(engine: Engine, performances: readonly string[], runs: SeatRuns, o: { warmupSeconds: number; seconds: number; batch: number }, failures: Failures): Promise<BinaryDriveResult> {
  for (const id of performances) failures.note('openSession', await engine.submit(id, { type: 'openSession', commandId: `session-${id}`, clientId: 'bench' }, startNowMs));
  const clients = performances.map((id, i) => new Client(id, runs, o.batch, i * 997));
  let nowMs = startNowMs + 1;
  let answered = 0;
  let stopped = false;
  let flushQueued = false;
  const flush = (): void => {
    flushQueued = false;
    engine.flushAll();
  };
  let finish!: () => void;
  const allDone = new Promise<void>((resolve) => { finish = resolve; });
  let inFlight = 0;
  const send = (client: Client): void => {
    const words = client.next();
    const requestNo = ++client.requestNo;
    inFlight++;
    engine.send(client.performanceId, {
      type: 'commandBatch', commandId: `${client.performanceId}/${requestNo}`, sessionNo: 0, requestNo, count: o.batch, words: new Uint8Array(words.buffer.slice(0)),
    }, nowMs, (result: Result) => {
      inFlight--;
      if (!result.ok) failures.note('commandBatch', result);
      else {
        const refused = client.answered(aligned((result as BatchAnswered).replies, Int32Array));
        if (refused > 0) failures.error('commandBatch', `${refused} records refused in one request`);
        answered += o.batch;
      }
      if (!stopped && result.ok) send(client);
      else if (inFlight === 0) finish();
      if (!flushQueued) { flushQueued = true; setImmediate(flush); }
    });
  };
  // Time moves on 1 ms per round of every client, as the object workload's bursts do.
  const ticker = setInterval(() => { nowMs++; }, 1);
  for (const client of clients) send(client);
  engine.flushAll();
  const started = performance.now();
  const { counted: commands, durationMs, mainBusy } = await timedCount(o, () => answered);
  stopped = true;
  clearInterval(ticker);
  await Promise.race([allDone, new Promise((resolve) => setTimeout(resolve, 30_000))]);
  if (inFlight > 0) failures.error('drain', `${inFlight} requests unanswered 30 s after the run (started ${Math.round(performance.now() - started)} ms ago)`);
  return { perSec: (commands * 1_000) / durationMs, commands, durationMs, batch: o.batch, mainBusy };
}

/** The same clients and requests through executeBatch on plain states in this thread, timed for `seconds` after `warmupSeconds`. */
export function binaryDirect(layout: Layout, performances: readonly string[], runs: SeatRuns, o: { warmupSeconds: number; seconds: number; batch: number }, failures: Failures): BinaryDriveResult {
  const states: PerformanceState[] = performances.map((id) => {
    const created = createPerformance(stadiumSpec(id), layout);
    if (!created.ok) throw new Error(`performance ${id} refused: ${created.message}`);
    failures.note('openSession', execute(created.state, { type: 'openSession', commandId: `session-${id}`, clientId: 'bench' }, startNowMs));
    return created.state;
  });
  const clients = performances.map((id, i) => new Client(id, runs, o.batch, i * 997));
  let nowMs = startNowMs + 1;
  const round = (): number => {
    for (let c = 0; c < clients.length; c++) {
      const client = clients[c];
      const r = executeBatch(states[c], 0, ++client.requestNo, client.next(), o.batch, nowMs);
      if (!r.ok) { failures.note('executeBatch', r); continue; }
      if (client.answered(r.replies) > 0) failures.error('executeBatch', 'records refused');
    }
    nowMs++;
    return clients.length * o.batch;
  };
  const warmUntil = performance.now() + o.warmupSeconds * 1_000;
  while (performance.now() < warmUntil) round();
  const fromAt = performance.now();
  let commands = 0;
  while (performance.now() - fromAt < o.seconds * 1_000) commands += round();
  const durationMs = performance.now() - fromAt;
  return { perSec: (commands * 1_000) / durationMs, commands, durationMs, batch: o.batch, mainBusy: null };
}
