// Metric rules the metrics tests did not pin: journal append latency observed in seconds on
// buckets fine enough for the embedded bus's microseconds, the snapshot buckets the README
// promises (1 ms to 50 s), the event-loop sampled every millisecond, and no gauge named *_total.
import { describe, expect, it } from 'vitest';
import { createEngineMetrics, metricDefinitions } from '../../src/metrics/mod.ts';
import { parseExposition, valueOf } from '../metrics/exposition.ts';

describe('metrics', () => {
  it('journal append latency is in seconds, with buckets down to 10 µs', async () => {
    const metrics = createEngineMetrics({ defaultMetrics: false });
    // One record of 10 commands acknowledged in 20 µs, one in 3 ms.
    metrics.observer.journaled!(0, 10, 100, 0.00002);
    metrics.observer.journaled!(0, 10, 100, 0.003);
    const x = parseExposition(await metrics.registry.metrics());
    expect(valueOf(x, 'onsale_journal_append_duration_seconds_bucket', { le: '0.00002' })).toBe(1);
    expect(valueOf(x, 'onsale_journal_append_duration_seconds_bucket', { le: '0.003' })).toBe(2);
    expect(valueOf(x, 'onsale_journal_append_duration_seconds_sum')).toBeCloseTo(0.00302, 9);
    expect(metricDefinitions.journalAppend.buckets[0]).toBeLessThanOrEqual(10e-6);
  });

  it('snapshot duration buckets run from 1 ms to 50 s, as dashboards/README.md says', () => {
    // The 1-1.5-2-3-5-7.5 ladder up to 60 s: its last bound is 50 s.
    const b = metricDefinitions.snapshotDuration.buckets;
    expect([b[0], b[b.length - 1]]).toEqual([0.001, 50]);
  });

  it('the event loop is sampled every millisecond (its lag readings include the interval)', async () => {
    const metrics = createEngineMetrics();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const x = parseExposition(await metrics.registry.metrics());
    const min = valueOf(x, 'onsale_nodejs_eventloop_lag_min_seconds');
    expect(min).toBeGreaterThan(0);
    expect(min!).toBeLessThan(0.005);
  });

  it('no gauge is named *_total (promtool\'s rule); counters all are', async () => {
    const metrics = createEngineMetrics();
    const x = parseExposition(await metrics.registry.metrics());
    for (const [name, type] of x.types) {
      if (type === 'counter') expect(name).toMatch(/_total$/);
      else expect(name, `${type} ${name}`).not.toMatch(/_total$/);
    }
  });
});
