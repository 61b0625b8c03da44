/**
 * Public surface of Cypher value semantics: equality, ordering, operators, element
 * access, scalar functions, aggregates and value formatting.
 */
export type { FunctionContext, GraphAccess } from './function-context.js';
export { describeValue, typeName, type CypherTypeName } from './type-name.js';
export { equals, notEquals, equivalent, groupingKey } from './value-equality.js';
export {
  compare,
  orderCompare,
  lessThan,
  lessThanOrEqual,
  greaterThan,
  greaterThanOrEqual,
} from './value-order.js';
export {
  add,
  subtract,
  multiply,
  divide,
  modulo,
  power,
  negate,
  unaryPlus,
  checkInt,
  INT64_MAX,
  INT64_MIN,
} from './arithmetic.js';
export { and, or, xor, not, isTrue, quantify, type QuantifierKind } from './logic.js';
export {
  stringStartsWith,
  stringEndsWith,
  stringContains,
  regexMatch,
  compileCypherRegex,
} from './string-ops.js';
export { inList, indexAccess, propertyAccess, sliceList } from './access.js';
export { formatValue, formatLiteral, formatFloat } from './format-value.js';
export {
  callFunction,
  resolveFunction,
  implementedFunctionNames,
  isImplementedFunction,
} from './function-registry.js';
export type { ScalarFunction } from './function-spec.js';
export { isAggregateFunction, aggregateArity, createAggregator, type Aggregator } from './aggregators.js';
export { toInteger, toFloat, toBoolean, toStringValue } from './conversion-functions.js';
export { rangeBounds } from './list-functions.js';
