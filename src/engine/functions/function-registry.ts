/**
 * The engine's implementations of the scalar functions. Names, arities and which
 * functions are aggregates come from the one catalogue of signatures the analyzer uses
 * (`src/cypher/function-names.ts`); this module only maps a catalogued name to its
 * implementation. The executor resolves a function once per expression with
 * `resolveFunction`.
 */
import { CypherError } from '../../cypher/errors.js';
import { lookupFunction, type FunctionSignature } from '../../cypher/function-names.js';
import type { Value } from '../values.js';
import type { FunctionContext } from './function-context.js';
import type { FunctionSpec, ScalarFunction } from './function-spec.js';
import { CONVERSION_FUNCTIONS } from './conversion-functions.js';
import { GRAPH_FUNCTIONS } from './graph-functions.js';
import { LIST_FUNCTIONS } from './list-functions.js';
import { MATH_FUNCTIONS } from './math-functions.js';
import { STRING_FUNCTIONS } from './string-functions.js';
import { TEMPORAL_FUNCTIONS } from './temporal/index.js';
import { VECTOR_FUNCTIONS } from './vector-functions.js';

const IMPLEMENTATIONS: ReadonlyMap<string, FunctionSpec> = new Map(
  [
    GRAPH_FUNCTIONS,
    LIST_FUNCTIONS,
    STRING_FUNCTIONS,
    MATH_FUNCTIONS,
    CONVERSION_FUNCTIONS,
    TEMPORAL_FUNCTIONS,
    VECTOR_FUNCTIONS,
  ].flatMap((table) => table.map((s): [string, FunctionSpec] => [s.name.toLowerCase(), s])),
);

/** True when the engine implements the (catalogued, scalar) function `name`. */
export function isImplementedFunction(name: string): boolean {
  return IMPLEMENTATIONS.has(name.toLowerCase());
}

/** Names of every implemented scalar function (for the catalogue completeness check). */
export function implementedFunctionNames(): readonly string[] {
  return [...IMPLEMENTATIONS.values()].map((s) => s.name);
}

function unknown(name: string): CypherError {
  return new CypherError('SyntaxError', 'UnknownFunction', `unknown function '${name}'`);
}

function checkArity(signature: FunctionSignature, argCount: number): void {
  const { minArgs: min, maxArgs: max } = signature;
  if (argCount < min || argCount > max) {
    const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new CypherError(
      'SyntaxError',
      'InvalidNumberOfArguments',
      `function ${signature.name}() takes ${expected} argument(s), got ${argCount}`,
    );
  }
}

/**
 * The implementation of a scalar function, resolved once so the per-row call skips the
 * name lookup. Arity is checked here against the catalogue, not per call. Throws for
 * unknown names and for aggregates (which go through createAggregator).
 */
export function resolveFunction(name: string, argCount: number): ScalarFunction {
  const signature = lookupFunction(name);
  if (!signature) throw unknown(name);
  if (signature.aggregate) {
    throw new CypherError(
      'SyntaxError',
      'InvalidAggregation',
      `aggregate function ${name}() cannot be called as a scalar function here`,
    );
  }
  checkArity(signature, argCount);
  const spec = IMPLEMENTATIONS.get(signature.name.toLowerCase());
  if (!spec) throw unknown(name);
  return spec.fn;
}

/** Calls a scalar function by name: `callFunction('toUpper', ['a'], ctx)`. */
export function callFunction(name: string, args: readonly Value[], ctx: FunctionContext): Value {
  return resolveFunction(name, args.length)(args, ctx);
}
