/**
 * Cypher values <-> JSON, losslessly, shared by every transport (REST in src/server, MCP in
 * src/mcp), so there is one serialisation scheme (documented in docs/API.md):
 * - INTEGER within ±(2^53-1) → a JSON number without fraction (`42`); beyond → `{"$int":"…"}`.
 * - FLOAT → a JSON number that always has a fraction or exponent (`1.0`, `2.5`, `1e+300`);
 *   NaN / ±Infinity → `{"$float":"NaN"}` / `{"$float":"Infinity"}` / `{"$float":"-Infinity"}`.
 * - nodes, relationships, paths → objects; maps → objects; lists → arrays.
 * Input (params, properties) is the mirror image: integral JSON numbers are INTEGER, others
 * FLOAT, and the escapes decode. Output is produced as text directly because
 * JSON.stringify can write neither bigint nor `1.0`.
 * (Moved here from src/server/serialize.ts, which should re-export it.)
 */
import { NexusError } from '../errors.js';
import { Node, Path, Relationship, emptyStats, isTemporal, type Value, type QueryStats } from './values.js';
import type {
  NodeRecord,
  PropertyMap,
  PropertyScalar,
  PropertyValue,
  RelationshipRecord,
} from '../storage/types.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

export function serializeInteger(n: bigint): string {
  return n >= MIN_SAFE && n <= MAX_SAFE ? n.toString() : `{"$int":"${n.toString()}"}`;
}

export function serializeFloat(x: number): string {
  if (Number.isNaN(x)) return '{"$float":"NaN"}';
  if (x === Infinity) return '{"$float":"Infinity"}';
  if (x === -Infinity) return '{"$float":"-Infinity"}';
  if (Number.isInteger(x)) {
    if (Object.is(x, -0)) return '-0.0';
    const s = String(x);
    return s.includes('e') ? s : `${s}.0`;
  }
  return String(x);
}

function serializeMap(map: ReadonlyMap<string, Value>): string {
  let out = '{';
  let first = true;
  for (const [k, v] of map) {
    if (!first) out += ',';
    first = false;
    out += JSON.stringify(k) + ':' + serializeValue(v);
  }
  return out + '}';
}

function serializeNode(n: {
  id: number;
  labels: readonly string[];
  properties: ReadonlyMap<string, Value>;
}): string {
  return `{"id":${n.id},"labels":${JSON.stringify(n.labels)},"properties":${serializeMap(n.properties)}}`;
}

function serializeRelationship(r: {
  id: number;
  type: string;
  start: number;
  end: number;
  properties: ReadonlyMap<string, Value>;
}): string {
  return (
    `{"id":${r.id},"type":${JSON.stringify(r.type)},"start":${r.start},"end":${r.end},` +
    `"properties":${serializeMap(r.properties)}}`
  );
}

/** One Cypher value as JSON text. */
export function serializeValue(v: Value): string {
  switch (typeof v) {
    case 'bigint':
      return serializeInteger(v);
    case 'number':
      return serializeFloat(v);
    case 'string':
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      break;
    default:
      throw new NexusError('INTERNAL_ERROR', `Cannot serialise a value of type ${typeof v}`);
  }
  if (v === null) return 'null';
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i === 0 ? '' : ',') + serializeValue(v[i] as Value);
    return out + ']';
  }
  if (v instanceof Map) return serializeMap(v);
  if (v instanceof Node) return serializeNode(v);
  if (v instanceof Relationship) return serializeRelationship(v);
  if (v instanceof Path) {
    return (
      `{"nodes":[${v.nodes.map(serializeNode).join(',')}],` +
      `"relationships":[${v.relationships.map(serializeRelationship).join(',')}]}`
    );
  }
  // Temporals are their ISO text (`"2015-07-21T21:40:32.142+01:00[Europe/London]"`, `"P14DT16H12M"`).
  if (isTemporal(v)) return JSON.stringify(v.toString());
  throw new NexusError('INTERNAL_ERROR', 'Cannot serialise an unknown value object');
}

export function serializeNodeRecord(n: NodeRecord): string {
  return serializeNode(n);
}

export function serializeRelationshipRecord(r: RelationshipRecord): string {
  return serializeRelationship(r);
}

/** The body of a successful POST /cypher, assembled as text. */
export function serializeQueryResult(
  columns: readonly string[],
  rows: readonly (readonly Value[])[],
  executionTimeMs: number,
  stats: QueryStats,
): string {
  let out = `{"columns":${columnsJson(columns)},"rows":[`;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    out += r === 0 ? '[' : ',[';
    for (let c = 0; c < row.length; c++) out += (c === 0 ? '' : ',') + serializeValue(row[c]!);
    out += ']';
  }
  // Integer milliseconds (upstream SDKs parse an integer); the exact figure alongside.
  return (
    out +
    `],"execution_time_ms":${Math.round(executionTimeMs)},"execution_time_ms_precise":${executionTimeMs},` +
    `"stats":${statsJson(stats)}}`
  );
}

/** Column lists are the compiled plan's own array, reused by every run of a cached plan. */
const columnsCache = new WeakMap<readonly string[], string>();

function columnsJson(columns: readonly string[]): string {
  let json = columnsCache.get(columns);
  if (json === undefined) {
    json = JSON.stringify(columns);
    columnsCache.set(columns, json);
  }
  return json;
}

const EMPTY_STATS_KEYS = Object.keys(emptyStats());
const EMPTY_STATS_JSON = JSON.stringify(emptyStats());

/** Most queries change nothing: their stats, in emptyStats' key order, are one constant. */
function statsJson(stats: QueryStats): string {
  const keys = Object.keys(stats);
  if (keys.length === EMPTY_STATS_KEYS.length) {
    let zero = true;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] !== EMPTY_STATS_KEYS[i] || (stats as unknown as Record<string, unknown>)[keys[i]!] !== 0) {
        zero = false;
        break;
      }
    }
    if (zero) return EMPTY_STATS_JSON;
  }
  return JSON.stringify(stats);
}

// ---------------------------------------------------------------------------------------
// Input

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(path: string, message: string): NexusError {
  return new NexusError('INVALID_BODY', `${path}: ${message}`, { details: { path } });
}

/** Decodes `{"$int":"…"}` / `{"$float":"…"}`; undefined when `obj` is not an escape. */
function decodeEscape(obj: Record<string, unknown>, path: string): bigint | number | undefined {
  const keys = Object.keys(obj);
  if (keys.length !== 1) return undefined;
  const key = keys[0]!;
  const raw = obj[key];
  if (key === '$int') {
    if (typeof raw !== 'string' || !/^-?\d+$/.test(raw)) throw bad(path, '$int must be a string of digits');
    const n = BigInt(raw);
    if (n > INT64_MAX || n < INT64_MIN) throw bad(path, `integer ${raw} is outside the 64-bit range`);
    return n;
  }
  if (key === '$float') {
    if (raw === 'NaN') return NaN;
    if (raw === 'Infinity' || raw === '+Infinity') return Infinity;
    if (raw === '-Infinity') return -Infinity;
    if (typeof raw !== 'string' || !/^-?\d+(\.\d*)?([eE][+-]?\d+)?$/.test(raw)) {
      throw bad(path, '$float must be a decimal number, NaN, Infinity or -Infinity');
    }
    return Number(raw);
  }
  return undefined;
}

function numberToValue(x: number, path: string): bigint | number {
  if (Number.isInteger(x)) {
    if (!Number.isSafeInteger(x)) throw bad(path, 'integer is outside the exact range; use {"$int":"…"}');
    return BigInt(x);
  }
  return x;
}

/**
 * Nesting bound for parameter values: the conversion recurses, so an attacker's
 * 50 000-deep `[[[…]]]` would otherwise overflow the stack (a 500) instead of a 400.
 */
export const MAX_JSON_VALUE_DEPTH = 256;

/** A parsed JSON value as a Cypher value (query parameters). */
export function jsonToValue(v: unknown, path = 'params', depth = 0): Value {
  switch (typeof v) {
    case 'number':
      return numberToValue(v, path);
    case 'string':
    case 'boolean':
      return v;
    case 'object':
      break;
    default:
      throw bad(path, `unsupported JSON value`);
  }
  if (v === null) return null;
  if (depth >= MAX_JSON_VALUE_DEPTH) throw bad(path, `nested deeper than ${MAX_JSON_VALUE_DEPTH} levels`);
  if (Array.isArray(v)) return v.map((item, i) => jsonToValue(item, `${path}[${i}]`, depth + 1));
  const obj = v as Record<string, unknown>;
  const escaped = decodeEscape(obj, path);
  if (escaped !== undefined) return escaped;
  const map = new Map<string, Value>();
  for (const key of Object.keys(obj)) map.set(key, jsonToValue(obj[key], `${path}.${key}`, depth + 1));
  return map;
}

/**
 * Query parameters: a JSON object → name → value. The record has no prototype, so any
 * name — `__proto__`, `constructor`, `toString` — is an own entry like every other, never
 * a prototype change nor an inherited name.
 */
export function jsonToParams(v: unknown): Record<string, Value> {
  const out = Object.create(null) as Record<string, Value>;
  if (v === undefined || v === null) return out;
  if (!isPlainObject(v)) throw bad('params', 'must be an object');
  for (const key of Object.keys(v)) out[key] = jsonToValue(v[key], `params.${key}`);
  return out;
}

function toScalar(v: unknown, path: string): PropertyScalar {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return numberToValue(v, path);
  if (isPlainObject(v)) {
    const escaped = decodeEscape(v, path);
    if (escaped !== undefined) return escaped;
  }
  throw bad(path, 'a property value must be a boolean, number, string or a list of those');
}

/**
 * A property map from JSON. `null` values are kept only when `keepNulls` (PATCH: null
 * removes the property); elsewhere they are dropped, as Cypher's SET/CREATE do.
 */
export function jsonToProperties(
  v: unknown,
  path = 'properties',
  keepNulls = false,
): Map<string, PropertyValue | null> {
  const out = new Map<string, PropertyValue | null>();
  if (v === undefined) return out;
  if (!isPlainObject(v)) throw bad(path, 'must be an object');
  for (const key of Object.keys(v)) {
    const item = v[key];
    const itemPath = `${path}.${key}`;
    if (item === null) {
      if (keepNulls) out.set(key, null);
      continue;
    }
    if (Array.isArray(item)) {
      out.set(
        key,
        item.map((x, i) => toScalar(x, `${itemPath}[${i}]`)),
      );
    } else {
      out.set(key, toScalar(item, itemPath));
    }
  }
  return out;
}

/** Same as `jsonToProperties` without nulls, typed as a storage `PropertyMap`. */
export function jsonToPropertyMap(v: unknown, path = 'properties'): PropertyMap {
  return jsonToProperties(v, path, false) as Map<string, PropertyValue>;
}
