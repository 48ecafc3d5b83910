// The commands a product coordinator accepts. A product (season card, series or pick & mix
// subscription) spans several performances, each owned by its own actor, so the coordinator
// sells through sagas: it sends commands to the performances and is told their results
// (`stepResult`), both journaled like any command. Field rules: engine/docs/PRODUCTS.md.
import type { Result } from '../results.ts';
import type { BestAvailableFilter, CardKind, ProductKind, QuotaPolicy, ResalePolicy } from '../commands.ts';

export interface ProductPerformance {
  performanceId: string;
  /** When it is played: pick & mix sale and exchanges look at what is not yet played. */
  startsAtMs: number;
  /** When it ends: settlement pays 1/N of card revenue after each linked performance ends. */
  endsAtMs: number;
}

/** A product's allocation: the same seats (or a GA count) reserved on each of its performances. */
export interface ProductAllocation {
  policy: QuotaPolicy;
  seats?: string[];
  gaAreaId?: string;
  count?: number;
}

/** Last season's holders, each reserved their seats during the renewal window. */
export interface RenewalTerms {
  fromProductId: string;
  windowStartMs: number;
  windowEndMs: number;
  /** Old ticket type → new ticket type; a holder's type missing here renews at the product's own type. */
  ticketTypes: Record<string, string>;
  holders: RenewalHolder[];
}
export interface RenewalHolder {
  holdingId: string;
  buyerId: string;
  /** Numbered: the holder's seats (the same on every performance). */
  seats?: string[];
  /** Unnumbered: places, in the product's GA area. */
  count?: number;
  ticketType: string;
}

export type Payout = 'continuous' | 'afterEach';

interface Base { commandId: string }

export interface CreateProduct extends Base {
  type: 'createProduct';
  productId: string;
  kind: ProductKind;
  organizerId: string;
  name?: string;
  performances: ProductPerformance[];
  /** Season cards are always same-seat when numbered; series may be; pick & mix never is. */
  sameSeat?: boolean;
  /** Pick & mix: the fewest and most performances a buyer picks. Series: the fewest (default all). */
  min?: number;
  max?: number;
  /** Pick & mix: performances every purchase includes. */
  required?: string[];
  /** Cards or subscriptions in one purchase. Default 1..1. */
  perPurchaseMin?: number;
  perPurchaseMax?: number;
  saleStartMs: number;
  saleEndMs: number;
  /** The performance channel the product's tickets are sold on. */
  channel: string;
  /**
   * The ticket type priced on each performance; a holding's price is the sum. With several types
   * offered (`ticketTypes`), the default one (seed 002, *Billettyper*, *Standard*: the one shown
   * first): a purchase that names no type is sold at it.
   */
  ticketType: string;
  /**
   * The other subscription ticket types offered (seed 002 *Billettyper*: adult, senior, student
   * ...): a purchase may pick one (`buyProduct.ticketType`). Each must exist on every linked
   * performance, as `ticketType` must; at most productLimits.offeredTicketTypesMax, none twice,
   * not `ticketType` again. Default none.
   */
  ticketTypes?: string[];
  cardKind?: CardKind;
  resale?: ResalePolicy | null;
  payout?: Payout;
  /** Capacities of the linked performances may differ by at most this percent of the largest. Default 10. */
  capacitySpreadMaxPct?: number;
  /** Unnumbered products: the GA area each place is taken from. */
  gaAreaId?: string;
  allocation?: ProductAllocation;
  /**
   * Whether holders may exchange performances at all (seed 002, *Tillat endringer*). Default
   * true; false refuses every exchangePerformance (EXCHANGES_NOT_ALLOWED) and cannot go with
   * `exchangeable`. Season cards are never exchanged, whatever it says (true is refused for them).
   */
  exchanges?: boolean;
  /**
   * Whether a buyer may choose seats (`buyProduct.seats` on a same-seat product,
   * `seatsByPerformance` on another). Default true; false sells best available only
   * (PRODUCT_SEAT_CHOICE_OFF): seed 002's *Grupper billettene: Ja*, which takes the choice of seat
   * away from pick & mix buyers online.
   */
  seatChoice?: boolean;
  /** Performances of the same production outside the product, open to exchanges (seed 002, *Bytte utenfor abonnement*). */
  exchangeable?: ProductPerformance[];
  renewal?: RenewalTerms;
  /**
   * Customer info on every ticket (DOMAIN §5, seed 002 "Kundeinfo på hver billett"): each place
   * of a holding names its own customer, by name or e-mail address, unique within the holding.
   * Purchases and renewals carry them (`customers`); nameCustomers corrects them until the
   * holding's first performance starts. Default false.
   */
  customerPerTicket?: boolean;
  /**
   * Customer flags (seed 002, Internett+ *Kundeflagg*): buyers whose web profile carries one of
   * these flags get the product before the public (`saleStartMs`), or alone (`only`). The flags a
   * buyer has come with the purchase (`buyProduct.buyerFlags`). Default none.
   */
  customerFlags?: CustomerFlags;
}

/** Who is flagged, and what a flag gives. */
export interface CustomerFlags {
  /** 1 to productLimits.customerFlagsMax flag ids, none twice: a buyer with any one of them is flagged. */
  flags: string[];
  /** Flagged buyers may buy from this time on, before the product's own saleStartMs (not after it). Default: saleStartMs. */
  saleStartMs?: number;
  /** Only flagged buyers may buy, at any time of the sale. Default false. */
  only?: boolean;
}

/** Who a place of a holding belongs to: a name, an e-mail address, or both. */
export interface Customer {
  name?: string;
  email?: string;
}

export interface BuyProduct extends Base {
  type: 'buyProduct';
  buyerId: string;
  /**
   * The flags of the buyer's web profile (`createProduct.customerFlags`), as the front door that
   * signed the buyer in knows them: the engine takes them as it takes `buyerId`. At most
   * productLimits.customerFlagsMax ids. Default none.
   */
  buyerFlags?: string[];
  buyerEmail?: string;
  /** Cards or subscriptions bought together: one holding with this many places on each performance. */
  quantity?: number;
  /** Same-seat products: one seat id per holding, the same on every performance. Else best available. */
  seats?: string[];
  /**
   * Products without the same seat (pick & mix, a series without sameSeat): the seats the buyer
   * chose on some of the purchase's performances, `quantity` seat ids each (seed 002: the buyer
   * picks a seat on each performance in the seat map). The others take best available.
   */
  seatsByPerformance?: Record<string, string[]>;
  /** Pick & mix (and a series bought partly): the performances taken. */
  picks?: string[];
  filter?: BestAvailableFilter;
  /** One of the types the product offers (its `ticketType` or one of its `ticketTypes`); default its `ticketType`. The holding keeps it. */
  ticketType?: string;
  /** Products with customerPerTicket: one customer per place (`quantity` of them), each a different person. */
  customers?: Customer[];
}

/** `picks`: as a purchase's (a pick & mix renewal lists its performances; a series may). */
export interface RenewHolding extends Base { type: 'renewHolding'; previousHoldingId: string; buyerId: string; buyerEmail?: string; customers?: Customer[]; picks?: string[] }
/**
 * Products with customerPerTicket: the customers of a holding's places, replaced whole. The
 * holding's buyer only, and only before the first of its performances starts (the door lists).
 */
export interface NameCustomers extends Base { type: 'nameCustomers'; holdingId: string; buyerId: string; customers: Customer[] }
/** After the renewal window: unrenewed seats go back to sale on every performance. */
export interface CloseRenewal extends Base { type: 'closeRenewal' }
/** Links one more performance; existing holders get their seat (or place) on it, or a conflict is reported. */
export interface LinkPerformance extends Base { type: 'linkPerformance'; performance: ProductPerformance }
export interface ExchangePerformance extends Base {
  type: 'exchangePerformance';
  holdingId: string;
  buyerId: string;
  fromPerformanceId: string;
  toPerformanceId: string;
}
/**
 * The organizer refunds a holding: its tickets on every performance not yet started are voided,
 * and what it paid for them is booked back. The parts already played stay paid; a part its
 * performance will not void (resold, listed, scanned early) stays too. `reason` is kept in the
 * journal only (at most productLimits.refundReasonLengthMax characters).
 */
export interface RefundHolding extends Base { type: 'refundHolding'; holdingId: string; reason?: string }
/**
 * Opens or closes resale on online channels (DOMAIN §6: per online channel, the organizer allows
 * or forbids listing season-ticket seats): `channels` replaces the product's resale channels on
 * every linked performance, and on any linked later. Only a product with a resale policy.
 */
export interface SetResaleChannels extends Base { type: 'setResaleChannels'; channels: string[] }
/**
 * Time passing with no other command (the runtime's ticker, when productNextDueAtMs has come):
 * what falls due then happens (the renewal closes; stranded tickets' voids are tried again).
 * Like a performance's `tick`, not remembered.
 */
export interface TickProduct extends Base { type: 'tickProduct' }
/** The runtime's report of a step's result. Not sent by clients. */
export interface StepResult extends Base { type: 'stepResult'; saga: number; step: number; result: Result }

export type ProductCommand = CreateProduct | BuyProduct | RenewHolding | NameCustomers | CloseRenewal | LinkPerformance | ExchangePerformance | RefundHolding | SetResaleChannels | TickProduct | StepResult;
export type ProductCommandType = ProductCommand['type'];

const productCommandTypes: ReadonlySet<string> = new Set<ProductCommandType>([
  'createProduct', 'buyProduct', 'renewHolding', 'nameCustomers', 'closeRenewal', 'linkPerformance', 'exchangePerformance', 'refundHolding', 'setResaleChannels', 'tickProduct', 'stepResult',
]);

export function isProductCommand(command: { type?: unknown }): command is ProductCommand {
  return typeof command.type === 'string' && productCommandTypes.has(command.type);
}
