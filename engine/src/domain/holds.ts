// Holds: explicit seats, best-available and GA places; release, expiry. A hold is all or
// nothing: every check runs before the first seat changes.
import type { HoldBestAvailable, HoldGa, HoldSeats, ReleaseHold } from './commands.ts';
import { Code, codeName, reject, type CodeName, type Rejection } from './codes.ts';
import { limits } from './limits.ts';
import { needId, isInt, shown } from './checks.ts';
import { freeGa, freeSeat, gaFree, holdMaySell, moveGa, moveSeat } from './moves.ts';
import { findBestAvailable } from './best-available.ts';
import { checkSeatNos, resolveSeats, seatIdsOf, seatRefusalMessage } from './seats.ts';
import { checkBuying, type BuyContext } from './buying.ts';
import { DONE, type Done, type HoldAccepted } from './results.ts';
import { Fate, type FateNumber } from './memo.ts';
import { rememberedFate } from './dedupe.ts';
import { hashId } from './idindex.ts';
import { GENERAL, quotaIdOf, SeatState, type Hold, type PerformanceState, type ProductLink } from './state.ts';
import { HoldRecord } from './hold-record.ts';

// `hash` below is hashId(cmd.commandId): the hold's id is its command's id.

export function holdSeats(s: PerformanceState, cmd: HoldSeats, hash: number, nowMs: number): HoldAccepted | Rejection {
  const hold = seatsHold(s, cmd, -1, hash, nowMs);
  return 'ok' in hold ? hold : holdAccepted(s, hold);
}

/**
 * holdSeats' rules, for a hold named by its command's id (`binaryNo` -1, `hash` that id's hash)
 * or by a binary number (a coordinator's batched step, binary-named.ts: hash 0): the hold, or
 * the refusal. One function for both, so the two envelopes cannot drift apart.
 */
export function seatsHold(s: PerformanceState, cmd: HoldSeats, binaryNo: number, hash: number, nowMs: number): Hold | Rejection {
  const byNumber = cmd.seatNos !== undefined;
  if (byNumber === (cmd.seats !== undefined)) return reject('COMMAND_INVALID', 'seats', 'give seats (ids) or seatNos (numbers), one of the two');
  const field = byNumber ? 'seatNos' : 'seats';
  const named = (byNumber ? cmd.seatNos : cmd.seats) as unknown[];
  if (!Array.isArray(named) || named.length === 0) return reject('COMMAND_INVALID', field, `${field} must be a non-empty array`);
  const count = named.length;
  if (count > limits.seatsPerHoldMax) return reject('SEATS_PER_HOLD_EXCEEDED', field, `at most ${limits.seatsPerHoldMax} seats per hold`);
  const ctx = checkBuying(s, cmd, hash, count, nowMs);
  if (!ctx.ok) return ctx;
  const seats = byNumber ? checkSeatNos(s, named) : resolveSeats(s, named, 'seats');
  if (!Array.isArray(seats)) return seats;
  const refused = seatsRefusal(s, ctx.channel, ctx.product, ctx.ticketType, seats, field);
  if (refused !== null) return refused;
  return openHold(s, cmd.commandId, binaryNo, hash, ctx, seats, -1, GENERAL, count, nowMs);
}

/** Why one of `seats` (named in the command's `field`) cannot be held on this channel at this type, or null. */
export function seatsRefusal(s: PerformanceState, channel: number, product: ProductLink | null, ticketType: number, seats: readonly number[], field: string): Rejection | null {
  const found = unsellableSeat(s, channel, product, ticketType, seats);
  if (found === 0) return null;
  const i = found >>> 8;
  const code = found & 0xff;
  const at = { channel: s.channels[channel].id, productId: product === null ? null : product.productId, ticketType: s.ticketTypes[ticketType].id, layoutId: s.layout.layoutId };
  return reject(codeName(code) as Exclude<CodeName, 'OK'>, `${field}[${i}]`, seatRefusalMessage(code, s.layout.seatIds[seats[i]], at));
}

/**
 * The first of `seats` that cannot be held on this channel at this type, as its position << 8
 * | the code (SEAT_NOT_IN_CHANNEL, SEAT_NOT_AVAILABLE, TICKET_TYPE_NOT_PRICED_IN_ZONE), or 0:
 * one number, so the binary path (binary.ts) learns both without a rejection object.
 */
export function unsellableSeat(s: PerformanceState, channel: number, product: ProductLink | null, ticketType: number, seats: readonly number[]): number {
  const priceByZone = s.ticketTypes[ticketType].priceByZone;
  for (let i = 0; i < seats.length; i++) {
    const seat = seats[i];
    if (!holdMaySell(s, channel, product, s.seatSource[seat])) return (i << 8) | Code.SEAT_NOT_IN_CHANNEL;
    if (s.seatState[seat] !== SeatState.FREE) return (i << 8) | Code.SEAT_NOT_AVAILABLE;
    if (priceByZone[s.layout.seatZone[seat]] < 0) return (i << 8) | Code.TICKET_TYPE_NOT_PRICED_IN_ZONE;
  }
  return 0;
}

export function holdBestAvailable(s: PerformanceState, cmd: HoldBestAvailable, hash: number, nowMs: number): HoldAccepted | Rejection {
  const except = cmd.exceptSeats === undefined ? null : exceptedSeats(s, cmd.exceptSeats);
  if (except !== null && 'ok' in except) return except;
  if (!isInt(cmd.count, 1, Number.MAX_SAFE_INTEGER)) return reject('COMMAND_INVALID', 'count', 'count must be a whole number of at least 1');
  if (cmd.count > limits.seatsPerHoldMax) return reject('SEATS_PER_HOLD_EXCEEDED', 'count', `at most ${limits.seatsPerHoldMax} seats per hold`);
  const filter = cmd.filter ?? {};
  if (typeof filter !== 'object' || filter === null) return reject('COMMAND_INVALID', 'filter', 'filter must be an object');
  const zone = filter.zone === undefined ? -1 : (s.layout.zoneIndexById.get(filter.zone) ?? -2);
  if (zone === -2) return reject('FILTER_UNKNOWN_ZONE', 'filter.zone', `zone ${shown(filter.zone)} is not in the layout`);
  const section = filter.section === undefined ? -1 : (s.layout.sectionIndexById.get(filter.section) ?? -2);
  if (section === -2) return reject('FILTER_UNKNOWN_SECTION', 'filter.section', `section ${shown(filter.section)} is not in the layout`);
  if (filter.accessible !== undefined && typeof filter.accessible !== 'boolean') return reject('COMMAND_INVALID', 'filter.accessible', 'accessible must be true or false');
  const ctx = checkBuying(s, cmd, hash, cmd.count, nowMs);
  if (!ctx.ok) return ctx;
  const seats = findBestAvailable(s, ctx.channel, ctx.product, ctx.ticketType, cmd.count, zone, section, filter.accessible === true, except);
  if (seats === null) return reject('NOT_ENOUGH_SEATS', 'count', `no ${cmd.count} seats match on channel ${cmd.channel}`);
  return holdAccepted(s, openHold(s, cmd.commandId, -1, hash, ctx, seats, -1, GENERAL, cmd.count, nowMs));
}

/**
 * `exceptSeats`: 1 to exceptSeatsMax seat ids of the layout, none twice, which best available
 * passes over as if taken. A product coordinator sends it when it retries a same-seat purchase:
 * the seats the first search gave were taken on another of the product's performances.
 */
function exceptedSeats(s: PerformanceState, named: unknown): ReadonlySet<number> | Rejection {
  if (!Array.isArray(named) || named.length === 0 || named.length > limits.exceptSeatsMax) {
    return reject('COMMAND_INVALID', 'exceptSeats', `exceptSeats must be an array of 1 to ${limits.exceptSeatsMax} seat ids`);
  }
  const seats = resolveSeats(s, named, 'exceptSeats');
  return Array.isArray(seats) ? new Set(seats) : seats;
}

export function holdGa(s: PerformanceState, cmd: HoldGa, hash: number, nowMs: number): HoldAccepted | Rejection {
  const area = s.layout.gaIndexById.get(cmd.gaAreaId);
  if (area === undefined) return reject('GA_AREA_UNKNOWN', 'gaAreaId', `area ${shown(cmd.gaAreaId)} is not in the layout`);
  if (!isInt(cmd.count, 1, Number.MAX_SAFE_INTEGER)) return reject('COMMAND_INVALID', 'count', 'count must be a whole number of at least 1');
  if (cmd.count > limits.placesPerHoldMax) return reject('PLACES_PER_HOLD_EXCEEDED', 'count', `at most ${limits.placesPerHoldMax} places per hold`);
  const ctx = checkBuying(s, cmd, hash, cmd.count, nowMs);
  if (!ctx.ok) return ctx;
  if (s.ticketTypes[ctx.ticketType].priceByZone[s.layout.gaAreas[area].zone] < 0) {
    return reject('TICKET_TYPE_NOT_PRICED_IN_ZONE', 'gaAreaId', `ticket type ${s.ticketTypes[ctx.ticketType].id} has no price in area ${cmd.gaAreaId}`);
  }
  // The channel's (or the product's) quotas in this area first (in the order they were made),
  // then the general pool.
  for (let q = 1; q < s.quotas.length; q++) {
    const quota = s.quotas[q];
    if (quota !== null && quota.gaArea === area && holdMaySell(s, ctx.channel, ctx.product, q) && gaFree(s, area, q) >= cmd.count) {
      return holdAccepted(s, openHold(s, cmd.commandId, -1, hash, ctx, [], area, q, cmd.count, nowMs));
    }
  }
  if (holdMaySell(s, ctx.channel, ctx.product, GENERAL) && gaFree(s, area, GENERAL) >= cmd.count) {
    return holdAccepted(s, openHold(s, cmd.commandId, -1, hash, ctx, [], area, GENERAL, cmd.count, nowMs));
  }
  return reject('NOT_ENOUGH_PLACES', 'count', `fewer than ${cmd.count} places free in ${cmd.gaAreaId} on channel ${s.channels[ctx.channel].id}`);
}

/** Puts a checked hold on the books with what it carries (presale link, product); its id is its command's, or its binary number's (binaryNo >= 0, hash 0). */
function openHold(s: PerformanceState, holdId: string, binaryNo: number, hash: number, ctx: BuyContext, seats: number[], gaArea: number, source: number, count: number, nowMs: number): Hold {
  const buyerNo = ctx.buyerNo >= 0 ? ctx.buyerNo : s.buyers.add(ctx.buyerId, ctx.buyerHash);
  const hold = placeHold(s, binaryNo >= 0 ? '' : holdId, binaryNo, hash, buyerNo, ctx.buyerId, ctx.channel, ctx.ticketType, seats, gaArea, source, count, nowMs);
  // A binary hold's fate is kept by its number (binary-fates.ts), not on a memory entry.
  if (binaryNo < 0) hold.entrySeq = s.dedupe.nextSeq;
  hold.presaleCode = ctx.presale === null ? null : ctx.presale.code;
  hold.productId = ctx.product === null ? null : ctx.product.productId;
  hold.holdingId = ctx.holdingId;
  if (ctx.product !== null) ctx.product.heldHolds++;
  if (ctx.presale !== null) {
    ctx.presale.held += count;
    ctx.presale.buyerUse.set(ctx.buyerId, (ctx.presale.buyerUse.get(ctx.buyerId) ?? 0) + count);
  }
  return hold;
}

function holdAccepted(s: PerformanceState, hold: Hold): HoldAccepted {
  const { seats, gaArea } = hold;
  return {
    ok: true, holdId: hold.holdId, expiresAtMs: hold.expiresAtMs, seats: seatIdsOf(s, seats),
    gaAreaId: gaArea >= 0 ? s.layout.gaAreas[gaArea].id : null, count: hold.count,
    quotaId: gaArea >= 0 ? quotaIdOf(s, hold.source) : seats.length > 0 ? quotaIdOf(s, s.seatSource[seats[0]]) : null,
    ticketType: s.ticketTypes[hold.ticketType].id,
  };
}

/**
 * Puts a hold on the books for a tracked buyer (`buyerId` its id, or null for a binary hold's
 * numeric buyer, whose id is made only when asked): its record (named by its command's id, or by
 * `binaryNo` with holdId '' and hash 0 for a binary hold; `hash` is hashId of a command's id), with no
 * presale, product or memory entry (the caller adds what it carries), its place in the expiry
 * list, its seats or places held, the buyer's counts. The hold keeps `seats`: never changed after.
 */
export function placeHold(
  s: PerformanceState, holdId: string, binaryNo: number, hash: number, buyerNo: number, buyerId: string | null, channel: number, ticketType: number, seats: number[], gaArea: number, source: number, count: number, nowMs: number,
): Hold {
  const buyers = s.buyers;
  const slot = s.freeSlots.length > 0 ? (s.freeSlots.pop() as number) : s.holdBySlot.length;
  // A slot's record is reused by the next hold in that slot: no allocation per hold, and no
  // record left for the collector when a hold closes after minutes.
  const hold = s.holdRecords[slot] ?? (s.holdRecords[slot] = new HoldRecord(slot, buyers));
  hold.holdId = holdId;
  hold.binaryNo = binaryNo;
  hold.hash = hash;
  hold.setBuyer(buyerId);
  hold.channel = channel;
  hold.ticketType = ticketType;
  hold.presaleCode = null;
  hold.productId = null;
  hold.holdingId = null;
  hold.seats = seats;
  hold.gaArea = gaArea;
  hold.source = source;
  hold.count = count;
  hold.createdAtMs = nowMs;
  hold.expiresAtMs = nowMs + s.spec.holdTtlMs;
  hold.buyerNo = buyerNo;
  hold.entrySeq = -1;
  linkHold(s, hold);
  for (let i = 0; i < seats.length; i++) moveSeat(s, seats[i], SeatState.HELD, slot + 1);
  if (gaArea >= 0) moveGa(s, gaArea, source, SeatState.FREE, SeatState.HELD, count);
  buyers.openHolds[buyerNo]++;
  buyers.heldTickets[buyerNo] += count;
  return hold;
}

/** Re-links a hold at the tail of the expiry list (also used when a snapshot is decoded). */
export function linkHold(s: PerformanceState, hold: Hold): void {
  hold.prev = s.holdTail;
  hold.next = null;
  if (s.holdTail === null) s.holdHead = hold;
  else s.holdTail.next = hold;
  s.holdTail = hold;
  while (s.holdBySlot.length <= hold.slot) s.holdBySlot.push(null);
  s.holdBySlot[hold.slot] = hold;
  s.holds.add(hold);
}

/** Takes a hold off the books. Seats of a released or expired hold go back to their pool. */
export function closeHold(s: PerformanceState, hold: Hold, fate: FateNumber): void {
  if (hold.prev === null) s.holdHead = hold.next;
  else hold.prev.next = hold.next;
  if (hold.next === null) s.holdTail = hold.prev;
  else hold.next.prev = hold.prev;
  hold.prev = null;
  hold.next = null;
  s.holds.remove(hold);
  s.holdBySlot[hold.slot] = null;
  s.freeSlots.push(hold.slot);
  if (hold.binaryNo >= 0) s.binaryFates.note(hold.binaryNo, fate);
  else s.dedupe.setFate(hold.entrySeq, hold.hash, fate);
  const buyers = s.buyers;
  const buyerNo = hold.buyerNo;
  buyers.openHolds[buyerNo]--;
  buyers.heldTickets[buyerNo] -= hold.count;
  const presale = hold.presaleCode === null ? undefined : s.presales.get(hold.presaleCode);
  if (presale !== undefined) presale.held -= hold.count;
  if (hold.productId !== null) (s.products.get(hold.productId) as ProductLink).heldHolds--;
  if (fate === Fate.CONFIRMED) {
    buyers.soldTickets[buyerNo] += hold.count;
    if (presale !== undefined) presale.sold += hold.count;
    return;
  }
  for (let i = 0; i < hold.seats.length; i++) freeSeat(s, hold.seats[i]);
  if (hold.gaArea >= 0) freeGa(s, hold.gaArea, hold.source, SeatState.HELD, hold.count);
  if (presale !== undefined) {
    const used = (presale.buyerUse.get(hold.buyerId) as number) - hold.count;
    if (used === 0) presale.buyerUse.delete(hold.buyerId);
    else presale.buyerUse.set(hold.buyerId, used);
  }
  buyers.forgetIfIdle(buyerNo);
}

/** Expires holds whose time has come, oldest first, at most a bounded number per command. */
export function expireHolds(s: PerformanceState, nowMs: number): number {
  let expired = 0;
  while (s.holdHead !== null && s.holdHead.expiresAtMs <= nowMs && expired < limits.expiriesPerCommandMax) {
    closeHold(s, s.holdHead, Fate.EXPIRED);
    expired++;
  }
  return expired;
}

/** The live hold a confirm or release names, or the reason there is none. */
export function liveHold(s: PerformanceState, cmd: { holdId: unknown; buyerId: unknown }, nowMs: number): Hold | Rejection {
  const bad = needId(cmd.holdId, 'holdId') ?? needId(cmd.buyerId, 'buyerId');
  if (bad !== null) return bad;
  const holdId = cmd.holdId as string;
  const hash = hashId(holdId);
  const hold = s.holds.find(holdId, hash);
  if (hold === undefined) {
    const fate = rememberedFate(s, holdId, hash);
    if (fate === 'expired') return reject('HOLD_EXPIRED', 'holdId', `hold ${holdId} expired`);
    if (fate === 'released') return reject('HOLD_RELEASED', 'holdId', `hold ${holdId} was released`);
    if (fate === 'confirmed') return reject('HOLD_ALREADY_CONFIRMED', 'holdId', `hold ${holdId} is already an order`);
    return reject('HOLD_NOT_FOUND', 'holdId', `no hold ${holdId}`);
  }
  if (hold.buyerId !== cmd.buyerId) return reject('HOLD_NOT_OWNED', 'buyerId', `hold ${holdId} belongs to another buyer`);
  // The sweep is bounded per command, so a hold past its time may still be linked: it is
  // expired here, and can never be confirmed.
  if (hold.expiresAtMs <= nowMs) {
    closeHold(s, hold, Fate.EXPIRED);
    return reject('HOLD_EXPIRED', 'holdId', `hold ${holdId} expired`);
  }
  return hold;
}

export function releaseHold(s: PerformanceState, cmd: ReleaseHold, nowMs: number): Done | Rejection {
  const hold = liveHold(s, cmd, nowMs);
  if ('ok' in hold) return hold;
  closeHold(s, hold, Fate.RELEASED);
  return DONE;
}
