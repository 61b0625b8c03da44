/**
 * Public surface of the query engine: the embedded `Nexus` database and its contracts.
 */
export { Nexus } from './nexus.js';
export type { CompiledQuery } from './planner/index.js';
export { DEFAULT_NAMESPACE } from './api.js';
export { asResourceError } from './runtime/memory-budget.js';
export type {
  NexusOptions,
  ExecuteOptions,
  NexusDatabase,
  ProcedureDefinition,
  Transaction,
  TransactionOptions,
  StatementOptions,
  QueryCursor,
} from './api.js';
export { DEFAULT_TRANSACTION_IDLE_TIMEOUT_MS } from './nexus.js';
export { newBookmark } from './transaction/index.js';
export { Node, Relationship, Path, emptyStats } from './values.js';
export type { Value, QueryResult, QueryStats, PlanDescription } from './values.js';
export { nodeElementId, relationshipElementId, parseElementId } from './element-id.js';
