// The command memory's storage (memo.ts, char-ring.ts) on its own: ids and strings kept as
// UTF-16 units in a ring that wraps and grows, objects kept by sequence number, everything
// forgotten a generation at a time (the first one shorter by a stagger, each one told to a
// listener as it goes), and the snapshot columns read back into the same memory.
import { describe, expect, it } from 'vitest';
import { CharRing } from '../src/domain/char-ring.ts';
import { hashId, hashUnits } from '../src/domain/idindex.ts';
import { ClosedFates } from '../src/domain/closed-fates.ts';
import { CommandMemo, EntryKind, Fate, type DropListener } from '../src/domain/memo.ts';

describe('domain - char ring', () => {
  it('reads back what it appended across wraps and growth, and lets go of the oldest', () => {
    const ring = new CharRing();
    const kept: [number, string][] = [];
    for (let i = 0; i < 5_000; i++) {
      // Ids of varied lengths, some beyond Latin-1.
      const text = `id-${i}-${'x'.repeat(i % 37)}${i % 11 === 0 ? 'é€' : ''}`;
      kept.push([ring.append(text), text]);
      // Keep about the last 300 strings live, so the ring wraps many times before it grows.
      if (kept.length > 300) {
        kept.shift();
        ring.releaseBefore(kept[0][0]);
      }
      if (i % 97 === 0) for (const [at, t] of kept) expect(ring.read(at, t.length)).toBe(t);
    }
    for (const [at, t] of kept) {
      expect(ring.equals(at, t.length, t)).toBe(true);
      expect(ring.equals(at, t.length, `${t.slice(0, -1)}?`)).toBe(false);
    }
    const live = ring.copyLive();
    expect(String.fromCharCode(...live)).toBe(kept.map(([, t]) => t).join(''));
    expect(hashUnits(live, 0, kept[0][1].length)).toBe(hashId(kept[0][1]));
  });
  it('grows a live run that wraps in neither ring into one that wraps in the new one', () => {
    // 1,024 units; 900 live from position 1,900 to 2,800: in the old ring the run is 876..1,024
    // then 0..752; in a ring of 2,048 it is 1,900..2,048 then 0..752.
    const ring = new CharRing();
    const kept: [number, string][] = [];
    for (let i = 0; ring.next < 2_800; i++) {
      const text = `z${String(i).padStart(8, '0')}`;
      kept.push([ring.append(text), text]);
      while (ring.next - kept[0][0] > 900) kept.shift();
      ring.releaseBefore(kept[0][0]);
    }
    expect(kept[0][0] % 2_048).toBeGreaterThan(2_048 - 900);
    ring.reserve(2_048);
    for (const [at, t] of kept) expect(ring.read(at, t.length)).toBe(t);
    expect(String.fromCharCode(...ring.copyLive())).toBe(kept.map(([, t]) => t).join(''));
  });

  it('keeps every live string where it was when room is reserved while the live run wraps', () => {
    const ring = new CharRing();
    const kept: [number, string][] = [];
    for (let i = 0; i < 2_000; i++) {
      const text = `r${i}-${'y'.repeat(i % 23)}`;
      kept.push([ring.append(text), text]);
      if (kept.length > 40) {
        kept.shift();
        ring.releaseBefore(kept[0][0]);
      }
      // Reserve at odd moments, so that some reservations find the live run in two pieces.
      if (i % 331 === 0) ring.reserve(1_024 * (2 + (i % 5)));
      if (i % 53 === 0) for (const [at, t] of kept) expect(ring.read(at, t.length)).toBe(t);
    }
    expect(String.fromCharCode(...ring.copyLive())).toBe(kept.map(([, t]) => t).join(''));
  });
});

describe('domain - command memory', () => {
  it('finds what it keeps, forgets a generation at a time, and keeps objects by entry', () => {
    const capacity = 64;
    const memo = new CommandMemo(capacity);
    const ids: string[] = [];
    for (let i = 0; i < 1_000; i++) {
      const id = `c${i}`;
      const at = memo.push(id, hashId(id));
      if (i % 3 === 0) {
        memo.kinds[at] = EntryKind.OBJECTS;
        memo.setObjects(at, { commandId: id }, { ok: true, n: i });
      } else {
        memo.kinds[at] = EntryKind.RELEASE;
        memo.setStrings(at, `buyer-${i}`, `hold-${i}`);
      }
      ids.push(id);
      expect(memo.size).toBeLessThanOrEqual(capacity);
      if (i % 50 !== 49) continue;
      // Every remembered id is found at a place that gives back its strings or objects; the forgotten are not found.
      const kept = new Set<string>();
      for (const place of memo.places()) {
        const id2 = memo.idOf(place);
        kept.add(id2);
        expect(memo.find(id2, hashId(id2))).toBe(place);
        const n = Number(id2.slice(1));
        if (n % 3 === 0) expect(memo.objectsOf(place)).toEqual([{ commandId: id2 }, { ok: true, n }]);
        else expect([memo.stringOf(place, 1), memo.stringOf(place, 2), memo.stringOf(place, 3)]).toEqual([`buyer-${n}`, `hold-${n}`, null]);
      }
      expect(kept.size).toBe(memo.size);
      expect(memo.size).toBeGreaterThanOrEqual(capacity / 2);
      for (const old of ids.slice(0, ids.length - memo.size)) expect(memo.find(old, hashId(old))).toBe(-1);
    }
  });

  it('keeps the same entries whether its columns grow straight to the expected size or double, with objects only from the first OBJECTS entry on', () => {
    const capacity = 2_048;
    const grown = new CommandMemo(capacity);
    const presized = new CommandMemo(capacity, capacity);
    const fill = (memo: CommandMemo, from: number, to: number, objectsFrom: number) => {
      for (let i = from; i < to; i++) {
        const id = `e${i}`;
        const at = memo.push(id, hashId(id));
        if (i >= objectsFrom && i % 7 === 0) {
          memo.kinds[at] = EntryKind.OBJECTS;
          memo.setObjects(at, { commandId: id }, { ok: true, n: i });
        } else {
          memo.kinds[at] = EntryKind.RELEASE;
          memo.setStrings(at, `buyer-${i}`, `hold-${i}`);
        }
      }
    };
    const view = (memo: CommandMemo) => ({ strings: memo.stringColumns(), objects: memo.objectColumns(), kinds: memo.inOrder(memo.kinds, 1), size: memo.size, oldSize: memo.oldSize });
    // Compact entries only: no objects anywhere, answers alike.
    fill(grown, 0, 1_500, Infinity);
    fill(presized, 0, 1_500, Infinity);
    expect(view(presized)).toEqual(view(grown));
    expect(presized.objectsOf(presized.find('e7', hashId('e7')))).toEqual([null, null]);
    // Then OBJECTS entries, and on past the capacity (the old generation is dropped).
    fill(grown, 1_500, 5_000, 1_500);
    fill(presized, 1_500, 5_000, 1_500);
    expect(view(presized)).toEqual(view(grown));
    expect(view(grown).objects.length).toBeGreaterThan(0);
    for (const id of ['e4998', 'e4991', 'e3000', 'e0']) expect(presized.find(id, hashId(id)), id).toBe(grown.find(id, hashId(id)));
  });

  it('reads its own snapshot strings back into the same entries', () => {
    const memo = new CommandMemo(32);
    for (let i = 0; i < 100; i++) {
      const id = `k${i}`;
      const at = memo.push(id, hashId(id));
      memo.kinds[at] = EntryKind.CONFIRM;
      memo.setStrings(at, `b${i}`, i % 2 === 0 ? `h${i}` : null, i % 5 === 0 ? 'third' : null);
    }
    const { units, lengths } = memo.stringColumns();
    const copy = new CommandMemo(32);
    let unit = 0;
    for (let i = 0; i < memo.size; i++) {
      if (i === memo.oldSize) copy.startYoung();
      const [, taken] = copy.pushFromUnits(units, unit, lengths, i);
      unit += taken;
    }
    expect(unit).toBe(units.length);
    const read = (m: CommandMemo) => [...m.places()].map((at) => [m.idOf(at), m.stringOf(at, 1), m.stringOf(at, 2), m.stringOf(at, 3)]);
    expect(read(copy)).toEqual(read(memo));
    for (const [id] of read(memo)) expect(copy.find(id as string, hashId(id as string))).toBeGreaterThanOrEqual(0);
  });

  it('drops its first generation early by the stagger, tells a listener every id it lets go of, oldest first, and keeps each id for a full generation after it', () => {
    const capacity = 64;
    for (const stagger of [0, 5, 15, 1_000_003]) {
      const memo = new CommandMemo(capacity, 256, stagger);
      const firstMax = 32 - (stagger % 16);
      const told: string[] = [];
      const listener: DropListener = {
        dropped(m, firstSeq, endSeq) {
          for (let seq = firstSeq; seq < endSeq; seq++) {
            const units = new Uint16Array(m.idLengthOfSeq(seq));
            m.copyIdOfSeq(seq, units, 0);
            const id = String.fromCharCode(...units);
            expect(m.hashOfSeq(seq)).toBe(hashId(id));
            expect(m.idOfSeq(seq)).toBe(id);
            // Still found while the listener runs: its place is reused only after.
            expect(m.find(id, hashId(id))).toBeGreaterThanOrEqual(0);
            told.push(id);
          }
        },
      };
      memo.dropListener = listener;
      const ids: string[] = [];
      for (let i = 0; i < 500; i++) {
        const id = `s${stagger}-${i}`;
        memo.push(id, hashId(id));
        ids.push(id);
        // The first generation turns old at firstMax entries, every later one at 32.
        if (i + 1 === firstMax) expect(memo.oldSize).toBe(0);
        if (i + 1 === firstMax + 1) expect(memo.oldSize).toBe(firstMax);
        // Forgotten exactly what was told, in order; everything younger still found.
        expect(told).toEqual(ids.slice(0, told.length));
        for (const kept of ids.slice(told.length)) expect(memo.find(kept, hashId(kept)), kept).toBeGreaterThanOrEqual(0);
        for (const gone of told.slice(-3)) expect(memo.find(gone, hashId(gone))).toBe(-1);
        // An id goes only once a full generation of later ids has come.
        if (told.length > 0) expect(ids.length - told.length).toBeGreaterThanOrEqual(32);
      }
      expect(told.length).toBe(500 - memo.size);
    }
  });

  it('reads a snapshot back whole, however short its first generation would be, and staggers only the first', () => {
    // A snapshot's old generation may hold more entries than this memory's first generation
    // would (a snapshot written before the stagger): none is dropped while it is read.
    const source = new CommandMemo(64);
    for (let i = 0; i < 50; i++) source.push(`r${i}`, hashId(`r${i}`));
    expect(source.oldSize).toBe(32);
    const { units, lengths } = source.stringColumns();
    const copy = new CommandMemo(64, 256, 15);
    copy.reset();
    let unit = 0;
    for (let i = 0; i < source.size; i++) {
      if (i === source.oldSize) copy.startYoung();
      unit += copy.pushFromUnits(units, unit, lengths, i)[1];
    }
    copy.restored();
    expect([copy.size, copy.oldSize]).toEqual([50, 32]);
    for (let i = 0; i < 50; i++) expect(copy.find(`r${i}`, hashId(`r${i}`))).toBeGreaterThanOrEqual(0);
    // Its old generation is not empty: the next drop comes at a full generation, as in the source.
    for (let i = 50; i < 64; i++) {
      copy.push(`r${i}`, hashId(`r${i}`));
      source.push(`r${i}`, hashId(`r${i}`));
    }
    expect([copy.size, copy.oldSize]).toEqual([source.size, source.oldSize]);
    copy.push('r64', hashId('r64'));
    source.push('r64', hashId('r64'));
    expect([copy.size, copy.oldSize]).toEqual([source.size, source.oldSize]);
    expect(copy.find('r0', hashId('r0'))).toBe(-1);
  });
});

describe('domain - closed holds\' fates', () => {
  // Bucket of a hash: (hash >>> 2) & (buckets - 1); with 8 slots, two buckets of four.
  const inBucket0 = (k: number) => k * 8;
  it('keeps the last four holds of a bucket, first in first out, and matches on the whole hash', () => {
    const table = new ClosedFates(8);
    expect(table.fateOf(hashId('h1')), 'nothing allocated yet').toBe(Fate.NONE);
    expect(table.columns()).toBeNull();
    for (let k = 1; k <= 4; k++) table.note(inBucket0(k), Fate.EXPIRED);
    table.note(4, Fate.RELEASED);
    expect([1, 2, 3, 4].map((k) => table.fateOf(inBucket0(k)))).toEqual([Fate.EXPIRED, Fate.EXPIRED, Fate.EXPIRED, Fate.EXPIRED]);
    expect(table.fateOf(4), 'the other bucket').toBe(Fate.RELEASED);
    expect(table.fateOf(inBucket0(5)), 'same bucket, never noted').toBe(Fate.NONE);
    table.note(inBucket0(2), Fate.CONFIRMED);
    expect(table.fateOf(inBucket0(2)), 'noted again: changed in place').toBe(Fate.CONFIRMED);
    table.note(inBucket0(5), Fate.RELEASED);
    expect([1, 2, 3, 4, 5].map((k) => table.fateOf(inBucket0(k))), 'the oldest of the bucket goes').toEqual([Fate.NONE, Fate.CONFIRMED, Fate.EXPIRED, Fate.EXPIRED, Fate.RELEASED]);
    table.note(inBucket0(6), Fate.EXPIRED);
    expect(table.fateOf(inBucket0(2)), 'then the next oldest').toBe(Fate.NONE);

    // A copy from the columns answers the same and goes on the same.
    const copy = new ClosedFates(8);
    const c = table.columns()!;
    copy.restore({ hashes: c.hashes.slice(), fates: c.fates.slice(), next: c.next.slice() });
    table.note(inBucket0(7), Fate.EXPIRED);
    copy.note(inBucket0(7), Fate.EXPIRED);
    for (let k = 0; k <= 8; k++) expect(copy.fateOf(inBucket0(k)), `hash ${inBucket0(k)}`).toBe(table.fateOf(inBucket0(k)));
    expect(copy.columns()).toEqual(table.columns());
    expect(() => new ClosedFates(12)).toThrow(/power of two/);
    expect(() => copy.restore({ hashes: new Int32Array(16), fates: new Uint8Array(16), next: new Uint8Array(4) })).toThrow(/another size/);
  });
});
