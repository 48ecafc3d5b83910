// A shard worker's event-loop lag, as its stats answers report it: node:perf_hooks'
// monitorEventLoopDelay histogram (nanoseconds) read and reset by each answer, so every answer
// covers the time since the previous one (one per scrape), as prom-client does for the router.
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';
import type { WorkerStats } from './wire.ts';

/**
 * How often a worker's event loop is sampled: every millisecond, as the metrics sample the
 * router's (eventLoopMonitoringPrecision in engine/src/metrics/engine-metrics.ts), not every 10
 * (prom-client's default). Each reading is the time between two samples, so it includes the
 * interval: an idle loop reads about 1 ms (the dashboard subtracts it), and 10 ms of it would
 * hide the stalls that matter, a batch holding the worker for a few milliseconds while the
 * batches and queries behind it wait.
 */
export const eventLoopSampleMs = 1;

/** What eventLoopLagSince reads of a histogram (perf_hooks' IntervalHistogram and RecordableHistogram both have it). */
export type LagHistogram = Pick<IntervalHistogram, 'count' | 'percentile' | 'max' | 'reset'>;

/** Starts sampling this thread's event loop (a shard worker calls it once, when it starts). */
export function monitorLoopLag(): IntervalHistogram {
  const histogram = monitorEventLoopDelay({ resolution: eventLoopSampleMs });
  histogram.enable();
  return histogram;
}

/**
 * p50, p99 and max of the delays recorded since the last call, in seconds, then the histogram
 * starts over. A stall shows once the sample that ends it is taken, usually before the stats
 * question is read (it waited behind the stall too), at worst in the next answer. No sample yet
 * (two answers within a millisecond) reads 0 rather than an empty histogram's artefacts (its
 * percentiles are not 0).
 */
export function eventLoopLagSince(histogram: LagHistogram): Omit<WorkerStats, 'worker' | 'eventLoopUtilization'> {
  const seconds = (ns: number) => (histogram.count === 0 ? 0 : ns / 1e9);
  const lag = {
    eventLoopLagP50Seconds: seconds(histogram.percentile(50)),
    eventLoopLagP99Seconds: seconds(histogram.percentile(99)),
    eventLoopLagMaxSeconds: seconds(histogram.max),
  };
  histogram.reset();
  return lag;
}

/**
 * This thread's event-loop utilization (busy share of wall time, 0-1) since the previous call,
 * as each stats answer or scrape reads it. The router's figure is the one that says when a
 * process is at its ceiling: it does the per-command work of every command object
 * (engine/docs/RUNTIME.md, "Sizing").
 */
export class LoopUtilization {
  private mark: EventLoopUtilization = performance.eventLoopUtilization();

  /** The busy share since the previous call (or since this was made), then a new interval starts. */
  since(): number {
    const now = performance.eventLoopUtilization();
    const share = performance.eventLoopUtilization(now, this.mark).utilization;
    this.mark = now;
    return Number.isFinite(share) ? Math.min(1, Math.max(0, share)) : 0;
  }
}
