// The coordinator's transition function: (state, command, time) → (result, actions). Pure: the
// runtime journals the command, runs this, sends what `out` asks for and reports each step's
// result back as a `stepResult` command. A client command that starts a saga is answered
// `pending` at once and finally by a `done` action; its retry joins the saga or gets the outcome.
import { Code, reject, type Rejection } from '../codes.ts';
import { isId, isInt, needEmail, needId, shown, unkeepable } from '../checks.ts';
import { samePayload } from '../dedupe.ts';
import type { Result } from '../results.ts';
import { limits } from '../limits.ts';
import type { BuyProduct, CloseRenewal, ExchangePerformance, LinkPerformance, ProductCommand, RefundHolding, RenewHolding, SetResaleChannels, StepResult, TickProduct } from './commands.ts';
import { customersFor, nameCustomers } from './customers.ts';
import { knownPerformances, outcomeResult } from './holdings.ts';
import type { Outbound, SagaPending } from './outbound.ts';
import { advance, flushSteps, makingOf, rememberOutcome, renewalQuotaId, resaleOutcome, salesInFlight, send, startBuy, startCreate, startExchange, startLink, startRefund, startResale, unplayedParts } from './sagas.ts';
import { waveAnswered } from './couriers.ts';
import { dueStranded, strandedDueAtMs } from './stranded.ts';
import { checkCreateProduct, distinctIds } from './validate.ts';
import { newProductState, offeredTicketTypes, picksBounds, productLimits, type ProductState, type Saga, type SagaKind } from './state.ts';

export interface ProductOutput {
  /** The product's state after the command (a createProduct makes it). */
  state: ProductState | null;
  result: Result | SagaPending;
  out: Outbound[];
}

const OK_IGNORED: Result = Object.freeze({ ok: true }) as Result;

export function executeProduct(state: ProductState | null, cmd: ProductCommand, nowMs: number): ProductOutput {
  const output = executeProductCommand(state, cmd, nowMs);
  // What the command's sagas queued for the couriers goes once the command is done: a command
  // that starts many steps to one performance sends them as one batch (couriers.ts).
  if (output.state !== null && output.state.couriers.size > 0) flushSteps(output.state, output.out);
  return output;
}

function executeProductCommand(state: ProductState | null, cmd: ProductCommand, nowMs: number): ProductOutput {
  const out: Outbound[] = [];
  if (typeof cmd !== 'object' || cmd === null || !isId(cmd.commandId)) return { state, result: reject('COMMAND_INVALID', 'commandId', 'a command is an object with a commandId'), out };
  // As a performance's envelope (execute.ts): what a product keeps must come back from its
  // snapshot exactly. A step's result comes from a performance, which kept it.
  const unkept = cmd.type === 'stepResult' ? null : unkeepable(cmd);
  if (unkept !== null) return { state, result: unkept, out };
  if (state === null) {
    if (cmd.type !== 'createProduct') return { state, result: reject('PRODUCT_UNKNOWN', 'productId', 'no such product'), out };
    const def = checkCreateProduct(cmd);
    if (!('type' in def)) return { state, result: def, out };
    const s = newProductState(def, nowMs);
    const saga = open(s, 'create', cmd, nowMs);
    startCreate(s, saga, out);
    return { state: s, result: pending(s, saga), out };
  }
  if (cmd.type === 'stepResult') return { state, result: stepResult(state, cmd, nowMs, out), out };
  if (cmd.type === 'tickProduct') return { state, result: tickProduct(state, cmd, nowMs, out), out };
  // A retry: the saga still running is joined, a finished one answers its outcome again.
  const running = state.running.get(cmd.commandId);
  const finished = state.finished.get(cmd.commandId) ?? state.finishedOld.get(cmd.commandId);
  const prior = running !== undefined ? state.sagas.get(running)!.command : finished?.command;
  if (prior !== undefined) {
    if (!samePayload(prior, cmd)) return { state, result: reject('COMMAND_ID_REUSED', 'commandId', `command id ${cmd.commandId} was used for another command`), out };
    return { state, result: running !== undefined ? pending(state, state.sagas.get(running)!) : outcomeResult(state, finished!.outcome), out };
  }
  if (!isInt(nowMs, 0, Number.MAX_SAFE_INTEGER) || nowMs < state.lastNowMs) return { state, result: reject('TIME_REGRESSED', '', `time ${nowMs} is before the product's last command at ${state.lastNowMs}`), out };
  state.lastNowMs = nowMs;
  settleRenewal(state, nowMs);
  const result = dispatch(state, cmd, nowMs, out);
  // A refusal answered at once is kept like a saga's outcome: its retry gets it again, and the
  // same id with another payload COMMAND_ID_REUSED. Not the ones that say nothing of the command
  // (as the runtime's) nor those that say "not now" (a retry may go through once the sagas in
  // flight are done).
  if (!result.ok && !notRemembered.has(result.code)) rememberOutcome(state, cmd, result);
  return { state, result, out };
}

const notRemembered: ReadonlySet<number> = new Set([Code.COMMAND_INVALID, Code.TIME_REGRESSED, Code.PRODUCT_BUSY, Code.HOLDINGS_LIMIT_REACHED, Code.RENEWAL_STILL_OPEN]);

/**
 * Past the renewal window's end, with no renewal still in flight, the renewal is closed: its
 * reservations on the performances closed by themselves at the end (createQuota closesAtMs), so
 * nothing is left to send, and the product's own sale may start. Renewals started inside the
 * window finish first (buy answers RENEWAL_STILL_OPEN meanwhile, past the window's end). A product whose reservations an
 * older engine made waits for closeRenewal instead.
 */
function settleRenewal(s: ProductState, nowMs: number): void {
  if (nowMs < renewalDueAtMs(s) || renewalsInFlight(s)) return;
  s.renewalClosed = true;
  s.renewalQuotaClosed = true;
}

/**
 * Time passes: what is due by `nowMs` happens (the renewal closes; stranded tickets' voids are
 * tried again, by a saga of the tick's own: stranded.ts). A tick from the past changes nothing.
 */
function tickProduct(s: ProductState, cmd: TickProduct, nowMs: number, out: Outbound[]): Result {
  if (!isInt(nowMs, 0, Number.MAX_SAFE_INTEGER) || nowMs < s.lastNowMs) return OK_IGNORED;
  s.lastNowMs = nowMs;
  settleRenewal(s, nowMs);
  if (strandedDueAtMs(s) <= nowMs) startRevoid(s, cmd, nowMs, out);
  return OK_IGNORED;
}

/** One wave of voids for the stranded tickets due (stranded.ts). */
function startRevoid(s: ProductState, cmd: TickProduct, nowMs: number, out: Outbound[]): void {
  const saga = open(s, 'revoid', cmd, nowMs);
  saga.phase = 'void';
  for (const t of dueStranded(s, nowMs)) send(s, saga, t.performanceId, { type: 'voidTicket', ticketId: t.ticketId }, out);
}

/**
 * When something next falls due on the product with no command sent to it (the runtime ticks it
 * then): the end of a renewal window it closes by itself, or a stranded ticket's next void;
 * Infinity when nothing will.
 */
export function productNextDueAtMs(s: ProductState): number {
  return Math.min(renewalDueAtMs(s), strandedDueAtMs(s));
}

function renewalDueAtMs(s: ProductState): number {
  const renewal = s.def.renewal;
  return renewal !== undefined && !s.renewalClosed && s.renewalClosesItself ? renewal.windowEndMs : Infinity;
}

function renewalsInFlight(s: ProductState): boolean {
  for (const saga of s.sagas.values()) if (saga.kind === 'renew') return true;
  return false;
}

/** A link runs alone: no sale starts while one waits or runs (sagas.ts, salesInFlight). */
function linkInFlight(s: ProductState): Rejection | null {
  return s.linkSaga === null ? null : reject('PRODUCT_BUSY', '', `a performance is being linked to product ${s.productId}; retry when it is done`);
}

/**
 * The ids a command about one holding names, each an id (COMMAND_INVALID, not remembered): a
 * number or a missing one was looked up and answered HOLDING_UNKNOWN or HOLDING_NOT_OWNED
 * ("undefined does not hold ..."), which say the id was read (session 32).
 */
const holdingCommandIds: Partial<Record<ProductCommand['type'], readonly string[]>> = {
  renewHolding: ['previousHoldingId', 'buyerId'],
  exchangePerformance: ['holdingId', 'buyerId'],
  refundHolding: ['holdingId'],
};

function dispatch(s: ProductState, cmd: ProductCommand, nowMs: number, out: Outbound[]): Result | SagaPending {
  for (const field of holdingCommandIds[cmd.type] ?? []) {
    const bad = needId((cmd as unknown as Record<string, unknown>)[field], field);
    if (bad !== null) return bad;
  }
  switch (cmd.type) {
    case 'createProduct': return reject('PRODUCT_EXISTS', 'productId', `product ${s.productId} already exists`);
    case 'buyProduct': return buy(s, cmd, nowMs, out);
    case 'renewHolding': return renew(s, cmd, nowMs, out);
    case 'nameCustomers': {
      // Answered at once, and remembered like a saga's outcome (refusals are, below).
      const result = nameCustomers(s, cmd, nowMs);
      if (result.ok) rememberOutcome(s, cmd, result);
      return result;
    }
    case 'closeRenewal': return closeRenewal(s, cmd, nowMs, out);
    case 'linkPerformance': return linkPerformance(s, cmd, nowMs, out);
    case 'exchangePerformance': return exchange(s, cmd, nowMs, out);
    case 'refundHolding': return refund(s, cmd, nowMs, out);
    case 'setResaleChannels': return setResaleChannels(s, cmd, nowMs, out);
    default: return reject('COMMAND_UNKNOWN', 'type', `unknown product command ${shown((cmd as { type?: unknown }).type)}`);
  }
}

function open(s: ProductState, kind: SagaKind, command: ProductCommand, nowMs: number): Saga {
  const saga: Saga = { saga: s.nextSaga++, kind, command, atMs: nowMs, phase: '', steps: [], wave: [], making: [], refusal: null, conflicts: [], anchor: null };
  s.sagas.set(saga.saga, saga);
  // A revoid saga is the ticker's: no client's retry joins it.
  if (kind === 'revoid') s.revoidSaga = saga.saga;
  else s.running.set(command.commandId, saga.saga);
  if (kind === 'link') s.linkSaga = saga.saga;
  return saga;
}

function pending(s: ProductState, saga: Saga): SagaPending {
  return { ok: true, pending: true, productId: s.productId, saga: saga.saga };
}

function stepResult(s: ProductState, cmd: StepResult, nowMs: number, out: Outbound[]): Result {
  const saga = s.sagas.get(cmd.saga);
  // A late or repeated report (the step was re-sent after a restart) changes nothing.
  if (saga === undefined || !isInt(cmd.step, 0, saga.steps.length - 1)) return OK_IGNORED;
  const step = saga.steps[cmd.step];
  if (step.result !== null || typeof cmd.result !== 'object' || cmd.result === null) return OK_IGNORED;
  step.result = cmd.result;
  if (nowMs > s.lastNowMs) s.lastNowMs = nowMs;
  if (waveAnswered(saga)) advance(s, saga, nowMs, out);
  return OK_IGNORED;
}


/** Every step sent and not yet answered, for the runtime to send again after a restart. */
export function pendingSteps(s: ProductState): Outbound[] {
  const out: Outbound[] = [];
  for (const saga of s.sagas.values()) {
    for (const i of saga.wave) {
      const step = saga.steps[i];
      // A courier's step is answered through its batch, which is a step of its own.
      if (step.result === null && step.batched !== true) out.push({ t: 'send', to: step.performanceId, command: step.command, saga: saga.saga, step: i });
    }
  }
  return out;
}

function canStart(s: ProductState): Rejection | null {
  if (s.status !== 'active') return reject('PRODUCT_NOT_ACTIVE', '', s.status === 'refused' ? `product ${s.productId} was refused: ${s.refusal?.message ?? ''}` : `product ${s.productId} is still being linked`);
  if (s.sagas.size >= productLimits.sagasInFlightMax) return reject('HOLDINGS_LIMIT_REACHED', '', `${productLimits.sagasInFlightMax} sales of product ${s.productId} are in flight`);
  if (s.holdings.size + s.sagas.size >= productLimits.holdingsPerProductMax) return reject('HOLDINGS_LIMIT_REACHED', '', `product ${s.productId} has ${productLimits.holdingsPerProductMax} holdings`);
  return null;
}

/** Whether `seats` is `quantity` seat ids, all different. */
function oneSeatPerPlace(seats: unknown, quantity: number): boolean {
  return Array.isArray(seats) && seats.length === quantity && seats.every(isId) && new Set(seats).size === quantity;
}

/**
 * buyProduct.seatsByPerformance: on a numbered product without the same seat, for some of the
 * purchase's own performances, `quantity` different seat ids each. Whether the seats are free is
 * each performance's to say, as for any hold (the refusal names it: `S3:seats[0]`).
 */
function checkSeatsByPerformance(s: ProductState, chosen: unknown, quantity: number, performances: readonly string[]): Rejection | null {
  if (chosen === undefined) return null;
  const field = 'seatsByPerformance';
  if (typeof chosen !== 'object' || chosen === null || Array.isArray(chosen)) return reject('COMMAND_INVALID', field, 'seatsByPerformance maps performance ids to seat ids');
  if (s.def.sameSeat === true) return reject('COMMAND_INVALID', field, 'a same-seat product takes the same seats everywhere: give them as seats');
  if (s.def.gaAreaId !== undefined) return reject('COMMAND_INVALID', field, 'an unnumbered product sells places, not seats');
  for (const [p, seats] of Object.entries(chosen as Record<string, unknown>)) {
    if (!performances.includes(p)) return reject('PRODUCT_PICKS_INVALID', `${field}.${p}`, `${p} is not one of the purchase's performances`);
    if (!oneSeatPerPlace(seats, quantity)) return reject('PRODUCT_QUANTITY_INVALID', `${field}.${p}`, `one different seat id per place: ${quantity}`);
  }
  return null;
}

/** The performances a product was made with (performances linked later not counted). */
const performancesMadeWith = (s: ProductState): number => s.def.performances.length;

/** The performances a purchase takes, in the product's order, or the refusal. */
function chosenPerformances(s: ProductState, cmd: { picks?: string[] }, nowMs: number): string[] | Rejection {
  const unplayed = s.performances.filter((p) => p.startsAtMs > nowMs).map((p) => p.performanceId);
  const [min, max] = picksBounds(s);
  if (unplayed.length < min) return reject('PRODUCT_TOO_FEW_LEFT', '', `${unplayed.length} performances are still to be played, fewer than the minimum of ${min}`);
  if (cmd.picks === undefined) {
    if (s.def.kind === 'pickMix') return reject('PRODUCT_PICKS_INVALID', 'picks', 'a pick & mix purchase lists its performances');
    // A series made with a max below its performances is bought by picks: without them a
    // purchase took every one still to be played, past max (until session 30). (A max that was
    // the series' whole count when it was made is no cap on performances linked later.)
    if ((s.def.max ?? performancesMadeWith(s)) < performancesMadeWith(s) && unplayed.length > max) return reject('PRODUCT_PICKS_INVALID', 'picks', `${unplayed.length} performances are still to be played, more than the ${max} a purchase of ${s.productId} takes: list picks (${min} to ${max})`);
    return unplayed;
  }
  if (s.def.kind === 'seasonCard') return reject('PRODUCT_PICKS_INVALID', 'picks', 'a season card takes all of its performances');
  if (!Array.isArray(cmd.picks) || cmd.picks.length < min || cmd.picks.length > max) return reject('PRODUCT_PICKS_INVALID', 'picks', `pick from ${min} to ${max} performances`);
  for (let i = 0; i < cmd.picks.length; i++) {
    const p = cmd.picks[i];
    if (cmd.picks.indexOf(p) !== i) return reject('PRODUCT_PICKS_INVALID', `picks[${i}]`, `performance ${shown(p)} is picked twice`);
    if (!s.links.has(p) || !s.performances.some((q) => q.performanceId === p)) return reject('PRODUCT_PICKS_INVALID', `picks[${i}]`, `performance ${shown(p)} is not in product ${s.productId}`);
    if (!unplayed.includes(p)) return reject('PRODUCT_PICKS_INVALID', `picks[${i}]`, `performance ${p} has already been played`);
  }
  for (const r of s.def.required ?? []) {
    if (!cmd.picks.includes(r) && unplayed.includes(r)) return reject('PRODUCT_PICKS_INVALID', 'picks', `performance ${r} is required in every purchase`);
  }
  return unplayed.filter((p) => cmd.picks!.includes(p));
}

function buy(s: ProductState, cmd: BuyProduct, nowMs: number, out: Outbound[]): Result | SagaPending {
  const refusal = canStart(s) ?? linkInFlight(s);
  if (refusal !== null) return refusal;
  if (!s.renewalClosed) {
    // Inside the window the product is not on sale yet (its sale starts at the window's end or
    // later, validate.ts): that is the answer, and it stands; past the end, the renewals still
    // in flight hold the sale back for a moment, and a retry goes through.
    const windowEndMs = s.def.renewal?.windowEndMs ?? 0;
    if (nowMs < windowEndMs) return reject('PRODUCT_SALE_CLOSED', '', `product ${s.productId} is not on sale during its renewal window, which ends at ${windowEndMs}`);
    return reject('RENEWAL_STILL_OPEN', '', s.renewalClosesItself ? 'renewals started in the window are still in flight; retry when they are done' : 'the product\'s renewal must be closed (closeRenewal) before it goes on sale');
  }
  const flagged = flaggedBuyer(s, cmd.buyerFlags);
  if (typeof flagged !== 'boolean') return flagged;
  const flags = s.def.customerFlags;
  const saleStartMs = flagged ? (flags?.saleStartMs ?? s.def.saleStartMs) : s.def.saleStartMs;
  if (nowMs < saleStartMs || nowMs >= s.def.saleEndMs) return reject('PRODUCT_SALE_CLOSED', '', `product ${s.productId} is on sale from ${saleStartMs} to ${s.def.saleEndMs}`);
  if (flags?.only === true && !flagged) return reject('PRODUCT_FLAG_REQUIRED', 'buyerFlags', `product ${s.productId} is sold only to buyers flagged ${flags.flags.join(' or ')}`);
  if (!isId(cmd.buyerId)) return reject('COMMAND_INVALID', 'buyerId', 'buyerId must be an id');
  // Checked here as each performance's confirm would check them: refused there, a sale started,
  // held seats everywhere, was undone, and its refusal was kept for retries (session 30).
  const bad = needEmail(cmd.buyerEmail, 'buyerEmail') ?? filterRefusal(cmd.filter);
  if (bad !== null) return bad;
  const notOffered = checkTicketType(s, cmd.ticketType);
  if (notOffered !== null) return notOffered;
  const quantity = cmd.quantity ?? (Array.isArray(cmd.seats) ? cmd.seats.length : 1);
  if (!isInt(quantity, s.def.perPurchaseMin ?? 1, s.def.perPurchaseMax ?? 1)) return reject('PRODUCT_QUANTITY_INVALID', 'quantity', `from ${s.def.perPurchaseMin} to ${s.def.perPurchaseMax} per purchase`);
  if ((cmd.seats !== undefined || cmd.seatsByPerformance !== undefined) && s.def.seatChoice === false) {
    return reject('PRODUCT_SEAT_CHOICE_OFF', cmd.seats !== undefined ? 'seats' : 'seatsByPerformance', `product ${s.productId} sells best available only: its buyers do not choose seats`);
  }
  if (cmd.seats !== undefined) {
    if (s.def.sameSeat !== true) return reject('COMMAND_INVALID', 'seats', 'seats are chosen only for same-seat products; others take best available');
    if (s.def.gaAreaId !== undefined) return reject('COMMAND_INVALID', 'seats', 'an unnumbered product sells places, not seats');
    // A seat twice is refused here, before the sale starts, as in seatsByPerformance: found by
    // the performances (SEATS_DUPLICATED), it used up a holding id and its refusal was kept, so a
    // corrected retry under the same id got COMMAND_ID_REUSED (session 32).
    if (!oneSeatPerPlace(cmd.seats, quantity)) return reject('PRODUCT_QUANTITY_INVALID', 'seats', `one different seat id per place: ${quantity}`);
  }
  const customers = customersFor(s, cmd.customers, quantity);
  if (customers !== null && !Array.isArray(customers)) return customers;
  const performances = chosenPerformances(s, cmd, nowMs);
  if (!Array.isArray(performances)) return performances;
  const badChoice = checkSeatsByPerformance(s, cmd.seatsByPerformance, quantity, performances);
  if (badChoice !== null) return badChoice;
  const saga = open(s, 'buy', cmd, nowMs);
  const holdingId = `${s.productId}-H${s.nextHolding++}`;
  saga.making.push(makingOf(holdingId, cmd.buyerId, cmd.buyerEmail ?? null, quantity, cmd.seats === undefined ? null : [...cmd.seats], performances, null));
  startBuy(s, saga, out);
  return pending(s, saga);
}

/**
 * A best-available filter's shape, as a performance's holdBestAvailable checks it: an object
 * whose zone and section are ids and whose accessible is true or false. Whether the zone and the
 * section are in a performance's layout is that performance's to say.
 */
function filterRefusal(filter: unknown): Rejection | null {
  if (filter === undefined) return null;
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) return reject('COMMAND_INVALID', 'filter', 'filter must be an object');
  const f = filter as { zone?: unknown; section?: unknown; accessible?: unknown };
  if (f.zone !== undefined && !isId(f.zone)) return reject('COMMAND_INVALID', 'filter.zone', 'filter.zone must be a zone id');
  if (f.section !== undefined && !isId(f.section)) return reject('COMMAND_INVALID', 'filter.section', 'filter.section must be a section id');
  if (f.accessible !== undefined && typeof f.accessible !== 'boolean') return reject('COMMAND_INVALID', 'filter.accessible', 'accessible must be true or false');
  return null;
}

/**
 * Whether the buyer carries one of the product's customer flags (seed 002, *Kundeflagg*); false
 * for a product without any. A malformed buyerFlags is refused whatever the product says.
 */
function flaggedBuyer(s: ProductState, buyerFlags: unknown): boolean | Rejection {
  if (buyerFlags === undefined) return false;
  const max = productLimits.customerFlagsMax;
  if (!Array.isArray(buyerFlags) || buyerFlags.length > max || !buyerFlags.every(isId)) return reject('COMMAND_INVALID', 'buyerFlags', `buyerFlags lists at most ${max} flag ids`);
  const flags = s.def.customerFlags?.flags;
  return flags !== undefined && buyerFlags.some((f) => flags.includes(f));
}

/** A purchase's ticket type, when it names one: one the product offers (seed 002, *Billettyper*). */
function checkTicketType(s: ProductState, ticketType: unknown): Rejection | null {
  if (ticketType === undefined) return null;
  if (!isId(ticketType)) return reject('COMMAND_INVALID', 'ticketType', 'ticketType must be a ticket type id');
  const offered = offeredTicketTypes(s.def);
  if (!offered.includes(ticketType)) return reject('PRODUCT_TICKET_TYPE_NOT_OFFERED', 'ticketType', `product ${s.productId} offers ticket types ${offered.join(', ')}, not ${ticketType}`);
  return null;
}

function renew(s: ProductState, cmd: RenewHolding, nowMs: number, out: Outbound[]): Result | SagaPending {
  const refusal = canStart(s) ?? linkInFlight(s);
  if (refusal !== null) return refusal;
  const renewal = s.def.renewal;
  if (renewal === undefined || s.renewalClosed || nowMs < renewal.windowStartMs || nowMs >= renewal.windowEndMs) return reject('RENEWAL_CLOSED', '', `product ${s.productId} has no renewal open now`);
  const holder = s.renewalHolders.get(cmd.previousHoldingId);
  if (holder === undefined) return reject('HOLDING_UNKNOWN', 'previousHoldingId', `${shown(cmd.previousHoldingId)} is not a holding of ${renewal.fromProductId}`);
  if (holder.buyerId !== cmd.buyerId) return reject('HOLDING_NOT_OWNED', 'buyerId', `${shown(cmd.buyerId)} does not hold ${holder.holdingId}`);
  const renewedAs = s.renewed.get(holder.holdingId);
  if (renewedAs !== undefined) {
    // A renewal still in flight may yet fail (its holds expire, a seat is taken): "not now", not
    // kept, as an exchange in flight answers (session 32: RENEWAL_DONE was kept, and a retry
    // after the first renewal failed was still told the holding had been renewed).
    if (!s.holdings.has(renewedAs)) return reject('PRODUCT_BUSY', 'previousHoldingId', `a renewal of ${holder.holdingId} is under way; try again when it has finished`);
    return reject('RENEWAL_DONE', 'previousHoldingId', `${holder.holdingId} was already renewed`);
  }
  const badEmail = needEmail(cmd.buyerEmail, 'buyerEmail');
  if (badEmail !== null) return badEmail;
  const customers = customersFor(s, cmd.customers, holder.seats?.length ?? holder.count!);
  if (customers !== null && !Array.isArray(customers)) return customers;
  // A renewal takes what a purchase would: a pick & mix holder picks again, within the
  // product's bounds and with its required performances; the others take every one still to
  // be played. The reserved seat on a performance not picked goes back on sale when the
  // window closes, as an unrenewed holder's does.
  const performances = chosenPerformances(s, cmd, nowMs);
  if (!Array.isArray(performances)) return performances;
  const saga = open(s, 'renew', cmd, nowMs);
  const holdingId = `${s.productId}-H${s.nextHolding++}`;
  // Marked at once so a second renewal of the same holder is refused while this one runs.
  s.renewed.set(holder.holdingId, holdingId);
  const seats = holder.seats === undefined ? null : [...holder.seats];
  saga.making.push(makingOf(holdingId, holder.buyerId, cmd.buyerEmail ?? null, seats?.length ?? holder.count!, seats, performances, holder.holdingId));
  startBuy(s, saga, out);
  return pending(s, saga);
}

function closeRenewal(s: ProductState, cmd: CloseRenewal, nowMs: number, out: Outbound[]): Result | SagaPending {
  const renewal = s.def.renewal;
  if (s.status !== 'active') return reject('PRODUCT_NOT_ACTIVE', '', `product ${s.productId} is not active`);
  if (renewal === undefined) return reject('RENEWAL_CLOSED', '', `product ${s.productId} has no renewal`);
  if (s.renewalClosed) return reject('RENEWAL_CLOSED', '', s.renewalClosesItself ? `the renewal of ${s.productId} closed by itself at the window's end (${renewal.windowEndMs})` : `the renewal of ${s.productId} is closed`);
  if (nowMs < renewal.windowEndMs) return reject('RENEWAL_STILL_OPEN', '', `the renewal window ends at ${renewal.windowEndMs}`);
  if (renewalsInFlight(s)) return reject('RENEWAL_STILL_OPEN', '', 'renewals are still in flight');
  const linking = linkInFlight(s);
  if (linking !== null) return linking;
  s.renewalClosed = true;
  s.renewalQuotaClosed = true;
  const saga = open(s, 'closeRenewal', cmd, nowMs);
  saga.phase = 'return';
  // Closed as well as returned: a renewed ticket voided later gives its seat back to free sale,
  // not to a reservation nobody sells from any more.
  if (renewal.holders.length > 0) for (const p of s.performances) if (s.links.has(p.performanceId)) send(s, saga, p.performanceId, { type: 'returnQuota', quotaId: renewalQuotaId(s.productId), close: true }, out);
  if (saga.wave.length === 0) advance(s, saga, nowMs, out);
  return s.sagas.has(saga.saga) ? pending(s, saga) : { ok: true };
}

function linkPerformance(s: ProductState, cmd: LinkPerformance, nowMs: number, out: Outbound[]): Result | SagaPending {
  const refusal = canStart(s);
  if (refusal !== null) return refusal;
  const p = cmd.performance;
  if (typeof p !== 'object' || p === null || !isId(p.performanceId) || !isInt(p.startsAtMs, 0, Number.MAX_SAFE_INTEGER) || !isInt(p.endsAtMs, p.startsAtMs, Number.MAX_SAFE_INTEGER)) {
    return reject('PRODUCT_INVALID', 'performance', 'a performance id with its start and end times');
  }
  if (s.links.has(p.performanceId)) return reject('PRODUCT_ALREADY_LINKED', 'performance.performanceId', `${p.performanceId} is already linked to ${s.productId}`);
  if (s.performances.length >= productLimits.performancesPerProductMax) return reject('PRODUCT_INVALID', 'performance', `at most ${productLimits.performancesPerProductMax} performances per product`);
  const linking = linkInFlight(s);
  if (linking !== null) return linking;
  const saga = open(s, 'link', cmd, nowMs);
  // Sales in flight finish first (the last one starts the link, sagas.ts): a holding they make
  // must be among those the link gives the new performance to.
  if (salesInFlight(s) > 0) saga.phase = 'wait';
  else startLink(s, saga, out);
  return pending(s, saga);
}

function exchange(s: ProductState, cmd: ExchangePerformance, nowMs: number, out: Outbound[]): Result | SagaPending {
  // First: the product's terms say no for good (seed 002, *Tillat endringer*), whatever the
  // holding, and whatever passes (a link in flight, a limit) would answer "not now".
  if (s.def.exchanges === false) return reject('EXCHANGES_NOT_ALLOWED', '', `product ${s.productId} does not allow its holders to exchange performances`);
  const refusal = canStart(s) ?? linkInFlight(s);
  if (refusal !== null) return refusal;
  const h = s.holdings.get(cmd.holdingId);
  if (h === undefined) return reject('HOLDING_UNKNOWN', 'holdingId', `${shown(cmd.holdingId)} is not a holding of ${s.productId}`);
  if (h.buyerId !== cmd.buyerId) return reject('HOLDING_NOT_OWNED', 'buyerId', `${shown(cmd.buyerId)} does not hold ${h.holdingId}`);
  if (s.def.kind === 'seasonCard') return reject('EXCHANGE_INVALID', '', 'season cards are not exchanged; subscriptions are');
  if (h.refundedAtMs !== null) return reject('EXCHANGE_INVALID', 'holdingId', `${h.holdingId} was refunded`);
  const refunding = refundInFlight(s, h.holdingId);
  if (refunding !== null) return refunding;
  // While the renewal window is open, the product's renewal reservation holds the seats of the
  // holders who have not renewed yet, and a product's hold may draw on it: an exchange then
  // could take one of those seats. Exchanges open when the renewal closes, as purchases do.
  if (!s.renewalClosed) return reject('RENEWAL_STILL_OPEN', '', `exchanges of ${s.productId} open when its renewal closes`);
  if (h.revenue !== null && h.revenue.exchanges >= productLimits.exchangesPerHoldingMax) return reject('EXCHANGE_INVALID', 'holdingId', `${h.holdingId} was exchanged ${h.revenue.exchanges} times, the most a holding may be`);
  if (!h.performanceIds.includes(cmd.fromPerformanceId)) return reject('EXCHANGE_INVALID', 'fromPerformanceId', `${shown(cmd.fromPerformanceId)} is not in holding ${h.holdingId}`);
  if (h.performanceIds.includes(cmd.toPerformanceId)) return reject('EXCHANGE_INVALID', 'toPerformanceId', `${shown(cmd.toPerformanceId)} is already in holding ${h.holdingId}`);
  const all = knownPerformances(s);
  const from = all.find((p) => p.performanceId === cmd.fromPerformanceId)!;
  const to = all.find((p) => p.performanceId === cmd.toPerformanceId);
  if (to === undefined || !s.links.has(to.performanceId)) return reject('EXCHANGE_INVALID', 'toPerformanceId', `${shown(cmd.toPerformanceId)} is not open to exchanges of ${s.productId}`);
  if (from.startsAtMs <= nowMs || to.startsAtMs <= nowMs) return reject('EXCHANGE_INVALID', from.startsAtMs <= nowMs ? 'fromPerformanceId' : 'toPerformanceId', 'a performance already played cannot be exchanged');
  // A purchase must include every required performance still to be played: an exchange may not
  // make a holding that a purchase would refuse.
  if ((s.def.required ?? []).includes(from.performanceId)) return reject('EXCHANGE_INVALID', 'fromPerformanceId', `${from.performanceId} is required in every ${s.productId} subscription`);
  // Not now (PRODUCT_BUSY, not remembered): a retry goes through once the other one is done.
  const exchanging = exchangeInFlight(s, h.holdingId);
  if (exchanging !== null) return exchanging;
  const saga = open(s, 'exchange', cmd, nowMs);
  startExchange(s, saga, out);
  return pending(s, saga);
}

/**
 * Opens or closes resale on online channels (DOMAIN §6): the channels given replace the
 * product's listing channels on every linked performance (a saga: sagas.ts startResale), and a
 * performance linked later gets them. Checks, in order: the product active (PRODUCT_NOT_ACTIVE);
 * it has a resale policy (RESALE_NOT_ELIGIBLE: fixed-price cards are never resold); `channels` an
 * array of at most limits.channelsPerPerformanceMax channel ids, none twice (PRODUCT_INVALID);
 * no link and no other setResaleChannels in flight (PRODUCT_BUSY, not remembered: a link sends
 * the channels to its performance, and two sets at once could leave performances disagreeing).
 * Each performance checks the channels are its own (CHANNEL_UNKNOWN) and online
 * (RESALE_CHANNEL_NOT_ALLOWED); one refusal undoes the others, and the outcome is that refusal.
 */
function setResaleChannels(s: ProductState, cmd: SetResaleChannels, nowMs: number, out: Outbound[]): Result | SagaPending {
  if (s.status !== 'active') return reject('PRODUCT_NOT_ACTIVE', '', `product ${s.productId} is not active`);
  if (s.def.resale == null) return reject('RESALE_NOT_ELIGIBLE', '', `product ${s.productId} has no resale policy: its seats are never resold`);
  const ids = cmd.channels as unknown;
  if (!Array.isArray(ids)) return reject('PRODUCT_INVALID', 'channels', `channels lists at most ${limits.channelsPerPerformanceMax} channel ids (none: resale closed everywhere)`);
  const badChannel = distinctIds(ids, 'channels', 'channel', limits.channelsPerPerformanceMax);
  if (badChannel !== null) return badChannel;
  const busy = linkInFlight(s) ?? resaleInFlight(s);
  if (busy !== null) return busy;
  const saga = open(s, 'resale', cmd, nowMs);
  startResale(s, saga, out);
  return s.sagas.has(saga.saga) ? pending(s, saga) : resaleOutcome(s, cmd.channels);
}

function resaleInFlight(s: ProductState): Rejection | null {
  for (const saga of s.sagas.values()) if (saga.kind === 'resale') return reject('PRODUCT_BUSY', '', `the resale channels of product ${s.productId} are being set; retry when that is done`);
  return null;
}

/** The saga in flight that changes this holding's parts (an exchange or a refund), if any. */
function holdingSagaInFlight(s: ProductState, holdingId: string, kind: 'exchange' | 'refund'): boolean {
  for (const g of s.sagas.values()) if (g.kind === kind && (g.command as ExchangePerformance | RefundHolding).holdingId === holdingId) return true;
  return false;
}

function refundInFlight(s: ProductState, holdingId: string): Rejection | null {
  return holdingSagaInFlight(s, holdingId, 'refund') ? reject('PRODUCT_BUSY', 'holdingId', `${holdingId} is being refunded; retry when that is done`) : null;
}

function exchangeInFlight(s: ProductState, holdingId: string): Rejection | null {
  return holdingSagaInFlight(s, holdingId, 'exchange') ? reject('PRODUCT_BUSY', 'holdingId', `an exchange of ${holdingId} is in flight; retry when it is done`) : null;
}

/**
 * The organizer refunds a holding (PRODUCTS.md, "Refunds"): its tickets on each performance not
 * yet started are voided (sagas.ts startRefund) and what it paid for them is booked back. Checks,
 * in order: the product active, no link in flight (PRODUCT_BUSY: the link gives the new
 * performance to the holdings there are); the holding (HOLDING_UNKNOWN); `reason`, when given, a
 * short text (COMMAND_INVALID); no exchange or refund of it in flight (PRODUCT_BUSY: each would
 * void or replace the parts the other counts on); a part not yet started (HOLDING_NOT_REFUNDABLE:
 * all played, or refunded already).
 */
function refund(s: ProductState, cmd: RefundHolding, nowMs: number, out: Outbound[]): Result | SagaPending {
  const refusal = canStart(s) ?? linkInFlight(s);
  if (refusal !== null) return refusal;
  const h = s.holdings.get(cmd.holdingId);
  if (h === undefined) return reject('HOLDING_UNKNOWN', 'holdingId', `${shown(cmd.holdingId)} is not a holding of ${s.productId}`);
  if (cmd.reason !== undefined && (typeof cmd.reason !== 'string' || cmd.reason.length > productLimits.refundReasonLengthMax)) {
    return reject('COMMAND_INVALID', 'reason', `reason is a text of at most ${productLimits.refundReasonLengthMax} characters`);
  }
  const busy = refundInFlight(s, h.holdingId);
  if (busy !== null) return busy;
  const exchanging = exchangeInFlight(s, h.holdingId);
  if (exchanging !== null) return exchanging;
  if (unplayedParts(s, h, nowMs).length === 0) {
    return reject('HOLDING_NOT_REFUNDABLE', 'holdingId', h.refundedAtMs !== null
      ? `${h.holdingId} was refunded: it has no part left on a performance not yet started`
      : `every performance of ${h.holdingId} has started: the parts played stay paid`);
  }
  const saga = open(s, 'refund', cmd, nowMs);
  startRefund(s, saga, out);
  return pending(s, saga);
}
