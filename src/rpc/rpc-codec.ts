/**
 * The native RPC wire codec (upstream `docs/specs/rpc-wire-format.md`): frames are a u32
 * little-endian body length followed by a MessagePack body. Requests are decoded with
 * msgpackr after a strict structural pass (`checkMessagePack`) that refuses what msgpackr
 * would accept silently: invalid UTF-8 (msgpackr would substitute or mangle characters),
 * extension types, non-string map keys, `__proto__` keys, nesting deeper than
 * MAX_JSON_VALUE_DEPTH and trailing bytes. Responses are written by `ResponseWriter`, a
 * small MessagePack encoder that keeps a float a float (msgpackr packs 1.0 as the
 * integer 1, which other SDKs would read back as an integer).
 */
import { isUtf8 } from 'node:buffer';
import { Unpackr } from 'msgpackr';
import { MAX_JSON_VALUE_DEPTH } from '../engine/json-values.js';
import { NexusError } from '../errors.js';

/** Reserved for server push frames (`u32::MAX`); clients must not use it. */
export const PUSH_ID = 0xffff_ffff;

/** A request as the dispatcher sees it; `args` are raw decoded NexusValues (see nexus-value.ts). */
export interface RpcRequest {
  readonly id: number;
  readonly command: string;
  readonly args: readonly unknown[];
}

const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'bigint' });

function protocolError(message: string): NexusError {
  return new NexusError('PROTOCOL_ERROR', message);
}

/**
 * Walks one MessagePack value starting at `pos` and returns the position after it.
 * Throws PROTOCOL_ERROR on anything a request may not contain.
 */
function walk(buf: Buffer, pos: number, depth: number): number {
  if (depth > MAX_JSON_VALUE_DEPTH)
    throw protocolError(`value nested deeper than ${MAX_JSON_VALUE_DEPTH} levels`);
  const need = (n: number): void => {
    if (pos + n > buf.length) throw protocolError('truncated MessagePack body');
  };
  need(1);
  const b = buf[pos++]!;
  if (b <= 0x7f || b >= 0xe0) return pos; // positive / negative fixint
  if (b >= 0xa0 && b <= 0xbf) return str(buf, pos, b & 0x1f);
  if (b >= 0x90 && b <= 0x9f) return array(buf, pos, b & 0x0f, depth);
  if (b >= 0x80 && b <= 0x8f) return map(buf, pos, b & 0x0f, depth);
  switch (b) {
    case 0xc0: // nil
    case 0xc2: // false
    case 0xc3: // true
      return pos;
    case 0xcc:
    case 0xd0:
      need(1);
      return pos + 1;
    case 0xcd:
    case 0xd1:
      need(2);
      return pos + 2;
    case 0xca:
    case 0xce:
    case 0xd2:
      need(4);
      return pos + 4;
    case 0xcb:
    case 0xcf:
    case 0xd3:
      need(8);
      return pos + 8;
    case 0xc4: // bin 8/16/32
      need(1);
      return skip(buf, pos + 1, buf[pos]!);
    case 0xc5:
      need(2);
      return skip(buf, pos + 2, buf.readUInt16BE(pos));
    case 0xc6:
      need(4);
      return skip(buf, pos + 4, buf.readUInt32BE(pos));
    case 0xd9: // str 8/16/32
      need(1);
      return str(buf, pos + 1, buf[pos]!);
    case 0xda:
      need(2);
      return str(buf, pos + 2, buf.readUInt16BE(pos));
    case 0xdb:
      need(4);
      return str(buf, pos + 4, buf.readUInt32BE(pos));
    case 0xdc:
      need(2);
      return array(buf, pos + 2, buf.readUInt16BE(pos), depth);
    case 0xdd:
      need(4);
      return array(buf, pos + 4, buf.readUInt32BE(pos), depth);
    case 0xde:
      need(2);
      return map(buf, pos + 2, buf.readUInt16BE(pos), depth);
    case 0xdf:
      need(4);
      return map(buf, pos + 4, buf.readUInt32BE(pos), depth);
    default:
      // 0xc1 (never used) and the extension types 0xc7-0xc9, 0xd4-0xd8.
      throw protocolError(`unsupported MessagePack type 0x${b.toString(16)}`);
  }
}

function skip(buf: Buffer, pos: number, len: number): number {
  if (pos + len > buf.length) throw protocolError('truncated MessagePack body');
  return pos + len;
}

function str(buf: Buffer, pos: number, len: number): number {
  const end = skip(buf, pos, len);
  if (len > 0 && !isUtf8(buf.subarray(pos, end))) throw protocolError('string is not valid UTF-8');
  return end;
}

function array(buf: Buffer, pos: number, count: number, depth: number): number {
  // Each element takes at least one byte: a count beyond the body is a lie, refused up front.
  if (count > buf.length - pos) throw protocolError('truncated MessagePack body');
  for (let i = 0; i < count; i++) pos = walk(buf, pos, depth + 1);
  return pos;
}

function map(buf: Buffer, pos: number, count: number, depth: number): number {
  if (count * 2 > buf.length - pos) throw protocolError('truncated MessagePack body');
  for (let i = 0; i < count; i++) {
    const b = buf[pos];
    const keyStart = pos;
    if (b === undefined || !((b >= 0xa0 && b <= 0xbf) || b === 0xd9 || b === 0xda || b === 0xdb)) {
      throw protocolError('map keys must be strings');
    }
    pos = walk(buf, pos, depth + 1);
    // fixstr "__proto__" (0xa9 + 9 bytes): would replace the prototype of the decoded object.
    if (pos - keyStart === 10 && buf.toString('latin1', keyStart + 1, pos) === '__proto__') {
      throw protocolError('map key "__proto__" is not allowed');
    }
    pos = walk(buf, pos, depth + 1);
  }
  return pos;
}

function toId(raw: unknown): number {
  const n = typeof raw === 'bigint' ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > PUSH_ID) {
    throw protocolError('request id must be an unsigned 32-bit integer');
  }
  return n;
}

/**
 * Decodes one request body: `{id, command, args}` (struct as map, as the SDKs send it) or
 * `[id, command, args]` (struct as array, rmp-serde's compact form).
 */
export function decodeRequest(body: Buffer): RpcRequest {
  const end = walk(body, 0, 0);
  if (end !== body.length) throw protocolError('trailing bytes after the request');
  let raw: unknown;
  try {
    raw = unpackr.unpack(body);
  } catch (err) {
    throw protocolError(`malformed MessagePack body: ${(err as Error).message}`);
  }
  let id: unknown, command: unknown, args: unknown;
  if (Array.isArray(raw)) {
    [id, command, args] = raw as unknown[];
  } else if (typeof raw === 'object' && raw !== null && !(raw instanceof Uint8Array)) {
    ({ id, command, args } = raw as Record<string, unknown>);
  } else {
    throw protocolError('a request is a map {id, command, args}');
  }
  const requestId = toId(id);
  if (typeof command !== 'string' || command.length === 0) throw protocolError('command must be a string');
  if (args === undefined || args === null) args = [];
  if (!Array.isArray(args)) throw protocolError('args must be an array');
  return { id: requestId, command: command.toUpperCase(), args };
}

/** Best-effort id of a body that failed to decode, so the error still reaches its caller. */
export function peekRequestId(body: Buffer): number {
  try {
    const raw = unpackr.unpack(body) as unknown;
    if (typeof raw === 'object' && raw !== null) {
      const id = Array.isArray(raw) ? (raw as unknown[])[0] : (raw as Record<string, unknown>).id;
      return toId(id);
    }
  } catch {
    // fall through
  }
  return 0;
}

/** A growable MessagePack writer for response frames (4 bytes reserved for the length). */
export class ResponseWriter {
  buf: Buffer = Buffer.allocUnsafe(256);
  pos = 4;

  private ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  nil(): void {
    this.ensure(1);
    this.buf[this.pos++] = 0xc0;
  }

  bool(v: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = v ? 0xc3 : 0xc2;
  }

  int(v: number | bigint): void {
    this.ensure(9);
    const buf = this.buf;
    if (typeof v === 'number' && Number.isSafeInteger(v)) {
      if (v >= 0) {
        if (v < 0x80) buf[this.pos++] = v;
        else if (v < 0x100) {
          buf[this.pos++] = 0xcc;
          buf[this.pos++] = v;
        } else if (v < 0x10000) {
          buf[this.pos++] = 0xcd;
          buf.writeUInt16BE(v, this.pos);
          this.pos += 2;
        } else if (v < 0x1_0000_0000) {
          buf[this.pos++] = 0xce;
          buf.writeUInt32BE(v, this.pos);
          this.pos += 4;
        } else {
          buf[this.pos++] = 0xcf;
          buf.writeBigUInt64BE(BigInt(v), this.pos);
          this.pos += 8;
        }
      } else if (v >= -32) buf[this.pos++] = v & 0xff;
      else if (v >= -0x80) {
        buf[this.pos++] = 0xd0;
        buf.writeInt8(v, this.pos++);
      } else if (v >= -0x8000) {
        buf[this.pos++] = 0xd1;
        buf.writeInt16BE(v, this.pos);
        this.pos += 2;
      } else if (v >= -0x8000_0000) {
        buf[this.pos++] = 0xd2;
        buf.writeInt32BE(v, this.pos);
        this.pos += 4;
      } else {
        buf[this.pos++] = 0xd3;
        buf.writeBigInt64BE(BigInt(v), this.pos);
        this.pos += 8;
      }
      return;
    }
    const big = BigInt(v);
    if (big >= -(2n ** 53n - 1n) && big <= 2n ** 53n - 1n) return this.int(Number(big));
    if (big >= 0n) {
      buf[this.pos++] = 0xcf;
      buf.writeBigUInt64BE(big, this.pos);
    } else {
      buf[this.pos++] = 0xd3;
      buf.writeBigInt64BE(big, this.pos);
    }
    this.pos += 8;
  }

  /** Always float 64, even for integral values: a Cypher float stays a float. */
  float(v: number): void {
    this.ensure(9);
    this.buf[this.pos++] = 0xcb;
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }

  str(v: string): void {
    // Worst case 3 bytes per UTF-16 unit, plus the header.
    const max = v.length * 3;
    this.ensure(max + 5);
    const buf = this.buf;
    if (max < 32) {
      const start = this.pos++;
      const n = buf.write(v, this.pos, 'utf8');
      buf[start] = 0xa0 | n;
      this.pos += n;
      return;
    }
    const headerAt = this.pos;
    const header = max < 0x100 ? 2 : max < 0x10000 ? 3 : 5;
    const n = buf.write(v, headerAt + header, 'utf8');
    if (header === 2) {
      buf[headerAt] = 0xd9;
      buf[headerAt + 1] = n;
    } else if (header === 3) {
      buf[headerAt] = 0xda;
      buf.writeUInt16BE(n, headerAt + 1);
    } else {
      buf[headerAt] = 0xdb;
      buf.writeUInt32BE(n, headerAt + 1);
    }
    this.pos = headerAt + header + n;
  }

  bytes(v: Uint8Array): void {
    this.ensure(v.length + 5);
    const n = v.length;
    if (n < 0x100) {
      this.buf[this.pos++] = 0xc4;
      this.buf[this.pos++] = n;
    } else if (n < 0x10000) {
      this.buf[this.pos++] = 0xc5;
      this.buf.writeUInt16BE(n, this.pos);
      this.pos += 2;
    } else {
      this.buf[this.pos++] = 0xc6;
      this.buf.writeUInt32BE(n, this.pos);
      this.pos += 4;
    }
    this.buf.set(v, this.pos);
    this.pos += n;
  }

  arrayHeader(n: number): void {
    this.ensure(5);
    if (n < 16) this.buf[this.pos++] = 0x90 | n;
    else if (n < 0x10000) {
      this.buf[this.pos++] = 0xdc;
      this.buf.writeUInt16BE(n, this.pos);
      this.pos += 2;
    } else {
      this.buf[this.pos++] = 0xdd;
      this.buf.writeUInt32BE(n, this.pos);
      this.pos += 4;
    }
  }

  mapHeader(n: number): void {
    this.ensure(5);
    if (n < 16) this.buf[this.pos++] = 0x80 | n;
    else if (n < 0x10000) {
      this.buf[this.pos++] = 0xde;
      this.buf.writeUInt16BE(n, this.pos);
      this.pos += 2;
    } else {
      this.buf[this.pos++] = 0xdf;
      this.buf.writeUInt32BE(n, this.pos);
      this.pos += 4;
    }
  }

  /** The finished frame: length prefix filled in. */
  frame(): Buffer {
    this.buf.writeUInt32LE(this.pos - 4, 0);
    return this.buf.subarray(0, this.pos);
  }
}

/**
 * Starts a response frame: `{id, result: {<tag>: …}}`; the caller writes the payload.
 * `tag` is "Ok" (a NexusValue follows) or "Err" (a string follows).
 */
export function beginResponse(id: number, tag: 'Ok' | 'Err'): ResponseWriter {
  const w = new ResponseWriter();
  w.mapHeader(2);
  w.str('id');
  w.int(id);
  w.str('result');
  w.mapHeader(1);
  w.str(tag);
  return w;
}

/** A complete error response frame. */
export function errorFrame(id: number, message: string): Buffer {
  const w = beginResponse(id, 'Err');
  w.str(message);
  return w.frame();
}
