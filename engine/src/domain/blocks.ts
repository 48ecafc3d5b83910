// Hard-ticket batches (printed for an outside box office, issued offline) and foreign blocks
// (seats another ticketing system sells). Both take free seats or places out of sale; they count
// as blocked. A batch comes from the general pool or from an outlet's quota (its contingent, sold
// offline), and what the outlet gives back unsold returns to that pool. A foreign block never
// comes back: the other system sells its seats.
import type { BlockForeign, IssueHardTickets, ReturnHardTickets } from './commands.ts';
import { reject, type Rejection } from './codes.ts';
import { limits } from './limits.ts';
import { isInt, needId, needSeatsOrPlaces, shown } from './checks.ts';
import { freeGa, freeSeat, moveGa, moveSeat } from './moves.ts';
import { freeStock, resolveSeats } from './seats.ts';
import type { CountAccepted } from './results.ts';
import { GENERAL, SeatState, type Block, type PerformanceState } from './state.ts';

export function issueHardTickets(s: PerformanceState, cmd: IssueHardTickets, nowMs: number): CountAccepted | Rejection {
  // A batch is issued "with a delivery note and the seat list" (DOMAIN §2): an empty note is none.
  if (typeof cmd.deliveryNote !== 'string' || cmd.deliveryNote.length === 0 || cmd.deliveryNote.length > 1000) return reject('COMMAND_INVALID', 'deliveryNote', 'deliveryNote must be text of 1 to 1000 characters');
  let source = GENERAL;
  if (cmd.quotaId !== undefined) {
    const bad = needId(cmd.quotaId, 'quotaId');
    if (bad !== null) return bad;
    const quota = s.quotaById.get(cmd.quotaId);
    if (quota === undefined) return reject('QUOTA_UNKNOWN', 'quotaId', `no quota ${cmd.quotaId}`);
    // A product's allocation or renewal reservation is sold by the product's coordinator, seat
    // for seat on every performance; an outlet printing from it would break a card's same seat.
    if (quota.productId !== null) return reject('QUOTA_OF_PRODUCT', 'quotaId', `quota ${cmd.quotaId} belongs to product ${quota.productId}; its seats are sold through the product`);
    source = quota.source;
  }
  return addBlock(s, 'hardTicket', cmd.batchId, 'batchId', cmd.outlet, 'outlet', cmd.deliveryNote, source, cmd, nowMs);
}

export function blockForeign(s: PerformanceState, cmd: BlockForeign, nowMs: number): CountAccepted | Rejection {
  return addBlock(s, 'foreign', cmd.blockId, 'blockId', cmd.system, 'system', '', GENERAL, cmd, nowMs);
}

function addBlock(
  s: PerformanceState, kind: Block['kind'], blockId: string, idField: string, party: string, partyField: string, deliveryNote: string,
  source: number, cmd: { seats?: string[]; gaAreaId?: string; count?: number }, nowMs: number,
): CountAccepted | Rejection {
  const bad = needId(blockId, idField) ?? needId(party, partyField);
  if (bad !== null) return bad;
  if (s.blockById.has(blockId)) return reject('BLOCK_EXISTS', idField, `${blockId} exists`);
  if (s.blocks.length >= limits.blocksPerPerformanceMax) return reject('BLOCKS_LIMIT_REACHED', idField, `at most ${limits.blocksPerPerformanceMax} batches and blocks per performance`);
  const shape = needSeatsOrPlaces(cmd);
  if (shape !== null) return shape;
  const number = s.blocks.length;
  const block: Block = { blockId, number, kind, party, deliveryNote, seats: [], gaArea: -1, count: 0, source, returned: 0, createdAtMs: nowMs };
  const stock = freeStock(s, cmd, source, 'SEAT_NOT_AVAILABLE');
  if ('ok' in stock) return stock;
  if (stock.seats !== null) {
    // A blocked seat keeps its source: a quota's stays counted in the quota (blocked there).
    for (const seat of stock.seats) moveSeat(s, seat, SeatState.BLOCKED, number + 1);
    block.seats = stock.seats;
  } else {
    moveGa(s, stock.gaArea, source, SeatState.FREE, SeatState.BLOCKED, stock.count);
    block.gaArea = stock.gaArea;
  }
  block.count = stock.count;
  s.blocks.push(block);
  s.blockById.set(blockId, block);
  return { ok: true, count: block.count };
}

/**
 * Unsold printed tickets back on sale. Checks, in order: the batch (an id, known, a hard-ticket
 * batch), the shape (seats for a numbered batch, a count for a GA one, or neither for all), then
 * each seat (known, not repeated, still issued in this batch) or the count (at most what is
 * still issued). The seats go back where they came from; a closed quota's go to the general pool.
 */
export function returnHardTickets(s: PerformanceState, cmd: ReturnHardTickets): CountAccepted | Rejection {
  const bad = needId(cmd.batchId, 'batchId');
  if (bad !== null) return bad;
  const block = s.blockById.get(cmd.batchId);
  if (block === undefined) return reject('BLOCK_UNKNOWN', 'batchId', `no hard-ticket batch ${cmd.batchId}`);
  if (block.kind !== 'hardTicket') return reject('BLOCK_NOT_HARD_TICKETS', 'batchId', `${cmd.batchId} is a foreign block: another system sells its seats`);
  const numbered = block.gaArea < 0;
  if (cmd.seats !== undefined && !numbered) return reject('COMMAND_INVALID', 'seats', `batch ${cmd.batchId} holds GA places: give a count`);
  if (cmd.count !== undefined && numbered) return reject('COMMAND_INVALID', 'count', `batch ${cmd.batchId} holds seats: name them`);
  return numbered ? returnSeats(s, block, cmd.seats) : returnPlaces(s, block, cmd.count);
}

function returnSeats(s: PerformanceState, block: Block, named: unknown): CountAccepted | Rejection {
  let seats: number[];
  if (named === undefined) seats = block.seats.slice();
  else {
    if (!Array.isArray(named) || named.length === 0 || named.length > limits.seatsPerLayoutMax) return reject('COMMAND_INVALID', 'seats', 'seats must be a non-empty array of seat ids');
    const resolved = resolveSeats(s, named, 'seats');
    if (!Array.isArray(resolved)) return resolved;
    for (let i = 0; i < resolved.length; i++) {
      const seat = resolved[i];
      // The seat's holder is the batch's number while the batch has it out (moveSeat above).
      if (s.seatState[seat] !== SeatState.BLOCKED || s.seatHolder[seat] !== block.number + 1) {
        return reject('SEAT_NOT_IN_BLOCK', `seats[${i}]`, `seat ${shown(named[i])} is not issued in batch ${block.blockId}`);
      }
    }
    seats = resolved;
  }
  const back = new Set(seats);
  for (const seat of seats) freeSeat(s, seat);
  block.seats = block.seats.filter((seat) => !back.has(seat));
  block.count -= seats.length;
  block.returned += seats.length;
  return { ok: true, count: seats.length };
}

function returnPlaces(s: PerformanceState, block: Block, count: unknown): CountAccepted | Rejection {
  if (count !== undefined && !isInt(count, 1, limits.gaCapacityMax)) return reject('COMMAND_INVALID', 'count', 'count must be a whole number of at least 1');
  const back = count ?? block.count;
  if (back > block.count) return reject('BLOCK_RETURN_TOO_MANY', 'count', `batch ${block.blockId} has ${block.count} places still issued`);
  if (back > 0) freeGa(s, block.gaArea, block.source, SeatState.BLOCKED, back);
  block.count -= back;
  block.returned += back;
  return { ok: true, count: back };
}
