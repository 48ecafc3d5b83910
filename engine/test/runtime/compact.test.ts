// The journal's compact forms (compact.ts, and their binary writing in hot-wire.ts) must read
// back exactly what was written: the same keys, the same values, nothing added or lost, whatever
// the command looks like. Anything that is not exactly one of the compact shapes goes as the
// object. Records name each item's actor by its place in the record's list of actors and its
// time as a difference (versions 3 and 4); version 4 writes the shapes in binary. Records of
// versions 1 (before the compact forms), 2 (full ids and times) and 3 still read.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DONE, type Result } from '../../src/domain/mod.ts';
import { decodeRecord, encodeRecord, pack, packResults, packr, unpackResults, type EngineCommand, type JournalItem } from '../../src/runtime/mod.ts';
import { compactItem, compactShapes, type WireItem } from '../../src/runtime/compact.ts';

// Strings at and past what the binary form takes (ASCII, at most 255 characters).
const id = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('h1', 'B7', 'web', 'ünïcødé-✓', '', '\u007f', 'x'.repeat(255), 'y'.repeat(256)));
// Numbers at and past what an Int32 holds, and some that are not integers.
const number = fc.oneof(fc.integer({ min: -2, max: 70_000 }), fc.constantFrom(2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 1.5, Number.MAX_SAFE_INTEGER));
const anyValue = fc.oneof(id, fc.integer(), fc.constant(null), fc.boolean(), fc.array(fc.integer({ min: 0, max: 70_000 }), { maxLength: 5 }));

const fields = {
  commandId: id, buyerId: id, channel: id, holdId: id,
  seatNos: fc.oneof(fc.array(number, { maxLength: 6 }), fc.constant([1, 'x']), fc.constant(null)),
  seats: fc.oneof(fc.array(id, { maxLength: 4 }), fc.constant([1])),
  count: number,
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
    let binary = 0;
    fc.assert(fc.property(fc.array(fc.tuple(id, fc.integer({ min: 0, max: 2 ** 45 }), command), { maxLength: 20 }), (raw) => {
      const items = raw as unknown as JournalItem[];
      for (const [a, t, c] of items) if (typeof compactItem(a, t, c)[2] === 'number') compacted++;
      const bytes = encodeRecord({ shard: 3, epoch: 9, items });
      binary += items.length - (packr.unpack(bytes) as { cold: unknown[] }).cold.length;
      const record = decodeRecord(bytes);
      expect(record.v).toBe(4);
      expect(record.shard).toBe(3);
      expect(record.epoch).toBe(9);
      expectExactly(record.items, items);
    }), { numRuns: 3_000 });
    // The shapes themselves were met, not only their near misses, and some in binary (most random
    // times are too far apart for its Int32 difference, and many random strings are not ASCII).
    expect(compacted).toBeGreaterThan(1_000);
    expect(binary).toBeGreaterThan(100);
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

  it('writes each actor once and each time as a difference, the shapes in binary and the rest cold', () => {
    const release = (n: number): EngineCommand => ({ type: 'releaseHold', commandId: `r${n}`, holdId: `h${n}`, buyerId: 'B1' });
    const scan: EngineCommand = { type: 'scanTicket', commandId: 's1', ticketId: 'T1' };
    const t = 1_795_000_000_000;
    const items: JournalItem[] = [['P1', t, release(1)], ['P2', t + 3, release(2)], ['P1', t - 2, scan], ['P2', t + 70_000, release(4)], ['P2', t + 2 ** 31, release(5)]];
    const before = structuredClone(items);
    const bytes = encodeRecord({ shard: 4, epoch: 2, items });
    expectExactly(items, before);
    const raw = packr.unpack(bytes) as { v: number; atMs: number; actors: string[]; hot: Uint8Array; cold: unknown[][] };
    expect(raw.v).toBe(4);
    expect(raw.atMs).toBe(t);
    expect(raw.actors).toEqual(['P1', 'P2']);
    // The scan is not a shape; a difference past an Int32 is written cold with its number.
    expect(raw.cold).toEqual([[0, -2, scan], [1, 2 ** 31, 3, 'r5', 'h5', 'B1']]);
    expect(raw.hot[0]).toBe(3);
    expectExactly(decodeRecord(bytes).items, items);
    // Smaller than the same items with their ids and times written out (version 2).
    const wire = items.map(([a, at, c]) => compactItem(a, at, c));
    expect(bytes.length).toBeLessThan(pack({ v: 2, shard: 4, epoch: 2, items: wire }).length);
    // A time that is not a whole number is written as given (a difference might round): version 2.
    const odd: JournalItem[] = [['P1', t, release(5)], ['P1', 0.0001, release(6)]];
    const oddBytes = encodeRecord({ shard: 4, epoch: 2, items: odd });
    expect((packr.unpack(oddBytes) as { v: number }).v).toBe(2);
    expectExactly(decodeRecord(oddBytes).items, odd);
  });

  it('still reads version-3 records (actors by number, times as differences, no binary part)', () => {
    const t = 1_795_000_000_000;
    const items: JournalItem[] = [
      ['P1', t, { type: 'releaseHold', commandId: 'r1', holdId: 'h1', buyerId: 'B1' }],
      ['P2', t + 3, { type: 'scanTicket', commandId: 's1', ticketId: 'T1' }],
      ['P1', t - 2, { type: 'holdSeats', commandId: 'h2', buyerId: 'B1', channel: 'web', seatNos: [4, 5] }],
    ];
    const v3: WireItem[] = [[0, 0, 3, 'r1', 'h1', 'B1'], [1, 3, items[1][2]], [0, -2, 1, 'h2', 'B1', 'web', [4, 5]]];
    expectExactly(decodeRecord(pack({ v: 3, shard: 4, epoch: 2, atMs: t, actors: ['P1', 'P2'], items: v3 })).items, items);
  });

  it('refuses a version-4 record whose binary part does not match its cold items or ends early', () => {
    const good = packr.unpack(encodeRecord({ shard: 0, epoch: 1, items: [['P1', 5, { type: 'releaseHold', commandId: 'r1', holdId: 'h1', buyerId: 'B1' }]] })) as Record<string, unknown>;
    const hot = good.hot as Uint8Array;
    expect(() => decodeRecord(pack({ ...good, hot: hot.subarray(0, hot.length - 1) }))).toThrow(/ends early/);
    expect(() => decodeRecord(pack({ ...good, hot: Uint8Array.of(...hot, 0) }))).toThrow(/cold item the record does not have/);
    expect(() => decodeRecord(pack({ ...good, cold: [[0, 0, { type: 'tick', commandId: 't' }]] }))).toThrow(/cold items its bytes do not name/);
    expect(() => decodeRecord(pack({ ...good, hot: Uint8Array.of(99, ...hot.subarray(1)) }))).toThrow(/unknown binary tag 99/);
    expect(() => decodeRecord(pack({ ...good, actors: [] }))).toThrow(/names actor 0 of 0/);
    expect(() => decodeRecord(pack({ ...good, hot: null }))).toThrow(/without its atMs, actors, hot bytes and cold items/);
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
    expect(() => decodeRecord(pack({ v: 5, shard: 0, epoch: 1, items: [] }))).toThrow(/version 1 to 4/);
  });
});

describe('runtime - answers', () => {
  const hold: Result = { ok: true, holdId: 'h1', expiresAtMs: 600_000, seats: ['A-1-1', 'A-1-2'], gaAreaId: null, count: 2, quotaId: null, ticketType: 'adult' };
  const order: Result = { ok: true, orderId: 'P1-O1', holdId: 'h1', totalMinor: 100, discountMinor: 0, tickets: [] };
  const refused: Result = { ok: false, code: 12, name: 'SEAT_TAKEN', field: 'seats', message: 'taken' } as unknown as Result;

  it('reads back every answer exactly, DONE as the shared constant', () => {
    const plainOk = { ok: true } as Result;
    const results = [
      DONE, hold, order, refused, plainOk, { ...hold, extra: 1 } as unknown as Result,
      // Another hold id than the command's, a GA area and a quota, a string binary cannot take, a fractional expiry.
      { ...hold, holdId: 'other' }, { ...hold, seats: [], gaAreaId: 'GA1', count: 3, quotaId: 'Q1' }, { ...hold, ticketType: 'ünï' }, { ...hold, expiresAtMs: 1.5 },
    ];
    const ids = results.map((_, i) => (i === 1 ? 'h1' : `c${i}`));
    const idOf = (i: number): string | undefined => ids[i];
    const bytes = packResults(results, idOf);
    const back = unpackResults(bytes, idOf);
    expectExactly(back, results);
    expect(back[0]).toBe(DONE);
    // Only what binary cannot take is written by msgpackr.
    expect((packr.unpack(bytes) as { cold: unknown[] }).cold).toEqual([order, refused, plainOk, { ...hold, extra: 1 }, { ...hold, ticketType: 'ünï' }]);
  });

  it('refuses answers it cannot read, and a hold named by a command id it was not given', () => {
    expect(() => unpackResults(new Uint8Array(packr.pack([[7, 'x']])), () => 'c')).toThrow(/not a worker's answers/);
    expect(() => unpackResults(pack({ hot: Uint8Array.of(7), cold: [] }), () => 'c')).toThrow(/unknown binary kind 7/);
    expect(() => unpackResults(pack({ hot: Uint8Array.of(2), cold: [] }), () => 'c')).toThrow(/fewer cold answers/);
    expect(() => unpackResults(pack({ hot: Uint8Array.of(0), cold: [DONE] }), () => 'c')).toThrow(/more cold answers/);
    const bytes = packResults([hold], () => 'h1');
    expect(() => unpackResults(bytes, () => undefined)).toThrow(/names its command's id/);
  });
});
