// The simulator's agenda: events in one-second buckets of simulated time. Within a bucket,
// events keep the order they were scheduled in, and the next bucket is only read once the
// previous one's commands are answered, so the run does not depend on thread timing.
export class TimeBuckets<E> {
  private readonly buckets: (E[] | undefined)[];
  pending = 0;
  /** Buckets before this one were taken: scheduling into them would lose the event. */
  private cursor = 0;

  constructor(readonly startMs: number, readonly bucketMs: number, count: number) {
    this.buckets = new Array(count);
  }

  get length(): number {
    return this.buckets.length;
  }

  /** Schedules an event; one past the horizon goes into the last bucket. */
  at(timeMs: number, event: E): void {
    const index = Math.min(this.buckets.length - 1, Math.floor((timeMs - this.startMs) / this.bucketMs));
    if (index < this.cursor) throw new Error(`event at ${timeMs} falls in bucket ${index}, already taken (next is ${this.cursor})`);
    let bucket = this.buckets[index];
    if (bucket === undefined) this.buckets[index] = bucket = [];
    bucket.push(event);
    this.pending++;
  }

  take(index: number): E[] {
    this.cursor = index + 1;
    const bucket = this.buckets[index] ?? [];
    this.buckets[index] = undefined;
    this.pending -= bucket.length;
    return bucket;
  }
}
