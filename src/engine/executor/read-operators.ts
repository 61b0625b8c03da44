/**
 * Read-side operators: argument, filter, pattern match (incl. OPTIONAL), projection,
 * aggregation, DISTINCT, ORDER BY, SKIP/LIMIT, UNWIND, procedure calls and UNION.
 * Each passes PAUSE markers through so the driver can enforce limits and yield.
 */
import { CypherError } from '../../cypher/errors.js';
import type { GraphReader } from '../../storage/types.js';
import { createAggregator, groupingKey, orderCompare, type Aggregator } from '../functions/index.js';
import type { Procedure } from '../runtime/procedure-registry.js';
import { recordBytes, valueBytes } from '../runtime/memory-budget.js';
import {
  PAUSE,
  PAUSE_EVERY,
  type Pause,
  type QueryContext,
  type Row,
  type RowStream,
} from '../runtime/query-context.js';
import type { PlanDescription, Value } from '../values.js';
import type { CompiledPattern } from '../planner/compile-pattern.js';
import type { Expr } from '../planner/compile-expression.js';
import { counted, describePlan, type Operator } from './operator.js';

type OpenFn = (ctx: QueryContext, arg: Row) => RowStream;

/** A plain operator: name, fixed details, children and a stream factory. */
export class BasicOperator implements Operator {
  constructor(
    readonly name: string,
    private readonly info: string,
    readonly children: readonly Operator[],
    private readonly run: OpenFn,
  ) {}

  details(): string {
    return this.info;
  }

  open(ctx: QueryContext, arg: Row): RowStream {
    return counted(this, ctx, this.run(ctx, arg));
  }
}

export function startOperator(): Operator {
  return new BasicOperator('Argument', '', [], (_ctx, arg) => [arg]);
}

/**
 * Whether evaluating one row's expressions did heavy work (a long comprehension, a large
 * list operation: see compile-expression's `heavyWork`) since `before` = `ctx.work`. The
 * operator then emits a PAUSE, so the read driver can yield the event loop between rows.
 */
function heavySince(ctx: QueryContext, before: number): boolean {
  return ctx.work - before >= PAUSE_EVERY;
}

export function filterOperator(input: Operator, pred: Expr, info: string): Operator {
  return new BasicOperator('Filter', info, [input], function* (ctx, arg) {
    for (const r of input.open(ctx, arg)) {
      if (r === PAUSE) {
        yield r;
        continue;
      }
      const before = ctx.work;
      const pass = pred(r, ctx) === true;
      if (heavySince(ctx, before)) yield PAUSE;
      if (pass) yield r;
    }
  });
}

export class MatchOperator implements Operator {
  readonly name: string;
  readonly children: readonly Operator[];

  constructor(
    private readonly input: Operator,
    private readonly pattern: CompiledPattern,
    private readonly optional: boolean,
  ) {
    this.name = optional ? 'OptionalMatch' : 'Match';
    this.children = [input];
  }

  details(tx?: GraphReader): string {
    return this.pattern
      .describe(tx)
      .map((d) => `${d.operator}(${d.details})`)
      .join(' -> ');
  }

  describe(tx: GraphReader | undefined, rows: Map<object, number> | undefined): PlanDescription {
    // The pattern's steps, innermost first, over the input plan.
    let node: PlanDescription = describePlan(this.input, rows, tx);
    for (const d of this.pattern.describe(tx)) {
      node = { operator: d.operator, details: d.details, children: [node] };
      if (rows) node = { ...node, rows: rows.get(d.step ?? this) ?? 0 };
    }
    if (this.optional) node = { operator: 'Optional', details: '', children: [node] };
    return rows ? { ...node, rows: rows.get(this) ?? 0 } : node;
  }

  open(ctx: QueryContext, arg: Row): RowStream {
    const input = this.input;
    const pattern = this.pattern;
    const optional = this.optional;
    return counted(
      this,
      ctx,
      (function* () {
        for (const r of input.open(ctx, arg)) {
          if (r === PAUSE) {
            yield r;
            continue;
          }
          let any = false;
          for (const m of pattern.run(ctx, r)) {
            if (m !== PAUSE) any = true;
            yield m;
          }
          if (!any && optional) {
            const out: Row = { ...r };
            for (const v of pattern.newVars) out[v] = null;
            yield out;
          }
        }
      })(),
    );
  }
}

export interface ProjectItem {
  readonly name: string;
  readonly expr: Expr;
}

/** Evaluates items; `keep` retains the input row's variables (for ORDER BY on them). */
export function projectOperator(input: Operator, items: readonly ProjectItem[], keep: boolean): Operator {
  const n = items.length;
  return new BasicOperator('Projection', items.map((i) => i.name).join(', '), [input], function* (ctx, arg) {
    for (const r of input.open(ctx, arg)) {
      if (r === PAUSE) {
        yield r;
        continue;
      }
      const out: Row = keep ? { ...r } : {};
      // Evaluate against the input row so `WITH a.x AS a, a.y AS b` sees the old `a`.
      const before = ctx.work;
      const vals = new Array<Value>(n);
      for (let i = 0; i < n; i++) vals[i] = items[i]!.expr(r, ctx);
      for (let i = 0; i < n; i++) out[items[i]!.name] = vals[i]!;
      if (heavySince(ctx, before)) yield PAUSE;
      yield out;
    }
  });
}

const NO_ARGS: readonly Value[] = [];
/** Aggregates that keep every input value (their memory grows with the input). */
const HOLDING_AGGREGATES = new Set(['collect', 'stdev', 'stdevp', 'percentilecont', 'percentiledisc']);

export interface AggregateSpec {
  readonly slot: string;
  readonly name: string;
  readonly distinct: boolean;
  readonly args: readonly Expr[];
}

/**
 * Groups by `keys` (grouping items) and computes `aggs`; then evaluates the output
 * items on the group's first row extended with the aggregate slots.
 */
export function aggregateOperator(
  input: Operator,
  keys: readonly ProjectItem[],
  aggs: readonly AggregateSpec[],
  outputs: readonly ProjectItem[],
): Operator {
  const info = `keys: ${keys.map((k) => k.name).join(', ')}; aggregates: ${aggs.map((a) => a.name).join(', ')}`;
  const nKeys = keys.length;
  const holding = aggs.map((a) => a.distinct || HOLDING_AGGREGATES.has(a.name.toLowerCase()));
  return new BasicOperator('EagerAggregation', info, [input], function* (ctx, arg) {
    const groups = new Map<string, { row: Row; aggs: Aggregator[] }>();
    // One-argument aggregates reuse one array per aggregate instead of one per row:
    // no Aggregator keeps the array it is given, only the values in it.
    const scratch = aggs.map((): Value[] => [null]);
    let bytes = 0;
    for (const r of input.open(ctx, arg)) {
      if (r === PAUSE) {
        yield r;
        continue;
      }
      const before = ctx.work;
      let key: string;
      if (nKeys === 0) key = '';
      else if (nKeys === 1) key = groupingKey(keys[0]!.expr(r, ctx));
      else {
        key = '';
        for (const k of keys) key += groupingKey(k.expr(r, ctx)) + '\u0001';
      }
      let g = groups.get(key);
      if (!g) {
        ctx.hold(1);
        const b = 64 + key.length;
        ctx.memory.charge(b);
        bytes += b;
        g = { row: r, aggs: aggs.map((a) => createAggregator(a.name, a.distinct)) };
        groups.set(key, g);
      }
      for (let i = 0; i < aggs.length; i++) {
        const args = aggs[i]!.args;
        let values: readonly Value[];
        if (args.length === 0) values = NO_ARGS;
        else if (args.length === 1) {
          const one = scratch[i]!;
          one[0] = args[0]!(r, ctx);
          values = one;
        } else values = args.map((f) => f(r, ctx));
        if (holding[i]) {
          // collect() of millions of values: each one stays until the group is emitted.
          const b = 8 + valueBytes(values[0] ?? null);
          ctx.memory.charge(b);
          bytes += b;
        }
        g.aggs[i]!.add(values);
      }
      if (heavySince(ctx, before)) yield PAUSE;
    }
    if (groups.size === 0 && keys.length === 0) {
      groups.set('', { row: arg, aggs: aggs.map((a) => createAggregator(a.name, a.distinct)) });
    }
    for (const g of groups.values()) {
      const base: Row = { ...g.row };
      for (let i = 0; i < aggs.length; i++) base[aggs[i]!.slot] = g.aggs[i]!.result();
      const out: Row = {};
      for (const o of outputs) out[o.name] = o.expr(base, ctx);
      // Aggregate slots stay visible for ORDER BY expressions over aggregates.
      for (let i = 0; i < aggs.length; i++) out[aggs[i]!.slot] = base[aggs[i]!.slot]!;
      yield out;
    }
    ctx.release(groups.size);
    ctx.memory.release(bytes);
  });
}

export function distinctOperator(input: Operator, names: readonly string[]): Operator {
  return new BasicOperator('Distinct', names.join(', '), [input], function* (ctx, arg) {
    const seen = new Set<string>();
    let bytes = 0;
    for (const r of input.open(ctx, arg)) {
      if (r === PAUSE) {
        yield r;
        continue;
      }
      let key = '';
      for (const n of names) key += groupingKey(r[n] ?? null) + '\u0001';
      if (seen.has(key)) continue;
      seen.add(key);
      ctx.hold(1);
      ctx.memory.charge(48 + key.length);
      bytes += 48 + key.length;
      yield r;
    }
    ctx.release(seen.size);
    ctx.memory.release(bytes);
  });
}

export interface SortKey {
  readonly expr: Expr;
  readonly descending: boolean;
}

/**
 * ORDER BY. With `top` (SKIP + LIMIT of the same projection) it keeps only the best
 * `skip + limit` rows (Top-K: buffer up to 2k, then sort and cut), so
 * `ORDER BY … LIMIT 10` over millions of rows holds ten, not millions.
 */
export function sortOperator(
  input: Operator,
  keys: readonly SortKey[],
  info: string,
  top?: { skip: Expr | null; limit: Expr },
): Operator {
  type Entry = { row: Row; keys: Value[]; bytes: number };
  const cmp = (a: Entry, b: Entry) => {
    for (let i = 0; i < keys.length; i++) {
      const c = orderCompare(a.keys[i]!, b.keys[i]!);
      if (c !== 0) return keys[i]!.descending ? -c : c;
    }
    return 0;
  };
  return new BasicOperator(top ? 'Top' : 'Sort', info, [input], function* (ctx, arg) {
    const k = top
      ? (top.skip ? countArg(top.skip(arg, ctx), 'SKIP') : 0) + countArg(top.limit(arg, ctx), 'LIMIT')
      : Infinity;
    let buf: Entry[] = [];
    let held = 0;
    let heldBytes = 0;
    for (const r of input.open(ctx, arg)) {
      if (r === PAUSE) {
        yield r;
        continue;
      }
      ctx.hold(1);
      held++;
      const before = ctx.work;
      const sortKeys = keys.map((key) => key.expr(r, ctx));
      if (heavySince(ctx, before)) yield PAUSE;
      const bytes = recordBytes(r) + 8 * sortKeys.length;
      ctx.memory.charge(bytes);
      heldBytes += bytes;
      buf.push({ row: r, keys: sortKeys, bytes });
      if (buf.length >= 2 * k + 64) {
        // Stable sort keeps the earlier of equal rows, as a full sort would.
        buf.sort(cmp);
        let dropped = 0;
        for (let i = k; i < buf.length; i++) dropped += buf[i]!.bytes;
        buf = buf.slice(0, k);
        ctx.release(held - buf.length);
        held = buf.length;
        ctx.memory.release(dropped);
        heldBytes -= dropped;
      }
    }
    buf.sort(cmp);
    if (buf.length > k) buf = buf.slice(0, k);
    ctx.release(held);
    ctx.memory.release(heldBytes);
    for (const e of buf) yield e.row;
  });
}

function countArg(v: Value, what: string): number {
  if (typeof v === 'bigint') {
    if (v < 0n) {
      throw new CypherError(
        'SyntaxError',
        'NegativeIntegerArgument',
        `${what} must be non-negative, got ${v}`,
      );
    }
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  }
  throw new CypherError('SyntaxError', 'InvalidArgumentType', `${what} must be a non-negative integer`);
}

export function skipLimitOperator(input: Operator, skip: Expr | null, limit: Expr | null): Operator {
  const name = limit ? (skip ? 'SkipLimit' : 'Limit') : 'Skip';
  return new BasicOperator(name, '', [input], function* (ctx, arg) {
    const s = skip ? countArg(skip(arg, ctx), 'SKIP') : 0;
    const l = limit ? countArg(limit(arg, ctx), 'LIMIT') : Infinity;
    if (l === 0) {
      // Still pull once: upstream updating clauses do all their work on the first pull.
      for (const r of input.open(ctx, arg)) if (r !== PAUSE) return;
      return;
    }
    let seen = 0;
    let emitted = 0;
    for (const r of input.open(ctx, arg)) {
      if (r === PAUSE) {
        yield r;
        continue;
      }
      if (seen++ < s) continue;
      yield r;
      if (++emitted >= l) return;
    }
  });
}

export function unwindOperator(input: Operator, expr: Expr, name: string): Operator {
  return new BasicOperator('Unwind', name, [input], function* (ctx, arg) {
    for (const r of input.open(ctx, arg)) {
      if (r === PAUSE) {
        yield r;
        continue;
      }
      const before = ctx.work;
      const v = expr(r, ctx);
      if (heavySince(ctx, before)) yield PAUSE;
      if (v === null) continue;
      const list = Array.isArray(v) ? (v as readonly Value[]) : [v];
      for (const x of list) {
        // A long list is a row source like a scan: let the driver check limits.
        if ((++ctx.work & (PAUSE_EVERY - 1)) === 0) yield PAUSE;
        const out: Row = { ...r };
        out[name] = x;
        yield out;
      }
    }
  });
}

export interface CallSpec {
  readonly procedure: Procedure;
  /** Argument expressions, or null: taken from parameters named like the inputs. */
  readonly args: readonly Expr[] | null;
  /** Output field index → variable. */
  readonly yields: readonly { index: number; name: string }[];
  readonly where: Expr | null;
  /** Void procedure or standalone call without outputs: pass rows through. */
  readonly passThrough: boolean;
}

export function callOperator(input: Operator, spec: CallSpec): Operator {
  const proc = spec.procedure;
  return new BasicOperator('ProcedureCall', proc.name, [input], function* (ctx, arg) {
    for (const r of input.open(ctx, arg)) {
      if (r === PAUSE) {
        yield r;
        continue;
      }
      let args: Value[];
      if (spec.args) args = spec.args.map((a) => a(r, ctx));
      else {
        args = proc.inputs.map((i) => {
          const v = ctx.params.get(i.name);
          if (v === undefined) {
            throw new CypherError('ParameterMissing', 'MissingParameter', `Expected parameter $${i.name}`);
          }
          return v;
        });
      }
      const results = [...proc.invoke(args, ctx.tx)];
      if (spec.passThrough) {
        yield r;
        continue;
      }
      for (const res of results) {
        const out: Row = { ...r };
        for (const y of spec.yields) out[y.name] = res[y.index] ?? null;
        if (spec.where && spec.where(out, ctx) !== true) continue;
        yield out;
      }
    }
  });
}

export function unionOperator(
  branches: readonly Operator[],
  distinct: boolean,
  columns: readonly string[],
): Operator {
  return new BasicOperator(distinct ? 'Union' : 'UnionAll', '', branches, function* (ctx, arg) {
    const seen = distinct ? new Set<string>() : undefined;
    for (const b of branches) {
      for (const r of b.open(ctx, arg)) {
        if (r === PAUSE || !seen) {
          yield r;
          continue;
        }
        let key = '';
        for (const c of columns) key += groupingKey(r[c] ?? null) + '\u0001';
        if (seen.has(key)) continue;
        seen.add(key);
        ctx.hold(1);
        ctx.memory.charge(48 + key.length);
        yield r;
      }
    }
  });
}

/** Drains a stream fully (writes must see their whole input before later reads run). */
export function* eager(stream: RowStream, ctx: QueryContext, out: Row[]): Generator<Pause> {
  for (const r of stream) {
    if (r === PAUSE) {
      yield PAUSE;
      continue;
    }
    ctx.hold(1);
    // Held until the updating clause has seen its whole input (released with the query).
    ctx.memory.charge(recordBytes(r));
    out.push(r);
  }
}
