// Resale opened and closed per online channel during the season (DOMAIN §6, seed 003: per online
// point of sale the organizer allows or forbids listing season-ticket seats): setResaleChannels
// replaces a product's listing channels on every linked performance (a saga of setProductResale
// steps, all or nothing), and a performance linked later gets the channels set last. Listings
// made on a channel before it closed stay until withdrawn or sold. A contingent's seats may be
// authorized for resale after the contingent was made (setQuotaResale), performance by
// performance.
import { describe, expect, it } from 'vitest';
import {
  createPerformance, executeProduct, isPending, productFromPlain, productLinks, productToPlain, type Outbound, type ProductCommand, type Result,
} from '../../src/domain/mod.ts';
import {
  DAY, SALE, World, buy, buyListing, driveSteps, expectCode, hallLayout, holding, linkLater, list, perfSpec, play, priceOf, productDef, resaleCard,
  schedule, withdraw,
} from './helpers.ts';

const hall = hallLayout();
const games = schedule(['G1', 'G2', 'G3']);
const later = schedule(['G4'], games[2].startsAtMs + DAY)[0];
const base = priceOf(hall, 'card', 'A');
const setChannels = (channels: unknown, more: Record<string, unknown> = {}) => ({ type: 'setResaleChannels', channels, ...more });

/** The listing channels of product `productId` on each performance named. */
function channelsOn(w: World, productId: string, performanceIds: string[]): (string[] | undefined)[] {
  return performanceIds.map((p) => productLinks(w.perf(p)).find((l) => l.productId === productId)?.resale?.channels);
}

/** A resale card (web only, 50-150 %) over G1-G3 with ann's card on A-1-1 and bob's on A-1-2. */
function withCards(): { w: World; ann: string; bob: string } {
  const w = new World().add([...games, later], hall);
  expectCode(w.product('CARD', resaleCard('CARD', games), 0), 'OK');
  const ann = holding(w.product('CARD', buy('ann', { seats: ['A-1-1'] }), SALE)).holdingId;
  const bob = holding(w.product('CARD', buy('bob', { seats: ['A-1-2'] }), SALE)).holdingId;
  return { w, ann, bob };
}

describe('resale channels - opened and closed on every performance', () => {
  it('refuses a listing before its channel is opened, allows it after, refuses it again once closed; open listings stay', () => {
    const { w, ann, bob } = withCards();
    const annOn = (p: string) => w.valid(p, ann)[0].ticketId;
    const bobOn = (p: string) => w.valid(p, bob)[0].ticketId;
    play(w, [
      { at: SALE, perf: 'G2', cmd: list('L1', annOn('G2'), 'ann', base, { channel: 'exchange' }), expect: 'RESALE_CHANNEL_NOT_ALLOWED', field: 'channel', unchanged: true, why: 'not opened yet' },
      { at: SALE + 1, product: 'CARD', cmd: setChannels(['web', 'exchange']), expect: 'OK', check: (r, w2) => {
        expect(r).toEqual({ ok: true, productId: 'CARD', channels: ['web', 'exchange'] });
        expect(channelsOn(w2, 'CARD', ['G1', 'G2', 'G3'])).toEqual([['web', 'exchange'], ['web', 'exchange'], ['web', 'exchange']]);
      } },
      { at: SALE + 1, perf: 'G2', cmd: list('L1', annOn('G2'), 'ann', base, { channel: 'exchange' }), expect: 'OK' },
      { at: SALE + 1, perf: 'G3', cmd: list('L2', annOn('G3'), 'ann', base), expect: 'OK', why: 'on the web' },
      { at: SALE + 2, product: 'CARD', cmd: setChannels(['exchange']), expect: 'OK', why: 'the web closes' },
      { at: SALE + 2, perf: 'G1', cmd: list('L3', bobOn('G1'), 'bob', base), expect: 'RESALE_CHANNEL_NOT_ALLOWED', field: 'channel', unchanged: true },
      { at: SALE + 2, perf: 'G1', cmd: list('L3', bobOn('G1'), 'bob', base, { channel: 'exchange' }), expect: 'OK' },
      { at: SALE + 3, perf: 'G3', cmd: buyListing('L2', 'guest-1'), expect: 'OK', why: 'listed on the web before it closed: it stays until sold or withdrawn' },
      { at: SALE + 4, product: 'CARD', cmd: setChannels([]), expect: 'OK', why: 'closed everywhere', check: (_r, w2) => expect(channelsOn(w2, 'CARD', ['G1', 'G2', 'G3'])).toEqual([[], [], []]) },
      { at: SALE + 4, perf: 'G3', cmd: list('L4', bobOn('G3'), 'bob', base, { channel: 'exchange' }), expect: 'RESALE_CHANNEL_NOT_ALLOWED', unchanged: true },
      { at: SALE + 4, perf: 'G3', cmd: list('L4', bobOn('G3'), 'bob', base), expect: 'RESALE_CHANNEL_NOT_ALLOWED', unchanged: true },
      { at: SALE + 5, perf: 'G1', cmd: withdraw('L3', 'bob'), expect: 'OK', why: 'withdrawn as before' },
      { at: SALE + 5, perf: 'G2', cmd: buyListing('L1', 'guest-2'), expect: 'OK' },
      { at: SALE + 6, product: 'CARD', cmd: setChannels(['web']), expect: 'OK', why: 'opened again' },
      { at: SALE + 6, perf: 'G3', cmd: list('L4', bobOn('G3'), 'bob', base), expect: 'OK' },
    ]);
    // The product keeps its policy as created; the channels set last are kept beside it.
    expect(w.prod('CARD').def.resale?.channels).toEqual(['web']);
    expect(w.prod('CARD').resaleChannels).toEqual(['web']);
  });

  it('gives a performance linked later the channels set last', () => {
    const { w } = withCards();
    expectCode(w.product('CARD', setChannels(['exchange']), SALE + 1), 'OK');
    expect(w.product('CARD', linkLater(later), SALE + 2)).toMatchObject({ ok: true, performanceId: 'G4', holders: 2, conflicts: [] });
    expect(channelsOn(w, 'CARD', ['G1', 'G4'])).toEqual([['exchange'], ['exchange']]);
    const ticketId = w.valid('G4', 'CARD-H1')[0].ticketId;
    // A seat given with the link was paid nothing: its band is 0..0.
    play(w, [
      { at: SALE + 2, perf: 'G4', cmd: list('L1', ticketId, 'ann', 0), expect: 'RESALE_CHANNEL_NOT_ALLOWED', unchanged: true },
      { at: SALE + 2, perf: 'G4', cmd: list('L1', ticketId, 'ann', 0, { channel: 'exchange' }), expect: 'OK' },
    ]);
  });

  it('gives every performance linked, exchangeable ones too, the channels', () => {
    const w = new World().add([...games, later], hall);
    expectCode(w.product('SER', resaleCard('SER', games, { kind: 'series', ticketType: 'sub', min: 1, sameSeat: true, exchangeable: [later] }), 0), 'OK');
    expectCode(w.product('SER', setChannels(['exchange']), SALE), 'OK');
    expect(channelsOn(w, 'SER', ['G1', 'G2', 'G3', 'G4'])).toEqual([['exchange'], ['exchange'], ['exchange'], ['exchange']]);
  });
});

describe('resale channels - refusals', () => {
  it('checks the product, then the channels; a performance\'s refusal leaves every performance as it was', () => {
    const { w } = withCards();
    expectCode(w.product('FIXED', productDef('FIXED', 'seasonCard', games, { cardKind: 'fixedPrice' }), SALE), 'OK');
    expectCode(w.product('PLAIN', productDef('PLAIN', 'seasonCard', games, { cardKind: 'calculatedPrice' }), SALE), 'OK');
    // A product refused at creation: its policy names the box office, which is not online.
    play(w, [
      { at: SALE, product: 'BOX', cmd: resaleCard('BOX', games, { resale: { minPct: 50, maxPct: 150, feePct: 10, channels: ['web', 'box'] } }), expect: 'RESALE_CHANNEL_NOT_ALLOWED', field: 'G1:resale.channels[1]' },
      { at: SALE, product: 'BOX', cmd: setChannels(['web']), expect: 'PRODUCT_NOT_ACTIVE', unchanged: true },
      { at: SALE, product: 'FIXED', cmd: setChannels(['web']), expect: 'RESALE_NOT_ELIGIBLE', field: '', unchanged: true, why: 'a fixed-price card is never resold' },
      { at: SALE, product: 'PLAIN', cmd: setChannels(['web']), expect: 'RESALE_NOT_ELIGIBLE', unchanged: true, why: 'created without a resale policy' },
      { at: SALE, product: 'CARD', cmd: setChannels('web'), expect: 'PRODUCT_INVALID', field: 'channels', unchanged: true },
      { at: SALE, product: 'CARD', cmd: setChannels(Array.from({ length: 33 }, (_, i) => `c${i}`)), expect: 'PRODUCT_INVALID', field: 'channels', unchanged: true },
      { at: SALE, product: 'CARD', cmd: setChannels(['web', '']), expect: 'PRODUCT_INVALID', field: 'channels[1]', unchanged: true },
      { at: SALE, product: 'CARD', cmd: setChannels(['web', 'web']), expect: 'PRODUCT_INVALID', field: 'channels[1]', unchanged: true },
      { at: SALE, product: 'CARD', cmd: setChannels(['exchange', 'tv']), expect: 'CHANNEL_UNKNOWN', field: 'G1:channels[1]', unchanged: true },
      { at: SALE, product: 'CARD', cmd: setChannels(['exchange', 'box']), expect: 'RESALE_CHANNEL_NOT_ALLOWED', field: 'G1:channels[1]', unchanged: true, why: 'the box office is not online' },
      // The performance's side is the coordinator's step only: the coordinator keeps the channels too.
      { at: SALE, perf: 'G1', cmd: { type: 'setProductResale', productId: 'CARD', channels: ['exchange'] }, expect: 'PRODUCT_STEP_ONLY', field: 'commandId', unchanged: true, why: 'sent by hand' },
      { at: SALE, perf: 'G1', cmd: { type: 'setProductResale', commandId: `~${w.perf('G1').products.get('PLAIN')!.linkNo}/9/0`, productId: 'CARD', channels: ['exchange'] }, expect: 'PRODUCT_STEP_ONLY', unchanged: true, why: 'a step of another product' },
    ]);
    expect(channelsOn(w, 'CARD', ['G1', 'G2', 'G3'])).toEqual([['web'], ['web'], ['web']]);
    expect(w.prod('CARD').resaleChannels).toBeNull();
  });

  it('undoes the channels on the performances that took them when another refuses (all or nothing)', () => {
    const w = new World();
    // G3 alone has a second exchange, fanx.
    for (const g of games) {
      const spec = perfSpec(g, hall);
      if (g.performanceId === 'G3') spec.channels.push({ id: 'fanx', kind: 'resale', saleStartMs: 0, saleEndMs: g.endsAtMs });
      const created = createPerformance(spec, hall);
      if (!created.ok) throw new Error(created.message);
      w.local.addPerformance(created.state);
      w.layouts.set(g.performanceId, hall);
    }
    expectCode(w.product('CARD', resaleCard('CARD', games), 0), 'OK');
    const before = w.view();
    // Driven by hand: G1 and G2 refuse fanx, G3 takes it, and is then given back the web.
    const s = w.prod('CARD');
    const started = executeProduct(s, setChannels(['fanx'], { commandId: 's1' }) as ProductCommand, SALE);
    expect(isPending(started.result)).toBe(true);
    const sent = started.out.filter((o) => o.t === 'send');
    const answers = sent.map((o) => w.local.perform(o.to, o.command, SALE));
    expect(answers.map((r) => (r.ok ? 'OK' : r.name))).toEqual(['CHANNEL_UNKNOWN', 'CHANNEL_UNKNOWN', 'OK']);
    expect(channelsOn(w, 'CARD', ['G1', 'G2', 'G3'])).toEqual([['web'], ['web'], ['fanx']]);
    const undo: Outbound[] = [];
    sent.forEach((o, i) => undo.push(...executeProduct(s, { type: 'stepResult', commandId: `r${i}`, saga: o.saga, step: o.step, result: answers[i] }, SALE).out));
    expect(undo).toEqual([expect.objectContaining({ t: 'send', to: 'G3', command: expect.objectContaining({ type: 'setProductResale', productId: 'CARD', channels: ['web'] }) })]);
    const back = undo[0].t === 'send' ? w.local.perform('G3', undo[0].command, SALE) : null;
    expectCode(back as Result, 'OK');
    const end = undo[0].t === 'send' ? executeProduct(s, { type: 'stepResult', commandId: 'r9', saga: undo[0].saga, step: undo[0].step, result: back as Result }, SALE).out : [];
    expect(end).toEqual([{ t: 'done', commandId: 's1', result: expect.objectContaining({ ok: false, name: 'CHANNEL_UNKNOWN', field: 'G1:channels[0]' }) }]);
    expect(channelsOn(w, 'CARD', ['G1', 'G2', 'G3'])).toEqual([['web'], ['web'], ['web']]);
    expect(w.view()).toBe(before);
    expect(s.resaleChannels).toBeNull();
    // Its retry is answered the same; the id with another payload is refused.
    expectCode(w.product('CARD', setChannels(['fanx'], { commandId: 's1' }), SALE + 1), 'CHANNEL_UNKNOWN');
    expectCode(w.product('CARD', setChannels(['web'], { commandId: 's1' }), SALE + 1), 'COMMAND_ID_REUSED');
    // Named where every performance has it, it goes through.
    expectCode(w.product('CARD', setChannels(['exchange']), SALE + 1), 'OK');
  });
});

describe('resale channels - retries, sagas in flight and snapshots', () => {

  it('answers a retry with the first outcome, not applied again', () => {
    const { w } = withCards();
    const first = expectCode(w.product('CARD', setChannels(['exchange'], { commandId: 'open' }), SALE), 'OK');
    expectCode(w.product('CARD', setChannels(['web'], { commandId: 'web' }), SALE + 1), 'OK');
    expect(w.product('CARD', setChannels(['exchange'], { commandId: 'open' }), SALE + 2)).toEqual(first);
    expect(channelsOn(w, 'CARD', ['G1', 'G2', 'G3'])).toEqual([['web'], ['web'], ['web']]);
    expectCode(w.product('CARD', setChannels(['web', 'exchange'], { commandId: 'open' }), SALE + 2), 'COMMAND_ID_REUSED');
    const refusal = expectCode(w.product('CARD', setChannels(['web', 'web'], { commandId: 'bad' }), SALE + 2), 'PRODUCT_INVALID');
    expect(w.product('CARD', setChannels(['web', 'web'], { commandId: 'bad' }), SALE + 3)).toEqual(refusal);
  });

  it('runs alone beside a link: a link waits for it, and it is refused while a link or another set runs', () => {
    const { w } = withCards();
    const s = w.prod('CARD');
    const set = executeProduct(s, setChannels(['exchange'], { commandId: 's1' }) as ProductCommand, SALE);
    expect(isPending(set.result)).toBe(true);
    expect(set.out.map((o) => (o.t === 'send' ? [o.to, o.command.type] : null))).toEqual([['G1', 'setProductResale'], ['G2', 'setProductResale'], ['G3', 'setProductResale']]);
    expectCode(executeProduct(s, setChannels(['web'], { commandId: 's2' }) as ProductCommand, SALE).result as Result, 'PRODUCT_BUSY');
    // A retry of the one running joins it.
    expect(executeProduct(s, setChannels(['exchange'], { commandId: 's1' }) as ProductCommand, SALE).result).toEqual(set.result);
    // A purchase runs beside it; a link waits for it (nothing sent yet).
    const link = executeProduct(s, { type: 'linkPerformance', commandId: 'l1', performance: later } as ProductCommand, SALE);
    expect(isPending(link.result)).toBe(true);
    expect(link.out).toEqual([]);
    // A coordinator restored from its snapshot mid-saga knows both.
    const restored = productFromPlain(JSON.parse(JSON.stringify(productToPlain(s))));
    expect(JSON.stringify(productToPlain(restored))).toBe(JSON.stringify(productToPlain(s)));
    expectCode(executeProduct(restored, setChannels(['web'], { commandId: 's3' }) as ProductCommand, SALE).result as Result, 'PRODUCT_BUSY');
    const done = driveSteps(w, s, [...set.out], SALE);
    expect(done.get('s1')).toEqual({ ok: true, productId: 'CARD', channels: ['exchange'] });
    expect(done.get('l1')).toMatchObject({ ok: true, performanceId: 'G4', holders: 2 });
    expect(channelsOn(w, 'CARD', ['G1', 'G2', 'G3', 'G4'])).toEqual([['exchange'], ['exchange'], ['exchange'], ['exchange']]);
    // The one refused while busy goes through once retried.
    expect(w.product('CARD', setChannels(['web'], { commandId: 's2' }), SALE + 1)).toEqual({ ok: true, productId: 'CARD', channels: ['web'] });
  });

  it('is refused while a link runs', () => {
    const { w } = withCards();
    const s = productFromPlain(productToPlain(w.prod('CARD')));
    expect(isPending(executeProduct(s, { type: 'linkPerformance', commandId: 'l1', performance: later } as ProductCommand, SALE).result)).toBe(true);
    expectCode(executeProduct(s, setChannels(['exchange'], { commandId: 's1' }) as ProductCommand, SALE).result as Result, 'PRODUCT_BUSY');
  });

  it('snapshots the channels set only once set, and a coordinator read back goes on alike', () => {
    const { w } = withCards();
    expect(productToPlain(w.prod('CARD'))).not.toHaveProperty('resaleChannels');
    expectCode(w.product('CARD', setChannels(['exchange', 'web'], { commandId: 'open' }), SALE), 'OK');
    expect(productToPlain(w.prod('CARD'))).toHaveProperty('resaleChannels', ['exchange', 'web']);
    const twin = w.clone();
    expect(twin.fingerprint()).toBe(w.fingerprint());
    for (const world of [w, twin]) {
      expect(world.product('CARD', setChannels(['exchange', 'web'], { commandId: 'open' }), SALE + 1)).toEqual({ ok: true, productId: 'CARD', channels: ['exchange', 'web'] });
      expectCode(world.product('CARD', linkLater(later, { commandId: 'link' }), SALE + 1), 'OK');
      expect(channelsOn(world, 'CARD', ['G4'])).toEqual([['exchange', 'web']]);
    }
    expect(twin.fingerprint()).toBe(w.fingerprint());
  });
});

describe('resale channels - a contingent authorized for resale later', () => {
  it('lets its seats be listed once authorized on a resale channel, performance by performance', () => {
    const w = new World().add(games, hall);
    expectCode(w.product('SER', resaleCard('SER', games, { kind: 'series', ticketType: 'sub', sameSeat: true }), 0), 'OK');
    // Seed 003's example: seats sold from a VIP contingent, not authorized on the exchange yet.
    for (const g of games) expectCode(w.perform(g.performanceId, { type: 'createQuota', quotaId: 'vip', channels: ['box'], policy: 'quotaFirst', productId: 'SER', seats: ['B-1-1', 'B-1-2'] }, SALE), 'OK');
    const ann = holding(w.product('SER', buy('ann', { seats: ['B-1-1'] }), SALE)).holdingId;
    const bob = holding(w.product('SER', buy('bob', { seats: ['B-1-2'] }), SALE)).holdingId;
    const on = (p: string) => w.valid(p, ann)[0].ticketId;
    const sub = priceOf(hall, 'sub', 'B');
    play(w, [
      { at: SALE, perf: 'G1', cmd: list('L1', on('G1'), 'ann', sub), expect: 'RESALE_QUOTA_NOT_AUTHORIZED', field: 'ticketId', unchanged: true },
      { at: SALE, perf: 'G1', cmd: { type: 'setQuotaResale', quotaId: 'vip', channels: ['web'] }, expect: 'RESALE_CHANNEL_NOT_ALLOWED', field: 'channels[0]', unchanged: true },
      { at: SALE, perf: 'G1', cmd: { type: 'setQuotaResale', quotaId: 'gold', channels: ['exchange'] }, expect: 'QUOTA_UNKNOWN', field: 'quotaId', unchanged: true },
      { at: SALE + 1, perf: 'G1', cmd: { type: 'setQuotaResale', quotaId: 'vip', channels: ['exchange'] }, expect: 'OK' },
      { at: SALE + 1, perf: 'G1', cmd: list('L1', on('G1'), 'ann', sub), expect: 'OK' },
      { at: SALE + 1, perf: 'G2', cmd: list('L2', on('G2'), 'ann', sub), expect: 'RESALE_QUOTA_NOT_AUTHORIZED', unchanged: true, why: 'authorized on G1 only' },
      { at: SALE + 2, perf: 'G1', cmd: buyListing('L1', 'guest-1'), expect: 'OK' },
      { at: SALE + 3, perf: 'G1', cmd: { type: 'setQuotaResale', quotaId: 'vip', channels: [] }, expect: 'OK', why: 'withdrawn' },
      { at: SALE + 3, perf: 'G1', cmd: list('L3', w.valid('G1', bob)[0].ticketId, 'bob', sub), expect: 'RESALE_QUOTA_NOT_AUTHORIZED', field: 'ticketId', unchanged: true },
    ]);
  });
});
