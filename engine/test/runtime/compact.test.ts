// The journal's compact forms (compact.ts) must read back exactly what was written: the same
// keys, the same values, nothing added or lost, whatever the command looks like. Anything that
// is not exactly one of the compact shapes goes as the object, and version-1 records (written
// before the compact forms) still read.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DONE, type Result } from '../../src/domain/mod.ts';
import { decodeRecord, encodeRecord, pack, packResults, packr, unpackResults, type EngineCommand, type JournalItem } from '../../src/runtime/mod.ts';
import { compactItem, compactResult } from '../../src/runtime/compact.ts';

const id = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('h1', 'B7', 'web', 'ünïcødé-✓', ''));
const anyValue = fc.oneof(id, fc.integer(), fc.constant(null), fc.boolean(), fc.array(fc.integer({ min: 0, max: 70_000 }), { maxLength: 5 }));

/** Commands of the compact types, with or without each field, sometimes with extra or undefined keys. */
const command: fc.Arbitrary<Record<string, unknown>> = fc.record({
  type: fc.constantFrom('holdSeats', 'releaseHold', 'confirmHold', 'holdBestAvailable', 'scanTicket'),
  commandId: id,
  buyerId: id,
  channel: id,
  holdId: id,
  seatNos: fc.array(fc.integer({ min: 0, max: 70_000 }), { maxLength: 6 }),
  seats: fc.array(id, { maxLength: 4 }),
  count: fc.integer({ min: -2, max: 12 }),
  buyerEmail: id,
  presaleCode: id,
  extra: anyValue,
  undefinedKey: fc.constant(undefined),
}, { requiredKeys: ['type'], noNullPrototype: true }) as fc.Arbitrary<Record<string, unknown>>;

describe('runtime - compact journal items', () => {
  it('reads back every command exactly as written (property)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(id, fc.integer({ min: 0, max: 2 ** 45 }), command), { maxLength: 20 }), (raw) => {
      const items = raw as unknown as JournalItem[];
      const record = decodeRecord(encodeRecord({ shard: 3, epoch: 9, items }));
      expect(record.v).toBe(2);
      expect(record.shard).toBe(3);
      expect(record.epoch).toBe(9);
      expect(record.items).toStrictEqual(items);
    }), { numRuns: 2_000 });
  });

  it('writes the exact shapes compactly and everything else as the object', () => {
    const hold: EngineCommand = { type: 'holdSeats', commandId: 'h1', buyerId: 'B1', channel: 'web', seatNos: [4, 5] };
    expect(compactItem('P1', 10, hold)).toEqual(['P1', 10, 1, 'h1', 'B1', 'web', [4, 5]]);
    const byId: EngineCommand = { type: 'holdSeats', commandId: 'h1', buyerId: 'B1', channel: 'web', seats: ['A-1-1'] };
    expect(compactItem('P1', 10, byId)[2]).toBe(2);
    const release: EngineCommand = { type: 'releaseHold', commandId: 'r1', holdId: 'h1', buyerId: 'B1' };
    expect(compactItem('P1', 10, release)).toEqual(['P1', 10, 3, 'r1', 'h1', 'B1']);
    // One optional field more, an undefined value, or another command type: the object.
    const withCode: EngineCommand = { ...hold, presaleCode: 'FAN' };
    expect(compactItem('P1', 10, withCode)).toEqual(['P1', 10, withCode]);
    const withUndefined = { type: 'releaseHold', commandId: 'r1', holdId: undefined, buyerId: 'B1', x: 1 } as unknown as EngineCommand;
    expect(compactItem('P1', 10, withUndefined)[2]).toBe(withUndefined);
    const scan: EngineCommand = { type: 'scanTicket', commandId: 's1', ticketId: 'T1' };
    expect(compactItem('P1', 10, scan)[2]).toBe(scan);
  });

  it('still reads version-1 records, and refuses an unknown tag or version', () => {
    const items: JournalItem[] = [['P1', 5, { type: 'releaseHold', commandId: 'r1', holdId: 'h1', buyerId: 'B1' }]];
    expect(decodeRecord(pack({ v: 1, shard: 0, epoch: 1, items })).items).toStrictEqual(items);
    expect(() => decodeRecord(pack({ v: 2, shard: 0, epoch: 1, items: [['P1', 5, 99, 'x']] }))).toThrow(/unknown compact tag 99/);
    expect(() => decodeRecord(pack({ v: 3, shard: 0, epoch: 1, items: [] }))).toThrow(/version 1 or 2/);
  });
});

describe('runtime - compact answers', () => {
  const hold: Result = { ok: true, holdId: 'h1', expiresAtMs: 600_000, seats: ['A-1-1', 'A-1-2'], gaAreaId: null, count: 2, quotaId: null, ticketType: 'adult' };
  const order: Result = { ok: true, orderId: 'P1-O1', holdId: 'h1', totalMinor: 100, discountMinor: 0, tickets: [] };
  const refused: Result = { ok: false, code: 12, name: 'SEAT_TAKEN', field: 'seats', message: 'taken' } as unknown as Result;

  it('reads back every answer exactly, DONE as the shared constant', () => {
    const plainOk = { ok: true } as Result;
    const results = [DONE, hold, order, refused, plainOk, { ...hold, extra: 1 } as unknown as Result];
    const back = unpackResults(packResults(results));
    expect(back).toStrictEqual(results);
    expect(back[0]).toBe(DONE);
    expect(compactResult(DONE)).toBe(0);
    expect(Array.isArray(compactResult(hold))).toBe(true);
    expect(compactResult(order)).toBe(order);
    expect(compactResult(plainOk)).toBe(plainOk);
  });

  it('refuses an answer with an unknown tag', () => {
    expect(() => unpackResults(new Uint8Array(packr.pack([[7, 'x']])))).toThrow(/unknown compact tag 7/);
  });
});
