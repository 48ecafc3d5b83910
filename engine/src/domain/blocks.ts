// Hard-ticket batches (printed for an outside box office, issued offline) and foreign blocks
// (seats another ticketing system sells). Both take free general-pool seats or places out of
// sale for good; they count as blocked.
import type { BlockForeign, IssueHardTickets } from './commands.ts';
import { reject, type Rejection } from './codes.ts';
import { limits } from './limits.ts';
import { isInt, needId, needSeatsOrPlaces } from './checks.ts';
import { gaFree, moveGa, moveSeat } from './moves.ts';
import { resolveSeats } from './seats.ts';
import type { CountAccepted } from './results.ts';
import { GENERAL, SeatState, type Block, type PerformanceState } from './state.ts';

export function issueHardTickets(s: PerformanceState, cmd: IssueHardTickets, nowMs: number): CountAccepted | Rejection {
  if (typeof cmd.deliveryNote !== 'string' || cmd.deliveryNote.length > 1000) return reject('COMMAND_INVALID', 'deliveryNote', 'deliveryNote must be text of at most 1000 characters');
  return addBlock(s, 'hardTicket', cmd.batchId, 'batchId', cmd.outlet, 'outlet', cmd.deliveryNote, cmd, nowMs);
}

export function blockForeign(s: PerformanceState, cmd: BlockForeign, nowMs: number): CountAccepted | Rejection {
  return addBlock(s, 'foreign', cmd.blockId, 'blockId', cmd.system, 'system', '', cmd, nowMs);
}

function addBlock(
  s: PerformanceState, kind: Block['kind'], blockId: string, idField: string, party: string, partyField: string, deliveryNote: string,
  cmd: { seats?: string[]; gaAreaId?: string; count?: number }, nowMs: number,
): CountAccepted | Rejection {
  const bad = needId(blockId, idField) ?? needId(party, partyField);
  if (bad !== null) return bad;
  if (s.blockById.has(blockId)) return reject('BLOCK_EXISTS', idField, `${blockId} exists`);
  if (s.blocks.length >= limits.blocksPerPerformanceMax) return reject('BLOCKS_LIMIT_REACHED', idField, `at most ${limits.blocksPerPerformanceMax} batches and blocks per performance`);
  const shape = needSeatsOrPlaces(cmd, false);
  if (shape !== null) return shape;
  const number = s.blocks.length;
  const block: Block = { blockId, number, kind, party, deliveryNote, seats: [], gaArea: -1, count: 0, createdAtMs: nowMs };
  if (cmd.seats !== undefined) {
    const seats = resolveSeats(s, cmd.seats, 'seats');
    if (!Array.isArray(seats)) return seats;
    for (let i = 0; i < seats.length; i++) {
      if (s.seatState[seats[i]] !== SeatState.FREE || s.seatSource[seats[i]] !== GENERAL) {
        return reject('SEAT_NOT_AVAILABLE', `seats[${i}]`, `seat ${cmd.seats[i]} is not free in the general pool`);
      }
    }
    for (const seat of seats) moveSeat(s, seat, SeatState.BLOCKED, number + 1);
    block.seats = seats;
    block.count = seats.length;
  } else {
    const area = s.layout.gaIndexById.get(cmd.gaAreaId as string);
    if (area === undefined) return reject('GA_AREA_UNKNOWN', 'gaAreaId', `area ${String(cmd.gaAreaId)} is not in the layout`);
    if (!isInt(cmd.count, 1, limits.gaCapacityMax)) return reject('COMMAND_INVALID', 'count', 'count must be a whole number of at least 1');
    if (gaFree(s, area, GENERAL) < cmd.count) return reject('NOT_ENOUGH_PLACES', 'count', `fewer than ${cmd.count} free places in the general pool of ${cmd.gaAreaId}`);
    moveGa(s, area, GENERAL, SeatState.FREE, SeatState.BLOCKED, cmd.count);
    block.gaArea = area;
    block.count = cmd.count;
  }
  s.blocks.push(block);
  s.blockById.set(blockId, block);
  return { ok: true, count: block.count };
}
