// The embedded bus's journal file (`onsale simulate --journal-out`, read by `onsale replay
// --journal`): every record in the order appended, the commands exactly as submitted, a replay
// to the same state; and one file per run, since a second run appended to it would number its
// records from 1 again and be replayed as one journal with the first.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeRecord, EmbeddedBus, journalFileBus, readJournalFile, type EngineCommand } from '../../src/runtime/mod.ts';
import { confirm, engines, expectCode, expectOk, hold, holdBest, idPerShard, open, release, stall, stateHash, T0 } from './helpers.ts';

const { start, stop } = engines();
const dir = mkdtempSync(join(tmpdir(), 'onsale-journal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runtime - journal file', () => {
  it('holds every command as submitted, per shard in order, and replays to the same state', async () => {
    const file = join(dir, 'run.journal');
    const engine = await start({ workers: 1, shards: 2, bus: new EmbeddedBus({ journalFile: file }) });
    const [P, Q] = idPerShard('J', 2);
    const submitted = new Map<string, EngineCommand[]>([[P, []], [Q, []]]);
    const send = async (id: string, command: EngineCommand, refusal?: 'HOLD_NOT_FOUND'): Promise<void> => {
      submitted.get(id)!.push(command);
      const result = await engine.submit(id, command, T0);
      if (refusal === undefined) expectOk(result);
      else expectCode(result, refusal);
    };
    for (const id of [P, Q]) {
      await send(id, open(id));
      await send(id, hold(`${id}-h1`, 'b1', [stall('A', 1), stall('A', 2)]));
      await send(id, holdBest(`${id}-h2`, 'b2', 3));
      await send(id, { type: 'releaseHold', commandId: `${id}-r2`, buyerId: 'b2', holdId: `${id}-h2` });
      await send(id, confirm(`${id}-c1`, `${id}-h1`, 'b1'));
      // A refusal is journaled too: the command was applied, and answered with a code.
      await send(id, release(`${id}-x`, `${id}-h9`, 'b9'), 'HOLD_NOT_FOUND');
    }
    const hashes = [await stateHash(engine, P), await stateHash(engine, Q)];
    await stop(engine);

    const { shards: written, records } = readJournalFile(file);
    expect(written).toBe(2);
    for (const [s, id] of [P, Q].entries()) {
      const mine = records.filter((r) => r.shard === s);
      expect(mine.map((r) => r.seq)).toEqual(mine.map((_, i) => i + 1));
      const commands = mine.flatMap((r) => decodeRecord(r.bytes).items.map((item) => item[2]));
      // Key for key, in the order written.
      expect(JSON.stringify(commands)).toBe(JSON.stringify(submitted.get(id)));
    }

    // As `onsale replay --journal` rebuilds.
    const replay = await journalFileBus(file);
    expect(replay.shards).toBe(2);
    const replayed = await start({ workers: 1, shards: 2, bus: replay.bus });
    await Promise.all([0, 1].map((s) => replayed.whenServing(s)));
    expect([await stateHash(replayed, P), await stateHash(replayed, Q)]).toEqual(hashes);
  });

  it('refuses a file that already holds records, and takes an empty one', () => {
    const used = join(dir, 'used.journal');
    writeFileSync(used, new Uint8Array([0, 0, 0, 0, 0, 0, 0, 1, 7]));
    expect(() => new EmbeddedBus({ journalFile: used })).toThrow(/already holds a run's records/);
    const empty = join(dir, 'empty.journal');
    writeFileSync(empty, new Uint8Array(0));
    expect(() => new EmbeddedBus({ journalFile: empty })).not.toThrow();
  });
});
