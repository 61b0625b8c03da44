/**
 * PackStream v2 decoder over one complete message. INTEGERs decode to `bigint` (exact to
 * 64 bits), FLOATs to `number`, MAPs to `Map`, STRUCTUREs to BoltStruct. Every length is
 * checked against the bytes actually left before anything is allocated, strings must be
 * valid UTF-8 (no silent U+FFFD), and nesting is bounded; any violation is PROTOCOL_ERROR.
 */
import { BoltStruct } from './bolt-struct.js';
import { boltError } from './bolt-error.js';
import type { PackValue } from './packstream-writer.js';

/** A decoded value: what the writer accepts, with maps always as `Map`. */
export type Unpacked = PackValue;

const MAX_DEPTH = 64;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class PackStreamReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  unpack(depth = 0): Unpacked {
    if (depth > MAX_DEPTH) throw boltError('values nested too deeply');
    const marker = this.u8();
    if (marker < 0x80) return BigInt(marker);
    if (marker >= 0xf0) return BigInt(marker - 0x100);
    const high = marker & 0xf0;
    if (high === 0x80) return this.string(marker & 0x0f);
    if (high === 0x90) return this.list(marker & 0x0f, depth);
    if (high === 0xa0) return this.map(marker & 0x0f, depth);
    if (high === 0xb0) return this.struct(marker & 0x0f, depth);
    switch (marker) {
      case 0xc0:
        return null;
      case 0xc1: {
        this.need(8);
        const v = this.buf.readDoubleBE(this.pos);
        this.pos += 8;
        return v;
      }
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc8: {
        this.need(1);
        return BigInt(this.buf.readInt8(this.pos++));
      }
      case 0xc9: {
        this.need(2);
        const v = this.buf.readInt16BE(this.pos);
        this.pos += 2;
        return BigInt(v);
      }
      case 0xca: {
        this.need(4);
        const v = this.buf.readInt32BE(this.pos);
        this.pos += 4;
        return BigInt(v);
      }
      case 0xcb: {
        this.need(8);
        const v = this.buf.readBigInt64BE(this.pos);
        this.pos += 8;
        return v;
      }
      case 0xcc:
      case 0xcd:
      case 0xce: {
        const n = this.size(marker - 0xcc);
        this.need(n);
        const out = new Uint8Array(n);
        out.set(this.buf.subarray(this.pos, this.pos + n));
        this.pos += n;
        return out;
      }
      case 0xd0:
      case 0xd1:
      case 0xd2:
        return this.string(this.size(marker - 0xd0));
      case 0xd4:
      case 0xd5:
      case 0xd6:
        return this.list(this.size(marker - 0xd4), depth);
      case 0xd8:
      case 0xd9:
      case 0xda:
        return this.map(this.size(marker - 0xd8), depth);
      default:
        throw boltError(`unknown PackStream marker 0x${marker.toString(16).padStart(2, '0')}`);
    }
  }

  private u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw boltError('message ends inside a value');
  }

  /** A u8 / u16 / u32 length (width index 0, 1, 2). */
  private size(width: number): number {
    if (width === 0) return this.u8();
    if (width === 1) {
      this.need(2);
      const v = this.buf.readUInt16BE(this.pos);
      this.pos += 2;
      return v;
    }
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  private string(n: number): string {
    this.need(n);
    const start = this.pos;
    const end = start + n;
    this.pos = end;
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (this.buf[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return this.buf.toString('latin1', start, end);
    try {
      return utf8.decode(this.buf.subarray(start, end));
    } catch {
      throw boltError('string is not valid UTF-8');
    }
  }

  private list(n: number, depth: number): Unpacked[] {
    // Every item takes at least one byte: refuse impossible counts before allocating.
    if (n > this.remaining) throw boltError('list longer than the message');
    const out: Unpacked[] = [];
    for (let i = 0; i < n; i++) out.push(this.unpack(depth + 1));
    return out;
  }

  private map(n: number, depth: number): Map<string, Unpacked> {
    if (n * 2 > this.remaining) throw boltError('map longer than the message');
    const out = new Map<string, Unpacked>();
    for (let i = 0; i < n; i++) {
      const key = this.unpack(depth + 1);
      if (typeof key !== 'string') throw boltError('map key is not a string');
      out.set(key, this.unpack(depth + 1));
    }
    return out;
  }

  private struct(n: number, depth: number): BoltStruct {
    const tag = this.u8();
    if (n > this.remaining) throw boltError('structure longer than the message');
    const fields: Unpacked[] = [];
    for (let i = 0; i < n; i++) fields.push(this.unpack(depth + 1));
    return new BoltStruct(tag, fields);
  }
}
