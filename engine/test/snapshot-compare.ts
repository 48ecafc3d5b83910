// Snapshot comparisons shared by the property suites: byte equality, and the check that a
// refused command had no effect (the state is what a tick at the same time would have left,
// plus the command's dedupe entry). Knows nothing of the snapshot format beyond msgpack.
import { Packr } from 'msgpackr';
import { expect } from 'vitest';
import { decodeSnapshot, encodeSnapshot, execute, type Layout } from '../src/domain/mod.ts';

/** Reads a snapshot's fields (msgpack, as the engine writes it). */
const snapshotReader = new Packr({ useRecords: false, mapsAsObjects: true });

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/**
 * A decoded snapshot without the dedupe entry of one command: drops, at any depth, tuples whose
 * first element is the command id and object keys equal to it, and the entry from the dedupe
 * columns (snapshot version 5: the remembered commands as columns, oldest first, the refusal last;
 * a refusal is kept as objects, and its id is the last run of string units).
 */
function withoutEntry(value: unknown, commandId: string): unknown {
  const snap = value as { dedupe?: Record<string, unknown> };
  const d = snap.dedupe;
  if (d !== undefined && !Array.isArray(d) && d.lengths instanceof Uint8Array && Array.isArray(d.objects)) {
    const objects = d.objects as [number, { commandId?: string }, unknown][];
    const n = (d.kinds as Uint8Array).length - 1;
    const last = objects.at(-1);
    if (last !== undefined && last[0] === n && last[1]?.commandId === commandId) {
      const cut = (b: unknown, per: number, count = n) => (b as Uint8Array).subarray(0, count * per);
      // Units are 2 bytes each; the refusal's strings are its id alone.
      const units = (d.units as Uint8Array).length / 2 - commandId.length;
      snap.dedupe = {
        ...d, objects: objects.slice(0, -1), units: cut(d.units, 2, units), lengths: cut(d.lengths, 8),
        kinds: cut(d.kinds, 1), fates: cut(d.fates, 1), expiresAtMs: cut(d.expiresAtMs, 8), bytes: cut(d.bytes, 5),
      };
    }
  }
  return withoutAny(value, commandId);
}

function withoutAny(value: unknown, commandId: string): unknown {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) return value.filter((x) => !(Array.isArray(x) && x[0] === commandId)).map((x) => withoutAny(x, commandId));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (key !== commandId) out[key] = withoutAny(v, commandId);
  return out;
}

/**
 * `after` (the snapshot once command `commandId` was refused at `nowMs`) is `before` moved on by a
 * tick at that time (expiry and the clock), plus the refusal's dedupe entry: nothing else.
 */
export function expectNoEffect(layout: Layout, before: Uint8Array, after: Uint8Array, commandId: string, nowMs: number, what: string): void {
  const untouched = decodeSnapshot(before, layout);
  execute(untouched, { type: 'tick', commandId: 'tick-of-no-effect' }, nowMs);
  const expected = snapshotReader.unpack(encodeSnapshot(untouched)) as unknown;
  const found = withoutEntry(snapshotReader.unpack(after) as unknown, commandId);
  // Compared as re-packed bytes (fast); on a difference, structurally for a readable diff.
  if (!sameBytes(snapshotReader.pack(found), snapshotReader.pack(expected))) expect(found, `${what} changed the state`).toEqual(expected);
}
