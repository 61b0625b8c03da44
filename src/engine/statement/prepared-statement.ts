/**
 * `PreparedStatement`: one execution of a compiled query with its parameters, limits and
 * counters, and the three ways of running it — to the end inside a write transaction
 * (synchronously), cooperatively over a read snapshot (yielding between time slices), or
 * as a MERGE dry run. `Nexus.execute`, explicit transactions and streaming cursors all
 * run statements through it, so every path applies the same limits.
 */
import { describePlan } from '../executor/index.js';
import type { CompiledQuery } from '../planner/index.js';
import {
  DryRunWriter,
  PAUSE,
  QueryContext,
  WriteNeeded,
  rowBytes,
  snapshotValue,
  type ProcedureRegistry,
  type Row,
  type RowStream,
} from '../runtime/index.js';
import { LazyReadTransaction } from '../runtime/lazy-read-transaction.js';
import { emptyStats, type QueryResult, type QueryStats, type Value } from '../values.js';
import type { GraphReader, GraphWriter, NamespaceHandle } from '../../storage/types.js';

/**
 * A read query yields the event loop after this much uninterrupted work. Short, because
 * a point read arriving meanwhile waits up to one slice (slices are handed out one per
 * event-loop turn by the SliceScheduler).
 */
export const READ_SLICE_MS = 2;

export interface StatementLimits {
  /** Epoch ms after which the statement fails with QUERY_TIMEOUT (0 = none). */
  readonly deadline: number;
  readonly maxRows: number;
  readonly maxMemory: number;
}

export class PreparedStatement {
  readonly stats: QueryStats = emptyStats();
  readonly profile: Map<object, number> | undefined;

  constructor(
    readonly compiled: CompiledQuery,
    readonly handle: NamespaceHandle,
    readonly params: ReadonlyMap<string, Value>,
    private readonly procedures: ProcedureRegistry,
    readonly limits: StatementLimits,
  ) {
    this.profile = compiled.mode === 'profile' ? new Map<object, number>() : undefined;
  }

  get columns(): readonly string[] {
    return this.compiled.columns;
  }

  newContext(tx: GraphReader, writer: GraphWriter | undefined): QueryContext {
    const { deadline, maxRows, maxMemory } = this.limits;
    return new QueryContext(
      tx,
      writer,
      this.params,
      this.stats,
      this.procedures,
      deadline,
      maxRows,
      this.profile,
      maxMemory,
    );
  }

  /** EXPLAIN: the plan, no rows. */
  explain(): QueryResult {
    return {
      columns: this.compiled.columns,
      rows: [],
      stats: emptyStats(),
      plan: this.handle.read((tx) => describePlan(this.compiled.root, undefined, tx)),
      isWrite: this.compiled.isWrite,
    };
  }

  /**
   * Runs the statement to its end with `writer` (synchronously, inside a write
   * transaction) and returns its rows, entities as they are at the end of the statement.
   */
  runInWriter(writer: GraphWriter): Value[][] {
    Object.assign(this.stats, emptyStats());
    this.profile?.clear();
    const ctx = this.newContext(writer, writer);
    const out = drainSync(this.compiled.root.open(ctx, {}), ctx, this.compiled.columns);
    return out.map((r) => r.map((v) => snapshotValue(v, writer, true, ctx.memory)));
  }

  /**
   * Runs a MERGE-only statement over a read snapshot; returns its rows when it needed no
   * write (the pattern existed), or undefined when the first write attempt aborted it.
   */
  dryRun(): Value[][] | undefined {
    const rtx = this.handle.beginRead();
    try {
      const ctx = this.newContext(rtx, new DryRunWriter(rtx));
      const out = drainSync(this.compiled.root.open(ctx, {}), ctx, this.compiled.columns);
      return out.map((r) => r.map((v) => snapshotValue(v, rtx, true, ctx.memory)));
    } catch (err) {
      if (err instanceof WriteNeeded) return undefined;
      throw err;
    } finally {
      rtx.close();
    }
  }

  /** Runs a read statement over a lazily opened snapshot, yielding between slices. */
  async runRead(yieldSlice: () => Promise<void>): Promise<Value[][]> {
    const rtx = new LazyReadTransaction(this.handle);
    try {
      const ctx = this.newContext(rtx, undefined);
      const rows = await drainAsync(this.compiled.root.open(ctx, {}), ctx, this.compiled.columns, yieldSlice);
      // In place: the rows are this query's own arrays.
      for (const row of rows)
        for (let i = 0; i < row.length; i++) row[i] = snapshotValue(row[i]!, rtx, false, ctx.memory);
      return rows;
    } finally {
      rtx.close();
    }
  }

  /** The result of a completed run (PROFILE adds the plan with its row counts). */
  result(rows: Value[][]): QueryResult {
    const result: QueryResult = {
      columns: this.compiled.columns,
      rows,
      stats: this.stats,
      isWrite: this.compiled.isWrite,
    };
    const profile = this.profile;
    return profile
      ? { ...result, plan: this.handle.read((tx) => describePlan(this.compiled.root, profile, tx)) }
      : result;
  }
}

/** A row's values in column order. */
export function project(row: Row, columns: readonly string[]): Value[] {
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
