// The single-writer actors of a shard: a performance (domain state) or a product coordinator.
// Each keeps what it takes to rebuild itself when a command throws (a bug, never a business
// refusal): the snapshot bytes of its last checkpoint and the commands applied since. A throw
// discards the half-applied command: the state is decoded from the checkpoint and the tail is
// applied again, which is deterministic.
import {
  decodeSnapshot, encodeSnapshot, execute, executeProduct, productFromPlain, productToPlain,
  type Command, type Layout, type PerformanceState, type ProductCommand, type ProductOutput, type ProductState, type Result,
} from '../domain/mod.ts';
import { pack, packr } from './wire.ts';

/** Commands kept per actor between checkpoints; a checkpoint empties the tail. */
// Larger than the shard snapshot interval: the shard snapshot checkpoints every actor anyway,
// and a busy actor must not re-encode its whole state (megabytes) every few thousand commands.
export const actorTailMax = 200_000;

abstract class CheckpointedActor<S, C, R> {
  private base: Uint8Array;
  private tailNowMs: number[] = [];
  private tailCommands: C[] = [];
  /** Commands applied since this actor was last written into a shard snapshot. */
  dirty = false;

  protected constructor(public state: S, base: Uint8Array | undefined) {
    this.base = base ?? this.encode(state);
  }

  protected abstract run(state: S, command: C, nowMs: number): R;
  protected abstract encode(state: S): Uint8Array;
  protected abstract decode(bytes: Uint8Array): S;

  /** Applies one command; a throw leaves the actor rebuilt without it, and is rethrown. */
  apply(command: C, nowMs: number, fault?: () => void): R {
    let result: R;
    try {
      result = this.run(this.state, command, nowMs);
      fault?.();
    } catch (error) {
      this.rebuild();
      throw error;
    }
    this.dirty = true;
    this.tailNowMs.push(nowMs);
    this.tailCommands.push(command);
    if (this.tailCommands.length >= actorTailMax) this.checkpoint();
    return result;
  }

  /** Makes the current state the rebuild point. Returns its snapshot bytes. */
  checkpoint(): Uint8Array {
    if (this.tailCommands.length > 0) {
      this.base = this.encode(this.state);
      this.tailNowMs = [];
      this.tailCommands = [];
    }
    return this.base;
  }

  private rebuild(): void {
    const state = this.decode(this.base);
    for (let i = 0; i < this.tailCommands.length; i++) this.run(state, this.tailCommands[i], this.tailNowMs[i]);
    this.state = state;
  }
}

export class PerformanceActor extends CheckpointedActor<PerformanceState, Command, Result> {
  constructor(readonly performanceId: string, readonly venue: string, readonly layout: Layout, state: PerformanceState, base?: Uint8Array) {
    super(state, base);
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
    // shard snapshot, which should not stay pinned).
    return new PerformanceActor(performanceId, venue, layout, decodeSnapshot(bytes, layout), bytes.slice());
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
    const copy = bytes.slice();
    return new ProductActor(productId, productFromPlain(packr.unpack(copy)), copy);
  }
}
