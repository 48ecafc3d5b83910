// Helpers for the typed-array columns the state, the runtime's id tables and the snapshots are
// made of: growing a column, and a column as bytes for msgpack and back.

export type TypedColumn = Uint8Array | Uint16Array | Uint32Array | Int16Array | Int32Array | Float64Array;

/** A copy of `column` with room for at least `length` elements: its size doubled until it fits. */
export function grown<T extends TypedColumn>(column: T, length: number): T {
  let n = Math.max(1, column.length);
  while (n < length) n *= 2;
  const out = new (column.constructor as new (n: number) => T)(n);
  out.set(column as never);
  return out;
}

/** The first `length` elements of a column as bytes (a view, not a copy), as a snapshot packs them. */
export function bytesOf(column: TypedColumn, length = column.length): Uint8Array {
  return new Uint8Array(column.buffer, column.byteOffset, length * column.BYTES_PER_ELEMENT);
}

/** Bytes from a snapshot as a column of `Kind`, copied into an aligned buffer of its own (a decoded bin may start at any offset). */
export function aligned<T extends TypedColumn>(bytes: Uint8Array, Kind: { new (buffer: ArrayBuffer): T; BYTES_PER_ELEMENT: number }): T {
  if (bytes.length % Kind.BYTES_PER_ELEMENT !== 0) throw new Error(`snapshot: a column of ${bytes.length} bytes is not whole ${Kind.BYTES_PER_ELEMENT}-byte elements`);
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return new Kind(copy.buffer);
}
