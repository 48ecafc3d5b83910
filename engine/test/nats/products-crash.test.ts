// Sagas survive a crash: an engine process selling season cards on a real nats-server is
// killed with kill -9 while card sagas (some contested, so some compensate) are in flight, and
// restarted. The coordinator's progress is journaled like any command, so the restart finishes
// or compensates every saga: every acknowledged card has its seat on every match, no seat is
// sold twice, nothing stays held, and the live state equals a clean replay of the journal.
import { describe, expect, it } from 'vitest';
import { compileLayout, stadiumLayout, type Result, type TicketRow } from '../../src/domain/mod.ts';
import { NatsEngineClient } from '../../src/nats/mod.ts';
import { CARD_SALE_AT_MS, matchPerformances, matchSpec, seasonCardProduct, SEASON_CARD } from '../../src/sim/season-setup.ts';
import { KillMidLoad, natsWithEngines, replayJson, slidingWindow, startEngineProcess } from './engine-process.ts';

const SHARDS = 4;
const matches = matchPerformances(4);
/** Every purchase at one moment: a retry after the restart is never "earlier" than later commands. */
const BUY_AT = CARD_SALE_AT_MS + 1_000;
const CARDS = 240;
const seatIds = (() => {
  const compiled = compileLayout(stadiumLayout());
  if (!compiled.ok) throw new Error(compiled.message);
  return compiled.layout.seatIds;
})();

describe('season-card sagas across a kill -9 (real nats-server, real engine env.processes)', () => {
  const env = natsWithEngines();

  it('finishes or compensates every saga after the restart, and sells no seat twice', async () => {
    const first = startEngineProcess(env.server.url, SHARDS);
    env.processes.push(first);
    await first.waitForOwned((o) => o.length === SHARDS, 30_000);
    const client = await NatsEngineClient.connect({ servers: env.server.url, shards: SHARDS, retryForMs: 60_000 });
    for (const p of matches) {
      expect((await client.submit(p.performanceId, { type: 'openPerformance', commandId: `${p.performanceId}-open`, venue: 'stadium', spec: matchSpec(p.performanceId, p.endsAtMs) }, CARD_SALE_AT_MS - 10_000)).ok).toBe(true);
    }
    expect((await client.submit(SEASON_CARD, seasonCardProduct('create', matches), CARD_SALE_AT_MS - 5_000))).toMatchObject({ ok: true });

    // Buyer n wants seat n >> 1: two buyers per seat, so half the sagas compensate.
    const acknowledged = new Map<string, string>();
    const kill = new KillMidLoad();
    const buy = async (n: number): Promise<Result> => {
      const result = await kill.track(() => client.submit(SEASON_CARD, { type: 'buyProduct', commandId: `card-${n}`, buyerId: `fan${n}`, seats: [seatIds[n >> 1]] }, BUY_AT));
      if (result.ok) {
        acknowledged.set(`card-${n}`, (result as unknown as { holdingId: string }).holdingId);
        // A moment after the 30th card: a group of sagas finishes together, and the purchases
        // sent as it answers need time to be journaled and to send their steps; the kill then
        // meets sagas cut off mid-way, which only the restart's resending can finish.
        if (acknowledged.size >= 30) kill.killSoon(40, () => first.kill9().then(() => { env.processes.push(startEngineProcess(env.server.url, SHARDS)); }));
      }
      return result;
    };
    // A sliding window of 40 purchases rather than waves: whenever the kill comes, sagas are
    // at every stage, some with steps sent and not yet answered.
    const results = await slidingWindow(CARDS, 40, buy);
    expect(kill.decided).toBe(true);
    // Found in session 31: the kill was awaited at the 40th card, the end of a wave of 40, and
    // so met no saga in flight; now purchases sent before the kill are answered after it.
    expect(kill.outstandingAtKill, 'purchases in flight at the kill').toBeGreaterThan(0);
    expect(kill.answeredAfterKill, 'purchases sent before the kill and answered after it').toBeGreaterThan(0);
    // Every purchase was answered, and each seat went to exactly one of its two buyers.
    expect(results.filter((r) => !r.ok).map((r) => (r.ok ? 'OK' : r.name)).every((name) => name === 'SEAT_NOT_AVAILABLE')).toBe(true);
    expect(acknowledged.size).toBe(CARDS / 2);

    const report = await client.query(SEASON_CARD, 'productReport') as { holdings: number; sagasInFlight: number };
    expect(report).toMatchObject({ holdings: CARDS / 2, sagasInFlight: 0 });
    const coordinatorHash = await client.query(SEASON_CARD, 'stateHash') as string;
    const holdingIds = new Set(acknowledged.values());
    const live: Record<string, string> = {};
    for (const p of matches) {
      const tickets = await client.query(p.performanceId, 'tickets') as TicketRow[];
      const seats = new Set<string>();
      for (const t of tickets.filter((x) => x.status === 'valid')) {
        expect(seats.has(t.seatId!), `seat sold twice: ${p.performanceId}/${t.seatId}`).toBe(false);
        seats.add(t.seatId!);
        expect(holdingIds.has(t.holdingId!), `ticket of an unacknowledged holding ${t.holdingId}`).toBe(true);
      }
      // Every acknowledged card has its ticket here, on the seat it asked for.
      expect(new Set(tickets.filter((x) => x.status === 'valid').map((t) => t.holdingId))).toEqual(holdingIds);
      expect(await client.query(p.performanceId, 'seatCounts')).toMatchObject({ held: 0, sold: CARDS / 2 });
      live[p.performanceId] = await client.query(p.performanceId, 'stateHash') as string;
    }
    await client.close();
    const replayed = await replayJson(env.server.url, SHARDS);
    for (const p of matches) expect(replayed.performances.find((x) => x.performanceId === p.performanceId)?.stateHash, p.performanceId).toBe(live[p.performanceId]);
    expect(replayed.products).toEqual([{ productId: SEASON_CARD, holdings: CARDS / 2, sagasInFlight: 0, stateHash: coordinatorHash }]);
  }, 180_000);
});
