// Named binary records (engine/src/domain/binary-named.ts): HOLD_SEATS_NAMED, RELEASE_HOLD_NAMED
// and CONFIRM_HOLD_NAMED name buyer, product, holding, channel, ticket type and seats by their
// place in the batch's strings, and claim to be the object commands holdSeats, releaseHold and
// confirmHold in another envelope. So the same seeded run goes to one performance as object
// commands and to its twin as named records, several per batch, and every record must get the
// object command's code, refused seat and order total, and after every batch the two must answer
// every query alike (and the twin survive a snapshot). Then what the envelope adds: a session
// request now includes its strings (retries, REQUEST_REUSED, snapshots), and a product's order
// made by a named confirm carries its product and holding onto its tickets.
import { describe, expect, it } from 'vitest';
import {
  auditPerformance, availability, binaryHoldId, BinaryOp, Code, type CodeName, COMMAND_WORDS, commandWords, decodeSnapshot, encodeSnapshot, execute,
  executeBatch, NAMED_SEATS_MAX, NamedWord, NO_STRING, REPLY_WORDS, salesReport, stateHash, ticketRows,
  type BatchAccepted, type Command, type HoldAccepted, type OrderAccepted, type PerformanceSpec, type PerformanceState, type Rejection, type Result,
} from '../../src/domain/mod.ts';
import { hall, newPerformance, OPEN, TTL } from '../scenarios/helpers.ts';
import { sameBytes } from '../snapshot-compare.ts';
import { rng } from '../rng.ts';

/** A field the run leaves out of the batch's strings: its record names a place past their end. */
const GONE = '<not in strings>';
/** That place: no batch here has this many strings (at most COMMAND_WORDS per record). */
const OUT = 5_000;

// The hall with a products-only type, its box office opening with the web (a product is linked
// only before single tickets sell, products-link.ts), and caps buyers do more than hit.
function spec(s: PerformanceSpec): void {
  s.maxOpenHoldsPerBuyer = 4;
  s.maxTicketsPerBuyer = 12;
  s.channels[1].saleStartMs = OPEN;
  s.ticketTypes.push({ id: 'card', prices: { A: 3000, B: 2000 }, productsOnly: true });
}

/** Two linked products, one with its own seats (a product quota, 20 % off), and a box office quota. */
const setUp: Command[] = [
  { type: 'linkProduct', commandId: 'link-card', productId: 'CARD', kind: 'seasonCard', cardKind: 'fixedPrice', resale: null },
  { type: 'linkProduct', commandId: 'link-sub', productId: 'SUB', kind: 'series', cardKind: 'fixedPrice', resale: null },
  { type: 'createQuota', commandId: 'q-card', quotaId: 'cardSeats', channels: [], policy: 'quotaFirst', productId: 'CARD', seats: ['BALC-2-1', 'BALC-2-2', 'BALC-2-3'], discountPct: 20 },
  { type: 'createQuota', commandId: 'q-box', quotaId: 'boxFirst', channels: ['box'], policy: 'quotaFirst', seats: ['MAIN-1-1', 'MAIN-1-2'], discountPct: 10 },
];

function twin(): PerformanceState {
  const s = newPerformance(spec);
  for (const cmd of setUp) expect(execute(s, cmd, 1).ok, cmd.commandId).toBe(true);
  return s;
}

const opened = (s: PerformanceState): number => (execute(s, { type: 'openSession', commandId: 'open', clientId: 'coordinator' }, 1) as { sessionNo: number }).sessionNo;

const ok = (r: BatchAccepted | Rejection): BatchAccepted => (r.ok ? r : expect.unreachable(`${r.name}: ${r.message}`));
const name = (r: BatchAccepted | Result) => (r.ok ? 'OK' : r.name);
/** Whether a batch was a retry, and its replies (copied: the session's buffer is reused). */
const answer = (r: BatchAccepted | Rejection) => [ok(r).retried, Array.from(ok(r).replies)];

const audit = (s: PerformanceState) => auditPerformance(s);

/** A hold as the object command names it; the named record says the same by places in the strings. */
interface HoldFields { buyerId: string; channel: string; seats: string[]; ticketType?: string; productId?: string; holdingId?: string }

/** A batch being built: named records, and the strings they name by place (each string once). */
class Named {
  readonly records: number[][] = [];
  readonly strings: string[] = [];

  /** The place of `x` in the strings: NO_STRING for none, OUT for GONE. */
  ref(x: string | undefined): number {
    if (x === undefined) return NO_STRING;
    if (x === GONE) return OUT;
    const i = this.strings.indexOf(x);
    return i >= 0 ? i : this.strings.push(x) - 1;
  }

  private record(op: number, fields: [number, number][]): void {
    const w = new Array<number>(COMMAND_WORDS).fill(0);
    for (const [at, value] of [[NamedWord.OP, op], ...fields]) w[at] = value;
    this.records.push(w);
  }

  /** A hold of any count: the record has room for NAMED_SEATS_MAX seats, its count says how many there are. */
  hold(f: HoldFields): void {
    const seats = f.seats.slice(0, NAMED_SEATS_MAX).map((x, i): [number, number] => [NamedWord.SEATS + i, this.ref(x)]);
    this.record(BinaryOp.HOLD_SEATS_NAMED, [
      [NamedWord.PRODUCT, this.ref(f.productId)], [NamedWord.BUYER, this.ref(f.buyerId)], [NamedWord.HOLDING, this.ref(f.holdingId)],
      [NamedWord.CHANNEL, this.ref(f.channel)], [NamedWord.TICKET_TYPE, this.ref(f.ticketType)], [NamedWord.COUNT, f.seats.length], ...seats,
    ]);
  }

  release(buyerId: string, slot: number, no: number): void {
    this.record(BinaryOp.RELEASE_HOLD_NAMED, [[NamedWord.HOLD_BUYER, this.ref(buyerId)], [NamedWord.SLOT, slot], [NamedWord.BINARY_NO, no]]);
  }

  confirm(buyerId: string, slot: number, no: number, email: string | undefined, complimentary: number): void {
    this.record(BinaryOp.CONFIRM_HOLD_NAMED, [
      [NamedWord.HOLD_BUYER, this.ref(buyerId)], [NamedWord.SLOT, slot], [NamedWord.BINARY_NO, no], [NamedWord.EMAIL, this.ref(email)], [NamedWord.COMPLIMENTARY, complimentary],
    ]);
  }

  readonly words = (): Int32Array => commandWords(this.records);
}

/** The object command's value for a field the record names: a string the batch lacks is one the command lacks. */
const plain = (x: string | undefined) => (x === GONE ? undefined : x);

/** The refused seat's position as the object refusal names it (`seats[i]`), or -1: what reply word 1 must say. */
const seatPosition = (field: string) => (field.startsWith('seats[') ? Number.parseInt(field.slice(6), 10) : -1);

/** Everything both sides must agree on, through the queries and the state (hold and order ids aside: `c12` against `#3.7`). */
function view(s: PerformanceState): unknown {
  const orders = Array.from({ length: s.orders.length }, (_, no) => ({ ...s.orders.get(no), holdId: undefined }));
  return {
    availability: availability(s), web: availability(s, 'web'), box: availability(s, 'box'), sales: salesReport(s), tickets: ticketRows(s), orders,
    seatState: Array.from(s.seatState), seatSource: Array.from(s.seatSource), buyers: Object.fromEntries(s.buyers),
    holds: [...s.holds.values()].map((h) => [h.buyerId, h.channel, h.ticketType, h.seats.join(','), h.expiresAtMs, h.productId, h.holdingId]),
    products: [...s.products.values()], holdings: [...s.holdingTickets],
  };
}

const buyers = ['alice-3', 'alice-4', 'bob-1', 'carol-9', '7'];
const seatIds = hall.seatIds;
/** A hold made on both sides: the object hold's id, the named hold's slot and number. */
interface Pair { objectId: string; buyerId: string; slot: number; binaryNo: number }
/** A hold neither side ever made. */
const NOWHERE: Pair = { objectId: binaryHoldId(999, 4242), buyerId: 'alice-3', slot: 999, binaryNo: 4242 };

function run(seed: number, batches: number) {
  const rand = rng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const seen = new Set<number>();
  const made = { productOrders: 0, complimentary: 0, emails: 0 };
  const a = twin();
  let b = twin();
  expect(opened(b)).toBe(0);
  const pairs: Pair[] = [];
  let now = OPEN - 2_000; // web and box not on sale yet: only products' holds (their own window) get through
  let n = 0;
  for (let requestNo = 1; requestNo <= batches; requestNo++) {
    // Time moves in steps of up to half a hold's life: holds expire under the run.
    if (rand() < 0.4) now += int(TTL / 2);
    const batch = new Named();
    const sent: { kind: 'hold' | 'release' | 'confirm'; cmd: Command; pair: Pair }[] = [];
    const size = 1 + int(6); // several records per batch, each its own command
    for (let i = 0; i < size; i++) {
      const commandId = `c${++n}`;
      if (rand() < 0.55 || pairs.length === 0) {
        const roll = rand();
        const productId = roll < 0.5 ? undefined : roll < 0.72 ? 'CARD' : roll < 0.92 ? 'SUB' : 'NOPE';
        // Holdings per product; now and then one missing, or one without a product (COMMAND_INVALID).
        const holdingId = productId === undefined ? (rand() < 0.05 ? 'stray' : undefined) : rand() < 0.95 ? `${productId}-h${int(4)}` : undefined;
        // Sizes 0 and 11 are refused alike (COMMAND_INVALID, SEATS_PER_HOLD_EXCEEDED); 10 is not (the record has room for 9), so never 10.
        const count = rand() < 0.02 ? 11 : rand() < 0.02 ? 0 : 1 + int(3);
        const first = int(seatIds.length);
        const seats: string[] = [];
        for (let j = 0; j < count; j++) {
          const r = rand();
          seats.push(r < 0.04 ? 'MAIN-9-9' : r < 0.06 ? GONE : r < 0.09 && j > 0 ? seats[0] : seatIds[(first + j) % seatIds.length]);
        }
        const f: HoldFields = {
          buyerId: rand() < 0.03 ? GONE : pick(buyers), channel: rand() < 0.03 ? GONE : rand() < 0.9 ? pick(['web', 'web', 'box', 'partner']) : pick(['resale', 'tv']),
          ticketType: productId !== undefined && rand() < 0.5 ? 'card' : pick([undefined, undefined, 'adult', 'child', 'card', 'vip']), productId, holdingId, seats,
        };
        batch.hold(f);
        const cmd = { type: 'holdSeats', commandId, buyerId: plain(f.buyerId), channel: plain(f.channel), ticketType: f.ticketType, productId, holdingId, seats: seats.map(plain) };
        sent.push({ kind: 'hold', cmd: cmd as Command, pair: NOWHERE });
        continue;
      }
      const pair = rand() < 0.05 ? NOWHERE : pick(pairs);
      // Mostly the owner; else another buyer (HOLD_NOT_OWNED), or one the strings lack (COMMAND_INVALID).
      const buyerId = rand() < 0.03 ? GONE : rand() < 0.85 ? pair.buyerId : pick(buyers);
      if (rand() < 0.5) {
        batch.release(buyerId, pair.slot, pair.binaryNo);
        sent.push({ kind: 'release', cmd: { type: 'releaseHold', commandId, holdId: pair.objectId, buyerId: plain(buyerId) } as Command, pair });
        continue;
      }
      const email = pick([undefined, undefined, `${pair.buyerId}@example.com`, `${pair.buyerId}@example.com`, 'not-an-email', GONE]);
      // Complimentary is for a product's hold only; 2 is neither true nor false.
      const complimentary = pick([0, 0, 0, 0, 0, 0, 0, 1, 1, 2]);
      batch.confirm(buyerId, pair.slot, pair.binaryNo, email, complimentary);
      const cmd: Record<string, unknown> = { type: 'confirmHold', commandId, holdId: pair.objectId, buyerId: plain(buyerId) };
      // The named path reads a missing e-mail as null, which the object check refuses as it would this.
      if (email !== undefined) cmd.buyerEmail = email === GONE ? null : email;
      if (complimentary !== 0) cmd.complimentary = complimentary === 1 ? true : complimentary;
      sent.push({ kind: 'confirm', cmd: cmd as unknown as Command, pair });
    }
    const results = sent.map((x) => execute(a, x.cmd, now));
    const replies = Array.from(ok(executeBatch(b, 0, requestNo, batch.words(), size, now, batch.strings)).replies);
    for (let i = 0; i < size; i++) {
      const r = results[i];
      const [code, w1, w2, w3] = replies.slice(i * REPLY_WORDS, (i + 1) * REPLY_WORDS);
      const what = `seed ${seed}, request ${requestNo}, record ${i}: ${JSON.stringify(sent[i].cmd)}`;
      expect(code, what).toBe(r.ok ? 0 : r.code);
      seen.add(code);
      if (!r.ok) {
        expect(w1, `${what}: refused seat`).toBe(seatPosition(r.field));
        continue;
      }
      const { kind, cmd, pair } = sent[i];
      if (kind === 'hold') {
        const quotaId = (r as HoldAccepted).quotaId;
        expect(w3, `${what}: pool`).toBe(quotaId === null ? 0 : b.quotaById.get(quotaId)?.source);
        const objectHold = a.holds.get(cmd.commandId);
        const namedHold = b.holds.get(binaryHoldId(w1, w2));
        expect([namedHold?.buyerId, namedHold?.productId, namedHold?.holdingId], what).toEqual([objectHold?.buyerId, objectHold?.productId, objectHold?.holdingId]);
        pairs.push({ objectId: cmd.commandId, buyerId: objectHold!.buyerId, slot: w1, binaryNo: w2 });
      } else if (kind === 'confirm') {
        const order = b.orders.get(w1);
        expect(w3, `${what}: total`).toBe((r as OrderAccepted).totalMinor);
        expect([order.holdId, order.firstTicket], what).toEqual([binaryHoldId(pair.slot, pair.binaryNo), w2]);
        if (order.productId !== null) made.productOrders++;
        if (order.productId !== null && order.totalMinor === 0) made.complimentary++;
        if (order.buyerEmail !== null) made.emails++;
      } else {
        expect([w1, w2, w3], what).toEqual([0, 0, 0]);
      }
    }
    expect(view(b), `seed ${seed}, after request ${requestNo}`).toEqual(view(a));
    expect(auditPerformance(a), `seed ${seed}, request ${requestNo}`).toEqual([]);
    expect(audit(b), `seed ${seed}, request ${requestNo}`).toEqual([]);
    // A snapshot decodes to the same bytes and the same answers, and the run goes on with the
    // decoded twin: named holds (their binary numbers, products, holdings) and fates survive it.
    const bytes = encodeSnapshot(b);
    const decoded = decodeSnapshot(bytes, hall);
    expect(sameBytes(encodeSnapshot(decoded), bytes), `seed ${seed}, request ${requestNo}: snapshot`).toBe(true);
    expect(view(decoded)).toEqual(view(b));
    b = decoded;
  }
  return { seen, made, b };
}

describe('named records against object commands', () => {
  it.each([1, 2, 3, 4, 5, 6])('seed %i: the same codes, refused seats, totals, and the same answers after every batch', (seed) => {
    const { made, b } = run(seed, 60);
    // The run sold through products, not only refused.
    expect(b.nextBinaryNo).toBeGreaterThan(15);
    expect(made.productOrders).toBeGreaterThan(0);
  });

  it('meets every refusal it is about, and products\' orders with and without e-mail and charge, over the seeds', () => {
    const runs = [1, 2, 3, 4, 5, 6].map((seed) => run(seed, 60));
    const seen = new Set(runs.flatMap((r) => [...r.seen]));
    const names: CodeName[] = [
      'OK', 'COMMAND_INVALID', 'SEATS_PER_HOLD_EXCEEDED', 'CHANNEL_UNKNOWN', 'CHANNEL_RESALE_ONLY', 'CHANNEL_NOT_ON_SALE', 'TICKET_TYPE_UNKNOWN',
      'TICKET_TYPE_PRODUCTS_ONLY', 'PRODUCT_NOT_LINKED', 'SEAT_UNKNOWN', 'SEATS_DUPLICATED', 'SEAT_NOT_AVAILABLE', 'SEAT_NOT_IN_CHANNEL',
      'HOLD_NOT_OWNED', 'HOLD_NOT_FOUND', 'HOLD_RELEASED', 'HOLD_ALREADY_CONFIRMED', 'HOLD_EXPIRED',
    ];
    expect(names.filter((x) => !seen.has(Code[x]))).toEqual([]);
    for (const k of ['productOrders', 'complimentary', 'emails'] as const) expect(runs.some((r) => r.made[k] > 0), k).toBe(true);
  });
});

describe('named batches in their session', () => {
  it('answer the same request again as the first time; other strings under its number are REQUEST_REUSED, before and after a snapshot', () => {
    const s = twin();
    const session = opened(s);
    const batch = new Named();
    batch.hold({ buyerId: 'alice-3', channel: 'web', productId: 'CARD', holdingId: 'CARD-h1', ticketType: 'card', seats: ['BALC-2-1', 'BALC-2-2'] });
    batch.hold({ buyerId: 'bob-1', channel: 'web', seats: ['MAIN-2-1'] });
    batch.hold({ buyerId: 'carol-9', channel: 'web', seats: ['MAIN-2-2', 'MAIN-2-1'] });
    const words = batch.words();
    const sent = [...batch.strings];
    const first = Array.from(ok(executeBatch(s, session, 1, words, 3, OPEN, batch.strings)).replies);
    expect([first[0], first[4], first[8], first[9]]).toEqual([0, 0, Code.SEAT_NOT_AVAILABLE, 1]);
    const hash = stateHash(s);
    // The caller may reuse its array: the session kept a copy, so changing it changes nothing kept.
    batch.strings[0] = 'mallory';
    expect(answer(executeBatch(s, session, 1, words, 3, OPEN + 5, [...sent]))).toEqual([true, first]);
    // The same words naming other strings are another request: a string changed, one more, none.
    expect(name(executeBatch(s, session, 1, words, 3, OPEN + 5, batch.strings))).toBe('REQUEST_REUSED');
    expect(name(executeBatch(s, session, 1, words, 3, OPEN + 5, [...sent, 'extra']))).toBe('REQUEST_REUSED');
    expect(name(executeBatch(s, session, 1, words, 3, OPEN + 5))).toBe('REQUEST_REUSED');
    expect(stateHash(s)).toBe(hash);
    // A snapshot keeps the session's strings: the decoded performance still knows the retry.
    const decoded = decodeSnapshot(encodeSnapshot(s), hall);
    expect(sameBytes(encodeSnapshot(decoded), encodeSnapshot(s))).toBe(true);
    expect(answer(executeBatch(decoded, session, 1, words, 3, OPEN + 6, [...sent]))).toEqual([true, first]);
    expect(name(executeBatch(decoded, session, 1, words, 3, OPEN + 6, [...sent].reverse()))).toBe('REQUEST_REUSED');
    expect(name(executeBatch(decoded, session, 1, words, 3, OPEN + 6))).toBe('REQUEST_REUSED');
    // The same retry as a commandBatch command, strings and all.
    const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
    expect(execute(decoded, { type: 'commandBatch', commandId: 'again', sessionNo: session, requestNo: 1, count: 3, words: bytes, strings: [...sent] }, OPEN + 6))
      .toMatchObject({ ok: true, retried: true });
    // And the next request goes on alike on both.
    const next = new Named();
    next.confirm('alice-3', first[1], first[2], 'alice@example.com', 1);
    next.release('bob-1', first[5], first[6]);
    const [, x] = answer(executeBatch(s, session, 2, next.words(), 2, OPEN + 7, next.strings));
    expect(answer(executeBatch(decoded, session, 2, next.words(), 2, OPEN + 7, next.strings))).toEqual([false, x]);
    // Order 0, ticket 0, total 0 (complimentary: a product's hold); then released.
    expect(x).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(sameBytes(encodeSnapshot(decoded), encodeSnapshot(s))).toBe(true);
    expect(auditPerformance(decoded)).toEqual([]);
  });

  it('refuses a hold of 10 seats, which its record has no room for, and one of a buyer the strings lack', () => {
    const s = twin();
    const batch = new Named();
    batch.hold({ buyerId: 'alice-3', channel: 'web', seats: seatIds.slice(0, 10) });
    batch.hold({ buyerId: GONE, channel: 'web', seats: ['MAIN-2-1'] });
    const r = ok(executeBatch(s, opened(s), 1, batch.words(), 2, OPEN, batch.strings));
    expect([r.replies[0], r.replies[4]]).toEqual([Code.COMMAND_INVALID, Code.COMMAND_INVALID]);
    expect(s.holds.size).toBe(0);
  });
});

describe('a named confirm of a product\'s hold', () => {
  it('issues tickets carrying the product and the holding, seen through the object API', () => {
    const s = twin();
    const session = opened(s);
    const h = new Named();
    h.hold({ buyerId: 'alice-3', channel: 'box', productId: 'CARD', holdingId: 'CARD-h7', ticketType: 'card', seats: ['MAIN-3-3', 'MAIN-3-4'] });
    h.hold({ buyerId: 'alice-3', channel: 'web', productId: 'SUB', holdingId: 'SUB-h2', seats: ['BALC-1-1'] });
    h.hold({ buyerId: 'bob-1', channel: 'web', seats: ['BALC-1-2'] });
    const held = Array.from(ok(executeBatch(s, session, 1, h.words(), 3, OPEN, h.strings)).replies);
    expect([held[0], held[4], held[8]]).toEqual([0, 0, 0]);
    const ids = [0, 1, 2].map((i) => binaryHoldId(held[i * REPLY_WORDS + 1], held[i * REPLY_WORDS + 2]));
    // The object API sees the named holds by their #slot.no ids, product and holding on them.
    expect(ids.map((id) => [s.holds.get(id)?.buyerId, s.holds.get(id)?.productId, s.holds.get(id)?.holdingId])).toEqual([
      ['alice-3', 'CARD', 'CARD-h7'], ['alice-3', 'SUB', 'SUB-h2'], ['bob-1', null, null],
    ]);
    const c = new Named();
    c.confirm('alice-3', held[1], held[2], 'alice@example.com', 0);
    c.confirm('alice-3', held[5], held[6], undefined, 1);
    c.confirm('bob-1', held[9], held[10], undefined, 0);
    const done = Array.from(ok(executeBatch(s, session, 2, c.words(), 3, OPEN + 1, c.strings)).replies);
    expect([done[0], done[4], done[8]]).toEqual([0, 0, 0]);
    // Totals: two card seats in zone A; the subscription's seat given (complimentary); bob's adult seat in zone B.
    expect([done[3], done[7], done[11]]).toEqual([6000, 0, 3000]);
    expect(ticketRows(s).map((t) => [t.seatId, t.buyerId, t.ticketType, t.productId, t.holdingId, t.priceMinor, t.discountMinor])).toEqual([
      ['MAIN-3-3', 'alice-3', 'card', 'CARD', 'CARD-h7', 3000, 0],
      ['MAIN-3-4', 'alice-3', 'card', 'CARD', 'CARD-h7', 3000, 0],
      ['BALC-1-1', 'alice-3', 'adult', 'SUB', 'SUB-h2', 3000, 3000],
      ['BALC-1-2', 'bob-1', 'adult', null, null, 3000, 0],
    ]);
    expect(s.holdingTickets.get('CARD-h7')).toEqual([done[2], done[2] + 1]);
    expect(s.holdingTickets.get('SUB-h2')).toEqual([done[6]]);
    expect(s.orders.get(done[1])).toMatchObject({ holdId: ids[0], buyerEmail: 'alice@example.com', productId: 'CARD', holdingId: 'CARD-h7', totalMinor: 6000 });
    expect([s.products.get('CARD')?.orders, s.products.get('SUB')?.orders]).toEqual([1, 1]);
    // At the gate the holding admits its first ticket, by the holding id alone.
    expect(execute(s, { type: 'scanHolding', commandId: 'gate-1', holdingId: 'CARD-h7' }, OPEN + 2)).toMatchObject({ ok: true, seatId: 'MAIN-3-3' });
    expect(auditPerformance(s)).toEqual([]);
  });
});

// Two faults these tests found in the first cut of the named records, kept as tests of their own.
describe('named records: the auditor, and places past the strings', () => {
  // A named hold of a product is a binary hold that carries a product: the auditor knows it.
  it('the auditor finds nothing wrong with an open named hold of a product', () => {
    const s = twin();
    const h = new Named();
    h.hold({ buyerId: 'alice-3', channel: 'web', productId: 'CARD', holdingId: 'CARD-h1', seats: ['MAIN-2-1'] });
    expect(ok(executeBatch(s, opened(s), 1, h.words(), 1, OPEN, h.strings)).replies[0]).toBe(0);
    expect(auditPerformance(s)).toEqual([]);
  });

  // An optional word (product, ticket type) naming a place past the strings is refused as the
  // object command's field of null is; only -1 means "none" / "the default". Else a
  // coordinator's hold with a wrong product index would become a plain single-ticket hold.
  it('a product or ticket type named past the strings is refused (only -1 means none)', () => {
    const s = twin();
    const batch = new Named();
    batch.hold({ buyerId: 'alice-3', channel: 'web', productId: GONE, seats: ['MAIN-2-1'] });
    batch.hold({ buyerId: 'alice-3', channel: 'web', ticketType: GONE, seats: ['MAIN-2-2'] });
    const r = ok(executeBatch(s, opened(s), 1, batch.words(), 2, OPEN, batch.strings));
    expect([r.replies[0], r.replies[4]]).toEqual([Code.COMMAND_INVALID, Code.TICKET_TYPE_UNKNOWN]);
  });
});
