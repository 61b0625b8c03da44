/**
 * Semantic analysis: the compile-time checks Cypher requires before anything runs
 * (scoping, variable kinds, aggregation placement, clause composition, literal types,
 * function catalogue) and the scope facts the executor can reuse. It walks the AST
 * once, carrying the variables in scope with a coarse static type, and throws the
 * first `CypherError` it finds, with the class/detail the openCypher TCK names.
 */
import {
  assertNever,
  type Call,
  type CallSubquery,
  type Clause,
  type Expression,
  type NodePattern,
  type Pattern,
  type PatternElement,
  type PatternPart,
  type Projection,
  type Query,
  type RelationshipPattern,
  type SetItem,
  type SingleQuery,
  type Statement,
  type Variable,
} from './ast.js';
import { CypherError, type CypherErrorClass } from './errors.js';
import { lookupFunction } from './function-names.js';
import { UPDATING_CLAUSES, queryWrites } from './is-write-query.js';
import {
  ANY,
  BOOLEAN,
  FLOAT,
  INTEGER,
  MAP,
  NODE,
  NULL_TYPE,
  PATH,
  RELATIONSHIP,
  STRING,
  TEMPORAL,
  T_BOOLEAN,
  T_FLOAT,
  T_INTEGER,
  T_LIST,
  T_MAP,
  T_NODE,
  T_NULL,
  T_NUMBER,
  T_PATH,
  T_POINT,
  T_RELATIONSHIP,
  T_STRING,
  T_TEMPORAL,
  definitelyNot,
  describe,
  elementOf,
  listOf,
  union,
  type StaticType,
} from './static-type.js';
import { positionAt } from './lexer.js';
import {
  childExpressions,
  conjunctionParts,
  dynamicLabelExpressions,
  expressionKey,
} from './expression-walk.js';

/** A procedure's declared signature, as the engine knows it (TCK-style type names). */
export interface ProcedureSignature {
  readonly inputs: readonly { readonly name: string; readonly type: string }[];
  readonly outputs: readonly { readonly name: string; readonly type: string }[];
}

export interface AnalyzeOptions {
  /**
   * Looks up a procedure by qualified name. When given, CALLs are checked against the
   * signature (ProcedureNotFound, InvalidNumberOfArguments, argument types, outputs).
   */
  readonly procedures?: (name: string) => ProcedureSignature | undefined;
  /**
   * Names of the parameters supplied with the query. When given, a referenced but
   * missing parameter is a ParameterMissing error at compile time.
   */
  readonly parameters?: Iterable<string>;
  /**
   * The query text, used only to put line/column positions on semantic errors.
   */
  readonly source?: string;
}

export interface VariableInfo {
  readonly name: string;
  readonly type: StaticType;
}

/** Variables visible before a clause runs and those the clause itself introduces. */
export interface ClauseScope {
  readonly before: ReadonlyMap<string, VariableInfo>;
  readonly introduced: readonly string[];
}

export interface ProjectionInfo {
  /** Result columns in order, `*` expanded (variables sorted by name, then the items). */
  readonly columns: readonly string[];
  /** Variables `*` expanded to, sorted by name; empty without `*`. */
  readonly starVariables: readonly string[];
  /** At least one item contains an aggregate: the non-aggregate items are grouping keys. */
  readonly aggregating: boolean;
}

export interface Analysis {
  /** Result columns of the whole statement (empty when it returns nothing). */
  readonly columns: readonly string[];
  /** Parameter names referenced anywhere in the query. */
  readonly parameters: ReadonlySet<string>;
  readonly projections: ReadonlyMap<Projection, ProjectionInfo>;
  readonly scopes: ReadonlyMap<Clause, ClauseScope>;
}

type Scope = Map<string, VariableInfo>;

interface Env {
  readonly scope: ReadonlyMap<string, VariableInfo>;
  /** Where aggregates may appear; otherwise the message says why not. */
  readonly aggregates: 'allowed' | string;
  readonly inAggregate: boolean;
  /** Pattern expressions (`(a)-->(b)`) are only predicates: allowed inside WHERE and exists(). */
  readonly patternPredicates: boolean;
  /** ORDER BY after a projection: expressions equal to projected ones resolve to the column. */
  readonly projected?: ReadonlyMap<string, ProjectedExpression>;
  /** Kinds of the projected expressions: avoids computing keys that cannot match. */
  readonly projectedKinds?: ReadonlySet<string>;
  /** Counts aggregates met while checking (for "does this item aggregate"). */
  readonly found: { aggregates: number };
}

interface ProjectedExpression {
  readonly type: StaticType;
  readonly aggregate: boolean;
  /** A variable or `variable.property`: usable as an implicit grouping key. */
  readonly simple: boolean;
}

const UPDATING = UPDATING_CLAUSES;

/** Runs semantic analysis; throws the first `CypherError` found. */
export function analyze(statement: Statement, options: AnalyzeOptions = {}): Analysis {
  try {
    return new Analyzer(options).statement(statement);
  } catch (error) {
    // Very long operator chains (`1 + 1 + ... + 1`) make a deep tree; refuse them
    // as a client error instead of failing with an internal stack overflow.
    if (error instanceof RangeError) {
      throw new CypherError(
        'SyntaxError',
        'UnexpectedSyntax',
        'Query is too complex to analyze (expression too deep)',
        {
          cause: error,
        },
      );
    }
    throw error;
  }
}

class Analyzer {
  private readonly parameters = new Set<string>();
  private readonly projections = new Map<Projection, ProjectionInfo>();
  private readonly scopes = new Map<Clause, ClauseScope>();
  private readonly supplied: ReadonlySet<string> | null;

  constructor(private readonly options: AnalyzeOptions) {
    this.supplied = options.parameters ? new Set(options.parameters) : null;
  }

  statement(statement: Statement): Analysis {
    let columns: readonly string[] = [];
    const body = statement.body;
    switch (body.kind) {
      case 'Query':
        columns = this.query(body, new Map(), false);
        break;
      case 'CreateIndex':
      case 'DropIndex':
      case 'ShowIndexes':
      case 'SchemaCommand':
        break;
      default:
        assertNever(body);
    }
    if (this.supplied) {
      for (const name of this.parameters) {
        if (!this.supplied.has(name)) {
          throw this.error('ParameterMissing', 'MissingParameter', `Expected parameter: $${name}`, null);
        }
      }
    }
    return { columns, parameters: this.parameters, projections: this.projections, scopes: this.scopes };
  }

  // ---------------------------------------------------------------------------
  // errors
  // ---------------------------------------------------------------------------

  private error(
    errorClass: CypherErrorClass,
    detail: string,
    message: string,
    offset: number | null,
  ): CypherError {
    if (offset !== null && this.options.source !== undefined) {
      const position = positionAt(this.options.source, offset);
      return new CypherError(
        errorClass,
        detail,
        `${message} (line ${position.line}, column ${position.column} (offset: ${offset}))`,
        { position },
      );
    }
    return new CypherError(errorClass, detail, message);
  }

  private semantic(detail: string, message: string, offset: number | null): CypherError {
    // the TCK files compile-time semantic failures under SyntaxError
    return this.error('SyntaxError', detail, message, offset);
  }

  // ---------------------------------------------------------------------------
  // queries and clauses
  // ---------------------------------------------------------------------------

  /** Returns the result columns. `subquery`: the body of EXISTS { ... }. */
  private query(query: Query, outer: ReadonlyMap<string, VariableInfo>, subquery: boolean): string[] {
    const columns = this.singleQuery(query.first, outer, subquery);
    for (const part of query.unions) {
      if (part.all !== (query.unions[0] as { all: boolean }).all) {
        throw this.semantic(
          'InvalidClauseComposition',
          'Invalid combination of UNION and UNION ALL',
          part.offset,
        );
      }
      const other = this.singleQuery(part.query, outer, subquery);
      const same = other.length === columns.length && other.every((name) => columns.includes(name));
      if (!same) {
        throw this.semantic(
          'DifferentColumnsInUnion',
          'All sub queries in an UNION must have the same return column names',
          part.offset,
        );
      }
    }
    return columns;
  }

  private singleQuery(
    query: SingleQuery,
    outer: ReadonlyMap<string, VariableInfo>,
    subquery: boolean,
  ): string[] {
    const clauses = query.clauses;
    this.checkComposition(query, subquery);
    let scope: Scope = new Map(outer);
    let columns: string[] = [];
    const standalone = clauses.length === 1 && clauses[0]?.kind === 'Call';
    for (const clause of clauses) {
      const before = scope;
      const result = this.clause(clause, scope, standalone);
      scope = result.scope;
      if (result.columns) columns = result.columns;
      const introduced: string[] = [];
      for (const name of scope.keys()) if (!before.has(name)) introduced.push(name);
      this.scopes.set(clause, { before, introduced });
    }
    return columns;
  }

  private checkComposition(query: SingleQuery, subquery: boolean): void {
    const clauses = query.clauses;
    const last = clauses[clauses.length - 1] as Clause;
    let updated = false;
    for (let i = 0; i < clauses.length; i++) {
      const clause = clauses[i] as Clause;
      if (clause.kind === 'Finish' && i !== clauses.length - 1) {
        throw this.semantic(
          'InvalidClauseComposition',
          'FINISH can only be used at the end of the query',
          clause.offset,
        );
      }
      if (clause.kind === 'Return' && i !== clauses.length - 1) {
        throw this.semantic(
          'InvalidClauseComposition',
          'RETURN can only be used at the end of the query',
          clause.offset,
        );
      }
      if (
        subquery &&
        (UPDATING.has(clause.kind) || (clause.kind === 'CallSubquery' && queryWrites(clause.query)))
      ) {
        throw this.semantic(
          'InvalidClauseComposition',
          'An EXISTS subquery cannot contain updating clauses',
          clause.offset,
        );
      }
      if (UPDATING.has(clause.kind)) updated = true;
      else if (clause.kind === 'With') updated = false;
      else if (updated && (clause.kind === 'Match' || clause.kind === 'Unwind' || clause.kind === 'Call')) {
        throw this.semantic(
          'InvalidClauseComposition',
          `WITH is required between ${clauses[i - 1]?.kind.toUpperCase() ?? 'an updating clause'} and ${clause.kind.toUpperCase()}`,
          clause.offset,
        );
      }
    }
    if (subquery) return;
    const endsOk =
      last.kind === 'Return' ||
      last.kind === 'Finish' ||
      (last.kind === 'CallSubquery' && !callSubqueryReturns(last)) ||
      UPDATING.has(last.kind) ||
      (last.kind === 'Call' && (clauses.length === 1 || last.yield === null));
    if (!endsOk) {
      throw this.semantic(
        'InvalidClauseComposition',
        `Query cannot conclude with ${clauseName(last)} (must be a RETURN clause, an update clause or a procedure call)`,
        last.offset,
      );
    }
  }

  private clause(clause: Clause, scope: Scope, standalone: boolean): { scope: Scope; columns?: string[] } {
    switch (clause.kind) {
      case 'Match': {
        const next = new Map(scope);
        this.bindPattern(clause.pattern, next, 'match');
        if (clause.where) this.predicate(clause.where, next);
        return { scope: next };
      }
      case 'Create': {
        const next = new Map(scope);
        this.bindPattern(clause.pattern, next, 'create');
        return { scope: next };
      }
      case 'Merge': {
        const next = new Map(scope);
        const pattern: Pattern = { kind: 'Pattern', offset: clause.pattern.offset, parts: [clause.pattern] };
        this.bindPattern(pattern, next, 'merge');
        for (const action of clause.actions) for (const item of action.items) this.setItem(item, next);
        return { scope: next };
      }
      case 'Set':
        for (const item of clause.items) this.setItem(item, scope);
        return { scope };
      case 'Remove':
        for (const item of clause.items) {
          if (item.kind === 'RemoveLabels') {
            this.useVariable(item.variable, scope, T_NODE);
            for (const d of item.dynamic ?? []) this.dynamicName(d, scope);
          } else this.expression(item.property, this.env(scope, 'in REMOVE'));
        }
        return { scope };
      case 'Delete':
        for (const expression of clause.expressions) {
          if (expression.kind === 'HasLabels') {
            throw this.semantic(
              'InvalidDelete',
              'DELETE takes nodes, relationships or paths; to remove labels use REMOVE',
              expression.offset,
            );
          }
          const type = this.expression(expression, this.env(scope, 'in DELETE'));
          if (definitelyNot(type, T_NODE | T_RELATIONSHIP | T_PATH)) {
            throw this.semantic(
              'InvalidArgumentType',
              `DELETE expects a node, relationship or path, got ${describe(type)}`,
              expression.offset,
            );
          }
        }
        return { scope };
      case 'With': {
        const { scope: next } = this.projection(clause.projection, scope, true);
        if (clause.where) {
          // WHERE after a non-aggregating WITH may still use the variables it dropped
          const info = this.projections.get(clause.projection);
          const whereScope = info?.aggregating === true ? next : new Map([...scope, ...next]);
          this.predicate(clause.where, whereScope);
        }
        return { scope: next };
      }
      case 'Return': {
        const { scope: next, columns } = this.projection(clause.projection, scope, false);
        return { scope: next, columns };
      }
      case 'Unwind': {
        const type = this.expression(clause.expression, this.env(scope, 'in UNWIND'));
        const next = new Map(scope);
        this.declare(clause.variable, next, unwound(type));
        return { scope: next };
      }
      case 'Foreach': {
        const listType = this.expression(clause.list, this.env(scope, 'in FOREACH'));
        this.requireList(listType, clause.list);
        let inner: Scope = new Map(scope);
        inner.set(clause.variable.name, { name: clause.variable.name, type: elementOf(listType) });
        for (const nested of clause.clauses) {
          if (!UPDATING.has(nested.kind)) {
            throw this.semantic(
              'InvalidClauseComposition',
              `FOREACH can only contain updating clauses, not ${clauseName(nested)}`,
              nested.offset,
            );
          }
          const before = inner;
          inner = this.clause(nested, inner, false).scope;
          this.scopes.set(nested, {
            before,
            introduced: [...inner.keys()].filter((name) => !before.has(name)),
          });
        }
        // variables created inside FOREACH do not leak out
        return { scope };
      }
      case 'Call':
        return this.call(clause, scope, standalone);
      case 'CallSubquery':
        return this.callSubquery(clause, scope);
      case 'Finish':
        return { scope: new Map(), columns: [] };
      default:
        return assertNever(clause);
    }
  }

  /**
   * `CALL { ... }`: the body sees only imported variables (all of them for `(*)`, the
   * listed ones for `(a, b)`; in the older form a leading WITH imports, so the body
   * starts from the outer scope only when it begins with WITH). Returned columns join
   * the outer scope and must not shadow it.
   */
  private callSubquery(clause: CallSubquery, scope: Scope): { scope: Scope } {
    let inner: Scope;
    if (clause.imports === '*') inner = new Map(scope);
    else if (clause.imports !== null) {
      inner = new Map();
      for (const v of clause.imports) {
        const info = scope.get(v.name);
        if (!info) throw this.semantic('UndefinedVariable', `Variable \`${v.name}\` not defined`, v.offset);
        inner.set(v.name, info);
      }
    } else inner = callSubqueryImportsAll(clause) ? new Map(scope) : new Map();
    const columns = this.query(clause.query, inner, false);
    if (!callSubqueryReturns(clause)) return { scope };
    const next = new Map(scope);
    for (const name of columns) {
      if (scope.has(name)) {
        throw this.semantic(
          'VariableAlreadyBound',
          `Variable \`${name}\` already declared in outer scope`,
          clause.offset,
        );
      }
      next.set(name, { name, type: ANY });
    }
    return { scope: next };
  }

  private setItem(item: SetItem, scope: Scope): void {
    const env = this.env(scope, 'in SET');
    switch (item.kind) {
      case 'SetProperty':
        this.expression(item.property.object, env);
        this.expression(item.value, env);
        return;
      case 'SetVariable': {
        this.useVariable(item.variable, scope, T_NODE | T_RELATIONSHIP);
        const type = this.expression(item.value, env);
        if (definitelyNot(type, T_MAP | T_NODE | T_RELATIONSHIP)) {
          throw this.semantic(
            'InvalidArgumentType',
            `SET ${item.variable.name} ${item.mode === 'replace' ? '=' : '+='} expects a map, got ${describe(type)}`,
            item.value.offset,
          );
        }
        return;
      }
      case 'SetLabels':
        this.useVariable(item.variable, scope, T_NODE);
        for (const d of item.dynamic ?? []) this.dynamicName(d, scope);
        return;
      default:
        assertNever(item);
    }
  }

  private call(clause: Call, scope: Scope, standalone: boolean): { scope: Scope; columns?: string[] } {
    const env = this.env(scope, 'in procedure call arguments');
    const argTypes = (clause.args ?? []).map((arg) => this.expression(arg, env));
    const signature = this.options.procedures?.(clause.procedure);
    if (this.options.procedures && signature === undefined) {
      throw this.error(
        'ProcedureError',
        'ProcedureNotFound',
        `There is no procedure with the name \`${clause.procedure}\``,
        clause.offset,
      );
    }
    if (clause.args === null && !standalone) {
      throw this.semantic(
        'InvalidArgumentPassingMode',
        `Procedure call inside a query must use explicit arguments: CALL ${clause.procedure}(...)`,
        clause.offset,
      );
    }
    if (signature) {
      if (clause.args !== null && clause.args.length !== signature.inputs.length) {
        throw this.semantic(
          'InvalidNumberOfArguments',
          `Procedure ${clause.procedure} takes ${signature.inputs.length} argument(s), got ${clause.args.length}`,
          clause.offset,
        );
      }
      signature.inputs.forEach((input, i) => {
        const type = argTypes[i];
        const mask = procedureTypeMask(input.type);
        if (type && definitelyNot(type, mask)) {
          throw this.semantic(
            'InvalidArgumentType',
            `Argument ${input.name} of ${clause.procedure} expects ${input.type}, got ${describe(type)}`,
            clause.args?.[i]?.offset ?? clause.offset,
          );
        }
      });
      if (clause.args === null && this.supplied) {
        for (const input of signature.inputs) {
          if (!this.supplied.has(input.name)) {
            throw this.error(
              'ParameterMissing',
              'MissingParameter',
              `Expected parameter: $${input.name}`,
              clause.offset,
            );
          }
        }
      }
    }
    const next = new Map(scope);
    const spec = clause.yield;
    if (spec === null) {
      const columns = standalone && signature ? signature.outputs.map((o) => o.name) : undefined;
      return columns ? { scope: next, columns } : { scope: next };
    }
    if (spec.star) {
      const outputs = signature?.outputs ?? [];
      for (const output of outputs)
        next.set(output.name, { name: output.name, type: procedureType(output.type) });
      return { scope: next, columns: outputs.map((o) => o.name) };
    }
    const columns: string[] = [];
    for (const item of spec.items) {
      let type: StaticType = ANY;
      if (signature) {
        const output = signature.outputs.find((o) => o.name === item.field);
        if (!output) {
          throw this.semantic(
            'UndefinedVariable',
            `Procedure ${clause.procedure} has no output named \`${item.field}\``,
            item.offset,
          );
        }
        type = procedureType(output.type);
      }
      this.declare(item.variable, next, type);
      columns.push(item.variable.name);
    }
    if (spec.where) this.predicate(spec.where, next);
    return standalone ? { scope: next, columns } : { scope: next };
  }

  // ---------------------------------------------------------------------------
  // projections (WITH / RETURN)
  // ---------------------------------------------------------------------------

  private projection(
    projection: Projection,
    scope: Scope,
    isWith: boolean,
  ): { scope: Scope; columns: string[] } {
    const clauseName = isWith ? 'WITH' : 'RETURN';
    const starVariables = projection.star ? [...scope.keys()].sort() : [];
    if (projection.star && starVariables.length === 0 && !isWith) {
      throw this.semantic(
        'NoVariablesInScope',
        `${clauseName} * is not allowed when there are no variables in scope`,
        projection.offset,
      );
    }
    const items = projection.items.map((item) => {
      const env = this.env(scope, 'allowed');
      const type = this.expression(item.expression, env);
      return { item, type, aggregate: env.found.aggregates > 0 };
    });
    const columns = [...starVariables];
    for (const { item } of items) {
      if (columns.includes(item.name)) {
        throw this.semantic(
          'ColumnNameConflict',
          `Multiple result columns with the same name are not supported: ${item.name}`,
          item.offset,
        );
      }
      columns.push(item.name);
    }
    const aggregating = items.some((entry) => entry.aggregate);
    if (aggregating) {
      const keys = new Set<string>();
      for (const entry of items) if (!entry.aggregate) keys.add(expressionKey(entry.item.expression));
      for (const entry of items) {
        if (entry.aggregate) this.checkImplicitGrouping(entry.item.expression, keys, scope);
      }
    }
    this.projections.set(projection, { columns, starVariables, aggregating });

    const next: Scope = new Map();
    for (const name of starVariables) next.set(name, scope.get(name) as VariableInfo);
    for (const { item, type } of items) {
      if (item.alias !== null || item.expression.kind === 'Variable' || !isWith) {
        next.set(item.name, { name: item.name, type });
      }
    }
    // RETURN's unaliased expressions are columns, not variables, but ORDER BY may
    // still refer to them by repeating the expression.
    if (!isWith)
      for (const { item } of items)
        if (item.alias === null && item.expression.kind !== 'Variable') next.delete(item.name);

    if (projection.orderBy.length > 0) this.orderBy(projection, items, scope, next, aggregating);
    // checked last: the TCK expects aggregation errors first when both apply
    for (const { item } of items) {
      if (isWith && item.alias === null && item.expression.kind !== 'Variable') {
        throw this.semantic(
          'NoExpressionAlias',
          `Expression in WITH must be aliased (use AS): ${item.name}`,
          item.offset,
        );
      }
    }
    this.constantArgument(projection.skip, 'SKIP');
    this.constantArgument(projection.limit, 'LIMIT');
    return { scope: next, columns };
  }

  private orderBy(
    projection: Projection,
    items: readonly { item: Projection['items'][number]; type: StaticType; aggregate: boolean }[],
    before: Scope,
    after: Scope,
    aggregating: boolean,
  ): void {
    const projected = new Map<string, ProjectedExpression>();
    for (const { item, type, aggregate } of items) {
      const e = item.expression;
      const simple = e.kind === 'Variable' || (e.kind === 'PropertyAccess' && e.object.kind === 'Variable');
      projected.set(expressionKey(e), { type, aggregate, simple });
    }
    // Without DISTINCT or aggregation, ORDER BY still sees the variables from before
    // the projection (the projected names win on a clash).
    const seesBefore = !aggregating && !projection.distinct;
    const scope: Scope = seesBefore ? new Map([...before, ...after]) : after;
    for (const sort of projection.orderBy) {
      const env: Env = {
        scope,
        aggregates: aggregating ? 'allowed' : 'in ORDER BY of a projection without aggregation',
        inAggregate: false,
        patternPredicates: false,
        projected,
        projectedKinds: new Set(items.map(({ item }) => item.expression.kind)),
        found: { aggregates: 0 },
      };
      this.expression(sort.expression, env);
      if (aggregating && env.found.aggregates > 0 && !projected.has(expressionKey(sort.expression))) {
        this.checkOrderByGrouping(sort.expression, projected);
      }
    }
  }

  /** ORDER BY after aggregation with a new aggregate: only simple grouping keys may appear beside it. */
  private checkOrderByGrouping(
    expression: Expression,
    projected: ReadonlyMap<string, ProjectedExpression>,
  ): void {
    const visit = (e: Expression): void => {
      if (isAggregateExpression(e)) return;
      const match = projected.get(expressionKey(e));
      if (match && !match.aggregate) {
        if (!match.simple) {
          throw this.semantic(
            'AmbiguousAggregationExpression',
            'ORDER BY mixes an aggregate with a grouping expression that is not a simple variable or property',
            e.offset,
          );
        }
        return;
      }
      for (const child of childExpressions(e)) visit(child);
    };
    visit(expression);
  }

  /**
   * An item mixing aggregates and other parts: each non-aggregate part may only use
   * variables (or `variable.property`) that are themselves grouping keys.
   */
  private checkImplicitGrouping(
    expression: Expression,
    keys: ReadonlySet<string>,
    scope: ReadonlyMap<string, VariableInfo>,
  ): void {
    const ambiguous = (e: Expression): CypherError =>
      this.semantic(
        'AmbiguousAggregationExpression',
        'Aggregation column contains implicit grouping expressions; project them as separate grouping keys first',
        e.offset,
      );
    const visit = (e: Expression, locals: ReadonlySet<string>): void => {
      if (isAggregateExpression(e)) return;
      if (e.kind === 'Variable') {
        if (locals.has(e.name) || !scope.has(e.name)) return;
        if (!keys.has(expressionKey(e))) throw ambiguous(e);
        return;
      }
      if (e.kind === 'PropertyAccess' && e.object.kind === 'Variable' && !locals.has(e.object.name)) {
        if (keys.has(expressionKey(e)) || keys.has(expressionKey(e.object))) return;
        if (scope.has(e.object.name)) throw ambiguous(e);
        return;
      }
      const inner = scopedVariables(e);
      const nextLocals = inner.length > 0 ? new Set([...locals, ...inner]) : locals;
      for (const child of childExpressions(e)) visit(child, nextLocals);
    };
    visit(expression, new Set());
  }

  private constantArgument(expression: Expression | null, clause: string): void {
    if (expression === null) return;
    const variables: Expression[] = [];
    const collect = (e: Expression): void => {
      if (e.kind === 'Variable' || e.kind === 'PatternExpression' || e.kind === 'ExistsSubquery')
        variables.push(e);
      for (const child of childExpressions(e)) collect(child);
    };
    collect(expression);
    if (variables.length > 0) {
      throw this.semantic(
        'NonConstantExpression',
        `${clause} must be a constant expression (literals and parameters only)`,
        expression.offset,
      );
    }
    const type = this.expression(expression, this.env(new Map(), `in ${clause}`));
    if (expression.kind === 'Literal') {
      const value = expression.value;
      if (typeof value === 'bigint' && value < 0n) {
        throw this.semantic(
          'NegativeIntegerArgument',
          `${clause} must be a non-negative integer, got ${value}`,
          expression.offset,
        );
      }
      if (typeof value !== 'bigint') {
        throw this.semantic(
          'InvalidArgumentType',
          `${clause} must be a non-negative integer, got ${describe(type)}`,
          expression.offset,
        );
      }
    } else if (definitelyNot(type, T_INTEGER)) {
      throw this.semantic(
        'InvalidArgumentType',
        `${clause} must be a non-negative integer, got ${describe(type)}`,
        expression.offset,
      );
    }
  }

  // ---------------------------------------------------------------------------
  // patterns
  // ---------------------------------------------------------------------------

  /**
   * Binds a pattern's variables into `scope`. `match`: variables may refer to bound
   * ones of the right kind; `create`/`merge`: bound nodes may only be endpoints;
   * `predicate`: a pattern expression, which may not introduce variables.
   */
  private bindPattern(
    pattern: Pattern,
    scope: Scope,
    mode: 'match' | 'create' | 'merge' | 'predicate',
  ): void {
    // variables bound by this very pattern, by kind
    const local = new Map<string, 'node' | 'relationship' | 'path'>();
    const pending: { properties: Expression; offset: number; predicate?: boolean; dynamic?: boolean }[] = [];
    for (const part of pattern.parts) {
      this.bindElement(part.element, part, scope, local, mode, pending);
      if (part.variable) {
        const name = part.variable.name;
        if (local.has(name) || scope.has(name)) {
          throw this.semantic(
            'VariableAlreadyBound',
            `Variable \`${name}\` already declared`,
            part.variable.offset,
          );
        }
        if (mode === 'predicate') throw this.undefinedVariable(part.variable);
        local.set(name, 'path');
        scope.set(name, { name, type: PATH });
      }
    }
    // property expressions may use any variable of the pattern
    for (const { properties, predicate, dynamic } of pending) {
      if (predicate) this.predicate(properties, scope);
      else if (dynamic) this.dynamicName(properties, scope);
      else this.expression(properties, this.env(scope, 'in a pattern'));
    }
  }

  private bindElement(
    element: PatternElement,
    part: PatternPart | null,
    scope: Scope,
    local: Map<string, 'node' | 'relationship' | 'path'>,
    mode: 'match' | 'create' | 'merge' | 'predicate',
    pending: { properties: Expression; offset: number; predicate?: boolean; dynamic?: boolean }[],
  ): void {
    const single = element.relationships.length === 0;
    const visitProperties = (p: NodePattern | RelationshipPattern): void => {
      const expression = p.kind === 'NodePattern' ? p.labelExpression : p.typeExpression;
      const creatable = expression && p.kind === 'NodePattern' && conjunctionParts(expression) !== null;
      if (expression && !creatable && (mode === 'create' || mode === 'merge')) {
        throw this.semantic(
          'InvalidLabelExpression',
          `Label expressions other than conjunctions of names are not allowed in ${mode === 'create' ? 'CREATE' : 'MERGE'}`,
          p.offset,
        );
      }
      if (p.where) {
        if (mode === 'create' || mode === 'merge') {
          throw this.semantic(
            'InvalidPatternPredicate',
            `WHERE is not allowed inside a pattern of ${mode === 'create' ? 'CREATE' : 'MERGE'}`,
            p.where.offset,
          );
        }
        if (p.kind === 'RelationshipPattern' && p.length !== null) {
          throw this.semantic(
            'InvalidPatternPredicate',
            'WHERE is not allowed inside a variable-length relationship pattern',
            p.where.offset,
          );
        }
        pending.push({ properties: p.where, offset: p.where.offset, predicate: true });
      }
      if (expression) {
        for (const d of dynamicLabelExpressions(expression)) {
          pending.push({ properties: d, offset: d.offset, dynamic: true });
        }
      }
      if (p.properties === null) return;
      if (
        p.properties.kind === 'Parameter' &&
        (mode === 'match' || mode === 'merge' || mode === 'predicate')
      ) {
        throw this.semantic(
          'InvalidParameterUse',
          `Parameter maps cannot be used in ${mode === 'merge' ? 'MERGE' : 'MATCH'} patterns; use a WHERE clause or literal map`,
          p.properties.offset,
        );
      }
      pending.push({ properties: p.properties, offset: p.offset });
    };
    const bindNode = (node: NodePattern): void => {
      visitProperties(node);
      if (!node.variable) return;
      const name = node.variable.name;
      const bound = scope.get(name);
      const localKind = local.get(name);
      if (mode === 'create' || mode === 'merge') {
        if (bound || localKind) {
          if (localKind && localKind !== 'node') throw this.typeConflict(node.variable, localKind, 'node');
          if (bound && definitelyNot(bound.type, T_NODE))
            throw this.typeConflict(node.variable, describe(bound.type), 'node');
          if (node.labels.length > 0 || node.properties !== null || (single && part !== null)) {
            throw this.semantic(
              'VariableAlreadyBound',
              `Can't create node \`${name}\` with labels or properties here. The variable is already declared in this context`,
              node.variable.offset,
            );
          }
          return;
        }
        local.set(name, 'node');
        scope.set(name, { name, type: NODE });
        return;
      }
      if (localKind) {
        if (localKind !== 'node') throw this.typeConflict(node.variable, localKind, 'node');
        return;
      }
      if (bound) {
        if (definitelyNot(bound.type, T_NODE))
          throw this.typeConflict(node.variable, describe(bound.type), 'node');
        return;
      }
      if (mode === 'predicate') throw this.undefinedVariable(node.variable);
      local.set(name, 'node');
      scope.set(name, { name, type: NODE });
    };
    const bindRelationship = (rel: RelationshipPattern): void => {
      visitProperties(rel);
      if (mode === 'create' || mode === 'merge') {
        // Re-creating a bound relationship is reported before its shape (TCK Create2).
        const name = rel.variable?.name;
        if (name !== undefined && (scope.has(name) || local.get(name) === 'relationship')) {
          throw this.semantic(
            'VariableAlreadyBound',
            `Can't create relationship \`${name}\`: the variable is already declared in this context`,
            rel.offset,
          );
        }
        this.checkCreatableRelationship(rel, mode);
      }
      if (!rel.variable) return;
      const name = rel.variable.name;
      const bound = scope.get(name);
      const localKind = local.get(name);
      const type = rel.length === null ? RELATIONSHIP : listOf(RELATIONSHIP);
      if (localKind) {
        if (localKind === 'relationship' && mode !== 'create' && mode !== 'merge') {
          throw this.semantic(
            'RelationshipUniquenessViolation',
            `Cannot use the same relationship variable \`${name}\` for multiple relationships`,
            rel.variable.offset,
          );
        }
        if (localKind !== 'relationship') throw this.typeConflict(rel.variable, localKind, 'relationship');
      }
      if (bound || localKind) {
        if (mode === 'create' || mode === 'merge') {
          throw this.semantic(
            'VariableAlreadyBound',
            `Can't create relationship \`${name}\`: the variable is already declared in this context`,
            rel.variable.offset,
          );
        }
        if (bound && definitelyNot(bound.type, rel.length === null ? T_RELATIONSHIP : T_LIST)) {
          throw this.typeConflict(rel.variable, describe(bound.type), 'relationship');
        }
        return;
      }
      if (mode === 'predicate') throw this.undefinedVariable(rel.variable);
      local.set(name, 'relationship');
      scope.set(name, { name, type });
    };
    element.nodes.forEach((node, index) => {
      bindNode(node);
      const rel = element.relationships[index];
      if (rel) bindRelationship(rel);
    });
  }

  private checkCreatableRelationship(rel: RelationshipPattern, mode: 'create' | 'merge'): void {
    const clause = mode === 'create' ? 'CREATE' : 'MERGE';
    if (rel.types.length !== 1) {
      throw this.semantic(
        'NoSingleRelationshipType',
        `Exactly one relationship type must be specified for ${clause}`,
        rel.offset,
      );
    }
    if (rel.length !== null) {
      throw this.semantic(
        'CreatingVarLength',
        `Variable length relationships cannot be used in ${clause}`,
        rel.offset,
      );
    }
    if (mode === 'create' && rel.direction === 'both') {
      throw this.semantic(
        'RequiresDirectedRelationship',
        'Only directed relationships are supported in CREATE',
        rel.offset,
      );
    }
  }

  private typeConflict(variable: Variable, was: string, wanted: string): CypherError {
    return this.semantic(
      'VariableTypeConflict',
      `Type mismatch: \`${variable.name}\` is already defined as ${was}, cannot use it as a ${wanted}`,
      variable.offset,
    );
  }

  private undefinedVariable(variable: Variable): CypherError {
    return this.semantic('UndefinedVariable', `Variable \`${variable.name}\` not defined`, variable.offset);
  }

  private declare(variable: Variable, scope: Scope, type: StaticType): void {
    if (scope.has(variable.name)) {
      throw this.semantic(
        'VariableAlreadyBound',
        `Variable \`${variable.name}\` already declared`,
        variable.offset,
      );
    }
    scope.set(variable.name, { name: variable.name, type });
  }

  private useVariable(variable: Variable, scope: ReadonlyMap<string, VariableInfo>, accepted: number): void {
    const info = scope.get(variable.name);
    if (!info) throw this.undefinedVariable(variable);
    if (definitelyNot(info.type, accepted)) {
      throw this.typeConflict(variable, describe(info.type), describe(accepted).toLowerCase());
    }
  }

  // ---------------------------------------------------------------------------
  // expressions
  // ---------------------------------------------------------------------------

  private env(scope: ReadonlyMap<string, VariableInfo>, aggregates: 'allowed' | string): Env {
    return { scope, aggregates, inAggregate: false, patternPredicates: false, found: { aggregates: 0 } };
  }

  /** WHERE: a boolean predicate where pattern expressions are allowed and aggregates are not. */
  /** A `$(expr)` label, type or key: a STRING or LIST<STRING>. */
  private dynamicName(expression: Expression, scope: ReadonlyMap<string, VariableInfo>): void {
    const type = this.expression(expression, this.env(scope, 'in a dynamic label'));
    if (definitelyNot(type, T_STRING | T_LIST)) {
      throw this.semantic(
        'InvalidArgumentType',
        `Type mismatch: a dynamic label or type must be a String or a List of Strings, but was ${describe(type)}`,
        expression.offset,
      );
    }
  }

  private predicate(expression: Expression, scope: ReadonlyMap<string, VariableInfo>): void {
    const env: Env = { ...this.env(scope, 'in WHERE'), patternPredicates: true };
    const type = this.expression(expression, env);
    this.requireBoolean(type, expression);
  }

  private requireBoolean(type: StaticType, expression: Expression): void {
    if (definitelyNot(type, T_BOOLEAN)) {
      throw this.semantic(
        'InvalidArgumentType',
        `Type mismatch: expected Boolean but was ${describe(type)}`,
        expression.offset,
      );
    }
  }

  private requireList(type: StaticType, expression: Expression): void {
    if (definitelyNot(type, T_LIST)) {
      throw this.semantic(
        'InvalidArgumentType',
        `Type mismatch: expected List but was ${describe(type)}`,
        expression.offset,
      );
    }
  }

  private requireNumeric(type: StaticType, expression: Expression, temporal: boolean): void {
    if (definitelyNot(type, T_NUMBER | (temporal ? T_TEMPORAL : 0))) {
      throw this.semantic(
        'InvalidArgumentType',
        `Type mismatch: expected Integer or Float but was ${describe(type)}`,
        expression.offset,
      );
    }
  }

  private expression(e: Expression, env: Env): StaticType {
    if (env.projected && env.projectedKinds?.has(e.kind) === true) {
      const match = env.projected.get(expressionKey(e));
      if (match) {
        if (match.aggregate) env.found.aggregates++;
        return match.type;
      }
    }
    switch (e.kind) {
      case 'Literal': {
        const v = e.value;
        if (v === null) return NULL_TYPE;
        if (typeof v === 'boolean') return { mask: T_BOOLEAN };
        if (typeof v === 'bigint') return { mask: T_INTEGER };
        if (typeof v === 'number') return { mask: T_FLOAT };
        return { mask: T_STRING };
      }
      case 'Parameter':
        this.parameters.add(e.name);
        return ANY;
      case 'Variable': {
        const info = env.scope.get(e.name);
        if (!info) throw this.undefinedVariable(e);
        return info.type;
      }
      case 'PropertyAccess': {
        const type = this.expression(e.object, env);
        if (definitelyNot(type, T_NODE | T_RELATIONSHIP | T_MAP | T_TEMPORAL | T_POINT)) {
          const message = `Type mismatch: expected Map, Node or Relationship but was ${describe(type)}`;
          // a path is a graph type the compiler knows; literals fail like at runtime
          if ((type.mask & T_PATH) !== 0) throw this.semantic('InvalidArgumentType', message, e.offset);
          throw this.error('TypeError', 'InvalidArgumentType', message, e.offset);
        }
        return ANY;
      }
      case 'IndexAccess': {
        const type = this.expression(e.object, env);
        this.expression(e.index, env);
        if (definitelyNot(type, T_LIST | T_MAP | T_NODE | T_RELATIONSHIP)) {
          throw this.error(
            'TypeError',
            'InvalidArgumentType',
            `Type mismatch: expected List or Map but was ${describe(type)}`,
            e.offset,
          );
        }
        return (type.mask & ~T_NULL) === T_LIST ? union(elementOf(type), NULL_TYPE) : ANY;
      }
      case 'Slice': {
        const type = this.expression(e.object, env);
        if (e.from) this.expression(e.from, env);
        if (e.to) this.expression(e.to, env);
        if (definitelyNot(type, T_LIST)) {
          throw this.error(
            'TypeError',
            'InvalidArgumentType',
            `Type mismatch: expected List but was ${describe(type)}`,
            e.offset,
          );
        }
        return type;
      }
      case 'ListLiteral': {
        let element: StaticType | undefined;
        for (const item of e.elements) {
          const t = this.expression(item, env);
          element = element === undefined ? t : union(element, t);
        }
        return element === undefined ? { mask: T_LIST } : { mask: T_LIST, element };
      }
      case 'MapLiteral':
        for (const entry of e.entries) this.expression(entry.value, env);
        return { mask: T_MAP };
      case 'MapProjection': {
        const type = this.expression(e.variable, env);
        if (definitelyNot(type, T_NODE | T_RELATIONSHIP | T_MAP)) {
          throw this.error(
            'TypeError',
            'InvalidArgumentType',
            `Type mismatch: expected Map, Node or Relationship but was ${describe(type)}`,
            e.offset,
          );
        }
        for (const item of e.items) {
          if (item.kind === 'MapProjectionLiteral') this.expression(item.value, env);
          else if (item.kind === 'MapProjectionVariable') this.expression(item.variable, env);
        }
        return MAP;
      }
      case 'ListComprehension': {
        const listType = this.expression(e.list, env);
        this.requireList(listType, e.list);
        const inner = this.overList(this.withVariable(env, e.variable, elementOf(listType)));
        if (e.where)
          this.requireBoolean(this.expression(e.where, { ...inner, patternPredicates: true }), e.where);
        const projected = e.projection ? this.expression(e.projection, inner) : elementOf(listType);
        return listOf(projected);
      }
      case 'PatternComprehension': {
        const scope = new Map(env.scope);
        const pattern: Pattern = {
          kind: 'Pattern',
          offset: e.offset,
          parts: [
            {
              kind: 'PatternPart',
              offset: e.offset,
              variable: e.variable,
              shortestPath: null,
              element: e.element,
            },
          ],
        };
        this.bindPattern(pattern, scope, 'match');
        const inner: Env = this.overList({ ...env, scope });
        if (e.where)
          this.requireBoolean(this.expression(e.where, { ...inner, patternPredicates: true }), e.where);
        return listOf(this.expression(e.projection, inner));
      }
      case 'Quantifier': {
        const listType = this.expression(e.list, env);
        this.requireList(listType, e.list);
        if (e.where) {
          const inner = this.overList(this.withVariable(env, e.variable, elementOf(listType)));
          this.requireBoolean(this.expression(e.where, { ...inner, patternPredicates: true }), e.where);
        }
        return BOOLEAN;
      }
      case 'Reduce': {
        const init = this.expression(e.init, env);
        const listType = this.expression(e.list, env);
        this.requireList(listType, e.list);
        let inner = this.overList(this.withVariable(env, e.accumulator, ANY));
        inner = this.withVariable(inner, e.variable, elementOf(listType));
        return union(init, this.expression(e.expression, inner));
      }
      case 'Case': {
        if (e.subject) this.expression(e.subject, env);
        let result: StaticType | undefined;
        for (const alternative of e.alternatives) {
          const when = this.expression(alternative.when, env);
          if (!e.subject) this.requireBoolean(when, alternative.when);
          const then = this.expression(alternative.then, env);
          result = result === undefined ? then : union(result, then);
        }
        const otherwise = e.else ? this.expression(e.else, env) : NULL_TYPE;
        return result === undefined ? otherwise : union(result, otherwise);
      }
      case 'FunctionCall':
        return this.functionCall(e, env);
      case 'CountStar':
        this.aggregate(e, env);
        return INTEGER;
      case 'ExistsSubquery': {
        if (e.body.kind === 'Query') {
          const columns = this.query(e.body, env.scope, true);
          if (e.collect) {
            const clauses = e.body.first.clauses;
            if (clauses[clauses.length - 1]?.kind !== 'Return' || columns.length !== 1) {
              throw this.semantic(
                'InvalidClauseComposition',
                'A COLLECT subquery must end with a RETURN clause returning exactly one column',
                e.offset,
              );
            }
            return listOf(ANY);
          }
        } else {
          const scope = new Map(env.scope);
          this.bindPattern(e.body.pattern, scope, 'match');
          if (e.body.where) this.predicate(e.body.where, scope);
        }
        return e.count ? INTEGER : BOOLEAN;
      }
      case 'PatternExpression': {
        if (!env.patternPredicates) {
          throw this.error(
            'SyntaxError',
            'UnexpectedSyntax',
            'A pattern expression can only be used as a predicate in WHERE or exists(); use EXISTS { ... } or a pattern comprehension elsewhere',
            e.offset,
          );
        }
        const pattern: Pattern = {
          kind: 'Pattern',
          offset: e.offset,
          parts: [
            { kind: 'PatternPart', offset: e.offset, variable: null, shortestPath: null, element: e.element },
          ],
        };
        this.bindPattern(pattern, new Map(env.scope), 'predicate');
        // a predicate in WHERE; as the argument of size() etc. it stands for its matches
        return { mask: T_BOOLEAN | T_LIST | T_NULL };
      }
      case 'Unary': {
        const type = this.expression(e.operand, env);
        if (e.operator === 'not') {
          this.requireBoolean(type, e.operand);
          return BOOLEAN;
        }
        this.requireNumeric(type, e.operand, true);
        return type;
      }
      case 'Binary':
        return this.binary(e, env);
      case 'IsNull':
      case 'TypePredicate':
        this.expression(e.operand, env);
        return { mask: T_BOOLEAN };
      case 'HasLabels': {
        const type = this.expression(e.operand, env);
        if (e.labelExpression) {
          for (const d of dynamicLabelExpressions(e.labelExpression)) this.expression(d, env);
        }
        if (definitelyNot(type, T_NODE | T_RELATIONSHIP)) {
          throw this.semantic(
            'InvalidArgumentType',
            `Type mismatch: expected Node but was ${describe(type)}`,
            e.offset,
          );
        }
        return BOOLEAN;
      }
      default:
        return assertNever(e);
    }
  }

  private withVariable(env: Env, variable: Variable, type: StaticType): Env {
    const scope = new Map(env.scope);
    scope.set(variable.name, { name: variable.name, type });
    return { ...env, scope, projected: undefined, projectedKinds: undefined };
  }

  private binary(e: Expression & { kind: 'Binary' }, env: Env): StaticType {
    const left = this.expression(e.left, env);
    const right = this.expression(e.right, env);
    switch (e.operator) {
      case 'and':
      case 'or':
      case 'xor':
        this.requireBoolean(left, e.left);
        this.requireBoolean(right, e.right);
        return BOOLEAN;
      case '=':
      case '<>':
      case '<':
      case '>':
      case '<=':
      case '>=':
      case 'startsWith':
      case 'endsWith':
      case 'contains':
      case '=~':
        return BOOLEAN;
      case 'in':
        this.requireList(right, e.right);
        return BOOLEAN;
      case '+':
        if (!canAdd(left, right)) {
          throw this.semantic(
            'InvalidArgumentType',
            `Type mismatch: cannot add ${describe(right)} to ${describe(left)}`,
            e.right.offset,
          );
        }
        return addType(left, right);
      case '||': {
        const l = left.mask & ~T_NULL;
        const r = right.mask & ~T_NULL;
        const ok = (m: number): boolean => m === 0 || (m & (T_STRING | T_LIST)) !== 0;
        if (!ok(l) || !ok(r)) {
          throw this.semantic(
            'InvalidArgumentType',
            `Type mismatch: || expects STRING or LIST operands, got ${describe(left)} and ${describe(right)}`,
            e.offset,
          );
        }
        return addType(left, right);
      }
      case '-':
        this.requireNumeric(left, e.left, true);
        this.requireNumeric(right, e.right, true);
        return arithmeticType(left, right);
      case '*':
      case '/':
      case '%':
        // durations scale by numbers: d * 2, 2 * d, d / 2
        this.requireNumeric(left, e.left, e.operator !== '%');
        this.requireNumeric(right, e.right, e.operator === '*');
        return arithmeticType(left, right);
      case '^':
        this.requireNumeric(left, e.left, false);
        this.requireNumeric(right, e.right, false);
        return FLOAT;
      default:
        return assertNever(e.operator);
    }
  }

  /**
   * The per-element part of a list comprehension, quantifier, reduce() or pattern
   * comprehension: Neo4j rejects aggregates there ("Can't use aggregating expressions
   * inside of expressions executing over lists"); the list operand itself may aggregate.
   */
  private overList(env: Env): Env {
    return { ...env, aggregates: 'inside of expressions executing over lists' };
  }

  private aggregate(e: Expression, env: Env): void {
    if (env.aggregates !== 'allowed') {
      throw this.semantic('InvalidAggregation', `Aggregation is not allowed ${env.aggregates}`, e.offset);
    }
    if (env.inAggregate) {
      throw this.semantic(
        'NestedAggregation',
        'Aggregate functions cannot be nested inside other aggregate functions',
        e.offset,
      );
    }
    env.found.aggregates++;
  }

  private functionCall(e: Expression & { kind: 'FunctionCall' }, env: Env): StaticType {
    const signature = lookupFunction(e.name);
    if (!signature) {
      throw this.semantic('UnknownFunction', `Unknown function '${e.name}'`, e.offset);
    }
    if (e.args.length < signature.minArgs || e.args.length > signature.maxArgs) {
      const expected =
        signature.minArgs === signature.maxArgs
          ? `${signature.minArgs}`
          : signature.maxArgs === Infinity
            ? `at least ${signature.minArgs}`
            : `${signature.minArgs} to ${signature.maxArgs}`;
      throw this.semantic(
        'InvalidNumberOfArguments',
        `Function ${signature.name}() takes ${expected} argument(s), got ${e.args.length}`,
        e.offset,
      );
    }
    if (signature.nondeterministic && env.inAggregate) {
      throw this.semantic(
        'NonConstantExpression',
        `Non-deterministic function ${signature.name}() cannot be used inside an aggregate function`,
        e.offset,
      );
    }
    let argEnv = env;
    if (signature.aggregate) {
      this.aggregate(e, env);
      argEnv = { ...env, inAggregate: true, projected: undefined, projectedKinds: undefined };
    }
    if (signature.name === 'exists') argEnv = { ...argEnv, patternPredicates: true };
    const types = e.args.map((arg, i) => {
      const mask = signature.argMasks[i];
      // A pattern expression is a predicate (BOOLEAN): `size((a)-->())` is a type error
      // (TCK List6), not a misplaced pattern.
      if (arg.kind === 'PatternExpression' && mask !== undefined && definitelyNot(BOOLEAN, mask)) {
        throw this.semantic(
          'InvalidArgumentType',
          `Type mismatch: ${signature.name}() expects ${describe(mask)} but was a pattern expression (Boolean); use a pattern comprehension or COUNT { ... }`,
          arg.offset,
        );
      }
      const type = this.expression(arg, argEnv);
      if (mask !== undefined && definitelyNot(type, mask)) {
        throw this.semantic(
          'InvalidArgumentType',
          `Type mismatch: ${signature.name}() expects ${describe(mask)} but was ${describe(type)}`,
          arg.offset,
        );
      }
      return type;
    });
    const returns = signature.returns;
    if (returns === 'first') return union(types[0] ?? ANY, NULL_TYPE);
    if (returns === 'element') return union(elementOf(types[0] ?? ANY), NULL_TYPE);
    return returns;
  }
}

// -----------------------------------------------------------------------------
// helpers
// -----------------------------------------------------------------------------

function clauseName(clause: Clause): string {
  switch (clause.kind) {
    case 'Match':
      return clause.optional ? 'OPTIONAL MATCH' : 'MATCH';
    case 'Delete':
      return clause.detach ? 'DETACH DELETE' : 'DELETE';
    default:
      return clause.kind.toUpperCase();
  }
}

function isAggregateExpression(e: Expression): boolean {
  if (e.kind === 'CountStar') return true;
  return e.kind === 'FunctionCall' && lookupFunction(e.name)?.aggregate === true;
}

/** Variables an expression binds for its sub-expressions (comprehensions, reduce). */
function scopedVariables(e: Expression): string[] {
  switch (e.kind) {
    case 'ListComprehension':
    case 'Quantifier':
      return [e.variable.name];
    case 'Reduce':
      return [e.accumulator.name, e.variable.name];
    case 'PatternComprehension': {
      const names: string[] = [];
      if (e.variable) names.push(e.variable.name);
      for (const n of e.element.nodes) if (n.variable) names.push(n.variable.name);
      for (const r of e.element.relationships) if (r.variable) names.push(r.variable.name);
      return names;
    }
    default:
      return [];
  }
}

function unwound(type: StaticType): StaticType {
  if ((type.mask & T_LIST) === 0) return type;
  const rest = type.mask & ~T_LIST & ~T_NULL;
  const element = elementOf(type);
  return rest === 0 ? element : union(element, { mask: rest });
}

/**
 * Whether `+` can succeed for some values of these types (Neo4j checks this statically:
 * `'a' + true` or `1 + {}` is a compile-time type mismatch). A LIST on either side
 * appends or prepends anything; null gives null.
 */
function canAdd(left: StaticType, right: StaticType): boolean {
  const l = left.mask & ~T_NULL;
  const r = right.mask & ~T_NULL;
  if (l === 0 || r === 0 || (l & T_LIST) !== 0 || (r & T_LIST) !== 0) return true;
  if ((l & T_NUMBER) !== 0 && (r & (T_NUMBER | T_STRING)) !== 0) return true;
  if ((l & T_STRING) !== 0 && (r & (T_NUMBER | T_STRING)) !== 0) return true;
  return (l & T_TEMPORAL) !== 0 && (r & T_TEMPORAL) !== 0;
}

function addType(left: StaticType, right: StaticType): StaticType {
  const l = left.mask & ~T_NULL;
  const r = right.mask & ~T_NULL;
  if ((l === T_INTEGER || l === T_FLOAT) && (r === T_INTEGER || r === T_FLOAT))
    return arithmeticType(left, right);
  if (l === T_STRING && (r & (T_STRING | T_NUMBER)) === r) return STRING;
  if (l === T_LIST || r === T_LIST) return listOf();
  return ANY;
}

function arithmeticType(left: StaticType, right: StaticType): StaticType {
  const l = left.mask & ~T_NULL;
  const r = right.mask & ~T_NULL;
  if (l === T_INTEGER && r === T_INTEGER) return INTEGER;
  if ((l === T_FLOAT || l === T_INTEGER) && (r === T_FLOAT || r === T_INTEGER)) return FLOAT;
  if ((l | r) & T_TEMPORAL) return union(TEMPORAL, { mask: T_NUMBER | T_NULL });
  return { mask: T_NUMBER | T_NULL };
}

/** Maps a TCK/Neo4j procedure type name (`STRING?`, `LIST? OF INTEGER?`) to a mask. */
function procedureTypeMask(name: string): number {
  return procedureType(name).mask;
}

function procedureType(name: string): StaticType {
  const base = name.trim().toUpperCase().replace(/\?$/, '');
  if (base.startsWith('LIST')) {
    const of = /OF\s+(.+)$/.exec(base);
    return of ? listOf(procedureType(of[1] as string)) : listOf();
  }
  switch (base.replace(/\?$/, '')) {
    case 'STRING':
      return STRING;
    case 'INTEGER':
      return INTEGER;
    case 'FLOAT':
      return FLOAT;
    case 'NUMBER':
      return { mask: T_NUMBER | T_NULL };
    case 'BOOLEAN':
      return BOOLEAN;
    case 'MAP':
      return MAP;
    case 'NODE':
      return NODE;
    case 'RELATIONSHIP':
      return RELATIONSHIP;
    case 'PATH':
      return PATH;
    default:
      return ANY;
  }
}

/** Whether a `CALL { ... }` body ends in RETURN (otherwise it is a unit subquery). */
export function callSubqueryReturns(clause: CallSubquery): boolean {
  return clause.query.first.clauses[clause.query.first.clauses.length - 1]?.kind === 'Return';
}

/** The older `CALL { WITH a ... }` form imports through its leading WITH. */
export function callSubqueryImportsAll(clause: CallSubquery): boolean {
  const parts = [clause.query.first, ...clause.query.unions.map((u) => u.query)];
  return parts.some((p) => p.clauses[0]?.kind === 'With');
}
