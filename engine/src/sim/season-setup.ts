// The set-ups of the product scenarios: a 10-match football season in the stadium (cards,
// renewals, resale) and a theatre season of 8 performances (series, pick & mix, exchanges).
// Times are simulated; every performance opens single-ticket sale after its products are linked.
import type { CreateProduct, PerformanceSpec, ProductPerformance } from '../domain/mod.ts';

const DAY_MS = 24 * 3_600_000;
/** The season's card sale opens 2027-06-01 10:00 UTC; the renewal window runs the week before. */
export const RENEWAL_FROM_MS = Date.UTC(2027, 4, 25, 10, 0, 0);
export const RENEWAL_UNTIL_MS = RENEWAL_FROM_MS + 7 * DAY_MS;
export const CARD_SALE_AT_MS = RENEWAL_UNTIL_MS;
export const SINGLE_SALE_AT_MS = CARD_SALE_AT_MS + 14 * DAY_MS;
export const FIRST_MATCH_AT_MS = Date.UTC(2027, 7, 7, 16, 0, 0);
export const MATCHES = 10;
export const SEASON_CARD = 'SEASON-2027';
export const LAST_SEASON_CARD = 'SEASON-2026';

export function matchId(n: number): string {
  return `MATCH-${String(n + 1).padStart(2, '0')}`;
}

export function matchPerformances(count = MATCHES): ProductPerformance[] {
  return Array.from({ length: count }, (_, n) => {
    const startsAtMs = FIRST_MATCH_AT_MS + n * 14 * DAY_MS;
    return { performanceId: matchId(n), startsAtMs, endsAtMs: startsAtMs + 2 * 3_600_000 };
  });
}

/** A match: single tickets on web and at the box office, card seats listed on web, resold on the exchange. */
export function matchSpec(performanceId: string, endsAtMs: number): PerformanceSpec {
  return {
    performanceId,
    organizerId: 'CLUB-FC',
    holdTtlMs: 10 * 60_000,
    maxTicketsPerBuyer: 10,
    maxOpenHoldsPerBuyer: 3,
    channels: [
      { id: 'web', kind: 'web', saleStartMs: SINGLE_SALE_AT_MS, saleEndMs: endsAtMs },
      { id: 'box', kind: 'boxOffice', saleStartMs: SINGLE_SALE_AT_MS, saleEndMs: endsAtMs },
      { id: 'exchange', kind: 'resale', saleStartMs: SINGLE_SALE_AT_MS, saleEndMs: endsAtMs },
    ],
    ticketTypes: [
      { id: 'single', name: 'Single ticket', prices: { A: 6_500, B: 5_000, C: 4_000, D: 3_000 } },
      // The card's prices are for card holders only: no single-ticket buyer may hold at them.
      { id: 'card', name: 'Season card (per match)', prices: { A: 5_000, B: 3_800, C: 3_000, D: 2_200 }, productsOnly: true },
      { id: 'card-renewal', name: 'Season card renewal (per match)', prices: { A: 4_500, B: 3_400, C: 2_700, D: 2_000 }, productsOnly: true },
    ],
    defaultTicketType: 'single',
  };
}

/** The season card: numbered, same seat on all 10 matches, resale allowed on web within 50-120 %. */
export function seasonCardProduct(commandId: string, performances = matchPerformances(), renewal?: CreateProduct['renewal']): CreateProduct {
  return {
    type: 'createProduct',
    commandId,
    productId: SEASON_CARD,
    kind: 'seasonCard',
    organizerId: 'CLUB-FC',
    name: 'Season card 2027',
    performances,
    saleStartMs: CARD_SALE_AT_MS,
    saleEndMs: performances[0].startsAtMs,
    channel: 'web',
    ticketType: 'card',
    cardKind: 'championship',
    resale: { minPct: 50, maxPct: 120, feePct: 10, channels: ['web'] },
    payout: 'afterEach',
    perPurchaseMin: 1,
    perPurchaseMax: 4,
    ...(renewal === undefined ? {} : { renewal }),
  };
}

// ---- the theatre season ----

export const THEATRE_SALE_AT_MS = Date.UTC(2027, 7, 16, 9, 0, 0);
export const THEATRE_SINGLE_AT_MS = THEATRE_SALE_AT_MS + 21 * DAY_MS;
export const THEATRE_FIRST_AT_MS = Date.UTC(2027, 8, 20, 19, 0, 0);
export const THEATRE_PERFORMANCES = 8;
export const SERIES = 'SERIES-2027';
export const PICK_MIX = 'PICKMIX-2027';
/** The second subscription type the pick & mix offers (seed 002, *Billettyper*): some buyers take it. */
export const THEATRE_SENIOR_TYPE = 'subscription-senior';

export function theatrePerformances(count = THEATRE_PERFORMANCES): ProductPerformance[] {
  return Array.from({ length: count }, (_, n) => {
    const startsAtMs = THEATRE_FIRST_AT_MS + n * 7 * DAY_MS;
    return { performanceId: `STAGE-${String(n + 1).padStart(2, '0')}`, startsAtMs, endsAtMs: startsAtMs + 3 * 3_600_000 };
  });
}

/**
 * An extra date of the same production, outside both subscriptions (between the 4th and the 5th
 * performance): pick & mix holders may exchange into it (DOMAIN §5), taking ordinary seats there.
 */
export function theatreExtraPerformance(): ProductPerformance {
  const startsAtMs = THEATRE_FIRST_AT_MS + 3 * 7 * DAY_MS + 3 * DAY_MS;
  return { performanceId: 'STAGE-EXTRA', startsAtMs, endsAtMs: startsAtMs + 3 * 3_600_000 };
}

export function stageSpec(performanceId: string, endsAtMs: number): PerformanceSpec {
  return {
    performanceId,
    organizerId: 'THEATRE-CO',
    holdTtlMs: 15 * 60_000,
    maxTicketsPerBuyer: 8,
    maxOpenHoldsPerBuyer: 3,
    channels: [
      { id: 'web', kind: 'web', saleStartMs: THEATRE_SINGLE_AT_MS, saleEndMs: endsAtMs },
      { id: 'box', kind: 'boxOffice', saleStartMs: THEATRE_SINGLE_AT_MS, saleEndMs: endsAtMs },
    ],
    ticketTypes: [
      { id: 'single', name: 'Single ticket', prices: { P1: 6_000, P2: 4_500, P3: 3_000 } },
      { id: 'subscription', name: 'Subscription (per performance)', prices: { P1: 4_800, P2: 3_600, P3: 2_400 }, productsOnly: true },
      { id: THEATRE_SENIOR_TYPE, name: 'Senior subscription (per performance)', prices: { P1: 3_800, P2: 2_900, P3: 1_900 }, productsOnly: true },
    ],
    defaultTicketType: 'single',
  };
}

/**
 * Series: all 8 performances, the same seat, sold from an allocation first (then ordinary seats),
 * each subscription in a purchase naming its own customer (customerPerTicket).
 */
export function seriesProduct(commandId: string, allocationSeats: string[], performances = theatrePerformances()): CreateProduct {
  return {
    type: 'createProduct', commandId, productId: SERIES, kind: 'series', organizerId: 'THEATRE-CO', name: 'Full series 2027',
    performances, sameSeat: true, min: performances.length, perPurchaseMin: 1, perPurchaseMax: 4,
    saleStartMs: THEATRE_SALE_AT_MS, saleEndMs: performances[0].startsAtMs, channel: 'box', ticketType: 'subscription',
    payout: 'continuous', allocation: { policy: 'quotaFirst', seats: allocationSeats }, customerPerTicket: true,
  };
}

/**
 * Pick & mix: 3 to 5 of the 8, the premiere required, sold only from its allocation; exchanges
 * allowed (into `exchangeable` too); the subscription type by default, a senior one offered too.
 */
export function pickMixProduct(commandId: string, allocationSeats: string[], performances = theatrePerformances(), exchangeable: ProductPerformance[] = []): CreateProduct {
  return {
    type: 'createProduct', commandId, productId: PICK_MIX, kind: 'pickMix', organizerId: 'THEATRE-CO', name: 'Pick & mix 2027',
    performances, min: 3, max: 5, required: [performances[0].performanceId], perPurchaseMin: 1, perPurchaseMax: 2,
    saleStartMs: THEATRE_SALE_AT_MS, saleEndMs: performances[performances.length - 1].startsAtMs, channel: 'box', ticketType: 'subscription',
    ticketTypes: [THEATRE_SENIOR_TYPE], payout: 'afterEach', allocation: { policy: 'onlyQuota', seats: allocationSeats },
    ...(exchangeable.length > 0 ? { exchangeable } : {}),
  };
}
