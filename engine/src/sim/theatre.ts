// `onsale simulate --scenario theatre`: a theatre season of 8 performances. A full series (same
// seat on all 8, from its allocation in the front stalls first, a named customer on every
// subscription) and a pick & mix subscription (3 to 5 performances, the premiere required, only
// from its allocation in the circle; a quarter of its buyers take the senior type it offers, a
// fifth choose their seats on their first pick)
// go on sale first; then single tickets; then some series
// subscribers correct their customers' names, and some pick & mix subscribers exchange one
// performance for another.
import type { Customer, HoldingResult, Result } from '../domain/mod.ts';
import { VenueCatalog, type Engine } from '../runtime/mod.ts';
import { countOutcomes, finishRun, ScenarioDriver, type Item, type ScenarioOptions, type ScenarioRun } from './driver.ts';
import { sellSingles } from './singles.ts';
import { Rng } from './rng.ts';
import {
  PICK_MIX, pickMixProduct, SERIES, seriesProduct, stageSpec, THEATRE_SALE_AT_MS, THEATRE_SENIOR_TYPE, THEATRE_SINGLE_AT_MS, theatreExtraPerformance, theatrePerformances,
} from './season-setup.ts';

const WAVE = 500;
const MAX_PER_BUYER = 8;

export async function simulateTheatre(engine: Engine, options: ScenarioOptions): Promise<ScenarioRun> {
  const rng = new Rng(options.seed);
  const driver = new ScenarioDriver(engine);
  const layout = new VenueCatalog().known('theatre');
  const shows = theatrePerformances();
  const ids = shows.map((p) => p.performanceId);
  const extra = theatreExtraPerformance();
  const phases: Record<string, Record<string, number>> = {};
  const seriesBuyers = Math.floor(options.buyers * 0.03);
  const pickBuyers = Math.floor(options.buyers * 0.1);
  const singleBuyers = options.buyers - seriesBuyers - pickBuyers;

  const front = layout.seatIds.filter((id) => /^STALLS-[ABC]-/.test(id));
  const circle = layout.seatIds.filter((id) => id.startsWith('CIRCLE-'));
  const setupAt = THEATRE_SALE_AT_MS - 24 * 3_600_000;
  await driver.setUp([...shows, extra].map((p) => [p.performanceId, { type: 'openPerformance', commandId: `${p.performanceId}-open`, venue: 'theatre', spec: stageSpec(p.performanceId, p.endsAtMs) }, setupAt]));
  await driver.setUp([
    [SERIES, seriesProduct(`${SERIES}-create`, front, shows), setupAt + 1_000],
    [PICK_MIX, pickMixProduct(`${PICK_MIX}-create`, circle, shows, [extra]), setupAt + 1_000],
  ]);

  // Series: one wave of chosen seats (all different), then waves of best available. Each
  // subscription names its customer; now and then a buyer names the same person twice (refused).
  const seriesItems: Item[] = [];
  const chosen = new Set<string>();
  for (let b = 0; b < seriesBuyers; b++) {
    const at = THEATRE_SALE_AT_MS + b * 1_000;
    if (b < seriesBuyers / 3) {
      let seat = rng.pick(layout.seatIds);
      while (chosen.has(seat)) seat = rng.pick(layout.seatIds);
      chosen.add(seat);
      seriesItems.push([SERIES, { type: 'buyProduct', commandId: `series-${b}`, buyerId: `SUB${b}`, seats: [seat], customers: customersOf(b, 1) }, at]);
    } else {
      const quantity = rng.int(1, 2);
      const customers = quantity === 2 && rng.chance(0.05) ? [customersOf(b, 1)[0], customersOf(b, 1)[0]] : customersOf(b, quantity);
      seriesItems.push([SERIES, { type: 'buyProduct', commandId: `series-${b}`, buyerId: `SUB${b}`, quantity, customers }, at]);
    }
  }
  const cut = Math.ceil(seriesBuyers / 3);
  const seriesResults = [...(await driver.waves(seriesItems.slice(0, cut), WAVE)), ...(await driver.waves(seriesItems.slice(cut), WAVE))];
  const seriesHoldings = seriesResults.filter((r) => r.ok) as unknown as HoldingResult[];
  phases.series = { buyers: seriesBuyers, sold: seriesHoldings.length, refused: countOutcomes(seriesResults).refused };

  // Pick & mix: the premiere plus 2 to 4 others; a few pick too few or forget the premiere. A
  // quarter take the senior type (seed 002, *Billettyper*): their exchanges stay senior.
  const pickItems: Item[] = [];
  for (let b = 0; b < pickBuyers; b++) {
    const others = ids.slice(1).filter(() => rng.chance(0.45)).slice(0, 4);
    while (others.length < 2) others.push(ids[1 + rng.int(0, ids.length - 2)]);
    const picks = rng.chance(0.03) ? [...new Set(others)] : [ids[0], ...new Set(others)];
    const quantity = rng.int(1, 2);
    const senior = rng.chance(0.25) ? { ticketType: THEATRE_SENIOR_TYPE } : {};
    // A fifth choose their seats in the circle on their first pick (seed 002: in pick & mix the
    // buyer picks a seat on each performance); a seat someone took before refuses the purchase.
    let chosenSeats = {};
    if (rng.chance(0.2)) {
      const first = rng.int(0, circle.length - quantity);
      chosenSeats = { seatsByPerformance: { [picks[0]]: circle.slice(first, first + quantity) } };
    }
    pickItems.push([PICK_MIX, { type: 'buyProduct', commandId: `pick-${b}`, buyerId: `PM${b}`, quantity, picks, ...senior, ...chosenSeats }, THEATRE_SALE_AT_MS + 3_600_000 + b * 1_000]);
  }
  const pickResults = await driver.waves(pickItems, WAVE);
  const pickHoldings = pickResults.filter((r) => r.ok) as unknown as HoldingResult[];
  phases.pickMix = { buyers: pickBuyers, sold: pickHoldings.length, refused: countOutcomes(pickResults).refused };

  // Single tickets on every performance.
  phases.singles = await sellSingles(driver, rng, {
    performanceIds: ids, buyers: singleBuyers, buyerPrefix: 'T', startMs: THEATRE_SINGLE_AT_MS, gapMs: 200, webShare: 0.8, abandonShare: 0.1, wave: 4 * WAVE,
  });

  // Corrections: some series buyers rename a subscription's customer before the premiere.
  const renameAt = THEATRE_SINGLE_AT_MS + 2 * 24 * 3_600_000;
  const renameItems: Item[] = [];
  seriesResults.forEach((result, i) => {
    if (!result.ok || !rng.chance(0.1)) return;
    const h = result as unknown as HoldingResult;
    // The first place's customer renamed, the others as the purchase named them.
    const named = (seriesItems[i][1] as { customers: Required<Customer>[] }).customers;
    const customers = named.map((c, j) => (j === 0 ? { name: `${c.name} Jr.`, email: `jr.${c.email}` } : c));
    renameItems.push([SERIES, { type: 'nameCustomers', commandId: `rename-${h.holdingId}`, holdingId: h.holdingId, buyerId: h.buyerId, customers }, renameAt]);
  });
  const renamed = await driver.waves(renameItems, WAVE);
  phases.customers = { named: seriesHoldings.length, renamed: countOutcomes(renamed).ok, refused: countOutcomes(renamed).refused };

  // Exchanges: a pick & mix subscriber swaps one of their performances (not the premiere) for
  // one they do not have: one of the subscription's, the extra date outside it (ordinary seats
  // there), or now and then one that is not open to the product's exchanges (refused).
  const exchangeAt = THEATRE_SINGLE_AT_MS + 3 * 24 * 3_600_000;
  const exchangeItems: Item[] = [];
  for (const h of pickHoldings) {
    if (!rng.chance(0.2)) continue;
    const mine = h.performances.map((p) => p.performanceId);
    const from = rng.pick(mine.slice(1));
    const to = rng.pick(ids.filter((id) => !mine.includes(id)).concat([extra.performanceId, extra.performanceId, 'STAGE-99']));
    exchangeItems.push([PICK_MIX, { type: 'exchangePerformance', commandId: `exchange-${h.holdingId}`, holdingId: h.holdingId, buyerId: h.buyerId, fromPerformanceId: from, toPerformanceId: to }, exchangeAt]);
  }
  const exchanged: Result[] = await driver.waves(exchangeItems, WAVE);
  const outside = exchanged.filter((r, i) => r.ok && (exchangeItems[i][1] as { toPerformanceId: string }).toPerformanceId === extra.performanceId).length;
  // What the box office settles: each exchange's answer says what the holder pays (or gets back).
  let differenceMinor = 0;
  for (const r of exchanged) if (r.ok) differenceMinor += (r as unknown as HoldingResult).exchange?.differenceMinor ?? 0;
  phases.exchanges = { asked: exchangeItems.length, done: countOutcomes(exchanged).ok, outside, refused: countOutcomes(exchanged).refused, differenceMinor };

  return finishRun(engine, driver, options, 'theatre', [...ids, extra.performanceId], [SERIES, PICK_MIX], phases, shows[3].endsAtMs, MAX_PER_BUYER);
}

/** The customers of buyer `b`'s subscriptions, one per place, each a different person. */
function customersOf(b: number, quantity: number): Required<Customer>[] {
  return Array.from({ length: quantity }, (_, j) => ({ name: `Subscriber ${b}-${j + 1}`, email: `sub${b}.${j + 1}@example.org` }));
}
