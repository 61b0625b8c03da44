/**
 * Element access: `x IN list`, `list[i]`, `map[key]`, `entity[key]`, `entity.key`,
 * `map.key` and `list[a..b]`. Node and relationship properties are read through
 * `ctx.graph` because the snapshots on the values may be stale after SET.
 */
import { Node, Relationship, type Value } from '../values.js';
import type { FunctionContext } from './function-context.js';
import { typeError } from './errors.js';
import { equals } from './value-equality.js';
import { typeName } from './type-name.js';
import { isTemporalValue, temporalProperty } from './temporal/index.js';

/**
 * Three-valued IN: true if some element equals `x`; otherwise null if some comparison
 * was unknown (List5 [25]); otherwise false. A null list gives null.
 */
export function inList(x: Value, list: Value): boolean | null {
  if (list === null) return null;
  if (!Array.isArray(list)) {
    throw typeError('InvalidArgumentType', `IN expects a LIST on the right, got ${typeName(list)}`);
  }
  const items = list as readonly Value[];
  if (x === null) return items.length === 0 ? false : null;
  let unknown = false;
  const tx = typeof x;
  for (const item of items) {
    // Same-type scalar fast path avoids the general equality dispatch.
    if (typeof item === tx && tx !== 'object') {
      if (item === x) return true;
      continue;
    }
    const r = equals(x, item);
    if (r === true) return true;
    if (r === null) unknown = true;
  }
  return unknown ? null : false;
}

/** `n.key` / `r.key` / `map.key`; null for a null target or a missing key. */
export function propertyAccess(target: Value, key: string, ctx: FunctionContext): Value {
  if (target === null) return null;
  if (target instanceof Map) return (target as ReadonlyMap<string, Value>).get(key) ?? null;
  if (target instanceof Node) return ctx.graph.nodeProperties(target).get(key) ?? null;
  if (target instanceof Relationship) return ctx.graph.relationshipProperties(target).get(key) ?? null;
  if (isTemporalValue(target)) return temporalProperty(target, key);
  throw typeError('InvalidArgumentType', `cannot read property '${key}' of ${typeName(target)}`);
}

function listIndex(list: readonly Value[], index: Value): Value {
  if (typeof index !== 'bigint') {
    throw typeError('InvalidArgumentType', `list index must be an INTEGER, got ${typeName(index)}`);
  }
  const len = BigInt(list.length);
  const i = index < 0n ? index + len : index;
  if (i < 0n || i >= len) return null;
  return list[Number(i)] ?? null;
}

/**
 * `container[index]`: lists by INTEGER (negative counts from the end, out of range is
 * null), maps and graph entities by STRING (MapElementAccessByNonString otherwise).
 */
export function indexAccess(container: Value, index: Value, ctx: FunctionContext): Value {
  if (container === null || index === null) return null;
  if (Array.isArray(container)) return listIndex(container as readonly Value[], index);
  if (container instanceof Map || container instanceof Node || container instanceof Relationship) {
    if (typeof index !== 'string') {
      throw typeError(
        'MapElementAccessByNonString',
        `${typeName(container)} element access needs a STRING key, got ${typeName(index)}`,
      );
    }
    return propertyAccess(container, index, ctx);
  }
  throw typeError('InvalidArgumentType', `cannot index into ${typeName(container)}`);
}

function sliceBound(v: Value, len: number): number {
  if (typeof v !== 'bigint') {
    throw typeError('InvalidArgumentType', `list slice bound must be an INTEGER, got ${typeName(v)}`);
  }
  const l = BigInt(len);
  let i = v < 0n ? v + l : v;
  if (i < 0n) i = 0n;
  if (i > l) i = l;
  return Number(i);
}

/**
 * `list[from..to]`, end exclusive; `undefined` means the bound was omitted. A null list
 * or null bound gives null (List2 [9]); out-of-range bounds are clamped.
 */
export function sliceList(list: Value, from: Value | undefined, to: Value | undefined): Value {
  if (list === null || from === null || to === null) return null;
  if (!Array.isArray(list)) {
    throw typeError('InvalidArgumentType', `cannot slice ${typeName(list)}`);
  }
  const items = list as readonly Value[];
  const start = from === undefined ? 0 : sliceBound(from, items.length);
  const end = to === undefined ? items.length : sliceBound(to, items.length);
  return start >= end ? [] : items.slice(start, end);
}
