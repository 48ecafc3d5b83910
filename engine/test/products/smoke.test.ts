import { describe, expect, it } from 'vitest';
import { compileLayout, createPerformance, LocalProducts, stadiumLayout, type Layout } from '../../src/domain/mod.ts';
import { CARD_SALE_AT_MS, matchPerformances, matchSpec, seasonCardProduct, SEASON_CARD } from '../../src/sim/season-setup.ts';

function stadium(): Layout {
  const r = compileLayout(stadiumLayout());
  if (!r.ok) throw new Error(r.message);
  return r.layout;
}

describe('smoke', () => {
  it('sells a season card', () => {
    const layout = stadium();
    const local = new LocalProducts();
    for (const p of matchPerformances()) {
      const c = createPerformance(matchSpec(p.performanceId, p.endsAtMs), layout);
      if (!c.ok) throw new Error(c.message);
      local.addPerformance(c.state);
    }
    const t0 = CARD_SALE_AT_MS - 1000;
    const created = local.product(SEASON_CARD, seasonCardProduct('c1'), t0);
    expect(created.ok).toBe(true);
    const bought = local.product(SEASON_CARD, { type: 'buyProduct', commandId: 'b1', buyerId: 'u1', seats: [layout.seatIds[5]] }, CARD_SALE_AT_MS);
    expect(bought).toMatchObject({ ok: true });
    const again = local.product(SEASON_CARD, { type: 'buyProduct', commandId: 'b2', buyerId: 'u2', seats: [layout.seatIds[5]] }, CARD_SALE_AT_MS);
    expect(again).toMatchObject({ ok: false, name: 'SEAT_NOT_AVAILABLE' });
    const best = local.product(SEASON_CARD, { type: 'buyProduct', commandId: 'b3', buyerId: 'u3', quantity: 2 }, CARD_SALE_AT_MS);
    expect(best).toMatchObject({ ok: true });
    console.log(JSON.stringify(best).slice(0, 400));
  });
});
