// Products through the runtime: coordinators are actors like performances, their saga steps are
// journaled commands routed by the router, and a client is answered when the saga finishes.
// A restart on the same journal resumes sagas cut off mid-way (pendingSteps are sent again).
import { describe, expect, it } from 'vitest';
import { BinaryOp, commandWords, NO_STRING, type Result, type TicketRow } from '../../src/domain/mod.ts';
import { EmbeddedBus, Shard, VenueCatalog, type Engine, type EngineCommand, type ShardOutbox } from '../../src/runtime/mod.ts';
import { CARD_SALE_AT_MS, matchSpec, seasonCardProduct, SEASON_CARD, SINGLE_SALE_AT_MS } from '../../src/sim/season-setup.ts';
import { buy, layout, matches, seat, setUp } from './season-fixture.ts';
import { engines, expectCode, expectOk, tickets } from './helpers.ts';
import { stepCommands } from '../products/helpers.ts';

const { start, stop } = engines();

async function allTickets(engine: Engine): Promise<TicketRow[]> {
  return (await Promise.all(matches.map((p) => tickets(engine, p.performanceId)))).flat();
}

function seatsSoldOnce(rows: TicketRow[]): void {
  const seen = new Set<string>();
  for (const r of rows.filter((t) => t.status === 'valid')) {
    const key = `${r.performanceId}/${r.seatId}`;
    expect(seen.has(key), `${key} sold twice`).toBe(false);
    seen.add(key);
  }
}

describe('products in the runtime', () => {
  it('answers a card purchase when its saga has finished on every performance', async () => {
    const engine = await start({ workers: 2, shards: 4 });
    await setUp(engine);
    const result = await engine.submit(SEASON_CARD, buy('b1', 'alice', [seat(100)]), CARD_SALE_AT_MS);
    expect(result).toMatchObject({ ok: true, holdingId: `${SEASON_CARD}-H1`, seats: [seat(100)] });
    const rows = await allTickets(engine);
    expect(rows.map((r) => [r.performanceId, r.seatId, r.productId, r.holdingId, r.buyerId])).toEqual(
      matches.map((p) => [p.performanceId, seat(100), SEASON_CARD, `${SEASON_CARD}-H1`, 'alice']),
    );
    // The retry of the same command gets the same outcome and sells nothing more.
    expect(await engine.submit(SEASON_CARD, buy('b1', 'alice', [seat(100)]), CARD_SALE_AT_MS + 1)).toEqual(result);
    expect((await allTickets(engine)).length).toBe(matches.length);
  });

  it('sells a contested seat as one card only, and leaves nothing of the refused ones', async () => {
    const engine = await start({ workers: 2, shards: 4 });
    await setUp(engine);
    // A single ticket on the last match takes seat 7 there: no card may have seat 7.
    expectOk(await engine.submit(matches[3].performanceId, { type: 'holdSeats', commandId: 'single', buyerId: 'x', channel: 'box', seats: [seat(7)] }, SINGLE_SALE_AT_MS));
    const results = await Promise.all([
      ...Array.from({ length: 6 }, (_, i) => engine.submit(SEASON_CARD, buy(`c${i}`, `buyer${i}`, [seat(3)]), SINGLE_SALE_AT_MS)),
      engine.submit(SEASON_CARD, buy('c7', 'buyer7', [seat(7)]), SINGLE_SALE_AT_MS),
    ]);
    expect(results.filter((r) => r.ok).length).toBe(1);
    for (const r of results.filter((x): x is Extract<Result, { ok: false }> => !x.ok)) expect(r.name).toBe('SEAT_NOT_AVAILABLE');
    const rows = await allTickets(engine);
    seatsSoldOnce(rows);
    expect(rows.filter((r) => r.seatId === seat(3)).length).toBe(matches.length);
    expect(rows.filter((r) => r.seatId === seat(7)).length).toBe(0);
    const counts = await Promise.all(matches.map((p) => engine.query(p.performanceId, 'seatCounts')));
    // Nothing left held by the refused sagas (the single ticket's hold on the last match stays).
    expect(counts.map((c) => (c as { held: number }).held)).toEqual([0, 0, 0, 1]);
    expect(await engine.query(SEASON_CARD, 'productReport')).toMatchObject({ holdings: 1, sagasInFlight: 0 });
  });

  it('refuses product commands with typed codes through the router', async () => {
    const engine = await start({ workers: 1, shards: 2 });
    await setUp(engine);
    expectCode(await engine.submit(SEASON_CARD, buy('early', 'a', [seat(1)]), CARD_SALE_AT_MS - 1), 'PRODUCT_SALE_CLOSED');
    expectCode(await engine.submit('NO-SUCH', { type: 'buyProduct', commandId: 'x', buyerId: 'a' }, CARD_SALE_AT_MS), 'PRODUCT_UNKNOWN');
    expectCode(await engine.submit(matches[0].performanceId, seasonCardProduct('again', matches), CARD_SALE_AT_MS), 'COMMAND_INVALID');
  });

  // A saga cut off mid-way by a crash is resumed from the journal: rules-sagas.test.ts. (Until
  // session 31 this test claimed that; its saga had finished before the stop.)
  it('answers a finished purchase\'s retry with its first outcome after a restart on the same journal', async () => {
    const bus = new EmbeddedBus({ keepJournal: true });
    const first = await start({ workers: 1, shards: 2, bus });
    await setUp(first);
    const done = await first.submit(SEASON_CARD, buy('b1', 'alice', [seat(50)]), CARD_SALE_AT_MS);
    expectOk(done);
    await stop(first);
    const second = await start({ workers: 1, shards: 2, bus });
    expect(await second.submit(SEASON_CARD, buy('b1', 'alice', [seat(50)]), CARD_SALE_AT_MS + 1)).toEqual(done);
    seatsSoldOnce(await allTickets(second));
    expect((await allTickets(second)).length).toBe(matches.length);
  });
});

// A product's hold skips the channel's sale window, takes from the product's allocation and
// renewal reservation, and may be confirmed complimentary; a saga step's id lets a performance void
// the product's tickets. Only the coordinators' own steps may do either: a client is refused at
// the engine's door, and the coordinators' steps still go through.
describe('products in the runtime - what only a coordinator may send', () => {
  it('refuses a client\'s product hold and a client\'s step-shaped id (PRODUCT_STEP_ONLY), and changes nothing', async () => {
    const engine = await start({ workers: 1, shards: 2 });
    await setUp(engine);
    const card = await engine.submit(SEASON_CARD, buy('b1', 'alice', [seat(100)]), CARD_SALE_AT_MS);
    expect(card).toMatchObject({ ok: true, seats: [seat(100)] });
    const first = matches[0].performanceId;
    const forged: EngineCommand = { type: 'holdSeats', commandId: 'sneaky', buyerId: 'mallory', channel: 'box', seats: [seat(101)], productId: SEASON_CARD, holdingId: `${SEASON_CARD}-H1` };
    expectCode(await engine.submit(first, forged, CARD_SALE_AT_MS), 'PRODUCT_STEP_ONLY');
    expectCode(await engine.submit(first, { type: 'holdBestAvailable', commandId: 'sneaky2', buyerId: 'mallory', channel: 'box', count: 1, holdingId: 'X' }, CARD_SALE_AT_MS), 'PRODUCT_STEP_ONLY');
    // The same hold as a named record of a client's binary batch (what a courier sends), behind a plain one.
    const session = await engine.submit(first, { type: 'openSession', commandId: 'mallory-session', clientId: 'mallory' }, CARD_SALE_AT_MS) as { sessionNo: number };
    const plain = [BinaryOp.HOLD_SEATS_NAMED, NO_STRING, 0, NO_STRING, 1, NO_STRING, 1, 2];
    const named = [BinaryOp.HOLD_SEATS_NAMED, 3, 0, 4, 1, NO_STRING, 1, 2];
    const words = commandWords([plain, named]);
    const strings = ['mallory', 'box', seat(101), SEASON_CARD, `${SEASON_CARD}-H1`];
    const batch: EngineCommand = { type: 'commandBatch', commandId: 'sneaky3', sessionNo: session.sessionNo, requestNo: 1, count: 2, words: new Uint8Array(words.buffer), strings };
    expect(await engine.submit(first, batch, CARD_SALE_AT_MS)).toMatchObject({ ok: false, name: 'PRODUCT_STEP_ONLY', field: 'words' });
    const ticket = (await allTickets(engine)).find((t) => t.performanceId === first)!;
    const voided = await engine.submit(first, { type: 'voidTicket', commandId: `${SEASON_CARD}/0/1`, ticketId: ticket.ticketId }, CARD_SALE_AT_MS);
    expect(voided).toMatchObject({ ok: false, name: 'PRODUCT_STEP_ONLY', field: 'commandId' });
    const rows = await allTickets(engine);
    expect(rows.map((t) => [t.seatId, t.status, t.buyerId])).toEqual(matches.map(() => [seat(100), 'valid', 'alice']));
    expect(await engine.query(first, 'seatCounts')).toMatchObject({ held: 0, sold: 1 });
    // The coordinator's own steps still pass: a second card sells.
    expect(await engine.submit(SEASON_CARD, buy('b2', 'bob', [seat(101)]), CARD_SALE_AT_MS + 1)).toMatchObject({ ok: true, seats: [seat(101)] });
  });
});

describe('a shard resumes sagas from its snapshot', () => {
  it('lists the unanswered steps again, and finishes the saga with them', () => {
    const config = { shard: 0, venues: new VenueCatalog(), dedupeWindowMs: 600_000, dedupeEntriesMax: 10_000 };
    const shard = new Shard(config);
    const t = CARD_SALE_AT_MS - 10_000;
    for (const p of matches) shard.applyOne(p.performanceId, t, { type: 'openPerformance', commandId: `${p.performanceId}-open`, venue: 'stadium', spec: matchSpec(p.performanceId, p.endsAtMs) });
    // The coordinator and its performances share this one shard here; the router's part is played by hand.
    const run = (s: Shard, outbox: ShardOutbox, upTo: number): ShardOutbox => {
      const next: ShardOutbox = [];
      let n = 0;
      for (const [productId, nowMs, action] of outbox) {
        if (action.t !== 'send' || n++ >= upTo) continue;
        const result = s.applyOne(action.to, nowMs, action.command) as Result;
        s.applyOne(productId, nowMs, { type: 'stepResult', commandId: `${action.command.commandId}>`, saga: action.saga, step: action.step, result });
        next.push(...s.takeOutbox());
      }
      return next;
    };
    shard.applyOne(SEASON_CARD, t, seasonCardProduct('create', matches));
    let outbox = shard.takeOutbox();
    while (outbox.length > 0) outbox = run(shard, outbox, Infinity);
    expect(shard.applyOne(SEASON_CARD, CARD_SALE_AT_MS, buy('b1', 'bob', [seat(9)]))).toMatchObject({ ok: true, pending: true });
    // The holds travel in the matches' couriers (domain/products/couriers.ts), which open their
    // sessions first. Two of the four sessions are answered, and those two couriers send their
    // batches of holds; one of them is applied, its report lost: the process "dies" (snapshot and
    // restore) with two openings and two batches unanswered.
    const batches = run(shard, shard.takeOutbox(), 2).filter(([, , a]) => a.t === 'send');
    expect(batches.map(([, , a]) => (a.t === 'send' ? a.command.type : a.t))).toEqual(['commandBatch', 'commandBatch']);
    const [, appliedAt, applied] = batches[0];
    if (applied.t !== 'send') throw new Error('a send');
    expect(shard.applyOne(applied.to, appliedAt, applied.command)).toMatchObject({ ok: true, retried: false });
    const restored = Shard.restore(config, shard.snapshot());
    const pending = restored.pendingSteps();
    expect(pending.map(([, , a]) => (a.t === 'send' ? a.command.type : a.t))).toEqual(['openSession', 'openSession', 'commandBatch', 'commandBatch']);
    outbox = pending;
    let finished: Result | null = null;
    for (let rounds = 0; outbox.length > 0 && rounds < 10; rounds++) {
      outbox = run(restored, outbox, Infinity);
      for (const [, , a] of outbox) if (a.t === 'done') finished = a.result;
    }
    expect(finished).toMatchObject({ ok: true, seats: [seat(9)] });
    // Re-sending the batch the performance already applied gets its first reply from the
    // session (no second hold): every match sold the seat once.
    for (const p of matches) expect(restored.query(p.performanceId, 'seatCounts', null)).toEqual({ free: layout.capacity - 1, held: 0, sold: 1, blocked: 0 });
  });
});

describe('a shard retries a stranded ticket\'s void on its ticks', () => {
  // The race of products/stranded.ts with the router played by hand: the card's confirm is refused
  // on the last match (its hold gone), and the buyer lists the new ticket of the first match on
  // the exchange just before the compensation's void reaches it.
  it('keeps the listed ticket as stranded, and voids it at the first due tick after the listing is withdrawn', () => {
    const config = { shard: 0, venues: new VenueCatalog(), dedupeWindowMs: 600_000, dedupeEntriesMax: 10_000 };
    const shard = new Shard(config);
    for (const p of matches) shard.applyOne(p.performanceId, CARD_SALE_AT_MS - 10_000, { type: 'openPerformance', commandId: `${p.performanceId}-open`, venue: 'stadium', spec: matchSpec(p.performanceId, p.endsAtMs) });
    const [first, last] = [matches[0].performanceId, matches[3].performanceId];
    const at = SINGLE_SALE_AT_MS;
    let listed = false;
    const route = (outbox: ShardOutbox): void => {
      for (let i = 0; i < outbox.length; i++) {
        const [productId, nowMs, action] = outbox[i];
        if (action.t !== 'send') continue;
        const c = action.command;
        // The confirm travels in the courier's batch (domain/products/couriers.ts): looked for in it.
        for (const named of stepCommands(c)) {
          if (action.to === last && named.type === 'confirmHold') expectOk(shard.applyOne(last, nowMs, { type: 'releaseHold', commandId: 'gone', holdId: named.holdId, buyerId: named.buyerId }) as Result);
        }
        if (action.to === first && c.type === 'voidTicket' && !listed) {
          listed = true;
          expectOk(shard.applyOne(first, nowMs, { type: 'listResale', commandId: 'sell', listingId: 'L1', ticketId: c.ticketId, sellerId: 'bob', channel: 'web', priceMinor: 5_000 }) as Result);
        }
        const result = shard.applyOne(action.to, nowMs, c) as Result;
        shard.applyOne(productId, nowMs, { type: 'stepResult', commandId: `${c.commandId}>`, saga: action.saga, step: action.step, result });
        outbox.push(...shard.takeOutbox());
      }
    };
    shard.applyOne(SEASON_CARD, CARD_SALE_AT_MS - 5_000, seasonCardProduct('create', matches));
    route(shard.takeOutbox());
    expect(shard.applyOne(SEASON_CARD, at, buy('b1', 'bob', [seat(9)]))).toMatchObject({ ok: true, pending: true });
    const outbox = shard.takeOutbox();
    route(outbox);
    expect(outbox.find(([, , a]) => a.t === 'done')?.[2]).toMatchObject({ result: { ok: false, name: 'HOLD_RELEASED' } });
    const stranded = () => shard.query(SEASON_CARD, 'strandedTickets', null) as { ticketId: string; name: string; tries: number; retryAtMs: number | null }[];
    expect(stranded()).toMatchObject([{ ticketId: `${first}-T0`, name: 'TICKET_ALREADY_LISTED', tries: 1, retryAtMs: at + 60_000 }]);

    // A tick before it is due sends nothing; one at the time sends the void again.
    shard.applyOne('', at + 59_999, { type: 'tickDue', commandId: 'tick-1' });
    expect(shard.takeOutbox()).toEqual([]);
    shard.applyOne('', at + 60_000, { type: 'tickDue', commandId: 'tick-2' });
    const retry = shard.takeOutbox();
    expect(retry.map(([, , a]) => (a.t === 'send' ? [a.to, a.command.type] : a.t))).toEqual([[first, 'voidTicket']]);
    route(retry);
    expect(stranded()).toMatchObject([{ tries: 2, retryAtMs: at + 180_000 }]);

    // The listing withdrawn: the next due tick voids the ticket, and a restored shard agrees.
    expectOk(shard.applyOne(first, at + 100_000, { type: 'withdrawResale', commandId: 'unsell', listingId: 'L1', sellerId: 'bob' }) as Result);
    const restored = Shard.restore(config, shard.snapshot());
    expect(restored.query(SEASON_CARD, 'strandedTickets', null)).toEqual(stranded());
    shard.applyOne('', at + 180_000, { type: 'tickDue', commandId: 'tick-3' });
    route(shard.takeOutbox());
    expect(stranded()).toEqual([]);
    expect(shard.query(SEASON_CARD, 'productReport', null)).toMatchObject({ holdings: 0, sagasInFlight: 0, stranded: { tickets: 0, retrying: 0, forgotten: 0 } });
    expect(shard.query(first, 'seatCounts', null)).toEqual({ free: layout.capacity, held: 0, sold: 0, blocked: 0 });
  });
});
