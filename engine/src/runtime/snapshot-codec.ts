// Shard snapshots are compressed (brotli, quality 1) by the worker that takes them. A shard of
// four stadium performances and 200,000 remembered ids snapshots to ~17 MB of msgpack, mostly
// columns with long runs of equal bytes; brotli at quality 1 makes that ~1.9 MB in ~20 ms. The
// saving that matters is elsewhere: the NATS Object Store client computes a SHA-256 digest of
// every object in JavaScript on the router's thread (~170 ms for 17 MB, the largest cost of the
// durable path before this), and the bytes cross the socket and the server's disk. Snapshots
// without the header (taken before compression) are read as they are.
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';

/** 'OSZ1': no shard snapshot starts with it (a msgpack map does not start with a fixint). */
const HEADER = [0x4f, 0x53, 0x5a, 0x31] as const;

export function compressSnapshot(raw: Uint8Array): Uint8Array {
  const packed = brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 1, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } });
  const out = new Uint8Array(HEADER.length + packed.length);
  out.set(HEADER, 0);
  out.set(packed, HEADER.length);
  return out;
}

/** The msgpack bytes of a snapshot, compressed or not. */
export function expandSnapshot(bytes: Uint8Array): Uint8Array {
  if (!HEADER.every((b, i) => bytes[i] === b)) return bytes;
  const raw = brotliDecompressSync(bytes.subarray(HEADER.length));
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
}
