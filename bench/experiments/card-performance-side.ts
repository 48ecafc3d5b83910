// A sizing experiment, not the engine: what the ten performances alone cost per season card,
// with the product's bookkeeping, and so what is left of the 20 µs a card that issue 4's target
// (seasonCardsPerSec >= 50,000) allows for the coordinator and the collector. It sells the
// season-card workload as the couriers send it (named records, 256 cards per batch:
// HOLD_SEATS_NAMED then CONFIRM_HOLD_NAMED on each of the ten matches; sellNamedCards of
// bench/runtime/season-cards.ts), with no coordinator: `product` names the product and the
// holding as a card's steps do (the product linked on each match by a real createProduct
// first); `plain` sells the same seats as single tickets on the box office, the
// seasonCardBinaryBaselinePerSec workload.
// Run: node --import tsx bench/experiments/card-performance-side.ts [product|plain] [--seconds 3]
// Prints one JSON line: cores, variant, cards per second.
import os from 'node:os';
import { compileLayout, createPerformance, LocalProducts, stadiumLayout, type Layout, type PerformanceState } from '../../engine/src/domain/mod.ts';
import { CARD_SALE_AT_MS, matchPerformances, matchSpec, seasonCardProduct, SEASON_CARD } from '../../engine/src/sim/season-setup.ts';
import { Failures } from '../runtime/drive.ts';
import { cardsPerRound, seatOrder, sellNamedCards } from '../runtime/season-cards.ts';

const asProduct = process.argv[2] !== 'plain';
const secondsAt = process.argv.indexOf('--seconds');
const seconds = secondsAt > 0 ? Number(process.argv[secondsAt + 1]) : 3;
const group = 256;
const compiled = compileLayout(stadiumLayout());
if (!compiled.ok) throw new Error(compiled.message);
const layout: Layout = compiled.layout;
const seats = seatOrder(layout);
const failures = new Failures();

/** Ten matches with the season card linked (a real createProduct through LocalProducts). */
function season(): PerformanceState[] {
  const local = new LocalProducts();
  for (const p of matchPerformances()) {
    const created = createPerformance(matchSpec(p.performanceId, p.endsAtMs), layout);
    if (!created.ok) throw new Error(created.message);
    local.addPerformance(created.state);
  }
  const made = local.product(SEASON_CARD, seasonCardProduct('create'), CARD_SALE_AT_MS - 1_000);
  if (!made.ok) throw new Error(made.message);
  return [...local.performances.values()];
}

const round = (count: number): number => sellNamedCards(season(), layout, seats, count, group, asProduct, failures);
round(5_000);
round(5_000);
let ms = 0;
let cards = 0;
while (ms < seconds * 1_000) {
  ms += round(cardsPerRound);
  cards += cardsPerRound;
}
if (failures.total > 0) throw new Error(`${failures.total} records refused: the figure means nothing`);
console.log(JSON.stringify({ cores: os.availableParallelism(), variant: asProduct ? 'product' : 'plain', cardsPerSec: Math.round((cards * 1_000) / ms), cards, ms: Math.round(ms) }));
