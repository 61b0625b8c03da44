/**
 * `BufferedCursor`: a cursor over a result that was computed in full (a write statement,
 * whose rows are produced inside its write transaction; EXPLAIN; PROFILE). Pulls hand
 * the buffered rows out in batches and drop them from the buffer.
 */
import type { QueryCursor } from '../api.js';
import type { QueryResult, Value } from '../values.js';

export class BufferedCursor implements QueryCursor {
  private rows: readonly (readonly Value[])[];
  private next = 0;
  /** The result without its rows (the buffer is the only reference to them). */
  private readonly result: QueryResult;

  constructor(result: QueryResult) {
    this.rows = result.rows;
    this.result = { ...result, rows: [] };
  }

  get columns(): readonly string[] {
    return this.result.columns;
  }

  get isWrite(): boolean {
    return this.result.isWrite;
  }

  pull(n: number): Promise<{ rows: Value[][]; done: boolean }> {
    const end = n > 0 ? Math.min(this.rows.length, this.next + n) : this.rows.length;
    const rows = this.rows.slice(this.next, end) as Value[][];
    this.next = end;
    const done = this.next >= this.rows.length;
    if (done) this.close();
    return Promise.resolve({ rows, done });
  }

  close(): void {
    this.rows = [];
    this.next = 0;
  }

  summary(): Pick<QueryResult, 'stats' | 'plan'> {
    return this.result.plan === undefined
      ? { stats: this.result.stats }
      : { stats: this.result.stats, plan: this.result.plan };
  }
}
