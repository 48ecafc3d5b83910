// Read-only views of products and resale on one performance: the links, the exchange's
// listings and sales, and the facts settlement needs (what single tickets, each product and the
// exchange brought in). Queries change nothing and take no command id.
import type { CardKind, ProductKind, ResalePolicy } from './commands.ts';
import type { ListingStatus, PerformanceState, ResaleSale } from './state.ts';
import { TicketStatus, ticketIdOf } from './tickets.ts';
import { idTable } from './checks.ts';

export interface ProductLinkView { productId: string; kind: ProductKind; cardKind: CardKind; resale: ResalePolicy | null }

/** The products linked to the performance, in link order, with their resale terms. */
export function productLinks(s: PerformanceState): ProductLinkView[] {
  return [...s.products.values()].map((p) => ({
    productId: p.productId, kind: p.kind, cardKind: p.cardKind,
    resale: p.resale === null ? null : { minPct: p.resale.minPct, maxPct: p.resale.maxPct, feePct: p.resale.feePct, channels: p.resale.channels.map((c) => s.channels[c].id) },
  }));
}

export interface ListingView { listingId: string; ticketId: string; sellerId: string; priceMinor: number; status: ListingStatus }
export interface ResaleReport { performanceId: string; listings: ListingView[]; sales: ResaleSale[] }

/** Every listing (in creation order) and every sale (in sale order) of the exchange. */
export function resaleReport(s: PerformanceState): ResaleReport {
  const listings = [...s.listings.values()].map((l) => ({ listingId: l.listingId, ticketId: ticketIdOf(s.performanceId, l.ticket), sellerId: l.sellerId, priceMinor: l.priceMinor, status: l.status }));
  return { performanceId: s.performanceId, listings, sales: s.resales.map((r) => ({ ...r })) };
}

/**
 * A line of the exchange in the settlement facts: a sale (`kind: 'sale'`, as recorded, with its
 * `refundedAtMs`), or the refund of one whose buyer's ticket was voided (`kind: 'refund'`): the
 * sale's fields with priceMinor, feeMinor and sellerCreditMinor negated and `atMs` the void's.
 * Negated rather than flagged so that a reader summing lines (products/settlement.ts books a fee
 * and a credit per line) books the buyer's refund as the fee and the credit given back, at the
 * refund, while the sale's own lines stand as they were payable.
 */
export interface ResaleFact extends ResaleSale { kind: 'sale' | 'refund' }

export interface SettlementFacts {
  performanceId: string;
  organizerId: string | null;
  /** Net prices of single tickets sold here (not through a product, not on the exchange), void ones left out. */
  singleSalesMinor: number;
  /** The same, per product, for the tickets sold through it (resold ones included: the product sold them). */
  productSalesMinor: Record<string, number>;
  /** The exchange's sales, in sale order, each refunded one followed by its refund: price, fee and the seller's credit each. */
  resales: ResaleFact[];
}

export function settlementFacts(s: PerformanceState): SettlementFacts {
  const t = s.tickets;
  let singleSalesMinor = 0;
  const productSalesMinor = idTable<number>();
  for (const product of s.products.keys()) productSalesMinor[product] = 0;
  for (let no = 0; no < t.count; no++) {
    if (t.status[no] === TicketStatus.VOID) continue;
    // Two fields per ticket, read without making its order (and its strings) each time.
    if (s.orders.isResale(t.order[no])) continue;
    const productId = s.orders.productIdOf(t.order[no]);
    const net = t.priceMinor[no] - t.discountMinor[no];
    if (productId === null) singleSalesMinor += net;
    else productSalesMinor[productId] = (productSalesMinor[productId] ?? 0) + net;
  }
  return { performanceId: s.performanceId, organizerId: s.spec.organizerId ?? null, singleSalesMinor, productSalesMinor, resales: resaleFacts(s.resales) };
}

/** 0 - minor rather than -minor: a zero fee refunds 0, not -0 (which no equality or encoding treats as 0 alike). */
const negated = (minor: number): number => 0 - minor;

function resaleFacts(sales: readonly ResaleSale[]): ResaleFact[] {
  const facts: ResaleFact[] = [];
  for (const sale of sales) {
    facts.push({ ...sale, kind: 'sale' });
    if (sale.refundedAtMs === null) continue;
    facts.push({
      ...sale, kind: 'refund', priceMinor: negated(sale.priceMinor), feeMinor: negated(sale.feeMinor), sellerCreditMinor: negated(sale.sellerCreditMinor),
      atMs: sale.refundedAtMs,
    });
  }
  return facts;
}
