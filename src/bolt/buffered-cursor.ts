/**
 * A QueryCursor over a result that is already complete (a statement run inside an
 * explicit transaction), so PULL n / DISCARD treat every result alike.
 */
import type { QueryCursor } from '../engine/api.js';
import type { QueryResult, Value } from '../engine/values.js';

export function bufferedCursor(result: QueryResult): QueryCursor {
  let at = 0;
  let rows: readonly (readonly Value[])[] | null = result.rows;
  return {
    columns: result.columns,
    isWrite: result.isWrite,
    pull(n: number) {
      const all = rows ?? [];
      const end = n <= 0 || !Number.isFinite(n) ? all.length : Math.min(all.length, at + n);
      const out = all.slice(at, end) as Value[][];
      at = end;
      return Promise.resolve({ rows: out, done: at >= all.length });
    },
    close() {
      rows = null;
    },
    summary() {
      return result.plan === undefined ? { stats: result.stats } : { stats: result.stats, plan: result.plan };
    },
  };
}
