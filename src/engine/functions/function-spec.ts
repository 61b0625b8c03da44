/**
 * Shape of a registered scalar function and the argument checks the function tables
 * share, so each table reports type errors with the same class and detail.
 */
import type { Value } from '../values.js';
import type { FunctionContext } from './function-context.js';
import { argumentError, typeError } from './errors.js';
import { typeName } from './type-name.js';

export type ScalarFunction = (args: readonly Value[], ctx: FunctionContext) => Value;

export interface FunctionSpec {
  /** Canonical spelling (e.g. `toInteger`), used in messages. */
  readonly name: string;
  readonly minArgs: number;
  /** `Infinity` for variadic functions such as coalesce. */
  readonly maxArgs: number;
  readonly fn: ScalarFunction;
}

export function spec(name: string, minArgs: number, maxArgs: number, fn: ScalarFunction): FunctionSpec {
  return { name, minArgs, maxArgs, fn };
}

/** TypeError InvalidArgumentType naming the function and the offending type. */
export function badArg(fnName: string, v: Value, expected: string): never {
  throw typeError('InvalidArgumentType', `${fnName}() expects ${expected}, got ${typeName(v)}`);
}

/** TypeError InvalidArgumentValue: the TCK's class for conversions/type() on wrong types. */
export function badValue(fnName: string, v: Value, expected: string): never {
  throw typeError('InvalidArgumentValue', `${fnName}() expects ${expected}, got ${typeName(v)}`);
}

export function expectNumber(fnName: string, v: Value): bigint | number {
  if (typeof v === 'bigint' || typeof v === 'number') return v;
  return badArg(fnName, v, 'a number');
}

export function expectFloat(fnName: string, v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return badArg(fnName, v, 'a number');
}

export function expectString(fnName: string, v: Value): string {
  if (typeof v === 'string') return v;
  return badArg(fnName, v, 'a STRING');
}

export function expectInteger(fnName: string, v: Value): bigint {
  if (typeof v === 'bigint') return v;
  return badArg(fnName, v, 'an INTEGER');
}

/** An INTEGER argument that must also be >= 0 and fit a JS array index. */
export function expectLength(fnName: string, v: Value): number {
  const n = expectInteger(fnName, v);
  if (n < 0n) throw argumentError('NumberOutOfRange', `${fnName}() expects a non-negative length, got ${n}`);
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
}

export function expectList(fnName: string, v: Value): readonly Value[] {
  if (Array.isArray(v)) return v as readonly Value[];
  return badArg(fnName, v, 'a LIST');
}
