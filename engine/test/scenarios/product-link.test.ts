// Products as a performance sees them (seeds 000, 002, 003): a coordinator links its product
// before the single-ticket sale starts, which registers the product's terms here, and unlinks it
// only while the product holds, sold and reserves nothing here.
import { describe, expect, it } from 'vitest';
import {
  auditPerformance, decodeSnapshot, encodeSnapshot, execute, limits, productLinks, type HoldAccepted, type LinkAccepted, type PerformanceState, type Result,
} from '../../src/domain/mod.ts';
import {
  OPEN, accepted, avail, confirm, createPresale, createQuota, gaLayout, hall, holdSeats, linkProduct, newPerformance, play, productSpec, release,
  asStepOf, returnQuota, seatPool, seatedLayout, unlinkProduct, voidTicket,
} from './helpers.ts';

const linked = (expected: Omit<LinkAccepted, 'ok'>) => (r: Result) => expect(accepted<LinkAccepted>(r)).toEqual({ ok: true, ...expected });
const card = { productId: 'card', holdingId: 'H1' };

describe('products - linking a product to a performance', () => {
  it('answers what the coordinator compares across performances: numbering, capacity, when single sale starts, the hall', () => {
    const numbered = newPerformance(productSpec, seatedLayout('numbered', [['MAIN', ['AAAA', 'AAAA']]]));
    const standing = newPerformance(productSpec, gaLayout('standing', 120));
    const mixed = newPerformance((spec) => { productSpec(spec); spec.channels[2].saleStartMs = OPEN - 500; });
    play(numbered, [{ at: 0, cmd: linkProduct('card'), expect: 'OK', check: linked({ performanceId: 'P1', numbered: true, capacity: 8, singleSaleStartMs: OPEN, linkNo: 0, layoutId: 'numbered' }) }]);
    play(standing, [{ at: 0, cmd: linkProduct('card'), expect: 'OK', check: linked({ performanceId: 'P1', numbered: false, capacity: 120, singleSaleStartMs: OPEN, linkNo: 0, layoutId: 'standing' }) }]);
    play(mixed, [
      // The resale channel opens at 0 and does not count; the partner opens first.
      { at: 0, cmd: linkProduct('card'), expect: 'OK', why: 'seats and standing places: not numbered', check: linked({ performanceId: 'P1', numbered: false, capacity: 76, singleSaleStartMs: OPEN - 500, linkNo: 0, layoutId: 'hall' }) },
    ]);
    expect(productLinks(numbered)).toEqual([{ productId: 'card', kind: 'seasonCard', cardKind: 'calculatedPrice', resale: { minPct: 50, maxPct: 120, feePct: 10, channels: ['web'] } }]);
  });

  it('checks the terms, then refuses a second link and a link once single-ticket sale has started', () => {
    const state = newPerformance(productSpec);
    const resale = (terms: Record<string, unknown>) => ({ resale: { minPct: 50, maxPct: 120, feePct: 10, channels: ['web'], ...terms } });
    play(state, [
      { at: 0, cmd: linkProduct(''), expect: 'COMMAND_INVALID', field: 'productId', unchanged: true },
      { at: 0, cmd: linkProduct('card', { kind: 'bundle' }), expect: 'COMMAND_INVALID', field: 'kind', unchanged: true },
      { at: 0, cmd: linkProduct('card', { cardKind: 'free' }), expect: 'COMMAND_INVALID', field: 'cardKind', unchanged: true },
      { at: 0, cmd: linkProduct('card', { resale: undefined }), expect: 'COMMAND_INVALID', field: 'resale', unchanged: true },
      { at: 0, cmd: linkProduct('card', { resale: [] }), expect: 'COMMAND_INVALID', field: 'resale', unchanged: true },
      { at: 0, cmd: linkProduct('card', resale({ minPct: -1 })), expect: 'COMMAND_INVALID', field: 'resale.minPct', unchanged: true },
      { at: 0, cmd: linkProduct('card', resale({ minPct: 50.5 })), expect: 'COMMAND_INVALID', field: 'resale.minPct', unchanged: true },
      { at: 0, cmd: linkProduct('card', resale({ maxPct: 49 })), expect: 'COMMAND_INVALID', field: 'resale.maxPct', unchanged: true, why: 'below minPct' },
      { at: 0, cmd: linkProduct('card', resale({ maxPct: 1001 })), expect: 'COMMAND_INVALID', field: 'resale.maxPct', unchanged: true },
      { at: 0, cmd: linkProduct('card', resale({ feePct: 101 })), expect: 'COMMAND_INVALID', field: 'resale.feePct', unchanged: true },
      { at: 0, cmd: linkProduct('card', resale({ channels: 'web' })), expect: 'COMMAND_INVALID', field: 'resale.channels', unchanged: true },
      { at: 0, cmd: linkProduct('card', resale({ channels: ['web', 'tv'] })), expect: 'CHANNEL_UNKNOWN', field: 'resale.channels[1]', unchanged: true },
      // DOMAIN §6: resale is allowed or forbidden per online channel; the box office is not one,
      // nor is a partner's point of sale.
      { at: 0, cmd: linkProduct('card', resale({ channels: ['web', 'box'] })), expect: 'RESALE_CHANNEL_NOT_ALLOWED', field: 'resale.channels[1]', unchanged: true, why: 'a box office' },
      { at: 0, cmd: linkProduct('card', resale({ channels: ['partner'] })), expect: 'RESALE_CHANNEL_NOT_ALLOWED', field: 'resale.channels[0]', unchanged: true, why: 'a partner channel' },
      { at: 0, cmd: linkProduct('card', { cardKind: 'fixedPrice' }), expect: 'RESALE_NOT_ELIGIBLE', field: 'resale', unchanged: true, why: 'fixed-price cards are never resold' },
      { at: 0, cmd: linkProduct('card', { channel: 'kiosk' }), expect: 'CHANNEL_UNKNOWN', field: 'channel', unchanged: true, why: 'the product sells on a channel this performance lacks' },
      { at: 0, cmd: linkProduct('card', { channel: '' }), expect: 'COMMAND_INVALID', field: 'channel', unchanged: true },
      { at: 0, cmd: linkProduct('card', { ticketTypes: 'adult' }), expect: 'COMMAND_INVALID', field: 'ticketTypes', unchanged: true },
      { at: 0, cmd: linkProduct('card', { ticketTypes: [''] }), expect: 'COMMAND_INVALID', field: 'ticketTypes[0]', unchanged: true },
      { at: 0, cmd: linkProduct('card', { ticketTypes: ['nope'] }), expect: 'TICKET_TYPE_UNKNOWN', field: 'ticketTypes[0]', unchanged: true, why: 'a type the product sells with, unknown here' },
      { at: 0, cmd: linkProduct('fixed', { cardKind: 'fixedPrice', resale: null, channel: 'box', ticketTypes: ['adult', 'child'] }), expect: 'OK' },
      { at: 0, cmd: linkProduct('card', resale({ minPct: 100, maxPct: 100, feePct: 0 })), expect: 'OK', why: 'a band of one price' },
      { at: 1, cmd: linkProduct('card', { kind: 'series' }), expect: 'PRODUCT_ALREADY_LINKED', field: 'productId', unchanged: true },
      { at: OPEN - 1, cmd: linkProduct('subs', { kind: 'pickMix', resale: null }), expect: 'OK', why: 'the last moment' },
      { at: OPEN - 1, cmd: linkProduct('shut', resale({ channels: [] })), expect: 'OK', why: 'a policy with resale closed on every channel (setResaleChannels to none), linked later' },
      { at: OPEN, cmd: linkProduct('late'), expect: 'PRODUCT_LINK_TOO_LATE', unchanged: true, why: 'web and box open at OPEN' },
      { at: OPEN, cmd: linkProduct('card'), expect: 'PRODUCT_ALREADY_LINKED', unchanged: true, why: 'a second link is named as such, even late' },
    ]);
    expect(productLinks(state).map((p) => [p.productId, p.resale?.channels])).toEqual([['fixed', undefined], ['card', ['web']], ['subs', undefined], ['shut', []]]);
  });

  // Found in session 17: only the channels' windows were looked at, so a presale selling before
  // them let a product link a performance whose seats were already being sold.
  it('is too late once a presale link may sell, before any channel opens', () => {
    const state = newPerformance(productSpec);
    play(state, [
      { at: 0, cmd: createPresale('EARLY', 'guest', OPEN - 100, OPEN + 1_000, 10, 2), expect: 'OK' },
      { at: OPEN - 101, cmd: linkProduct('card', { commandId: 'l0' }), expect: 'OK', why: 'the presale is still to open' },
      { at: OPEN - 100, cmd: linkProduct('subs', { kind: 'pickMix', resale: null }), expect: 'PRODUCT_LINK_TOO_LATE', unchanged: true, why: 'the presale opened' },
    ]);
  });

  it('is too late from the start on the hall as set up for single tickets (the box office opens at 0)', () => {
    play(newPerformance(), [{ at: 0, cmd: linkProduct('card'), expect: 'PRODUCT_LINK_TOO_LATE', unchanged: true }]);
  });

  it('allows at most productsPerPerformanceMax products', () => {
    const state = newPerformance(productSpec);
    for (let i = 0; i < limits.productsPerPerformanceMax; i++) {
      const r = execute(state, linkProduct(`p${i}`, { commandId: `l${i}` }) as never, 0);
      if (!r.ok) throw new Error(`link ${i}: ${r.name}`);
    }
    play(state, [
      { at: 0, cmd: linkProduct('one-more'), expect: 'COMMAND_INVALID', field: 'productId', unchanged: true },
      { at: 0, cmd: unlinkProduct('p3'), expect: 'OK' },
      { at: 0, cmd: linkProduct('one-more'), expect: 'OK', why: 'an unlink makes room' },
    ]);
  });

  it('numbers each link once: an unlinked product\'s number is never given again, also after a snapshot', () => {
    // The coordinator names its steps on a performance by this number (`~<linkNo>/<saga>/<step>`):
    // a number given again would let a new product's step find an old product's answer.
    const state = newPerformance(productSpec);
    const linkNo = (r: Result) => accepted<LinkAccepted>(r).linkNo;
    expect(linkNo(execute(state, linkProduct('a', { commandId: 'la' }) as never, 0))).toBe(0);
    expect(linkNo(execute(state, linkProduct('b', { commandId: 'lb' }) as never, 0))).toBe(1);
    expect(execute(state, unlinkProduct('a', { commandId: 'ua' }) as never, 0).ok).toBe(true);
    const restored = decodeSnapshot(encodeSnapshot(state), hall);
    expect(restored.nextLinkNo).toBe(2);
    for (const s of [state, restored]) {
      expect(linkNo(execute(s, linkProduct('c', { commandId: 'lc' }) as never, 0))).toBe(2);
      expect(linkNo(execute(s, linkProduct('a', { commandId: 'la2' }) as never, 0))).toBe(3);
      expect([...s.products.values()].map((p) => [p.productId, p.linkNo])).toEqual([['b', 1], ['c', 2], ['a', 3]]);
    }
  });

  it('a retry gets the first answer, even after the sale has started; another payload under the id is refused', () => {
    const state = newPerformance(productSpec);
    play(state, [
      { at: 0, cmd: linkProduct('card', { commandId: 'link-1' }), expect: 'OK' },
      { at: OPEN + 5, cmd: linkProduct('card', { commandId: 'link-1' }), expect: 'OK', sameHash: true, check: (r, _s, earlier) => expect(r).toEqual(earlier[0]) },
      { at: OPEN + 5, cmd: linkProduct('card', { commandId: 'link-1', kind: 'series' }), expect: 'COMMAND_ID_REUSED', sameHash: true },
    ]);
  });
});

describe('products - unlinking', () => {
  it('undoes a link that holds, sold and reserves nothing; anything else is refused', () => {
    const state = newPerformance(productSpec);
    play(state, [
      { at: 0, cmd: unlinkProduct('card'), expect: 'PRODUCT_NOT_LINKED', field: 'productId', unchanged: true },
      { at: 0, cmd: unlinkProduct(''), expect: 'COMMAND_INVALID', field: 'productId', unchanged: true },
      { at: 0, cmd: linkProduct('card'), expect: 'OK' },
      { at: 0, cmd: linkProduct('club'), expect: 'OK' },
      { at: 0, cmd: linkProduct('gone'), expect: 'OK' },
      { at: 1, cmd: holdSeats('h1', 'ann', ['MAIN-1-1'], card), expect: 'OK' },
      { at: 1, cmd: unlinkProduct('card'), expect: 'PRODUCT_HAS_SALES', field: 'productId', unchanged: true, why: 'an open hold' },
      { at: 2, cmd: release('h1', 'ann'), expect: 'OK' },
      { at: 2, cmd: unlinkProduct('card'), expect: 'OK', why: 'the hold was released' },
      { at: 3, cmd: holdSeats('h2', 'ann', ['MAIN-1-1'], card), expect: 'PRODUCT_NOT_LINKED', field: 'productId', unchanged: true },
      { at: 3, cmd: linkProduct('card'), expect: 'OK', why: 'linked again' },
      { at: 3, cmd: holdSeats('h3', 'ann', ['MAIN-1-1'], card), expect: 'OK' },
      { at: 3, cmd: confirm('h3', 'ann'), expect: 'OK' },
      { at: 4, cmd: voidTicket('P1-T0', asStepOf('card')), expect: 'OK' },
      { at: 4, cmd: unlinkProduct('card'), expect: 'PRODUCT_HAS_SALES', unchanged: true, why: 'a ticket, even a void one' },
      { at: 4, cmd: createQuota('club-alloc', [], 'onlyQuota', { productId: 'club', seats: ['BALC-1-1'] }), expect: 'OK' },
      { at: 4, cmd: unlinkProduct('club'), expect: 'PRODUCT_HAS_SALES', unchanged: true, why: 'an allocation' },
      { at: 5, cmd: unlinkProduct('gone'), expect: 'OK' },
      { at: 5, cmd: unlinkProduct('gone'), expect: 'PRODUCT_NOT_LINKED', unchanged: true },
    ]);
    expect(productLinks(state).map((p) => p.productId)).toEqual(['club', 'card']);
  });

  // A product refused while its allocation is made: its coordinator gives the quotas made back
  // (returnQuota), then unlinks it everywhere, and the empty quotas go with the link.
  it('drops the product\'s empty quotas with the link; a quota that still reserves seats or places refuses the unlink', () => {
    const state = newPerformance(productSpec);
    const numbers = (s: PerformanceState) => s.quotas.map((q) => q?.quotaId ?? null);
    const roundTrips = (s: PerformanceState) => {
      const decoded = decodeSnapshot(encodeSnapshot(s), hall);
      expect(auditPerformance(decoded)).toEqual([]);
      expect(Buffer.from(encodeSnapshot(decoded)).equals(Buffer.from(encodeSnapshot(s)))).toBe(true);
      expect(numbers(decoded)).toEqual(numbers(s));
    };
    play(state, [
      { at: 0, cmd: linkProduct('gone'), expect: 'OK' },
      { at: 0, cmd: linkProduct('kept'), expect: 'OK' },
      { at: 0, cmd: createQuota('gone.allocation', [], 'onlyQuota', { productId: 'gone', seats: ['BALC-1-1', 'BALC-1-2'] }), expect: 'OK' },
      { at: 0, cmd: createQuota('gone.renewal', [], 'quotaFirst', { productId: 'gone', gaAreaId: 'FLOOR', count: 3 }), expect: 'OK' },
      { at: 0, cmd: createQuota('kept.allocation', [], 'onlyQuota', { productId: 'kept', seats: ['BALC-2-1'] }), expect: 'OK' },
      { at: 1, cmd: unlinkProduct('gone'), expect: 'PRODUCT_HAS_SALES', field: 'productId', unchanged: true, why: 'its allocation still reserves two seats' },
      { at: 1, cmd: returnQuota('gone.allocation'), expect: 'OK' },
      { at: 1, cmd: unlinkProduct('gone'), expect: 'PRODUCT_HAS_SALES', unchanged: true, why: 'its reservation still holds three places' },
      { at: 1, cmd: returnQuota('gone.renewal'), expect: 'OK' },
      { at: 2, cmd: unlinkProduct('gone'), expect: 'OK', why: 'both quotas are empty', check: (_r, s) => {
        expect(productLinks(s).map((p) => p.productId)).toEqual(['kept']);
        expect(avail(s).quotas.map((q) => q.quotaId)).toEqual(['kept.allocation']);
        // Numbers 1 and 2 go to no other quota: tickets and remembered commands name pools by number.
        expect(numbers(s)).toEqual([null, null, null, 'kept.allocation']);
        expect([seatPool(s, 'BALC-1-1'), seatPool(s, 'BALC-1-2')]).toEqual(['general', 'general']);
        roundTrips(s);
      } },
      { at: 2, cmd: createQuota('gone.allocation', ['box'], 'quotaFirst', { seats: ['BALC-1-1'] }), expect: 'OK', why: 'the id is free again, with a new number', check: (_r, s) => {
        expect(numbers(s)).toEqual([null, null, null, 'kept.allocation', 'gone.allocation']);
      } },
      { at: 3, cmd: linkProduct('last'), expect: 'OK' },
      { at: 3, cmd: createQuota('last.allocation', [], 'onlyQuota', { productId: 'last', seats: ['MAIN-1-1'] }), expect: 'OK' },
      { at: 3, cmd: returnQuota('last.allocation'), expect: 'OK' },
      { at: 3, cmd: unlinkProduct('last'), expect: 'OK', check: (_r, s) => {
        expect(numbers(s)).toEqual([null, null, null, 'kept.allocation', 'gone.allocation', null]);
        roundTrips(s);
      } },
      { at: 3, cmd: createQuota('partner', ['partner'], 'quotaFirst', { seats: ['MAIN-1-2'] }), expect: 'OK', why: 'the last number is not given out again either', check: (_r, s) => {
        expect(s.quotaById.get('partner')?.source).toBe(6);
      } },
    ]);
  });

  // A retry is answered with the first answer (rejection rules), also once the quota that hold
  // drew on is gone; its tickets' and holds' pool keeps its name the same way.
  it('answers a retried product hold with its first answer after its allocation was returned and the product unlinked', () => {
    const state = newPerformance(productSpec);
    const hold = holdSeats('gh', 'buyer-1', ['BALC-1-1'], { productId: 'gone', holdingId: 'H9' });
    let first: Result | null = null;
    play(state, [
      { at: 0, cmd: linkProduct('gone'), expect: 'OK' },
      { at: 0, cmd: createQuota('gone.allocation', [], 'onlyQuota', { productId: 'gone', seats: ['BALC-1-1', 'BALC-1-2'] }), expect: 'OK' },
      { at: OPEN, cmd: hold, expect: 'OK', check: (r) => {
        first = r;
        expect(accepted<HoldAccepted>(r).quotaId).toBe('gone.allocation');
      } },
      { at: OPEN, cmd: release('gh', 'buyer-1'), expect: 'OK' },
      { at: OPEN, cmd: returnQuota('gone.allocation'), expect: 'OK' },
      { at: OPEN, cmd: unlinkProduct('gone'), expect: 'OK' },
      { at: OPEN + 1, cmd: hold, expect: 'OK', unchanged: true, check: (r) => expect(r).toEqual(first) },
    ]);
    const decoded = decodeSnapshot(encodeSnapshot(state), hall);
    expect(execute(decoded, hold as never, OPEN + 2)).toEqual(first);
    expect(decoded.droppedQuotaIds).toEqual(new Map([[1, 'gone.allocation']]));
  });
});
