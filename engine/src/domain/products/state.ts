// A product coordinator's state: the product's terms, what each performance said when linked,
// the holdings (cards, subscriptions) sold, and the sagas in flight. Plain data and Maps; the
// snapshot (snapshot.ts) writes it as arrays.
import type { Command } from '../commands.ts';
import type { Rejection } from '../codes.ts';
import type { LinkAccepted, Result } from '../results.ts';
import type { CreateProduct, Customer, ProductCommand, ProductPerformance, RenewalHolder } from './commands.ts';

/** Bounds of one coordinator, named once (units last). */
export const productLimits = {
  performancesPerProductMax: 40,
  exchangeablePerProductMax: 40,
  /**
   * Ticket types a product offers besides its default one (createProduct.ticketTypes): seed 002's
   * adult, senior, student and the like. With the default and the renewal's new types, each
   * linked performance checks them against its own (at most limits.ticketTypesPerPerformanceMax).
   */
  offeredTicketTypesMax: 16,
  /** Customer flags a product names, and a buyer brings (seed 002, *Kundeflagg*). */
  customerFlagsMax: 16,
  holdingsPerProductMax: 500_000,
  sagasInFlightMax: 50_000,
  renewalHoldersMax: 100_000,
  /** Finished sagas remembered for retries, in two generations of this many each. */
  finishedRememberedMax: 100_000,
  capacitySpreadMaxPctDefault: 10,
  /**
   * Same-seat best available: picks of seats (anchors) per purchase, the first included. Each
   * retry passes over at most seatsPerHoldMax more seats, well within limits.exceptSeatsMax.
   */
  sameSeatAnchorTriesMax: 4,
  /** Exchanges of one holding: each books two revenue lines the holding keeps for good. */
  exchangesPerHoldingMax: 20,
  /** A customer's name on a ticket (customerPerTicket), in characters after trimming. */
  customerNameLengthMax: 100,
  /**
   * Stranded tickets kept (a compensation's void refused: stranded.ts). Each needs a race
   * between a saga's confirm and its undo, so a handful is a lot; past the bound the oldest is
   * let go of and counted (strandedForgotten).
   */
  strandedMax: 10_000,
  /** The first retry of a stranded ticket's void after this long; each later one waits twice as long, up to strandedRetryMaxMs. */
  strandedRetryFirstMs: 60_000,
  strandedRetryMaxMs: 3_600_000,
  /** Voids one retry sends at most (a revoid saga's one wave). */
  strandedRetryBatchMax: 1_000,
  /**
   * Voids a refund sends again on one performance whose void said nothing of its tickets
   * (ACTOR_FAILED, COMMAND_ALREADY_APPLIED) before it keeps that part as not refunded.
   */
  refundVoidTriesMax: 3,
  /** A refund's `reason`, in characters: kept in the journal, not in the state. */
  refundReasonLengthMax: 500,
} as const;

export type ProductStatus = 'linking' | 'active' | 'refused';

/** One performance of a holding: its ticket ids and the net price paid for them (settlement splits card revenue by it). */
export interface HoldingPart {
  readonly performanceId: string;
  readonly tickets: string[];
  readonly paidMinor: number;
}

/**
 * A card or subscription sold. Never changed in place: a link or an exchange replaces it
 * (holdings.ts), so the retry memory keeps the holding as sold, for the sale's retries.
 */
export interface Holding {
  readonly holdingId: string;
  readonly buyerId: string;
  /** Places per performance (cards or subscriptions bought together). */
  readonly quantity: number;
  /** Same-seat holdings: the seats, the same on every performance. */
  readonly seats: string[] | null;
  /**
   * The performances in the order of the product's (one linked or exchanged to later comes last);
   * per performance, `quantity` ticket ids in `tickets` and the price paid. Flat lists, not two
   * Maps or an object and a list per performance: those were most of the memory a sold card kept.
   */
  readonly performanceIds: readonly string[];
  readonly tickets: readonly string[];
  readonly paidMinor: readonly number[];
  readonly soldAtMs: number;
  readonly renewedFrom: string | null;
  /**
   * The ticket type it was sold at, on every performance: the one its purchase picked (default
   * the product's), or for a renewal the one the renewal mapped the holder's old type to. Its
   * exchanges and the performances linked later sell at it too.
   */
  readonly ticketType: string;
  /**
   * How many of the parts the sale paid for: the first ones. A performance linked later comes
   * after them, paid nothing, and does not change the sale's afterEach split (settlement.ts).
   */
  readonly saleParts: number;
  /**
   * The card revenue booked for this holding, frozen at its first exchange; null while it is
   * what the sale booked (derived from the parts, holdings.ts bookedRevenue).
   */
  readonly revenue: BookedRevenue | null;
  /**
   * When a refund (refundHolding) first took parts of it back; null when never. A refunded
   * holding keeps only the parts not refunded (played, or kept by their performance) and its
   * revenue lines; it is no longer a holder: not exchanged, not given a performance linked
   * later, not listed by the `holdings` query (renewal exports).
   */
  readonly refundedAtMs: number | null;
}

/**
 * A holding's revenue as ledger lines, append-only: an exchange books a reversal of the part it
 * gives up and the part it takes, a refund the reversal of each part it refunds, so what was
 * payable before either stays as it was.
 */
export interface BookedRevenue {
  readonly performanceIds: readonly string[];
  readonly amountMinor: readonly number[];
  readonly payableAtMs: readonly number[];
  /** Exchanges booked: each adds two lines; productLimits.exchangesPerHoldingMax bounds them. */
  readonly exchanges: number;
}

/** One command sent to a performance on behalf of a saga. */
export interface Step {
  performanceId: string;
  command: Command;
  /** Null while the performance has not answered. */
  result: StepOutcome | null;
  /** Carried by the performance's courier (couriers.ts) in a batch, not sent as a command of its own. */
  batched?: boolean;
}

/**
 * A step's result: the performance's answer, or for a confirm a courier carried, the order as
 * its reply names it (its number, total and tickets, not each ticket's price and seat).
 */
export type StepOutcome = Result | BatchedOrder;

export interface BatchedOrder {
  ok: true;
  batched: true;
  holdId: string;
  orderNo: number;
  totalMinor: number;
  ticketIds: string[];
}

/**
 * A coordinator's courier to one performance (couriers.ts): its client session there (a number,
 * or SESSION_NONE / SESSION_REFUSED), the last request answered in it, whether a request (or the
 * session's opening) is in flight, and the steps queued for the next one as (saga, step) pairs.
 */
export interface Courier {
  sessionNo: number;
  requestNo: number;
  busy: boolean;
  queue: number[];
}

/**
 * 'revoid': started by a tickProduct, voids again the stranded tickets whose retry is due
 * (stranded.ts). 'resale': setResaleChannels, on every linked performance. 'refund':
 * refundHolding, a void on each performance of the holding not yet started.
 */
export type SagaKind = 'create' | 'buy' | 'renew' | 'closeRenewal' | 'link' | 'exchange' | 'revoid' | 'resale' | 'refund' | CourierKind;
/** A courier's own sagas (couriers.ts): its session's opening, and each batch. No client waits for them. */
export type CourierKind = 'session' | 'batch';

/** Whether a client's command started the saga (its retries join it): not the ticker's nor a courier's. */
export function isClientSaga(kind: SagaKind): boolean {
  return kind !== 'revoid' && kind !== 'session' && kind !== 'batch';
}

export interface Saga {
  saga: number;
  kind: SagaKind;
  command: ProductCommand;
  atMs: number;
  /** What the saga is doing now; each kind names its own phases (sagas.ts). */
  phase: string;
  steps: Step[];
  /** Steps of the current wave: the saga moves on once all of them have answered. */
  wave: number[];
  /** Holdings the saga is making (buy, renew, link): id, seats, per-performance hold ids. */
  making: MakingHolding[];
  /** The first refusal met, kept for the outcome after compensation. */
  refusal: Rejection | null;
  /** Link sagas: holdings that could not get a seat on the new performance. */
  conflicts: { holdingId: string; code: number; name: string }[];
  /** A same-seat purchase by best available: where its seats are picked; null for any other saga. */
  anchor: Anchor | null;
  /** A courier's batch: the (saga, step) pairs of its records, in order. */
  refs?: number[];
}

/**
 * Best available picks a same-seat holding's seats on one performance (`at`) and holds them on
 * the others. When some are taken there, the pick is tried again (`tries` so far, at most
 * productLimits.sameSeatAnchorTriesMax) on the first performance that refused, passing over
 * every seat found taken so far (`avoid`).
 */
export interface Anchor {
  at: string;
  tries: number;
  avoid: string[];
}

export interface MakingHolding {
  holdingId: string;
  buyerId: string;
  buyerEmail: string | null;
  quantity: number;
  seats: string[] | null;
  performances: string[];
  /** performanceId → hold id once held. */
  holds: Map<string, string>;
  /** The performances confirmed so far, in the order they answered. */
  parts: HoldingPart[];
  renewedFrom: string | null;
}

/** Receives the client command ids a coordinator's memory of outcomes lets go of (ProductState.dropListener). */
export interface ProductDropListener {
  dropped(commandIds: IterableIterator<string>): void;
}

export interface ProductState {
  readonly productId: string;
  readonly def: CreateProduct;
  status: ProductStatus;
  refusal: Rejection | null;
  lastNowMs: number;
  /** The product's performances (linked later ones appended), then the exchangeable ones. */
  performances: ProductPerformance[];
  links: Map<string, LinkAccepted>;
  holdings: Map<string, Holding>;
  /**
   * customerPerTicket products: each holding's customers, one per place (customers.ts). Beside
   * the holdings rather than in them: the retry memory keeps a holding as sold, and a correction
   * (nameCustomers) must not change what a purchase's retry answers.
   */
  customers: Map<string, Customer[]>;
  /** The renewal's holders by their old holding id: derived from `def`, never snapshotted. */
  readonly renewalHolders: ReadonlyMap<string, RenewalHolder>;
  nextHolding: number;
  nextSaga: number;
  sagas: Map<number, Saga>;
  /** The link saga in flight (at most one), by number: derived from `sagas`, never snapshotted. */
  linkSaga: number | null;
  /** Client command id → saga number, while the saga runs. */
  running: Map<string, number>;
  /** Client command id → outcome and payload of finished sagas, two generations (retries). */
  finished: Map<string, Finished>;
  finishedOld: Map<string, Finished>;
  /**
   * Told of the ids of each old generation of `finished` as it is dropped (null in the pure
   * domain): the runtime keeps them longer, as it does a performance's (memo.ts DropListener),
   * so that a late retry of a purchase is answered COMMAND_ALREADY_APPLIED instead of buying a
   * second holding. Never snapshotted.
   */
  dropListener: ProductDropListener | null;
  /** Renewal: previous holding id → new holding id once renewed. */
  renewed: Map<string, string>;
  renewalClosed: boolean;
  /**
   * closeRenewal closed the reservation quotas as it returned them (`returnQuota` with `close`):
   * a renewed seat that comes free later goes back on sale by itself. False for a renewal closed
   * before quotas could be closed (an older journal): an exchange then returns the seat itself.
   */
  renewalQuotaClosed: boolean;
  /**
   * The renewal reservations close by themselves at the window's end (createQuota closesAtMs,
   * echoed by every performance that made one), and the renewal with them: the first command
   * past the end with no renewal in flight closes it here (execute.ts settleRenewal). False for a
   * product whose reservations an older engine made: closeRenewal closes those.
   */
  renewalClosesItself: boolean;
  /** The performances of the last holding made, for the next one to share when the same (never snapshotted). */
  sharedPerformanceIds: readonly string[] | null;
  /**
   * Tickets a compensation could not void, by ticket id (stranded.ts): valid on their
   * performance, in no holding of this coordinator. Snapshotted only when not empty.
   */
  stranded: Map<string, StrandedTicket>;
  /**
   * The channels the product's seats may be listed on now, once setResaleChannels has replaced
   * those of `def.resale` (which stays as created); null until then. Sent to a performance linked
   * later. Snapshotted only when set.
   */
  resaleChannels: string[] | null;
  /** Stranded tickets let go of past productLimits.strandedMax (snapshotted only when not 0). */
  strandedForgotten: number;
  /** The revoid saga in flight (at most one), by number: derived from `sagas`, never snapshotted. */
  revoidSaga: number | null;
  /** Per performance, the courier that carries batchable steps there (couriers.ts). Snapshotted only when not empty. */
  couriers: Map<string, Courier>;
  /** Courier sagas in `sagas` (they are not sales: a link does not wait for them). Derived, never snapshotted. */
  courierSagas: number;
}

/**
 * A ticket a saga's compensation tried to void and its performance refused: scanned at the
 * door, on the resale exchange, or resold in the moment between the saga's confirm and its undo.
 * The saga ended with its refusal all the same; the ticket is kept here so that it is neither
 * lost from view nor left valid for good where that can still change.
 */
export interface StrandedTicket {
  ticketId: string;
  performanceId: string;
  /** The holding the ticket was made for: one that was never sold (a purchase undone) or that does not list it (an exchange undone). */
  holdingId: string;
  /** The client command whose saga made and then could not void it. */
  commandId: string;
  /** The performance's last refusal of a void. */
  code: number;
  name: string;
  sinceMs: number;
  /** Voids tried so far, the compensation's included. */
  tries: number;
  /** When the next void is sent; null when none will be (the refusal cannot change, or the performance is over). */
  retryAtMs: number | null;
}

/** A sale's outcome is the holding it made (made into its result when answered again). */
export interface Finished { command: ProductCommand; outcome: Result | Holding }

export function newProductState(def: CreateProduct, nowMs: number): ProductState {
  return {
    productId: def.productId,
    def,
    status: 'linking',
    refusal: null,
    lastNowMs: nowMs,
    performances: [...def.performances],
    links: new Map(),
    holdings: new Map(),
    customers: new Map(),
    nextHolding: 1,
    nextSaga: 1,
    sagas: new Map(),
    linkSaga: null,
    running: new Map(),
    finished: new Map(),
    finishedOld: new Map(),
    dropListener: null,
    renewed: new Map(),
    renewalClosed: def.renewal === undefined,
    renewalQuotaClosed: false,
    renewalClosesItself: def.renewal !== undefined,
    renewalHolders: renewalHoldersOf(def),
    sharedPerformanceIds: null,
    stranded: new Map(),
    resaleChannels: null,
    strandedForgotten: 0,
    revoidSaga: null,
    couriers: new Map(),
    courierSagas: 0,
  };
}

export function renewalHoldersOf(def: CreateProduct): ReadonlyMap<string, RenewalHolder> {
  return new Map((def.renewal?.holders ?? []).map((h) => [h.holdingId, h]));
}

/**
 * The type a holding renewed from `previousHoldingId` sells at: the holder's old type as the
 * renewal maps it, else the product's own (null: not a renewal, the product's own).
 */
export function renewedTicketType(def: CreateProduct, holders: ReadonlyMap<string, RenewalHolder>, previousHoldingId: string | null): string {
  const holder = previousHoldingId === null ? undefined : holders.get(previousHoldingId);
  if (def.renewal === undefined || holder === undefined) return def.ticketType;
  // Own keys only: an old type named like an Object member ("constructor") maps to nothing.
  const map = def.renewal.ticketTypes;
  return Object.hasOwn(map, holder.ticketType) ? map[holder.ticketType] : def.ticketType;
}

/** The types a purchase may pick: the product's default, then those it offers besides. */
export function offeredTicketTypes(def: CreateProduct): string[] {
  return [def.ticketType, ...(def.ticketTypes ?? [])];
}

/**
 * The fewest and most performances a purchase takes. A season card takes all of its
 * performances, also one linked after creation (`def` keeps the count it was created with).
 */
export function picksBounds(s: ProductState): [min: number, max: number] {
  const n = s.performances.length;
  if (s.def.kind === 'seasonCard') return [n, n];
  return [s.def.min ?? n, s.def.max ?? n];
}
