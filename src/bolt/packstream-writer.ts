/**
 * PackStream v2 encoder into one growable Buffer. `bigint` is an INTEGER (the smallest
 * encoding that holds it, exactly, up to 64 bits), `number` a FLOAT, Uint8Array BYTES,
 * arrays LISTs, Map and plain objects MAPs, BoltStruct a STRUCTURE. `undefined` map
 * entries are skipped.
 */
import { BoltStruct } from './bolt-struct.js';
import { boltError } from './bolt-error.js';

export type PackValue =
  | null
  | boolean
  | bigint
  | number
  | string
  | Uint8Array
  | readonly PackValue[]
  | ReadonlyMap<string, PackValue>
  | { readonly [key: string]: PackValue | undefined }
  | BoltStruct;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export class PackStreamWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialSize = 1024) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Bytes written since the last `reset()`. */
  get length(): number {
    return this.pos;
  }

  /** The written bytes (a view: valid until the next write or reset). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  reset(): void {
    this.pos = 0;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  writeUInt8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  writeUInt16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
  }

  /** Appends raw bytes (used by the chunker). */
  writeBytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Overwrites a u16 at an earlier position (chunk headers). */
  patchUInt16(at: number, v: number): void {
    this.buf.writeUInt16BE(v, at);
  }

  pack(value: PackValue): void {
    if (value === null) return this.writeUInt8(0xc0);
    switch (typeof value) {
      case 'boolean':
        return this.writeUInt8(value ? 0xc3 : 0xc2);
      case 'bigint':
        return this.packInt(value);
      case 'number':
        this.ensure(9);
        this.buf[this.pos] = 0xc1;
        this.buf.writeDoubleBE(value, this.pos + 1);
        this.pos += 9;
        return;
      case 'string':
        return this.packString(value);
      default:
        break;
    }
    if (value instanceof BoltStruct) {
      if (value.fields.length > 15) throw boltError('structure with more than 15 fields');
      this.writeUInt8(0xb0 | value.fields.length);
      this.writeUInt8(value.tag);
      for (const f of value.fields) this.pack(f);
      return;
    }
    if (Array.isArray(value)) {
      const list = value as readonly PackValue[];
      this.header(list.length, 0x90, 0xd4);
      for (const item of list) this.pack(item);
      return;
    }
    if (value instanceof Uint8Array) {
      const n = value.length;
      if (n < 0x100) {
        this.writeUInt8(0xcc);
        this.writeUInt8(n);
      } else if (n < 0x10000) {
        this.writeUInt8(0xcd);
        this.writeUInt16(n);
      } else {
        this.ensure(5);
        this.buf[this.pos] = 0xce;
        this.buf.writeUInt32BE(n, this.pos + 1);
        this.pos += 5;
      }
      this.writeBytes(value);
      return;
    }
    if (value instanceof Map) {
      const map = value as ReadonlyMap<string, PackValue>;
      this.header(map.size, 0xa0, 0xd8);
      for (const [k, v] of map) {
        this.packString(k);
        this.pack(v);
      }
      return;
    }
    const obj = value as { readonly [key: string]: PackValue | undefined };
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
    this.header(keys.length, 0xa0, 0xd8);
    for (const k of keys) {
      this.packString(k);
      this.pack(obj[k]!);
    }
  }

  private header(n: number, tiny: number, base: number): void {
    if (n < 16) this.writeUInt8(tiny | n);
    else if (n < 0x100) {
      this.writeUInt8(base);
      this.writeUInt8(n);
    } else if (n < 0x10000) {
      this.writeUInt8(base + 1);
      this.writeUInt16(n);
    } else {
      this.ensure(5);
      this.buf[this.pos] = base + 2;
      this.buf.writeUInt32BE(n, this.pos + 1);
      this.pos += 5;
    }
  }

  private packInt(v: bigint): void {
    if (v >= -16n && v <= 127n) return this.writeUInt8(Number(v) & 0xff);
    if (v >= -128n && v <= 127n) {
      this.writeUInt8(0xc8);
      return this.writeUInt8(Number(v) & 0xff);
    }
    if (v >= -32768n && v <= 32767n) {
      this.ensure(3);
      this.buf[this.pos] = 0xc9;
      this.buf.writeInt16BE(Number(v), this.pos + 1);
      this.pos += 3;
      return;
    }
    if (v >= -2147483648n && v <= 2147483647n) {
      this.ensure(5);
      this.buf[this.pos] = 0xca;
      this.buf.writeInt32BE(Number(v), this.pos + 1);
      this.pos += 5;
      return;
    }
    if (v < INT64_MIN || v > INT64_MAX) throw boltError(`integer ${v} does not fit in 64 bits`);
    this.ensure(9);
    this.buf[this.pos] = 0xcb;
    this.buf.writeBigInt64BE(v, this.pos + 1);
    this.pos += 9;
  }

  private packString(s: string): void {
    // Bytes first (ASCII fast path), then the header for the real byte length.
    const max = s.length * 3;
    this.ensure(max + 5);
    const headerAt = this.pos;
    const headerLen = max < 16 ? 1 : max < 0x100 ? 2 : max < 0x10000 ? 3 : 5;
    const n = this.buf.write(s, headerAt + headerLen, 'utf8');
    const need = n < 16 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
    if (need !== headerLen)
      this.buf.copy(this.buf, headerAt + need, headerAt + headerLen, headerAt + headerLen + n);
    if (need === 1) this.buf[headerAt] = 0x80 | n;
    else if (need === 2) {
      this.buf[headerAt] = 0xd0;
      this.buf[headerAt + 1] = n;
    } else if (need === 3) {
      this.buf[headerAt] = 0xd1;
      this.buf.writeUInt16BE(n, headerAt + 1);
    } else {
      this.buf[headerAt] = 0xd2;
      this.buf.writeUInt32BE(n, headerAt + 1);
    }
    this.pos = headerAt + need + n;
  }
}
