// Product commands with values a refusal message cannot show, or that a snapshot could not give
// back: a typed refusal that changes nothing, never a thrown error (engine/docs/COMMANDS.md,
// the envelope; engine/test/scenarios/unkeepable-input.test.ts for a performance's commands).
import { describe, expect, it } from 'vitest';
import { SALE, World, buy, exchange, expectCode, hallLayout, holding, play, productDef, schedule, type Step } from './helpers.ts';

const hall = hallLayout();
const games = schedule(['G1', 'G2', 'G3']);
const noString = (): unknown => JSON.parse('{"toString":0}');

function world(): World {
  const w = new World().add(games, hall);
  expectCode(w.product('PM', productDef('PM', 'pickMix', games, { min: 1, max: 2 }), 0), 'OK');
  return w;
}

describe('product commands - values no refusal message can show', () => {
  it('are refused with their code, not thrown', () => {
    const w = world();
    const h = holding(w.product('PM', buy('ann', { picks: ['G1'] }), SALE)).holdingId;
    const steps: Step[] = [
      { at: SALE, product: 'PM', cmd: buy('bob', { picks: [noString()] }), expect: 'PRODUCT_PICKS_INVALID', field: 'picks[0]' },
      // Ids that are not ids: COMMAND_INVALID (until session 32 looked up: HOLDING_UNKNOWN, HOLDING_NOT_OWNED).
      { at: SALE, product: 'PM', cmd: { type: 'refundHolding', holdingId: noString() }, expect: 'COMMAND_INVALID', field: 'holdingId' },
      { at: SALE, product: 'PM', cmd: exchange(noString() as string, 'ann', 'G1', 'G2'), expect: 'COMMAND_INVALID', field: 'holdingId' },
      { at: SALE, product: 'PM', cmd: exchange(h, noString() as string, 'G1', 'G2'), expect: 'COMMAND_INVALID', field: 'buyerId' },
      { at: SALE, product: 'PM', cmd: { type: 'exchangePerformance', holdingId: 5, fromPerformanceId: 'G1', toPerformanceId: 'G2' }, expect: 'COMMAND_INVALID', field: 'holdingId' },
      { at: SALE, product: 'PM', cmd: { type: 'exchangePerformance', holdingId: h, fromPerformanceId: 'G1', toPerformanceId: 'G2' }, expect: 'COMMAND_INVALID', field: 'buyerId' },
      { at: SALE, product: 'PM', cmd: { type: 'renewHolding', previousHoldingId: 7, buyerId: 'ann' }, expect: 'COMMAND_INVALID', field: 'previousHoldingId' },
      { at: SALE, product: 'PM', cmd: exchange(h, 'ann', noString() as string, 'G2'), expect: 'EXCHANGE_INVALID', field: 'fromPerformanceId' },
      { at: SALE, product: 'PM', cmd: { type: 'nameCustomers', holdingId: noString(), buyerId: 'ann', customers: [] }, expect: 'CUSTOMERS_INVALID' },
    ];
    play(w, steps.map((s) => ({ ...s, unchanged: true })));
  });
});

describe('product commands - what a snapshot could not give back', () => {
  it('is refused COMMAND_INVALID naming the place, and nothing is kept: the id is free after', () => {
    const w = world();
    const steps: Step[] = [
      { at: SALE, product: 'PM', cmd: buy('ann\udc00', { commandId: 'b1', picks: ['G1'] }), expect: 'COMMAND_INVALID', field: 'buyerId' },
      { at: SALE, product: 'PM', cmd: buy('ann', { commandId: 'b1', picks: ['G1'], filter: JSON.parse('{"__proto__":{"zone":"A"}}') }), expect: 'COMMAND_INVALID', field: 'filter.__proto__' },
      { at: SALE, product: 'PM', cmd: buy('ann', { commandId: 'b1', picks: ['G1'], quantity: Number.NaN }), expect: 'COMMAND_INVALID', field: 'quantity' },
      { at: SALE, product: 'PM', cmd: buy('ann', { commandId: 'b1', picks: ['G1'] }), expect: 'OK', why: 'b1 was never remembered' },
    ];
    play(w, steps.map((s) => ({ ...s, unchanged: s.expect !== 'OK' })));
    // What was kept comes back from the snapshots exactly: the retry is answered as the first time.
    expect(w.clone().product('PM', buy('ann', { commandId: 'b1', picks: ['G1'] }), SALE)).toEqual(w.product('PM', buy('ann', { commandId: 'b1', picks: ['G1'] }), SALE));
  });
});
