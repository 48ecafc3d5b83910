// A list of channel ids a command names for resale (a product's listing channels, a quota's
// resale authorization), resolved to channel numbers and checked against the kinds allowed there.
import { reject, type Rejection } from './codes.ts';
import { limits } from './limits.ts';
import type { ChannelKind, PerformanceState } from './state.ts';
import { shown } from './checks.ts';

/**
 * `ids` as channel numbers, each once, in the order first named: at most
 * channelsPerPerformanceMax (COMMAND_INVALID; none is allowed), each a channel here
 * (CHANNEL_UNKNOWN, `field[i]`) of one of `kinds` (RESALE_CHANNEL_NOT_ALLOWED, `field[i]`).
 */
export function resaleChannelList(s: PerformanceState, ids: unknown, field: string, kinds: readonly ChannelKind[]): number[] | Rejection {
  if (!Array.isArray(ids) || ids.length > limits.channelsPerPerformanceMax) {
    return reject('COMMAND_INVALID', field, `${field} names at most ${limits.channelsPerPerformanceMax} channels`);
  }
  const channels: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    const c = s.channelIndexById.get(ids[i] as string);
    if (c === undefined) return reject('CHANNEL_UNKNOWN', `${field}[${i}]`, `no channel ${shown(ids[i])}`);
    const kind = s.channels[c].kind;
    if (!kinds.includes(kind)) return reject('RESALE_CHANNEL_NOT_ALLOWED', `${field}[${i}]`, `channel ${shown(ids[i])} is a ${kind} channel; here resale goes on channels of kind ${kinds.join(' or ')} only`);
    if (!channels.includes(c)) channels.push(c);
  }
  return channels;
}
