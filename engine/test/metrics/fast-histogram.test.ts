// The fast histogram: its buckets, its quantiles (checked against the exact quantiles of a
// sample), and its exposition, which must read exactly as prom-client's own Histogram would
// print the same observations.
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FastHistogram, ladderBuckets, powerOfTwoBuckets, registerFastHistogram } from '../../src/metrics/mod.ts';
import { metricDefinitions } from '../../src/metrics/definitions.ts';

/** A small deterministic generator (LCG), so a failure reproduces. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('fast histogram', () => {
  it('fast histogram - ladder buckets run 50 µs to 10 s on round, log-spaced bounds', () => {
    const bounds = metricDefinitions.commandDuration.buckets;
    expect(bounds[0]).toBe(0.00005);
    expect(bounds[bounds.length - 1]).toBe(10);
    expect(bounds.slice(0, 8)).toEqual([0.00005, 0.000075, 0.0001, 0.00015, 0.0002, 0.0003, 0.0005, 0.00075]);
    for (let i = 1; i < bounds.length; i++) {
      // Log-spaced: each bound 1.33x to 1.67x the one before (1-1.5-2-3-5-7.5-10).
      const ratio = bounds[i] / bounds[i - 1];
      expect(ratio, `${bounds[i - 1]} -> ${bounds[i]}`).toBeGreaterThanOrEqual(1.33);
      expect(ratio, `${bounds[i - 1]} -> ${bounds[i]}`).toBeLessThanOrEqual(1.67);
    }
    expect(bounds).toHaveLength(33);
    expect(ladderBuckets(1, 1)).toEqual([1]);
    expect(powerOfTwoBuckets(4_096)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096]);
    expect(() => ladderBuckets(0, 1)).toThrow(RangeError);
    expect(() => new FastHistogram([1, 1])).toThrow(RangeError);
  });

  it('fast histogram - a value on a bound falls in that bound\'s bucket (le is inclusive)', () => {
    const h = new FastHistogram([1, 2, 4]);
    for (const v of [0, 1, 1.0001, 2, 3, 4, 4.5, 1e9, NaN]) h.observe(v);
    // NaN is dropped: it has no bucket and would poison the sum.
    expect(h.count).toBe(8);
    expect(h.cumulative()).toEqual([2, 4, 6, 8]);
    expect(h.sum).toBeCloseTo(0 + 1 + 1.0001 + 2 + 3 + 4 + 4.5 + 1e9, 6);
    h.reset();
    expect([h.count, h.sum, h.cumulative()]).toEqual([0, 0, [0, 0, 0, 0]]);
    expect(h.quantile(0.5)).toBeNaN();
  });

  it('fast histogram - quantile() interpolates inside the bucket as histogram_quantile() does', () => {
    const h = new FastHistogram([1, 2, 4]);
    for (let i = 0; i < 10; i++) h.observe(0.5); // bucket le=1
    for (let i = 0; i < 10; i++) h.observe(1.5); // bucket le=2
    for (let i = 0; i < 20; i++) h.observe(3); // bucket le=4
    // Rank 20 of 40 is the end of the second bucket; rank 30 is half way through the third.
    expect(h.quantile(0.5)).toBe(2);
    expect(h.quantile(0.75)).toBe(3);
    expect(h.quantile(0.125)).toBe(0.5);
    expect(h.quantile(1)).toBe(4);
    h.observe(100); // above every bound: answered by the highest finite bound
    expect(h.quantile(1)).toBe(4);
    expect(() => h.quantile(1.5)).toThrow(RangeError);
  });

  it('fast histogram - p50 and p99 of a long-tailed sample land in the bucket of the exact quantile', () => {
    const bounds = metricDefinitions.commandDuration.buckets;
    const next = random(7);
    const h = new FastHistogram(bounds);
    const values: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      // Log-uniform from 100 µs to 1 s: latency-like, spanning most buckets.
      const v = 10 ** (-4 + 4 * next());
      values.push(v);
      h.observe(v);
    }
    values.sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.99]) {
      const exact = values[Math.ceil(q * values.length) - 1];
      const i = bounds.findIndex((b) => exact <= b);
      const estimate = h.quantile(q);
      expect(estimate, `q=${q}`).toBeGreaterThanOrEqual(bounds[i - 1]);
      expect(estimate, `q=${q}`).toBeLessThanOrEqual(bounds[i]);
      expect(Math.abs(estimate - exact) / exact, `q=${q}`).toBeLessThan(0.25);
    }
  });

  it('fast histogram - the registry prints it exactly as prom-client\'s Histogram prints the same data', async () => {
    const bounds = [0.001, 0.01, 0.1, 1];
    const ours = new Registry();
    const theirs = new Registry();
    const fast = registerFastHistogram(ours, 'x_seconds', 'help text', bounds);
    const reference = new Histogram({ name: 'x_seconds', help: 'help text', buckets: bounds, registers: [theirs] });
    const next = random(11);
    for (let i = 0; i < 1_000; i++) {
      const v = next() * next() * 2;
      fast.observe(v);
      reference.observe(v);
    }
    // Sums are added in the same order, so even the floating-point digits agree.
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect((await ours.getMetricsAsJSON())[0]).toMatchObject({ name: 'x_seconds', type: 'histogram' });
    ours.resetMetrics();
    expect(fast.count).toBe(0);
  });
});
