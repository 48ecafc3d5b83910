// The mailbox bound: a shard takes at most mailboxMax commands that are not yet answered; past
// that a command is refused at the door (OVERLOADED), nothing of it is journaled or applied,
// and its id stays free for the retry. Other shards are not affected.
import { describe, expect, it } from 'vitest';
import type { Result } from '../../src/domain/mod.ts';
import { decodeRecord, EmbeddedBus, QueryRefused, type EngineCommand, type Lease } from '../../src/runtime/mod.ts';
import { CARD_SALE_AT_MS, SEASON_CARD } from '../../src/sim/season-setup.ts';
import { ControlledBus, engines, expectCode, expectOk, hold, idPerShard, open, seatCounts, stall, T0 } from './helpers.ts';
import { buy, matches, seat, setUp } from './season-fixture.ts';

/** An embedded bus that holds the appends of the shards in `gated` until `openGate()`: a journal that stalls there. */
class GatedBus extends EmbeddedBus {
  readonly gated = new Set<number>();
  private readonly held: (() => void)[] = [];
  override append(shard: number, lease: Lease, bytes: Uint8Array): Promise<number> {
    if (!this.gated.has(shard)) return super.append(shard, lease, bytes);
    return new Promise((resolve, fail) => this.held.push(() => { super.append(shard, lease, bytes).then(resolve, fail); }));
  }
  openGate(): void {
    this.gated.clear();
    for (const go of this.held.splice(0)) go();
  }
}

const { start } = engines();

describe('runtime - mailbox bound', () => {
  it('refuses with OVERLOADED past mailboxMax and applies nothing of the refused commands', async () => {
    const mailboxMax = 10;
    const bus = new EmbeddedBus({ keepJournal: true });
    const engine = await start({ workers: 1, shards: 2, bus, runtime: { mailboxMax } });
    const [P, Q] = idPerShard('M', 2);
    expectOk(await engine.submit(P, open(P), T0));
    expectOk(await engine.submit(Q, open(Q), T0));

    // 100 holds of 100 different seats, one buyer each, in one synchronous burst.
    const holds: EngineCommand[] = Array.from({ length: 100 }, (_, i) => hold(`${P}-h${i}`, `b${i}`, [stall(String.fromCharCode(65 + Math.floor(i / 30)), (i % 30) + 1)]));
    const answers = holds.map((command) => engine.submit(P, command, T0 + 1));
    expect(engine.mailboxDepth(engine.shardOf(P))).toBe(mailboxMax);
    // Another shard's mailbox is its own.
    const other = engine.submit(Q, hold(`${Q}-h`, 'q', [stall('A', 1)]), T0 + 1);
    const results = await Promise.all(answers);
    expectOk(await other);

    const accepted = results.filter((r) => r.ok).length;
    const refused = results.filter((r) => !r.ok);
    expect(accepted).toBe(mailboxMax);
    expect(refused.length).toBe(100 - mailboxMax);
    for (const r of refused) expectCode(r, 'OVERLOADED');
    // The first ones in are the ones taken.
    results.slice(0, mailboxMax).forEach(expectOk);
    expect(await seatCounts(engine, P)).toMatchObject({ held: mailboxMax });
    // Nothing refused reached the journal: the open and the ten holds, nothing more.
    let journaled = 0;
    await bus.read(engine.shardOf(P), 0, (entry) => (journaled += decodeRecord(entry.bytes).items.length));
    expect(journaled).toBe(1 + mailboxMax);
    expect(engine.mailboxDepth(engine.shardOf(P))).toBe(0);

    // The refused ids were never used: retried in mailbox-sized bursts, each is applied now.
    for (let from = mailboxMax; from < 100; from += mailboxMax) {
      const retried: Result[] = await Promise.all(holds.slice(from, from + mailboxMax).map((command) => engine.submit(P, command, T0 + 2)));
      retried.forEach(expectOk);
    }
    expect(await seatCounts(engine, P)).toMatchObject({ held: 100 });
  });

  // Found in session 17: queries waiting behind a busy shard were not bounded (100,000 queued
  // behind a full mailbox), so a flood of seat-map reads could exhaust the router's memory.
  it('refuses a query with OVERLOADED past mailboxMax queries waiting, and answers the others', async () => {
    const mailboxMax = 10;
    const engine = await start({ workers: 1, shards: 1, runtime: { mailboxMax } });
    const P = 'MQ-1';
    expectOk(await engine.submit(P, open(P), T0));
    const held = engine.submit(P, hold(`${P}-h`, 'b', [stall('A', 1)]), T0 + 1);
    // Each waits for the hold submitted before it.
    const reads = Array.from({ length: mailboxMax + 5 }, () => engine.query(P, 'seatCounts').then((a) => a, (e: unknown) => e));
    expectOk(await held);
    const answers = await Promise.all(reads);
    const refused = answers.filter((a) => a instanceof QueryRefused) as QueryRefused[];
    expect(refused.map((r) => r.rejection.name)).toEqual(Array(5).fill('OVERLOADED'));
    for (const a of answers.slice(0, mailboxMax)) expect(a).toMatchObject({ held: 1 });
    // Nothing waits now: read at once.
    expect(await engine.query(P, 'seatCounts')).toMatchObject({ held: 1 });
  });

  // Found in session 32: only queries waiting for earlier commands were counted; a burst to an
  // idle shard went to the worker's queue unbounded, and so did queries waiting for a recovery.
  it('bounds queries asked of an idle shard, and of one still recovering, at mailboxMax', async () => {
    const mailboxMax = 10;
    const bus = new ControlledBus();
    const engine = await start({ workers: 1, shards: 1, bus, runtime: { mailboxMax } });
    const P = 'MQ-2';
    expectOk(await engine.submit(P, open(P), T0));
    const asked = async (n: number): Promise<string[]> => {
      const answers = await Promise.all(Array.from({ length: n }, () => engine.query(P, 'seatCounts').then(() => 'answered', (e: unknown) => (e as QueryRefused).rejection.name)));
      return [...new Set(answers)].map((a) => `${a} ${answers.filter((b) => b === a).length}`);
    };
    // Nothing waits on the shard: each query goes to the worker at once, and counts until answered.
    expect((await asked(3 * mailboxMax)).sort()).toEqual([`OVERLOADED ${2 * mailboxMax}`, `answered ${mailboxMax}`]);
    // Waiting for a recovery (its journal read held back), the same bound.
    let openGate: () => void = () => undefined;
    bus.readGate = new Promise<void>((resolve) => { openGate = resolve; });
    bus.events.lost(0);
    bus.events.acquired({ shard: 0, epoch: 2 });
    const during = asked(3 * mailboxMax);
    await new Promise((resolve) => setTimeout(resolve, 20));
    bus.readGate = null;
    openGate();
    expect((await during).sort()).toEqual([`OVERLOADED ${2 * mailboxMax}`, `answered ${mailboxMax}`]);
    // Nothing waits now.
    expect(await engine.query(P, 'seatCounts')).toMatchObject({ free: expect.any(Number) });
  });

  // Found in session 32: a client retrying a purchase whose saga was still running was answered
  // `pending`, and its reply parked until the saga ended, one per retry and without bound (the
  // mailbox counted only queued and journaling commands: 20,001 replies parked under one id).
  it('counts clients waiting for a saga against mailboxMax, and still lets the saga\'s own steps in', async () => {
    const mailboxMax = 16;
    const bus = new GatedBus();
    const engine = await start({ workers: 1, shards: 4, bus, runtime: { mailboxMax } });
    await setUp(engine);
    const productShard = engine.shardOf(SEASON_CARD);
    // The performances' journals stall, so the card's holds wait and its saga runs on.
    for (const p of matches) if (engine.shardOf(p.performanceId) !== productShard) bus.gated.add(engine.shardOf(p.performanceId));
    expect(bus.gated.size).toBeGreaterThan(0);
    const card = buy('parked-1', 'alice', [seat(100)]);
    const first = engine.submit(SEASON_CARD, card, CARD_SALE_AT_MS);
    const retries: Promise<Result>[] = [];
    for (let i = 0; i < 3 * mailboxMax; i++) {
      retries.push(engine.submit(SEASON_CARD, card, CARD_SALE_AT_MS + 1));
      // One at a time through the mailbox, as retries spread over seconds arrive.
      while (engine.mailboxDepth(productShard) > 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    // The first purchase and mailboxMax - 1 retries wait; the other retries are refused at once.
    const early = await Promise.all(retries.map((r) => Promise.race([r, new Promise<'waiting'>((resolve) => setTimeout(() => resolve('waiting'), 50))])));
    expect(early.filter((r) => r === 'waiting').length).toBe(mailboxMax - 1);
    for (const r of early.filter((r) => r !== 'waiting')) expectCode(r as Result, 'OVERLOADED');
    // So is any other command for the product's shard while they wait.
    expectCode(await engine.submit(SEASON_CARD, buy('parked-2', 'bob', [seat(200)]), CARD_SALE_AT_MS + 2), 'OVERLOADED');
    // The journals catch up: the saga's steps and reports get through, and every waiting client has the card.
    bus.openGate();
    const answered = [await first, ...(await Promise.all(retries))];
    const sold = answered.filter((r) => r.ok);
    expect(sold.length).toBe(mailboxMax);
    expect(new Set(sold.map((r) => JSON.stringify(r))).size).toBe(1);
    // Nothing waits any more: the shard takes commands again.
    expectOk(await engine.submit(SEASON_CARD, buy('parked-2', 'bob', [seat(200)]), CARD_SALE_AT_MS + 3));
  });
});
