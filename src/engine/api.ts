/**
 * The embedded API's contract: what `Nexus.open()` returns. The server, the CLI, the
 * tests and the benchmarks all go through it.
 */
import type { Value, QueryResult } from './values.js';
import type { NamespaceHandle, NamespaceStats, SystemTable } from '../storage/types.js';

/** The namespace standalone mode uses. Tenants get `tenant:<user_id>` (see src/cluster). */
export const DEFAULT_NAMESPACE = 'default';

export interface NexusOptions {
  /** Directory of the LMDB environment. */
  path: string;
  /** Synced commits (default true). */
  sync?: boolean;
  /** Default per-query timeout in ms (default 30000; 0 = none). */
  queryTimeoutMs?: number;
  /**
   * Default timeout of statements that write, in ms (0 = none; default: the query
   * timeout). A write runs to its end without yielding the event loop.
   */
  writeTimeoutMs?: number;
  /** Default cap on intermediate rows a query may hold (default 1,000,000). */
  maxIntermediateRows?: number;
  /**
   * Default per-query memory budget in bytes (estimated size of the lists, strings and rows
   * a query builds and holds; default 256 MiB; 0 = none) → QUERY_MEMORY_LIMIT.
   */
  maxQueryMemoryBytes?: number;
  mapSize?: number;
  /**
   * An explicit transaction without a statement for this long is rolled back (ms; default
   * 60000; 0 = never). Config `transactions.idle_timeout_ms`.
   */
  transactionIdleTimeoutMs?: number;
}

export interface ExecuteOptions {
  /** Namespace to run in; default `DEFAULT_NAMESPACE`. */
  namespace?: string;
  /**
   * 'read': the planned query must not write (a write query fails with FORBIDDEN before
   * touching anything). Default 'write' (anything allowed).
   */
  accessMode?: 'read' | 'write';
  /** Timeout in ms (0 = none); for a statement that writes, `writeTimeoutMs` wins when set. */
  timeoutMs?: number;
  /** Timeout of a statement that writes (falls back to the database's, then to `timeoutMs`). */
  writeTimeoutMs?: number;
  /**
   * Polled when a read yields between slices: true stops the query with QUERY_CANCELLED
   * (e.g. the client disconnected), so abandoned work does not keep the CPU from others.
   */
  isCancelled?: () => boolean;
  maxIntermediateRows?: number;
  maxQueryMemoryBytes?: number;
  /** Storage quota in bytes; see `WriteOptions.maxBytes`. */
  maxStorageBytes?: number;
}

/** A procedure defined at runtime (used by the TCK's "there exists a procedure" steps). */
export interface ProcedureDefinition {
  /** Qualified name, e.g. `test.my.proc`. */
  name: string;
  inputs: readonly { name: string; type: string }[];
  outputs: readonly { name: string; type: string }[];
  /** Rows of input values followed by output values, as in the TCK table. */
  rows: readonly (readonly Value[])[];
}

/** Options of `beginTransaction` (see docs/TRANSACTIONS.md). */
export interface TransactionOptions {
  /** Namespace the transaction is bound to; default `DEFAULT_NAMESPACE`. */
  namespace?: string;
  /** 'read': every statement must be read-only (FORBIDDEN otherwise). Default 'write'. */
  accessMode?: 'read' | 'write';
  /** Whole-transaction timeout in ms from begin (0/undefined = none): later statements and commit fail with TRANSACTION_TIMED_OUT. */
  timeoutMs?: number;
  /** Per-statement limits, as for `execute`. */
  statementTimeoutMs?: number;
  maxIntermediateRows?: number;
  maxQueryMemoryBytes?: number;
  /** Storage quota in bytes, enforced at commit on the whole transaction. */
  maxStorageBytes?: number;
  /** Rolled back after this long without a statement (ms; default: the database's `transactionIdleTimeoutMs`; 0 = never). */
  idleTimeoutMs?: number;
  /**
   * Called once when the transaction ends — committed, or rolled back for any reason
   * (client, conflict, timeout, idle timeout, database closed) — e.g. to release the
   * caller's count of open transactions. Must not throw.
   */
  onEnd?: (tx: Transaction) => void;
}

/** Per-statement options inside a transaction or a stream. */
export interface StatementOptions {
  isCancelled?: () => boolean;
  timeoutMs?: number;
}

/**
 * An explicit transaction. Statements see the transaction's own earlier writes; other
 * clients see nothing until `commit()`. The store's single writer is NOT held between
 * statements. A conflicting concurrent commit makes a later statement or the commit fail
 * with TRANSACTION_CONFLICT (retryable); the transaction is then rolled back.
 */
export interface Transaction {
  readonly id: string;
  readonly namespace: string;
  readonly accessMode: 'read' | 'write';
  /** 'open' until commit/rollback, or 'failed' after a statement error (only rollback is then allowed). */
  readonly state: 'open' | 'committed' | 'rolled_back' | 'failed';
  run(query: string, params?: Record<string, Value>, options?: StatementOptions): Promise<QueryResult>;
  /** `run` as a cursor (optional; the engine's rows are buffered: the statement runs to its end first). */
  stream?(query: string, params?: Record<string, Value>, options?: StatementOptions): Promise<QueryCursor>;
  /** Atomic and durable like one autocommit statement; resolves with a bookmark string. */
  commit(): Promise<{ bookmark: string }>;
  /** Discards everything; idempotent. */
  rollback(): Promise<void>;
}

/**
 * A result consumed incrementally (Bolt PULL n, Query API, RPC). A read query's rows are
 * produced as they are pulled (the whole result is never built up front); a write query's
 * rows were produced inside its write transaction and are handed out from that buffer.
 */
export interface QueryCursor {
  readonly columns: readonly string[];
  readonly isWrite: boolean;
  /** Up to `n` more rows (n <= 0 or Infinity: all the rest); `done` once the result is exhausted. */
  pull(n: number): Promise<{ rows: Value[][]; done: boolean }>;
  /** Stops the query and frees its snapshot; idempotent. */
  close(): void;
  /** Counters and plan, complete once `done` was returned (partial before). */
  summary(): Pick<QueryResult, 'stats' | 'plan'>;
}

export interface NexusDatabase {
  /** Opens an explicit transaction (optional in the contract so test doubles stay small). */
  beginTransaction?(options?: TransactionOptions): Transaction;
  /**
   * An open transaction by id (undefined once committed, rolled back or expired). The
   * caller must check `namespace` against its own before using it.
   */
  transaction?(id: string): Transaction | undefined;
  /** Runs a statement as a cursor (autocommit), for streaming protocols. */
  stream?(query: string, params?: Record<string, Value>, options?: ExecuteOptions): Promise<QueryCursor>;
  execute(query: string, params?: Record<string, Value>, options?: ExecuteOptions): Promise<QueryResult>;
  /** The storage handle of one namespace (for REST CRUD, stats, ingest). */
  namespace(name: string): NamespaceHandle;
  stats(namespace?: string): NamespaceStats;
  registerProcedure(definition: ProcedureDefinition): void;
  /**
   * A server-state table outside every namespace (API keys, usage outbox), from the same
   * store. Optional so the contract stays additive; the server falls back to a separate
   * store under `<data_dir>/system` when absent.
   */
  systemTable?<V>(name: string): SystemTable<V>;
  close(): Promise<void>;
}
