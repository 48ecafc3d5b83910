// Every metric the engine exports, named once: the engine creates its metrics from this table,
// and the dashboard test checks the dashboard's queries against it (names and labels), so
// neither can drift from the other. prom-client's default process metrics come on top, under
// the same `onsale_` prefix (see defaultMetricsPrefix).
import { ladderBuckets, powerOfTwoBuckets } from './fast-histogram.ts';

export type MetricKind = 'counter' | 'gauge' | 'histogram';

export interface MetricDefinition {
  name: string;
  kind: MetricKind;
  help: string;
  labels: readonly string[];
  /** Histograms only: the bucket upper bounds. */
  buckets?: readonly number[];
}

/** The prefix of prom-client's default metrics here (onsale_nodejs_eventloop_lag_seconds, ...). */
export const defaultMetricsPrefix = 'onsale_';

/** Default cap on performances with their own onsale_seats series (4 series each). */
export const performancesMaxDefault = 10_000;

/** The performance label of the series that sums every performance past the cap. */
export const otherPerformances = '_other';

export const metricDefinitions = {
  commands: {
    name: 'onsale_commands_total', kind: 'counter', labels: ['type', 'code'],
    help: 'Client commands answered, by command type and result (OK or the rejection code name), refusals at the door (malformed COMMAND_INVALID, OVERLOADED, SHARD_UNAVAILABLE, ENGINE_STOPPING) included; a saga command (buyProduct, ...) is counted once, with its final result. Saga steps are in onsale_saga_steps_total.',
  },
  sagaSteps: {
    name: 'onsale_saga_steps_total', kind: 'counter', labels: ['type', 'code'],
    help: 'Commands the engine sends itself, by type and result: the product coordinators\' saga steps to performances (holds, confirms, releases, ...) and their reports back (stepResult), a step refused for a passing reason being sent again and counted again; and the ticker\'s tickDue, one per served shard per tickEveryMs.',
  },
  batchRecords: {
    name: 'onsale_batch_records_total', kind: 'counter', labels: ['op', 'code'],
    help: 'The commands inside answered binary command batches (commandBatch; engine/docs/COMMANDS.md), a client\'s or a product coordinator\'s courier\'s (its sale steps), by op (holdSeats, releaseHold, confirmHold, holdSeatsNamed, releaseHoldNamed, confirmHoldNamed, holdBestAvailable; unknown for an op the engine does not know) and result (OK or the rejection code name). The batch itself is counted once in onsale_commands_total (type commandBatch); a batch refused whole is counted only there; a batch answered again (the same request retried) counts its commands again, as a retried command does.',
  },
  sagaStepsForwarded: {
    name: 'onsale_saga_steps_forwarded_total', kind: 'counter', labels: ['type', 'code'],
    help: 'Saga steps and step reports this process sent to the engine process serving their shard (several processes share the shards), by type and the answer it got: OK or the refusal code, SHARD_UNAVAILABLE also when no process answered in time. One refused for a passing reason is sent again and counted again; the receiving process counts the step in onsale_saga_steps_total.',
  },
  commandDuration: {
    name: 'onsale_command_duration_seconds', kind: 'histogram', labels: [], buckets: ladderBuckets(50e-6, 10),
    help: 'Submit to reply, for client commands that went through the journal and a shard worker; a saga command until its final result.',
  },
  batchCommands: {
    name: 'onsale_batch_commands', kind: 'histogram', labels: [], buckets: powerOfTwoBuckets(8_192),
    help: 'Commands per journal record (one group-commit batch).',
  },
  journalAppend: {
    name: 'onsale_journal_append_duration_seconds', kind: 'histogram', labels: [], buckets: ladderBuckets(10e-6, 10),
    help: 'Time from handing a batch to the bus to its acknowledgement.',
  },
  journalBytes: {
    name: 'onsale_journal_bytes_total', kind: 'counter', labels: [],
    help: 'Bytes of journal records appended.',
  },
  journalLag: {
    name: 'onsale_journal_lag_commands', kind: 'gauge', labels: ['shard'],
    help: 'Commands submitted to the shard whose journal append the bus has not acknowledged yet: waiting in the mailbox, or in the batch being appended now. With onsale_apply_lag_commands it adds up to onsale_mailbox_depth.',
  },
  applyLag: {
    name: 'onsale_apply_lag_commands', kind: 'gauge', labels: ['shard'],
    help: 'Commands of the shard acknowledged by the journal and not yet applied and answered by its worker. With onsale_journal_lag_commands it adds up to onsale_mailbox_depth.',
  },
  mailboxDepth: {
    name: 'onsale_mailbox_depth', kind: 'gauge', labels: ['shard'],
    help: 'Commands submitted to the shard and not yet answered: waiting in its mailbox, being journaled or being applied (onsale_journal_lag_commands + onsale_apply_lag_commands); OVERLOADED once it reaches mailboxMax.',
  },
  snapshotDuration: {
    name: 'onsale_snapshot_duration_seconds', kind: 'histogram', labels: [], buckets: ladderBuckets(1e-3, 60),
    help: 'Time to take a shard snapshot in its worker and store it on the bus.',
  },
  snapshotSize: {
    name: 'onsale_snapshot_size_bytes', kind: 'gauge', labels: ['shard'],
    help: 'Size of the shard\'s last snapshot.',
  },
  shardOwned: {
    name: 'onsale_shard_owned', kind: 'gauge', labels: ['shard'],
    help: '1 while this process holds the shard\'s lease, 0 otherwise (1 from the lease\'s acquisition on, through its recovery: onsale_shard_serving says when it takes commands).',
  },
  shardServing: {
    name: 'onsale_shard_serving', kind: 'gauge', labels: ['shard'],
    help: '1 while this process serves the shard (its lease held, its journal tail replayed: it takes commands), 0 otherwise (not owned, recovering, or given up).',
  },
  actorsResident: {
    name: 'onsale_actors_resident', kind: 'gauge', labels: ['shard'],
    help: 'Performance actors in memory, per owned shard.',
  },
  seats: {
    name: 'onsale_seats', kind: 'gauge', labels: ['performance', 'state'],
    help: `Seats and GA places by state (free, held, sold, blocked), per performance; past the cap (${performancesMaxDefault} by default) the rest are summed under performance="${otherPerformances}".`,
  },
  actorFailures: {
    name: 'onsale_actor_failures_total', kind: 'counter', labels: ['shard'],
    help: 'Commands that threw inside their actor (answered ACTOR_FAILED; the actor was rebuilt without them), since the shard was loaded.',
  },
  shardAppliedCommands: {
    name: 'onsale_shard_applied_commands_total', kind: 'counter', labels: ['shard'],
    help: 'Commands applied by the shard\'s worker since the shard was loaded, replayed ones included.',
  },
  dedupeWindow: {
    name: 'onsale_dedupe_window_seconds', kind: 'gauge', labels: ['shard'],
    help: 'How far back (in command time) the shard remembers the command ids its performances let go of (they keep their latest ones themselves); shorter than the configured window when the entry bound forced an early rotation.',
  },
  dedupeEntries: {
    name: 'onsale_dedupe_entries', kind: 'gauge', labels: ['shard'],
    help: 'Command ids the shard remembers: those its performances let go of, and the commands no performance answered.',
  },
  dedupeEarlyRotations: {
    name: 'onsale_dedupe_early_rotations_total', kind: 'counter', labels: ['shard'],
    help: 'Rotations of the command-id memory forced by its entry bound rather than by time.',
  },
  sagasInFlight: {
    name: 'onsale_sagas_in_flight', kind: 'gauge', labels: ['shard'],
    help: 'Sagas of the product coordinators (season cards, subscriptions) on the shard that have not finished: purchases, renewals, exchanges, links and retried voids waiting for their steps. One that stays up with no sale going on is stuck.',
  },
  strandedTickets: {
    name: 'onsale_stranded_tickets', kind: 'gauge', labels: ['shard'],
    help: 'Tickets a saga\'s compensation could not void (scanned, listed or resold between its confirm and its undo), kept by the coordinators on the shard: valid, and in no holding. Each is listed by the strandedTickets query (PRODUCTS.md).',
  },
  workerEventLoopLagP50: {
    name: 'onsale_worker_eventloop_lag_p50_seconds', kind: 'gauge', labels: ['worker'],
    help: 'Median of the shard worker thread\'s event-loop delay readings since the previous scrape (each scrape reads them and starts over). The loop is sampled every 1 ms and each reading includes that millisecond: an idle loop reads about 0.001.',
  },
  workerEventLoopLagP99: {
    name: 'onsale_worker_eventloop_lag_p99_seconds', kind: 'gauge', labels: ['worker'],
    help: '99th percentile of the shard worker thread\'s event-loop delay readings since the previous scrape (sampled every 1 ms; each reading includes that millisecond).',
  },
  workerEventLoopLagMax: {
    name: 'onsale_worker_eventloop_lag_max_seconds', kind: 'gauge', labels: ['worker'],
    help: 'Longest of the shard worker thread\'s event-loop delay readings since the previous scrape (sampled every 1 ms; each reading includes that millisecond): about the longest the worker kept a batch or a query waiting.',
  },
  workerEventLoopUtilization: {
    name: 'onsale_worker_eventloop_utilization_ratio', kind: 'gauge', labels: ['worker'],
    help: 'Share of wall time the shard worker thread\'s event loop was busy since the previous scrape, 0-1. Near 1, the worker is full: its shards\' batches wait behind each other.',
  },
  routerEventLoopUtilization: {
    name: 'onsale_router_eventloop_utilization_ratio', kind: 'gauge', labels: [],
    help: 'Share of wall time the main thread\'s event loop (the router, and this process\'s clients and ingress) was busy since the previous scrape, 0-1. Near 1, the process answers command objects as fast as one router can, and more workers will not raise that (engine/docs/RUNTIME.md, "Sizing").',
  },
  statsFailures: {
    name: 'onsale_metrics_stats_failures_total', kind: 'counter', labels: [],
    help: 'Scrapes whose statistics the workers did not deliver in time (statsTimeoutMs) or in the expected shape; the series from the workers (per shard, per performance and per worker) are left out of those scrapes.',
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricKey = keyof typeof metricDefinitions;
