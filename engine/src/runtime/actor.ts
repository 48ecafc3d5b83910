// The single-writer actors of a shard: a performance (domain state) or a product coordinator.
// Each keeps what it takes to rebuild itself when a command throws (a bug, never a business
// refusal): the snapshot bytes of its last checkpoint and the commands applied since. A throw
// discards the half-applied command: the state is decoded from the checkpoint and the tail is
// applied again, which is deterministic.
import {
  decodeSnapshot, encodeSnapshot, execute, executeProduct, fnv1a, grown, productFromPlain, productToPlain,
  type Command, type DropListener, type Layout, type PerformanceState, type ProductCommand, type ProductDropListener, type ProductOutput, type ProductState, type Result,
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

/**
 * An actor's commands since its checkpoint. Most come from journal records: those are kept as
 * the record's bytes, once per run of commands from one record, and each command's place in it
 * in a typed column. (A pointer and a number per command in two growing arrays cost a twentieth
 * of a worker's time once the tails were long: every push of a young record's bytes into an
 * old array is a remembered-set entry for the next young collection, and each growth copied the
 * array. bench/RESULTS.md, session 15.) Commands given without a record (tests, direct calls)
 * are kept as themselves, with their time.
 */
class Tail<C> {
  /** Per run: the record's bytes, or null for a run of commands kept as themselves. */
  private runBytes: (Uint8Array | null)[] = [];
  /** Per run: its first command's index in `places`. */
  private runStart: number[] = [];
  /** Per command: its place in its run's record, or its index in `loose`. */
  private places = new Int32Array(64);
  private loose: [command: C, nowMs: number][] = [];
  length = 0;

  add(bytes: Uint8Array | null, place: number): void {
    const runs = this.runBytes.length;
    if (runs === 0 || this.runBytes[runs - 1] !== bytes) {
      this.runBytes.push(bytes);
      this.runStart.push(this.length);
    }
    if (this.length === this.places.length) this.places = grown(this.places, this.length + 1);
    this.places[this.length++] = place;
  }

  addLoose(command: C, nowMs: number): void {
    this.add(null, this.loose.push([command, nowMs]) - 1);
  }

  /** Every command in the order applied: `fromRecord` for one from a record (its bytes and place), `given` for one kept as itself. */
  forEach(fromRecord: (bytes: Uint8Array, place: number) => void, given: (command: C, nowMs: number) => void): void {
    for (let r = 0; r < this.runBytes.length; r++) {
      const bytes = this.runBytes[r];
      const end = r + 1 < this.runStart.length ? this.runStart[r + 1] : this.length;
      for (let i = this.runStart[r]; i < end; i++) {
        if (bytes === null) {
          const [command, nowMs] = this.loose[this.places[i]];
          given(command, nowMs);
        } else {
          fromRecord(bytes, this.places[i]);
        }
      }
    }
  }

  clear(): void {
    this.runBytes = [];
    this.runStart = [];
    this.places = new Int32Array(64);
    this.loose = [];
    this.length = 0;
  }
}

abstract class CheckpointedActor<S, C, R> {
  private base: Uint8Array;
  private readonly tail = new Tail<C>();
  /** The number (TailSource.no) of the oldest record the tail holds on to; Infinity when it holds none. */
  tailFirstRecord = Infinity;
  /** Commands applied since this actor was last written into a shard snapshot. */
  dirty = false;

  protected constructor(public state: S, base: Uint8Array | undefined) {
    this.base = base ?? this.encode(state);
  }

  /** `idHash`: hashId of the command's id when the caller has it (performances use it; see execute). */
  protected abstract run(state: S, command: C, nowMs: number, idHash?: number): R;
  protected abstract encode(state: S): Uint8Array;
  protected abstract decode(bytes: Uint8Array): S;

  /** Applies one command; a throw leaves the actor rebuilt without it, and is rethrown. */
  apply(command: C, nowMs: number, fault?: () => void, source?: TailSource | null, idHash?: number): R {
    let result: R;
    try {
      result = this.run(this.state, command, nowMs, idHash);
      fault?.();
    } catch (error) {
      this.rebuild();
      throw error;
    }
    this.dirty = true;
    if (source === undefined || source === null) {
      this.tail.addLoose(command, nowMs);
    } else {
      if (this.tailFirstRecord === Infinity) this.tailFirstRecord = source.no;
      this.tail.add(source.bytes, source.item);
    }
    if (this.tail.length >= actorTailMax) this.checkpoint();
    return result;
  }

  /** Makes the current state the rebuild point. Returns its snapshot bytes. */
  checkpoint(): Uint8Array {
    if (this.tail.length > 0) {
      this.base = this.encode(this.state);
      this.tail.clear();
      this.tailFirstRecord = Infinity;
    }
    return this.base;
  }

  private rebuild(): void {
    const state = this.decode(this.base);
    let bytes: Uint8Array | null = null;
    let items: JournalItem[] = [];
    this.tail.forEach((from, place) => {
      if (from !== bytes) {
        bytes = from;
        items = decodeRecord(from).items;
      }
      const item = items[place];
      this.run(state, item[2] as C, item[1]);
    }, (command, nowMs) => this.run(state, command, nowMs));
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

  protected run(state: PerformanceState, command: Command, nowMs: number, idHash?: number): Result {
    return execute(state, command, nowMs, idHash);
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
  private dropListener: ProductDropListener | null = null;

  constructor(readonly productId: string, state: ProductState, base?: Uint8Array) {
    super(state, base);
  }

  /** As PerformanceActor's: the ids the coordinator's memory of outcomes lets go of go to `listener`, also after a rebuild. */
  handDroppedIdsTo(listener: ProductDropListener): void {
    this.dropListener = listener;
    this.state.dropListener = listener;
  }

  protected override adopted(state: ProductState): void {
    state.dropListener = this.dropListener;
  }

  /** Whether the coordinator still answers a retry of `commandId` itself (a saga running or an outcome kept). */
  remembers(commandId: string): boolean {
    return this.state.running.has(commandId) || this.state.finished.has(commandId) || this.state.finishedOld.has(commandId);
  }

  protected run(state: ProductState, command: ProductCommand, nowMs: number): ProductOutput {
    return executeProduct(state, command, nowMs);
  }
  protected encode(state: ProductState): Uint8Array {
    return pack(productToPlain(state));
  }
  /** A hash of the coordinator's snapshot bytes: equal states give equal hashes (the replay compares them). */
  stateHash(): string {
    return fnv1a(this.encode(this.state));
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
