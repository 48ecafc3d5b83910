// The settlement ledger, per organizer and performance, computed from facts (pure and
// deterministic): single-ticket revenue and resale transactions as each performance reports
// them, card and subscription revenue as each coordinator recorded it. Card revenue is paid as
// it sells (`continuous`) or, for `afterEach`, 1/N of each holding's price after each of the N
// performances it covers ends (DOMAIN §3). A resale credits the seller the price less the fee;
// the fee is the organizer's (the product's, when the performance names none). What was payable
// as of a moment never changes afterwards: a link or an exchange books new lines, it does not
// re-split the old ones, and a line dated after the moment is pending then, resale lines as
// product revenue. Single-ticket revenue is the exception: a performance reports it as one
// undated net total (settlementFacts), so every report shows it as it stands when it is made.
import { bookedRevenue, endsAtOf } from './holdings.ts';
import type { ProductState } from './state.ts';

export { splitEvenly } from './holdings.ts';

/** What one performance reports (domain `settlementFacts`). */
export interface PerformanceFacts {
  performanceId: string;
  organizerId: string | null;
  singleSalesMinor: number;
  resales: { listingId: string; productId: string | null; sellerId: string; buyerId: string; priceMinor: number; feeMinor: number; sellerCreditMinor: number; atMs: number }[];
}

export type LedgerKind = 'singleSales' | 'productRevenue' | 'resaleFee' | 'resaleCredit';

export interface LedgerEntry {
  organizerId: string;
  performanceId: string;
  kind: LedgerKind;
  /** Who is paid: the organizer, or the reselling holder for a resale credit. */
  payee: string;
  amountMinor: number;
  /** When it may be paid out. */
  payableAtMs: number;
  productId: string | null;
  ref: string;
}

export interface SettlementLine {
  organizerId: string;
  performanceId: string;
  singleSalesMinor: number;
  productRevenuePaidMinor: number;
  productRevenuePendingMinor: number;
  /** Resale fees and sellers' credits payable by the report's moment, and those dated after it (a sale or a refund still to come then). */
  resaleFeesMinor: number;
  resaleFeesPendingMinor: number;
  resaleCreditsMinor: number;
  resaleCreditsPendingMinor: number;
}

export interface SettlementReport {
  atMs: number;
  lines: SettlementLine[];
  entries: LedgerEntry[];
  totals: { organizerPaidMinor: number; organizerPendingMinor: number; sellerCreditsMinor: number; sellerCreditsPendingMinor: number };
}

export function ledgerEntries(products: readonly ProductState[], facts: readonly PerformanceFacts[]): LedgerEntry[] {
  const organizers = new Map(products.map((p) => [p.productId, p.def.organizerId]));
  return performanceEntries(facts, organizers).concat(products.flatMap(productEntries));
}

/**
 * Single-ticket revenue and resale fees and credits, as the performances report them. A
 * performance whose spec names no organizer is booked to '' for its single tickets; the resale
 * of a product's ticket there is booked to the product's organizer (`organizers`, by product
 * id), as that product's revenue is: a product takes such a performance in (PRODUCTS.md), and
 * the fee is set by its terms.
 */
export function performanceEntries(facts: readonly PerformanceFacts[], organizers: ReadonlyMap<string, string> = new Map()): LedgerEntry[] {
  const entries: LedgerEntry[] = [];
  for (const f of facts) {
    const own = f.organizerId ?? '';
    if (f.singleSalesMinor > 0) entries.push({ organizerId: own, performanceId: f.performanceId, kind: 'singleSales', payee: own, amountMinor: f.singleSalesMinor, payableAtMs: 0, productId: null, ref: f.performanceId });
    for (const r of f.resales) {
      const organizerId = f.organizerId ?? (r.productId === null ? undefined : organizers.get(r.productId)) ?? '';
      entries.push({ organizerId, performanceId: f.performanceId, kind: 'resaleFee', payee: organizerId, amountMinor: r.feeMinor, payableAtMs: r.atMs, productId: r.productId, ref: r.listingId });
      entries.push({ organizerId, performanceId: f.performanceId, kind: 'resaleCredit', payee: r.sellerId, amountMinor: r.sellerCreditMinor, payableAtMs: r.atMs, productId: r.productId, ref: r.listingId });
    }
  }
  return entries;
}

/**
 * A coordinator's card or subscription revenue, per holding and performance, as each holding
 * booked it (holdings.ts bookedRevenue): payable at the sale (continuous) or at each
 * performance's end (afterEach); an exchange adds a reversal and a new booking, never edits one.
 */
export function productEntries(s: ProductState): LedgerEntry[] {
  const entries: LedgerEntry[] = [];
  const organizerId = s.def.organizerId;
  const endsAt = endsAtOf(s);
  for (const h of s.holdings.values()) {
    const booked = bookedRevenue(h, s.def.payout, endsAt);
    for (let i = 0; i < booked.performanceIds.length; i++) {
      entries.push({
        organizerId, performanceId: booked.performanceIds[i], kind: 'productRevenue', payee: organizerId, amountMinor: booked.amountMinor[i],
        payableAtMs: booked.payableAtMs[i], productId: s.productId, ref: h.holdingId,
      });
    }
  }
  return entries;
}

export function settlementReport(products: readonly ProductState[], facts: readonly PerformanceFacts[], atMs: number): SettlementReport {
  return settle(ledgerEntries(products, facts), atMs);
}

/** The ledger as of `atMs`: per organizer and performance, what is paid, pending and credited. */
export function settle(entries: LedgerEntry[], atMs: number): SettlementReport {
  const lines = new Map<string, SettlementLine>();
  const totals = { organizerPaidMinor: 0, organizerPendingMinor: 0, sellerCreditsMinor: 0, sellerCreditsPendingMinor: 0 };
  for (const e of entries) {
    const key = `${e.organizerId}\u0000${e.performanceId}`;
    let line = lines.get(key);
    if (line === undefined) {
      line = {
        organizerId: e.organizerId, performanceId: e.performanceId, singleSalesMinor: 0, productRevenuePaidMinor: 0, productRevenuePendingMinor: 0,
        resaleFeesMinor: 0, resaleFeesPendingMinor: 0, resaleCreditsMinor: 0, resaleCreditsPendingMinor: 0,
      };
      lines.set(key, line);
    }
    const due = e.payableAtMs <= atMs;
    switch (e.kind) {
      case 'singleSales': line.singleSalesMinor += e.amountMinor; break;
      case 'productRevenue':
        if (due) line.productRevenuePaidMinor += e.amountMinor;
        else line.productRevenuePendingMinor += e.amountMinor;
        break;
      case 'resaleFee':
        if (due) line.resaleFeesMinor += e.amountMinor;
        else line.resaleFeesPendingMinor += e.amountMinor;
        break;
      case 'resaleCredit':
        if (due) line.resaleCreditsMinor += e.amountMinor;
        else line.resaleCreditsPendingMinor += e.amountMinor;
        break;
    }
    if (e.kind === 'resaleCredit') {
      if (due) totals.sellerCreditsMinor += e.amountMinor;
      else totals.sellerCreditsPendingMinor += e.amountMinor;
    } else if (due) totals.organizerPaidMinor += e.amountMinor;
    else totals.organizerPendingMinor += e.amountMinor;
  }
  const sorted = [...lines.values()].sort((a, b) => (a.organizerId === b.organizerId ? (a.performanceId < b.performanceId ? -1 : 1) : a.organizerId < b.organizerId ? -1 : 1));
  return { atMs, lines: sorted, entries, totals };
}
