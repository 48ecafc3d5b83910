// Venue layouts: the documented JSON format (engine/docs/LAYOUT.md), its validation and its
// compiled form. A compiled layout is immutable and shared by every performance in that venue,
// so its per-seat arrays cost memory once per venue, not once per performance.
import { reject, type Rejection } from './codes.ts';
import { limits } from './limits.ts';
import { shown } from './checks.ts';

export type SeatFlag = 'accessible' | 'companion' | 'restrictedView';

export interface SeatJson { id: string; zone: string; flags?: SeatFlag[] }
export interface RowJson { id: string; seats: SeatJson[] }
export interface SectionJson { id: string; name?: string; rows: RowJson[] }
export interface GaAreaJson { id: string; name?: string; capacity: number; zone: string }
export interface ZoneJson { id: string; name?: string }
export interface LayoutJson {
  layoutId: string;
  name?: string;
  zones: ZoneJson[];
  /**
   * Sections and rows are listed best first: best-available prefers them in this order. Seats
   * are listed in their physical order along the row (adjacency), and within a row the block
   * nearest the row's middle is preferred.
   */
  sections?: SectionJson[];
  gaAreas?: GaAreaJson[];
}

export const SeatFlagBit = { accessible: 1, companion: 2, restrictedView: 4 } as const;

export interface Layout {
  readonly layoutId: string;
  readonly name: string;
  /** FNV-1a of the layout JSON as given: a snapshot names the layout it was taken against. */
  readonly hash: string;
  readonly zoneIds: readonly string[];
  readonly zoneIndexById: ReadonlyMap<string, number>;
  readonly sectionIds: readonly string[];
  readonly sectionIndexById: ReadonlyMap<string, number>;
  /** rowStart[r] .. rowStart[r+1]-1 are the seat indexes of row r (rows numbered layout-wide). */
  readonly rowStart: Uint32Array;
  readonly rowSection: Uint16Array;
  readonly rowIds: readonly string[];
  /** sectionRowStart[s] .. sectionRowStart[s+1]-1 are the rows of section s. */
  readonly sectionRowStart: Uint32Array;
  readonly seatCount: number;
  readonly seatIds: readonly string[];
  readonly seatIndexById: ReadonlyMap<string, number>;
  readonly seatZone: Uint8Array;
  readonly seatFlags: Uint8Array;
  readonly seatRow: Uint32Array;
  readonly gaAreas: readonly { readonly id: string; readonly name: string; readonly capacity: number; readonly zone: number }[];
  readonly gaIndexById: ReadonlyMap<string, number>;
  /** Seats plus GA places: the number every invariant sums to. */
  readonly capacity: number;
}

export type LayoutResult = { ok: true; layout: Layout } | Rejection;

const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.:\-]*$/;

function badId(value: unknown): boolean {
  return typeof value !== 'string' || value.length === 0 || value.length > limits.idLengthMax || !idPattern.test(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const nameRule = `a display name is text of at most ${limits.displayNameLengthMax} characters`;

/** Whether a display name (optional) is given and is not text of at most displayNameLengthMax characters. */
function badName(name: unknown): boolean {
  return name !== undefined && (typeof name !== 'string' || name.length > limits.displayNameLengthMax);
}

/** Checks a layout in a fixed order and names the first offending field. */
export function compileLayout(input: unknown): LayoutResult {
  if (!isObject(input)) return reject('LAYOUT_INVALID', '', 'a layout is a JSON object');
  const json = input as unknown as LayoutJson;
  if (badId(json.layoutId)) return reject('LAYOUT_INVALID', 'layoutId', 'layoutId must be a short id (letters, digits, _ . : -)');
  if (badName(json.name)) return reject('LAYOUT_INVALID', 'name', nameRule);
  if (!Array.isArray(json.zones) || json.zones.length === 0) return reject('LAYOUT_INVALID', 'zones', 'at least one price zone is needed');
  if (json.zones.length > limits.zonesPerLayoutMax) return reject('LAYOUT_TOO_LARGE', 'zones', `at most ${limits.zonesPerLayoutMax} zones`);
  const zoneIndexById = new Map<string, number>();
  for (let z = 0; z < json.zones.length; z++) {
    const zone = json.zones[z];
    if (!isObject(zone) || badId(zone.id)) return reject('LAYOUT_INVALID', `zones[${z}].id`, 'a zone needs an id');
    if (zoneIndexById.has(zone.id)) return reject('LAYOUT_DUPLICATE_ID', `zones[${z}].id`, `zone id ${zone.id} appears twice`);
    if (badName(zone.name)) return reject('LAYOUT_INVALID', `zones[${z}].name`, nameRule);
    zoneIndexById.set(zone.id, z);
  }
  // Missing is empty; null is not a list (it was taken for an empty one until session 30).
  const sections = json.sections === undefined ? [] : json.sections;
  const gaAreasJson = json.gaAreas === undefined ? [] : json.gaAreas;
  if (!Array.isArray(sections)) return reject('LAYOUT_INVALID', 'sections', 'sections must be an array');
  if (!Array.isArray(gaAreasJson)) return reject('LAYOUT_INVALID', 'gaAreas', 'gaAreas must be an array');
  if (sections.length === 0 && gaAreasJson.length === 0) return reject('LAYOUT_INVALID', 'sections', 'a layout needs seats or general-admission areas');
  if (sections.length > limits.sectionsPerLayoutMax) return reject('LAYOUT_TOO_LARGE', 'sections', `at most ${limits.sectionsPerLayoutMax} sections`);
  if (gaAreasJson.length > limits.gaAreasPerLayoutMax) return reject('LAYOUT_TOO_LARGE', 'gaAreas', `at most ${limits.gaAreasPerLayoutMax} areas`);

  const sectionIndexById = new Map<string, number>();
  const seatIndexById = new Map<string, number>();
  const seatIds: string[] = [];
  const zones: number[] = [];
  const flags: number[] = [];
  const rows: number[] = [];
  const rowStart: number[] = [];
  const rowSection: number[] = [];
  const rowIds: string[] = [];
  const sectionRowStart: number[] = [];
  for (let s = 0; s < sections.length; s++) {
    const section = sections[s];
    const at = `sections[${s}]`;
    if (!isObject(section) || badId(section.id)) return reject('LAYOUT_INVALID', `${at}.id`, 'a section needs an id');
    if (sectionIndexById.has(section.id)) return reject('LAYOUT_DUPLICATE_ID', `${at}.id`, `section id ${section.id} appears twice`);
    if (badName(section.name)) return reject('LAYOUT_INVALID', `${at}.name`, nameRule);
    sectionIndexById.set(section.id, s);
    if (!Array.isArray(section.rows) || section.rows.length === 0) return reject('LAYOUT_EMPTY_SECTION', `${at}.rows`, `section ${section.id} has no rows`);
    if (section.rows.length > limits.rowsPerSectionMax) return reject('LAYOUT_TOO_LARGE', `${at}.rows`, `at most ${limits.rowsPerSectionMax} rows per section`);
    sectionRowStart.push(rowStart.length);
    const rowIdsInSection = new Set<string>();
    for (let r = 0; r < section.rows.length; r++) {
      const row = section.rows[r];
      const rowAt = `${at}.rows[${r}]`;
      if (!isObject(row) || badId(row.id)) return reject('LAYOUT_INVALID', `${rowAt}.id`, 'a row needs an id');
      if (rowIdsInSection.has(row.id)) return reject('LAYOUT_DUPLICATE_ID', `${rowAt}.id`, `row id ${row.id} appears twice in section ${section.id}`);
      rowIdsInSection.add(row.id);
      if (!Array.isArray(row.seats) || row.seats.length === 0) return reject('LAYOUT_EMPTY_ROW', `${rowAt}.seats`, `row ${row.id} of section ${section.id} has no seats`);
      if (row.seats.length > limits.seatsPerRowMax) return reject('LAYOUT_TOO_LARGE', `${rowAt}.seats`, `at most ${limits.seatsPerRowMax} seats per row`);
      const rowIndex = rowStart.length;
      rowStart.push(seatIds.length);
      rowSection.push(s);
      rowIds.push(row.id);
      for (let k = 0; k < row.seats.length; k++) {
        const seat = row.seats[k];
        const seatAt = `${rowAt}.seats[${k}]`;
        if (!isObject(seat) || badId(seat.id)) return reject('LAYOUT_INVALID', `${seatAt}.id`, 'a seat needs an id');
        if (seatIndexById.has(seat.id)) return reject('LAYOUT_DUPLICATE_ID', `${seatAt}.id`, `seat id ${seat.id} appears twice`);
        const zone = zoneIndexById.get(seat.zone);
        if (zone === undefined) return reject('LAYOUT_UNKNOWN_ZONE', `${seatAt}.zone`, `seat ${seat.id} names unknown zone ${shown(seat.zone)}`);
        let bits = 0;
        if (seat.flags !== undefined) {
          if (!Array.isArray(seat.flags)) return reject('LAYOUT_INVALID', `${seatAt}.flags`, 'flags must be an array');
          for (const flag of seat.flags) {
            // Own keys only: a plain lookup would accept 'toString' or '__proto__' as a flag.
            const bit = typeof flag === 'string' && Object.hasOwn(SeatFlagBit, flag) ? SeatFlagBit[flag as SeatFlag] : undefined;
            if (bit === undefined) return reject('LAYOUT_INVALID', `${seatAt}.flags`, `unknown seat flag ${shown(flag)}`);
            bits |= bit;
          }
        }
        if (seatIds.length >= limits.seatsPerLayoutMax) return reject('LAYOUT_TOO_LARGE', seatAt, `at most ${limits.seatsPerLayoutMax} seats`);
        seatIndexById.set(seat.id, seatIds.length);
        seatIds.push(seat.id);
        zones.push(zone);
        flags.push(bits);
        rows.push(rowIndex);
      }
    }
  }
  sectionRowStart.push(rowStart.length);
  rowStart.push(seatIds.length);

  const gaIndexById = new Map<string, number>();
  const gaAreas: { id: string; name: string; capacity: number; zone: number }[] = [];
  let gaCapacity = 0;
  for (let g = 0; g < gaAreasJson.length; g++) {
    const area = gaAreasJson[g];
    const at = `gaAreas[${g}]`;
    if (!isObject(area) || badId(area.id)) return reject('LAYOUT_INVALID', `${at}.id`, 'a GA area needs an id');
    if (gaIndexById.has(area.id) || sectionIndexById.has(area.id)) return reject('LAYOUT_DUPLICATE_ID', `${at}.id`, `area id ${area.id} appears twice`);
    if (badName(area.name)) return reject('LAYOUT_INVALID', `${at}.name`, nameRule);
    if (!Number.isSafeInteger(area.capacity) || area.capacity < 1 || area.capacity > limits.gaCapacityMax) {
      return reject('LAYOUT_INVALID', `${at}.capacity`, `capacity must be a whole number from 1 to ${limits.gaCapacityMax}`);
    }
    const zone = zoneIndexById.get(area.zone);
    if (zone === undefined) return reject('LAYOUT_UNKNOWN_ZONE', `${at}.zone`, `area ${area.id} names unknown zone ${shown(area.zone)}`);
    gaIndexById.set(area.id, g);
    gaAreas.push({ id: area.id, name: area.name ?? area.id, capacity: area.capacity, zone });
    gaCapacity += area.capacity;
  }

  // The hash is of the JSON text: a document JSON has no text for (a BigInt, a cycle, a throwing
  // toJSON) is refused, where it threw.
  let text: string;
  try {
    text = JSON.stringify(json);
  } catch (error) {
    return reject('LAYOUT_INVALID', '', `a layout must be JSON data: ${(error as Error).message}`);
  }
  const layout: Layout = {
    layoutId: json.layoutId,
    name: json.name ?? json.layoutId,
    hash: fnv1a(text),
    zoneIds: json.zones.map((z) => z.id),
    zoneIndexById,
    sectionIds: sections.map((s) => s.id),
    sectionIndexById,
    rowStart: Uint32Array.from(rowStart),
    rowSection: Uint16Array.from(rowSection),
    rowIds,
    sectionRowStart: Uint32Array.from(sectionRowStart),
    seatCount: seatIds.length,
    seatIds,
    seatIndexById,
    seatZone: Uint8Array.from(zones),
    seatFlags: Uint8Array.from(flags),
    seatRow: Uint32Array.from(rows),
    gaAreas,
    gaIndexById,
    capacity: seatIds.length + gaCapacity,
  };
  return { ok: true, layout };
}

/** 32-bit FNV-1a as 8 hex digits, over a text's UTF-16 units or a byte array; a fingerprint, not a security measure. */
export function fnv1a(input: string | Uint8Array): string {
  let hash = 0x811c9dc5;
  const text = typeof input === 'string';
  for (let i = 0; i < input.length; i++) {
    hash ^= text ? input.charCodeAt(i) : input[i];
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
