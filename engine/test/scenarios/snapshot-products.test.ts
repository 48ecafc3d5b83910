// Snapshots of products and resale: a journal that makes every new kind of record (links, an
// unlink that drops its product's empty quota, product allocations, product holds of each kind
// and their orders, listings open, sold and withdrawn, transferred and resold tickets, holding
// scans, retries), then the properties the runtime's recovery relies on, and the reading of a
// snapshot written before products existed.
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import {
  auditPerformance, decodeSnapshot, encodeSnapshot, execute, stateHash, type Command, type PerformanceState,
} from '../../src/domain/mod.ts';
import {
  OPEN, buyResale, confirm, createQuota, hall, holdBest, holdGa, holdSeats, linkProduct, listResale, newPerformance, play, productSpec,
  release, returnQuota, scan, scanHolding, seats, unlinkProduct, voidTicket, withdrawResale, type Step,
} from './helpers.ts';
import { expectResumes, expectRoundTrips } from './snapshot-checks.ts';

const id = (commandId: string) => ({ commandId });
const card = (holdingId: string) => ({ productId: 'card', holdingId });
const subs = (holdingId: string) => ({ productId: 'subs', holdingId });

const journal: Step[] = [
  { at: 0, cmd: linkProduct('card', id('k1')), expect: 'OK' },
  { at: 0, cmd: linkProduct('subs', { ...id('k2'), kind: 'series', cardKind: 'fixedPrice', resale: null }), expect: 'OK' },
  { at: 0, cmd: linkProduct('gone', id('k3')), expect: 'OK' },
  { at: 1, cmd: createQuota('alloc', [], 'onlyQuota', { ...id('k4'), productId: 'subs', seats: seats('BALC-1', 1, 6) }), expect: 'OK' },
  { at: 1, cmd: createQuota('gone.alloc', [], 'onlyQuota', { ...id('k4b'), productId: 'gone', seats: ['BALC-2-6'] }), expect: 'OK', why: 'dropped with its link: a number without a quota' },
  { at: 1, cmd: createQuota('floor', ['resale'], 'quotaFirst', { ...id('k5'), productId: 'card', gaAreaId: 'FLOOR', count: 4, discountPct: 10 }), expect: 'OK' },
  { at: 2, cmd: holdSeats('c1', 'ann', ['MAIN-1-1', 'MAIN-1-2'], card('H1')), expect: 'OK' },
  { at: 2, cmd: holdBest('s1', 'bob', 2, subs('S1')), expect: 'OK' },
  { at: 2, cmd: holdGa('c2', 'cat', 'FLOOR', 2, card('H2')), expect: 'OK' },
  { at: 3, cmd: confirm('c1', 'ann', id('k6')), expect: 'OK' },
  { at: 3, cmd: confirm('s1', 'bob', id('k7')), expect: 'OK' },
  { at: 3, cmd: confirm('c2', 'cat', id('k8')), expect: 'OK' },
  { at: 4, cmd: returnQuota('gone.alloc', id('k8b')), expect: 'OK' },
  { at: 4, cmd: unlinkProduct('gone', id('k9')), expect: 'OK' },
  { at: 4, cmd: unlinkProduct('card', id('k10')), expect: 'PRODUCT_HAS_SALES' },
  { at: OPEN, cmd: holdSeats('w1', 'dan', ['MAIN-2-1']), expect: 'OK' },
  { at: OPEN, cmd: confirm('w1', 'dan', id('k11')), expect: 'OK' },
  { at: OPEN + 1, cmd: listResale('L1', 'P1-T0', 'ann', 5500, id('k12')), expect: 'OK' },
  { at: OPEN + 1, cmd: listResale('L2', 'P1-T1', 'ann', 5000, id('k13')), expect: 'OK' },
  { at: OPEN + 1, cmd: listResale('L3', 'P1-T4', 'cat', 2000, id('k14')), expect: 'OK' },
  { at: OPEN + 2, cmd: withdrawResale('L2', 'ann', id('k15')), expect: 'OK' },
  { at: OPEN + 3, cmd: buyResale('L1', 'eve', { ...id('k16'), buyerEmail: 'eve@example.org' }), expect: 'OK' },
  { at: OPEN + 3, cmd: buyResale('L3', 'fay', id('k17')), expect: 'OK' },
  { at: OPEN + 4, cmd: scanHolding('H1', id('k18')), expect: 'OK' },
  { at: OPEN + 4, cmd: scanHolding('S1', id('k19')), expect: 'OK' },
  { at: OPEN + 4, cmd: scan('P1-T7', id('k20')), expect: 'OK' },
  { at: OPEN + 5, cmd: voidTicket('P1-T8', id('k21')), expect: 'OK', why: 'fay\'s resale purchase: the sale L3 refunded' },
  { at: OPEN + 5, cmd: listResale('L4', 'P1-T5', 'cat', 2250, id('k22')), expect: 'OK', why: 'an open listing at the end' },
  { at: OPEN + 5, cmd: holdSeats('c3', 'gus', ['MAIN-1-3'], card('H3')), expect: 'OK', why: 'an open product hold at the end' },
  { at: OPEN + 6, cmd: holdSeats('s2', 'hal', ['BALC-1-6'], subs('S2')), expect: 'OK' },
  { at: OPEN + 6, cmd: release('s2', 'hal', id('k23')), expect: 'OK' },
  { at: OPEN + 6, cmd: buyResale('L1', 'eve', { ...id('k16'), buyerEmail: 'eve@example.org' }), expect: 'OK', why: 'a retry' },
  { at: OPEN + 6, cmd: buyResale('L2', 'eve', id('k16')), expect: 'COMMAND_ID_REUSED' },
];

function fresh(): PerformanceState {
  return newPerformance(productSpec);
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

describe('snapshot - products and resale', () => {
  it('the journal runs as a table, audited after every line', () => {
    const state = fresh();
    play(state, journal);
    expect([state.products.size, state.listings.size, state.openListings.size, state.resales.length, state.holds.size]).toEqual([2, 4, 1, 2, 1]);
    expect(state.resales.map((r) => [r.listingId, r.refundedAtMs])).toEqual([['L1', null], ['L3', OPEN + 5]]);
  });

  it('encode -> decode -> encode gives the same bytes and a sound state, at every point of the journal', () => {
    expectRoundTrips(journal, fresh, hall, (decoded, state, k) => {
      // The derived indexes are rebuilt, not stored.
      expect([...decoded.holdingTickets], `after ${k} lines`).toEqual([...state.holdingTickets]);
      expect([...decoded.openListings.keys()], `after ${k} lines`).toEqual([...state.openListings.keys()]);
      expect([...decoded.products.values()], `after ${k} lines`).toEqual([...state.products.values()]);
    });
  });

  it('replaying the rest on a decoded snapshot gives the results and the bytes of the full run', () => {
    expectResumes(journal, fresh, hall);
  });

  it('every accepted command of the journal changes the state hash; a retry does not', () => {
    const state = fresh();
    const seen = new Set<string>();
    for (const line of journal) {
      const cmd = line.cmd as Command;
      const before = stateHash(state);
      const result = execute(state, cmd, line.at);
      const retry = seen.has(cmd.commandId);
      seen.add(cmd.commandId);
      if (result.ok && !retry) expect(stateHash(state), JSON.stringify(cmd)).not.toBe(before);
      if (retry) expect(stateHash(state), JSON.stringify(cmd)).toBe(before);
    }
  });
});

describe('snapshot - versions', () => {
  const packr = new Packr({ useRecords: false, mapsAsObjects: true });

  /** A version 3 snapshot of a state without products, written as version 2 wrote it. */
  function asVersion2(bytes: Uint8Array): Uint8Array {
    const snap = packr.unpack(bytes) as Record<string, unknown>;
    snap.v = 2;
    snap.holds = (snap.holds as unknown[][]).map((h) => h.slice(0, 13));
    snap.orders = (snap.orders as unknown[][]).map((o) => o.slice(0, 10));
    snap.quotas = (snap.quotas as (unknown[] | null)[]).map((q) => q && q.slice(0, 6));
    delete snap.products;
    delete snap.listings;
    delete snap.resales;
    snap.dedupe = memoAsTuples(snap.dedupe as Record<string, never>);
    return packr.pack(snap);
  }

  /** Version 5's dedupe columns as version 4 wrote them: a string (or null) per entry for the id and each of a, b, c. */
  function memoAsV4Columns(d: Record<string, never>): Record<string, unknown> {
    const units = new Uint16Array(new Uint8Array(d.units as Uint8Array).buffer);
    const lengths = new Uint16Array(new Uint8Array(d.lengths as Uint8Array).buffer);
    const n = (d.kinds as Uint8Array).length;
    const columns: (string | null)[][] = [[], [], [], []];
    let at = 0;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < 4; k++) {
        const length = lengths[4 * i + k];
        if (length === 0xffff) columns[k].push(null);
        else {
          columns[k].push(String.fromCharCode(...units.subarray(at, at + length)));
          at += length;
        }
      }
    }
    const [ids, a, b, c] = columns as unknown[][];
    for (const [i, command, result] of d.objects as [number, unknown, unknown][]) {
      a[i] = command;
      b[i] = result;
    }
    const { units: _units, lengths: _lengths, objects: _objects, ...numbers } = d;
    return { ...numbers, ids, a, b, c };
  }

  /** Dedupe columns (version 5, or 4) as the tuples of versions 2 and 3 (no CONFIRM entries: those came with version 4). */
  function memoAsTuples(v5: Record<string, never>): unknown[][][] {
    const d = memoAsV4Columns(v5) as Record<string, never>;
    const ids = d.ids as string[];
    const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
    const kinds = d.kinds as Uint8Array;
    const bytes = d.bytes as Uint8Array;
    let seat = 0;
    const tuples = ids.map((id, i) => {
      const kind = kinds[i];
      expect(kind).not.toBe(4);
      const fate = (d.fates as Uint8Array)[i];
      if (kind === 0 || kind === 3) return [id, kind, fate, (d.a as unknown[])[i], (d.b as unknown[])[i]];
      const seats: number[] = [];
      for (let k = 0; k < bytes[i * 5 + 1]; k++) seats.push(view(d.seats).getInt32(4 * seat++, true));
      return [id, kind, fate, (d.a as unknown[])[i], view(d.expiresAtMs).getFloat64(8 * i, true), bytes[i * 5], bytes[i * 5 + 2], bytes[i * 5 + 3], seats];
    });
    return [tuples.slice(0, d.oldSize as number), tuples.slice(d.oldSize as number)];
  }

  it('reads a version 2 snapshot (from before products) as the same state', () => {
    const state = newPerformance();
    play(state, [
      { at: 0, cmd: createQuota('club', ['box'], 'quotaFirst', { seats: ['BALC-1-1', 'BALC-1-2'] }), expect: 'OK' },
      { at: 1, cmd: holdSeats('b1', 'ann', ['BALC-1-1'], { channel: 'box' }), expect: 'OK' },
      { at: 2, cmd: confirm('b1', 'ann', { buyerEmail: 'ann@example.org' }), expect: 'OK' },
      { at: 3, cmd: holdGa('b2', 'bob', 'FLOOR', 2, { channel: 'box' }), expect: 'OK' },
    ]);
    const bytes = encodeSnapshot(state);
    const old = asVersion2(bytes);
    expect(same(old, bytes)).toBe(false);
    const decoded = decodeSnapshot(old, hall);
    expect(auditPerformance(decoded)).toEqual([]);
    expect(same(encodeSnapshot(decoded), bytes)).toBe(true);
    expect(decoded.orders.get(0)).toMatchObject({ productId: null, holdingId: null, resaleOf: null, basePriceMinor: null });
  });

  it('reads a version 4 snapshot (strings one per entry) as the same state, retries answered alike', () => {
    const state = fresh();
    play(state, journal);
    const bytes = encodeSnapshot(state);
    const snap = packr.unpack(bytes) as Record<string, unknown>;
    const v4 = packr.pack({ ...snap, v: 4, dedupe: memoAsV4Columns(snap.dedupe as Record<string, never>) });
    const decoded = decodeSnapshot(v4, hall);
    expect(auditPerformance(decoded)).toEqual([]);
    expect(same(encodeSnapshot(decoded), bytes)).toBe(true);
    // Every remembered command answers its retry as the state it was snapshotted from does.
    const fromV5 = decodeSnapshot(bytes, hall);
    for (const line of journal) {
      expect(execute(decoded, line.cmd as Command, OPEN + 10), JSON.stringify(line.cmd)).toEqual(execute(fromV5, line.cmd as Command, OPEN + 10));
    }
  });

  it('reads a sale whose buyer\'s ticket is void, written before refunds were recorded, as refunded at the snapshot\'s time', () => {
    const state = fresh();
    play(state, journal);
    const bytes = encodeSnapshot(state);
    const snap = packr.unpack(bytes) as Record<string, unknown>;
    const resales = snap.resales as unknown[][];
    expect(resales.map((r) => r.length)).toEqual([12, 13]);
    const old = packr.pack({ ...snap, resales: resales.map((r) => r.slice(0, 12)) });
    const decoded = decodeSnapshot(old, hall);
    expect(auditPerformance(decoded)).toEqual([]);
    expect(decoded.resales.map((r) => r.refundedAtMs)).toEqual([null, state.lastNowMs]);
    expect(same(encodeSnapshot(decodeSnapshot(encodeSnapshot(decoded), hall)), encodeSnapshot(decoded))).toBe(true);
  });

  it('refuses versions it does not know', () => {
    const bytes = encodeSnapshot(newPerformance());
    for (const v of [1, 6]) {
      const snap = packr.unpack(bytes) as Record<string, unknown>;
      snap.v = v;
      expect(() => decodeSnapshot(packr.pack(snap), hall)).toThrow(/version/);
    }
  });
});
