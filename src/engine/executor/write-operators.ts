/**
 * Updating operators: CREATE, MERGE, SET, REMOVE, DELETE, FOREACH and the schema
 * commands. Each consumes its whole input before emitting (clause-at-a-time semantics:
 * a later clause sees every write of an earlier one, and a scan never sees the nodes
 * its own consumer creates). All run inside the query's single write transaction.
 */
import { CypherError } from '../../cypher/errors.js';
import { NexusError } from '../../errors.js';
import type { PropertyScalar, PropertyValue } from '../../storage/types.js';
import { PAUSE, type QueryContext, type Row, type RowStream } from '../runtime/query-context.js';
import { Node, Path, Relationship, type Value } from '../values.js';
import { describeValue } from '../functions/index.js';
import { dynamicNames, type Expr } from '../planner/compile-expression.js';
import type { CompiledPattern } from '../planner/compile-pattern.js';
import { BasicOperator, eager } from './read-operators.js';
import type { Operator } from './operator.js';

/** The kind of a temporal value (DATE, DATETIME, DURATION, ...), stored as a scalar. */
function temporalKind(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const k = (v as { temporalKind?: unknown }).temporalKind;
  return typeof k === 'string' ? k : undefined;
}

/** A value as storage accepts it; `null` means "remove". Maps and nested lists are refused. */
export function toPropertyValue(v: Value): PropertyValue | null {
  if (v === null) return null;
  switch (typeof v) {
    case 'boolean':
    case 'bigint':
    case 'number':
    case 'string':
      return v;
  }
  if (temporalKind(v) !== undefined) return v as unknown as PropertyValue;
  if (Array.isArray(v)) {
    const list = v as readonly Value[];
    let kind: string | undefined;
    for (const x of list) {
      const t = temporalKind(x);
      const k = t ?? (typeof x === 'bigint' || typeof x === 'number' ? 'number' : typeof x);
      if (x === null || (t === undefined && !['boolean', 'number', 'string'].includes(k))) {
        throw new CypherError(
          'TypeError',
          'InvalidPropertyType',
          `A property list may only hold booleans, numbers, strings or temporals, not ${x === null ? 'null' : describeValue(x)}`,
        );
      }
      if (kind !== undefined && kind !== k) {
        throw new CypherError('TypeError', 'InvalidPropertyType', 'A property list must be homogeneous');
      }
      kind = k;
    }
    return list as readonly PropertyScalar[];
  }
  throw new CypherError(
    'TypeError',
    'InvalidPropertyType',
    `Cannot store ${describeValue(v)} as a property value`,
  );
}

/** Evaluated map of a pattern's properties with nulls dropped (they are never stored). */
export type PropsExpr = (row: Row, ctx: QueryContext) => Map<string, PropertyValue>;

export function propsFrom(v: Value): Map<string, PropertyValue> {
  const out = new Map<string, PropertyValue>();
  if (v === null) return out;
  if (!(v instanceof Map)) {
    throw new CypherError(
      'TypeError',
      'InvalidArgumentType',
      `Expected a map of properties, got ${describeValue(v)}`,
    );
  }
  for (const [k, x] of v as ReadonlyMap<string, Value>) {
    const p = toPropertyValue(x);
    if (p !== null) out.set(k, p);
  }
  return out;
}

/** Runs `each` per input row after draining the input; emits buffered output rows. */
function eagerOperator(
  name: string,
  info: string,
  input: Operator,
  each: (row: Row, ctx: QueryContext, out: Row[]) => void,
): Operator {
  return new BasicOperator(name, info, [input], function* (ctx, arg) {
    const rows: Row[] = [];
    yield* eager(input.open(ctx, arg), ctx, rows);
    const out: Row[] = [];
    let i = 0;
    for (const r of rows) {
      if ((++i & 511) === 0) ctx.checkDeadline();
      each(r, ctx, out);
    }
    ctx.release(rows.length);
    yield* out;
  });
}

export interface CreateNodeSpec {
  readonly name: string;
  /** Already bound in the row: reuse, do not create. */
  readonly bound: boolean;
  readonly labels: readonly string[];
  /** `$(expr)` labels, evaluated per row. */
  readonly dynamicLabels?: readonly Expr[];
  readonly props: Expr | null;
}

export interface CreateRelSpec {
  readonly name: string;
  readonly type: string;
  /** true: nodes[i] → nodes[i+1]; false: the reverse. */
  readonly forward: boolean;
  readonly props: Expr | null;
}

export interface CreatePartSpec {
  readonly nodes: readonly CreateNodeSpec[];
  readonly rels: readonly CreateRelSpec[];
  readonly pathVar: string | null;
}

/** Creates one pattern part for `row` (mutated in place with the new bindings). */
export function createPart(part: CreatePartSpec, row: Row, ctx: QueryContext): void {
  const w = ctx.writable;
  const stats = ctx.stats;
  const nodes: Node[] = [];
  for (const n of part.nodes) {
    if (n.bound) {
      const v = row[n.name];
      if (!(v instanceof Node)) {
        throw new CypherError(
          'SemanticError',
          'VariableTypeConflict',
          `Variable ${n.name} is not a node and cannot be used in CREATE`,
        );
      }
      if (!w.getNode(v.id)) {
        throw new CypherError('EntityNotFound', 'DeletedEntityAccess', `Node ${v.id} has been deleted`);
      }
      nodes.push(v);
      continue;
    }
    const props = n.props ? propsFrom(n.props(row, ctx)) : new Map<string, PropertyValue>();
    const labels = n.dynamicLabels ? [...new Set(labelsFor(n.labels, n.dynamicLabels, row, ctx))] : n.labels;
    const id = w.createNode(labels, props);
    stats.nodesCreated++;
    stats.labelsAdded += new Set(labels).size;
    stats.propertiesSet += props.size;
    const node = new Node(id, labels, props);
    row[n.name] = node;
    nodes.push(node);
  }
  const rels: Relationship[] = [];
  for (let i = 0; i < part.rels.length; i++) {
    const r = part.rels[i]!;
    const a = nodes[i]!;
    const b = nodes[i + 1]!;
    const [start, end] = r.forward ? [a, b] : [b, a];
    const props = r.props ? propsFrom(r.props(row, ctx)) : new Map<string, PropertyValue>();
    const id = w.createRelationship(r.type, start.id, end.id, props);
    stats.relationshipsCreated++;
    stats.propertiesSet += props.size;
    const rel = new Relationship(id, r.type, start.id, end.id, props);
    row[r.name] = rel;
    rels.push(rel);
  }
  if (part.pathVar) row[part.pathVar] = new Path(nodes, rels);
}

export function createOperator(input: Operator, parts: readonly CreatePartSpec[]): Operator {
  return eagerOperator('Create', '', input, (r, ctx, out) => {
    const row: Row = { ...r };
    for (const p of parts) createPart(p, row, ctx);
    out.push(row);
  });
}

export type SetAction = (row: Row, ctx: QueryContext) => void;

export function setOperator(
  input: Operator,
  actions: readonly SetAction[],
  name = 'SetProperties',
): Operator {
  return eagerOperator(name, '', input, (r, ctx, out) => {
    for (const a of actions) a(r, ctx);
    out.push(r);
  });
}

function liveNode(v: Node, ctx: QueryContext): void {
  if (!ctx.tx.getNode(v.id)) {
    throw new CypherError('EntityNotFound', 'DeletedEntityAccess', `Node ${v.id} has been deleted`);
  }
}

function liveRel(v: Relationship, ctx: QueryContext): void {
  if (!ctx.tx.getRelationship(v.id)) {
    throw new CypherError('EntityNotFound', 'DeletedEntityAccess', `Relationship ${v.id} has been deleted`);
  }
}

export function setPropertyAction(target: Expr, key: string, value: Expr): SetAction {
  return (row, ctx) => {
    const t = target(row, ctx);
    const v = toPropertyValue(value(row, ctx));
    if (t === null) return;
    const w = ctx.writable;
    if (t instanceof Node) {
      liveNode(t, ctx);
      w.setNodeProperty(t.id, key, v);
    } else if (t instanceof Relationship) {
      liveRel(t, ctx);
      w.setRelationshipProperty(t.id, key, v);
    } else {
      throw new CypherError(
        'TypeError',
        'InvalidArgumentType',
        `Cannot set a property on ${describeValue(t)}`,
      );
    }
    ctx.stats.propertiesSet++;
  };
}

function entityProps(v: Value, ctx: QueryContext): Map<string, PropertyValue> {
  if (v instanceof Node) return propsFrom(new Map(ctx.nodeProperties(v)));
  if (v instanceof Relationship) return propsFrom(new Map(ctx.relationshipProperties(v)));
  return propsFrom(v);
}

export function setAllAction(target: Expr, value: Expr, merge: boolean): SetAction {
  return (row, ctx) => {
    const t = target(row, ctx);
    if (t === null) return;
    const raw = value(row, ctx);
    const w = ctx.writable;
    const isNode = t instanceof Node;
    if (!isNode && !(t instanceof Relationship)) {
      throw new CypherError(
        'TypeError',
        'InvalidArgumentType',
        `Cannot set properties on ${describeValue(t)}`,
      );
    }
    if (isNode) liveNode(t, ctx);
    else liveRel(t as Relationship, ctx);
    if (merge) {
      if (raw === null) return;
      if (!(raw instanceof Map) && !(raw instanceof Node) && !(raw instanceof Relationship)) {
        throw new CypherError(
          'TypeError',
          'InvalidArgumentType',
          `Expected a map, got ${describeValue(raw)}`,
        );
      }
      const entries = raw instanceof Map ? (raw as ReadonlyMap<string, Value>) : entityProps(raw, ctx);
      for (const [k, x] of entries) {
        const p = toPropertyValue(x);
        if (isNode) w.setNodeProperty(t.id, k, p);
        else w.setRelationshipProperty((t as Relationship).id, k, p);
        ctx.stats.propertiesSet++;
      }
      return;
    }
    const props = entityProps(raw, ctx);
    const before = isNode ? ctx.nodeProperties(t) : ctx.relationshipProperties(t as Relationship);
    const removed = [...before.keys()].filter((k) => !props.has(k)).length;
    if (isNode) w.replaceNodeProperties(t.id, props);
    else w.replaceRelationshipProperties((t as Relationship).id, props);
    ctx.stats.propertiesSet += props.size + removed;
  };
}

/** Static labels plus those `$(expr)` labels give for this row. */
function labelsFor(
  labels: readonly string[],
  dynamic: readonly Expr[],
  row: Row,
  ctx: QueryContext,
): string[] {
  if (dynamic.length === 0) return [...labels];
  return [...labels, ...dynamic.flatMap((d) => dynamicNames(d(row, ctx)))];
}

export function setLabelsAction(
  target: Expr,
  labels: readonly string[],
  dynamic: readonly Expr[] = [],
): SetAction {
  return (row, ctx) => {
    const t = target(row, ctx);
    if (t === null) return;
    if (!(t instanceof Node)) {
      throw new CypherError('TypeError', 'InvalidArgumentType', `Cannot set labels on ${describeValue(t)}`);
    }
    liveNode(t, ctx);
    const have = ctx.nodeLabels(t);
    const add = [...new Set(labelsFor(labels, dynamic, row, ctx))].filter((l) => !have.includes(l));
    if (add.length > 0) {
      ctx.writable.addNodeLabels(t.id, add);
      ctx.stats.labelsAdded += add.length;
    }
  };
}

export function removePropertyAction(target: Expr, key: string): SetAction {
  return (row, ctx) => {
    const t = target(row, ctx);
    if (t === null) return;
    const w = ctx.writable;
    if (t instanceof Node) {
      liveNode(t, ctx);
      if (ctx.nodeProperties(t).has(key)) {
        w.setNodeProperty(t.id, key, null);
        ctx.stats.propertiesSet++;
      }
    } else if (t instanceof Relationship) {
      liveRel(t, ctx);
      if (ctx.relationshipProperties(t).has(key)) {
        w.setRelationshipProperty(t.id, key, null);
        ctx.stats.propertiesSet++;
      }
    } else {
      throw new CypherError(
        'TypeError',
        'InvalidArgumentType',
        `Cannot remove a property from ${describeValue(t)}`,
      );
    }
  };
}

export function removeLabelsAction(
  target: Expr,
  labels: readonly string[],
  dynamic: readonly Expr[] = [],
): SetAction {
  return (row, ctx) => {
    const t = target(row, ctx);
    if (t === null) return;
    if (!(t instanceof Node)) {
      throw new CypherError(
        'TypeError',
        'InvalidArgumentType',
        `Cannot remove labels from ${describeValue(t)}`,
      );
    }
    liveNode(t, ctx);
    const have = ctx.nodeLabels(t);
    const rm = [...new Set(labelsFor(labels, dynamic, row, ctx))].filter((l) => have.includes(l));
    if (rm.length > 0) {
      ctx.writable.removeNodeLabels(t.id, rm);
      ctx.stats.labelsRemoved += rm.length;
    }
  };
}

/**
 * DELETE: relationships of the whole clause go first, then nodes, so `DELETE n, r`
 * works in either order; a node that still has relationships fails unless DETACH.
 */
export function deleteOperator(input: Operator, exprs: readonly Expr[], detach: boolean): Operator {
  return new BasicOperator(detach ? 'DetachDelete' : 'Delete', '', [input], function* (ctx, arg) {
    const rows: Row[] = [];
    yield* eager(input.open(ctx, arg), ctx, rows);
    const nodes = new Map<number, Node>();
    const rels = new Map<number, Relationship>();
    const collect = (v: Value) => {
      if (v === null) return;
      if (v instanceof Node) nodes.set(v.id, v);
      else if (v instanceof Relationship) rels.set(v.id, v);
      else if (v instanceof Path) {
        for (const n of v.nodes) nodes.set(n.id, n);
        for (const r of v.relationships) rels.set(r.id, r);
      } else {
        throw new CypherError('TypeError', 'InvalidArgumentType', `Cannot delete ${describeValue(v)}`);
      }
    };
    for (const r of rows) for (const e of exprs) collect(e(r, ctx));
    const w = ctx.writable;
    const deleteRel = (id: number) => {
      if (!w.getRelationship(id)) return;
      w.deleteRelationship(id);
      ctx.stats.relationshipsDeleted++;
    };
    for (const id of rels.keys()) deleteRel(id);
    for (const id of nodes.keys()) {
      if (!w.getNode(id)) continue;
      if (detach) {
        for (const adj of [...w.expand(id, 'both')]) deleteRel(adj.rel);
      } else if (w.degree(id, 'both') > 0) {
        throw new CypherError(
          'ConstraintVerificationFailed',
          'DeleteConnectedNode',
          `Cannot delete node ${id} because it still has relationships; use DETACH DELETE`,
        );
      }
      w.deleteNode(id);
      ctx.stats.nodesDeleted++;
    }
    ctx.release(rows.length);
    yield* rows;
  });
}

export interface MergeSpec {
  readonly pattern: CompiledPattern;
  readonly create: CreatePartSpec;
  readonly onCreate: readonly SetAction[];
  readonly onMatch: readonly SetAction[];
  /** Property expressions that must not be null (MERGE cannot match or create null). */
  readonly nullChecks: readonly Expr[];
}

export function mergeOperator(input: Operator, spec: MergeSpec): Operator {
  return eagerOperator('Merge', '', input, (r, ctx, out) => {
    const matches: Row[] = [];
    for (const m of spec.pattern.run(ctx, r)) if (m !== PAUSE) matches.push(m);
    if (matches.length > 0) {
      for (const m of matches) {
        for (const a of spec.onMatch) a(m, ctx);
        out.push(m);
      }
      return;
    }
    for (const c of spec.nullChecks) {
      if (c(r, ctx) === null) {
        throw new CypherError(
          'SemanticError',
          'MergeReadOwnWrites',
          'Cannot merge a pattern with a null property value',
        );
      }
    }
    const row: Row = { ...r };
    createPart(spec.create, row, ctx);
    for (const a of spec.onCreate) a(row, ctx);
    out.push(row);
  });
}

/** FOREACH: runs the inner updating pipeline once per list element; rows pass through. */
export function foreachOperator(input: Operator, list: Expr, name: string, body: Operator): Operator {
  return eagerOperator('Foreach', name, input, (r, ctx, out) => {
    const l = list(r, ctx);
    if (l !== null) {
      const items = Array.isArray(l) ? (l as readonly Value[]) : [l];
      for (const x of items) {
        const inner: Row = { ...r };
        inner[name] = x;
        for (const _ of body.open(ctx, inner) as RowStream) void _;
      }
    }
    out.push(r);
  });
}

/**
 * `CALL { ... }`: runs `body` once per input row, with only the `imports` of that row as
 * its argument. With `columns`, each body row extends the input row by those columns
 * (an input row the body yields nothing for is dropped); with null (a unit subquery)
 * the body is drained and the input row passes through once. When the body updates,
 * the whole input is read first, so the input's reads do not see the body's writes.
 */
export function callSubqueryOperator(
  input: Operator,
  body: Operator,
  imports: readonly string[],
  columns: readonly string[] | null,
  updating: boolean,
  optional = false,
): Operator {
  const argOf = (r: Row): Row => {
    const a: Row = {};
    for (const name of imports) if (name in r) a[name] = r[name] ?? null;
    return a;
  };
  function* apply(r: Row, ctx: QueryContext): Generator<Row | typeof PAUSE> {
    let any = false;
    for (const b of body.open(ctx, argOf(r)) as RowStream) {
      if (b === PAUSE) {
        yield b;
        continue;
      }
      if (columns === null) continue;
      any = true;
      const out: Row = { ...r };
      for (const c of columns) out[c] = b[c] ?? null;
      yield out;
    }
    if (columns === null) yield r;
    else if (optional && !any) {
      const out: Row = { ...r };
      for (const c of columns) out[c] = null;
      yield out;
    }
  }
  const info = columns === null ? '' : columns.join(', ');
  return new BasicOperator(
    optional ? 'OptionalCallSubquery' : 'CallSubquery',
    info,
    [input, body],
    function* (ctx, arg) {
      if (!updating) {
        for (const r of input.open(ctx, arg)) {
          if (r === PAUSE) yield r;
          else yield* apply(r, ctx);
        }
        return;
      }
      const rows: Row[] = [];
      yield* eager(input.open(ctx, arg), ctx, rows);
      for (const r of rows) yield* apply(r, ctx);
      ctx.release(rows.length);
    },
  );
}

export function createIndexOperator(
  label: string,
  property: string,
  name: string | null,
  ifNotExists: boolean,
): Operator {
  return new BasicOperator('CreateIndex', `${label}(${property})`, [], function* (ctx) {
    const w = ctx.writable;
    if (ifNotExists && (w.findIndex(label, property) || (name && w.indexes().some((i) => i.name === name)))) {
      return;
    }
    if (name === null) w.createIndex(label, property);
    else w.createIndex(label, property, name);
    ctx.stats.indexesAdded++;
    yield* [];
  });
}

export function dropIndexOperator(name: string, ifExists: boolean): Operator {
  return new BasicOperator('DropIndex', name, [], function* (ctx) {
    if (ctx.writable.dropIndex(name)) ctx.stats.indexesRemoved++;
    else if (!ifExists) throw new NexusError('NOT_FOUND', `There is no index named ${name}`);
    yield* [];
  });
}
