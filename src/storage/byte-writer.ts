/**
 * A growable byte buffer reused across encodings, plus the primitive encodings every
 * key and value is built from. Keys and values are written into one scratch buffer and
 * handed to LMDB synchronously (LMDB copies them), so the hot path allocates nothing.
 */

const TEXT_ENCODER = new TextEncoder();

export class ByteWriter {
  buf: Buffer;
  pos = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  reset(): this {
    this.pos = 0;
    return this;
  }

  ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(b: number): this {
    this.ensure(1);
    this.buf[this.pos++] = b;
    return this;
  }

  bytes(src: Uint8Array): this {
    this.ensure(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
    return this;
  }

  /** Unsigned LEB128: compact and prefix-free, but not order preserving. */
  varint(n: number): this {
    this.ensure(8);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
    return this;
  }

  /**
   * Order-preserving, prefix-free unsigned integer: one length byte (0..7) followed by
   * that many big-endian bytes. Smaller numbers sort first, so id scans come out ascending.
   */
  ordered(n: number): this {
    this.ensure(8);
    let len = 0;
    for (let v = n; v > 0; v = Math.floor(v / 256)) len++;
    this.buf[this.pos++] = len;
    for (let i = len - 1; i >= 0; i--) {
      this.buf[this.pos + i] = n % 256;
      n = Math.floor(n / 256);
    }
    this.pos += len;
    return this;
  }

  float64(x: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(x, this.pos);
    this.pos += 8;
    return this;
  }

  utf8(s: string): this {
    // Worst case 3 bytes per UTF-16 unit.
    this.ensure(s.length * 3);
    const r = TEXT_ENCODER.encodeInto(s, this.buf.subarray(this.pos));
    this.pos += r.written;
    return this;
  }

  /** A view of the bytes written so far; valid until the next write. */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** A copy of the bytes written so far. */
  copy(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

/** Cursor over a byte array for decoding. */
export class ByteReader {
  pos: number;
  readonly buf: Buffer;
  readonly end: number;
  constructor(buf: Buffer | Uint8Array, start = 0, end = buf.length) {
    // lmdb-js hands very large values (a 16 MiB record) over as a plain Uint8Array, whose
    // toString() ignores encoding and range: a 16 M-character string property read back as
    // the record's bytes joined by commas. View such values as a Buffer.
    this.buf = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = start;
    this.end = end;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  byte(): number {
    return this.buf[this.pos++]!;
  }

  varint(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 0x80;
    }
  }

  utf8(len: number): string {
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }

  ordered(): number {
    const len = this.buf[this.pos++]!;
    let n = 0;
    for (let i = 0; i < len; i++) n = n * 256 + this.buf[this.pos++]!;
    return n;
  }
}
