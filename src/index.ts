/**
 * Public surface of the `nexus-graph` package: the embedded database API and its types.
 */
export { NexusError, ERROR_CODES } from './errors.js';
export type { ErrorCode } from './errors.js';
export { CypherError } from './cypher/errors.js';
export { Node, Relationship, Path, emptyStats } from './engine/values.js';
export type { Value, QueryResult, QueryStats, PlanDescription } from './engine/values.js';
export { DEFAULT_NAMESPACE } from './engine/api.js';
export type { NexusOptions, ExecuteOptions, NexusDatabase, ProcedureDefinition } from './engine/api.js';
export { Nexus } from './engine/index.js';
export { jsonParams, toPlainJson, resultToPlainJson } from './engine/plain-values.js';
export type { ParamValue, PlainJson, PlainJsonResult } from './engine/plain-values.js';
