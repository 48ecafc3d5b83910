// A byte writer and reader for the binary parts of the wire (hot-wire.ts): little-endian numbers
// and short ASCII strings. msgpackr writes any value, and pays for it per value (a type switch,
// a UTF-8 encoder, a string cache check); the few shapes that make nearly all of an on-sale's
// traffic are written here without that, and anything else still goes through msgpackr.

/** Strings longer than this are not written here (their length is one byte). */
export const asciiMax = 255;

export class ByteWriter {
  buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  pos = 0;

  ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + bytes) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    this.buf[this.pos] = v & 0xff;
    this.buf[this.pos + 1] = v >>> 8;
    this.pos += 2;
  }

  i32(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.pos, v, true);
    this.pos += 4;
  }

  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /**
   * A string of at most asciiMax characters, all below 0x80: its length, then one byte each.
   * Anything else writes nothing complete and returns false (the caller rewinds `pos`).
   */
  ascii(s: unknown): boolean {
    if (typeof s !== 'string') return false;
    const n = s.length;
    if (n > asciiMax) return false;
    this.ensure(1 + n);
    const buf = this.buf;
    const at = this.pos + 1;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) return false;
      buf[at + i] = c;
    }
    buf[this.pos] = n;
    this.pos = at + n;
    return true;
  }

  /** The bytes written, in a buffer of their own (posted to another thread, kept by the journal). */
  take(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** An integer that an Int32 holds (-0 reads back as 0, as msgpackr writes it too). */
export function isInt32(v: unknown): v is number {
  return typeof v === 'number' && (v | 0) === v;
}

const fromCodes = String.fromCharCode;

export class ByteReader {
  private readonly view: DataView;
  pos = 0;

  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  u8(): number {
    if (this.pos >= this.buf.length) throw new Error('binary wire part ends early');
    return this.buf[this.pos++];
  }

  u16(): number {
    if (this.pos + 2 > this.buf.length) throw new Error('binary wire part ends early');
    const v = this.buf[this.pos] | (this.buf[this.pos + 1] << 8);
    this.pos += 2;
    return v;
  }

  i32(): number {
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  f64(): number {
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  ascii(): string {
    const b = this.buf;
    const n = this.u8();
    const p = this.pos;
    if (p + n > b.length) throw new Error('binary wire part ends early');
    this.pos = p + n;
    // Short ids are most of what is read: one call with the codes as arguments makes a flat
    // string without an intermediate array.
    switch (n) {
      case 0: return '';
      case 1: return fromCodes(b[p]);
      case 2: return fromCodes(b[p], b[p + 1]);
      case 3: return fromCodes(b[p], b[p + 1], b[p + 2]);
      case 4: return fromCodes(b[p], b[p + 1], b[p + 2], b[p + 3]);
      case 5: return fromCodes(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4]);
      case 6: return fromCodes(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5]);
      case 7: return fromCodes(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6]);
      case 8: return fromCodes(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7]);
      case 9: return fromCodes(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8]);
      case 10: return fromCodes(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9]);
      case 11: return fromCodes(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10]);
      case 12: return fromCodes(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11]);
      case 13: return fromCodes(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12]);
      case 14: return fromCodes(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13]);
      case 15: return fromCodes(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14]);
      case 16: return fromCodes(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15]);
      default: return fromCodes(...b.subarray(p, p + n));
    }
  }
}
