/**
 * Compiles AST expressions into closures `(row, ctx) => Value` once per plan, so running
 * a cached query never walks the AST again. Value semantics (equality, ordering,
 * arithmetic, functions) come from `../functions`; this module only wires them up and
 * handles what needs the executor: variables, parameters, aggregates (read from slots
 * the aggregation operator fills), and pattern-based subexpressions.
 */
import type * as Ast from '../../cypher/ast.js';
import { CypherError } from '../../cypher/errors.js';
import { childExpressions } from '../../cypher/expression-walk.js';
import {
  add,
  and,
  compare,
  divide,
  equals,
  indexAccess,
  inList,
  isAggregateFunction,
  modulo,
  multiply,
  negate,
  not,
  or,
  power,
  propertyAccess,
  regexMatch,
  resolveFunction,
  sliceList,
  stringContains,
  stringEndsWith,
  stringStartsWith,
  subtract,
  unaryPlus,
  xor,
} from '../functions/index.js';
import { PAUSE, PAUSE_EVERY, type QueryContext, type Row, type RowStream } from '../runtime/query-context.js';
import { LIST_ELEMENT_BYTES, valueBytes } from '../runtime/memory-budget.js';
import { describeValue, typeName } from '../functions/type-name.js';
import { Node, Relationship, type Value } from '../values.js';

export type Expr = (row: Row, ctx: QueryContext) => Value;

/**
 * List comprehensions, reduce() and quantifiers loop inside ONE expression, where no
 * operator PAUSE point is reached: they check the query deadline every 1024 elements,
 * or `[x IN range(1, 50000000) | x * 2]` would hold the event loop far past the timeout.
 */
const DEADLINE_STRIDE = 1023;

/**
 * A deadline check inside one expression. It also counts as PAUSE_EVERY units of work:
 * the operator evaluating the row sees the jump and emits a PAUSE after the row, so the
 * read driver can yield the event loop between two heavy rows. Without it a query whose
 * rows are few but each costly (`UNWIND range(1, 60) AS k RETURN size([x IN range(1,
 * 250000) | toString(x)])`) reached no PAUSE at all and held the event loop — every other
 * tenant's requests — for its whole run. (Adding a multiple of PAUSE_EVERY leaves the leaf
 * loops' `work & (PAUSE_EVERY - 1)` cadence unchanged.)
 */
function heavyWork(ctx: QueryContext): void {
  ctx.work += PAUSE_EVERY;
  ctx.checkDeadline();
}
/**
 * Operations that walk a whole list (`+`, `IN`) also check the deadline once the list is this
 * long: `reduce(l = range(1, 3000000), x IN range(1, 100000) | l + [x])` copies 3M elements
 * per iteration, and 1024 iterations between two checks overshot a 1 s timeout by minutes.
 */
const LARGE_LIST = 4096;
/** Comprehensions check the memory budget each time their list grows by this much. */
const CHECK_EVERY_BYTES = 64 * 1024;

/**
 * A list a comprehension is building, charged against the query's memory budget as it grows:
 * in `[x IN range(1, 5000) | range(1, 5000)]` the elements are small but the list is huge.
 */
class ChargedList {
  readonly items: Value[] = [];
  private bytes = 0;
  private checked = 0;
  constructor(private readonly ctx: QueryContext) {}

  push(v: Value): void {
    this.bytes += 8 + valueBytes(v);
    if (this.bytes - this.checked >= CHECK_EVERY_BYTES) {
      this.ctx.memory.check(this.bytes);
      this.checked = this.bytes;
    }
    this.items.push(v);
  }
}

/** A value whose construction took time proportional to a large size. */
function isLarge(v: Value): boolean {
  return Array.isArray(v) ? v.length >= LARGE_LIST : typeof v === 'string' && v.length >= 16 * LARGE_LIST;
}

/** What the expression compiler needs from the rest of the planner. */
export interface ExprEnv {
  /** Variables bound in the row when the expression runs. */
  readonly bound: ReadonlySet<string>;
  /** Aggregate call → row key holding its result (inside aggregating projections). */
  readonly aggSlots?: ReadonlyMap<Ast.Expression, string>;
  /** Matches a pattern against a row (used by pattern expressions, comprehensions, EXISTS). */
  compileMatch(
    element: Ast.PatternElement | Ast.Pattern,
    where: Ast.Expression | null,
    pathVar: string | null,
    bound: ReadonlySet<string>,
  ): (row: Row, ctx: QueryContext) => RowStream;
  compileSubquery(query: Ast.Query, bound: ReadonlySet<string>): (row: Row, ctx: QueryContext) => RowStream;
  /** The column names a subquery returns (COLLECT reads its one column). */
  subqueryColumns(query: Ast.Query, bound: ReadonlySet<string>): readonly string[];
}

export function isAggregateName(name: string): boolean {
  return isAggregateFunction(name);
}

/** Aggregate calls in an expression (not descending into aggregates or nested scopes' own). */
export function findAggregates(e: Ast.Expression, out: (Ast.FunctionCall | Ast.CountStar)[] = []) {
  walkExpression(e, (x) => {
    if (x.kind === 'CountStar' || (x.kind === 'FunctionCall' && isAggregateName(x.name))) {
      out.push(x);
      return false;
    }
    return true;
  });
  return out;
}

/** Tests an entity's names (a node's labels, or a relationship's one type) in a row. */
export type LabelMatcher = (names: readonly string[], row: Row, ctx: QueryContext) => boolean;

/**
 * Compiles a label expression: `%` needs at least one name; `$(expr)` needs every name
 * the expression gives (a STRING or a LIST<STRING>).
 */
export function compileLabelExpression(e: Ast.LabelExpression, env: ExprEnv): LabelMatcher {
  switch (e.kind) {
    case 'LabelName':
      return (names) => names.includes(e.name);
    case 'LabelAny':
      return (names) => names.length > 0;
    case 'LabelDynamic': {
      const expr = compileExpression(e.expression, env);
      return (names, row, ctx) => dynamicNames(expr(row, ctx)).every((n) => names.includes(n));
    }
    case 'LabelNot': {
      const inner = compileLabelExpression(e.operand, env);
      return (names, row, ctx) => !inner(names, row, ctx);
    }
    case 'LabelAnd': {
      const parts = e.operands.map((x) => compileLabelExpression(x, env));
      return (names, row, ctx) => parts.every((m) => m(names, row, ctx));
    }
    case 'LabelOr': {
      const parts = e.operands.map((x) => compileLabelExpression(x, env));
      return (names, row, ctx) => parts.some((m) => m(names, row, ctx));
    }
  }
}

/** The names a `$(expr)` label or type gives: a non-empty STRING or a LIST of them. */
export function dynamicNames(v: Value): string[] {
  const items = Array.isArray(v) ? (v as readonly Value[]) : [v];
  return items.map((x) => {
    if (typeof x !== 'string') {
      throw new CypherError(
        'TypeError',
        'InvalidArgumentType',
        `A dynamic label or type must be a STRING or a LIST<STRING>, got ${describeValue(x)}`,
      );
    }
    if (x === '') {
      throw new CypherError('ArgumentError', 'InvalidArgumentValue', 'A label or type name cannot be empty');
    }
    return x;
  });
}

/** Calls `visit` on every sub-expression; `visit` returns false to skip children. */
export function walkExpression(e: Ast.Expression, visit: (e: Ast.Expression) => boolean): void {
  if (!visit(e)) return;
  for (const child of childExpressions(e)) walkExpression(child, visit);
}

function addElementVariables(el: Ast.PatternElement, out: Set<string>): void {
  for (const n of el.nodes) if (n.variable) out.add(n.variable.name);
  for (const r of el.relationships) if (r.variable) out.add(r.variable.name);
}

/** Variable names an expression reads (over-approximate: ignores local shadowing). */
export function referencedVariables(e: Ast.Expression, out: Set<string> = new Set()): Set<string> {
  walkExpression(e, (x) => {
    if (x.kind === 'Variable') out.add(x.name);
    else if (x.kind === 'PatternExpression' || x.kind === 'PatternComprehension') {
      addElementVariables(x.element, out);
    } else if (x.kind === 'ExistsSubquery') {
      if (x.body.kind === 'Query') collectVariables(x.body, out);
      else {
        for (const p of x.body.pattern.parts) {
          addElementVariables(p.element, out);
          for (const n of p.element.nodes) if (n.properties) referencedVariables(n.properties, out);
          for (const r of p.element.relationships) if (r.properties) referencedVariables(r.properties, out);
          for (const n of p.element.nodes) if (n.where) referencedVariables(n.where, out);
          for (const r of p.element.relationships) if (r.where) referencedVariables(r.where, out);
        }
        if (x.body.where) referencedVariables(x.body.where, out);
      }
    }
    return true;
  });
  return out;
}

/** Every variable name anywhere under an AST node (for subqueries: over-approximate). */
function collectVariables(node: unknown, out: Set<string>): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const x of node) collectVariables(x, out);
    return;
  }
  const o = node as Record<string, unknown>;
  if (o.kind === 'Variable' && typeof o.name === 'string') out.add(o.name);
  for (const k in o) if (k !== 'offset') collectVariables(o[k], out);
}

function truthy(v: Value): boolean | null {
  if (v === null || typeof v === 'boolean') return v;
  throw new CypherError('TypeError', 'InvalidArgumentType', `Expected a boolean but got ${describeValue(v)}`);
}

/** The list a comprehension, reduce() or quantifier walks: null stays null, a non-list is an error. */
function asList(v: Value): readonly Value[] | null {
  if (v === null || Array.isArray(v)) return v as readonly Value[] | null;
  throw new CypherError('TypeError', 'InvalidArgumentType', `Expected a list but got ${describeValue(v)}`);
}

/** Collects a stream's rows, skipping PAUSE markers (checking the deadline at each). */
export function* rowsOf(stream: RowStream, ctx: QueryContext): Generator<Row> {
  for (const r of stream) {
    if (r === PAUSE) {
      ctx.checkDeadline();
      continue;
    }
    yield r;
  }
}

function hasAny(stream: RowStream, ctx: QueryContext): boolean {
  for (const _r of rowsOf(stream, ctx)) return true;
  return false;
}

/** `COUNT { ... }`: the number of rows the subquery yields. */
function countRows(stream: RowStream, ctx: QueryContext): bigint {
  let n = 0n;
  for (const _r of rowsOf(stream, ctx)) n++;
  return n;
}

function withVar(row: Row, name: string, v: Value): Row {
  const r: Row = { ...row };
  r[name] = v;
  return r;
}

function withBound(env: ExprEnv, names: readonly string[]): ExprEnv {
  const bound = new Set(env.bound);
  for (const n of names) bound.add(n);
  return { ...env, bound };
}

export function compileExpression(e: Ast.Expression, env: ExprEnv, predicate = false): Expr {
  const slot = env.aggSlots?.get(e);
  if (slot !== undefined) return (row) => row[slot] ?? null;
  switch (e.kind) {
    case 'Literal': {
      const v = e.value;
      return () => v;
    }
    case 'Parameter': {
      const name = e.name;
      return (_row, ctx) => {
        const v = ctx.params.get(name);
        if (v === undefined) {
          throw new CypherError('ParameterMissing', 'MissingParameter', `Expected parameter $${name}`);
        }
        return v;
      };
    }
    case 'Variable': {
      const name = e.name;
      return (row) => {
        const v = row[name];
        return v === undefined ? null : v;
      };
    }
    case 'PropertyAccess': {
      const obj = compileExpression(e.object, env);
      const key = e.key;
      return (row, ctx) => {
        const o = obj(row, ctx);
        if (o === null) return null;
        if (o instanceof Node) return ctx.nodeProperty(o, key);
        if (o instanceof Relationship) return ctx.relProperty(o, key);
        if (o instanceof Map) {
          const v = (o as ReadonlyMap<string, Value>).get(key);
          return v === undefined ? null : v;
        }
        return propertyAccess(o, key, ctx.fn);
      };
    }
    case 'IndexAccess': {
      const obj = compileExpression(e.object, env);
      const idx = compileExpression(e.index, env);
      return (row, ctx) => indexAccess(obj(row, ctx), idx(row, ctx), ctx.fn);
    }
    case 'Slice': {
      const obj = compileExpression(e.object, env);
      const from = e.from ? compileExpression(e.from, env) : undefined;
      const to = e.to ? compileExpression(e.to, env) : undefined;
      return (row, ctx) => {
        const v = sliceList(obj(row, ctx), from?.(row, ctx), to?.(row, ctx));
        if (isLarge(v)) heavyWork(ctx);
        return v;
      };
    }
    case 'ListLiteral': {
      const els = e.elements.map((x) => compileExpression(x, env));
      return (row, ctx) => els.map((f) => f(row, ctx));
    }
    case 'MapLiteral': {
      const keys = e.entries.map((x) => x.key);
      const vals = e.entries.map((x) => compileExpression(x.value, env));
      return (row, ctx) => {
        const m = new Map<string, Value>();
        for (let i = 0; i < keys.length; i++) m.set(keys[i]!, vals[i]!(row, ctx));
        return m;
      };
    }
    case 'MapProjection':
      return compileMapProjection(e, env);
    case 'ListComprehension': {
      const list = compileExpression(e.list, env);
      const name = e.variable.name;
      const inner = withBound(env, [name]);
      const where = e.where ? compileExpression(e.where, inner, true) : undefined;
      const proj = e.projection ? compileExpression(e.projection, inner) : undefined;
      return (row, ctx) => {
        const l = asList(list(row, ctx));
        if (l === null) return null;
        const out = new ChargedList(ctx);
        let i = 0;
        for (const x of l) {
          if ((++i & DEADLINE_STRIDE) === 0) heavyWork(ctx);
          const r = withVar(row, name, x);
          if (where && where(r, ctx) !== true) continue;
          out.push(proj ? proj(r, ctx) : x);
        }
        return out.items;
      };
    }
    case 'PatternComprehension': {
      const pathVar = e.variable?.name ?? null;
      const m = env.compileMatch(e.element, e.where, pathVar, env.bound);
      const local: string[] = [];
      for (const n of e.element.nodes) if (n.variable) local.push(n.variable.name);
      for (const r of e.element.relationships) if (r.variable) local.push(r.variable.name);
      if (pathVar) local.push(pathVar);
      const proj = compileExpression(e.projection, withBound(env, local));
      return (row, ctx) => {
        const out = new ChargedList(ctx);
        for (const r of rowsOf(m(row, ctx), ctx)) {
          out.push(proj(r, ctx));
        }
        return out.items;
      };
    }
    case 'Quantifier':
      return compileQuantifier(e, env);
    case 'Reduce': {
      const init = compileExpression(e.init, env);
      const list = compileExpression(e.list, env);
      const acc = e.accumulator.name;
      const name = e.variable.name;
      const body = compileExpression(e.expression, withBound(env, [acc, name]));
      return (row, ctx) => {
        let a = init(row, ctx);
        const l = asList(list(row, ctx));
        if (l === null) return null;
        let i = 0;
        for (const x of l) {
          if ((++i & DEADLINE_STRIDE) === 0) heavyWork(ctx);
          const r: Row = { ...row };
          r[acc] = a;
          r[name] = x;
          a = body(r, ctx);
        }
        return a;
      };
    }
    case 'Case':
      return compileCase(e, env);
    case 'FunctionCall':
      return compileFunctionCall(e, env);
    case 'CountStar':
      throw new CypherError('SyntaxError', 'InvalidAggregation', 'count(*) is not allowed here');
    case 'ExistsSubquery': {
      const stream =
        e.body.kind === 'ExistsPatternBody'
          ? env.compileMatch(e.body.pattern, e.body.where, null, env.bound)
          : env.compileSubquery(e.body, env.bound);
      if (e.count) return (row, ctx) => countRows(stream(row, ctx), ctx);
      if (e.collect && e.body.kind === 'Query') {
        const column = env.subqueryColumns(e.body, env.bound)[0]!;
        return (row, ctx) => {
          const out: Value[] = [];
          for (const r of rowsOf(stream(row, ctx), ctx)) out.push(r[column] ?? null);
          return out;
        };
      }
      return (row, ctx) => hasAny(stream(row, ctx), ctx);
    }
    case 'PatternExpression': {
      if (predicate) {
        const m = env.compileMatch(e.element, null, null, env.bound);
        return (row, ctx) => hasAny(m(row, ctx), ctx);
      }
      const pathVar = '  pattern_path';
      const m = env.compileMatch(e.element, null, pathVar, env.bound);
      return (row, ctx) => {
        const out = new ChargedList(ctx);
        for (const r of rowsOf(m(row, ctx), ctx)) {
          out.push(r[pathVar] ?? null);
        }
        return out.items;
      };
    }
    case 'Unary': {
      const operand = compileExpression(e.operand, env, e.operator === 'not' && predicate);
      switch (e.operator) {
        case 'not':
          return (row, ctx) => not(operand(row, ctx));
        case '-':
          return (row, ctx) => negate(operand(row, ctx));
        case '+':
          return (row, ctx) => unaryPlus(operand(row, ctx));
      }
      break;
    }
    case 'Binary':
      return compileBinary(e, env, predicate);
    case 'IsNull': {
      const operand = compileExpression(e.operand, env);
      return e.negated ? (row, ctx) => operand(row, ctx) !== null : (row, ctx) => operand(row, ctx) === null;
    }
    case 'TypePredicate': {
      const operand = compileExpression(e.operand, env);
      const type = e.type;
      return e.negated
        ? (row, ctx) => !isOfType(operand(row, ctx), type)
        : (row, ctx) => isOfType(operand(row, ctx), type);
    }
    case 'HasLabels': {
      const operand = compileExpression(e.operand, env);
      const labels = e.labels;
      const expression = e.labelExpression ? compileLabelExpression(e.labelExpression, env) : null;
      return (row, ctx) => {
        const v = operand(row, ctx);
        if (v === null) return null;
        if (v instanceof Node) {
          const have = ctx.nodeLabels(v);
          if (expression) return expression(have, row, ctx);
          return labels.every((l) => have.includes(l));
        }
        if (v instanceof Relationship) {
          if (expression) return expression([v.type], row, ctx);
          return labels.every((l) => l === v.type);
        }
        throw new CypherError(
          'TypeError',
          'InvalidArgumentType',
          `Cannot test labels of ${describeValue(v)}`,
        );
      };
    }
  }
  throw new CypherError('SyntaxError', 'UnexpectedSyntax', 'Unsupported expression');
}

function compileBinary(e: Ast.Binary, env: ExprEnv, predicate: boolean): Expr {
  const logical = e.operator === 'and' || e.operator === 'or' || e.operator === 'xor';
  const l = compileExpression(e.left, env, logical && predicate);
  const r = compileExpression(e.right, env, logical && predicate);
  switch (e.operator) {
    case 'and':
      return (row, ctx) => {
        const a = truthy(l(row, ctx));
        if (a === false) {
          // Still type-check the right side would change errors; openCypher allows short-circuit.
          return false;
        }
        return and(a, r(row, ctx));
      };
    case 'or':
      return (row, ctx) => {
        const a = truthy(l(row, ctx));
        if (a === true) return true;
        return or(a, r(row, ctx));
      };
    case 'xor':
      return (row, ctx) => xor(l(row, ctx), r(row, ctx));
    case '=':
      return (row, ctx) => equals(l(row, ctx), r(row, ctx));
    case '<>':
      return (row, ctx) => {
        const eq = equals(l(row, ctx), r(row, ctx));
        return eq === null ? null : !eq;
      };
    case '<':
      return (row, ctx) => {
        const c = compare(l(row, ctx), r(row, ctx));
        return c === null ? null : c < 0;
      };
    case '>':
      return (row, ctx) => {
        const c = compare(l(row, ctx), r(row, ctx));
        return c === null ? null : c > 0;
      };
    case '<=':
      return (row, ctx) => {
        const c = compare(l(row, ctx), r(row, ctx));
        return c === null ? null : c <= 0;
      };
    case '>=':
      return (row, ctx) => {
        const c = compare(l(row, ctx), r(row, ctx));
        return c === null ? null : c >= 0;
      };
    case 'startsWith':
      return (row, ctx) => stringStartsWith(l(row, ctx), r(row, ctx));
    case 'endsWith':
      return (row, ctx) => stringEndsWith(l(row, ctx), r(row, ctx));
    case 'contains':
      return (row, ctx) => {
        const a = l(row, ctx);
        if (isLarge(a)) heavyWork(ctx);
        return stringContains(a, r(row, ctx));
      };
    case '=~':
      return (row, ctx) => {
        const a = l(row, ctx);
        // Linear-time matching is still O(length): a huge subject in a loop needs checks.
        if (isLarge(a)) heavyWork(ctx);
        return regexMatch(a, r(row, ctx));
      };
    case 'in':
      return (row, ctx) => {
        const a = l(row, ctx);
        const b = r(row, ctx);
        if (Array.isArray(b) && b.length >= LARGE_LIST) heavyWork(ctx);
        return inList(a, b);
      };
    case '+':
      return (row, ctx) => {
        const a = l(row, ctx);
        const b = r(row, ctx);
        // Doubling a list (`reduce(l = [1], x IN range(1, 40) | l + l)`) must stop at the
        // budget, before the copy is made.
        if (Array.isArray(a) || Array.isArray(b)) {
          const n = (Array.isArray(a) ? a.length : 1) + (Array.isArray(b) ? b.length : 1);
          ctx.memory.check(n * LIST_ELEMENT_BYTES);
          if (n >= LARGE_LIST) heavyWork(ctx);
        } else if (typeof a === 'string' && typeof b === 'string') ctx.memory.check(a.length + b.length);
        return add(a, b);
      };
    case '||':
      // Only STRING || STRING and LIST || LIST (unlike +, no number or element operands).
      return (row, ctx) => {
        const a = l(row, ctx);
        const b = r(row, ctx);
        if (a === null || b === null) return null;
        if (typeof a === 'string' && typeof b === 'string') {
          ctx.memory.check(a.length + b.length);
          return add(a, b);
        }
        if (Array.isArray(a) && Array.isArray(b)) {
          ctx.memory.check((a.length + b.length) * LIST_ELEMENT_BYTES);
          return add(a, b);
        }
        throw new CypherError(
          'TypeError',
          'InvalidArgumentType',
          `|| expects two STRING or two LIST operands, got ${describeValue(a)} and ${describeValue(b)}`,
        );
      };
    case '-':
      return (row, ctx) => subtract(l(row, ctx), r(row, ctx));
    case '*':
      return (row, ctx) => multiply(l(row, ctx), r(row, ctx));
    case '/':
      return (row, ctx) => divide(l(row, ctx), r(row, ctx));
    case '%':
      return (row, ctx) => modulo(l(row, ctx), r(row, ctx));
    case '^':
      return (row, ctx) => power(l(row, ctx), r(row, ctx));
  }
}

function compileQuantifier(e: Ast.Quantifier, env: ExprEnv): Expr {
  const list = compileExpression(e.list, env);
  const name = e.variable.name;
  const where = e.where ? compileExpression(e.where, withBound(env, [name]), true) : () => true;
  const q = e.quantifier;
  return (row, ctx) => {
    const l = asList(list(row, ctx));
    if (l === null) return null;
    let trues = 0;
    let nulls = 0;
    const n = l.length;
    let i = 0;
    for (const x of l) {
      if ((++i & DEADLINE_STRIDE) === 0) heavyWork(ctx);
      const v = truthy(where(withVar(row, name, x), ctx));
      if (v === true) {
        trues++;
        if (q === 'any') return true;
        if (q === 'none') return false;
        if (q === 'single' && trues > 1) return false;
      } else if (v === null) nulls++;
      else if (q === 'all') return false;
    }
    switch (q) {
      case 'all':
        return nulls > 0 ? null : true;
      case 'any':
        return nulls > 0 ? null : false;
      case 'none':
        return nulls > 0 ? null : true;
      case 'single':
        if (nulls > 0) return trues <= 1 ? null : false;
        return trues === 1 && n > 0;
    }
  };
}

function compileCase(e: Ast.Case, env: ExprEnv): Expr {
  const subject = e.subject ? compileExpression(e.subject, env) : undefined;
  const whens = e.alternatives.map((a) => compileExpression(a.when, env, !subject));
  const thens = e.alternatives.map((a) => compileExpression(a.then, env));
  const otherwise = e.else ? compileExpression(e.else, env) : () => null;
  if (subject) {
    return (row, ctx) => {
      const s = subject(row, ctx);
      for (let i = 0; i < whens.length; i++) {
        if (equals(s, whens[i]!(row, ctx)) === true) return thens[i]!(row, ctx);
      }
      return otherwise(row, ctx);
    };
  }
  return (row, ctx) => {
    for (let i = 0; i < whens.length; i++) {
      if (whens[i]!(row, ctx) === true) return thens[i]!(row, ctx);
    }
    return otherwise(row, ctx);
  };
}

function compileMapProjection(e: Ast.MapProjection, env: ExprEnv): Expr {
  const subject = compileExpression(e.variable, env);
  const items = e.items.map((it) => {
    switch (it.kind) {
      case 'MapProjectionProperty':
        return { kind: 'prop' as const, key: it.key };
      case 'MapProjectionLiteral':
        return { kind: 'value' as const, key: it.key, value: compileExpression(it.value, env) };
      case 'MapProjectionVariable':
        return {
          kind: 'value' as const,
          key: it.variable.name,
          value: compileExpression(it.variable, env),
        };
      case 'MapProjectionAllProperties':
        return { kind: 'all' as const, key: '' };
    }
  });
  return (row, ctx) => {
    const s = subject(row, ctx);
    if (s === null) return null;
    let props: ReadonlyMap<string, Value>;
    if (s instanceof Node) props = ctx.nodeProperties(s);
    else if (s instanceof Relationship) props = ctx.relationshipProperties(s);
    else if (s instanceof Map) props = s as ReadonlyMap<string, Value>;
    else throw new CypherError('TypeError', 'InvalidArgumentType', `Cannot project ${describeValue(s)}`);
    const out = new Map<string, Value>();
    for (const it of items) {
      if (it.kind === 'all') for (const [k, v] of props) out.set(k, v);
      else if (it.kind === 'prop') out.set(it.key, props.get(it.key) ?? null);
      else out.set(it.key, it.value(row, ctx));
    }
    return out;
  };
}

function compileFunctionCall(e: Ast.FunctionCall, env: ExprEnv): Expr {
  const lname = e.name.toLowerCase();
  if (isAggregateName(lname)) {
    throw new CypherError('SyntaxError', 'InvalidAggregation', `Aggregation ${e.name}() is not allowed here`);
  }
  if (lname === 'exists' && e.args.length === 1) {
    const arg = e.args[0]!;
    if (arg.kind === 'PatternExpression') return compileExpression(arg, env, true);
    const inner = compileExpression(arg, env);
    return (row, ctx) => inner(row, ctx) !== null;
  }
  const args = e.args.map((a) => compileExpression(a, env));
  const resolved = resolveFunction(e.name, args.length);
  // `tail(big)` or `replace(big, …)` in a loop: each call is O(size), so check the deadline
  // after every large result rather than every 1024 iterations.
  const fn: typeof resolved = (values, fctx) => {
    const v = resolved(values, fctx);
    if (isLarge(v)) fctx.checkDeadline?.();
    return v;
  };
  switch (args.length) {
    case 0:
      return (_row, ctx) => fn([], ctx.fn);
    case 1: {
      const a0 = args[0]!;
      return (row, ctx) => fn([a0(row, ctx)], ctx.fn);
    }
    case 2: {
      const a0 = args[0]!;
      const a1 = args[1]!;
      return (row, ctx) => fn([a0(row, ctx), a1(row, ctx)], ctx.fn);
    }
    default:
      return (row, ctx) =>
        fn(
          args.map((f) => f(row, ctx)),
          ctx.fn,
        );
  }
}

/** `v IS :: type`: null belongs to every nullable type (not NOTHING, not NOT NULL). */
function isOfType(v: Value, type: Ast.CypherType): boolean {
  return type.alternatives.some((alt) => {
    if (v === null) return !alt.notNull && alt.name !== 'NOTHING';
    return isOfTypeName(v, alt);
  });
}

function isOfTypeName(v: Value, alt: Ast.CypherTypeAlternative): boolean {
  switch (alt.name) {
    case 'ANY':
      return true;
    case 'NOTHING':
    case 'NULL':
    case 'POINT':
      return false;
    case 'LIST':
      return Array.isArray(v) && (v as readonly Value[]).every((x) => isOfType(x, alt.element!));
    case 'PROPERTY VALUE': {
      const scalar = (x: Value): boolean => {
        const t = typeName(x);
        return (
          t !== 'NULL' && t !== 'LIST' && t !== 'MAP' && t !== 'NODE' && t !== 'RELATIONSHIP' && t !== 'PATH'
        );
      };
      if (!Array.isArray(v)) return scalar(v);
      const items = v as readonly Value[];
      return items.every(scalar) && new Set(items.map((x) => typeName(x))).size <= 1;
    }
    default:
      return typeName(v) === alt.name;
  }
}
