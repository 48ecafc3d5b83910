// The metrics' one public entry point: the engine's Prometheus registry and observer, the
// /metrics server, and the fast histogram reports use for quantiles.
export { createEngineMetrics, EngineMetrics, parseEngineStats, parseShardStats, parseWorkerStats, type EngineMetricsOptions, type EngineStats, type EngineStatsSource, type SeatCounts, type ShardStats, type WorkerStats } from './engine-metrics.ts';
export { metricDefinitions, defaultMetricsPrefix, otherPerformances, performancesMaxDefault, type MetricDefinition, type MetricKind } from './definitions.ts';
export { FastHistogram, HistogramCollector, ladderBuckets, powerOfTwoBuckets, registerFastHistogram } from './fast-histogram.ts';
export { startMetricsServer, metricsPortDefault, type MetricsServer, type MetricsServerOptions } from './metrics-server.ts';
