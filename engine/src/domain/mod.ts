// The domain core's one public entry point. Pure: no I/O, no clock, no randomness.
export { Code, codeName, reject, type CodeName, type CodeNumber, type Rejection } from './codes.ts';
export { limits } from './limits.ts';
export { shown, unkeepable } from './checks.ts';
export { compileLayout, fnv1a, SeatFlagBit, type Layout, type LayoutJson, type LayoutResult, type SeatFlag } from './layout.ts';
export { stadiumLayout, theatreLayout, clubLayout } from './venues.ts';
export type * from './commands.ts';
export type * from './results.ts';
export { DONE } from './results.ts';
export { createPerformance, SeatState, type PerformanceSpec, type PerformanceState, type ChannelSpec, type TicketTypeSpec, type CreateResult } from './state.ts';
export { execute, nextDueAtMs } from './execute.ts';
export { executeBatch, commandWords, BinaryOp, COMMAND_WORDS, REPLY_WORDS, Word, DEFAULT_TICKET_TYPE, ANY, type BatchAccepted } from './binary.ts';
export { binaryHoldId, parseBinaryHoldId } from './hold-record.ts';
export { NamedWord, NAMED_SEATS_MAX, NO_STRING, namedCommands, productHoldIn } from './binary-named.ts';
export { touch } from './touch.ts';
export type { CommandMemo, DropListener } from './memo.ts';
export { availability, salesReport, presaleReport, blocksReport, type Availability, type SalesReport, type PresaleReport, type BlockView } from './queries.ts';
export { auditPerformance } from './audit.ts';
export { encodeSnapshot, decodeSnapshot, stateHash } from './snapshot.ts';
export { InvariantViolation } from './assert.ts';
export { ticketIdOf } from './tickets.ts';
export { ticketRows, type TicketRow } from './ticket-list.ts';
export {
  productLinks, resaleReport, settlementFacts, type ListingView, type ProductLinkView, type ResaleFact, type ResaleReport, type SettlementFacts,
} from './settlement-facts.ts';
export type { ListingStatus, ResaleSale } from './state.ts';
export { remembers, samePayload } from './dedupe.ts';
export { hashId, hashUnits } from './idindex.ts';
export { aligned, bytesOf, grown } from './typed-arrays.ts';
export * from './products/mod.ts';
