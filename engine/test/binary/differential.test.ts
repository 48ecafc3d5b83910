// The binary path (engine/src/domain/binary.ts) against the object API, side by side: the same
// seeded run of holds (good and bad: unknown or repeated seats, unknown, closed and resale
// channels, unknown, closed, products-only and not-yet-on-sale types, too many seats, buyers at
// their caps, seats taken, outside the channel's quota), releases and confirms (by the owner or
// another buyer, of holds open, released, confirmed or expired, as time passes the hold TTL) goes
// to one performance as object commands and to another as binary batches of random sizes. Every
// command must get the same code on both, confirms the same totals, and after every batch the
// two performances must hold the same seats in the same states and pools, the same buyers with
// the same usage, the same holds and tickets, and pass the auditor.
import { describe, expect, it } from 'vitest';
import {
  auditPerformance, BinaryOp, Code, type CodeName, COMMAND_WORDS, decodeSnapshot, DEFAULT_TICKET_TYPE, encodeSnapshot, execute, executeBatch, REPLY_WORDS, Word,
  type BatchAccepted, type Command, type OrderAccepted, type PerformanceSpec, type PerformanceState, type Result,
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

/** A hold made on both sides: the object hold's id, and the binary hold's slot and number. */
interface Pair { objectId: string; buyer: number; slot: number; binaryNo: number }

/** Seats, seat states and pools, buyers' usage, holds and tickets: what both sides must agree on. */
function picture(s: PerformanceState): unknown {
  return {
    seatState: Array.from(s.seatState), seatSource: Array.from(s.seatSource), counts: Array.from(s.counts), totals: Array.from(s.totals),
    gaCounts: Array.from(s.gaCounts), buyers: Object.fromEntries(s.buyers), holds: s.holds.size, tickets: s.tickets.count, orders: s.orders.length,
    holdSeats: [...s.holds.values()].map((h) => [h.buyerId, h.channel, h.ticketType, h.seats.join(','), h.expiresAtMs]),
  };
}

function run(seed: number, batches: number): { object: PerformanceState; binary: PerformanceState; codes: Set<number> } {
  const codes = new Set<number>();
  const rand = rng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const object = newPerformance(spec);
  const binary = newPerformance(spec);
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
    const sent: { kind: number; objectCmd: Command; pair?: Pair; buyer: number }[] = [];
    for (let i = 0; i < size; i++) {
      const at = i * COMMAND_WORDS;
      const buyer = rand() < 0.05 ? 2 ** 40 + int(3) : int(8);
      words[at + Word.BUYER_LO] = buyer % 2 ** 32;
      words[at + Word.BUYER_HI] = Math.floor(buyer / 2 ** 32);
      const id = `c${++n}`;
      const roll = rand();
      if (roll < 0.55 || pairs.length === 0) {
        const count = rand() < 0.03 ? 11 : rand() < 0.02 ? 0 : 1 + int(4);
        const first = int(seatCount);
        const seatNos: number[] = [];
        for (let j = 0; j < count; j++) seatNos.push(rand() < 0.03 ? seatCount + int(3) : rand() < 0.03 && j > 0 ? seatNos[0] : (first + j) % seatCount);
        const channel = rand() < 0.85 ? (rand() < 0.7 ? 0 : 1 + int(2)) : rand() < 0.5 ? 3 : 4 + int(2);
        const type = rand() < 0.6 ? DEFAULT_TICKET_TYPE : rand() < 0.95 ? int(typeIds.length) : typeIds.length + int(2);
        words[at + Word.OP] = BinaryOp.HOLD_SEATS;
        words[at + Word.CHANNEL] = channel;
        words[at + Word.TICKET_TYPE] = type;
        words[at + Word.COUNT] = count;
        for (let j = 0; j < Math.min(count, 10); j++) words[at + Word.SEATS + j] = seatNos[j];
        const cmd: Record<string, unknown> = { type: 'holdSeats', commandId: id, buyerId: String(buyer), channel: channelIds[channel] ?? `ch${channel}`, seatNos };
        if (type !== DEFAULT_TICKET_TYPE) cmd.ticketType = typeIds[type] ?? `type${type}`;
        sent.push({ kind: BinaryOp.HOLD_SEATS, objectCmd: cmd as unknown as Command, buyer });
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
        sent.push({ kind, objectCmd: { type, commandId: id, holdId: pair.objectId, buyerId: String(owner) } as Command, pair, buyer: owner });
      }
    }
    const results: Result[] = sent.map((x) => execute(object, x.objectCmd, now));
    const batch = executeBatch(binary, 0, b + 1, words, size, now);
    expect(batch.ok, `batch ${b}`).toBe(true);
    const replies = (batch as BatchAccepted).replies;
    for (let i = 0; i < size; i++) {
      const r = results[i];
      const code = replies[i * REPLY_WORDS];
      const what = `seed ${seed}, batch ${b}, command ${i}: ${JSON.stringify(sent[i].objectCmd)}`;
      expect(code, what).toBe(r.ok ? 0 : r.code);
      codes.add(code);
      if (!r.ok) continue;
      if (sent[i].kind === BinaryOp.HOLD_SEATS) {
        const objectId = (sent[i].objectCmd as { commandId: string }).commandId;
        pairs.push({ objectId, buyer: sent[i].buyer, slot: replies[i * REPLY_WORDS + 1], binaryNo: replies[i * REPLY_WORDS + 2] });
        const quota = (r as { quotaId: string | null }).quotaId;
        expect(replies[i * REPLY_WORDS + 3], what).toBe(quota === null ? 0 : (binary.quotaById.get(quota)?.source ?? -1));
      } else if (sent[i].kind === BinaryOp.CONFIRM_HOLD) {
        const order = r as OrderAccepted;
        expect(replies[i * REPLY_WORDS + 3], what).toBe(order.totalMinor);
        const orderNo = replies[i * REPLY_WORDS + 1];
        expect(binary.orders.get(orderNo).holdId, what).toBe(`#${sent[i].pair!.slot}.${sent[i].pair!.binaryNo}`);
        expect(binary.orders.get(orderNo).firstTicket, what).toBe(replies[i * REPLY_WORDS + 2]);
      }
    }
    expect(picture(binary), `seed ${seed}, after batch ${b}`).toEqual(picture(object));
    expect(auditPerformance(binary), `seed ${seed}, batch ${b}`).toEqual([]);
  }
  expect(auditPerformance(object)).toEqual([]);
  return { object, binary, codes };
}

describe('binary batches against object commands', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('seed %i: the same codes, totals, seats, buyers and holds', (seed) => {
    const { binary } = run(seed, 150);
    // The run exercised the refusals it is about, not just acceptances.
    expect(binary.nextBinaryNo).toBeGreaterThan(20);
    // And a snapshot of it decodes to the same bytes and passes the auditor.
    const bytes = encodeSnapshot(binary);
    const decoded = decodeSnapshot(bytes, hall);
    expect(sameBytes(encodeSnapshot(decoded), bytes)).toBe(true);
    expect(auditPerformance(decoded)).toEqual([]);
  });

  it('meets every refusal the binary path shares with the object API, over the seeds', () => {
    const seen = new Set<number>();
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) for (const code of run(seed, 150).codes) seen.add(code);
    const names: CodeName[] = [
      'OK', 'COMMAND_INVALID', 'SEATS_PER_HOLD_EXCEEDED', 'CHANNEL_UNKNOWN', 'CHANNEL_RESALE_ONLY', 'CHANNEL_NOT_ON_SALE', 'TICKET_TYPE_UNKNOWN',
      'TICKET_TYPE_REQUIRES_PRESALE', 'TICKET_TYPE_PRODUCTS_ONLY', 'TICKET_TYPE_NOT_IN_CHANNEL', 'TICKET_TYPE_NOT_ON_SALE', 'BUYER_HOLD_LIMIT',
      'BUYER_TICKET_LIMIT', 'SEAT_UNKNOWN', 'SEATS_DUPLICATED', 'SEAT_NOT_IN_CHANNEL', 'SEAT_NOT_AVAILABLE', 'TICKET_TYPE_NOT_PRICED_IN_ZONE',
      'HOLD_NOT_OWNED', 'HOLD_RELEASED', 'HOLD_ALREADY_CONFIRMED', 'HOLD_EXPIRED',
    ];
    expect(names.filter((name) => !seen.has(Code[name]))).toEqual([]);
  });
});

describe('binary batches of arbitrary words', () => {
  it('answer every command with a code and never break the books, whatever the words say', () => {
    const rand = rng(99);
    const state = newPerformance(spec);
    expect(execute(state, { type: 'openSession', commandId: 'open', clientId: 'fuzz' }, 1).ok).toBe(true);
    const seen = new Set<number>();
    const interesting = [0, 1, 2, 3, -1, 10, 11, 35, 36, 2 ** 21, 2 ** 31 - 1, -(2 ** 31)];
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
        if (rand() < 0.8) words[at] = 1 + Math.floor(rand() * 3);
        // Half the holds sane but for one word at random: they reach the seats and the books.
        if (words[at] === BinaryOp.HOLD_SEATS && rand() < 0.5) {
          words.set([BinaryOp.HOLD_SEATS, Math.floor(rand() * 50), 0, 0, -1, 1 + Math.floor(rand() * 3), ...[0, 1, 2].map(() => Math.floor(rand() * 36))], at);
          if (rand() < 0.5) words[at + 1 + Math.floor(rand() * 8)] = interesting[Math.floor(rand() * interesting.length)];
        }
      }
      const r = executeBatch(state, 0, b + 1, words, size, OPEN + b);
      expect(r.ok).toBe(true);
      const replies = (r as BatchAccepted).replies;
      for (let i = 0; i < size; i++) seen.add(replies[i * REPLY_WORDS]);
      expect(auditPerformance(state)).toEqual([]);
    }
    expect(seen.has(0)).toBe(true);
    expect([...seen].every((code) => code === 0 || Object.values(Code).includes(code as never))).toBe(true);
  });
});
