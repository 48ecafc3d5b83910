// `onsale simulate --scenario season`: a 10-match football season in the 60,000-seat stadium.
// Last season's card holders renew in their window (their seats reserved for them), then new
// season cards go on sale (same seat on all ten matches), then single tickets per match, then
// card holders resell single matches on the exchange, a few holders are refunded, and the first
// match's gates scan the cards.
import type { HoldingResult, Result } from '../domain/mod.ts';
import { VenueCatalog, type Engine } from '../runtime/mod.ts';
import { countOutcomes, finishRun, phaseTime, ScenarioDriver, type Item, type ScenarioOptions, type ScenarioRun } from './driver.ts';
import { sellSingles } from './singles.ts';
import { Rng } from './rng.ts';
import {
  CARD_SALE_AT_MS, LAST_SEASON_CARD, matchPerformances, matchSpec, RENEWAL_FROM_MS, RENEWAL_UNTIL_MS, SEASON_CARD, seasonCardProduct, SINGLE_SALE_AT_MS,
} from './season-setup.ts';

/** Client commands in one wave: one coordinator batch (the router's batch bound is 4,096). */
const WAVE = 1_000;
const MAX_PER_BUYER = 10;
/** Card holders (of those with nothing listed) who ask for a refund before the season. */
const REFUND_SHARE = 0.02;

export async function simulateSeason(engine: Engine, options: ScenarioOptions): Promise<ScenarioRun> {
  const rng = new Rng(options.seed);
  const driver = new ScenarioDriver(engine);
  const layout = new VenueCatalog().known('stadium');
  const matches = matchPerformances();
  const phases: Record<string, Record<string, number>> = {};
  const holderCount = Math.floor(options.buyers * 0.1);
  const cardBuyers = Math.floor(options.buyers * 0.3);
  // The resale phase takes its share and the singles the rest, so that even one buyer buys
  // something (--buyers 1 bought nothing: every share rounded down to 0 but the resale's).
  const resaleBuyers = Math.floor(options.buyers * 0.05);
  const singleBuyers = options.buyers - holderCount - cardBuyers - resaleBuyers;

  // Last season's holders: 1 or 2 adjacent seats each, all different.
  const taken = new Set<number>();
  const holders = [];
  for (let h = 0; h < holderCount; h++) {
    let seat = rng.int(0, layout.seatCount - 2);
    while (taken.has(seat) || taken.has(seat + 1)) seat = rng.int(0, layout.seatCount - 2);
    const pair = rng.chance(0.4) && layout.seatRow[seat] === layout.seatRow[seat + 1];
    const seats = pair ? [seat, seat + 1] : [seat];
    for (const s of seats) taken.add(s);
    holders.push({ holdingId: `${LAST_SEASON_CARD}-H${h + 1}`, buyerId: `FAN${String(h).padStart(6, '0')}`, seats: seats.map((s) => layout.seatIds[s]), ticketType: rng.chance(0.2) ? 'reduced' : 'card' });
  }
  const renewal = { fromProductId: LAST_SEASON_CARD, windowStartMs: RENEWAL_FROM_MS, windowEndMs: RENEWAL_UNTIL_MS, ticketTypes: { card: 'card-renewal', reduced: 'card-renewal' }, holders };

  // Set-up: the matches, then the card product, linked before any single-ticket sale.
  const setupAt = RENEWAL_FROM_MS - 24 * 3_600_000;
  await driver.setUp(matches.map((p) => [p.performanceId, { type: 'openPerformance', commandId: `${p.performanceId}-open`, venue: 'stadium', spec: matchSpec(p.performanceId, p.endsAtMs) }, setupAt]));
  await driver.setUp([[SEASON_CARD, seasonCardProduct(`${SEASON_CARD}-create`, matches, renewal), setupAt + 1_000]]);

  // Renewals, spread over the window; a few try twice or with someone else's holding.
  const holdings: HoldingResult[] = [];
  const renewItems: Item[] = [];
  const windowMs = RENEWAL_UNTIL_MS - RENEWAL_FROM_MS - 3_600_000;
  const renewers = holders.filter(() => rng.chance(0.85));
  renewers.forEach((h, i) => {
    const at = phaseTime(RENEWAL_FROM_MS, windowMs, renewers.length, WAVE / 2, i);
    renewItems.push([SEASON_CARD, { type: 'renewHolding', commandId: `renew-${h.holdingId}`, previousHoldingId: h.holdingId, buyerId: h.buyerId }, at]);
    if (rng.chance(0.01)) renewItems.push([SEASON_CARD, { type: 'renewHolding', commandId: `renew-again-${h.holdingId}`, previousHoldingId: h.holdingId, buyerId: h.buyerId }, at]);
    if (rng.chance(0.005)) renewItems.push([SEASON_CARD, { type: 'renewHolding', commandId: `renew-other-${h.holdingId}`, previousHoldingId: h.holdingId, buyerId: 'SOMEONE-ELSE' }, at]);
  });
  const renewed = await waveByTime(driver, renewItems);
  for (const r of renewed) if (r.ok) holdings.push(r as unknown as HoldingResult);
  phases.renewal = { holders: holders.length, renewed: countOutcomes(renewed).ok, refused: countOutcomes(renewed).refused };
  // No closeRenewal: at the window's end the reservations close by themselves on every match,
  // and the card's sale starts once the renewals in flight are done.

  // New cards: waves of chosen seats (all different within a wave) alternate with waves of best
  // available, so that no two sagas of one wave reach for the same seat in an order that depends
  // on thread timing: a seed gives the same cards.
  const cardResults: Result[] = [];
  const saleMs = SINGLE_SALE_AT_MS - CARD_SALE_AT_MS - 3_600_000;
  for (let first = 0, w = 0; first < cardBuyers; first += WAVE, w++) {
    const items: Item[] = [];
    const chosen = new Set<number>();
    for (let b = first; b < Math.min(cardBuyers, first + WAVE); b++) {
      const at = phaseTime(CARD_SALE_AT_MS, saleMs, cardBuyers, WAVE, b);
      const buyerId = `CARD${String(b).padStart(6, '0')}`;
      if (w % 2 === 0) {
        let seat = rng.int(0, layout.seatCount - 1);
        while (chosen.has(seat)) seat = rng.int(0, layout.seatCount - 1);
        chosen.add(seat);
        items.push([SEASON_CARD, { type: 'buyProduct', commandId: `card-${b}`, buyerId, seats: [layout.seatIds[seat]] }, at]);
      } else {
        items.push([SEASON_CARD, { type: 'buyProduct', commandId: `card-${b}`, buyerId, quantity: rng.int(1, 4) }, at]);
      }
    }
    cardResults.push(...(await driver.wave(items)));
  }
  for (const r of cardResults) if (r.ok) holdings.push(r as unknown as HoldingResult);
  phases.cards = { buyers: cardBuyers, sold: countOutcomes(cardResults).ok, refused: countOutcomes(cardResults).refused };

  // Single tickets, per match: best available on the web, most check out, some abandon.
  phases.singles = await sellSingles(driver, rng, {
    performanceIds: matches.map((p) => p.performanceId), buyers: singleBuyers, buyerPrefix: 'S', startMs: SINGLE_SALE_AT_MS, gapMs: 50, webShare: 0.9, abandonShare: 0.15, wave: 4 * WAVE,
  });

  // Resale: some holders list one match's seat on the web (a few outside the 50-120 % band), guests
  // buy most listings on the exchange, some sellers withdraw.
  const resaleAt = SINGLE_SALE_AT_MS + 7 * 24 * 3_600_000;
  const listItems: Item[] = [];
  const listingPrices: number[] = [];
  const listedHoldings = new Set<string>();
  for (const h of holdings) {
    if (listItems.length >= resaleBuyers * 1.3 || !rng.chance(0.15)) continue;
    listedHoldings.add(h.holdingId);
    const p = rng.pick(h.performances);
    const ticketId = p.tickets[0];
    const base = Math.floor(p.paidMinor / p.tickets.length);
    const pct = rng.chance(0.05) ? 150 : rng.int(60, 120);
    listingPrices.push(Math.floor((base * pct) / 100));
    listItems.push([p.performanceId, { type: 'listResale', commandId: `list-${ticketId}`, listingId: `L-${ticketId}`, ticketId, sellerId: h.buyerId, channel: 'web', priceMinor: listingPrices[listingPrices.length - 1] }, resaleAt]);
  }
  const listed = await driver.waves(listItems, 4 * WAVE);
  const buyItems: Item[] = [];
  let withdrawn = 0;
  listed.forEach((r, i) => {
    if (!r.ok) return;
    const [pid, cmd] = listItems[i];
    const listingId = (cmd as { listingId: string }).listingId;
    if (rng.chance(0.1)) {
      withdrawn++;
      buyItems.push([pid, { type: 'withdrawResale', commandId: `withdraw-${listingId}`, listingId, sellerId: (cmd as { sellerId: string }).sellerId }, resaleAt + 3_600_000]);
    } else if (buyItems.length - withdrawn < resaleBuyers) {
      buyItems.push([pid, { type: 'buyResale', commandId: `buy-${listingId}`, listingId, buyerId: `GUEST-${i}`, channel: 'exchange' }, resaleAt + 3_600_000]);
    }
  });
  const bought = await driver.waves(buyItems, 4 * WAVE);
  phases.resale = { listed: countOutcomes(listed).ok, refused: countOutcomes(listed).refused, withdrawn, bought: countOutcomes(bought).ok - withdrawn };

  // Refunds: a few holders give their card back before the season starts (the organizer's
  // refundHolding): holders with nothing listed, so every match of the card is voided and goes
  // back on sale (a listed part would be kept; engine/test/products/refund-holding.test.ts).
  const refundAt = resaleAt + 2 * 3_600_000;
  const refundItems: Item[] = [];
  for (const h of holdings) {
    if (listedHoldings.has(h.holdingId) || !rng.chance(REFUND_SHARE)) continue;
    refundItems.push([SEASON_CARD, { type: 'refundHolding', commandId: `refund-${h.holdingId}`, holdingId: h.holdingId, reason: 'simulated: cannot come this season' }, refundAt]);
  }
  const refunds = await driver.waves(refundItems, WAVE);
  const refunded = new Set(refundItems.filter((_, i) => refunds[i].ok).map(([, cmd]) => (cmd as { holdingId: string }).holdingId));
  phases.refunds = { requested: refundItems.length, refunded: refunded.size, refused: countOutcomes(refunds).refused };

  // Match day 1: every card's one code at the gate (a resold seat's card no longer admits; a
  // refunded card's holder does not come).
  const m1 = matches[0];
  const scans = await driver.waves(holdings.filter((h) => !refunded.has(h.holdingId)).map((h) => [m1.performanceId, { type: 'scanHolding', commandId: `scan-${h.holdingId}`, holdingId: h.holdingId }, m1.startsAtMs - 30 * 60_000]), 4 * WAVE);
  phases.matchDay1 = { scanned: countOutcomes(scans).ok, refused: countOutcomes(scans).refused };

  return finishRun(engine, driver, options, 'season', matches.map((p) => p.performanceId), [SEASON_CARD], phases, matches[2].endsAtMs, MAX_PER_BUYER);
}

/** Waves of items that share a moment (renewals spread over a window come in slices of time). */
async function waveByTime(driver: ScenarioDriver, items: Item[]): Promise<Result[]> {
  const results: Result[] = [];
  for (let i = 0; i < items.length;) {
    let j = i + 1;
    while (j < items.length && items[j][2] - items[i][2] < 60_000 && j - i < WAVE) j++;
    results.push(...(await driver.wave(items.slice(i, j))));
    i = j;
  }
  return results;
}
