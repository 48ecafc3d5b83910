// seasonCardsPerSec: 10-match numbered season cards sold in process, through the pure product
// coordinator and the ten performances' state machines (LocalProducts: the same transition
// functions the runtime's actors run, without journal or threads). Each card is a saga: a
// coordinator command, ten holds of the same seat and ten confirms. The purchases arrive in
// groups of `group` (LocalProducts.productMany, as the runtime hands a shard a batch of
// commands): the holds and confirms one group makes on a performance go there in the batches of
// the performance's courier (domain/products/couriers.ts), one report each.
// Baselines, same run: the same seats sold directly on each performance with no coordinator,
// (1) as object commands (holdSeats + confirmHold ten times per card, seats named by id as the
// cards name them) and (2) as the named binary records a courier sends, in batches of `group`,
// i.e. what the saga costs on top of the sales it makes. All run two untimed rounds of 5,000 first.
import {
  BinaryOp, COMMAND_WORDS, createPerformance, execute, executeBatch, LocalProducts, NamedWord, REPLY_WORDS, type Layout, type PerformanceState, type ProductCommand,
} from '../../engine/src/domain/mod.ts';
import { CARD_SALE_AT_MS, matchPerformances, matchSpec, seasonCardProduct, SEASON_CARD } from '../../engine/src/sim/season-setup.ts';
import type { Failures } from './drive.ts';

export interface CardRate { perSec: number; cards: number; durationMs: number }

/** Cards per fresh season (the stadium holds 60,000; the rest of the house stays free). */
export const cardsPerRound = 20_000;
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
export function seatOrder(layout: Layout): number[] {
  const order: number[] = [];
  for (let i = 0; i < cardsPerRound; i++) order.push((i * 7_919) % layout.seatCount);
  return order;
}

/** Sells `count` cards on a fresh season of ten matches, `group` purchases at a time; returns the ms the sales took. */
function cardRound(layout: Layout, seats: number[], count: number, group: number, failures: Failures): number {
  const local = new LocalProducts();
  for (const s of matches(layout)) local.addPerformance(s);
  failures.note('seasonCards create', local.product(SEASON_CARD, seasonCardProduct('create'), CARD_SALE_AT_MS - 1_000));
  const t0 = performance.now();
  for (let first = 0; first < count; first += group) {
    const commands: ProductCommand[] = [];
    for (let i = first; i < Math.min(count, first + group); i++) commands.push({ type: 'buyProduct', commandId: `card-${i}`, buyerId: `B${i}`, seats: [layout.seatIds[seats[i]]] });
    for (const result of local.productMany(SEASON_CARD, commands, CARD_SALE_AT_MS + first)) if (!result.ok) failures.note('seasonCards', result);
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

/**
 * The same seats sold on each match as the named binary records a courier sends (holds, then the
 * confirms of what they held), `group` cards per batch, no coordinator: what the couriers' batches
 * cost by themselves.
 */
function binaryRound(layout: Layout, seats: number[], count: number, group: number, failures: Failures): number {
  return sellNamedCards(matches(layout), layout, seats, count, group, false, failures);
}

/**
 * Sells `count` cards on `states` (ten matches) as named records, `group` per batch, and returns
 * the ms it took. As single tickets on the box office in the single sale (`asProduct` false: the
 * card's type is products-only, matchSpec), or as the season card's own steps (`asProduct` true:
 * the product and each card's holding named, on the web channel at the card's type, in the card
 * sale; the product must be linked on every match). bench/experiments/card-performance-side.ts
 * times both.
 */
export function sellNamedCards(states: PerformanceState[], layout: Layout, seats: readonly number[], count: number, group: number, asProduct: boolean, failures: Failures): number {
  const sessions = states.map((s) => execute(s, { type: 'openSession', commandId: 'bench', clientId: 'bench' }, CARD_SALE_AT_MS));
  const holds = new Int32Array(group * COMMAND_WORDS);
  const confirms = new Int32Array(group * COMMAND_WORDS);
  const requestNo = states.map(() => 0);
  const t0 = performance.now();
  for (let first = 0; first < count; first += group) {
    const n = Math.min(group, count - first);
    const at = asProduct ? CARD_SALE_AT_MS + first : CARD_SALE_AT_MS + 2_000_000_000 + first;
    // As a courier gives them: what all share once, then each card's buyer, holding and seat.
    const strings = asProduct ? ['box', SEASON_CARD, 'web', 'card'] : ['box'];
    for (let i = 0; i < n; i++) {
      const w = i * COMMAND_WORDS;
      const base = strings.length;
      strings.push(`B${first + i}`, `${SEASON_CARD}-H${first + i}`, layout.seatIds[seats[first + i]]);
      holds[w] = BinaryOp.HOLD_SEATS_NAMED;
      holds[w + NamedWord.PRODUCT] = asProduct ? 1 : -1;
      holds[w + NamedWord.BUYER] = base;
      holds[w + NamedWord.HOLDING] = asProduct ? base + 1 : -1;
      holds[w + NamedWord.CHANNEL] = asProduct ? 2 : 0;
      holds[w + NamedWord.TICKET_TYPE] = asProduct ? 3 : -1;
      holds[w + NamedWord.COUNT] = 1;
      holds[w + NamedWord.SEATS] = base + 2;
      confirms[w] = BinaryOp.CONFIRM_HOLD_NAMED;
      confirms[w + NamedWord.HOLD_BUYER] = base;
      confirms[w + NamedWord.EMAIL] = -1;
      confirms[w + NamedWord.COMPLIMENTARY] = 0;
    }
    for (let k = 0; k < states.length; k++) {
      const session = sessions[k] as { sessionNo: number };
      const held = executeBatch(states[k], session.sessionNo, ++requestNo[k], holds, n, at, strings);
      if (!held.ok) { failures.note('cardBinaryBaseline hold', held); continue; }
      for (let i = 0; i < n; i++) {
        if (held.replies[i * REPLY_WORDS] !== 0) failures.note('cardBinaryBaseline hold', { ok: false, code: held.replies[i * REPLY_WORDS] } as never);
        confirms[i * COMMAND_WORDS + NamedWord.SLOT] = held.replies[i * REPLY_WORDS + 1];
        confirms[i * COMMAND_WORDS + NamedWord.BINARY_NO] = held.replies[i * REPLY_WORDS + 2];
      }
      const sold = executeBatch(states[k], session.sessionNo, ++requestNo[k], confirms, n, at, strings);
      if (!sold.ok) failures.note('cardBinaryBaseline confirm', sold);
      else for (let i = 0; i < n; i++) if (sold.replies[i * REPLY_WORDS] !== 0) failures.note('cardBinaryBaseline confirm', { ok: false, code: sold.replies[i * REPLY_WORDS] } as never);
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

export function measureSeasonCards(layout: Layout, seconds: number, group: number, failures: Failures): CardRate {
  const seats = seatOrder(layout);
  return timedRounds((count) => cardRound(layout, seats, count, group, failures), seconds);
}

/** The same seats sold directly on each match, no coordinator (directRound). */
export function measureCardBaseline(layout: Layout, seconds: number, failures: Failures): CardRate {
  const seats = seatOrder(layout);
  return timedRounds((count) => directRound(layout, seats, count, failures), seconds);
}

/** The same seats sold directly as named binary records, `group` per batch (binaryRound). */
export function measureCardBinaryBaseline(layout: Layout, seconds: number, group: number, failures: Failures): CardRate {
  const seats = seatOrder(layout);
  return timedRounds((count) => binaryRound(layout, seats, count, group, failures), seconds);
}
