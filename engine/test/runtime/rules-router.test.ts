// Found by mutation testing of the runtime: rules of the router (engine.ts) that the
// existing runtime tests did not pin down. Each test names the rule it holds.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeRecord, EmbeddedBus, type EngineCommand, type JournalItem, type Lease } from '../../src/runtime/mod.ts';
import {
  ControlledBus, engines, expectCode, expectOk, hold, miss, open, outcome, release, seatCounts, stall, T0, within,
} from '../runtime/helpers.ts';

const { start } = engines();

afterEach(() => {
  vi.useRealTimers();
});

/** A ControlledBus that counts the appends it was asked for. */
class CountingControlledBus extends ControlledBus {
  appendCalls = 0;
  override append(shard: number, lease: Lease, bytes: Uint8Array): Promise<number> {
    this.appendCalls++;
    return super.append(shard, lease, bytes);
  }
}

/** An embedded bus (journal kept) whose next append fails, as an unacknowledged publish would. */
class FailingBus extends EmbeddedBus {
  failNext = false;
  appendCalls = 0;
  constructor() {
    super({ keepJournal: true });
  }
  override append(shard: number, lease: Lease, bytes: Uint8Array): Promise<number> {
    this.appendCalls++;
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(Object.assign(new Error('not acknowledged'), { code: 'JOURNAL_FAILED' }));
    }
    return super.append(shard, lease, bytes);
  }
}

async function journal(bus: EmbeddedBus, shard: number): Promise<JournalItem[][]> {
  const records: JournalItem[][] = [];
  await bus.read(shard, 0, (entry) => records.push(decodeRecord(entry.bytes).items));
  return records;
}

const P = 'P-1';

describe('group commit and order', () => {
  it('a batch split for its bytes puts the rest back at the head of the mailbox: the journal keeps submission order', async () => {
    // More commands than batchCommandsMax, and records too small for a full batch: every batch is
    // cut by count, then halved by bytes, with commands still queued behind it. (The bound is
    // above the opening command's 317 bytes: one command past it alone is refused, since session 28.)
    const bus = new EmbeddedBus({ keepJournal: true });
    const engine = await start({ workers: 1, shards: 1, bus, runtime: { batchCommandsMax: 8, batchBytesMax: 400 } });
    expectOk(await engine.submit(P, open(P), T0));
    const sent: JournalItem[] = Array.from({ length: 64 }, (_, i) => [P, T0 + 1, miss(`${P}-m${i}-${'x'.repeat(50)}`)]);
    const results = await Promise.all(sent.map(([pid, nowMs, command]) => engine.submit(pid, command, nowMs)));
    for (const r of results) expectCode(r, 'HOLD_NOT_FOUND');
    const records = await journal(bus, 0);
    // The opening's record, then more than the 8 a cut by count alone would make.
    expect(records.length - 1).toBeGreaterThan(64 / 8);
    expect(records.flat().slice(1)).toEqual(sent);
  });

  it('keeps one journal append in flight per shard: the next batch waits for the ack', async () => {
    const bus = new CountingControlledBus();
    const engine = await start({ workers: 1, shards: 1, bus });
    expectOk(await engine.submit(P, open(P), T0));
    const before = bus.appendCalls;
    bus.holdNextAppend = true;
    const first = engine.submit(P, hold(`${P}-h1`, 'b1', [stall('A', 1)]), T0 + 1);
    engine.flushAll();
    expect(bus.appendCalls).toBe(before + 1);
    const second = engine.submit(P, release(`${P}-r1`, `${P}-h1`, 'b1'), T0 + 2);
    engine.flushAll();
    // The release is not journaled while the hold's record is unacknowledged.
    const whileHeld = bus.appendCalls;
    const secondWhileHeld = await within(second, 50);
    await bus.land();
    expect(whileHeld).toBe(before + 1);
    expect(secondWhileHeld).toBe('pending');
    expectOk(await first);
    expectOk(await second);
    expect(bus.appendCalls).toBe(before + 2);
    expect(await seatCounts(engine, P)).toMatchObject({ held: 0 });
  });

  it('flushes a partly filled batch after flushAfterMs and not before (injected timers)', async () => {
    const bus = new CountingControlledBus();
    const flushAfterMs = 5;
    const engine = await start({ workers: 1, shards: 1, bus, runtime: { flushAfterMs } });
    expectOk(await engine.submit(P, open(P), T0));
    const before = bus.appendCalls;
    vi.useFakeTimers({ toFake: ['setTimeout', 'setImmediate'] });
    const answer = engine.submit(P, hold(`${P}-h1`, 'b1', [stall('A', 1)]), T0 + 1);
    vi.advanceTimersByTime(flushAfterMs - 1);
    expect(bus.appendCalls, 'journaled before flushAfterMs').toBe(before);
    vi.advanceTimersByTime(1);
    expect(bus.appendCalls, 'not journaled after flushAfterMs').toBe(before + 1);
    vi.useRealTimers();
    expectOk(await answer);
  });
});

describe('the mailbox bound', () => {
  it('counts commands already being journaled: a full mailbox refuses while its batch awaits the ack', async () => {
    const bus = new ControlledBus();
    const mailboxMax = 3;
    const engine = await start({ workers: 1, shards: 1, bus, runtime: { mailboxMax } });
    expectOk(await engine.submit(P, open(P), T0));
    bus.holdNextAppend = true;
    const inFlight = [1, 2, 3].map((n) => engine.submit(P, hold(`${P}-h${n}`, `b${n}`, [stall('A', n)]), T0 + 1));
    engine.flushAll();
    expect(engine.mailboxDepth(0)).toBe(mailboxMax);
    // Refused at once (answered before the held append lands).
    const fourth = await within(engine.submit(P, hold(`${P}-h4`, 'b4', [stall('A', 4)]), T0 + 1), 1_000);
    await bus.land();
    expect(fourth).toMatchObject({ ok: false, name: 'OVERLOADED' });
    (await Promise.all(inFlight)).forEach(expectOk);
    expect(engine.mailboxDepth(0)).toBe(0);
    expect(await seatCounts(engine, P)).toMatchObject({ held: 3 });
  });
});

describe('answer after the journal', () => {
  it('a command whose append fails is answered JOURNAL_FAILED, is not applied, and frees its mailbox places', async () => {
    const bus = new FailingBus();
    const engine = await start({ workers: 1, shards: 1, bus, runtime: { mailboxMax: 4 } });
    expectOk(await engine.submit(P, open(P), T0));
    bus.failNext = true;
    const failed = await Promise.all([1, 2].map((n) => engine.submit(P, hold(`${P}-h${n}`, `b${n}`, [stall('A', n)]), T0 + 1)));
    for (const r of failed) expectCode(r, 'JOURNAL_FAILED');
    expect(engine.mailboxDepth(0)).toBe(0);
    expect(await seatCounts(engine, P)).toMatchObject({ held: 0 });
    // The mailbox is whole again, and the same ids are free for the retry.
    const retried = await Promise.all([1, 2, 3, 4].map((n) => engine.submit(P, hold(`${P}-h${n}`, `b${n}`, [stall('A', n)]), T0 + 2)));
    retried.forEach(expectOk);
    expect(await seatCounts(engine, P)).toMatchObject({ held: 4 });
  });
});

describe('at the door', () => {
  it('refuses a performanceId that is not a string with COMMAND_INVALID, journaling nothing', async () => {
    const bus = new EmbeddedBus({ keepJournal: true });
    const engine = await start({ workers: 1, shards: 1, bus });
    expectOk(await engine.submit(P, open(P), T0));
    const refused = await engine.submit(42 as unknown as string, hold('x-h1', 'b1', [stall('A', 1)]), T0 + 1);
    expect(expectCode(refused, 'COMMAND_INVALID').field).toBe('performanceId');
    expect((await journal(bus, 0)).flat()).toHaveLength(1);
  });

  it('a command msgpack cannot write, in a batch cut by count, leaves the others in submission order', async () => {
    // The mailbox grows past batchCommandsMax only while an append is in flight: then the batch
    // holding the unwritable command is a slice, with commands queued behind it.
    const bus = new ControlledBus();
    const engine = await start({ workers: 1, shards: 1, bus, runtime: { batchCommandsMax: 2 } });
    expectOk(await engine.submit(P, open(P), T0));
    bus.holdNextAppend = true;
    const first = engine.submit(P, miss(`${P}-m0`), T0 + 1);
    engine.flushAll();
    const answers = [
      engine.submit(P, hold(`${P}-h1`, 'b1', [stall('A', 1)]), T0 + 1),
      engine.submit(P, { type: 'tick', commandId: 'odd', note: 2n ** 70n } as unknown as EngineCommand, T0 + 1),
      engine.submit(P, release(`${P}-r1`, `${P}-h1`, 'b1'), T0 + 1),
      engine.submit(P, hold(`${P}-h2`, 'b2', [stall('A', 1)]), T0 + 1),
    ];
    await bus.land();
    expectCode(await first, 'HOLD_NOT_FOUND');
    expect((await Promise.all(answers)).map(outcome)).toEqual(['OK', 'COMMAND_INVALID', 'OK', 'OK']);
  });
});

describe('queries', () => {
  it('a query to a shard this process lost is refused SHARD_UNAVAILABLE, not read from the stale worker', async () => {
    const bus = new ControlledBus();
    const engine = await start({ workers: 1, shards: 1, bus });
    expectOk(await engine.submit(P, open(P), T0));
    bus.events.lost(0);
    expect(await within(engine.query(P, 'seatCounts'), 1_000)).toEqual({ rejected: expect.stringMatching(/SHARD_UNAVAILABLE/) });
  });
});
