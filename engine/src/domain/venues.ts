// Generators for the test venues named in the issue. They build layout JSON (the documented
// format), so they exercise the same validation as a venue file from an operator.
import type { LayoutJson, RowJson, SeatFlag, SectionJson } from './layout.ts';

function row(sectionId: string, rowId: string, seatsInRow: number, zone: (seat: number) => string, flags: (seat: number) => SeatFlag[] | undefined): RowJson {
  const seats = [];
  for (let n = 1; n <= seatsInRow; n++) {
    const seatFlags = flags(n);
    seats.push(seatFlags === undefined ? { id: `${sectionId}-${rowId}-${n}`, zone: zone(n) } : { id: `${sectionId}-${rowId}-${n}`, zone: zone(n), flags: seatFlags });
  }
  return { id: rowId, seats };
}

/**
 * A 60,000-seat stadium: 40 sections of 50 rows of 30 seats. Sections are listed best first
 * (the long sides before the ends), rows front to back. Each section's front row starts with
 * two wheelchair places and their companion seats; the back row of the end stands has a
 * restricted view.
 */
export function stadiumLayout(): LayoutJson {
  const sections: SectionJson[] = [];
  const sectionsCount = 40;
  for (let s = 0; s < sectionsCount; s++) {
    const sectionId = `S${String(101 + s)}`;
    const side = s < 20;
    const rows: RowJson[] = [];
    for (let r = 1; r <= 50; r++) {
      const zone = side ? (r <= 20 ? 'A' : 'B') : r <= 25 ? 'C' : 'D';
      rows.push(row(sectionId, String(r), 30, () => zone, (n) => {
        if (r === 1 && n <= 2) return ['accessible'];
        if (r === 1 && n <= 4) return ['companion'];
        if (!side && r === 50) return ['restrictedView'];
        return undefined;
      }));
    }
    sections.push({ id: sectionId, name: `Section ${101 + s}`, rows });
  }
  return {
    layoutId: 'stadium-60k',
    name: 'Stadium (60,000 seats)',
    zones: [{ id: 'A', name: 'Long side, lower' }, { id: 'B', name: 'Long side, upper' }, { id: 'C', name: 'End, lower' }, { id: 'D', name: 'End, upper' }],
    sections,
  };
}

/** A 900-seat theatre: stalls (20 rows of 30) and circle (10 rows of 30). */
export function theatreLayout(): LayoutJson {
  const stalls: RowJson[] = [];
  for (let r = 0; r < 20; r++) {
    const rowId = String.fromCharCode(65 + r);
    stalls.push(row('STALLS', rowId, 30, (n) => (r < 10 && n > 5 && n <= 25 ? 'P1' : 'P2'), (n) => (r === 19 && n <= 2 ? ['accessible'] : r === 19 && n <= 4 ? ['companion'] : undefined)));
  }
  const circle: RowJson[] = [];
  for (let r = 0; r < 10; r++) {
    circle.push(row('CIRCLE', String(r + 1), 30, () => (r < 4 ? 'P2' : 'P3'), () => (r === 9 ? ['restrictedView'] : undefined)));
  }
  return {
    layoutId: 'theatre-900',
    name: 'Theatre (900 seats)',
    zones: [{ id: 'P1', name: 'Premium' }, { id: 'P2', name: 'Standard' }, { id: 'P3', name: 'Upper' }],
    sections: [{ id: 'STALLS', name: 'Stalls', rows: stalls }, { id: 'CIRCLE', name: 'Circle', rows: circle }],
  };
}

/** A 1,500-place general-admission club: a floor and a balcony. */
export function clubLayout(): LayoutJson {
  return {
    layoutId: 'club-1500',
    name: 'Club (1,500 standing)',
    zones: [{ id: 'GA', name: 'Standing' }, { id: 'BAL', name: 'Balcony' }],
    gaAreas: [{ id: 'FLOOR', name: 'Floor', capacity: 1200, zone: 'GA' }, { id: 'BALCONY', name: 'Balcony', capacity: 300, zone: 'BAL' }],
  };
}
