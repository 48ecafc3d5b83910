// The client side of the binary hold/release workload, shared by bench/domain.ts
// (holdReleaseBinaryPerSec) and bench/runtime/binary-drive.ts (crossThreadBinaryCommandsPerSec):
// the seats, cut from every row into runs of 1-4 and shuffled, so the holds of one request never
// collide; and a client session that alternates a request of holds of the next runs and a
// request releasing them by the slot and number each reply gave, its words written in place.
import { BinaryOp, COMMAND_WORDS, DEFAULT_TICKET_TYPE, REPLY_WORDS, Word, type Layout } from '../engine/src/domain/mod.ts';

/** Buyer keys per performance, taken in turn: a buyer has at most one open hold per request. */
const buyerKeys = 4_096;

/** Every row of the layout cut into runs of 1-4 seats, shuffled: four seat numbers per run (unused ones -1) and its size. */
export interface SeatRuns { flat: Int32Array; sizes: Uint8Array }

export function seatRuns(layout: Layout, pick: (n: number) => number): SeatRuns {
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
export class BinaryClient {
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
