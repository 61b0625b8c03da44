/**
 * The operator tree the planner builds and the executor runs. Operators are pull-based:
 * `open` returns a lazy stream of rows (plus PAUSE markers); a plan is immutable and
 * shared by every execution of the same query text, so per-run state lives in the
 * stream closures and the `QueryContext`, never on the operator.
 */
import type { GraphReader } from '../../storage/types.js';
import type { PlanDescription } from '../values.js';
import { PAUSE, type QueryContext, type Row, type RowStream } from '../runtime/query-context.js';

export interface Operator {
  readonly name: string;
  readonly children: readonly Operator[];
  /** Human-readable details; `tx` lets data-dependent choices (index or scan) be shown. */
  details(tx?: GraphReader): string;
  /** Optional: a data-dependent name (e.g. the chosen start of a pattern). */
  describe?(tx: GraphReader | undefined, rows: Map<object, number> | undefined): PlanDescription;
  /** Runs the operator; `arg` is the outer row (empty for a top-level query). */
  open(ctx: QueryContext, arg: Row): RowStream;
}

/** Wraps a stream so PROFILE can count the rows an operator produced. */
export function counted(op: Operator, ctx: QueryContext, stream: RowStream): RowStream {
  const profile = ctx.profile;
  if (!profile) return stream;
  return (function* () {
    let n = profile.get(op) ?? 0;
    for (const row of stream) {
      if (row !== PAUSE) profile.set(op, ++n);
      yield row;
    }
  })();
}

export function describePlan(op: Operator, rows?: Map<object, number>, tx?: GraphReader): PlanDescription {
  if (op.describe) return op.describe(tx, rows);
  const base = {
    operator: op.name,
    details: op.details(tx),
    children: op.children.map((c) => describePlan(c, rows, tx)),
  };
  return rows ? { ...base, rows: rows.get(op) ?? 0 } : base;
}
