/**
 * Coarse static types for compile-time checks. A type is the set of runtime types an
 * expression may evaluate to (a bit mask), plus the element type for lists. Analysis
 * only reports an error when a type is *definitely* wrong (no overlap with what an
 * operation accepts), so an unknown type (`ANY`) never causes a false error.
 */

export const T_NULL = 1;
export const T_BOOLEAN = 2;
export const T_INTEGER = 4;
export const T_FLOAT = 8;
export const T_STRING = 16;
export const T_LIST = 32;
export const T_MAP = 64;
export const T_NODE = 128;
export const T_RELATIONSHIP = 256;
export const T_PATH = 512;
/** Dates, times and durations. */
export const T_TEMPORAL = 1024;
export const T_POINT = 2048;
export const T_NUMBER = T_INTEGER | T_FLOAT;
export const T_ANY_MASK = 4095;

export interface StaticType {
  readonly mask: number;
  /** Element type when `mask` includes `T_LIST` and it is known. */
  readonly element?: StaticType;
}

export const ANY: StaticType = { mask: T_ANY_MASK };
export const NULL_TYPE: StaticType = { mask: T_NULL };
export const BOOLEAN: StaticType = { mask: T_BOOLEAN | T_NULL };
export const INTEGER: StaticType = { mask: T_INTEGER | T_NULL };
export const FLOAT: StaticType = { mask: T_FLOAT | T_NULL };
export const NUMBER: StaticType = { mask: T_NUMBER | T_NULL };
export const STRING: StaticType = { mask: T_STRING | T_NULL };
export const MAP: StaticType = { mask: T_MAP | T_NULL };
export const NODE: StaticType = { mask: T_NODE | T_NULL };
export const RELATIONSHIP: StaticType = { mask: T_RELATIONSHIP | T_NULL };
export const PATH: StaticType = { mask: T_PATH | T_NULL };
export const TEMPORAL: StaticType = { mask: T_TEMPORAL | T_NULL };
export const POINT: StaticType = { mask: T_POINT | T_NULL };

export function listOf(element?: StaticType): StaticType {
  return element === undefined ? { mask: T_LIST | T_NULL } : { mask: T_LIST | T_NULL, element };
}

export function union(a: StaticType, b: StaticType): StaticType {
  const mask = a.mask | b.mask;
  if ((mask & T_LIST) === 0) return { mask };
  const ea = (a.mask & T_LIST) !== 0 ? a.element : undefined;
  const eb = (b.mask & T_LIST) !== 0 ? b.element : undefined;
  // A list type whose elements are unknown on one side stays unknown.
  if ((a.mask & T_LIST) !== 0 && ea === undefined) return { mask };
  if ((b.mask & T_LIST) !== 0 && eb === undefined) return { mask };
  const element = ea && eb ? union(ea, eb) : (ea ?? eb);
  return element === undefined ? { mask } : { mask, element };
}

/** True when no value of type `t` can be accepted (null aside) by something accepting `accepted`. */
export function definitelyNot(t: StaticType, accepted: number): boolean {
  const nonNull = t.mask & ~T_NULL;
  return nonNull !== 0 && (nonNull & accepted) === 0;
}

export function elementOf(t: StaticType): StaticType {
  if ((t.mask & T_LIST) === 0) return ANY;
  return t.element ?? ANY;
}

const NAMES: readonly [number, string][] = [
  [T_BOOLEAN, 'Boolean'],
  [T_INTEGER, 'Integer'],
  [T_FLOAT, 'Float'],
  [T_STRING, 'String'],
  [T_LIST, 'List'],
  [T_MAP, 'Map'],
  [T_NODE, 'Node'],
  [T_RELATIONSHIP, 'Relationship'],
  [T_PATH, 'Path'],
  [T_TEMPORAL, 'Temporal'],
  [T_POINT, 'Point'],
];

/** Human-readable description for error messages, e.g. `Integer or Float`. */
export function describe(t: StaticType | number): string {
  const mask = typeof t === 'number' ? t : t.mask;
  const names = NAMES.filter(([bit]) => (mask & bit) !== 0).map(([, name]) => name);
  if (names.length === 0) return 'Null';
  return names.join(' or ');
}
