// One performance's single-writer actor: the domain state plus what it takes to rebuild it when
// a command throws (a bug, never a business refusal): the snapshot bytes of its last checkpoint
// and the commands applied since. A throw discards the half-applied command: the state is
// decoded from the checkpoint and the tail is applied again, which is deterministic.
import { decodeSnapshot, encodeSnapshot, execute, type Command, type Layout, type PerformanceState, type Result } from '../domain/mod.ts';

/** Commands kept per actor between checkpoints; a checkpoint empties the tail. */
// Larger than the shard snapshot interval: the shard snapshot checkpoints every actor anyway,
// and a busy actor must not re-encode its whole state (megabytes) every few thousand commands.
export const actorTailMax = 200_000;

export class PerformanceActor {
  private base: Uint8Array;
  private tailNowMs: number[] = [];
  private tailCommands: Command[] = [];
  /** Commands applied since this actor was last written into a shard snapshot. */
  dirty = false;

  constructor(
    readonly performanceId: string,
    readonly venue: string,
    readonly layout: Layout,
    public state: PerformanceState,
    base?: Uint8Array,
  ) {
    this.base = base ?? encodeSnapshot(state);
  }

  /** Applies one command; a throw leaves the actor rebuilt without it, and is rethrown. */
  apply(command: Command, nowMs: number, fault?: () => void): Result {
    let result: Result;
    try {
      result = execute(this.state, command, nowMs);
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
      this.base = encodeSnapshot(this.state);
      this.tailNowMs = [];
      this.tailCommands = [];
    }
    return this.base;
  }

  private rebuild(): void {
    const state = decodeSnapshot(this.base, this.layout);
    for (let i = 0; i < this.tailCommands.length; i++) execute(state, this.tailCommands[i], this.tailNowMs[i]);
    this.state = state;
  }

  static fromSnapshot(performanceId: string, venue: string, layout: Layout, bytes: Uint8Array): PerformanceActor {
    // The bytes it was decoded from are its checkpoint (a copy: they are a view into the whole
    // shard snapshot, which should not stay pinned).
    return new PerformanceActor(performanceId, venue, layout, decodeSnapshot(bytes, layout), bytes.slice());
  }
}
