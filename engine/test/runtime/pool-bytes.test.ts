// What the router posts to a worker is cloned with the whole buffer under it. Records read from a
// journal file in one piece, or from a NATS socket read, are views into a larger buffer: posted
// as they were, each record cost a copy of the whole file (a replay of a 17 MB journal grew past
// 24 GB). ownBuffer gives each one a buffer of its own; a Buffer's slice() would not.
import { describe, expect, it } from 'vitest';
import { ownBuffer } from '../../src/runtime/pool.ts';

describe('runtime - bytes posted to a worker', () => {
  it('copies a view into a buffer of its own size, and leaves bytes that own their buffer alone', () => {
    const file = Buffer.alloc(1 << 20, 7);
    file.set([1, 2, 3], 100);
    const record = file.subarray(100, 103);
    expect(record.buffer.byteLength).toBe(1 << 20);
    expect(file.slice(100, 103).buffer).toBe(record.buffer);
    const own = ownBuffer(record);
    expect(own.buffer.byteLength).toBe(3);
    expect([...own]).toEqual([1, 2, 3]);
    const exact = new Uint8Array([4, 5]);
    expect(ownBuffer(exact)).toBe(exact);
  });
});
