/**
 * The binary encoding of property values and property maps inside node and relationship
 * records. Each entry is `<key id varint><type tag><payload>`; integers (`bigint`) and
 * floats (`number`) have distinct tags so `1n` and `1.0` round-trip as different types,
 * and integers use the narrowest of 1/2/4/8 bytes.
 */
import { NexusError } from '../errors.js';
import type { PropertyScalar, PropertyValue, TemporalKind, TemporalScalar } from './types.js';
import type { ByteReader, ByteWriter } from './byte-writer.js';

export const ValueTag = {
  False: 0,
  True: 1,
  Int8: 2,
  Int16: 3,
  Int32: 4,
  Int64: 5,
  Float64: 6,
  String: 7,
  List: 8,
  /** `<kind byte><varint length><utf8 ISO text>`; see TEMPORAL_KINDS. */
  Temporal: 9,
} as const;

/** Kind byte of a stored temporal: the index in this list (append only). */
const TEMPORAL_KINDS: readonly TemporalKind[] = [
  'Date',
  'LocalTime',
  'Time',
  'LocalDateTime',
  'DateTime',
  'Duration',
];

export type TemporalDecoder = (kind: TemporalKind, text: string) => TemporalScalar;

/** Without an engine decoder a stored temporal reads back as its kind and text. */
let temporalDecoder: TemporalDecoder = (kind, text) =>
  Object.freeze({ temporalKind: kind, toString: () => text });

/** The engine registers how to rebuild its temporal objects from kind + ISO text. */
export function registerTemporalDecoder(decoder: TemporalDecoder): void {
  temporalDecoder = decoder;
}

function isTemporalScalar(v: unknown): v is TemporalScalar {
  return (
    typeof v === 'object' &&
    v !== null &&
    TEMPORAL_KINDS.includes((v as { temporalKind?: TemporalKind }).temporalKind as TemporalKind)
  );
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** An unpaired UTF-16 surrogate (code units, no `u` flag): text UTF-8 cannot carry. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether `s` is well-formed Unicode. Names and strings are stored as UTF-8, which turns
 * a lone surrogate into U+FFFD: such text would come back changed, and two distinct
 * names (`\uD800`, `\uDC00`) would become the same one. So storage refuses it.
 */
export function isWellFormedText(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/** Throws a client error unless `name` (label, type, property key) can be stored as given. */
export function assertWellFormedName(what: string, name: string): void {
  if (!isWellFormedText(name)) {
    throw new NexusError(
      'INVALID_PARAMETER',
      `${what} names must be well-formed Unicode text (this one has an unpaired surrogate)`,
    );
  }
}

/** Throws a client error unless `value` is a storable property value. */
export function assertPropertyValue(key: string, value: unknown): asserts value is PropertyValue {
  if (Array.isArray(value)) {
    for (const item of value) assertScalar(key, item, true);
    return;
  }
  assertScalar(key, value, false);
}

/**
 * A temporal is stored as its text and rebuilt from it on every read; one the decoder
 * refuses (a date beyond year 999,999,999 from `date + duration`, say) would make the
 * record unreadable — and so undeletable — forever. Refused here instead.
 */
function assertReadableTemporal(key: string, value: TemporalScalar): void {
  const text = value.toString();
  try {
    temporalDecoder(value.temporalKind, text);
  } catch {
    throw new NexusError(
      'INVALID_PARAMETER',
      `Property '${key}': the ${value.temporalKind} ${text.slice(0, 80)} cannot be stored (outside the supported range)`,
    );
  }
}

function assertScalar(key: string, value: unknown, inList: boolean): void {
  switch (typeof value) {
    case 'boolean':
      return;
    case 'string':
      if (!isWellFormedText(value)) {
        throw new NexusError(
          'INVALID_PARAMETER',
          `Property '${key}': strings must be well-formed Unicode text (this one has an unpaired surrogate)`,
        );
      }
      return;
    case 'number':
      return;
    case 'object':
      if (isTemporalScalar(value)) {
        assertReadableTemporal(key, value);
        return;
      }
      break;
    case 'bigint':
      if (value < INT64_MIN || value > INT64_MAX) {
        throw new NexusError(
          'INVALID_PARAMETER',
          `Property '${key}': integer out of the signed 64-bit range`,
        );
      }
      return;
    default:
      break;
  }
  throw new NexusError(
    'INVALID_PARAMETER',
    `Property '${key}': ${inList ? 'list elements' : 'values'} must be booleans, integers, floats, strings or temporals` +
      (inList ? '' : ' (or lists of them)'),
  );
}

export function writeScalar(w: ByteWriter, v: PropertyScalar): void {
  switch (typeof v) {
    case 'boolean':
      w.byte(v ? ValueTag.True : ValueTag.False);
      return;
    case 'bigint':
      writeInteger(w, v);
      return;
    case 'number':
      w.byte(ValueTag.Float64).float64(v);
      return;
    case 'object': {
      const text = v.toString();
      w.byte(ValueTag.Temporal).byte(TEMPORAL_KINDS.indexOf(v.temporalKind));
      w.varint(Buffer.byteLength(text, 'utf8')).utf8(text);
      return;
    }
    case 'string': {
      // Length prefix first: reserve the varint after encoding would need a second pass,
      // so measure the UTF-8 length up front.
      const len = Buffer.byteLength(v, 'utf8');
      w.byte(ValueTag.String).varint(len).utf8(v);
      return;
    }
  }
}

function writeInteger(w: ByteWriter, v: bigint): void {
  if (v >= -128n && v <= 127n) {
    w.ensure(2);
    w.buf[w.pos++] = ValueTag.Int8;
    w.buf.writeInt8(Number(v), w.pos);
    w.pos += 1;
  } else if (v >= -32768n && v <= 32767n) {
    w.ensure(3);
    w.buf[w.pos++] = ValueTag.Int16;
    w.buf.writeInt16BE(Number(v), w.pos);
    w.pos += 2;
  } else if (v >= -2147483648n && v <= 2147483647n) {
    w.ensure(5);
    w.buf[w.pos++] = ValueTag.Int32;
    w.buf.writeInt32BE(Number(v), w.pos);
    w.pos += 4;
  } else {
    w.ensure(9);
    w.buf[w.pos++] = ValueTag.Int64;
    w.buf.writeBigInt64BE(v, w.pos);
    w.pos += 8;
  }
}

export function writeValue(w: ByteWriter, v: PropertyValue): void {
  if (Array.isArray(v)) {
    const list = v as readonly PropertyScalar[];
    w.byte(ValueTag.List).varint(list.length);
    for (const item of list) writeScalar(w, item);
  } else {
    writeScalar(w, v as PropertyScalar);
  }
}

/** Writes `<count><key id><value>...`. */
export function writeProperties(w: ByteWriter, props: ReadonlyMap<number, PropertyValue>): void {
  w.varint(props.size);
  for (const [keyId, value] of props) {
    w.varint(keyId);
    writeValue(w, value);
  }
}

export function readScalar(r: ByteReader): PropertyScalar {
  const tag = r.byte();
  const buf = r.buf;
  switch (tag) {
    case ValueTag.False:
      return false;
    case ValueTag.True:
      return true;
    case ValueTag.Int8: {
      const v = buf.readInt8(r.pos);
      r.pos += 1;
      return BigInt(v);
    }
    case ValueTag.Int16: {
      const v = buf.readInt16BE(r.pos);
      r.pos += 2;
      return BigInt(v);
    }
    case ValueTag.Int32: {
      const v = buf.readInt32BE(r.pos);
      r.pos += 4;
      return BigInt(v);
    }
    case ValueTag.Int64: {
      const v = buf.readBigInt64BE(r.pos);
      r.pos += 8;
      return v;
    }
    case ValueTag.Float64: {
      const v = buf.readDoubleBE(r.pos);
      r.pos += 8;
      return v;
    }
    case ValueTag.String:
      return r.utf8(r.varint());
    case ValueTag.Temporal: {
      const kind = TEMPORAL_KINDS[r.byte()];
      if (kind === undefined)
        throw new NexusError('INTERNAL_ERROR', 'Corrupt property encoding: temporal kind');
      return temporalDecoder(kind, r.utf8(r.varint()));
    }
    default:
      throw new NexusError('INTERNAL_ERROR', `Corrupt property encoding: tag ${tag}`);
  }
}

export function readValue(r: ByteReader): PropertyValue {
  if (r.buf[r.pos] === ValueTag.List) {
    r.pos++;
    const n = r.varint();
    const out: PropertyScalar[] = new Array<PropertyScalar>(n);
    for (let i = 0; i < n; i++) out[i] = readScalar(r);
    return out;
  }
  return readScalar(r);
}

/** Reads a property map keyed by property-key id. */
export function readPropertiesById(r: ByteReader): Map<number, PropertyValue> {
  const n = r.varint();
  const out = new Map<number, PropertyValue>();
  for (let i = 0; i < n; i++) {
    const keyId = r.varint();
    out.set(keyId, readValue(r));
  }
  return out;
}

/** Reads a property map, naming keys through `nameOf`. */
export function readProperties(r: ByteReader, nameOf: (keyId: number) => string): Map<string, PropertyValue> {
  const n = r.varint();
  const out = new Map<string, PropertyValue>();
  for (let i = 0; i < n; i++) {
    const keyId = r.varint();
    out.set(nameOf(keyId), readValue(r));
  }
  return out;
}

/** Skips one encoded value (scalar or list) without decoding it. */
export function skipValue(r: ByteReader): void {
  let count = 1;
  if (r.buf[r.pos] === ValueTag.List) {
    r.pos++;
    count = r.varint();
  }
  for (let i = 0; i < count; i++) {
    const tag = r.buf[r.pos++];
    switch (tag) {
      case ValueTag.False:
      case ValueTag.True:
        break;
      case ValueTag.Int8:
        r.pos += 1;
        break;
      case ValueTag.Int16:
        r.pos += 2;
        break;
      case ValueTag.Int32:
        r.pos += 4;
        break;
      case ValueTag.Int64:
      case ValueTag.Float64:
        r.pos += 8;
        break;
      case ValueTag.String: {
        // Not `r.pos += r.varint()`: that reads pos before varint() moves it.
        const len = r.varint();
        r.pos += len;
        break;
      }
      case ValueTag.Temporal: {
        r.pos += 1;
        const len = r.varint();
        r.pos += len;
        break;
      }
      default:
        throw new NexusError('INTERNAL_ERROR', `Corrupt property encoding: tag ${tag}`);
    }
  }
}

/**
 * The value of one property in a property map (`<count><key id><value>...` at the
 * reader's position), or null when the map has no such key; other values are skipped
 * undecoded, so reading one property allocates only that property.
 */
export function findProperty(r: ByteReader, keyId: number): PropertyValue | null {
  const n = r.varint();
  for (let i = 0; i < n; i++) {
    if (r.varint() === keyId) return readValue(r);
    skipValue(r);
  }
  return null;
}
