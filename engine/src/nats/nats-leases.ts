// Shard leases in a JetStream KV bucket (history 1): key `shard.<n>` holds {owner, epoch,
// renewedAtMs}; key `member.<owner>` is each process's heartbeat. nats-server 2.9 has no
// per-message TTL, so nobody relies on the server to expire anything: every judgement is made
// with the judge's own monotonic clock, and every change is a compare-and-set on the revision
// the changer last saw, so two processes can never both win the same change.
//
// - A contender treats a lease as expired once its revision has not changed for leaseTtlMs
//   since the contender saw it change (the first sighting counts as a change).
// - The owner measures from the moment it SENT its last successful renewal, which is no later
//   than the moment any contender saw it, and gives the shard up (events.lost) once
//   leaseTtlMs - leaseRenewMs has passed without another: a full renew period before anyone
//   may take it over.
// - Fair share: each process aims at ceil(shards / live members); it acquires only below that,
//   and hands back what is above it (lost first, then a CAS delete, so the next taker need not
//   wait for a TTL).
// - Orphans: a shard left free for half a TTL (nobody below its share took it; its releaser is
//   cooling off) is adopted by a process at or above its share, one per round, and is not
//   handed back for balance for adoptedKeptTtls TTLs.
import type { KV, KvEntry, QueuedIterator } from 'nats';
import type { Lease, LeaseEvents } from '../runtime/bus.ts';
import { apiErrorCode, sleep, wrongLastSequence } from './nats-connection.ts';
import { journalFailed, type JournalTail } from './nats-journal.ts';

export interface LeaseTiming {
  leaseRenewMs: number;
  leaseTtlMs: number;
}

/** A lease this process holds, with what its writer needs: the fence seq and a record counter. */
export interface Held {
  readonly shard: number;
  readonly epoch: number;
  /** The lease key's revision after our last write to it: the next CAS is on this. */
  revision: number;
  /** When the last successful renewal (or the acquisition) was sent, by this process's clock. */
  renewedSentAtMs: number;
  fence: NodeJS.Timeout | null;
  /** The shard's last journal seq as this writer knows it: the next append must follow it. */
  expectedSeq: number;
  /** Records appended under this lease, for msg ids. */
  appended: number;
  appending: boolean;
}

interface LeaseValue { owner: string; epoch: number; renewedAtMs: number }

/** A key as last seen through the watcher (or a direct read). */
interface Seen {
  revision: number;
  deleted: boolean;
  /** When this process saw the revision change, by its own clock. */
  changedAtMs: number;
  /** The highest epoch ever seen on the key, kept across deletes so a new epoch stays above it. */
  epoch: number;
}

export interface NatsLeasesOptions extends LeaseTiming {
  kv: KV;
  owner: string;
  /** The shard's journal tail, read before taking a lease: the new writer fences on it. */
  tail: (shard: number) => Promise<JournalTail>;
  onError: (error: Error) => void;
  /** Whether the journal holds no record yet (a new shard count may then replace the bucket's). */
  journalEmpty: () => Promise<boolean>;
}

/** The bucket's key for the shard count every process on it serves (not a lease: no `shard.` prefix). */
const shardCountKey = 'shards';

/**
 * A process started with another shard count than the processes before it on the same journal:
 * a performance's shard depends on the count, so the two would each think they own it, and both
 * would write it. Refused at start, before any lease is taken.
 */
export class ShardCountMismatch extends Error {
  override readonly name = 'ShardCountMismatch';
}

export class NatsLeases {
  private readonly kv: KV;
  private readonly owner: string;
  private readonly timing: LeaseTiming;
  private readonly tail: (shard: number) => Promise<JournalTail>;
  private readonly onError: (error: Error) => void;
  private readonly journalEmpty: () => Promise<boolean>;
  private readonly memberKey: string;
  /**
   * The bucket's keys as last seen (observe()): the lease rules judge a key by when its revision
   * last changed here, and CAS on that revision. What stays is bounded: every `shard.<n>` key
   * (deleted ones too: the highest epoch seen on it must outlive a delete, so the next owner's
   * epoch is above it; the shard count bounds them), the `shards` key, and the member keys of
   * the processes present. A member key leaves the map when its delete or purge is seen (a
   * process that stops deletes its own): member ids are unique per process, so otherwise the map
   * grew with every restart. The key of a process killed without deleting it stays (nats-server
   * 2.9 expires nothing): one entry per kill. Deleting such keys from the survivors (a version
   * tried in session 32) let a process stalled past 2 TTLs under load lose its key, and a lease
   * test then failed 1 run in 5; it was taken out.
   */
  private readonly seen = new Map<string, Seen>();
  private readonly held = new Map<number, Held>();
  /** Shards this process handed back for failing to serve them, until when it leaves them to others (performance.now()). */
  private readonly cooling = new Map<number, number>();
  /** Shards taken above the fair share because nobody else took them (orphans), until when they are not handed back for balance (performance.now()). */
  private readonly adopted = new Map<number, number>();
  /** Shards this process handed back for balance, until when it does not adopt them (performance.now()). */
  private readonly balanced = new Map<number, number>();
  private state: 'idle' | 'running' | 'paused' | 'stopped' = 'idle';
  private shards = 0;
  private events: LeaseEvents | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private rebalancing: Promise<void> | null = null;
  private readonly renewing = new Set<Promise<void>>();
  private watcher: QueuedIterator<KvEntry> | null = null;
  private rewatching = false;
  /** When the watcher last delivered our own heartbeat: if that stops, the watcher has stalled. */
  private ownSeenAtMs = 0;

  constructor(options: NatsLeasesOptions) {
    this.kv = options.kv;
    this.owner = options.owner;
    this.timing = { leaseRenewMs: options.leaseRenewMs, leaseTtlMs: options.leaseTtlMs };
    this.tail = options.tail;
    this.onError = options.onError;
    this.journalEmpty = options.journalEmpty;
    this.memberKey = `member.${options.owner}`;
  }

  /** Watches the bucket, announces this process, takes what is free; then runs a round every leaseRenewMs. */
  async start(shards: number, events: LeaseEvents): Promise<void> {
    if (this.state !== 'idle') throw new Error('leases were already started');
    if (!Number.isSafeInteger(shards) || shards < 1) throw new RangeError(`shards must be a positive integer, got ${shards}`);
    await this.claimShardCount(shards);
    this.shards = shards;
    this.events = events;
    this.state = 'running';
    await this.watch();
    // The first round is awaited, so a process alone holds its shards when start() resolves.
    this.round();
    await this.rebalancing;
    this.ticker = setInterval(() => this.round(), this.timing.leaseRenewMs);
  }

  /**
   * Writes this process' shard count to the bucket if none is there, or checks it against the
   * one there. Another count is refused (ShardCountMismatch), unless the journal holds nothing
   * yet (a fresh run after the stream was removed): then the new count replaces the old.
   */
  private async claimShardCount(shards: number): Promise<void> {
    try {
      await this.kv.create(shardCountKey, String(shards));
      return;
    } catch (error) {
      if (apiErrorCode(error) !== wrongLastSequence) throw error;
    }
    const entry = await this.kv.get(shardCountKey);
    const count = entry === null ? Number.NaN : Number(entry.string());
    if (count === shards || entry === null) return;
    if (await this.journalEmpty()) {
      await this.kv.update(shardCountKey, String(shards), entry.revision);
      return;
    }
    throw new ShardCountMismatch(`the engine processes on this journal serve ${count} shards, and this one was started with ${shards}: a performance's shard depends on the count, so give every process the same --shards (${count})`);
  }

  /** The shard count the processes on this bucket serve (claimShardCount), or null where none was written (a journal from before session 28). */
  async shardCount(): Promise<number | null> {
    const entry = await this.kv.get(shardCountKey);
    const count = entry === null || entry.operation !== 'PUT' ? Number.NaN : Number(entry.string());
    return Number.isSafeInteger(count) && count > 0 ? count : null;
  }

  /**
   * The lease a writer may append under, or a JOURNAL_FAILED error saying why not. A lease past
   * its self-fence deadline is given up here rather than by its timer, which a busy event loop
   * may run late.
   */
  writer(shard: number, lease: Lease): Held {
    const held = this.held.get(shard);
    if (held === undefined || held.epoch !== lease.epoch) {
      throw journalFailed(`shard ${shard} is not leased to this process at epoch ${lease.epoch}`);
    }
    if (performance.now() >= this.fenceAtMs(held)) {
      void this.drop(held, true);
      throw journalFailed(`the lease on shard ${shard} was not renewed in time`);
    }
    if (held.appending) throw journalFailed(`an append to shard ${shard} is already in flight`);
    return held;
  }

  /**
   * Whether this process may still serve the shard under `lease` by its own clock. A lease past
   * its self-fence deadline is given up here, as in writer(): after a stall (a long pause, a
   * stopped process) the fence timer may run after requests that arrived meanwhile, and another
   * process may have taken the shard over since, so what this process has is no longer the
   * shard's state.
   */
  stillHolds(shard: number, lease: Lease): boolean {
    const held = this.held.get(shard);
    if (held === undefined || held.epoch !== lease.epoch) return false;
    if (performance.now() < this.fenceAtMs(held)) return true;
    void this.drop(held, true);
    return false;
  }

  /**
   * After a failed append the journal may or may not hold the record: the shard's state is
   * known only to the journal now. Giving the lease up makes this or another process recover
   * the shard from the journal before anything else is written.
   */
  giveUp(held: Held): void {
    void this.drop(held, true);
  }

  /**
   * The engine cannot serve a shard it holds (its recovery failed, its worker is gone): the
   * lease is handed back, and this process does not compete for that shard again for
   * leaseTtlMs, so a live process takes it first; alone, this process tries again after that.
   */
  release(shard: number, epoch: number): void {
    const held = this.held.get(shard);
    if (held === undefined || held.epoch !== epoch) return;
    this.cooling.set(shard, performance.now() + this.timing.leaseTtlMs);
    void this.drop(held, true);
  }

  /** Stops competing and hands every held shard back (lost first, then released). */
  async close(): Promise<void> {
    if (this.state === 'stopped') return;
    const started = this.state !== 'idle';
    this.halt();
    if (!started) return;
    await this.rebalancing;
    // A renewal landing after a release's CAS read would void the release. Renewals take a
    // millisecond; one lost with a dropped connection is not worth its whole timeout.
    await Promise.race([Promise.allSettled([...this.renewing]), sleep(this.timing.leaseRenewMs)]);
    await Promise.all([...this.held.values()].map((held) => this.drop(held, true)));
    await this.kv.delete(this.memberKey).catch(() => undefined);
  }

  /** For tests and metrics: how many of the bucket's keys this process keeps a view of (see `seen`). */
  trackedKeys(): number {
    return this.seen.size;
  }

  /** Test only: stops everything without releasing or reporting anything, as a killed process would. */
  abandon(): void {
    this.halt();
    for (const held of this.held.values()) if (held.fence !== null) clearTimeout(held.fence);
    this.held.clear();
  }

  /** Test only: stops heartbeats, renewals and rebalancing, as a frozen process would; the fence timers still run. */
  stopRenewing(): void {
    if (this.state !== 'running') return;
    this.state = 'paused';
    if (this.ticker !== null) clearInterval(this.ticker);
    this.ticker = null;
  }

  private halt(): void {
    this.state = 'stopped';
    if (this.ticker !== null) clearInterval(this.ticker);
    this.ticker = null;
    this.watcher?.stop();
    this.watcher = null;
  }

  /**
   * Heartbeat, renewals, then rebalancing. A round waits for nothing: a request lost with a
   * dropped connection answers only at its timeout, and must not hold up the next renewals.
   */
  private round(): void {
    if (this.state !== 'running') return;
    // The heartbeat is sent before the renewals, on the same connection: the server stores it
    // first, so no contender can see our leases alive while it already counts us gone.
    void this.kv.put(this.memberKey, JSON.stringify({ owner: this.owner, heartbeatAtMs: Date.now() })).catch(() => undefined);
    for (const held of this.held.values()) this.renew(held);
    if (performance.now() - this.ownSeenAtMs > this.timing.leaseTtlMs) this.rewatch();
    this.rebalancing ??= this.rebalance()
      .catch((error: Error) => this.onError(new Error(`shard lease rebalancing: ${error.message}`)))
      .finally(() => { this.rebalancing = null; });
  }

  private renew(held: Held): void {
    const sentAtMs = performance.now();
    const renewal: Promise<void> = this.kv.update(leaseKey(held.shard), this.value(held.epoch), held.revision)
      .then((revision) => this.renewed(held, revision, sentAtMs), (error: unknown) => this.renewalRefused(held, error))
      .catch((error: Error) => this.onError(new Error(`shard ${held.shard} lease renewal: ${error.message}`)))
      .finally(() => { this.renewing.delete(renewal); });
    this.renewing.add(renewal);
  }

  private async renewed(held: Held, revision: number, sentAtMs: number): Promise<void> {
    if (this.held.get(held.shard) !== held) {
      // Given up while this renewal was in flight: undo it so the next taker need not wait a TTL.
      await this.kv.delete(leaseKey(held.shard), { previousSeq: revision }).catch(() => undefined);
      return;
    }
    held.revision = Math.max(held.revision, revision);
    if (sentAtMs > held.renewedSentAtMs) {
      held.renewedSentAtMs = sentAtMs;
      this.armFence(held);
    }
  }

  private async renewalRefused(held: Held, error: unknown): Promise<void> {
    // A timeout or a dropped connection may pass: the fence timer decides if it does not.
    if (this.held.get(held.shard) !== held || apiErrorCode(error) !== wrongLastSequence) return;
    // The key moved: an earlier renewal of ours whose answer has not come yet, or another owner.
    const entry = await this.kv.get(leaseKey(held.shard)).catch(() => undefined);
    if (entry === undefined || this.held.get(held.shard) !== held) return;
    if (entry !== null && entry.operation === 'PUT' && this.isOurs(entry, held.epoch)) {
      held.revision = Math.max(held.revision, entry.revision);
      return;
    }
    await this.drop(held, false);
  }

  private async rebalance(): Promise<void> {
    const target = Math.ceil(this.shards / this.liveMembers());
    // An adopted shard stays a while: handed back at once, it would go to the process that gave
    // it up (which may fail on it again), and each move costs a recovery.
    const now = performance.now();
    const movable = [...this.held.values()].filter((held) => !until(this.adopted, held.shard, now));
    const over = Math.min(this.held.size - target, movable.length);
    if (over > 0) {
      const extra = movable.sort((a, b) => b.shard - a.shard).slice(0, over);
      // Meant for a process below its share: not adopted back here should that one be slow.
      const untilMs = now + this.timing.leaseTtlMs;
      for (const held of extra) this.balanced.set(held.shard, untilMs);
      await Promise.all(extra.map((held) => this.drop(held, true)));
      return;
    }
    const wanted = target - this.held.size;
    const free: number[] = [];
    const expired: number[] = [];
    /** Free for at least orphanGraceMs: no process below its share wanted them. */
    const orphaned: number[] = [];
    for (let shard = 0; shard < this.shards; shard++) {
      if (this.held.has(shard)) continue;
      const coolUntilMs = this.cooling.get(shard);
      if (coolUntilMs !== undefined) {
        if (now < coolUntilMs) continue;
        this.cooling.delete(shard);
      }
      const seen = this.seen.get(leaseKey(shard));
      if (seen === undefined || seen.deleted) {
        free.push(shard);
        if (seen !== undefined && now - seen.changedAtMs >= this.orphanGraceMs && !until(this.balanced, shard, now)) orphaned.push(shard);
      } else if (now - seen.changedAtMs >= this.timing.leaseTtlMs) expired.push(shard);
    }
    if (wanted > 0) {
      await Promise.all([...free, ...expired].slice(0, wanted).map((shard) => this.acquire(shard, false)));
      return;
    }
    // At its share: a shard nobody else took is served here rather than left unserved until
    // its releaser's cooling ends (the releaser may be unable to serve it at all).
    if (orphaned.length > 0) await this.acquire(orphaned[0], true);
  }

  /**
   * How long a shard stays free before a process at its share adopts it: long enough for a
   * process below its share to take it first (several rounds), shorter than the cooling of a
   * process that handed it back (leaseTtlMs), so that another process gets it first.
   */
  private get orphanGraceMs(): number {
    return this.timing.leaseTtlMs / 2;
  }

  private liveMembers(): number {
    const now = performance.now();
    let live = 1;
    // A deleted member key is not in `seen` (observe()).
    for (const [key, seen] of this.seen) {
      if (key === this.memberKey || !key.startsWith('member.')) continue;
      if (now - seen.changedAtMs < this.timing.leaseTtlMs) live++;
    }
    return live;
  }

  private async acquire(shard: number, adopt: boolean): Promise<void> {
    const key = leaseKey(shard);
    const seen = this.seen.get(key);
    const tail = await this.tail(shard).catch(() => null);
    // The key moved while the tail was read: its holder is alive, or someone else was quicker.
    if (tail === null || this.state !== 'running' || this.seen.get(key) !== seen || this.held.has(shard)) return;
    const epoch = Math.max(seen?.epoch ?? 0, tail.epoch) + 1;
    const sentAtMs = performance.now();
    let revision: number;
    try {
      revision = seen === undefined
        ? await this.kv.create(key, this.value(epoch))
        : await this.kv.update(key, this.value(epoch), seen.revision);
    } catch (error) {
      // Our view of the key was stale (a slow or restarted watcher): read it directly.
      if (apiErrorCode(error) === wrongLastSequence) return this.refresh(key);
      // No answer (a timeout, a dropped connection): the write may have landed all the same.
      const entry = await this.kv.get(key).catch(() => null);
      if (entry === null || entry.operation !== 'PUT' || !this.isOurs(entry, epoch)) return;
      revision = entry.revision;
    }
    if (this.state !== 'running') {
      await this.kv.delete(key, { previousSeq: revision }).catch(() => undefined);
      return;
    }
    // Our own write is known now, before the watcher delivers it: released soon after (its
    // worker failed), the key's delete could otherwise be the first the watcher shows of it
    // (after a re-watch, which replays only the latest entry), and the next acquire would take
    // this epoch again instead of one above it (seen once in CI, session 27).
    const known = this.seen.get(key);
    if (known === undefined || known.revision < revision) this.seen.set(key, { revision, deleted: false, changedAtMs: performance.now(), epoch: Math.max(epoch, known?.epoch ?? 0) });
    const held: Held = { shard, epoch, revision, renewedSentAtMs: sentAtMs, fence: null, expectedSeq: tail.seq, appended: 0, appending: false };
    this.held.set(shard, held);
    if (adopt) this.adopted.set(shard, performance.now() + adoptedKeptTtls * this.timing.leaseTtlMs);
    this.armFence(held);
    this.events?.acquired({ shard, epoch });
  }

  /** Gives a held shard up: the writer hears it first, then the key is freed if it is still ours. */
  private async drop(held: Held, release: boolean): Promise<void> {
    if (this.held.get(held.shard) !== held) return;
    this.held.delete(held.shard);
    this.adopted.delete(held.shard);
    if (held.fence !== null) clearTimeout(held.fence);
    held.fence = null;
    this.events?.lost(held.shard);
    if (release) await this.kv.delete(leaseKey(held.shard), { previousSeq: held.revision }).catch(() => undefined);
  }

  private fenceAtMs(held: Held): number {
    return held.renewedSentAtMs + this.timing.leaseTtlMs - this.timing.leaseRenewMs;
  }

  private armFence(held: Held): void {
    if (held.fence !== null) clearTimeout(held.fence);
    held.fence = setTimeout(() => {
      held.fence = null;
      void this.drop(held, true);
    }, Math.max(0, this.fenceAtMs(held) - performance.now()));
  }

  private isOurs(entry: KvEntry, epoch: number): boolean {
    try {
      const value = entry.json<Partial<LeaseValue>>();
      return value.owner === this.owner && value.epoch === epoch;
    } catch {
      return false;
    }
  }

  private value(epoch: number): string {
    const value: LeaseValue = { owner: this.owner, epoch, renewedAtMs: Date.now() };
    return JSON.stringify(value);
  }

  /**
   * After a reconnect: renews at once, rather than at the next round up to leaseRenewMs later
   * (every renewal sent while the server was down was lost, and each lease's fence runs from the
   * last one that got through), and watches again (nats.js' watcher can go quiet after a server
   * restart; also done whenever our own heartbeats stop showing up, trying each renew period
   * until it runs or we stop).
   */
  reconnected(): void {
    this.round();
    this.rewatch();
  }

  private rewatch(): void {
    if (this.state === 'stopped' || this.rewatching) return;
    this.rewatching = true;
    this.watcher?.stop();
    this.watcher = null;
    const attempt = (): void => {
      if (this.state === 'stopped') {
        this.rewatching = false;
        return;
      }
      this.watch().then(() => { this.rewatching = false; }, () => { setTimeout(attempt, this.timing.leaseRenewMs); });
    };
    attempt();
  }

  private async watch(): Promise<void> {
    let initialized: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => { initialized = resolve; });
    const watcher = await this.kv.watch({ initializedFn: () => initialized() });
    this.watcher = watcher;
    this.ownSeenAtMs = performance.now();
    void (async () => {
      try {
        for await (const entry of watcher) this.observe(entry);
      } catch {
        // ended by an error: watched again below
      }
      // A restarted watcher replays every key; observe() ignores revisions it has seen, so no
      // lease looks fresher than it is.
      if (this.watcher === watcher) setTimeout(() => this.rewatch(), this.timing.leaseRenewMs);
    })();
    const timeoutMs = Math.max(this.timing.leaseTtlMs, 5_000);
    if (await Promise.race([ready.then(() => true), sleep(timeoutMs).then(() => false)])) return;
    if (this.watcher === watcher) this.watcher = null;
    watcher.stop();
    throw new Error(`the lease bucket's watcher did not catch up within ${timeoutMs} ms`);
  }

  private observe(entry: KvEntry): void {
    const prev = this.seen.get(entry.key);
    if (prev !== undefined && prev.revision >= entry.revision) return;
    const deleted = entry.operation !== 'PUT';
    if (entry.key === this.memberKey) this.ownSeenAtMs = performance.now();
    if (deleted && entry.key.startsWith('member.')) {
      // A member that left (close()) counts as gone, as an absent key
      // does, and nothing else reads member keys: its entry goes, else `seen` would keep one per
      // process that ever ran. A re-watch replays the delete, which is dropped again.
      this.seen.delete(entry.key);
      return;
    }
    let epoch = prev?.epoch ?? 0;
    if (!deleted && entry.key.startsWith('shard.')) epoch = Math.max(epoch, parseEpoch(entry));
    this.seen.set(entry.key, { revision: entry.revision, deleted, changedAtMs: performance.now(), epoch });
  }

  private async refresh(key: string): Promise<void> {
    const entry = await this.kv.get(key).catch(() => null);
    if (entry !== null) this.observe(entry);
  }
}

/**
 * How many TTLs an adopted shard is kept before balance may hand it back (to the process that
 * gave it up, once its cooling is over, or to a newcomer): long beside the cooling, so that a
 * process that cannot serve a shard costs that shard a half-TTL gap about once per this many
 * TTLs, not every TTL.
 */
const adoptedKeptTtls = 10;

/** Whether `shard` has a time in `untilMs` (performance.now()) that `now` has not reached. */
function until(untilMs: ReadonlyMap<number, number>, shard: number, now: number): boolean {
  return (untilMs.get(shard) ?? 0) > now;
}

function leaseKey(shard: number): string {
  return `shard.${shard}`;
}

function parseEpoch(entry: KvEntry): number {
  try {
    const epoch = (entry.json<Partial<LeaseValue>>()).epoch;
    return typeof epoch === 'number' && Number.isSafeInteger(epoch) && epoch > 0 ? epoch : 0;
  } catch {
    return 0;
  }
}

