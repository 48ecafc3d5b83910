// Resale permission changes over the season (DOMAIN §6, seed 003): the organizer opens or closes
// resale per online channel (setProductResale, the step a product's coordinator sends for its
// setResaleChannels), and authorizes a contingent's seats for resale after creating it
// (setQuotaResale: seed 003 has a VIP contingent not resold "as long as" it is not authorized).
// A listing made before a channel closed stays open until it is withdrawn or sold.
import { describe, expect, it } from 'vitest';
import { productLinks, type PerformanceState } from '../../src/domain/mod.ts';
import {
  OPEN, asStepOf, avail, buyResale, confirm, createQuota, hall, holdSeats, linkProduct, listResale, newPerformance, play, productSpec,
  setProductResale, setQuotaResale, withdrawResale, type Step,
} from './helpers.ts';
import { expectResumes, expectRoundTrips } from './snapshot-checks.ts';

const id = (commandId: string) => ({ commandId });
const card = (holdingId: string) => ({ productId: 'card', holdingId });
const band = (holdingId: string) => ({ productId: 'band', holdingId });

/** A product's hold and its confirm, for a buyer and a holding. */
function sell(holdId: string, buyerId: string, seatIds: string[], product: Record<string, string>): Step[] {
  return [
    { at: OPEN, cmd: holdSeats(holdId, buyerId, seatIds, product), expect: 'OK' },
    { at: OPEN, cmd: confirm(holdId, buyerId), expect: 'OK' },
  ];
}

/** The product hall with a second resale channel, `fanx` (an exchange of a partner's). */
function twoExchanges(): PerformanceState {
  return newPerformance((spec) => {
    productSpec(spec);
    spec.channels.push({ id: 'fanx', kind: 'resale', saleStartMs: 0, saleEndMs: spec.channels[0].saleEndMs });
  });
}

/** The listing channels of a linked product, as ids. */
const channelsOf = (s: PerformanceState, productId: string) => productLinks(s).find((p) => p.productId === productId)?.resale?.channels;
/** A quota's channels, as ids. */
const quotaChannels = (s: PerformanceState, quotaId: string) => s.quotaById.get(quotaId)?.channels.map((c) => s.channels[c].id);

/**
 * `card` (listed on the web only, 50-120 %) with ann's H1 (T0, T1) and bob's H2 (T2); `fixed`
 * (a fixed-price card: no resale policy) with dan's F1 (T3).
 */
function cardHall(): PerformanceState {
  const state = twoExchanges();
  play(state, [
    { at: 0, cmd: linkProduct('card'), expect: 'OK' },
    { at: 0, cmd: linkProduct('fixed', { cardKind: 'fixedPrice', resale: null }), expect: 'OK' },
    ...sell('h1', 'ann', ['MAIN-1-1', 'MAIN-1-2'], card('H1')),
    ...sell('h2', 'bob', ['MAIN-1-3'], card('H2')),
    ...sell('h3', 'dan', ['MAIN-1-4'], { productId: 'fixed', holdingId: 'F1' }),
  ]);
  return state;
}

describe('resale permission - a product\'s listing channels (setProductResale)', () => {
  it('checks the step, the product and the channels; refuses every listing channel that is not online', () => {
    const state = cardHall();
    play(state, [
      { at: OPEN, cmd: setProductResale('', ['web']), expect: 'COMMAND_INVALID', field: 'productId', unchanged: true },
      { at: OPEN, cmd: setProductResale('nope', ['web']), expect: 'PRODUCT_NOT_LINKED', field: 'productId', unchanged: true },
      { at: OPEN, cmd: setProductResale('card', ['web', 'resale'], id('by-hand')), expect: 'PRODUCT_STEP_ONLY', field: 'commandId', unchanged: true, why: 'not a step of a coordinator' },
      { at: OPEN, cmd: setProductResale('card', ['web', 'resale'], asStepOf('fixed')), expect: 'PRODUCT_STEP_ONLY', field: 'commandId', unchanged: true, why: 'a step of another product' },
      { at: OPEN, cmd: setProductResale('fixed', ['web']), expect: 'RESALE_NOT_ELIGIBLE', field: 'productId', unchanged: true, why: 'a fixed-price card is never resold' },
      { at: OPEN, cmd: setProductResale('card', 'web'), expect: 'COMMAND_INVALID', field: 'channels', unchanged: true },
      { at: OPEN, cmd: setProductResale('card', Array.from({ length: 33 }, () => 'web')), expect: 'COMMAND_INVALID', field: 'channels', unchanged: true },
      { at: OPEN, cmd: setProductResale('card', ['web', 'tv']), expect: 'CHANNEL_UNKNOWN', field: 'channels[1]', unchanged: true },
      { at: OPEN, cmd: setProductResale('card', ['web', 'box']), expect: 'RESALE_CHANNEL_NOT_ALLOWED', field: 'channels[1]', unchanged: true, why: 'a box office is not online' },
      { at: OPEN, cmd: setProductResale('card', ['partner']), expect: 'RESALE_CHANNEL_NOT_ALLOWED', field: 'channels[0]', unchanged: true, why: 'nor a partner\'s point of sale' },
    ]);
    expect(channelsOf(state, 'card')).toEqual(['web']);
  });

  it('refuses a listing on a channel before it is opened, allows it after, refuses it again once closed; open listings stay', () => {
    const state = cardHall();
    play(state, [
      { at: OPEN, cmd: listResale('L1', 'P1-T0', 'ann', 5000, { channel: 'resale' }), expect: 'RESALE_CHANNEL_NOT_ALLOWED', field: 'channel', unchanged: true, why: 'not opened yet' },
      { at: OPEN, cmd: setProductResale('card', ['web', 'resale', 'web']), expect: 'OK', why: 'opened on the exchange\'s own channel; a channel named twice counts once', check: (_r, s) => expect(channelsOf(s, 'card')).toEqual(['web', 'resale']) },
      { at: OPEN, cmd: listResale('L1', 'P1-T0', 'ann', 5000, { channel: 'resale' }), expect: 'OK' },
      { at: OPEN, cmd: listResale('L2', 'P1-T1', 'ann', 5000), expect: 'OK', why: 'on the web, still open' },
      { at: OPEN + 1, cmd: setProductResale('card', ['resale']), expect: 'OK', why: 'the web closed', check: (_r, s) => expect(channelsOf(s, 'card')).toEqual(['resale']) },
      { at: OPEN + 1, cmd: listResale('L3', 'P1-T2', 'bob', 5000), expect: 'RESALE_CHANNEL_NOT_ALLOWED', field: 'channel', unchanged: true, why: 'closed' },
      { at: OPEN + 1, cmd: listResale('L3', 'P1-T2', 'bob', 5000, { channel: 'resale' }), expect: 'OK' },
      { at: OPEN + 2, cmd: buyResale('L2', 'joe'), expect: 'OK', why: 'listed on the web before it closed: it stays until sold or withdrawn' },
      { at: OPEN + 2, cmd: withdrawResale('L3', 'bob'), expect: 'OK' },
      { at: OPEN + 3, cmd: setProductResale('card', []), expect: 'OK', why: 'closed on every channel', check: (_r, s) => expect(channelsOf(s, 'card')).toEqual([]) },
      { at: OPEN + 3, cmd: listResale('L4', 'P1-T2', 'bob', 5000, { channel: 'resale' }), expect: 'RESALE_CHANNEL_NOT_ALLOWED', unchanged: true },
      { at: OPEN + 3, cmd: listResale('L4', 'P1-T2', 'bob', 5000), expect: 'RESALE_CHANNEL_NOT_ALLOWED', unchanged: true },
      { at: OPEN + 4, cmd: buyResale('L1', 'kim'), expect: 'OK', why: 'the listing made while the exchange\'s channel was open' },
      { at: OPEN + 5, cmd: setProductResale('card', ['web']), expect: 'OK', why: 'opened again' },
      { at: OPEN + 5, cmd: listResale('L4', 'P1-T2', 'bob', 5000), expect: 'OK' },
    ]);
  });

  it('answers a retry with its first answer, and another command under the same id COMMAND_ID_REUSED', () => {
    const state = cardHall();
    const opened = asStepOf('card');
    const refused = asStepOf('card');
    play(state, [
      { at: OPEN, cmd: setProductResale('card', ['resale'], opened), expect: 'OK' },
      { at: OPEN, cmd: setProductResale('card', ['box'], refused), expect: 'RESALE_CHANNEL_NOT_ALLOWED' },
      { at: OPEN + 1, cmd: setProductResale('card', ['web']), expect: 'OK' },
      { at: OPEN + 2, cmd: setProductResale('card', ['resale'], opened), expect: 'OK', sameHash: true, why: 'a re-sent step changes nothing', check: (_r, s) => expect(channelsOf(s, 'card')).toEqual(['web']) },
      { at: OPEN + 2, cmd: setProductResale('card', ['box'], refused), expect: 'RESALE_CHANNEL_NOT_ALLOWED', sameHash: true },
      { at: OPEN + 2, cmd: setProductResale('card', ['web', 'resale'], opened), expect: 'COMMAND_ID_REUSED', sameHash: true },
    ]);
  });
});

/**
 * `band` (listed on the web, 33-101 %) selling from its contingent `vip` (box office only, not
 * authorized for resale): eve's B1 (T0), fay's B2 (T1) and hal's B4 (T3); gus's B3 (T2) from the
 * general pool. `club`: a contingent of single tickets on the web.
 */
function vipHall(): PerformanceState {
  const state = twoExchanges();
  play(state, [
    { at: 0, cmd: linkProduct('band', { resale: { minPct: 33, maxPct: 101, feePct: 0, channels: ['web'] } }), expect: 'OK' },
    { at: 0, cmd: createQuota('vip', ['box'], 'quotaFirst', { productId: 'band', seats: ['MAIN-2-1', 'MAIN-2-2', 'MAIN-2-3'] }), expect: 'OK' },
    { at: 0, cmd: createQuota('club', ['web'], 'quotaFirst', { seats: ['MAIN-3-1', 'MAIN-3-2'] }), expect: 'OK' },
    ...sell('h1', 'eve', ['MAIN-2-1'], band('B1')),
    ...sell('h2', 'fay', ['MAIN-2-2'], band('B2')),
    ...sell('h3', 'gus', ['MAIN-1-1'], band('B3')),
    ...sell('h4', 'hal', ['MAIN-2-3'], band('B4')),
  ]);
  return state;
}

describe('resale permission - a contingent authorized later (setQuotaResale)', () => {
  it('checks the quota and the channels: resale channels only', () => {
    const state = vipHall();
    play(state, [
      { at: OPEN, cmd: setQuotaResale('', ['resale']), expect: 'COMMAND_INVALID', field: 'quotaId', unchanged: true },
      { at: OPEN, cmd: setQuotaResale('nope', ['resale']), expect: 'QUOTA_UNKNOWN', field: 'quotaId', unchanged: true },
      { at: OPEN, cmd: setQuotaResale('vip', 'resale'), expect: 'COMMAND_INVALID', field: 'channels', unchanged: true },
      { at: OPEN, cmd: setQuotaResale('vip', ['tv']), expect: 'CHANNEL_UNKNOWN', field: 'channels[0]', unchanged: true },
      { at: OPEN, cmd: setQuotaResale('vip', ['resale', 'web']), expect: 'RESALE_CHANNEL_NOT_ALLOWED', field: 'channels[1]', unchanged: true, why: 'a channel that sells, not a resale channel' },
    ]);
    expect(quotaChannels(state, 'vip')).toEqual(['box']);
  });

  it('lets its seats be listed once authorized, and bought on the resale channels it names; not again once withdrawn', () => {
    const state = vipHall();
    play(state, [
      { at: OPEN, cmd: listResale('L1', 'P1-T0', 'eve', 2500), expect: 'RESALE_QUOTA_NOT_AUTHORIZED', field: 'ticketId', unchanged: true, why: 'as long as vip is not authorized' },
      { at: OPEN, cmd: listResale('L1', 'P1-T2', 'gus', 2500), expect: 'OK', why: 'a general-pool seat of the same product' },
      { at: OPEN, cmd: setQuotaResale('vip', ['resale']), expect: 'OK', check: (_r, s) => expect(quotaChannels(s, 'vip')).toEqual(['box', 'resale']) },
      { at: OPEN, cmd: listResale('L2', 'P1-T0', 'eve', 2500), expect: 'OK' },
      { at: OPEN, cmd: listResale('L3', 'P1-T1', 'fay', 2500), expect: 'OK' },
      { at: OPEN + 1, cmd: buyResale('L2', 'joe', { channel: 'fanx' }), expect: 'RESALE_QUOTA_NOT_AUTHORIZED', field: 'channel', unchanged: true, why: 'vip names the exchange resale, not fanx' },
      { at: OPEN + 1, cmd: buyResale('L2', 'joe'), expect: 'OK' },
      { at: OPEN + 2, cmd: setQuotaResale('vip', ['fanx', 'fanx']), expect: 'OK', why: 'moved to fanx; the box office stays', check: (_r, s) => expect(quotaChannels(s, 'vip')).toEqual(['box', 'fanx']) },
      { at: OPEN + 2, cmd: buyResale('L3', 'kim'), expect: 'RESALE_QUOTA_NOT_AUTHORIZED', field: 'channel', unchanged: true, why: 'an open listing is bought where its quota is authorized now' },
      { at: OPEN + 2, cmd: buyResale('L3', 'kim', { channel: 'fanx' }), expect: 'OK' },
      { at: OPEN + 3, cmd: setQuotaResale('vip', []), expect: 'OK', why: 'withdrawn', check: (_r, s) => expect(quotaChannels(s, 'vip')).toEqual(['box']) },
      { at: OPEN + 3, cmd: listResale('L4', 'P1-T3', 'hal', 2500), expect: 'RESALE_QUOTA_NOT_AUTHORIZED', field: 'ticketId', unchanged: true },
      { at: OPEN + 3, cmd: setQuotaResale('vip', ['resale']), expect: 'OK', why: 'authorized again' },
      { at: OPEN + 3, cmd: listResale('L4', 'P1-T3', 'hal', 2500), expect: 'OK' },
    ]);
  });

  it('changes nothing a contingent sells, nor where: a resale channel sells no stock', () => {
    const state = vipHall();
    const onWeb = JSON.stringify(avail(state, 'web'));
    const onExchange = JSON.stringify(avail(state, 'resale'));
    play(state, [
      { at: OPEN, cmd: setQuotaResale('club', ['resale', 'fanx']), expect: 'OK', check: (_r, s) => {
        expect(quotaChannels(s, 'club')).toEqual(['web', 'resale', 'fanx']);
        expect(JSON.stringify(avail(s, 'web'))).toBe(onWeb);
        expect(JSON.stringify(avail(s, 'resale'))).toBe(onExchange);
      } },
      { at: OPEN, cmd: holdSeats('x1', 'joe', ['MAIN-3-1'], { channel: 'resale' }), expect: 'CHANNEL_RESALE_ONLY', unchanged: true },
      { at: OPEN, cmd: holdSeats('x2', 'joe', ['MAIN-3-1']), expect: 'OK', why: 'still sold on the web' },
      { at: OPEN, cmd: setQuotaResale('club', []), expect: 'OK', check: (_r, s) => expect(quotaChannels(s, 'club')).toEqual(['web']) },
    ]);
  });

  it('answers a retry with its first answer, and another command under the same id COMMAND_ID_REUSED', () => {
    const state = vipHall();
    play(state, [
      { at: OPEN, cmd: setQuotaResale('vip', ['resale'], id('q1')), expect: 'OK' },
      { at: OPEN, cmd: setQuotaResale('vip', ['web'], id('q2')), expect: 'RESALE_CHANNEL_NOT_ALLOWED' },
      { at: OPEN + 1, cmd: setQuotaResale('vip', [], id('q3')), expect: 'OK' },
      { at: OPEN + 2, cmd: setQuotaResale('vip', ['resale'], id('q1')), expect: 'OK', sameHash: true, why: 'not applied twice', check: (_r, s) => expect(quotaChannels(s, 'vip')).toEqual(['box']) },
      { at: OPEN + 2, cmd: setQuotaResale('vip', ['web'], id('q2')), expect: 'RESALE_CHANNEL_NOT_ALLOWED', sameHash: true },
      { at: OPEN + 2, cmd: setQuotaResale('vip', ['fanx'], id('q1')), expect: 'COMMAND_ID_REUSED', sameHash: true },
    ]);
  });
});

describe('resale permission - snapshots', () => {
  // Channels opened and closed, a contingent authorized and withdrawn, with listings in between:
  // every point of it round-trips byte for byte, and a performance resumed there ends alike.
  const journal: Step[] = [
    { at: 0, cmd: linkProduct('card', id('k1')), expect: 'OK' },
    { at: 0, cmd: createQuota('vip', ['box'], 'quotaFirst', { ...id('k2'), productId: 'card', seats: ['MAIN-2-1'] }), expect: 'OK' },
    { at: OPEN, cmd: holdSeats('c1', 'ann', ['MAIN-1-1'], card('H1')), expect: 'OK' },
    { at: OPEN, cmd: holdSeats('c2', 'bob', ['MAIN-2-1'], card('H2')), expect: 'OK' },
    { at: OPEN, cmd: confirm('c1', 'ann', id('k3')), expect: 'OK' },
    { at: OPEN, cmd: confirm('c2', 'bob', id('k4')), expect: 'OK' },
    { at: OPEN + 1, cmd: setProductResale('card', ['resale', 'web']), expect: 'OK' },
    { at: OPEN + 1, cmd: listResale('L1', 'P1-T0', 'ann', 5000, { ...id('k5'), channel: 'resale' }), expect: 'OK' },
    { at: OPEN + 1, cmd: listResale('L2', 'P1-T1', 'bob', 5000, id('k6')), expect: 'RESALE_QUOTA_NOT_AUTHORIZED' },
    { at: OPEN + 2, cmd: setQuotaResale('vip', ['fanx'], id('k7')), expect: 'OK' },
    { at: OPEN + 2, cmd: listResale('L2', 'P1-T1', 'bob', 5000, id('k8')), expect: 'OK' },
    { at: OPEN + 3, cmd: setProductResale('card', []), expect: 'OK' },
    { at: OPEN + 3, cmd: setQuotaResale('vip', [], id('k9')), expect: 'OK' },
    { at: OPEN + 4, cmd: buyResale('L1', 'joe', id('k10')), expect: 'OK' },
    { at: OPEN + 4, cmd: setQuotaResale('vip', ['fanx'], id('k7')), expect: 'OK', why: 'a retry, not applied again' },
  ];

  it('plays the journal', () => {
    play(twoExchanges(), journal);
  });

  it('round-trips byte for byte after every line, and resumes from any of them', () => {
    expectRoundTrips(journal, twoExchanges, hall, (decoded, original) => {
      expect(productLinks(decoded)).toEqual(productLinks(original));
      expect(quotaChannels(decoded, 'vip')).toEqual(quotaChannels(original, 'vip'));
    });
    expectResumes(journal, twoExchanges, hall);
  });
});
