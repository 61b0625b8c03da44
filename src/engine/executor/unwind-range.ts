/**
 * `UNWIND range(a, b[, step]) AS x`: the list is never built. A materialised range() holds
 * ~32 bytes per element (so the memory budget refuses ten million), while a lazy one costs
 * nothing per row: `UNWIND range(1, 100000000) AS x RETURN count(x)` streams under the
 * query timeout like a scan. The operator keeps the plan name `Unwind`.
 */
import { rangeBounds } from '../functions/index.js';
import { PAUSE, PAUSE_EVERY, type Row } from '../runtime/query-context.js';
import type { Expr } from '../planner/compile-expression.js';
import { BasicOperator } from './read-operators.js';
import type { Operator } from './operator.js';

export function unwindRangeOperator(input: Operator, args: readonly Expr[], name: string): Operator {
  return new BasicOperator('Unwind', name, [input], function* (ctx, arg) {
    for (const r of input.open(ctx, arg)) {
      if (r === PAUSE) {
        yield r;
        continue;
      }
      const { start, step, count } = rangeBounds(args.map((a) => a(r, ctx)));
      let x = start;
      for (let i = 0n; i < count; i++) {
        if ((++ctx.work & (PAUSE_EVERY - 1)) === 0) yield PAUSE;
        const out: Row = { ...r };
        out[name] = x;
        yield out;
        x += step;
      }
    }
  });
}
