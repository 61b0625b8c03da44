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
import type {
  GraphReader,
  GraphWriter,
  NamespaceHandle,
  NamespaceStats,
  SystemTable,
} from '../storage/types.js';
import {
  DEFAULT_NAMESPACE,
  type ExecuteOptions,
  type NexusDatabase,
  type NexusOptions,
  type ProcedureDefinition,
} from './api.js';
import { compileStatement, type CompiledQuery } from './planner/index.js';
import { describePlan } from './executor/index.js';
import { LazyReadTransaction } from './runtime/lazy-read-transaction.js';
import {
  DEFAULT_MAX_QUERY_MEMORY_BYTES,
  DryRunWriter,
  PAUSE,
  ProcedureRegistry,
  QueryContext,
  WriteNeeded,
  SliceScheduler,
  asResourceError,
  rowBytes,
  snapshotValue,
  type Row,
  type RowStream,
} from './runtime/index.js';
import { emptyStats, type QueryResult, type Value } from './values.js';

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_ROWS = 1_000_000;
/**
 * A read query yields the event loop after this much uninterrupted work. Short, because
 * a point read arriving meanwhile waits up to one slice (slices are handed out one per
 * event-loop turn by the SliceScheduler).
 */
const READ_SLICE_MS = 2;

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
  private closed = false;

  private constructor(
    private readonly store: NexusStore,
    private readonly options: NexusOptions,
  ) {}

  static async open(options: NexusOptions): Promise<Nexus> {
    const store = await GraphStore.open({
      path: options.path,
      ...(options.sync === undefined ? {} : { sync: options.sync }),
      ...(options.maxSizeBytes === undefined ? {} : { maxSizeBytes: options.maxSizeBytes }),
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

  async execute(
    query: string,
    params: Record<string, Value> = {},
    options: ExecuteOptions = {},
  ): Promise<QueryResult> {
    try {
      return await this.run(query, params, options);
    } catch (err) {
      throw asResourceError(err);
    }
  }

  private async run(
    query: string,
    params: Record<string, Value>,
    options: ExecuteOptions,
  ): Promise<QueryResult> {
    if (this.closed) throw new NexusError('SERVICE_UNAVAILABLE', 'The database is closed');
    const namespace = options.namespace ?? DEFAULT_NAMESPACE;
    // Compilation (parse, analyze, plan) counts against the query's timeout.
    const started = Date.now();
    const compiled = this.compile(query, namespace);
    if (options.accessMode === 'read' && compiled.isWrite) {
      throw new NexusError('FORBIDDEN', 'This query writes, but the request is read-only');
    }
    const handle = this.store.namespace(namespace);
    if (compiled.mode === 'explain') {
      return {
        columns: compiled.columns,
        rows: [],
        stats: emptyStats(),
        plan: handle.read((tx) => describePlan(compiled.root, undefined, tx)),
        isWrite: compiled.isWrite,
      };
    }
    const paramMap = toParamMap(params);
    for (const name of compiled.parameters) {
      if (!paramMap.has(name)) {
        throw new CypherError('ParameterMissing', 'MissingParameter', `Expected parameter $${name}`);
      }
    }
    const generalTimeout = options.timeoutMs ?? this.options.queryTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeout = compiled.isWrite
      ? (options.writeTimeoutMs ?? this.options.writeTimeoutMs ?? generalTimeout)
      : generalTimeout;
    const deadline = timeout > 0 ? started + timeout : 0;
    if (deadline > 0 && Date.now() > deadline) {
      throw new NexusError('QUERY_TIMEOUT', 'The query exceeded its timeout while being compiled');
    }
    const maxRows = options.maxIntermediateRows ?? this.options.maxIntermediateRows ?? DEFAULT_MAX_ROWS;
    const maxMemory =
      options.maxQueryMemoryBytes ?? this.options.maxQueryMemoryBytes ?? DEFAULT_MAX_QUERY_MEMORY_BYTES;
    const stats = emptyStats();
    const profile = compiled.mode === 'profile' ? new Map<object, number>() : undefined;

    const newContext = (tx: GraphReader, writer: GraphWriter | undefined) =>
      new QueryContext(tx, writer, paramMap, stats, this.procedures, deadline, maxRows, profile, maxMemory);

    let rows: Value[][] | undefined;
    if (compiled.isWrite && compiled.mergeOnly) rows = this.dryRun(handle, compiled, newContext);
    if (rows) {
      // The dry run wrote nothing: its snapshot result stands.
    } else if (compiled.isWrite) {
      Object.assign(stats, emptyStats());
      profile?.clear();
      rows = await handle.write(
        (tx) => {
          const ctx = newContext(tx, tx);
          const out = drainSync(compiled.root.open(ctx, {}), ctx, compiled.columns);
          // Entities are returned as they are at the end of the query.
          return out.map((r) => r.map((v) => snapshotValue(v, tx, true, ctx.memory)));
        },
        options.maxStorageBytes === undefined ? undefined : { maxBytes: options.maxStorageBytes },
      );
    } else {
      const rtx = new LazyReadTransaction(handle);
      try {
        const ctx = newContext(rtx, undefined);
        const cancelled = options.isCancelled;
        rows = await drainAsync(compiled.root.open(ctx, {}), ctx, compiled.columns, async () => {
          await this.slices.yield(handle.namespace);
          if (cancelled?.() === true) {
            throw new NexusError('QUERY_CANCELLED', 'The query was stopped: the client went away');
          }
        });
        // In place: the rows are this query's own arrays.
        for (const row of rows)
          for (let i = 0; i < row.length; i++) row[i] = snapshotValue(row[i]!, rtx, false, ctx.memory);
      } finally {
        rtx.close();
      }
    }
    const result: QueryResult = { columns: compiled.columns, rows, stats, isWrite: compiled.isWrite };
    return profile
      ? { ...result, plan: handle.read((tx) => describePlan(compiled.root, profile, tx)) }
      : result;
  }

  /**
   * Runs a MERGE-only query over a read snapshot; returns its rows when it needed no
   * write (the pattern existed), or undefined when the first write attempt aborted it.
   */
  private dryRun(
    handle: NamespaceHandle,
    compiled: CompiledQuery,
    newContext: (tx: GraphReader, writer: GraphWriter | undefined) => QueryContext,
  ): Value[][] | undefined {
    const rtx = handle.beginRead();
    try {
      const ctx = newContext(rtx, new DryRunWriter(rtx));
      const out = drainSync(compiled.root.open(ctx, {}), ctx, compiled.columns);
      return out.map((r) => r.map((v) => snapshotValue(v, rtx, true, ctx.memory)));
    } catch (err) {
      if (err instanceof WriteNeeded) return undefined;
      throw err;
    } finally {
      rtx.close();
    }
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
    await this.store.close();
  }
}

const NO_PARAMS: ReadonlyMap<string, Value> = new Map();

function toParamMap(params: Record<string, Value>): ReadonlyMap<string, Value> {
  // Many statements send no parameters: no Map for them (a for-in test was slower than this).
  const entries = Object.entries(params);
  return entries.length === 0 ? NO_PARAMS : new Map<string, Value>(entries);
}

function project(row: Row, columns: readonly string[]): Value[] {
  const out = new Array<Value>(columns.length);
  for (let i = 0; i < columns.length; i++) out[i] = row[columns[i]!] ?? null;
  return out;
}

function drainSync(stream: RowStream, ctx: QueryContext, columns: readonly string[]): Value[][] {
  const out: Value[][] = [];
  for (const row of stream) {
    if (row === PAUSE) {
      ctx.checkDeadline();
      continue;
    }
    // A query that does not end in RETURN produces no rows.
    if (columns.length === 0) continue;
    ctx.hold(1);
    const values = project(row, columns);
    ctx.memory.charge(rowBytes(values));
    out.push(values);
  }
  return out;
}

/**
 * Pulls rows in time slices, yielding the event loop between slices so a long read
 * cannot starve other requests. Operators emit PAUSE markers while they work.
 */
async function drainAsync(
  stream: RowStream,
  ctx: QueryContext,
  columns: readonly string[],
  yieldSlice: () => Promise<void>,
): Promise<Value[][]> {
  const out: Value[][] = [];
  let sliceStart = Date.now();
  for (const row of stream) {
    if (row === PAUSE) {
      ctx.checkDeadline();
      const now = Date.now();
      if (now - sliceStart >= READ_SLICE_MS) {
        await yieldSlice();
        sliceStart = Date.now();
      }
      continue;
    }
    if (columns.length === 0) continue;
    ctx.hold(1);
    const values = project(row, columns);
    ctx.memory.charge(rowBytes(values));
    out.push(values);
  }
  return out;
}
