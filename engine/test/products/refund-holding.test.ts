// Refunds of a holding (refundHolding, PRODUCTS.md "Refunds"): the organizer takes back a season
// card or a subscription. Its tickets on every performance not yet started are voided (their
// seats free again), the parts played stay paid, and the ledger books back what the holding paid
// for the refunded parts, at the refund (continuous) or at each performance's end (afterEach),
// never changing what was payable before. A part its performance will not void (resold, listed,
// scanned early) stays in the holding; a refunded holding is not a holder any more.
import { describe, expect, it } from 'vitest';
import {
  Code, executeProduct, isPending, productEntries, productHoldings, productReport, settlementFacts, settlementReport, splitEvenly,
  type Command, type ProductCommand, type Rejection, type Result,
} from '../../src/domain/mod.ts';
import {
  DAY, FIRST, HOUR, SALE, SINGLE, World, buy, buyListing, driveSteps, exchange, expectCode, hallLayout, holding, linkLater, list, ok, play, priceOf,
  productDef, refusal, resaleCard, scanHolding, schedule, sellSingle, standingLayout, unchanged, withdraw,
} from './helpers.ts';

const hall = hallLayout();
const games = schedule(['G1', 'G2', 'G3']);
const ids = games.map((g) => g.performanceId);
/** G3 costs 1 % more, so parts differ and 3 does not divide a card's price. */
const pcts = [100, 100, 101];
const cardA = pcts.map((p) => priceOf(hall, 'card', 'A', p));
const cardB = pcts.map((p) => priceOf(hall, 'card', 'B', p));
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

interface Refunded { ok: true; productId: string; holdingId: string; refundedMinor: number; performances: string[]; kept: { performanceId: string; code: number; name: string }[] }

const refund = (holdingId: string, more: object = {}): object => ({ type: 'refundHolding', holdingId, ...more });

function world(more: object = {}): World {
  const w = new World();
  games.forEach((g, i) => w.add([g], hall, { pricePct: pcts[i], ...more }));
  return w;
}

/** What the coordinator's ledger books per performance for one product. */
function ledger(w: World, productId: string): Map<string, number> {
  const booked = new Map<string, number>();
  for (const e of productEntries(w.prod(productId))) booked.set(e.performanceId, (booked.get(e.performanceId) ?? 0) + e.amountMinor);
  return booked;
}

/** What one holding books in all. */
const bookedFor = (w: World, productId: string, holdingId: string): number => sum(productEntries(w.prod(productId)).filter((e) => e.ref === holdingId).map((e) => e.amountMinor));

/** The performances' settlement facts (void tickets left out) and the coordinator's ledger agree, performance by performance (continuous payout). */
function expectFactsAgree(w: World, productId: string, performanceIds: string[]): void {
  const booked = ledger(w, productId);
  for (const p of performanceIds) expect(booked.get(p) ?? 0, `ledger vs facts on ${p}`).toBe(settlementFacts(w.perf(p)).productSalesMinor[productId] ?? 0);
}

describe('refundHolding - a full refund before the season', () => {
  it('voids every ticket, frees every seat, books back what was paid, and the card no longer admits', () => {
    const w = world();
    expectCode(w.product('CARD', productDef('CARD', 'seasonCard', games), 0), 'OK');
    const h = holding(w.product('CARD', buy('ann', { seats: ['A-1-1', 'A-1-2'] }), SALE));
    const other = holding(w.product('CARD', buy('bob', { seats: ['A-2-1'] }), SALE));
    expect(h.totalMinor).toBe(2 * sum(cardA));
    const cmd = { ...refund(h.holdingId, { reason: 'moved away' }), commandId: 'refund-1' };
    const r = ok<Refunded>(w.product('CARD', cmd, SALE + 1));
    expect(r).toEqual({ ok: true, productId: 'CARD', holdingId: h.holdingId, refundedMinor: 2 * sum(cardA), performances: ids, kept: [] });
    for (const p of ids) {
      expect([w.seat(p, 'A-1-1'), w.seat(p, 'A-1-2')], p).toEqual(['free', 'free']);
      expect(w.valid(p, h.holdingId), p).toEqual([]);
      expect(w.valid(p, other.holdingId), `${p}: another holding is untouched`).toHaveLength(1);
    }
    // The coordinator: no part left, refunded; not a holder any more (renewals are exported from this list).
    const kept = w.prod('CARD').holdings.get(h.holdingId)!;
    expect(kept.performanceIds).toEqual([]);
    expect(kept.refundedAtMs).toBe(SALE + 1);
    expect(productHoldings(w.prod('CARD')).map((x) => x.holdingId)).toEqual([other.holdingId]);
    expect(productReport(w.prod('CARD'))).toMatchObject({ holdings: 2, refundedHoldings: 1, soldMinor: sum(cardA) });
    // The ledger: the sale's lines stand, each booked back at the refund; the holding books 0.
    const lines = productEntries(w.prod('CARD')).filter((e) => e.ref === h.holdingId).map((e) => [e.performanceId, e.amountMinor, e.payableAtMs]);
    expect(lines).toEqual([...ids.map((p, i) => [p, 2 * cardA[i], SALE]), ...ids.map((p, i) => [p, -2 * cardA[i], SALE + 1])]);
    expect(bookedFor(w, 'CARD', h.holdingId)).toBe(0);
    expectFactsAgree(w, 'CARD', ids);
    // What was payable as of the sale is what it was; as of the refund only bob's card is.
    const facts = () => ids.map((p) => settlementFacts(w.perf(p)));
    expect(settlementReport([w.prod('CARD')], facts(), SALE).totals.organizerPaidMinor).toBe(3 * sum(cardA));
    expect(settlementReport([w.prod('CARD')], facts(), SALE + 1).totals.organizerPaidMinor).toBe(sum(cardA));
    // A retry with the same id answers the first outcome; a second refund has nothing left to refund.
    expect(w.product('CARD', cmd, SALE + 2)).toEqual(r);
    play(w, unchanged([{ at: SALE + 2, product: 'CARD', cmd: refund(h.holdingId), expect: 'HOLDING_NOT_REFUNDABLE', field: 'holdingId' }]));
    // The seats sell again, as a card or single tickets; the card's code is refused at every door.
    expectCode(w.product('CARD', buy('cy', { seats: ['A-1-2'] }), SALE + 3), 'OK');
    sellSingle(w, 'G1', 'walk-in', ['A-1-1'], SINGLE);
    for (const p of ids) expectCode(w.perform(p, scanHolding(h.holdingId), FIRST - HOUR), 'HOLDING_NO_TICKET');
  });

  it('a same-seat series: the seat comes free on every performance, for a single ticket or another series', () => {
    const w = world();
    expectCode(w.product('SER', productDef('SER', 'series', games, { sameSeat: true }), 0), 'OK');
    const h = holding(w.product('SER', buy('ann', { seats: ['B-2-3'] }), SALE));
    const r = ok<Refunded>(w.product('SER', refund(h.holdingId), SALE + 1));
    expect(r.refundedMinor).toBe(sum(games.map((_, i) => priceOf(hall, 'sub', 'B', pcts[i]))));
    for (const p of ids) expect(w.seat(p, 'B-2-3'), p).toBe('free');
    expectCode(w.product('SER', buy('bob', { seats: ['B-2-3'] }), SALE + 2), 'OK');
    expectFactsAgree(w, 'SER', ids);
  });

  it('an unnumbered card: its places go back to the GA area on every performance', () => {
    const floor = standingLayout('floor', [{ id: 'FLOOR', capacity: 50 }]);
    const w = new World().add(games, floor);
    expectCode(w.product('GA', productDef('GA', 'seasonCard', games, { gaAreaId: 'FLOOR' }), 0), 'OK');
    const h = holding(w.product('GA', buy('ann', { quantity: 3 }), SALE));
    for (const p of ids) expect(w.avail(p).gaAreas[0].free).toBe(47);
    const r = ok<Refunded>(w.product('GA', refund(h.holdingId), SALE + 1));
    expect(r).toMatchObject({ refundedMinor: 3 * 3 * priceOf(floor, 'card', 'G'), performances: ids, kept: [] });
    for (const p of ids) expect(w.avail(p).gaAreas[0].free, p).toBe(50);
    expect(bookedFor(w, 'GA', h.holdingId)).toBe(0);
    expectFactsAgree(w, 'GA', ids);
  });
});

describe('refundHolding - mid-season: the parts played stay paid', () => {
  it('continuous payout: the unplayed parts are booked back at the refund', () => {
    const w = world();
    expectCode(w.product('CARD', productDef('CARD', 'seasonCard', games, { payout: 'continuous' }), 0), 'OK');
    const h = holding(w.product('CARD', buy('ann', { seats: ['A-1-1'] }), SALE));
    const other = holding(w.product('CARD', buy('bob', { seats: ['A-2-2'] }), SALE));
    const at = games[0].startsAtMs + 1;
    const r = ok<Refunded>(w.product('CARD', refund(h.holdingId), at));
    expect(r).toMatchObject({ refundedMinor: cardA[1] + cardA[2], performances: ['G2', 'G3'], kept: [] });
    expect(w.valid('G1', h.holdingId)).toHaveLength(1);
    expect(w.seat('G1', 'A-1-1')).toBe('sold');
    expect([w.seat('G2', 'A-1-1'), w.seat('G3', 'A-1-1')]).toEqual(['free', 'free']);
    expect(w.prod('CARD').holdings.get(h.holdingId)?.performanceIds).toEqual(['G1']);
    expect(bookedFor(w, 'CARD', h.holdingId)).toBe(cardA[0]);
    expectFactsAgree(w, 'CARD', ids);
    // It still admits where it was not refunded (G1 has started: the door is open), nowhere else.
    expectCode(w.perform('G1', scanHolding(h.holdingId), at), 'OK');
    expectCode(w.perform('G2', scanHolding(h.holdingId), at), 'HOLDING_NO_TICKET');
    const facts = ids.map((p) => settlementFacts(w.perf(p)));
    expect(settlementReport([w.prod('CARD')], facts, at - 1).totals.organizerPaidMinor, 'as of before the refund, unchanged').toBe(2 * sum(cardA));
    expect(settlementReport([w.prod('CARD')], facts, at).totals).toEqual({ organizerPaidMinor: cardA[0] + sum(cardA), organizerPendingMinor: 0, sellerCreditsMinor: 0, sellerCreditsPendingMinor: 0 });
    // Nothing unplayed is left: a second refund is refused, as is one once every performance has started.
    play(w, unchanged([
      { at, product: 'CARD', cmd: refund(h.holdingId), expect: 'HOLDING_NOT_REFUNDABLE', field: 'holdingId' },
    ]));
    play(w, unchanged([{ at: games[2].startsAtMs, product: 'CARD', cmd: refund(other.holdingId), expect: 'HOLDING_NOT_REFUNDABLE', field: 'holdingId', why: 'every performance has started' }]));
  });

  it('afterEach payout: each refunded part is booked back at its performance\'s end; what was payable never changes', () => {
    const w = world();
    expectCode(w.product('CARD', productDef('CARD', 'seasonCard', games, { payout: 'afterEach' }), 0), 'OK');
    const h = holding(w.product('CARD', buy('ann', { seats: ['B-1-1'] }), SALE));
    const total = sum(cardB);
    const shares = splitEvenly(total, 3);
    const facts = () => ids.map((p) => settlementFacts(w.perf(p)));
    const moments = [SALE, games[0].endsAtMs, games[1].endsAtMs, games[2].endsAtMs];
    const before = moments.map((m) => settlementReport([w.prod('CARD')], facts(), m).totals.organizerPaidMinor);
    // Refunded while G1 plays: G1 stays paid (its share is payable at its end), G2 and G3 come back.
    const at = games[0].startsAtMs + 1;
    const r = ok<Refunded>(w.product('CARD', refund(h.holdingId), at));
    expect(r).toMatchObject({ refundedMinor: cardB[1] + cardB[2], performances: ['G2', 'G3'] });
    const lines = productEntries(w.prod('CARD')).filter((e) => e.ref === h.holdingId).map((e) => [e.performanceId, e.amountMinor, e.payableAtMs]);
    expect(lines).toEqual([
      ...games.map((g, i) => [g.performanceId, shares[i], g.endsAtMs]),
      ['G2', -cardB[1], games[1].endsAtMs], ['G3', -cardB[2], games[2].endsAtMs],
    ]);
    expect(bookedFor(w, 'CARD', h.holdingId)).toBe(cardB[0]);
    const after = moments.map((m) => settlementReport([w.prod('CARD')], facts(), m).totals.organizerPaidMinor);
    // Up to the refund's moment nothing changes; G1's share stands once G1 has ended.
    expect(settlementReport([w.prod('CARD')], facts(), at).totals.organizerPaidMinor).toBe(0);
    expect(after.slice(0, 2)).toEqual(before.slice(0, 2));
    expect(after[3]).toBe(cardB[0]);
  });
});

describe('refundHolding - refusals change nothing', () => {
  it('refuses an unknown holding, a bad reason and a refunded holding\'s exchange; retries answer the same', () => {
    const shows = schedule(['S1', 'S2', 'S3'], FIRST, 7 * DAY);
    const extra = schedule(['X1'], FIRST + 3 * DAY)[0];
    const w = new World().add([...shows, extra], hall);
    expectCode(w.product('PM', productDef('PM', 'pickMix', shows, { min: 1, max: 2, exchangeable: [extra] }), 0), 'OK');
    const h = holding(w.product('PM', buy('ann', { picks: ['S1', 'S2'] }), SALE));
    const unknown = { ...refund('PM-H9'), commandId: 'unknown-1' };
    const [first] = play(w, unchanged([
      { at: SALE, product: 'PM', cmd: unknown, expect: 'HOLDING_UNKNOWN', field: 'holdingId' },
      { at: SALE, product: 'PM', cmd: refund(h.holdingId, { reason: 42 }), expect: 'COMMAND_INVALID', field: 'reason' },
      { at: SALE, product: 'PM', cmd: refund(h.holdingId, { reason: 'x'.repeat(501) }), expect: 'COMMAND_INVALID', field: 'reason' },
    ]));
    expect(w.product('PM', unknown, SALE + 1)).toEqual(first);
    expectCode(w.product('PM', { ...unknown, holdingId: h.holdingId }, SALE + 1), 'COMMAND_ID_REUSED');
    expectCode(w.product('PM', refund(h.holdingId), SALE + 1), 'OK');
    play(w, unchanged([
      { at: SALE + 2, product: 'PM', cmd: exchange(h.holdingId, 'ann', 'S2', 'X1'), expect: 'EXCHANGE_INVALID', field: 'holdingId', why: 'refunded' },
      { at: SALE + 2, product: 'PM', cmd: refund(h.holdingId), expect: 'HOLDING_NOT_REFUNDABLE', field: 'holdingId' },
    ]));
  });

  it('runs alone for its holding: an exchange or a link in flight answers PRODUCT_BUSY, and a retry joins the refund', () => {
    const shows = schedule(['S1', 'S2', 'S3'], FIRST, 7 * DAY);
    const extra = schedule(['X1'], FIRST + 3 * DAY)[0];
    const later = schedule(['S4'], FIRST + 30 * DAY)[0];
    const w = new World().add([...shows, extra], hall).add([later], hall, { singleAt: later.startsAtMs - DAY });
    expectCode(w.product('SER', productDef('SER', 'series', shows, { exchangeable: [extra] }), 0), 'OK');
    const h = holding(w.product('SER', buy('ann'), SALE));
    const s = w.prod('SER');
    const send = (cmd: object, commandId: string) => executeProduct(s, { commandId, ...cmd } as ProductCommand, SALE + 1);
    // An exchange in flight: a refund of the holding waits (not remembered: the same id goes through later).
    const x = send(exchange(h.holdingId, 'ann', 'S2', 'X1'), 'x-1');
    expect(isPending(x.result)).toBe(true);
    expect(refusal(send(refund(h.holdingId), 'r-1').result as Result)).toMatchObject({ name: 'PRODUCT_BUSY', field: 'holdingId' });
    expect(driveSteps(w, s, x.out, SALE + 1).get('x-1')?.ok).toBe(true);
    // The refund in flight: an exchange, another refund and a link wait; a retry joins it.
    const r = send(refund(h.holdingId), 'r-1');
    expect(isPending(r.result)).toBe(true);
    expect(send(refund(h.holdingId), 'r-1').result).toEqual(r.result);
    expect(refusal(send(refund(h.holdingId), 'r-2').result as Result).name).toBe('PRODUCT_BUSY');
    expect(refusal(send(exchange(h.holdingId, 'ann', 'S3', 'S1'), 'x-2').result as Result)).toMatchObject({ name: 'PRODUCT_BUSY', field: 'holdingId' });
    const link = send(linkLater(later), 'l-1');
    expect(isPending(link.result)).toBe(true);
    expect(link.out).toEqual([]);
    const done = driveSteps(w, s, r.out, SALE + 1);
    expect(done.get('r-1')).toMatchObject({ ok: true, performances: ['S1', 'S3', 'X1'], kept: [] });
    // The link waited for the refund and started when it finished: the refunded holding gets nothing on S4.
    expect(done.get('l-1')).toMatchObject({ ok: true, holders: 0 });
    expect(w.valid('S4', h.holdingId)).toEqual([]);
    // While a link is in flight, a refund waits.
    const bob = holding(w.product('SER', buy('bob'), SALE + 2));
    const s5 = schedule(['S5'], FIRST + 31 * DAY)[0];
    w.add([s5], hall, { singleAt: s5.startsAtMs - DAY });
    const link2 = executeProduct(s, { commandId: 'l-2', ...linkLater(s5) } as ProductCommand, SALE + 3);
    expect(refusal(executeProduct(s, { commandId: 'r-3', ...refund(bob.holdingId) } as ProductCommand, SALE + 3).result as Result).name).toBe('PRODUCT_BUSY');
    expect(driveSteps(w, s, link2.out, SALE + 3).get('l-2')).toMatchObject({ ok: true, holders: 1 });
    expect(w.valid('S5', bob.holdingId)).toHaveLength(1);
  });
});

describe('refundHolding - after an exchange, a link, or resale', () => {
  it('refunds the performance exchanged to at what the holding paid for it', () => {
    const shows = schedule(['S1', 'S2', 'S3'], FIRST, 7 * DAY);
    const extra = schedule(['X1'], FIRST + 3 * DAY)[0];
    const w = new World().add(shows, hall).add([extra], hall, { pricePct: 120 });
    expectCode(w.product('SER', productDef('SER', 'series', shows, { exchangeable: [extra] }), 0), 'OK');
    const h = holding(w.product('SER', buy('ann', { seats: undefined }), SALE));
    const swapped = holding(w.product('SER', exchange(h.holdingId, 'ann', 'S2', 'X1'), SALE + 1));
    const paidX1 = swapped.performances.find((p) => p.performanceId === 'X1')!.paidMinor;
    expect(paidX1).toBe(priceOf(hall, 'sub', 'A', 120));
    const r = ok<Refunded>(w.product('SER', refund(h.holdingId), SALE + 2));
    expect(r).toMatchObject({ refundedMinor: swapped.totalMinor, performances: ['S1', 'S3', 'X1'], kept: [] });
    expect(productEntries(w.prod('SER')).filter((e) => e.performanceId === 'X1').map((e) => e.amountMinor)).toEqual([priceOf(hall, 'sub', 'A') + paidX1 - priceOf(hall, 'sub', 'A'), -paidX1]);
    expect(bookedFor(w, 'SER', h.holdingId)).toBe(0);
    expectFactsAgree(w, 'SER', ['S1', 'S2', 'S3', 'X1']);
  });

  it('refunds a performance linked later at the 0 it paid there, and the link gives nothing to a refunded holding', () => {
    const w = world();
    const later = schedule(['G4'], games[2].startsAtMs + DAY)[0];
    w.add([later], hall);
    expectCode(w.product('CARD', productDef('CARD', 'seasonCard', games), 0), 'OK');
    const ann = holding(w.product('CARD', buy('ann', { seats: ['A-1-1'] }), SALE));
    const bob = holding(w.product('CARD', buy('bob', { seats: ['A-1-2'] }), SALE));
    expectCode(w.product('CARD', refund(bob.holdingId), SALE + 1), 'OK');
    expect(w.product('CARD', linkLater(later), SALE + 2)).toMatchObject({ ok: true, holders: 1 });
    expect(w.valid('G4').map((t) => t.holdingId)).toEqual([ann.holdingId]);
    const r = ok<Refunded>(w.product('CARD', refund(ann.holdingId), SALE + 3));
    expect(r).toMatchObject({ refundedMinor: sum(cardA), performances: [...ids, 'G4'] });
    expect(w.seat('G4', 'A-1-1')).toBe('free');
    expectFactsAgree(w, 'CARD', [...ids, 'G4']);
  });

  it('skips a part resold on the exchange (the seller was credited), and refunds the rest', () => {
    const w = world();
    expectCode(w.product('CARD', resaleCard('CARD', games), 0), 'OK');
    const h = holding(w.product('CARD', buy('ann', { seats: ['A-1-1'] }), SALE));
    const [ticket] = w.valid('G2', h.holdingId);
    expectCode(w.perform('G2', list('L1', ticket.ticketId, 'ann', cardA[1]), SALE + 1), 'OK');
    expectCode(w.perform('G2', buyListing('L1', 'guest'), SALE + 2), 'OK');
    const r = ok<Refunded>(w.product('CARD', refund(h.holdingId), SALE + 3));
    expect(r).toEqual({ ok: true, productId: 'CARD', holdingId: h.holdingId, refundedMinor: cardA[0] + cardA[2], performances: ['G1', 'G3'], kept: [{ performanceId: 'G2', code: Code.TICKET_TRANSFERRED, name: 'TICKET_TRANSFERRED' }] });
    // The guest keeps the seat on G2; the holding keeps that part, paid and booked.
    expect(w.valid('G2').map((t) => [t.buyerId, t.seatId])).toEqual([['guest', 'A-1-1']]);
    expect([w.seat('G1', 'A-1-1'), w.seat('G3', 'A-1-1')]).toEqual(['free', 'free']);
    expect(w.prod('CARD').holdings.get(h.holdingId)?.performanceIds).toEqual(['G2']);
    expect(bookedFor(w, 'CARD', h.holdingId)).toBe(cardA[1]);
    expectFactsAgree(w, 'CARD', ids);
    // Refunded again: the one part left is refused by its performance, and nothing changes.
    play(w, unchanged([{ at: SALE + 4, product: 'CARD', cmd: refund(h.holdingId), expect: 'TICKET_TRANSFERRED', field: 'G2:ticketIds[0]' }]));
  });

  it('keeps a listed part until the seller withdraws it; a second refund then takes it back', () => {
    const w = world();
    expectCode(w.product('CARD', resaleCard('CARD', games), 0), 'OK');
    const h = holding(w.product('CARD', buy('ann', { seats: ['A-1-1'] }), SALE));
    const [ticket] = w.valid('G3', h.holdingId);
    expectCode(w.perform('G3', list('L1', ticket.ticketId, 'ann', cardA[2]), SALE + 1), 'OK');
    const r = ok<Refunded>(w.product('CARD', refund(h.holdingId), SALE + 2));
    expect(r).toMatchObject({ refundedMinor: cardA[0] + cardA[1], performances: ['G1', 'G2'], kept: [{ performanceId: 'G3', name: 'TICKET_ALREADY_LISTED' }] });
    expect(bookedFor(w, 'CARD', h.holdingId)).toBe(cardA[2]);
    expectCode(w.perform('G3', withdraw('L1', 'ann'), SALE + 3), 'OK');
    const again = ok<Refunded>(w.product('CARD', refund(h.holdingId), SALE + 4));
    expect(again).toMatchObject({ refundedMinor: cardA[2], performances: ['G3'], kept: [] });
    expect(w.seat('G3', 'A-1-1')).toBe('free');
    expect(bookedFor(w, 'CARD', h.holdingId)).toBe(0);
    expect(w.prod('CARD').holdings.get(h.holdingId)?.refundedAtMs, 'refunded since the first refund').toBe(SALE + 2);
    expectFactsAgree(w, 'CARD', ids);
  });

  it('keeps a part scanned before its performance started (the holder was admitted)', () => {
    const w = world();
    expectCode(w.product('CARD', productDef('CARD', 'seasonCard', games), 0), 'OK');
    const h = holding(w.product('CARD', buy('ann', { seats: ['A-1-1', 'A-1-2'] }), SALE));
    const doorsOpen = games[0].startsAtMs - HOUR;
    expectCode(w.perform('G1', scanHolding(h.holdingId), doorsOpen), 'OK');
    const r = ok<Refunded>(w.product('CARD', refund(h.holdingId), doorsOpen + 1));
    expect(r).toMatchObject({ refundedMinor: 2 * (cardA[1] + cardA[2]), performances: ['G2', 'G3'], kept: [{ performanceId: 'G1', name: 'TICKET_ALREADY_SCANNED' }] });
    // All or nothing on G1: both tickets there stay, the second still admits.
    expect(w.valid('G1', h.holdingId)).toHaveLength(2);
    expectCode(w.perform('G1', scanHolding(h.holdingId), doorsOpen + 2), 'OK');
    expectFactsAgree(w, 'CARD', ids);
  });
});

describe('refundHolding - voids that say nothing, snapshots', () => {
  it('sends a void again when its answer said nothing of the tickets; TICKET_VOID then means it went through', () => {
    for (const lost of ['ACTOR_FAILED', 'COMMAND_ALREADY_APPLIED'] as const) {
      const w = world();
      expectCode(w.product('CARD', productDef('CARD', 'seasonCard', games), 0), 'OK');
      const h = holding(w.product('CARD', buy('ann', { seats: ['A-1-1'] }), SALE));
      const perform = w.local.perform.bind(w.local);
      let answered = false;
      w.local.perform = (performanceId: string, command: Command, nowMs: number) => {
        if (performanceId !== 'G2' || command.type !== 'voidTickets' || answered) return perform(performanceId, command, nowMs);
        answered = true;
        // ACTOR_FAILED: the actor was rebuilt without the void. COMMAND_ALREADY_APPLIED: it applied it, its answer lost.
        if (lost === 'COMMAND_ALREADY_APPLIED') expectCode(perform(performanceId, command, nowMs), 'OK');
        return { ok: false, code: Code[lost], name: lost, field: '', message: 'lost' } as Rejection;
      };
      const r = ok<Refunded>(w.product('CARD', refund(h.holdingId), SALE + 1));
      expect(r, lost).toMatchObject({ refundedMinor: sum(cardA), performances: ids, kept: [] });
      expect(w.seat('G2', 'A-1-1'), lost).toBe('free');
      expectFactsAgree(w, 'CARD', ids);
    }
  });

  it('a refund in flight survives a snapshot and ends the same; the refunded holding and its lines survive too', () => {
    const w = world();
    expectCode(w.product('CARD', productDef('CARD', 'seasonCard', games, { payout: 'afterEach' }), 0), 'OK');
    const h = holding(w.product('CARD', buy('ann', { seats: ['A-1-1'] }), SALE));
    const cmd = { commandId: 'refund-1', ...refund(h.holdingId) } as ProductCommand;
    const started = executeProduct(w.prod('CARD'), cmd, SALE + 1);
    expect(isPending(started.result)).toBe(true);
    const twin = w.clone();
    const done = driveSteps(w, w.prod('CARD'), started.out, SALE + 1).get('refund-1');
    const twinDone = driveSteps(twin, twin.prod('CARD'), JSON.parse(JSON.stringify(started.out)), SALE + 1).get('refund-1');
    expect(done).toMatchObject({ ok: true, refundedMinor: sum(cardA) });
    expect(twinDone).toEqual(done);
    expect(twin.fingerprint()).toBe(w.fingerprint());
    const again = w.clone();
    expect(again.prod('CARD').holdings.get(h.holdingId)).toEqual(w.prod('CARD').holdings.get(h.holdingId));
    expect(productEntries(again.prod('CARD'))).toEqual(productEntries(w.prod('CARD')));
    // The retry after the snapshot answers the first outcome.
    expect(again.product('CARD', cmd, SALE + 2)).toEqual(done);
    expectCode(again.product('CARD', refund(h.holdingId), SALE + 2), 'HOLDING_NOT_REFUNDABLE');
  });
});
