// The sagas under interleaving: a property-based run in which every saga step is performed, and
// every step result reported, one at a time and in any order, with client commands in between
// (door scans, resale listings, purchases and withdrawals, single tickets), renewals of last
// season's cards while their window closes, a fourth performance linked to the card while its
// sales run, and time moving on (holds expire between a saga's hold and its confirm; stranded
// tickets' voids fall due). The property suite beside it
// (property.test.ts) checks outcomes against a model with each saga run to its end in one call;
// here no model predicts outcomes, but once every step is delivered the books must agree:
//   - the invariants of every product test (checkWorld: the auditor, one valid ticket per seat,
//     capacity adds up, no product hold left open, each holding's booked revenue);
//   - every saga finished;
//   - every valid ticket sold through a product is in its holding on the coordinator, or is one
//     of the coordinator's stranded tickets (products/stranded.ts), never neither;
//   - every ticket a holding lists exists on its performance and is not void;
//   - a season card's tickets have the same seat on every performance, a renewed one the holder's;
//   - a stranded ticket is not void;
//   - each performance's settlement facts book, as a product's sales there, what its holdings
//     paid there plus the stranded tickets' net prices (the difference the stranded list explains).
// Before stranded tickets were kept (session 21), a compensation's refused void left a valid
// ticket in no holding: this run finds that within its first seeds.
//
// Reproducible by default (fixed seed); ONSALE_PROPERTY_RUNS scales the runs, ONSALE_PROPERTY_SEED
// changes the seed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { executeProduct, productHoldings, settlementFacts, strandedTickets, ticketRows, type Command, type Outbound, type ProductCommand, type RenewalTerms, type Result } from '../../src/domain/mod.ts';
import { DAY, MINUTE, SINGLE, TTL, World, checkWorld, expectCode, hallLayout, productDef, resaleCard, schedule } from './helpers.ts';

const envRuns = Number(process.env.ONSALE_PROPERTY_RUNS);
const RUNS = Number.isSafeInteger(envRuns) && envRuns > 0 ? Math.max(20, Math.floor(envRuns / 4)) : 150;
const envSeed = Number(process.env.ONSALE_PROPERTY_SEED);
const SEED = Number.isSafeInteger(envSeed) && process.env.ONSALE_PROPERTY_SEED !== '' ? envSeed : 0x1e4f;
/**
 * ONSALE_PROPERTY_STATS=1 prints what the runs did (generator coverage): product commands and
 * scans by answer, and the stranded and scanned product tickets they ended with. With the fixed
 * seed, 150 runs end with 31 stranded tickets and 85 scanned ones.
 */
const STATS = process.env.ONSALE_PROPERTY_STATS !== undefined && process.env.ONSALE_PROPERTY_STATS !== '';
const stats = { runs: 0, stranded: 0, scanned: 0 };
const answers = new Map<string, number>();
const count = (key: string): void => {
  if (STATS) answers.set(key, (answers.get(key) ?? 0) + 1);
};
const answerOf = (r: { ok: boolean; name?: string }): string => (r.ok ? 'OK' : r.name ?? '?');
const hall = hallLayout();
const games = schedule(['G1', 'G2', 'G3']);
/** Linked to the card later (its single-ticket sale opens after the run). */
const later = schedule(['G4'], games[2].startsAtMs + DAY)[0];
const PERFS = [...games, later].map((g) => g.performanceId);
const PRODUCTS = ['CARD', 'PM', 'REN'];
/** REN renews last season's cards in section B: its window is open when the run starts and ends within it. */
const renewal: RenewalTerms = {
  fromProductId: 'OLD',
  windowStartMs: SINGLE,
  windowEndMs: SINGLE + 30 * MINUTE,
  ticketTypes: { card: 'renewal' },
  holders: [
    { holdingId: 'OLD-ann', buyerId: 'ann', seats: ['B-1-1', 'B-1-2'], ticketType: 'card' },
    { holdingId: 'OLD-bob', buyerId: 'bob', seats: ['B-1-3'], ticketType: 'card' },
    { holdingId: 'OLD-cat', buyerId: 'cat', seats: ['B-2-1'], ticketType: 'card' },
  ],
};
const BUYERS = ['ann', 'bob', 'cat'];

type Op =
  | { op: 'buyCard'; buyer: number; seat: number | null; quantity: number }
  | { op: 'buyPickMix'; buyer: number; picks: number[] }
  | { op: 'exchange'; holding: number; to: number }
  | { op: 'perform'; k: number }
  | { op: 'report'; k: number }
  | { op: 'scan'; perf: number; holding: number }
  | { op: 'list'; perf: number; ticket: number }
  | { op: 'buyListing'; perf: number; listing: number; buyer: number }
  | { op: 'withdraw'; perf: number; listing: number }
  | { op: 'single'; perf: number; seat: number; buyer: number }
  | { op: 'wait'; ms: number }
  | { op: 'tick'; product: number }
  | { op: 'link' }
  | { op: 'renew'; holder: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('buyCard' as const), buyer: fc.nat(2), seat: fc.option(fc.nat(35), { nil: null }), quantity: fc.integer({ min: 1, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('buyPickMix' as const), buyer: fc.nat(2), picks: fc.uniqueArray(fc.nat(2), { minLength: 1, maxLength: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('exchange' as const), holding: fc.nat(20), to: fc.nat(2) }) },
  { weight: 8, arbitrary: fc.record({ op: fc.constant('perform' as const), k: fc.nat(50) }) },
  { weight: 8, arbitrary: fc.record({ op: fc.constant('report' as const), k: fc.nat(50) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('scan' as const), perf: fc.nat(3), holding: fc.nat(20) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('list' as const), perf: fc.nat(3), ticket: fc.nat(40) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('buyListing' as const), perf: fc.nat(2), listing: fc.nat(10), buyer: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('withdraw' as const), perf: fc.nat(2), listing: fc.nat(10) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('single' as const), perf: fc.nat(3), seat: fc.nat(35), buyer: fc.nat(2) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('wait' as const), ms: fc.constantFrom(1_000, TTL / 2, TTL + 1, 2 * MINUTE) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('tick' as const), product: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('link' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('renew' as const), holder: fc.nat(2) }) },
);

interface Sent { productId: string; saga: number; step: number; to: string; command: Command }
interface Answered { productId: string; saga: number; step: number; result: Result }

/** The router played by hand: steps sent and not yet performed, results not yet reported. */
class Run {
  readonly w = new World().add(games, hall).add([later], hall, { singleAt: later.startsAtMs - DAY });
  now = SINGLE + 1;
  readonly sent: Sent[] = [];
  readonly answered: Answered[] = [];
  private ids = 0;

  constructor() {
    expectCode(this.w.product('CARD', resaleCard('CARD', games), 0), 'OK');
    expectCode(this.w.product('PM', productDef('PM', 'pickMix', games, { min: 1, max: 2 }), 0), 'OK');
    expectCode(this.w.product('REN', productDef('REN', 'seasonCard', games, { saleStartMs: renewal.windowEndMs, renewal }), 0), 'OK');
  }

  id(prefix: string): string {
    return `${prefix}${++this.ids}`;
  }

  /** A product command now; the steps it sends wait in `sent`. */
  product(productId: string, command: object): void {
    const o = executeProduct(this.w.prod(productId), { commandId: this.id('p'), ...command } as ProductCommand, this.now);
    count(`${(command as { type: string }).type} ${answerOf(o.result)}`);
    this.take(productId, o.out);
  }

  perform(performanceId: string, command: object): Result {
    return this.w.local.perform(performanceId, { commandId: this.id('q'), ...command } as Command, this.now);
  }

  private take(productId: string, out: Outbound[]): void {
    for (const o of out) if (o.t === 'send') this.sent.push({ productId, saga: o.saga, step: o.step, to: o.to, command: o.command });
  }

  performStep(k: number): void {
    if (this.sent.length === 0) return;
    const [s] = this.sent.splice(k % this.sent.length, 1);
    this.answered.push({ productId: s.productId, saga: s.saga, step: s.step, result: this.w.local.perform(s.to, s.command, this.now) });
  }

  report(k: number): void {
    if (this.answered.length === 0) return;
    const [a] = this.answered.splice(k % this.answered.length, 1);
    const out = executeProduct(this.w.prod(a.productId), { type: 'stepResult', commandId: this.id('r'), saga: a.saga, step: a.step, result: a.result }, this.now).out;
    this.take(a.productId, out);
  }

  /** Every step performed and reported, oldest first, until no saga has one in flight (bounded). */
  drain(): void {
    for (let i = 0; i < 10_000 && (this.sent.length > 0 || this.answered.length > 0); i++) {
      if (this.answered.length > 0) this.report(0);
      else this.performStep(0);
    }
    expect(this.sent.length + this.answered.length, 'drained').toBe(0);
  }

  /** Holding ids a client may know or guess: the ones made so far and the next one. */
  holdingIdOf(k: number): string {
    const productId = PRODUCTS[k % PRODUCTS.length];
    const n = 1 + (Math.floor(k / 2) % this.w.prod(productId).nextHolding);
    return `${productId}-H${n}`;
  }

  apply(op: Op): void {
    switch (op.op) {
      case 'buyCard':
        return this.product('CARD', { type: 'buyProduct', buyerId: BUYERS[op.buyer], quantity: op.quantity, ...(op.seat === null || op.quantity > 1 ? {} : { seats: [hall.seatIds[op.seat]] }) });
      case 'buyPickMix':
        return this.product('PM', { type: 'buyProduct', buyerId: BUYERS[op.buyer], picks: op.picks.map((i) => PERFS[i]) });
      case 'exchange': {
        const holdings = [...this.w.prod('PM').holdings.values()];
        if (holdings.length === 0) return;
        const h = holdings[op.holding % holdings.length];
        const from = h.performanceIds[op.holding % h.performanceIds.length];
        return this.product('PM', { type: 'exchangePerformance', holdingId: h.holdingId, buyerId: h.buyerId, fromPerformanceId: from, toPerformanceId: PERFS[op.to] });
      }
      case 'perform': return this.performStep(op.k);
      case 'report': return this.report(op.k);
      case 'scan': {
        // A code seen at the door: most often one with a ticket here (a purchase in flight too).
        const pid = PERFS[op.perf];
        const here = [...new Set(ticketRows(this.w.perf(pid)).filter((t) => t.status === 'valid' && t.holdingId !== null).map((t) => t.holdingId!))];
        const holdingId = op.holding % 4 === 3 || here.length === 0 ? this.holdingIdOf(op.holding) : here[op.holding % here.length];
        count(`scanHolding ${answerOf(this.perform(pid, { type: 'scanHolding', holdingId }))}`);
        return;
      }
      case 'list': {
        const pid = PERFS[op.perf];
        const rows = ticketRows(this.w.perf(pid)).filter((t) => t.status === 'valid' && t.productId === 'CARD');
        if (rows.length === 0) return;
        const t = rows[op.ticket % rows.length];
        this.perform(pid, { type: 'listResale', listingId: this.id('L'), ticketId: t.ticketId, sellerId: t.buyerId, channel: 'web', priceMinor: t.priceMinor - t.discountMinor });
        return;
      }
      case 'buyListing':
      case 'withdraw': {
        const pid = PERFS[op.perf];
        const open = [...this.w.perf(pid).listings.values()].filter((l) => l.status === 'open');
        if (open.length === 0) return;
        const l = open[op.listing % open.length];
        if (op.op === 'withdraw') this.perform(pid, { type: 'withdrawResale', listingId: l.listingId, sellerId: l.sellerId });
        else this.perform(pid, { type: 'buyResale', listingId: l.listingId, buyerId: `${BUYERS[op.buyer]}-resale`, channel: 'exchange' });
        return;
      }
      case 'single': {
        const pid = PERFS[op.perf];
        const held = this.perform(pid, { type: 'holdSeats', buyerId: BUYERS[op.buyer], channel: 'web', seats: [hall.seatIds[op.seat]] });
        if (held.ok) this.perform(pid, { type: 'confirmHold', holdId: (held as { holdId: string }).holdId, buyerId: BUYERS[op.buyer] });
        return;
      }
      case 'wait':
        this.now += op.ms;
        return;
      case 'tick':
        return this.product(PRODUCTS[op.product], { type: 'tickProduct' });
      case 'link':
        return this.product('CARD', { type: 'linkPerformance', performance: later });
      case 'renew': {
        const h = renewal.holders[op.holder];
        return this.product('REN', { type: 'renewHolding', previousHoldingId: h.holdingId, buyerId: h.buyerId });
      }
    }
  }

  /** The books once every step is delivered (see the header). */
  check(): void {
    this.drain();
    checkWorld(this.w.local, 'after the run');
    for (const productId of PRODUCTS) {
      const s = this.w.prod(productId);
      expect(s.sagas.size, `${productId}: sagas left`).toBe(0);
      const inHoldings = new Map<string, string>();
      for (const h of productHoldings(s)) {
        const seats = new Set<string>();
        for (const part of h.performances) {
          const rows = new Map(ticketRows(this.w.perf(part.performanceId)).map((t) => [t.ticketId, t]));
          for (const ticketId of part.tickets) {
            inHoldings.set(ticketId, h.holdingId);
            const t = rows.get(ticketId);
            expect(t, `${ticketId} of ${h.holdingId}`).toBeDefined();
            expect(t!.status, `${ticketId} of ${h.holdingId}`).not.toBe('void');
            expect(t!.holdingId).toBe(h.holdingId);
            if (productId !== 'PM' && t!.seatId !== null) seats.add(t!.seatId);
          }
        }
        if (productId !== 'PM') expect(seats.size, `${h.holdingId}: the same seat(s) on every performance`).toBe(h.seats?.length ?? seats.size);
        // A renewal keeps the holder's seats.
        const renewed = renewal.holders.find((o) => s.renewed.get(o.holdingId) === h.holdingId);
        if (renewed !== undefined) expect([...seats].sort(), `${h.holdingId} renews ${renewed.holdingId}`).toEqual([...(renewed.seats ?? [])].sort());
      }
      const stranded = new Set(strandedTickets(s).map((t) => t.ticketId));
      // What each performance booked as this product's sales is what the holdings paid there,
      // plus the stranded tickets' net prices (sold, in no holding).
      for (const pid of PERFS) {
        const facts = settlementFacts(this.w.perf(pid)).productSalesMinor[productId] ?? 0;
        let paid = 0;
        for (const h of productHoldings(s)) for (const part of h.performances) if (part.performanceId === pid) paid += part.paidMinor;
        for (const t of ticketRows(this.w.perf(pid))) if (stranded.has(t.ticketId) && t.status !== 'void') paid += t.priceMinor - t.discountMinor;
        expect(facts, `${productId} on ${pid}: the performance's product sales against the holdings' and stranded tickets'`).toBe(paid);
      }
      for (const pid of PERFS) {
        for (const t of ticketRows(this.w.perf(pid))) {
          if (t.productId !== productId) continue;
          if (stranded.has(t.ticketId)) expect(t.status, `stranded ${t.ticketId}`).not.toBe('void');
          if (t.status !== 'valid') continue;
          expect(inHoldings.has(t.ticketId) || stranded.has(t.ticketId), `${t.ticketId} (${t.holdingId}, ${t.scanned ? 'scanned' : 'not scanned'}) is valid, in no holding and not stranded`).toBe(true);
        }
      }
    }
  }
}

describe('product sagas under interleaving', () => {
  it('keeps the books whatever the order of steps, results and client commands in between', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 30, maxLength: 150, size: 'max' }), (ops) => {
        const run = new Run();
        for (const op of ops) run.apply(op);
        run.check();
        if (STATS) {
          stats.runs++;
          for (const p of PRODUCTS) stats.stranded += run.w.prod(p).stranded.size;
          for (const pid of PERFS) stats.scanned += ticketRows(run.w.perf(pid)).filter((t) => t.scanned && t.productId !== null).length;
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    if (STATS) console.log('interleaving:', stats, answers);
  });

  it('finds a valid ticket in no holding when stranded tickets are not kept (the checker has teeth)', () => {
    // The race of stranded.test.ts, by hand: G2's confirm refused (its hold expired), and G1's new
    // ticket scanned before the compensation's void reaches it.
    const run = new Run();
    run.apply({ op: 'buyCard', buyer: 0, seat: 0, quantity: 1 });
    // The couriers open their sessions (products/couriers.ts), then the holds go, in batches.
    for (let wave = 0; wave < 2; wave++) {
      for (let i = 0; i < 3; i++) run.performStep(0);
      for (let i = 0; i < 3; i++) run.report(0);
    }
    run.performStep(0);
    run.now += TTL + 1;
    for (let i = 0; i < 2; i++) run.performStep(0);
    for (let i = 0; i < 3; i++) run.report(0);
    run.apply({ op: 'scan', perf: 0, holding: 0 });
    run.check();
    const s = run.w.prod('CARD');
    expect(strandedTickets(s)).toMatchObject([{ performanceId: 'G1', name: 'TICKET_ALREADY_SCANNED' }]);
    // Without the stranded list, the same books fail the check.
    s.stranded.clear();
    expect(() => run.check()).toThrow(/CARD on G1: the performance's product sales|in no holding and not stranded/);
  });
});
