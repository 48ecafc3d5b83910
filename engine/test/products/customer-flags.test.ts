// Seed 002, Internett+ *Kundeflagg*: a subscription or card names customer flags; buyers whose
// web profile carries one of them (buyProduct.buyerFlags, as the signed-in front door knows
// them) may buy before the public sale (customerFlags.saleStartMs), or are the only ones who
// may buy at all (customerFlags.only: PRODUCT_FLAG_REQUIRED for anyone else). Checked at
// createProduct (PRODUCT_INVALID with the field) and at buyProduct (a malformed buyerFlags is
// COMMAND_INVALID whatever the product); a refusal sells nothing; the terms survive snapshots.
import { describe, expect, it } from 'vitest';
import { productFromPlain, productToPlain, type CreateProduct } from '../../src/domain/mod.ts';
import { DAY, HOUR, SALE, World, buy, expectCode, hallLayout, holding, play, productDef, schedule, unchanged } from './helpers.ts';

const hall = hallLayout();
const games = schedule(['G1', 'G2', 'G3']);
const EARLY = SALE - DAY / 2;

function world(): World {
  const w = new World();
  for (const g of games) w.add([g], hall);
  return w;
}

const card = (productId: string, more: Partial<CreateProduct> = {}): CreateProduct => productDef(productId, 'seasonCard', games, more);
const members = { flags: ['member', 'patron'], saleStartMs: EARLY };

describe('products - customer flags (seed 002, Kundeflagg)', () => {
  it('refuses malformed flags at createProduct, naming the field, and creates nothing', () => {
    const w = world();
    play(w, unchanged([
      { at: 0, product: 'C', cmd: card('C', { customerFlags: 'member' as never }), expect: 'PRODUCT_INVALID', field: 'customerFlags' },
      { at: 0, product: 'C', cmd: card('C', { customerFlags: { flags: [] } }), expect: 'PRODUCT_INVALID', field: 'customerFlags.flags' },
      { at: 0, product: 'C', cmd: card('C', { customerFlags: { flags: Array.from({ length: 17 }, (_, i) => `f${i}`) } }), expect: 'PRODUCT_INVALID', field: 'customerFlags.flags' },
      { at: 0, product: 'C', cmd: card('C', { customerFlags: { flags: ['member', ''] } }), expect: 'PRODUCT_INVALID', field: 'customerFlags.flags[1]' },
      { at: 0, product: 'C', cmd: card('C', { customerFlags: { flags: ['member', 'member'] } }), expect: 'PRODUCT_INVALID', field: 'customerFlags.flags[1]' },
      { at: 0, product: 'C', cmd: card('C', { customerFlags: { flags: ['member'], saleStartMs: SALE + 1 } }), expect: 'PRODUCT_INVALID', field: 'customerFlags.saleStartMs', why: 'a head start, never a late one' },
      { at: 0, product: 'C', cmd: card('C', { customerFlags: { flags: ['member'], only: 'yes' as never } }), expect: 'PRODUCT_INVALID', field: 'customerFlags.only' },
    ]));
    play(w, [{ at: 0, product: 'C', cmd: card('C', { customerFlags: { flags: ['member'], saleStartMs: SALE } }), expect: 'OK', why: 'the public start is allowed: no head start' }]);
  });

  it('sells to flagged buyers from their own start, to everyone from the public one', () => {
    const w = world();
    expectCode(w.product('C', card('C', { customerFlags: members }), 0), 'OK');
    play(w, unchanged([
      { at: EARLY - 1, product: 'C', cmd: buy('ann', { buyerFlags: ['member'] }), expect: 'PRODUCT_SALE_CLOSED', why: 'before the members\' start' },
      { at: EARLY, product: 'C', cmd: buy('bob'), expect: 'PRODUCT_SALE_CLOSED', why: 'not flagged: the public start' },
      { at: EARLY, product: 'C', cmd: buy('bob', { buyerFlags: ['press'] }), expect: 'PRODUCT_SALE_CLOSED', why: 'a flag the product does not name' },
      { at: EARLY, product: 'C', cmd: buy('bob', { buyerFlags: 'member' }), expect: 'COMMAND_INVALID', field: 'buyerFlags' },
    ]));
    const early = holding(w.product('C', buy('ann', { buyerFlags: ['press', 'patron'] }), EARLY));
    expect(early.performances.map((p) => p.performanceId)).toEqual(games.map((g) => g.performanceId));
    for (const g of games) expect(w.valid(g.performanceId, early.holdingId), g.performanceId).toHaveLength(1);
    expectCode(w.product('C', buy('bob'), SALE), 'OK', 'the public sale');
    expectCode(w.product('C', buy('cy', { buyerFlags: ['member'] }), SALE + HOUR), 'OK', 'flagged buyers go on buying');
  });

  it('sells only to flagged buyers when only is set: PRODUCT_FLAG_REQUIRED for the others', () => {
    const w = world();
    expectCode(w.product('C', card('C', { customerFlags: { flags: ['member'], only: true } }), 0), 'OK');
    play(w, unchanged([
      { at: SALE - 1, product: 'C', cmd: buy('ann', { buyerFlags: ['member'] }), expect: 'PRODUCT_SALE_CLOSED', why: 'no head start without saleStartMs' },
      { at: SALE, product: 'C', cmd: buy('bob'), expect: 'PRODUCT_FLAG_REQUIRED', field: 'buyerFlags' },
      { at: SALE, product: 'C', cmd: buy('bob', { buyerFlags: [] }), expect: 'PRODUCT_FLAG_REQUIRED', field: 'buyerFlags' },
    ]));
    expectCode(w.product('C', buy('ann', { buyerFlags: ['member'] }), SALE), 'OK');
  });

  it('a product without flags takes well-formed buyerFlags and ignores them, and refuses malformed ones', () => {
    const w = world();
    expectCode(w.product('C', card('C', {}), 0), 'OK');
    play(w, unchanged([
      { at: SALE - 1, product: 'C', cmd: buy('ann', { buyerFlags: ['member'] }), expect: 'PRODUCT_SALE_CLOSED' },
      { at: SALE, product: 'C', cmd: buy('ann', { buyerFlags: Array.from({ length: 17 }, (_, i) => `f${i}`) }), expect: 'COMMAND_INVALID', field: 'buyerFlags' },
      { at: SALE, product: 'C', cmd: buy('ann', { buyerFlags: [7] }), expect: 'COMMAND_INVALID', field: 'buyerFlags' },
    ]));
    expectCode(w.product('C', buy('ann', { buyerFlags: ['member'] }), SALE), 'OK');
  });

  it('keeps the flags in the product\'s terms through a snapshot', () => {
    const w = world();
    expectCode(w.product('C', card('C', { customerFlags: { ...members, only: true } }), 0), 'OK');
    const plain = productToPlain(w.prod('C')) as { def: CreateProduct };
    expect(plain.def.customerFlags).toEqual({ flags: ['member', 'patron'], saleStartMs: EARLY, only: true });
    expect(productToPlain(productFromPlain(JSON.parse(JSON.stringify(plain))))).toEqual(plain);
  });
});
