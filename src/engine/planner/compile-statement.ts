/**
 * The planner: turns a parsed statement into an operator tree, clause by clause,
 * tracking which variables are in scope. The result is immutable and cached by query
 * text; only data-dependent choices (which index or label to start a pattern from) are
 * made per execution, from the namespace's own catalog.
 */
import { compileSchemaCommand } from './compile-schema-command.js';
import type * as Ast from '../../cypher/ast.js';
import { callSubqueryImportsAll, callSubqueryReturns } from '../../cypher/analyze.js';
import { CypherError } from '../../cypher/errors.js';
import { queryWrites } from '../../cypher/is-write-query.js';
import { NexusError } from '../../errors.js';
import type { ProcedureRegistry } from '../runtime/procedure-registry.js';
import type { Row } from '../runtime/query-context.js';
import type { Operator } from '../executor/operator.js';
import {
  aggregateOperator,
  callOperator,
  distinctOperator,
  filterOperator,
  MatchOperator,
  projectOperator,
  skipLimitOperator,
  sortOperator,
  startOperator,
  unionOperator,
  unwindOperator,
  type AggregateSpec,
  type ProjectItem,
  type SortKey,
} from '../executor/read-operators.js';
import { unwindRangeOperator } from '../executor/unwind-range.js';
import {
  createIndexOperator,
  createOperator,
  deleteOperator,
  dropIndexOperator,
  callSubqueryOperator,
  foreachOperator,
  mergeOperator,
  removeLabelsAction,
  removePropertyAction,
  setAllAction,
  setLabelsAction,
  setOperator,
  setPropertyAction,
  type CreatePartSpec,
  type SetAction,
} from '../executor/write-operators.js';
import {
  compileExpression,
  findAggregates,
  walkExpression,
  type Expr,
  type ExprEnv,
} from './compile-expression.js';
import { conjunctionParts, expressionKey } from '../../cypher/expression-walk.js';
import { isUpdatingClause } from '../../cypher/is-write-query.js';
import { anonName, compilePattern, isInternalName } from './compile-pattern.js';

export interface CompiledQuery {
  readonly columns: readonly string[];
  readonly isWrite: boolean;
  readonly mode: Ast.ExecutionMode;
  readonly root: Operator;
  /** Parameter names the query uses (checked before execution). */
  readonly parameters: readonly string[];
  /** Every updating clause is a MERGE: worth a read-only dry run first (see DryRunWriter). */
  readonly mergeOnly: boolean;
}

function onlyMerges(q: Ast.Query): boolean {
  const clauses = [q.first, ...q.unions.map((u) => u.query)].flatMap((sq) => sq.clauses);
  return (
    clauses.some((c) => c.kind === 'Merge') &&
    clauses.every((c) => !isUpdatingClause(c) || c.kind === 'Merge') &&
    // a CALL { ... } body that updates is not covered by the MERGE-only dry run
    clauses.every((c) => c.kind !== 'CallSubquery' || !queryWrites(c.query))
  );
}

function collectParameters(node: unknown, out: Set<string>): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const x of node) collectParameters(x, out);
    return;
  }
  const o = node as Record<string, unknown>;
  if (o.kind === 'Parameter' && typeof o.name === 'string') out.add(o.name);
  for (const k in o) if (k !== 'offset') collectParameters(o[k], out);
}

export function compileStatement(stmt: Ast.Statement, procedures: ProcedureRegistry): CompiledQuery {
  const planner = new Planner(procedures);
  const body = stmt.body;
  switch (body.kind) {
    case 'CreateIndex': {
      if (body.entity !== 'node' || body.properties.length !== 1) {
        throw new NexusError('CYPHER_UNSUPPORTED', 'Only single-property node indexes are supported');
      }
      return {
        columns: [],
        isWrite: true,
        mode: stmt.mode,
        root: createIndexOperator(body.label, body.properties[0]!, body.name, body.ifNotExists),
        parameters: [],
        mergeOnly: false,
      };
    }
    case 'DropIndex':
      return {
        columns: [],
        isWrite: true,
        mode: stmt.mode,
        root: dropIndexOperator(body.name, body.ifExists),
        parameters: [],
        mergeOnly: false,
      };
    case 'ShowIndexes':
    case 'SchemaCommand':
      return compileSchemaCommand(stmt.mode, body);
    case 'Query': {
      const { op, columns } = planner.query(body, startOperator(), new Set());
      const params = new Set<string>();
      collectParameters(body, params);
      return {
        columns,
        isWrite: queryWrites(body),
        mode: stmt.mode,
        root: op,
        parameters: [...params],
        mergeOnly: onlyMerges(body),
      };
    }
  }
}

interface Planned {
  op: Operator;
  /** Visible user variables, in binding order. */
  scope: string[];
  columns: string[];
}

class Planner {
  constructor(private readonly procedures: ProcedureRegistry) {}

  private env(bound: Iterable<string>, aggSlots?: ReadonlyMap<Ast.Expression, string>): ExprEnv {
    return {
      bound: new Set(bound),
      ...(aggSlots ? { aggSlots } : {}),
      compileMatch: (pattern, where, pathVar, b) => {
        const compiled = compilePattern(pattern, where, b, this.env(b), pathVar);
        return (row, ctx) => compiled.run(ctx, row);
      },
      compileSubquery: (query, b) => {
        const { op } = this.query(query, startOperator(), b);
        return (row: Row, ctx) => op.open(ctx, row);
      },
      subqueryColumns: (query, b) => this.query(query, startOperator(), b).columns,
    };
  }

  private expr(e: Ast.Expression, bound: Iterable<string>, predicate = false): Expr {
    return compileExpression(e, this.env(bound), predicate);
  }

  query(q: Ast.Query, start: Operator, outer: ReadonlySet<string>): { op: Operator; columns: string[] } {
    const first = this.single(q.first, start, outer);
    if (q.unions.length === 0) return { op: first.op, columns: first.columns };
    const branches = [first.op];
    for (const u of q.unions) {
      const p = this.single(u.query, start, outer);
      if (p.columns.length !== first.columns.length || p.columns.some((c, i) => c !== first.columns[i])) {
        throw new CypherError(
          'SyntaxError',
          'DifferentColumnsInUnion',
          'All sub queries in a UNION must have the same column names',
        );
      }
      branches.push(p.op);
    }
    const distinct = q.unions.some((u) => !u.all);
    return { op: unionOperator(branches, distinct, first.columns), columns: first.columns };
  }

  single(sq: Ast.SingleQuery, start: Operator, outer: ReadonlySet<string>): Planned {
    let op = start;
    let scope = [...outer];
    let columns: string[] = [];
    const clauses = sq.clauses;
    for (let i = 0; i < clauses.length; i++) {
      const c = clauses[i]!;
      const r = this.clause(c, op, scope, clauses.length === 1);
      op = r.op;
      scope = r.scope;
      if (c.kind === 'Return' || (c.kind === 'Call' && clauses.length === 1)) columns = r.columns;
    }
    return { op, scope, columns };
  }

  private clause(c: Ast.Clause, input: Operator, scope: string[], standalone: boolean): Planned {
    const bound = new Set(scope);
    switch (c.kind) {
      case 'Match': {
        const pattern = compilePattern(c.pattern, c.where, bound, this.env(bound));
        const op = new MatchOperator(input, pattern, c.optional);
        return { op, scope: addScope(scope, pattern.newVars), columns: [] };
      }
      case 'Unwind': {
        const e = c.expression;
        // range() is streamed, never materialised (see unwind-range.ts).
        const op =
          e.kind === 'FunctionCall' &&
          !e.distinct &&
          e.name.toLowerCase() === 'range' &&
          (e.args.length === 2 || e.args.length === 3)
            ? unwindRangeOperator(
                input,
                e.args.map((a) => this.expr(a, bound)),
                c.variable.name,
              )
            : unwindOperator(input, this.expr(e, bound), c.variable.name);
        return { op, scope: addScope(scope, [c.variable.name]), columns: [] };
      }
      case 'With':
      case 'Return':
        return this.projection(c, input, scope);
      case 'Create': {
        const have = new Set(bound);
        const parts = c.pattern.parts.map((p) => this.createPart(p, have));
        return { op: createOperator(input, parts), scope: addScope(scope, [...have]), columns: [] };
      }
      case 'Merge':
        return this.merge(c, input, scope);
      case 'Set': {
        const actions = c.items.map((it) => this.setItem(it, bound));
        return { op: setOperator(input, actions), scope, columns: [] };
      }
      case 'Remove': {
        const actions = c.items.map((it): SetAction => {
          if (it.kind === 'RemoveProperty') {
            return removePropertyAction(this.expr(it.property.object, bound), it.property.key);
          }
          return removeLabelsAction(
            this.expr(it.variable, bound),
            it.labels,
            (it.dynamic ?? []).map((d) => this.expr(d, bound)),
          );
        });
        return { op: setOperator(input, actions, 'Remove'), scope, columns: [] };
      }
      case 'Delete': {
        const exprs = c.expressions.map((e) => this.expr(e, bound));
        return { op: deleteOperator(input, exprs, c.detach), scope, columns: [] };
      }
      case 'Foreach': {
        const innerScope = addScope(scope, [c.variable.name]);
        let body: Operator = startOperator();
        let s = innerScope;
        for (const inner of c.clauses) {
          const r = this.clause(inner, body, s, false);
          body = r.op;
          s = r.scope;
        }
        return {
          op: foreachOperator(input, this.expr(c.list, bound), c.variable.name, body),
          scope,
          columns: [],
        };
      }
      case 'Call':
        return this.call(c, input, scope, standalone);
      case 'CallSubquery':
        return this.callSubquery(c, input, scope);
      case 'Finish':
        // rows are still produced (and their side effects done), then dropped: no columns
        return { op: input, scope: [], columns: [] };
    }
  }

  private callSubquery(c: Ast.CallSubquery, input: Operator, scope: string[]): Planned {
    const imports =
      c.imports === '*'
        ? scope
        : c.imports !== null
          ? c.imports.map((v) => v.name)
          : callSubqueryImportsAll(c)
            ? scope
            : [];
    const { op: body, columns } = this.query(c.query, startOperator(), new Set(imports));
    const returns = callSubqueryReturns(c);
    const op = callSubqueryOperator(
      input,
      body,
      imports,
      returns ? columns : null,
      queryWrites(c.query),
      c.optional === true,
    );
    return { op, scope: returns ? addScope(scope, columns) : scope, columns: [] };
  }

  private createPart(p: Ast.PatternPart, have: Set<string>, merging = false): CreatePartSpec {
    const env = this.env(have);
    const nodes = p.element.nodes.map((n) => {
      const name = n.variable?.name ?? anonName();
      const bound = have.has(name);
      const parts = n.labelExpression ? conjunctionParts(n.labelExpression) : null;
      if (bound && (n.labels.length > 0 || n.properties || parts)) {
        throw new CypherError(
          'SyntaxError',
          'VariableAlreadyBound',
          `Variable ${name} is already declared and cannot be re-created with labels or properties`,
        );
      }
      have.add(name);
      return {
        name,
        bound,
        labels: parts ? parts.names : n.labels,
        ...(parts ? { dynamicLabels: parts.dynamic.map((d) => compileExpression(d, env)) } : {}),
        props: n.properties ? compileExpression(n.properties, env) : null,
      };
    });
    const rels = p.element.relationships.map((r) => {
      const name = r.variable?.name ?? anonName();
      if (have.has(name)) {
        throw new CypherError('SyntaxError', 'VariableAlreadyBound', `Variable ${name} is already declared`);
      }
      if (r.types.length !== 1) {
        throw new CypherError(
          'SyntaxError',
          'NoSingleRelationshipType',
          'A relationship in CREATE must have exactly one type',
        );
      }
      // MERGE accepts an undirected relationship and creates it left to right.
      if (r.direction === 'both' && !merging) {
        throw new CypherError(
          'SyntaxError',
          'RequiresDirectedRelationship',
          'A relationship in CREATE must be directed',
        );
      }
      have.add(name);
      return {
        name,
        type: r.types[0]!,
        forward: r.direction !== 'left',
        props: r.properties ? compileExpression(r.properties, env) : null,
      };
    });
    const pathVar = p.variable?.name ?? null;
    if (pathVar) have.add(pathVar);
    return { nodes, rels, pathVar };
  }

  private merge(c: Ast.Merge, input: Operator, scope: string[]): Planned {
    const bound = new Set(scope);
    const pattern = compilePattern(
      { kind: 'Pattern', offset: c.offset, parts: [c.pattern] },
      null,
      bound,
      this.env(bound),
    );
    // The create side must use the same names as the match side (anonymous ones too).
    const create = this.createPart(c.pattern, new Set(bound), true);
    const names = new Set(pattern.newVars);
    const alignedNodes = create.nodes.map((n, i) => ({
      ...n,
      name: nameAt(c.pattern.element.nodes[i]!.variable, n.name),
    }));
    const alignedRels = create.rels.map((r, i) => ({
      ...r,
      name: nameAt(c.pattern.element.relationships[i]!.variable, r.name),
    }));
    const after = addScope(scope, [...names]);
    const afterSet = new Set([
      ...after,
      ...alignedNodes.map((n) => n.name),
      ...alignedRels.map((r) => r.name),
    ]);
    const onCreate: SetAction[] = [];
    const onMatch: SetAction[] = [];
    for (const a of c.actions) {
      for (const it of a.items) (a.on === 'create' ? onCreate : onMatch).push(this.setItem(it, afterSet));
    }
    const nullChecks: Expr[] = [];
    const env = this.env(bound);
    for (const el of [...c.pattern.element.nodes, ...c.pattern.element.relationships]) {
      if (el.properties?.kind === 'MapLiteral') {
        for (const e of el.properties.entries) nullChecks.push(compileExpression(e.value, env));
      }
    }
    const op = mergeOperator(input, {
      pattern,
      create: { nodes: alignedNodes, rels: alignedRels, pathVar: create.pathVar },
      onCreate,
      onMatch,
      nullChecks,
    });
    return { op, scope: after, columns: [] };
  }

  private setItem(it: Ast.SetItem, bound: ReadonlySet<string>): SetAction {
    switch (it.kind) {
      case 'SetProperty':
        return setPropertyAction(
          this.expr(it.property.object, bound),
          it.property.key,
          this.expr(it.value, bound),
        );
      case 'SetVariable':
        return setAllAction(this.expr(it.variable, bound), this.expr(it.value, bound), it.mode === 'merge');
      case 'SetLabels':
        return setLabelsAction(
          this.expr(it.variable, bound),
          it.labels,
          (it.dynamic ?? []).map((d) => this.expr(d, bound)),
        );
    }
  }

  private call(c: Ast.Call, input: Operator, scope: string[], standalone: boolean): Planned {
    const proc = this.procedures.get(c.procedure);
    const bound = new Set(scope);
    const required = proc.inputs.filter((i) => i.optional !== true).length;
    if (c.args !== null && (c.args.length < required || c.args.length > proc.inputs.length)) {
      throw new CypherError(
        'SyntaxError',
        'InvalidNumberOfArguments',
        `Procedure ${proc.name} takes ${required === proc.inputs.length ? '' : `${required} to `}${proc.inputs.length} argument(s), got ${c.args.length}`,
      );
    }
    if (c.args === null && !standalone) {
      throw new CypherError(
        'SyntaxError',
        'InvalidArgumentPassingMode',
        `Procedure ${proc.name} called without arguments inside a query`,
      );
    }
    const args = c.args ? c.args.map((a) => this.expr(a, bound)) : null;
    let yields: { index: number; name: string }[];
    if (!c.yield || c.yield.star) {
      yields = proc.outputs.map((o, index) => ({ index, name: o.name }));
      if (!c.yield && !standalone) yields = [];
    } else {
      yields = c.yield.items.map((y) => {
        const index = proc.outputs.findIndex((o) => o.name === y.field);
        if (index < 0) {
          throw new CypherError(
            'SyntaxError',
            'UndefinedVariable',
            `Procedure ${proc.name} has no output named ${y.field}`,
          );
        }
        if (bound.has(y.variable.name)) {
          throw new CypherError(
            'SyntaxError',
            'VariableAlreadyBound',
            `Variable ${y.variable.name} is already declared`,
          );
        }
        return { index, name: y.variable.name };
      });
    }
    const newScope = addScope(
      scope,
      yields.map((y) => y.name),
    );
    const where = c.yield?.where ? this.expr(c.yield.where, newScope, true) : null;
    const op = callOperator(input, {
      procedure: proc,
      args,
      yields,
      where,
      passThrough: proc.outputs.length === 0 || yields.length === 0,
    });
    return { op, scope: newScope, columns: yields.map((y) => y.name) };
  }

  private projection(c: Ast.With | Ast.Return, input: Operator, scope: string[]): Planned {
    const proj = c.projection;
    const isReturn = c.kind === 'Return';
    const bound = new Set(scope);
    const entries: { name: string; ast: Ast.Expression }[] = [];
    if (proj.star) {
      const vars = scope.filter((v) => !isInternalName(v));
      if (isReturn && vars.length === 0 && proj.items.length === 0) {
        throw new CypherError(
          'SyntaxError',
          'NoVariablesInScope',
          'RETURN * is not allowed when there are no variables in scope',
        );
      }
      for (const v of isReturn ? [...vars].sort() : vars) {
        entries.push({ name: v, ast: { kind: 'Variable', offset: proj.offset, name: v } });
      }
    }
    for (const it of proj.items) {
      const name = it.alias
        ? it.alias.name
        : !isReturn && it.expression.kind === 'Variable'
          ? it.expression.name
          : it.name;
      entries.push({ name, ast: it.expression });
    }
    const names = entries.map((e) => e.name);
    if (new Set(names).size !== names.length) {
      throw new CypherError(
        'SyntaxError',
        'ColumnNameConflict',
        'Multiple result columns with the same name',
      );
    }
    const aggregates = entries.flatMap((e) => findAggregates(e.ast));
    let op: Operator;
    const itemKeys = new Map(entries.map((e) => [expressionKey(e.ast), e.name]));
    let sortBound: Set<string>;
    let sortAggSlots: Map<Ast.Expression, string> | undefined;
    if (aggregates.length > 0) {
      const slots = new Map<Ast.Expression, string>();
      const slotByKey = new Map<string, string>();
      const aggs: AggregateSpec[] = aggregates.map((a, i) => {
        const slot = `  agg_${i}`;
        slots.set(a, slot);
        slotByKey.set(expressionKey(a), slot);
        if (a.kind === 'CountStar') return { slot, name: 'count', distinct: false, args: [] };
        a.args.forEach((x) => {
          if (findAggregates(x).length > 0) {
            throw new CypherError('SyntaxError', 'NestedAggregation', 'Aggregations cannot be nested');
          }
        });
        return { slot, name: a.name, distinct: a.distinct, args: a.args.map((x) => this.expr(x, bound)) };
      });
      const keys: ProjectItem[] = [];
      const outputs: ProjectItem[] = [];
      for (const e of entries) {
        const hasAgg = findAggregates(e.ast).length > 0;
        const expr = compileExpression(e.ast, this.env(bound, slots));
        if (!hasAgg) keys.push({ name: e.name, expr });
        outputs.push({ name: e.name, expr });
      }
      op = aggregateOperator(input, keys, aggs, outputs);
      sortBound = new Set(names);
      // ORDER BY may repeat an aggregate of the projection: read the same slot.
      sortAggSlots = new Map();
      for (const s of proj.orderBy) {
        for (const a of findAggregates(s.expression)) {
          const slot = slotByKey.get(expressionKey(a));
          if (!slot) {
            throw new CypherError(
              'SyntaxError',
              'InvalidAggregation',
              'ORDER BY may only use aggregates that are projected',
            );
          }
          sortAggSlots.set(a, slot);
        }
      }
      if (proj.distinct) op = distinctOperator(op, names);
    } else {
      // WITH ... WHERE may read variables of the previous scope too (TCK WithWhere7).
      const keep = (proj.orderBy.length > 0 && !proj.distinct) || (c.kind === 'With' && c.where !== null);
      const items = entries.map((e) => ({ name: e.name, expr: this.expr(e.ast, bound) }));
      op = projectOperator(input, items, keep);
      if (proj.distinct) op = distinctOperator(op, names);
      sortBound = keep ? new Set([...scope, ...names]) : new Set(names);
    }
    if (proj.orderBy.length > 0) {
      // Sub-expressions of ORDER BY that repeat a projected expression read its column.
      const slots = new Map<Ast.Expression, string>(sortAggSlots ?? []);
      for (const s of proj.orderBy) {
        walkExpression(s.expression, (x) => {
          const col = itemKeys.get(expressionKey(x));
          if (col !== undefined) {
            slots.set(x, col);
            return false;
          }
          return true;
        });
      }
      const keys: SortKey[] = proj.orderBy.map((s) => ({
        expr: compileExpression(s.expression, this.env(sortBound, slots)),
        descending: s.direction === 'desc',
      }));
      const info = proj.orderBy.map((s) => s.direction).join(', ');
      op = proj.limit
        ? sortOperator(op, keys, info, {
            skip: proj.skip ? this.expr(proj.skip, []) : null,
            limit: this.expr(proj.limit, []),
          })
        : sortOperator(op, keys, info);
    }
    if (proj.skip || proj.limit) {
      op = skipLimitOperator(
        op,
        proj.skip ? this.expr(proj.skip, []) : null,
        proj.limit ? this.expr(proj.limit, []) : null,
      );
    }
    if (c.kind === 'With' && c.where) {
      const whereScope = aggregates.length > 0 ? names : [...scope, ...names];
      op = filterOperator(op, this.expr(c.where, whereScope, true), 'WITH ... WHERE');
    }
    return { op, scope: names, columns: names };
  }
}

function nameAt(v: Ast.Variable | null, fallback: string): string {
  return v ? v.name : fallback;
}

function addScope(scope: readonly string[], vars: Iterable<string>): string[] {
  const out = [...scope];
  const have = new Set(scope);
  for (const v of vars) {
    if (!have.has(v)) {
      have.add(v);
      out.push(v);
    }
  }
  return out;
}
