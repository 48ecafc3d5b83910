// compileLayout as a table: each line is a layout with one thing wrong, the code it must get,
// and the field it must name. Then the venue generators and the compiled form's invariants.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Code, type CodeName } from '../src/domain/codes.ts';
import { compileLayout, fnv1a, SeatFlagBit, type Layout, type LayoutJson } from '../src/domain/layout.ts';
import { limits } from '../src/domain/limits.ts';
import { clubLayout, stadiumLayout, theatreLayout } from '../src/domain/venues.ts';

/** A small valid layout: two zones, two sections (rows 1-2 and 1), and one GA area. */
function base(): LayoutJson {
  return {
    layoutId: 'hall-1',
    name: 'Hall',
    zones: [{ id: 'A' }, { id: 'B' }],
    sections: [
      { id: 'S1', rows: [
        { id: '1', seats: [{ id: 'S1-1-1', zone: 'A', flags: ['accessible'] }, { id: 'S1-1-2', zone: 'A', flags: ['companion'] }] },
        { id: '2', seats: [{ id: 'S1-2-1', zone: 'B' }] },
      ] },
      { id: 'S2', rows: [{ id: '1', seats: [{ id: 'S2-1-1', zone: 'B', flags: ['restrictedView', 'accessible'] }] }] },
    ],
    gaAreas: [{ id: 'FLOOR', capacity: 100, zone: 'B' }],
  };
}

/** The base layout after an edit; the edit works on a loose copy so it can break any type. */
function edited(edit: (json: any) => void): unknown { // eslint-disable-line @typescript-eslint/no-explicit-any
  const json = structuredClone(base());
  edit(json);
  return json;
}

function compiled(input: unknown): Layout {
  const result = compileLayout(input);
  if (!result.ok) throw new Error(`expected a layout, got ${result.name} at ${result.field}: ${result.message}`);
  return result.layout;
}

function times<T>(n: number, make: (i: number) => T): T[] {
  return Array.from({ length: n }, (_, i) => make(i));
}

type Case = [what: string, input: () => unknown, code: Exclude<CodeName, 'OK'>, field: string];

const rejections: Case[] = [
  // LAYOUT_INVALID: the document's shape.
  ['null', () => null, 'LAYOUT_INVALID', ''],
  ['an array', () => [base()], 'LAYOUT_INVALID', ''],
  ['a string', () => JSON.stringify(base()), 'LAYOUT_INVALID', ''],
  ['no layoutId', () => edited((j) => { delete j.layoutId; }), 'LAYOUT_INVALID', 'layoutId'],
  ['a numeric layoutId', () => edited((j) => { j.layoutId = 7; }), 'LAYOUT_INVALID', 'layoutId'],
  ['a layoutId with a space', () => edited((j) => { j.layoutId = 'hall 1'; }), 'LAYOUT_INVALID', 'layoutId'],
  ['a layoutId starting with a dash', () => edited((j) => { j.layoutId = '-hall'; }), 'LAYOUT_INVALID', 'layoutId'],
  ['a layoutId one character too long', () => edited((j) => { j.layoutId = 'x'.repeat(limits.idLengthMax + 1); }), 'LAYOUT_INVALID', 'layoutId'],
  ['no zones', () => edited((j) => { delete j.zones; }), 'LAYOUT_INVALID', 'zones'],
  ['empty zones', () => edited((j) => { j.zones = []; }), 'LAYOUT_INVALID', 'zones'],
  ['a zone that is not an object', () => edited((j) => { j.zones[1] = 'B'; }), 'LAYOUT_INVALID', 'zones[1].id'],
  ['a zone with an empty id', () => edited((j) => { j.zones[1].id = ''; }), 'LAYOUT_INVALID', 'zones[1].id'],
  ['sections not an array', () => edited((j) => { j.sections = {}; }), 'LAYOUT_INVALID', 'sections'],
  ['gaAreas not an array', () => edited((j) => { j.gaAreas = 'FLOOR'; }), 'LAYOUT_INVALID', 'gaAreas'],
  // Session 30: null was taken for an empty list, and names were not checked at all.
  ['sections null', () => edited((j) => { j.sections = null; }), 'LAYOUT_INVALID', 'sections'],
  ['gaAreas null', () => edited((j) => { j.gaAreas = null; }), 'LAYOUT_INVALID', 'gaAreas'],
  ['a numeric layout name', () => edited((j) => { j.name = 7; }), 'LAYOUT_INVALID', 'name'],
  ['a zone name that is an object', () => edited((j) => { j.zones[1].name = { evil: true }; }), 'LAYOUT_INVALID', 'zones[1].name'],
  ['a section name over 200 characters', () => edited((j) => { j.sections[1].name = 'x'.repeat(201); }), 'LAYOUT_INVALID', 'sections[1].name'],
  ['a GA area name that is a number', () => edited((j) => { j.gaAreas[0].name = 5; }), 'LAYOUT_INVALID', 'gaAreas[0].name'],
  ['a document with no JSON text (a BigInt)', () => edited((j) => { j.extra = 10n; }), 'LAYOUT_INVALID', ''],
  ['a document with no JSON text (a cycle)', () => edited((j) => { j.self = j; }), 'LAYOUT_INVALID', ''],
  ['neither seats nor GA areas', () => edited((j) => { j.sections = []; delete j.gaAreas; }), 'LAYOUT_INVALID', 'sections'],
  ['a section without an id', () => edited((j) => { delete j.sections[1].id; }), 'LAYOUT_INVALID', 'sections[1].id'],
  ['a row with a bad id', () => edited((j) => { j.sections[0].rows[1].id = 'row/2'; }), 'LAYOUT_INVALID', 'sections[0].rows[1].id'],
  ['a seat that is not an object', () => edited((j) => { j.sections[0].rows[0].seats[1] = null; }), 'LAYOUT_INVALID', 'sections[0].rows[0].seats[1].id'],
  ['a seat with a bad id', () => edited((j) => { j.sections[0].rows[0].seats[1].id = 'ø1'; }), 'LAYOUT_INVALID', 'sections[0].rows[0].seats[1].id'],
  ['flags that are not an array', () => edited((j) => { j.sections[0].rows[0].seats[0].flags = 'accessible'; }), 'LAYOUT_INVALID', 'sections[0].rows[0].seats[0].flags'],
  ['an unknown flag', () => edited((j) => { j.sections[1].rows[0].seats[0].flags = ['accessible', 'vip']; }), 'LAYOUT_INVALID', 'sections[1].rows[0].seats[0].flags'],
  ['a GA area with a bad id', () => edited((j) => { j.gaAreas[0].id = 'the floor'; }), 'LAYOUT_INVALID', 'gaAreas[0].id'],
  ['a GA capacity of 0', () => edited((j) => { j.gaAreas[0].capacity = 0; }), 'LAYOUT_INVALID', 'gaAreas[0].capacity'],
  ['a fractional GA capacity', () => edited((j) => { j.gaAreas[0].capacity = 10.5; }), 'LAYOUT_INVALID', 'gaAreas[0].capacity'],
  ['a GA capacity given as a string', () => edited((j) => { j.gaAreas[0].capacity = '100'; }), 'LAYOUT_INVALID', 'gaAreas[0].capacity'],
  ['a missing GA capacity', () => edited((j) => { delete j.gaAreas[0].capacity; }), 'LAYOUT_INVALID', 'gaAreas[0].capacity'],
  ['a GA capacity over the bound', () => edited((j) => { j.gaAreas[0].capacity = limits.gaCapacityMax + 1; }), 'LAYOUT_INVALID', 'gaAreas[0].capacity'],

  // LAYOUT_DUPLICATE_ID: each id in its scope.
  ['a repeated zone', () => edited((j) => { j.zones[1].id = 'A'; }), 'LAYOUT_DUPLICATE_ID', 'zones[1].id'],
  ['a repeated section', () => edited((j) => { j.sections[1].id = 'S1'; }), 'LAYOUT_DUPLICATE_ID', 'sections[1].id'],
  ['a repeated row within a section', () => edited((j) => { j.sections[0].rows[1].id = '1'; }), 'LAYOUT_DUPLICATE_ID', 'sections[0].rows[1].id'],
  ['a repeated seat in one row', () => edited((j) => { j.sections[0].rows[0].seats[1].id = 'S1-1-1'; }), 'LAYOUT_DUPLICATE_ID', 'sections[0].rows[0].seats[1].id'],
  ['a repeated seat across sections', () => edited((j) => { j.sections[1].rows[0].seats[0].id = 'S1-2-1'; }), 'LAYOUT_DUPLICATE_ID', 'sections[1].rows[0].seats[0].id'],
  ['a repeated GA area', () => edited((j) => { j.gaAreas.push({ id: 'FLOOR', capacity: 5, zone: 'A' }); }), 'LAYOUT_DUPLICATE_ID', 'gaAreas[1].id'],
  ['a GA area named like a section', () => edited((j) => { j.gaAreas[0].id = 'S2'; }), 'LAYOUT_DUPLICATE_ID', 'gaAreas[0].id'],

  // LAYOUT_EMPTY_ROW and LAYOUT_EMPTY_SECTION.
  ['a row with no seats', () => edited((j) => { j.sections[0].rows[1].seats = []; }), 'LAYOUT_EMPTY_ROW', 'sections[0].rows[1].seats'],
  ['a row without a seats field', () => edited((j) => { delete j.sections[1].rows[0].seats; }), 'LAYOUT_EMPTY_ROW', 'sections[1].rows[0].seats'],
  ['a section with no rows', () => edited((j) => { j.sections[1].rows = []; }), 'LAYOUT_EMPTY_SECTION', 'sections[1].rows'],
  ['a section without a rows field', () => edited((j) => { delete j.sections[0].rows; }), 'LAYOUT_EMPTY_SECTION', 'sections[0].rows'],

  // LAYOUT_UNKNOWN_ZONE.
  ['a seat in an unknown zone', () => edited((j) => { j.sections[0].rows[1].seats[0].zone = 'C'; }), 'LAYOUT_UNKNOWN_ZONE', 'sections[0].rows[1].seats[0].zone'],
  ['a seat without a zone', () => edited((j) => { delete j.sections[1].rows[0].seats[0].zone; }), 'LAYOUT_UNKNOWN_ZONE', 'sections[1].rows[0].seats[0].zone'],
  ['a GA area in an unknown zone', () => edited((j) => { j.gaAreas[0].zone = 'a'; }), 'LAYOUT_UNKNOWN_ZONE', 'gaAreas[0].zone'],

  // LAYOUT_TOO_LARGE: one past each bound.
  ['too many zones', () => edited((j) => { j.zones = times(limits.zonesPerLayoutMax + 1, (i) => ({ id: i === 0 ? 'A' : `z${i}` })); }), 'LAYOUT_TOO_LARGE', 'zones'],
  ['too many sections', () => edited((j) => { j.sections = times(limits.sectionsPerLayoutMax + 1, (i) => ({ id: `s${i}`, rows: [{ id: '1', seats: [{ id: `s${i}-1`, zone: 'A' }] }] })); }), 'LAYOUT_TOO_LARGE', 'sections'],
  ['too many GA areas', () => edited((j) => { j.gaAreas = times(limits.gaAreasPerLayoutMax + 1, (i) => ({ id: `g${i}`, capacity: 1, zone: 'A' })); }), 'LAYOUT_TOO_LARGE', 'gaAreas'],
  ['too many rows in a section', () => edited((j) => { j.sections[1].rows = times(limits.rowsPerSectionMax + 1, (i) => ({ id: `${i}`, seats: [{ id: `r${i}`, zone: 'A' }] })); }), 'LAYOUT_TOO_LARGE', 'sections[1].rows'],
  ['too many seats in a row', () => edited((j) => { j.sections[0].rows[1].seats = times(limits.seatsPerRowMax + 1, (i) => ({ id: `x${i}`, zone: 'A' })); }), 'LAYOUT_TOO_LARGE', 'sections[0].rows[1].seats'],

  // The first failing check names the result: zones are checked before sections and GA areas.
  ['a bad zone and a bad seat', () => edited((j) => { j.zones[0].id = ''; j.sections[0].rows[0].seats = []; }), 'LAYOUT_INVALID', 'zones[0].id'],
  ['a bad section before a bad GA area', () => edited((j) => { j.sections[1].rows = []; j.gaAreas[0].zone = 'nope'; }), 'LAYOUT_EMPTY_SECTION', 'sections[1].rows'],
];

describe('layout', () => {
  it('layout - the base layout of these tests compiles', () => {
    const layout = compiled(base());
    expect(layout.seatCount).toBe(4);
    expect(layout.capacity).toBe(104);
  });

  it.each(rejections)('layout - rejects %s', (_what, input, name, field) => {
    const result = compileLayout(input());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect({ name: result.name, field: result.field }).toEqual({ name, field });
    expect(result.code).toBe(Code[name]);
    expect(result.message.length).toBeGreaterThan(0);
  });

  it('layout - rejects the seat one past the bound on seats in a layout', () => {
    // 500 rows of 500 seats fill the bound exactly; the first seat of the next section passes it.
    expect(limits.seatsPerLayoutMax).toBe(limits.rowsPerSectionMax * limits.seatsPerRowMax);
    const full = times(limits.rowsPerSectionMax, (r) => ({
      id: `${r}`,
      seats: times(limits.seatsPerRowMax, (k) => ({ id: `${r}.${k}`, zone: 'A' })),
    }));
    const json = { layoutId: 'huge', zones: [{ id: 'A' }], sections: [{ id: 'S1', rows: full }, { id: 'S2', rows: [{ id: '1', seats: [{ id: 'last', zone: 'A' }] }] }] };
    const result = compileLayout(json);
    expect(result.ok ? 'ok' : [result.name, result.field]).toEqual(['LAYOUT_TOO_LARGE', 'sections[1].rows[0].seats[0]']);
    json.sections.pop();
    expect(compiled(json).seatCount).toBe(limits.seatsPerLayoutMax);
  });

  // Flags are looked up as own keys: a name inherited from Object.prototype is not a flag.
  it('layout - rejects inherited property names as flags', () => {
    for (const flag of ['toString', 'constructor', '__proto__']) {
      const result = compileLayout(edited((j) => { j.sections[0].rows[0].seats[0].flags = [flag]; }));
      expect(result.ok ? 'ok' : [result.name, result.field]).toEqual(['LAYOUT_INVALID', 'sections[0].rows[0].seats[0].flags']);
    }
  });

  it('layout - accepts every bound exactly', () => {
    const at = (edit: (json: any) => void) => compileLayout(edited(edit)).ok; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(at((j) => { j.layoutId = 'x'.repeat(limits.idLengthMax); })).toBe(true);
    expect(at((j) => { j.layoutId = 'a_b.c:d-E9'; })).toBe(true);
    expect(at((j) => { j.zones = times(limits.zonesPerLayoutMax, (i) => ({ id: i < 2 ? 'AB'[i] : `z${i}` })); })).toBe(true);
    expect(at((j) => { j.gaAreas = times(limits.gaAreasPerLayoutMax, (i) => ({ id: `g${i}`, capacity: 1, zone: 'A' })); })).toBe(true);
    expect(at((j) => { j.gaAreas[0].capacity = limits.gaCapacityMax; })).toBe(true);
    expect(at((j) => { j.sections[0].rows[1].seats = times(limits.seatsPerRowMax, (i) => ({ id: `x${i}`, zone: 'A' })); })).toBe(true);
    expect(at((j) => { j.sections[1].rows = times(limits.rowsPerSectionMax, (i) => ({ id: `${i}`, seats: [{ id: `r${i}`, zone: 'A' }] })); })).toBe(true);
    // Row ids are scoped to their section; seats-only and GA-only layouts are both fine.
    expect(at((j) => { j.sections[1].rows[0].id = '2'; })).toBe(true);
    expect(at((j) => { delete j.gaAreas; })).toBe(true);
    expect(at((j) => { delete j.sections; })).toBe(true);
  });

  it('layout - compiles zones, flags, rows and GA areas into indexes', () => {
    const layout = compiled(base());
    expect(layout.name).toBe('Hall');
    expect(layout.zoneIds).toEqual(['A', 'B']);
    expect(layout.sectionIds).toEqual(['S1', 'S2']);
    expect(layout.rowIds).toEqual(['1', '2', '1']);
    expect(layout.seatIds).toEqual(['S1-1-1', 'S1-1-2', 'S1-2-1', 'S2-1-1']);
    expect([...layout.seatZone]).toEqual([0, 0, 1, 1]);
    expect([...layout.seatFlags]).toEqual([SeatFlagBit.accessible, SeatFlagBit.companion, 0, SeatFlagBit.restrictedView | SeatFlagBit.accessible]);
    expect([...layout.seatRow]).toEqual([0, 0, 1, 2]);
    expect([...layout.rowStart]).toEqual([0, 2, 3, 4]);
    expect([...layout.rowSection]).toEqual([0, 0, 1]);
    expect([...layout.sectionRowStart]).toEqual([0, 2, 3]);
    expect(layout.seatIndexById.get('S2-1-1')).toBe(3);
    expect(layout.gaAreas).toEqual([{ id: 'FLOOR', name: 'FLOOR', capacity: 100, zone: 1 }]);
    expect(layout.gaIndexById.get('FLOOR')).toBe(0);
    expect(compiled(edited((j) => { delete j.name; })).name).toBe('hall-1');
  });
});

describe('layout docs', () => {
  it('layout docs - the example in LAYOUT.md compiles to what the page says', () => {
    const page = readFileSync(new URL('../docs/LAYOUT.md', import.meta.url), 'utf8');
    const example = /```json\n([\s\S]*?)\n```/.exec(page);
    expect(example).not.toBeNull();
    const layout = compiled(JSON.parse((example as RegExpExecArray)[1]));
    expect(page).toContain(`It compiles to ${layout.seatCount} seats, ${layout.rowIds.length} rows, ${layout.sectionIds.length} sections, ${layout.gaAreas.length} GA area, and a capacity of ${layout.capacity}.`);
    expectConsistent(layout);
  });
});

/** The index arrays agree with each other: each seat lies in its row's range, each row in its section's. */
function expectConsistent(layout: Layout): void {
  const rows = layout.rowIds.length;
  const sections = layout.sectionIds.length;
  expect(layout.rowStart.length).toBe(rows + 1);
  expect(layout.sectionRowStart.length).toBe(sections + 1);
  expect(layout.rowStart[0]).toBe(0);
  expect(layout.rowStart[rows]).toBe(layout.seatCount);
  expect(layout.sectionRowStart[0]).toBe(0);
  expect(layout.sectionRowStart[sections]).toBe(rows);
  expect(layout.seatIds.length).toBe(layout.seatCount);
  expect(layout.seatZone.length).toBe(layout.seatCount);
  expect(layout.seatFlags.length).toBe(layout.seatCount);
  expect(layout.seatRow.length).toBe(layout.seatCount);
  const problems: string[] = [];
  for (let s = 0; s < sections; s++) {
    if (layout.sectionRowStart[s + 1] <= layout.sectionRowStart[s]) problems.push(`section ${s} has no rows`);
    for (let r = layout.sectionRowStart[s]; r < layout.sectionRowStart[s + 1]; r++) {
      if (layout.rowSection[r] !== s) problems.push(`row ${r} is in section ${layout.rowSection[r]}, not ${s}`);
      if (layout.rowStart[r + 1] <= layout.rowStart[r]) problems.push(`row ${r} has no seats`);
      for (let seat = layout.rowStart[r]; seat < layout.rowStart[r + 1]; seat++) {
        if (layout.seatRow[seat] !== r) problems.push(`seat ${seat} says row ${layout.seatRow[seat]}, not ${r}`);
        if (layout.seatIndexById.get(layout.seatIds[seat]) !== seat) problems.push(`seat ${seat} is not found by its id`);
      }
    }
    if (layout.sectionIndexById.get(layout.sectionIds[s]) !== s) problems.push(`section ${s} is not found by its id`);
  }
  expect(problems.slice(0, 5)).toEqual([]);
  const gaCapacity = layout.gaAreas.reduce((sum, area) => sum + area.capacity, 0);
  expect(layout.capacity).toBe(layout.seatCount + gaCapacity);
}

function countWhere(array: Uint8Array, test: (value: number) => boolean): number {
  let n = 0;
  for (const value of array) if (test(value)) n++;
  return n;
}

/** Seat ids from the generators are `${section}-${row}-${n}`: the compiled indexes must agree. */
function expectIdsMatchIndexes(layout: Layout): void {
  const wrong: string[] = [];
  for (let seat = 0; seat < layout.seatCount; seat++) {
    const row = layout.seatRow[seat];
    const prefix = `${layout.sectionIds[layout.rowSection[row]]}-${layout.rowIds[row]}-`;
    if (!layout.seatIds[seat].startsWith(prefix)) wrong.push(`${layout.seatIds[seat]} is indexed under ${prefix}`);
  }
  expect(wrong.slice(0, 5)).toEqual([]);
}

describe('venues', () => {
  const stadium = compiled(stadiumLayout());
  const theatre = compiled(theatreLayout());
  const club = compiled(clubLayout());
  const accessible = (v: number) => (v & SeatFlagBit.accessible) !== 0;
  const companion = (v: number) => (v & SeatFlagBit.companion) !== 0;
  const restricted = (v: number) => (v & SeatFlagBit.restrictedView) !== 0;

  it('venues - the stadium has 60,000 seats in 40 sections', () => {
    expect(stadium.seatCount).toBe(60_000);
    expect(stadium.capacity).toBe(60_000);
    expect(stadium.sectionIds.length).toBe(40);
    expect(stadium.rowIds.length).toBe(40 * 50);
    expect(stadium.gaAreas).toEqual([]);
    expect(stadium.sectionIds[0]).toBe('S101');
    expect(stadium.sectionIds[39]).toBe('S140');
    expectConsistent(stadium);
    expectIdsMatchIndexes(stadium);
  });

  it('venues - the stadium has its zones and seat flags', () => {
    const perZone = stadium.zoneIds.map((_, z) => countWhere(stadium.seatZone, (v) => v === z));
    expect(stadium.zoneIds).toEqual(['A', 'B', 'C', 'D']);
    expect(perZone).toEqual([12_000, 18_000, 15_000, 15_000]);
    expect(countWhere(stadium.seatFlags, accessible)).toBe(80);
    expect(countWhere(stadium.seatFlags, companion)).toBe(80);
    expect(countWhere(stadium.seatFlags, restricted)).toBe(20 * 30);
    // Wheelchair places are in each section's front row.
    for (let seat = 0; seat < stadium.seatCount; seat++) {
      if (accessible(stadium.seatFlags[seat])) expect(stadium.rowIds[stadium.seatRow[seat]]).toBe('1');
    }
    expect(stadium.seatFlags[stadium.seatIndexById.get('S101-1-1') as number]).toBe(SeatFlagBit.accessible);
  });

  it('venues - the theatre has 900 seats', () => {
    expect(theatre.seatCount).toBe(900);
    expect(theatre.capacity).toBe(900);
    expect(theatre.sectionIds).toEqual(['STALLS', 'CIRCLE']);
    expect(theatre.rowIds.length).toBe(30);
    expect(countWhere(theatre.seatZone, (v) => v === theatre.zoneIndexById.get('P1'))).toBe(200);
    expect(countWhere(theatre.seatFlags, accessible)).toBeGreaterThan(0);
    expectConsistent(theatre);
    expectIdsMatchIndexes(theatre);
  });

  it('venues - the club has 1,500 GA places and no seats', () => {
    expect(club.seatCount).toBe(0);
    expect(club.capacity).toBe(1_500);
    expect(club.gaAreas.map((a) => [a.id, a.capacity])).toEqual([['FLOOR', 1_200], ['BALCONY', 300]]);
    expect(club.gaAreas[1].zone).toBe(club.zoneIndexById.get('BAL'));
    expect([...club.rowStart]).toEqual([0]);
    expect([...club.sectionRowStart]).toEqual([0]);
    expectConsistent(club);
  });
});

describe('layout hash', () => {
  it('layout hash - is 32-bit FNV-1a', () => {
    expect(fnv1a('')).toBe('811c9dc5');
    expect(fnv1a('a')).toBe('e40c292c');
    expect(fnv1a('foobar')).toBe('bf9cf968');
  });

  it('layout hash - is stable for the same JSON', () => {
    const first = compiled(stadiumLayout()).hash;
    expect(first).toMatch(/^[0-9a-f]{8}$/);
    expect(compiled(stadiumLayout()).hash).toBe(first);
    expect(compiled(JSON.parse(JSON.stringify(stadiumLayout()))).hash).toBe(first);
    expect(compiled(base()).hash).toBe(compiled(base()).hash);
  });

  it('layout hash - differs when a seat changes zone', () => {
    const json = theatreLayout();
    const before = compiled(json).hash;
    const seat = json.sections?.[1].rows[9].seats[29];
    expect(seat?.zone).toBe('P3');
    if (seat !== undefined) seat.zone = 'P2';
    expect(compiled(json).hash).not.toBe(before);
  });

  it('layout hash - differs between venues', () => {
    const hashes = [stadiumLayout(), theatreLayout(), clubLayout(), base()].map((json) => compiled(json).hash);
    expect(new Set(hashes).size).toBe(hashes.length);
  });
});
