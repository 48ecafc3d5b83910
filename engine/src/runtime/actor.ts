// The single-writer actors of a shard: a performance (domain state) or a product coordinator.
// Each keeps what it takes to rebuild itself when a command throws (a bug, never a business
// refusal): the snapshot bytes of its last checkpoint and the commands applied since. A throw
// discards the half-applied command: the state is decoded from the checkpoint and the tail is
// applied again, which is deterministic.
import {
  decodeSnapshot, encodeSnapshot, execute, executeProduct, productFromPlain, productToPlain,
  type Command, type DropListener, type Layout, type PerformanceState, type ProductCommand, type ProductOutput, type ProductState, type Result,
} from '../domain/mod.ts';
import { decodeRecord, pack, packr, type JournalItem } from './wire.ts';

/** Commands kept per actor between checkpoints; a checkpoint empties the tail. */
// Larger than the shard snapshot interval: the shard snapshot checkpoints every actor anyway,
// and a busy actor must not re-encode its whole state (megabytes) every few thousand commands.
export const actorTailMax = 200_000;
/**
 * Journal record bytes the actors of one shard may pin for their tails; past this the actors
 * whose tails reach back furthest checkpoint (shard.ts). Shard snapshots (every 100,000 commands
 * by default) checkpoint them all long before, but an actor with one command in each of many
 * large records would pin every one of them.
 */
export const shardTailBytesMax = 32 * 1024 * 1024;

/**
 * Where a command applied from a journal record can be found again: the record's bytes (as the
 * worker received them) and the command's place in it. The tail keeps this instead of the
 * decoded command: a live object per command, for every command since the last checkpoint, was
 * most of a worker's heap, and the collector traced it over and over.
 */
export interface TailSource { bytes: Uint8Array; item: number; /** The record's number in the shard (counted from 0, in the order applied). */ no: number }

/** The sizes of a shard's records from the oldest one an actor's tail may hold on to, numbered as TailSource.no. */
export class PinnedRecords {
  private sizes: number[] = [];
  /** The number of sizes[0]. */
  private first = 0;
  bytes = 0;

  /** The number the next record gets. */
  get next(): number {
    return this.first + this.sizes.length;
  }

  /** Counts the next record; returns the bytes counted now. */
  add(byteLength: number): number {
    this.sizes.push(byteLength);
    this.bytes += byteLength;
    return this.bytes;
  }

  /** Forgets the records numbered below `no`: no tail holds on to them. */
  dropBefore(no: number): void {
    const n = Math.min(no - this.first, this.sizes.length);
    if (n <= 0) return;
    for (let i = 0; i < n; i++) this.bytes -= this.sizes[i];
    this.sizes = this.sizes.slice(n);
    this.first += n;
  }

  /** The least number such that the records from it on hold at most `bytes`. */
  noWhereBytesLeft(bytes: number): number {
    let left = this.bytes;
    let i = 0;
    while (i < this.sizes.length && left > bytes) left -= this.sizes[i++];
    return this.first + i;
  }
}

abstract class CheckpointedActor<S, C, R> {
  private base: Uint8Array;
  /** Per command since the checkpoint: its record's bytes, or the command itself when it came without one (tests, direct calls). */
  private tailFrom: (Uint8Array | C)[] = [];
  /** Per command: its place in the record, or its time when it came without one. */
  private tailAt: number[] = [];
  /** The number (TailSource.no) of the oldest record the tail holds on to; Infinity when it holds none. */
  tailFirstRecord = Infinity;
  /** Commands applied since this actor was last written into a shard snapshot. */
  dirty = false;

  protected constructor(public state: S, base: Uint8Array | undefined) {
    this.base = base ?? this.encode(state);
  }

  protected abstract run(state: S, command: C, nowMs: number): R;
  protected abstract encode(state: S): Uint8Array;
  protected abstract decode(bytes: Uint8Array): S;

  /** Applies one command; a throw leaves the actor rebuilt without it, and is rethrown. */
  apply(command: C, nowMs: number, fault?: () => void, source?: TailSource | null): R {
    let result: R;
    try {
      result = this.run(this.state, command, nowMs);
      fault?.();
    } catch (error) {
      this.rebuild();
      throw error;
    }
    this.dirty = true;
    if (source === undefined || source === null) {
      this.tailFrom.push(command);
      this.tailAt.push(nowMs);
    } else {
      if (this.tailFirstRecord === Infinity) this.tailFirstRecord = source.no;
      this.tailFrom.push(source.bytes);
      this.tailAt.push(source.item);
    }
    if (this.tailFrom.length >= actorTailMax) this.checkpoint();
    return result;
  }

  /** Makes the current state the rebuild point. Returns its snapshot bytes. */
  checkpoint(): Uint8Array {
    if (this.tailFrom.length > 0) {
      this.base = this.encode(this.state);
      this.tailFrom = [];
      this.tailAt = [];
      this.tailFirstRecord = Infinity;
    }
    return this.base;
  }

  private rebuild(): void {
    const state = this.decode(this.base);
    let bytes: Uint8Array | null = null;
    let items: JournalItem[] = [];
    for (let i = 0; i < this.tailFrom.length; i++) {
      const from = this.tailFrom[i];
      if (!(from instanceof Uint8Array)) {
        this.run(state, from, this.tailAt[i]);
        continue;
      }
      if (from !== bytes) {
        bytes = from;
        items = decodeRecord(from).items;
      }
      const item = items[this.tailAt[i]];
      this.run(state, item[2] as C, item[1]);
    }
    this.state = state;
    this.adopted(state);
  }

  /** Called with the state a rebuild made, once it has caught up (its replay ran without this). */
  protected adopted(_state: S): void {}
}

export class PerformanceActor extends CheckpointedActor<PerformanceState, Command, Result> {
  private dropListener: DropListener | null = null;

  constructor(readonly performanceId: string, readonly venue: string, readonly layout: Layout, state: PerformanceState, base?: Uint8Array) {
    super(state, base);
  }

  /**
   * Hands the ids the performance's retry memory lets go of to `listener` (the shard's memory),
   * from now on and after any rebuild. A rebuild's replay hands over nothing: what it lets go
   * of again was handed over when it first ran.
   */
  handDroppedIdsTo(listener: DropListener): void {
    this.dropListener = listener;
    this.state.dedupe.dropListener = listener;
  }

  protected override adopted(state: PerformanceState): void {
    state.dedupe.dropListener = this.dropListener;
  }

  protected run(state: PerformanceState, command: Command, nowMs: number): Result {
    return execute(state, command, nowMs);
  }
  protected encode(state: PerformanceState): Uint8Array {
    return encodeSnapshot(state);
  }
  protected decode(bytes: Uint8Array): PerformanceState {
    return decodeSnapshot(bytes, this.layout);
  }

  static fromSnapshot(performanceId: string, venue: string, layout: Layout, bytes: Uint8Array): PerformanceActor {
    // The bytes it was decoded from are its checkpoint (a copy: they are a view into the whole
    // shard snapshot, which should not stay pinned; a Buffer's slice() would be a view too).
    return new PerformanceActor(performanceId, venue, layout, decodeSnapshot(bytes, layout), new Uint8Array(bytes));
  }
}

/** A product coordinator. Its state exists from its createProduct on. */
export class ProductActor extends CheckpointedActor<ProductState, ProductCommand, ProductOutput> {
  constructor(readonly productId: string, state: ProductState, base?: Uint8Array) {
    super(state, base);
  }

  protected run(state: ProductState, command: ProductCommand, nowMs: number): ProductOutput {
    return executeProduct(state, command, nowMs);
  }
  protected encode(state: ProductState): Uint8Array {
    return pack(productToPlain(state));
  }
  protected decode(bytes: Uint8Array): ProductState {
    return productFromPlain(packr.unpack(bytes));
  }

  static fromSnapshot(productId: string, bytes: Uint8Array): ProductActor {
    // A copy whatever the type: a Buffer's slice() is a view.
    const copy = new Uint8Array(bytes);
    return new ProductActor(productId, productFromPlain(packr.unpack(copy)), copy);
  }
}
