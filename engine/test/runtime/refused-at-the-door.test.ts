// What the router cannot journal, and reads it must not serve: a command that is not an object
// with a string id (or that msgpack cannot write) is refused without taking the good commands
// batched with it down, and nothing throws into a timer; a query never hangs on a dead worker,
// and never reads a shard that is still replaying its journal.
import { afterEach, describe, expect, it } from 'vitest';
import { Engine, type EngineCommand } from '../../src/runtime/mod.ts';
import { ControlledBus, hold, open, release, stall, T0, within } from './helpers.ts';

const running: Engine[] = [];
afterEach(async () => {
  for (const e of running.splice(0)) await e.stop().catch(() => undefined);
});

/**
 * An engine on a controlled bus with one hold on P-1 (`holdId`), then shard 0 lost and taken
 * again, its recovery's journal read held: `openGate` lets the recovery go on.
 */
async function recoveringWithOneHold(holdId: string): Promise<{ engine: Engine; openGate: () => void }> {
  const bus = new ControlledBus();
  const engine = await started({ bus });
  expect((await engine.submit('P-1', hold(holdId, 'b1', [stall('A', 1)]), T0 + 1)).ok).toBe(true);
  return { engine, openGate: recoverHeld(bus) };
}

/** Shard 0 lost and taken again, its recovery's journal read held: the returned function lets it go on. */
function recoverHeld(bus: ControlledBus): () => void {
  bus.events.lost(0);
  let openGate!: () => void;
  bus.readGate = new Promise((r) => { openGate = r; });
  bus.events.acquired({ shard: 0, epoch: 2 });
  return () => {
    bus.readGate = null;
    openGate();
  };
}

async function started(options: Parameters<typeof Engine.start>[0] = {}): Promise<Engine> {
  const engine = await Engine.start({ workers: 1, shards: 1, ...options });
  running.push(engine);
  await engine.whenServing(0);
  expect((await engine.submit('P-1', open('P-1'), T0)).ok).toBe(true);
  return engine;
}

describe('runtime - commands that cannot be journaled', () => {
  it('refuses a null command and a command without a string id at the door; the good one beside them is applied', async () => {
    const engine = await started();
    const good = engine.submit('P-1', hold('door-h1', 'b1', [stall('A', 1)]), T0 + 1);
    const bad = engine.submit('P-1', null as unknown as EngineCommand, T0 + 1);
    const noId = engine.submit('P-1', { type: 'tick', commandId: 7 } as unknown as EngineCommand, T0 + 1);
    expect(() => engine.flushAll()).not.toThrow();
    expect(await bad).toMatchObject({ ok: false, name: 'COMMAND_INVALID', field: 'commandId' });
    expect(await noId).toMatchObject({ ok: false, name: 'COMMAND_INVALID', field: 'commandId' });
    expect(await good).toMatchObject({ ok: true, holdId: 'door-h1' });
    expect(await within(engine.query('P-1', 'seatCounts'), 2_000)).toMatchObject({ held: 1 });
  });

  it('refuses a command msgpack cannot write, and journals the others of its batch in their order', async () => {
    const engine = await started();
    const first = engine.submit('P-1', hold('enc-h1', 'b1', [stall('A', 1)]), T0 + 1);
    const odd = engine.submit('P-1', { type: 'tick', commandId: 'enc-odd', note: 2n ** 70n } as unknown as EngineCommand, T0 + 1);
    const then = engine.submit('P-1', release('enc-r1', 'enc-h1', 'b1'), T0 + 1);
    engine.flushAll();
    expect(await odd).toMatchObject({ ok: false, name: 'COMMAND_INVALID' });
    expect(await first).toMatchObject({ ok: true });
    expect(await then).toEqual({ ok: true });
    expect(await within(engine.query('P-1', 'seatCounts'), 2_000)).toMatchObject({ held: 0 });
  });
});

describe('runtime - what a caller gives beside the command (session 28 probe)', () => {
  it('refuses a time that is not one (Infinity, NaN, a string, negative) at the door: the shard\'s clock does not move, its later commands go on', async () => {
    const engine = await started();
    for (const [i, at] of [Number.POSITIVE_INFINITY, Number.NaN, '99999999999999', -1, 1.5].entries()) {
      const r = await engine.submit('NO-SUCH-PERFORMANCE', hold(`t${i}`, 'b1', [stall('A', 1)]), at as number);
      expect(r, String(at)).toMatchObject({ ok: false, name: 'COMMAND_INVALID', field: 'nowMs' });
    }
    // Stamped by the engine's clock, as every command a client does not stamp: once the shard's
    // clock had taken Infinity, every one of them was refused TIME_REGRESSED until a restart.
    expect(await engine.submit('P-1', hold('after', 'b1', [stall('A', 1)]))).toMatchObject({ ok: true });
  });

  it('refuses a command larger than one journal message by itself, without asking the bus; the commands around it are journaled', async () => {
    const engine = await started({ runtime: { batchBytesMax: 4_096 } });
    const before = engine.submit('P-1', hold('big-h1', 'b1', [stall('A', 1)]), T0 + 1);
    const big = engine.submit('P-1', { type: 'tick', commandId: 'big', note: 'x'.repeat(10_000) } as unknown as EngineCommand, T0 + 1);
    const after = engine.submit('P-1', release('big-r1', 'big-h1', 'b1'), T0 + 1);
    engine.flushAll();
    expect(await big).toMatchObject({ ok: false, name: 'COMMAND_INVALID', field: '' });
    expect((await big as { message: string }).message).toMatch(/more than one journal message holds \(4096\)/);
    expect(await before).toMatchObject({ ok: true });
    expect(await after).toEqual({ ok: true });
    expect(await within(engine.query('P-1', 'seatCounts'), 2_000)).toMatchObject({ held: 0 });
  });

  it('after stop(), a query, stats() and whenServing() are refused instead of waiting for ever or resolving', async () => {
    const engine = await started();
    await engine.stop();
    expect(await within(engine.query('P-1', 'seatCounts'), 2_000)).toEqual({ rejected: expect.stringMatching(/ENGINE_STOPPING/) as unknown });
    expect(await within(engine.stats(), 2_000)).toEqual({ rejected: expect.stringMatching(/ENGINE_STOPPING/) as unknown });
    // Not served any more: waiting for the shard is refused too (it resolved as if still served).
    expect(await within(engine.whenServing(0), 2_000)).toEqual({ rejected: expect.stringMatching(/ENGINE_STOPPING/) as unknown });
  });
});

describe('runtime - queries', () => {
  it('after the shard worker died, a query and stats() settle instead of waiting forever', async () => {
    const errors: string[] = [];
    const engine = await started({ onError: (e) => errors.push(e.message) });
    await (engine as unknown as { pool: { threads: { terminate(): Promise<number> }[] } }).pool.threads[0].terminate();
    for (let i = 0; i < 100 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(errors.join('\n')).toMatch(/exited|died/);
    expect(await engine.submit('P-1', release('dead-r1', 'x', 'b1'), T0 + 1)).toMatchObject({ ok: false, name: 'SHARD_UNAVAILABLE' });
    expect(await within(engine.query('P-1', 'seatCounts'), 2_000)).toEqual({ rejected: expect.stringMatching(/SHARD_UNAVAILABLE/) });
    expect(await within(engine.stats(), 2_000)).toEqual({ shards: [], workers: [] });
  });

  it('waits for a shard that is recovering instead of reading a state without acknowledged commands', async () => {
    const { engine, openGate } = await recoveringWithOneHold('rec-h1');
    const during = engine.query('P-1', 'seatCounts');
    expect(await within(during, 100)).toBe('pending');
    openGate();
    expect(await during).toMatchObject({ held: 1 });
  });

  // Found in session 30: the commands a query waits for were counted after the wait for the
  // recovery, so it saw those submitted while it waited.
  it('a query asked while its shard recovers sees the commands before it and none after', async () => {
    const { engine, openGate } = await recoveringWithOneHold('rw-h1');
    const before = engine.query('P-1', 'seatCounts');
    const later = engine.submit('P-1', hold('rw-h2', 'b2', [stall('A', 2)]), T0 + 2);
    const after = engine.query('P-1', 'seatCounts');
    openGate();
    expect(await before).toMatchObject({ held: 1 });
    expect((await later).ok).toBe(true);
    expect(await after).toMatchObject({ held: 2 });
  });
});

describe('runtime - a batch\'s words at the door', () => {
  // Found in session 30: msgpack wrote an Int32Array's elements cut to bytes (journaled as
  // garbage), and an ArrayBuffer came back a Uint8Array past the door's check of product holds.
  it('refuses words that are not a Uint8Array (an Int32Array, an ArrayBuffer, an Int8Array): BATCH_INVALID, nothing journaled', async () => {
    const engine = await started();
    const opened = await engine.submit('P-1', { type: 'openSession', commandId: 'w-open', clientId: 'w' } as EngineCommand, T0 + 1);
    expect(opened.ok).toBe(true);
    const words = new Int32Array(16);
    for (const bad of [words, words.buffer, new Int8Array(words.buffer)]) {
      const batch = { type: 'commandBatch', commandId: `w-${bad.constructor.name}`, sessionNo: 0, requestNo: 1, count: 1, words: bad } as unknown as EngineCommand;
      expect(await engine.submit('P-1', batch, T0 + 2), bad.constructor.name).toMatchObject({ ok: false, name: 'BATCH_INVALID', field: 'words' });
    }
    // The session's next request is still 1: nothing was applied.
    const good = { type: 'commandBatch', commandId: 'w-good', sessionNo: 0, requestNo: 1, count: 1, words: new Uint8Array(words.buffer) } as unknown as EngineCommand;
    expect(await engine.submit('P-1', good, T0 + 3)).toMatchObject({ ok: true, requestNo: 1 });
  });
});

describe('runtime - what the way to the worker would change', () => {
  // Found in session 32: msgpack writes a lone UTF-16 surrogate as U+FFFD, so the domain's own
  // check never saw one: "c\ud800" and "c\udc00" were one command id (the second got the first's
  // answer) and one buyer (one released the other's hold), and a Set of seats became a list.
  it('refuses a lone surrogate in an id, a buyer or a batch\'s strings, and a Set for a list, as the domain does', async () => {
    const engine = await started();
    const lone = (text: string) => engine.submit('P-1', hold('door-h1', text, [stall('A', 2)]), T0 + 1);
    expect(await lone('x\ud800')).toMatchObject({ ok: false, name: 'COMMAND_INVALID', field: 'buyerId' });
    expect(await engine.submit('P-1', hold('c\udc00', 'b1', [stall('A', 2)]), T0 + 1)).toMatchObject({ ok: false, name: 'COMMAND_INVALID', field: 'commandId' });
    const asSet = { ...hold('door-h2', 'b2', []), seats: new Set([stall('A', 3)]) } as unknown as EngineCommand;
    expect(await engine.submit('P-1', asSet, T0 + 1)).toMatchObject({ ok: false, name: 'COMMAND_INVALID', field: 'seats' });
    const opened = await engine.submit('P-1', { type: 'openSession', commandId: 's-open', clientId: 's' } as EngineCommand, T0 + 1);
    expect(opened.ok).toBe(true);
    const batch = { type: 'commandBatch', commandId: 's-1', sessionNo: 0, requestNo: 1, count: 1, words: new Uint8Array(64), strings: ['\ud800'] } as unknown as EngineCommand;
    expect(await engine.submit('P-1', batch, T0 + 1)).toMatchObject({ ok: false, name: 'COMMAND_INVALID', field: 'strings[0]' });
    // Nothing of them was applied: the seats are free, the session's next request is still 1.
    expect(await engine.query('P-1', 'seatCounts')).toMatchObject({ held: 0 });
    const words = new Int32Array(16);
    expect(await engine.submit('P-1', { ...batch, commandId: 's-2', strings: [], words: new Uint8Array(words.buffer) } as unknown as EngineCommand, T0 + 2)).toMatchObject({ ok: true, requestNo: 1 });
  });
});
