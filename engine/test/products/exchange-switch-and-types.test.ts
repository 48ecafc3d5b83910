// Seed 002, two settings of a subscription: *Tillat endringer* (whether subscribers may exchange
// performances at all; *Bytte utenfor abonnement*, exchanges outside it, is `exchangeable`) and
// *Billettyper* with its *Standard* (the subscription ticket types offered, adult, senior and
// the like, one of them the default). createProduct.exchanges switches exchanges off
// (EXCHANGES_NOT_ALLOWED); createProduct.ticketTypes lists the types offered besides the default
// `ticketType`, and buyProduct.ticketType picks one (PRODUCT_TICKET_TYPE_NOT_OFFERED otherwise).
// The holding keeps its type: its price, exchanges, performances linked later, settlement lines,
// snapshots and next season's renewal all go by it.
import { describe, expect, it } from 'vitest';
import {
  createPerformance, executeProduct, isPending, productEntries, productHoldings, productToPlain, settlementFacts, settlementReport,
  type CreateProduct, type HoldingResult, type PerformanceSpec, type ProductPerformance, type RenewalTerms,
} from '../../src/domain/mod.ts';
import {
  DAY, FIRST, SALE, World, buy, driveSteps, exchange, expectCode, hallLayout, holding, linkLater, perfSpec, play, priceOf, productDef, renew,
  schedule, unchanged,
} from './helpers.ts';

const hall = hallLayout();
const shows = schedule(['S1', 'S2', 'S3', 'S4'], FIRST, 7 * DAY);
const [S1, S2, S3, S4] = shows.map((p) => p.performanceId);
/** The same production outside the products: open to exchanges where `exchangeable` says so. */
const extra = schedule(['X1'], FIRST + 3 * DAY)[0];
/** Prices differ per performance: S1 at 100 %, S2 at 110 %, ...; X1 at 90 %. */
const pctOf = (performanceId: string): number => (performanceId === 'X1' ? 90 : 100 + 10 * shows.findIndex((p) => p.performanceId === performanceId));

/** The senior subscription type: 1500 in zone A, 2000 in zone B (the helpers' `sub` is 2000 and 2500). */
function seniorPrice(zoneId: string, pricePct: number): number {
  return Math.round(((1500 + 500 * hall.zoneIds.indexOf(zoneId)) * pricePct) / 100);
}

/** Performances as the helpers set them up, plus a `senior` ticket type where `senior` says so. */
function addPerformances(w: World, performances: ProductPerformance[], senior = true): World {
  for (const p of performances) {
    const spec = perfSpec(p, hall, { pricePct: pctOf(p.performanceId) });
    if (senior) spec.ticketTypes.push({ id: 'senior', prices: Object.fromEntries(hall.zoneIds.map((z) => [z, seniorPrice(z, pctOf(p.performanceId))])) });
    const created = createPerformance(spec, hall);
    if (!created.ok) throw new Error(`${p.performanceId}: ${created.name} ${created.message}`);
    w.local.addPerformance(created.state);
    w.layouts.set(p.performanceId, hall);
  }
  return w;
}

const theatre = (): World => addPerformances(new World(), [...shows, extra]);
const pickMix = (productId: string, more: Partial<CreateProduct> = {}): CreateProduct => productDef(productId, 'pickMix', shows, { min: 2, max: 3, saleEndMs: shows[3].startsAtMs, ...more });
const zoneOf = (seatId: string | null): string => (seatId ?? '').split('-')[0];

describe('products - the switch for exchanges (seed 002, Tillat endringer)', () => {
  it('refuses at createProduct a switch that is malformed, or that contradicts the performances open to exchanges, linking nothing', () => {
    const w = theatre();
    play(w, unchanged([
      { at: 0, product: 'PM', cmd: pickMix('PM', { exchanges: false, exchangeable: [extra] }), expect: 'PRODUCT_INVALID', field: 'exchangeable', why: 'exchanges outside it, yet none at all' },
      { at: 0, product: 'PM', cmd: pickMix('PM', { exchanges: 'no' as never }), expect: 'PRODUCT_INVALID', field: 'exchanges' },
      { at: 0, product: 'CARD', cmd: productDef('CARD', 'seasonCard', shows, { exchanges: true }), expect: 'PRODUCT_INVALID', field: 'exchanges', why: 'season cards are never exchanged' },
    ]));
    play(w, [
      { at: 0, product: 'PM', cmd: pickMix('PM', { exchanges: false, exchangeable: [] }), expect: 'OK', why: 'an empty list opens nothing' },
      { at: 0, product: 'CARD', cmd: productDef('CARD', 'seasonCard', shows, { exchanges: false }), expect: 'OK', why: 'says what is so anyway' },
    ]);
  });

  it('with exchanges: false refuses every exchange before looking at the holding, and changes nothing', () => {
    const w = theatre();
    expectCode(w.product('PM', pickMix('PM', { exchanges: false }), 0), 'OK');
    expectCode(w.product('PM3', pickMix('PM3', { exchanges: true, exchangeable: [extra] }), 0), 'OK');
    expectCode(w.product('PM2', pickMix('PM2'), 0), 'OK');
    const h = holding(w.product('PM', buy('ann', { picks: [S1, S2] }), SALE));
    const open = holding(w.product('PM3', buy('bob', { picks: [S1, S2] }), SALE));
    const def = holding(w.product('PM2', buy('cid', { picks: [S1, S2] }), SALE));
    play(w, [
      ...unchanged([
        { at: SALE, product: 'PM', cmd: exchange(h.holdingId, 'ann', S2, S3), expect: 'EXCHANGES_NOT_ALLOWED', field: '' },
        { at: SALE, product: 'PM', cmd: exchange('PM-H9', 'ann', S2, S3), expect: 'EXCHANGES_NOT_ALLOWED', field: '', why: 'not HOLDING_UNKNOWN: the product decides first' },
        { at: SALE, product: 'PM', cmd: exchange(h.holdingId, 'bob', S2, S3), expect: 'EXCHANGES_NOT_ALLOWED', field: '', why: 'not HOLDING_NOT_OWNED' },
      ]),
      // The same exchanges where the switch is on (explicitly, or by default).
      { at: SALE, product: 'PM3', cmd: exchange(open.holdingId, 'bob', S2, 'X1'), expect: 'OK', why: 'outside the subscription' },
      { at: SALE, product: 'PM2', cmd: exchange(def.holdingId, 'cid', S2, S3), expect: 'OK', why: 'true by default' },
    ]);
    expect(w.valid(S2, h.holdingId)).toHaveLength(1);
    expect(w.valid(S3, h.holdingId)).toEqual([]);
  });

  it('answers before a link in flight would say PRODUCT_BUSY, and its retry gets the same answer', () => {
    const w = theatre();
    const later = schedule(['L1'], FIRST + 5 * DAY)[0];
    addPerformances(w, [later]);
    expectCode(w.product('PM', pickMix('PM', { exchanges: false }), 0), 'OK');
    expectCode(w.product('PM2', pickMix('PM2'), 0), 'OK');
    const h = holding(w.product('PM', buy('ann', { picks: [S1, S2] }), SALE));
    const d = holding(w.product('PM2', buy('cid', { picks: [S1, S2] }), SALE));
    for (const [productId, held, buyerId, expected] of [['PM', h, 'ann', 'EXCHANGES_NOT_ALLOWED'], ['PM2', d, 'cid', 'PRODUCT_BUSY']] as const) {
      const s = w.prod(productId);
      const link = executeProduct(s, { type: 'linkPerformance', commandId: `link-${productId}`, performance: later }, SALE + 1);
      expect(isPending(link.result)).toBe(true);
      const swap = { ...exchange(held.holdingId, buyerId, S2, S3), commandId: `swap-${productId}` } as never;
      expectCode(executeProduct(s, swap, SALE + 1).result as never, expected);
      expectCode(executeProduct(s, swap, SALE + 1).result as never, expected, 'the retry');
      driveSteps(w, s, link.out, SALE + 1);
      expect(s.linkSaga).toBeNull();
    }
  });

  it('keeps the switch in the snapshot: a restored coordinator still refuses', () => {
    const w = theatre();
    expectCode(w.product('PM', pickMix('PM', { exchanges: false }), 0), 'OK');
    expectCode(w.product('PM2', pickMix('PM2'), 0), 'OK');
    const h = holding(w.product('PM', buy('ann', { picks: [S1, S2] }), SALE));
    expect((productToPlain(w.prod('PM')) as { def: CreateProduct }).def.exchanges).toBe(false);
    // Written only when off: other products' definitions are as they always were.
    expect('exchanges' in (productToPlain(w.prod('PM2')) as { def: CreateProduct }).def).toBe(false);
    const twin = w.clone();
    play(twin, [{ at: SALE + 1, product: 'PM', cmd: exchange(h.holdingId, 'ann', S2, S3), expect: 'EXCHANGES_NOT_ALLOWED', field: '', unchanged: true }]);
  });

  it('season cards are never exchanged: EXCHANGE_INVALID as before, or EXCHANGES_NOT_ALLOWED when the card says so', () => {
    const w = theatre();
    expectCode(w.product('CARD', productDef('CARD', 'seasonCard', shows), 0), 'OK');
    expectCode(w.product('NOSWAP', productDef('NOSWAP', 'seasonCard', shows, { exchanges: false }), 0), 'OK');
    const c = holding(w.product('CARD', buy('ann'), SALE));
    const n = holding(w.product('NOSWAP', buy('bob'), SALE));
    play(w, unchanged([
      { at: SALE, product: 'CARD', cmd: exchange(c.holdingId, 'ann', S1, 'X1'), expect: 'EXCHANGE_INVALID', field: '' },
      { at: SALE, product: 'NOSWAP', cmd: exchange(n.holdingId, 'bob', S1, 'X1'), expect: 'EXCHANGES_NOT_ALLOWED', field: '' },
    ]));
  });
});

describe('products - ticket types offered (seed 002, Billettyper and Standard)', () => {
  it('checks the offered types at createProduct: a bounded list of ids, none twice, not the default again', () => {
    const w = theatre();
    const sixteen = ['senior', ...Array.from({ length: 15 }, (_, i) => `t${i}`)];
    play(w, unchanged([
      { at: 0, product: 'SER', cmd: productDef('SER', 'series', shows, { ticketTypes: 'senior' as never }), expect: 'PRODUCT_INVALID', field: 'ticketTypes' },
      { at: 0, product: 'SER', cmd: productDef('SER', 'series', shows, { ticketTypes: [...sixteen, 't15'] }), expect: 'PRODUCT_INVALID', field: 'ticketTypes', why: 'more than 16' },
      { at: 0, product: 'SER', cmd: productDef('SER', 'series', shows, { ticketTypes: ['senior', 5 as never] }), expect: 'PRODUCT_INVALID', field: 'ticketTypes[1]' },
      { at: 0, product: 'SER', cmd: productDef('SER', 'series', shows, { ticketTypes: ['senior', 'sub'] }), expect: 'PRODUCT_INVALID', field: 'ticketTypes[1]', why: 'the default, offered already' },
      { at: 0, product: 'SER', cmd: productDef('SER', 'series', shows, { ticketTypes: ['senior', 'card', 'senior'] }), expect: 'PRODUCT_INVALID', field: 'ticketTypes[2]', why: 'twice' },
    ]));
    // Sixteen pass the checks and go to the performances, which know none of t0..t14: the link
    // list is the default, then the offered ones.
    play(w, [{ at: 0, product: 'SER', cmd: productDef('SER', 'series', shows, { ticketTypes: sixteen }), expect: 'TICKET_TYPE_UNKNOWN', field: 'S1:ticketTypes[2]' }]);
  });

  it('links only performances that have every offered type, as they must have the default one', () => {
    const w = addPerformances(new World(), [shows[0]]);
    addPerformances(w, [shows[1]], false);
    play(w, [{ at: 0, product: 'SER', cmd: productDef('SER', 'series', shows.slice(0, 2), { ticketTypes: ['senior'] }), expect: 'TICKET_TYPE_UNKNOWN', field: 'S2:ticketTypes[1]' }]);
    expect(w.prod('SER').status).toBe('refused');
    expect([...w.perf(S1).products.keys()], 'S1 unlinked again').toEqual([]);
    // Without the offer the same performances take the product.
    expectCode(w.product('SER2', productDef('SER2', 'series', shows.slice(0, 2)), 0), 'OK');
  });

  // Found in session 31 (seed 002 asks the subscription's types be sold "lokal + internett"): a
  // type another channel only may sell, or a presale-only one, was linked, and every purchase
  // was then refused on that performance.
  it('links only performances that can sell every type on the product\'s channel', () => {
    const limited = (edit: (types: PerformanceSpec['ticketTypes']) => void): World => {
      const w = addPerformances(new World(), [shows[0]]);
      const spec = perfSpec(shows[1], hall, { pricePct: pctOf(S2) });
      spec.ticketTypes.push({ id: 'senior', prices: Object.fromEntries(hall.zoneIds.map((z) => [z, seniorPrice(z, pctOf(S2))])) });
      edit(spec.ticketTypes);
      const created = createPerformance(spec, hall);
      if (!created.ok) throw new Error(created.message);
      w.local.addPerformance(created.state);
      w.layouts.set(S2, hall);
      return w;
    };
    const webOnly = limited((types) => { types.find((t) => t.id === 'senior')!.channels = ['web']; });
    play(webOnly, [{ at: 0, product: 'SER', cmd: productDef('SER', 'series', shows.slice(0, 2), { ticketTypes: ['senior'] }), expect: 'TICKET_TYPE_NOT_IN_CHANNEL', field: 'S2:ticketTypes[1]', why: 'the product sells on box' }]);
    expect(webOnly.prod('SER').status).toBe('refused');
    expectCode(webOnly.product('SER2', productDef('SER2', 'series', shows.slice(0, 2)), 0), 'OK');
    const presaleOnly = limited((types) => { types.find((t) => t.id === 'sub')!.webCode = '!SUB'; });
    play(presaleOnly, [{ at: 0, product: 'SER', cmd: productDef('SER', 'series', shows.slice(0, 2)), expect: 'TICKET_TYPE_REQUIRES_PRESALE', field: 'S2:ticketTypes[0]' }]);
  });

  it('sells at the type a purchase picks, priced at it on every performance; a type not offered is refused, nothing held', () => {
    const w = theatre();
    expectCode(w.product('SER', productDef('SER', 'series', shows, { sameSeat: true, ticketTypes: ['senior'] }), 0), 'OK');
    const sale = { ...buy('ann', { seats: ['A-1-1'], ticketType: 'senior' }), commandId: 'ann-sale' };
    const [annResult] = play(w, [
      { at: SALE, product: 'SER', cmd: sale, expect: 'OK' },
      ...unchanged([
        { at: SALE, product: 'SER', cmd: buy('bob', { seats: ['A-1-2'], ticketType: 'card' }), expect: 'PRODUCT_TICKET_TYPE_NOT_OFFERED', field: 'ticketType', why: 'priced on every performance, not offered' },
        { at: SALE, product: 'SER', cmd: buy('bob', { seats: ['A-1-2'], ticketType: 'student' }), expect: 'PRODUCT_TICKET_TYPE_NOT_OFFERED', field: 'ticketType' },
        { at: SALE, product: 'SER', cmd: buy('bob', { seats: ['A-1-2'], ticketType: 7 }), expect: 'COMMAND_INVALID', field: 'ticketType' },
      ]),
    ]);
    const ann = holding(annResult);
    expect(ann.ticketType).toBe('senior');
    for (const p of shows) expect(w.valid(p.performanceId, ann.holdingId).map((t) => [t.seatId, t.ticketType, t.priceMinor])).toEqual([['A-1-1', 'senior', seniorPrice('A', pctOf(p.performanceId))]]);
    expect(ann.performances.map((p) => p.paidMinor)).toEqual(shows.map((p) => seniorPrice('A', pctOf(p.performanceId))));
    expect(ann.totalMinor).toBe(shows.reduce((n, p) => n + seniorPrice('A', pctOf(p.performanceId)), 0));
    // No type named: the default; the default named: the same.
    const bob = holding(expectCode(w.product('SER', buy('bob', { seats: ['A-1-2'] }), SALE), 'OK'));
    const cid = holding(expectCode(w.product('SER', buy('cid', { seats: ['A-1-3'], ticketType: 'sub' }), SALE), 'OK'));
    for (const h of [bob, cid]) {
      expect(h.ticketType).toBe('sub');
      expect(h.performances.map((p) => p.paidMinor)).toEqual(shows.map((p) => priceOf(hall, 'sub', 'A', pctOf(p.performanceId))));
      expect(w.valid(S1, h.holdingId).map((t) => t.ticketType)).toEqual(['sub']);
    }
    // The retry answers the holding as sold, its type with it; the holdings query lists it too.
    expect(w.product('SER', sale, SALE + 1)).toEqual(ann);
    expect(productHoldings(w.prod('SER')).map((h) => h.ticketType)).toEqual(['senior', 'sub', 'sub']);
  });

  it('exchanges a holding at its own type, inside and outside the product, and the settlement ledger books those prices', () => {
    const w = theatre();
    expectCode(w.product('PM', pickMix('PM', { ticketTypes: ['senior'], exchangeable: [extra] }), 0), 'OK');
    const h = holding(expectCode(w.product('PM', buy('ann', { picks: [S1, S2], ticketType: 'senior', quantity: 2 }), SALE), 'OK'));
    play(w, [
      { at: SALE + 1, product: 'PM', cmd: exchange(h.holdingId, 'ann', S2, 'X1'), expect: 'OK', why: 'outside the subscription' },
      { at: SALE + 2, product: 'PM', cmd: exchange(h.holdingId, 'ann', S1, S3), expect: 'OK', why: 'inside it' },
    ]);
    const now = productHoldings(w.prod('PM'))[0];
    expect(now.ticketType).toBe('senior');
    expect(now.performances.map((p) => p.performanceId)).toEqual(['X1', S3]);
    for (const p of now.performances) {
      const tickets = w.valid(p.performanceId, h.holdingId);
      expect(tickets.map((t) => t.ticketType)).toEqual(['senior', 'senior']);
      expect(p.paidMinor).toBe(tickets.reduce((n, t) => n + seniorPrice(zoneOf(t.seatId), pctOf(p.performanceId)), 0));
    }
    // The ledger and the performances agree, performance by performance: the reversals of S1 and
    // S2 net them to 0, X1 and S3 book the senior prices paid there.
    const ids = [S1, S2, S3, 'X1'];
    const facts = ids.map((id) => settlementFacts(w.perf(id)));
    const booked = (id: string) => productEntries(w.prod('PM')).filter((e) => e.performanceId === id).reduce((n, e) => n + e.amountMinor, 0);
    expect(ids.map(booked)).toEqual(facts.map((f) => f.productSalesMinor.PM));
    expect(ids.map(booked)).toEqual([0, 0, now.performances[1].paidMinor, now.performances[0].paidMinor]);
    const report = settlementReport([w.prod('PM')], facts, SALE + 3);
    expect(report.lines.find((l) => l.performanceId === 'X1')?.productRevenuePaidMinor).toBe(now.performances[0].paidMinor);
  });

  it('answers an exchange with the price difference the box office settles, the same on a retry', () => {
    const w = theatre();
    expectCode(w.product('PM', pickMix('PM', { ticketTypes: ['senior'], exchangeable: [extra] }), 0), 'OK');
    const h = holding(expectCode(w.product('PM', buy('ann', { picks: [S1, S2], ticketType: 'senior', quantity: 2 }), SALE), 'OK'));
    const paidOn = (id: string) => h.performances.find((p) => p.performanceId === id)!.paidMinor;
    const swap = { ...exchange(h.holdingId, 'ann', S2, 'X1'), commandId: 'swap-1' } as never;
    const answer = expectCode(w.product('PM', swap, SALE + 1), 'OK') as unknown as HoldingResult;
    const newPaid = answer.performances.find((p) => p.performanceId === 'X1')!.paidMinor;
    expect(newPaid).not.toBe(paidOn(S2));
    expect(answer.exchange).toEqual({ fromPerformanceId: S2, toPerformanceId: 'X1', oldPaidMinor: paidOn(S2), newPaidMinor: newPaid, differenceMinor: newPaid - paidOn(S2) });
    expect(answer.totalMinor).toBe(h.totalMinor + answer.exchange!.differenceMinor);
    expect(w.product('PM', swap, SALE + 2)).toEqual(answer);
    // The holdings query lists the holding, not the exchange that made it so.
    expect(productHoldings(w.prod('PM'))[0]).not.toHaveProperty('exchange');
  });

  it('gives a holder a performance linked later at the holding\'s type', () => {
    const w = theatre();
    expectCode(w.product('SER', productDef('SER', 'series', shows.slice(0, 2), { sameSeat: true, ticketTypes: ['senior'] }), 0), 'OK');
    const ann = holding(w.product('SER', buy('ann', { seats: ['B-1-1'], ticketType: 'senior' }), SALE));
    const bob = holding(w.product('SER', buy('bob', { seats: ['B-1-2'] }), SALE));
    expectCode(w.product('SER', linkLater(shows[2]), SALE + 1), 'OK');
    const price = seniorPrice('B', pctOf(S3));
    expect(w.valid(S3, ann.holdingId).map((t) => [t.seatId, t.ticketType, t.priceMinor, t.discountMinor])).toEqual([['B-1-1', 'senior', price, price]]);
    expect(w.valid(S3, bob.holdingId).map((t) => t.ticketType)).toEqual(['sub']);
  });

  it('keeps the offered types and each holding\'s type in the snapshot: a restored coordinator sells and exchanges by them', () => {
    const w = theatre();
    expectCode(w.product('PM', pickMix('PM', { ticketTypes: ['senior'] }), 0), 'OK');
    expectCode(w.product('PM2', pickMix('PM2'), 0), 'OK');
    const ann = holding(w.product('PM', buy('ann', { picks: [S1, S2], ticketType: 'senior' }), SALE));
    const bob = holding(w.product('PM', buy('bob', { picks: [S1, S2] }), SALE));
    const plain = productToPlain(w.prod('PM')) as { def: CreateProduct; holdings: { holdingId: string; ticketType?: string }[] };
    expect(plain.def.ticketTypes).toEqual(['senior']);
    // A holding's type is written only when its purchase picked another than the default.
    expect(plain.holdings.map((h) => [h.holdingId, h.ticketType])).toEqual([[ann.holdingId, 'senior'], [bob.holdingId, undefined]]);
    expect('ticketTypes' in (productToPlain(w.prod('PM2')) as { def: CreateProduct }).def).toBe(false);
    const twin = w.clone();
    expect(productHoldings(twin.prod('PM'))).toEqual(productHoldings(w.prod('PM')));
    play(twin, [
      { at: SALE + 1, product: 'PM', cmd: exchange(ann.holdingId, 'ann', S2, S4), expect: 'OK' },
      { at: SALE + 1, product: 'PM', cmd: buy('cid', { picks: [S1, S3], ticketType: 'senior' }), expect: 'OK' },
      { at: SALE + 1, product: 'PM', cmd: buy('dan', { picks: [S1, S3], ticketType: 'card' }), expect: 'PRODUCT_TICKET_TYPE_NOT_OFFERED', field: 'ticketType', unchanged: true },
    ]);
    expect(twin.valid(S4, ann.holdingId).map((t) => t.ticketType)).toEqual(['senior']);
  });

  it('renews next season from the type each holding was sold at; a renewal-only type is not for sale', () => {
    const w = theatre();
    const next = schedule(['N1', 'N2'], FIRST + 60 * DAY, 7 * DAY);
    addPerformances(w, next);
    expectCode(w.product('SER26', productDef('SER26', 'series', shows, { sameSeat: true, ticketTypes: ['senior'] }), 0), 'OK');
    holding(w.product('SER26', buy('ann', { seats: ['A-2-1'], ticketType: 'senior' }), SALE));
    holding(w.product('SER26', buy('bob', { seats: ['A-2-2'] }), SALE));
    // Last season's holders as the holdings query exports them, each with its type.
    const holders = productHoldings(w.prod('SER26')).map((h) => ({ holdingId: h.holdingId, buyerId: h.buyerId, seats: h.seats!, ticketType: h.ticketType }));
    expect(holders.map((h) => h.ticketType)).toEqual(['senior', 'sub']);
    const from = SALE + DAY;
    const until = SALE + 3 * DAY;
    // Seniors stay seniors; the others renew at a loyalty price the product does not sell to newcomers.
    const terms: RenewalTerms = { fromProductId: 'SER26', windowStartMs: from, windowEndMs: until, ticketTypes: { senior: 'senior', sub: 'renewal' }, holders };
    expectCode(w.product('SER27', productDef('SER27', 'series', next, { sameSeat: true, ticketTypes: ['senior'], saleStartMs: until, saleEndMs: next[0].startsAtMs, renewal: terms }), 0), 'OK');
    const ann = holding(expectCode(w.product('SER27', renew(holders[0].holdingId, 'ann'), from), 'OK'));
    const bob = holding(expectCode(w.product('SER27', renew(holders[1].holdingId, 'bob'), from), 'OK'));
    expect([ann.ticketType, bob.ticketType]).toEqual(['senior', 'renewal']);
    for (const p of next) {
      expect(w.valid(p.performanceId, ann.holdingId).map((t) => [t.seatId, t.ticketType])).toEqual([['A-2-1', 'senior']]);
      expect(w.valid(p.performanceId, bob.holdingId).map((t) => [t.seatId, t.ticketType])).toEqual([['A-2-2', 'renewal']]);
    }
    expect(ann.totalMinor).toBe(next.reduce((n, p) => n + seniorPrice('A', pctOf(p.performanceId)), 0));
    // The window's end closes the renewal (the runtime's ticker); then the product's own sale.
    expectCode(w.product('SER27', { type: 'tickProduct' }, until), 'OK');
    play(w, [
      { at: until, product: 'SER27', cmd: buy('cid', { seats: ['A-2-3'], ticketType: 'renewal' }), expect: 'PRODUCT_TICKET_TYPE_NOT_OFFERED', field: 'ticketType', unchanged: true },
      { at: until, product: 'SER27', cmd: buy('cid', { seats: ['A-2-3'], ticketType: 'senior' }), expect: 'OK' },
    ]);
    // A restored coordinator reads the renewed holdings' types back from the renewal (not written).
    const plain = productToPlain(w.prod('SER27')) as { holdings: { ticketType?: string }[] };
    expect(plain.holdings.map((h) => h.ticketType)).toEqual([undefined, undefined, 'senior']);
    expect(productHoldings(w.clone().prod('SER27'))).toEqual(productHoldings(w.prod('SER27')));
  });

  it('renews an old type the mapping does not name at the product\'s own type, whatever its name', () => {
    const w = theatre();
    const from = SALE;
    const until = SALE + 2 * DAY;
    // Own keys only: "constructor" is a member of every object, not a mapping of this one.
    const terms: RenewalTerms = {
      fromProductId: 'SER26', windowStartMs: from, windowEndMs: until, ticketTypes: { senior: 'senior' },
      holders: [{ holdingId: 'H-ann', buyerId: 'ann', seats: ['A-1-1'], ticketType: 'constructor' }],
    };
    expectCode(w.product('SER27', productDef('SER27', 'series', shows, { sameSeat: true, ticketTypes: ['senior'], saleStartMs: until, renewal: terms }), 0), 'OK');
    const ann = holding(expectCode(w.product('SER27', renew('H-ann', 'ann'), from), 'OK'));
    expect(ann.ticketType).toBe('sub');
    expect(w.valid(S1, ann.holdingId).map((t) => t.ticketType)).toEqual(['sub']);
  });
});
