/**
 * Order-preserving, prefix-free encoding of property values inside property-index keys,
 * so equality is a prefix scan and ranges are key ranges. Integers and floats share one
 * numeric family and compare numerically with each other (`1n` and `1.0` are equal);
 * strings compare by code point (UTF-8 byte order). Lists are not indexed.
 *
 * Numbers: `0x20 <ordered float64 of the nearest double> <int16 correction>`: the
 * correction is `int - BigInt(double)` for integers beyond 2^53, so every int64 keeps an
 * exact position. Strings: `0x30 <utf8 with 0x00 escaped as 0x00 0xff> 0x00 0x00`; a
 * string longer than MAX_INDEXED_STRING_BYTES stores its prefix then `0x00 0x01`, and
 * lookups re-check such entries against the node (LMDB keys are limited to 511 bytes).
 */
import { NexusError } from '../errors.js';
import type { PropertyScalar, PropertyValue } from './types.js';
import type { ByteWriter } from './byte-writer.js';

export const IndexFamily = {
  Boolean: 0x10,
  Number: 0x20,
  NaN: 0x21,
  String: 0x30,
} as const;

export const MAX_INDEXED_STRING_BYTES = 200;

/** Marker after a truncated string prefix (sorts after the exact-string terminator). */
const TRUNCATED = 0x01;

/** Lists and temporals are not indexed (lookups of them fall back to scans). */
export function isIndexable(v: PropertyValue): v is PropertyScalar {
  return !Array.isArray(v) && typeof v !== 'object';
}

export function familyOf(v: PropertyScalar): number {
  switch (typeof v) {
    case 'boolean':
      return IndexFamily.Boolean;
    case 'bigint':
      return IndexFamily.Number;
    case 'number':
      return Number.isNaN(v) ? IndexFamily.NaN : IndexFamily.Number;
    default:
      return IndexFamily.String;
  }
}

const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function writeOrderedDouble(w: ByteWriter, d: number): void {
  f64[0] = d === 0 ? 0 : d; // -0 sorts (and compares) as 0
  w.ensure(8);
  const negative = (f64Bytes[LITTLE_ENDIAN ? 7 : 0]! & 0x80) !== 0;
  for (let i = 0; i < 8; i++) {
    const b = f64Bytes[LITTLE_ENDIAN ? 7 - i : i]!;
    // Positive: flip the sign bit; negative: flip every bit (reverses their order).
    w.buf[w.pos++] = negative ? ~b & 0xff : i === 0 ? b ^ 0x80 : b;
  }
}

/**
 * Writes the encoding of `v`. Returns true when the encoding is a truncated string
 * prefix (matching entries must then be checked against the stored value).
 */
export function writeIndexValue(w: ByteWriter, v: PropertyScalar): boolean {
  switch (typeof v) {
    case 'boolean':
      w.byte(IndexFamily.Boolean).byte(v ? 1 : 0);
      return false;
    case 'bigint': {
      const d = Number(v);
      const correction = Number(v - BigInt(d));
      w.byte(IndexFamily.Number);
      writeOrderedDouble(w, d);
      w.ensure(2);
      w.buf.writeUInt16BE(correction + 0x8000, w.pos);
      w.pos += 2;
      return false;
    }
    case 'number':
      if (Number.isNaN(v)) {
        w.byte(IndexFamily.NaN);
        return false;
      }
      w.byte(IndexFamily.Number);
      writeOrderedDouble(w, v);
      w.byte(0x80).byte(0x00);
      return false;
    case 'string': {
      w.byte(IndexFamily.String);
      const raw = Buffer.from(v, 'utf8');
      const truncated = raw.length > MAX_INDEXED_STRING_BYTES;
      const n = truncated ? MAX_INDEXED_STRING_BYTES : raw.length;
      w.ensure(n * 2 + 2);
      for (let i = 0; i < n; i++) {
        const b = raw[i]!;
        w.buf[w.pos++] = b;
        if (b === 0) w.buf[w.pos++] = 0xff;
      }
      w.buf[w.pos++] = 0;
      w.buf[w.pos++] = truncated ? TRUNCATED : 0;
      return truncated;
    }
    case 'object':
      throw new NexusError('INVALID_PARAMETER', 'Temporal values are not indexed');
  }
}

/**
 * Whether the index entry whose value encoding ends just before `end` in `key` is a
 * truncated string (its last two bytes are `0x00 0x01` after a string family).
 */
export function isTruncatedAt(key: Uint8Array, end: number): boolean {
  return end >= 2 && key[end - 1] === TRUNCATED && key[end - 2] === 0;
}

/** Total order used to re-check truncated entries: numeric / code point, same family only. */
export function compareScalars(a: PropertyScalar, b: PropertyScalar): number | undefined {
  const fa = familyOf(a);
  if (fa !== familyOf(b) || fa === IndexFamily.NaN) return undefined;
  if (typeof a === 'string' && typeof b === 'string') {
    return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  return compareNumbers(a as bigint | number, b as bigint | number);
}

function compareNumbers(a: bigint | number, b: bigint | number): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  // Mixed: compare exactly. A float that is not an integer (or is infinite) compares via
  // its floor/position; an integral float converts to bigint exactly.
  const [i, f, sign] = typeof a === 'bigint' ? [a, b as number, 1] : [b as bigint, a as number, -1];
  if (f === Infinity) return -sign;
  if (f === -Infinity) return sign;
  const fl = Math.floor(f);
  const fi = BigInt(fl);
  if (i < fi) return -sign;
  if (i > fi) return sign;
  return fl === f ? 0 : -sign;
}

/** Position just after the index value encoding that starts at `pos` in `key`. */
export function skipIndexValue(key: Uint8Array, pos: number): number {
  switch (key[pos]) {
    case IndexFamily.Boolean:
      return pos + 2;
    case IndexFamily.Number:
      return pos + 11;
    case IndexFamily.NaN:
      return pos + 1;
    default: {
      // String: ends at the first 0x00 not followed by the 0xff escape.
      let i = pos + 1;
      for (;;) {
        if (key[i] === 0 && key[i + 1] !== 0xff) return i + 2;
        i += key[i] === 0 ? 2 : 1;
      }
    }
  }
}
