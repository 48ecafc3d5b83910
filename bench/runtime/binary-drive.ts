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
import {
  BinaryOp, COMMAND_WORDS, createPerformance, DEFAULT_TICKET_TYPE, execute, executeBatch, REPLY_WORDS, Word,
  type BatchAnswered, type Layout, type PerformanceState, type Result,
} from '../../engine/src/domain/mod.ts';
import type { Engine } from '../../engine/src/runtime/mod.ts';
import { stadiumSpec } from '../../engine/src/sim/stadium-onsale.ts';
import { seeded, startNowMs } from './workload.ts';
import type { Failures } from './drive.ts';

/** Buyer keys per performance, taken in turn: a buyer has at most one open hold per request. */
const buyerKeys = 4_096;

/** Every row of the layout cut into runs of 1-4 seats, shuffled: four seat numbers per run (unused ones -1) and its size. */
export interface SeatRuns { flat: Int32Array; sizes: Uint8Array }

export function seatRuns(layout: Layout, seed: number): SeatRuns {
  const pick = seeded(seed);
  const runs: number[][] = [];
  for (let r = 0; r < layout.rowIds.length; r++) {
    const end = layout.rowStart[r + 1];
    for (let seat = layout.rowStart[r]; seat < end;) {
      const k = Math.min(1 + pick(4), end - seat);
      runs.push(Array.from({ length: k }, (_, j) => seat + j));
      seat += k;
    }
  }
  for (let i = runs.length - 1; i > 0; i--) {
    const j = pick(i + 1);
    [runs[i], runs[j]] = [runs[j], runs[i]];
  }
  const flat = new Int32Array(runs.length * 4).fill(-1);
  const sizes = new Uint8Array(runs.length);
  runs.forEach((run, i) => { sizes[i] = run.length; flat.set(run, i * 4); });
  return { flat, sizes };
}

/** One performance's client: its session's next request, its turn (holds or releases), the holds to release. */
class Client {
  requestNo = 0;
  holding = true;
  private cursor: number;
  private buyer = 0;
  readonly holds: Int32Array;
  readonly releases: Int32Array;

  constructor(readonly performanceId: string, readonly runs: SeatRuns, readonly batch: number, start: number) {
    this.holds = new Int32Array(batch * COMMAND_WORDS);
    this.releases = new Int32Array(batch * COMMAND_WORDS);
    this.cursor = start % runs.sizes.length;
  }

  /** The next request's words: holds of the next runs, or the releases of the last holds. */
  next(): Int32Array {
    if (!this.holding) return this.releases;
    const { flat, sizes } = this.runs;
    if (this.cursor + this.batch > sizes.length) this.cursor = 0;
    for (let i = 0; i < this.batch; i++) {
      const run = this.cursor + i;
      const k = sizes[run];
      const at = i * COMMAND_WORDS;
      const w = this.holds;
      w[at + Word.OP] = BinaryOp.HOLD_SEATS;
      w[at + Word.BUYER_LO] = this.buyer;
      w[at + Word.BUYER_HI] = 0;
      w[at + Word.CHANNEL] = 0;
      w[at + Word.TICKET_TYPE] = DEFAULT_TICKET_TYPE;
      w[at + Word.COUNT] = k;
      for (let j = 0; j < k; j++) w[at + Word.SEATS + j] = flat[run * 4 + j];
      const r = this.releases;
      r[at + Word.OP] = BinaryOp.RELEASE_HOLD;
      r[at + Word.BUYER_LO] = this.buyer;
      r[at + Word.BUYER_HI] = 0;
      this.buyer = this.buyer + 1 === buyerKeys ? 0 : this.buyer + 1;
    }
    this.cursor += this.batch;
    return this.holds;
  }

  /** Reads a reply (REPLY_WORDS per record); returns the records refused. */
  answered(replies: Int32Array): number {
    let refused = 0;
    for (let i = 0; i < this.batch; i++) {
      if (replies[i * REPLY_WORDS] !== 0) refused++;
      if (this.holding) {
        this.releases[i * COMMAND_WORDS + Word.SLOT] = replies[i * REPLY_WORDS + 1];
        this.releases[i * COMMAND_WORDS + Word.BINARY_NO] = replies[i * REPLY_WORDS + 2];
      }
    }
    this.holding = !this.holding;
    return refused;
  }
}

function wordsOf(bytes: Uint8Array): Int32Array {
  return new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

export interface BinaryDriveResult { perSec: number; commands: number; durationMs: number; batch: number }

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
        const refused = client.answered(wordsOf((result as BatchAnswered).replies));
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
  await new Promise((resolve) => setTimeout(resolve, o.warmupSeconds * 1_000));
  const from = answered;
  const fromAt = performance.now();
  await new Promise((resolve) => setTimeout(resolve, o.seconds * 1_000));
  const commands = answered - from;
  const durationMs = performance.now() - fromAt;
  stopped = true;
  clearInterval(ticker);
  await Promise.race([allDone, new Promise((resolve) => setTimeout(resolve, 30_000))]);
  if (inFlight > 0) failures.error('drain', `${inFlight} requests unanswered 30 s after the run (started ${Math.round(performance.now() - started)} ms ago)`);
  return { perSec: (commands * 1_000) / durationMs, commands, durationMs, batch: o.batch };
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
  return { perSec: (commands * 1_000) / durationMs, commands, durationMs, batch: o.batch };
}
