// Property-based tests of the domain core against an independent reference model.
//
// fast-check generates thousands of random command sequences over three small venues (a numbered
// hall, a GA-only club, a mixed venue). Commands draw their ids from small pools so that
// conflicts, expiries, retries and limit hits happen often. The reference model below shares no
// code with the engine (only the public types, the rejection-code names and the layout JSON): it
// keeps plain maps per seat, per GA pool and per hold, and follows the rules and the order of
// checks documented in engine/docs/REJECTIONS.md and engine/docs/LAYOUT.md. After every command
// the suite checks that
//   1. the engine accepts or rejects as the model does, with the same code (and, when accepted,
//      the same result, except for which seats best-available picks: those are checked against
//      the documented preference rules and then applied to the model);
//   2. every seat's state and pool, every GA pool, the quota counts and the open holds agree;
//   3. auditPerformance finds nothing wrong;
//   4. no seat is on two valid tickets.
// Two more properties check determinism: the same commands on two fresh performances give the
// same snapshot bytes after every step, and a snapshot taken part-way, decoded and fed the rest
// of the commands ends in the same bytes (and gives the same results) as the uninterrupted run.
//
// The model knows single tickets only: products (links, product holds and allocations, holding
// scans) and the resale exchange are not in it, and the generator sends none of them (the model
// must predict every answer). engine/test/property-products.test.ts runs them in random mixes
// without a model: audited after every command, twin runs, no effect of a refusal, snapshot replay.
//
// Reproducible by default (fixed seeds). ONSALE_PROPERTY_RUNS sets the number of runs per venue
// (default 400; the two-performance property runs half as many), ONSALE_PROPERTY_SEED another
// base seed, and ONSALE_PROPERTY_STATS=1 prints how often each command got each answer.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  auditPerformance, availability, Code, compileLayout, createPerformance, decodeSnapshot, encodeSnapshot, execute, SeatState, stateHash,
  type BestAvailableFilter, type CodeName, type Command, type Layout, type LayoutJson, type PerformanceSpec, type PerformanceState, type Result,
} from '../src/domain/mod.ts';
import { expectNoEffect, sameBytes } from './snapshot-compare.ts';

const envRuns = Number(process.env.ONSALE_PROPERTY_RUNS);
const MODEL_RUNS = Number.isSafeInteger(envRuns) && envRuns > 0 ? envRuns : 400;
const TWIN_RUNS = Math.max(10, Math.floor(MODEL_RUNS / 2));
/** ONSALE_PROPERTY_SEED replaces the fixed base seed (for a soak run that explores new cases). */
const envSeed = Number(process.env.ONSALE_PROPERTY_SEED);
const SEED = Number.isSafeInteger(envSeed) && process.env.ONSALE_PROPERTY_SEED !== '' ? envSeed : 0x5eed0;
const MAX_COMMANDS = 60;
/** ONSALE_PROPERTY_STATS=1 prints how often each command got each answer (generator coverage). */
const STATS = process.env.ONSALE_PROPERTY_STATS !== undefined && process.env.ONSALE_PROPERTY_STATS !== '';

// ---------------------------------------------------------------------------------------------
// Venues and the performance set-up
// ---------------------------------------------------------------------------------------------

const PERF = 'P1';
const T0 = 1_000_000;
const TTL = 10_000;
const MAX_TICKETS = 6;
const MAX_OPEN_HOLDS = 2;

interface Venue {
  name: string;
  json: LayoutJson;
  zones: [string, string];
  seatIds: string[];
  /** A few seats most commands aim at, so that conflicts are frequent. */
  hot: string[];
  areaIds: string[];
  sectionIds: string[];
}

function hallVenue(): Venue {
  const sections = ['L', 'U'].map((sec, s) => ({
    id: sec,
    rows: [1, 2, 3].map((r) => ({
      id: String(r),
      seats: [1, 2, 3, 4, 5, 6].map((n) => {
        // Section L rows 1-2 are zone A; U row 1 is split A|B; the rest is B.
        const zone = (s === 0 && r <= 2) || (s === 1 && r === 1 && n <= 3) ? 'A' : 'B';
        const accessible = (s === 0 && r === 1 && n <= 2) || (s === 1 && r === 3 && n === 6);
        return accessible ? { id: `${sec}-${r}-${n}`, zone, flags: ['accessible' as const] } : { id: `${sec}-${r}-${n}`, zone };
      }),
    })),
  }));
  const json: LayoutJson = { layoutId: 'prop-hall', zones: [{ id: 'A' }, { id: 'B' }], sections };
  const seatIds = sections.flatMap((s) => s.rows.flatMap((r) => r.seats.map((x) => x.id)));
  return { name: 'hall', json, zones: ['A', 'B'], seatIds, hot: ['L-1-3', 'L-1-4', 'L-1-2', 'L-2-3', 'U-1-3', 'U-1-4', 'U-3-6', 'L-1-1'], areaIds: [], sectionIds: ['L', 'U'] };
}

function clubVenue(): Venue {
  const json: LayoutJson = {
    layoutId: 'prop-club',
    zones: [{ id: 'floor' }, { id: 'balcony' }],
    gaAreas: [{ id: 'FLOOR', capacity: 20, zone: 'floor' }, { id: 'BALC', capacity: 7, zone: 'balcony' }],
  };
  return { name: 'club', json, zones: ['floor', 'balcony'], seatIds: [], hot: [], areaIds: ['FLOOR', 'BALC'], sectionIds: [] };
}

function mixedVenue(): Venue {
  const rows = [1, 2].map((r) => ({
    id: String(r),
    seats: [1, 2, 3, 4, 5].map((n) => (r === 1 && n === 1 ? { id: `M-${r}-${n}`, zone: 'A', flags: ['accessible' as const] } : { id: `M-${r}-${n}`, zone: r === 1 ? 'A' : 'B' })),
  }));
  const json: LayoutJson = { layoutId: 'prop-mixed', zones: [{ id: 'A' }, { id: 'B' }], sections: [{ id: 'M', rows }], gaAreas: [{ id: 'PIT', capacity: 10, zone: 'B' }] };
  const seatIds = rows.flatMap((r) => r.seats.map((x) => x.id));
  return { name: 'mixed', json, zones: ['A', 'B'], seatIds, hot: ['M-1-2', 'M-1-3', 'M-2-3', 'M-2-4'], areaIds: ['PIT'], sectionIds: ['M'] };
}

interface ChannelDef { id: string; kind: 'web' | 'partner' | 'boxOffice'; saleStartMs: number; saleEndMs: number; enabled: boolean }
const CHANNELS: ChannelDef[] = [
  { id: 'web', kind: 'web', saleStartMs: T0, saleEndMs: T0 + 100_000_000, enabled: true },
  // Opens 8 s in: early partner purchases get CHANNEL_NOT_ON_SALE.
  { id: 'partner', kind: 'partner', saleStartMs: T0 + 8_000, saleEndMs: T0 + 100_000_000, enabled: true },
  // Closes 90 s in.
  { id: 'box', kind: 'boxOffice', saleStartMs: T0, saleEndMs: T0 + 90_000, enabled: true },
  // A disabled web channel.
  { id: 'kiosk', kind: 'web', saleStartMs: T0, saleEndMs: T0 + 100_000_000, enabled: false },
];

interface TicketTypeDef { id: string; closed: boolean; prices: Record<string, number> }
function ticketTypesFor(venue: Venue): TicketTypeDef[] {
  const [z0, z1] = venue.zones;
  // The closed type is listed first: the default type is the first open one (adult).
  return [
    // Prices that are not multiples of 100, so that a percentage discount has a fraction to round.
    { id: 'vip', closed: true, prices: { [z0]: 8999, [z1]: 6995 } },
    { id: 'adult', closed: false, prices: { [z0]: 4590, [z1]: 2495 } },
    { id: 'reduced', closed: false, prices: { [z1]: 1499 } },
  ];
}
const DEFAULT_TICKET_TYPE = 'adult';

function specFor(venue: Venue): PerformanceSpec {
  return {
    performanceId: PERF,
    holdTtlMs: TTL,
    maxTicketsPerBuyer: MAX_TICKETS,
    maxOpenHoldsPerBuyer: MAX_OPEN_HOLDS,
    channels: CHANNELS.map((c) => ({ id: c.id, kind: c.kind, saleStartMs: c.saleStartMs, saleEndMs: c.saleEndMs, enabled: c.enabled })),
    ticketTypes: ticketTypesFor(venue).map((t) => (t.closed ? { id: t.id, webCode: '!VIP', prices: t.prices } : { id: t.id, prices: t.prices })),
  };
}

function compiled(venue: Venue): Layout {
  const result = compileLayout(venue.json);
  if (!result.ok) throw new Error(`layout ${venue.name}: ${result.name} ${result.field}`);
  return result.layout;
}

function fresh(venue: Venue, layout: Layout): PerformanceState {
  const created = createPerformance(specFor(venue), layout);
  if (!created.ok) throw new Error(`spec ${venue.name}: ${created.name} ${created.field}`);
  return created.state;
}

// ---------------------------------------------------------------------------------------------
// Generated operations, and their translation into commands
// ---------------------------------------------------------------------------------------------

const BUYERS = ['b1', 'b2', 'b3', 'b4', 'b5'];
const QUOTA_IDS = ['Q1', 'Q2'];
const PRESALE_CODES = ['EARLY', 'FRIENDS'];

interface BuyOp { buyer: string; channel: string; ticketType?: string; presale?: string }
type Op =
  | { k: 'advance'; ms: number }
  | { k: 'tick' }
  | ({ k: 'holdSeats'; seats: string[]; form: 'ids' | 'numbers' | 'both' | 'neither' } & BuyOp)
  | ({ k: 'holdBest'; count: number; filter?: BestAvailableFilter } & BuyOp)
  | ({ k: 'holdGa'; area: string; count: number } & BuyOp)
  | { k: 'confirm' | 'release'; ref: number; other: boolean; bogus: boolean; email?: string }
  | { k: 'createQuota'; quotaId: string; channels: string[]; policy: string; seats?: string[]; area?: string; count?: number; discountPct?: number; closesIn?: number }
  | { k: 'returnQuota'; quotaId: string; seats?: string[]; count?: number; close?: boolean }
  | { k: 'block'; hard: boolean; blockId: string; seats?: string[]; area?: string; count?: number; quotaId?: string }
  | { k: 'returnHard'; blockId: string; seats?: string[]; count?: number }
  | { k: 'createPresale'; code: string; ticketType: string; from: number; length: number; totalMax: number; perBuyerMax: number }
  | { k: 'editPresale'; code: string; totalMax?: number; perBuyerMax?: number; untilOffset?: number }
  | { k: 'stopPresale'; code: string }
  | { k: 'void' | 'scan'; ticket: string }
  /** Several tickets voided all or nothing; now and then a list too long, or with an entry twice. */
  | { k: 'voidMany'; tickets: string[] }
  | { k: 'retry'; ref: number; same: boolean; other: number; early: boolean }
  | { k: 'stale'; ms: number }
  | { k: 'malformed'; what: 'noId' | 'unknownType' | 'fractionalTime' };

/** The operations, and (second) a list of those that set a performance up: quotas, presale links, blocks. */
function opArbitraries(venue: Venue): [fc.Arbitrary<Op>, fc.Arbitrary<Op[]>] {
  /** The value `percent` % of the time, else undefined (the field is left out). */
  const opt = <T>(arb: fc.Arbitrary<T>, percent = 50): fc.Arbitrary<T | undefined> => fc.oneof({ weight: percent, arbitrary: arb }, { weight: 100 - percent, arbitrary: fc.constant(undefined) });
  const w = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary });

  const anySeat = venue.seatIds.length > 0 ? fc.constantFrom(...venue.seatIds) : fc.constant('NOPE');
  const hotSeat = venue.hot.length > 0 ? fc.constantFrom(...venue.hot) : fc.constant('NOPE');
  const seatId = fc.oneof(w(10, hotSeat), w(10, anySeat), w(1, fc.constantFrom('NOPE', 'L-9-9')));
  const seatList = (max: number) => fc.oneof(
    w(30, fc.uniqueArray(seatId, { minLength: 1, maxLength: max })),
    w(4, fc.array(seatId, { minLength: 2, maxLength: Math.max(2, max) })),
    w(1, fc.array(seatId, { minLength: 11, maxLength: 11 })),
  );
  const area = fc.oneof(w(12, venue.areaIds.length > 0 ? fc.constantFrom(...venue.areaIds) : fc.constant('NOAREA')), w(1, fc.constant('NOAREA')));
  const gaCount = fc.oneof(w(20, fc.integer({ min: 1, max: 4 })), w(1, fc.constantFrom(0, 11)));

  const plainBuy = fc.record({
    buyer: fc.constantFrom(...BUYERS),
    channel: fc.oneof(w(10, fc.constant('web')), w(8, fc.constant('partner')), w(3, fc.constant('box')), w(1, fc.constantFrom('kiosk', 'nope'))),
    ticketType: opt(fc.oneof(w(4, fc.constant('adult')), w(3, fc.constant('reduced')), w(2, fc.constant('vip')), w(1, fc.constant('nope'))), 40),
  });
  // Through a presale link: mostly on the web, mostly naming no ticket type (the link's is used).
  const presaleBuy = fc.record({
    buyer: fc.constantFrom(...BUYERS),
    channel: fc.oneof(w(12, fc.constant('web')), w(1, fc.constantFrom('partner', 'kiosk', 'nope'))),
    ticketType: opt(fc.oneof(w(4, fc.constant('vip')), w(1, fc.constant('adult'))), 20),
    presale: fc.oneof(w(8, fc.constant('EARLY')), w(2, fc.constant('FRIENDS')), w(1, fc.constant('GHOST'))),
  });
  const buy: fc.Arbitrary<BuyOp> = fc.oneof(w(82, plainBuy.map((b) => clean(b))), w(18, presaleBuy.map((b) => clean(b))));
  // Seats by id, by seat number (the compact wire form), and rarely both or neither.
  const form = fc.oneof(w(16, fc.constant('ids' as const)), w(6, fc.constant('numbers' as const)), w(1, fc.constantFrom('both' as const, 'neither' as const)));
  const holdSeats = fc.tuple(buy, seatList(4), form).map(([b, seats, f]): Op => ({ k: 'holdSeats', ...b, seats, form: f }));
  const filter = fc.record({
    zone: opt(fc.oneof(w(8, fc.constantFrom(...venue.zones)), w(1, fc.constant('ZZ')))),
    section: opt(venue.sectionIds.length > 0 ? fc.oneof(w(8, fc.constantFrom(...venue.sectionIds)), w(1, fc.constant('SZ'))) : fc.constant('SZ'), 30),
    accessible: opt(fc.boolean(), 30),
  });
  const holdBest = fc.tuple(buy, gaCount, opt(filter, 60)).map(([b, count, f]): Op => ({ k: 'holdBest', ...b, count, filter: f }));
  const holdGa = fc.tuple(buy, area, gaCount).map(([b, a, count]): Op => ({ k: 'holdGa', ...b, area: a, count }));
  const settle = (k: 'confirm' | 'release') => fc.record({
    ref: fc.nat(), other: fc.integer({ min: 0, max: 3 }).map((n) => n === 0), bogus: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
    email: opt(fc.oneof(w(10, fc.constant('fan@example.org')), w(1, fc.constant('not-an-address'))), 30),
  }).map((r): Op => ({ k, ...r }));

  const shape = fc.oneof(
    w(venue.seatIds.length > 0 ? 10 : 1, fc.record({ seats: seatList(4) })),
    w(venue.areaIds.length > 0 ? 10 : 1, fc.record({ area, count: fc.oneof(w(10, fc.integer({ min: 1, max: 6 })), w(1, fc.constant(0))) })),
    w(1, fc.record({ seats: seatList(2), area, count: fc.constant(2) })),
    w(1, fc.constant({})),
  );
  const createQuota = fc.tuple(
    fc.constantFrom(...QUOTA_IDS),
    fc.oneof(w(10, fc.constant<string[]>(['partner'])), w(4, fc.subarray(['partner', 'web', 'box'], { minLength: 1 })), w(1, fc.constantFrom(['nope'], [] as string[]))),
    fc.oneof(w(10, fc.constantFrom('onlyQuota', 'quotaFirst')), w(1, fc.constant('sometimes'))),
    shape,
    opt(fc.oneof(w(10, fc.integer({ min: 0, max: 100 })), w(1, fc.constant(150))), 40),
    // Closing by itself, in whole seconds mostly (time often lands on it), now or past (at
    // once), or at a time that is not a whole ms (refused).
    opt(fc.oneof(w(10, fc.constantFrom(1_000, 5_000, 12_000, 30_000)), w(2, fc.constantFrom(0, -1_000)), w(1, fc.constant(0.5))), 30),
  ).map(([quotaId, channels, policy, sh, discountPct, closesIn]): Op => ({ k: 'createQuota', quotaId, channels, policy, ...sh, discountPct, closesIn }));
  const returnQuota = fc.tuple(
    fc.constantFrom(...QUOTA_IDS, 'Q9'),
    fc.oneof(
      w(6, fc.constant({})), w(4, fc.record({ seats: seatList(3) })), w(4, fc.record({ count: fc.integer({ min: 0, max: 5 }) })), w(1, fc.record({ seats: seatList(1), count: fc.constant(1) })),
      w(2, fc.constant({ close: true })), w(1, fc.record({ seats: seatList(1), close: fc.constant(true) })), w(1, fc.record({ close: fc.constant(false) })),
    ),
  ).map(([quotaId, sh]): Op => ({ k: 'returnQuota', quotaId, ...sh }));
  // A hard-ticket batch now and then from a quota (an outlet's contingent; the quota may not
  // exist, hold the stock, or be of the other kind), else from the general pool.
  const block = fc.tuple(fc.boolean(), fc.constantFrom('F1', 'F2', 'F3'), shape, opt(fc.constantFrom(...QUOTA_IDS, 'Q9'), 35))
    .map(([hard, blockId, sh, quotaId]): Op => ({ k: 'block', hard, blockId, ...sh, quotaId: hard ? quotaId : undefined }));
  // Printed tickets coming back: all, some seats (often not in the batch), or some places.
  const returnHard = fc.tuple(
    fc.constantFrom('F1', 'F2', 'F3', 'F9'),
    fc.oneof(w(4, fc.constant({})), w(4, fc.record({ seats: seatList(3) })), w(4, fc.record({ count: fc.integer({ min: 0, max: 5 }) })), w(1, fc.record({ seats: fc.constant<string[]>([]) }))),
  ).map(([blockId, sh]): Op => ({ k: 'returnHard', blockId, ...sh }));
  const createPresale = fc.record({
    code: fc.oneof(w(2, fc.constant('EARLY')), w(1, fc.constant('FRIENDS'))),
    ticketType: fc.oneof(w(10, fc.constant('vip')), w(1, fc.constantFrom('adult', 'nope'))),
    from: fc.constantFrom(-5_000, 0, 15_000),
    length: fc.oneof(w(10, fc.constantFrom(12_000, 60_000, 10_000_000)), w(1, fc.constant(0))),
    perBuyerMax: fc.integer({ min: 1, max: 4 }),
    // Added to perBuyerMax for the total; rarely negative, which makes the terms invalid.
    extra: fc.oneof(w(10, fc.integer({ min: 0, max: 5 })), w(1, fc.constant(-1))),
  }).map(({ extra, ...r }): Op => ({ k: 'createPresale', ...r, totalMax: r.perBuyerMax + extra }));
  const editPresale = fc.record({
    code: fc.constantFrom(...PRESALE_CODES, 'GHOST'),
    totalMax: opt(fc.integer({ min: 0, max: 8 })),
    perBuyerMax: opt(fc.integer({ min: 1, max: 4 })),
    untilOffset: opt(fc.constantFrom(-1_000, 5_000, 100_000)),
  }).map((r): Op => ({ k: 'editPresale', ...r }));
  const ticket = fc.oneof(w(12, fc.nat(5).map((n) => `${PERF}-T${n}`)), w(1, fc.constantFrom(`${PERF}-T01`, 'P2-T0', `${PERF}-T999999`, `${PERF}-X0`)));

  const numbered = venue.seatIds.length > 0;
  const hasGa = venue.areaIds.length > 0;
  // Usually a presale link and a quota first, then a few more set-up operations of any kind.
  // An outlet's contingent: a quota, then a batch printed from part of it (some of its seats, or
  // fewer places), so that returns of printed tickets to a quota are common enough to check.
  const outlet = fc.tuple(createQuota, fc.constantFrom('F1', 'F2', 'F3'), fc.integer({ min: 1, max: 3 })).map(([q, blockId, n]): Op[] => {
    const quota = q as Extract<Op, { k: 'createQuota' }>;
    const part = quota.seats !== undefined ? { seats: quota.seats.slice(0, n) } : { area: quota.area, count: Math.min(n, quota.count ?? 1) };
    return [{ ...quota, policy: 'onlyQuota', channels: ['partner'] }, { k: 'block', hard: true, blockId, quotaId: quota.quotaId, ...part }];
  });
  const setup = fc.tuple(opt(createPresale, 80), opt(createQuota, 60), opt(outlet, 40), fc.array(fc.oneof(w(4, createQuota), w(3, createPresale), w(2, block)), { maxLength: 3 }))
    .map(([p, q, o, more]) => [p, q, ...(o ?? []), ...more].filter((op): op is Op => op !== undefined));
  const any = fc.oneof(
    w(numbered ? 14 : 2, holdSeats),
    w(numbered ? 10 : 2, holdBest),
    w(hasGa ? (numbered ? 8 : 22) : 2, holdGa),
    w(14, settle('confirm')),
    w(5, settle('release')),
    // Time moves in whole seconds mostly, so that it often lands exactly on a hold's expiry or the
    // end of a sale or presale window (all whole seconds); sometimes by an odd number of ms.
    w(12, fc.oneof(w(6, fc.integer({ min: 0, max: 12 }).map((n) => n * 1000)), w(1, fc.integer({ min: 1, max: 12_000 }))).map((ms): Op => ({ k: 'advance', ms }))),
    w(2, fc.constant<Op>({ k: 'tick' })),
    w(8, createQuota),
    w(3, returnQuota),
    w(2, block),
    w(3, returnHard),
    w(3, createPresale),
    w(1, editPresale),
    w(1, fc.constantFrom(...PRESALE_CODES, 'GHOST').map((code): Op => ({ k: 'stopPresale', code }))),
    w(4, ticket.map((t): Op => ({ k: 'void', ticket: t }))),
    w(3, fc.oneof(
      // Mostly the first tickets, issued early in most runs.
      w(10, fc.uniqueArray(fc.oneof(w(3, fc.nat(2).map((n) => `${PERF}-T${n}`)), w(1, ticket)), { minLength: 1, maxLength: 2 })),
      w(2, fc.array(ticket, { minLength: 2, maxLength: 3 })),
      w(1, fc.constant<string[]>([])), w(1, fc.array(ticket, { minLength: 11, maxLength: 11 })),
    ).map((tickets): Op => ({ k: 'voidMany', tickets }))),
    w(3, ticket.map((t): Op => ({ k: 'scan', ticket: t }))),
    // Retries, sometimes sent with the first attempt's (earlier) time: still answered from memory.
    w(5, fc.record({ ref: fc.nat(), same: fc.boolean(), other: fc.nat(), early: fc.boolean() }).map((r): Op => ({ k: 'retry', ...r }))),
    // A new command with a time before the last one: TIME_REGRESSED.
    w(1, fc.integer({ min: 1, max: 5_000 }).map((ms): Op => ({ k: 'stale', ms }))),
    // An empty command id, an unknown command type, a time that is not a whole millisecond.
    w(1, fc.constantFrom('noId' as const, 'unknownType' as const, 'fractionalTime' as const).map((what): Op => ({ k: 'malformed', what }))),
  );
  return [any, setup];
}

/** A few set-up operations (so that quotas and presale links exist early), then anything. */
function opsArbitrary(venue: Venue): fc.Arbitrary<Op[]> {
  const [any, setup] = opArbitraries(venue);
  return fc.tuple(setup, fc.array(any, { minLength: 1, maxLength: MAX_COMMANDS - 5, size: 'max' })).map(([a, b]) => [...a, ...b]);
}

interface Step { command: Command; nowMs: number }

/** Drops keys whose value is undefined, so a command is what JSON would carry. */
function clean<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = v;
  return out as T;
}

/** Turns operations into commands with times. Pure: depends on the operations only. */
function materialize(venue: Venue, ops: readonly Op[]): Step[] {
  // A seat's number is its position in the layout; unknown ids become out-of-range or odd numbers.
  const seatNo = (seatId: string): number => (venue.seatIds.includes(seatId) ? venue.seatIds.indexOf(seatId) : seatId === 'NOPE' ? venue.seatIds.length : -1);
  const steps: Step[] = [];
  let nowMs = T0;
  let next = 0;
  const holds: { holdId: string; buyerId: string }[] = [];
  const issued: Step[] = [];
  const id = () => `c${next++}`;
  const buying = (op: BuyOp) => clean({ buyerId: op.buyer, channel: op.channel, ticketType: op.ticketType, presaleCode: op.presale });
  for (const op of ops) {
    let command: Command;
    switch (op.k) {
      case 'advance': nowMs += op.ms; continue;
      case 'tick': command = { type: 'tick', commandId: id() }; break;
      case 'holdSeats': {
        const seats = op.form === 'ids' || op.form === 'both' ? [...op.seats] : undefined;
        const seatNos = op.form === 'numbers' || op.form === 'both' ? op.seats.map(seatNo) : undefined;
        command = clean({ type: 'holdSeats' as const, commandId: id(), ...buying(op), seats, seatNos });
        break;
      }
      case 'holdBest': command = clean({ type: 'holdBestAvailable' as const, commandId: id(), ...buying(op), count: op.count, filter: op.filter === undefined ? undefined : clean(op.filter) }); break;
      case 'holdGa': command = { type: 'holdGa', commandId: id(), ...buying(op), gaAreaId: op.area, count: op.count }; break;
      case 'confirm':
      case 'release': {
        let holdId = 'H-bogus';
        let buyerId = BUYERS[op.ref % BUYERS.length];
        if (!op.bogus && holds.length > 0) {
          // Mostly one of the last few holds asked for; sometimes any earlier one.
          const target = op.ref % 4 === 3 ? holds[op.ref % holds.length] : holds[holds.length - 1 - (op.ref % Math.min(holds.length, 2))];
          holdId = target.holdId;
          buyerId = op.other ? BUYERS[(BUYERS.indexOf(target.buyerId) + 1 + (op.ref % 3)) % BUYERS.length] : target.buyerId;
        }
        command = op.k === 'confirm'
          ? clean({ type: 'confirmHold' as const, commandId: id(), holdId, buyerId, buyerEmail: op.email })
          : { type: 'releaseHold', commandId: id(), holdId, buyerId };
        break;
      }
      case 'createQuota':
        command = clean({
          type: 'createQuota' as const, commandId: id(), quotaId: op.quotaId, channels: [...op.channels], policy: op.policy as 'onlyQuota', seats: op.seats && [...op.seats], gaAreaId: op.area, count: op.count,
          discountPct: op.discountPct, closesAtMs: op.closesIn === undefined ? undefined : nowMs + op.closesIn,
        });
        break;
      case 'returnQuota': command = clean({ type: 'returnQuota' as const, commandId: id(), quotaId: op.quotaId, seats: op.seats && [...op.seats], count: op.count, close: op.close }); break;
      case 'block':
        command = op.hard
          ? clean({ type: 'issueHardTickets' as const, commandId: id(), batchId: op.blockId, outlet: 'kiosk-7', deliveryNote: 'DN-1', seats: op.seats && [...op.seats], gaAreaId: op.area, count: op.count, quotaId: op.quotaId })
          : clean({ type: 'blockForeign' as const, commandId: id(), blockId: op.blockId, system: 'other-sys', seats: op.seats && [...op.seats], gaAreaId: op.area, count: op.count });
        break;
      case 'returnHard': command = clean({ type: 'returnHardTickets' as const, commandId: id(), batchId: op.blockId, seats: op.seats && [...op.seats], count: op.count }); break;
      case 'createPresale':
        command = { type: 'createPresale', commandId: id(), code: op.code, ticketType: op.ticketType, validFromMs: nowMs + op.from, validUntilMs: nowMs + op.from + op.length, totalMax: op.totalMax, perBuyerMax: op.perBuyerMax };
        break;
      case 'editPresale':
        command = clean({ type: 'editPresale' as const, commandId: id(), code: op.code, totalMax: op.totalMax, perBuyerMax: op.perBuyerMax, validUntilMs: op.untilOffset === undefined ? undefined : nowMs + op.untilOffset });
        break;
      case 'stopPresale': command = { type: 'stopPresale', commandId: id(), code: op.code }; break;
      case 'void': command = { type: 'voidTicket', commandId: id(), ticketId: op.ticket }; break;
      case 'voidMany': command = { type: 'voidTickets', commandId: id(), ticketIds: [...op.tickets] }; break;
      case 'scan': command = { type: 'scanTicket', commandId: id(), ticketId: op.ticket }; break;
      case 'retry': {
        if (issued.length === 0) continue;
        const first = issued[op.ref % issued.length];
        command = op.same ? structuredClone(first.command) : { ...structuredClone(issued[op.other % issued.length].command), commandId: first.command.commandId };
        steps.push({ command, nowMs: op.early ? first.nowMs : nowMs });
        continue;
      }
      case 'malformed':
        if (op.what === 'noId') steps.push({ command: { type: 'tick', commandId: '' }, nowMs });
        else if (op.what === 'unknownType') steps.push({ command: { type: 'refundAll', commandId: id() } as unknown as Command, nowMs });
        else steps.push({ command: { type: 'releaseHold', commandId: id(), holdId: 'H-frac', buyerId: BUYERS[0] }, nowMs: nowMs + 0.5 });
        continue;
      case 'stale':
        steps.push({ command: { type: 'releaseHold', commandId: id(), holdId: 'H-stale', buyerId: BUYERS[0] }, nowMs: Math.max(0, nowMs - op.ms) });
        continue;
    }
    if (command.type === 'holdSeats' || command.type === 'holdBestAvailable' || command.type === 'holdGa') holds.push({ holdId: command.commandId, buyerId: command.buyerId });
    // Ticks are not remembered for dedupe, so retries pick other commands only.
    if (command.type !== 'tick') issued.push({ command, nowMs });
    steps.push({ command, nowMs });
  }
  return steps;
}

// ---------------------------------------------------------------------------------------------
// The reference model
// ---------------------------------------------------------------------------------------------

type MState = 'free' | 'held' | 'sold' | 'blocked';
interface MSeat { id: string; zone: string; accessible: boolean; state: MState; source: number }
interface MCounts { free: number; held: number; sold: number; blocked: number }
interface MArea { id: string; zone: string; capacity: number; pools: Map<number, MCounts> }
interface MHold { holdId: string; buyerId: string; channel: string; ticketType: string; presale: string | null; seats: string[]; area: string | null; source: number; count: number; expiresAtMs: number }
interface MTicket { id: string; seat: string | null; area: string | null; source: number; buyerId: string; presale: string | null; valid: boolean; scanned: boolean }
interface MQuota { id: string; channels: string[]; policy: string; discountPct: number; area: string | null; closed: boolean; closesAtMs: number | null }
/** A batch or block: the seats it still has out (numbered) or its places out (GA), and their pool. */
interface MBlock { hard: boolean; seats: Set<string>; area: string | null; source: number; count: number }
interface MPresale { ticketType: string; from: number; until: number; totalMax: number; perBuyerMax: number; stopped: boolean }

type Expect = { reject: CodeName } | { accept: Record<string, unknown> };
const no = (code: CodeName): Expect => ({ reject: code });
const yes = (result: Record<string, unknown>): Expect => ({ accept: result });
const DONE_RESULT = { ok: true };

function isWhole(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** Deep equality of JSON-like values; key order and undefined-valued keys ignored. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameJson(x, b[i]));
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined).sort();
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined).sort();
  return sameJson(ka, kb) && ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

class Model {
  nowMs = 0;
  readonly seats = new Map<string, MSeat>();
  /** Rows in layout order (best first), each its seat ids in physical order. */
  readonly rows: { section: string; seats: string[] }[] = [];
  readonly areas = new Map<string, MArea>();
  readonly holds = new Map<string, MHold>();
  readonly fates = new Map<string, 'expired' | 'released' | 'confirmed'>();
  readonly tickets: MTicket[] = [];
  orders = 0;
  readonly quotas: MQuota[] = [];
  readonly blocks = new Map<string, MBlock>();
  readonly presales = new Map<string, MPresale>();
  readonly dedupe = new Map<string, { command: Command; result: Result }>();
  readonly zones: Set<string>;
  readonly ticketTypes: Map<string, TicketTypeDef>;

  constructor(venue: Venue) {
    this.zones = new Set(venue.json.zones.map((z) => z.id));
    this.ticketTypes = new Map(ticketTypesFor(venue).map((t) => [t.id, t]));
    for (const section of venue.json.sections ?? []) {
      for (const row of section.rows) {
        this.rows.push({ section: section.id, seats: row.seats.map((s) => s.id) });
        for (const s of row.seats) this.seats.set(s.id, { id: s.id, zone: s.zone, accessible: (s.flags ?? []).includes('accessible'), state: 'free', source: 0 });
      }
    }
    for (const area of venue.json.gaAreas ?? []) {
      this.areas.set(area.id, { id: area.id, zone: area.zone, capacity: area.capacity, pools: new Map([[0, { free: area.capacity, held: 0, sold: 0, blocked: 0 }]]) });
    }
  }

  // --- derived views ---

  pool(area: MArea, source: number): MCounts {
    let counts = area.pools.get(source);
    if (counts === undefined) area.pools.set(source, (counts = { free: 0, held: 0, sold: 0, blocked: 0 }));
    return counts;
  }

  buyerUse(buyerId: string): { openHolds: number; tickets: number } {
    let openHolds = 0;
    let tickets = 0;
    for (const h of this.holds.values()) if (h.buyerId === buyerId) { openHolds++; tickets += h.count; }
    for (const t of this.tickets) if (t.valid && t.buyerId === buyerId) tickets++;
    return { openHolds, tickets };
  }

  presaleUse(code: string, buyerId?: string): number {
    let used = 0;
    for (const h of this.holds.values()) if (h.presale === code && (buyerId === undefined || h.buyerId === buyerId)) used += h.count;
    for (const t of this.tickets) if (t.valid && t.presale === code && (buyerId === undefined || t.buyerId === buyerId)) used++;
    return used;
  }

  onlyQuota(channel: string): boolean {
    return this.quotas.some((q) => q.policy === 'onlyQuota' && q.channels.includes(channel));
  }

  /** Whether a channel may sell from a pool (0 = general, n = the n-th quota made). */
  maySell(channel: string, source: number): boolean {
    return source === 0 ? !this.onlyQuota(channel) : this.quotas[source - 1].channels.includes(channel);
  }

  price(ticketType: string, zone: string): number | undefined {
    return this.ticketTypes.get(ticketType)?.prices[zone];
  }

  quotaIdOf(source: number): string | null {
    return source === 0 ? null : this.quotas[source - 1].id;
  }

  // --- the command loop ---

  /** Applies one command and checks the engine's result against the model's expectation. */
  step(command: Command, nowMs: number, actual: Result, where: string): void {
    if (typeof command.commandId !== 'string' || command.commandId.length === 0 || command.commandId.length > 128) {
      expectReject(actual, 'COMMAND_INVALID', where);
      return;
    }
    const prior = this.dedupe.get(command.commandId);
    if (prior !== undefined) {
      // A retry: the first result again, or COMMAND_ID_REUSED; either way no effect, no expiry.
      if (sameJson(prior.command, command)) expect(actual, `${where}: a retry returns the first result`).toEqual(prior.result);
      else expectReject(actual, 'COMMAND_ID_REUSED', where);
      return;
    }
    if (!Number.isSafeInteger(nowMs) || nowMs < this.nowMs) {
      expectReject(actual, 'TIME_REGRESSED', where);
      return;
    }
    this.nowMs = nowMs;
    this.expire();
    this.closeDue();
    if (command.type === 'tick') {
      expect(actual, where).toEqual(DONE_RESULT);
      return;
    }
    const expected = this.decide(command, actual, where);
    if ('reject' in expected) expectReject(actual, expected.reject, where);
    else expect(actual, `${where}: accepted result`).toEqual(expected.accept);
    // A copy: a retry must get the first result as it was, even if the engine's copy were later
    // changed by mistake (a result must hold no reference into the state).
    this.dedupe.set(command.commandId, { command: structuredClone(command), result: structuredClone(actual) });
  }

  expire(): void {
    for (const hold of [...this.holds.values()]) if (hold.expiresAtMs <= this.nowMs) this.closeHold(hold, 'expired');
  }

  /** Quotas whose closesAtMs has come give their free stock back and close, before the command. */
  closeDue(): void {
    this.quotas.forEach((quota, index) => {
      if (quota.closed || quota.closesAtMs === null || quota.closesAtMs > this.nowMs) return;
      quota.closed = true;
      const source = index + 1;
      if (quota.area !== null) {
        const area = this.areas.get(quota.area) as MArea;
        this.pool(area, 0).free += this.pool(area, source).free;
        this.pool(area, source).free = 0;
      } else {
        for (const seat of this.seats.values()) if (seat.source === source && seat.state === 'free') seat.source = 0;
      }
    });
  }

  closeHold(hold: MHold, fate: 'expired' | 'released'): void {
    this.holds.delete(hold.holdId);
    this.fates.set(hold.holdId, fate);
    for (const id of hold.seats) this.freeSeat(this.seats.get(id) as MSeat);
    if (hold.area !== null) {
      const counts = this.pool(this.areas.get(hold.area) as MArea, hold.source);
      counts.held -= hold.count;
      this.freePlaces(this.areas.get(hold.area) as MArea, hold.source, hold.count);
    }
  }

  /** A seat comes free: in its pool, or the general pool when its quota is closed. */
  freeSeat(seat: MSeat): void {
    seat.state = 'free';
    if (seat.source !== 0 && this.quotas[seat.source - 1].closed) seat.source = 0;
  }

  freePlaces(area: MArea, source: number, count: number): void {
    this.pool(area, source !== 0 && this.quotas[source - 1].closed ? 0 : source).free += count;
  }

  decide(c: Command, actual: Result, where: string): Expect {
    switch (c.type) {
      case 'holdSeats': return this.holdSeats(c);
      case 'holdBestAvailable': return this.holdBest(c, actual, where);
      case 'holdGa': return this.holdGa(c);
      case 'confirmHold': return this.confirm(c);
      case 'releaseHold': return this.release(c);
      case 'createQuota': return this.createQuota(c);
      case 'returnQuota': return this.returnQuota(c);
      case 'issueHardTickets':
        if (typeof c.deliveryNote !== 'string' || c.deliveryNote.length === 0 || c.deliveryNote.length > 1000) return no('COMMAND_INVALID');
        return this.hardTickets(c);
      case 'returnHardTickets': return this.returnHard(c);
      case 'blockForeign': return this.block(c.blockId, c, 0, false);
      case 'createPresale': return this.createPresale(c);
      case 'editPresale': return this.editPresale(c);
      case 'stopPresale': {
        const p = this.presales.get(c.code);
        if (p === undefined) return no('PRESALE_UNKNOWN');
        p.stopped = true;
        return yes(DONE_RESULT);
      }
      case 'scanTicket':
      case 'voidTicket': return this.ticketCommand(c);
      case 'voidTickets': return this.voidTickets(c);
      default: return no('COMMAND_UNKNOWN');
    }
  }

  // --- buying ---

  /** The checks every hold makes before it looks at seats or places. */
  buying(c: { buyerId: string; channel: string; ticketType?: string; presaleCode?: string }, count: number): Expect | { ticketType: string; presale: string | null } {
    const channel = CHANNELS.find((ch) => ch.id === c.channel);
    if (channel === undefined) return no('CHANNEL_UNKNOWN');
    let ticketType: string;
    let presale: string | null = null;
    if (c.presaleCode !== undefined) {
      const link = this.presales.get(c.presaleCode);
      if (link === undefined) return no('PRESALE_UNKNOWN');
      if (channel.kind !== 'web') return no('PRESALE_CHANNEL_NOT_WEB');
      if (!channel.enabled) return no('PRESALE_WEB_NOT_ON_SALE');
      if (link.stopped) return no('PRESALE_STOPPED');
      if (this.nowMs < link.from || this.nowMs >= link.until) return no('PRESALE_NOT_ACTIVE');
      if (this.nowMs >= channel.saleEndMs) return no('CHANNEL_NOT_ON_SALE');
      if (c.ticketType !== undefined && c.ticketType !== link.ticketType) return no('COMMAND_INVALID');
      ticketType = link.ticketType;
      presale = c.presaleCode;
    } else {
      if (!channel.enabled || this.nowMs < channel.saleStartMs || this.nowMs >= channel.saleEndMs) return no('CHANNEL_NOT_ON_SALE');
      ticketType = c.ticketType ?? DEFAULT_TICKET_TYPE;
      const type = this.ticketTypes.get(ticketType);
      if (type === undefined) return no('TICKET_TYPE_UNKNOWN');
      if (type.closed) return no('TICKET_TYPE_REQUIRES_PRESALE');
    }
    const use = this.buyerUse(c.buyerId);
    if (use.openHolds >= MAX_OPEN_HOLDS) return no('BUYER_HOLD_LIMIT');
    if (use.tickets + count > MAX_TICKETS) return no('BUYER_TICKET_LIMIT');
    if (presale !== null) {
      const link = this.presales.get(presale) as MPresale;
      if (this.presaleUse(presale) + count > link.totalMax) return no('PRESALE_SOLD_OUT');
      if (this.presaleUse(presale, c.buyerId) + count > link.perBuyerMax) return no('PRESALE_BUYER_LIMIT');
    }
    return { ticketType, presale };
  }

  /** Seat numbers (positions in the layout) in order; the first unknown or repeated one decides. */
  resolveNumbers(numbers: readonly number[]): Expect | MSeat[] {
    const all = [...this.seats.values()];
    const out: MSeat[] = [];
    for (const n of numbers) {
      const seat = Number.isInteger(n) ? all[n] : undefined;
      if (seat === undefined) return no('SEAT_UNKNOWN');
      if (out.includes(seat)) return no('SEATS_DUPLICATED');
      out.push(seat);
    }
    return out;
  }

  /** Seat ids in order; the first unknown or repeated one decides. */
  resolve(ids: readonly string[]): Expect | MSeat[] {
    const out: MSeat[] = [];
    for (const id of ids) {
      const seat = this.seats.get(id);
      if (seat === undefined) return no('SEAT_UNKNOWN');
      if (out.includes(seat)) return no('SEATS_DUPLICATED');
      out.push(seat);
    }
    return out;
  }

  openHold(c: { commandId: string; buyerId: string; channel: string }, ctx: { ticketType: string; presale: string | null }, seats: MSeat[], area: string | null, source: number, count: number): Record<string, unknown> {
    const hold: MHold = {
      holdId: c.commandId, buyerId: c.buyerId, channel: c.channel, ticketType: ctx.ticketType, presale: ctx.presale,
      seats: seats.map((s) => s.id), area, source, count, expiresAtMs: this.nowMs + TTL,
    };
    this.holds.set(hold.holdId, hold);
    for (const seat of seats) seat.state = 'held';
    if (area !== null) {
      const counts = this.pool(this.areas.get(area) as MArea, source);
      counts.free -= count;
      counts.held += count;
    }
    return {
      ok: true, holdId: hold.holdId, expiresAtMs: hold.expiresAtMs, seats: [...hold.seats], gaAreaId: area, count,
      quotaId: this.quotaIdOf(area !== null ? source : seats[0].source), ticketType: ctx.ticketType,
    };
  }

  holdSeats(c: Extract<Command, { type: 'holdSeats' }>): Expect {
    if ((c.seats === undefined) === (c.seatNos === undefined)) return no('COMMAND_INVALID');
    const named: readonly unknown[] = c.seats ?? c.seatNos ?? [];
    if (named.length === 0) return no('COMMAND_INVALID');
    if (named.length > 10) return no('SEATS_PER_HOLD_EXCEEDED');
    const ctx = this.buying(c, named.length);
    if ('reject' in ctx || 'accept' in ctx) return ctx;
    const seats = c.seats !== undefined ? this.resolve(c.seats) : this.resolveNumbers(c.seatNos ?? []);
    if (!Array.isArray(seats)) return seats;
    for (const seat of seats) {
      if (!this.maySell(c.channel, seat.source)) return no('SEAT_NOT_IN_CHANNEL');
      if (seat.state !== 'free') return no('SEAT_NOT_AVAILABLE');
      if (this.price(ctx.ticketType, seat.zone) === undefined) return no('TICKET_TYPE_NOT_PRICED_IN_ZONE');
    }
    return yes(this.openHold(c, ctx, seats, null, 0, seats.length));
  }

  holdGa(c: Extract<Command, { type: 'holdGa' }>): Expect {
    const area = this.areas.get(c.gaAreaId);
    if (area === undefined) return no('GA_AREA_UNKNOWN');
    if (!isWhole(c.count, 1, Number.MAX_SAFE_INTEGER)) return no('COMMAND_INVALID');
    if (c.count > 10) return no('PLACES_PER_HOLD_EXCEEDED');
    const ctx = this.buying(c, c.count);
    if ('reject' in ctx || 'accept' in ctx) return ctx;
    if (this.price(ctx.ticketType, area.zone) === undefined) return no('TICKET_TYPE_NOT_PRICED_IN_ZONE');
    // The channel's quotas in this area, oldest first, then the general pool.
    for (let i = 0; i < this.quotas.length; i++) {
      const q = this.quotas[i];
      if (q.area === area.id && q.channels.includes(c.channel) && this.pool(area, i + 1).free >= c.count) return yes(this.openHold(c, ctx, [], area.id, i + 1, c.count));
    }
    if (this.maySell(c.channel, 0) && this.pool(area, 0).free >= c.count) return yes(this.openHold(c, ctx, [], area.id, 0, c.count));
    return no('NOT_ENOUGH_PLACES');
  }

  /**
   * Best-available: the model cannot say which seats, but it knows which pool (the channel's
   * numbered quotas oldest first, then the general pool: the first with enough matching seats),
   * and it checks the engine's pick against the documented preference steps: a block of adjacent
   * seats in the first row that has one (leaving no single empty seat on either side, counting
   * free seats of any pool, if any row allows that), nearest the row's middle; else the first
   * matching seats of the first section with enough; else the first matching seats anywhere.
   */
  holdBest(c: Extract<Command, { type: 'holdBestAvailable' }>, actual: Result, where: string): Expect {
    if (!isWhole(c.count, 1, Number.MAX_SAFE_INTEGER)) return no('COMMAND_INVALID');
    if (c.count > 10) return no('SEATS_PER_HOLD_EXCEEDED');
    const filter = c.filter ?? {};
    if (filter.zone !== undefined && !this.zones.has(filter.zone)) return no('FILTER_UNKNOWN_ZONE');
    if (filter.section !== undefined && !this.rows.some((r) => r.section === filter.section)) return no('FILTER_UNKNOWN_SECTION');
    const ctx = this.buying(c, c.count);
    if ('reject' in ctx || 'accept' in ctx) return ctx;

    const pools: number[] = [];
    this.quotas.forEach((q, i) => { if (q.area === null && q.channels.includes(c.channel)) pools.push(i + 1); });
    if (this.maySell(c.channel, 0)) pools.push(0);
    const rows = this.rows.filter((r) => filter.section === undefined || r.section === filter.section);
    const matches = (source: number) => (id: string): boolean => {
      const seat = this.seats.get(id) as MSeat;
      return seat.state === 'free' && seat.source === source && (filter.zone === undefined || seat.zone === filter.zone)
        && (filter.accessible !== true || seat.accessible) && this.price(ctx.ticketType, seat.zone) !== undefined;
    };
    // Each preference step in every pool (quotas first) before the next step.
    let found: { source: number; allowed: string[][] } | undefined;
    for (let step = 0; step < 4 && found === undefined; step++) {
      for (const p of pools) {
        const allowed = this.bestChoices(rows, matches(p), c.count, step);
        if (allowed.length > 0) { found = { source: p, allowed }; break; }
      }
    }
    if (found === undefined) return no('NOT_ENOUGH_SEATS');
    const { source, allowed } = found;
    if (!actual.ok || !('seats' in actual)) throw new Error(`${where}: the model finds ${c.count} seats in pool ${source}, the engine says ${JSON.stringify(actual)}`);

    const ok = matches(source);
    const picked = actual.seats;
    const context = `${where}: best-available picked ${JSON.stringify(picked)} from pool ${source}`;
    expect(picked.length, context).toBe(c.count);
    expect(new Set(picked).size, context).toBe(c.count);
    for (const id of picked) expect(this.seats.has(id) && ok(id), `${context}; ${id} is not a matching free seat of that pool`).toBe(true);

    expect(allowed.some((choice) => sameJson(choice, picked)), `${context}; allowed: ${JSON.stringify(allowed)}`).toBe(true);
    return yes(this.openHold(c, ctx, picked.map((id) => this.seats.get(id) as MSeat), null, 0, c.count));
  }

  /** Every answer preference step `step` (0-3, COMMANDS.md "Best-available") allows in one pool, most of the time exactly one; none when it finds no seats. */
  bestChoices(rows: { section: string; seats: string[] }[], ok: (id: string) => boolean, count: number, step: number): string[][] {
    const runsOf = (row: { seats: string[] }) => {
      const runs: { start: number; length: number }[] = [];
      let start = -1;
      for (let i = 0; i <= row.seats.length; i++) {
        if (i < row.seats.length && ok(row.seats[i])) { if (start < 0) start = i; continue; }
        if (start >= 0) runs.push({ start, length: i - start });
        start = -1;
      }
      return runs;
    };
    if (step < 2) {
      const noSingleGap = step === 0;
      for (const row of rows) {
        const blocks: { start: number; distance: number }[] = [];
        // Empty seats beside a block: the free seats (in any pool) next to it, up to the first
        // seat that is not free or the end of the row.
        const free = (i: number) => i >= 0 && i < row.seats.length && (this.seats.get(row.seats[i]) as MSeat).state === 'free';
        const emptyBeside = (from: number, step: number) => { let n = 0; for (let i = from; free(i); i += step) n++; return n; };
        for (const run of runsOf(row)) {
          for (let offset = 0; offset + count <= run.length; offset++) {
            const start = run.start + offset;
            if (noSingleGap && (emptyBeside(start - 1, -1) === 1 || emptyBeside(start + count, 1) === 1)) continue;
            // Twice the distance between the block's centre and the row's centre.
            blocks.push({ start, distance: Math.abs(2 * start + count - row.seats.length) });
          }
        }
        if (blocks.length === 0) continue;
        const best = Math.min(...blocks.map((b) => b.distance));
        return blocks.filter((b) => b.distance === best).map((b) => row.seats.slice(b.start, b.start + count));
      }
      return [];
    }
    if (step === 2) {
      const sections = [...new Set(rows.map((r) => r.section))];
      for (const section of sections) {
        const free = rows.filter((r) => r.section === section).flatMap((r) => r.seats.filter(ok));
        if (free.length >= count) return [free.slice(0, count)];
      }
      return [];
    }
    const free = rows.flatMap((r) => r.seats.filter(ok));
    return free.length >= count ? [free.slice(0, count)] : [];
  }

  // --- confirm and release ---

  liveHold(c: { holdId: string; buyerId: string }): Expect | MHold {
    const hold = this.holds.get(c.holdId);
    if (hold === undefined) {
      const fate = this.fates.get(c.holdId);
      if (fate === 'expired') return no('HOLD_EXPIRED');
      if (fate === 'released') return no('HOLD_RELEASED');
      if (fate === 'confirmed') return no('HOLD_ALREADY_CONFIRMED');
      return no('HOLD_NOT_FOUND');
    }
    if (hold.buyerId !== c.buyerId) return no('HOLD_NOT_OWNED');
    return hold;
  }

  confirm(c: Extract<Command, { type: 'confirmHold' }>): Expect {
    if (c.buyerEmail !== undefined && !c.buyerEmail.includes('@')) return no('COMMAND_INVALID');
    const hold = this.liveHold(c);
    if ('reject' in hold || 'accept' in hold) return hold;
    // A presale link's buyers are reported by e-mail address (DOMAIN §4): its orders need one.
    if (hold.presale !== null && c.buyerEmail === undefined) return no('COMMAND_INVALID');
    const orderId = `${PERF}-O${this.orders++}`;
    const views: Record<string, unknown>[] = [];
    let totalMinor = 0;
    let discountMinor = 0;
    const places = hold.area === null
      ? hold.seats.map((id) => ({ seat: id as string | null, zone: (this.seats.get(id) as MSeat).zone, source: (this.seats.get(id) as MSeat).source }))
      : Array.from({ length: hold.count }, () => ({ seat: null as string | null, zone: (this.areas.get(hold.area as string) as MArea).zone, source: hold.source }));
    for (const place of places) {
      const priceMinor = this.price(hold.ticketType, place.zone) as number;
      const quota = place.source === 0 ? null : this.quotas[place.source - 1];
      const discount = quota === null ? 0 : Math.floor((priceMinor * quota.discountPct) / 100);
      const ticket: MTicket = { id: `${PERF}-T${this.tickets.length}`, seat: place.seat, area: hold.area, source: place.source, buyerId: hold.buyerId, presale: hold.presale, valid: true, scanned: false };
      this.tickets.push(ticket);
      if (place.seat !== null) (this.seats.get(place.seat) as MSeat).state = 'sold';
      totalMinor += priceMinor - discount;
      discountMinor += discount;
      views.push({ ticketId: ticket.id, seatId: place.seat, gaAreaId: hold.area, ticketType: hold.ticketType, priceMinor, discountMinor: discount, quotaId: quota?.id ?? null });
    }
    if (hold.area !== null) {
      const counts = this.pool(this.areas.get(hold.area) as MArea, hold.source);
      counts.held -= hold.count;
      counts.sold += hold.count;
    }
    this.holds.delete(hold.holdId);
    this.fates.set(hold.holdId, 'confirmed');
    return yes({ ok: true, orderId, holdId: hold.holdId, totalMinor, discountMinor, tickets: views });
  }

  release(c: Extract<Command, { type: 'releaseHold' }>): Expect {
    const hold = this.liveHold(c);
    if ('reject' in hold || 'accept' in hold) return hold;
    this.closeHold(hold, 'released');
    return yes(DONE_RESULT);
  }

  // --- quotas and blocks ---

  /** Exactly one of: a non-empty seat list, or a GA area id. */
  shape(c: { seats?: string[]; gaAreaId?: string }): Expect | null {
    if (c.seats !== undefined && c.gaAreaId !== undefined) return no('COMMAND_INVALID');
    if (c.seats === undefined && c.gaAreaId === undefined) return no('COMMAND_INVALID');
    if (c.seats !== undefined && c.seats.length === 0) return no('COMMAND_INVALID');
    return null;
  }

  createQuota(c: Extract<Command, { type: 'createQuota' }>): Expect {
    if (this.quotas.some((q) => q.id === c.quotaId)) return no('QUOTA_EXISTS');
    if (c.policy !== 'onlyQuota' && c.policy !== 'quotaFirst') return no('COMMAND_INVALID');
    if (c.discountPct !== undefined && !isWhole(c.discountPct, 0, 100)) return no('COMMAND_INVALID');
    if (c.channels.length === 0) return no('COMMAND_INVALID');
    if (c.channels.some((id) => !CHANNELS.some((ch) => ch.id === id))) return no('CHANNEL_UNKNOWN');
    if (c.closesAtMs !== undefined && !isWhole(c.closesAtMs, 0, Number.MAX_SAFE_INTEGER - 1)) return no('COMMAND_INVALID');
    const bad = this.shape(c);
    if (bad !== null) return bad;
    const source = this.quotas.length + 1;
    const closesAtMs = c.closesAtMs ?? null;
    const quota: MQuota = { id: c.quotaId, channels: [...new Set(c.channels)], policy: c.policy, discountPct: c.discountPct ?? 0, area: null, closed: false, closesAtMs };
    // Accepted with the count moved in; one already due then closes at once.
    const made = (count: number): Expect => {
      this.quotas.push(quota);
      this.closeDue();
      return yes(closesAtMs === null ? { ok: true, count } : { ok: true, count, closesAtMs });
    };
    if (c.seats !== undefined) {
      const seats = this.resolve(c.seats);
      if (!Array.isArray(seats)) return seats;
      if (seats.some((s) => s.state !== 'free' || s.source !== 0)) return no('QUOTA_SEAT_NOT_FREE');
      for (const seat of seats) seat.source = source;
      return made(seats.length);
    }
    const area = this.areas.get(c.gaAreaId as string);
    if (area === undefined) return no('GA_AREA_UNKNOWN');
    if (!isWhole(c.count, 1, 1_000_000)) return no('COMMAND_INVALID');
    const general = this.pool(area, 0);
    if (general.free < c.count) return no('NOT_ENOUGH_PLACES');
    general.free -= c.count;
    this.pool(area, source).free += c.count;
    quota.area = area.id;
    return made(c.count);
  }

  returnQuota(c: Extract<Command, { type: 'returnQuota' }>): Expect {
    const index = this.quotas.findIndex((q) => q.id === c.quotaId);
    if (index < 0) return no('QUOTA_UNKNOWN');
    const quota = this.quotas[index];
    const source = index + 1;
    if (c.close !== undefined && typeof c.close !== 'boolean') return no('COMMAND_INVALID');
    if (c.close === true && (c.seats !== undefined || c.count !== undefined)) return no('COMMAND_INVALID');
    if (c.close === true) quota.closed = true;
    if (quota.area !== null) {
      if (c.seats !== undefined) return no('COMMAND_INVALID');
      if (c.count !== undefined && !isWhole(c.count, 1, 1_000_000)) return no('COMMAND_INVALID');
      const area = this.areas.get(quota.area) as MArea;
      const mine = this.pool(area, source);
      const count = c.count ?? mine.free;
      if (count > mine.free) return no('QUOTA_RETURN_TOO_MANY');
      mine.free -= count;
      this.pool(area, 0).free += count;
      return yes({ ok: true, count });
    }
    if (c.count !== undefined) return no('COMMAND_INVALID');
    if (c.seats === undefined) {
      let count = 0;
      for (const seat of this.seats.values()) if (seat.source === source && seat.state === 'free') { seat.source = 0; count++; }
      return yes({ ok: true, count });
    }
    if (c.seats.length === 0) return no('COMMAND_INVALID');
    const seats = this.resolve(c.seats);
    if (!Array.isArray(seats)) return seats;
    for (const seat of seats) {
      if (seat.source !== source) return no('SEAT_NOT_IN_QUOTA');
      if (seat.state !== 'free') return no('QUOTA_SEAT_NOT_FREE');
    }
    for (const seat of seats) seat.source = 0;
    return yes({ ok: true, count: seats.length });
  }

  hardTickets(c: Extract<Command, { type: 'issueHardTickets' }>): Expect {
    if (typeof c.deliveryNote !== 'string' || c.deliveryNote.length === 0 || c.deliveryNote.length > 1000) return no('COMMAND_INVALID');
    if (c.quotaId === undefined) return this.block(c.batchId, c, 0, true);
    const index = this.quotas.findIndex((q) => q.id === c.quotaId);
    if (index < 0) return no('QUOTA_UNKNOWN');
    return this.block(c.batchId, c, index + 1, true);
  }

  /** Free stock of pool `source` (0: general) out of sale: a quota's seats stay in the quota. */
  block(blockId: string, c: { seats?: string[]; gaAreaId?: string; count?: number }, source: number, hard: boolean): Expect {
    if (this.blocks.has(blockId)) return no('BLOCK_EXISTS');
    const bad = this.shape(c);
    if (bad !== null) return bad;
    if (c.seats !== undefined) {
      const seats = this.resolve(c.seats);
      if (!Array.isArray(seats)) return seats;
      for (const seat of seats) {
        if (seat.source !== source && source !== 0) return no('SEAT_NOT_IN_QUOTA');
        if (seat.source !== source || seat.state !== 'free') return no('SEAT_NOT_AVAILABLE');
      }
      for (const seat of seats) seat.state = 'blocked';
      this.blocks.set(blockId, { hard, seats: new Set(seats.map((seat) => seat.id)), area: null, source, count: seats.length });
      return yes({ ok: true, count: seats.length });
    }
    const area = this.areas.get(c.gaAreaId as string);
    if (area === undefined) return no('GA_AREA_UNKNOWN');
    if (!isWhole(c.count, 1, 1_000_000)) return no('COMMAND_INVALID');
    const pool = this.pool(area, source);
    if (pool.free < c.count) return no('NOT_ENOUGH_PLACES');
    pool.free -= c.count;
    pool.blocked += c.count;
    this.blocks.set(blockId, { hard, seats: new Set(), area: area.id, source, count: c.count });
    return yes({ ok: true, count: c.count });
  }

  /** Printed tickets back on sale, in their pool (the general pool once their quota is closed). */
  returnHard(c: Extract<Command, { type: 'returnHardTickets' }>): Expect {
    const block = this.blocks.get(c.batchId);
    if (block === undefined) return no('BLOCK_UNKNOWN');
    if (!block.hard) return no('BLOCK_NOT_HARD_TICKETS');
    if (block.area !== null) {
      if (c.seats !== undefined) return no('COMMAND_INVALID');
      if (c.count !== undefined && !isWhole(c.count, 1, 1_000_000)) return no('COMMAND_INVALID');
      const back = c.count ?? block.count;
      if (back > block.count) return no('BLOCK_RETURN_TOO_MANY');
      const area = this.areas.get(block.area) as MArea;
      this.pool(area, block.source).blocked -= back;
      this.freePlaces(area, block.source, back);
      block.count -= back;
      return yes({ ok: true, count: back });
    }
    if (c.count !== undefined) return no('COMMAND_INVALID');
    let seats: MSeat[];
    if (c.seats === undefined) seats = [...block.seats].map((id) => this.seats.get(id) as MSeat);
    else {
      if (c.seats.length === 0) return no('COMMAND_INVALID');
      const named = this.resolve(c.seats);
      if (!Array.isArray(named)) return named;
      if (named.some((seat) => !block.seats.has(seat.id))) return no('SEAT_NOT_IN_BLOCK');
      seats = named;
    }
    for (const seat of seats) {
      this.freeSeat(seat);
      block.seats.delete(seat.id);
    }
    block.count -= seats.length;
    return yes({ ok: true, count: seats.length });
  }

  // --- presale links ---

  terms(from: unknown, until: unknown, totalMax: unknown, perBuyerMax: unknown): Expect | null {
    if (!isWhole(from, 0, Number.MAX_SAFE_INTEGER)) return no('COMMAND_INVALID');
    if (!isWhole(until, 0, Number.MAX_SAFE_INTEGER) || until <= from) return no('COMMAND_INVALID');
    if (!isWhole(totalMax, 1, 1_000_000)) return no('COMMAND_INVALID');
    if (!isWhole(perBuyerMax, 1, totalMax)) return no('COMMAND_INVALID');
    return null;
  }

  createPresale(c: Extract<Command, { type: 'createPresale' }>): Expect {
    if (this.presales.has(c.code)) return no('PRESALE_EXISTS');
    const type = this.ticketTypes.get(c.ticketType);
    if (type === undefined) return no('TICKET_TYPE_UNKNOWN');
    if (!type.closed) return no('PRESALE_TICKET_TYPE_NOT_CLOSED');
    if (!CHANNELS.some((ch) => ch.kind === 'web' && ch.enabled)) return no('PRESALE_WEB_NOT_ON_SALE');
    const bad = this.terms(c.validFromMs, c.validUntilMs, c.totalMax, c.perBuyerMax);
    if (bad !== null) return bad;
    this.presales.set(c.code, { ticketType: c.ticketType, from: c.validFromMs, until: c.validUntilMs, totalMax: c.totalMax, perBuyerMax: c.perBuyerMax, stopped: false });
    return yes(DONE_RESULT);
  }

  editPresale(c: Extract<Command, { type: 'editPresale' }>): Expect {
    const p = this.presales.get(c.code);
    if (p === undefined) return no('PRESALE_UNKNOWN');
    const next = { from: c.validFromMs ?? p.from, until: c.validUntilMs ?? p.until, totalMax: c.totalMax ?? p.totalMax, perBuyerMax: c.perBuyerMax ?? p.perBuyerMax };
    const bad = this.terms(next.from, next.until, next.totalMax, next.perBuyerMax);
    if (bad !== null) return bad;
    if (next.totalMax < this.presaleUse(c.code)) return no('PRESALE_BELOW_USED');
    Object.assign(p, next);
    return yes(DONE_RESULT);
  }

  // --- tickets ---

  /** The ticket an id names if it may be scanned or voided, else the refusal's code. */
  usableTicket(ticketId: string): MTicket | CodeName {
    const match = new RegExp(`^${PERF}-T(0|[1-9][0-9]{0,8})$`).exec(ticketId);
    const ticket = match === null ? undefined : this.tickets[Number(match[1])];
    if (ticket === undefined) return 'TICKET_NOT_FOUND';
    if (!ticket.valid) return 'TICKET_VOID';
    if (ticket.scanned) return 'TICKET_ALREADY_SCANNED';
    return ticket;
  }

  ticketCommand(c: Extract<Command, { type: 'scanTicket' | 'voidTicket' }>): Expect {
    const ticket = this.usableTicket(c.ticketId);
    if (typeof ticket === 'string') return no(ticket);
    if (c.type === 'scanTicket') {
      ticket.scanned = true;
      return yes({ ok: true, ticketId: c.ticketId, seatId: ticket.seat, gaAreaId: ticket.area });
    }
    this.voidTicket(ticket);
    return yes(DONE_RESULT);
  }

  /** All or nothing: the list whole (1 to 10 ids, none twice), then every ticket, then the voids. */
  voidTickets(c: Extract<Command, { type: 'voidTickets' }>): Expect {
    const ids = c.ticketIds;
    if (ids.length === 0 || ids.length > 10 || new Set(ids).size !== ids.length) return no('COMMAND_INVALID');
    const tickets: MTicket[] = [];
    for (const id of ids) {
      const ticket = this.usableTicket(id);
      if (typeof ticket === 'string') return no(ticket);
      tickets.push(ticket);
    }
    for (const ticket of tickets) this.voidTicket(ticket);
    return yes({ ok: true, count: tickets.length });
  }

  voidTicket(ticket: MTicket): void {
    ticket.valid = false;
    if (ticket.seat !== null) this.freeSeat(this.seats.get(ticket.seat) as MSeat);
    else {
      this.pool(this.areas.get(ticket.area as string) as MArea, ticket.source).sold--;
      this.freePlaces(this.areas.get(ticket.area as string) as MArea, ticket.source, 1);
    }
  }

  // --- comparison with the engine ---

  /** Every seat, GA pool, quota, hold and counter of the engine against the model. */
  compare(s: PerformanceState, where: string): void {
    const stateNumber: Record<MState, number> = { free: SeatState.FREE, held: SeatState.HELD, sold: SeatState.SOLD, blocked: SeatState.BLOCKED };
    for (const seat of this.seats.values()) {
      const index = s.layout.seatIndexById.get(seat.id) as number;
      if (s.seatState[index] !== stateNumber[seat.state] || s.seatSource[index] !== seat.source) {
        throw new Error(`${where}: seat ${seat.id} is state ${s.seatState[index]} in pool ${s.seatSource[index]} in the engine, ${seat.state} in pool ${seat.source} in the model`);
      }
    }
    const all = availability(s);
    if (!('totals' in all)) throw new Error(`${where}: availability failed`);
    const totals = { free: 0, held: 0, sold: 0, blocked: 0 };
    const quotaCounts = this.quotas.map((q) => ({ quotaId: q.id, capacity: 0, free: 0, held: 0, sold: 0, blocked: 0 }));
    for (const seat of this.seats.values()) {
      totals[seat.state]++;
      if (seat.source > 0) { quotaCounts[seat.source - 1][seat.state]++; quotaCounts[seat.source - 1].capacity++; }
    }
    const gaAreas = [...this.areas.values()].map((area) => {
      let free = 0;
      for (const [source, counts] of area.pools) {
        free += counts.free;
        for (const st of ['free', 'held', 'sold', 'blocked'] as const) {
          totals[st] += counts[st];
          if (source > 0) { quotaCounts[source - 1][st] += counts[st]; quotaCounts[source - 1].capacity += counts[st]; }
        }
      }
      return { gaAreaId: area.id, capacity: area.capacity, free };
    });
    expect(all.totals, `${where}: totals`).toEqual(totals);
    expect(all.gaAreas, `${where}: GA areas`).toEqual(gaAreas);
    expect(all.quotas, `${where}: quotas`).toEqual(quotaCounts);
    for (const channel of ['web', 'partner']) {
      let free = 0;
      for (const seat of this.seats.values()) if (seat.state === 'free' && this.maySell(channel, seat.source)) free++;
      for (const area of this.areas.values()) for (const [source, counts] of area.pools) if (this.maySell(channel, source)) free += counts.free;
      const view = availability(s, channel);
      expect('free' in view ? view.free : view, `${where}: free for ${channel}`).toBe(free);
    }
    expect([...s.holds.keys()].sort(), `${where}: open holds`).toEqual([...this.holds.keys()].sort());
    expect(s.tickets.count, `${where}: tickets issued`).toBe(this.tickets.length);
    expect(s.orders.length, `${where}: orders`).toBe(this.orders);
    expect(s.blocks.length, `${where}: blocks`).toBe(this.blocks.size);
    for (const [code, p] of this.presales) {
      const kept = s.presales.get(code);
      expect(kept && [kept.stopped, kept.validFromMs, kept.validUntilMs, kept.totalMax, kept.perBuyerMax, kept.held + kept.sold], `${where}: presale ${code}`)
        .toEqual([p.stopped, p.from, p.until, p.totalMax, p.perBuyerMax, this.presaleUse(code)]);
    }
    expect(s.presales.size, `${where}: presale links`).toBe(this.presales.size);
  }
}

function expectReject(actual: Result, name: CodeName, where: string): void {
  if (actual.ok || actual.name !== name || actual.code !== Code[name] || typeof actual.field !== 'string' || typeof actual.message !== 'string') {
    throw new Error(`${where}: expected rejection ${name}, engine returned ${JSON.stringify(actual)}`);
  }
}

function describeStep(i: number, step: Step): string {
  return `step ${i} at +${step.nowMs - T0} ms: ${JSON.stringify(step.command)}`;
}

/** Runs the commands through the engine and the model side by side, checking after each. */
function runAgainstModel(venue: Venue, layout: Layout, steps: readonly Step[], stats?: Map<string, number>): void {
  const s = fresh(venue, layout);
  const model = new Model(venue);
  const seatTickets = new Map<string, string>();
  const seenIds = new Set<string>();
  for (let i = 0; i < steps.length; i++) {
    const { command, nowMs } = steps[i];
    const where = describeStep(i, steps[i]);
    const retry = seenIds.has(command.commandId);
    seenIds.add(command.commandId);
    const result = execute(s, command, nowMs);
    if (stats !== undefined) {
      const presale = 'presaleCode' in command && command.presaleCode !== undefined ? ' (presale)' : '';
      const key = `${retry ? 'retry ' : ''}${command.type}${presale} ${result.ok ? 'OK' : result.name}`;
      stats.set(key, (stats.get(key) ?? 0) + 1);
    }
    model.step(command, nowMs, result, where);
    model.compare(s, where);
    const problems = auditPerformance(s);
    if (problems.length > 0) throw new Error(`${where}: audit: ${problems.join('; ')}`);
    // No seat on two valid tickets: confirmed seats must be new, voided ones leave.
    if (retry) continue;
    if (result.ok && 'tickets' in result) {
      for (const t of result.tickets) {
        if (t.seatId === null) continue;
        const other = seatTickets.get(t.seatId);
        if (other !== undefined) throw new Error(`${where}: seat ${t.seatId} is on ticket ${other} and ${t.ticketId}`);
        seatTickets.set(t.seatId, t.ticketId);
      }
    }
    if (result.ok && (command.type === 'voidTicket' || command.type === 'voidTickets')) {
      const voided = command.type === 'voidTicket' ? [command.ticketId] : command.ticketIds;
      for (const [seatId, ticketId] of seatTickets) if (voided.includes(ticketId)) seatTickets.delete(seatId);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------------------------

const venues: Venue[] = [hallVenue(), clubVenue(), mixedVenue()];

describe('property', () => {
  venues.forEach((venue, v) => {
    const layout = compiled(venue);
    const steps = opsArbitrary(venue).map((ops) => materialize(venue, ops));

    it(`property - engine agrees with the reference model (${venue.name})`, () => {
      const stats = STATS ? new Map<string, number>() : undefined;
      fc.assert(fc.property(steps, (st) => { runAgainstModel(venue, layout, st, stats); }), { seed: SEED + v, numRuns: MODEL_RUNS });
      if (stats !== undefined) {
        const lines = [...stats].sort(([a], [b]) => a.localeCompare(b)).map(([key, n]) => `${String(n).padStart(7)}  ${key}`);
        console.log(`${venue.name}: answers over ${MODEL_RUNS} runs (includes shrinking)\n${lines.join('\n')}`);
      }
    });

    it(`property - the same commands give the same snapshot bytes on two performances (${venue.name})`, () => {
      fc.assert(fc.property(steps, (st) => {
        const a = fresh(venue, layout);
        const b = fresh(venue, layout);
        const seen = new Set<string>();
        let lastNowMs = 0;
        for (let i = 0; i < st.length; i++) {
          const { command, nowMs } = st[i];
          const where = describeStep(i, st[i]);
          const before = encodeSnapshot(a);
          // Refused on the envelope (no id, or a bad or earlier time) or answered from memory:
          // the state must not change at all, not even the clock.
          const untouchable = command.commandId === '' || seen.has(command.commandId) || !Number.isSafeInteger(nowMs) || nowMs < lastNowMs;
          if (!untouchable) lastNowMs = nowMs;
          if (command.type !== 'tick' && command.commandId !== '') seen.add(command.commandId);
          const ra = execute(a, command, nowMs);
          const rb = execute(b, structuredClone(command), nowMs);
          expect(rb, where).toEqual(ra);
          const after = encodeSnapshot(a);
          expect(sameBytes(after, encodeSnapshot(b)), `${where}: snapshots differ`).toBe(true);
          // No partial effect: a rejected command leaves the state as a tick at the same time
          // would (expiry and the clock), plus its dedupe entry.
          if (untouchable) expect(sameBytes(after, before), `${where}: a retry or an envelope refusal changed the state`).toBe(true);
          else if (!ra.ok) expectNoEffect(layout, before, after, command.commandId, nowMs, `${where}: the rejection ${ra.name}`);
        }
        expect(stateHash(a)).toBe(stateHash(b));
      }), { seed: SEED + 0x10 + v, numRuns: TWIN_RUNS });
    });

    it(`property - snapshot, decode and replay the rest gives the same bytes (${venue.name})`, () => {
      fc.assert(fc.property(steps, fc.nat(), (st, cut) => {
        const k = cut % (st.length + 1);
        const whole = fresh(venue, layout);
        for (let i = 0; i < k; i++) execute(whole, st[i].command, st[i].nowMs);
        const bytes = encodeSnapshot(whole);
        const resumed = decodeSnapshot(bytes, layout);
        expect(sameBytes(encodeSnapshot(resumed), bytes), 'decode then encode gives the same bytes').toBe(true);
        expect(auditPerformance(resumed)).toEqual([]);
        for (let i = k; i < st.length; i++) {
          const where = describeStep(i, st[i]);
          const r1 = execute(whole, st[i].command, st[i].nowMs);
          const r2 = execute(resumed, structuredClone(st[i].command), st[i].nowMs);
          expect(r2, where).toEqual(r1);
        }
        expect(sameBytes(encodeSnapshot(resumed), encodeSnapshot(whole)), 'snapshots differ at the end').toBe(true);
        expect(auditPerformance(resumed)).toEqual([]);
      }), { seed: SEED + 0x20 + v, numRuns: MODEL_RUNS });
    });
  });
});
