// A fixed-bucket histogram cheap enough to observe every command: a binary search over a
// Float64Array of bounds and one array increment, no labels, no allocation. prom-client's own
// Histogram hashes a label object and walks its buckets on every observe(), which costs more
// than the engine spends applying a command at millions of commands a second. The same counts
// answer quantile() for reports (p50/p99) and are exposed to prom-client as a histogram.
import type { Metric, Registry } from 'prom-client';

/**
 * Roughly log-spaced bounds, `from` to `to` inclusive, on the 1 - 1.5 - 2 - 3 - 5 - 7.5 ladder:
 * six buckets a decade, so interpolation inside a bucket is off by at most half a step (~25 %),
 * and round numbers, so a dashboard's `le` values read as what they are.
 */
export function ladderBuckets(from: number, to: number): number[] {
  if (!(from > 0) || !(to >= from) || !Number.isFinite(to)) throw new RangeError(`ladderBuckets needs 0 < from <= to, got ${from}, ${to}`);
  const steps = [1, 1.5, 2, 3, 5, 7.5];
  const bounds: number[] = [];
  for (let exponent = Math.floor(Math.log10(from)) - 1; ; exponent++) {
    for (const step of steps) {
      // toPrecision drops the binary noise of step * 10^e (7.5e-5 rather than 7.500000000000001e-5).
      const bound = Number((step * 10 ** exponent).toPrecision(12));
      if (bound > to * (1 + 1e-12)) return bounds;
      if (bound >= from * (1 - 1e-12)) bounds.push(bound);
    }
  }
}

/** 1, 2, 4 ... up to the first power of two at or above `to`: for counts such as batch sizes. */
export function powerOfTwoBuckets(to: number): number[] {
  if (!(to >= 1) || !Number.isFinite(to)) throw new RangeError(`powerOfTwoBuckets needs to >= 1, got ${to}`);
  const bounds = [1];
  while (bounds[bounds.length - 1] < to) bounds.push(bounds[bounds.length - 1] * 2);
  return bounds;
}

export class FastHistogram {
  /** Upper bounds (inclusive, as Prometheus' `le`), strictly increasing. */
  readonly bounds: Float64Array;
  /** Per bucket, not cumulative; the last slot counts values above every bound (+Inf). */
  private readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(bounds: readonly number[]) {
    if (bounds.length === 0) throw new RangeError('a histogram needs at least one bucket bound');
    for (let i = 0; i < bounds.length; i++) {
      if (!Number.isFinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) throw new RangeError(`histogram bounds must be finite and strictly increasing; bound ${i} is ${bounds[i]}`);
    }
    this.bounds = Float64Array.from(bounds);
    // Float64 counts: exact to 2^53, where a Uint32 bucket would wrap after about an hour at a
    // million commands a second.
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    if (value !== value) return; // NaN has no bucket; dropping it keeps sum finite.
    const bounds = this.bounds;
    let lo = 0;
    let hi = bounds.length; // the +Inf slot
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (value <= bounds[mid]) hi = mid;
      else lo = mid + 1;
    }
    this.counts[lo]++;
    this.sum += value;
    this.count++;
  }

  /** Cumulative counts per bound, then the +Inf bucket (= count): what `_bucket` series carry. */
  cumulative(): number[] {
    const out = new Array<number>(this.counts.length);
    let total = 0;
    for (let i = 0; i < this.counts.length; i++) out[i] = total += this.counts[i];
    return out;
  }

  /**
   * The q-quantile estimated as Prometheus' histogram_quantile() does: find the bucket holding
   * rank q * count and interpolate linearly inside it (from 0 for the first bucket). A rank in
   * the +Inf bucket answers the highest finite bound. NaN when nothing was observed.
   */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`a quantile is between 0 and 1, got ${q}`);
    if (this.count === 0) return NaN;
    const rank = q * this.count;
    let below = 0;
    for (let i = 0; i < this.counts.length; i++) {
      const inBucket = this.counts[i];
      if (inBucket > 0 && below + inBucket >= rank) {
        if (i === this.bounds.length) return this.bounds[i - 1];
        const lower = i === 0 ? Math.min(0, this.bounds[0]) : this.bounds[i - 1];
        return lower + (this.bounds[i] - lower) * ((rank - below) / inBucket);
      }
      below += inBucket;
    }
    return this.bounds[this.bounds.length - 1];
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

/** One line of a histogram as prom-client's registry formats it. */
interface HistogramValue {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * A FastHistogram seen by a prom-client Registry. The registry reads a metric through name,
 * help, type, get() and reset() (see prom-client/lib/registry.js: metrics(), getMetricsAsJSON(),
 * resetMetrics()), so this object is formatted exactly like a prom-client Histogram: cumulative
 * `_bucket{le}` lines, `+Inf`, `_sum`, `_count`. prom-client has no public way to load
 * precomputed bucket counts into its own Histogram, which is why this is not one.
 */
export class HistogramCollector {
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(readonly name: string, readonly help: string, readonly histogram: FastHistogram) {}

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: HistogramValue[] }> {
    const h = this.histogram;
    const cumulative = h.cumulative();
    const values: HistogramValue[] = [];
    for (let i = 0; i < h.bounds.length; i++) values.push({ metricName: `${this.name}_bucket`, labels: { le: h.bounds[i] }, value: cumulative[i] });
    values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf' }, value: cumulative[h.bounds.length] });
    values.push({ metricName: `${this.name}_sum`, labels: {}, value: h.sum });
    values.push({ metricName: `${this.name}_count`, labels: {}, value: h.count });
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.histogram.reset();
  }
}

/** Creates a FastHistogram and registers it under `name`; returns the histogram to observe into. */
export function registerFastHistogram(registry: Registry, name: string, help: string, bounds: readonly number[]): FastHistogram {
  const histogram = new FastHistogram(bounds);
  // The registry's type names its own metric classes only; at runtime it needs the shape above.
  registry.registerMetric(new HistogramCollector(name, help, histogram) as unknown as Metric);
  return histogram;
}
