/**
 * The one registry of scalar functions: name lookup (case-insensitive), arity checks,
 * and dispatch. The analyzer uses `isKnownFunction`/`functionArity` at compile time;
 * the executor resolves a function once per expression with `resolveFunction`.
 */
import { CypherError } from '../../cypher/errors.js';
import type { Value } from '../values.js';
import type { FunctionContext } from './function-context.js';
import type { FunctionSpec, ScalarFunction } from './function-spec.js';
import { aggregateArity, isAggregateFunction } from './aggregators.js';
import { CONVERSION_FUNCTIONS } from './conversion-functions.js';
import { GRAPH_FUNCTIONS } from './graph-functions.js';
import { LIST_FUNCTIONS } from './list-functions.js';
import { MATH_FUNCTIONS } from './math-functions.js';
import { STRING_FUNCTIONS } from './string-functions.js';
import { TEMPORAL_FUNCTIONS } from './temporal/index.js';
import { VECTOR_FUNCTIONS } from './vector-functions.js';

const REGISTRY = new Map<string, FunctionSpec>();
for (const table of [
  GRAPH_FUNCTIONS,
  LIST_FUNCTIONS,
  STRING_FUNCTIONS,
  MATH_FUNCTIONS,
  CONVERSION_FUNCTIONS,
  TEMPORAL_FUNCTIONS,
  VECTOR_FUNCTIONS,
]) {
  for (const s of table) REGISTRY.set(s.name.toLowerCase(), s);
}

export interface FunctionArity {
  readonly min: number;
  /** `Infinity` for variadic functions. */
  readonly max: number;
}

/** True for scalar and aggregate functions alike. */
export function isKnownFunction(name: string): boolean {
  const k = name.toLowerCase();
  return REGISTRY.has(k) || isAggregateFunction(k);
}

export function functionArity(name: string): FunctionArity | undefined {
  const s = REGISTRY.get(name.toLowerCase());
  if (s) return { min: s.minArgs, max: s.maxArgs };
  return aggregateArity(name);
}

/** Canonical spelling of a known function (`TOUPPER` → `toUpper`), for messages and columns. */
export function canonicalFunctionName(name: string): string | undefined {
  return REGISTRY.get(name.toLowerCase())?.name;
}

function unknown(name: string): CypherError {
  return new CypherError('SyntaxError', 'UnknownFunction', `unknown function '${name}'`);
}

export function checkArity(name: string, argCount: number): void {
  const a = functionArity(name);
  if (!a) throw unknown(name);
  if (argCount < a.min || argCount > a.max) {
    const expected =
      a.min === a.max ? `${a.min}` : a.max === Infinity ? `at least ${a.min}` : `${a.min} to ${a.max}`;
    throw new CypherError(
      'SyntaxError',
      'InvalidNumberOfArguments',
      `function ${name}() takes ${expected} argument(s), got ${argCount}`,
    );
  }
}

/**
 * The implementation of a scalar function, resolved once so the per-row call skips the
 * name lookup. Arity is checked here, not per call. Throws for unknown names and for
 * aggregates (which go through createAggregator).
 */
export function resolveFunction(name: string, argCount: number): ScalarFunction {
  const s = REGISTRY.get(name.toLowerCase());
  if (!s) {
    if (isAggregateFunction(name)) {
      throw new CypherError(
        'SyntaxError',
        'InvalidAggregation',
        `aggregate function ${name}() cannot be called as a scalar function here`,
      );
    }
    throw unknown(name);
  }
  checkArity(name, argCount);
  return s.fn;
}

/** Calls a scalar function by name: `callFunction('toUpper', ['a'], ctx)`. */
export function callFunction(name: string, args: readonly Value[], ctx: FunctionContext): Value {
  return resolveFunction(name, args.length)(args, ctx);
}
