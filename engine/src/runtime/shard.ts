// A shard: the actors one worker thread owns for one journal partition, applied strictly in
// journal order. Single-threaded and synchronous; the worker wraps it in messages, and tests
// use it directly.
import {
  availability, blocksReport, Code, createPerformance, DONE, executeProduct, hashId, isProductCommand, isStepCommandId, misaddressed, productEntries, pendingSteps, presaleReport, productHoldings,
  limits, nextDueAtMs, productLimits, productNextDueAtMs, productReport, strandedTickets, productSummary, reject, renewalStatus, remembers, resaleReport, salesReport, samePayload, SeatState, settlementFacts, shown, stateHash, ticketRows, touch,
  type Command, type PerformanceState, type ProductCommand, type Rejection, type Result, type SagaPending,
} from '../domain/mod.ts';
import { PerformanceActor, PinnedRecords, ProductActor, shardTailBytesMax, type TailSource } from './actor.ts';
import { RecentCommands, type RecentArrays, type RecentArraysV3 } from './recent.ts';
import { VenueCatalog } from './venues.ts';
import type { EngineCommand, JournalItem, JournalRecord, OpenPerformance, QueryName, ShardOutbox } from './wire.ts';
import { compressSnapshot, expandSnapshot } from './snapshot-codec.ts';
import { decodeRecord, envelopeRefusal, pack, packr } from './wire.ts';
import { actorsPerShardMax } from './limits.ts';

/** A test hook: throw after applying this command, as a bug in the actor would. */
export type Fault = (performanceId: string, command: EngineCommand) => boolean;

export interface ShardConfig {
  shard: number;
  venues: VenueCatalog;
  dedupeWindowMs: number;
  dedupeEntriesMax: number;
  fault?: Fault;
  /** Record bytes the actors' tails may pin (default shardTailBytesMax); tests make it small. */
  tailBytesMax?: number;
}

export interface ShardCounters {
  actorFailures: number;
  commands: number;
}

// Version 4 writes the remembered command ids as columns (recent.ts), version 5 those columns as
// typed arrays with the ids as UTF-16 units; versions 3 and 4 still read.
const SNAPSHOT_VERSION = 5;
const READABLE_VERSIONS: readonly number[] = [3, 4, 5];
/**
 * Commands read ahead at a time (readAhead): enough for their cache misses to overlap, few enough
 * that the lines they bring in are still cached when the commands run (16 measured best of 16, 64
 * and 256; bench/RESULTS.md, session 9).
 */
const touchAhead = 16;

// Refusals that say nothing about the command's effect, so its id stays free for a retry (the
// domain does not remember them either).
const transient = new Set<number>([Code.COMMAND_INVALID, Code.TIME_REGRESSED, Code.PERFORMANCE_UNKNOWN]);

export class Shard {
  readonly actors = new Map<string, PerformanceActor>();
  readonly products = new Map<string, ProductActor>();
  /** The coordinators' actions since the router last took them (takeOutbox). */
  private outbox: ShardOutbox = [];
  recent: RecentCommands;
  /** What the read-ahead (touchAhead) read, kept so its reads are not dropped as dead code. */
  touched = 0;
  /** The read-ahead's chunk: each command's id hash (used again when it is applied), 0/1 whether it has one, its performance. */
  private readonly aheadHashes = new Int32Array(touchAhead);
  private readonly aheadHashed = new Uint8Array(touchAhead);
  private readonly aheadStates: (PerformanceState | null)[] = new Array<PerformanceState | null>(touchAhead).fill(null);
  /** The time of the command a performance is applying: when the ids its memory lets go of meanwhile start being kept here. */
  private applyingNowMs = 0;
  /** The items of the last record applied from bytes (appliedCommandId). */
  private lastItems: JournalItem[] = [];
  /** Journal sequence of the last record applied (0: none). */
  appliedSeq = 0;
  lastNowMs = 0;
  readonly counters: ShardCounters = { actorFailures: 0, commands: 0 };
  /** While applyRecordBytes runs: the record's bytes and the place of the command being applied. */
  private source: TailSource | null = null;
  /** Sizes of the records applied from bytes that an actor's tail may still hold on to. */
  private readonly pinned = new PinnedRecords();
  private readonly tailBytesMax: number;

  constructor(readonly config: ShardConfig) {
    this.recent = new RecentCommands(config.dedupeWindowMs, config.dedupeEntriesMax);
    this.tailBytesMax = config.tailBytesMax ?? shardTailBytesMax;
  }

  /** Record bytes the actors' tails hold on to, counted since the oldest one a tail may still need. */
  get pinnedBytes(): number {
    return this.pinned.bytes;
  }

  /**
   * Applies a journal record given as its bytes (what a worker receives). The actors keep these
   * bytes and each command's place in them to rebuild from, not the decoded commands.
   */
  applyRecordBytes(bytes: Uint8Array, seq: number): (Result | SagaPending)[] {
    const record = decodeRecord(bytes);
    this.lastItems = record.items;
    const no = this.pinned.next;
    this.source = { bytes, item: 0, no };
    try {
      return this.applyRecord(record, seq);
    } finally {
      this.source = null;
      if (this.pinned.add(bytes.byteLength) > this.tailBytesMax) this.unpin();
    }
  }

  /**
   * Past the bound on record bytes pinned by the actors' tails: the actors whose tails reach
   * into the oldest half of those bytes checkpoint, which lets go of them.
   */
  private unpin(): void {
    const actors = [...this.actors.values(), ...this.products.values()];
    const oldest = (): number => actors.reduce((min, a) => Math.min(min, a.tailFirstRecord), this.pinned.next);
    this.pinned.dropBefore(oldest());
    if (this.pinned.bytes <= this.tailBytesMax / 2) return;
    const cut = this.pinned.noWhereBytesLeft(this.tailBytesMax / 2);
    for (const a of actors) if (a.tailFirstRecord < cut) a.checkpoint();
    this.pinned.dropBefore(oldest());
  }

  applyRecord(record: JournalRecord, seq: number): (Result | SagaPending)[] {
    const results: (Result | SagaPending)[] = new Array(record.items.length);
    const source = this.source;
    const items = record.items;
    const n = items.length;
    for (let i = 0; i < n; i++) {
      const k = i % touchAhead;
      if (k === 0) this.readAhead(items, i, Math.min(n, i + touchAhead));
      const item = items[i];
      if (source !== null) source.item = i;
      results[i] = this.applyOne(item[0], item[1], item[2], this.aheadHashed[k] === 1 ? this.aheadHashes[k] : undefined);
    }
    if (seq > this.appliedSeq) this.appliedSeq = seq;
    return results;
  }

  /**
   * Before applying items[from..to): hashes their ids (once, for the dedupe below and the
   * shard's memory), then reads the words of the shard's memory and of each performance's retry
   * memory those ids will look up, in one tight loop, so that their cache misses overlap instead
   * of stalling each command in turn (domain touch.ts). Changes nothing.
   */
  private readAhead(items: JournalItem[], from: number, to: number): void {
    const hashes = this.aheadHashes;
    const hashed = this.aheadHashed;
    const states = this.aheadStates;
    for (let i = from; i < to; i++) {
      const k = i - from;
      const command = items[i][2];
      hashed[k] = 0;
      states[k] = null;
      if (typeof command !== 'object' || command === null || typeof command.commandId !== 'string' || command.type === 'tick' || command.type === 'tickDue' || isProductCommand(command)) continue;
      hashes[k] = hashId(command.commandId);
      hashed[k] = 1;
      states[k] = this.actors.get(items[i][0])?.state ?? null;
    }
    let t = 0;
    for (let k = 0; k < to - from; k++) {
      if (hashed[k] === 0) continue;
      t ^= this.recent.touch(hashes[k]);
      const state = states[k];
      if (state === null) continue;
      t ^= touch(state, items[k + from][2] as Command, hashes[k]);
      // Not kept past the chunk: a performance dropped or rebuilt meanwhile is not held on to.
      states[k] = null;
    }
    this.touched ^= t;
  }

  /** The id of the last record's `i`th command (its answer is written without the hold id it names: hot-wire.ts). */
  appliedCommandId(i: number): string | undefined {
    const command = this.lastItems[i]?.[2] as { commandId?: unknown } | undefined;
    return typeof command?.commandId === 'string' ? command.commandId : undefined;
  }

  /** Takes the coordinators' actions made since the last call. */
  takeOutbox(): ShardOutbox {
    const out = this.outbox;
    this.outbox = [];
    return out;
  }

  /** `idHash`: hashId(command.commandId) when the caller has it (readAhead), else computed here. */
  applyOne(performanceId: string, nowMs: number, command: EngineCommand, idHash?: number): Result | SagaPending {
    this.counters.commands++;
    const refusal = envelopeRefusal(command);
    if (refusal !== null) return refusal;
    if (command.type === 'tickDue') return this.tickDue(nowMs, command.commandId);
    // Coordinators remember their own commands (a saga's retry joins it), so the shard's
    // dedupe is not in front of them, only behind: it keeps the ids a coordinator lets go of
    // (adoptProduct), so that a late retry of a purchase does not buy a second holding.
    if (isProductCommand(command)) {
      if (nowMs > this.lastNowMs) this.lastNowMs = nowMs;
      return this.forgottenProductCommand(performanceId, command) ?? this.applyToProduct(performanceId, nowMs, command);
    }
    const isTick = command.type === 'tick';
    const hash = isTick ? 0 : (idHash ?? hashId(command.commandId));
    if (!isTick) {
      const prior = this.recent.get(performanceId, command.commandId, hash);
      if (prior !== undefined) {
        if (prior.result === null) return this.retryOnPerformance(performanceId, nowMs, command as Command, prior.atMs);
        return samePayload(prior.command, command)
          ? prior.result
          : reject('COMMAND_ID_REUSED', 'commandId', `command id ${command.commandId} was used for another command`);
      }
    }
    if (nowMs > this.lastNowMs) this.lastNowMs = nowMs;
    const result = command.type === 'openPerformance' ? this.open(performanceId, command) : this.applyToActor(performanceId, nowMs, command, isTick ? undefined : hash);
    if (!isTick && !(!result.ok && transient.has(result.code))) {
      // The performance remembers what it applied, with its answer (domain dedupe), and hands
      // the ids over to the shard's memory when it lets go of them (adopt): the shard then keeps
      // only the id and when, so it can tell a late retry apart from a new command. What the
      // performance did not answer (openPerformance, ACTOR_FAILED; PERFORMANCE_UNKNOWN is
      // transient) the shard keeps itself, whole. So are a saga's steps (few): a step re-sent
      // after a restart must get its first answer, not only COMMAND_ALREADY_APPLIED, for the
      // saga to go on. A courier's batch (a step too) is not: its session answers it again
      // (binary.ts), and its words and replies are too big to keep per step.
      const answeredByPerformance = command.type !== 'openPerformance' && (result.ok || result.code !== Code.ACTOR_FAILED);
      const keptBySession = command.type === 'commandBatch' && answeredByPerformance;
      if (!keptBySession && (!answeredByPerformance || isStepCommandId(command.commandId))) this.recent.remember(command.commandId, hash, performanceId, nowMs, command, result);
    }
    return result;
  }

  /**
   * COMMAND_ALREADY_APPLIED for a client command whose id the coordinator has let go of and the
   * shard still keeps; null for any other (the coordinator answers it). A saga's reports and the
   * ticker's ticks are never kept there.
   */
  private forgottenProductCommand(productId: string, command: ProductCommand): Result | null {
    if (command.type === 'stepResult' || command.type === 'tickProduct' || typeof command.commandId !== 'string') return null;
    const prior = this.recent.get(productId, command.commandId, hashId(command.commandId));
    if (prior === undefined || this.products.get(productId)?.remembers(command.commandId) === true) return null;
    return reject('COMMAND_ALREADY_APPLIED', 'commandId', `command id ${command.commandId} was applied, at ${prior.atMs} at the latest; its answer is no longer kept (a coordinator keeps the answers of its last ${productLimits.finishedRememberedMax} purchases and refusals at least)`);
  }

  /**
   * A retry of a command its performance applied: the performance answers it (the first answer,
   * or COMMAND_ID_REUSED for another payload) while its own memory keeps the id; past that, the
   * command is still never applied twice, and the answer says so.
   */
  private retryOnPerformance(performanceId: string, nowMs: number, command: Command, atMs: number): Result {
    const actor = this.actors.get(performanceId);
    if (actor !== undefined && remembers(actor.state, command.commandId)) return this.applyToActor(performanceId, nowMs, command);
    return reject('COMMAND_ALREADY_APPLIED', 'commandId', `command id ${command.commandId} was applied, at ${atMs} at the latest; its answer is no longer kept (a performance keeps the answers of its last ${limits.dedupeEntriesMax / 2} commands at least)`);
  }

  /**
   * Hosts a performance. Its retry memory hands the ids it lets go of to the shard's memory
   * (recent.ts): the shard remembers only those, not every command the performance answers, so
   * no id is written to both. The listener reads `this.recent` when called: a restore replaces it.
   */
  /** Hosts a coordinator: the client command ids its memory of outcomes lets go of are kept here (forgottenProductCommand). */
  /** Whether the shard hosts as many performances and products as it may (actorsPerShardMax). */
  private full(): boolean {
    return this.actors.size + this.products.size >= actorsPerShardMax;
  }

  private adoptProduct(actor: ProductActor): void {
    const productId = actor.productId;
    actor.handDroppedIdsTo({
      dropped: (ids) => {
        for (const id of ids) this.recent.remember(id, hashId(id), productId, this.applyingNowMs);
      },
    });
    this.products.set(productId, actor);
  }

  private adopt(actor: PerformanceActor): void {
    const performanceId = actor.performanceId;
    actor.handDroppedIdsTo({ dropped: (memo, firstSeq, endSeq) => this.recent.rememberDropped(performanceId, this.applyingNowMs, memo, firstSeq, endSeq) });
    this.actors.set(performanceId, actor);
  }

  /**
   * The ticker's command: a `tick` for every performance whose holds or quotas time has caught
   * up with (nextDueAtMs), a `tickProduct` for every coordinator whose renewal window has ended
   * or whose stranded tickets' next void is due (productNextDueAtMs), none for the others.
   * Bounded by the shard's actors; not remembered.
   */
  private tickDue(nowMs: number, commandId: string): Result {
    if (nowMs > this.lastNowMs) this.lastNowMs = nowMs;
    let tick: Command | null = null;
    for (const [performanceId, actor] of this.actors) {
      if (nextDueAtMs(actor.state) > nowMs) continue;
      tick ??= { type: 'tick', commandId };
      this.applyToActor(performanceId, nowMs, tick);
    }
    // Coordinators too: a renewal window that has ended closes with no purchase sent, and a
    // stranded ticket's void is tried again.
    let productTick: ProductCommand | null = null;
    for (const [productId, actor] of this.products) {
      if (productNextDueAtMs(actor.state) > nowMs) continue;
      productTick ??= { type: 'tickProduct', commandId };
      this.applyToProduct(productId, nowMs, productTick);
    }
    return DONE;
  }

  /** `idHash`: hashId(command.commandId), when computed already. */
  private applyToActor(performanceId: string, nowMs: number, command: Command, idHash?: number): Result {
    const actor = this.actors.get(performanceId);
    if (actor === undefined) return reject('PERFORMANCE_UNKNOWN', 'performanceId', `no performance ${performanceId} is open`);
    this.applyingNowMs = nowMs;
    const fault = this.config.fault;
    try {
      return actor.apply(command, nowMs, fault === undefined ? undefined : () => {
        if (fault(performanceId, command)) throw new Error(`injected fault in ${command.commandId}`);
      }, this.source, idHash);
    } catch (error) {
      // The actor rebuilt itself without this command; its other commands, and every other
      // actor of the shard, stand.
      this.counters.actorFailures++;
      return reject('ACTOR_FAILED', '', `the actor failed on this command and was rebuilt without it: ${(error as Error).message}`);
    }
  }

  private applyToProduct(productId: string, nowMs: number, command: ProductCommand): Result | SagaPending {
    const actor = this.products.get(productId);
    const fault = this.config.fault;
    const check = fault === undefined ? undefined : () => {
      if (fault(productId, command)) throw new Error(`injected fault in ${command.commandId}`);
    };
    if (actor === undefined) {
      // Checked in the order the coordinator and LocalProducts use: fields, address, then the id's owner.
      const output = executeProduct(null, command, nowMs);
      if (output.state !== null && output.state.productId !== productId) return misaddressed();
      if (output.state !== null && this.actors.has(productId)) return reject('PRODUCT_INVALID', 'productId', `${productId} is a performance`);
      if (output.state !== null && this.full()) return actorsLimitReached();
      if (output.state !== null) {
        check?.();
        this.adoptProduct(new ProductActor(productId, output.state));
      }
      for (const o of output.out) this.outbox.push([productId, nowMs, o]);
      return output.result;
    }
    this.applyingNowMs = nowMs;
    try {
      const output = actor.apply(command, nowMs, check, this.source);
      for (const o of output.out) this.outbox.push([productId, nowMs, o]);
      return output.result;
    } catch (error) {
      this.counters.actorFailures++;
      return reject('ACTOR_FAILED', '', `the product coordinator failed on this command and was rebuilt without it: ${(error as Error).message}`);
    }
  }

  private open(performanceId: string, command: OpenPerformance): Result {
    if (this.products.has(performanceId)) return reject('PERFORMANCE_EXISTS', 'performanceId', `${performanceId} is a product`);
    if (this.actors.has(performanceId)) return reject('PERFORMANCE_EXISTS', 'performanceId', `performance ${performanceId} is already open`);
    if (typeof command.venue !== 'string') return reject('COMMAND_INVALID', 'venue', 'venue must be a venue name');
    const layout = this.config.venues.layout(command.venue);
    if (layout === null) return reject('COMMAND_INVALID', 'venue', `unknown venue ${shown(command.venue)}; known: ${this.config.venues.names().join(', ')}`);
    // A custom venue that does not compile: the layout's own code, the field a path into the
    // engine's `venues` option (Engine.start refuses such a venue; a Shard made directly may not).
    if ('ok' in layout) return { ...layout, field: `venues.${command.venue}${layout.field === '' ? '' : `.${layout.field}`}`, message: `venue ${shown(command.venue)}: ${layout.message}` };
    if (command.spec?.performanceId !== performanceId) return reject('COMMAND_INVALID', 'spec.performanceId', 'spec.performanceId must be the performance the command is sent to');
    const created = createPerformance(command.spec, layout);
    if (!created.ok) return created;
    if (this.full()) return actorsLimitReached();
    this.adopt(new PerformanceActor(performanceId, command.venue, layout, created.state));
    return { ok: true };
  }

  query(performanceId: string, name: QueryName, arg: string | null): unknown {
    if (name === 'pendingSteps') return this.pendingSteps();
    const product = this.products.get(performanceId);
    if (product !== undefined) {
      const p = product.state;
      switch (name) {
        case 'productSummary': return productSummary(p);
        case 'productReport': return productReport(p);
        case 'holdings': return productHoldings(p);
        case 'renewalStatus': return renewalStatus(p);
        case 'productLedger': return productEntries(p);
        case 'strandedTickets': return strandedTickets(p);
        case 'stateHash': return product.stateHash();
        default: return reject('COMMAND_INVALID', 'query', `${name} is not a product query`);
      }
    }
    const actor = this.actors.get(performanceId);
    if (actor === undefined) return reject('PERFORMANCE_UNKNOWN', 'performanceId', `no performance ${performanceId} is open`);
    const s = actor.state;
    switch (name) {
      case 'availability': return availability(s, arg ?? undefined);
      case 'salesReport': return salesReport(s);
      case 'presaleReport': return presaleReport(s, arg ?? '');
      case 'blocksReport': return blocksReport(s);
      case 'tickets': return ticketRows(s);
      case 'stateHash': return stateHash(s);
      case 'seatCounts': return seatCounts(s.totals);
      case 'resaleReport': return resaleReport(s);
      case 'settlementFacts': return settlementFacts(s);
      default: return reject('COMMAND_INVALID', 'query', `${String(name)} is not a performance query`);
    }
  }

  /** Every coordinator's steps sent and not answered: the router sends them again after a recovery. */
  pendingSteps(): ShardOutbox {
    const out: ShardOutbox = [];
    for (const [id, actor] of this.products) for (const o of pendingSteps(actor.state)) out.push([id, actor.state.lastNowMs, o]);
    return out;
  }

  /** Every actor's counts by seat state, for the per-performance gauges. */
  /** The coordinators' sagas not finished and stranded tickets, summed over the shard (metrics). */
  productCounts(): { sagasInFlight: number; strandedTickets: number } {
    let sagasInFlight = 0;
    let strandedTickets = 0;
    for (const p of this.products.values()) {
      sagasInFlight += p.state.sagas.size;
      strandedTickets += p.state.stranded.size;
    }
    return { sagasInFlight, strandedTickets };
  }

  seatCountsByPerformance(): [string, ReturnType<typeof seatCounts>][] {
    return [...this.actors].map(([id, actor]) => [id, seatCounts(actor.state.totals)]);
  }

  /** The shard as bytes (compressed: snapshot-codec.ts): each actor's snapshot, the remembered command ids, the journal position. */
  snapshot(): Uint8Array {
    const actors = [...this.actors.values()].map((a) => {
      a.dirty = false;
      return [a.performanceId, a.venue, a.checkpoint()];
    });
    const products = [...this.products.values()].map((p) => {
      p.dirty = false;
      return [p.productId, p.checkpoint()];
    });
    return compressSnapshot(pack({ v: SNAPSHOT_VERSION, shard: this.config.shard, appliedSeq: this.appliedSeq, lastNowMs: this.lastNowMs, actors, products, recent: this.recent.toArrays() }));
  }

  static restore(config: ShardConfig, bytes: Uint8Array): Shard {
    const snap = packr.unpack(expandSnapshot(bytes)) as {
      v: number; shard: number; appliedSeq: number; lastNowMs: number;
      actors: [string, string, Uint8Array][];
      products: [string, Uint8Array][];
      recent: RecentArrays | RecentArraysV3;
    };
    if (!READABLE_VERSIONS.includes(snap.v)) throw new Error(`shard snapshot version ${snap.v} is not one of ${READABLE_VERSIONS.join(', ')}`);
    if (snap.shard !== config.shard) throw new Error(`snapshot of shard ${snap.shard} offered to shard ${config.shard}`);
    const shard = new Shard(config);
    shard.appliedSeq = snap.appliedSeq;
    shard.lastNowMs = snap.lastNowMs;
    for (const [id, venue, actorBytes] of snap.actors) {
      const layout = config.venues.layout(venue);
      if (layout === null) throw new Error(`snapshot names venue ${venue}, which this engine does not know`);
      if ('ok' in layout) throw new Error(`snapshot names venue ${venue}, whose layout this engine refuses: ${layout.name} at ${layout.field}`);
      shard.adopt(PerformanceActor.fromSnapshot(id, venue, layout, actorBytes));
    }
    for (const [id, bytes] of snap.products) shard.adoptProduct(ProductActor.fromSnapshot(id, bytes));
    shard.recent = RecentCommands.fromArrays(config.dedupeWindowMs, config.dedupeEntriesMax, snap.recent);
    return shard;
  }
}

function seatCounts(totals: Int32Array): { free: number; held: number; sold: number; blocked: number } {
  return { free: totals[SeatState.FREE], held: totals[SeatState.HELD], sold: totals[SeatState.SOLD], blocked: totals[SeatState.BLOCKED] };
}

function actorsLimitReached(): Rejection {
  return reject('ACTORS_LIMIT_REACHED', 'performanceId', `this shard hosts ${actorsPerShardMax} performances and products, as many as it may`);
}
