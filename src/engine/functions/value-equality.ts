/**
 * Cypher equality (`=`, three-valued) and equivalence (DISTINCT, grouping, UNION).
 * Same-type scalars are checked first because these run once per row and pair.
 */
import { Node, Path, Relationship, type Value } from '../values.js';
import { isTemporalValue, temporalEquals, temporalKey } from './temporal/index.js';

/** Exact INTEGER = FLOAT: 2^53 + 1 must not equal the float 2^53. */
function intEqualsFloat(i: bigint, f: number): boolean {
  return Number.isInteger(f) && BigInt(f) === i;
}

/**
 * Three-valued `=`. Null on either side gives null; inside lists and maps a null
 * comparison only yields null when no other element already decides `false`
 * (Comparison1 [6]: `[[1], [2]] = [[1], [null]]` is null, `[[1], [2, 3]] = [[1], [null]]` is false).
 */
export function equals(a: Value, b: Value): boolean | null {
  if (a === null || b === null) return null;
  const ta = typeof a;
  const tb = typeof b;
  if (ta === tb && ta !== 'object') return a === b; // NaN !== NaN, as Cypher wants
  if (ta === 'bigint') return tb === 'number' ? intEqualsFloat(a as bigint, b as number) : false;
  if (ta === 'number') return tb === 'bigint' ? intEqualsFloat(b as bigint, a as number) : false;
  if (ta !== 'object' || tb !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b)) return false;
    return listEquals(a as readonly Value[], b as readonly Value[]);
  }
  if (a instanceof Map) {
    if (!(b instanceof Map)) return false;
    return mapEquals(a as ReadonlyMap<string, Value>, b as ReadonlyMap<string, Value>);
  }
  if (a instanceof Node) return b instanceof Node && a.id === b.id;
  if (a instanceof Relationship) return b instanceof Relationship && a.id === b.id;
  if (a instanceof Path) return b instanceof Path && pathEquals(a, b);
  if (isTemporalValue(a)) return isTemporalValue(b) && temporalEquals(a, b);
  return false;
}

function listEquals(a: readonly Value[], b: readonly Value[]): boolean | null {
  if (a.length !== b.length) return false;
  let unknown = false;
  for (let i = 0; i < a.length; i++) {
    const r = equals(a[i] ?? null, b[i] ?? null);
    if (r === false) return false;
    if (r === null) unknown = true;
  }
  return unknown ? null : true;
}

function mapEquals(a: ReadonlyMap<string, Value>, b: ReadonlyMap<string, Value>): boolean | null {
  if (a.size !== b.size) return false;
  for (const k of a.keys()) if (!b.has(k)) return false;
  let unknown = false;
  for (const [k, v] of a) {
    const r = equals(v, b.get(k) ?? null);
    if (r === false) return false;
    if (r === null) unknown = true;
  }
  return unknown ? null : true;
}

function pathEquals(a: Path, b: Path): boolean {
  if (a.nodes.length !== b.nodes.length || a.relationships.length !== b.relationships.length) return false;
  for (let i = 0; i < a.nodes.length; i++) if (a.nodes[i]?.id !== b.nodes[i]?.id) return false;
  for (let i = 0; i < a.relationships.length; i++) {
    if (a.relationships[i]?.id !== b.relationships[i]?.id) return false;
  }
  return true;
}

/** `<>`: the negation of `=`, null stays null. */
export function notEquals(a: Value, b: Value): boolean | null {
  const r = equals(a, b);
  return r === null ? null : !r;
}

/**
 * Key for equivalence classes (DISTINCT, grouping keys, UNION, collect(DISTINCT)).
 * Rule: null ≡ null, NaN ≡ NaN, and an INTEGER and a FLOAT with the same numeric
 * value are one class (`1` ≡ `1.0`), lists/maps element-wise by the same rule, graph
 * entities by id. The TCK has no scenario that mixes 1 and 1.0 under DISTINCT;
 * Return5 [2] "DISTINCT on nullable values" decides null ≡ null, and the numeric rule
 * follows Neo4j, whose grouping uses value equality where 1 = 1.0.
 */
export function groupingKey(v: Value): string {
  switch (typeof v) {
    case 'string':
      return 's' + v;
    case 'bigint':
      return 'i' + v.toString();
    case 'number':
      return floatKey(v);
    case 'boolean':
      return v ? 'T' : 'F';
    default:
      break;
  }
  if (v === null) return '_';
  return nestedKey(v);
}

function floatKey(f: number): string {
  // Integral floats share the INTEGER key so 1.0 groups with 1; the bigint route keeps
  // large values like 2^60 exact.
  if (Number.isInteger(f)) return 'i' + BigInt(f).toString();
  return 'f' + String(f);
}

/** Inside containers strings are JSON-quoted so element boundaries stay unambiguous. */
function nestedKey(v: Value): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v !== 'object' || v === null) return groupingKey(v);
  if (Array.isArray(v)) return '[' + (v as readonly Value[]).map(nestedKey).join(',') + ']';
  if (v instanceof Map) {
    const keys = [...(v as ReadonlyMap<string, Value>).keys()].sort();
    const m = v as ReadonlyMap<string, Value>;
    return '{' + keys.map((k) => JSON.stringify(k) + ':' + nestedKey(m.get(k) ?? null)).join(',') + '}';
  }
  if (v instanceof Node) return 'N' + v.id;
  if (v instanceof Relationship) return 'R' + v.id;
  if (v instanceof Path) {
    return 'P' + v.nodes.map((n) => n.id).join('.') + '/' + v.relationships.map((r) => r.id).join('.');
  }
  if (isTemporalValue(v)) return 'T' + JSON.stringify(temporalKey(v));
  return '?';
}

/** Equivalence as a predicate (same rule as `groupingKey`). */
export function equivalent(a: Value, b: Value): boolean {
  if (a === b) return true;
  return groupingKey(a) === groupingKey(b);
}
