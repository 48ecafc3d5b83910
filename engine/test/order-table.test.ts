// The order table (order-table.ts) on its own: every field of every order reads back as it was
// added, nulls included, through growth of the columns and of the string buffer; shared names
// (products, presale codes) and the per-field readers agree with the whole order; an order out of
// turn or out of range is refused.
import { describe, expect, it } from 'vitest';
import { Order, OrderTable } from '../src/domain/order-table.ts';

/** A varied order `no`: every nullable field null on some orders and not on others, ids of many lengths, some beyond Latin-1. */
function orderOf(no: number): Order {
  const resale = no % 7 === 3;
  const product = no % 3 === 0 ? `P${no % 4}` : null;
  return new Order(
    'PERF-1', no, `hold-${no}-${'h'.repeat(no % 29)}${no % 13 === 0 ? 'é€' : ''}`, `buyer-${no % 50}`, no % 5 === 0 ? `b${no}@example.org` : null,
    no % 4, no % 6 === 1 ? `CODE${no % 3}` : null, 3 * no, 1 + (no % 3), 12_345 * no + 0.5 * (no % 2), (no % 4) * 100, 1_700_000_000_000 + no,
    product, product === null ? null : `${product}-H${no}`, resale ? no * 3 - 1 : null, resale ? 9_000 + no : null,
  );
}

describe('domain - order table', () => {
  it('reads back every field of every order through growth, and the per-field readers agree', () => {
    const table = new OrderTable('PERF-1');
    const added: Order[] = [];
    for (let no = 0; no < 3_000; no++) {
      const order = orderOf(no);
      table.add(order);
      added.push(order);
      // Read back now and then while the table grows, not only at the end.
      if (no % 211 === 0) for (let k = 0; k <= no; k += 17) expect(table.get(k)).toStrictEqual(added[k]);
    }
    expect(table.length).toBe(3_000);
    for (let no = 0; no < added.length; no++) {
      const got = table.get(no);
      expect(got).toStrictEqual(added[no]);
      expect(got.orderId).toBe(`PERF-1-O${no}`);
      expect(table.buyerIdOf(no)).toBe(added[no].buyerId);
      expect(table.presaleCodeOf(no)).toBe(added[no].presaleCode);
      expect(table.productIdOf(no)).toBe(added[no].productId);
      expect(table.isResale(no)).toBe(added[no].resaleOf !== null);
    }
    expect([...table]).toStrictEqual(added);
    // map (what a snapshot reads) cuts every string from one read of all the units: ~100k of them here, many chunks.
    expect(table.map((o) => o)).toStrictEqual(added);
    expect(table.map((o, no) => [o.no, no])).toStrictEqual(added.map((o) => [o.no, o.no]));
    expect(new OrderTable('EMPTY').map((o) => o)).toStrictEqual([]);
  });

  it('keeps an order the caller changes or drops afterwards as it was added', () => {
    const table = new OrderTable('PERF-1');
    const mutable = orderOf(0) as unknown as Record<string, unknown>;
    table.add(mutable as unknown as Order);
    mutable.holdId = 'changed';
    mutable.totalMinor = -1;
    expect(table.get(0)).toStrictEqual(orderOf(0));
  });

  it('refuses an order out of turn, of another performance, or a number out of range', () => {
    const table = new OrderTable('PERF-1');
    expect(() => table.add(orderOf(1))).toThrow(/added as 0/);
    expect(() => table.add(new Order('PERF-2', 0, 'h', 'b', null, 0, null, 0, 1, 1, 0, 0, null, null, null, null))).toThrow(/PERF-2/);
    table.add(orderOf(0));
    for (const no of [-1, 1, 0.5, Number.NaN]) {
      expect(() => table.get(no)).toThrow(/no order/);
      expect(() => table.buyerIdOf(no)).toThrow(/no order/);
    }
    expect(table.length).toBe(1);
  });
});
