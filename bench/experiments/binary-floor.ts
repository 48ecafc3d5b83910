// A sizing experiment, not the engine: how fast could hold/release go if commands were numbers
// in typed arrays (TigerBeetle-style), and what does remembering command ids cost? It answers the
// question behind issue 2's unmet target (holdReleasePerSec >= 10 % of the bare loop): which
// change to the command contract would reach it. Three variants of one minimal state machine on a
// 60,000-seat performance (seat state, source, holder, per-source counts, row counts, per-buyer
// caps, holds as struct-of-arrays with an expiry list, ids and results as numbers), each timed
// against the bare loop of bench/domain.ts in the same run, with the same seat groups:
//   randomIds  every command id remembered in an open-addressing table of numbers (two
//              generations of 2^20), as the engine remembers its string ids: random access
//   noDedupe   nothing remembered: the state machine alone (the floor; not a valid engine)
//   sessions   ids are (client session, sequence number), as TigerBeetle's client sessions:
//              per session the last sequence and a ring of the last 1,024 results, so a retry
//              is answered from the ring and an older one is known to be applied
// Run: node --import tsx bench/experiments/binary-floor.ts [--seconds 2] [--rounds 3]
// Prints one JSON line per round: cores, and per variant its rate, the bare loop timed in the same
// process just before it, and the ratio of the two.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const SEATS = 60_000;
const ROW = 30;
const GROUPS = 1 << 16;
const BATCH = 1024;
const TTL_MS = 600_000;
const HOLDS_MAX = 1 << 16;
const BUYERS = 1 << 20;
const RING = 1024;
const CLIENTS = 64;
const TWO32 = 4_294_967_296;

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const seconds = arg('seconds', 2);
const rounds = arg('rounds', 3);

/** Seeded groups of 1-4 adjacent seats in one row, as bench/domain.ts draws them. */
function seatGroups(seed: number): { flat: Int32Array; sizes: Uint8Array } {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / TWO32);
  const flat = new Int32Array(GROUPS * 4);
  const sizes = new Uint8Array(GROUPS);
  for (let g = 0; g < GROUPS; g++) {
    const k = 1 + Math.floor(next() * 4);
    const row = Math.floor(next() * (SEATS / ROW));
    const first = Math.floor(next() * (ROW - k));
    sizes[g] = k;
    for (let j = 0; j < k; j++) flat[g * 4 + j] = row * ROW + first + j;
  }
  return { flat, sizes };
}
const { flat, sizes } = seatGroups(1);

function runFor(ms: number, batch: () => number): number {
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < ms) n += batch();
  return n / ((performance.now() - t0) / 1000);
}

function bareLoop(): () => number {
  const seats = new Uint8Array(SEATS);
  let g = 0;
  return () => {
    for (let i = 0; i < BATCH; i++) {
      const off = g << 2;
      const k = sizes[g];
      g = (g + 1) & (GROUPS - 1);
      let free = true;
      for (let j = 0; j < k; j++) if (seats[flat[off + j]] !== 0) free = false;
      if (!free) continue;
      for (let j = 0; j < k; j++) seats[flat[off + j]] = 1;
      for (let j = 0; j < k; j++) {
        const seat = flat[off + j];
        if (seats[seat] !== 1) throw new Error('bare loop: wrong state');
        seats[seat] = 0;
      }
    }
    return 2 * BATCH;
  };
}

type Mode = 'randomIds' | 'noDedupe' | 'sessions';
interface Machine {
  hold(cmd: number, buyer: number, seats: Int32Array, off: number, k: number, nowMs: number): number;
  release(cmd: number, holdCmd: number, slot: number, buyer: number, nowMs: number): number;
}

/** A fresh class per variant, so each has its own type feedback (no polymorphic call sites). */
function makeMachine(mode: Mode): Machine {
  class Performance {
    state = new Uint8Array(SEATS);
    source = new Uint8Array(SEATS);
    holder = new Int32Array(SEATS);
    counts = new Int32Array(256 * 4);
    totals = new Int32Array(4);
    rowFree = new Int32Array(SEATS / ROW).fill(ROW);
    openHolds = new Int32Array(BUYERS);
    heldTickets = new Int32Array(BUYERS);
    soldTickets = new Int32Array(BUYERS);
    hSeats = new Int32Array(HOLDS_MAX * 4);
    hCount = new Uint8Array(HOLDS_MAX);
    hBuyer = new Int32Array(HOLDS_MAX);
    hExpiresMs = new Float64Array(HOLDS_MAX);
    hCmd = new Float64Array(HOLDS_MAX);
    hPrev = new Int32Array(HOLDS_MAX).fill(-1);
    hNext = new Int32Array(HOLDS_MAX).fill(-1);
    head = -1;
    tail = -1;
    freeSlots = Int32Array.from({ length: HOLDS_MAX }, (_, i) => HOLDS_MAX - 1 - i);
    freeTop = HOLDS_MAX;
    keys = [new Float64Array(1 << 20), new Float64Array(1 << 20)];
    values = [new Int32Array(1 << 20), new Int32Array(1 << 20)];
    used = [0, 0];
    generation = 0;
    sessionLast = new Float64Array(CLIENTS);
    sessionRing = new Int32Array(CLIENTS * RING);
    lastNowMs = 0;
    constructor() {
      this.counts[0] = SEATS;
      this.totals[0] = SEATS;
    }

    /** The remembered result of `id`, -1 for none, -107 for applied but out of the ring. */
    find(id: number): number {
      if (mode === 'noDedupe') return -1;
      if (mode === 'sessions') {
        const client = (id / TWO32) | 0;
        const seq = id % TWO32;
        const last = this.sessionLast[client];
        if (seq > last) return -1;
        return last - seq >= RING ? -107 : this.sessionRing[client * RING + (seq & (RING - 1))];
      }
      for (let g = 0; g < 2; g++) {
        const keys = this.keys[g];
        const mask = keys.length - 1;
        for (let i = (Math.imul(id | 0, 0x9e3779b1) ^ ((id / TWO32) | 0)) & mask; ; i = (i + 1) & mask) {
          const key = keys[i];
          if (key === 0) break;
          if (key === id) return this.values[g][i];
        }
      }
      return -1;
    }

    remember(id: number, value: number): void {
      if (mode === 'noDedupe') return;
      if (mode === 'sessions') {
        const client = (id / TWO32) | 0;
        const seq = id % TWO32;
        this.sessionLast[client] = seq;
        this.sessionRing[client * RING + (seq & (RING - 1))] = value;
        return;
      }
      let g = this.generation;
      if (this.used[g] * 2 >= this.keys[g].length) {
        g = this.generation = 1 - g;
        this.keys[g].fill(0);
        this.used[g] = 0;
      }
      const keys = this.keys[g];
      const mask = keys.length - 1;
      let i = (Math.imul(id | 0, 0x9e3779b1) ^ ((id / TWO32) | 0)) & mask;
      while (keys[i] !== 0) i = (i + 1) & mask;
      keys[i] = id;
      this.values[g][i] = value;
      this.used[g]++;
    }

    move(seat: number, to: number, holder: number): void {
      const from = this.state[seat];
      const base = this.source[seat] * 4;
      this.counts[base + from]--;
      this.counts[base + to]++;
      this.totals[from]--;
      this.totals[to]++;
      if (from === 0 || to === 0) this.rowFree[(seat / ROW) | 0] += to === 0 ? 1 : -1;
      this.state[seat] = to;
      this.holder[seat] = holder;
    }

    expire(nowMs: number): void {
      for (let n = 0; this.head >= 0 && this.hExpiresMs[this.head] <= nowMs && n < 64; n++) this.close(this.head);
    }

    hold(cmd: number, buyer: number, seats: Int32Array, off: number, k: number, nowMs: number): number {
      const prior = this.find(cmd);
      if (prior !== -1) return prior;
      if (nowMs < this.lastNowMs) return -2;
      this.lastNowMs = nowMs;
      this.expire(nowMs);
      if (this.openHolds[buyer] >= 2) return this.refuse(cmd, -51);
      if (this.heldTickets[buyer] + this.soldTickets[buyer] + k > 6) return this.refuse(cmd, -50);
      for (let j = 0; j < k; j++) {
        const seat = seats[off + j];
        if (this.state[seat] !== 0 || this.source[seat] !== 0) return this.refuse(cmd, -33);
      }
      if (this.freeTop === 0) return -42;
      const slot = this.freeSlots[--this.freeTop];
      for (let j = 0; j < k; j++) {
        const seat = seats[off + j];
        this.hSeats[slot * 4 + j] = seat;
        this.move(seat, 1, slot + 1);
      }
      this.hCount[slot] = k;
      this.hBuyer[slot] = buyer;
      this.hExpiresMs[slot] = nowMs + TTL_MS;
      this.hCmd[slot] = cmd;
      this.hPrev[slot] = this.tail;
      this.hNext[slot] = -1;
      if (this.tail >= 0) this.hNext[this.tail] = slot;
      else this.head = slot;
      this.tail = slot;
      this.openHolds[buyer]++;
      this.heldTickets[buyer] += k;
      this.remember(cmd, slot);
      return slot;
    }

    refuse(cmd: number, code: number): number {
      this.remember(cmd, code);
      return code;
    }

    close(slot: number): void {
      const prev = this.hPrev[slot];
      const next = this.hNext[slot];
      if (prev >= 0) this.hNext[prev] = next;
      else this.head = next;
      if (next >= 0) this.hPrev[next] = prev;
      else this.tail = prev;
      const buyer = this.hBuyer[slot];
      const k = this.hCount[slot];
      this.openHolds[buyer]--;
      this.heldTickets[buyer] -= k;
      for (let j = 0; j < k; j++) this.move(this.hSeats[slot * 4 + j], 0, 0);
      this.hCmd[slot] = 0;
      this.freeSlots[this.freeTop++] = slot;
    }

    release(cmd: number, holdCmd: number, slot: number, buyer: number, nowMs: number): number {
      const prior = this.find(cmd);
      if (prior !== -1) return prior;
      if (nowMs < this.lastNowMs) return -2;
      this.lastNowMs = nowMs;
      this.expire(nowMs);
      if (this.hCmd[slot] !== holdCmd) return this.refuse(cmd, -43);
      if (this.hBuyer[slot] !== buyer) return this.refuse(cmd, -47);
      this.close(slot);
      this.remember(cmd, 0);
      return 0;
    }
  }
  return new Performance();
}

function holdRelease(mode: Mode): () => number {
  const machine = makeMachine(mode);
  const seqs = new Float64Array(CLIENTS);
  let g = 0;
  let buyer = 0;
  let nextId = 1;
  let nowMs = 1;
  // Random ids: distinct numbers; sessions: 64 gateway clients in turn, each counting its own.
  const id = (i: number): number => (mode === 'sessions' ? (i & (CLIENTS - 1)) * TWO32 + ++seqs[i & (CLIENTS - 1)] : nextId++);
  return () => {
    for (let i = 0; i < BATCH; i++) {
      const off = g << 2;
      const k = sizes[g];
      g = (g + 1) & (GROUPS - 1);
      const b = buyer;
      buyer = (buyer + 1) & (BUYERS - 1);
      const holdCmd = id(i);
      const slot = machine.hold(holdCmd, b, flat, off, k, nowMs);
      if (slot < 0) throw new Error(`hold refused: ${slot}`);
      if (machine.release(id(i), holdCmd, slot, b, nowMs) !== 0) throw new Error('release refused');
    }
    nowMs++;
    return 2 * BATCH;
  };
}

// Each variant runs in a process of its own, after its own bare loop: in one process the call
// sites would see every variant's class and go megamorphic, slowing whichever runs later.
const ms = seconds * 1000;
const only = process.argv.indexOf('--mode');
if (only >= 0) {
  const mode = process.argv[only + 1] as Mode;
  runFor(ms / 4, bareLoop());
  const bare = runFor(ms, bareLoop());
  const batch = holdRelease(mode);
  runFor(ms / 4, batch);
  const perSec = runFor(ms, batch);
  console.log(JSON.stringify({ bare, perSec }));
} else {
  for (let round = 0; round < rounds; round++) {
    const line: Record<string, number | string> = { bench: 'binaryFloor', cores: os.availableParallelism(), seconds };
    for (const mode of ['randomIds', 'noDedupe', 'sessions'] as const) {
      const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--mode', mode, '--seconds', String(seconds)], { encoding: 'utf8' });
      const { bare, perSec } = JSON.parse(out.trim().split('\n').pop() as string) as { bare: number; perSec: number };
      line[`${mode}BareLoopPerSec`] = Math.round(bare);
      line[`${mode}PerSec`] = Math.round(perSec);
      line[`${mode}Ratio`] = Math.round((perSec / bare) * 10_000) / 10_000;
    }
    console.log(JSON.stringify(line));
  }
}
