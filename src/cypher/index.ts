/**
 * Public surface of the Cypher front end. `parse(query)` = syntax + semantic analysis
 * (throws `CypherError`, returns the AST); `compile(query, options)` also returns the
 * analysis (scopes, columns, parameters) and can check procedure signatures and
 * supplied parameters; `analyze(statement, options)` runs analysis on its own.
 */
export type * from './ast.js';
export { assertNever } from './ast.js';
export { CypherError, type CypherErrorClass, type SourcePosition } from './errors.js';
export { compile, parse, parseSyntax, type CompiledStatement } from './compile.js';
export {
  analyze,
  type Analysis,
  type AnalyzeOptions,
  type ClauseScope,
  type ProcedureSignature,
  type ProjectionInfo,
  type VariableInfo,
} from './analyze.js';
export {
  isUpdatingClause,
  isWriteQuery,
  UPDATING_CLAUSES,
  type WriteCheckOptions,
} from './is-write-query.js';
export {
  lookupFunction,
  isAggregateFunctionName,
  functionSignatures,
  registerFunctionSignature,
  type FunctionSignature,
} from './function-names.js';
export { childExpressions, expressionKey } from './expression-walk.js';
export type { StaticType } from './static-type.js';
