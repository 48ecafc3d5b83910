// The single-ticket phase the product scenarios share: on every performance, buyers ask for
// 1-4 seats best available, most check out, the rest abandon their holds (which expire).
import type { Rng } from './rng.ts';
import { countOutcomes, type Item, type ScenarioDriver } from './driver.ts';

export interface SinglesPlan {
  performanceIds: string[];
  buyers: number;
  /** Buyer ids are `${buyerPrefix}${performance index}-${n}`. */
  buyerPrefix: string;
  startMs: number;
  /** Simulated time between two buyers of one performance. */
  gapMs: number;
  /** Share of buyers on the web channel (the others at the box office). */
  webShare: number;
  abandonShare: number;
  wave: number;
}

export async function sellSingles(driver: ScenarioDriver, rng: Rng, plan: SinglesPlan): Promise<Record<string, number>> {
  // Every buyer is simulated: the first `buyers mod performances` performances get one more.
  const n0 = plan.performanceIds.length;
  const base = Math.floor(plan.buyers / n0);
  const most = base + (plan.buyers % n0 === 0 ? 0 : 1);
  const holdItems: Item[] = [];
  for (const [n, pid] of plan.performanceIds.entries()) {
    const count = base + (n < plan.buyers % n0 ? 1 : 0);
    for (let b = 0; b < count; b++) {
      const command = { type: 'holdBestAvailable' as const, commandId: `single-${n}-${b}`, buyerId: `${plan.buyerPrefix}${n}-${b}`, channel: rng.chance(plan.webShare) ? 'web' : 'box', count: rng.int(1, 4) };
      holdItems.push([pid, command, plan.startMs + b * plan.gapMs]);
    }
  }
  const held = await driver.waves(holdItems, plan.wave);
  const confirmItems: Item[] = [];
  // After every hold of the phase (time never runs back on a performance), well inside the holds' life.
  const checkoutAtMs = plan.startMs + most * plan.gapMs + 60_000;
  held.forEach((r, i) => {
    if (!r.ok || rng.chance(plan.abandonShare)) return;
    const [pid, cmd] = holdItems[i];
    const holdId = (r as { holdId: string }).holdId;
    confirmItems.push([pid, { type: 'confirmHold', commandId: `confirm-${holdId}`, holdId, buyerId: (cmd as { buyerId: string }).buyerId }, checkoutAtMs + confirmItems.length]);
  });
  const confirmed = await driver.waves(confirmItems, plan.wave);
  const heldOk = countOutcomes(held).ok;
  return { buyers: holdItems.length, held: heldOk, confirmed: countOutcomes(confirmed).ok, abandoned: heldOk - confirmItems.length };
}
