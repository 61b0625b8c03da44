/**
 * The catalogue of Cypher functions the front end accepts: openCypher's standard
 * functions plus the usual Neo4j extras. Analysis uses it for UnknownFunction,
 * InvalidNumberOfArguments, aggregate placement and a few argument-type checks; the
 * engine implements the functions. Names are matched case-insensitively.
 */
import {
  ANY,
  BOOLEAN,
  FLOAT,
  INTEGER,
  MAP,
  NODE,
  NUMBER,
  RELATIONSHIP,
  STRING,
  TEMPORAL,
  T_LIST,
  T_MAP,
  T_NODE,
  T_PATH,
  T_RELATIONSHIP,
  T_STRING,
  listOf,
  type StaticType,
} from './static-type.js';

export interface FunctionSignature {
  /** Canonical spelling, e.g. `toUpper`, `date.truncate`. */
  readonly name: string;
  readonly minArgs: number;
  /** `Infinity` for variadic functions (coalesce). */
  readonly maxArgs: number;
  readonly aggregate: boolean;
  /** Results may differ between calls with the same arguments (rand, randomUUID). */
  readonly nondeterministic: boolean;
  /**
   * Per-argument accepted runtime types (a `static-type` mask) where a definitely wrong
   * argument is a compile-time error; absent entries accept anything.
   */
  readonly argMasks: readonly (number | undefined)[];
  /**
   * Result type. `'first'` / `'element'`: the first argument's type / its element type
   * (abs, head, min, ...).
   */
  readonly returns: StaticType | 'first' | 'element';
}

interface Options {
  aggregate?: boolean;
  nondeterministic?: boolean;
  args?: (number | undefined)[];
}

function fn(
  name: string,
  minArgs: number,
  maxArgs: number,
  returns: FunctionSignature['returns'],
  options: Options = {},
): FunctionSignature {
  return {
    name,
    minArgs,
    maxArgs,
    aggregate: options.aggregate ?? false,
    nondeterministic: options.nondeterministic ?? false,
    argMasks: options.args ?? [],
    returns,
  };
}

const ENTITY = T_NODE | T_RELATIONSHIP;
const STRINGS = listOf(STRING);

const SIGNATURES: readonly FunctionSignature[] = [
  // aggregates
  fn('count', 1, 1, INTEGER, { aggregate: true }),
  fn('sum', 1, 1, NUMBER, { aggregate: true }),
  fn('avg', 1, 1, ANY, { aggregate: true }),
  fn('min', 1, 1, 'first', { aggregate: true }),
  fn('max', 1, 1, 'first', { aggregate: true }),
  fn('collect', 1, 1, listOf(), { aggregate: true }),
  fn('stDev', 1, 1, FLOAT, { aggregate: true }),
  fn('stDevP', 1, 1, FLOAT, { aggregate: true }),
  fn('percentileCont', 2, 2, FLOAT, { aggregate: true }),
  fn('percentileDisc', 2, 2, 'first', { aggregate: true }),
  // predicates and general
  fn('exists', 1, 1, BOOLEAN),
  fn('isEmpty', 1, 1, BOOLEAN),
  fn('coalesce', 1, Infinity, ANY),
  fn('nullIf', 2, 2, 'first'),
  fn('valueType', 1, 1, STRING),
  // graph entities and paths
  fn('id', 1, 1, INTEGER, { args: [ENTITY] }),
  fn('elementId', 1, 1, STRING, { args: [ENTITY] }),
  fn('labels', 1, 1, STRINGS, { args: [T_NODE] }),
  fn('type', 1, 1, STRING, { args: [T_RELATIONSHIP] }),
  fn('keys', 1, 1, STRINGS, { args: [ENTITY | T_MAP] }),
  fn('properties', 1, 1, MAP, { args: [ENTITY | T_MAP] }),
  fn('startNode', 1, 1, NODE, { args: [T_RELATIONSHIP] }),
  fn('endNode', 1, 1, NODE, { args: [T_RELATIONSHIP] }),
  fn('nodes', 1, 1, listOf(NODE), { args: [T_PATH] }),
  fn('relationships', 1, 1, listOf(RELATIONSHIP), { args: [T_PATH] }),
  fn('rels', 1, 1, listOf(RELATIONSHIP), { args: [T_PATH] }),
  fn('length', 1, 1, INTEGER, { args: [T_PATH] }),
  // lists
  fn('size', 1, 1, INTEGER, { args: [T_LIST | T_STRING] }),
  fn('head', 1, 1, 'element'),
  fn('last', 1, 1, 'element'),
  fn('tail', 1, 1, 'first'),
  fn('range', 2, 3, listOf(INTEGER)),
  fn('reverse', 1, 1, 'first'),
  fn('toBooleanList', 1, 1, listOf(BOOLEAN)),
  fn('toIntegerList', 1, 1, listOf(INTEGER)),
  fn('toFloatList', 1, 1, listOf(FLOAT)),
  fn('toStringList', 1, 1, STRINGS),
  // numbers
  fn('abs', 1, 1, 'first'),
  fn('ceil', 1, 1, FLOAT),
  fn('floor', 1, 1, FLOAT),
  fn('round', 1, 3, FLOAT),
  fn('sign', 1, 1, INTEGER),
  fn('rand', 0, 0, FLOAT, { nondeterministic: true }),
  fn('isNaN', 1, 1, BOOLEAN),
  fn('e', 0, 0, FLOAT),
  fn('pi', 0, 0, FLOAT),
  fn('exp', 1, 1, FLOAT),
  fn('log', 1, 1, FLOAT),
  fn('log10', 1, 1, FLOAT),
  fn('sqrt', 1, 1, FLOAT),
  fn('vector.similarity.cosine', 2, 2, FLOAT),
  fn('vector.similarity.euclidean', 2, 2, FLOAT),
  fn('sin', 1, 1, FLOAT),
  fn('cos', 1, 1, FLOAT),
  fn('tan', 1, 1, FLOAT),
  fn('cot', 1, 1, FLOAT),
  fn('asin', 1, 1, FLOAT),
  fn('acos', 1, 1, FLOAT),
  fn('atan', 1, 1, FLOAT),
  fn('atan2', 2, 2, FLOAT),
  fn('degrees', 1, 1, FLOAT),
  fn('radians', 1, 1, FLOAT),
  fn('haversin', 1, 1, FLOAT),
  // strings
  fn('toString', 1, 1, STRING),
  fn('toStringOrNull', 1, 1, STRING),
  fn('toUpper', 1, 1, STRING),
  fn('toLower', 1, 1, STRING),
  fn('upper', 1, 1, STRING),
  fn('lower', 1, 1, STRING),
  fn('trim', 1, 1, STRING),
  fn('lTrim', 1, 2, STRING),
  fn('rTrim', 1, 2, STRING),
  fn('btrim', 1, 2, STRING),
  fn('replace', 3, 3, STRING),
  fn('substring', 2, 3, STRING),
  fn('left', 2, 2, STRING),
  fn('right', 2, 2, STRING),
  fn('split', 2, 2, STRINGS),
  fn('char_length', 1, 1, INTEGER),
  fn('character_length', 1, 1, INTEGER),
  fn('normalize', 1, 2, STRING),
  fn('randomUUID', 0, 0, STRING, { nondeterministic: true }),
  // conversion
  fn('toBoolean', 1, 1, BOOLEAN),
  fn('toBooleanOrNull', 1, 1, BOOLEAN),
  fn('toInteger', 1, 1, INTEGER),
  fn('toIntegerOrNull', 1, 1, INTEGER),
  fn('toFloat', 1, 1, FLOAT),
  fn('toFloatOrNull', 1, 1, FLOAT),
  // time
  fn('timestamp', 0, 0, INTEGER),
  ...temporalFunctions(),
  fn('duration', 1, 1, TEMPORAL),
  fn('duration.between', 2, 2, TEMPORAL),
  fn('duration.inMonths', 2, 2, TEMPORAL),
  fn('duration.inDays', 2, 2, TEMPORAL),
  fn('duration.inSeconds', 2, 2, TEMPORAL),
  fn('datetime.fromEpoch', 2, 2, TEMPORAL),
  fn('datetime.fromEpochMillis', 1, 1, TEMPORAL),
  // spatial functions (point, point.distance, ...) are not implemented yet: unknown
];

function temporalFunctions(): FunctionSignature[] {
  const out: FunctionSignature[] = [];
  for (const base of ['date', 'datetime', 'localdatetime', 'localtime', 'time']) {
    out.push(fn(base, 0, 1, TEMPORAL));
    out.push(fn(`${base}.truncate`, 2, 3, TEMPORAL));
    for (const clock of ['transaction', 'statement', 'realtime']) {
      out.push(fn(`${base}.${clock}`, 0, 1, TEMPORAL, { nondeterministic: true }));
    }
  }
  return out;
}

const BY_NAME = new Map<string, FunctionSignature>(
  SIGNATURES.map((signature) => [signature.name.toLowerCase(), signature]),
);

/** The signature of a function by (case-insensitive) name, or undefined if unknown. */
export function lookupFunction(name: string): FunctionSignature | undefined {
  return BY_NAME.get(name.toLowerCase());
}

export function isAggregateFunctionName(name: string): boolean {
  return BY_NAME.get(name.toLowerCase())?.aggregate === true;
}

/** All known signatures (for documentation and the engine's completeness checks). */
export function functionSignatures(): readonly FunctionSignature[] {
  return SIGNATURES;
}

/** Registers an extra function (e.g. a user-defined one) so analysis accepts it. */
export function registerFunctionSignature(signature: FunctionSignature): void {
  BY_NAME.set(signature.name.toLowerCase(), signature);
}
