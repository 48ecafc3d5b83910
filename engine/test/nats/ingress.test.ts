// The NATS command ingress with malformed requests (a real nats-server; the engine on the
// embedded bus, since the ingress serves any engine): every request is answered with a refusal,
// none throws into the client library's reader (which would stop the process from hearing any
// request again), and the shard goes on serving.
import { describe, expect, it } from 'vitest';
import { stepItem } from '../../src/nats/mod.ts';
import { T0 } from '../runtime/helpers.ts';
import { ingressFixture } from './ingress-fixture.ts';

/** The engine's refusals as its observer sees them (what onsale_commands_total counts): code names by `internal`. */
const refused: { name: string; internal: boolean }[] = [];
// Clients' times taken (`serve --client-time`): the tests below send some.
const { command, forwarded, query } = ingressFixture({ clientTime: true }, T0, { refused: (_shard, _command, result, internal) => { if (!result.ok) refused.push({ name: result.name, internal }); } });

describe('NATS ingress - malformed requests', () => {
  it('answers an item that is not an array, and a command that is not an object, with COMMAND_INVALID', async () => {
    expect(await command([5])).toEqual([expect.objectContaining({ ok: false, name: 'COMMAND_INVALID', field: '[0]' })]);
    expect(await command([['P-1', null, null]])).toEqual([expect.objectContaining({ ok: false, name: 'COMMAND_INVALID', field: 'commandId' })]);
    // A good command next to a bad one is applied and answered.
    const mixed = await command([['P-1', null, null], ['P-1', { type: 'holdSeats', commandId: 'ing-h1', buyerId: 'b1', channel: 'web', seatNos: [0] }, null]]);
    expect(mixed).toEqual([expect.objectContaining({ name: 'COMMAND_INVALID' }), expect.objectContaining({ ok: true, holdId: 'ing-h1' })]);
  });

  it('answers a query that is not a map, and goes on serving', async () => {
    expect(await query(null)).toEqual(expect.objectContaining({ ok: false, name: 'COMMAND_INVALID' }));
    expect(await query({ performanceId: 'P-1', query: 'seatMap', arg: null })).toEqual({ ok: true, answer: expect.objectContaining({ ok: false, name: 'COMMAND_INVALID', field: 'query' }) });
    expect(await query({ performanceId: 'P-1', query: 'seatCounts', arg: null })).toEqual({ ok: true, answer: expect.objectContaining({ held: 1 }) });
  });
});

describe('NATS ingress - saga steps forwarded by another engine process', () => {
  it('runs a step at its shard time when the time it carries is earlier, where a client command with that time is refused', async () => {
    // The shard's clock has moved past T0 (the commands above ran on the engine's clock).
    const late = { type: 'holdSeats', commandId: 'ing-client-h2', buyerId: 'b2', channel: 'web', seatNos: [2] };
    expect(await command([['P-1', late, T0]])).toEqual([expect.objectContaining({ ok: false, name: 'TIME_REGRESSED' })]);
    const step = { type: 'holdSeats', commandId: 'ing-step-h3', buyerId: 'b3', channel: 'web', seatNos: [3] };
    expect(await forwarded([['P-1', step, T0, stepItem]])).toEqual([expect.objectContaining({ ok: true, holdId: 'ing-step-h3' })]);
    // Sent again (the sender did not hear the answer): the first answer, applied once.
    expect(await forwarded([['P-1', step, T0, stepItem]])).toEqual([expect.objectContaining({ ok: true, holdId: 'ing-step-h3' })]);
    expect(await query({ performanceId: 'P-1', query: 'seatCounts', arg: null })).toEqual({ ok: true, answer: expect.objectContaining({ held: 2 }) });
  });

  it('refuses a forwarded step without its time', async () => {
    const step = { type: 'holdSeats', commandId: 'ing-step-h4', buyerId: 'b4', channel: 'web', seatNos: [4] };
    expect(await forwarded([['P-1', step, null, stepItem]])).toEqual([expect.objectContaining({ ok: false, name: 'COMMAND_INVALID', field: 'nowMs' })]);
  });

  it('takes steps on the step subject only, so that NATS permissions can keep clients off it', async () => {
    refused.length = 0;
    // A client marking its item as a step on the command subject: refused, nothing applied.
    const step = { type: 'holdSeats', commandId: 'ing-step-h5', buyerId: 'b5', channel: 'web', seatNos: [5] };
    expect(await command([['P-1', step, T0, stepItem]])).toEqual([expect.objectContaining({ ok: false, name: 'PRODUCT_STEP_ONLY', field: '[0]' })]);
    // And a client's command on the step subject.
    expect(await forwarded([['P-1', step, null]])).toEqual([expect.objectContaining({ ok: false, name: 'PRODUCT_STEP_ONLY', field: '[0]' })]);
    expect(await query({ performanceId: 'P-1', query: 'seatCounts', arg: null })).toEqual({ ok: true, answer: expect.objectContaining({ held: 2 }) });
    // Counted as the engine's refusals at the door are (session 30: they were answered, not counted).
    expect(refused).toEqual([{ name: 'PRODUCT_STEP_ONLY', internal: false }, { name: 'PRODUCT_STEP_ONLY', internal: true }]);
  });

  it('counts the refusals it gives itself as the engine counts its own at the door', async () => {
    refused.length = 0;
    expect(await command({ not: 'an array' })).toEqual([expect.objectContaining({ ok: false, name: 'COMMAND_INVALID' })]);
    expect(await command([5])).toEqual([expect.objectContaining({ ok: false, name: 'COMMAND_INVALID', field: '[0]' })]);
    expect(await forwarded([['P-1', { type: 'tick', commandId: 'ing-t' }, 'soon', stepItem]])).toEqual([expect.objectContaining({ ok: false, name: 'COMMAND_INVALID', field: 'nowMs' })]);
    expect(refused).toEqual([{ name: 'COMMAND_INVALID', internal: false }, { name: 'COMMAND_INVALID', internal: false }, { name: 'COMMAND_INVALID', internal: true }]);
  });
});
