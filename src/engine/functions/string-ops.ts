/**
 * String predicates (STARTS WITH, ENDS WITH, CONTAINS) and `=~`. Non-string operands
 * give null rather than an error (String8 [8]: every non-string pairing yields null).
 */
import type { Value } from '../values.js';
import { matchesWhole } from './cypher-regex.js';

export function stringStartsWith(a: Value, b: Value): boolean | null {
  if (typeof a !== 'string' || typeof b !== 'string') return null;
  return a.startsWith(b);
}

export function stringEndsWith(a: Value, b: Value): boolean | null {
  if (typeof a !== 'string' || typeof b !== 'string') return null;
  return a.endsWith(b);
}

export function stringContains(a: Value, b: Value): boolean | null {
  if (typeof a !== 'string' || typeof b !== 'string') return null;
  return a.includes(b);
}

/** `=~`: full-string match on the linear-time engine (cypher-regex.ts); null when either side is not a string. */
export function regexMatch(a: Value, b: Value): boolean | null {
  if (typeof a !== 'string' || typeof b !== 'string') return null;
  return matchesWhole(b, a);
}
