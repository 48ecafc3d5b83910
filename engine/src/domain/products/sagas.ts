// The sagas: each kind is a small sequence of waves. A wave sends one command to each of some
// performances; when every step of the wave has answered, the saga looks at the answers and
// sends the next wave, compensates (releases holds, voids tickets, unlinks) or finishes.
// Forward steps hold, then confirm; compensation undoes in reverse. Nothing is sold twice
// because every seat is held by its performance's single writer before any confirm.
import { Code, reject, type Rejection } from '../codes.ts';
import type { Command, ResalePolicy, VoidTickets } from '../commands.ts';
import type { CountAccepted, HoldAccepted, LinkAccepted, OrderAccepted, Result } from '../results.ts';
import type { Outbound } from './outbound.ts';
import type { BuyProduct, Customer, ExchangePerformance, LinkPerformance, ProductCommand, ProductPerformance, RefundHolding, RenewHolding, SetResaleChannels } from './commands.ts';
import { checkCustomers } from './customers.ts';
import { noteRevoids, noteUndoneVoids } from './stranded.ts';
import { assert } from '../assert.ts';
import { endsAtOf, exchangedHolding, holdingOf, holdingResult, knownPerformances, outcomeResult, paidForMinor, partFor, refundedHolding, ticketsOn, withPart } from './holdings.ts';
import { offeredTicketTypes, productLimits, renewedTicketType, type BatchedOrder, type Holding, type MakingHolding, type ProductState, type Saga, type Step, type StepOutcome } from './state.ts';
import { batchable, batchAnswered, enqueue, flushCouriers, sessionAnswered, stepIdOf, ticketIdsOf } from './couriers.ts';

type Sendable = Command extends infer C ? (C extends { commandId: string } ? Omit<C, 'commandId'> : never) : never;

/**
 * Sends `command`, a fresh object no one else holds, as the saga's next step. It is given its id
 * in place, last, where the journal has always had it. A copy by spread (of a different shape
 * for each kind of step) cost about half of what the performance spends on the command, and
 * made an object that the performance's dedupe enumerates slowly.
 */
export function send(s: ProductState, saga: Saga, to: string, command: Sendable, out: Outbound[]): void {
  const step = saga.steps.length;
  const full = command as Command;
  // A sale's holds of explicit seats, and their confirms and releases, go in the performance's
  // next batch (couriers.ts), whose records carry no command id: such a step gets its id only
  // if it is ever sent as a command of its own (couriers.ts flush), and is '' until then; the
  // twenty ids a card built were never read (bench/RESULTS.md, session 29).
  const batched = batchable(saga, full);
  full.commandId = batched ? '' : stepIdOf(s, saga, step, to);
  saga.steps.push({ performanceId: to, command: full, result: null });
  saga.wave.push(step);
  if (batched) enqueue(s, saga, step, to);
  else out.push({ t: 'send', to, command: full, saga: saga.saga, step });
}

/** Sends what the couriers queued (executeProduct calls it once per command, after the command's own actions). */
export function flushSteps(s: ProductState, out: Outbound[]): void {
  flushCouriers(s, send as (s: ProductState, saga: Saga, to: string, command: Command, out: Outbound[]) => void, out);
}

/** The step's refusal as the product's: same code, the performance named in the field and message. */
function onPerformance(performanceId: string, r: Rejection): Rejection {
  return { ok: false, code: r.code, name: r.name, field: r.field === '' ? performanceId : `${performanceId}:${r.field}`, message: `on ${performanceId}: ${r.message}` };
}

/** A step its performance has answered. */
type Answered = Step & { result: StepOutcome };

/** The current wave's steps, every one answered: the steps themselves, not copies of them. */
function waveResults(saga: Saga): Answered[] {
  return saga.wave.map((i) => saga.steps[i] as Answered);
}

/** Ends the saga; a sale's outcome is the holding it made (Finished). */
export function finish(s: ProductState, saga: Saga, outcome: Result | Holding, out: Outbound[]): void {
  s.sagas.delete(saga.saga);
  if (saga.kind === 'revoid') {
    // The ticker's: no client waits for it, and a tick is not remembered.
    s.revoidSaga = null;
    return startWaitingLink(s, out);
  }
  const commandId = saga.command.commandId;
  s.running.delete(commandId);
  rememberOutcome(s, saga.command, outcome);
  out.push({ t: 'done', commandId, result: outcomeResult(s, outcome) });
  if (saga.kind === 'link') s.linkSaga = null;
  else startWaitingLink(s, out);
}

/** Keeps a client command's outcome for its retries, in the two bounded generations. */
export function rememberOutcome(s: ProductState, command: ProductCommand, outcome: Result | Holding): void {
  if (s.finished.size >= productLimits.finishedRememberedMax) {
    s.dropListener?.dropped(s.finishedOld.keys());
    s.finishedOld = s.finished;
    s.finished = new Map();
  }
  s.finished.set(command.commandId, { command, outcome });
}

/**
 * Sagas in flight other than a link. An active product runs only purchases, renewals, exchanges,
 * refunds and closeRenewal besides a link (creation ends before it is active), and each of them
 * makes, changes or reserves holdings' seats (a refund, too: the link must not give a holding
 * being refunded the new performance). A link gives the new performance to the holdings there
 * are when it runs, so it never runs beside one of these: it waits for those in flight to
 * finish, and none starts while it waits or runs (PRODUCT_BUSY). Counted, not searched: a
 * product may have 50,000 sagas in flight, and this is asked on every purchase and every finish.
 */
export function salesInFlight(s: ProductState): number {
  return s.sagas.size - s.courierSagas - (s.linkSaga === null ? 0 : 1);
}

/** Starts the link that waits for the sales in flight, once the last of them has finished. */
function startWaitingLink(s: ProductState, out: Outbound[]): void {
  if (s.linkSaga === null || salesInFlight(s) > 0) return;
  const link = s.sagas.get(s.linkSaga)!;
  if (link.phase === 'wait') startLink(s, link, out);
}

/** The link's first wave: the performance is asked to link the product. */
export function startLink(s: ProductState, saga: Saga, out: Outbound[]): void {
  saga.phase = 'link';
  send(s, saga, (saga.command as LinkPerformance).performance.performanceId, linkCommand(s), out);
}

const linkCommand = (s: ProductState): Sendable => ({
  type: 'linkProduct', productId: s.productId, kind: s.def.kind, cardKind: s.def.cardKind ?? 'fixedPrice', resale: linkResale(s),
  channel: s.def.channel, ticketTypes: productTicketTypes(s), gaAreaId: s.def.gaAreaId ?? null,
});

/**
 * The resale policy a link sends: the product's, with the listing channels set last
 * (setResaleChannels) when they were. A product whose channels were never set sends its policy
 * as created, the very object, so its link steps are what they always were.
 */
function linkResale(s: ProductState): ResalePolicy | null {
  const resale = s.def.resale ?? null;
  return resale === null || s.resaleChannels === null ? resale : { ...resale, channels: [...s.resaleChannels] };
}

/**
 * The ticket types the product sells with: its own, those it offers besides (a product without
 * any sends what it always sent), then those its renewal maps old types to, each once.
 */
function productTicketTypes(s: ProductState): string[] {
  return [...new Set([...offeredTicketTypes(s.def), ...Object.values(s.def.renewal?.ticketTypes ?? {})])];
}

/** Called when the last step of the current wave has answered. */
export function advance(s: ProductState, saga: Saga, nowMs: number, out: Outbound[]): void {
  const results = waveResults(saga);
  saga.wave = [];
  switch (saga.kind) {
    case 'create': return advanceCreate(s, saga, results, nowMs, out);
    case 'buy':
    case 'renew': return advanceBuy(s, saga, results, nowMs, out);
    case 'closeRenewal': return finish(s, saga, { ok: true }, out);
    case 'link': return advanceLink(s, saga, results, nowMs, out);
    case 'exchange': return advanceExchange(s, saga, results, nowMs, out);
    case 'revoid':
      noteRevoids(s, results, nowMs);
      return finish(s, saga, { ok: true }, out);
    case 'resale': return advanceResale(s, saga, results, out);
    case 'refund': return advanceRefund(s, saga, results, nowMs, out);
    case 'session': return sessionAnswered(s, saga);
    case 'batch':
      batchAnswered(s, saga, nowMs, advance, out);
      // The batch carried the last steps of the last sales: a link waiting for them may start.
      return startWaitingLink(s, out);
  }
}

// ---- create: link every performance, check them against each other, create the quotas ----

export function startCreate(s: ProductState, saga: Saga, out: Outbound[]): void {
  saga.phase = 'link';
  for (const p of s.performances.concat(s.def.exchangeable ?? [])) {
    send(s, saga, p.performanceId, linkCommand(s), out);
  }
}

/** Numbering and capacity of the linked performances, compared as DOMAIN §3 asks. */
function checkLinks(s: ProductState, links: LinkAccepted[]): Rejection | null {
  const numbered = links[0].numbered;
  const odd = links.find((l) => l.numbered !== numbered);
  if (odd !== undefined) return reject('PRODUCT_MIXED_NUMBERING', 'performances', `${links[0].performanceId} is ${numbered ? '' : 'un'}numbered but ${odd.performanceId} is not`);
  let small = links[0];
  let large = links[0];
  for (const l of links) {
    if (l.capacity < small.capacity) small = l;
    if (l.capacity > large.capacity) large = l;
  }
  const spreadPct = ((large.capacity - small.capacity) * 100) / large.capacity;
  const allowed = s.def.capacitySpreadMaxPct ?? productLimits.capacitySpreadMaxPctDefault;
  if (spreadPct > allowed) {
    return reject('PRODUCT_CAPACITY_MISMATCH', 'performances', `${small.performanceId} holds ${small.capacity} and ${large.performanceId} holds ${large.capacity}: ${spreadPct.toFixed(1)} % apart, more than the ${allowed} % allowed`);
  }
  // A product is its organizer's: its card revenue is booked to that organizer on every
  // performance (settlement.ts), so it may not take in another organizer's performance.
  const foreign = links.find((l) => l.organizerId !== undefined && l.organizerId !== s.def.organizerId);
  if (foreign !== undefined) return reject('PRODUCT_ORGANIZER_MISMATCH', 'performances', `${foreign.performanceId} is organized by ${foreign.organizerId}, not by ${s.def.organizerId}, whose product this is`);
  // A series is a set of performances in one hall (DOMAIN §5): with "same seat", seat ids that
  // two halls happen to share would otherwise sell "the same seat" in different rooms. (A link
  // journaled by an older engine does not say its layout, and is not compared.)
  if (s.def.kind === 'series') {
    const other = links.find((l) => l.layoutId !== undefined && links[0].layoutId !== undefined && l.layoutId !== links[0].layoutId);
    if (other !== undefined) return reject('PRODUCT_HALL_MISMATCH', 'performances', `a series plays in one hall: ${links[0].performanceId} is in ${links[0].layoutId} but ${other.performanceId} is in ${other.layoutId}`);
  }
  if (!numbered && s.def.gaAreaId === undefined) return reject('PRODUCT_INVALID', 'gaAreaId', 'an unnumbered product names the GA area its places are taken from');
  if (numbered && s.def.gaAreaId !== undefined) return reject('PRODUCT_INVALID', 'gaAreaId', 'a numbered product takes seats, not GA places');
  return null;
}

function advanceCreate(s: ProductState, saga: Saga, results: Answered[], nowMs: number, out: Outbound[]): void {
  if (saga.phase === 'link') {
    const failed = results.find((r) => !r.result.ok);
    const links = results.filter((r) => r.result.ok).map((r) => r.result as LinkAccepted);
    saga.refusal = failed !== undefined ? onPerformance(failed.performanceId, failed.result as Rejection) : checkLinks(s, links);
    if (saga.refusal !== null) {
      saga.phase = 'unlink';
      for (const l of links) send(s, saga, l.performanceId, { type: 'unlinkProduct', productId: s.productId }, out);
      if (saga.wave.length === 0) refuseProduct(s, saga, out);
      return;
    }
    for (const l of links) s.links.set(l.performanceId, l);
    saga.phase = 'quota';
    sendQuotas(s, saga, s.performances, nowMs, out);
    if (saga.wave.length === 0) activate(s, saga, out);
    return;
  }
  if (saga.phase === 'quota') {
    noteReservations(s, results);
    const failed = results.find((r) => !r.result.ok);
    if (failed === undefined) return activate(s, saga, out);
    saga.refusal = onPerformance(failed.performanceId, failed.result as Rejection);
    saga.phase = 'returnQuota';
    for (const r of results) {
      if (r.result.ok) send(s, saga, r.performanceId, { type: 'returnQuota', quotaId: (r.command as { quotaId: string }).quotaId }, out);
    }
    if (saga.wave.length === 0) unlinkAll(s, saga, out);
    return;
  }
  if (saga.phase === 'returnQuota') return unlinkAll(s, saga, out);
  // 'unlink': the coordinator keeps only the links a performance refused to undo.
  for (const r of results) if (r.result.ok) s.links.delete(r.performanceId);
  refuseProduct(s, saga, out);
}

/**
 * A product refused after linking (its allocation or reservation could not be made): the
 * quotas made were given back, and now every performance unlinks it, the empty quotas with it,
 * so nothing of it is left to count against a performance's bounds.
 */
function unlinkAll(s: ProductState, saga: Saga, out: Outbound[]): void {
  saga.phase = 'unlink';
  for (const p of s.links.keys()) send(s, saga, p, { type: 'unlinkProduct', productId: s.productId }, out);
  if (saga.wave.length === 0) refuseProduct(s, saga, out);
}

export const allocationQuotaId = (productId: string): string => `${productId}.allocation`;
export const renewalQuotaId = (productId: string): string => `${productId}.renewal`;

function sendQuotas(s: ProductState, saga: Saga, performances: ProductPerformance[], nowMs: number, out: Outbound[]): void {
  const a = s.def.allocation;
  const renewal = s.def.renewal;
  // While the renewal is open, the seats of the holders who have not renewed yet are reserved,
  // also on a performance linked in the window (those who renewed get theirs there as holders,
  // holdForHolders).
  const waiting = renewal === undefined || s.renewalClosed || nowMs >= renewal.windowEndMs ? [] : renewal.holders.filter((h) => !s.renewed.has(h.holdingId));
  const seats = waiting.flatMap((h) => h.seats ?? []);
  // A seat is in one pool: the allocation leaves out the seats reserved for holders (a holder's
  // seat inside the allocation block, the usual case, made the reservation fail and the product
  // be refused, until session 30). Unrenewed, such a seat returns to free sale at the window's end.
  const reserved = new Set(seats);
  const allocated = a?.seats?.filter((seat) => !reserved.has(seat));
  for (const p of performances) {
    if (a !== undefined && (allocated === undefined || allocated.length > 0)) {
      send(s, saga, p.performanceId, {
        type: 'createQuota', quotaId: allocationQuotaId(s.productId), channels: [], policy: a.policy, productId: s.productId,
        ...(allocated !== undefined ? { seats: allocated } : { gaAreaId: a.gaAreaId, count: a.count }),
      }, out);
    }
    if (waiting.length > 0) {
      // Places, unlike seats, are not anyone's in particular: the holders' own holds on a
      // performance linked in the window draw on the product's pools, this reservation among
      // them, so it counts their places too, or they would take the places of those waiting.
      const places = waiting.reduce((n, h) => n + (h.count ?? 0), 0) + placesOfHolders(s);
      send(s, saga, p.performanceId, {
        // quotaFirst, not onlyQuota: once the window closes the reservation holds only the
        // renewed (sold) seats, and the product's new cards must reach the rest of the house.
        // It closes by itself at the window's end: the unrenewed seats go back on sale then,
        // whether or not anyone sends closeRenewal.
        type: 'createQuota', quotaId: renewalQuotaId(s.productId), channels: [], policy: 'quotaFirst', productId: s.productId,
        ...(seats.length > 0 ? { seats } : { gaAreaId: s.def.gaAreaId, count: places }), closesAtMs: renewal!.windowEndMs,
      }, out);
    }
  }
}

/**
 * A renewal reservation made without closesAtMs being echoed was made by an older engine (a
 * journal from before reservations closed by themselves, replayed): it stays until closeRenewal.
 */
function noteReservations(s: ProductState, results: Answered[]): void {
  for (const r of results) {
    const command = r.command as { type: string; quotaId?: string };
    if (r.result.ok && command.type === 'createQuota' && command.quotaId === renewalQuotaId(s.productId) && (r.result as CountAccepted).closesAtMs === undefined) s.renewalClosesItself = false;
  }
}

function activate(s: ProductState, saga: Saga, out: Outbound[]): void {
  s.status = 'active';
  finish(s, saga, { ok: true, productId: s.productId, performances: [...s.links.values()] } as unknown as Result, out);
}

function refuseProduct(s: ProductState, saga: Saga, out: Outbound[]): void {
  s.status = 'refused';
  s.refusal = saga.refusal;
  finish(s, saga, saga.refusal!, out);
}

// ---- buy and renew: hold on every performance, then confirm on all, or release on all ----

export function holdCommand(s: ProductState, h: MakingHolding, ticketType: string, performanceId: string, filter: BuyProduct['filter']): Sendable {
  // Written out field by field, in the order the journal has them: spreading a shared base cost
  // a copy per step.
  const { buyerId, holdingId } = h;
  const { channel } = s.def;
  const productId = s.productId;
  const numbered = s.links.get(performanceId)?.numbered ?? true;
  if (!numbered) return { type: 'holdGa', buyerId, channel, ticketType, productId, holdingId, gaAreaId: s.def.gaAreaId!, count: h.quantity };
  if (h.seats !== null) return { type: 'holdSeats', buyerId, channel, ticketType, productId, holdingId, seats: h.seats };
  if (filter === undefined) return { type: 'holdBestAvailable', buyerId, channel, ticketType, productId, holdingId, count: h.quantity };
  return { type: 'holdBestAvailable', buyerId, channel, ticketType, productId, holdingId, count: h.quantity, filter };
}

/**
 * The ticket type a saga sells at: a purchase's the one it picked (default the product's), a
 * renewal's the holder's old type mapped (renewal.ticketTypes), an exchange's the holding's own.
 */
/** A hold of the seats the buyer chose on one performance (a product without the same seat). */
function seatsHoldCommand(s: ProductState, h: MakingHolding, ticketType: string, seats: string[]): Sendable {
  const { buyerId, holdingId } = h;
  return { type: 'holdSeats', buyerId, channel: s.def.channel, ticketType, productId: s.productId, holdingId, seats };
}

export function ticketTypeOf(s: ProductState, saga: Saga): string {
  if (saga.kind === 'renew') return renewedTicketType(s.def, s.renewalHolders, (saga.command as RenewHolding).previousHoldingId);
  if (saga.kind === 'exchange') return s.holdings.get((saga.command as ExchangePerformance).holdingId)?.ticketType ?? s.def.ticketType;
  if (saga.kind === 'buy') return (saga.command as BuyProduct).ticketType ?? s.def.ticketType;
  return s.def.ticketType;
}

const filterOf = (saga: Saga): BuyProduct['filter'] => (saga.kind === 'buy' ? (saga.command as BuyProduct).filter : undefined);

/** The seats a purchase's buyer chose on performance `p` (buyProduct.seatsByPerformance), or null: best available there. */
function chosenSeats(saga: Saga, p: string): string[] | null {
  const chosen = saga.kind === 'buy' ? (saga.command as BuyProduct).seatsByPerformance : undefined;
  return chosen !== undefined && Object.hasOwn(chosen, p) ? chosen[p] : null;
}

/** First wave of a purchase. A same-seat holding without seats takes best available on one performance (the anchor), then those seats everywhere else. */
export function startBuy(s: ProductState, saga: Saga, out: Outbound[]): void {
  const h = saga.making[0];
  if (s.def.sameSeat === true && h.seats === null && (s.links.get(h.performances[0])?.numbered ?? true)) {
    saga.anchor = { at: h.performances[0], tries: 0, avoid: [] };
    return sendAnchor(s, saga, out);
  }
  saga.phase = 'hold';
  const tt = ticketTypeOf(s, saga);
  for (const p of h.performances) {
    const seats = chosenSeats(saga, p);
    send(s, saga, p, seats === null ? holdCommand(s, h, tt, p, filterOf(saga)) : seatsHoldCommand(s, h, tt, seats), out);
  }
}

/** Best available on the anchor performance, passing over the seats found taken elsewhere. */
function sendAnchor(s: ProductState, saga: Saga, out: Outbound[]): void {
  const h = saga.making[0];
  const anchor = saga.anchor!;
  anchor.tries++;
  saga.phase = 'anchor';
  const hold = holdCommand(s, h, ticketTypeOf(s, saga), anchor.at, filterOf(saga)) as Extract<Sendable, { type: 'holdBestAvailable' }>;
  send(s, saga, anchor.at, anchor.avoid.length === 0 ? hold : { ...hold, exceptSeats: [...anchor.avoid] }, out);
}

/** Refusals of a named seat that another seat may not meet: taken, in another pool, unknown or unpriced there. */
const seatRefusals: ReadonlySet<string> = new Set(['SEAT_NOT_AVAILABLE', 'SEAT_NOT_IN_CHANNEL', 'SEAT_UNKNOWN', 'TICKET_TYPE_NOT_PRICED_IN_ZONE']);

/**
 * The anchor's seats were refused elsewhere. When every refusal names one of them and tries
 * are left, every hold is released and the anchor moves to the first performance that refused,
 * passing over each seat found taken so far; false when there is no retry to make.
 */
function retryAnchor(s: ProductState, saga: Saga, results: Answered[], refusal: Rejection, out: Outbound[]): boolean {
  const h = saga.making[0];
  const anchor = saga.anchor!;
  if (anchor.tries >= productLimits.sameSeatAnchorTriesMax) return false;
  const taken: string[] = [];
  let next: string | null = null;
  for (const r of results) {
    if (r.result.ok) continue;
    const seat = /^seats\[(\d+)\]$/.exec(r.result.field);
    if (seat === null || !seatRefusals.has(r.result.name)) return false;
    taken.push(h.seats![Number(seat[1])]);
    next ??= r.performanceId;
  }
  for (const seat of taken) if (!anchor.avoid.includes(seat)) anchor.avoid.push(seat);
  anchor.at = next!;
  saga.refusal = refusal;
  saga.phase = 'reanchor';
  for (const [p, holdId] of h.holds) send(s, saga, p, { type: 'releaseHold', holdId, buyerId: h.buyerId }, out);
  return true;
}

function advanceBuy(s: ProductState, saga: Saga, results: Answered[], nowMs: number, out: Outbound[]): void {
  const h = saga.making[0];
  const failed = results.find((r) => !r.result.ok);
  switch (saga.phase) {
    case 'anchor':
    case 'hold': {
      for (const r of results) if (r.result.ok) h.holds.set(r.performanceId, (r.result as HoldAccepted).holdId);
      if (failed !== undefined) {
        const refusal = onPerformance(failed.performanceId, failed.result as Rejection);
        if (saga.phase === 'hold' && saga.anchor !== null && retryAnchor(s, saga, results, refusal, out)) return;
        // A retried anchor with no seats left once the taken ones are passed over: those seats,
        // taken elsewhere, are the reason the purchase is refused.
        const noneLeft = saga.phase === 'anchor' && saga.refusal !== null && (failed.result as Rejection).name === 'NOT_ENOUGH_SEATS';
        return compensateBuy(s, saga, noneLeft ? saga.refusal! : refusal, out);
      }
      if (saga.phase === 'anchor') {
        h.seats = (results[0].result as HoldAccepted).seats;
        saga.phase = 'hold';
        const rest = h.performances.filter((p) => p !== saga.anchor!.at);
        for (const p of rest) send(s, saga, p, holdCommand(s, h, ticketTypeOf(s, saga), p, undefined), out);
        if (rest.length > 0) return;
      }
      saga.phase = 'confirm';
      // In the product's order, whichever performance the seats were picked on: the holding
      // lists its tickets in that order.
      for (const p of h.performances) {
        const holdId = h.holds.get(p);
        if (holdId !== undefined) send(s, saga, p, confirmCommand(holdId, h.buyerId, h.buyerEmail), out);
      }
      return;
    }
    case 'reanchor':
      // Every hold of the refused pick is released (or had expired): pick again.
      h.holds.clear();
      h.seats = null;
      return sendAnchor(s, saga, out);
    case 'confirm': {
      for (const r of results) {
        if (!r.result.ok) continue;
        h.parts.push(partFor(r.performanceId, ticketIdsOf(r.result), (r.result as OrderAccepted | BatchedOrder).totalMinor));
      }
      if (failed !== undefined) {
        // The confirmed holds are orders now: compensation voids their tickets and releases
        // only the holds still open. (A sale that succeeds drops its holds with the saga.)
        for (const r of results) if (r.result.ok) h.holds.delete(r.performanceId);
        return compensateBuy(s, saga, onPerformance(failed.performanceId, failed.result as Rejection), out);
      }
      const holding = keepHolding(s, h, ticketTypeOf(s, saga), nowMs);
      keepCustomers(s, saga, holding);
      if (saga.kind === 'renew') s.renewed.set(h.renewedFrom!, holding.holdingId);
      return finish(s, saga, holding, out);
    }
    case 'undo':
      if (saga.kind === 'renew') s.renewed.delete(h.renewedFrom!);
      noteUndoneVoids(s, saga, results, nowMs);
      return finish(s, saga, saga.refusal!, out);
  }
}

/** A confirm with the buyer's email only when there is one, written out: no spread, no empty object per step. */
function confirmCommand(holdId: string, buyerId: string, buyerEmail: string | null): Sendable {
  if (buyerEmail === null) return { type: 'confirmHold', holdId, buyerId };
  return { type: 'confirmHold', holdId, buyerId, buyerEmail };
}

/** Releases what is held and voids what was confirmed; the outcome is the first refusal. */
function compensateBuy(s: ProductState, saga: Saga, refusal: Rejection, out: Outbound[]): void {
  saga.refusal = refusal;
  saga.phase = 'undo';
  for (const m of saga.making) undoHolding(s, saga, m, out);
  if (saga.wave.length === 0) {
    if (saga.kind === 'renew') s.renewed.delete(saga.making[0].renewedFrom!);
    finish(s, saga, refusal, out);
  }
}

function undoHolding(s: ProductState, saga: Saga, m: MakingHolding, out: Outbound[]): void {
  for (const [p, holdId] of m.holds) send(s, saga, p, { type: 'releaseHold', holdId, buyerId: m.buyerId }, out);
  for (const part of m.parts) for (const ticketId of part.tickets) send(s, saga, part.performanceId, { type: 'voidTicket', ticketId }, out);
}

/** The holding a purchase or renewal made, sold at `ticketType` (ticketTypeOf: the command says it, so a saga restored from a snapshot says it too). */
function keepHolding(s: ProductState, m: MakingHolding, ticketType: string, nowMs: number): Holding {
  const holding = holdingOf({ holdingId: m.holdingId, buyerId: m.buyerId, quantity: m.quantity, seats: m.seats, soldAtMs: nowMs, renewedFrom: m.renewedFrom, ticketType }, m.parts, s.sharedPerformanceIds);
  s.sharedPerformanceIds = holding.performanceIds;
  s.holdings.set(holding.holdingId, holding);
  return holding;
}

/**
 * A purchase's or renewal's customers (customerPerTicket), kept with the holding it made. Checked
 * again from the command rather than carried in the saga: the check passed when the saga started,
 * gives the same list from the same command, and in-flight sagas' snapshots stay as they were.
 */
function keepCustomers(s: ProductState, saga: Saga, holding: Holding): void {
  const given = (saga.command as BuyProduct | RenewHolding).customers;
  if (given === undefined) return;
  const customers = checkCustomers(given, holding.quantity);
  assert(Array.isArray(customers), `customers of ${holding.holdingId} were checked when its sale started`);
  s.customers.set(holding.holdingId, customers as Customer[]);
}

// ---- link a performance later: link, check, allocate, then give every holder a seat on it ----

function advanceLink(s: ProductState, saga: Saga, results: Answered[], nowMs: number, out: Outbound[]): void {
  const target = (saga.command as LinkPerformance).performance;
  const p = target.performanceId;
  switch (saga.phase) {
    case 'link': {
      const r = results[0].result;
      if (!r.ok) return finish(s, saga, onPerformance(p, r as Rejection), out);
      const link = r as LinkAccepted;
      const refusal = checkLinks(s, [...s.links.values(), link]);
      if (refusal !== null) {
        saga.refusal = refusal;
        saga.phase = 'unlink';
        send(s, saga, p, { type: 'unlinkProduct', productId: s.productId }, out);
        return;
      }
      s.links.set(p, link);
      s.performances.push({ ...target });
      saga.phase = 'quota';
      sendQuotas(s, saga, [target], nowMs, out);
      if (saga.wave.length > 0) return;
      return holdForHolders(s, saga, nowMs, out);
    }
    case 'unlink':
      if (results.length > 0 && results[0].result.ok) s.links.delete(p);
      return finish(s, saga, saga.refusal!, out);
    case 'quota': {
      noteReservations(s, results);
      const failed = results.find((r) => !r.result.ok);
      if (failed === undefined) return holdForHolders(s, saga, nowMs, out);
      // The allocation or the renewal reservation cannot be made there (a seat of it is taken):
      // the link is refused, as a product is at creation, and the performance is let go of.
      saga.refusal = onPerformance(p, failed.result as Rejection);
      s.performances = s.performances.filter((q) => q.performanceId !== p);
      saga.phase = 'returnQuota';
      for (const r of results) if (r.result.ok) send(s, saga, p, { type: 'returnQuota', quotaId: (r.command as { quotaId: string }).quotaId }, out);
      if (saga.wave.length > 0) return;
      return unlinkRefused(s, saga, p, out);
    }
    case 'returnQuota': return unlinkRefused(s, saga, p, out);
    case 'hold': {
      for (let i = 0; i < results.length; i++) {
        const m = saga.making[i];
        const r = results[i].result;
        if (r.ok) m.holds.set(p, (r as HoldAccepted).holdId);
        else saga.conflicts.push({ holdingId: m.holdingId, code: (r as Rejection).code, name: (r as Rejection).name });
      }
      saga.phase = 'confirm';
      // The holders paid for their cards or series when they bought them: the performance linked
      // later is part of what they paid for, so its tickets are booked as given, their price all
      // discount, and neither its sales nor the settlement count the card's revenue again.
      for (const m of saga.making) {
        const holdId = m.holds.get(p);
        if (holdId !== undefined) send(s, saga, p, { type: 'confirmHold', holdId, buyerId: m.buyerId, complimentary: true }, out);
      }
      if (saga.wave.length > 0) return;
      return finishLink(s, saga, p, out);
    }
    case 'confirm': {
      const confirming = saga.making.filter((m) => m.holds.has(p));
      for (let i = 0; i < results.length; i++) {
        const m = confirming[i];
        const r = results[i].result;
        if (!r.ok) {
          saga.conflicts.push({ holdingId: m.holdingId, code: (r as Rejection).code, name: (r as Rejection).name });
          continue;
        }
        const order = r as OrderAccepted;
        const holding = s.holdings.get(m.holdingId);
        // Paid nothing for it (the tickets are complimentary, above).
        if (holding !== undefined) s.holdings.set(m.holdingId, withPart(holding, partFor(p, order.tickets.map((t) => t.ticketId), 0)));
      }
      return finishLink(s, saga, p, out);
    }
  }
}

function unlinkRefused(s: ProductState, saga: Saga, p: string, out: Outbound[]): void {
  saga.phase = 'unlink';
  send(s, saga, p, { type: 'unlinkProduct', productId: s.productId }, out);
}

function holdForHolders(s: ProductState, saga: Saga, _nowMs: number, out: Outbound[]): void {
  const p = (saga.command as LinkPerformance).performance.performanceId;
  saga.phase = 'hold';
  for (const h of holdersGivenALink(s)) {
    const m = makingOf(h.holdingId, h.buyerId, null, h.quantity, h.seats, [p], null);
    saga.making.push(m);
    // At the holding's own type: a senior subscriber's ticket there is a senior ticket too.
    send(s, saga, p, holdCommand(s, m, h.ticketType, p, undefined), out);
  }
  if (saga.wave.length === 0) finishLink(s, saga, p, out);
}

/** The holdings a performance linked later is given to: none of pick & mix (a new performance is only a new choice there), and no refunded one (it gave its season back). */
function holdersGivenALink(s: ProductState): Holding[] {
  if (s.def.kind === 'pickMix') return [];
  return [...s.holdings.values()].filter((h) => h.refundedAtMs === null);
}

/** The places holdForHolders takes on a performance linked later. */
function placesOfHolders(s: ProductState): number {
  return holdersGivenALink(s).reduce((n, h) => n + h.quantity, 0);
}

function finishLink(s: ProductState, saga: Saga, p: string, out: Outbound[]): void {
  finish(s, saga, { ok: true, productId: s.productId, performanceId: p, holders: saga.making.length, conflicts: saga.conflicts } as unknown as Result, out);
}

export function makingOf(holdingId: string, buyerId: string, buyerEmail: string | null, quantity: number, seats: string[] | null, performances: string[], renewedFrom: string | null): MakingHolding {
  return { holdingId, buyerId, buyerEmail, quantity, seats, performances, holds: new Map(), parts: [], renewedFrom };
}

// ---- exchange: hold and confirm on the new performance, then void on the old one, all or nothing ----

export function startExchange(s: ProductState, saga: Saga, out: Outbound[]): void {
  const cmd = saga.command as ExchangePerformance;
  const h = s.holdings.get(cmd.holdingId)!;
  const m = makingOf(h.holdingId, h.buyerId, null, h.quantity, s.def.sameSeat === true ? h.seats : null, [cmd.toPerformanceId], null);
  saga.making.push(m);
  saga.phase = 'hold';
  send(s, saga, cmd.toPerformanceId, holdCommand(s, m, ticketTypeOf(s, saga), cmd.toPerformanceId, undefined), out);
}

function advanceExchange(s: ProductState, saga: Saga, results: Answered[], nowMs: number, out: Outbound[]): void {
  const cmd = saga.command as ExchangePerformance;
  const m = saga.making[0];
  const h = s.holdings.get(cmd.holdingId)!;
  const failed = results.find((r) => !r.result.ok);
  switch (saga.phase) {
    case 'hold': {
      if (failed !== undefined) return finish(s, saga, onPerformance(failed.performanceId, failed.result as Rejection), out);
      const holdId = (results[0].result as HoldAccepted).holdId;
      m.holds.set(cmd.toPerformanceId, holdId);
      saga.phase = 'confirm';
      send(s, saga, cmd.toPerformanceId, { type: 'confirmHold', holdId, buyerId: h.buyerId }, out);
      return;
    }
    case 'confirm': {
      if (failed !== undefined) {
        saga.refusal = onPerformance(failed.performanceId, failed.result as Rejection);
        saga.phase = 'undo';
        send(s, saga, cmd.toPerformanceId, { type: 'releaseHold', holdId: m.holds.get(cmd.toPerformanceId)!, buyerId: h.buyerId }, out);
        return;
      }
      const order = results[0].result as OrderAccepted;
      m.holds.delete(cmd.toPerformanceId);
      m.parts.push(partFor(cmd.toPerformanceId, order.tickets.map((t) => t.ticketId), order.totalMinor));
      saga.phase = 'void';
      // One command for all the old tickets, all or nothing: were one of them refused (scanned,
      // listed, resold), voiding the others would take seats from the holder for nothing.
      const old = ticketsOn(h, cmd.fromPerformanceId) ?? [];
      if (old.length > 0) send(s, saga, cmd.fromPerformanceId, { type: 'voidTickets', ticketIds: old }, out);
      if (saga.wave.length > 0) return;
      return swapped(s, saga, h, m, nowMs, out);
    }
    case 'void': {
      if (failed !== undefined) {
        // The old tickets stand, every one of them: the new ones are undone instead. That undo
        // voids ticket by ticket, so that one it may not void leaves the others voided.
        saga.refusal = onPerformance(failed.performanceId, failed.result as Rejection);
        saga.phase = 'undo';
        for (const ticketId of m.parts.find((p) => p.performanceId === cmd.toPerformanceId)?.tickets ?? []) send(s, saga, cmd.toPerformanceId, { type: 'voidTicket', ticketId }, out);
        return;
      }
      // A renewed holding's seats came from the renewal reservation, and a voided ticket's seat
      // goes back where it came from. Once the renewal is closed that reservation sells to no
      // one: what the holder gave up goes back on sale, by itself where closeRenewal closed the
      // reservation, else (a renewal closed by an older engine) returned here.
      if (h.renewedFrom !== null && s.renewalClosed && !s.renewalQuotaClosed && s.def.renewal !== undefined) {
        saga.phase = 'returnSeats';
        const quotaId = renewalQuotaId(s.productId);
        send(s, saga, cmd.fromPerformanceId, h.seats !== null ? { type: 'returnQuota', quotaId, seats: h.seats } : { type: 'returnQuota', quotaId, count: h.quantity }, out);
        return;
      }
      return swapped(s, saga, h, m, nowMs, out);
    }
    // What the reservation does not take back (not there, or not free) stays as it is.
    case 'returnSeats': return swapped(s, saga, h, m, nowMs, out);
    case 'undo':
      noteUndoneVoids(s, saga, results, nowMs);
      return finish(s, saga, saga.refusal!, out);
  }
}

function swapped(s: ProductState, saga: Saga, h: Holding, m: MakingHolding, nowMs: number, out: Outbound[]): void {
  const cmd = saga.command as ExchangePerformance;
  const to = m.parts.find((p) => p.performanceId === cmd.toPerformanceId)!;
  const swappedHolding = exchangedHolding(h, cmd.fromPerformanceId, to, s.def.payout, endsAtOf(s), nowMs);
  s.holdings.set(h.holdingId, swappedHolding);
  // The price difference is settled at the box office (PRODUCTS.md "Exchanges"): the answer says
  // how much, since the holding it carries no longer shows the part given up.
  const oldPaidMinor = paidForMinor(h, [cmd.fromPerformanceId]);
  const exchange = { fromPerformanceId: cmd.fromPerformanceId, toPerformanceId: cmd.toPerformanceId, oldPaidMinor, newPaidMinor: to.paidMinor, differenceMinor: to.paidMinor - oldPaidMinor };
  finish(s, saga, { ...holdingResult(s, swappedHolding), exchange } as unknown as Result, out);
}

// ---- resale channels: replaced on every linked performance, or on none ----

/** The channels the product's seats may be listed on now: those set last, else those it was created with. */
function resaleChannelsOf(s: ProductState): string[] {
  return s.resaleChannels ?? s.def.resale?.channels ?? [];
}

/** One wave: every linked performance (exchangeable ones too: an exchange sells there) takes the new channels. */
export function startResale(s: ProductState, saga: Saga, out: Outbound[]): void {
  const channels = (saga.command as SetResaleChannels).channels;
  saga.phase = 'set';
  for (const p of s.links.keys()) send(s, saga, p, { type: 'setProductResale', productId: s.productId, channels: [...channels] }, out);
  if (saga.wave.length === 0) resaleSet(s, saga, out);
}

function advanceResale(s: ProductState, saga: Saga, results: Answered[], out: Outbound[]): void {
  if (saga.phase === 'set') {
    const failed = results.find((r) => !r.result.ok);
    if (failed === undefined) return resaleSet(s, saga, out);
    // All or nothing (DOMAIN §7): the performances that took the new channels get back the
    // ones they had, which each accepted before (at its link, or the last time they were set).
    saga.refusal = onPerformance(failed.performanceId, failed.result as Rejection);
    saga.phase = 'undo';
    const before = resaleChannelsOf(s);
    for (const r of results) if (r.result.ok) send(s, saga, r.performanceId, { type: 'setProductResale', productId: s.productId, channels: [...before] }, out);
    if (saga.wave.length > 0) return;
  }
  finish(s, saga, saga.refusal!, out);
}

function resaleSet(s: ProductState, saga: Saga, out: Outbound[]): void {
  const channels = (saga.command as SetResaleChannels).channels;
  s.resaleChannels = [...channels];
  finish(s, saga, resaleOutcome(s, channels), out);
}

/** What setResaleChannels answers once every performance has the channels. */
export function resaleOutcome(s: ProductState, channels: string[]): Result {
  return { ok: true, productId: s.productId, channels: [...channels] } as unknown as Result;
}

// ---- refund: void the holding's tickets on each performance not yet started, book them back ----

/** The performances of the holding a refund at `nowMs` takes back: those not yet started. */
export function unplayedParts(s: ProductState, h: Holding, nowMs: number): string[] {
  const all = knownPerformances(s);
  return h.performanceIds.filter((p) => (all.find((q) => q.performanceId === p)?.startsAtMs ?? 0) > nowMs);
}

/**
 * One wave: the holding's tickets on each performance not yet started are voided, one command
 * per performance, all or nothing there (voidTickets): with several places, one of them resold
 * or scanned keeps the whole part, so a part is refunded whole or not at all.
 */
export function startRefund(s: ProductState, saga: Saga, out: Outbound[]): void {
  const h = s.holdings.get((saga.command as RefundHolding).holdingId)!;
  saga.phase = 'void';
  for (const p of unplayedParts(s, h, saga.atMs)) send(s, saga, p, { type: 'voidTickets', ticketIds: ticketsOn(h, p)! }, out);
}

/**
 * Answers that say nothing of the tickets: the performance's actor failed on the void (it was
 * rebuilt without it), or the runtime no longer keeps the answer of a void it applied. The void
 * is sent again; TICKET_VOID then says the first one went through.
 */
const voidSaidNothing: ReadonlySet<number> = new Set([Code.ACTOR_FAILED, Code.COMMAND_ALREADY_APPLIED]);

function voidsSentTo(saga: Saga, performanceId: string): number {
  let n = 0;
  for (const step of saga.steps) if (step.performanceId === performanceId && step.command.type === 'voidTickets') n++;
  return n;
}

/** Per performance, the last answer to the refund's voids there, in the holding's order. */
function lastVoidAnswers(saga: Saga): Map<string, Result> {
  const last = new Map<string, Result>();
  for (const step of saga.steps) if (step.result !== null && step.command.type === 'voidTickets') last.set(step.performanceId, step.result);
  return last;
}

/** A part whose tickets are void now: this refund's void went through, or an earlier try of it did. */
const voided = (r: Result): boolean => r.ok || r.code === Code.TICKET_VOID;

function advanceRefund(s: ProductState, saga: Saga, results: Answered[], nowMs: number, out: Outbound[]): void {
  const h = s.holdings.get((saga.command as RefundHolding).holdingId)!;
  if (saga.phase === 'void') {
    for (const r of results) {
      if (r.result.ok || !voidSaidNothing.has(r.result.code) || voidsSentTo(saga, r.performanceId) >= productLimits.refundVoidTriesMax) continue;
      send(s, saga, r.performanceId, { type: 'voidTickets', ticketIds: [...(r.command as VoidTickets).ticketIds] }, out);
    }
    if (saga.wave.length > 0) return;
    const answers = lastVoidAnswers(saga);
    const refunded = [...answers].filter(([, r]) => voided(r)).map(([p]) => p);
    if (refunded.length === 0) {
      // Nothing was voided: the holding stands as it was, and the answer is the first refusal.
      const [p, r] = answers.entries().next().value!;
      return finish(s, saga, onPerformance(p, r as Rejection), out);
    }
    // A renewed holding's seats came from the renewal reservation, and a voided ticket's seat
    // goes back where it came from: where an older engine closed the renewal without closing
    // the reservation, the seats are returned from it here, as an exchange does.
    if (h.renewedFrom !== null && s.renewalClosed && !s.renewalQuotaClosed && s.def.renewal !== undefined) {
      saga.phase = 'returnSeats';
      const quotaId = renewalQuotaId(s.productId);
      for (const p of refunded) send(s, saga, p, h.seats !== null ? { type: 'returnQuota', quotaId, seats: h.seats } : { type: 'returnQuota', quotaId, count: h.quantity }, out);
      return;
    }
  }
  // 'returnSeats': what the reservation does not take back stays as it is.
  refundDone(s, saga, h, nowMs, out);
}

/** The holding without its refunded parts, their revenue booked back at `nowMs` (holdings.ts refundedHolding). */
function refundDone(s: ProductState, saga: Saga, h: Holding, nowMs: number, out: Outbound[]): void {
  const refunded: string[] = [];
  const kept: { performanceId: string; code: number; name: string }[] = [];
  for (const [p, r] of lastVoidAnswers(saga)) {
    if (voided(r)) refunded.push(p);
    else kept.push({ performanceId: p, code: (r as Rejection).code, name: (r as Rejection).name });
  }
  const refundedMinor = paidForMinor(h, refunded);
  s.holdings.set(h.holdingId, refundedHolding(h, refunded, s.def.payout, endsAtOf(s), nowMs));
  finish(s, saga, { ok: true, productId: s.productId, holdingId: h.holdingId, refundedMinor, performances: refunded, kept } as unknown as Result, out);
}
