// Latency samples for percentiles, kept in a fixed array: the first `capacity` values as they
// come, then a uniform sample of every value seen (reservoir sampling, Vitter's algorithm R, with
// a fixed-seed xorshift so a run's sample is the same on every run). A buffer that simply stopped
// when full would leave the end of a long timed interval out of the percentiles.
export class Reservoir {
  /** Values kept (at most the capacity). */
  count = 0;
  /** Values offered. */
  seen = 0;
  /** The largest value offered, kept or not. */
  max = 0;
  private x = 0x9e3779b9;

  constructor(private readonly samples: Float32Array | Float64Array) {}

  add(value: number): void {
    this.seen++;
    if (value > this.max) this.max = value;
    if (this.count < this.samples.length) {
      this.samples[this.count++] = value;
      return;
    }
    let x = this.x;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.x = x;
    const j = Math.floor(((x >>> 0) / 4_294_967_296) * this.seen);
    if (j < this.samples.length) this.samples[j] = value;
  }

  reset(): void {
    this.count = 0;
    this.seen = 0;
    this.max = 0;
    this.x = 0x9e3779b9;
  }

  /** The value at quantile q of the kept sample (nearest rank), for each q; null when empty. */
  quantiles(qs: readonly number[]): number[] | null {
    if (this.count === 0) return null;
    const sorted = this.samples.slice(0, this.count).sort();
    return qs.map((q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]);
  }
}
