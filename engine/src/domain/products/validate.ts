// Field checks of product commands, in a fixed order; the first failing check names the
// refusal (PRODUCT_INVALID with the field). Nothing here looks at performances: what they say
// is checked when they answer `linkProduct` (sagas.ts).
import { reject, type Rejection } from '../codes.ts';
import { isId, isInt, shown } from '../checks.ts';
import { limits } from '../limits.ts';
import type { CreateProduct, CustomerFlags, ProductPerformance } from './commands.ts';
import { productLimits } from './state.ts';

const kinds = ['seasonCard', 'series', 'pickMix'];
const cardKinds = ['fixedPrice', 'calculatedPrice', 'championship'];
const timeMax = Number.MAX_SAFE_INTEGER;

function invalid(field: string, message: string): Rejection {
  return reject('PRODUCT_INVALID', field, message);
}

function checkPerformances(list: unknown, field: string, max: number, seen: Set<string>): Rejection | null {
  if (!Array.isArray(list) || list.length > max) return invalid(field, `${field} must be an array of at most ${max} performances`);
  for (let i = 0; i < list.length; i++) {
    const p = list[i] as ProductPerformance;
    const at = `${field}[${i}]`;
    if (typeof p !== 'object' || p === null || !isId(p.performanceId)) return invalid(`${at}.performanceId`, 'a performance id');
    if (seen.has(p.performanceId)) return invalid(`${at}.performanceId`, `performance ${p.performanceId} is listed twice`);
    if (!isInt(p.startsAtMs, 0, timeMax) || !isInt(p.endsAtMs, 0, timeMax) || p.endsAtMs < p.startsAtMs) {
      return invalid(`${at}.startsAtMs`, 'startsAtMs and endsAtMs are times in whole milliseconds, the end not before the start');
    }
    seen.add(p.performanceId);
  }
  return null;
}

/**
 * The types offered besides the default (seed 002, *Billettyper*): at most
 * productLimits.offeredTicketTypesMax ids, none twice, the default not among them (it is offered
 * already; listed again it would say nothing, or that someone meant another type).
 */
function checkOfferedTypes(cmd: CreateProduct): Rejection | null {
  const types = cmd.ticketTypes as unknown;
  if (types === undefined) return null;
  const max = productLimits.offeredTicketTypesMax;
  if (!Array.isArray(types) || types.length > max) return invalid('ticketTypes', `ticketTypes lists at most ${max} ticket types offered besides ticketType`);
  for (let i = 0; i < types.length; i++) {
    if (!isId(types[i])) return invalid(`ticketTypes[${i}]`, 'a ticket type id');
    if (types[i] === cmd.ticketType) return invalid(`ticketTypes[${i}]`, `${cmd.ticketType} is the product's ticketType, offered already`);
    if (types.indexOf(types[i]) !== i) return invalid(`ticketTypes[${i}]`, `ticket type ${shown(types[i])} is listed twice`);
  }
  return null;
}

/**
 * The switch for exchanges (seed 002, *Tillat endringer*) against the performances open to them
 * (*Bytte utenfor abonnement*): performances outside the product open to exchanges that are not
 * allowed say two things at once. A season card is never exchanged: allowing it is refused.
 */
function checkExchanges(cmd: CreateProduct): Rejection | null {
  if (cmd.exchanges === undefined) return null;
  if (typeof cmd.exchanges !== 'boolean') return invalid('exchanges', 'exchanges is true or false');
  if (cmd.exchanges && cmd.kind === 'seasonCard') return invalid('exchanges', 'season cards are not exchanged; subscriptions are');
  if (!cmd.exchanges && Array.isArray(cmd.exchangeable) && cmd.exchangeable.length > 0) return invalid('exchangeable', 'performances open to exchanges, yet exchanges is false');
  return null;
}

/** The switch for seat choice: true or false. */
function checkSeatChoice(cmd: CreateProduct): Rejection | null {
  return cmd.seatChoice === undefined || typeof cmd.seatChoice === 'boolean' ? null : invalid('seatChoice', 'seatChoice is true or false');
}

/** Customer flags (seed 002, *Kundeflagg*): which, the flagged buyers' own sale start (not after the public one), only them or not. */
function checkCustomerFlags(cmd: CreateProduct): Rejection | null {
  const c = cmd.customerFlags as unknown;
  if (c === undefined) return null;
  if (typeof c !== 'object' || c === null) return invalid('customerFlags', 'customerFlags is an object: flags, and saleStartMs or only');
  const { flags, saleStartMs, only } = c as { flags?: unknown; saleStartMs?: unknown; only?: unknown };
  const max = productLimits.customerFlagsMax;
  if (!Array.isArray(flags) || flags.length === 0 || flags.length > max) return invalid('customerFlags.flags', `from 1 to ${max} flag ids`);
  for (let i = 0; i < flags.length; i++) {
    if (!isId(flags[i])) return invalid(`customerFlags.flags[${i}]`, 'a flag id');
    if (flags.indexOf(flags[i]) !== i) return invalid(`customerFlags.flags[${i}]`, `flag ${String(flags[i])} is listed twice`);
  }
  if (saleStartMs !== undefined && !isInt(saleStartMs, 0, cmd.saleStartMs)) return invalid('customerFlags.saleStartMs', `flagged buyers' sale starts at a time in whole milliseconds, not after the product's saleStartMs (${cmd.saleStartMs})`);
  if (only !== undefined && typeof only !== 'boolean') return invalid('customerFlags.only', 'only is true or false');
  return null;
}

/**
 * PRODUCT_INVALID naming the first entry of `ids` that is not an id or repeats one before it,
 * or the list when it has more than `max`; null when none. A list the performances would refuse
 * is refused here, before the product is made: a refused product's id cannot be used again.
 */
export function distinctIds(ids: readonly unknown[], field: string, what: string, max: number): Rejection | null {
  if (ids.length > max) return invalid(field, `at most ${max} ${what} ids`);
  const seen = new Set<unknown>();
  for (let i = 0; i < ids.length; i++) {
    if (!isId(ids[i])) return invalid(`${field}[${i}]`, `a ${what} id`);
    if (seen.has(ids[i])) return invalid(`${field}[${i}]`, `${what} ${shown(ids[i])} is listed twice`);
    seen.add(ids[i]);
  }
  return null;
}

/** A checked copy of the product's terms with every default filled in, or the first refusal. */
export function checkCreateProduct(cmd: CreateProduct): CreateProduct | Rejection {
  if (!isId(cmd.productId) || !/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(cmd.productId)) return invalid('productId', 'productId must be a short id (letters, digits, _ . : -)');
  if (!kinds.includes(cmd.kind)) return invalid('kind', `kind must be one of ${kinds.join(', ')}`);
  if (!isId(cmd.organizerId)) return invalid('organizerId', 'organizerId must be an id');
  // A name that is not text was replaced by the id without a word, and one of any length kept (session 32).
  if (cmd.name !== undefined && (typeof cmd.name !== 'string' || cmd.name.length > limits.displayNameLengthMax)) return invalid('name', `name is text of at most ${limits.displayNameLengthMax} characters`);
  const seen = new Set<string>();
  const bad = checkPerformances(cmd.performances, 'performances', productLimits.performancesPerProductMax, seen)
    ?? checkPerformances(cmd.exchangeable ?? [], 'exchangeable', productLimits.exchangeablePerProductMax, seen);
  if (bad !== null) return bad;
  const n = cmd.performances.length;
  if (n < 1) return invalid('performances', 'a product links at least one performance');
  if (cmd.kind !== 'pickMix' && cmd.required !== undefined) return invalid('required', 'only pick & mix has required performances');
  const sameSeat = cmd.kind === 'seasonCard' ? true : cmd.kind === 'pickMix' ? false : cmd.sameSeat === true;
  if (cmd.sameSeat !== undefined && typeof cmd.sameSeat !== 'boolean') return invalid('sameSeat', 'sameSeat is true or false');
  if (cmd.kind === 'pickMix' && cmd.sameSeat === true) return invalid('sameSeat', 'pick & mix subscriptions do not keep one seat');
  const min = cmd.min ?? n;
  const max = cmd.max ?? n;
  if (!isInt(min, 1, n)) return invalid('min', `min must be a whole number from 1 to ${n}`);
  if (!isInt(max, min, n)) return invalid('max', `max must be a whole number from min (${min}) to ${n}`);
  if (cmd.kind === 'seasonCard' && min !== n) return invalid('min', 'a season card takes all of its performances');
  const required = cmd.required ?? [];
  if (!Array.isArray(required) || required.length > max) return invalid('required', `required lists at most max (${max}) performances`);
  for (let i = 0; i < required.length; i++) {
    if (!cmd.performances.some((p) => p.performanceId === required[i]) || required.indexOf(required[i]) !== i) return invalid(`required[${i}]`, 'a required performance is one of the product\'s, listed once');
  }
  const perPurchaseMin = cmd.perPurchaseMin ?? 1;
  const perPurchaseMax = cmd.perPurchaseMax ?? Math.max(1, perPurchaseMin);
  if (!isInt(perPurchaseMin, 1, limits.seatsPerHoldMax)) return invalid('perPurchaseMin', `perPurchaseMin must be from 1 to ${limits.seatsPerHoldMax}`);
  if (!isInt(perPurchaseMax, perPurchaseMin, limits.seatsPerHoldMax)) return invalid('perPurchaseMax', `perPurchaseMax must be from perPurchaseMin to ${limits.seatsPerHoldMax}`);
  if (!isInt(cmd.saleStartMs, 0, timeMax) || !isInt(cmd.saleEndMs, 0, timeMax) || cmd.saleEndMs <= cmd.saleStartMs) return invalid('saleEndMs', 'the sales window is two times in whole milliseconds, the end after the start');
  if (!isId(cmd.channel)) return invalid('channel', 'channel must be a channel id');
  if (!isId(cmd.ticketType)) return invalid('ticketType', 'ticketType must be a ticket type id');
  const offered = checkOfferedTypes(cmd);
  if (offered !== null) return offered;
  const exchanges = checkExchanges(cmd) ?? checkCustomerFlags(cmd) ?? checkSeatChoice(cmd);
  if (exchanges !== null) return exchanges;
  const cardKind = cmd.cardKind ?? 'fixedPrice';
  if (!cardKinds.includes(cardKind)) return invalid('cardKind', `cardKind must be one of ${cardKinds.join(', ')}`);
  const resale = cmd.resale ?? null;
  if (resale !== null) {
    if (cardKind === 'fixedPrice') return reject('RESALE_NOT_ELIGIBLE', 'resale', 'fixed-price cards are never resold (DOMAIN §6)');
    if (typeof resale !== 'object' || !isInt(resale.minPct, 0, 1000) || !isInt(resale.maxPct, resale.minPct, 1000)) return invalid('resale.maxPct', 'the resale band is minPct..maxPct, whole percents from 0 to 1000');
    if (!isInt(resale.feePct, 0, 100)) return invalid('resale.feePct', 'feePct is a whole percent from 0 to 100');
    if (!Array.isArray(resale.channels) || resale.channels.length === 0) return invalid('resale.channels', 'the channels allowed to list: a non-empty array of channel ids');
    // As setResaleChannels asks of the same list (session 32: 33 channels were found by the
    // performances, after the product was made and its id could not be used again).
    const badChannel = distinctIds(resale.channels, 'resale.channels', 'channel', limits.channelsPerPerformanceMax);
    if (badChannel !== null) return badChannel;
  }
  const payout = cmd.payout ?? 'continuous';
  if (payout !== 'continuous' && payout !== 'afterEach') return invalid('payout', 'payout is continuous or afterEach');
  const spread = cmd.capacitySpreadMaxPct ?? productLimits.capacitySpreadMaxPctDefault;
  if (!isInt(spread, 0, 100)) return invalid('capacitySpreadMaxPct', 'capacitySpreadMaxPct is a whole percent from 0 to 100');
  if (cmd.gaAreaId !== undefined && !isId(cmd.gaAreaId)) return invalid('gaAreaId', 'gaAreaId must be a GA area id');
  const allocation = cmd.allocation;
  if (allocation !== undefined) {
    if (typeof allocation !== 'object' || allocation === null || (allocation.policy !== 'onlyQuota' && allocation.policy !== 'quotaFirst')) return invalid('allocation.policy', 'policy is onlyQuota or quotaFirst');
    const seats = allocation.seats !== undefined;
    if (seats === (allocation.count !== undefined)) return invalid('allocation', 'an allocation is seats, or a count of GA places');
    if (seats && (!Array.isArray(allocation.seats) || allocation.seats.length === 0)) return invalid('allocation.seats', 'seats must be a non-empty array of seat ids');
    const badSeat = seats ? distinctIds(allocation.seats as unknown[], 'allocation.seats', 'seat', limits.seatsPerLayoutMax) : null;
    if (badSeat !== null) return badSeat;
    if (!seats && (!isInt(allocation.count, 1, limits.gaCapacityMax) || !isId(allocation.gaAreaId))) return invalid('allocation.count', 'a GA allocation is a gaAreaId and a count from 1');
  }
  if (cmd.customerPerTicket !== undefined && typeof cmd.customerPerTicket !== 'boolean') return invalid('customerPerTicket', 'customerPerTicket is true or false');
  const renewal = cmd.renewal;
  if (renewal !== undefined) {
    if (typeof renewal !== 'object' || renewal === null || !isId(renewal.fromProductId)) return invalid('renewal.fromProductId', 'the product renewed from');
    if (!isInt(renewal.windowStartMs, 0, timeMax) || !isInt(renewal.windowEndMs, 0, timeMax) || renewal.windowEndMs <= renewal.windowStartMs) return invalid('renewal.windowEndMs', 'the renewal window is two times in whole milliseconds, the end after the start');
    if (cmd.saleStartMs < renewal.windowEndMs) return invalid('saleStartMs', 'the product\'s sale starts when its renewal window has ended');
    if ((cmd.customerFlags?.saleStartMs ?? timeMax) < renewal.windowEndMs) return invalid('customerFlags.saleStartMs', 'flagged buyers\' sale starts when the renewal window has ended, as everyone\'s does');
    // Not a list: ['a'] read as a map of '0' to 'a' (session 32).
    if (typeof renewal.ticketTypes !== 'object' || renewal.ticketTypes === null || Array.isArray(renewal.ticketTypes) || !Object.values(renewal.ticketTypes).every(isId)) return invalid('renewal.ticketTypes', 'a map of old ticket types to new ones');
    if (!Array.isArray(renewal.holders) || renewal.holders.length > productLimits.renewalHoldersMax) return invalid('renewal.holders', `at most ${productLimits.renewalHoldersMax} holders`);
    const holderIds = new Set<string>();
    const seatsTaken = new Set<string>();
    for (let i = 0; i < renewal.holders.length; i++) {
      const h = renewal.holders[i];
      const at = `renewal.holders[${i}]`;
      if (typeof h !== 'object' || h === null || !isId(h.holdingId) || holderIds.has(h.holdingId)) return invalid(`${at}.holdingId`, 'each holder has its own holding id');
      if (!isId(h.buyerId)) return invalid(`${at}.buyerId`, 'the holder\'s buyer id');
      if (!isId(h.ticketType)) return invalid(`${at}.ticketType`, 'the holder\'s old ticket type');
      const hasSeats = h.seats !== undefined;
      if (hasSeats === (h.count !== undefined)) return invalid(at, 'a holder has seats, or a count of places');
      if (hasSeats) {
        if (!Array.isArray(h.seats) || h.seats.length === 0 || h.seats.length > limits.seatsPerHoldMax || !h.seats.every(isId)) return invalid(`${at}.seats`, `from 1 to ${limits.seatsPerHoldMax} seat ids`);
        for (const seat of h.seats) {
          if (seatsTaken.has(seat)) return invalid(`${at}.seats`, `seat ${seat} belongs to two holders`);
          seatsTaken.add(seat);
        }
      } else if (!isInt(h.count, 1, limits.placesPerHoldMax)) return invalid(`${at}.count`, `from 1 to ${limits.placesPerHoldMax} places`);
      holderIds.add(h.holdingId);
    }
    if (renewal.holders.some((h) => h.count !== undefined) && cmd.gaAreaId === undefined) return invalid('gaAreaId', 'renewing places needs the product\'s GA area');
  }
  // The product keeps its own copy with every default filled in.
  return {
    type: 'createProduct',
    commandId: cmd.commandId,
    productId: cmd.productId,
    kind: cmd.kind,
    organizerId: cmd.organizerId,
    name: typeof cmd.name === 'string' ? cmd.name : cmd.productId,
    performances: cmd.performances.map((p) => ({ performanceId: p.performanceId, startsAtMs: p.startsAtMs, endsAtMs: p.endsAtMs })),
    sameSeat,
    min,
    max,
    required: [...required],
    perPurchaseMin,
    perPurchaseMax,
    saleStartMs: cmd.saleStartMs,
    saleEndMs: cmd.saleEndMs,
    channel: cmd.channel,
    ticketType: cmd.ticketType,
    // Only when some: the definitions of other products (in snapshots and link steps too) are unchanged.
    ...(cmd.ticketTypes === undefined || cmd.ticketTypes.length === 0 ? {} : { ticketTypes: [...cmd.ticketTypes] }),
    cardKind,
    resale: resale === null ? null : { minPct: resale.minPct, maxPct: resale.maxPct, feePct: resale.feePct, channels: [...resale.channels] },
    payout,
    capacitySpreadMaxPct: spread,
    ...(cmd.gaAreaId === undefined ? {} : { gaAreaId: cmd.gaAreaId }),
    ...(allocation === undefined ? {} : { allocation: { policy: allocation.policy, ...(allocation.seats ? { seats: [...allocation.seats] } : { gaAreaId: allocation.gaAreaId, count: allocation.count }) } }),
    exchangeable: (cmd.exchangeable ?? []).map((p) => ({ performanceId: p.performanceId, startsAtMs: p.startsAtMs, endsAtMs: p.endsAtMs })),
    ...(renewal === undefined ? {} : {
      renewal: {
        fromProductId: renewal.fromProductId,
        windowStartMs: renewal.windowStartMs,
        windowEndMs: renewal.windowEndMs,
        ticketTypes: { ...renewal.ticketTypes },
        holders: renewal.holders.map((h) => ({ holdingId: h.holdingId, buyerId: h.buyerId, ticketType: h.ticketType, ...(h.seats ? { seats: [...h.seats] } : { count: h.count }) })),
      },
    }),
    // Only when set: the definitions of other products (in snapshots too) are unchanged.
    ...(cmd.customerPerTicket === true ? { customerPerTicket: true } : {}),
    // Only when off: true is the default, and every product made before the switch allowed them.
    ...(cmd.exchanges === false ? { exchanges: false } : {}),
    // Only when off, as exchanges.
    ...(cmd.seatChoice === false ? { seatChoice: false } : {}),
    ...(cmd.customerFlags === undefined ? {} : { customerFlags: ownFlags(cmd.customerFlags) }),
  };
}

function ownFlags(c: CustomerFlags): CustomerFlags {
  return { flags: [...c.flags], ...(c.saleStartMs === undefined ? {} : { saleStartMs: c.saleStartMs }), ...(c.only === true ? { only: true } : {}) };
}
