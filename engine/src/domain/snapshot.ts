// Snapshots: a performance to bytes and back. The encoding is deterministic (fixed field
// order, maps written in insertion order, ticket columns trimmed to the tickets issued), so the
// same commands give the same bytes, and a performance decoded from a snapshot and fed the rest
// of the journal encodes exactly like one that saw the whole journal.
import { Packr } from 'msgpackr';
import { linkHold } from './holds.ts';
import { fnv1a, type Layout } from './layout.ts';
import { refreshOnlyQuota } from './quotas.ts';
import { createPerformance, type Block, type Hold, type Order, type PerformanceSpec, type PerformanceState, type Presale, type Quota } from './state.ts';
import { memoTuples, restoreMemo } from './dedupe.ts';
import { hashId } from './idindex.ts';
import { ticketColumns } from './tickets.ts';

const SNAPSHOT_VERSION = 2;
const packr = new Packr({ useRecords: false, mapsAsObjects: true });

type Typed = Uint8Array | Uint16Array | Uint32Array | Int16Array | Int32Array;

function bytesOf(array: Typed, length = array.length): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, length * array.BYTES_PER_ELEMENT);
}

/** Copies bytes into a fresh, aligned buffer and views it as the given array type. */
function restore<T extends Typed>(bytes: Uint8Array, into: T): T {
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
    holds.push([h.holdId, h.slot, h.buyerId, h.channel, h.ticketType, h.presaleCode, h.seats, h.gaArea, h.source, h.count, h.createdAtMs, h.expiresAtMs, memo.isKept(h.entrySeq) ? h.entrySeq - oldest : -1]);
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
    orders: s.orders.map((o) => [o.orderId, o.holdId, o.buyerId, o.buyerEmail, o.channel, o.presaleCode, o.tickets, o.totalMinor, o.discountMinor, o.createdAtMs]),
    buyerNumbers: s.buyers.ids.length,
    buyerFree: s.buyers.free,
    buyers: buyerTuples(s),
    quotas: s.quotas.slice(1).map((q) => (q === null ? null : [q.quotaId, q.source, q.channels, q.policy, q.discountPct, q.gaArea])),
    blocks: s.blocks.map((b) => [b.blockId, b.number, b.kind, b.party, b.deliveryNote, b.seats, b.gaArea, b.count, b.createdAtMs]),
    presales: [...s.presales.values()].map((p) => [p.code, p.ticketType, p.validFromMs, p.validUntilMs, p.totalMax, p.perBuyerMax, p.stopped, p.held, p.sold, [...p.buyerUse], p.orders]),
    dedupe: memoTuples(s),
  };
  return packr.pack(snapshot);
}

/** Tracked buyers as [number, id, openHolds, heldTickets, soldTickets], in number order. */
function buyerTuples(s: PerformanceState): unknown[] {
  const b = s.buyers;
  const tuples: unknown[] = [];
  b.ids.forEach((id, no) => { if (id !== null) tuples.push([no, id, b.openHolds[no], b.heldTickets[no], b.soldTickets[no]]); });
  return tuples;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- the decoder reads the tuples the encoder wrote, field by field. */
export function decodeSnapshot(bytes: Uint8Array, layout: Layout): PerformanceState {
  const snap = packr.unpack(bytes) as any;
  if (snap?.v !== SNAPSHOT_VERSION) throw new Error(`snapshot version ${String(snap?.v)} is not ${SNAPSHOT_VERSION}`);
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
  restoreMemo(s, snap.dedupe);
  s.buyers.reserve(snap.buyerNumbers, snap.buyerFree);
  for (const b of snap.buyers) s.buyers.restore(b[0], b[1], { openHolds: b[2], heldTickets: b[3], soldTickets: b[4] });
  for (let i = 0; i < snap.holdSlots; i++) s.holdBySlot.push(null);
  for (const h of snap.holds) {
    const hold: Hold = {
      holdId: h[0], slot: h[1], buyerId: h[2], channel: h[3], ticketType: h[4], presaleCode: h[5], seats: h[6], gaArea: h[7],
      source: h[8], count: h[9], createdAtMs: h[10], expiresAtMs: h[11],
      buyerNo: s.buyers.find(h[2], hashId(h[2])), entrySeq: h[12], hash: hashId(h[0]), prev: null, next: null,
    };
    linkHold(s, hold);
  }
  s.freeSlots.push(...(snap.freeSlots as number[]));
  const t = s.tickets;
  let rows = t.seat.length;
  while (rows < snap.ticketCount) rows *= 2;
  ticketColumns.forEach((column, i) => {
    const fresh = new (t[column].constructor as new (n: number) => Typed)(rows);
    (t as unknown as Record<string, Typed>)[column] = restore(snap.tickets[i], fresh);
  });
  t.count = snap.ticketCount;
  for (const o of snap.orders) {
    const order: Order = { orderId: o[0], holdId: o[1], buyerId: o[2], buyerEmail: o[3], channel: o[4], presaleCode: o[5], tickets: o[6], totalMinor: o[7], discountMinor: o[8], createdAtMs: o[9] };
    s.orders.push(order);
  }
  for (const q of snap.quotas) {
    if (q === null) { s.quotas.push(null); continue; }
    const quota: Quota = { quotaId: q[0], source: q[1], channels: q[2], policy: q[3], discountPct: q[4], gaArea: q[5] };
    s.quotas.push(quota);
    s.quotaById.set(quota.quotaId, quota);
  }
  refreshOnlyQuota(s);
  for (const b of snap.blocks) {
    const block: Block = { blockId: b[0], number: b[1], kind: b[2], party: b[3], deliveryNote: b[4], seats: b[5], gaArea: b[6], count: b[7], createdAtMs: b[8] };
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
  return s;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** A short fingerprint of a performance's whole state (FNV-1a over the snapshot bytes). */
export function stateHash(s: PerformanceState): string {
  return fnv1a(encodeSnapshot(s));
}
