// Hard-ticket batches (printed for an outside box office, issued offline) and foreign blocks
// (seats another ticketing system sells). Both take free general-pool seats or places out of
// sale for good; they count as blocked.
import type { BlockForeign, IssueHardTickets } from './commands.ts';
import { reject, type Rejection } from './codes.ts';
import { limits } from './limits.ts';
import { needId, needSeatsOrPlaces } from './checks.ts';
import { moveGa, moveSeat } from './moves.ts';
import { freeGeneralStock } from './seats.ts';
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
  const shape = needSeatsOrPlaces(cmd);
  if (shape !== null) return shape;
  const number = s.blocks.length;
  const block: Block = { blockId, number, kind, party, deliveryNote, seats: [], gaArea: -1, count: 0, createdAtMs: nowMs };
  const stock = freeGeneralStock(s, cmd, 'SEAT_NOT_AVAILABLE');
  if ('ok' in stock) return stock;
  if (stock.seats !== null) {
    for (const seat of stock.seats) moveSeat(s, seat, SeatState.BLOCKED, number + 1);
    block.seats = stock.seats;
  } else {
    moveGa(s, stock.gaArea, GENERAL, SeatState.FREE, SeatState.BLOCKED, stock.count);
    block.gaArea = stock.gaArea;
  }
  block.count = stock.count;
  s.blocks.push(block);
  s.blockById.set(blockId, block);
  return { ok: true, count: block.count };
}
