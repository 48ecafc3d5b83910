// Customer info on every ticket (DOMAIN §5; seed 002, "Kundeinfo på hver billett"): on a product
// created with customerPerTicket, each place of a holding (each card or subscription bought
// together) names its own customer, by name or e-mail address, and no two places of a holding
// name the same one. In the seed the buyer fills them in as the last step of the purchase, after
// paying; here a purchase reaches the engine once the buyer is done, so buyProduct and
// renewHolding carry them, and nameCustomers corrects them until the holding's first
// performance starts (the door lists are made then). The coordinator keeps them beside the
// holdings: place j of a holding is ticket j of each of its performances.
import { reject, type Rejection } from '../codes.ts';
import { isEmail, shown } from '../checks.ts';
import type { Result } from '../results.ts';
import type { Customer, NameCustomers } from './commands.ts';
import { knownPerformances } from './holdings.ts';
import { productLimits, type ProductState } from './state.ts';

/** A holding's customers as answered and reported: one per place, in the order of the tickets. */
export interface CustomersResult {
  ok: true;
  productId: string;
  holdingId: string;
  customers: Customer[];
}

/**
 * The customers a purchase or renewal of `quantity` places gives, checked and trimmed; null when
 * the product names none. A product without customerPerTicket takes none.
 */
export function customersFor(s: ProductState, given: unknown, quantity: number): Customer[] | null | Rejection {
  if (s.def.customerPerTicket !== true) {
    return given === undefined ? null : reject('CUSTOMERS_INVALID', 'customers', `product ${s.productId} does not name a customer on each ticket`);
  }
  if (given === undefined) return reject('CUSTOMERS_INVALID', 'customers', `product ${s.productId} names a customer on each ticket: give ${quantity}, one per place`);
  return checkCustomers(given, quantity);
}

/** `quantity` customers, each a name or an e-mail address or both, no two the same person. */
export function checkCustomers(given: unknown, quantity: number): Customer[] | Rejection {
  if (!Array.isArray(given) || given.length !== quantity) return reject('CUSTOMERS_INVALID', 'customers', `one customer per place: ${quantity}`);
  const customers: Customer[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < given.length; i++) {
    const c = given[i] as Customer | null;
    const at = `customers[${i}]`;
    if (typeof c !== 'object' || c === null || (c.name === undefined && c.email === undefined)) return reject('CUSTOMERS_INVALID', at, 'a customer has a name or an e-mail address');
    const name = c.name === undefined ? undefined : typeof c.name === 'string' ? c.name.trim().replace(/\s+/g, ' ') : null;
    if (name === null || name === '' || (name !== undefined && name.length > productLimits.customerNameLengthMax)) return reject('CUSTOMERS_INVALID', `${at}.name`, `a name of 1 to ${productLimits.customerNameLengthMax} characters`);
    const email = c.email === undefined ? undefined : typeof c.email === 'string' ? c.email.trim() : null;
    if (email === null || (email !== undefined && !isEmail(email))) return reject('CUSTOMERS_INVALID', `${at}.email`, 'an e-mail address');
    const key = customerKey(name, email);
    const twin = seen.get(key);
    if (twin !== undefined) return reject('CUSTOMERS_INVALID', at, `customers[${twin}] and ${at} are the same person: each ticket names its own customer`);
    seen.set(key, i);
    customers.push(email === undefined ? { name } : name === undefined ? { email } : { name, email });
  }
  return customers;
}

/**
 * Who a customer is, for "each a different person": the e-mail address when given (case
 * ignored), else the name (case ignored). Two Anns with different addresses are two people; two
 * with none are one.
 */
function customerKey(name: string | undefined, email: string | undefined): string {
  return email !== undefined ? `e:${email.toLowerCase()}` : `n:${name!.toLowerCase()}`;
}

/** nameCustomers: the holding's customers replaced, answered at once (no performance is asked). */
export function nameCustomers(s: ProductState, cmd: NameCustomers, nowMs: number): Result | Rejection {
  if (s.def.customerPerTicket !== true) return reject('CUSTOMERS_INVALID', 'customers', `product ${s.productId} does not name a customer on each ticket`);
  const h = s.holdings.get(cmd.holdingId);
  if (h === undefined) return reject('HOLDING_UNKNOWN', 'holdingId', `${shown(cmd.holdingId)} is not a holding of ${s.productId}`);
  if (h.buyerId !== cmd.buyerId) return reject('HOLDING_NOT_OWNED', 'buyerId', `${shown(cmd.buyerId)} does not hold ${h.holdingId}`);
  // A refunded holding is no longer a holder (PRODUCTS.md): its customers stay as they were.
  // (Its parts list emptied by the refund, no started performance was found, and it was renamed
  // at will, until session 30.)
  if (h.refundedAtMs !== null) return reject('CUSTOMERS_LOCKED', 'holdingId', `holding ${h.holdingId} was refunded: its customers are fixed`);
  // Every performance the holding has a part on, one it was exchanged to outside the product too.
  const started = knownPerformances(s).find((p) => p.startsAtMs <= nowMs && h.performanceIds.includes(p.performanceId));
  if (started !== undefined) return reject('CUSTOMERS_LOCKED', 'holdingId', `${started.performanceId} of holding ${h.holdingId} started at ${started.startsAtMs}: its customers are fixed`);
  const customers = checkCustomers(cmd.customers, h.quantity);
  if (!Array.isArray(customers)) return customers;
  s.customers.set(h.holdingId, customers);
  return customersResult(s, h.holdingId, customers) as unknown as Result;
}

function customersResult(s: ProductState, holdingId: string, customers: Customer[]): CustomersResult {
  return { ok: true, productId: s.productId, holdingId, customers: customers.map((c) => ({ ...c })) };
}
