// A coordinator's state as plain arrays and back (the runtime packs it with msgpack). Maps are
// written as entry lists in insertion order, so a decoded state iterates, and hashes, the same.
import { holdingOf as holdingFromParts, outcomeResult, partsFromPlain, partsOf, partsToPlain } from './holdings.ts';
import { isClientSaga, renewalHoldersOf, renewedTicketType, type Finished, type Holding, type MakingHolding, type ProductState, type Saga } from './state.ts';
import type { CreateProduct, RenewalHolder } from './commands.ts';

export const PRODUCT_SNAPSHOT_VERSION = 1;

const entries = <K, V>(m: Map<K, V>): [K, V][] => [...m];

/** A holding as the snapshot has always had it: tickets and paid as entry lists, in its own field order. */
interface PlainHolding extends Omit<Holding, 'performanceIds' | 'tickets' | 'paidMinor' | 'saleParts' | 'revenue' | 'ticketType' | 'refundedAtMs'> {
  tickets: [string, string[]][];
  paidMinor: [string, number][];
  // Written only when a link or an exchange made them differ from a sale's: snapshots of
  // holdings without either are unchanged, and read back as they always were.
  saleParts?: number;
  revenue?: Holding['revenue'];
  // Written only when a purchase picked a type other than the one its product (or renewal)
  // gives by default: other holdings are written as before, and a holding from an older
  // snapshot, which has none, reads back at the type it was sold at.
  ticketType?: string;
  // Written only once refunded: other holdings are written as before, and one from an older
  // snapshot, which has none, was never refunded.
  refundedAtMs?: number;
}
interface PlainMaking extends Omit<MakingHolding, 'holds' | 'parts'> { holds: [string, string][]; tickets: [string, string[]][]; paidMinor: [string, number][] }

function plainMaking(m: MakingHolding): PlainMaking {
  const { tickets, paidMinor } = partsToPlain(m.parts);
  return { holdingId: m.holdingId, buyerId: m.buyerId, buyerEmail: m.buyerEmail, quantity: m.quantity, seats: m.seats, performances: m.performances, holds: entries(m.holds), tickets, paidMinor, renewedFrom: m.renewedFrom };
}

function plainHolding(s: ProductState, h: Holding): PlainHolding {
  const { tickets, paidMinor } = partsToPlain(partsOf(h));
  return {
    holdingId: h.holdingId, buyerId: h.buyerId, quantity: h.quantity, seats: h.seats, tickets, paidMinor, soldAtMs: h.soldAtMs, renewedFrom: h.renewedFrom,
    ...(h.saleParts !== h.performanceIds.length ? { saleParts: h.saleParts } : {}),
    ...(h.revenue !== null ? { revenue: h.revenue } : {}),
    ...(h.ticketType !== renewedTicketType(s.def, s.renewalHolders, h.renewedFrom) ? { ticketType: h.ticketType } : {}),
    ...(h.refundedAtMs !== null ? { refundedAtMs: h.refundedAtMs } : {}),
  };
}

/** The holdings back, each sharing the list of performances of the one before when the same. */
function holdingsOf(plain: PlainHolding[], def: CreateProduct, holders: ReadonlyMap<string, RenewalHolder>): Map<string, Holding> {
  const holdings = new Map<string, Holding>();
  let shared: readonly string[] | null = null;
  for (const p of plain) {
    const ticketType = p.ticketType ?? renewedTicketType(def, holders, p.renewedFrom);
    const h = holdingFromParts({ ...p, ticketType }, partsFromPlain(p.tickets, p.paidMinor), shared);
    holdings.set(h.holdingId, h);
    shared = h.performanceIds;
  }
  return holdings;
}

/** Finished sagas as written: outcomes, a sale's holding made into its result. */
function plainFinished(s: ProductState, finished: Map<string, Finished>): [string, { command: Finished['command']; outcome: unknown }][] {
  return [...finished].map(([id, f]) => [id, { command: f.command, outcome: outcomeResult(s, f.outcome) }]);
}

function makingOf(p: PlainMaking): MakingHolding {
  return {
    holdingId: p.holdingId, buyerId: p.buyerId, buyerEmail: p.buyerEmail, quantity: p.quantity, seats: p.seats, performances: p.performances,
    holds: new Map(p.holds), parts: partsFromPlain(p.tickets, p.paidMinor), renewedFrom: p.renewedFrom,
  };
}

export function productToPlain(s: ProductState): unknown {
  return {
    v: PRODUCT_SNAPSHOT_VERSION,
    productId: s.productId,
    def: s.def,
    status: s.status,
    refusal: s.refusal,
    lastNowMs: s.lastNowMs,
    performances: s.performances,
    links: entries(s.links),
    holdings: [...s.holdings.values()].map((h) => plainHolding(s, h)),
    // Written only when some holding names customers: other snapshots are unchanged.
    ...(s.customers.size > 0 ? { customers: entries(s.customers) } : {}),
    nextHolding: s.nextHolding,
    nextSaga: s.nextSaga,
    sagas: [...s.sagas.values()].map((g) => ({ ...g, making: g.making.map(plainMaking) })),
    finished: plainFinished(s, s.finished),
    finishedOld: plainFinished(s, s.finishedOld),
    renewed: entries(s.renewed),
    renewalClosed: s.renewalClosed,
    // Written only when set: snapshots of products without it are unchanged.
    ...(s.renewalQuotaClosed ? { renewalQuotaClosed: true } : {}),
    ...(s.renewalClosesItself ? { renewalClosesItself: true } : {}),
    // Written only when there are some: snapshots of products without them are unchanged.
    ...(s.stranded.size > 0 ? { stranded: entries(s.stranded) } : {}),
    ...(s.strandedForgotten > 0 ? { strandedForgotten: s.strandedForgotten } : {}),
    // Written only once setResaleChannels has set them: other snapshots are unchanged.
    ...(s.resaleChannels !== null ? { resaleChannels: s.resaleChannels } : {}),
    // Written only once a courier carried a step: other snapshots are unchanged.
    ...(s.couriers.size > 0 ? { couriers: entries(s.couriers) } : {}),
  };
}

type Plain<T> = { [K in keyof T]: T[K] extends Map<infer A, infer B> ? [A, B][] : T[K] };

export function productFromPlain(raw: unknown): ProductState {
  const p = raw as Omit<Plain<ProductState>, 'holdings' | 'sagas' | 'customers' | 'stranded' | 'strandedForgotten' | 'resaleChannels' | 'couriers'> & {
    v: number; holdings: PlainHolding[]; customers?: Plain<ProductState>['customers']; sagas: (Omit<Saga, 'making'> & { making: PlainMaking[] })[];
    stranded?: Plain<ProductState>['stranded']; strandedForgotten?: number; resaleChannels?: string[]; couriers?: Plain<ProductState>['couriers'];
  };
  if (p.v !== PRODUCT_SNAPSHOT_VERSION) throw new Error(`product snapshot version ${p.v} is not ${PRODUCT_SNAPSHOT_VERSION}`);
  const renewalHolders = renewalHoldersOf(p.def);
  return {
    productId: p.productId,
    def: p.def,
    status: p.status,
    refusal: p.refusal,
    lastNowMs: p.lastNowMs,
    performances: p.performances,
    links: new Map(p.links),
    holdings: holdingsOf(p.holdings, p.def, renewalHolders),
    customers: new Map(p.customers ?? []),
    nextHolding: p.nextHolding,
    nextSaga: p.nextSaga,
    // `anchor` came later: a saga written before it has none.
    sagas: new Map(p.sagas.map((g) => [g.saga, { ...g, making: g.making.map(makingOf), anchor: g.anchor ?? null }])),
    linkSaga: p.sagas.find((g) => g.kind === 'link')?.saga ?? null,
    // A revoid saga is the ticker's, not a client's: no retry joins it.
    running: new Map(p.sagas.filter((g) => isClientSaga(g.kind)).map((g) => [g.command.commandId, g.saga])),
    finished: new Map(p.finished),
    finishedOld: new Map(p.finishedOld),
    dropListener: null,
    renewed: new Map(p.renewed),
    renewalClosed: p.renewalClosed,
    renewalQuotaClosed: p.renewalQuotaClosed === true,
    // Absent in snapshots of products made before reservations closed by themselves.
    renewalClosesItself: p.renewalClosesItself === true,
    renewalHolders,
    sharedPerformanceIds: null,
    stranded: new Map(p.stranded ?? []),
    strandedForgotten: p.strandedForgotten ?? 0,
    // Absent in snapshots of products whose resale channels are those they were created with.
    resaleChannels: p.resaleChannels ?? null,
    revoidSaga: p.sagas.find((g) => g.kind === 'revoid')?.saga ?? null,
    couriers: new Map(p.couriers ?? []),
    courierSagas: p.sagas.filter((g) => !isClientSaga(g.kind) && g.kind !== 'revoid').length,
  };
}
