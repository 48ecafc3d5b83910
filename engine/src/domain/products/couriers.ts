// Couriers: a coordinator's steps to one performance, carried in binary batches. A sale's holds
// of explicit seats, and the confirms and releases of those holds, are the steps a season-card
// on-sale is made of: ten holds, ten confirms and twenty reports per card. Sent one by one, each
// is a command with an id the performance remembers, a result object and a report to the
// coordinator (bench/RESULTS.md, session 26). A courier queues them instead, per performance,
// and sends them as one `commandBatch` of named records (binary-named.ts) in a client session of
// the product's own on that performance: as a TigerBeetle client, one request in flight per
// session, the next one made of every step queued while it was away. So batches grow with the
// load by themselves, and a batch re-sent after a restart is answered from the session (its
// last request and reply), never applied twice.
//
// The sagas do not know: `send` hands a batchable step to its courier, and the batch's reply is
// made into each step's result, in the step's own terms (a HoldAccepted, a BatchedOrder, DONE
// or a rejection), before the sagas whose waves are answered move on. What is not batchable (a
// best-available pick, GA, quotas, voids, links) is sent as a command of its own, as before.
import { BinaryOp, COMMAND_WORDS, REPLY_WORDS } from '../binary.ts';
import { NAMED_SEATS_MAX, NamedWord, NO_STRING } from '../binary-named.ts';
import { Code, codeName, reject, type Rejection } from '../codes.ts';
import type { Command, ConfirmHold, ReleaseHold } from '../commands.ts';
import { seatRefusalMessage } from '../seats.ts';
import { binaryHoldId, BINARY_ID_MARK, parseBinaryHoldId } from '../hold-record.ts';
import { limits } from '../limits.ts';
import { DONE, type BatchAnswered, type HoldAccepted, type OrderAccepted, type Result, type SessionOpened } from '../results.ts';
import { ticketIdOf } from '../tickets.ts';
import { aligned } from '../typed-arrays.ts';
import { stepCommandId, type Outbound } from './outbound.ts';
import type { BatchedOrder, Courier, ProductState, Saga, Step, StepOutcome } from './state.ts';

/** Courier.sessionNo before the session is opened, and when the performance refused one (its steps then go one by one). */
export const SESSION_NONE = -1;
export const SESSION_REFUSED = -2;

/** Codes that say the session and the courier disagree (a performance rebuilt without it): the courier opens it again. */
const sessionLost: ReadonlySet<number> = new Set([Code.SESSION_UNKNOWN, Code.REQUEST_OUT_OF_ORDER, Code.REQUEST_TOO_OLD, Code.REQUEST_REUSED]);

type Send = (s: ProductState, saga: Saga, to: string, command: Command, out: Outbound[]) => void;
type Advance = (s: ProductState, saga: Saga, nowMs: number, out: Outbound[]) => void;

/**
 * Whether a courier carries this step of this saga: a purchase's hold of explicit seats (at most
 * NAMED_SEATS_MAX, a record's room), and the confirm or release of a hold a courier made (named
 * `#slot.binaryNo`): the steps of an on-sale's rush. Other sagas' steps go as commands of their
 * own: renewals (a window for last season's holders, not a rush), exchanges, links, refunds.
 */
export function batchable(saga: Saga, command: Command): boolean {
  if (saga.kind !== 'buy') return false;
  if (command.type === 'holdSeats') return command.seats !== undefined && command.seats.length <= NAMED_SEATS_MAX && command.seatNos === undefined && command.presaleCode === undefined;
  if (command.type === 'confirmHold' || command.type === 'releaseHold') return command.holdId.charCodeAt(0) === BINARY_ID_MARK;
  return false;
}

/** Queues step `step` of `saga` (already in saga.steps and its wave) for performance `to`'s courier. */
export function enqueue(s: ProductState, saga: Saga, step: number, to: string): void {
  let courier = s.couriers.get(to);
  if (courier === undefined) {
    courier = { sessionNo: SESSION_NONE, requestNo: 0, busy: false, queue: [] };
    s.couriers.set(to, courier);
  }
  courier.queue.push(saga.saga, step);
  saga.steps[step].batched = true;
}

/** Sends what each idle courier has queued (the runtime calls this after every coordinator command, through executeProduct). */
export function flushCouriers(s: ProductState, send: Send, out: Outbound[]): void {
  for (const [to, courier] of s.couriers) if (!courier.busy && courier.queue.length > 0) flush(s, to, courier, send, out);
}

function flush(s: ProductState, to: string, courier: Courier, send: Send, out: Outbound[]): void {
  if (courier.sessionNo === SESSION_REFUSED) {
    // No session to be had: each step goes as the command it is.
    const q = courier.queue;
    for (let i = 0; i < q.length; i += 2) {
      const saga = s.sagas.get(q[i]);
      const step = saga?.steps[q[i + 1]];
      if (saga === undefined || step === undefined) continue;
      step.batched = false;
      // A courier's step has no id yet (sagas.ts send): it gets the one it would have had.
      if (step.command.commandId === '') step.command.commandId = stepIdOf(s, saga, q[i + 1], to);
      out.push({ t: 'send', to, command: step.command, saga: saga.saga, step: q[i + 1] });
    }
    courier.queue = [];
    return;
  }
  if (courier.sessionNo === SESSION_NONE) {
    send(s, openCourierSaga(s, 'session', courier), to, { type: 'openSession', clientId: courierClientId(s.productId) } as Command, out);
    return;
  }
  const count = Math.min(courier.queue.length / 2, limits.batchCommandsMax);
  const refs = courier.queue.splice(0, count * 2);
  const { words, strings } = encode(s, refs);
  const saga = openCourierSaga(s, 'batch', courier);
  saga.refs = refs;
  const batch = { type: 'commandBatch', sessionNo: courier.sessionNo, requestNo: courier.requestNo + 1, count, words: new Uint8Array(words.buffer), strings };
  send(s, saga, to, batch as unknown as Command, out);
}

/** Step `step` of `saga`'s command id at performance `to` (outbound.ts stepCommandId, by the product's link number there). */
export function stepIdOf(s: ProductState, saga: Saga, step: number, to: string): string {
  return stepCommandId(s.productId, saga.saga, step, s.links.get(to)?.linkNo);
}

/** The session's client id on a performance: one per product, never a client's own (those have no slash). */
export function courierClientId(productId: string): string {
  return `product/${productId}`;
}

/** A saga of the courier's own (its session's opening, or a batch): no client waits for it, and a link does not wait for it. */
function openCourierSaga(s: ProductState, kind: 'session' | 'batch', courier: Courier): Saga {
  const saga: Saga = {
    saga: s.nextSaga++, kind, command: { type: 'tickProduct', commandId: '' }, atMs: s.lastNowMs, phase: kind, steps: [], wave: [], making: [], refusal: null, conflicts: [], anchor: null,
  };
  s.sagas.set(saga.saga, saga);
  s.courierSagas++;
  courier.busy = true;
  return saga;
}

function closeCourierSaga(s: ProductState, saga: Saga): Courier {
  s.sagas.delete(saga.saga);
  s.courierSagas--;
  const courier = s.couriers.get(saga.steps[0].performanceId)!;
  courier.busy = false;
  return courier;
}

/**
 * A batch's strings as they are written: the few a product's steps share (its id, channel and
 * ticket types, an e-mail address) each once, by a lookup in `shared`; the ones of one card or
 * seat (buyer, holding, seat ids) appended as they come, without one: most come once per batch,
 * and a map entry per record cost more than the record. A string may so appear twice; a
 * record reads it by place either way.
 */
class StringList {
  readonly strings: string[] = [];
  private readonly places = new Map<string, number>();

  shared(x: string | undefined): number {
    if (x === undefined) return NO_STRING;
    let at = this.places.get(x);
    if (at === undefined) {
      at = this.strings.push(x) - 1;
      this.places.set(x, at);
    }
    return at;
  }

  own(x: string | undefined): number {
    return x === undefined ? NO_STRING : this.strings.push(x) - 1;
  }
}

/** The queued steps as named records, with the strings they name. */
function encode(s: ProductState, refs: readonly number[]): { words: Int32Array; strings: string[] } {
  const words = new Int32Array((refs.length / 2) * COMMAND_WORDS);
  const list = new StringList();
  for (let i = 0; i < refs.length; i += 2) {
    const command = s.sagas.get(refs[i])!.steps[refs[i + 1]].command;
    const at = (i / 2) * COMMAND_WORDS;
    if (command.type === 'holdSeats') {
      const seats = command.seats as string[];
      words[at] = BinaryOp.HOLD_SEATS_NAMED;
      words[at + NamedWord.PRODUCT] = list.shared(command.productId);
      words[at + NamedWord.BUYER] = list.own(command.buyerId);
      words[at + NamedWord.HOLDING] = list.own(command.holdingId);
      words[at + NamedWord.CHANNEL] = list.shared(command.channel);
      words[at + NamedWord.TICKET_TYPE] = list.shared(command.ticketType);
      words[at + NamedWord.COUNT] = seats.length;
      for (let k = 0; k < seats.length; k++) words[at + NamedWord.SEATS + k] = list.own(seats[k]);
      continue;
    }
    const named = command as ConfirmHold | ReleaseHold;
    const [slot, binaryNo] = parseBinaryHoldId(named.holdId)!;
    words[at] = named.type === 'confirmHold' ? BinaryOp.CONFIRM_HOLD_NAMED : BinaryOp.RELEASE_HOLD_NAMED;
    words[at + NamedWord.HOLD_BUYER] = list.own(named.buyerId);
    words[at + NamedWord.SLOT] = slot;
    words[at + NamedWord.BINARY_NO] = binaryNo;
    if (named.type === 'confirmHold') {
      words[at + NamedWord.EMAIL] = list.shared(named.buyerEmail);
      words[at + NamedWord.COMPLIMENTARY] = named.complimentary === true ? 1 : 0;
    }
  }
  return { words, strings: list.strings };
}

/**
 * The courier's session answered: batches may go. A refusal (the performance's sessions are all
 * taken, or any other) sends its steps one by one from then on: asking again at every flush could
 * go on for ever against a performance that keeps refusing.
 */
export function sessionAnswered(s: ProductState, saga: Saga): void {
  const courier = closeCourierSaga(s, saga);
  const result = saga.steps[0].result as Result;
  if (result.ok) {
    courier.sessionNo = (result as SessionOpened).sessionNo;
    courier.requestNo = (result as SessionOpened).requestNo;
  } else courier.sessionNo = SESSION_REFUSED;
}

/**
 * A batch answered: each step gets its result from its reply record (or the batch's refusal,
 * when it was refused whole), then each saga with a step in it whose wave is now answered moves
 * on, in the order of the batch.
 */
export function batchAnswered(s: ProductState, saga: Saga, nowMs: number, advance: Advance, out: Outbound[]): void {
  const courier = closeCourierSaga(s, saga);
  const step = saga.steps[0];
  const result = step.result as Result;
  const refs = saga.refs ?? [];
  let replies: Int32Array | null = null;
  if (result.ok) {
    const answer = result as BatchAnswered;
    courier.requestNo = answer.requestNo;
    replies = aligned(answer.replies, Int32Array);
  } else if (sessionLost.has(result.code)) courier.sessionNo = SESSION_NONE;
  for (let i = 0; i < refs.length; i += 2) {
    const target = s.sagas.get(refs[i])?.steps[refs[i + 1]];
    if (target === undefined || target.result !== null) continue;
    target.result = replies === null ? result : outcomeOf(s, s.sagas.get(refs[i])!, target, replies, i / 2, (result as BatchAnswered).expiresAtMs);
  }
  for (let i = 0; i < refs.length; i += 2) {
    const g = s.sagas.get(refs[i]);
    if (g !== undefined && g.wave.length > 0 && waveAnswered(g)) advance(s, g, nowMs, out);
  }
}

/** Whether every step of the saga's current wave has answered (a loop: every() made a closure per report). */
export function waveAnswered(saga: Saga): boolean {
  for (const i of saga.wave) if (saga.steps[i].result === null) return false;
  return true;
}

/** An order's ticket ids, from a confirm's result of either kind. */
export function ticketIdsOf(result: StepOutcome): string[] {
  return 'batched' in result ? result.ticketIds : (result as OrderAccepted).tickets.map((t) => t.ticketId);
}

/** Record `k`'s reply as the result its step would have had as a command of its own. */
function outcomeOf(s: ProductState, saga: Saga, step: Step, replies: Int32Array, k: number, expiresAtMs: number): StepOutcome {
  const o = k * REPLY_WORDS;
  const command = step.command;
  if (replies[o] !== Code.OK) return refusal(s, step, replies[o], replies[o + 1]);
  if (command.type === 'holdSeats') {
    const seats = command.seats as string[];
    // The reply names the pool by number: a courier's hold does not name its quota.
    const held: HoldAccepted = { ok: true, holdId: binaryHoldId(replies[o + 1], replies[o + 2]), expiresAtMs, seats, gaAreaId: null, count: seats.length, quotaId: null, ticketType: command.ticketType as string };
    return held;
  }
  if (command.type === 'releaseHold') return DONE;
  const firstTicket = replies[o + 2];
  const quantity = saga.making[0]?.quantity ?? 1;
  const ticketIds = new Array<string>(quantity);
  for (let i = 0; i < quantity; i++) ticketIds[i] = ticketIdOf(step.performanceId, firstTicket + i);
  const order: BatchedOrder = { ok: true, batched: true, holdId: (command as ConfirmHold).holdId, orderNo: replies[o + 1], totalMinor: replies[o + 3], ticketIds };
  return order;
}

/**
 * A record's refusal as a rejection: the code, the seat refused when one was (its position in the
 * reply) with the performance's own wording (seats.ts seatRefusalMessage), else the code alone.
 */
function refusal(s: ProductState, step: Step, code: number, position: number): Rejection {
  const name = codeName(code) as Exclude<Rejection['name'], 'OK'>;
  const command = step.command;
  if (command.type === 'holdSeats' && position >= 0) {
    const at = { channel: command.channel, productId: command.productId ?? null, ticketType: command.ticketType ?? '', layoutId: s.links.get(step.performanceId)?.layoutId ?? '(unknown)' };
    return reject(name, `seats[${position}]`, seatRefusalMessage(code, command.seats![position], at));
  }
  const field = name.startsWith('HOLD_') ? (name === 'HOLD_NOT_OWNED' ? 'buyerId' : 'holdId') : '';
  return reject(name, field, `${command.type} refused: ${name}`);
}
