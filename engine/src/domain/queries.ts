// Read-only views of a performance: availability as a channel sees it, and the organizer's
// reports. Queries change nothing and take no command id.
import type { PresaleTerms } from './commands.ts';
import { reject, type Rejection } from './codes.ts';
import { idTable } from './checks.ts';
import { channelMaySell } from './moves.ts';
import { seatIdsOf } from './seats.ts';
import { quotaIdOf, SOURCES, STATES, SeatState, type PerformanceState } from './state.ts';
import { TicketStatus } from './tickets.ts';

export interface StateCounts { free: number; held: number; sold: number; blocked: number }
export interface Availability {
  performanceId: string;
  channel: string | null;
  capacity: number;
  totals: StateCounts;
  /** Free seats and places the channel may sell (all free ones without a channel). */
  free: number;
  zones: { zoneId: string; free: number }[];
  sections: { sectionId: string; free: number }[];
  gaAreas: { gaAreaId: string; capacity: number; free: number }[];
  quotas: ({ quotaId: string; capacity: number } & StateCounts)[];
}

function countsAt(counts: Int32Array, base: number): StateCounts {
  return { free: counts[base + SeatState.FREE], held: counts[base + SeatState.HELD], sold: counts[base + SeatState.SOLD], blocked: counts[base + SeatState.BLOCKED] };
}

export function availability(s: PerformanceState, channelId?: string): Availability | Rejection {
  let channel = -1;
  if (channelId !== undefined) {
    channel = s.channelIndexById.get(channelId) ?? -2;
    if (channel === -2) return reject('CHANNEL_UNKNOWN', 'channel', `no channel ${channelId}`);
  }
  const sellable = new Uint8Array(SOURCES);
  for (let q = 0; q < SOURCES; q++) sellable[q] = channel < 0 || channelMaySell(s, channel, q) ? 1 : 0;
  const layout = s.layout;
  const zoneFree = new Array<number>(layout.zoneIds.length).fill(0);
  const sectionFree = new Array<number>(layout.sectionIds.length).fill(0);
  let free = 0;
  for (let seat = 0; seat < layout.seatCount; seat++) {
    if (s.seatState[seat] !== SeatState.FREE || sellable[s.seatSource[seat]] === 0) continue;
    free++;
    zoneFree[layout.seatZone[seat]]++;
    sectionFree[layout.rowSection[layout.seatRow[seat]]]++;
  }
  const gaAreas = layout.gaAreas.map((area, g) => {
    let areaFree = 0;
    for (let q = 0; q < SOURCES; q++) if (sellable[q] === 1) areaFree += s.gaCounts[(g * SOURCES + q) * STATES + SeatState.FREE];
    free += areaFree;
    zoneFree[area.zone] += areaFree;
    return { gaAreaId: area.id, capacity: area.capacity, free: areaFree };
  });
  const quotas = [];
  for (const quota of s.quotas) {
    if (quota === null) continue;
    quotas.push({ quotaId: quota.quotaId, capacity: s.capacityBySource[quota.source], ...countsAt(s.counts, quota.source * STATES) });
  }
  return {
    performanceId: s.performanceId, channel: channelId ?? null, capacity: layout.capacity, totals: countsAt(s.totals, 0), free,
    zones: layout.zoneIds.map((zoneId, z) => ({ zoneId, free: zoneFree[z] })),
    sections: layout.sectionIds.map((sectionId, k) => ({ sectionId, free: sectionFree[k] })),
    gaAreas, quotas,
  };
}

export interface SalesLine { tickets: number; grossMinor: number; discountMinor: number; netMinor: number }
export interface SalesReport {
  performanceId: string;
  total: SalesLine;
  byChannel: Record<string, SalesLine>;
  /** Quota id, or `general` for the general pool. */
  byQuota: Record<string, SalesLine>;
  byTicketType: Record<string, SalesLine>;
  /** Presale code, or `none`. */
  byPresale: Record<string, SalesLine>;
}

function add(lines: Record<string, SalesLine>, key: string, gross: number, discount: number): void {
  const line = lines[key] ?? (lines[key] = { tickets: 0, grossMinor: 0, discountMinor: 0, netMinor: 0 });
  line.tickets++;
  line.grossMinor += gross;
  line.discountMinor += discount;
  line.netMinor += gross - discount;
}

/** Valid tickets (sold, not voided), counted by channel, quota, ticket type and presale link. */
export function salesReport(s: PerformanceState): SalesReport {
  const report: SalesReport = {
    performanceId: s.performanceId, total: { tickets: 0, grossMinor: 0, discountMinor: 0, netMinor: 0 },
    byChannel: idTable(), byQuota: idTable(), byTicketType: idTable(), byPresale: idTable(),
  };
  const t = s.tickets;
  const all = idTable<SalesLine>();
  for (let no = 0; no < t.count; no++) {
    if (t.status[no] !== TicketStatus.VALID) continue;
    const gross = t.priceMinor[no];
    const discount = t.discountMinor[no];
    add(all, 'total', gross, discount);
    add(report.byChannel, s.channels[t.channel[no]].id, gross, discount);
    add(report.byQuota, quotaIdOf(s, t.source[no]) ?? 'general', gross, discount);
    add(report.byTicketType, s.ticketTypes[t.ticketType[no]].id, gross, discount);
    add(report.byPresale, s.orders.presaleCodeOf(t.order[no]) ?? 'none', gross, discount);
  }
  if (all.total !== undefined) report.total = all.total;
  return report;
}

export interface PresaleReport extends PresaleTerms {
  code: string;
  ticketType: string;
  stopped: boolean;
  held: number;
  sold: number;
  remaining: number;
  /**
   * Every order made through the link: `tickets` and `totalMinor` (net of discounts) count its
   * tickets still valid, as salesReport's byPresale line does, so the orders add up to that line;
   * `voidedTickets` those voided since.
   */
  orders: { orderId: string; buyerId: string; buyerEmail: string | null; tickets: number; voidedTickets: number; totalMinor: number; createdAtMs: number }[];
  /** The addresses of the buyers who still hold a ticket bought through the link. */
  buyerEmails: string[];
}

/** What the organizer sees of a link: use, its orders and the buyers' e-mail addresses. */
export function presaleReport(s: PerformanceState, code: string): PresaleReport | Rejection {
  const presale = s.presales.get(code);
  if (presale === undefined) return reject('PRESALE_UNKNOWN', 'code', 'no presale link with this code');
  const t = s.tickets;
  const orders = presale.orders.map((no) => {
    const order = s.orders.get(no);
    let valid = 0;
    let totalMinor = 0;
    for (const ticket of order.tickets) {
      if (t.status[ticket] !== TicketStatus.VALID) continue;
      valid++;
      totalMinor += t.priceMinor[ticket] - t.discountMinor[ticket];
    }
    return { orderId: order.orderId, buyerId: order.buyerId, buyerEmail: order.buyerEmail, tickets: valid, voidedTickets: order.tickets.length - valid, totalMinor, createdAtMs: order.createdAtMs };
  });
  const emails = [...new Set(orders.filter((o) => o.tickets > 0).map((o) => o.buyerEmail).filter((e): e is string => e !== null))].sort();
  return {
    code, ticketType: s.ticketTypes[presale.ticketType].id, validFromMs: presale.validFromMs, validUntilMs: presale.validUntilMs,
    totalMax: presale.totalMax, perBuyerMax: presale.perBuyerMax, stopped: presale.stopped, held: presale.held, sold: presale.sold,
    remaining: presale.totalMax - presale.held - presale.sold, orders, buyerEmails: emails,
  };
}

/**
 * `seats` and `count`: what is still issued offline (blocked); `returned`: what an outlet gave
 * back unsold; `quotaId`: the contingent a batch was printed from (null: the general pool).
 */
export interface BlockView {
  blockId: string; kind: 'hardTicket' | 'foreign'; party: string; deliveryNote: string; quotaId: string | null; seats: string[]; gaAreaId: string | null;
  count: number; returned: number; createdAtMs: number;
}

/** Hard-ticket batches (with their delivery notes and seat lists) and foreign blocks. */
export function blocksReport(s: PerformanceState): BlockView[] {
  return s.blocks.map((b) => ({
    blockId: b.blockId, kind: b.kind, party: b.party, deliveryNote: b.deliveryNote, quotaId: quotaIdOf(s, b.source), seats: seatIdsOf(s, b.seats),
    gaAreaId: b.gaArea >= 0 ? s.layout.gaAreas[b.gaArea].id : null, count: b.count, returned: b.returned, createdAtMs: b.createdAtMs,
  }));
}
