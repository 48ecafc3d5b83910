// The runtime's one public entry point: the engine (router + shard workers) and its buses.
export { Engine, type EngineOptions, type EngineObserver, type Reply, type StepForwarder } from './engine.ts';
export type { Bus, Lease, LeaseEvents, JournalEntry, SnapshotEntry } from './bus.ts';
export { EmbeddedBus, journalFileBus, journalFileShardsMax, readJournalFile, type EmbeddedBusOptions } from './embedded-bus.ts';
export { actorsPerShardMax, runtimeDefaults, runtimeOptions, type RuntimeOptions } from './limits.ts';
export { QueryRefused, queryRejection } from './query-refused.ts';
export { shardOf } from './shard-of.ts';
export { Shard, type ShardConfig } from './shard.ts';
export { VenueCatalog } from './venues.ts';
export { LoopUtilization } from './loop-lag.ts';
export { decodeRecord, encodeBatch, encodeRecord, envelopeRefusal, pack, packr, packResults, unpackResults, type BatchItem, type EngineCommand, type JournalItem, type JournalRecord, type OpenPerformance, type QueryName, type ShardOutbox, type EngineStats, type ShardStats, type WorkerStats } from './wire.ts';
export { combineObservers } from './observers.ts';
export { signHoldingCode, signTicketCode, verifyHoldingCode, verifyTicketCode, type CodeSubject, type HoldingSubject } from './ticket-code.ts';
export { ticketKeyPattern, TicketSigner } from './ticket-signer.ts';
export { eventLoopSampleMs } from './loop-lag.ts';
