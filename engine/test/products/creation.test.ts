// Creating products and the envelope of product commands (DOMAIN §7): every malformed field of
// createProduct is refused with PRODUCT_INVALID and its path; a product exists once; commands
// to an unknown or refused product are refused; a retry with the same command id answers the
// first outcome and changes nothing, the same id with another payload is refused; the bounds on
// sagas in flight; a coordinator's snapshot continues as the original. Also the two product
// codes a performance returns on its own: an unlinked product's hold, an unlink after sales.
import { describe, expect, it } from 'vitest';
import {
  clubLayout, executeProduct, isPending, isStepCommandId, productFromPlain, productLimits, productLinks, productToPlain, type CreateProduct, type ProductCommand, type ProductState,
} from '../../src/domain/mod.ts';
import {
  FIRST, SALE, SINGLE, World, buy, exchange, expectCode, hallLayout, hold, holding, layoutOf, linkLater, play, productDef, refusal, renew,
  schedule, sellSingle, type Step,
} from './helpers.ts';

const hall = hallLayout();
const games = schedule(['G1', 'G2', 'G3']);

function plainWorld(): World {
  return new World().add(games, hall);
}

describe('products - createProduct field checks', () => {
  const card = (more: Record<string, unknown>): Record<string, unknown> => ({ ...productDef('P', 'seasonCard', games), ...more });
  const pickMix = (more: Record<string, unknown>): Record<string, unknown> => ({ ...productDef('P', 'pickMix', games, { min: 1, max: 2 }), ...more });
  const renewal = (more: Record<string, unknown>, holders?: unknown[]): Record<string, unknown> => card({
    saleStartMs: SALE + 10,
    renewal: { fromProductId: 'OLD', windowStartMs: SALE, windowEndMs: SALE + 10, ticketTypes: { card: 'renewal' }, holders: holders ?? [{ holdingId: 'H1', buyerId: 'ann', seats: ['A-1-1'], ticketType: 'card' }], ...more },
  });
  const g = games[0];
  const cases: [Record<string, unknown>, string][] = [
    [card({ productId: 'bad id!' }), 'productId'],
    [card({ kind: 'bundle' }), 'kind'],
    [card({ organizerId: '' }), 'organizerId'],
    [card({ performances: 'G1' }), 'performances'],
    [card({ performances: [] }), 'performances'],
    [card({ performances: [{ ...g, performanceId: '' }] }), 'performances[0].performanceId'],
    [card({ performances: [g, g] }), 'performances[1].performanceId'],
    [card({ performances: [{ ...g, endsAtMs: g.startsAtMs - 1 }] }), 'performances[0].startsAtMs'],
    [card({ performances: [{ ...g, startsAtMs: 1.5 }] }), 'performances[0].startsAtMs'],
    [card({ exchangeable: [g] }), 'exchangeable[0].performanceId'],
    [card({ required: ['G1'] }), 'required'],
    [card({ kind: 'series', sameSeat: 'yes' }), 'sameSeat'],
    [pickMix({ sameSeat: true }), 'sameSeat'],
    [pickMix({ min: 0 }), 'min'],
    [pickMix({ min: 4, max: 4 }), 'min'],
    [pickMix({ min: 2, max: 1 }), 'max'],
    [card({ min: 2 }), 'min'],
    [pickMix({ required: ['G9'] }), 'required[0]'],
    [pickMix({ required: ['G1', 'G1'] }), 'required[1]'],
    [pickMix({ required: ['G1', 'G2', 'G3'] }), 'required'],
    [card({ perPurchaseMin: 0 }), 'perPurchaseMin'],
    [card({ perPurchaseMin: 11, perPurchaseMax: 11 }), 'perPurchaseMin'],
    [card({ perPurchaseMin: 3, perPurchaseMax: 2 }), 'perPurchaseMax'],
    [card({ saleStartMs: SALE, saleEndMs: SALE }), 'saleEndMs'],
    [card({ channel: '' }), 'channel'],
    [card({ ticketType: 7 }), 'ticketType'],
    [card({ cardKind: 'gold' }), 'cardKind'],
    [card({ cardKind: 'championship', resale: { minPct: 80, maxPct: 50, feePct: 5, channels: ['web'] } }), 'resale.maxPct'],
    [card({ cardKind: 'championship', resale: { minPct: 50, maxPct: 80, feePct: 101, channels: ['web'] } }), 'resale.feePct'],
    [card({ cardKind: 'championship', resale: { minPct: 50, maxPct: 80, feePct: 5, channels: [] } }), 'resale.channels'],
    [card({ payout: 'weekly' }), 'payout'],
    [card({ kind: 'series', customerPerTicket: 'yes' }), 'customerPerTicket'],
    [card({ capacitySpreadMaxPct: 101 }), 'capacitySpreadMaxPct'],
    [card({ gaAreaId: '' }), 'gaAreaId'],
    [card({ allocation: { policy: 'most', seats: ['A-1-1'] } }), 'allocation.policy'],
    [card({ allocation: { policy: 'onlyQuota', seats: ['A-1-1'], gaAreaId: 'FLOOR', count: 2 } }), 'allocation'],
    [card({ allocation: { policy: 'onlyQuota', seats: [] } }), 'allocation.seats'],
    // Session 32: these four were found by the performances, after the product was made (its id then taken for good).
    [card({ allocation: { policy: 'onlyQuota', seats: ['A-1-1', 'A-1-1'] } }), 'allocation.seats[1]'],
    [card({ cardKind: 'championship', resale: { minPct: 50, maxPct: 80, feePct: 5, channels: ['web', 'web'] } }), 'resale.channels[1]'],
    [card({ cardKind: 'championship', resale: { minPct: 50, maxPct: 80, feePct: 5, channels: Array.from({ length: 33 }, (_, i) => `c${i}`) } }), 'resale.channels'],
    [card({ name: 42 }), 'name'],
    [card({ name: 'x'.repeat(201) }), 'name'],
    [card({ allocation: { policy: 'onlyQuota', gaAreaId: 'FLOOR', count: 0 } }), 'allocation.count'],
    [renewal({ fromProductId: '' }), 'renewal.fromProductId'],
    [renewal({ windowEndMs: SALE }), 'renewal.windowEndMs'],
    [renewal({ windowEndMs: SALE + 11 }), 'saleStartMs'],
    [renewal({ ticketTypes: { card: 5 } }), 'renewal.ticketTypes'],
    [renewal({ ticketTypes: ['renewal'] }), 'renewal.ticketTypes'],
    [renewal({}, [{ holdingId: 'H1', buyerId: 'ann', seats: ['A-1-1'], ticketType: 'card' }, { holdingId: 'H1', buyerId: 'bob', seats: ['A-1-2'], ticketType: 'card' }]), 'renewal.holders[1].holdingId'],
    [renewal({}, [{ holdingId: 'H1', buyerId: '', seats: ['A-1-1'], ticketType: 'card' }]), 'renewal.holders[0].buyerId'],
    [renewal({}, [{ holdingId: 'H1', buyerId: 'ann', seats: ['A-1-1'] }]), 'renewal.holders[0].ticketType'],
    [renewal({}, [{ holdingId: 'H1', buyerId: 'ann', ticketType: 'card' }]), 'renewal.holders[0]'],
    [renewal({}, [{ holdingId: 'H1', buyerId: 'ann', seats: ['A-1-1'], ticketType: 'card' }, { holdingId: 'H2', buyerId: 'bob', seats: ['A-1-1'], ticketType: 'card' }]), 'renewal.holders[1].seats'],
    [renewal({}, [{ holdingId: 'H1', buyerId: 'ann', count: 0, ticketType: 'card' }]), 'renewal.holders[0].count'],
    [renewal({}, [{ holdingId: 'H1', buyerId: 'ann', count: 2, ticketType: 'card' }]), 'gaAreaId'],
  ];

  it.each(cases.map(([cmd, field]) => [field, cmd] as const))('refuses %s', (field, cmd) => {
    const w = plainWorld();
    play(w, [{ at: 0, product: 'P', cmd, expect: 'PRODUCT_INVALID', field, unchanged: true }]);
    expect(w.local.products.has('P')).toBe(false);
  });

  it('accepts the same terms when they are right', () => {
    play(plainWorld(), [{ at: 0, product: 'P', cmd: renewal({}), expect: 'OK' }]);
  });

  it('refuses a product whose performance does not exist, and unlinks the others', () => {
    const w = plainWorld();
    const lost = schedule(['G9'], FIRST + 9 * 86_400_000)[0];
    play(w, [{ at: 0, product: 'P', cmd: productDef('P', 'seasonCard', [...games, lost]), expect: 'PERFORMANCE_UNKNOWN', field: 'G9:performanceId' }]);
    for (const p of games) expect(productLinks(w.perf(p.performanceId))).toEqual([]);
  });
});

describe('products - existence, state and retries', () => {
  it('exists once, is unknown until created, and sells nothing once refused', () => {
    const w = plainWorld();
    w.add(schedule(['N1'], FIRST + 5 * 86_400_000), hallLayout('small', ['A'], 1, 4));
    play(w, [
      { at: 0, product: 'P', cmd: buy('ann'), expect: 'PRODUCT_UNKNOWN', field: 'productId', unchanged: true },
      { at: 0, product: 'P', cmd: linkLater(games[0]), expect: 'PRODUCT_UNKNOWN', unchanged: true },
      { at: 0, product: 'P', cmd: productDef('P', 'seasonCard', games), expect: 'OK' },
      { at: 0, product: 'P', cmd: { ...productDef('P', 'series', games), commandId: 'other' }, expect: 'PRODUCT_EXISTS', field: 'productId', unchanged: true },
      { at: 0, product: 'Q', cmd: productDef('Q', 'seasonCard', schedule(['G2', 'N1'])), expect: 'PRODUCT_CAPACITY_MISMATCH' },
      { at: SALE, product: 'Q', cmd: buy('ann'), expect: 'PRODUCT_NOT_ACTIVE', unchanged: true },
      { at: SALE, product: 'Q', cmd: renew('H1', 'ann'), expect: 'PRODUCT_NOT_ACTIVE', unchanged: true },
      { at: SALE, product: 'Q', cmd: { type: 'closeRenewal' }, expect: 'PRODUCT_NOT_ACTIVE', unchanged: true },
      { at: SALE, product: 'Q', cmd: linkLater(games[2]), expect: 'PRODUCT_NOT_ACTIVE', unchanged: true },
      { at: SALE, product: 'Q', cmd: exchange('Q-H1', 'ann', 'G2', 'N1'), expect: 'PRODUCT_NOT_ACTIVE', unchanged: true },
      { at: SALE, product: 'P', cmd: { type: 'refund' }, expect: 'COMMAND_UNKNOWN', field: 'type', unchanged: true },
      { at: SALE, product: 'P', cmd: buy(''), expect: 'COMMAND_INVALID', field: 'buyerId', unchanged: true },
      { at: SALE, product: 'P', cmd: { ...buy('ann'), commandId: '' }, expect: 'COMMAND_INVALID', field: 'commandId', unchanged: true },
    ]);
  });

  it('answers a retry with the first outcome and changes nothing; another payload under the same id is refused', () => {
    const w = plainWorld();
    const create = productDef('P', 'seasonCard', games);
    expectCode(w.product('P', create, 0), 'OK');
    const first = expectCode(w.product('P', buy('ann', { seats: ['A-1-1'], commandId: 'b1' }), SALE), 'OK');
    sellSingle(w, 'G3', 'walk-in', ['A-3-3'], SINGLE);
    const refused = w.product('P', buy('bob', { seats: ['A-3-3'], commandId: 'b2' }), SINGLE);
    expectCode(refused, 'SEAT_NOT_AVAILABLE');
    const before = w.fingerprint();
    expect(w.product('P', buy('ann', { seats: ['A-1-1'], commandId: 'b1' }), SINGLE + 5)).toEqual(first);
    expect(w.product('P', buy('bob', { seats: ['A-3-3'], commandId: 'b2' }), SINGLE + 5)).toEqual(refused);
    expect(w.product('P', create, SINGLE + 5)).toMatchObject({ ok: true, productId: 'P' });
    expect(w.fingerprint(), 'a retry changes nothing, not even the clock').toBe(before);
    play(w, [
      { at: SINGLE + 5, product: 'P', cmd: buy('ann', { seats: ['A-1-2'], commandId: 'b1' }), expect: 'COMMAND_ID_REUSED', field: 'commandId', unchanged: true },
      { at: SINGLE + 5, product: 'P', cmd: { ...productDef('P', 'seasonCard', games.slice(1)) }, expect: 'COMMAND_ID_REUSED', unchanged: true },
      { at: SINGLE + 5, product: 'P', cmd: buy('bob', { seats: ['A-3-4'], commandId: 'b2' }), expect: 'COMMAND_ID_REUSED', unchanged: true, why: 'a refused command\'s id is used too' },
    ]);
    expect(w.prod('P').holdings.size).toBe(1);
  });
});

describe('products - sagas in flight (the coordinator driven by hand)', () => {
  /** A copy of the coordinator, so the world's own is not left with sagas nobody answers. */
  const copyOf = (s: ProductState): ProductState => productFromPlain(productToPlain(s));

  it('names its steps on a linked performance by the product\'s number there (short ids), and a link step by the product id', () => {
    const w = plainWorld();
    expectCode(w.product('P', productDef('P', 'seasonCard', games), 0), 'OK');
    const s = copyOf(w.prod('P'));
    const started = executeProduct(s, buy('ann', { seats: ['A-1-1'], commandId: 'b1' }) as ProductCommand, SALE);
    const saga = (started.result as { saga: number }).saga;
    const linkNo = (p: string): number => s.links.get(p)!.linkNo;
    // The holds wait in the performances' couriers (products/couriers.ts) while each opens its
    // session there: the openings go first, named like any step of the product.
    const sent = started.out.map((o) => (o.t === 'send' ? [o.to, o.command.commandId] : null)) as [string, string][];
    expect(sent.map(([to]) => to)).toEqual(games.map((g) => g.performanceId));
    for (const [to, id] of sent) expect(id).toMatch(new RegExp(`^~${linkNo(to)}/\\d+/0$`));
    for (const [, id] of sent) expect(isStepCommandId(id)).toBe(true);
    // The holds themselves wait in the couriers, which carry no ids: they get one only if they
    // are ever sent as commands of their own (couriers.test.ts, a refused session).
    const steps = s.sagas.get(saga)!.steps.map((st) => [st.performanceId, st.command.commandId, st.batched]);
    expect(steps).toEqual(games.map((g) => [g.performanceId, '', true]));
  });

  it('links one performance at a time, joins a retry of a running saga and refuses its id for another payload', () => {
    const w = plainWorld();
    const more = schedule(['G4', 'G5'], FIRST + 3 * 86_400_000);
    w.add(more, hall);
    expectCode(w.product('P', productDef('P', 'series', games, { min: 1, sameSeat: true, exchangeable: [more[1]] }), 0), 'OK');
    const h = holding(w.product('P', buy('ann', { seats: ['A-1-1'], picks: ['G1'] }), SALE));
    const s = copyOf(w.prod('P'));
    const link = { type: 'linkPerformance', commandId: 'l1', performance: more[0] } as const;
    const running = executeProduct(s, link, SALE);
    expect(isPending(running.result)).toBe(true);
    const linkSaga = (running.result as { saga: number }).saga;
    expect(running.out).toEqual([expect.objectContaining({ t: 'send', to: 'G4', command: expect.objectContaining({ type: 'linkProduct', commandId: `P/${linkSaga}/0` }) })]);
    expect(executeProduct(s, link, SALE).result).toEqual(running.result);
    expectCode(executeProduct(s, { ...link, performance: more[1] }, SALE).result as never, 'COMMAND_ID_REUSED');
    expectCode(executeProduct(s, { ...link, commandId: 'l2', performance: { ...more[0], performanceId: 'G6' } }, SALE).result as never, 'PRODUCT_BUSY');
    // An exchange of a holding already being exchanged is refused for now (no link in flight
    // there): PRODUCT_BUSY, not remembered (not-now-retries.test.ts).
    const t = copyOf(w.prod('P'));
    const swap = { type: 'exchangePerformance', holdingId: h.holdingId, buyerId: 'ann', fromPerformanceId: 'G1', toPerformanceId: 'G2' } as const;
    expect(isPending(executeProduct(t, { ...swap, commandId: 'x1' }, SALE).result)).toBe(true);
    expectCode(executeProduct(t, { ...swap, commandId: 'x2', toPerformanceId: 'G3' }, SALE).result as never, 'PRODUCT_BUSY');
    // The time of a new command never goes back.
    expectCode(executeProduct(s, { type: 'buyProduct', commandId: 'late', buyerId: 'bob' }, SALE - 1).result as never, 'TIME_REGRESSED');
    // A late or repeated step report changes nothing.
    const snapshot = JSON.stringify(productToPlain(s));
    expect(executeProduct(s, { type: 'stepResult', commandId: 'r', saga: 99, step: 0, result: { ok: true } as never }, SALE).result).toEqual({ ok: true });
    expect(JSON.stringify(productToPlain(s))).toBe(snapshot);
  });

  it('answers a retry of a refused command with the first refusal, and its id with another payload COMMAND_ID_REUSED', () => {
    const w = plainWorld();
    expectCode(w.product('CARD', productDef('CARD', 'seasonCard', games), 0), 'OK');
    const early = buy('ann', { seats: ['A-1-1'], commandId: 'early' });
    const first = expectCode(w.product('CARD', early, SALE - 1), 'PRODUCT_SALE_CLOSED');
    // The sale is open now, but the retry is the same command: it gets its first answer, and sells nothing.
    expect(w.product('CARD', early, SALE)).toEqual(first);
    expect(w.prod('CARD').holdings.size).toBe(0);
    expectCode(w.product('CARD', buy('ann', { quantity: 9, commandId: 'x1' }), SALE), 'PRODUCT_QUANTITY_INVALID');
    expectCode(w.product('CARD', buy('ann', { quantity: 1, commandId: 'x1' }), SALE), 'COMMAND_ID_REUSED');
    // The refusal is kept in the coordinator's snapshot too.
    const twin = w.clone();
    expect(twin.product('CARD', early, SALE + 1)).toEqual(first);
  });

  // Found in session 32: a seat twice was found by the performances (SEATS_DUPLICATED on one of
  // them), after the sale had held seats everywhere and used up a holding id.
  it('refuses a seat given twice before the sale starts (PRODUCT_QUANTITY_INVALID, field seats)', () => {
    const w = plainWorld();
    expectCode(w.product('CARD', productDef('CARD', 'seasonCard', games), 0), 'OK');
    const before = w.prod('CARD').nextHolding;
    expect(refusal(w.product('CARD', buy('ann', { seats: ['A-1-1', 'A-1-1'], quantity: 2, commandId: 'twice' }), SALE))).toMatchObject({ name: 'PRODUCT_QUANTITY_INVALID', field: 'seats' });
    expect(w.prod('CARD').nextHolding).toBe(before);
    expect(holding(w.product('CARD', buy('ann', { seats: ['A-1-1', 'A-1-2'], quantity: 2, commandId: 'twice-corrected' }), SALE + 1)).seats).toEqual(['A-1-1', 'A-1-2']);
  });

  it(`refuses a new purchase once ${productLimits.sagasInFlightMax} sales are in flight`, () => {
    const w = plainWorld();
    expectCode(w.product('P', productDef('P', 'seasonCard', games), 0), 'OK');
    const s = copyOf(w.prod('P'));
    for (let i = 0; i < productLimits.sagasInFlightMax; i++) {
      const r = executeProduct(s, { type: 'buyProduct', commandId: `b${i}`, buyerId: `u${i}` }, SALE);
      if (!isPending(r.result)) throw new Error(`purchase ${i} was answered at once: ${JSON.stringify(r.result)}`);
    }
    expectCode(executeProduct(s, { type: 'buyProduct', commandId: 'one-more', buyerId: 'late' }, SALE).result as never, 'HOLDINGS_LIMIT_REACHED');
  });

  it('closes a renewal only once no renewal is in flight', () => {
    const w = plainWorld();
    const terms: CreateProduct['renewal'] = { fromProductId: 'OLD', windowStartMs: SALE, windowEndMs: SALE + 10, ticketTypes: {}, holders: [{ holdingId: 'H1', buyerId: 'ann', seats: ['A-1-1'], ticketType: 'card' }] };
    expectCode(w.product('P', productDef('P', 'seasonCard', games, { saleStartMs: SALE + 10, renewal: terms }), 0), 'OK');
    const s = copyOf(w.prod('P'));
    expect(isPending(executeProduct(s, { type: 'renewHolding', commandId: 'r1', previousHoldingId: 'H1', buyerId: 'ann' }, SALE + 9).result)).toBe(true);
    // The first may yet fail: "not now", not kept (session 32: RENEWAL_DONE, kept for the id's retries).
    expect(executeProduct(s, { type: 'renewHolding', commandId: 'r2', previousHoldingId: 'H1', buyerId: 'ann' }, SALE + 9).result).toMatchObject({ ok: false, name: 'PRODUCT_BUSY', field: 'previousHoldingId' });
    expect(s.finished.has('r2')).toBe(false);
    expectCode(executeProduct(s, { type: 'closeRenewal', commandId: 'c1' }, SALE + 10).result as never, 'RENEWAL_STILL_OPEN');
  });
});

describe('products - snapshot of a finished state', () => {
  it('continues from productFromPlain(productToPlain(s)) exactly as the original', () => {
    const more = schedule(['G4'], FIRST + 3 * 86_400_000);
    const a = plainWorld().add(more, hall);
    expectCode(a.product('P', productDef('P', 'seasonCard', games, { cardKind: 'calculatedPrice', resale: { minPct: 50, maxPct: 100, feePct: 5, channels: ['web'] } }), 0), 'OK');
    expectCode(a.product('P', buy('ann', { seats: ['A-1-1', 'A-1-2'], commandId: 'first' }), SALE), 'OK');
    expectCode(a.product('P', buy('bob', { seats: ['A-1-2'] }), SALE), 'SEAT_NOT_AVAILABLE');
    const b = a.clone();
    expect(b.fingerprint()).toBe(a.fingerprint());
    const steps: Step[] = [
      { at: SALE + 1, product: 'P', cmd: buy('bob', { quantity: 2 }), expect: 'OK' },
      { at: SALE + 1, product: 'P', cmd: buy('ann', { seats: ['A-1-3'], commandId: 'first' }), expect: 'COMMAND_ID_REUSED', why: 'the snapshot remembers the first purchase\'s id' },
      { at: SALE + 1, product: 'P', cmd: buy('ann', { seats: ['A-1-1', 'A-1-2'], commandId: 'first' }), expect: 'OK', why: 'and answers its retry' },
      { at: SALE + 2, product: 'P', cmd: linkLater(more[0]), expect: 'OK' },
      { at: SALE + 3, product: 'P', cmd: buy('cid'), expect: 'OK' },
      { at: SINGLE, perf: 'G4', cmd: hold('walk-in', ['B-3-6']), expect: 'OK' },
    ];
    const ra = play(a, steps);
    const rb = play(b, steps);
    expect(rb).toEqual(ra);
    expect(b.fingerprint()).toBe(a.fingerprint());
  });
});

describe('products - refusals a performance gives on its own', () => {
  it('refuses a product hold for a product not linked, and an unlink once the product has sold', () => {
    const w = plainWorld();
    expectCode(w.product('P', productDef('P', 'seasonCard', games), 0), 'OK');
    expectCode(w.product('P', buy('ann', { seats: ['A-1-1'] }), SALE), 'OK');
    play(w, [
      { at: SALE, perf: 'G1', cmd: hold('ann', ['A-2-1'], { productId: 'NOPE', holdingId: 'NOPE-H1', channel: 'box' }), expect: 'PRODUCT_NOT_LINKED', field: 'productId', unchanged: true },
      { at: SALE, perf: 'G1', cmd: { type: 'unlinkProduct', productId: 'P' }, expect: 'PRODUCT_HAS_SALES', field: 'productId', unchanged: true },
      { at: SALE, perf: 'G1', cmd: { type: 'unlinkProduct', productId: 'NOPE' }, expect: 'PRODUCT_NOT_LINKED', unchanged: true },
    ]);
  });

  // Found by these tests (fixed): when creating a product's allocation failed on one
  // performance, the coordinator gave the allocation back on the others but never unlinked the
  // product, and unlinkProduct refused while the product had a quota: every performance kept a
  // link and an empty quota of a refused product, counting against its bounds. Now the
  // coordinator unlinks everywhere after returnQuota, and the unlink drops the empty quotas.
  it('a product refused while creating its allocation leaves no link behind', () => {
    const w = plainWorld();
    expectCode(w.perform('G2', { type: 'blockForeign', blockId: 'other', system: 'XS', seats: ['B-1-1'] }, 0), 'OK');
    play(w, [{ at: 0, product: 'P', cmd: productDef('P', 'series', games, { allocation: { policy: 'onlyQuota', seats: ['B-1-1', 'B-1-2'] } }), expect: 'QUOTA_SEAT_NOT_FREE', field: 'G2:seats[0]' }]);
    for (const g of games) {
      const s = w.perf(g.performanceId);
      expect(productLinks(s), g.performanceId).toEqual([]);
      expect(w.avail(g.performanceId).quotas, g.performanceId).toEqual([]);
      expect([...s.quotaById.keys()], g.performanceId).toEqual([]);
    }
    expect(w.seat('G1', 'B-1-2')).toBe('free');
    expect(w.prod('P')).toMatchObject({ status: 'refused', refusal: { name: 'QUOTA_SEAT_NOT_FREE' } });
    expect(w.prod('P').links.size).toBe(0);
    // The world goes on from its snapshots as it is, and the seats are another product's to take.
    const twin = w.clone();
    expect(twin.fingerprint()).toBe(w.fingerprint());
    const again = productDef('Q', 'series', games, { allocation: { policy: 'onlyQuota', seats: ['B-1-2', 'B-1-3'] } });
    for (const world of [w, twin]) play(world, [{ at: 0, product: 'Q', cmd: again, expect: 'OK' }]);
    expect(twin.fingerprint()).toBe(w.fingerprint());
    expect(w.avail('G1').quotas.map((q) => [q.quotaId, q.capacity])).toEqual([['Q.allocation', 2]]);
  });

  it('a refused product gives back every quota it made, a renewal reservation and GA places too', () => {
    const nights = schedule(['N1', 'N2'], FIRST);
    const w = new World().add(nights, layoutOf(clubLayout()));
    // N2's balcony has only 10 places left for the product's 12.
    expectCode(w.perform('N2', { type: 'blockForeign', blockId: 'other', system: 'XS', gaAreaId: 'BALCONY', count: 290 }, 0), 'OK');
    const renewal = { fromProductId: 'OLD', windowStartMs: SALE, windowEndMs: SALE + 10, ticketTypes: {}, holders: [{ holdingId: 'H1', buyerId: 'ann', count: 2, ticketType: 'sub' }] };
    play(w, [{
      at: 0, product: 'GA', expect: 'NOT_ENOUGH_PLACES', field: 'N2:count',
      cmd: productDef('GA', 'series', nights, { gaAreaId: 'BALCONY', saleStartMs: SALE + 10, renewal, allocation: { policy: 'onlyQuota', gaAreaId: 'BALCONY', count: 12 } }),
    }]);
    for (const n of nights) {
      expect(productLinks(w.perf(n.performanceId)), n.performanceId).toEqual([]);
      expect(w.avail(n.performanceId).quotas, n.performanceId).toEqual([]);
    }
    expect(w.avail('N1').gaAreas.find((a) => a.gaAreaId === 'BALCONY')).toMatchObject({ free: 300 });
  });
});
