// Who may sell a ticket type, where and when (seed 002, "Adgang": time-controlled ticket types,
// and which channels a type is sold on): a type's channel list, its own sale window, and whether
// only a product coordinator's holds (season cards, subscriptions, renewals, exchanges) may use
// it. Checked once at createPerformance, enforced on every hold (buying.ts checkBuying).
import { reject, type Rejection } from './codes.ts';
import { isInt, shown } from './checks.ts';
import type { Channel, TicketType, TicketTypeSpec } from './state.ts';

/** A ticket type's access rules as the state keeps them. */
export interface TicketTypeAccess {
  /** Channel numbers that may sell the type; null for every channel. */
  channels: number[] | null;
  /** The type's own sale window, start inclusive, end exclusive (0 and MAX_SAFE_INTEGER: always). */
  saleStartMs: number;
  saleEndMs: number;
  productsOnly: boolean;
}

/** The access fields of a ticket type spec; all optional. */
export type TicketTypeAccessSpec = Pick<TicketTypeSpec, 'channels' | 'saleStartMs' | 'saleEndMs' | 'productsOnly'>;

const timeMax = Number.MAX_SAFE_INTEGER;

/**
 * The access rules of the ticket type spec at `at` (`ticketTypes[t]`), checked against the
 * performance's channels (in spec order). SPEC_INVALID names the field.
 */
export function ticketTypeAccessOf(tt: TicketTypeAccessSpec, at: string, channelIndexById: ReadonlyMap<string, number>, specChannels: readonly Channel[]): TicketTypeAccess | Rejection {
  const channels = tt.channels === undefined ? null : channelListOf(tt.channels, `${at}.channels`, channelIndexById, specChannels);
  if (channels !== null && !Array.isArray(channels)) return channels;
  // Only a field left out takes its default: null is no time.
  const saleStartMs = tt.saleStartMs === undefined ? 0 : tt.saleStartMs;
  const saleEndMs = tt.saleEndMs === undefined ? timeMax : tt.saleEndMs;
  if (!isInt(saleStartMs, 0, timeMax)) return reject('SPEC_INVALID', `${at}.saleStartMs`, 'saleStartMs must be a time in whole milliseconds');
  if (!isInt(saleEndMs, 0, timeMax) || saleEndMs <= saleStartMs) {
    return reject('SPEC_INVALID', `${at}.saleEndMs`, 'saleEndMs must be a time in whole milliseconds after saleStartMs');
  }
  if (tt.productsOnly !== undefined && typeof tt.productsOnly !== 'boolean') return reject('SPEC_INVALID', `${at}.productsOnly`, 'productsOnly must be true or false');
  return { channels, saleStartMs, saleEndMs, productsOnly: tt.productsOnly === true };
}

/**
 * A type's channel list as channel numbers: non-empty (an empty list would make a type no one
 * can sell, most likely a mistake), each a channel of the spec, none twice, none of kind
 * `resale` (a resale channel sells the exchange's listings, never fresh stock at a type).
 */
function channelListOf(ids: unknown, field: string, channelIndexById: ReadonlyMap<string, number>, specChannels: readonly Channel[]): number[] | Rejection {
  if (!Array.isArray(ids) || ids.length === 0) return reject('SPEC_INVALID', field, 'channels lists the ids of the channels that sell this ticket type (leave it out for every channel)');
  const channels: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    const c = typeof ids[i] === 'string' ? channelIndexById.get(ids[i] as string) : undefined;
    if (c === undefined) return reject('SPEC_INVALID', `${field}[${i}]`, `no channel ${shown(ids[i])} in this spec`);
    if (channels.includes(c)) return reject('SPEC_INVALID', `${field}[${i}]`, `channel ${shown(ids[i])} is listed twice`);
    if (specChannels[c].kind === 'resale') return reject('SPEC_INVALID', `${field}[${i}]`, `channel ${shown(ids[i])} is a resale channel: it sells listings, never a ticket type's fresh stock`);
    channels.push(c);
  }
  return channels;
}

/** The access fields to keep in the state's own copy of the spec: only those given, so older specs encode as before. */
export function ownAccessSpec(tt: TicketTypeAccessSpec): TicketTypeAccessSpec {
  const own: TicketTypeAccessSpec = {};
  if (tt.channels !== undefined) own.channels = [...tt.channels];
  if (tt.saleStartMs !== undefined) own.saleStartMs = tt.saleStartMs;
  if (tt.saleEndMs !== undefined) own.saleEndMs = tt.saleEndMs;
  if (tt.productsOnly !== undefined) own.productsOnly = tt.productsOnly;
  return own;
}

/**
 * The ticket type a hold names no type for, when the spec names none: the first type that is
 * open (no `!` web code) and not products-only; else the first that is not products-only (a
 * closed one: such holds are then refused, TICKET_TYPE_REQUIRES_PRESALE); else the first.
 */
export function fallbackTicketType(types: readonly { closed: boolean; access: TicketTypeAccess }[]): number {
  const open = types.findIndex((t) => !t.closed && !t.access.productsOnly);
  if (open >= 0) return open;
  return Math.max(0, types.findIndex((t) => !t.access.productsOnly));
}

/** The type may be sold on channel number `channel`: its channel list names it, or it has none. */
export function sellsOn(type: TicketType, channel: number): boolean {
  return type.access.channels === null || type.access.channels.includes(channel);
}

/**
 * The type's access rules for one hold on `channel`, in order: products only
 * (TICKET_TYPE_PRODUCTS_ONLY), the channel list (TICKET_TYPE_NOT_IN_CHANNEL; product holds too:
 * a product sells on its channel, and the organizer lists that channel), the type's own window
 * (TICKET_TYPE_NOT_ON_SALE; not for a product hold, whose coordinator keeps the product's own
 * sales window, as it skips the channel's). Null when the hold may use the type.
 */
export function checkTicketTypeAccess(type: TicketType, channel: Channel, productHold: boolean, nowMs: number): Rejection | null {
  const access = type.access;
  if (access.productsOnly && !productHold) {
    return reject('TICKET_TYPE_PRODUCTS_ONLY', 'ticketType', `ticket type ${type.id} is sold only with a product (season card, subscription)`);
  }
  if (!sellsOn(type, channel.index)) {
    return reject('TICKET_TYPE_NOT_IN_CHANNEL', 'ticketType', `ticket type ${type.id} is not sold on channel ${channel.id}`);
  }
  if (!productHold && (nowMs < access.saleStartMs || nowMs >= access.saleEndMs)) {
    return reject('TICKET_TYPE_NOT_ON_SALE', 'ticketType', `ticket type ${type.id} is on sale from ${access.saleStartMs} until ${access.saleEndMs} (exclusive)`);
  }
  return null;
}
