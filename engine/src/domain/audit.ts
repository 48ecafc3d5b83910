// The auditor: recomputes every counter of a performance from its per-seat arrays, holds,
// tickets and blocks (and, in audit-products.ts, products, listings and resales), and lists
// every disagreement. It is the second half of the invariant pair (execute.ts checks the
// totals after every command); tests run it after every command.
import { SOURCES, STATES, SeatState, type PerformanceState } from './state.ts';
import { TicketStatus } from './tickets.ts';
import { hashId } from './idindex.ts';
import { decimalKeyOf } from './buyers.ts';
import { auditProducts } from './audit-products.ts';
import { nextQuotaClose } from './quotas.ts';

export function auditPerformance(s: PerformanceState): string[] {
  const problems: string[] = [];
  const fail = (message: string): void => { if (problems.length < 50) problems.push(message); };
  const layout = s.layout;
  const counts = new Int32Array(SOURCES * STATES);
  const rowFree = new Uint16Array(layout.rowIds.length);
  const sectionFree = new Uint32Array(layout.sectionIds.length);
  const seatCapacity = new Int32Array(SOURCES);

  for (let seat = 0; seat < layout.seatCount; seat++) {
    const state = s.seatState[seat];
    const source = s.seatSource[seat];
    counts[source * STATES + state]++;
    seatCapacity[source]++;
    const holder = s.seatHolder[seat];
    if (state === SeatState.FREE) {
      rowFree[layout.seatRow[seat]]++;
      sectionFree[layout.rowSection[layout.seatRow[seat]]]++;
      if (holder !== 0) fail(`free seat ${layout.seatIds[seat]} has holder ${holder}`);
    } else if (state === SeatState.HELD) {
      const hold = s.holdBySlot[holder - 1];
      if (hold === null || hold === undefined || !hold.seats.includes(seat)) fail(`held seat ${layout.seatIds[seat]} is in no live hold`);
    } else if (state === SeatState.SOLD) {
      const no = holder - 1;
      if (no < 0 || no >= s.tickets.count || s.tickets.status[no] !== TicketStatus.VALID || s.tickets.seat[no] !== seat) fail(`sold seat ${layout.seatIds[seat]} has no valid ticket`);
    } else if (state === SeatState.BLOCKED) {
      const block = s.blocks[holder - 1];
      if (block === undefined || !block.seats.includes(seat)) fail(`blocked seat ${layout.seatIds[seat]} is in no block`);
    } else fail(`seat ${layout.seatIds[seat]} has unknown state ${state}`);
  }

  // GA places: held from holds, sold from tickets, blocked from blocks; free is what is left.
  const ga = new Int32Array(s.gaCounts.length);
  const buyerUse = new Map<string, { openHolds: number; heldTickets: number; soldTickets: number }>();
  const use = (buyerId: string) => buyerUse.get(buyerId) ?? (buyerUse.set(buyerId, { openHolds: 0, heldTickets: 0, soldTickets: 0 }).get(buyerId) as { openHolds: number; heldTickets: number; soldTickets: number });
  const presaleHeld = new Map<string, number>();
  const presaleSold = new Map<string, number>();
  const presaleBuyer = new Map<string, number>();
  let listed = 0;
  let previousExpiry = -Infinity;
  for (let hold = s.holdHead; hold !== null; hold = hold.next) {
    listed++;
    if (hold.expiresAtMs < previousExpiry) fail(`hold ${hold.holdId} is out of expiry order`);
    previousExpiry = hold.expiresAtMs;
    if (s.holds.get(hold.holdId) !== hold || s.holdBySlot[hold.slot] !== hold || hold.hash !== (hold.binaryNo >= 0 ? 0 : hashId(hold.holdId))) fail(`hold ${hold.holdId} is not indexed`);
    if (hold.binaryNo >= s.nextBinaryNo || (hold.binaryNo >= 0 && (hold.presaleCode !== null || hold.gaArea >= 0 || (hold.productId === null) !== (hold.holdingId === null)))) fail(`binary hold ${hold.holdId} is not one a binary command makes`);
    if (s.buyers.idOf(hold.buyerNo) !== hold.buyerId) fail(`hold ${hold.holdId} points at buyer number ${hold.buyerNo}, not its buyer`);
    for (const seat of hold.seats) if (s.seatState[seat] !== SeatState.HELD || s.seatHolder[seat] !== hold.slot + 1) fail(`hold ${hold.holdId} claims seat ${layout.seatIds[seat]} it does not hold`);
    if (hold.gaArea >= 0) ga[(hold.gaArea * SOURCES + hold.source) * STATES + SeatState.HELD] += hold.count;
    const buyer = use(hold.buyerId);
    buyer.openHolds++;
    buyer.heldTickets += hold.count;
    if (hold.presaleCode !== null) {
      presaleHeld.set(hold.presaleCode, (presaleHeld.get(hold.presaleCode) ?? 0) + hold.count);
      const key = `${hold.presaleCode}\u0000${hold.buyerId}`;
      presaleBuyer.set(key, (presaleBuyer.get(key) ?? 0) + hold.count);
    }
  }
  if (listed !== s.holds.size) fail(`${listed} holds listed, ${s.holds.size} indexed`);

  const t = s.tickets;
  // At most one valid ticket per seat (a resale leaves the seller's ticket transferred, not valid).
  const validOnSeat = new Uint8Array(layout.seatCount);
  for (let no = 0; no < t.count; no++) {
    if (t.status[no] !== TicketStatus.VALID) continue;
    const seat = t.seat[no];
    if (seat >= 0 && ++validOnSeat[seat] > 1) fail(`seat ${layout.seatIds[seat]} is on more than one valid ticket`);
    if (seat >= 0 && (s.seatState[seat] !== SeatState.SOLD || s.seatHolder[seat] !== no + 1)) fail(`ticket ${no} is valid but its seat ${layout.seatIds[seat]} is not sold to it`);
    if (seat < 0) ga[(t.gaArea[no] * SOURCES + t.source[no]) * STATES + SeatState.SOLD]++;
    const order = s.orders.get(t.order[no]);
    use(order.buyerId).soldTickets++;
    if (order.presaleCode !== null) {
      presaleSold.set(order.presaleCode, (presaleSold.get(order.presaleCode) ?? 0) + 1);
      const key = `${order.presaleCode}\u0000${order.buyerId}`;
      presaleBuyer.set(key, (presaleBuyer.get(key) ?? 0) + 1);
    }
  }
  for (const block of s.blocks) {
    if (block.gaArea >= 0) ga[(block.gaArea * SOURCES + block.source) * STATES + SeatState.BLOCKED] += block.count;
    else if (block.count !== block.seats.length) fail(`block ${block.blockId} counts ${block.count} seats and lists ${block.seats.length}`);
    for (const seat of block.seats) {
      if (s.seatState[seat] !== SeatState.BLOCKED || s.seatHolder[seat] !== block.number + 1) fail(`block ${block.blockId} lists seat ${layout.seatIds[seat]}, which it does not block`);
    }
  }

  const capacity = new Int32Array(seatCapacity);
  layout.gaAreas.forEach((area, g) => {
    let areaTotal = 0;
    for (let q = 0; q < SOURCES; q++) {
      const base = (g * SOURCES + q) * STATES;
      for (let st = SeatState.HELD; st <= SeatState.BLOCKED; st++) if (ga[base + st] !== s.gaCounts[base + st]) fail(`GA ${area.id} source ${q} state ${st}: ${s.gaCounts[base + st]} counted, ${ga[base + st]} found`);
      if (s.gaCounts[base + SeatState.FREE] < 0) fail(`GA ${area.id} source ${q} has negative free places`);
      for (let st = 0; st < STATES; st++) {
        areaTotal += s.gaCounts[base + st];
        counts[q * STATES + st] += s.gaCounts[base + st];
        capacity[q] += s.gaCounts[base + st];
      }
    }
    if (areaTotal !== area.capacity) fail(`GA ${area.id}: free + held + sold + blocked = ${areaTotal}, capacity ${area.capacity}`);
  });

  for (let q = 0; q < SOURCES; q++) {
    for (let st = 0; st < STATES; st++) if (counts[q * STATES + st] !== s.counts[q * STATES + st]) fail(`source ${q} state ${st}: ${s.counts[q * STATES + st]} counted, ${counts[q * STATES + st]} found`);
    if (capacity[q] !== s.capacityBySource[q]) fail(`source ${q}: capacity ${s.capacityBySource[q]} recorded, ${capacity[q]} found`);
  }
  let total = 0;
  for (let st = 0; st < STATES; st++) {
    let sum = 0;
    for (let q = 0; q < SOURCES; q++) sum += counts[q * STATES + st];
    if (sum !== s.totals[st]) fail(`state ${st}: total ${s.totals[st]}, found ${sum}`);
    total += sum;
  }
  if (total !== layout.capacity) fail(`free + held + sold + blocked = ${total}, capacity ${layout.capacity}`);
  for (let r = 0; r < rowFree.length; r++) if (rowFree[r] !== s.rowFree[r]) fail(`row ${r}: ${s.rowFree[r]} free counted, ${rowFree[r]} found`);
  for (let k = 0; k < sectionFree.length; k++) if (sectionFree[k] !== s.sectionFree[k]) fail(`section ${layout.sectionIds[k]}: ${s.sectionFree[k]} free counted, ${sectionFree[k]} found`);

  // Quotas are indexed by id under their number; a number with no quota (never given out, or
  // its quota dropped with its product's link) holds no seat and no place.
  let quotaCount = 0;
  for (let q = 1; q < SOURCES; q++) {
    const quota = q < s.quotas.length ? s.quotas[q] : null;
    if (quota === null || quota === undefined) {
      if (capacity[q] !== 0) fail(`source ${q} has no quota but holds ${capacity[q]} places`);
      continue;
    }
    quotaCount++;
    if (quota.source !== q || s.quotaById.get(quota.quotaId) !== quota) fail(`quota ${quota.quotaId} is not indexed under number ${q}`);
    // A closed quota gave its free stock back and sends what comes free to the general pool;
    // one due to close by itself closed at the command that reached its time.
    if (quota.closed && counts[q * STATES + SeatState.FREE] !== 0) fail(`closed quota ${quota.quotaId} has ${counts[q * STATES + SeatState.FREE]} free places`);
    if (!quota.closed && quota.closesAtMs <= s.lastNowMs) fail(`quota ${quota.quotaId} is open past its closesAtMs ${quota.closesAtMs} (now ${s.lastNowMs})`);
  }
  if (quotaCount !== s.quotaById.size) fail(`${s.quotaById.size} quotas indexed, ${quotaCount} found`);
  if (s.nextQuotaCloseAtMs > nextQuotaClose(s)) fail(`next quota close kept at ${s.nextQuotaCloseAtMs}, an open quota closes at ${nextQuotaClose(s)}`);

  for (const [buyerId, found] of buyerUse) {
    const kept = s.buyers.get(buyerId);
    if (kept === undefined || kept.openHolds !== found.openHolds || kept.heldTickets !== found.heldTickets || kept.soldTickets !== found.soldTickets) fail(`buyer ${buyerId}: usage ${JSON.stringify(kept)} kept, ${JSON.stringify(found)} found`);
  }
  for (const [buyerId, kept] of s.buyers) if (!buyerUse.has(buyerId)) fail(`buyer ${buyerId} kept with ${JSON.stringify(kept)} but owns nothing`);
  for (const [code, presale] of s.presales) {
    if (presale.held !== (presaleHeld.get(code) ?? 0) || presale.sold !== (presaleSold.get(code) ?? 0)) fail(`presale ${code}: held/sold ${presale.held}/${presale.sold} kept`);
    if (presale.held + presale.sold > presale.totalMax) fail(`presale ${code} is over its total`);
    for (const [buyerId, n] of presale.buyerUse) if (presaleBuyer.get(`${code}\u0000${buyerId}`) !== n) fail(`presale ${code} buyer ${buyerId}: ${n} kept`);
  }
  for (const [, hold] of s.holds) if (hold.count > 0 && s.buyers.get(hold.buyerId) === undefined) fail(`hold ${hold.holdId} has an untracked buyer`);

  auditProducts(s, fail);

  // The id indexes: every tracked buyer and every remembered command is found under its id.
  let tracked = 0;
  for (let no = 0; no < s.buyers.ids.length; no++) {
    if (!s.buyers.tracks(no)) continue;
    tracked++;
    const id = s.buyers.idOf(no);
    if (s.buyers.find(id, hashId(id)) !== no) fail(`buyer ${id} is not indexed`);
    const key = decimalKeyOf(id);
    if (s.buyers.keyOf(no) !== key || (key >= 0 && s.buyers.findKey(key) !== no)) fail(`buyer ${id} is not indexed by its number`);
  }
  if (tracked !== s.buyers.size) fail(`${tracked} buyers tracked, ${s.buyers.size} indexed`);
  s.sessions.list.forEach((session, no) => {
    if (session.sessionNo !== no || s.sessions.byClient.get(session.clientId) !== session) fail(`session ${no} is not indexed`);
    if (session.requestNo < 0 || session.count < 0 || (session.requestNo === 0) !== (session.count === 0)) fail(`session ${no} has no consistent last request`);
  });
  if (s.sessions.byClient.size !== s.sessions.list.length) fail('a client has two sessions');
  const memo = s.dedupe;
  for (const at of memo.places()) {
    const id = memo.idOf(at);
    if (memo.hashes[at] !== hashId(id) || memo.find(id, memo.hashes[at]) !== at) fail(`command ${id} is not indexed`);
  }
  return problems;
}
