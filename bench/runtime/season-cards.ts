// seasonCardsPerSec: 10-match numbered season cards sold in process, through the pure product
// coordinator and the ten performances' state machines (LocalProducts: the same transition
// functions the runtime's actors run, without journal or threads). Each card is a saga: a
// coordinator command, ten holds of the same seat, ten confirms and twenty step reports.
// Baseline, same run: the same seats sold directly on each performance (holdSeats + confirmHold
// ten times, no coordinator, seats named by id as the cards name them), i.e. what the saga costs
// on top of the sales it makes. Both run two untimed rounds of 5,000 first.
import { createPerformance, execute, LocalProducts, type Layout, type PerformanceState } from '../../engine/src/domain/mod.ts';
import { CARD_SALE_AT_MS, matchPerformances, matchSpec, seasonCardProduct, SEASON_CARD } from '../../engine/src/sim/season-setup.ts';
import type { Failures } from './drive.ts';

export interface CardRate { perSec: number; cards: number; durationMs: number }

/** Cards per fresh season (the stadium holds 60,000; the rest of the house stays free). */
const cardsPerRound = 20_000;
/** Untimed rounds before the timed ones, so that the compiler's warm-up is not timed. */
const warmupRounds = 2;
const warmupCards = 5_000;

function matches(layout: Layout): PerformanceState[] {
  return matchPerformances().map((p) => {
    const created = createPerformance(matchSpec(p.performanceId, p.endsAtMs), layout);
    if (!created.ok) throw new Error(created.message);
    return created.state;
  });
}

/** Seat numbers spread over the house, one per card, all different. */
function seatOrder(layout: Layout): number[] {
  const order: number[] = [];
  for (let i = 0; i < cardsPerRound; i++) order.push((i * 7_919) % layout.seatCount);
  return order;
}

/** Sells `count` cards on a fresh season of ten matches; returns the ms the sales took. */
function cardRound(layout: Layout, seats: number[], count: number, failures: Failures): number {
  const local = new LocalProducts();
  for (const s of matches(layout)) local.addPerformance(s);
  failures.note('seasonCards create', local.product(SEASON_CARD, seasonCardProduct('create'), CARD_SALE_AT_MS - 1_000));
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const result = local.product(SEASON_CARD, { type: 'buyProduct', commandId: `card-${i}`, buyerId: `B${i}`, seats: [layout.seatIds[seats[i]]] }, CARD_SALE_AT_MS + i);
    if (!result.ok) failures.note('seasonCards', result);
  }
  return performance.now() - t0;
}

/** The same seats sold as plain holds and confirms on each match, no coordinator; the seats named by id, as the cards name them. */
function directRound(layout: Layout, seats: number[], count: number, failures: Failures): number {
  const states = matches(layout);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const at = CARD_SALE_AT_MS + i;
    const seatId = layout.seatIds[seats[i]];
    for (const s of states) {
      // As single tickets: the card's type is products-only (matchSpec), and the type costs nothing here.
      const hold = execute(s, { type: 'holdSeats', commandId: `h${i}`, buyerId: `B${i}`, channel: 'box', ticketType: 'single', seats: [seatId] }, at + 2_000_000_000);
      if (!hold.ok) failures.note('cardBaseline hold', hold);
      const order = execute(s, { type: 'confirmHold', commandId: `c${i}`, holdId: `h${i}`, buyerId: `B${i}` }, at + 2_000_000_000);
      if (!order.ok) failures.note('cardBaseline confirm', order);
    }
  }
  return performance.now() - t0;
}

/** Untimed rounds first (the compiler's warm-up), then fresh seasons of `cardsPerRound` cards until `seconds` of sales are timed. */
function timedRounds(round: (count: number) => number, seconds: number): CardRate {
  for (let i = 0; i < warmupRounds; i++) round(warmupCards);
  let cards = 0;
  let durationMs = 0;
  while (durationMs < seconds * 1_000) {
    durationMs += round(cardsPerRound);
    cards += cardsPerRound;
  }
  return { perSec: (cards * 1_000) / durationMs, cards, durationMs };
}

export function measureSeasonCards(layout: Layout, seconds: number, failures: Failures): CardRate {
  const seats = seatOrder(layout);
  return timedRounds((count) => cardRound(layout, seats, count, failures), seconds);
}

/** The same seats sold directly on each match, no coordinator (directRound). */
export function measureCardBaseline(layout: Layout, seconds: number, failures: Failures): CardRate {
  const seats = seatOrder(layout);
  return timedRounds((count) => directRound(layout, seats, count, failures), seconds);
}
