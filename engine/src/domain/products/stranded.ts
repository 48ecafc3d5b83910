// Tickets a saga's compensation could not void. A purchase refused on one performance voids the
// tickets it confirmed on the others; an exchange whose old tickets stand voids the new one. In
// the moment between the confirm and that void the ticket may have been scanned at the door (a
// card's code admits with any valid ticket of its holding), listed on the resale exchange or
// resold, and its performance then refuses the void. The saga still ends with its refusal (the
// client is owed an answer, and nothing is sold twice: the seat is on that one ticket), but the
// ticket is valid and in no holding. Such tickets are kept here and reported (`strandedTickets`,
// productReport): a listed or resold ticket's void is tried again, after strandedRetryFirstMs
// and then twice as long each time, by a `revoid` saga the runtime's ticker starts
// (tickProduct), until it goes through, the refusal becomes one that cannot change (a scan), or
// the performance is over.
import { Code } from '../codes.ts';
import type { VoidTicket } from '../commands.ts';
import type { Result } from '../results.ts';
import { endsAtOf, type EndsAt } from './holdings.ts';
import { productLimits, type ProductState, type Saga, type Step, type StrandedTicket } from './state.ts';

/**
 * Refusals of a void that may change: a listed ticket's seller may withdraw the listing; a
 * resold ticket is valid again when its resale is undone (the buyer's ticket voided refunds the
 * resale as a whole, resale.ts), so TICKET_TRANSFERRED is tried again too (until session 32 it
 * was final, and the ticket of a purchase refused came back valid in no holding, its void never
 * tried again: its holder could list it and be credited a second sale); a void its actor failed
 * on (ACTOR_FAILED, discarded) or whose answer the runtime no longer keeps (COMMAND_ALREADY_APPLIED,
 * a step re-sent late) says nothing of the ticket, and a new void tells. A scan is never undone.
 */
const retryable: ReadonlySet<number> = new Set([Code.TICKET_ALREADY_LISTED, Code.TICKET_TRANSFERRED, Code.ACTOR_FAILED, Code.COMMAND_ALREADY_APPLIED]);
/** Refusals that leave nothing stranded: the ticket is void already (or was never made). */
const nothingLeft: ReadonlySet<number> = new Set([Code.TICKET_VOID, Code.TICKET_NOT_FOUND]);

type Answered = Step & { result: Result };

/**
 * After a compensation's wave: each void its performance refused, for a reason that leaves the
 * ticket valid, is kept as stranded. Releases and accepted voids need nothing.
 */
export function noteUndoneVoids(s: ProductState, saga: Saga, results: readonly Answered[], nowMs: number): void {
  let endsAt: EndsAt | null = null;
  for (const r of results) {
    if (r.command.type !== 'voidTicket' || r.result.ok || nothingLeft.has(r.result.code)) continue;
    const ticketId = r.command.ticketId;
    const holdingId = saga.making.find((m) => m.parts.some((p) => p.performanceId === r.performanceId && p.tickets.includes(ticketId)))?.holdingId ?? '';
    keep(s, {
      ticketId, performanceId: r.performanceId, holdingId, commandId: saga.command.commandId, code: r.result.code, name: r.result.name,
      sinceMs: nowMs, tries: 1, retryAtMs: retryAtMs((endsAt ??= endsAtOf(s)), r.result.code, 1, r.performanceId, nowMs),
    });
  }
}

function keep(s: ProductState, t: StrandedTicket): void {
  if (!s.stranded.has(t.ticketId) && s.stranded.size >= productLimits.strandedMax) {
    s.stranded.delete(s.stranded.keys().next().value!);
    s.strandedForgotten++;
  }
  s.stranded.set(t.ticketId, t);
}

/** When the void is tried again after `tries` refusals of `code`; null when never. */
function retryAtMs(endsAt: EndsAt, code: number, tries: number, performanceId: string, nowMs: number): number | null {
  if (!retryable.has(code)) return null;
  // Doubling from strandedRetryFirstMs, capped (the exponent too, so it never overflows).
  const waitMs = Math.min(productLimits.strandedRetryFirstMs * 2 ** Math.min(tries - 1, 30), productLimits.strandedRetryMaxMs);
  const at = nowMs + waitMs;
  // Once the performance is over, a void changes nothing anyone can still use.
  const endsAtMs = endsAt.get(performanceId);
  return endsAtMs !== undefined && at >= endsAtMs ? null : at;
}

/** When the next stranded ticket's void is due; Infinity when none is, or while a retry runs. */
export function strandedDueAtMs(s: ProductState): number {
  if (s.revoidSaga !== null) return Infinity;
  let due = Infinity;
  for (const t of s.stranded.values()) if (t.retryAtMs !== null && t.retryAtMs < due) due = t.retryAtMs;
  return due;
}

/** The voids a revoid saga sends: the stranded tickets due by `nowMs`, oldest first, at most strandedRetryBatchMax. */
export function dueStranded(s: ProductState, nowMs: number): StrandedTicket[] {
  const due: StrandedTicket[] = [];
  for (const t of s.stranded.values()) {
    if (t.retryAtMs === null || t.retryAtMs > nowMs) continue;
    due.push(t);
    if (due.length === productLimits.strandedRetryBatchMax) break;
  }
  return due;
}

/** A revoid saga's answers: a void that went through (or finds the ticket void) ends the ticket's record; a refusal is kept, with its next try. */
export function noteRevoids(s: ProductState, results: readonly Answered[], nowMs: number): void {
  const endsAt = endsAtOf(s);
  for (const r of results) {
    const ticketId = (r.command as VoidTicket).ticketId;
    const t = s.stranded.get(ticketId);
    if (t === undefined) continue;
    if (r.result.ok || nothingLeft.has(r.result.code)) {
      s.stranded.delete(ticketId);
      continue;
    }
    t.code = r.result.code;
    t.name = r.result.name;
    t.tries++;
    t.retryAtMs = retryAtMs(endsAt, t.code, t.tries, t.performanceId, nowMs);
  }
}

/** The stranded tickets as the `strandedTickets` query lists them, oldest first (copies). */
export function strandedTickets(s: ProductState): StrandedTicket[] {
  return [...s.stranded.values()].map((t) => ({ ...t }));
}
