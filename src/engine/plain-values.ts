/**
 * Plain JavaScript values at the embedded API's edges.
 *
 * In: `Nexus.execute` parameters may hold plain objects and arrays at any depth; a plain
 * object (prototype `Object.prototype` or `null`) is a Cypher MAP, an array a LIST,
 * `undefined` is NULL. Numbers keep the engine's value model, the same in both directions:
 * a JS `number` is a FLOAT and a `bigint` an INTEGER (results come back the same way), so
 * any result value can be passed back as a parameter unchanged. `1` is therefore the FLOAT
 * 1.0 — pass `1n` for the INTEGER, or convert JSON-shaped data with `jsonParams`, which
 * applies the HTTP API's lossless JSON scheme (an integral number is an INTEGER).
 *
 * Plain objects are looked for down to 256 levels of nesting.
 *
 * Out: `toPlainJson` / `resultToPlainJson` turn results into plain JSON values in that
 * same lossless scheme, so `JSON.stringify` works and the text reads back exactly.
 */
import { NexusError } from '../errors.js';
import { jsonToParams } from './json-values.js';
import {
  Node,
  Path,
  Relationship,
  isTemporal,
  type QueryResult,
  type QueryStats,
  type Value,
} from './values.js';

const MAX_DEPTH = 256;

/** What `Nexus.execute` accepts as a parameter value: Cypher values, plain objects and arrays. */
export type ParamValue = Value | undefined | readonly ParamValue[] | { readonly [key: string]: ParamValue };

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function bad(path: string, what: string): NexusError {
  return new NexusError('INVALID_PARAMETER', `${path}: ${what} cannot be a Cypher value`);
}

/** True when `v` (a parameter) holds a plain object, `undefined` or a non-Value somewhere. */
function needsConversion(v: unknown, depth: number): boolean {
  if (v === undefined) return true;
  if (typeof v !== 'object' || v === null) return false;
  // Deeper than any plain object is looked for: left to the engine as it is (its memory
  // cap answers a 100,000-deep list, not a stack overflow here).
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(v)) {
    for (const item of v) if (needsConversion(item, depth + 1)) return true;
    return false;
  }
  if (v instanceof Map) {
    for (const item of v.values()) if (needsConversion(item, depth + 1)) return true;
    return false;
  }
  // Graph entities and temporals pass; plain objects are converted; anything else is refused.
  return !(v instanceof Node || v instanceof Relationship || v instanceof Path || isTemporal(v as Value));
}

function convert(v: unknown, path: string, depth: number): Value {
  switch (typeof v) {
    case 'undefined':
      return null;
    case 'bigint':
    case 'number':
    case 'string':
    case 'boolean':
      return v;
    case 'object':
      break;
    default:
      throw bad(path, `a ${typeof v}`);
  }
  if (v === null) return null;
  if (depth >= MAX_DEPTH) throw bad(path, `a value nested deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(v)) return v.map((item, i) => convert(item, `${path}[${i}]`, depth + 1));
  if (v instanceof Map) {
    const out = new Map<string, Value>();
    for (const [k, item] of v as Map<unknown, unknown>) {
      if (typeof k !== 'string') throw bad(`${path}`, 'a map with a non-string key');
      out.set(k, convert(item, `${path}.${k}`, depth + 1));
    }
    return out;
  }
  if (v instanceof Node || v instanceof Relationship || v instanceof Path || isTemporal(v as Value))
    return v as Value;
  if (isPlainObject(v)) {
    const out = new Map<string, Value>();
    for (const k of Object.keys(v)) out.set(k, convert(v[k], `${path}.${k}`, depth + 1));
    return out;
  }
  throw bad(path, `an object of class ${(v as object).constructor?.name ?? 'unknown'}`);
}

/** A parameter value with plain objects / arrays / undefined turned into Cypher values. */
export function fromPlainJs(v: unknown, path: string): Value {
  return needsConversion(v, 0) ? convert(v, path, 0) : (v as Value);
}

/**
 * Query parameters from JSON-shaped data (e.g. `JSON.parse` output) under the HTTP API's
 * lossless scheme: an integral number is an INTEGER, any other number a FLOAT, and the
 * `{"$int": "…"}` / `{"$float": "…"}` escapes decode.
 */
export function jsonParams(params: unknown): Record<string, Value> {
  return jsonToParams(params);
}

/** Plain JSON in the lossless scheme; integral FLOATs become `{"$float": "1.0"}`. */
export type PlainJson = null | boolean | number | string | PlainJson[] | { [key: string]: PlainJson };

function floatJson(x: number): PlainJson {
  if (Number.isNaN(x)) return { $float: 'NaN' };
  if (x === Infinity) return { $float: 'Infinity' };
  if (x === -Infinity) return { $float: '-Infinity' };
  if (Number.isInteger(x)) {
    const s = Object.is(x, -0) ? '-0' : String(x);
    return { $float: s.includes('e') ? s : `${s}.0` };
  }
  return x;
}

function mapJson(m: ReadonlyMap<string, Value>): { [key: string]: PlainJson } {
  const out: { [key: string]: PlainJson } = {};
  // defineProperty: a key named `__proto__` stays an own key.
  for (const [k, v] of m)
    Object.defineProperty(out, k, {
      value: toPlainJson(v),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}

function nodeJson(n: Node): PlainJson {
  return { id: n.id, labels: [...n.labels], properties: mapJson(n.properties) };
}

function relJson(r: Relationship): PlainJson {
  return { id: r.id, type: r.type, start: r.start, end: r.end, properties: mapJson(r.properties) };
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** One Cypher value as plain JSON (the lossless scheme of docs/API.md). */
export function toPlainJson(v: Value): PlainJson {
  switch (typeof v) {
    case 'bigint':
      return v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : { $int: v.toString() };
    case 'number':
      return floatJson(v);
    case 'string':
    case 'boolean':
      return v;
    default:
      break;
  }
  if (v === null) return null;
  if (Array.isArray(v)) return (v as readonly Value[]).map(toPlainJson);
  if (v instanceof Map) return mapJson(v);
  if (v instanceof Node) return nodeJson(v);
  if (v instanceof Relationship) return relJson(v);
  if (v instanceof Path) return { nodes: v.nodes.map(nodeJson), relationships: v.relationships.map(relJson) };
  if (isTemporal(v)) return v.toString();
  throw new NexusError('INTERNAL_ERROR', 'Cannot convert an unknown value object');
}

export interface PlainJsonResult {
  columns: string[];
  rows: PlainJson[][];
  stats: QueryStats;
}

/** A query result as plain JSON: `JSON.stringify(resultToPlainJson(r))` is the HTTP body shape. */
export function resultToPlainJson(result: QueryResult): PlainJsonResult {
  return {
    columns: [...result.columns],
    rows: result.rows.map((row) => row.map(toPlainJson)),
    stats: { ...result.stats },
  };
}
