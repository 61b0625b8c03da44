/**
 * `NexusValue`, the RPC value type, in its externally tagged MessagePack form: `"Null"`
 * or a one-key map `{Bool|Int|Float|Bytes|Str|Array|Map: payload}`, a Map being an array
 * of `[key, value]` pairs. `toEngineValue` turns a decoded argument into an engine value
 * (integers exact as bigint, floats as number); `writeValue` writes an engine value in the
 * tagged form, with graph entities as the maps REST returns: a node is
 * `{id, labels, properties}`, a relationship `{id, type, start, end, properties}`, a path
 * `{nodes, relationships}`, a temporal its ISO string.
 */
import { NexusError } from '../errors.js';
import { isTemporal, Node, Path, Relationship, type Value } from '../engine/values.js';
import type { ResponseWriter } from './rpc-codec.js';

function bad(path: string, message: string): NexusError {
  return new NexusError('INVALID_PARAMETER', `${path}: ${message}`, { details: { path } });
}

/** The tag and payload of a decoded NexusValue; bare MessagePack values are accepted untagged. */
function untag(raw: unknown, path: string): [string, unknown] {
  if (raw === 'Null' || raw === null || raw === undefined) return ['Null', null];
  switch (typeof raw) {
    case 'boolean':
      return ['Bool', raw];
    case 'bigint':
      return ['Int', raw];
    case 'number':
      return [Number.isInteger(raw) ? 'Int' : 'Float', raw];
    case 'string':
      return ['Str', raw];
    case 'object':
      break;
    default:
      throw bad(path, `unsupported value of type ${typeof raw}`);
  }
  if (raw instanceof Uint8Array) return ['Bytes', raw];
  if (Array.isArray(raw)) return ['Array', raw];
  const keys = Object.keys(raw);
  if (keys.length !== 1) throw bad(path, 'a NexusValue is "Null" or a map with exactly one tag');
  const tag = keys[0]!;
  return [tag, (raw as Record<string, unknown>)[tag]];
}

/** A decoded NexusValue as an engine value (query parameters, properties). */
export function toEngineValue(raw: unknown, path = 'value'): Value {
  const [tag, payload] = untag(raw, path);
  switch (tag) {
    case 'Null':
      return null;
    case 'Bool':
      if (typeof payload !== 'boolean') throw bad(path, 'Bool payload must be a boolean');
      return payload;
    case 'Int':
      if (typeof payload === 'bigint') return payload;
      if (typeof payload === 'number' && Number.isSafeInteger(payload)) return BigInt(payload);
      throw bad(path, 'Int payload must be an integer');
    case 'Float':
      if (typeof payload === 'number') return payload;
      if (typeof payload === 'bigint') return Number(payload);
      throw bad(path, 'Float payload must be a number');
    case 'Str':
      if (typeof payload !== 'string') throw bad(path, 'Str payload must be a string');
      return payload;
    case 'Bytes':
      throw bad(path, 'Bytes values are not supported as Cypher values (send a list of integers)');
    case 'Array': {
      if (!Array.isArray(payload)) throw bad(path, 'Array payload must be an array');
      return payload.map((item, i) => toEngineValue(item, `${path}[${i}]`));
    }
    case 'Map': {
      if (!Array.isArray(payload)) throw bad(path, 'Map payload must be an array of [key, value] pairs');
      const out = new Map<string, Value>();
      for (const pair of payload) {
        if (!Array.isArray(pair) || pair.length !== 2) throw bad(path, 'a Map entry is a [key, value] pair');
        const key = toEngineValue(pair[0], `${path} key`);
        if (typeof key !== 'string') throw bad(path, 'Map keys must be Str');
        out.set(key, toEngineValue(pair[1], `${path}.${key}`));
      }
      return out;
    }
    default:
      throw bad(path, `unknown NexusValue tag '${tag}'`);
  }
}

/** A decoded Map argument as parameters (`null`/absent = none). */
export function toParams(raw: unknown, path = 'params'): Map<string, Value> {
  if (raw === undefined) return new Map();
  const value = toEngineValue(raw, path);
  if (value === null) return new Map();
  if (!(value instanceof Map)) throw bad(path, 'must be a Map');
  return value as Map<string, Value>;
}

/** The string of a Str argument, or INVALID_PARAMETER. */
export function argString(args: readonly unknown[], i: number, name: string): string {
  const v = args[i] === undefined ? undefined : toEngineValue(args[i], name);
  if (typeof v !== 'string') throw bad(name, 'must be a Str');
  return v;
}

/** The integer of an Int argument (a safe integer), or INVALID_PARAMETER. */
export function argInt(args: readonly unknown[], i: number, name: string): number {
  const v = args[i] === undefined ? undefined : toEngineValue(args[i], name);
  if (typeof v !== 'bigint' || v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw bad(name, 'must be a non-negative Int');
  }
  return Number(v);
}

function tag(w: ResponseWriter, name: string): void {
  w.mapHeader(1);
  w.str(name);
}

/** Writes `{"Str": s}`. */
export function writeStr(w: ResponseWriter, s: string): void {
  tag(w, 'Str');
  w.str(s);
}

/** Writes `{"Int": n}`. */
export function writeInt(w: ResponseWriter, n: number | bigint): void {
  tag(w, 'Int');
  w.int(n);
}

/** Writes the header of `{"Map": [...]}` with `n` entries; each entry is `arrayHeader(2)`, key, value. */
export function writeMapHeader(w: ResponseWriter, n: number): void {
  tag(w, 'Map');
  w.arrayHeader(n);
}

/** Writes one `[Str(key), …]` map entry's key; the caller writes the value. */
export function writeKey(w: ResponseWriter, key: string): void {
  w.arrayHeader(2);
  writeStr(w, key);
}

/** Writes `{"Float": x}` (a float even when integral). */
export function writeFloat(w: ResponseWriter, x: number): void {
  tag(w, 'Float');
  w.float(x);
}

export function writeArrayHeader(w: ResponseWriter, n: number): void {
  tag(w, 'Array');
  w.arrayHeader(n);
}

function writeProps(w: ResponseWriter, props: ReadonlyMap<string, Value>): void {
  writeMapHeader(w, props.size);
  for (const [k, v] of props) {
    writeKey(w, k);
    writeValue(w, v);
  }
}

function writeNode(w: ResponseWriter, n: Node): void {
  writeMapHeader(w, 3);
  writeKey(w, 'id');
  writeInt(w, n.id);
  writeKey(w, 'labels');
  writeArrayHeader(w, n.labels.length);
  for (const l of n.labels) writeStr(w, l);
  writeKey(w, 'properties');
  writeProps(w, n.properties);
}

function writeRelationship(w: ResponseWriter, r: Relationship): void {
  writeMapHeader(w, 5);
  writeKey(w, 'id');
  writeInt(w, r.id);
  writeKey(w, 'type');
  writeStr(w, r.type);
  writeKey(w, 'start');
  writeInt(w, r.start);
  writeKey(w, 'end');
  writeInt(w, r.end);
  writeKey(w, 'properties');
  writeProps(w, r.properties);
}

/** Writes an engine value as a tagged NexusValue. */
export function writeValue(w: ResponseWriter, v: Value): void {
  switch (typeof v) {
    case 'bigint':
      return writeInt(w, v);
    case 'number':
      tag(w, 'Float');
      return w.float(v);
    case 'string':
      return writeStr(w, v);
    case 'boolean':
      tag(w, 'Bool');
      return w.bool(v);
    default:
      break;
  }
  if (v === null) return w.str('Null');
  if (Array.isArray(v)) {
    writeArrayHeader(w, v.length);
    for (const item of v as readonly Value[]) writeValue(w, item);
    return;
  }
  if (v instanceof Map) return writeProps(w, v as ReadonlyMap<string, Value>);
  if (v instanceof Node) return writeNode(w, v);
  if (v instanceof Relationship) return writeRelationship(w, v);
  if (v instanceof Path) {
    writeMapHeader(w, 2);
    writeKey(w, 'nodes');
    writeArrayHeader(w, v.nodes.length);
    for (const n of v.nodes) writeNode(w, n);
    writeKey(w, 'relationships');
    writeArrayHeader(w, v.relationships.length);
    for (const r of v.relationships) writeRelationship(w, r);
    return;
  }
  if (isTemporal(v)) return writeStr(w, v.toString());
  throw new NexusError('INTERNAL_ERROR', 'Cannot encode an unknown value object');
}

/** Writes a plain JSON-like value (results built by commands, not by the engine). */
export function writePlain(w: ResponseWriter, v: unknown): void {
  if (v === null || v === undefined) return w.str('Null');
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return writeInt(w, v);
    tag(w, 'Float');
    return w.float(v);
  }
  if (typeof v === 'string' || typeof v === 'bigint' || typeof v === 'boolean') return writeValue(w, v);
  if (Array.isArray(v)) {
    writeArrayHeader(w, v.length);
    for (const item of v) writePlain(w, item);
    return;
  }
  if (v instanceof Uint8Array) {
    tag(w, 'Bytes');
    return w.bytes(v);
  }
  if (v instanceof Map || v instanceof Node || v instanceof Relationship || v instanceof Path) {
    return writeValue(w, v as Value);
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    writeMapHeader(w, entries.length);
    for (const [k, item] of entries) {
      writeKey(w, k);
      writePlain(w, item);
    }
    return;
  }
  throw new NexusError('INTERNAL_ERROR', `Cannot encode a value of type ${typeof v}`);
}
