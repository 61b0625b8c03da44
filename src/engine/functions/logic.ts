/**
 * Three-valued boolean logic (AND, OR, XOR, NOT). Non-boolean operands are a runtime
 * TypeError; the analyzer reports literal misuse at compile time on its own.
 */
import type { Value } from '../values.js';
import { typeError } from './errors.js';
import { typeName } from './type-name.js';

function asBool(op: string, v: Value): boolean | null {
  if (v === null || typeof v === 'boolean') return v;
  throw typeError('InvalidArgumentType', `${op} expects BOOLEAN operands, got ${typeName(v)}`);
}

export function and(a: Value, b: Value): boolean | null {
  const x = asBool('AND', a);
  const y = asBool('AND', b);
  if (x === false || y === false) return false;
  if (x === null || y === null) return null;
  return true;
}

export function or(a: Value, b: Value): boolean | null {
  const x = asBool('OR', a);
  const y = asBool('OR', b);
  if (x === true || y === true) return true;
  if (x === null || y === null) return null;
  return false;
}

export function xor(a: Value, b: Value): boolean | null {
  const x = asBool('XOR', a);
  const y = asBool('XOR', b);
  if (x === null || y === null) return null;
  return x !== y;
}

export function not(a: Value): boolean | null {
  const x = asBool('NOT', a);
  return x === null ? null : !x;
}

/** The WHERE / CASE filter test: only `true` passes (null and false do not). */
export function isTrue(v: Value): boolean {
  return v === true;
}

export type QuantifierKind = 'all' | 'any' | 'none' | 'single';

/**
 * all/any/none/single over the predicate results of each list element, in
 * three-valued logic (Quantifier1-8): a null result makes the answer null unless the
 * definite results already decide it. Accepts a lazy iterable so the caller can stop
 * evaluating once the answer is known (any: first true; all: first false; single: second true).
 */
export function quantify(kind: QuantifierKind, results: Iterable<Value>): boolean | null {
  let trues = 0;
  let unknown = false;
  for (const r of results) {
    const b = asBool(kind, r);
    if (b === null) unknown = true;
    else if (b) {
      trues++;
      if (kind === 'any') return true;
      if (kind === 'none') return false;
      if (kind === 'single' && trues > 1) return false;
    } else if (kind === 'all') return false;
  }
  if (unknown) return null;
  switch (kind) {
    case 'all':
      return true;
    case 'any':
      return false;
    case 'none':
      return true;
    case 'single':
      return trues === 1;
  }
}
