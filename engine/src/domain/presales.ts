// Presale links (closed sales): a secret code for a closed ticket type (web code starting with
// `!`, not products-only, sold on an enabled web channel), a validity window, a total and a
// per-buyer cap. Holds made with the code draw on it, within the type's own rules too (buying.ts).
import type { CreatePresale, EditPresale, StopPresale } from './commands.ts';
import { reject, type Rejection } from './codes.ts';
import { limits } from './limits.ts';
import { isInt, needId, shown } from './checks.ts';
import { DONE, type Done } from './results.ts';
import { sellsOn } from './ticket-access.ts';
import type { PerformanceState, Presale } from './state.ts';

const timeMax = Number.MAX_SAFE_INTEGER;

export function createPresale(s: PerformanceState, cmd: CreatePresale): Done | Rejection {
  const bad = needId(cmd.code, 'code');
  if (bad !== null) return bad;
  if (s.presales.has(cmd.code)) return reject('PRESALE_EXISTS', 'code', 'a presale link with this code exists');
  if (s.presales.size >= limits.presalesPerPerformanceMax) return reject('PRESALES_LIMIT_REACHED', 'code', `at most ${limits.presalesPerPerformanceMax} presale links per performance`);
  const ticketType = s.ticketTypeIndexById.get(cmd.ticketType);
  if (ticketType === undefined) return reject('TICKET_TYPE_UNKNOWN', 'ticketType', `no ticket type ${shown(cmd.ticketType)}`);
  const type = s.ticketTypes[ticketType];
  // A link's holds carry no product: a products-only type could never be bought through it.
  if (type.access.productsOnly) return reject('TICKET_TYPE_PRODUCTS_ONLY', 'ticketType', `ticket type ${type.id} is sold only with a product, never through a presale link`);
  if (!type.closed) return reject('PRESALE_TICKET_TYPE_NOT_CLOSED', 'ticketType', `ticket type ${cmd.ticketType} has no web code starting with !`);
  if (!s.channels.some((c) => c.kind === 'web' && c.enabled)) return reject('PRESALE_WEB_NOT_ON_SALE', '', 'the performance is not on sale on the web');
  if (!s.channels.some((c) => c.kind === 'web' && c.enabled && sellsOn(type, c.index))) {
    return reject('TICKET_TYPE_NOT_IN_CHANNEL', 'ticketType', `ticket type ${type.id} is sold on no enabled web channel: no hold through the link could use it`);
  }
  const window = checkTerms(cmd.validFromMs, cmd.validUntilMs, cmd.totalMax, cmd.perBuyerMax);
  if (window !== null) return window;
  const presale: Presale = {
    code: cmd.code, ticketType, validFromMs: cmd.validFromMs, validUntilMs: cmd.validUntilMs, totalMax: cmd.totalMax,
    perBuyerMax: cmd.perBuyerMax, stopped: false, held: 0, sold: 0, buyerUse: new Map(), orders: [],
  };
  s.presales.set(cmd.code, presale);
  return DONE;
}

function checkTerms(validFromMs: unknown, validUntilMs: unknown, totalMax: unknown, perBuyerMax: unknown): Rejection | null {
  if (!isInt(validFromMs, 0, timeMax)) return reject('COMMAND_INVALID', 'validFromMs', 'validFromMs must be a time in whole milliseconds');
  if (!isInt(validUntilMs, 0, timeMax) || validUntilMs <= validFromMs) return reject('COMMAND_INVALID', 'validUntilMs', 'validUntilMs must come after validFromMs');
  if (!isInt(totalMax, 1, limits.presaleTicketsMax)) return reject('COMMAND_INVALID', 'totalMax', `totalMax must be from 1 to ${limits.presaleTicketsMax}`);
  if (!isInt(perBuyerMax, 1, totalMax)) return reject('COMMAND_INVALID', 'perBuyerMax', 'perBuyerMax must be from 1 to totalMax');
  return null;
}

/** Changes a link's terms; the total never goes below what is already held or sold. */
export function editPresale(s: PerformanceState, cmd: EditPresale): Done | Rejection {
  const presale = s.presales.get(cmd.code);
  if (presale === undefined) return reject('PRESALE_UNKNOWN', 'code', 'no presale link with this code');
  // A term left out keeps its value; one given, even as null, is checked (null is no number).
  const validFromMs = cmd.validFromMs !== undefined ? cmd.validFromMs : presale.validFromMs;
  const validUntilMs = cmd.validUntilMs !== undefined ? cmd.validUntilMs : presale.validUntilMs;
  const totalMax = cmd.totalMax !== undefined ? cmd.totalMax : presale.totalMax;
  const perBuyerMax = cmd.perBuyerMax !== undefined ? cmd.perBuyerMax : presale.perBuyerMax;
  const terms = checkTerms(validFromMs, validUntilMs, totalMax, perBuyerMax);
  if (terms !== null) return terms;
  const used = presale.held + presale.sold;
  if (totalMax < used) return reject('PRESALE_BELOW_USED', 'totalMax', `${used} tickets are already held or sold through this link`);
  presale.validFromMs = validFromMs;
  presale.validUntilMs = validUntilMs;
  presale.totalMax = totalMax;
  presale.perBuyerMax = perBuyerMax;
  return DONE;
}

/** Stops a link for new holds; holds already made through it can still be confirmed. */
export function stopPresale(s: PerformanceState, cmd: StopPresale): Done | Rejection {
  const presale = s.presales.get(cmd.code);
  if (presale === undefined) return reject('PRESALE_UNKNOWN', 'code', 'no presale link with this code');
  presale.stopped = true;
  return DONE;
}
