// The record of one hold, reused by the next hold in its slot (holds.ts). A hold made by a
// command object has that command's id. A hold made by a binary command (binary.ts) has no
// command id: it is named by its slot and its binary number, `#<slot>.<binaryNo>`, a string
// made only when something asks for it (a confirm through the object API, a query, a snapshot):
// the binary path makes no string per command. Command ids starting with `#` are refused
// (execute.ts), so the two kinds of id never meet.
import type { BuyerTable } from './buyers.ts';
import type { Hold } from './state.ts';

/** The first character of a binary hold's id, and of no command id. */
export const BINARY_ID_MARK = 35; // '#'

export class HoldRecord implements Hold {
  private ownId = '';
  /** -1 for a hold made by a command object; else its number among the performance's binary holds. */
  binaryNo = -1;
  /** The buyer's id; null for a binary hold, whose buyer's id is made only when asked (buyers.ts idOf). */
  private ownBuyerId: string | null = null;
  channel = 0;
  ticketType = 0;
  presaleCode: string | null = null;
  seats: number[] = [];
  gaArea = -1;
  source = 0;
  count = 0;
  createdAtMs = 0;
  expiresAtMs = 0;
  buyerNo = -1;
  entrySeq = -1;
  productId: string | null = null;
  holdingId: string | null = null;
  hash = 0;
  prev: Hold | null = null;
  next: Hold | null = null;

  constructor(readonly slot: number, private readonly buyers: BuyerTable) {}

  get buyerId(): string {
    return this.ownBuyerId ?? this.buyers.idOf(this.buyerNo);
  }

  set buyerId(id: string) {
    this.ownBuyerId = id;
  }

  /** The buyer's id, or null to take it from the buyer table when asked (a binary hold's numeric buyer). */
  setBuyer(id: string | null): void {
    this.ownBuyerId = id;
  }

  get holdId(): string {
    return this.binaryNo < 0 ? this.ownId : binaryHoldId(this.slot, this.binaryNo);
  }

  set holdId(id: string) {
    this.ownId = id;
  }
}

export function binaryHoldId(slot: number, binaryNo: number): string {
  return `#${slot}.${binaryNo}`;
}

/** The largest slot a binary hold's id can name (9 digits): no performance has that many holds open. */
export const BINARY_SLOT_MAX = 999_999_999;

/** [slot, binaryNo] of an id of the form binaryHoldId gives, or null. */
export function parseBinaryHoldId(id: string): [number, number] | null {
  // By hand, not a regular expression: a coordinator's courier reads one per confirm it sends.
  // The form: '#', a slot of 1-9 digits, '.', a number of 1-10 digits, no leading zeros.
  if (id.charCodeAt(0) !== BINARY_ID_MARK) return null;
  const dot = id.indexOf('.', 1);
  if (!decimal(id, 1, dot, 9) || !decimal(id, dot + 1, id.length, 10)) return null;
  const slot = Number(id.slice(1, dot));
  const no = Number(id.slice(dot + 1));
  return no <= 0x7fffffff ? [slot, no] : null;
}

/** Whether id[from..to) is 1 to `digitsMax` decimal digits with no leading zero (0 alone is one). */
function decimal(id: string, from: number, to: number, digitsMax: number): boolean {
  const n = to - from;
  if (from < 1 || n < 1 || n > digitsMax || (n > 1 && id.charCodeAt(from) === 48)) return false;
  for (let i = from; i < to; i++) {
    const c = id.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
