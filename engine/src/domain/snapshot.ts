// Snapshots: a performance to bytes and back. The encoding is deterministic (fixed field
// order, maps written in insertion order, ticket columns trimmed to the tickets issued), so the
// same commands give the same bytes, and a performance decoded from a snapshot and fed the rest
// of the journal encodes exactly like one that saw the whole journal.
import { Packr } from 'msgpackr';
import { linkHold } from './holds.ts';
import { HoldRecord, parseBinaryHoldId } from './hold-record.ts';
import { fnv1a, type Layout } from './layout.ts';
import { nextQuotaClose, refreshOnlyQuota } from './quotas.ts';
import { countProductOrder } from './products-link.ts';
import {
  createPerformance, Order, orderIdOf, type Block, type Listing, type ListingStatus, type PerformanceSpec, type PerformanceState, type Presale,
  type ProductLink, type Quota, type ResaleSale,
} from './state.ts';
import { memoColumns, restoreMemo, restoreMemoColumns, restoreMemoColumnsV4, type MemoColumns, type MemoColumnsV4 } from './dedupe.ts';
import { hashId } from './idindex.ts';
import { COMMAND_WORDS, REPLY_WORDS } from './binary.ts';
import { TicketStatus, ticketColumns, ticketNoOf } from './tickets.ts';
import { aligned, bytesOf, type TypedColumn } from './typed-arrays.ts';

// Version 3 added products (links, product holds, orders and quotas), resale listings and sales,
// and resale orders. A version 2 snapshot (from before products) still decodes: its records read
// as having no product, and it has no links, listings or sales. Version 4 writes the remembered
// commands as columns instead of a tuple per command; versions 2 and 3 still decode (their
// tuples). Version 5 writes the remembered commands' strings as one run of UTF-16 units, as the
// memory keeps them, instead of a string per entry; version 4 still decodes. Anything else is
// refused.
const SNAPSHOT_VERSION = 5;
const READABLE_VERSIONS: readonly number[] = [2, 3, 4, 5];
const packr = new Packr({ useRecords: false, mapsAsObjects: true });
const listingStatuses: readonly ListingStatus[] = ['open', 'sold', 'withdrawn'];


/** Copies bytes into a fresh, aligned buffer and views it as the given array type. */
function restore<T extends TypedColumn>(bytes: Uint8Array, into: T): T {
  const copy = new Uint8Array(into.byteLength);
  copy.set(bytes.subarray(0, Math.min(bytes.length, copy.length)));
  into.set(new (into.constructor as new (b: ArrayBuffer) => T)(copy.buffer) as never);
  return into;
}

export function encodeSnapshot(s: PerformanceState): Uint8Array {
  // A hold names its command's entry by its place among the remembered commands, oldest first
  // (-1 once forgotten): sequence numbers themselves are not state.
  const memo = s.dedupe;
  const oldest = memo.nextSeq - memo.size;
  const holds: unknown[] = [];
  for (let h = s.holdHead; h !== null; h = h.next) {
    const tuple = [h.holdId, h.slot, h.buyerId, h.channel, h.ticketType, h.presaleCode, h.seats, h.gaArea, h.source, h.count, h.createdAtMs, h.expiresAtMs, memo.isKept(h.entrySeq) ? h.entrySeq - oldest : -1];
    if (h.productId !== null) tuple.push(h.productId, h.holdingId);
    holds.push(tuple);
  }
  const t = s.tickets;
  const snapshot = {
    v: SNAPSHOT_VERSION,
    performanceId: s.performanceId,
    layoutId: s.layout.layoutId,
    layoutHash: s.layout.hash,
    spec: s.spec,
    lastNowMs: s.lastNowMs,
    seatState: bytesOf(s.seatState),
    seatHolder: bytesOf(s.seatHolder),
    seatSource: bytesOf(s.seatSource),
    counts: bytesOf(s.counts),
    capacityBySource: bytesOf(s.capacityBySource),
    gaCounts: bytesOf(s.gaCounts),
    rowFree: bytesOf(s.rowFree),
    sectionFree: bytesOf(s.sectionFree),
    totals: bytesOf(s.totals),
    holds,
    holdSlots: s.holdBySlot.length,
    freeSlots: s.freeSlots,
    ticketCount: t.count,
    tickets: ticketColumns.map((c) => bytesOf(t[c], t.count)),
    orders: s.orders.map(orderTuple),
    buyerNumbers: s.buyers.ids.length,
    buyerFree: s.buyers.free,
    buyers: buyerTuples(s),
    // A closed quota (added within version 5) adds a 1 after its product id (null for none), an
    // open one that closes by itself a 0 and its closesAtMs (added later within version 5);
    // other quotas encode as before, so snapshots without either are unchanged.
    quotas: s.quotas.slice(1).map((q) => (q === null ? null : [q.quotaId, q.source, q.channels, q.policy, q.discountPct, q.gaArea, ...quotaTail(q)])),
    // Added within version 5 (older readers ignore it; older snapshots have none).
    droppedQuotas: [...s.droppedQuotaIds],
    // A batch from a quota or with returns adds its source and returned count (within version 5);
    // other blocks encode as before, so snapshots without either are unchanged.
    blocks: s.blocks.map((b) => [b.blockId, b.number, b.kind, b.party, b.deliveryNote, b.seats, b.gaArea, b.count, b.createdAtMs, ...(b.source === 0 && b.returned === 0 ? [] : [b.source, b.returned])]),
    presales: [...s.presales.values()].map((p) => [p.code, p.ticketType, p.validFromMs, p.validUntilMs, p.totalMax, p.perBuyerMax, p.stopped, p.held, p.sold, [...p.buyerUse], p.orders]),
    // linkNo (the fifth value) and nextLinkNo were added within version 5; older snapshots number their products in link order.
    products: [...s.products.values()].map((p) => [p.productId, p.kind, p.cardKind, p.resale === null ? null : [p.resale.minPct, p.resale.maxPct, p.resale.feePct, p.resale.channels], p.linkNo]),
    nextLinkNo: s.nextLinkNo,
    listings: [...s.listings.values()].map((l) => [l.listingId, l.ticket, l.sellerId, l.channel, l.priceMinor, l.basePriceMinor, listingStatuses.indexOf(l.status), l.createdAtMs]),
    resales: s.resales.map(resaleTuple),
    dedupe: dedupeOf(s),
    // Added within version 5, only when a hold's fate outlived its command (closed-fates.ts):
    // other snapshots are unchanged.
    ...closedFatesOf(s),
    // Added within version 5, only once a client session was opened (binary commands).
    ...sessionsOf(s),
  };
  return packr.pack(snapshot);
}

/**
 * Each session's client and last request (number, size, time, expiry, commands, reply, and its
 * strings and the seats its best-available holds found when it had any: a session without them
 * is written as before), the next
 * binary hold's number, and the fates of closed binary holds once there are any.
 */
function sessionsOf(s: PerformanceState): { sessions?: unknown[]; nextBinaryNo?: number; binaryFates?: [Uint8Array, Uint8Array] } {
  if (s.sessions.list.length === 0) return {};
  const sessions = s.sessions.list.map((x) => {
    const kept: unknown[] = [x.clientId, x.requestNo, x.count, x.nowMs, x.expiresAtMs, bytesOf(x.request, x.count * COMMAND_WORDS), bytesOf(x.reply, x.count * REPLY_WORDS)];
    // Strings, then the seats best available found: each written only when there are some (or later ones).
    if (x.strings.length > 0 || x.seatCount > 0) kept.push(x.strings);
    if (x.seatCount > 0) kept.push(bytesOf(x.seats, x.seatCount));
    return kept;
  });
  const fates = s.binaryFates.columns();
  return { sessions, nextBinaryNo: s.nextBinaryNo, ...(fates === null ? {} : { binaryFates: [bytesOf(fates.nos), fates.fates] }) };
}

function restoreSessions(s: PerformanceState, sessions: unknown[][], nextBinaryNo: number, fates: [Uint8Array, Uint8Array] | undefined): void {
  if (fates !== undefined) s.binaryFates.restore({ nos: aligned(fates[0], Int32Array), fates: aligned(fates[1], Uint8Array) });
  for (const [clientId, requestNo, count, nowMs, expiresAtMs, request, reply, strings, seats] of sessions) {
    const session = s.sessions.add(clientId as string);
    session.requestNo = requestNo as number;
    session.count = count as number;
    session.nowMs = nowMs as number;
    session.expiresAtMs = expiresAtMs as number;
    session.request = aligned(request as Uint8Array, Int32Array);
    session.reply = aligned(reply as Uint8Array, Int32Array);
    session.strings = (strings as string[] | undefined) ?? [];
    if (seats !== undefined) {
      session.seats = aligned(seats as Uint8Array, Int32Array);
      session.seatCount = session.seats.length;
    }
  }
  s.nextBinaryNo = nextBinaryNo;
}

function closedFatesOf(s: PerformanceState): { closedHoldFates?: [Uint8Array, Uint8Array, Uint8Array] } {
  const c = s.dedupe.closedFates.columns();
  return c === null ? {} : { closedHoldFates: [bytesOf(c.hashes), c.fates, c.next] };
}

function dedupeOf(s: PerformanceState): unknown {
  const c = memoColumns(s);
  return {
    ...c, kinds: bytesOf(c.kinds), fates: bytesOf(c.fates), expiresAtMs: bytesOf(c.expiresAtMs), bytes: bytesOf(c.bytes), seats: bytesOf(c.seats),
    units: bytesOf(c.units), lengths: bytesOf(c.lengths),
  };
}

type NumberColumn = 'kinds' | 'fates' | 'expiresAtMs' | 'bytes' | 'seats';
type PackedMemo = Omit<MemoColumns, NumberColumn | 'units' | 'lengths'> & Record<NumberColumn | 'units' | 'lengths', Uint8Array>;
type PackedMemoV4 = Omit<MemoColumnsV4, NumberColumn> & Record<NumberColumn, Uint8Array>;

function numbersFrom(d: Record<NumberColumn, Uint8Array>): Pick<MemoColumns, NumberColumn> {
  return { kinds: aligned(d.kinds, Uint8Array), fates: aligned(d.fates, Uint8Array), expiresAtMs: aligned(d.expiresAtMs, Float64Array), bytes: aligned(d.bytes, Uint8Array), seats: aligned(d.seats, Int32Array) };
}

function memoFrom(d: PackedMemo): MemoColumns {
  return { oldSize: d.oldSize, ...numbersFrom(d), units: aligned(d.units, Uint16Array), lengths: aligned(d.lengths, Uint16Array), objects: d.objects };
}

function memoFromV4(d: PackedMemoV4): MemoColumnsV4 {
  return { oldSize: d.oldSize, ids: d.ids, a: d.a, b: d.b, c: d.c, ...numbersFrom(d) };
}

/** A quota's fields after its GA area: none, [productId], [productId, 1] closed, [productId, 0, closesAtMs] closing by itself. */
function quotaTail(q: Quota): unknown[] {
  if (q.closed) return [q.productId, 1];
  if (q.closesAtMs !== Number.MAX_SAFE_INTEGER) return [q.productId, 0, q.closesAtMs];
  return q.productId === null ? [] : [q.productId];
}

/**
 * An order as a tuple. Product and resale fields are written only where set, as for holds and
 * quotas: records of single tickets encode as in version 2, and cost no more bytes.
 */
function orderTuple(o: Order): unknown[] {
  const tuple: unknown[] = [o.orderId, o.holdId, o.buyerId, o.buyerEmail, o.channel, o.presaleCode, o.tickets, o.totalMinor, o.discountMinor, o.createdAtMs];
  if (o.productId !== null || o.resaleOf !== null) tuple.push(o.productId, o.holdingId, o.resaleOf, o.basePriceMinor);
  return tuple;
}

/**
 * A resale as a tuple. refundedAtMs (added within version 5) is written only for a refunded sale,
 * so snapshots without one are unchanged.
 */
function resaleTuple(r: ResaleSale): unknown[] {
  const tuple: unknown[] = [r.listingId, r.productId, r.holdingId, r.sellerId, r.buyerId, r.ticketId, r.resaleOf, r.priceMinor, r.basePriceMinor, r.feeMinor, r.sellerCreditMinor, r.atMs];
  if (r.refundedAtMs !== null) tuple.push(r.refundedAtMs);
  return tuple;
}

/**
 * When a decoded sale was refunded: as written, else, for a sale whose buyer's ticket is void in a
 * snapshot from before refunds were recorded, the snapshot's time (the void was at or before it:
 * the earliest this engine can book the refund), else null.
 */
function refundedAtMsOf(s: PerformanceState, written: number | undefined, buyerTicketId: string): number | null {
  if (written !== undefined) return written;
  const no = ticketNoOf(s.tickets, s.performanceId, buyerTicketId);
  return no >= 0 && s.tickets.status[no] === TicketStatus.VOID ? s.lastNowMs : null;
}

/** Tracked buyers as [number, id, openHolds, heldTickets, soldTickets], in number order. */
function buyerTuples(s: PerformanceState): unknown[] {
  const b = s.buyers;
  const tuples: unknown[] = [];
  for (let no = 0; no < b.ids.length; no++) if (b.tracks(no)) tuples.push([no, b.idOf(no), b.openHolds[no], b.heldTickets[no], b.soldTickets[no]]);
  return tuples;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- the decoder reads the tuples the encoder wrote, field by field. */
export function decodeSnapshot(bytes: Uint8Array, layout: Layout): PerformanceState {
  const snap = packr.unpack(bytes) as any;
  if (!READABLE_VERSIONS.includes(snap?.v)) throw new Error(`snapshot version ${String(snap?.v)} is not one of ${READABLE_VERSIONS.join(', ')}`);
  if (snap.layoutId !== layout.layoutId || snap.layoutHash !== layout.hash) {
    throw new Error(`snapshot was taken against layout ${snap.layoutId}#${snap.layoutHash}, not ${layout.layoutId}#${layout.hash}`);
  }
  const created = createPerformance(snap.spec as PerformanceSpec, layout);
  if (!created.ok) throw new Error(`snapshot spec is invalid: ${created.name} ${created.field}`);
  const s = created.state;
  s.lastNowMs = snap.lastNowMs;
  restore(snap.seatState, s.seatState);
  restore(snap.seatHolder, s.seatHolder);
  restore(snap.seatSource, s.seatSource);
  restore(snap.counts, s.counts);
  restore(snap.capacityBySource, s.capacityBySource);
  restore(snap.gaCounts, s.gaCounts);
  restore(snap.rowFree, s.rowFree);
  restore(snap.sectionFree, s.sectionFree);
  restore(snap.totals, s.totals);
  if (snap.v >= 5) restoreMemoColumns(s, memoFrom(snap.dedupe));
  else if (snap.v === 4) restoreMemoColumnsV4(s, memoFromV4(snap.dedupe));
  else restoreMemo(s, snap.dedupe);
  if (snap.sessions !== undefined) restoreSessions(s, snap.sessions, snap.nextBinaryNo, snap.binaryFates);
  if (snap.closedHoldFates !== undefined) {
    const [hashes, fates, next] = snap.closedHoldFates as [Uint8Array, Uint8Array, Uint8Array];
    s.dedupe.closedFates.restore({ hashes: aligned(hashes, Int32Array), fates: aligned(fates, Uint8Array), next: aligned(next, Uint8Array) });
  }
  s.buyers.reserve(snap.buyerNumbers, snap.buyerFree);
  for (const b of snap.buyers) s.buyers.restore(b[0], b[1], { openHolds: b[2], heldTickets: b[3], soldTickets: b[4] });
  // Products first: holds and orders count themselves on their product.
  for (const p of snap.products ?? []) {
    const resale = p[3] === null ? null : { minPct: p[3][0], maxPct: p[3][1], feePct: p[3][2], channels: p[3][3] };
    const link: ProductLink = { productId: p[0], kind: p[1], cardKind: p[2], resale, linkNo: p[4] ?? s.products.size, onlyQuota: false, heldHolds: 0, orders: 0 };
    s.products.set(link.productId, link);
  }
  s.nextLinkNo = snap.nextLinkNo ?? s.products.size;
  for (let i = 0; i < snap.holdSlots; i++) s.holdBySlot.push(null);
  for (const h of snap.holds) {
    // A binary hold is written under its id, `#<slot>.<binaryNo>` (added within version 5).
    const binary = parseBinaryHoldId(h[0]);
    const hold = new HoldRecord(h[1], s.buyers);
    Object.assign(hold, {
      binaryNo: binary === null ? -1 : binary[1], buyerId: h[2], channel: h[3], ticketType: h[4], presaleCode: h[5], seats: h[6], gaArea: h[7],
      source: h[8], count: h[9], createdAtMs: h[10], expiresAtMs: h[11],
      buyerNo: s.buyers.find(h[2], hashId(h[2])), entrySeq: h[12], productId: h[13] ?? null, holdingId: h[14] ?? null, hash: binary === null ? hashId(h[0]) : 0,
    });
    if (binary === null) hold.holdId = h[0];
    linkHold(s, hold);
    if (hold.productId !== null) (s.products.get(hold.productId) as ProductLink).heldHolds++;
  }
  s.freeSlots.push(...(snap.freeSlots as number[]));
  const t = s.tickets;
  let rows = t.seat.length;
  while (rows < snap.ticketCount) rows *= 2;
  ticketColumns.forEach((column, i) => {
    const fresh = new (t[column].constructor as new (n: number) => TypedColumn)(rows);
    (t as unknown as Record<string, TypedColumn>)[column] = restore(snap.tickets[i], fresh);
  });
  t.count = snap.ticketCount;
  for (const o of snap.orders) {
    const no = s.orders.length;
    const tickets = o[6] as number[];
    // Every order this engine made has its id from its number and a run of tickets; the snapshot lists both.
    if (o[0] !== orderIdOf(s.performanceId, no)) throw new Error(`snapshot order ${no} is named ${String(o[0])}, not ${orderIdOf(s.performanceId, no)}`);
    if (tickets.length === 0 || tickets.some((ticket, i) => ticket !== tickets[0] + i)) throw new Error(`snapshot order ${no}: its tickets are not a run of numbers`);
    const order = new Order(
      s.performanceId, no, o[1], o[2], o[3], o[4], o[5], tickets[0], tickets.length, o[7], o[8], o[9],
      o[10] ?? null, o[11] ?? null, o[12] ?? null, o[13] ?? null,
    );
    s.orders.add(order);
    if (order.productId !== null) countProductOrder(s, order);
  }
  for (const q of snap.quotas) {
    if (q === null) { s.quotas.push(null); continue; }
    const quota: Quota = {
      quotaId: q[0], source: q[1], channels: q[2], policy: q[3], discountPct: q[4], gaArea: q[5], productId: q[6] ?? null, closed: q[7] === 1,
      closesAtMs: q[7] === 0 ? q[8] : Number.MAX_SAFE_INTEGER,
    };
    s.quotas.push(quota);
    s.quotaById.set(quota.quotaId, quota);
  }
  for (const [source, quotaId] of snap.droppedQuotas ?? []) s.droppedQuotaIds.set(source, quotaId);
  refreshOnlyQuota(s);
  s.nextQuotaCloseAtMs = nextQuotaClose(s);
  for (const b of snap.blocks) {
    const block: Block = { blockId: b[0], number: b[1], kind: b[2], party: b[3], deliveryNote: b[4], seats: b[5], gaArea: b[6], count: b[7], createdAtMs: b[8], source: b[9] ?? 0, returned: b[10] ?? 0 };
    s.blocks.push(block);
    s.blockById.set(block.blockId, block);
  }
  for (const p of snap.presales) {
    const presale: Presale = {
      code: p[0], ticketType: p[1], validFromMs: p[2], validUntilMs: p[3], totalMax: p[4], perBuyerMax: p[5], stopped: p[6],
      held: p[7], sold: p[8], buyerUse: new Map(p[9]), orders: p[10],
    };
    s.presales.set(presale.code, presale);
  }
  for (const l of snap.listings ?? []) {
    const listing: Listing = { listingId: l[0], ticket: l[1], sellerId: l[2], channel: l[3], priceMinor: l[4], basePriceMinor: l[5], status: listingStatuses[l[6]], createdAtMs: l[7] };
    s.listings.set(listing.listingId, listing);
    if (listing.status === 'open') s.openListings.set(listing.ticket, listing);
  }
  for (const r of snap.resales ?? []) {
    s.resales.push({
      listingId: r[0], productId: r[1], holdingId: r[2], sellerId: r[3], buyerId: r[4], ticketId: r[5], resaleOf: r[6], priceMinor: r[7], basePriceMinor: r[8],
      feeMinor: r[9], sellerCreditMinor: r[10], atMs: r[11], refundedAtMs: refundedAtMsOf(s, r[12], r[5]),
    });
  }
  return s;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** A short fingerprint of a performance's whole state (FNV-1a over the snapshot bytes). */
export function stateHash(s: PerformanceState): string {
  return fnv1a(encodeSnapshot(s));
}
