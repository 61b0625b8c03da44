/**
 * Public surface of the storage layer: the LMDB-backed `GraphStore` and the storage
 * contract types. Everything else in this folder is internal.
 */
export { GraphStore } from './graph-store.js';
export { BulkLoader, type BulkCommitResult } from './bulk-loader.js';
export { acquireDataDirLock, dataDirLockOwner, isProcessAlive, LOCK_FILE_NAME } from './data-dir-lock.js';
export type { DataDirLock, LockOwner } from './data-dir-lock.js';
export type { MoveOptions, MoveProgress, MoveResult } from './namespace-migration.js';
export type {
  NodeId,
  RelId,
  PropertyScalar,
  PropertyValue,
  PropertyMap,
  NodeRecord,
  RelationshipRecord,
  Direction,
  AdjacencyEntry,
  IndexDefinition,
  RangeBound,
  NamespaceStats,
  GraphReader,
  GraphWriter,
  ReadTransaction,
  NamespaceHandle,
  SystemTable,
  SystemTableWrite,
  StoreOptions,
  WriteOptions,
} from './types.js';
