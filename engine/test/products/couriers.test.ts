// Couriers (products/couriers.ts, PRODUCTS.md *Couriers*): a purchase's holds of explicit seats,
// and their confirms and releases, travel to each performance as `commandBatch` steps of named
// records in a client session of the product's own (`product/<productId>`), one request in flight
// per courier. These tests watch what the performances receive and check that the batches change
// nothing of the outcomes: the same codes, holdings and tickets as steps sent one by one; the
// fallback when the performance has no session to give; a batch refused whole; a courier with a
// batch in flight carried through the coordinator's snapshot.
import { describe, expect, it } from 'vitest';
import {
  Code, executeProduct, limits, pendingSteps, productFromPlain, productReport, productToPlain,
  type Command, type Outbound, type ProductCommand, type ProductState, type Rejection, type Result,
} from '../../src/domain/mod.ts';
import { SESSION_REFUSED } from '../../src/domain/products/couriers.ts';
import { pack, packr } from '../../src/runtime/wire.ts';
import { SALE, SINGLE, World, buy, checkWorld, expectCode, hallLayout, hold, holding, productDef, refusal, schedule, stepCommands } from './helpers.ts';

const hall = hallLayout();
const games = schedule(['G1', 'G2', 'G3']);
const ids = games.map((g) => g.performanceId);
const CARD = 'CARD';

function cardWorld(): World {
  const w = new World().add(games, hall);
  expectCode(w.product(CARD, productDef(CARD, 'seasonCard', games), 0), 'OK');
  return w;
}

type Sent = { to: string; command: Command; result: Result };

/** Records every step the performances receive from now on, with its answer. */
function recordSteps(w: World): Sent[] {
  const sent: Sent[] = [];
  const perform = w.local.perform.bind(w.local);
  w.local.perform = (to, command, nowMs) => {
    const result = perform(to, command, nowMs);
    sent.push({ to, command, result });
    return result;
  };
  return sent;
}

const on = (sent: Sent[], to: string): Sent[] => sent.filter((x) => x.to === to);
const types = (sent: Sent[]): string[] => sent.map((x) => x.command.type);
/** The kinds of the object commands the steps stand for, batches expanded. */
const recordTypes = (sent: Sent[]): string[] => sent.flatMap((x) => stepCommands(x.command).map((c) => c.type));
const batchOf = (c: Command) => c as Extract<Command, { type: 'commandBatch' }>;

/** Every performance sold the holding's seats to it, one valid card ticket per seat, and the result names those tickets. */
function expectSold(w: World, h: ReturnType<typeof holding>, seats: string[]): void {
  for (const p of ids) {
    const mine = w.valid(p, h.holdingId);
    expect(mine.map((t) => [t.seatId, t.productId, t.ticketType]).sort(), p).toEqual(seats.map((seat) => [seat, CARD, 'card']).sort());
    expect([...h.performances.find((x) => x.performanceId === p)!.tickets].sort(), p).toEqual(mine.map((t) => t.ticketId).sort());
  }
}

describe('couriers - a purchase\'s steps as batches in a session of the product\'s own', () => {
  it('opens one session per performance, then sends the holds and the confirms as named records, one request after the other', () => {
    const w = cardWorld();
    const sent = recordSteps(w);
    const seats = ['A-1-3', 'A-1-4'];
    const h = holding(expectCode(w.product(CARD, buy('ann', { seats }), SALE), 'OK'));
    for (const p of ids) {
      const mine = on(sent, p);
      // One purchase at a time: each batch is a batch of one (the hold, then its confirm).
      expect(types(mine), p).toEqual(['openSession', 'commandBatch', 'commandBatch']);
      expect(mine[0].command).toMatchObject({ clientId: `product/${CARD}` });
      const sessionNo = (mine[0].result as { sessionNo: number }).sessionNo;
      expect(mine.slice(1).map((x) => [batchOf(x.command).sessionNo, batchOf(x.command).requestNo, batchOf(x.command).count]), p).toEqual([[sessionNo, 1, 1], [sessionNo, 2, 1]]);
      expect(stepCommands(mine[1].command), p).toEqual([expect.objectContaining({ type: 'holdSeats', productId: CARD, holdingId: h.holdingId, buyerId: 'ann', channel: 'box', ticketType: 'card', seats })]);
      // The confirm names the hold the first batch made there (`#slot.binaryNo`).
      expect(stepCommands(mine[2].command), p).toEqual([expect.objectContaining({ type: 'confirmHold', buyerId: 'ann', holdId: expect.stringMatching(/^#\d+\.\d+$/) })]);
    }
    expectSold(w, h, seats);
    // The next purchase uses the same sessions: no opening, requests 3 and 4.
    sent.length = 0;
    const h2 = holding(expectCode(w.product(CARD, buy('bob', { seats: ['B-2-2'] }), SALE + 1), 'OK'));
    for (const p of ids) expect(on(sent, p).map((x) => [x.command.type, batchOf(x.command).requestNo]), p).toEqual([['commandBatch', 3], ['commandBatch', 4]]);
    expectSold(w, h2, ['B-2-2']);
    // Courier sagas are not sales, and none is left once the purchases are answered.
    const s = w.prod(CARD);
    expect(productReport(s).sagasInFlight).toBe(0);
    expect(s.sagas.size).toBe(0);
    for (const p of ids) expect(s.couriers.get(p), p).toMatchObject({ busy: false, queue: [], requestNo: 4 });
  });

  it('batches purchases that arrive together and ends exactly as the same purchases made one by one', () => {
    // Twenty one-seat cards; B-1-1 is held by a single-ticket buyer on G2 beforehand, so the
    // purchase asking for it (u18) is refused there and its holds on G1 and G3 are released.
    const seats = [...Array.from({ length: 18 }, (_, i) => `A-${Math.floor(i / 6) + 1}-${(i % 6) + 1}`), 'B-1-1', 'B-1-2'];
    const at = SINGLE + 1;
    const setUp = (): World => {
      const w = cardWorld();
      expectCode(w.perform('G2', hold('walk-in', ['B-1-1']), SINGLE), 'OK');
      return w;
    };
    const cmds = (): ProductCommand[] => seats.map((seat, i) => ({ type: 'buyProduct', commandId: `b${i}`, buyerId: `u${i}`, seats: [seat] }) as ProductCommand);
    const w = setUp();
    const twin = setUp();
    const sent = recordSteps(w);
    const twinSent = recordSteps(twin);
    const many = w.local.productMany(CARD, cmds(), at);
    checkWorld(w.local, 'productMany');
    const one = cmds().map((c) => twin.local.product(CARD, c, at));
    checkWorld(twin.local, 'one by one');
    expect(many).toEqual(one);
    seats.forEach((_, i) => expectCode(many[i], i === 18 ? 'SEAT_NOT_AVAILABLE' : 'OK', `u${i}`));
    expect(refusal(many[18]).field).toMatch(/^G2/);
    for (const p of ids) {
      const mine = on(sent, p);
      const batches = mine.filter((x) => x.command.type === 'commandBatch');
      // Steps queued while a request was away go in the next one: batches of many records, far
      // fewer steps than the twin's one hold and one confirm per purchase.
      expect(types(mine)[0], p).toBe('openSession');
      expect(batches.length, p).toBe(mine.length - 1);
      for (const b of batches) expect(batchOf(b.command).count, p).toBeGreaterThan(1);
      expect(mine.length, p).toBeLessThan(on(twinSent, p).length / 5);
      // The records are the steps all the same: 20 holds, 19 confirms, and on G1 and G3 the release of the refused purchase's hold.
      const kinds = recordTypes(mine);
      expect([kinds.filter((k) => k === 'holdSeats').length, kinds.filter((k) => k === 'confirmHold').length, kinds.filter((k) => k === 'releaseHold').length], p)
        .toEqual([20, 19, p === 'G2' ? 0 : 1]);
      // Same tickets (ids, seats, holdings, orders) and same seat states as the twin's.
      expect(w.rows(p), p).toEqual(twin.rows(p));
      expect(Array.from(w.perf(p).seatState), p).toEqual(Array.from(twin.perf(p).seatState));
      // Nothing of the refused purchase anywhere: no hold of the product, no ticket, B-1-1 free where it was held for it.
      expect(w.openHolds(p, CARD), p).toEqual([]);
      expect(w.rows(p).filter((t) => t.buyerId === 'u18'), p).toEqual([]);
      expect(w.seat(p, 'B-1-1'), p).toBe(p === 'G2' ? 'held' : 'free');
    }
    expect(productReport(w.prod(CARD)).sagasInFlight).toBe(0);
    expect(w.prod(CARD).holdings.size).toBe(19);
  });
});

describe('couriers - when a session or a batch is refused', () => {
  it('sends each step as its own command to a performance with no session left to give', () => {
    const w = cardWorld();
    // Other clients take every session G2 has, before the product's first purchase.
    for (let i = 0; i < limits.sessionsPerPerformanceMax; i++) expectCode(w.perform('G2', { type: 'openSession', clientId: `client-${i}` }, SALE), 'OK');
    const sent = recordSteps(w);
    const h = holding(expectCode(w.product(CARD, buy('ann', { seats: ['A-2-2'] }), SALE), 'OK'));
    expect(types(on(sent, 'G2'))).toEqual(['openSession', 'holdSeats', 'confirmHold']);
    expectCode(on(sent, 'G2')[0].result, 'SESSIONS_LIMIT_REACHED');
    expect(on(sent, 'G2')[1].command).toMatchObject({ productId: CARD, holdingId: h.holdingId, buyerId: 'ann', seats: ['A-2-2'] });
    // Queued without an id (a record needs none), each step gets the one it would have had.
    const linkNo = w.prod(CARD).links.get('G2')!.linkNo;
    const ids = on(sent, 'G2').slice(1).map((x) => x.command.commandId);
    for (const id of ids) expect(id).toMatch(new RegExp(`^~${linkNo}/\\d+/\\d+$`));
    expect(new Set(ids).size).toBe(2);
    for (const p of ['G1', 'G3']) expect(types(on(sent, p)), p).toEqual(['openSession', 'commandBatch', 'commandBatch']);
    expectSold(w, h, ['A-2-2']);
    expect(w.prod(CARD).couriers.get('G2')?.sessionNo).toBe(SESSION_REFUSED);
    // The refusal is remembered: the next purchase does not ask G2 for a session again.
    sent.length = 0;
    const h2 = holding(expectCode(w.product(CARD, buy('bob', { seats: ['A-2-3'] }), SALE + 1), 'OK'));
    expect(types(on(sent, 'G2'))).toEqual(['holdSeats', 'confirmHold']);
    expect(types(on(sent, 'G1'))).toEqual(['commandBatch', 'commandBatch']);
    expectSold(w, h2, ['A-2-3']);
  });

  // TIME_REGRESSED is taken as the steps' result (OVERLOADED would be retried by the runtime);
  // SESSION_UNKNOWN also says the performance lost the session: the courier opens it again.
  it.each([['TIME_REGRESSED', false], ['SESSION_UNKNOWN', true]] as const)('a batch refused whole with %s refuses its steps, undoes the others, and the next purchase goes through', (name, reopens) => {
    const w = cardWorld();
    const perform = w.local.perform.bind(w.local);
    let g2Batches = 0;
    w.local.perform = (to, command, nowMs) => {
      if (to === 'G2' && command.type === 'commandBatch' && g2Batches++ === 0) return { ok: false, code: Code[name], name, field: '', message: 'refused whole' } as Rejection;
      return perform(to, command, nowMs);
    };
    const sent = recordSteps(w);
    const seats = ['A-1-1', 'A-1-2'];
    const r = refusal(w.product(CARD, buy('ann', { seats }), SALE));
    expect(r).toMatchObject({ name, field: 'G2' });
    expect(w.prod(CARD).holdings.size).toBe(0);
    for (const p of ids) {
      expect(w.rows(p), p).toEqual([]);
      for (const seat of seats) expect(w.seat(p, seat), `${p} ${seat}`).toBe('free');
    }
    // G1's and G3's holds were released through their couriers.
    for (const p of ['G1', 'G3']) {
      expect(types(on(sent, p)), p).toEqual(['openSession', 'commandBatch', 'commandBatch']);
      expect(recordTypes(on(sent, p)), p).toEqual(['openSession', 'holdSeats', 'releaseHold']);
    }
    // The refused request was never applied: the courier's next request is G2's request 1 again.
    sent.length = 0;
    const h = holding(expectCode(w.product(CARD, buy('bob', { seats }), SALE + 1), 'OK'));
    expect(types(on(sent, 'G2'))).toEqual(reopens ? ['openSession', 'commandBatch', 'commandBatch'] : ['commandBatch', 'commandBatch']);
    expect(on(sent, 'G2').filter((x) => x.command.type === 'commandBatch').map((x) => batchOf(x.command).requestNo)).toEqual([1, 2]);
    expectSold(w, h, seats);
    expect(productReport(w.prod(CARD)).sagasInFlight).toBe(0);
  });
});

describe('couriers - snapshot with a batch in flight', () => {
  it('restores a courier with a batch in flight and steps queued, and goes on exactly as the original', () => {
    const w = cardWorld();
    const s = w.prod(CARD);
    const at = SALE;
    let n = 0;
    const buyCmd = (buyerId: string, seat: string): ProductCommand => ({ type: 'buyProduct', commandId: `buy-${buyerId}`, buyerId, seats: [seat] }) as ProductCommand;
    const report = (o: Outbound & { t: 'send' }, result: Result): ProductCommand => ({ type: 'stepResult', commandId: `r${n++}`, saga: o.saga, step: o.step, result }) as ProductCommand;
    // ann's purchase: the couriers open their sessions; answering the openings sends ann's holds.
    const openings = executeProduct(s, buyCmd('ann', 'A-1-1'), at).out;
    expect(openings.map((o) => o.t === 'send' && o.command.type)).toEqual(['openSession', 'openSession', 'openSession']);
    const queue: Outbound[] = [];
    for (const o of openings) if (o.t === 'send') queue.push(...executeProduct(s, report(o, w.local.perform(o.to, o.command, at)), at).out);
    expect(queue.map((o) => o.t === 'send' && o.command.type)).toEqual(['commandBatch', 'commandBatch', 'commandBatch']);
    // bob's purchase meanwhile: every courier is busy, so his holds wait in their queues.
    const bob = executeProduct(s, buyCmd('bob', 'A-1-2'), at);
    expect(bob.out).toEqual([]);
    const bobSaga = (bob.result as { saga: number }).saga;
    ids.forEach((p, i) => expect(s.couriers.get(p), p).toMatchObject({ busy: true, queue: [bobSaga, i] }));
    // The runtime's own round trip (msgpack, as actor.ts keeps a product).
    const t: ProductState = productFromPlain(packr.unpack(pack(productToPlain(s))));
    expect(productToPlain(t)).toEqual(productToPlain(s));
    expect(t.couriers).toEqual(s.couriers);
    expect(pendingSteps(t), 'the batches in flight are what a restart sends again').toEqual(pendingSteps(s));
    expect(productReport(t)).toEqual(productReport(s));
    expect(productReport(t).sagasInFlight).toBe(2);
    // Both go on with the same answers: each step's answer is reported to both, and each sends the same next steps.
    const outcomes = new Map<string, Result>();
    for (let i = 0; i < queue.length; i++) {
      const o = queue[i];
      if (o.t === 'done') {
        outcomes.set(o.commandId, o.result);
        continue;
      }
      const result = w.local.perform(o.to, o.command, at);
      const step = report(o, result);
      const a = executeProduct(s, step, at);
      const b = executeProduct(t, structuredClone(step), at);
      expect(b.out, `after ${o.command.type} to ${o.to}`).toEqual(a.out);
      queue.push(...a.out);
    }
    expect(productToPlain(t)).toEqual(productToPlain(s));
    expectSold(w, holding(expectCode(outcomes.get('buy-ann')!, 'OK')), ['A-1-1']);
    expectSold(w, holding(expectCode(outcomes.get('buy-bob')!, 'OK')), ['A-1-2']);
    expect(productReport(t).sagasInFlight).toBe(0);
    checkWorld(w.local, 'after the restored purchases');
  });
});
