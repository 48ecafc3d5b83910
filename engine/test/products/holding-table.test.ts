// The performance's ticket numbers per holding (products-link.ts) are held in columns, not in a
// Map of arrays: read as a map they must answer what the Map did, for any order of orders.
import { describe, expect, it } from 'vitest';
import { HoldingTable } from '../../src/domain/products-link.ts';
import { rng } from '../rng.ts';

describe('HoldingTable', () => {
  it('is empty at first', () => {
    const table = new HoldingTable();
    expect(table.size).toBe(0);
    expect(table.get('H1')).toBeUndefined();
    expect([...table]).toEqual([]);
  });

  it('answers as a Map of ticket arrays would, in first-order order, through growth', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const random = rng(seed);
      const table = new HoldingTable();
      const model = new Map<string, number[]>();
      let ticket = 0;
      for (let i = 0; i < 3_000; i++) {
        const holdingId = `P-H${Math.floor(random() * 1_000)}`;
        const tickets: number[] = [];
        // Tickets are issued in increasing numbers, some to orders of no holding.
        ticket += Math.floor(random() * 3);
        for (let n = Math.floor(random() * 4); n > 0; n--) tickets.push(ticket++);
        table.add(holdingId, tickets[0] ?? ticket, tickets.length);
        model.set(holdingId, [...(model.get(holdingId) ?? []), ...tickets]);
      }
      expect(table.size).toBe(model.size);
      expect([...table]).toEqual([...model]);
      for (const [holdingId, tickets] of model) expect(table.get(holdingId)).toEqual(tickets);
      expect(table.get('P-H1000')).toBeUndefined();
    }
  });
});
