// Renewals (DOMAIN §5): within the renewal window each of last season's holders has their seats
// reserved and may renew them, at the new ticket type the mapping names; nothing else is sold
// until the window has ended; then the seats nobody renewed go back on sale by themselves.
import { describe, expect, it } from 'vitest';
import { clubLayout, executeProduct, isPending, productNextDueAtMs, renewalStatus, stepCommandId, type RenewalTerms, type Result } from '../../src/domain/mod.ts';
import {
  DAY, FIRST, SALE, World, buy, closeRenewal, exchange, expectCode, hallLayout, hold, holdGa, holding, layoutOf, play, priceOf, productDef, renew,
  schedule, tick,
} from './helpers.ts';

const hall = hallLayout();
const games = schedule(['G1', 'G2', 'G3']);
const FROM = SALE;
const UNTIL = SALE + 3 * DAY;
/** Single tickets go on sale while the renewal window is still open. */
const SINGLE_DURING = SALE + DAY;

const terms: RenewalTerms = {
  fromProductId: 'CARD26',
  windowStartMs: FROM,
  windowEndMs: UNTIL,
  ticketTypes: { card: 'renewal' },
  holders: [
    { holdingId: 'H-ann', buyerId: 'ann', seats: ['A-1-1', 'A-1-2'], ticketType: 'card' },
    { holdingId: 'H-bob', buyerId: 'bob', seats: ['A-1-3'], ticketType: 'vip' },
    { holdingId: 'H-cid', buyerId: 'cid', seats: ['A-1-4'], ticketType: 'card' },
  ],
};

function renewing(): World {
  const w = new World().add(games, hall, { singleAt: SINGLE_DURING });
  expectCode(w.product('CARD27', productDef('CARD27', 'seasonCard', games, { saleStartMs: UNTIL, renewal: terms }), 0), 'OK');
  return w;
}

describe('renewals - the window', () => {
  it('reserves each holder\'s seats, renews them at the mapped type, and returns the others at the window\'s end', () => {
    const w = renewing();
    const results = play(w, [
      { at: FROM - 1, product: 'CARD27', cmd: renew('H-ann', 'ann'), expect: 'RENEWAL_CLOSED', unchanged: true, why: 'before the window' },
      { at: FROM, product: 'CARD27', cmd: renew('H-zzz', 'ann'), expect: 'HOLDING_UNKNOWN', field: 'previousHoldingId', unchanged: true },
      { at: FROM, product: 'CARD27', cmd: renew('H-ann', 'bob'), expect: 'HOLDING_NOT_OWNED', field: 'buyerId', unchanged: true },
      { at: FROM, product: 'CARD27', cmd: renew('H-ann', 'ann'), expect: 'OK' },
      { at: FROM, product: 'CARD27', cmd: renew('H-ann', 'ann'), expect: 'RENEWAL_DONE', field: 'previousHoldingId', unchanged: true },
      { at: FROM, product: 'CARD27', cmd: buy('dan'), expect: 'PRODUCT_SALE_CLOSED', unchanged: true, why: 'no new cards during the window: the sale starts at its end' },
      { at: FROM + 1, product: 'CARD27', cmd: closeRenewal(), expect: 'RENEWAL_STILL_OPEN', unchanged: true, why: 'the window has not ended' },
      { at: SINGLE_DURING, perf: 'G2', cmd: hold('walk-in', ['A-1-4']), expect: 'SEAT_NOT_IN_CHANNEL', why: 'reserved for cid' },
      { at: SINGLE_DURING, perf: 'G2', cmd: hold('walk-in', ['A-1-5']), expect: 'OK' },
      { at: SINGLE_DURING, product: 'CARD27', cmd: renew('H-bob', 'bob'), expect: 'OK', why: 'an old type not in the mapping renews at the product\'s own' },
      { at: UNTIL - 1, perf: 'G3', cmd: hold('walk-in', ['A-1-4']), expect: 'SEAT_NOT_IN_CHANNEL', why: 'reserved for cid to the window\'s last moment' },
      {
        at: UNTIL, product: 'CARD27', cmd: closeRenewal(), expect: 'RENEWAL_CLOSED', why: 'it closed by itself: its first command past the end says so',
        check: (_, w) => expect(w.prod('CARD27').renewalClosed).toBe(true),
      },
      { at: UNTIL, product: 'CARD27', cmd: renew('H-cid', 'cid'), expect: 'RENEWAL_CLOSED', unchanged: true, why: 'the window has ended' },
      { at: UNTIL, perf: 'G3', cmd: hold('walk-in', ['A-1-4']), expect: 'OK', why: 'cid\'s unrenewed seat is back on sale at the window\'s end, with no closeRenewal' },
      { at: UNTIL, perf: 'G3', cmd: hold('walk-in', ['A-1-1']), expect: 'SEAT_NOT_IN_CHANNEL', why: 'ann\'s renewed seat stays sold, in the reservation', check: (_, w) => expect(w.seat('G3', 'A-1-1')).toBe('sold') },
    ]);
    const ann = holding(results[3]);
    const bob = holding(results[9]);
    expect(ann.seats).toEqual(['A-1-1', 'A-1-2']);
    // A performance's time moves with its commands (the runtime's ticker sends ticks to idle ones).
    expect(w.avail('G1').quotas[0].capacity, 'G1 has had no command since the end').toBe(4);
    for (const g of games) expectCode(w.perform(g.performanceId, tick(), UNTIL + 1), 'OK');
    for (const g of games) {
      expect(w.valid(g.performanceId, ann.holdingId).map((t) => [t.seatId, t.ticketType, t.priceMinor])).toEqual([
        ['A-1-1', 'renewal', priceOf(hall, 'renewal', 'A')], ['A-1-2', 'renewal', priceOf(hall, 'renewal', 'A')],
      ]);
      expect(w.valid(g.performanceId, bob.holdingId).map((t) => [t.seatId, t.ticketType])).toEqual([['A-1-3', 'card']]);
      expect(w.seat(g.performanceId, 'A-1-4')).toBe(g.performanceId === 'G3' ? 'held' : 'free');
      expect(w.avail(g.performanceId).quotas).toEqual([{ quotaId: 'CARD27.renewal', capacity: 3, free: 0, held: 0, sold: 3, blocked: 0 }]);
    }
    expect(ann.totalMinor).toBe(3 * 2 * priceOf(hall, 'renewal', 'A'));
    expect(w.prod('CARD27').holdings.get(ann.holdingId)?.renewedFrom).toBe('H-ann');
  });

  it('lists each holder as reserved, renewed or released (the seed\'s "Reserved tickets" report)', () => {
    const w = renewing();
    const status = () => renewalStatus(w.prod('CARD27'))!;
    const row = (holdingId: string) => status().holders.find((h) => h.holdingId === holdingId)!;
    expect(status()).toEqual({
      fromProductId: 'CARD26', windowStartMs: FROM, windowEndMs: UNTIL, closed: false,
      holders: [
        { holdingId: 'H-ann', buyerId: 'ann', seats: ['A-1-1', 'A-1-2'], count: null, ticketType: 'card', renewsAt: 'renewal', status: 'reserved', renewedAs: null },
        { holdingId: 'H-bob', buyerId: 'bob', seats: ['A-1-3'], count: null, ticketType: 'vip', renewsAt: 'card', status: 'reserved', renewedAs: null },
        { holdingId: 'H-cid', buyerId: 'cid', seats: ['A-1-4'], count: null, ticketType: 'card', renewsAt: 'renewal', status: 'reserved', renewedAs: null },
      ],
    });
    const ann = holding(expectCode(w.product('CARD27', renew('H-ann', 'ann'), FROM), 'OK'));
    expect(row('H-ann')).toMatchObject({ status: 'renewed', renewedAs: ann.holdingId });
    expect(row('H-cid').status).toBe('reserved');
    expectCode(w.product('CARD27', closeRenewal(), UNTIL), 'RENEWAL_CLOSED');
    expect(status().closed).toBe(true);
    expect(status().holders.map((h) => h.status)).toEqual(['renewed', 'released', 'released']);
    const plain = new World().add(games, hall);
    expectCode(plain.product('PLAIN', productDef('PLAIN', 'seasonCard', games), 0), 'OK');
    expect(renewalStatus(plain.prod('PLAIN')), 'no renewal').toBeNull();
  });

  // Found in session 30: the allocation was made first, over the holder's seat, and the
  // reservation of that seat then failed: the product was refused (QUOTA_SEAT_NOT_FREE).
  it('reserves a holder\'s seat inside the product\'s allocation block: the allocation leaves it out', () => {
    const w = new World().add(games, hall, { singleAt: SINGLE_DURING });
    const allocation = { policy: 'quotaFirst' as const, seats: ['A-1-1', 'A-1-2', 'A-1-3', 'A-1-4', 'A-1-5', 'A-1-6'] };
    expectCode(w.product('CARD27', productDef('CARD27', 'seasonCard', games, { saleStartMs: UNTIL, renewal: terms, allocation }), 0), 'OK');
    for (const g of games) {
      const quotas = Object.fromEntries(w.avail(g.performanceId).quotas.map((q) => [q.quotaId, q.capacity]));
      expect(quotas, g.performanceId).toEqual({ 'CARD27.allocation': 2, 'CARD27.renewal': 4 });
    }
    play(w, [
      { at: FROM, product: 'CARD27', cmd: renew('H-ann', 'ann'), expect: 'OK' },
      { at: SINGLE_DURING, perf: 'G2', cmd: hold('walk-in', ['A-1-4']), expect: 'SEAT_NOT_IN_CHANNEL', why: 'reserved for cid' },
      { at: UNTIL, perf: 'G3', cmd: hold('walk-in', ['A-1-4']), expect: 'OK', why: 'cid\'s unrenewed seat goes to free sale at the window\'s end' },
      { at: UNTIL, perf: 'G3', cmd: hold('walk-in', ['A-1-5']), expect: 'SEAT_NOT_IN_CHANNEL', why: 'still in the allocation' },
    ]);
  });

  it('has nothing to renew or close without renewal terms', () => {
    const w = new World().add(games, hall);
    expectCode(w.product('PLAIN', productDef('PLAIN', 'seasonCard', games), 0), 'OK');
    play(w, [
      { at: SALE, product: 'PLAIN', cmd: renew('H-ann', 'ann'), expect: 'RENEWAL_CLOSED', unchanged: true },
      { at: SALE, product: 'PLAIN', cmd: closeRenewal(), expect: 'RENEWAL_CLOSED', unchanged: true },
    ]);
  });

  it('renews GA places from the reserved count', () => {
    const club = layoutOf(clubLayout());
    const nights = schedule(['N1', 'N2']);
    const w = new World().add(nights, club, { singleAt: SINGLE_DURING });
    const ga: RenewalTerms = { ...terms, holders: [{ holdingId: 'H-ann', buyerId: 'ann', count: 3, ticketType: 'card' }, { holdingId: 'H-bob', buyerId: 'bob', count: 2, ticketType: 'card' }] };
    expectCode(w.product('GA27', productDef('GA27', 'seasonCard', nights, { gaAreaId: 'BALCONY', saleStartMs: UNTIL, renewal: ga }), 0), 'OK');
    expect(w.avail('N1').gaAreas[1]).toEqual({ gaAreaId: 'BALCONY', capacity: 300, free: 300 });
    expect(w.avail('N1', 'web').gaAreas[1]).toEqual({ gaAreaId: 'BALCONY', capacity: 300, free: 295 });
    play(w, [
      { at: FROM, product: 'GA27', cmd: renew('H-ann', 'ann'), expect: 'OK' },
      { at: SINGLE_DURING, perf: 'N1', cmd: holdGa('walk-in', 'BALCONY', 10), expect: 'OK', why: 'the ordinary balcony places sell alongside' },
      { at: UNTIL - 1, perf: 'N2', cmd: tick(), expect: 'OK' },
    ]);
    expect(w.avail('N2', 'web').gaAreas[1].free, 'bob\'s places are reserved to the last moment').toBe(295);
    // A performance's time moves with its commands: the first at or past the end closes it.
    for (const n of nights) expectCode(w.perform(n.performanceId, tick(), UNTIL), 'OK');
    for (const n of nights) {
      expect(w.valid(n.performanceId).filter((t) => t.productId === 'GA27').map((t) => [t.gaAreaId, t.ticketType])).toEqual(Array(3).fill(['BALCONY', 'renewal']));
      expect(w.avail(n.performanceId).quotas).toEqual([{ quotaId: 'GA27.renewal', capacity: 3, free: 0, held: 0, sold: 3, blocked: 0 }]);
    }
    expect(w.avail('N2', 'web').gaAreas[1]).toEqual({ gaAreaId: 'BALCONY', capacity: 300, free: 297 });
  });

  // The reservation is a quotaFirst quota of the product: once the window is closed it holds
  // only renewed (sold) seats, and new cards take the rest of the house. (It was onlyQuota at
  // first, which left the product unable to sell a single new card after a renewal.)
  it('sells new cards once the window has ended', () => {
    const w = renewing();
    expectCode(w.product('CARD27', renew('H-ann', 'ann'), FROM), 'OK');
    expectCode(w.product('CARD27', buy('dan', { seats: ['B-1-1'] }), UNTIL), 'OK');
    // cid's seat (returned) and the rest of the house are the card's again; ann's stay hers.
    expectCode(w.product('CARD27', buy('fay', { seats: ['A-1-4'] }), UNTIL), 'OK');
    const eve = holding(expectCode(w.product('CARD27', buy('eve', { quantity: 2 }), UNTIL), 'OK'));
    expect(eve.seats?.some((seat) => ['A-1-1', 'A-1-2', 'A-1-4'].includes(seat))).toBe(false);
    expectCode(w.product('CARD27', buy('gus', { seats: ['A-1-1'] }), UNTIL), 'SEAT_NOT_AVAILABLE');
  });
});

describe('renewals - a renewed seat given up after the window', () => {
  // The reservation closes at the window's end: what comes free in it later goes to the general
  // pool, not back to a quota nobody sells from.
  it('goes back on sale when its ticket is voided after the window (a seat, and GA places)', () => {
    const w = renewing();
    const ann = holding(expectCode(w.product('CARD27', renew('H-ann', 'ann'), FROM), 'OK'));
    const ticket = w.valid('G2', ann.holdingId).find((t) => t.seatId === 'A-1-1')!;
    // Voided as its coordinator voids a holding's ticket (a step of its sagas; by hand it may not be).
    expectCode(w.perform('G2', { type: 'voidTicket', commandId: stepCommandId('CARD27', 0, 1, undefined), ticketId: ticket.ticketId }, UNTIL + 1), 'OK');
    expect(w.seat('G2', 'A-1-1')).toBe('free');
    expect(w.avail('G2').quotas).toEqual([{ quotaId: 'CARD27.renewal', capacity: 1, free: 0, held: 0, sold: 1, blocked: 0 }]);
    expectCode(w.perform('G2', hold('walk-in', ['A-1-1']), UNTIL + 2), 'OK', 'a single ticket on the voided seat');

    const club = layoutOf(clubLayout());
    const nights = schedule(['N1', 'N2']);
    const g = new World().add(nights, club, { singleAt: SINGLE_DURING });
    const ga: RenewalTerms = { ...terms, holders: [{ holdingId: 'H-ann', buyerId: 'ann', count: 3, ticketType: 'card' }] };
    expectCode(g.product('GA27', productDef('GA27', 'seasonCard', nights, { gaAreaId: 'BALCONY', saleStartMs: UNTIL, renewal: ga }), 0), 'OK');
    const gaAnn = holding(expectCode(g.product('GA27', renew('H-ann', 'ann'), FROM), 'OK'));
    expectCode(g.perform('N1', tick(), UNTIL), 'OK');
    expect(g.avail('N1', 'web').gaAreas[1].free).toBe(297);
    const place = g.valid('N1', gaAnn.holdingId)[0];
    expectCode(g.perform('N1', { type: 'voidTicket', commandId: stepCommandId('GA27', 0, 1, undefined), ticketId: place.ticketId }, UNTIL + 1), 'OK');
    expect(g.avail('N1', 'web').gaAreas[1].free).toBe(298);
    expect(g.avail('N1').quotas).toEqual([{ quotaId: 'GA27.renewal', capacity: 2, free: 0, held: 0, sold: 2, blocked: 0 }]);
  });

  it('goes back on sale when its holder exchanges it away', () => {
    const shows = schedule(['S1', 'S2', 'S3']);
    const extra = schedule(['X1'], FIRST + 5 * DAY)[0];
    const subTerms: RenewalTerms = {
      fromProductId: 'SER26', windowStartMs: FROM, windowEndMs: UNTIL, ticketTypes: {},
      holders: [{ holdingId: 'H-ann', buyerId: 'ann', seats: ['A-1-1'], ticketType: 'sub' }],
    };
    const w = new World().add([...shows, extra], hall, { singleAt: SINGLE_DURING });
    expectCode(w.product('SER27', productDef('SER27', 'series', shows, { sameSeat: true, min: 1, saleStartMs: UNTIL, renewal: subTerms, exchangeable: [extra] }), 0), 'OK');
    const h = holding(expectCode(w.product('SER27', renew('H-ann', 'ann'), FROM), 'OK'));
    expectCode(w.product('SER27', exchange(h.holdingId, 'ann', 'S2', 'X1'), UNTIL + 1), 'OK');
    expect(w.seat('S2', 'A-1-1')).toBe('free');
    expectCode(w.perform('S2', hold('walk-in', ['A-1-1']), UNTIL + 2), 'OK', 'a single ticket on the seat given up');
  });
});

describe('renewals - the close at the window\'s end', () => {
  it('lets renewals started in the window finish before the product\'s own sale starts', () => {
    const w = renewing();
    const s = w.prod('CARD27');
    // A renewal started in the window's last ms, its steps still on their way to the matches.
    const started = executeProduct(s, { type: 'renewHolding', commandId: 'late', previousHoldingId: 'H-cid', buyerId: 'cid' }, UNTIL - 1);
    expect(isPending(started.result)).toBe(true);
    expectCode(executeProduct(s, { type: 'buyProduct', commandId: 'b1', buyerId: 'dan' }, UNTIL).result as never, 'RENEWAL_STILL_OPEN');
    expect(s.renewalClosed).toBe(false);
    // Its steps run (LocalProducts does what the runtime does) and it finishes: the next command closes the renewal.
    for (const o of started.out) {
      if (o.t !== 'send') continue;
      const result = w.local.perform(o.to, o.command as never, UNTIL - 1);
      feed(w, 'CARD27', o.saga, o.step, result, UNTIL - 1);
    }
    expect([...s.sagas.values()].some((g) => g.kind === 'renew')).toBe(false);
    expectCode(w.product('CARD27', buy('dan', { seats: ['B-1-1'] }), UNTIL), 'OK');
    expect(s.renewalClosed).toBe(true);
    expect(w.valid('G1').filter((t) => t.buyerId === 'cid').map((t) => t.seatId)).toEqual(['A-1-4']);
  });

  it('closes on a tickProduct at or past the end (the runtime\'s ticker), which says when it falls due', () => {
    const w = renewing();
    const s = w.prod('CARD27');
    const tickAt = (commandId: string, at: number) => executeProduct(s, { type: 'tickProduct', commandId }, at);
    const remembered = s.finished.size + s.finishedOld.size;
    expect(productNextDueAtMs(s)).toBe(UNTIL);
    expectCode(tickAt('t1', UNTIL - 1).result, 'OK');
    expect(s.renewalClosed, 'not before the end').toBe(false);
    expectCode(tickAt('t1', UNTIL).result, 'OK', 'a tick is not remembered: the same id again is no reuse');
    expect([s.renewalClosed, s.renewalQuotaClosed]).toEqual([true, true]);
    expect(productNextDueAtMs(s)).toBe(Infinity);
    expect(s.finished.size + s.finishedOld.size, 'nothing kept for retries').toBe(remembered);
    // A tick from the past changes nothing (not even the product's clock).
    expectCode(tickAt('t2', UNTIL - 5).result, 'OK');
    expect(s.lastNowMs).toBe(UNTIL);
  });

  it('waits for closeRenewal where an older engine made the reservations (they do not close by themselves)', () => {
    const w = new World().add(games, hall, { singleAt: SINGLE_DURING });
    // Performances from before closesAtMs: they ignore it and do not echo it.
    const perform = w.local.perform.bind(w.local);
    w.local.perform = (p, command, at) => {
      if (command.type !== 'createQuota') return perform(p, command, at);
      const { closesAtMs: _ignored, ...old } = command;
      return perform(p, old, at);
    };
    expectCode(w.product('CARD27', productDef('CARD27', 'seasonCard', games, { saleStartMs: UNTIL, renewal: terms }), 0), 'OK');
    expect(w.prod('CARD27').renewalClosesItself).toBe(false);
    play(w, [
      { at: UNTIL, product: 'CARD27', cmd: buy('dan'), expect: 'RENEWAL_STILL_OPEN', unchanged: true, why: 'the reservations are still there' },
      { at: UNTIL, perf: 'G1', cmd: hold('walk-in', ['A-1-4']), expect: 'SEAT_NOT_IN_CHANNEL', why: 'cid\'s seat still reserved' },
      { at: UNTIL, product: 'CARD27', cmd: closeRenewal(), expect: 'OK' },
      { at: UNTIL, perf: 'G1', cmd: hold('walk-in', ['A-1-4']), expect: 'OK' },
      { at: UNTIL, product: 'CARD27', cmd: buy('dan'), expect: 'OK' },
    ]);
  });
});

/** Reports one step's result to the coordinator, and runs whatever it sends next, as LocalProducts does. */
function feed(w: World, productId: string, saga: number, step: number, result: Result, at: number): void {
  const queue = [{ saga, step, result }];
  for (let i = 0; i < queue.length; i++) {
    const r = queue[i];
    const next = executeProduct(w.prod(productId), { type: 'stepResult', commandId: `feed-${r.saga}-${r.step}`, saga: r.saga, step: r.step, result: r.result }, at);
    for (const o of next.out) if (o.t === 'send') queue.push({ saga: o.saga, step: o.step, result: w.local.perform(o.to, o.command as never, at) });
  }
}

describe('renewals - subscriptions', () => {
  const shows = schedule(['S1', 'S2', 'S3', 'S4']);
  const extra = schedule(['X1'], FIRST + 6 * DAY)[0];
  const subTerms: RenewalTerms = {
    fromProductId: 'SUB26', windowStartMs: FROM, windowEndMs: UNTIL, ticketTypes: { sub: 'renewal' },
    holders: [
      { holdingId: 'H-ann', buyerId: 'ann', seats: ['A-1-6'], ticketType: 'sub' },
      { holdingId: 'H-bob', buyerId: 'bob', seats: ['A-1-3'], ticketType: 'sub' },
    ],
  };
  const world = (kind: 'pickMix' | 'series'): World => {
    const w = new World().add([...shows, extra], hall, { singleAt: SINGLE_DURING });
    const more = kind === 'pickMix' ? { min: 2, max: 2, required: ['S1'] } : { min: 1 };
    expectCode(w.product('SUB27', productDef('SUB27', kind, shows, { ...more, saleStartMs: UNTIL, renewal: subTerms, exchangeable: [extra] }), 0), 'OK');
    return w;
  };
  const renewPicks = (previousHoldingId: string, buyerId: string, picks: string[]) => ({ ...renew(previousHoldingId, buyerId), picks });

  // A pick & mix holder renewed every unplayed performance, past the product's max and at the
  // price of all of them: a renewal now takes what a purchase would.
  it('renews a pick & mix holder on the performances picked, within the bounds, and returns the rest at the window\'s end', () => {
    const w = world('pickMix');
    const results = play(w, [
      { at: FROM, product: 'SUB27', cmd: renew('H-ann', 'ann'), expect: 'PRODUCT_PICKS_INVALID', field: 'picks', unchanged: true, why: 'a pick & mix renewal lists its performances' },
      { at: FROM, product: 'SUB27', cmd: renewPicks('H-ann', 'ann', ['S1', 'S2', 'S3']), expect: 'PRODUCT_PICKS_INVALID', field: 'picks', unchanged: true, why: 'more than the max' },
      { at: FROM, product: 'SUB27', cmd: renewPicks('H-ann', 'ann', ['S2', 'S3']), expect: 'PRODUCT_PICKS_INVALID', field: 'picks', unchanged: true, why: 'S1 is required' },
      { at: FROM, product: 'SUB27', cmd: renewPicks('H-ann', 'ann', ['S1', 'S3']), expect: 'OK' },
    ]);
    const ann = holding(results[3]);
    expect(ann.performances.map((part) => part.performanceId)).toEqual(['S1', 'S3']);
    expect(ann.totalMinor).toBe(2 * priceOf(hall, 'renewal', 'A'));
    expect(w.seat('S2', 'A-1-6'), 'reserved for ann while the window is open').not.toBe('sold');
    for (const g of shows) expectCode(w.perform(g.performanceId, tick(), UNTIL), 'OK');
    expect(shows.map((g) => w.seat(g.performanceId, 'A-1-6'))).toEqual(['sold', 'free', 'sold', 'free']);
    expectCode(w.perform('S2', hold('walk-in', ['A-1-6']), UNTIL + 1), 'OK', 'the seat not picked is back on sale');
  });

  it('renews a series holder on every performance still to be played, or on the picks a purchase may make', () => {
    const w = world('series');
    const ann = holding(expectCode(w.product('SUB27', renew('H-ann', 'ann'), FROM), 'OK'));
    expect(ann.performances.map((part) => part.performanceId)).toEqual(['S1', 'S2', 'S3', 'S4']);
    const bob = holding(expectCode(w.product('SUB27', renewPicks('H-bob', 'bob', ['S4']), FROM), 'OK'));
    expect(bob.performances.map((part) => part.performanceId)).toEqual(['S4']);
  });

  // An exchange holds best available, and a product's hold may draw on its own renewal
  // reservation: in the window it took the seat kept for a holder who had not renewed yet.
  it('opens exchanges when the renewal closes, so that none takes a seat kept for a holder who has not renewed', () => {
    const w = world('series');
    const ann = holding(expectCode(w.product('SUB27', renew('H-ann', 'ann'), FROM), 'OK'));
    play(w, [
      { at: FROM + 1, product: 'SUB27', cmd: exchange(ann.holdingId, 'ann', 'S2', 'X1'), expect: 'RENEWAL_STILL_OPEN', unchanged: true },
      { at: FROM + 2, product: 'SUB27', cmd: renew('H-bob', 'bob'), expect: 'OK', why: 'bob\'s seat is still his' },
    ]);
    expect(shows.map((g) => w.valid(g.performanceId).find((t) => t.buyerId === 'bob')?.seatId)).toEqual(['A-1-3', 'A-1-3', 'A-1-3', 'A-1-3']);
    expectCode(w.product('SUB27', exchange(ann.holdingId, 'ann', 'S2', 'X1'), UNTIL + 1), 'OK', 'after the window');
  });

  // The renewed holding's tickets are at the mapped type; the exchange sold the new one at the
  // product's own, so the holder was charged the difference between the two types.
  it('sells a renewed holding\'s exchanged ticket at the mapped type', () => {
    const w = world('series');
    const ann = holding(expectCode(w.product('SUB27', renew('H-ann', 'ann'), FROM), 'OK'));
    expectCode(w.product('SUB27', exchange(ann.holdingId, 'ann', 'S2', 'X1'), UNTIL + 1), 'OK');
    const tickets = w.valid('X1', ann.holdingId);
    expect(tickets.map((t) => [t.ticketType, t.priceMinor])).toEqual([['renewal', priceOf(hall, 'renewal', tickets[0].seatId === null ? 'A' : zoneOfSeat(tickets[0].seatId))]]);
    expect(w.prod('SUB27').holdings.get(ann.holdingId)?.performanceIds).toEqual(['S1', 'S3', 'S4', 'X1']);
  });
});

/** The zone of a seat of hallLayout (its section: `A-1-6` is in zone A). */
const zoneOfSeat = (seatId: string): 'A' | 'B' => seatId.split('-')[0] as 'A' | 'B';
