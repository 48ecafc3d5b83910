// Crashes and restarts on a schedule drawn from a seed: two engine processes share the shards of
// a real nats-server while single sales and contested season-card sagas run, then pick & mix
// subscriptions and their exchanges; at seeded points one
// of them (chosen by the seed) is killed with kill -9 and replaced (sometimes the replacement is
// killed again while it is still recovering), or stopped gracefully and replaced (a rolling
// restart), or frozen (SIGSTOP) past its leases and continued, or the nats-server itself is
// killed and restarted. The other tests kill once, at a
// fixed point, with one process; here the coordinator and the performances its steps go to live
// in different processes, and a saga's steps can cross a takeover in either direction.
//
// After every round the books must agree: each purchase was answered with success or the seat
// refusal its contest allows, every acknowledged order and card is in the state, no seat is sold
// twice, nothing stays held, no saga is left and no ticket is stranded, and each performance's
// state and the coordinator's equal a clean replay of the journal.
//
// CI runs one round (seed 1, one event of each kind). A soak: ONSALE_CRASH_ROUNDS=20 ONSALE_CRASH_SEED=7
// ONSALE_CRASH_EVENTS=4 npx vitest run engine/test/nats/crash-soak.test.ts (each round has a fresh
// server; a failure names its seed); ONSALE_CRASH_KINDS=pause (or kill, stop, nats, comma-separated)
// draws only those kinds.
import { describe, expect, it } from 'vitest';
import { compileLayout, stadiumLayout, theatreLayout, type HoldAccepted, type OrderAccepted, type PerformanceSpec, type Result, type TicketRow } from '../../src/domain/mod.ts';
import { NatsEngineClient } from '../../src/nats/mod.ts';
import { Rng } from '../../src/sim/rng.ts';
import { CARD_SALE_AT_MS, matchPerformances, matchSpec, PICK_MIX, pickMixProduct, seasonCardProduct, SEASON_CARD, stageSpec, THEATRE_SALE_AT_MS, theatrePerformances } from '../../src/sim/season-setup.ts';
import { replayJson, startEngineProcess, type EngineProcess } from './engine-process.ts';
import { startNatsServer } from './nats-server.ts';

const SHARDS = 4;
const matches = matchPerformances(4);
/** Every command at one moment, so a retry after a takeover is never earlier than what followed it. */
const BUY_AT = CARD_SALE_AT_MS + 1_000;
/** Card buyers; buyer n wants seat n >> 1, so every seat is contested by two. */
const CARDS = 160;
/** Single-ticket buyers per theatre performance; buyer n wants seat n % (SINGLES * 3 / 4), so a quarter lose. */
const SINGLES = 120;
const singleSeats = (SINGLES * 3) / 4;
const theatres = ['SOAK-T1', 'SOAK-T2'];
/** Purchases started at once (cards and singles mixed). */
const WAVE = 40;

const envRounds = Number(process.env.ONSALE_CRASH_ROUNDS);
const ROUNDS = Number.isInteger(envRounds) && envRounds > 0 ? envRounds : 1;
const envSeed = Number(process.env.ONSALE_CRASH_SEED);
const SEED = Number.isSafeInteger(envSeed) && process.env.ONSALE_CRASH_SEED !== '' ? envSeed : 1;
/** ONSALE_CRASH_KINDS=pause,nats: only events of these kinds (a soak aimed at one of them). */
const KINDS = (process.env.ONSALE_CRASH_KINDS ?? '').split(',').filter((k) => k !== '');
/** The kinds drawn, by the number drawn (0-6): kills are four times as likely as each other kind. */
const kindByDraw = ['kill', 'kill', 'kill', 'kill', 'stop', 'nats', 'pause'];
for (const k of KINDS) if (!kindByDraw.includes(k)) throw new Error(`ONSALE_CRASH_KINDS: unknown kind ${k} (kill, stop, nats, pause)`);
const envEvents = Number(process.env.ONSALE_CRASH_EVENTS);
/** With neither knob set (CI), a round has one event of each kind, in the order kill, pause, stop, nats, at seeded points. */
const EACH_KIND_ONCE = process.env.ONSALE_CRASH_EVENTS === undefined && KINDS.length === 0;
const EVENTS = Number.isInteger(envEvents) && envEvents > 0 ? envEvents : 4;

/** Phase two, in August (after every card and single sale): pick & mix (3 to 5 picks) over five stage performances. */
const stages = theatrePerformances(5);
const PM_AT = THEATRE_SALE_AT_MS + 1_000;
/** Subscribers; each takes the premiere and two of the other three, and the even ones then exchange a pick. */
const SUBSCRIBERS = 40;

function seatIdsOf(json: Parameters<typeof compileLayout>[0]): readonly string[] {
  const compiled = compileLayout(json);
  if (!compiled.ok) throw new Error(compiled.message);
  return compiled.layout.seatIds;
}
const seatIds = seatIdsOf(stadiumLayout());
/** The pick & mix allocation: 48 circle seats, enough for every subscriber on the premiere. */
const allocation = seatIdsOf(theatreLayout()).filter((id) => id.startsWith('CIRCLE-')).slice(0, 48);
/** Subscriber n's picks: the premiere and two of stages 1-3, all but stage 1 + n % 3, which an exchange may move to. */
const picksOf = (n: number): string[] => [stages[0].performanceId, ...stages.slice(1, 4).filter((_, i) => i !== n % 3).map((p) => p.performanceId)];
const skippedOf = (n: number): string => stages[1 + (n % 3)].performanceId;

function theatreSpec(performanceId: string): PerformanceSpec {
  return {
    performanceId, holdTtlMs: 600_000, maxTicketsPerBuyer: 10, maxOpenHoldsPerBuyer: 5,
    channels: [{ id: 'web', kind: 'web', saleStartMs: 0, saleEndMs: BUY_AT * 2 }],
    ticketTypes: [{ id: 'adult', prices: { P1: 5_000, P2: 3_000, P3: 2_000 } }],
  };
}

/**
 * One event, after `atAcknowledged` purchases have succeeded:
 * - `kill`: the engine process in slot `victim` dies (kill -9) and a new one starts; if
 *   `recoveryKillMs` is not null, that replacement dies as well so long after its start,
 *   usually while it is still recovering, and another starts;
 * - `stop`: the process in slot `victim` is stopped gracefully (SIGTERM: a rolling restart) and
 *   a new one starts;
 * - `nats`: the nats-server dies (kill -9) and comes back `downMs` later on its store;
 * - `pause`: the process in slot `victim` freezes (SIGSTOP) for `pausedMs`, longer than its
 *   leases live, so the other takes its shards over; then it goes on (SIGCONT) believing for a
 *   moment that it still owns them, with appends and answers of its own in flight: a deposed
 *   writer that must neither add to the journal nor answer from a stale state.
 */
type Event =
  | { kind: 'kill'; atAcknowledged: number; victim: number; recoveryKillMs: number | null }
  | { kind: 'stop'; atAcknowledged: number; victim: number }
  | { kind: 'nats'; atAcknowledged: number; downMs: number }
  | { kind: 'pause'; atAcknowledged: number; victim: number; pausedMs: number };

/** The round's events, from its seed: points spread over the purchases that can succeed; mostly kills. */
function schedule(seed: number): Event[] {
  const rng = new Rng(seed);
  const draw = (min: number, max: number): number => rng.int(min, max);
  const succeeding = CARDS / 2 + theatres.length * singleSeats + SUBSCRIBERS + SUBSCRIBERS / 2;
  const events: Event[] = [];
  for (let k = 0; k < EVENTS; k++) {
    const atAcknowledged = draw(10, succeeding - 20);
    let kind = EACH_KIND_ONCE ? [0, 6, 4, 5][k] : draw(0, 6);
    // Redrawn until allowed (KINDS holds only known kinds, checked above); bounded like every loop here.
    for (let tries = 0; KINDS.length > 0 && !KINDS.includes(kindByDraw[kind]) && tries < 1_000; tries++) kind = draw(0, 6);
    if (kind <= 3) events.push({ kind: 'kill', atAcknowledged, victim: draw(0, 1), recoveryKillMs: draw(0, 2) === 0 ? draw(100, 2_500) : null });
    else if (kind === 4) events.push({ kind: 'stop', atAcknowledged, victim: draw(0, 1) });
    else if (kind === 5) events.push({ kind: 'nats', atAcknowledged, downMs: draw(100, 2_000) });
    // The leases live 3 s (runtime defaults): a pause of 4-7 s outlives them.
    else events.push({ kind: 'pause', atAcknowledged, victim: draw(0, 1), pausedMs: draw(4_000, 7_000) });
  }
  return events.sort((a, b) => a.atAcknowledged - b.atAcknowledged);
}

async function round(seed: number): Promise<void> {
  const events = schedule(seed);
  const server = await startNatsServer();
  const all: EngineProcess[] = [];
  const start = (): EngineProcess => {
    const p = startEngineProcess(server.url, SHARDS);
    all.push(p);
    return p;
  };
  let client: NatsEngineClient | null = null;
  try {
    const slots = [start(), start()];
    await slots[0].waitForOwned((o) => o.length === SHARDS / 2, 30_000);
    await slots[1].waitForOwned((o) => o.length === SHARDS / 2, 30_000);
    client = await NatsEngineClient.connect({ servers: server.url, shards: SHARDS, retryForMs: 90_000 });
    const c = client;
    for (const p of matches) {
      expect(await c.submit(p.performanceId, { type: 'openPerformance', commandId: `${p.performanceId}-open`, venue: 'stadium', spec: matchSpec(p.performanceId, p.endsAtMs) }, CARD_SALE_AT_MS - 10_000)).toMatchObject({ ok: true });
    }
    expect(await c.submit(SEASON_CARD, seasonCardProduct('create', matches), CARD_SALE_AT_MS - 5_000)).toMatchObject({ ok: true });
    for (const t of theatres) {
      expect((await c.submit(t, { type: 'openPerformance', commandId: `${t}-open`, venue: 'theatre', spec: theatreSpec(t) }, BUY_AT)).ok).toBe(true);
    }

    const cards = new Map<string, string>();
    const orders: { performanceId: string; orderId: string; seatId: string }[] = [];
    let acknowledged = 0;
    let nextEvent = 0;
    const happening: Promise<void>[] = [];
    const chains = new Map<string, Promise<void>>();
    // Events run beside the purchases (the purchase that triggers one does not wait for it).
    const succeeded = (): void => {
      acknowledged++;
      while (nextEvent < events.length && acknowledged >= events[nextEvent].atAcknowledged) {
        const event = events[nextEvent++];
        // Events on one target run one after the other: a second nats event drawn close to the
        // first restarted the server under the first one's restart (which then saw it exit), and
        // two events on one process would kill or pause the replacement the first is starting.
        const target = event.kind === 'nats' ? 'nats' : `process ${event.victim}`;
        const previous = chains.get(target) ?? Promise.resolve();
        const run = previous.then(async () => {
          if (event.kind === 'nats') {
            await server.kill9();
            await new Promise((r) => setTimeout(r, event.downMs));
            await server.restart();
            return;
          }
          if (event.kind === 'pause') {
            const paused = slots[event.victim];
            paused.pause();
            await new Promise((r) => setTimeout(r, event.pausedMs));
            paused.resume();
            return;
          }
          if (event.kind === 'stop') await slots[event.victim].stop();
          else await slots[event.victim].kill9();
          slots[event.victim] = start();
          if (event.kind === 'kill' && event.recoveryKillMs !== null) {
            await new Promise((r) => setTimeout(r, event.recoveryKillMs!));
            await slots[event.victim].kill9();
            slots[event.victim] = start();
          }
        });
        chains.set(target, run);
        happening.push(run);
      }
    };
    const buyCard = async (n: number): Promise<Result> => {
      const result = await c.submit(SEASON_CARD, { type: 'buyProduct', commandId: `card-${n}`, buyerId: `fan${n}`, seats: [seatIds[n >> 1]] }, BUY_AT);
      if (result.ok) {
        cards.set(`card-${n}`, (result as unknown as { holdingId: string }).holdingId);
        succeeded();
      }
      return result;
    };
    const buySingle = async (performanceId: string, n: number): Promise<Result> => {
      const seatNo = n % singleSeats;
      const hold = await c.submit(performanceId, { type: 'holdSeats', commandId: `${performanceId}-h${n}`, buyerId: `b${n}`, channel: 'web', seatNos: [seatNo] }, BUY_AT);
      if (!hold.ok) return hold;
      const order = await c.submit(performanceId, { type: 'confirmHold', commandId: `${performanceId}-c${n}`, buyerId: `b${n}`, holdId: (hold as HoldAccepted).holdId }, BUY_AT);
      if (order.ok) {
        orders.push({ performanceId, orderId: (order as OrderAccepted).orderId, seatId: (hold as HoldAccepted).seats[0] });
        succeeded();
      }
      return order;
    };
    const purchases: (() => Promise<Result>)[] = [];
    for (let n = 0; n < Math.max(CARDS, SINGLES); n++) {
      if (n < CARDS) purchases.push(() => buyCard(n));
      if (n < SINGLES) for (const t of theatres) purchases.push(() => buySingle(t, n));
    }
    const results: Result[] = [];
    for (let i = 0; i < purchases.length; i += WAVE) results.push(...(await Promise.all(purchases.slice(i, i + WAVE).map((buy) => buy()))));

    // Phase two, later in the year (so no shard's time runs back): pick & mix subscriptions sold
    // only from their allocation, then exchanges of a pick for the stage not taken (a saga that
    // voids one ticket and sells another), while the schedule's events go on.
    for (const p of stages) {
      expect(await c.submit(p.performanceId, { type: 'openPerformance', commandId: `${p.performanceId}-open`, venue: 'theatre', spec: stageSpec(p.performanceId, p.endsAtMs) }, PM_AT - 10_000)).toMatchObject({ ok: true });
    }
    expect(await c.submit(PICK_MIX, pickMixProduct('pm-create', allocation, stages), PM_AT - 5_000)).toMatchObject({ ok: true });
    const subscriptions = new Map<number, string>();
    const exchanged = new Set<number>();
    const subscribe = async (n: number): Promise<Result> => {
      const result = await c.submit(PICK_MIX, { type: 'buyProduct', commandId: `pm-${n}`, buyerId: `sub${n}`, picks: picksOf(n) }, PM_AT);
      if (result.ok) {
        subscriptions.set(n, (result as unknown as { holdingId: string }).holdingId);
        succeeded();
      }
      return result;
    };
    const exchange = async (n: number): Promise<Result> => {
      const command = { type: 'exchangePerformance', commandId: `pm-x-${n}`, holdingId: subscriptions.get(n)!, buyerId: `sub${n}`, fromPerformanceId: picksOf(n)[1], toPerformanceId: skippedOf(n) } as const;
      const result = await c.submit(PICK_MIX, command, PM_AT + 1);
      if (result.ok) {
        exchanged.add(n);
        succeeded();
      }
      return result;
    };
    const subscriberIds = Array.from({ length: SUBSCRIBERS }, (_, n) => n);
    const pmResults: Result[] = [];
    for (let i = 0; i < SUBSCRIBERS; i += WAVE) pmResults.push(...(await Promise.all(subscriberIds.slice(i, i + WAVE).map(subscribe))));
    const exchangers = subscriberIds.filter((n) => n % 2 === 0 && subscriptions.has(n));
    for (let i = 0; i < exchangers.length; i += WAVE) pmResults.push(...(await Promise.all(exchangers.slice(i, i + WAVE).map(exchange))));
    await Promise.all(happening);
    expect(nextEvent, `seed ${seed}: every scheduled event happened`).toBe(events.length);

    // One line a round, so that a soak shows what each seed did.
    console.log(`crash soak seed ${seed}: events ${JSON.stringify(events)}; cards ${cards.size} of ${CARDS / 2} seats, single orders ${orders.length}, subscriptions ${subscriptions.size}, exchanges ${exchanged.size}`);
    // The allocation has room for every subscription and every exchange: nothing is refused.
    expect(pmResults.filter((r) => !r.ok), `seed ${seed}: pick & mix`).toEqual([]);
    expect([subscriptions.size, exchanged.size], `seed ${seed}`).toEqual([SUBSCRIBERS, SUBSCRIBERS / 2]);
    // Every purchase was answered, and a refusal is only the contest's.
    const refusals = results.filter((r) => !r.ok).map((r) => (r.ok ? 'OK' : r.name));
    expect(refusals.filter((name) => name !== 'SEAT_NOT_AVAILABLE'), `seed ${seed}`).toEqual([]);
    // A seat contested by two card buyers goes to one of them at most, and each single seat to one.
    expect(cards.size, `seed ${seed}`).toBeLessThanOrEqual(CARDS / 2);
    expect(orders.length, `seed ${seed}`).toBe(theatres.length * singleSeats);

    const report = await c.query(SEASON_CARD, 'productReport') as { holdings: number; sagasInFlight: number; stranded: { tickets: number } };
    expect(report, `seed ${seed}`).toMatchObject({ holdings: cards.size, sagasInFlight: 0, stranded: { tickets: 0 } });
    const coordinatorHash = await c.query(SEASON_CARD, 'stateHash') as string;
    const holdingIds = new Set(cards.values());
    const cardSeat = new Map<string, string>();
    for (const [commandId, holdingId] of cards) cardSeat.set(holdingId, seatIds[Number(commandId.slice('card-'.length)) >> 1]);
    const live = new Map<string, string>();
    for (const p of matches) {
      const tickets = (await c.query(p.performanceId, 'tickets') as TicketRow[]).filter((t) => t.status === 'valid');
      const seats = new Set<string>();
      for (const t of tickets) {
        expect(seats.has(t.seatId!), `seed ${seed}: seat sold twice: ${p.performanceId}/${t.seatId}`).toBe(false);
        seats.add(t.seatId!);
        expect(holdingIds.has(t.holdingId!), `seed ${seed}: ticket of an unacknowledged holding ${t.holdingId}`).toBe(true);
        expect(t.seatId, `seed ${seed}: a card's seat`).toBe(cardSeat.get(t.holdingId!));
      }
      expect(tickets.length, `seed ${seed}: every acknowledged card has its seat on ${p.performanceId}`).toBe(cards.size);
      expect(await c.query(p.performanceId, 'seatCounts'), `seed ${seed}`).toMatchObject({ held: 0, sold: cards.size });
      live.set(p.performanceId, await c.query(p.performanceId, 'stateHash') as string);
    }
    for (const t of theatres) {
      const tickets = (await c.query(t, 'tickets') as TicketRow[]).filter((x) => x.status === 'valid');
      expect(new Set(tickets.map((x) => x.seatId)).size, `seed ${seed}: seat sold twice on ${t}`).toBe(tickets.length);
      const present = new Set(tickets.map((x) => x.orderId));
      for (const o of orders.filter((x) => x.performanceId === t)) expect(present.has(o.orderId), `seed ${seed}: acknowledged ${o.orderId}`).toBe(true);
      expect(tickets.length, `seed ${seed}`).toBe(singleSeats);
      expect(await c.query(t, 'seatCounts'), `seed ${seed}`).toMatchObject({ held: 0, sold: singleSeats });
      live.set(t, await c.query(t, 'stateHash') as string);
    }
    // Every subscription has a valid ticket on each of its picks (the exchanged one moved), on seats sold once.
    const pmReport = await c.query(PICK_MIX, 'productReport') as { holdings: number; sagasInFlight: number; stranded: { tickets: number } };
    expect(pmReport, `seed ${seed}`).toMatchObject({ holdings: SUBSCRIBERS, sagasInFlight: 0, stranded: { tickets: 0 } });
    const pmHash = await c.query(PICK_MIX, 'stateHash') as string;
    const performancesOf = new Map<string, string[]>();
    for (const p of stages) {
      const tickets = (await c.query(p.performanceId, 'tickets') as TicketRow[]).filter((t) => t.status === 'valid');
      expect(new Set(tickets.map((t) => t.seatId)).size, `seed ${seed}: seat sold twice on ${p.performanceId}`).toBe(tickets.length);
      for (const t of tickets) performancesOf.set(t.holdingId!, [...(performancesOf.get(t.holdingId!) ?? []), p.performanceId]);
      expect(await c.query(p.performanceId, 'seatCounts'), `seed ${seed}`).toMatchObject({ held: 0 });
      live.set(p.performanceId, await c.query(p.performanceId, 'stateHash') as string);
    }
    for (const [n, holdingId] of subscriptions) {
      const expected = exchanged.has(n) ? picksOf(n).map((id, i) => (i === 1 ? skippedOf(n) : id)) : picksOf(n);
      expect(performancesOf.get(holdingId)?.sort(), `seed ${seed}: ${holdingId}`).toEqual([...expected].sort());
    }
    expect(performancesOf.size, `seed ${seed}: no ticket of an unacknowledged subscription`).toBe(subscriptions.size);
    await c.close();
    client = null;
    const replayed = await replayJson(server.url, SHARDS);
    for (const [id, hash] of live) expect(replayed.performances.find((x) => x.performanceId === id)?.stateHash, `seed ${seed}: ${id} equals a clean replay`).toBe(hash);
    // The coordinator too: its holdings, ledger and finished sagas, rebuilt from the journal alone.
    expect(replayed.products, `seed ${seed}: the coordinators equal a clean replay`).toEqual([
      { productId: PICK_MIX, holdings: SUBSCRIBERS, sagasInFlight: 0, stateHash: pmHash },
      { productId: SEASON_CARD, holdings: cards.size, sagasInFlight: 0, stateHash: coordinatorHash },
    ]);
  } finally {
    await client?.close().catch(() => undefined);
    for (const p of all) await p.stop().catch(() => undefined);
    await server.stop();
  }
}

describe('crashes on a seeded schedule (real nats-server, two engine processes)', () => {
  for (let r = 0; r < ROUNDS; r++) {
    const seed = SEED + r;
    it(`seed ${seed}: ${EVENTS} crashes or restarts during single sales, contested card sagas, pick & mix subscriptions and exchanges; the books agree and equal a clean replay`, () => round(seed), 240_000);
  }
});
