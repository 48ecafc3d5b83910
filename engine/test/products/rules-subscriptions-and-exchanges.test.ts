// Product rules no other test failed without, found by manual mutation testing of the products
// (one small change per rule; each test here fails with its change). Subscriptions and exchanges (DOMAIN §5).
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/domain/mod.ts';
import {
  DAY, FIRST, SALE, World, buy, exchange, expectCode, hallLayout, holding, play, productDef, refusal, schedule, unchanged,
} from '../products/helpers.ts';

const hall = hallLayout();
const shows = schedule(['S1', 'S2', 'S3', 'S4', 'S5'], FIRST, 7 * DAY);
const extra = schedule(['X1'], FIRST + 3 * DAY)[0];
const [S1, S2, S3, S4] = shows.map((p) => p.performanceId);

function theatre(): World {
  return new World().add([...shows, extra], hall);
}

const pickMix = (more = {}) => productDef('PM', 'pickMix', shows, { min: 2, max: 3, perPurchaseMax: 2, saleEndMs: shows[4].startsAtMs, exchangeable: [extra], ...more });

describe('pick & mix refusals say what was wrong (DOMAIN §7)', () => {
  it('a pick outside the product is named as such, not as a performance already played', () => {
    const w = theatre();
    expectCode(w.product('PM', pickMix(), 0), 'OK');
    const [unknown, exchangeOnly] = play(w, unchanged([
      { at: SALE, product: 'PM', cmd: buy('ann', { picks: [S2, 'S9'] }), expect: 'PRODUCT_PICKS_INVALID', field: 'picks[1]' },
      { at: SALE, product: 'PM', cmd: buy('ann', { picks: [S2, 'X1'] }), expect: 'PRODUCT_PICKS_INVALID', field: 'picks[1]', why: 'open to exchanges only' },
    ]));
    expect(refusal(unknown).message).toMatch(/not in product PM/);
    expect(refusal(exchangeOnly).message).toMatch(/not in product PM/);
  });
});

describe('subscriptions per purchase', () => {
  it('refuses fewer than perPurchaseMin subscriptions in one purchase', () => {
    const w = theatre();
    expectCode(w.product('PM', pickMix({ perPurchaseMin: 2, perPurchaseMax: 3 }), 0), 'OK');
    play(w, [
      { at: SALE, product: 'PM', cmd: buy('ann', { picks: [S2, S3] }), expect: 'PRODUCT_QUANTITY_INVALID', field: 'quantity', unchanged: true, why: 'one, the default, is below the minimum of 2' },
      { at: SALE, product: 'PM', cmd: buy('ann', { picks: [S2, S3], quantity: 1 }), expect: 'PRODUCT_QUANTITY_INVALID', field: 'quantity', unchanged: true },
      { at: SALE, product: 'PM', cmd: buy('ann', { picks: [S2, S3], quantity: 2 }), expect: 'OK' },
    ]);
  });
});

describe('exchanges', () => {
  it('refuses an exchange into a performance that has already been played', () => {
    const w = theatre();
    expectCode(w.product('PM', pickMix(), 0), 'OK');
    const h = holding(w.product('PM', buy('ann', { picks: [S2, S4] }), SALE));
    const afterS1 = shows[0].startsAtMs + 1;
    play(w, [
      { at: afterS1, product: 'PM', cmd: exchange(h.holdingId, 'ann', S4, S1), expect: 'EXCHANGE_INVALID', field: 'toPerformanceId', unchanged: true, why: 'S1 has been played' },
      { at: afterS1, product: 'PM', cmd: exchange(h.holdingId, 'ann', S4, S3), expect: 'OK' },
    ]);
  });

  it('releases the hold on the new performance when its confirm is refused, and keeps the old tickets', () => {
    const w = theatre();
    expectCode(w.product('PM', pickMix(), 0), 'OK');
    const h = holding(w.product('PM', buy('ann', { picks: [S2, S4] }), SALE));
    const old = w.valid(S4, h.holdingId);
    // The confirm on S3 is refused while the hold is still open (here: sent for another buyer).
    const perform = w.local.perform.bind(w.local);
    w.local.perform = (performanceId: string, command: Command, nowMs: number) => {
      if (performanceId === S3 && command.type === 'confirmHold') return perform(performanceId, { ...command, buyerId: 'mallory' } as Command, nowMs);
      return perform(performanceId, command, nowMs);
    };
    const r = w.product('PM', exchange(h.holdingId, 'ann', S4, S3), SALE + 1);
    expect(refusal(r).name).toBe('HOLD_NOT_OWNED');
    expect(w.openHolds(S3, 'PM')).toEqual([]);
    expect(w.avail(S3).totals.held).toBe(0);
    expect(w.valid(S3, h.holdingId)).toEqual([]);
    expect(w.valid(S4, h.holdingId)).toEqual(old);
    expect(w.prod('PM').holdings.get(h.holdingId)?.performanceIds).toEqual([S2, S4]);
  });
});
