// Contingents: seats (or GA places) taken out of the general pool for named channels (or for a
// product's holds: its allocation), sold only from the quota or quota first, and given back to
// free stock by the organizer, or by themselves at a set time (closesAtMs: a partner's unsold
// contingent, a renewal reservation at its window's end).
import type { CreateQuota, ReturnQuota, SetQuotaResale } from './commands.ts';
import { assert } from './assert.ts';
import { reject, type Rejection } from './codes.ts';
import { limits } from './limits.ts';
import { isInt, needId, needSeatsOrPlaces, shown } from './checks.ts';
import { gaFree, moveGaSource, moveSeatSource } from './moves.ts';
import { freeStock, resolveSeats } from './seats.ts';
import { resaleChannelList } from './channel-list.ts';
import { DONE, type CountAccepted, type Done } from './results.ts';
import { GENERAL, SeatState, type ChannelKind, type PerformanceState, type Quota } from './state.ts';

export function createQuota(s: PerformanceState, cmd: CreateQuota, nowMs: number): CountAccepted | Rejection {
  const bad = needId(cmd.quotaId, 'quotaId');
  if (bad !== null) return bad;
  if (s.quotaById.has(cmd.quotaId)) return reject('QUOTA_EXISTS', 'quotaId', `quota ${cmd.quotaId} exists`);
  if (s.quotas.length > limits.quotasPerPerformanceMax) return reject('QUOTAS_LIMIT_REACHED', 'quotaId', `at most ${limits.quotasPerPerformanceMax} quotas per performance`);
  if (cmd.policy !== 'onlyQuota' && cmd.policy !== 'quotaFirst') return reject('COMMAND_INVALID', 'policy', 'policy must be onlyQuota or quotaFirst');
  if (cmd.discountPct !== undefined && !isInt(cmd.discountPct, 0, 100)) return reject('COMMAND_INVALID', 'discountPct', 'discountPct must be a whole number from 0 to 100');
  let productId: string | null = null;
  if (cmd.productId !== undefined) {
    const notId = needId(cmd.productId, 'productId');
    if (notId !== null) return notId;
    if (!s.products.has(cmd.productId)) return reject('PRODUCT_NOT_LINKED', 'productId', `product ${cmd.productId} is not linked to ${s.performanceId}`);
    productId = cmd.productId;
  }
  // A product's allocation is drawn on by the product's holds, whatever their channel: it may
  // name no channel (its channels then only authorize resale).
  if (!Array.isArray(cmd.channels) || (cmd.channels.length === 0 && productId === null) || cmd.channels.length > limits.channelsPerPerformanceMax) {
    return reject('COMMAND_INVALID', 'channels', 'a quota is sold through at least one channel');
  }
  const channels: number[] = [];
  for (let i = 0; i < cmd.channels.length; i++) {
    const c = s.channelIndexById.get(cmd.channels[i]);
    if (c === undefined) return reject('CHANNEL_UNKNOWN', `channels[${i}]`, `no channel ${shown(cmd.channels[i])}`);
    if (!channels.includes(c)) channels.push(c);
  }
  if (cmd.closesAtMs !== undefined && !isInt(cmd.closesAtMs, 0, Number.MAX_SAFE_INTEGER - 1)) return reject('COMMAND_INVALID', 'closesAtMs', 'closesAtMs must be a time in ms since the epoch');
  const shape = needSeatsOrPlaces(cmd);
  if (shape !== null) return shape;
  const source = s.quotas.length;
  const closesAtMs = cmd.closesAtMs ?? Number.MAX_SAFE_INTEGER;
  const quota: Quota = { quotaId: cmd.quotaId, source, channels, policy: cmd.policy, discountPct: cmd.discountPct ?? 0, gaArea: -1, productId, closed: false, closesAtMs };
  const stock = freeStock(s, cmd, GENERAL, 'QUOTA_SEAT_NOT_FREE');
  if ('ok' in stock) return stock;
  if (stock.seats !== null) {
    for (const seat of stock.seats) moveSeatSource(s, seat, source);
  } else {
    quota.gaArea = stock.gaArea;
    moveGaSource(s, stock.gaArea, GENERAL, source, stock.count);
  }
  s.quotas.push(quota);
  s.quotaById.set(quota.quotaId, quota);
  refreshOnlyQuota(s);
  if (closesAtMs < s.nextQuotaCloseAtMs) s.nextQuotaCloseAtMs = closesAtMs;
  // Already due (a coordinator's reservation that reached this performance after its window):
  // closed at once, as the next command would, so the answer shows what stands.
  closeDueQuotas(s, nowMs);
  return cmd.closesAtMs === undefined ? { ok: true, count: stock.count } : { ok: true, count: stock.count, closesAtMs };
}

/**
 * Closes the quotas whose closesAtMs has come: their free stock goes back to the general pool,
 * and what comes free in them later follows (moves.ts). Called before every command (execute.ts),
 * so a deadline takes effect at the first command at or past it, whatever that command is; one
 * comparison when none is due. Bounded by the quotas of the performance.
 */
export function closeDueQuotas(s: PerformanceState, nowMs: number): void {
  if (nowMs < s.nextQuotaCloseAtMs) return;
  for (const quota of s.quotas) if (quota !== null && !quota.closed && quota.closesAtMs <= nowMs) closeQuota(s, quota);
  s.nextQuotaCloseAtMs = nextQuotaClose(s);
}

/** The earliest closesAtMs of the open quotas (after a snapshot is read). */
export function nextQuotaClose(s: PerformanceState): number {
  let next = Number.MAX_SAFE_INTEGER;
  for (const quota of s.quotas) if (quota !== null && !quota.closed && quota.closesAtMs < next) next = quota.closesAtMs;
  return next;
}

/** Returns every free seat or place of the quota to the general pool and closes it (returnQuota with close, or its time come); the count returned. */
function closeQuota(s: PerformanceState, quota: Quota): number {
  quota.closed = true;
  if (quota.gaArea < 0) return returnFreeSeats(s, quota);
  const free = gaFree(s, quota.gaArea, quota.source);
  moveGaSource(s, quota.gaArea, quota.source, GENERAL, free);
  return free;
}

/** Every free seat of a numbered quota back to the general pool; the count. */
function returnFreeSeats(s: PerformanceState, quota: Quota): number {
  let count = 0;
  for (let seat = 0; seat < s.layout.seatCount; seat++) {
    if (s.seatSource[seat] === quota.source && s.seatState[seat] === SeatState.FREE) {
      moveSeatSource(s, seat, GENERAL);
      count++;
    }
  }
  return count;
}

/** Gives unsold, unheld quota seats or places back to the general pool. */
export function returnQuota(s: PerformanceState, cmd: ReturnQuota): CountAccepted | Rejection {
  const bad = needId(cmd.quotaId, 'quotaId');
  if (bad !== null) return bad;
  const quota = s.quotaById.get(cmd.quotaId);
  if (quota === undefined) return reject('QUOTA_UNKNOWN', 'quotaId', `no quota ${cmd.quotaId}`);
  if (cmd.close !== undefined && typeof cmd.close !== 'boolean') return reject('COMMAND_INVALID', 'close', 'close must be true or false');
  if (cmd.close === true && (cmd.seats !== undefined || cmd.count !== undefined)) {
    return reject('COMMAND_INVALID', 'close', 'a quota is closed by returning all its free stock: name no seats and no count');
  }
  if (cmd.close === true) return { ok: true, count: closeQuota(s, quota) };
  if (quota.gaArea >= 0) {
    if (cmd.seats !== undefined) return reject('COMMAND_INVALID', 'seats', `quota ${cmd.quotaId} holds GA places, not seats`);
    const free = gaFree(s, quota.gaArea, quota.source);
    if (cmd.count !== undefined && !isInt(cmd.count, 1, limits.gaCapacityMax)) return reject('COMMAND_INVALID', 'count', 'count must be a whole number of at least 1');
    const count = cmd.count ?? free;
    if (count > free) return reject('QUOTA_RETURN_TOO_MANY', 'count', `quota ${cmd.quotaId} has ${free} free places`);
    moveGaSource(s, quota.gaArea, quota.source, GENERAL, count);
    return { ok: true, count };
  }
  if (cmd.count !== undefined) return reject('COMMAND_INVALID', 'count', `quota ${cmd.quotaId} holds seats: name them, or name none to return all free ones`);
  if (cmd.seats === undefined) return { ok: true, count: returnFreeSeats(s, quota) };
  if (!Array.isArray(cmd.seats) || cmd.seats.length === 0) return reject('COMMAND_INVALID', 'seats', 'seats must be a non-empty array of seat ids');
  const seats = resolveSeats(s, cmd.seats, 'seats');
  if (!Array.isArray(seats)) return seats;
  for (let i = 0; i < seats.length; i++) {
    if (s.seatSource[seats[i]] !== quota.source) return reject('SEAT_NOT_IN_QUOTA', `seats[${i}]`, `seat ${cmd.seats[i]} is not in quota ${cmd.quotaId}`);
    if (s.seatState[seats[i]] !== SeatState.FREE) return reject('QUOTA_SEAT_NOT_FREE', `seats[${i}]`, `seat ${cmd.seats[i]} is held or sold`);
  }
  for (const seat of seats) moveSeatSource(s, seat, GENERAL);
  return { ok: true, count: seats.length };
}

/** A quota is authorized for resale on the exchange's own channels. */
const resaleKindOnly: readonly ChannelKind[] = ['resale'];

/**
 * Authorizes a quota's seats for resale on channels of kind `resale`, or withdraws that (DOMAIN
 * §6: a seat's contingent must be authorized on the resale channel, and seed 003 has it
 * authorized later). The channels given replace the quota's resale channels; its other channels
 * keep their order, then come these. A resale channel sells no stock (moves.ts channelMaySell),
 * so what the quota sells, and where, does not change. Checks, in order: quotaId
 * (COMMAND_INVALID); known (QUOTA_UNKNOWN; closed ones too: their sold seats still come from
 * them); channels an array of at most channelsPerPerformanceMax (COMMAND_INVALID), each known
 * (CHANNEL_UNKNOWN) and of kind `resale` (RESALE_CHANNEL_NOT_ALLOWED). Open listings stay.
 */
export function setQuotaResale(s: PerformanceState, cmd: SetQuotaResale): Done | Rejection {
  const bad = needId(cmd.quotaId, 'quotaId');
  if (bad !== null) return bad;
  const quota = s.quotaById.get(cmd.quotaId);
  if (quota === undefined) return reject('QUOTA_UNKNOWN', 'quotaId', `no quota ${cmd.quotaId}`);
  const given = resaleChannelList(s, cmd.channels, 'channels', resaleKindOnly);
  if (!Array.isArray(given)) return given;
  quota.channels = [...quota.channels.filter((c) => s.channels[c].kind !== 'resale'), ...given];
  // A resale channel sells from no pool whatever its quotas say, but the flag is derived from
  // the quotas' channels all the same (as a snapshot's reader derives it).
  refreshOnlyQuota(s);
  return DONE;
}

/**
 * Forgets an empty quota (unlinkProduct, for a product that never sold here): its id is free
 * again. Its number is never given to another quota: tickets and remembered commands name a
 * pool by its number, and quotas are searched in the order they were made.
 */
export function dropQuota(s: PerformanceState, quota: Quota): void {
  assert(s.capacityBySource[quota.source] === 0 && s.quotas[quota.source] === quota, `quota ${quota.quotaId} is not empty`);
  s.quotas[quota.source] = null;
  s.quotaById.delete(quota.quotaId);
  s.droppedQuotaIds.set(quota.source, quota.quotaId);
}

/**
 * A channel sells only from its quotas when any of them says so; a product's holds take only
 * from its allocations when any of those says so. A product's allocation binds no channel.
 */
export function refreshOnlyQuota(s: PerformanceState): void {
  for (const channel of s.channels) channel.onlyQuota = false;
  for (const product of s.products.values()) product.onlyQuota = false;
  for (const quota of s.quotas) {
    if (quota === null || quota.policy !== 'onlyQuota') continue;
    if (quota.productId !== null) {
      const product = s.products.get(quota.productId);
      if (product !== undefined) product.onlyQuota = true;
    } else {
      for (const c of quota.channels) s.channels[c].onlyQuota = true;
    }
  }
}
