// The journal's compact forms (compact.ts) must read back exactly what was written: the same
// keys, the same values, nothing added or lost, whatever the command looks like. Anything that
// is not exactly one of the compact shapes goes as the object. Records name each item's actor by
// its place in the record's list of actors and its time as a difference (version 3); version-1
// records (written before the compact forms) and version-2 ones (full ids and times) still read.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DONE, type Result } from '../../src/domain/mod.ts';
import { decodeRecord, encodeRecord, pack, packResults, packr, unpackResults, type EngineCommand, type JournalItem } from '../../src/runtime/mod.ts';
import { encodeWireRecord } from '../../src/runtime/wire.ts';
import { compactItem, compactResult, compactShapes } from '../../src/runtime/compact.ts';

const id = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('h1', 'B7', 'web', 'ünïcødé-✓', ''));
const anyValue = fc.oneof(id, fc.integer(), fc.constant(null), fc.boolean(), fc.array(fc.integer({ min: 0, max: 70_000 }), { maxLength: 5 }));

const fields = {
  commandId: id, buyerId: id, channel: id, holdId: id,
  seatNos: fc.array(fc.integer({ min: 0, max: 70_000 }), { maxLength: 6 }),
  seats: fc.array(id, { maxLength: 4 }),
  count: fc.integer({ min: -2, max: 12 }),
  buyerEmail: id, presaleCode: id, extra: anyValue, undefinedKey: fc.constant(undefined),
};
const fieldNames = Object.keys(fields) as (keyof typeof fields)[];

/**
 * Commands of the compact types (and one other), with any subset of the fields in any order,
 * `type` first or not, sometimes with extra or undefined keys: the compact shapes and all their
 * near misses.
 */
const anyKeys: fc.Arbitrary<Record<string, unknown>> = fc.tuple(
  fc.constantFrom('holdSeats', 'releaseHold', 'confirmHold', 'holdBestAvailable', 'scanTicket'),
  fc.shuffledSubarray(['type', ...fieldNames]),
  fc.record(fields),
  fc.boolean(),
).map(([type, keys, values, typeFirst]) => {
  const order = typeFirst ? ['type', ...keys.filter((k) => k !== 'type')] : keys;
  const o: Record<string, unknown> = {};
  for (const k of order) o[k] = k === 'type' ? type : values[k as keyof typeof values];
  if (!('type' in o)) o.type = type;
  return o;
});

/** Exactly a compact shape's keys, half the time in another order (which must go as the object). */
const shaped: fc.Arbitrary<Record<string, unknown>> = fc.tuple(fc.constantFrom(...compactShapes), fc.record(fields), fc.boolean(), fc.boolean()).map(([shape, values, reversed, typeLast]) => {
  const keys = reversed ? [...shape.keys].reverse() : [...shape.keys];
  const o: Record<string, unknown> = typeLast ? {} : { type: shape.type };
  for (const k of keys) o[k] = values[k as keyof typeof values];
  if (typeLast) o.type = shape.type;
  return o;
});

const command = fc.oneof(shaped, anyKeys);

/** Equal, and every object's keys in the same order. */
function expectExactly(actual: unknown, expected: unknown): void {
  expect(actual).toStrictEqual(expected);
  const order = (v: unknown): unknown => (Array.isArray(v) ? v.map(order) : v !== null && typeof v === 'object' ? Object.keys(v).map((k) => [k, order((v as Record<string, unknown>)[k])]) : v);
  expect(order(actual)).toEqual(order(expected));
}

describe('runtime - compact journal items', () => {
  it('reads back every command exactly as written (property)', () => {
    let compacted = 0;
    fc.assert(fc.property(fc.array(fc.tuple(id, fc.integer({ min: 0, max: 2 ** 45 }), command), { maxLength: 20 }), (raw) => {
      const items = raw as unknown as JournalItem[];
      for (const [a, t, c] of items) if (typeof compactItem(a, t, c)[2] === 'number') compacted++;
      const record = decodeRecord(encodeRecord({ shard: 3, epoch: 9, items }));
      expect(record.v).toBe(3);
      expect(record.shard).toBe(3);
      expect(record.epoch).toBe(9);
      expectExactly(record.items, items);
    }), { numRuns: 3_000 });
    // The shapes themselves were met, not only their near misses.
    expect(compacted).toBeGreaterThan(1_000);
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
    // Another order of the keys is its own shape (the order is kept), or the object.
    const buyerFirst = { type: 'releaseHold', commandId: 'r1', buyerId: 'B1', holdId: 'h1' } as EngineCommand;
    expect(compactItem('P1', 10, buyerFirst)).toEqual(['P1', 10, 7, 'r1', 'B1', 'h1']);
    const typeLast = { commandId: 'r1', holdId: 'h1', buyerId: 'B1', type: 'releaseHold' } as EngineCommand;
    expect(compactItem('P1', 10, typeLast)[2]).toBe(typeLast);
  });

  it('builds each shape with its keys in the shape\'s order, tags all different', () => {
    const values = Array.from({ length: 12 }, (_, i) => `v${i}`) as never[];
    for (const shape of compactShapes) {
      const made = shape.make(values) as unknown as Record<string, unknown>;
      expect(Object.keys(made)).toEqual(['type', ...shape.keys]);
      expect(made.type).toBe(shape.type);
      expect(shape.keys.map((k) => made[k])).toEqual(values.slice(3, 3 + shape.keys.length));
    }
    expect(new Set(compactShapes.map((s) => s.tag)).size).toBe(compactShapes.length);
  });

  it('writes each actor once and each time as a difference, and gives the router its items back unchanged', () => {
    const release = (n: number): EngineCommand => ({ type: 'releaseHold', commandId: `r${n}`, holdId: `h${n}`, buyerId: 'B1' });
    const t = 1_795_000_000_000;
    const items: JournalItem[] = [['P1', t, release(1)], ['P2', t + 3, release(2)], ['P1', t - 2, release(3)], ['P2', t + 70_000, release(4)]];
    const wire = items.map(([a, at, c]) => compactItem(a, at, c));
    const before = structuredClone(wire);
    const bytes = encodeWireRecord(4, 2, wire);
    expectExactly(wire, before);
    const raw = packr.unpack(bytes) as { v: number; atMs: number; actors: string[]; items: unknown[][] };
    expect(raw.v).toBe(3);
    expect(raw.atMs).toBe(t);
    expect(raw.actors).toEqual(['P1', 'P2']);
    expect(raw.items.map((x) => [x[0], x[1]])).toEqual([[0, 0], [1, 3], [0, -2], [1, 70_000]]);
    expectExactly(decodeRecord(bytes).items, items);
    // Smaller than the same items with their ids and times written out (version 2).
    expect(bytes.length).toBeLessThan(pack({ v: 2, shard: 4, epoch: 2, items: wire }).length);
    // A time that is not a whole number is written as given (a difference might round): version 2.
    const odd: JournalItem[] = [['P1', t, release(5)], ['P1', 0.0001, release(6)]];
    const oddBytes = encodeWireRecord(4, 2, odd.map(([a, at, c]) => compactItem(a, at, c)));
    expect((packr.unpack(oddBytes) as { v: number }).v).toBe(2);
    expectExactly(decodeRecord(oddBytes).items, odd);
  });

  it('still reads version-1 and version-2 records, and refuses an unknown tag, actor or version', () => {
    const items: JournalItem[] = [['P1', 5, { type: 'releaseHold', commandId: 'r1', holdId: 'h1', buyerId: 'B1' }]];
    expect(decodeRecord(pack({ v: 1, shard: 0, epoch: 1, items })).items).toStrictEqual(items);
    expect(decodeRecord(pack({ v: 2, shard: 0, epoch: 1, items: [['P1', 5, 3, 'r1', 'h1', 'B1']] })).items).toStrictEqual(items);
    expect(() => decodeRecord(pack({ v: 2, shard: 0, epoch: 1, items: [['P1', 5, 99, 'x']] }))).toThrow(/unknown compact tag 99/);
    for (const actor of [1, -1, 0.5]) {
      expect(() => decodeRecord(pack({ v: 3, shard: 0, epoch: 1, atMs: 5, actors: ['P1'], items: [[actor, 0, 3, 'r1', 'h1', 'B1']] })), String(actor)).toThrow(/item 0/);
    }
    expect(() => decodeRecord(pack({ v: 3, shard: 0, epoch: 1, items: [] }))).toThrow(/without its atMs and actors/);
    expect(() => decodeRecord(pack({ v: 4, shard: 0, epoch: 1, items: [] }))).toThrow(/version 1, 2 or 3/);
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
    expectExactly(back, results);
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
