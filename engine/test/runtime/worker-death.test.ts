// A shard worker thread that dies (here: terminated, as a crash in native code or an
// out-of-memory kill would end it). Where the bus keeps the journal, a new worker takes its
// place and each of its shards is recovered there, so acknowledged work survives and retries get
// their first answers; past the respawn bound, or on a bus that keeps no journal, its shards go
// down, their leases are handed back and nobody waits for them forever. A recovery that fails
// does the same.
import { describe, expect, it } from 'vitest';
import type { Result } from '../../src/domain/mod.ts';
import { EmbeddedBus, type Engine, type EngineCommand } from '../../src/runtime/mod.ts';
import { ControlledBus, confirm, engines, expectCode, expectOk, hold, idPerShard, open, outcome, release, seatCounts, stall, stateHash, T0, tickets, within } from './helpers.ts';

const { start, stop } = engines();
const shards = 2;

interface Threads { pool: { threads: { terminate(): Promise<number> }[] } }

/** Ends worker `w` the hard way and waits until the engine has heard of it. */
async function kill(engine: Engine, errors: string[], w = 0): Promise<void> {
  const before = errors.length;
  await (engine as unknown as Threads).pool.threads[w].terminate();
  for (let i = 0; i < 500 && !errors.slice(before).some((e) => /died/.test(e)); i++) await new Promise((r) => setTimeout(r, 10));
  expect(errors.slice(before).join('\n')).toMatch(/shard worker \d+ died/);
}

async function served(engine: Engine): Promise<void> {
  await Promise.all(Array.from({ length: shards }, (_, s) => engine.whenServing(s)));
}

describe('runtime - a shard worker that dies', () => {
  it('is replaced; its shards are recovered from the journal; acknowledged work stays, retries get their first answers, and commands cut off are applied once', async () => {
    const bus = new EmbeddedBus({ keepJournal: true });
    const errors: string[] = [];
    const engine = await start({ bus, workers: 1, shards, onError: (e) => errors.push(e.message) });
    const pids = idPerShard('WD', shards);
    for (const pid of pids) expectOk(await engine.submit(pid, open(pid), T0));
    for (const pid of pids) {
      expectOk(await engine.submit(pid, hold(`${pid}-h1`, 'b1', [stall('A', 1), stall('A', 2)]), T0 + 1));
      expectOk(await engine.submit(pid, confirm(`${pid}-c1`, `${pid}-h1`, 'b1'), T0 + 2));
    }
    const acknowledged = await engine.submit(pids[0], hold(`${pids[0]}-h2`, 'b2', [stall('B', 1)]), T0 + 3);
    expectOk(acknowledged);

    // A burst in flight when the worker dies: each is answered (applied, or SHARD_UNAVAILABLE).
    const cut: [string, EngineCommand][] = [];
    for (let i = 0; i < 200; i++) for (const pid of pids) cut.push([pid, hold(`${pid}-cut${i}`, `cb${i}`, [stall('C', (i % 30) + 1)])]);
    const answers = cut.map(([pid, command]) => engine.submit(pid, command, T0 + 4));
    engine.flushAll();
    await kill(engine, errors);
    const first = await Promise.all(answers);
    expect(new Set(first.map(outcome))).toSatisfy((codes: Set<string>) => [...codes].every((c) => ['OK', 'SEATS_UNAVAILABLE', 'SHARD_UNAVAILABLE'].includes(c)));

    await served(engine);
    expect((await engine.stats()).shards.length).toBe(shards);
    // The burst was journaled before the worker went (its appends were already on their way):
    // the recovery applied it, so its holds are there before anyone retries.
    for (const pid of pids) expect(await seatCounts(engine, pid)).toMatchObject({ held: 30 + (pid === pids[0] ? 1 : 0), sold: 2 });
    // Acknowledged before the death: still there, and a retry gets the first answer.
    expect(await engine.submit(pids[0], hold(`${pids[0]}-h2`, 'b2', [stall('B', 1)]), T0 + 5)).toEqual(acknowledged);
    for (const pid of pids) {
      expect((await tickets(engine, pid)).filter((t) => t.status === 'valid')).toHaveLength(2);
    }
    // Retried with the same ids, the cut-off commands end applied once: a seat held at most once.
    // (The burst's first answers are all SHARD_UNAVAILABLE as the kill comes before any reply:
    // a retry's first answer is h2's, above. Until session 31 a line here compared the OK ones.)
    const retried = await Promise.all(cut.map(([pid, command]) => engine.submit(pid, command, T0 + 5)));
    for (const pid of pids) {
      const ok = retried.filter((r, i) => cut[i][0] === pid && r.ok).length;
      expect(ok).toBe(30); // 30 seats in row C, 200 buyers asking
      expect(await seatCounts(engine, pid)).toMatchObject({ held: 30 + (pid === pids[0] ? 1 : 0), sold: 2 });
    }
    // New work goes on, and the state is the journal's: a fresh engine on the same bus agrees.
    expectOk(await engine.submit(pids[1], release(`${pids[1]}-r`, `${pids[1]}-cut0`, 'cb0'), T0 + 6));
    const hashes = await Promise.all(pids.map((pid) => stateHash(engine, pid)));
    await stop(engine);
    const again = await start({ bus, workers: 1, shards });
    expect(await Promise.all(pids.map((pid) => stateHash(again, pid)))).toEqual(hashes);
  });

  // Found in session 30: a record appended while its shard's worker died was in the journal (the
  // recovery replays it) but missing from onsale_journal_bytes_total and onsale_batch_commands.
  it('a record journaled while its worker dies is counted as journaled, as the recovery applies it', async () => {
    const bus = new ControlledBus();
    const errors: string[] = [];
    const journaled: number[] = [];
    const engine = await start({ bus, workers: 1, shards: 1, onError: (e) => errors.push(e.message), observer: { journaled: (_shard, commands) => journaled.push(commands) } });
    const pid = 'JD-1';
    expectOk(await engine.submit(pid, open(pid), T0));
    const before = journaled.length;
    bus.holdNextAppend = true;
    const cut = engine.submit(pid, hold('jd-h1', 'b1', [stall('A', 1)]), T0 + 1);
    engine.flushAll();
    for (let i = 0; i < 200 && bus.held === null; i++) await new Promise((r) => setTimeout(r, 5));
    await kill(engine, errors);
    await bus.land();
    expect(outcome(await cut)).toBe('SHARD_UNAVAILABLE');
    await engine.whenServing(0);
    // In the journal and applied by the recovery: counted once, with its one command.
    expect(await seatCounts(engine, pid)).toMatchObject({ held: 1 });
    expect(journaled.slice(before)).toEqual([1]);
  });

  it('past workerRespawnsMax within the window, its shards go down, their leases are handed back, and whenServing rejects', async () => {
    const bus = new ControlledBus();
    const errors: string[] = [];
    const engine = await start({ bus, workers: 1, shards, runtime: { workerRespawnsMax: 1 }, onError: (e) => errors.push(e.message) });
    const pids = idPerShard('WB', shards);
    for (const pid of pids) expectOk(await engine.submit(pid, open(pid), T0));
    await kill(engine, errors);
    await served(engine);
    expectOk(await engine.submit(pids[0], hold('wb-h1', 'b1', [stall('A', 1)]), T0 + 1));
    await kill(engine, errors);
    expect(bus.released.map((l) => l.shard).sort()).toEqual([0, 1]);
    expect(errors.join('\n')).toMatch(/died too often/);
    expectCode(await engine.submit(pids[0], hold('wb-h2', 'b2', [stall('A', 2)]), T0 + 2), 'SHARD_UNAVAILABLE');
    expect(await within(engine.whenServing(0), 1_000)).toEqual({ rejected: expect.stringMatching(/died too often/) });
    // The lease coming back later (another round of the bus) recovers it, once the bound allows.
    bus.events.acquired({ shard: 0, epoch: 2 });
    expect(await within(engine.whenServing(0), 1_000)).toEqual({ rejected: expect.stringMatching(/recovery of shard 0 failed/) });
  });

  it('on the default embedded bus (no journal), is not replaced: its shards stay down and nobody waits for them', async () => {
    const errors: string[] = [];
    const engine = await start({ workers: 1, shards, onError: (e) => errors.push(e.message) });
    const pids = idPerShard('WN', shards);
    for (const pid of pids) expectOk(await engine.submit(pid, open(pid), T0));
    await kill(engine, errors);
    expect(errors.join('\n')).toMatch(/keeps no journal/);
    for (const pid of pids) expectCode(await engine.submit(pid, hold(`${pid}-h`, 'b', [stall('A', 1)]), T0 + 1), 'SHARD_UNAVAILABLE');
    expect(await within(engine.whenServing(1), 1_000)).toEqual({ rejected: expect.stringMatching(/keeps no journal/) });
    expect(await within(engine.stats(), 1_000)).toEqual({ shards: [], workers: [] });
  });
});

describe('runtime - a recovery that fails', () => {
  it('leaves the shard down, hands its lease back, and rejects whenServing; the next lease recovers it', async () => {
    const bus = new ControlledBus();
    const errors: string[] = [];
    const engine = await start({ bus, workers: 1, shards, onError: (e) => errors.push(e.message) });
    const pid = idPerShard('RF', shards)[0];
    expectOk(await engine.submit(pid, open(pid), T0));
    const held: Result = await engine.submit(pid, hold('rf-h1', 'b1', [stall('A', 1)]), T0 + 1);
    expectOk(held);
    bus.events.lost(0);
    let failNext = true;
    const load = bus.loadSnapshot.bind(bus);
    bus.loadSnapshot = async (shard) => {
      if (failNext) {
        failNext = false;
        throw new Error('object store unreachable');
      }
      return load(shard);
    };
    bus.events.acquired({ shard: 0, epoch: 2 });
    expect(await within(engine.whenServing(0), 1_000)).toEqual({ rejected: expect.stringMatching(/object store unreachable/) });
    expect(bus.released).toEqual([{ shard: 0, epoch: 2 }]);
    expectCode(await engine.submit(pid, hold('rf-h2', 'b2', [stall('A', 2)]), T0 + 2), 'SHARD_UNAVAILABLE');
    bus.events.acquired({ shard: 0, epoch: 3 });
    await engine.whenServing(0);
    expect(await engine.submit(pid, hold('rf-h1', 'b1', [stall('A', 1)]), T0 + 3)).toEqual(held);
    expect(await seatCounts(engine, pid)).toMatchObject({ held: 1 });
  });
});
