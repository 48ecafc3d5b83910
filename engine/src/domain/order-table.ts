// Orders as columns indexed by order number, like tickets (tickets.ts). An order is made once
// and never changed, and a performance keeps every one for good: as objects, a sold-out stadium
// kept 60,000 records of 16 fields each that every young collection copied (twice) and every full
// collection traced, and with them a hold id string per order. Here the numbers are typed-array
// rows the collector never looks into; the hold, buyer, e-mail and holding ids are UTF-16 units in
// one buffer that only grows (a string array per field cost more to push into than the collector
// saved); products and presale codes, which many orders share, are small numbers. `get` gives an
// order as an `Order` value, made when asked.
import { assert } from './assert.ts';
import { CharRing } from './char-ring.ts';
import { grown } from './typed-arrays.ts';

export class Order {
  constructor(
    readonly performanceId: string,
    /** The order's number: its place in `orders`. */
    readonly no: number,
    readonly holdId: string,
    readonly buyerId: string,
    readonly buyerEmail: string | null,
    readonly channel: number,
    readonly presaleCode: string | null,
    /** Ticket numbers firstTicket .. firstTicket + ticketCount - 1. */
    readonly firstTicket: number,
    readonly ticketCount: number,
    readonly totalMinor: number,
    readonly discountMinor: number,
    readonly createdAtMs: number,
    /** The product and holding (card, subscription) the order was sold for, from its hold. */
    readonly productId: string | null,
    readonly holdingId: string | null,
    /**
     * A resale order (one ticket, bought on the exchange): the seller's ticket number, now
     * transferred, and the seller's net purchase price; else null. Its `holdId` is the listing id.
     */
    readonly resaleOf: number | null,
    readonly basePriceMinor: number | null,
  ) {}

  get orderId(): string {
    return orderIdOf(this.performanceId, this.no);
  }

  /** The order's ticket numbers (a new array). */
  get tickets(): number[] {
    const tickets = new Array<number>(this.ticketCount);
    for (let i = 0; i < this.ticketCount; i++) tickets[i] = this.firstTicket + i;
    return tickets;
  }
}

export function orderIdOf(performanceId: string, no: number): string {
  return `${performanceId}-O${no}`;
}

const initialRows = 64;
/** `resaleOf` of an order that resold nothing. */
const NO_TICKET = -1;
/** The strings kept as units per order, in this order after `unitsAt`; a length of NO_STRING is null. */
const HOLD_ID = 0;
const BUYER_ID = 1;
const BUYER_EMAIL = 2;
const HOLDING_ID = 3;
const STRINGS_PER_ORDER = 4;
const NO_STRING = 0xffff;
/**
 * Names a Uint16 column holds. A performance names far fewer: limits.productsPerPerformanceMax
 * products (one with orders is never unlinked) and limits.presalesPerPerformanceMax links.
 */
const NAMES_MAX = 0xffff;

/**
 * Names few orders share many times over (products, presale codes) as small numbers: 0 is null,
 * n is `names[n - 1]`.
 */
class Names {
  private readonly names: string[] = [];
  private readonly numbers = new Map<string, number>();

  numberOf(name: string | null): number {
    if (name === null) return 0;
    let n = this.numbers.get(name);
    if (n === undefined) {
      assert(this.names.length < NAMES_MAX, 'order table: too many names');
      this.names.push(name);
      n = this.names.length;
      this.numbers.set(name, n);
    }
    return n;
  }

  nameOf(n: number): string | null {
    return n === 0 ? null : this.names[n - 1];
  }
}

export class OrderTable {
  private rows = 0;
  private channel = new Uint8Array(initialRows);
  private firstTicket = new Int32Array(initialRows);
  private ticketCount = new Int32Array(initialRows);
  private totalMinor = new Float64Array(initialRows);
  private discountMinor = new Float64Array(initialRows);
  private createdAtMs = new Float64Array(initialRows);
  private resaleOf = new Int32Array(initialRows);
  /** NaN where the order has none (only resale orders have one). */
  private basePriceMinor = new Float64Array(initialRows);
  private product = new Uint16Array(initialRows);
  private presale = new Uint16Array(initialRows);
  /** Where the order's strings start in `units`, one after the other, and their lengths. Nothing is ever released there. */
  private unitsAt = new Float64Array(initialRows);
  private lengths = new Uint16Array(initialRows * STRINGS_PER_ORDER);
  private readonly units = new CharRing();
  private readonly products = new Names();
  private readonly presales = new Names();

  constructor(private readonly performanceId: string) {}

  /** Orders made so far; the next one gets this number. */
  get length(): number {
    return this.rows;
  }

  /** Keeps `order`, whose number must be `length`; the object itself is not kept. */
  add(order: Order): void {
    const no = this.rows;
    assert(order.no === no && order.performanceId === this.performanceId, `order table: order ${order.no} of ${order.performanceId} added as ${no} of ${this.performanceId}`);
    if (no === this.channel.length) this.grow(no + 1);
    this.channel[no] = order.channel;
    this.firstTicket[no] = order.firstTicket;
    this.ticketCount[no] = order.ticketCount;
    this.totalMinor[no] = order.totalMinor;
    this.discountMinor[no] = order.discountMinor;
    this.createdAtMs[no] = order.createdAtMs;
    this.resaleOf[no] = order.resaleOf ?? NO_TICKET;
    this.basePriceMinor[no] = order.basePriceMinor ?? Number.NaN;
    this.product[no] = this.products.numberOf(order.productId);
    this.presale[no] = this.presales.numberOf(order.presaleCode);
    this.unitsAt[no] = this.units.next;
    const l = no * STRINGS_PER_ORDER;
    this.lengths[l + HOLD_ID] = this.append(order.holdId);
    this.lengths[l + BUYER_ID] = this.append(order.buyerId);
    this.lengths[l + BUYER_EMAIL] = this.append(order.buyerEmail);
    this.lengths[l + HOLDING_ID] = this.append(order.holdingId);
    this.rows++;
  }

  /** Order `no` (0 <= no < length), a new value each call. */
  get(no: number): Order {
    this.check(no);
    return this.orderOf(no, null);
  }

  /**
   * Order `no`, its strings cut from `all` (every order's units as one string, see `map`) or,
   * when null, read from the units.
   */
  private orderOf(no: number, all: string | null): Order {
    const resaleOf = this.resaleOf[no];
    const basePriceMinor = this.basePriceMinor[no];
    const l = no * STRINGS_PER_ORDER;
    const lengths = this.lengths;
    let at = this.unitsAt[no];
    const strings: (string | null)[] = [null, null, null, null];
    for (let k = 0; k < STRINGS_PER_ORDER; k++) {
      const length = lengths[l + k];
      if (length === NO_STRING) continue;
      strings[k] = all === null ? this.units.read(at, length) : all.slice(at, at + length);
      at += length;
    }
    return new Order(
      this.performanceId, no, strings[HOLD_ID] as string, strings[BUYER_ID] as string, strings[BUYER_EMAIL], this.channel[no],
      this.presales.nameOf(this.presale[no]), this.firstTicket[no], this.ticketCount[no], this.totalMinor[no], this.discountMinor[no], this.createdAtMs[no],
      this.products.nameOf(this.product[no]), strings[HOLDING_ID], resaleOf === NO_TICKET ? null : resaleOf, Number.isNaN(basePriceMinor) ? null : basePriceMinor,
    );
  }

  /** The fields read per ticket in reports and checks, without making the whole order. */
  buyerIdOf(no: number): string {
    this.check(no);
    // The buyer id follows the hold id, which every order has.
    const l = no * STRINGS_PER_ORDER;
    return this.units.read(this.unitsAt[no] + this.lengths[l + HOLD_ID], this.lengths[l + BUYER_ID]);
  }

  presaleCodeOf(no: number): string | null {
    this.check(no);
    return this.presales.nameOf(this.presale[no]);
  }

  productIdOf(no: number): string | null {
    this.check(no);
    return this.products.nameOf(this.product[no]);
  }

  /** Whether order `no` is a resale order (it has `resaleOf`). */
  isResale(no: number): boolean {
    this.check(no);
    return this.resaleOf[no] !== NO_TICKET;
  }

  /** Every order, oldest first (a new value each). */
  *[Symbol.iterator](): IterableIterator<Order> {
    for (let no = 0; no < this.rows; no++) yield this.get(no);
  }

  /**
   * `f` of every order, oldest first. A snapshot writes every order: their strings are read as one
   * string and cut, where reading each string from the units cost a third more than the rest of
   * a sold-out stadium's snapshot.
   */
  map<T>(f: (order: Order, no: number) => T): T[] {
    const out = new Array<T>(this.rows);
    // The units are never released, so a string's position is its index in the whole run.
    const all = this.rows === 0 ? '' : this.units.readAll();
    for (let no = 0; no < this.rows; no++) out[no] = f(this.orderOf(no, all), no);
    return out;
  }

  private check(no: number): void {
    assert(Number.isInteger(no) && no >= 0 && no < this.rows, `order table: no order ${no} (${this.rows} made)`);
  }

  /** Appends a string's units after the last order's; returns its length (NO_STRING for null). */
  private append(text: string | null): number {
    if (text === null) return NO_STRING;
    // Ids and e-mail addresses are checked far shorter (isId: 2 x limits.idLengthMax; needEmail: 254).
    assert(text.length < NO_STRING, 'order table: string too long');
    this.units.append(text);
    return text.length;
  }

  private grow(rows: number): void {
    this.channel = grown(this.channel, rows);
    this.firstTicket = grown(this.firstTicket, rows);
    this.ticketCount = grown(this.ticketCount, rows);
    this.totalMinor = grown(this.totalMinor, rows);
    this.discountMinor = grown(this.discountMinor, rows);
    this.createdAtMs = grown(this.createdAtMs, rows);
    this.resaleOf = grown(this.resaleOf, rows);
    this.basePriceMinor = grown(this.basePriceMinor, rows);
    this.product = grown(this.product, rows);
    this.presale = grown(this.presale, rows);
    this.unitsAt = grown(this.unitsAt, rows);
    this.lengths = grown(this.lengths, rows * STRINGS_PER_ORDER);
  }
}
