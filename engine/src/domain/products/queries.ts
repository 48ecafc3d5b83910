// What a coordinator answers when asked (not journaled): the product as the CLI summary lists
// it, its holdings, and a report of sales and sagas.
import type { ProductKind } from '../commands.ts';
import type { Customer } from './commands.ts';
import { picksBounds, renewedTicketType, type ProductState } from './state.ts';
import { holdingResult, paidTotalMinor, type HoldingResult } from './holdings.ts';

/** The product as `onsale simulate --json` lists it under `products`. */
export interface ProductSummary {
  productId: string;
  kind: ProductKind;
  numbered: boolean;
  sameSeat: boolean;
  performances: string[];
  min: number;
  max: number;
  resale: { minPct: number; maxPct: number } | null;
}

export function productSummary(s: ProductState): ProductSummary {
  const first = s.links.values().next();
  const [min, max] = picksBounds(s);
  return {
    productId: s.productId,
    kind: s.def.kind,
    numbered: first.done === true ? s.def.gaAreaId === undefined : first.value.numbered,
    sameSeat: s.def.sameSeat === true,
    performances: s.performances.map((p) => p.performanceId),
    min,
    max,
    resale: s.def.resale == null ? null : { minPct: s.def.resale.minPct, maxPct: s.def.resale.maxPct },
  };
}

export interface ProductReport {
  productId: string;
  status: ProductState['status'];
  refusal: string | null;
  /** Holdings ever sold, refunded ones included. */
  holdings: number;
  /** Of those, the ones refunded (refundHolding): not holders any more. */
  refundedHoldings: number;
  sagasInFlight: number;
  /** What the holdings paid for the parts they still have (a refunded part is not counted). */
  soldMinor: number;
  renewal: { holders: number; renewed: number; closed: boolean } | null;
  /** Tickets a compensation could not void (stranded.ts), and how many of them are still being retried; the list is the strandedTickets query. */
  stranded: { tickets: number; retrying: number; forgotten: number };
}

export function productReport(s: ProductState): ProductReport {
  let soldMinor = 0;
  let refundedHoldings = 0;
  for (const h of s.holdings.values()) {
    soldMinor += paidTotalMinor(h);
    if (h.refundedAtMs !== null) refundedHoldings++;
  }
  const renewal = s.def.renewal;
  return {
    productId: s.productId,
    status: s.status,
    refusal: s.refusal?.message ?? null,
    holdings: s.holdings.size,
    refundedHoldings,
    // Sales and the like; a courier's own sagas (couriers.ts) are how their steps travel.
    sagasInFlight: s.sagas.size - s.courierSagas,
    soldMinor,
    renewal: renewal === undefined ? null : { holders: renewal.holders.length, renewed: [...s.renewed.values()].length, closed: s.renewalClosed },
    stranded: { tickets: s.stranded.size, retrying: [...s.stranded.values()].filter((t) => t.retryAtMs !== null).length, forgotten: s.strandedForgotten },
  };
}

/**
 * The holdings as a purchase answers them; on a customerPerTicket product each with its
 * customers too, one per place: customer j is on ticket j of each performance. Refunded holdings
 * are left out: they are not holders any more, and next season's renewal is exported from this
 * list (`renewal.holders`).
 */
export function productHoldings(s: ProductState): (HoldingResult & { customers?: Customer[] })[] {
  const holders = [...s.holdings.values()].filter((h) => h.refundedAtMs === null);
  if (s.def.customerPerTicket !== true) return holders.map((h) => holdingResult(s, h));
  return holders.map((h) => ({ ...holdingResult(s, h), customers: (s.customers.get(h.holdingId) ?? []).map((c) => ({ ...c })) }));
}

/**
 * Last season's holders and where each stands in the renewal (seed 002's "Reserved tickets"
 * report: whom to remind before the window ends). `reserved`: the seats wait for the holder;
 * `renewed`: `renewedAs` is the new holding; `released`: the renewal closed without them, their
 * seats back on sale. Null for a product that is no renewal.
 */
export interface RenewalStatus {
  fromProductId: string;
  windowStartMs: number;
  windowEndMs: number;
  closed: boolean;
  holders: RenewalHolderStatus[];
}
export interface RenewalHolderStatus {
  /** Last season's holding. */
  holdingId: string;
  buyerId: string;
  seats: string[] | null;
  count: number | null;
  ticketType: string;
  /** The type the renewal sells at (the mapping's, else the product's own). */
  renewsAt: string;
  status: 'reserved' | 'renewed' | 'released';
  renewedAs: string | null;
}

export function renewalStatus(s: ProductState): RenewalStatus | null {
  const renewal = s.def.renewal;
  if (renewal === undefined) return null;
  return {
    fromProductId: renewal.fromProductId,
    windowStartMs: renewal.windowStartMs,
    windowEndMs: renewal.windowEndMs,
    closed: s.renewalClosed,
    holders: renewal.holders.map((h) => {
      const renewedAs = s.renewed.get(h.holdingId) ?? null;
      return {
        holdingId: h.holdingId,
        buyerId: h.buyerId,
        seats: h.seats === undefined ? null : [...h.seats],
        count: h.count ?? null,
        ticketType: h.ticketType,
        renewsAt: renewedTicketType(s.def, s.renewalHolders, h.holdingId),
        status: renewedAs !== null ? 'renewed' : s.renewalClosed ? 'released' : 'reserved',
        renewedAs,
      };
    }),
  };
}
