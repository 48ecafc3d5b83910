// seasonCardsRuntimePerSec (informative): the same 10-match numbered season cards as
// seasonCardsPerSec, through the runtime: an Engine on the embedded bus with --workers worker
// threads, the ten matches and the product's coordinator on the shards a stable hash gives them,
// every step routed between shards (a purchase's holds and confirms in the matches' couriers'
// batches), every answer the client's. Where seasonCardsPerSec runs everything in one thread,
// this one spreads the ten matches' work over the worker pool: the figure that grows with cores.
import type { Engine, EngineCommand } from '../../engine/src/runtime/mod.ts';
import type { Layout, Result } from '../../engine/src/domain/mod.ts';
import { CARD_SALE_AT_MS, matchPerformances, matchSpec, seasonCardProduct, SEASON_CARD } from '../../engine/src/sim/season-setup.ts';
import { startEngine, stopEngine, timedCount, type Failures } from './drive.ts';

export interface CardRuntimeRate { perSec: number; cards: number; durationMs: number; workers: number; window: number }

/** Purchases in flight at once: enough for the couriers' batches to fill while one is away. */
const windowCards = 2_048;

export async function measureSeasonCardsRuntime(layout: Layout, workers: number, o: { warmupSeconds: number; seconds: number }, failures: Failures): Promise<CardRuntimeRate> {
  const engine = await startEngine({ workers, shards: Math.max(16, workers), onError: (e) => failures.error('engine', e.message) }, [], failures, CARD_SALE_AT_MS - 20_000, 60_000);
  try {
    await setUpSeason(engine, failures);
    return await drive(engine, layout, workers, o, failures);
  } finally {
    await stopEngine(engine, 60_000);
  }
}

async function setUpSeason(engine: Engine, failures: Failures): Promise<void> {
  const matches = matchPerformances();
  await Promise.all([...new Set([...matches.map((p) => p.performanceId), SEASON_CARD].map((id) => engine.shardOf(id)))].map((s) => engine.whenServing(s)));
  for (const p of matches) {
    failures.note('openPerformance', await engine.submit(p.performanceId, { type: 'openPerformance', commandId: `${p.performanceId}-open`, venue: 'stadium', spec: matchSpec(p.performanceId, p.endsAtMs) }, CARD_SALE_AT_MS - 10_000));
  }
  failures.note('createProduct', await engine.submit(SEASON_CARD, seasonCardProduct('create-card', matches) as EngineCommand, CARD_SALE_AT_MS - 5_000));
}

/**
 * Keeps `windowCards` purchases in flight, each a new buyer on the next seat of a permutation of
 * the house (seat i*7919 mod the seat count: every seat once), for warmup + seconds or until the
 * house is sold; counts the cards answered in the timed part.
 */
async function drive(engine: Engine, layout: Layout, workers: number, o: { warmupSeconds: number; seconds: number }, failures: Failures): Promise<CardRuntimeRate> {
  let next = 0;
  let answered = 0;
  let inFlight = 0;
  let stopped = false;
  let flushQueued = false;
  let finish!: () => void;
  const drained = new Promise<void>((resolve) => { finish = resolve; });
  const flush = (): void => {
    flushQueued = false;
    engine.flushAll();
  };
  const send = (): void => {
    if (stopped || next >= layout.seatCount) {
      if (inFlight === 0) finish();
      return;
    }
    const i = next++;
    inFlight++;
    const command = { type: 'buyProduct', commandId: `card-${i}`, buyerId: `B${i}`, seats: [layout.seatIds[(i * 7_919) % layout.seatCount]] } as EngineCommand;
    engine.send(SEASON_CARD, command, CARD_SALE_AT_MS + Math.floor(i / 64), (result: Result) => {
      inFlight--;
      if (!result.ok) failures.note('buyProduct', result);
      else answered++;
      send();
      if (!flushQueued) { flushQueued = true; setImmediate(flush); }
    });
  };
  for (let i = 0; i < windowCards; i++) send();
  engine.flushAll();
  const { counted: cards, durationMs } = await timedCount(o, () => answered);
  if (next >= layout.seatCount) failures.error('seasonCardsRuntime', 'the house sold out inside the timed part: the figure counts a run that ran dry (use fewer --seconds)');
  stopped = true;
  await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, 60_000))]);
  if (inFlight > 0) failures.error('seasonCardsRuntime', `${inFlight} purchases unanswered 60 s after the run`);
  return { perSec: (cards * 1_000) / durationMs, cards, durationMs, workers, window: windowCards };
}
