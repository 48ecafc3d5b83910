// Tickets a compensation could not void (products/stranded.ts): a purchase or an exchange undone
// while one of its new tickets was scanned, listed or resold in between. The saga still ends with
// its refusal; the ticket is kept as stranded and reported, and a listed one's void is tried again
// by the ticker (tickProduct) until it goes through, cannot any more, or the performance is over.
import { describe, expect, it } from 'vitest';
import { Code, executeProduct, productFromPlain, productLimits, productNextDueAtMs, productReport, productToPlain, strandedTickets, type Command } from '../../src/domain/mod.ts';
import type { Saga } from '../../src/domain/products/state.ts';
import { dueStranded, noteUndoneVoids } from '../../src/domain/products/stranded.ts';
import {
  DAY, FIRST, HOUR, MINUTE, SALE, World, buy, buyListing, exchange, expectCode, hallLayout, holding, list, priceOf, productDef, refusal,
  resaleCard, scanHolding, schedule, stepCommands, withdraw,
} from './helpers.ts';

const hall = hallLayout();
const games = schedule(['G1', 'G2', 'G3']);
const base = priceOf(hall, 'card', 'A');
const tick = (commandId: string) => ({ type: 'tickProduct', commandId });

/**
 * A card sale refused on G3 (its hold gone before the confirm, as when it expires), with
 * `meanwhile` run on G1 just before the compensation voids G1's new ticket.
 */
function undoneSale(meanwhile: (w: World, ticketId: string, at: number) => void): { w: World; at: number } {
  const w = new World().add(games, hall);
  expectCode(w.product('CARD', resaleCard('CARD', games), 0), 'OK');
  const perform = w.local.perform.bind(w.local);
  let interfered = false;
  w.local.perform = (performanceId: string, command: Command, nowMs: number) => {
    // The confirm travels in the courier's batch (products/couriers.ts): looked for in it.
    for (const c of stepCommands(command)) {
      if (performanceId === 'G3' && c.type === 'confirmHold') expectCode(perform('G3', { type: 'releaseHold', commandId: 'gone', holdId: c.holdId, buyerId: c.buyerId } as Command, nowMs), 'OK');
    }
    if (performanceId === 'G1' && command.type === 'voidTicket' && !interfered) {
      interfered = true;
      meanwhile(w, command.ticketId, nowMs);
    }
    return perform(performanceId, command, nowMs);
  };
  const at = SALE + 1;
  const r = w.product('CARD', buy('ann', { seats: ['A-1-1'] }), at);
  expect(refusal(r).field, 'the purchase is refused for G3 all the same').toMatch(/^G3/);
  expect(w.prod('CARD').holdings.size).toBe(0);
  w.local.perform = perform;
  return { w, at };
}

/** The buyer lists the new ticket on the exchange just before the compensation's void (mid-saga: no world checks). */
const listIt = (w: World, ticketId: string, nowMs: number): void => {
  expectCode(w.local.perform('G1', { commandId: 'sell', ...list('L1', ticketId, 'ann', base) } as Command, nowMs), 'OK');
};

describe('stranded tickets - a compensation whose void is refused', () => {
  it('keeps a ticket scanned before its void as stranded, for good, and voids the others', () => {
    const { w, at } = undoneSale((world, _ticketId, nowMs) => expectCode(world.local.perform('G1', { type: 'scanHolding', commandId: 'door', holdingId: 'CARD-H1' } as Command, nowMs), 'OK'));
    const s = w.prod('CARD');
    const g1 = w.valid('G1', 'CARD-H1');
    expect(g1.map((t) => t.seatId), 'the scanned ticket stands: someone went in on it').toEqual(['A-1-1']);
    expect(w.valid('G2', 'CARD-H1'), 'the other confirm was voided').toEqual([]);
    expect(w.seat('G2', 'A-1-1')).toBe('free');
    expect(strandedTickets(s)).toEqual([{
      ticketId: g1[0].ticketId, performanceId: 'G1', holdingId: 'CARD-H1', commandId: expect.any(String), code: Code.TICKET_ALREADY_SCANNED, name: 'TICKET_ALREADY_SCANNED',
      sinceMs: at, tries: 1, retryAtMs: null,
    }]);
    expect(productReport(s).stranded).toEqual({ tickets: 1, retrying: 0, forgotten: 0 });
    expect(productNextDueAtMs(s), 'a scan cannot be undone: nothing to retry').toBe(Infinity);
  });

  it('tries a listed ticket\'s void again, later each time, until the listing is withdrawn', () => {
    const { w, at } = undoneSale(listIt);
    const s = w.prod('CARD');
    const ticketId = w.valid('G1', 'CARD-H1')[0].ticketId;
    expect(strandedTickets(s)).toMatchObject([{ ticketId, name: 'TICKET_ALREADY_LISTED', tries: 1, retryAtMs: at + MINUTE }]);
    expect(productNextDueAtMs(s)).toBe(at + MINUTE);
    expect(productReport(s).stranded).toEqual({ tickets: 1, retrying: 1, forgotten: 0 });

    // Before it is due a tick sends nothing; when due, the void is refused again: twice as long.
    const remembered = s.finished.size + s.finishedOld.size;
    expectCode(w.product('CARD', tick('t1'), at + MINUTE - 1), 'OK');
    expect(strandedTickets(s)[0].tries).toBe(1);
    expectCode(w.product('CARD', tick('t2'), at + MINUTE), 'OK');
    expect(strandedTickets(s)[0]).toMatchObject({ tries: 2, retryAtMs: at + 3 * MINUTE });
    expect(s.sagas.size, 'the retry finished').toBe(0);
    expect(s.finished.size + s.finishedOld.size, 'a tick is not remembered for retries').toBe(remembered);

    // Withdrawn: the next retry voids it, and the seat is free again on G1.
    expectCode(w.perform('G1', withdraw('L1', 'ann'), at + 2 * MINUTE), 'OK');
    expectCode(w.product('CARD', tick('t3'), at + 3 * MINUTE), 'OK');
    expect(strandedTickets(s)).toEqual([]);
    expect(w.valid('G1', 'CARD-H1')).toEqual([]);
    expect(w.seat('G1', 'A-1-1')).toBe('free');
    expect(productNextDueAtMs(s)).toBe(Infinity);
  });

  // Found in session 32: TICKET_TRANSFERRED was final, but a resale is undone as a whole when
  // the buyer's ticket is voided, and the seller's ticket is valid again: the ticket of a
  // purchase refused stood in no holding, never voided, and its holder sold it a second time.
  it('keeps retrying a resold ticket\'s void, which goes through once the resale is undone', () => {
    const sold = undoneSale(listIt);
    expectCode(sold.w.perform('G1', buyListing('L1', 'bob'), sold.at + 1), 'OK');
    expectCode(sold.w.product('CARD', tick('t1'), sold.at + MINUTE), 'OK');
    const [t] = strandedTickets(sold.w.prod('CARD'));
    expect(t).toMatchObject({ name: 'TICKET_TRANSFERRED', tries: 2, retryAtMs: sold.at + 3 * MINUTE });
    // The resale is refunded: bob's ticket voided, ann's valid again.
    const bobs = sold.w.rows('G1').find((r) => r.buyerId === 'bob' && r.status === 'valid')!;
    expectCode(sold.w.perform('G1', { type: 'voidTicket', ticketId: bobs.ticketId }, sold.at + 2 * MINUTE), 'OK');
    expect(sold.w.rows('G1').find((r) => r.ticketId === t.ticketId)?.status).toBe('valid');
    expectCode(sold.w.product('CARD', tick('t2'), sold.at + 3 * MINUTE), 'OK');
    expect(strandedTickets(sold.w.prod('CARD'))).toEqual([]);
    expect(sold.w.rows('G1').find((r) => r.ticketId === t.ticketId)?.status).toBe('void');
  });

  it('stops retrying once the performance is over', () => {

    // G1 ends at FIRST + 3 h, nine days on: hourly retries at most, and none due after the end.
    const late = undoneSale(listIt);
    const s = late.w.prod('CARD');
    let now = late.at;
    for (let i = 0; i < 400 && productNextDueAtMs(s) !== Infinity; i++) {
      now = productNextDueAtMs(s);
      expectCode(late.w.product('CARD', tick(`t${i}`), now), 'OK');
    }
    const [t] = strandedTickets(s);
    expect(t.retryAtMs).toBeNull();
    expect(now, 'the last retry before the end').toBeLessThan(FIRST + 3 * HOUR);
    expect(now + Math.min(MINUTE * 2 ** (t.tries - 1), HOUR), 'the next would have come after it').toBeGreaterThanOrEqual(FIRST + 3 * HOUR);
    expect(t.tries).toBeGreaterThan(200);
  });

  it('keeps the new ticket of an exchange undone when the holder was let in on it meanwhile', () => {
    const shows = schedule(['S1', 'S2', 'S3', 'S4', 'S5'], FIRST, 7 * DAY);
    const w = new World().add(shows, hall);
    expectCode(w.product('PM', productDef('PM', 'pickMix', shows, { min: 2, max: 3, saleEndMs: shows[4].startsAtMs }), 0), 'OK');
    const h = holding(w.product('PM', buy('ann', { picks: ['S2', 'S4'] }), SALE));
    // The old ticket on S4 was scanned: the exchange is refused, and the new one on S3 voided.
    expectCode(w.perform('S4', scanHolding(h.holdingId), SALE + 1), 'OK');
    const perform = w.local.perform.bind(w.local);
    w.local.perform = (performanceId: string, command: Command, nowMs: number) => {
      if (performanceId === 'S3' && command.type === 'voidTicket') expectCode(perform('S3', { type: 'scanHolding', commandId: 'door', holdingId: h.holdingId } as Command, nowMs), 'OK');
      return perform(performanceId, command, nowMs);
    };
    const r = w.product('PM', exchange(h.holdingId, 'ann', 'S4', 'S3'), SALE + 2);
    expect(refusal(r)).toMatchObject({ name: 'TICKET_ALREADY_SCANNED', field: 'S4:ticketIds[0]' });
    const s = w.prod('PM');
    expect(s.holdings.get(h.holdingId)?.performanceIds, 'the holding is as it was').toEqual(['S2', 'S4']);
    const s3 = w.valid('S3', h.holdingId);
    expect(s3).toHaveLength(1);
    expect(strandedTickets(s)).toMatchObject([{ ticketId: s3[0].ticketId, performanceId: 'S3', holdingId: h.holdingId, name: 'TICKET_ALREADY_SCANNED', retryAtMs: null }]);
  });
});

describe('stranded tickets - what is not stranded, and the bounds', () => {
  it('keeps nothing when the compensation finds the ticket void already', () => {
    // As when the void was applied before and its answer is not the one the saga sees (here: the
    // product's own step id, so the performance lets it through).
    const { w } = undoneSale((world, ticketId, nowMs) => expectCode(world.local.perform('G1', { type: 'voidTicket', commandId: 'CARD/99/0', ticketId } as Command, nowMs), 'OK'));
    expect(strandedTickets(w.prod('CARD'))).toEqual([]);
    expect(w.valid('G1', 'CARD-H1')).toEqual([]);
  });

  it('retries a void that said nothing of the ticket (its actor failed, or its answer is no longer kept), not one that was refused for good', () => {
    const w = new World().add(games, hall);
    expectCode(w.product('CARD', resaleCard('CARD', games), 0), 'OK');
    const s = w.prod('CARD');
    const codes = ['ACTOR_FAILED', 'COMMAND_ALREADY_APPLIED', 'TICKET_ALREADY_LISTED', 'TICKET_ALREADY_SCANNED', 'TICKET_TRANSFERRED'] as const;
    const part = { performanceId: 'G1', tickets: codes.map((_, i) => `G1-T${i}`), paidMinor: 0 };
    const saga = { command: { commandId: 'buy-1' }, making: [{ holdingId: 'CARD-H9', parts: [part] }] } as unknown as Saga;
    const results = codes.map((name, i) => ({
      performanceId: 'G1', command: { type: 'voidTicket', commandId: 'x', ticketId: `G1-T${i}` } as Command, result: { ok: false, code: Code[name], name, field: '', message: '' } as const,
    }));
    noteUndoneVoids(s, saga, results, SALE);
    expect(strandedTickets(s).map((t) => [t.name, t.retryAtMs])).toEqual([
      ['ACTOR_FAILED', SALE + MINUTE], ['COMMAND_ALREADY_APPLIED', SALE + MINUTE], ['TICKET_ALREADY_LISTED', SALE + MINUTE], ['TICKET_ALREADY_SCANNED', null], ['TICKET_TRANSFERRED', SALE + MINUTE],
    ]);
  });

  it('keeps at most strandedMax tickets, letting go of the oldest, and retries at most strandedRetryBatchMax at a time', () => {
    const w = new World().add(games, hall);
    expectCode(w.product('CARD', resaleCard('CARD', games), 0), 'OK');
    const s = w.prod('CARD');
    const n = productLimits.strandedMax + 2;
    const part = { performanceId: 'G1', tickets: Array.from({ length: n }, (_, i) => `G1-T${i}`), paidMinor: 0 };
    const saga = { command: { commandId: 'buy-1' }, making: [{ holdingId: 'CARD-H9', parts: [part] }] } as unknown as Saga;
    const listed = { ok: false, code: Code.TICKET_ALREADY_LISTED, name: 'TICKET_ALREADY_LISTED', field: 'ticketId', message: '' } as const;
    const results = part.tickets.map((ticketId) => ({ performanceId: 'G1', command: { type: 'voidTicket', commandId: 'x', ticketId } as Command, result: listed }));
    noteUndoneVoids(s, saga, results, SALE);
    expect(s.stranded.size).toBe(productLimits.strandedMax);
    expect(s.strandedForgotten).toBe(2);
    expect(s.stranded.has('G1-T0') || s.stranded.has('G1-T1'), 'the oldest two went').toBe(false);
    expect(productReport(s).stranded).toEqual({ tickets: productLimits.strandedMax, retrying: productLimits.strandedMax, forgotten: 2 });
    const due = dueStranded(s, SALE + MINUTE);
    expect(due).toHaveLength(productLimits.strandedRetryBatchMax);
    expect(due[0].ticketId, 'oldest first').toBe('G1-T2');
    expect(dueStranded(s, SALE + MINUTE - 1)).toEqual([]);
  });
});

describe('stranded tickets - snapshots and the revoid saga', () => {
  it('writes stranded tickets only when there are some, and a retry in flight survives a snapshot', () => {
    const clean = new World().add(games, hall);
    expectCode(clean.product('CARD', resaleCard('CARD', games), 0), 'OK');
    const plain = productToPlain(clean.prod('CARD')) as Record<string, unknown>;
    expect('stranded' in plain || 'strandedForgotten' in plain, 'other snapshots are unchanged').toBe(false);

    const { w, at } = undoneSale(listIt);
    const s = w.prod('CARD');
    // The retry's saga started, its void not yet answered.
    const started = executeProduct(s, { type: 'tickProduct', commandId: 'tick-1' }, at + MINUTE);
    expect(started.out.map((o) => o.t === 'send' && o.command.type)).toEqual(['voidTicket']);
    expect(productNextDueAtMs(s), 'no second retry while one runs').toBe(Infinity);
    const back = productFromPlain(JSON.parse(JSON.stringify(productToPlain(s))));
    expect(productToPlain(back)).toEqual(productToPlain(s));
    expect(back.revoidSaga).toBe(s.revoidSaga);
    expect(back.running.size, 'not a client command: no retry joins it').toBe(0);
    const o = started.out[0];
    if (o.t !== 'send') throw new Error('a step');
    const answer = w.local.perform('G1', o.command, at + MINUTE);
    expect(answer).toMatchObject({ ok: false, name: 'TICKET_ALREADY_LISTED' });
    executeProduct(back, { type: 'stepResult', commandId: 'r1', saga: o.saga, step: o.step, result: answer }, at + MINUTE);
    expect(back.revoidSaga).toBeNull();
    expect(strandedTickets(back)).toMatchObject([{ tries: 2, retryAtMs: at + 3 * MINUTE }]);
  });
});
