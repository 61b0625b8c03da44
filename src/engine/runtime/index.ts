/**
 * Runtime support of the executor: the per-query context (transaction, limits,
 * GraphAccess), procedures, result snapshots and the MERGE dry-run writer.
 */
export { QueryContext, PAUSE, PAUSE_EVERY, STUB_LABELS, STUB_PROPS, isStub } from './query-context.js';
export type { Row, RowStream, Pause } from './query-context.js';
export { ProcedureRegistry } from './procedure-registry.js';
export type { Procedure, ProcedureSignature } from './procedure-registry.js';
export { snapshotValue } from './snapshot-value.js';
export { DryRunWriter, WriteNeeded } from './dry-run-writer.js';
export { SliceScheduler } from './slice-scheduler.js';
export {
  MemoryBudget,
  DEFAULT_MAX_QUERY_MEMORY_BYTES,
  LIST_ELEMENT_BYTES,
  asResourceError,
  rowBytes,
  valueBytes,
} from './memory-budget.js';
