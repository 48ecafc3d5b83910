// What a purchase's steps pass on to the performances is checked by the coordinator before a
// saga starts (PRODUCTS.md, Retries). Session 30's probe of refusals found a malformed
// buyerEmail or filter refused only by the performances: the sale had held seats everywhere,
// used up a holding id, and its refusal was kept, so a corrected retry got COMMAND_ID_REUSED.
import { describe, expect, it } from 'vitest';
import { executeProduct, type ProductCommand } from '../../src/domain/mod.ts';
import { DAY, SALE, World, expectCode, hallLayout, holding, productDef, schedule } from './helpers.ts';

const hall = hallLayout();
const games = schedule(['G1', 'G2', 'G3']);

function card(): World {
  const w = new World().add(games, hall);
  expectCode(w.product('C', productDef('C', 'seasonCard', games), 0), 'OK');
  return w;
}

describe('products - a purchase whose steps would carry malformed values', () => {
  it.each([
    ['buyerEmail', { buyerEmail: 'not-an-email' }],
    ['buyerEmail', { buyerEmail: ['ann@example.com'] }],
    ['filter', { filter: 'B' }],
    ['filter', { filter: ['B'] }],
    ['filter.zone', { filter: { zone: 5 } }],
    ['filter.section', { filter: { section: '' } }],
    ['filter.accessible', { filter: { accessible: 'yes' } }],
  ] as const)('is refused COMMAND_INVALID (%s) before any step, and a corrected retry under the same id is sold', (field, bad) => {
    const w = card();
    const s = w.prod('C');
    const command = { type: 'buyProduct', commandId: 'b1', buyerId: 'ann', ...bad } as unknown as ProductCommand;
    const refused = executeProduct(s, command, SALE);
    expect(refused.result).toMatchObject({ ok: false, name: 'COMMAND_INVALID', field });
    expect(refused.out).toEqual([]);
    const corrected = w.product('C', { type: 'buyProduct', commandId: 'b1', buyerId: 'ann', buyerEmail: 'ann@example.com' }, SALE + 1);
    // The first holding id: the refused purchase used none up.
    expect(holding(corrected).holdingId).toBe('C-H1');
  });

  it('passes a well-formed filter on; whether its zone is in the layout is each performance\'s answer', () => {
    const w = card();
    expectCode(w.product('C', { type: 'buyProduct', buyerId: 'ann', filter: { zone: 'B', accessible: false } }, SALE), 'OK');
    expectCode(w.product('C', { type: 'buyProduct', buyerId: 'bob', filter: { zone: 'NOWHERE' } }, SALE), 'FILTER_UNKNOWN_ZONE');
  });

  it('refuses a renewal with a malformed buyerEmail before any step, and its corrected retry renews', () => {
    const until = SALE + 3 * DAY;
    const w = new World().add(games, hall, { singleAt: SALE + 5 * DAY });
    const renewal = { fromProductId: 'OLD', windowStartMs: SALE, windowEndMs: until, ticketTypes: { card: 'renewal' }, holders: [{ holdingId: 'H-ann', buyerId: 'ann', seats: ['A-1-1'], ticketType: 'card' }] };
    expectCode(w.product('C', productDef('C', 'seasonCard', games, { saleStartMs: until, renewal }), 0), 'OK');
    const s = w.prod('C');
    const renew = { type: 'renewHolding', commandId: 'r1', previousHoldingId: 'H-ann', buyerId: 'ann' } as const;
    const refused = executeProduct(s, { ...renew, buyerEmail: 'no-at-sign' } as ProductCommand, SALE);
    expect(refused.result).toMatchObject({ ok: false, name: 'COMMAND_INVALID', field: 'buyerEmail' });
    expect(refused.out).toEqual([]);
    expectCode(w.product('C', { ...renew, buyerEmail: 'ann@example.com' }, SALE + 1), 'OK');
  });
});
