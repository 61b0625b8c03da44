/**
 * Cypher comparison (`<`, `<=`, `>`, `>=`, three-valued) and the total order used by
 * ORDER BY, min() and max(). Numbers compare exactly across INTEGER and FLOAT.
 */
import { Node, Path, Relationship, type Value } from '../values.js';
import { isTemporalValue, temporalCompare, temporalOrderCompare } from './temporal/index.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

/** Exact sign of (i - f) for an INTEGER and a non-NaN FLOAT. */
function compareIntFloat(i: bigint, f: number): number {
  if (i >= MIN_SAFE && i <= MAX_SAFE) {
    const n = Number(i);
    return n < f ? -1 : n > f ? 1 : 0;
  }
  if (f === Infinity) return -1;
  if (f === -Infinity) return 1;
  const fl = Math.floor(f);
  const bf = BigInt(fl);
  if (i < bf) return -1;
  if (i > bf) return 1;
  return fl === f ? 0 : -1;
}

function compareNumbers(a: bigint | number, b: bigint | number): number {
  if (typeof a === 'bigint') {
    if (typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
    if (Number.isNaN(b)) return NaN;
    return compareIntFloat(a, b);
  }
  if (typeof b === 'number') {
    if (a < b) return -1;
    if (a > b) return 1;
    return a === b ? 0 : NaN;
  }
  if (Number.isNaN(a)) return NaN;
  return 0 - compareIntFloat(b, a); // `0 -` avoids returning -0
}

/** A UTF-16 unit at or above U+D800: a surrogate, or a character in U+E000–U+FFFF. */
const HIGH_UNIT = /[\ud800-\uffff]/;

/**
 * Strings compare by Unicode code point, as the property index (UTF-8 byte order) and
 * Neo4j do. JavaScript's `<` compares UTF-16 units, which puts a supplementary character
 * (an emoji, a surrogate pair) *below* U+E000–U+FFFF (fullwidth forms, private use): a
 * range query then answered differently with and without an index. The two orders differ
 * only where the first differing units are both >= U+D800, so plain `<` is exact unless
 * both strings hold such a unit.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  if (!HIGH_UNIT.test(a) || !HIGH_UNIT.test(b)) return a < b ? -1 : 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates (U+D800–U+DFFF) move above U+E000–U+FFFF: code point order.
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

/**
 * Sign of a - b for `<` and friends, or null when the values are incomparable (different
 * types, maps, graph entities, or a null anywhere that matters). A NaN operand gives
 * NaN so that every `c < 0`-style test the caller makes is false, as Cypher requires
 * (`NaN > 1` is false, not null).
 */
export function compare(a: Value, b: Value): number | null {
  const ta = typeof a;
  const tb = typeof b;
  if (ta === 'string' && tb === 'string') return compareStrings(a as string, b as string);
  if ((ta === 'bigint' || ta === 'number') && (tb === 'bigint' || tb === 'number')) {
    return compareNumbers(a as bigint | number, b as bigint | number);
  }
  if (a === null || b === null) return null;
  if (ta === 'boolean' && tb === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (Array.isArray(a) && Array.isArray(b)) return compareLists(a as readonly Value[], b as readonly Value[]);
  if (isTemporalValue(a) && isTemporalValue(b)) return temporalCompare(a, b);
  return null;
}

function compareLists(a: readonly Value[], b: readonly Value[]): number | null {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compare(a[i] ?? null, b[i] ?? null);
    if (c === null) return null;
    if (c !== 0) return c;
  }
  return a.length - b.length < 0 ? -1 : a.length > b.length ? 1 : 0;
}

function cmpResult(c: number | null, test: (c: number) => boolean): boolean | null {
  return c === null ? null : test(c);
}

export function lessThan(a: Value, b: Value): boolean | null {
  return cmpResult(compare(a, b), (c) => c < 0);
}
export function lessThanOrEqual(a: Value, b: Value): boolean | null {
  return cmpResult(compare(a, b), (c) => c <= 0);
}
export function greaterThan(a: Value, b: Value): boolean | null {
  return cmpResult(compare(a, b), (c) => c > 0);
}
export function greaterThanOrEqual(a: Value, b: Value): boolean | null {
  return cmpResult(compare(a, b), (c) => c >= 0);
}

/**
 * Rank of each type in the ascending ORDER BY order, as ReturnOrderBy1 [11]/[12] expect:
 * MAP < NODE < RELATIONSHIP < LIST < PATH < STRING < BOOLEAN < NUMBER < null.
 */
function orderRank(v: Value): number {
  switch (typeof v) {
    case 'string':
      return 5;
    case 'boolean':
      return 6;
    case 'bigint':
    case 'number':
      return 7;
    default:
      break;
  }
  if (v === null) return 8;
  if (Array.isArray(v)) return 3;
  if (v instanceof Map) return 0;
  if (v instanceof Node) return 1;
  if (v instanceof Relationship) return 2;
  if (v instanceof Path) return 4;
  // Temporals sort after paths and before strings (openCypher / Neo4j ORDER BY).
  if (isTemporalValue(v)) return 4.5;
  return 0;
}

/**
 * Total order for sorting (ascending): negative, zero or positive, never null. NaN sorts
 * above every other number; 1 and 1.0 tie.
 */
export function orderCompare(a: Value, b: Value): number {
  const ta = typeof a;
  const tb = typeof b;
  if (ta === 'string' && tb === 'string') return compareStrings(a as string, b as string);
  if ((ta === 'bigint' || ta === 'number') && (tb === 'bigint' || tb === 'number')) {
    const c = compareNumbers(a as bigint | number, b as bigint | number);
    if (!Number.isNaN(c)) return c;
    const an = ta === 'number' && Number.isNaN(a);
    const bn = tb === 'number' && Number.isNaN(b);
    return an === bn ? 0 : an ? 1 : -1;
  }
  const ra = orderRank(a);
  const rb = orderRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 6:
      return a === b ? 0 : a ? 1 : -1;
    case 3:
      return orderLists(a as readonly Value[], b as readonly Value[]);
    case 0:
      return orderMaps(a as ReadonlyMap<string, Value>, b as ReadonlyMap<string, Value>);
    case 1:
      return (a as Node).id - (b as Node).id;
    case 2:
      return (a as Relationship).id - (b as Relationship).id;
    case 4:
      return orderPaths(a as Path, b as Path);
    case 4.5:
      return isTemporalValue(a) && isTemporalValue(b) ? temporalOrderCompare(a, b) : 0;
    default:
      return 0; // both null
  }
}

function orderLists(a: readonly Value[], b: readonly Value[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = orderCompare(a[i] ?? null, b[i] ?? null);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** Maps: by size, then by their sorted keys, then by the values in key order. */
function orderMaps(a: ReadonlyMap<string, Value>, b: ReadonlyMap<string, Value>): number {
  if (a.size !== b.size) return a.size - b.size;
  const ka = [...a.keys()].sort();
  const kb = [...b.keys()].sort();
  for (let i = 0; i < ka.length; i++) {
    const x = ka[i]!;
    const y = kb[i]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  for (const k of ka) {
    const c = orderCompare(a.get(k) ?? null, b.get(k) ?? null);
    if (c !== 0) return c;
  }
  return 0;
}

function orderPaths(a: Path, b: Path): number {
  const n = Math.min(a.nodes.length, b.nodes.length);
  for (let i = 0; i < n; i++) {
    const c = a.nodes[i]!.id - b.nodes[i]!.id;
    if (c !== 0) return c;
    const ra = a.relationships[i];
    const rb = b.relationships[i];
    if (ra && rb && ra.id !== rb.id) return ra.id - rb.id;
  }
  return a.nodes.length - b.nodes.length;
}
