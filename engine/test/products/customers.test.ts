// Customer info on every ticket (DOMAIN §5; seed 002 "Kundeinfo på hver billett"): a product
// created with customerPerTicket names one customer per place of each holding, by name or e-mail
// address, each a different person. Purchases and renewals carry them; nameCustomers corrects
// them until the holding's first performance starts; a product without the option takes none.
import { describe, expect, it } from 'vitest';
import { productHoldings, productToPlain, type RenewalTerms } from '../../src/domain/mod.ts';
import { DAY, FIRST, SALE, World, buy, exchange, expectCode, hallLayout, holding, play, productDef, refusal, renew, schedule, unchanged } from './helpers.ts';

const hall = hallLayout();
const shows = schedule(['S1', 'S2', 'S3'], FIRST, 7 * DAY);
const extra = schedule(['X1'], FIRST + 3 * DAY)[0];
const [S1, S2] = shows.map((p) => p.performanceId);
const ann = { name: 'Ann Berg', email: 'ann@example.org' };
const ola = { name: 'Ola Nordmann' };
const kari = { email: 'kari@example.org' };
const name = (holdingId: string, buyerId: string, customers: unknown): object => ({ type: 'nameCustomers', holdingId, buyerId, customers });

function named(more = {}): World {
  const w = new World().add([...shows, extra], hall);
  expectCode(w.product('SER', productDef('SER', 'series', shows, { customerPerTicket: true, exchangeable: [extra], ...more }), 0), 'OK');
  return w;
}

const customersOf = (w: World, productId: string, holdingId: string): unknown =>
  productHoldings(w.prod(productId)).find((h) => h.holdingId === holdingId)?.customers;

describe('customers - one per place, on every ticket', () => {
  it('keeps the customers a purchase names, customer j on ticket j of every performance', () => {
    const w = named();
    const h = holding(expectCode(w.product('SER', buy('buyer', { quantity: 3, customers: [ann, ola, kari] }), SALE), 'OK'));
    expect(customersOf(w, 'SER', h.holdingId)).toEqual([ann, ola, kari]);
    for (const part of h.performances) expect(part.tickets).toHaveLength(3);
    // Names and addresses are kept trimmed, inner spaces collapsed.
    const trimmed = holding(expectCode(w.product('SER', buy('other', { customers: [{ name: '  Per   Hansen ', email: ' per@example.org ' }] }), SALE), 'OK'));
    expect(customersOf(w, 'SER', trimmed.holdingId)).toEqual([{ name: 'Per Hansen', email: 'per@example.org' }]);
  });

  it('refuses a purchase whose customers are missing, miscounted, empty or the same person twice, and sells nothing', () => {
    const w = named();
    play(w, unchanged([
      { at: SALE, product: 'SER', cmd: buy('buyer', { quantity: 2 }), expect: 'CUSTOMERS_INVALID', field: 'customers', why: 'none given' },
      { at: SALE, product: 'SER', cmd: buy('buyer', { quantity: 2, customers: [ann] }), expect: 'CUSTOMERS_INVALID', field: 'customers', why: 'one for two places' },
      { at: SALE, product: 'SER', cmd: buy('buyer', { quantity: 2, customers: 'ann' }), expect: 'CUSTOMERS_INVALID', field: 'customers' },
      { at: SALE, product: 'SER', cmd: buy('buyer', { quantity: 2, customers: [ann, {}] }), expect: 'CUSTOMERS_INVALID', field: 'customers[1]', why: 'neither name nor address' },
      { at: SALE, product: 'SER', cmd: buy('buyer', { quantity: 2, customers: [null, ann] }), expect: 'CUSTOMERS_INVALID', field: 'customers[0]' },
      { at: SALE, product: 'SER', cmd: buy('buyer', { quantity: 2, customers: [ann, { name: '   ' }] }), expect: 'CUSTOMERS_INVALID', field: 'customers[1].name' },
      { at: SALE, product: 'SER', cmd: buy('buyer', { quantity: 2, customers: [ann, { name: 'x'.repeat(101) }] }), expect: 'CUSTOMERS_INVALID', field: 'customers[1].name' },
      { at: SALE, product: 'SER', cmd: buy('buyer', { quantity: 2, customers: [ann, { name: 7 }] }), expect: 'CUSTOMERS_INVALID', field: 'customers[1].name' },
      { at: SALE, product: 'SER', cmd: buy('buyer', { quantity: 2, customers: [ann, { name: 'Ola', email: 'no-at-sign' }] }), expect: 'CUSTOMERS_INVALID', field: 'customers[1].email' },
      { at: SALE, product: 'SER', cmd: buy('buyer', { quantity: 2, customers: [ann, { email: 'ANN@Example.org' }] }), expect: 'CUSTOMERS_INVALID', field: 'customers[1]', why: 'the same address, case aside' },
      { at: SALE, product: 'SER', cmd: buy('buyer', { quantity: 2, customers: [ola, { name: 'ola  nordmann' }] }), expect: 'CUSTOMERS_INVALID', field: 'customers[1]', why: 'the same name, no address' },
    ]));
    expect(productHoldings(w.prod('SER'))).toEqual([]);
    // Two people of the same name with their own addresses are two customers.
    play(w, [{ at: SALE, product: 'SER', cmd: buy('buyer', { quantity: 2, customers: [{ name: 'Ann', email: 'a1@example.org' }, { name: 'Ann', email: 'a2@example.org' }] }), expect: 'OK' }]);
  });

  it('takes no customers on a product without customerPerTicket', () => {
    const w = new World().add(shows, hall);
    expectCode(w.product('PLAIN', productDef('PLAIN', 'series', shows), 0), 'OK');
    const [, sold] = play(w, [
      { at: SALE, product: 'PLAIN', cmd: buy('buyer', { customers: [ann] }), expect: 'CUSTOMERS_INVALID', field: 'customers', unchanged: true },
      { at: SALE, product: 'PLAIN', cmd: buy('buyer'), expect: 'OK' },
    ]);
    play(w, [{ at: SALE, product: 'PLAIN', cmd: name(holding(sold).holdingId, 'buyer', [ann]), expect: 'CUSTOMERS_INVALID', field: 'customers', unchanged: true }]);
    expect(productHoldings(w.prod('PLAIN'))[0]).not.toHaveProperty('customers');
    expect(productToPlain(w.prod('PLAIN'))).not.toHaveProperty('customers');
  });
});

describe('customers - corrections', () => {
  it('lets the buyer replace them until the holding\'s first performance starts, then fixes them', () => {
    const w = named();
    const h = holding(expectCode(w.product('SER', buy('buyer', { quantity: 2, customers: [ann, ola] }), SALE), 'OK'));
    play(w, [
      ...unchanged([
        { at: SALE, product: 'SER', cmd: name(h.holdingId, 'someone', [ann, kari]), expect: 'HOLDING_NOT_OWNED', field: 'buyerId' },
        { at: SALE, product: 'SER', cmd: name('SER-H99', 'buyer', [ann, kari]), expect: 'HOLDING_UNKNOWN', field: 'holdingId' },
        { at: SALE, product: 'SER', cmd: name(h.holdingId, 'buyer', [ann, kari, ola]), expect: 'CUSTOMERS_INVALID', field: 'customers' },
        { at: SALE, product: 'SER', cmd: name(h.holdingId, 'buyer', [kari, kari]), expect: 'CUSTOMERS_INVALID', field: 'customers[1]' },
      ]),
      { at: SALE + DAY, product: 'SER', cmd: { ...name(h.holdingId, 'buyer', [ann, kari]), commandId: 'fix-1' }, expect: 'OK',
        check: (r) => expect(r).toEqual({ ok: true, productId: 'SER', holdingId: h.holdingId, customers: [ann, kari] }) },
      { at: FIRST - 1, product: 'SER', cmd: { ...name(h.holdingId, 'buyer', [ann, kari]), commandId: 'fix-1' }, expect: 'OK', why: 'a retry: the first answer' },
      { at: FIRST - 1, product: 'SER', cmd: { ...name(h.holdingId, 'buyer', [ola, kari]), commandId: 'fix-1' }, expect: 'COMMAND_ID_REUSED', field: 'commandId', unchanged: true },
      { at: FIRST, product: 'SER', cmd: name(h.holdingId, 'buyer', [ola, kari]), expect: 'CUSTOMERS_LOCKED', field: 'holdingId', unchanged: true, why: 'S1 has started' },
    ]);
    expect(customersOf(w, 'SER', h.holdingId)).toEqual([ann, kari]);
    // The retry after the lock still gets the first answer, and changes nothing.
    const retry = expectCode(w.product('SER', { ...name(h.holdingId, 'buyer', [ann, kari]), commandId: 'fix-1' }, FIRST + 1), 'OK');
    expect(retry).toEqual({ ok: true, productId: 'SER', holdingId: h.holdingId, customers: [ann, kari] });
  });

  // Found in session 30: a refund empties the holding's parts, so no started performance was
  // found and a refunded holding could be renamed for ever.
  it('fixes them once the holding is refunded', () => {
    const w = named();
    const h = holding(expectCode(w.product('SER', buy('buyer', { quantity: 2, customers: [ann, ola] }), SALE), 'OK'));
    expectCode(w.product('SER', { type: 'refundHolding', holdingId: h.holdingId }, SALE + 1), 'OK');
    play(w, [
      { at: SALE + 2, product: 'SER', cmd: name(h.holdingId, 'buyer', [ann, kari]), expect: 'CUSTOMERS_LOCKED', field: 'holdingId', unchanged: true, why: 'refunded' },
    ]);
    expect(w.prod('SER').customers.get(h.holdingId)).toEqual([ann, ola]);
  });

  it('keeps them through an exchange and a snapshot', () => {
    const w = named();
    const h = holding(expectCode(w.product('SER', buy('buyer', { quantity: 2, customers: [ann, ola], picks: [S1, S2, 'S3'] }), SALE), 'OK'));
    expectCode(w.product('SER', exchange(h.holdingId, 'buyer', S2, extra.performanceId), SALE + DAY), 'OK');
    const twin = w.clone();
    for (const world of [w, twin]) expect(customersOf(world, 'SER', h.holdingId)).toEqual([ann, ola]);
    expectCode(twin.product('SER', name(h.holdingId, 'buyer', [kari, ola]), SALE + 2 * DAY), 'OK');
    expect(customersOf(twin, 'SER', h.holdingId)).toEqual([kari, ola]);
    expect(customersOf(w, 'SER', h.holdingId)).toEqual([ann, ola]);
  });
});

describe('customers - renewals', () => {
  const UNTIL = SALE + 3 * DAY;
  const terms: RenewalTerms = {
    fromProductId: 'SER26', windowStartMs: SALE, windowEndMs: UNTIL, ticketTypes: {},
    holders: [{ holdingId: 'H-pair', buyerId: 'buyer', seats: ['A-1-1', 'A-1-2'], ticketType: 'sub' }],
  };

  it('needs one customer per renewed seat', () => {
    const w = named({ sameSeat: true, saleStartMs: UNTIL, renewal: terms });
    const [, renewed] = play(w, [
      { at: SALE, product: 'SER', cmd: renew('H-pair', 'buyer'), expect: 'CUSTOMERS_INVALID', field: 'customers', unchanged: true },
      { at: SALE, product: 'SER', cmd: { ...renew('H-pair', 'buyer'), customers: [ann, ola] }, expect: 'OK' },
    ]);
    expect(customersOf(w, 'SER', holding(renewed).holdingId)).toEqual([ann, ola]);
    expect(refusal(w.product('SER', { ...renew('H-pair', 'buyer'), customers: [ann] }, SALE)).name).toBe('RENEWAL_DONE');
  });
});
