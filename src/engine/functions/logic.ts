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
