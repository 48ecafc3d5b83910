// What a NATS client can send to an engine process that stamps commands with its own clock (the
// ingress's default, `onsale serve` without --client-time), against a real nats-server: a
// request the engine cannot read is refused with a code, and nothing a client sends stops the
// process from reading the next request or moves its shards' clocks. Found in session 32: one
// item whose performanceId was a map with a `toString` member threw into nats.js's reader, and
// the process (alive, still a member) served nothing more; a far-future nowMs stopped the
// shard's sales for good.
import { describe, expect, it } from 'vitest';
import { NatsEngineClient } from '../../src/nats/mod.ts';
import { QueryRefused } from '../../src/runtime/mod.ts';
import { ingressFixture } from './ingress-fixture.ts';

const door = ingressFixture({});
const { command, query } = door;
const holdSeat = (n: number) => ({ type: 'holdSeats', commandId: `door-h${n}`, buyerId: `b${n}`, channel: 'web', seatNos: [n] });
const heldNow = async (): Promise<unknown> => ((await query({ performanceId: 'P-1', query: 'seatCounts', arg: null })) as { answer: { held: number } }).answer.held;

describe('NATS ingress - what a client cannot do to an engine process', () => {
  it('refuses a performanceId that is not a string, a map whose toString is not a function included, and goes on reading requests', async () => {
    const poisoned = { toString: 5 };
    expect(await command([[poisoned, holdSeat(1), null]])).toEqual([expect.objectContaining({ ok: false, name: 'COMMAND_INVALID', field: 'performanceId' })]);
    expect(await command([[5, holdSeat(1), null], [null, holdSeat(1), null]])).toEqual([
      expect.objectContaining({ ok: false, name: 'COMMAND_INVALID', field: 'performanceId' }),
      expect.objectContaining({ ok: false, name: 'COMMAND_INVALID', field: 'performanceId' }),
    ]);
    // The same connection's next request is read and applied.
    expect(await command([['P-1', holdSeat(1), null]])).toEqual([expect.objectContaining({ ok: true, holdId: 'door-h1' })]);
    expect(await heldNow()).toBe(1);
  });

  it('refuses a client\'s own time, so that none can move a shard\'s clock', async () => {
    const far = Number.MAX_SAFE_INTEGER;
    expect(await command([['P-1', holdSeat(2), far]])).toEqual([expect.objectContaining({ ok: false, name: 'COMMAND_INVALID', field: 'nowMs' })]);
    // The shard's clock is the engine's: the sale is open and a new hold does not expire at once.
    expect(await command([['P-1', holdSeat(2), null]])).toEqual([expect.objectContaining({ ok: true, holdId: 'door-h2' })]);
    expect(await command([['P-1', { type: 'confirmHold', commandId: 'door-c2', holdId: 'door-h2', buyerId: 'b2' }, null]])).toEqual([expect.objectContaining({ ok: true })]);
  });

  it('refuses a query whose name or argument is not text with COMMAND_INVALID naming the field, not a retryable code', async () => {
    expect(await query({ performanceId: 'P-1', query: { toString: 5 }, arg: null })).toEqual({ ok: false, code: expect.any(Number), name: 'COMMAND_INVALID', field: 'query', message: expect.any(String) });
    expect(await query({ performanceId: 'P-1', query: 'availability', arg: { toString: 5 } })).toEqual(expect.objectContaining({ ok: false, name: 'COMMAND_INVALID', field: 'arg' }));
    expect(await heldNow()).toBe(1);
  });

  it('refuses the same malformed queries made in process with a QueryRefused', async () => {
    const refusal = async (ask: () => Promise<unknown>) => ask().then(() => null, (error: unknown) => (error instanceof QueryRefused ? { name: error.rejection.name, field: error.rejection.field } : String(error)));
    expect(await refusal(() => door.engine.query(undefined as never, 'seatCounts'))).toEqual({ name: 'COMMAND_INVALID', field: 'performanceId' });
    expect(await refusal(() => door.engine.query('P-1', 7 as never))).toEqual({ name: 'COMMAND_INVALID', field: 'query' });
    expect(await refusal(() => door.engine.query('P-1', 'availability', [] as never))).toEqual({ name: 'COMMAND_INVALID', field: 'arg' });
  });

  it('has the client refuse what msgpack would change on the way (a lone surrogate arrives as U+FFFD, where no engine can see it)', async () => {
    const client = await NatsEngineClient.connect({ servers: door.url, shards: 1, retryForMs: 1_000 });
    try {
      expect(await client.submit('P-1', { ...holdSeat(3), buyerId: 'x\ud800' } as never)).toMatchObject({ ok: false, name: 'COMMAND_INVALID', field: 'buyerId' });
      expect(await client.submit('P-1', holdSeat(3) as never)).toMatchObject({ ok: true, holdId: 'door-h3' });
    } finally {
      await client.close();
    }
  });
});

