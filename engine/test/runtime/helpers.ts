// Shared vocabulary of the runtime tests: engines that are always stopped, the built-in venues'
// set-ups, command builders, and `expectCode`, the one way these tests assert a refusal (the
// coverage test finds the runtime's codes by reading `expectCode(..., 'NAME')` in these files).
import { afterEach, expect } from 'vitest';
import { Code, type CodeName, type PerformanceSpec, type Rejection, type Result, type TicketRow } from '../../src/domain/mod.ts';
import { EmbeddedBus, Engine, shardOf, type EngineCommand, type EngineOptions, type JournalEntry, type Lease, type LeaseEvents } from '../../src/runtime/mod.ts';

/** Every sale window of these tests is open from 0 to here. */
export const FAR = 4_000_000_000_000;
/** A moment inside the sale; tests count their command times up from here. */
export const T0 = 1_000_000;

export type Venue = 'theatre' | 'club' | 'stadium';

const zonesOf: Record<Venue, string[]> = { theatre: ['P1', 'P2', 'P3'], club: ['GA', 'BAL'], stadium: ['A', 'B', 'C', 'D'] };

/** A plain set-up for a built-in venue: one web channel, one ticket type priced everywhere. */
export function specFor(performanceId: string, venue: Venue): PerformanceSpec {
  const prices: Record<string, number> = {};
  zonesOf[venue].forEach((zone, i) => (prices[zone] = 1_000 * (i + 2)));
  return {
    performanceId,
    holdTtlMs: 60_000,
    maxTicketsPerBuyer: 100,
    maxOpenHoldsPerBuyer: 20,
    channels: [{ id: 'web', kind: 'web', saleStartMs: 0, saleEndMs: FAR }],
    ticketTypes: [{ id: 'adult', prices }],
  };
}

export function open(performanceId: string, venue: Venue = 'theatre', commandId = `${performanceId}-open`): EngineCommand {
  return { type: 'openPerformance', commandId, venue, spec: specFor(performanceId, venue) };
}

/** Theatre seat ids: STALLS rows A-T and CIRCLE rows 1-10, 30 seats each. */
export function stall(row: string, n: number): string {
  return `STALLS-${row}-${n}`;
}

export function hold(holdId: string, buyerId: string, seats: string[]): EngineCommand {
  return { type: 'holdSeats', commandId: holdId, buyerId, channel: 'web', seats };
}

export function holdBest(holdId: string, buyerId: string, count: number): EngineCommand {
  return { type: 'holdBestAvailable', commandId: holdId, buyerId, channel: 'web', count };
}

export function holdGa(holdId: string, buyerId: string, gaAreaId: string, count: number): EngineCommand {
  return { type: 'holdGa', commandId: holdId, buyerId, channel: 'web', gaAreaId, count };
}

export function release(commandId: string, holdId: string, buyerId: string): EngineCommand {
  return { type: 'releaseHold', commandId, holdId, buyerId };
}

export function confirm(commandId: string, holdId: string, buyerId: string): EngineCommand {
  return { type: 'confirmHold', commandId, holdId, buyerId };
}

/** A cheap command the domain remembers (HOLD_NOT_FOUND): filler for dedupe windows and bursts. */
export function miss(commandId: string): EngineCommand {
  return { type: 'releaseHold', commandId, holdId: `none-${commandId}`, buyerId: 'nobody' };
}

/** What a result is called: OK or its code name. */
export function outcome(result: Result): 'OK' | CodeName {
  return result.ok ? 'OK' : result.name;
}

/** Asserts a refusal by name and by its registered number, and returns it. */
export function expectCode(result: Result, name: CodeName): Rejection {
  expect(outcome(result), result.ok ? 'accepted' : `${result.name} [${result.field}] ${result.message}`).toBe(name);
  const refusal = result as Rejection;
  expect(refusal.code, `${name}'s number`).toBe(Code[name]);
  return refusal;
}

export function expectOk(result: Result): void {
  expect(result.ok, result.ok ? '' : `${result.name} [${result.field}] ${result.message}`).toBe(true);
}

export interface SeatCounts { free: number; held: number; sold: number; blocked: number }

export async function seatCounts(engine: Engine, performanceId: string): Promise<SeatCounts> {
  return (await engine.query(performanceId, 'seatCounts')) as SeatCounts;
}

export async function stateHash(engine: Engine, performanceId: string): Promise<string> {
  return (await engine.query(performanceId, 'stateHash')) as string;
}

export async function tickets(engine: Engine, performanceId: string): Promise<TicketRow[]> {
  return (await engine.query(performanceId, 'tickets')) as TicketRow[];
}

/** `count` performance ids `${prefix}-n` that all land on shard `shard` of `shards`. */
export function idsOnShard(prefix: string, shard: number, shards: number, count: number): string[] {
  const ids: string[] = [];
  for (let n = 0; ids.length < count; n++) if (shardOf(`${prefix}-${n}`, shards) === shard) ids.push(`${prefix}-${n}`);
  return ids;
}

/** One performance id per shard, `${prefix}-n`: ids[s] lands on shard s. */
export function idPerShard(prefix: string, shards: number): string[] {
  return Array.from({ length: shards }, (_, s) => idsOnShard(prefix, s, shards, 1)[0]);
}

/** 'pending' if the promise has not settled within `ms`. */
export function within<T>(p: Promise<T>, ms: number): Promise<T | 'pending' | { rejected: string }> {
  return Promise.race([p.catch((e: Error) => ({ rejected: e.message })), new Promise<'pending'>((r) => setTimeout(() => r('pending'), ms))]);
}

/** Submits the commands in one synchronous burst (one performance each), in order; answers in that order. */
export function burst(engine: Engine, items: readonly [performanceId: string, command: EngineCommand, nowMs: number][]): Promise<Result[]> {
  return Promise.all(items.map(([id, command, nowMs]) => engine.submit(id, command, nowMs)));
}

/**
 * Engines of one test file: started with `start`, stopped after each test whatever happened
 * (an engine the test stopped itself is skipped).
 */
export function engines(): { start(opts?: EngineOptions): Promise<Engine>; stop(engine: Engine): Promise<void> } {
  const running = new Set<Engine>();
  afterEach(async () => {
    const all = [...running];
    running.clear();
    await Promise.all(all.map((e) => e.stop()));
  });
  return {
    async start(opts: EngineOptions = {}) {
      const engine = await Engine.start({ workers: 1, shards: 2, ...opts });
      running.add(engine);
      await Promise.all(Array.from({ length: engine.shards }, (_, s) => engine.whenServing(s)));
      return engine;
    },
    async stop(engine: Engine) {
      running.delete(engine);
      await engine.stop();
    },
  };
}

/**
 * An embedded bus (journal kept) the test steers: it hands over the lease events (to fire
 * `lost` and `acquired` itself), holds the next append until `land()`, and holds reads while
 * `readGate` is set.
 */
export class ControlledBus extends EmbeddedBus {
  events!: LeaseEvents;
  holdNextAppend = false;
  held: { bytes: Uint8Array; resolve: (seq: number) => void } | null = null;
  readGate: Promise<void> | null = null;
  /** Leases the engine handed back, in order. */
  readonly released: Lease[] = [];
  constructor() {
    super({ keepJournal: true });
  }
  override release(_shard: number, lease: Lease): void {
    this.released.push(lease);
  }
  override async startLeases(shards: number, events: LeaseEvents): Promise<void> {
    this.events = events;
    return super.startLeases(shards, events);
  }
  override append(shard: number, lease: Lease, bytes: Uint8Array): Promise<number> {
    if (!this.holdNextAppend) return super.append(shard, lease, bytes);
    this.holdNextAppend = false;
    return new Promise((resolve) => { this.held = { bytes, resolve }; });
  }
  /** Lets the held append land (as shard 0's next record). */
  async land(): Promise<void> {
    const held = this.held!;
    held.resolve(await super.append(0, { shard: 0, epoch: 1 }, held.bytes));
  }
  override async read(shard: number, afterSeq: number, each: (entry: JournalEntry) => void): Promise<number> {
    if (this.readGate !== null) await this.readGate;
    return super.read(shard, afterSeq, each);
  }
}
