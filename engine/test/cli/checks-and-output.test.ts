// The simulator's own checks catch the violations they name (a run that never breaks a rule
// cannot show it), the tickets file writes every contract field with its null rules (a GA
// ticket included, which no scenario sells), and the readable report shows the summary's figures.
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TicketRow } from '../../src/domain/mod.ts';
import { renderReport } from '../../src/cli/report.ts';
import { writeTickets } from '../../src/cli/tickets-out.ts';
import { checkProductTickets } from '../../src/sim/driver.ts';
import { checkTickets, type SimulationSummary } from '../../src/sim/simulate.ts';
import { scratchDir } from '../cli/helpers.ts';

let n = 0;
function ticket(more: Partial<TicketRow> = {}): TicketRow {
  n++;
  return {
    ticketId: `T${n}`, performanceId: 'P', seatId: `S-${n}`, gaAreaId: null, buyerId: `B${n}`, channel: 'web', ticketType: 'adult',
    priceMinor: 5_000, discountMinor: 0, status: 'valid', scanned: false, quotaId: null, presaleCode: null, orderId: `O${n}`,
    productId: null, holdingId: null, resaleOf: null, basePriceMinor: null, ...more,
  };
}

describe('the on-sale checks', () => {
  it('count a seat sold twice, valid tickets only', () => {
    expect(checkTickets([ticket({ seatId: 'A-1' }), ticket({ seatId: 'A-1' })]).seatsSoldTwice).toBe(1);
    expect(checkTickets([ticket({ seatId: 'A-1', status: 'void' }), ticket({ seatId: 'A-1' })]).seatsSoldTwice).toBe(0);
    expect(checkTickets([ticket({ seatId: 'A-1' }), ticket({ seatId: 'A-1', performanceId: 'Q' })]).seatsSoldTwice).toBe(0);
  });

  it('count a buyer over the cap of 6 per performance', () => {
    const of = (count: number, status: TicketRow['status'] = 'valid') => Array.from({ length: count }, () => ticket({ buyerId: 'X', status }));
    expect(checkTickets(of(6)).buyersOverCap).toBe(0);
    expect(checkTickets(of(7)).buyersOverCap).toBe(1);
    expect(checkTickets([...of(6), ...of(1, 'void')]).buyersOverCap).toBe(0);
  });
});

describe('the product scenarios\' checks', () => {
  const none = { seatsSoldTwice: 0, buyersOverCap: 0, holdingSeatMismatch: 0, ticketsMissingFields: 0, transfersWithoutBuyer: 0 };
  it('each names its own violation', () => {
    expect(checkProductTickets([ticket({ seatId: 'A-1' }), ticket({ seatId: 'A-1' })], new Set(), 6)).toEqual({ ...none, seatsSoldTwice: 1 });
    expect(checkProductTickets(Array.from({ length: 3 }, () => ticket({ buyerId: 'X' })), new Set(), 2)).toEqual({ ...none, buyersOverCap: 1 });
    const card = (performanceId: string, seatId: string) => ticket({ performanceId, seatId, productId: 'CARD', holdingId: 'CARD-H1' });
    expect(checkProductTickets([card('M1', 'A-1'), card('M2', 'A-1')], new Set(['CARD']), 6)).toEqual(none);
    expect(checkProductTickets([card('M1', 'A-1'), card('M2', 'A-2')], new Set(['CARD']), 6)).toEqual({ ...none, holdingSeatMismatch: 1 });
    expect(checkProductTickets([ticket({ productId: 'CARD' })], new Set(), 6)).toEqual({ ...none, ticketsMissingFields: 1 });
    const sold = ticket({ status: 'transferred' });
    expect(checkProductTickets([sold], new Set(), 6)).toEqual({ ...none, transfersWithoutBuyer: 1 });
    expect(checkProductTickets([sold, ticket({ resaleOf: sold.ticketId, basePriceMinor: 5_000 })], new Set(), 6)).toEqual(none);
  });
});

describe('the tickets file', () => {
  it('one line per ticket, every field, null rules for seats and GA, net price, the ticket\'s own barcode, its holding\'s', async () => {
    const seat = ticket({ status: 'transferred', seatId: 'S139-A-1', quotaId: 'PARTNER', channel: 'partner', priceMinor: 4_900, discountMinor: 490, presaleCode: 'CODE', ticketType: 'fanclub', orderId: 'O-1' });
    const ga = ticket({ seatId: null, gaAreaId: 'FLOOR', productId: 'CARD', holdingId: 'CARD-H1', orderId: 'O-1', buyerId: 'BGA' });
    const resale = ticket({ resaleOf: seat.ticketId, basePriceMinor: 4_410, status: 'valid' });
    const file = join(scratchDir(), 't.jsonl');
    await writeTickets(openSync(file, 'w'), [seat, ga, resale], ['code-0', 'code-1', 'code-2'], new Map([['CARD-H1', 'card-code']]));
    const rows = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual({
      ticketId: seat.ticketId, orderId: 'O-1', performanceId: 'P', seatId: 'S139-A-1', gaAreaId: null, buyerId: seat.buyerId, channel: 'partner',
      priceMinor: 4_410, status: 'transferred', quotaId: 'PARTNER', presaleCode: 'CODE', productId: null, holdingId: null, resaleOf: null,
      basePriceMinor: null, ticketType: 'fanclub', discountMinor: 490, barcode: 'code-0', holdingBarcode: null,
    });
    expect(rows[1]).toMatchObject({ seatId: null, gaAreaId: 'FLOOR', productId: 'CARD', holdingId: 'CARD-H1', buyerId: 'BGA', barcode: 'code-1', holdingBarcode: 'card-code' });
    expect(rows[2]).toMatchObject({ resaleOf: seat.ticketId, basePriceMinor: 4_410, barcode: 'code-2' });
  });
});

describe('the readable report', () => {
  const summary: SimulationSummary = {
    scenario: 'onsale', seed: 9, buyers: 300_000, commands: 123_456, commandsPerSec: 45_678, wallMs: 2_703,
    latencyMs: { p50: 0.25, p99: 7.5 }, rejections: { NOT_ENOUGH_SEATS: 1_234, SEAT_NOT_AVAILABLE: 56 },
    limits: { maxTicketsPerBuyerPerPerformance: 6 }, performances: [{ performanceId: 'STADIUM', capacity: 60_000, sold: 59_285 }],
    bus: 'embedded', durable: false, workers: 2, shards: 16, sellOutMs: 100_000, lastSaleMs: 3_723_000,
    holds: { made: 10, confirmed: 7, released: 1, expired: 2 }, turnedAway: 5, webUnsold: 0, revenueMinor: 12_345,
    checks: { seatsSoldTwice: 3, buyersOverCap: 4 },
  };

  it('shows sold, the sell-out and last-sale times, commands/s, p50/p99, rejections by code, durability and the checks', () => {
    const text = renderReport(summary);
    expect(text).toContain('STADIUM: sold 59,285 of 60,000 seats');
    expect(text).toContain('web sold out at T+0:01:40');
    expect(text).toContain('last sale at T+1:02:03');
    expect(text).toContain('45,678 commands/s');
    expect(text).toContain('p50 0.25 ms, p99 7.5 ms');
    expect(text).toMatch(/NOT_ENOUGH_SEATS\s+1,234\n/);
    expect(text).toMatch(/SEAT_NOT_AVAILABLE\s+56(\n|$)/);
    expect(text).toContain('NOT durable');
    expect(text).toContain('), 2 workers, 16 shards');
    expect(renderReport({ ...summary, workers: 1, shards: 1 })).toContain('), 1 worker, 1 shard\n');
    expect(renderReport({ ...summary, durable: true, bus: 'nats' })).not.toContain('NOT durable');
    expect(text).toContain('seats sold twice 3, buyers over the cap of 6: 4');
    expect(renderReport({ ...summary, sellOutMs: null, webUnsold: 715 })).toContain('the web never sold out: 715 seats');
  });
});
