/**
 * `Nexus`: the embedded database. Owns the LMDB store, a cache of compiled queries (by
 * query text) and the procedure registry, and runs each query either inside one write
 * transaction (synchronously) or cooperatively over a read snapshot.
 */
import { LRUCache } from 'lru-cache';
import { parse } from '../cypher/index.js';
import { CypherError } from '../cypher/errors.js';
import { NexusError } from '../errors.js';
import { GraphStore } from '../storage/index.js';
import type { NamespaceHandle, NamespaceStats, SystemTable } from '../storage/types.js';
import {
  DEFAULT_NAMESPACE,
  type ExecuteOptions,
  type NexusDatabase,
  type NexusOptions,
  type ProcedureDefinition,
  type QueryCursor,
  type Transaction,
  type TransactionOptions,
} from './api.js';
import { compileStatement, type CompiledQuery } from './planner/index.js';
import {
  DEFAULT_MAX_QUERY_MEMORY_BYTES,
  ProcedureRegistry,
  SliceScheduler,
  asResourceError,
} from './runtime/index.js';
import { fromPlainJs, type ParamValue } from './plain-values.js';
import { BufferedCursor, PreparedStatement, StreamingCursor } from './statement/index.js';
import { ExplicitTransaction, TransactionRegistry, type TransactionHost } from './transaction/index.js';
import type { QueryResult, Value } from './values.js';

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_ROWS = 1_000_000;
/** Default of `transactionIdleTimeoutMs` (config `transactions.idle_timeout_ms`). */
export const DEFAULT_TRANSACTION_IDLE_TIMEOUT_MS = 60_000;

/** What the engine needs from storage; `GraphStore` provides it (tests may inject another). */
export interface NexusStore {
  namespace(name: string): NamespaceHandle;
  systemTable?<V>(name: string): SystemTable<V>;
  close(): Promise<void>;
}

export class Nexus implements NexusDatabase {
  private readonly cache = new LRUCache<string, CompiledQuery>({ max: 2000 });
  private readonly procedures = new ProcedureRegistry();
  /** Hands out read slices fairly across namespaces (noisy-neighbour protection). */
  private readonly slices = new SliceScheduler();
  /** Open explicit transactions. */
  private readonly transactions = new TransactionRegistry();
  private closed = false;

  private constructor(
    private readonly store: NexusStore,
    private readonly options: NexusOptions,
  ) {}

  static async open(options: NexusOptions): Promise<Nexus> {
    const store = await GraphStore.open({
      path: options.path,
      ...(options.sync === undefined ? {} : { sync: options.sync }),
      ...(options.mapSize === undefined ? {} : { mapSize: options.mapSize }),
    });
    return new Nexus(store, options);
  }

  /** A database over an already-open store (the caller keeps ownership of nothing: close() closes it). */
  static fromStore(store: NexusStore, options: Omit<NexusOptions, 'path'> = {}): Nexus {
    return new Nexus(store, { path: '', ...options });
  }

  /**
   * Parses and plans `query`, or returns the cached plan. Plans hold nothing of a
   * namespace, but the cache is keyed by namespace too: a shared entry would let one tenant
   * time whether another tenant recently ran a given query text (a hit is ~150 µs faster).
   */
  compile(query: string, namespace: string = DEFAULT_NAMESPACE): CompiledQuery {
    const key = `${namespace}\u0000${query}`;
    let compiled = this.cache.get(key);
    if (!compiled) {
      compiled = compileStatement(parse(query), this.procedures);
      this.cache.set(key, compiled);
    }
    return compiled;
  }

  /** `params` may hold plain JS objects and arrays (see plain-values.ts for the number rule). */
  async execute(
    query: string,
    params: Record<string, ParamValue> = {},
    options: ExecuteOptions = {},
  ): Promise<QueryResult> {
    try {
      return await this.run(query, params as Record<string, Value>, options);
    } catch (err) {
      throw asResourceError(err);
    }
  }

  /**
   * Runs a statement as a cursor (autocommit). A read statement's rows are produced as
   * they are pulled (see StreamingCursor); a write statement (and EXPLAIN / PROFILE) runs
   * to its end as `execute` does and its rows are handed out from that buffer.
   */
  async stream(
    query: string,
    params: Record<string, Value> = {},
    options: ExecuteOptions = {},
  ): Promise<QueryCursor> {
    try {
      const statement = this.prepare(query, params, options, false, 0);
      if (statement.compiled.isWrite || statement.compiled.mode !== 'execute') {
        return new BufferedCursor(await this.runPrepared(statement, options));
      }
      const namespace = statement.handle.namespace;
      return new StreamingCursor(statement, () => this.slices.yield(namespace), options.isCancelled);
    } catch (err) {
      throw asResourceError(err);
    }
  }

  /**
   * Opens an explicit transaction (see docs/TRANSACTIONS.md). It holds no lock and no
   * writer until a statement runs; it is rolled back after `idleTimeoutMs` (default: the
   * database's `transactionIdleTimeoutMs`) without a statement.
   */
  beginTransaction(options: TransactionOptions = {}): Transaction {
    return this.openTransaction(options);
  }

  /** Same as `beginTransaction`, typed as the engine's class (tests, diagnostics). */
  openTransaction(options: TransactionOptions = {}): ExplicitTransaction {
    if (this.closed) throw new NexusError('SERVICE_UNAVAILABLE', 'The database is closed');
    const handle = this.store.namespace(options.namespace ?? DEFAULT_NAMESPACE);
    const tx = new ExplicitTransaction(this.transactionHost, {
      handle,
      accessMode: options.accessMode ?? 'write',
      timeoutMs: options.timeoutMs ?? 0,
      idleTimeoutMs:
        options.idleTimeoutMs ?? this.options.transactionIdleTimeoutMs ?? DEFAULT_TRANSACTION_IDLE_TIMEOUT_MS,
      statementTimeoutMs: options.statementTimeoutMs,
      maxIntermediateRows: options.maxIntermediateRows,
      maxQueryMemoryBytes: options.maxQueryMemoryBytes,
      maxStorageBytes: options.maxStorageBytes,
      onEnd: options.onEnd,
    });
    this.transactions.add(tx);
    return tx;
  }

  /**
   * An open transaction by id, or undefined (unknown, committed, rolled back, expired).
   * The caller must check `tx.namespace` against the caller's own namespace.
   */
  transaction(id: string): Transaction | undefined {
    return this.transactions.get(id);
  }

  /** Open explicit transactions (of one namespace, or all). */
  openTransactions(namespace?: string): number {
    return this.transactions.count(namespace);
  }

  private readonly transactionHost: TransactionHost = {
    prepare: (query, params, options, inWriter, deadlineCap) =>
      this.prepare(query, params, options, inWriter, deadlineCap),
    yieldSlice: (namespace) => this.slices.yield(namespace),
    ended: (tx) => this.transactions.remove(tx),
  };

  /**
   * Compiles `query` (or takes the cached plan), checks the access mode and parameters,
   * and fixes the statement's limits. `inWriter`: the statement will run inside a write
   * transaction even if it only reads, so the write timeout applies. `deadlineCap`: an
   * epoch-ms bound on the statement's deadline (0 = none).
   */
  private prepare(
    query: string,
    params: Record<string, Value>,
    options: ExecuteOptions,
    inWriter: boolean,
    deadlineCap: number,
  ): PreparedStatement {
    if (this.closed) throw new NexusError('SERVICE_UNAVAILABLE', 'The database is closed');
    const namespace = options.namespace ?? DEFAULT_NAMESPACE;
    const compiled = this.compile(query, namespace);
    if (options.accessMode === 'read' && compiled.isWrite) {
      throw new NexusError('FORBIDDEN', 'This query writes, but the request is read-only');
    }
    const handle = this.store.namespace(namespace);
    const paramMap = toParamMap(params);
    if (compiled.mode !== 'explain') {
      for (const name of compiled.parameters) {
        if (!paramMap.has(name)) {
          throw new CypherError('ParameterMissing', 'MissingParameter', `Expected parameter $${name}`);
        }
      }
    }
    const generalTimeout = options.timeoutMs ?? this.options.queryTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeout =
      compiled.isWrite || inWriter
        ? (options.writeTimeoutMs ?? this.options.writeTimeoutMs ?? generalTimeout)
        : generalTimeout;
    let deadline = timeout > 0 ? Date.now() + timeout : 0;
    if (deadlineCap > 0 && (deadline === 0 || deadlineCap < deadline)) deadline = deadlineCap;
    return new PreparedStatement(compiled, handle, paramMap, this.procedures, {
      deadline,
      maxRows: options.maxIntermediateRows ?? this.options.maxIntermediateRows ?? DEFAULT_MAX_ROWS,
      maxMemory:
        options.maxQueryMemoryBytes ?? this.options.maxQueryMemoryBytes ?? DEFAULT_MAX_QUERY_MEMORY_BYTES,
    });
  }

  private run(query: string, params: Record<string, Value>, options: ExecuteOptions): Promise<QueryResult> {
    return this.runPrepared(this.prepare(query, params, options, false, 0), options);
  }

  private async runPrepared(statement: PreparedStatement, options: ExecuteOptions): Promise<QueryResult> {
    const compiled = statement.compiled;
    if (compiled.mode === 'explain') return statement.explain();
    let rows: Value[][] | undefined;
    // A MERGE-only dry run that wrote nothing: its snapshot result stands.
    if (compiled.isWrite && compiled.mergeOnly) rows = statement.dryRun();
    if (rows === undefined && compiled.isWrite) {
      rows = await statement.handle.write(
        (tx) => statement.runInWriter(tx),
        options.maxStorageBytes === undefined ? undefined : { maxBytes: options.maxStorageBytes },
      );
    } else if (rows === undefined) {
      const namespace = statement.handle.namespace;
      const cancelled = options.isCancelled;
      rows = await statement.runRead(async () => {
        await this.slices.yield(namespace);
        if (cancelled?.() === true) {
          throw new NexusError('QUERY_CANCELLED', 'The query was stopped: the client went away');
        }
      });
    }
    return statement.result(rows);
  }

  namespace(name: string): NamespaceHandle {
    return this.store.namespace(name);
  }

  stats(namespace: string = DEFAULT_NAMESPACE): NamespaceStats {
    return this.store.namespace(namespace).stats();
  }

  systemTable<V>(name: string): SystemTable<V> {
    if (!this.store.systemTable) throw new NexusError('INTERNAL_ERROR', 'This store has no system tables');
    return this.store.systemTable<V>(name);
  }

  registerProcedure(definition: ProcedureDefinition): void {
    this.procedures.register(definition);
    // Plans embed procedure signatures; a new definition must not meet a stale plan.
    this.cache.clear();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.transactions.abortAll();
    await this.store.close();
  }
}

const NO_PARAMS: ReadonlyMap<string, Value> = new Map();

function toParamMap(params: Record<string, Value>): ReadonlyMap<string, Value> {
  // Many statements send no parameters: no Map for them (a for-in test was slower than this).
  const entries = Object.entries(params);
  if (entries.length === 0) return NO_PARAMS;
  const map = new Map<string, Value>();
  // Plain JS objects / arrays / undefined become Cypher maps / lists / null (plain-values.ts).
  for (const [k, v] of entries)
    map.set(k, typeof v === 'object' || v === undefined ? fromPlainJs(v, `$${k}`) : v);
  return map;
}
