// The entry point of the state machine: one command, applied whole or not at all, at a time
// given by the caller. Checks run before any change; a business refusal is a returned value,
// and a thrown error is a bug (an invariant broke) that makes the runtime rebuild the actor.
import type { Command } from './commands.ts';
import { reject, type Rejection } from './codes.ts';
import { isId, shown, unkeepable } from './checks.ts';
import { answerRetry, remember } from './dedupe.ts';
import { hashId } from './idindex.ts';
import { BINARY_ID_MARK } from './hold-record.ts';
import { openSession } from './sessions.ts';
import { answerBatch } from './binary.ts';
import { expireHolds, holdBestAvailable, holdGa, holdSeats, releaseHold } from './holds.ts';
import { confirmHold } from './orders.ts';
import { closeDueQuotas, createQuota, returnQuota, setQuotaResale } from './quotas.ts';
import { blockForeign, issueHardTickets, returnHardTickets } from './blocks.ts';
import { createPresale, editPresale, stopPresale } from './presales.ts';
import { scanHolding, scanTicket, voidTicket, voidTickets } from './scan.ts';
import { linkProduct, setProductResale, unlinkProduct } from './products-link.ts';
import { buyResale, listResale, withdrawResale } from './resale.ts';
import { DONE, type Result } from './results.ts';
import { assertBalanced } from './moves.ts';
import type { PerformanceState } from './state.ts';

/**
 * Applies `command` at `nowMs`. `idHash`, when given, must be hashId(command.commandId): a caller
 * that has already hashed the id (the runtime's shard, for its own memory) saves the second pass.
 */
export function execute(s: PerformanceState, command: Command, nowMs: number, idHash?: number): Result {
  if (typeof command !== 'object' || command === null) return reject('COMMAND_INVALID', '', 'a command is an object');
  const id = command.commandId;
  if (!isId(id)) return reject('COMMAND_INVALID', 'commandId', 'commandId must be a non-empty string of at most 128 characters');
  // Ids starting with # are binary holds' (hold-record.ts): a command's id names its hold.
  if (id.charCodeAt(0) === BINARY_ID_MARK) return reject('COMMAND_INVALID', 'commandId', 'a commandId may not start with # (binary holds are named so)');
  // Not remembered, as the checks above: what is remembered must come back exactly from a snapshot.
  const unkept = unkeepable(command);
  if (unkept !== null) return unkept;
  // A batch is deduplicated by its session and request number (binary.ts), not by its id.
  if (command.type === 'commandBatch') return answerBatch(s, command, nowMs);
  // A retry is answered before the clock is looked at: it changes nothing, whatever its time.
  const hash = idHash ?? hashId(id);
  const prior = s.dedupe.find(id, hash);
  if (prior >= 0) return answerRetry(s, prior, command);
  if (!Number.isSafeInteger(nowMs) || nowMs < s.lastNowMs) return reject('TIME_REGRESSED', '', `time ${nowMs} is before the last command's ${s.lastNowMs}`);
  s.lastNowMs = nowMs;
  expireHolds(s, nowMs);
  closeDueQuotas(s, nowMs);
  if (command.type === 'tick') return DONE;
  const result = dispatch(s, command, hash, nowMs);
  remember(s, command, hash, result);
  assertBalanced(s);
  return result;
}

/**
 * When time alone next changes the performance: the oldest open hold's expiry or the next quota's
 * close (MAX_SAFE_INTEGER for neither). A runtime sends a `tick` once its clock passes this, so
 * an idle performance shows what time has done (holds expired, reservations returned).
 */
export function nextDueAtMs(s: PerformanceState): number {
  const hold = s.holdHead;
  return hold !== null && hold.expiresAtMs < s.nextQuotaCloseAtMs ? hold.expiresAtMs : s.nextQuotaCloseAtMs;
}

function dispatch(s: PerformanceState, cmd: Command, hash: number, nowMs: number): Result {
  switch (cmd.type) {
    case 'holdSeats': return holdSeats(s, cmd, hash, nowMs);
    case 'holdBestAvailable': return holdBestAvailable(s, cmd, hash, nowMs);
    case 'holdGa': return holdGa(s, cmd, hash, nowMs);
    case 'confirmHold': return confirmHold(s, cmd, nowMs);
    case 'releaseHold': return releaseHold(s, cmd, nowMs);
    case 'openSession': return openSession(s, cmd);
    case 'commandBatch': return answerBatch(s, cmd, nowMs);
    case 'createQuota': return createQuota(s, cmd, nowMs);
    case 'returnQuota': return returnQuota(s, cmd);
    case 'setQuotaResale': return setQuotaResale(s, cmd);
    case 'issueHardTickets': return issueHardTickets(s, cmd, nowMs);
    case 'returnHardTickets': return returnHardTickets(s, cmd);
    case 'blockForeign': return blockForeign(s, cmd, nowMs);
    case 'createPresale': return createPresale(s, cmd);
    case 'editPresale': return editPresale(s, cmd);
    case 'stopPresale': return stopPresale(s, cmd);
    case 'scanTicket': return scanTicket(s, cmd);
    case 'voidTicket': return voidTicket(s, cmd, nowMs);
    case 'voidTickets': return voidTickets(s, cmd, nowMs);
    case 'linkProduct': return linkProduct(s, cmd, nowMs);
    case 'unlinkProduct': return unlinkProduct(s, cmd);
    case 'setProductResale': return setProductResale(s, cmd);
    case 'listResale': return listResale(s, cmd, nowMs);
    case 'withdrawResale': return withdrawResale(s, cmd);
    case 'buyResale': return buyResale(s, cmd, nowMs);
    case 'scanHolding': return scanHolding(s, cmd);
    default: return unknownCommand(cmd);
  }
}

function unknownCommand(cmd: { type?: unknown }): Rejection {
  return reject('COMMAND_UNKNOWN', 'type', `unknown command type ${shown(cmd.type)}`);
}
