// Ticket type access (seed 002, "Adgang": time-controlled ticket types, and on which channels a
// type is sold): a type's `channels`, its own sale window (`saleStartMs` inclusive, `saleEndMs`
// exclusive, like a channel's) and `productsOnly` (only a product coordinator's holds). Every
// rule both ways, for each kind of hold; product holds (the channel list applies to them, the
// type's window does not: the coordinator keeps the product's own); presale links (the type's
// channel list and window apply inside the link's window; a products-only type is never a
// link's); the spec's checks; the default type; and snapshots.
import { describe, expect, it } from 'vitest';
import {
  createPerformance, decodeSnapshot, encodeSnapshot, execute, salesReport, stateHash,
  type Command, type HoldAccepted, type PerformanceSpec, type PerformanceState, type Result,
} from '../../src/domain/mod.ts';
import {
  CLOSE, OPEN, accepted, confirm, createPresale, hall, hallSpec, holdBest, holdGa, holdSeats, linkProduct, newPerformance, play,
  productSpec, roomy, type Loose,
} from './helpers.ts';

/** The early-bird window: on sale from EB_FROM (inclusive) until EB_UNTIL (exclusive). */
const EB_FROM = OPEN + 1_000;
const EB_UNTIL = OPEN + 5_000;
/** The kiosk (a web channel) opens only after the early-bird window: its presale link sells before. */
const KIOSK_OPEN = EB_UNTIL + 10_000;
const prices = { A: 4_000, B: 2_500, G: 2_000 };

/**
 * The hall for products (web, box and partner open at OPEN, resale enabled) with a kiosk and
 * the types under test, after the hall's adult, child, guest (!) and early (!).
 */
function accessSpec(spec: PerformanceSpec): void {
  productSpec(spec);
  roomy(spec);
  spec.channels.push({ id: 'kiosk', kind: 'web', saleStartMs: KIOSK_OPEN, saleEndMs: CLOSE });
  spec.ticketTypes.push(
    { id: 'card', prices, productsOnly: true },
    { id: 'boxOnly', prices, channels: ['box'] },
    { id: 'earlyBird', prices, channels: ['web', 'partner'], saleStartMs: EB_FROM, saleEndMs: EB_UNTIL },
    { id: 'boxCard', prices, productsOnly: true, channels: ['box'], saleStartMs: EB_FROM, saleEndMs: EB_UNTIL },
    { id: 'kioskLink', webCode: '!kiosk', prices, channels: ['kiosk'], saleStartMs: EB_FROM, saleEndMs: EB_UNTIL },
    { id: 'cardLink', webCode: '!card', prices, productsOnly: true },
    { id: 'boxLink', webCode: '!box', prices, channels: ['box'] },
  );
}

/** The performance with accessSpec and the season card `season` linked at 0. */
function accessHall(edit: (spec: PerformanceSpec) => void = () => {}): PerformanceState {
  const state = newPerformance((spec) => { accessSpec(spec); edit(spec); });
  play(state, [{ at: 0, cmd: linkProduct('season'), expect: 'OK' }]);
  return state;
}

const season = (holdingId: string) => ({ productId: 'season', holdingId });
const typed = (ticketType: string, more: Record<string, unknown> = {}) => ({ ticketType, ...more });
const typeIs = (ticketType: string) => (r: Result) => expect(accepted<HoldAccepted>(r).ticketType).toBe(ticketType);

/** A hold of one seat or place; the seats of `holdSeats` are taken in order, one per call. */
type OneHold = (holdId: string, buyerId: string, more?: Record<string, unknown>) => Loose;
const holdKinds: [string, () => OneHold][] = [
  ['holdSeats', () => {
    let n = 0;
    return (id, buyer, more = {}) => {
      const k = n++;
      return holdSeats(id, buyer, [`MAIN-${1 + Math.floor(k / 8)}-${1 + (k % 8)}`], more);
    };
  }],
  ['holdBestAvailable', () => (id, buyer, more = {}) => holdBest(id, buyer, 1, more)],
  ['holdGa', () => (id, buyer, more = {}) => holdGa(id, buyer, 'FLOOR', 1, more)],
];

describe.each(holdKinds)('ticket type access - %s', (_kind, makeHold) => {
  it('productsOnly: refused to a hold without a product on every channel, taken by a product hold', () => {
    const hold = makeHold();
    const first = hold('w1', 'ann', typed('card'));
    play(accessHall(), [
      { at: OPEN, cmd: first, expect: 'TICKET_TYPE_PRODUCTS_ONLY', field: 'ticketType', unchanged: true },
      { at: OPEN, cmd: hold('w2', 'ann', typed('card', { channel: 'box' })), expect: 'TICKET_TYPE_PRODUCTS_ONLY', field: 'ticketType', unchanged: true },
      { at: OPEN, cmd: hold('w3', 'ann', typed('card', { channel: 'partner' })), expect: 'TICKET_TYPE_PRODUCTS_ONLY', field: 'ticketType', unchanged: true },
      { at: OPEN, cmd: first, expect: 'TICKET_TYPE_PRODUCTS_ONLY', field: 'ticketType', unchanged: true, why: 'a retry gets the same answer' },
      { at: OPEN, cmd: hold('p1', 'ann', typed('card', season('H1'))), expect: 'OK', check: typeIs('card') },
      { at: OPEN, cmd: hold('p2', 'bob', typed('card', { channel: 'box', ...season('H2') })), expect: 'OK', check: typeIs('card') },
      { at: OPEN, cmd: hold('w4', 'cat', typed('adult')), expect: 'OK', why: 'other types are as they were' },
    ]);
  });

  it('channels: refused on a channel the type does not list, a product hold too; taken on one it lists', () => {
    const hold = makeHold();
    play(accessHall(), [
      { at: OPEN, cmd: hold('w1', 'ann', typed('boxOnly')), expect: 'TICKET_TYPE_NOT_IN_CHANNEL', field: 'ticketType', unchanged: true },
      { at: OPEN, cmd: hold('w2', 'ann', typed('boxOnly', { channel: 'partner' })), expect: 'TICKET_TYPE_NOT_IN_CHANNEL', field: 'ticketType', unchanged: true },
      { at: EB_FROM, cmd: hold('w3', 'ann', typed('earlyBird', { channel: 'box' })), expect: 'TICKET_TYPE_NOT_IN_CHANNEL', field: 'ticketType', unchanged: true },
      { at: EB_FROM, cmd: hold('p1', 'ann', typed('boxOnly', season('H1'))), expect: 'TICKET_TYPE_NOT_IN_CHANNEL', field: 'ticketType', unchanged: true, why: 'a product sells on a channel the type lists' },
      { at: EB_FROM, cmd: hold('p2', 'ann', typed('boxCard', season('H1'))), expect: 'TICKET_TYPE_NOT_IN_CHANNEL', field: 'ticketType', unchanged: true },
      { at: EB_FROM, cmd: hold('w4', 'ann', typed('boxOnly', { channel: 'box' })), expect: 'OK', check: typeIs('boxOnly') },
      { at: EB_FROM, cmd: hold('w5', 'bob', typed('earlyBird')), expect: 'OK', check: typeIs('earlyBird') },
      { at: EB_FROM, cmd: hold('w6', 'cat', typed('earlyBird', { channel: 'partner' })), expect: 'OK' },
      { at: EB_FROM, cmd: hold('p3', 'dan', typed('boxCard', { channel: 'box', ...season('H2') })), expect: 'OK', check: typeIs('boxCard') },
    ]);
  });

  it('window: refused before saleStartMs and from saleEndMs on (start inclusive, end exclusive)', () => {
    const hold = makeHold();
    play(accessHall(), [
      { at: EB_FROM - 1, cmd: hold('w1', 'ann', typed('earlyBird')), expect: 'TICKET_TYPE_NOT_ON_SALE', field: 'ticketType', unchanged: true, why: 'the web is on sale, the type not yet' },
      { at: EB_FROM, cmd: hold('w2', 'ann', typed('earlyBird')), expect: 'OK', why: 'start inclusive' },
      { at: EB_UNTIL - 1, cmd: hold('w3', 'bob', typed('earlyBird')), expect: 'OK' },
      { at: EB_UNTIL, cmd: hold('w4', 'cat', typed('earlyBird')), expect: 'TICKET_TYPE_NOT_ON_SALE', field: 'ticketType', unchanged: true, why: 'end exclusive' },
      { at: EB_UNTIL, cmd: hold('w5', 'cat', typed('earlyBird', { channel: 'partner' })), expect: 'TICKET_TYPE_NOT_ON_SALE', field: 'ticketType', unchanged: true },
      { at: EB_UNTIL, cmd: hold('w6', 'cat', typed('adult')), expect: 'OK', why: 'a type without a window sells while its channel does' },
    ]);
  });

  it('window: a product hold skips it, as it skips the channel window; the channel list still applies', () => {
    const hold = makeHold();
    play(accessHall(), [
      { at: 1, cmd: hold('p1', 'ann', typed('boxCard', { channel: 'box', ...season('H1') })), expect: 'OK', why: 'before the type window and the channel window' },
      { at: 1, cmd: hold('p2', 'bob', typed('earlyBird', season('H2'))), expect: 'OK', why: 'a type with a window, not products-only' },
      { at: EB_UNTIL, cmd: hold('p3', 'cat', typed('boxCard', { channel: 'box', ...season('H3') })), expect: 'OK', why: 'after the type window' },
      { at: EB_UNTIL, cmd: hold('p4', 'dan', typed('earlyBird', { channel: 'box', ...season('H4') })), expect: 'TICKET_TYPE_NOT_IN_CHANNEL', field: 'ticketType', unchanged: true },
    ]);
  });
});

describe('ticket type access - the check order', () => {
  it('after the resale channel, the channel window, the type (known, not closed); before the buyer caps', () => {
    const state = accessHall((spec) => { spec.maxOpenHoldsPerBuyer = 1; });
    play(state, [
      { at: OPEN - 1, cmd: holdSeats('x1', 'ann', ['MAIN-1-1'], typed('card', { channel: 'resale' })), expect: 'CHANNEL_RESALE_ONLY', field: 'channel', unchanged: true },
      { at: OPEN - 1, cmd: holdSeats('x2', 'ann', ['MAIN-1-1'], typed('card')), expect: 'CHANNEL_NOT_ON_SALE', field: 'channel', unchanged: true },
      { at: OPEN, cmd: holdSeats('x3', 'ann', ['MAIN-1-1'], typed('cardLink')), expect: 'TICKET_TYPE_REQUIRES_PRESALE', field: 'ticketType', unchanged: true, why: 'closed first' },
      { at: OPEN, cmd: holdSeats('x4', 'ann', ['MAIN-1-1'], typed('cardLink', season('H1'))), expect: 'TICKET_TYPE_REQUIRES_PRESALE', field: 'ticketType', unchanged: true },
      { at: OPEN, cmd: holdSeats('x5', 'ann', ['MAIN-1-1'], typed('boxCard')), expect: 'TICKET_TYPE_PRODUCTS_ONLY', field: 'ticketType', unchanged: true, why: 'products only, then channels, then the window' },
      { at: OPEN, cmd: holdSeats('x6', 'ann', ['MAIN-1-1'], typed('earlyBird', { channel: 'box' })), expect: 'TICKET_TYPE_NOT_IN_CHANNEL', field: 'ticketType', unchanged: true, why: 'outside its window too' },
      { at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-1-1']), expect: 'OK' },
      { at: OPEN, cmd: holdSeats('x7', 'ann', ['MAIN-1-2'], typed('card')), expect: 'TICKET_TYPE_PRODUCTS_ONLY', field: 'ticketType', unchanged: true, why: 'before the open-hold cap' },
      { at: OPEN, cmd: holdSeats('x8', 'ann', ['MAIN-1-2'], typed('earlyBird')), expect: 'TICKET_TYPE_NOT_ON_SALE', field: 'ticketType', unchanged: true, why: 'before the open-hold cap' },
      { at: OPEN, cmd: holdSeats('x9', 'ann', ['MAIN-1-2'], typed('adult')), expect: 'BUYER_HOLD_LIMIT', field: 'buyerId', unchanged: true },
      { at: OPEN, cmd: holdSeats('x10', 'bob', ['MAIN-1-1'], typed('boxOnly', { channel: 'box' })), expect: 'SEAT_NOT_AVAILABLE', field: 'seats[0]', unchanged: true, why: 'the seats come last' },
    ]);
  });

  it('is checked when holding: a hold made in the window is confirmed after it, at the type\'s price', () => {
    const state = accessHall();
    play(state, [
      { at: EB_UNTIL - 1, cmd: holdSeats('h1', 'ann', ['BALC-1-1'], typed('earlyBird')), expect: 'OK' },
      { at: EB_UNTIL + 1, cmd: holdSeats('h2', 'ann', ['BALC-1-3'], typed('earlyBird')), expect: 'TICKET_TYPE_NOT_ON_SALE', field: 'ticketType', unchanged: true },
      { at: EB_UNTIL + 1, cmd: confirm('h1', 'ann'), expect: 'OK', check: (r) => expect(r).toMatchObject({ totalMinor: prices.B }) },
      { at: EB_UNTIL + 1, cmd: holdSeats('p1', 'bob', ['BALC-1-2'], typed('card', season('H1'))), expect: 'OK' },
      { at: EB_UNTIL + 1, cmd: confirm('p1', 'bob'), expect: 'OK' },
    ]);
    expect(salesReport(state).byTicketType).toMatchObject({ earlyBird: { tickets: 1 }, card: { tickets: 1 } });
  });
});

describe('ticket type access - presale links', () => {
  it('a products-only type is never a link\'s; nor one that no enabled web channel sells', () => {
    play(accessHall(), [
      { at: 1, cmd: createPresale('cards', 'cardLink', 1, CLOSE, 10, 2), expect: 'TICKET_TYPE_PRODUCTS_ONLY', field: 'ticketType', unchanged: true },
      { at: 1, cmd: createPresale('cards', 'card', 1, CLOSE, 10, 2), expect: 'TICKET_TYPE_PRODUCTS_ONLY', field: 'ticketType', unchanged: true, why: 'before "not closed": closing it would not help' },
      { at: 1, cmd: createPresale('boxes', 'boxLink', 1, CLOSE, 10, 2), expect: 'TICKET_TYPE_NOT_IN_CHANNEL', field: 'ticketType', unchanged: true, why: 'links sell on web channels' },
      { at: 1, cmd: createPresale('kiosk', 'kioskLink', 1, CLOSE, 10, 2), expect: 'OK' },
    ]);
    const kioskOff = accessHall((spec) => { spec.channels[4].enabled = false; });
    play(kioskOff, [
      { at: 1, cmd: createPresale('kiosk', 'kioskLink', 1, CLOSE, 10, 2), expect: 'TICKET_TYPE_NOT_IN_CHANNEL', field: 'ticketType', unchanged: true, why: 'its one web channel is not enabled' },
    ]);
  });

  it('inside the link\'s window the type\'s channels and window still apply; the channel window does not', () => {
    const code = (more: Record<string, unknown> = {}) => ({ presaleCode: 'kiosk', channel: 'kiosk', ...more });
    play(accessHall(), [
      { at: 1, cmd: createPresale('kiosk', 'kioskLink', 1, CLOSE, 10, 4), expect: 'OK' },
      { at: EB_FROM - 1, cmd: holdSeats('k1', 'ann', ['MAIN-1-1'], code()), expect: 'TICKET_TYPE_NOT_ON_SALE', field: 'ticketType', unchanged: true, why: 'the link is valid, the type not yet on sale' },
      { at: EB_FROM, cmd: holdSeats('k2', 'ann', ['MAIN-1-1'], code({ channel: 'web' })), expect: 'TICKET_TYPE_NOT_IN_CHANNEL', field: 'ticketType', unchanged: true },
      { at: EB_FROM, cmd: holdBest('k3', 'ann', 1, code({ channel: 'web' })), expect: 'TICKET_TYPE_NOT_IN_CHANNEL', field: 'ticketType', unchanged: true },
      { at: EB_FROM, cmd: holdGa('k4', 'ann', 'FLOOR', 1, code({ channel: 'web' })), expect: 'TICKET_TYPE_NOT_IN_CHANNEL', field: 'ticketType', unchanged: true },
      { at: EB_FROM, cmd: holdSeats('k5', 'ann', ['MAIN-1-1'], code()), expect: 'OK', why: 'the kiosk opens only at KIOSK_OPEN: the link replaces its window', check: typeIs('kioskLink') },
      { at: EB_UNTIL - 1, cmd: holdGa('k6', 'bob', 'FLOOR', 1, code()), expect: 'OK' },
      { at: EB_UNTIL, cmd: holdBest('k7', 'cat', 1, code()), expect: 'TICKET_TYPE_NOT_ON_SALE', field: 'ticketType', unchanged: true, why: 'the link is still valid' },
      { at: EB_UNTIL, cmd: confirm('k5', 'ann', { buyerEmail: 'ann@example.org' }), expect: 'OK', why: 'held in time' },
    ]);
  });
});

/* eslint-disable @typescript-eslint/no-explicit-any -- the lines break the spec's types on purpose. */
interface Line { why: string; edit: (spec: any) => void; field: string }
const T = 4; // the first type accessSpec adds (`card`); the hall's four come before it

const specLines: Line[] = [
  { why: 'channels not a list', edit: (s) => { s.ticketTypes[2].channels = 'web'; }, field: 'ticketTypes[2].channels' },
  { why: 'an empty channel list', edit: (s) => { s.ticketTypes[2].channels = []; }, field: 'ticketTypes[2].channels' },
  { why: 'a channel the spec lacks', edit: (s) => { s.ticketTypes[2].channels = ['web', 'tv']; }, field: 'ticketTypes[2].channels[1]' },
  { why: 'a channel named twice', edit: (s) => { s.ticketTypes[0].channels = ['web', 'box', 'web']; }, field: 'ticketTypes[0].channels[2]' },
  { why: 'a channel id that is not text', edit: (s) => { s.ticketTypes[1].channels = ['web', 7]; }, field: 'ticketTypes[1].channels[1]' },
  { why: 'a resale channel', edit: (s) => { s.ticketTypes[0].channels = ['web', 'resale']; }, field: 'ticketTypes[0].channels[1]' },
  { why: 'a fractional sale start', edit: (s) => { s.ticketTypes[1].saleStartMs = OPEN + 0.5; }, field: 'ticketTypes[1].saleStartMs' },
  { why: 'a negative sale start', edit: (s) => { s.ticketTypes[1].saleStartMs = -1; }, field: 'ticketTypes[1].saleStartMs' },
  { why: 'a sale start as text', edit: (s) => { s.ticketTypes[1].saleStartMs = '10000'; }, field: 'ticketTypes[1].saleStartMs' },
  { why: 'a null sale start', edit: (s) => { s.ticketTypes[1].saleStartMs = null; }, field: 'ticketTypes[1].saleStartMs' },
  { why: 'a null sale end', edit: (s) => { s.ticketTypes[1].saleEndMs = null; }, field: 'ticketTypes[1].saleEndMs' },
  { why: 'a null channel list', edit: (s) => { s.ticketTypes[1].channels = null; }, field: 'ticketTypes[1].channels' },
  { why: 'a null productsOnly', edit: (s) => { s.ticketTypes[1].productsOnly = null; }, field: 'ticketTypes[1].productsOnly' },
  { why: 'a window that ends as it starts', edit: (s) => { s.ticketTypes[0].saleStartMs = OPEN; s.ticketTypes[0].saleEndMs = OPEN; }, field: 'ticketTypes[0].saleEndMs' },
  { why: 'a window that ends before it starts', edit: (s) => { s.ticketTypes[0].saleStartMs = OPEN; s.ticketTypes[0].saleEndMs = OPEN - 1; }, field: 'ticketTypes[0].saleEndMs' },
  { why: 'a sale end at 0 (the start is 0 when left out)', edit: (s) => { s.ticketTypes[3].saleEndMs = 0; }, field: 'ticketTypes[3].saleEndMs' },
  { why: 'a fractional sale end', edit: (s) => { s.ticketTypes[3].saleEndMs = CLOSE + 0.5; }, field: 'ticketTypes[3].saleEndMs' },
  { why: 'a sale end past the safe integers', edit: (s) => { s.ticketTypes[3].saleEndMs = Number.MAX_SAFE_INTEGER + 2; }, field: 'ticketTypes[3].saleEndMs' },
  { why: 'productsOnly as text', edit: (s) => { s.ticketTypes[1].productsOnly = 'yes'; }, field: 'ticketTypes[1].productsOnly' },
  { why: 'a products-only default type', edit: (s) => { s.defaultTicketType = 'card'; }, field: 'defaultTicketType' },
];
/* eslint-enable @typescript-eslint/no-explicit-any */

describe('ticket type access - the spec', () => {
  it.each(specLines)('$why: SPEC_INVALID at $field', (line) => {
    const spec = structuredClone(hallSpec());
    accessSpec(spec);
    line.edit(spec);
    const created = createPerformance(spec, hall);
    expect(created.ok ? 'OK' : `${created.name} at ${created.field}`).toBe(`SPEC_INVALID at ${line.field}`);
  });

  it('accepts each field alone, and windows at their bounds', () => {
    const spec = hallSpec();
    accessSpec(spec);
    spec.ticketTypes.push(
      { id: 'from', prices, saleStartMs: Number.MAX_SAFE_INTEGER - 1 },
      { id: 'until', prices, saleEndMs: 1 },
      { id: 'all', prices, channels: ['web', 'box', 'partner', 'kiosk'], saleStartMs: 0, saleEndMs: Number.MAX_SAFE_INTEGER, productsOnly: false },
    );
    const created = createPerformance(spec, hall);
    if (!created.ok) throw new Error(`${created.name} at ${created.field}`);
    play(created.state, [
      { at: OPEN, cmd: holdSeats('w1', 'ann', ['MAIN-1-1'], typed('from')), expect: 'TICKET_TYPE_NOT_ON_SALE', field: 'ticketType', unchanged: true },
      { at: OPEN, cmd: holdSeats('w2', 'ann', ['MAIN-1-1'], typed('until')), expect: 'TICKET_TYPE_NOT_ON_SALE', field: 'ticketType', unchanged: true },
      { at: OPEN, cmd: holdSeats('w3', 'ann', ['MAIN-1-1'], typed('all', { channel: 'partner' })), expect: 'OK' },
    ]);
  });

  it('keeps its own copy: only the fields given, the channel list copied', () => {
    const spec = hallSpec();
    accessSpec(spec);
    const created = createPerformance(spec, hall);
    if (!created.ok) throw new Error(created.name);
    const state = created.state;
    expect(Object.keys(state.spec.ticketTypes[0])).toEqual(['id', 'name', 'webCode', 'prices']);
    expect(state.spec.ticketTypes[T + 2]).toEqual({ id: 'earlyBird', name: 'earlyBird', webCode: '', prices, channels: ['web', 'partner'], saleStartMs: EB_FROM, saleEndMs: EB_UNTIL });
    expect(state.spec.ticketTypes[T]).toEqual({ id: 'card', name: 'card', webCode: '', prices, productsOnly: true });
    spec.ticketTypes[T + 1].channels?.push('web');
    spec.ticketTypes[T].productsOnly = false;
    const copy = decodeSnapshot(encodeSnapshot(state), hall);
    for (const s of [state, copy]) {
      play(s, [
        { at: OPEN, cmd: holdSeats('w1', 'ann', ['MAIN-1-1'], typed('boxOnly')), expect: 'TICKET_TYPE_NOT_IN_CHANNEL', unchanged: true },
        { at: OPEN, cmd: holdSeats('w2', 'ann', ['MAIN-1-1'], typed('card')), expect: 'TICKET_TYPE_PRODUCTS_ONLY', unchanged: true },
      ]);
    }
  });
});

describe('ticket type access - the default ticket type', () => {
  it('left out: the first open type that is not products-only', () => {
    const state = newPerformance((spec) => { spec.ticketTypes.unshift({ id: 'card', prices, productsOnly: true }); });
    expect(state.spec.defaultTicketType).toBe('adult');
    play(state, [{ at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-1-1']), expect: 'OK', check: typeIs('adult') }]);
  });

  it('left out, with only closed and products-only types: the first closed one, refused without a link', () => {
    const state = newPerformance((spec) => {
      spec.ticketTypes = [{ id: 'card', prices, productsOnly: true }, { id: 'guest', webCode: '!guest', prices }];
    });
    expect(state.spec.defaultTicketType).toBe('guest');
    play(state, [{ at: OPEN, cmd: holdSeats('h1', 'ann', ['MAIN-1-1']), expect: 'TICKET_TYPE_REQUIRES_PRESALE', field: 'ticketType', unchanged: true }]);
  });

  it('every type products-only: a product hold naming none takes the first; the set-up survives a snapshot', () => {
    const state = newPerformance((spec) => {
      productSpec(spec);
      spec.ticketTypes = [{ id: 'card', prices, productsOnly: true }, { id: 'renewal', prices, productsOnly: true }];
    });
    expect(state.spec.defaultTicketType).toBeUndefined();
    play(state, [
      { at: 0, cmd: linkProduct('season'), expect: 'OK' },
      { at: OPEN, cmd: holdSeats('w1', 'ann', ['MAIN-1-1']), expect: 'TICKET_TYPE_PRODUCTS_ONLY', field: 'ticketType', unchanged: true },
      { at: OPEN, cmd: holdSeats('p1', 'ann', ['MAIN-1-1'], season('H1')), expect: 'OK', check: typeIs('card') },
    ]);
    const copy = decodeSnapshot(encodeSnapshot(state), hall);
    expect(stateHash(copy)).toBe(stateHash(state));
    expect(execute(copy, holdSeats('w2', 'bob', ['MAIN-1-2']) as Command, OPEN)).toMatchObject({ ok: false, name: 'TICKET_TYPE_PRODUCTS_ONLY' });
  });
});

describe('ticket type access - snapshots', () => {
  it('a restored performance keeps the fields and still refuses and accepts the same holds', () => {
    const state = accessHall();
    play(state, [
      { at: 1, cmd: createPresale('kiosk', 'kioskLink', 1, CLOSE, 10, 4), expect: 'OK' },
      { at: 1, cmd: holdSeats('p1', 'ann', ['MAIN-1-1'], typed('card', season('H1'))), expect: 'OK' },
    ]);
    const copy = decodeSnapshot(encodeSnapshot(state), hall);
    expect(copy.spec).toEqual(state.spec);
    expect(stateHash(copy)).toBe(stateHash(state));
    const journal = [
      { at: EB_FROM - 1, cmd: holdSeats('w1', 'bob', ['MAIN-1-2'], typed('earlyBird')), expect: 'TICKET_TYPE_NOT_ON_SALE' },
      { at: EB_FROM - 1, cmd: holdSeats('w2', 'bob', ['MAIN-1-2'], typed('card')), expect: 'TICKET_TYPE_PRODUCTS_ONLY' },
      { at: EB_FROM - 1, cmd: holdSeats('w3', 'bob', ['MAIN-1-2'], typed('boxOnly')), expect: 'TICKET_TYPE_NOT_IN_CHANNEL' },
      { at: EB_FROM - 1, cmd: createPresale('cards', 'cardLink', 1, CLOSE, 10, 2, { commandId: 'presale-cards' }), expect: 'TICKET_TYPE_PRODUCTS_ONLY' },
      { at: EB_FROM, cmd: holdSeats('w4', 'bob', ['MAIN-1-2'], typed('earlyBird')), expect: 'OK' },
      { at: EB_FROM, cmd: holdSeats('k1', 'cat', ['MAIN-1-3'], { presaleCode: 'kiosk', channel: 'web' }), expect: 'TICKET_TYPE_NOT_IN_CHANNEL' },
      { at: EB_FROM, cmd: holdSeats('k2', 'cat', ['MAIN-1-3'], { presaleCode: 'kiosk', channel: 'kiosk' }), expect: 'OK' },
      { at: EB_UNTIL, cmd: holdSeats('w5', 'dan', ['MAIN-1-4'], typed('earlyBird')), expect: 'TICKET_TYPE_NOT_ON_SALE' },
    ] as const;
    play(copy, journal.map((step) => ({ ...step, unchanged: step.expect !== 'OK' })));
    play(state, [...journal]);
    expect(stateHash(copy)).toBe(stateHash(state));
  });
});
