/**
 * `StreamingCursor`: a read statement consumed incrementally. Rows are produced by the
 * operator tree as they are pulled, over one lazily opened snapshot, in the same time
 * slices, with the same cancellation, deadline and memory rules as a buffered read
 * (`PreparedStatement.runRead`): the whole result is never built up front. Rows handed
 * out by a pull are no longer the cursor's: the row cap and the memory budget count the
 * rows of one pull while it is built, then release them. One row is read ahead so `done`
 * is exact (a protocol can say "no more records" with the last batch).
 * `close()` stops the operator tree and frees the snapshot; so does an error, the end of
 * the result, or the statement's deadline passing while nobody pulls.
 */
import { NexusError } from '../../errors.js';
import type { QueryCursor } from '../api.js';
import { PAUSE, rowBytes, snapshotValue, type QueryContext, type Row } from '../runtime/index.js';
import { LazyReadTransaction } from '../runtime/lazy-read-transaction.js';
import type { QueryResult, Value } from '../values.js';
import { READ_SLICE_MS, project, type PreparedStatement } from './prepared-statement.js';

export class StreamingCursor implements QueryCursor {
  private readonly rtx: LazyReadTransaction;
  private readonly ctx: QueryContext;
  private readonly rows: Iterator<Row | typeof PAUSE>;
  /** The row read ahead (projected), if any. */
  private ahead: Value[] | undefined;
  private exhausted = false;
  private closed = false;
  /** Set when the cursor was closed by its deadline timer (a later pull reports it). */
  private expired = false;
  /** Pulls run one at a time. */
  private chain: Promise<unknown> = Promise.resolve();
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly statement: PreparedStatement,
    private readonly yieldSlice: () => Promise<void>,
    private readonly isCancelled: (() => boolean) | undefined,
  ) {
    this.rtx = new LazyReadTransaction(statement.handle);
    this.ctx = statement.newContext(this.rtx, undefined);
    this.rows = statement.compiled.root.open(this.ctx, {})[Symbol.iterator]();
    const deadline = statement.limits.deadline;
    if (deadline > 0) {
      // An abandoned cursor must not hold its snapshot forever.
      this.timer = setTimeout(
        () => {
          if (this.closed) return;
          this.expired = true;
          this.close();
        },
        Math.max(0, deadline - Date.now()) + 1,
      );
      this.timer.unref();
    }
  }

  get columns(): readonly string[] {
    return this.statement.columns;
  }

  get isWrite(): boolean {
    return false;
  }

  /** Rows the cursor holds right now (0 between pulls, except the one read ahead); for tests. */
  get rowsHeld(): number {
    return this.ahead === undefined ? 0 : 1;
  }

  pull(n: number): Promise<{ rows: Value[][]; done: boolean }> {
    const run = this.chain.then(() => this.pullNow(n));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async pullNow(n: number): Promise<{ rows: Value[][]; done: boolean }> {
    if (this.expired) {
      throw new NexusError('QUERY_TIMEOUT', 'The query exceeded its timeout and was stopped');
    }
    if (this.closed) return { rows: [], done: true };
    if (this.isCancelled?.() === true) {
      this.close();
      throw new NexusError('QUERY_CANCELLED', 'The query was stopped: the client went away');
    }
    const limit = n > 0 ? n : Infinity;
    const out: Value[][] = [];
    let held = 0;
    let bytes = 0;
    const ctx = this.ctx;
    try {
      let sliceStart = Date.now();
      const take = (values: Value[]): void => {
        // What taking a row charges (its values, the records snapshotValue reads) is
        // released once the batch is handed out.
        const before = ctx.memory.used;
        try {
          for (let i = 0; i < values.length; i++)
            values[i] = snapshotValue(values[i]!, this.rtx, false, ctx.memory);
          ctx.hold(1);
          held++;
          ctx.memory.charge(rowBytes(values));
        } finally {
          bytes += ctx.memory.used - before;
        }
        out.push(values);
      };
      if (this.ahead !== undefined) {
        take(this.ahead);
        this.ahead = undefined;
      }
      // Fill the batch, then read one row ahead to know whether the result is exhausted.
      while (!this.exhausted && this.ahead === undefined) {
        if (this.closed) return { rows: out, done: true };
        const next = this.rows.next();
        if (next.done === true) {
          this.exhausted = true;
          break;
        }
        const row = next.value;
        if (row === PAUSE) {
          ctx.checkDeadline();
          if (Date.now() - sliceStart >= READ_SLICE_MS) {
            await this.yieldSlice();
            if (this.isCancelled?.() === true) {
              throw new NexusError('QUERY_CANCELLED', 'The query was stopped: the client went away');
            }
            sliceStart = Date.now();
          }
          continue;
        }
        // A query that does not end in RETURN produces no rows.
        if (this.statement.columns.length === 0) continue;
        const values = project(row, this.statement.columns);
        if (out.length < limit) take(values);
        else this.ahead = values;
      }
    } catch (err) {
      this.close();
      throw err;
    } finally {
      // Handed out: the rows are the caller's now.
      ctx.release(held);
      ctx.memory.release(bytes);
    }
    const done = this.exhausted && this.ahead === undefined;
    if (done) this.close();
    return { rows: out, done };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.ahead = undefined;
    try {
      this.rows.return?.();
    } finally {
      this.rtx.close();
    }
  }

  summary(): Pick<QueryResult, 'stats' | 'plan'> {
    return { stats: this.statement.stats };
  }
}
