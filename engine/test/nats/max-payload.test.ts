// A nats-server configured with a max_payload below the engine's batchBytesMax (512 KiB): the
// engine's journal records stay within the server's bound (NatsBus.recordBytesMax), so large
// batches are split instead of failing their append, which gave up the shard's lease and failed
// every command behind it; one command larger than a message by itself is refused at the door
// (COMMAND_INVALID), and the shard stays served here. Found by session 28's runtime probe.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NatsBus } from '../../src/nats/mod.ts';
import { Engine, type EngineCommand } from '../../src/runtime/mod.ts';
import { natsServersPerTest } from './servers-per-test.ts';

const servers = natsServersPerTest();
const dir = mkdtempSync(join(tmpdir(), 'onsale-max-payload-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const T0 = 1_700_000_000_000;

describe('engine on a nats-server with a small max_payload', () => {
  it('splits batches to fit, refuses one command past the bound, and keeps its lease', async () => {
    const config = join(dir, 'small.conf');
    writeFileSync(config, 'max_payload: 65536\n');
    const server = await servers.start({ args: ['-c', config] });
    const bus = await NatsBus.connect({ servers: server.url, owner: 'max-payload-test', leaseRenewMs: 500, leaseTtlMs: 5_000, journalAckTimeoutMs: 5_000 });
    expect(bus.recordBytesMax).toBe(65_536 - 4_096);
    const lost: number[] = [];
    const engine = await Engine.start({ bus, workers: 1, shards: 1, onError: (e) => lost.push(e.message.length) });
    try {
      await engine.whenServing(0);
      const open: EngineCommand = { type: 'openPerformance', commandId: 'mp-open', venue: 'theatre', spec: { performanceId: 'MP', holdTtlMs: 600_000, maxTicketsPerBuyer: 8, maxOpenHoldsPerBuyer: 4, channels: [{ id: 'web', kind: 'web', saleStartMs: 0, saleEndMs: T0 * 2 }], ticketTypes: [{ id: 'adult', prices: { P1: 5_000, P2: 4_000, P3: 3_000 } }] } } as unknown as EngineCommand;
      expect(await engine.submit('MP', open, T0)).toMatchObject({ ok: true });
      // 400 commands of about 500 bytes each in one turn: 200 KB, three times the server's bound.
      const note = 'n'.repeat(450);
      const many = Array.from({ length: 400 }, (_, i) => engine.submit('MP', { type: 'tick', commandId: `mp-t${i}`, note } as unknown as EngineCommand, T0 + 1));
      const big = engine.submit('MP', { type: 'tick', commandId: 'mp-big', note: 'x'.repeat(100_000) } as unknown as EngineCommand, T0 + 1);
      engine.flushAll();
      for (const r of await Promise.all(many)) expect(r).toMatchObject({ ok: true });
      expect(await big).toMatchObject({ ok: false, name: 'COMMAND_INVALID' });
      expect(engine.ownedShards()).toEqual([0]);
      expect(await engine.submit('MP', { type: 'holdSeats', commandId: 'mp-h1', buyerId: 'b1', channel: 'web', seatNos: [1] }, T0 + 2)).toMatchObject({ ok: true });
    } finally {
      await engine.stop();
    }
  }, 60_000);
});
