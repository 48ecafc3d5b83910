// combineObservers: each hook reaches every observer that has it, in order (the metrics and the
// serve command's lease logger both watch one engine); a hook none has stays absent.
import { describe, expect, it } from 'vitest';
import { reject } from '../../src/domain/mod.ts';
import { combineObservers, type EngineCommand, type EngineObserver } from '../../src/runtime/mod.ts';

describe('combineObservers', () => {
  it('passes every hook to each observer that has it, in the order given', () => {
    const calls: string[] = [];
    const a: EngineObserver = {
      forwarded: (command, result) => calls.push(`a forwarded ${command.type} ${result.ok ? 'OK' : result.name}`),
      leaseChanged: (shard, owned) => calls.push(`a lease ${shard} ${owned}`),
    };
    const b: EngineObserver = {
      forwarded: (command) => calls.push(`b forwarded ${command.type}`),
      journaled: (shard, commands) => calls.push(`b journaled ${shard} ${commands}`),
    };
    const both = combineObservers(a, b);
    both.forwarded!({ type: 'holdSeats', commandId: 'x' } as EngineCommand, reject('SHARD_UNAVAILABLE', '', ''));
    both.leaseChanged!(3, true);
    both.journaled!(1, 7, 100, 0.001);
    expect(calls).toEqual(['a forwarded holdSeats SHARD_UNAVAILABLE', 'b forwarded holdSeats', 'a lease 3 true', 'b journaled 1 7']);
    expect(both.applied).toBeUndefined();
  });
});
