// The binary path (engine/src/domain/binary.ts) against the object API, side by side: the same
// seeded run of holds (good and bad: unknown or repeated seats, unknown, closed and resale
// channels, unknown, closed, products-only and not-yet-on-sale types, too many seats, buyers at
// their caps, seats taken, outside the channel's quota), best-available holds (the same, plus
// filters by zone, section and wheelchair places: unknown ones, and ones nothing free matches),
// releases and confirms (by the owner or another buyer, of holds open, released, confirmed or
// expired, as time passes the hold TTL) goes to one performance as object commands and to another
// as binary batches of random sizes. Every command must get the same code on both, best available
// the same seats, confirms the same totals, and after every batch the two performances must hold
// the same seats in the same states and pools, the same buyers with the same usage, the same holds
// and tickets, and pass the auditor; the binary one must also survive a snapshot, which must
// still answer the batch again as the first time (its found seats included).
import { describe, expect, it } from 'vitest';
import {
  ANY, auditPerformance, BinaryOp, Code, type CodeName, COMMAND_WORDS, decodeSnapshot, DEFAULT_TICKET_TYPE, encodeSnapshot, execute, executeBatch, REPLY_WORDS, Word,
  type BatchAccepted, type Command, type HoldAccepted, type OrderAccepted, type PerformanceSpec, type PerformanceState, type Result,
} from '../../src/domain/mod.ts';
import { hall, newPerformance, OPEN, TTL } from '../scenarios/helpers.ts';
import { sameBytes } from '../snapshot-compare.ts';
import { rng } from '../rng.ts';

/** The hall, with types for every ticket-type refusal the binary path checks. */
function spec(s: PerformanceSpec): void {
  s.ticketTypes.push(
    { id: 'card', prices: { A: 100, B: 100 }, productsOnly: true },
    { id: 'boxOnly', prices: { A: 200, B: 200 }, channels: ['box'] },
    { id: 'later', prices: { A: 300, B: 300 }, saleStartMs: OPEN + 10 * TTL, saleEndMs: OPEN + 1_000 * TTL },
  );
}

const channelIds = ['web', 'box', 'partner', 'resale'];
const typeIds = ['adult', 'child', 'guest', 'early', 'card', 'boxOnly', 'later'];
// The hall's zones (A, B, and G, which has standing places only: a zone filter no seat matches)
// and sections, by their place in the layout: the binary record's zone and section words.
const { zoneIds, sectionIds, seatIds } = hall;

/** A hold made on both sides: the object hold's id, and the binary hold's slot and number; `best` when best available chose its seats. */
interface Pair { objectId: string; buyer: number; slot: number; binaryNo: number; best: boolean }

/** A filter's place in the layout (ANY, a known one, or one past the end or below -1), and what the object command names: the id, or one the layout lacks. */
function filterPlace(ids: readonly string[], roll: number, int: (n: number) => number): [number, string | undefined] {
  if (roll < 0.6) return [ANY, undefined];
  if (roll < 0.94) {
    const place = int(ids.length);
    return [place, ids[place]];
  }
  const place = roll < 0.97 ? ids.length + int(2) : -2 - int(2);
  return [place, `unknown${place}`];
}

/** Seats, seat states and pools, buyers' usage, holds and tickets: what both sides must agree on. */
function picture(s: PerformanceState): unknown {
  return {
    seatState: Array.from(s.seatState), seatSource: Array.from(s.seatSource), counts: Array.from(s.counts), totals: Array.from(s.totals),
    gaCounts: Array.from(s.gaCounts), buyers: Object.fromEntries(s.buyers), holds: s.holds.size, tickets: s.tickets.count, orders: s.orders.length,
    holdSeats: [...s.holds.values()].map((h) => [h.buyerId, h.channel, h.ticketType, h.seats.join(','), h.expiresAtMs]),
  };
}

/** What a run met: every code, the codes of best-available records alone, and counts of the cases the coverage test asks for. */
interface Met {
  codes: Set<number>;
  bestCodes: Set<number>;
  /** Best-available records with accessible 2 refused COMMAND_INVALID (the object side sent accessible 'yes'). */
  accessibleRefused: number;
  /** Best-available holds released and confirmed by RELEASE_HOLD / CONFIRM_HOLD records. */
  bestReleased: number;
  bestConfirmed: number;
}

function run(seed: number, batches: number): { object: PerformanceState; binary: PerformanceState } & Met {
  const met: Met = { codes: new Set(), bestCodes: new Set(), accessibleRefused: 0, bestReleased: 0, bestConfirmed: 0 };
  const { codes } = met;
  const rand = rng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const object = newPerformance(spec);
  // Replaced after every batch by its snapshot, decoded: the run goes on with what a restart would have.
  let binary = newPerformance(spec);
  const setUp: Command[] = [
    { type: 'createQuota', commandId: 'q1', quotaId: 'partnerOnly', channels: ['partner'], policy: 'onlyQuota', seats: ['MAIN-1-1', 'MAIN-1-2', 'MAIN-1-3'] },
    { type: 'createQuota', commandId: 'q2', quotaId: 'boxFirst', channels: ['box'], policy: 'quotaFirst', seats: ['BALC-1-1', 'BALC-1-2'], discountPct: 10 },
  ];
  for (const cmd of setUp) {
    expect(execute(object, cmd, 1).ok, cmd.commandId).toBe(true);
    expect(execute(binary, cmd, 1).ok, cmd.commandId).toBe(true);
  }
  const opened = execute(binary, { type: 'openSession', commandId: 'open', clientId: 'gateway-1' }, 1);
  expect(opened).toMatchObject({ ok: true, sessionNo: 0, requestNo: 0 });
  const seatCount = hall.seatCount;
  const pairs: Pair[] = [];
  let now = OPEN - 2_000;
  let n = 0;
  for (let b = 0; b < batches; b++) {
    // Time moves on in steps of up to half a hold's life: holds expire under the run.
    if (rand() < 0.4) now += int(TTL / 2);
    const size = 1 + int(8);
    const words = new Int32Array(size * COMMAND_WORDS);
    const sent: { kind: number; objectCmd: Command; pair?: Pair; buyer: number; count: number }[] = [];
    for (let i = 0; i < size; i++) {
      const at = i * COMMAND_WORDS;
      const buyer = rand() < 0.05 ? 2 ** 40 + int(3) : int(8);
      words[at + Word.BUYER_LO] = buyer % 2 ** 32;
      words[at + Word.BUYER_HI] = Math.floor(buyer / 2 ** 32);
      const id = `c${++n}`;
      const roll = rand();
      // The channel and ticket type of a hold (explicit or best available), by their place in the
      // spec, now and then one past the end or a resale, closed, products-only or later one.
      const channel = rand() < 0.85 ? (rand() < 0.7 ? 0 : 1 + int(2)) : rand() < 0.5 ? 3 : 4 + int(2);
      const type = rand() < 0.6 ? DEFAULT_TICKET_TYPE : rand() < 0.95 ? int(typeIds.length) : typeIds.length + int(2);
      if (roll < 0.4 || pairs.length === 0) {
        const count = rand() < 0.03 ? 11 : rand() < 0.02 ? 0 : 1 + int(4);
        const first = int(seatCount);
        const seatNos: number[] = [];
        for (let j = 0; j < count; j++) seatNos.push(rand() < 0.03 ? seatCount + int(3) : rand() < 0.03 && j > 0 ? seatNos[0] : (first + j) % seatCount);
        words[at + Word.OP] = BinaryOp.HOLD_SEATS;
        words[at + Word.CHANNEL] = channel;
        words[at + Word.TICKET_TYPE] = type;
        words[at + Word.COUNT] = count;
        for (let j = 0; j < Math.min(count, 10); j++) words[at + Word.SEATS + j] = seatNos[j];
        const cmd: Record<string, unknown> = { type: 'holdSeats', commandId: id, buyerId: String(buyer), channel: channelIds[channel] ?? `ch${channel}`, seatNos };
        if (type !== DEFAULT_TICKET_TYPE) cmd.ticketType = typeIds[type] ?? `type${type}`;
        sent.push({ kind: BinaryOp.HOLD_SEATS, objectCmd: cmd as unknown as Command, buyer, count });
      } else if (roll < 0.62) {
        // Best available: sizes 0 and 11 refused as for explicit seats; filters mostly none, else
        // a zone or section of the hall or one it lacks. Zone G, the balcony's wheelchair places
        // or zone B in MAIN match no seat (NOT_ENOUGH_SEATS), as does anything once the hall is full.
        const count = rand() < 0.03 ? 11 : rand() < 0.03 ? 0 : 1 + int(4);
        const [zone, zoneId] = filterPlace(zoneIds, rand(), int);
        const [section, sectionId] = filterPlace(sectionIds, rand(), int);
        // 2 is neither 0 nor 1: COMMAND_INVALID, as the object command's accessible 'yes' is.
        const accessible = rand() < 0.03 ? 2 : rand() < 0.15 ? 1 : 0;
        words[at + Word.OP] = BinaryOp.HOLD_BEST_AVAILABLE;
        words[at + Word.CHANNEL] = channel;
        words[at + Word.TICKET_TYPE] = type;
        words[at + Word.COUNT] = count;
        words[at + Word.ZONE] = zone;
        words[at + Word.SECTION] = section;
        words[at + Word.ACCESSIBLE] = accessible;
        const filter: Record<string, unknown> = {};
        if (zoneId !== undefined) filter.zone = zoneId;
        if (sectionId !== undefined) filter.section = sectionId;
        // accessible 0 is the object command's false or no word at all.
        if (accessible !== 0 || rand() < 0.5) filter.accessible = accessible === 2 ? 'yes' : accessible === 1;
        const cmd: Record<string, unknown> = { type: 'holdBestAvailable', commandId: id, buyerId: String(buyer), channel: channelIds[channel] ?? `ch${channel}`, count };
        if (type !== DEFAULT_TICKET_TYPE) cmd.ticketType = typeIds[type] ?? `type${type}`;
        if (Object.keys(filter).length > 0 || rand() < 0.5) cmd.filter = filter;
        sent.push({ kind: BinaryOp.HOLD_BEST_AVAILABLE, objectCmd: cmd as unknown as Command, buyer, count });
      } else {
        const pair = pairs[int(pairs.length)];
        const kind = rand() < 0.5 ? BinaryOp.RELEASE_HOLD : BinaryOp.CONFIRM_HOLD;
        const owner = rand() < 0.85 ? pair.buyer : (pair.buyer + 1) % 8;
        words[at + Word.OP] = kind;
        words[at + Word.BUYER_LO] = owner % 2 ** 32;
        words[at + Word.BUYER_HI] = Math.floor(owner / 2 ** 32);
        words[at + Word.SLOT] = pair.slot;
        words[at + Word.BINARY_NO] = pair.binaryNo;
        const type = kind === BinaryOp.RELEASE_HOLD ? 'releaseHold' : 'confirmHold';
        sent.push({ kind, objectCmd: { type, commandId: id, holdId: pair.objectId, buyerId: String(owner) } as Command, pair, buyer: owner, count: 0 });
      }
    }
    const results: Result[] = sent.map((x) => execute(object, x.objectCmd, now));
    const batch = executeBatch(binary, 0, b + 1, words, size, now);
    expect(batch.ok, `batch ${b}`).toBe(true);
    // Copies: the session's buffers are views the next request writes over.
    const replies = Array.from((batch as BatchAccepted).replies);
    const foundSeats = Array.from((batch as BatchAccepted).foundSeats);
    // Where the next accepted best-available record's seats start in foundSeats.
    let found = 0;
    for (let i = 0; i < size; i++) {
      const r = results[i];
      const code = replies[i * REPLY_WORDS];
      const { kind, pair } = sent[i];
      const what = `seed ${seed}, batch ${b}, command ${i}: ${JSON.stringify(sent[i].objectCmd)}`;
      expect(code, what).toBe(r.ok ? 0 : r.code);
      codes.add(code);
      if (kind === BinaryOp.HOLD_BEST_AVAILABLE) met.bestCodes.add(code);
      if (kind === BinaryOp.HOLD_BEST_AVAILABLE && code === Code.COMMAND_INVALID && (sent[i].objectCmd as { filter?: { accessible?: unknown } }).filter?.accessible === 'yes') met.accessibleRefused++;
      if (!r.ok) continue;
      if (kind === BinaryOp.HOLD_SEATS || kind === BinaryOp.HOLD_BEST_AVAILABLE) {
        const objectId = (sent[i].objectCmd as { commandId: string }).commandId;
        const best = kind === BinaryOp.HOLD_BEST_AVAILABLE;
        pairs.push({ objectId, buyer: sent[i].buyer, slot: replies[i * REPLY_WORDS + 1], binaryNo: replies[i * REPLY_WORDS + 2], best });
        const quota = (r as HoldAccepted).quotaId;
        expect(replies[i * REPLY_WORDS + 3], what).toBe(quota === null ? 0 : (binary.quotaById.get(quota)?.source ?? -1));
        if (best) {
          // The record's seats, `count` of them after those of the accepted best-available records before it, are the object search's.
          const seats = foundSeats.slice(found, found + sent[i].count).map((seat) => seatIds[seat]);
          expect(seats, `${what}: found seats`).toEqual((r as HoldAccepted).seats);
          found += sent[i].count;
        }
      } else if (kind === BinaryOp.RELEASE_HOLD) {
        if (pair!.best) met.bestReleased++;
      } else if (kind === BinaryOp.CONFIRM_HOLD) {
        if (pair!.best) met.bestConfirmed++;
        const order = r as OrderAccepted;
        expect(replies[i * REPLY_WORDS + 3], what).toBe(order.totalMinor);
        const orderNo = replies[i * REPLY_WORDS + 1];
        expect(binary.orders.get(orderNo).holdId, what).toBe(`#${pair!.slot}.${pair!.binaryNo}`);
        expect(binary.orders.get(orderNo).firstTicket, what).toBe(replies[i * REPLY_WORDS + 2]);
      }
    }
    // No seats but those of accepted best-available records.
    expect(foundSeats.length, `seed ${seed}, batch ${b}: found seats`).toBe(found);
    expect(picture(binary), `seed ${seed}, after batch ${b}`).toEqual(picture(object));
    expect(auditPerformance(binary), `seed ${seed}, batch ${b}`).toEqual([]);
    // The snapshot keeps the session's last request with its reply and found seats: decoded, it
    // writes the same bytes and answers the batch again as the first time, changing nothing.
    const bytes = encodeSnapshot(binary);
    const decoded = decodeSnapshot(bytes, hall);
    expect(sameBytes(encodeSnapshot(decoded), bytes), `seed ${seed}, batch ${b}: snapshot`).toBe(true);
    const retry = executeBatch(decoded, 0, b + 1, words, size, now);
    expect(retry.ok && retry.retried, `seed ${seed}, batch ${b}: retry`).toBe(true);
    expect([Array.from((retry as BatchAccepted).replies), Array.from((retry as BatchAccepted).foundSeats)], `seed ${seed}, batch ${b}: retry`).toEqual([replies, foundSeats]);
    expect(sameBytes(encodeSnapshot(decoded), bytes), `seed ${seed}, batch ${b}: retry applied nothing`).toBe(true);
    binary = decoded;
  }
  expect(auditPerformance(object)).toEqual([]);
  return { object, binary, ...met };
}

const seeds = [1, 2, 3, 4, 5, 6, 7, 8];
const runs = new Map<number, ReturnType<typeof run>>();
/** The seed's run of 150 batches, made once for the tests of this file that look at it (each still makes it when run alone). */
function runOf(seed: number): ReturnType<typeof run> {
  let r = runs.get(seed);
  if (r === undefined) runs.set(seed, (r = run(seed, 150)));
  return r;
}

describe('binary batches against object commands', () => {
  it.each(seeds)('seed %i: the same codes, found seats, totals, seats, buyers and holds', (seed) => {
    const { binary } = runOf(seed);
    // The run exercised the refusals it is about, not just acceptances.
    expect(binary.nextBinaryNo).toBeGreaterThan(20);
    // And a snapshot of it decodes to the same bytes and passes the auditor.
    const bytes = encodeSnapshot(binary);
    const decoded = decodeSnapshot(bytes, hall);
    expect(sameBytes(encodeSnapshot(decoded), bytes)).toBe(true);
    expect(auditPerformance(decoded)).toEqual([]);
  });

  it('meets every refusal the binary path shares with the object API, over the seeds', () => {
    const seen = new Set(seeds.flatMap((seed) => [...runOf(seed).codes]));
    const names: CodeName[] = [
      'OK', 'COMMAND_INVALID', 'SEATS_PER_HOLD_EXCEEDED', 'CHANNEL_UNKNOWN', 'CHANNEL_RESALE_ONLY', 'CHANNEL_NOT_ON_SALE', 'TICKET_TYPE_UNKNOWN',
      'TICKET_TYPE_REQUIRES_PRESALE', 'TICKET_TYPE_PRODUCTS_ONLY', 'TICKET_TYPE_NOT_IN_CHANNEL', 'TICKET_TYPE_NOT_ON_SALE', 'BUYER_HOLD_LIMIT',
      'BUYER_TICKET_LIMIT', 'SEAT_UNKNOWN', 'SEATS_DUPLICATED', 'SEAT_NOT_IN_CHANNEL', 'SEAT_NOT_AVAILABLE', 'TICKET_TYPE_NOT_PRICED_IN_ZONE',
      'HOLD_NOT_OWNED', 'HOLD_RELEASED', 'HOLD_ALREADY_CONFIRMED', 'HOLD_EXPIRED', 'FILTER_UNKNOWN_ZONE', 'FILTER_UNKNOWN_SECTION', 'NOT_ENOUGH_SEATS',
    ];
    expect(names.filter((name) => !seen.has(Code[name]))).toEqual([]);
  });

  it('meets, with best-available records alone, their own refusals and the buying checks they share, and closes their holds both ways', () => {
    const met = seeds.map(runOf);
    const seen = new Set(met.flatMap((r) => [...r.bestCodes]));
    const names: CodeName[] = [
      'OK', 'COMMAND_INVALID', 'SEATS_PER_HOLD_EXCEEDED', 'FILTER_UNKNOWN_ZONE', 'FILTER_UNKNOWN_SECTION', 'NOT_ENOUGH_SEATS', 'CHANNEL_UNKNOWN',
      'CHANNEL_RESALE_ONLY', 'CHANNEL_NOT_ON_SALE', 'TICKET_TYPE_UNKNOWN', 'TICKET_TYPE_REQUIRES_PRESALE', 'TICKET_TYPE_PRODUCTS_ONLY',
      'TICKET_TYPE_NOT_IN_CHANNEL', 'TICKET_TYPE_NOT_ON_SALE', 'BUYER_HOLD_LIMIT', 'BUYER_TICKET_LIMIT',
    ];
    expect(names.filter((name) => !seen.has(Code[name]))).toEqual([]);
    for (const k of ['accessibleRefused', 'bestReleased', 'bestConfirmed'] as const) expect(met.reduce((sum, r) => sum + r[k], 0), k).toBeGreaterThan(0);
  });
});

describe('binary batches of arbitrary words', () => {
  it('answer every command with a code and never break the books, whatever the words say', () => {
    const rand = rng(99);
    const state = newPerformance(spec);
    expect(execute(state, { type: 'openSession', commandId: 'open', clientId: 'fuzz' }, 1).ok).toBe(true);
    const seen = new Set<number>();
    const interesting = [0, 1, 2, 3, -1, 10, 11, 35, 36, 2 ** 21, 2 ** 31 - 1, -(2 ** 31)];
    const ops = [BinaryOp.HOLD_SEATS, BinaryOp.RELEASE_HOLD, BinaryOp.CONFIRM_HOLD, BinaryOp.HOLD_BEST_AVAILABLE];
    for (let b = 0; b < 300; b++) {
      const size = 1 + Math.floor(rand() * 16);
      const words = new Int32Array(size * COMMAND_WORDS);
      for (let i = 0; i < words.length; i++) {
        const roll = rand();
        words[i] = roll < 0.5 ? interesting[Math.floor(rand() * interesting.length)] : roll < 0.8 ? Math.floor(rand() * 40) : (rand() * 2 ** 32) | 0;
      }
      // Mostly real ops, so that some commands get past the envelope and change the books.
      for (let i = 0; i < size; i++) {
        const at = i * COMMAND_WORDS;
        if (rand() < 0.8) words[at] = ops[Math.floor(rand() * ops.length)];
        // Half the holds sane but for one word at random: they reach the seats and the books.
        if (words[at] === BinaryOp.HOLD_SEATS && rand() < 0.5) {
          words.set([BinaryOp.HOLD_SEATS, Math.floor(rand() * 50), 0, 0, -1, 1 + Math.floor(rand() * 3), ...[0, 1, 2].map(() => Math.floor(rand() * 36))], at);
          if (rand() < 0.5) words[at + 1 + Math.floor(rand() * 8)] = interesting[Math.floor(rand() * interesting.length)];
        }
        if (words[at] === BinaryOp.HOLD_BEST_AVAILABLE && rand() < 0.5) {
          const [zone, section] = [rand() < 0.5 ? ANY : Math.floor(rand() * zoneIds.length), rand() < 0.5 ? ANY : Math.floor(rand() * sectionIds.length)];
          words.set([BinaryOp.HOLD_BEST_AVAILABLE, Math.floor(rand() * 50), 0, 0, -1, 1 + Math.floor(rand() * 3), zone, section, rand() < 0.2 ? 1 : 0], at);
          if (rand() < 0.5) words[at + 1 + Math.floor(rand() * 8)] = interesting[Math.floor(rand() * interesting.length)];
        }
      }
      const r = executeBatch(state, 0, b + 1, words, size, OPEN + b);
      expect(r.ok).toBe(true);
      const { replies, foundSeats } = r as BatchAccepted;
      // Each accepted best-available record found its count of seats, and no other record any.
      let found = 0;
      for (let i = 0; i < size; i++) {
        seen.add(replies[i * REPLY_WORDS]);
        if (words[i * COMMAND_WORDS] === BinaryOp.HOLD_BEST_AVAILABLE && replies[i * REPLY_WORDS] === 0) found += words[i * COMMAND_WORDS + Word.COUNT];
      }
      expect(foundSeats.length).toBe(found);
      expect(foundSeats.every((seat) => seat >= 0 && seat < seatIds.length)).toBe(true);
      expect(auditPerformance(state)).toEqual([]);
    }
    expect(seen.has(0)).toBe(true);
    expect([...seen].every((code) => code === 0 || Object.values(Code).includes(code as never))).toBe(true);
  });
});
