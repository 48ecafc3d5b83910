// Four matches of the simulator's season and its season card, opened on an engine: what the
// runtime's product tests sell through.
import { compileLayout, stadiumLayout } from '../../src/domain/mod.ts';
import type { Engine, EngineCommand } from '../../src/runtime/mod.ts';
import { CARD_SALE_AT_MS, matchPerformances, matchSpec, seasonCardProduct, SEASON_CARD } from '../../src/sim/season-setup.ts';
import { expectOk } from './helpers.ts';

export const matches = matchPerformances(4);

/** The stadium the matches are played in. */
export const layout = (() => {
  const r = compileLayout(stadiumLayout());
  if (!r.ok) throw new Error(r.message);
  return r.layout;
})();

/** The stadium's seat id number `n`. */
export const seat = (n: number): string => layout.seatIds[n];

/** Opens the four matches and creates the season card over them. */
export async function setUp(engine: Engine): Promise<void> {
  for (const p of matches) {
    expectOk(await engine.submit(p.performanceId, { type: 'openPerformance', commandId: `${p.performanceId}-open`, venue: 'stadium', spec: matchSpec(p.performanceId, p.endsAtMs) }, CARD_SALE_AT_MS - 10_000));
  }
  expectOk(await engine.submit(SEASON_CARD, seasonCardProduct('create-card', matches), CARD_SALE_AT_MS - 5_000));
}

export function buy(commandId: string, buyerId: string, seats: string[]): EngineCommand {
  return { type: 'buyProduct', commandId, buyerId, seats };
}
