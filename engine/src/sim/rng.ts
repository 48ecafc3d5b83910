// The simulator's only source of randomness: a seeded generator (pure-rand's xoroshiro128+,
// the generator fast-check uses), so a seed reproduces a run exactly.
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

export class Rng {
  private readonly generator;
  constructor(seed: number) {
    this.generator = xoroshiro128plus(seed | 0);
  }
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return uniformInt(this.generator, min, max);
  }
  /** True with probability p (to 1/1,000,000). */
  chance(p: number): boolean {
    return this.int(0, 999_999) < p * 1_000_000;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }
}
