/**
 * Pattern matching: turns a MATCH pattern (plus its WHERE) into a backtracking matcher.
 * For each connected part the start node is chosen per execution from the data (an
 * already-bound variable, an id seek, a property-index seek or range, the smallest
 * label scan, else a full scan); the rest of the part is reached by adjacency
 * expansion. WHERE conjuncts run as soon as their variables are bound. Relationship
 * uniqueness holds across the whole pattern.
 */
import type * as Ast from '../../cypher/ast.js';
import { CypherError } from '../../cypher/errors.js';
import { NexusError } from '../../errors.js';
import type {
  AdjacencyEntry,
  Direction,
  GraphReader,
  PropertyScalar,
  RangeBound,
} from '../../storage/types.js';
import { equals } from '../functions/index.js';
import {
  PAUSE,
  PAUSE_EVERY,
  STUB_PROPS,
  type Pause,
  type QueryContext,
  type Row,
  type RowStream,
} from '../runtime/query-context.js';
import { Node, Path, Relationship, type Value } from '../values.js';
import { compileExpression, referencedVariables, type Expr, type ExprEnv } from './compile-expression.js';

type PropCheck = (props: ReadonlyMap<string, Value>, row: Row, ctx: QueryContext) => boolean;

interface NodeSpec {
  readonly name: string;
  readonly labels: readonly string[];
  readonly props: PropCheck | null;
  /** Inline `{k: expr}` entries usable for an index seek. */
  readonly inline: readonly { key: string; expr: Expr; vars: Set<string> }[];
}

interface RelSpec {
  readonly name: string;
  readonly types: readonly string[];
  readonly direction: Ast.RelationshipDirection;
  readonly props: PropCheck | null;
  readonly min: number;
  readonly max: number;
  readonly varLength: boolean;
}

interface PartSpec {
  readonly nodes: readonly NodeSpec[];
  readonly rels: readonly RelSpec[];
  readonly pathVar: string | null;
  /** shortestPath / allShortestPaths: the single relationship is searched breadth-first. */
  readonly shortest: 'one' | 'all' | null;
  /** Variables bound before this part starts (input scope and earlier parts). */
  readonly boundBefore: ReadonlySet<string>;
}

type StartKind =
  | { kind: 'bound' }
  | { kind: 'id'; expr: Expr; list: boolean }
  | { kind: 'index'; label: string; key: string; expr: Expr; list?: boolean }
  | {
      kind: 'range';
      label: string;
      key: string;
      lower?: { expr: Expr; inclusive: boolean };
      upper?: { expr: Expr; inclusive: boolean };
    }
  | { kind: 'prefix'; label: string; key: string; expr: Expr }
  | { kind: 'label'; label: string }
  | { kind: 'all' }
  /** An endpoint of a relationship known up front: bound earlier, or `WHERE id(r) = x`. */
  | { kind: 'relEnd'; rel: string | Expr; end: 'start' | 'end' | 'both' };

interface Candidate {
  readonly node: number;
  readonly start: StartKind;
}

interface Conjunct {
  readonly expr: Expr;
  readonly vars: ReadonlySet<string>;
}

/** One executable configuration: the steps of every part, with filters attached. */
type Step =
  | { kind: 'start'; node: NodeSpec; start: StartKind; bound: boolean; filters: Expr[] }
  | {
      kind: 'expand';
      from: NodeSpec;
      rel: RelSpec;
      to: NodeSpec;
      dir: Direction;
      reversed: boolean;
      relBound: boolean;
      toBound: boolean;
      shortest: 'one' | 'all' | null;
      filters: Expr[];
      /** shortestPath with WHERE predicates on its relationships or path (see shortestWhere). */
      pathPredicates: boolean;
    }
  | { kind: 'path'; part: PartSpec; filters: Expr[] };

interface Program {
  readonly steps: readonly Step[];
  readonly pre: readonly Expr[];
  /** Plan lines, innermost first; `step` keys PROFILE's row count of that step. */
  readonly description: PatternStepDescription[];
}

let anonCounter = 0;
/** Internal names for anonymous pattern elements; they never collide with user variables. */
export function anonName(): string {
  return `  anon_${anonCounter++}`;
}

export function isInternalName(name: string): boolean {
  return name.startsWith('  ');
}

function compileProps(
  props: Ast.MapLiteral | Ast.Parameter | null,
  env: ExprEnv,
): { check: PropCheck | null; inline: NodeSpec['inline'] } {
  if (!props) return { check: null, inline: [] };
  if (props.kind === 'MapLiteral') {
    if (props.entries.length === 0) return { check: null, inline: [] };
    const entries = props.entries.map((e) => ({
      key: e.key,
      expr: compileExpression(e.value, env),
      vars: referencedVariables(e.value),
    }));
    const check: PropCheck = (p, row, ctx) => {
      for (const e of entries) {
        const have = p.get(e.key);
        if (have === undefined) return false;
        if (equals(have, e.expr(row, ctx)) !== true) return false;
      }
      return true;
    };
    return { check, inline: entries };
  }
  const param = compileExpression(props, env);
  const check: PropCheck = (p, row, ctx) => {
    const m = param(row, ctx);
    if (m === null) return false;
    if (!(m instanceof Map)) {
      throw new CypherError('TypeError', 'InvalidArgumentType', 'Pattern properties must be a map');
    }
    for (const [k, v] of m as ReadonlyMap<string, Value>) {
      const have = p.get(k);
      if (have === undefined || equals(have, v) !== true) return false;
    }
    return true;
  };
  return { check, inline: [] };
}

/** Splits a predicate into its top-level AND conjuncts. */
export function conjuncts(e: Ast.Expression | null): Ast.Expression[] {
  if (!e) return [];
  if (e.kind === 'Binary' && e.operator === 'and') return [...conjuncts(e.left), ...conjuncts(e.right)];
  return [e];
}

function isIdCall(e: Ast.Expression, name: string): boolean {
  return (
    e.kind === 'FunctionCall' &&
    e.name.toLowerCase() === 'id' &&
    e.args.length === 1 &&
    e.args[0]!.kind === 'Variable' &&
    e.args[0]!.name === name
  );
}

function propOf(e: Ast.Expression, name: string): string | null {
  return e.kind === 'PropertyAccess' && e.object.kind === 'Variable' && e.object.name === name ? e.key : null;
}

const FLIP: Record<string, string> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=' };

/** Start candidates for one node of a part, from its labels, inline properties and WHERE. */
function startCandidates(
  node: NodeSpec,
  index: number,
  bound: ReadonlySet<string>,
  where: readonly Ast.Expression[],
  env: ExprEnv,
): Candidate[] {
  if (bound.has(node.name)) return [{ node: index, start: { kind: 'bound' } }];
  const out: Candidate[] = [];
  // Labels from the pattern and from `WHERE n:L` both narrow the start.
  const labels = [...node.labels];
  for (const c of where) {
    if (c.kind === 'HasLabels' && c.operand.kind === 'Variable' && c.operand.name === node.name) {
      for (const l of c.labels) if (!labels.includes(l)) labels.push(l);
    }
  }
  const usable = (e: Ast.Expression) => [...referencedVariables(e)].every((v) => bound.has(v));
  const ranges = new Map<string, Extract<StartKind, { kind: 'range' }>>();
  for (const c of where) {
    if (c.kind !== 'Binary') continue;
    const { left, right, operator } = c;
    if (operator === '=' || operator === 'in') {
      if (isIdCall(left, node.name) && usable(right)) {
        out.push({
          node: index,
          start: { kind: 'id', expr: compileExpression(right, env), list: operator === 'in' },
        });
      } else if (operator === '=' && isIdCall(right, node.name) && usable(left)) {
        out.push({ node: index, start: { kind: 'id', expr: compileExpression(left, env), list: false } });
      }
    }
    for (const label of labels) {
      if (operator === '=') {
        const k1 = propOf(left, node.name);
        const k2 = propOf(right, node.name);
        if (k1 !== null && usable(right)) {
          out.push({
            node: index,
            start: { kind: 'index', label, key: k1, expr: compileExpression(right, env) },
          });
        } else if (k2 !== null && usable(left)) {
          out.push({
            node: index,
            start: { kind: 'index', label, key: k2, expr: compileExpression(left, env) },
          });
        }
      } else if (operator === 'in') {
        const k = propOf(left, node.name);
        if (k !== null && usable(right)) {
          out.push({
            node: index,
            start: { kind: 'index', label, key: k, expr: compileExpression(right, env), list: true },
          });
        }
      } else if (operator === 'startsWith') {
        const k = propOf(left, node.name);
        if (k !== null && usable(right)) {
          out.push({
            node: index,
            start: { kind: 'prefix', label, key: k, expr: compileExpression(right, env) },
          });
        }
      } else if (operator in FLIP) {
        let key = propOf(left, node.name);
        let op: string = operator;
        let other = right;
        if (key === null) {
          key = propOf(right, node.name);
          op = FLIP[operator]!;
          other = left;
        }
        if (key === null || !usable(other)) continue;
        const rk = `${label}\u0000${key}`;
        let r = ranges.get(rk);
        if (!r) {
          r = { kind: 'range', label, key };
          ranges.set(rk, r);
        }
        const b = { expr: compileExpression(other, env), inclusive: op.endsWith('=') };
        if (op.startsWith('>')) r.lower = b;
        else r.upper = b;
      }
    }
  }
  for (const label of labels) {
    for (const e of node.inline) {
      if ([...e.vars].every((v) => bound.has(v))) {
        out.push({ node: index, start: { kind: 'index', label, key: e.key, expr: e.expr } });
      }
    }
  }
  for (const r of ranges.values()) out.push({ node: index, start: r });
  for (const label of labels) out.push({ node: index, start: { kind: 'label', label } });
  if (labels.length === 0) out.push({ node: index, start: { kind: 'all' } });
  return out;
}

/** Preference tiers; only label scans need the data (node counts) to break ties. */
function tier(c: Candidate, tx: GraphReader): number {
  const s = c.start;
  switch (s.kind) {
    case 'bound':
      return 0;
    case 'id':
    case 'relEnd':
      return 1;
    case 'index':
      return tx.findIndex(s.label, s.key) ? 2 : Infinity;
    case 'range':
    case 'prefix':
      return tx.findIndex(s.label, s.key) ? 3 : Infinity;
    case 'label':
      return 4;
    case 'all':
      return 5;
  }
}

function chooseStart(cs: readonly Candidate[], tx: GraphReader): Candidate {
  let best = cs[0]!;
  let bestTier = Infinity;
  for (const c of cs) {
    const t = tier(c, tx);
    if (t < bestTier) {
      best = c;
      bestTier = t;
      if (t <= 1) return c;
    }
  }
  if (bestTier !== 4) return best;
  // Several label scans: the label with the fewest nodes wins.
  let bestCount = Infinity;
  for (const c of cs) {
    if (c.start.kind !== 'label') continue;
    const n = tx.countNodesByLabel(c.start.label);
    if (n < bestCount) {
      bestCount = n;
      best = c;
    }
  }
  return best;
}

function startName(s: StartKind): string {
  switch (s.kind) {
    case 'bound':
      return 'Argument';
    case 'id':
      return 'NodeByIdSeek';
    case 'relEnd':
      return 'RelationshipEndpoint';
    case 'index':
      return 'NodeIndexSeek';
    case 'range':
      return 'NodeIndexSeekByRange';
    case 'prefix':
      return 'NodeIndexSeekByPrefix';
    case 'label':
      return 'NodeByLabelScan';
    case 'all':
      return 'AllNodesScan';
  }
}

function startDetails(node: NodeSpec, s: StartKind): string {
  const v = node.name.startsWith('  ') ? 'anon' : node.name;
  switch (s.kind) {
    case 'index':
    case 'range':
    case 'prefix':
      return `${v}:${s.label}(${s.key})`;
    case 'label':
      return `${v}:${s.label}`;
    default:
      return v;
  }
}

function toScalar(v: Value): PropertyScalar | undefined {
  return typeof v === 'boolean' || typeof v === 'bigint' || typeof v === 'number' || typeof v === 'string'
    ? v
    : undefined;
}

function toIdNumber(v: Value): number | undefined {
  if (typeof v === 'bigint') return v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
  return undefined;
}

export interface CompiledPattern {
  /** Variables this pattern binds that were not bound before (for OPTIONAL MATCH nulls). */
  readonly newVars: readonly string[];
  run(ctx: QueryContext, row: Row): RowStream;
  describe(tx: GraphReader | undefined): readonly PatternStepDescription[];
}

export interface PatternStepDescription {
  readonly operator: string;
  readonly details: string;
  /** The step whose PROFILE row count this line shows (absent: the whole pattern's). */
  readonly step?: object;
}

/**
 * Compiles `pattern` (with `where`) for rows in which `bound` variables are set.
 * `extraPathVar` names a path variable for a single-element pattern expression.
 */
export function compilePattern(
  pattern: Ast.Pattern | Ast.PatternElement,
  where: Ast.Expression | null,
  bound: ReadonlySet<string>,
  envBase: Omit<ExprEnv, 'bound'>,
  extraPathVar: string | null = null,
): CompiledPattern {
  const partsAst: { element: Ast.PatternElement; pathVar: string | null; shortest: string | null }[] =
    pattern.kind === 'Pattern'
      ? pattern.parts.map((p) => ({
          element: p.element,
          pathVar: p.variable?.name ?? null,
          shortest: p.shortestPath,
        }))
      : [{ element: pattern, pathVar: extraPathVar, shortest: null }];
  if (partsAst.some((p) => p.shortest && p.element.relationships.length !== 1)) {
    throw new NexusError('CYPHER_UNSUPPORTED', 'shortestPath needs a pattern with exactly one relationship');
  }
  const all = new Set(bound);
  const newVars: string[] = [];
  const addVar = (name: string) => {
    if (!all.has(name)) {
      all.add(name);
      newVars.push(name);
    }
  };
  const parts: PartSpec[] = [];
  for (const p of partsAst) {
    const boundBefore = new Set(all);
    const env: ExprEnv = { ...envBase, bound: boundBefore };
    const nodes = p.element.nodes.map((n): NodeSpec => {
      const name = n.variable?.name ?? anonName();
      const { check, inline } = compileProps(n.properties, env);
      return { name, labels: n.labels, props: check, inline };
    });
    const rels = p.element.relationships.map((r): RelSpec => {
      const name = r.variable?.name ?? anonName();
      const { check } = compileProps(r.properties, env);
      const len = r.length;
      return {
        name,
        types: r.types,
        direction: r.direction,
        props: check,
        varLength: len !== null,
        min: len ? (len.min ?? 1) : 1,
        max: len ? (len.max ?? Infinity) : 1,
      };
    });
    for (let i = 0; i < nodes.length; i++) {
      addVar(nodes[i]!.name);
      if (i < rels.length) addVar(rels[i]!.name);
    }
    if (p.pathVar) addVar(p.pathVar);
    const shortest = p.shortest === 'shortestPath' ? 'one' : p.shortest === 'allShortestPaths' ? 'all' : null;
    parts.push({ nodes, rels, pathVar: p.pathVar, shortest, boundBefore });
  }
  const fullEnv: ExprEnv = { ...envBase, bound: all };
  const whereParts = conjuncts(where);
  const conj: Conjunct[] = whereParts.map((c) => ({
    expr: compileExpression(c, fullEnv, true),
    vars: new Set([...referencedVariables(c)].filter((v) => all.has(v) && !bound.has(v))),
  }));
  const candidates = parts.map((part) => {
    const env: ExprEnv = { ...envBase, bound: part.boundBefore };
    const cs = part.nodes.flatMap((n, i) => startCandidates(n, i, part.boundBefore, whereParts, env));
    part.rels.forEach((r, j) => {
      if (r.varLength || part.shortest || part.boundBefore.has(part.nodes[j]!.name)) return;
      let source: string | Expr | undefined;
      if (part.boundBefore.has(r.name)) source = r.name;
      else {
        for (const c of whereParts) {
          if (c.kind !== 'Binary' || c.operator !== '=') continue;
          const other = isIdCall(c.left, r.name) ? c.right : isIdCall(c.right, r.name) ? c.left : null;
          if (other && [...referencedVariables(other)].every((v) => part.boundBefore.has(v))) {
            source = compileExpression(other, env);
            break;
          }
        }
      }
      if (source === undefined) return;
      const end = r.direction === 'right' ? 'start' : r.direction === 'left' ? 'end' : 'both';
      cs.push({ node: j, start: { kind: 'relEnd', rel: source, end } });
    });
    return cs;
  });

  const programs = new Map<string, Program>();
  function program(choice: readonly Candidate[]): Program {
    const cacheKey = choice.map((c, pi) => candidates[pi]!.indexOf(c)).join(',');
    const cached = programs.get(cacheKey);
    if (cached) return cached;
    const steps: Step[] = [];
    const have = new Set(bound);
    const description: PatternStepDescription[] = [];
    parts.forEach((part, pi) => {
      const c = choice[pi]!;
      const s = c.node;
      const startNode = part.nodes[s]!;
      steps.push({
        kind: 'start',
        node: startNode,
        start: c.start,
        bound: have.has(startNode.name),
        filters: [],
      });
      description.push({
        operator: startName(c.start),
        details: startDetails(startNode, c.start),
        step: steps[steps.length - 1]!,
      });
      have.add(startNode.name);
      const expand = (from: number, ri: number, to: number, reversed: boolean) => {
        const rel = part.rels[ri]!;
        const d = rel.direction === 'both' ? 'both' : (rel.direction === 'right') !== reversed ? 'out' : 'in';
        steps.push({
          kind: 'expand',
          from: part.nodes[from]!,
          rel,
          to: part.nodes[to]!,
          dir: d,
          reversed,
          relBound: have.has(rel.name),
          toBound: have.has(part.nodes[to]!.name),
          shortest: part.shortest,
          filters: [],
          pathPredicates: false,
        });
        const kind = part.shortest ? 'ShortestPath' : rel.varLength ? 'VarLengthExpand' : 'Expand';
        description.push({
          operator: kind,
          details: rel.types.join('|') || '*',
          step: steps[steps.length - 1]!,
        });
        have.add(rel.name);
        have.add(part.nodes[to]!.name);
      };
      for (let j = s; j < part.rels.length; j++) expand(j, j, j + 1, false);
      for (let j = s - 1; j >= 0; j--) expand(j + 1, j, j, true);
      if (part.pathVar) {
        steps.push({ kind: 'path', part, filters: [] });
        have.add(part.pathVar);
      }
    });
    // Attach each conjunct to the first step after which all its variables are bound.
    const pre: Expr[] = [];
    const seen = new Set<string>();
    const boundAt: Set<string>[] = steps.map((st) => {
      if (st.kind === 'start') seen.add(st.node.name);
      else if (st.kind === 'expand') {
        seen.add(st.rel.name);
        seen.add(st.to.name);
      } else if (st.part.pathVar) seen.add(st.part.pathVar);
      return new Set(seen);
    });
    for (const c of conj) {
      if (c.vars.size === 0) {
        pre.push(c.expr);
        continue;
      }
      const at = boundAt.findIndex((b) => [...c.vars].every((v) => b.has(v)));
      const index = at === -1 ? steps.length - 1 : at;
      const st = steps[index]!;
      st.filters.push(c.expr);
      // Predicates on a shortest path's relationships or path variable steer the search.
      const search = st.kind === 'path' ? steps[index - 1] : st;
      if (
        search?.kind === 'expand' &&
        search.shortest &&
        (c.vars.has(search.rel.name) || (st.kind === 'path' && st.part.pathVar !== null))
      ) {
        search.pathPredicates = true;
      }
    }
    if (conj.length > 0) description.push({ operator: 'Filter', details: '' });
    const prog = { steps, pre, description };
    programs.set(cacheKey, prog);
    return prog;
  }

  function choose(tx: GraphReader): Candidate[] {
    return candidates.map((cs) => chooseStart(cs, tx));
  }

  function programFor(ctx: QueryContext): Program {
    let p = ctx.memo.get(program) as Program | undefined;
    if (!p) {
      p = program(choose(ctx.tx));
      ctx.memo.set(program, p);
    }
    return p;
  }

  return {
    newVars,
    run(ctx, input) {
      return runProgram(programFor(ctx), ctx, input);
    },
    describe(tx) {
      if (!tx) return candidates.map((cs) => ({ operator: startName(cs[0]!.start), details: '' }));
      return program(choose(tx)).description;
    },
  };
}

function* runProgram(prog: Program, ctx: QueryContext, input: Row): Generator<Row | Pause> {
  for (const f of prog.pre) if (f(input, ctx) !== true) return;
  const row: Row = { ...input };
  const used = new Set<number>();
  const steps = prog.steps;
  const tx = ctx.tx;
  const n = steps.length;

  const passes = (filters: readonly Expr[]) => {
    for (const f of filters) if (f(row, ctx) !== true) return false;
    return true;
  };

  const nodeOk = (spec: NodeSpec, node: Node): boolean => {
    if (spec.labels.length > 0) {
      const have = ctx.nodeLabels(node);
      for (const l of spec.labels) if (!have.includes(l)) return false;
    }
    return spec.props === null || spec.props(ctx.nodeProperties(node), row, ctx);
  };

  /**
   * The relationship an adjacency entry of `nodeId` stands for, or null when it fails the
   * pattern's property map: read in full only when that map must be checked, else a stub.
   */
  const relOf = (adj: AdjacencyEntry, nodeId: number, props: PropCheck | null): Relationship | null => {
    if (props) {
      const rec = tx.getRelationship(adj.rel);
      if (!rec || !props(rec.properties, row, ctx)) return null;
      return new Relationship(rec.id, rec.type, rec.start, rec.end, rec.properties);
    }
    return adj.direction === 'out'
      ? new Relationship(adj.rel, adj.type, nodeId, adj.other, STUB_PROPS)
      : new Relationship(adj.rel, adj.type, adj.other, nodeId, STUB_PROPS);
  };

  /** A node object for a reached id: full when it must be checked, else a stub. */
  const reach = (spec: NodeSpec, id: number): Node | undefined => {
    if (spec.labels.length === 0 && spec.props === null) return ctx.stubNode(id);
    const rec = tx.getNode(id);
    return rec ? new Node(rec.id, rec.labels, rec.properties) : undefined;
  };

  function* startIds(step: Extract<Step, { kind: 'start' }>): Iterable<number> {
    const s = step.start;
    switch (s.kind) {
      case 'bound':
        return;
      case 'id': {
        const v = s.expr(row, ctx);
        const list = s.list ? (Array.isArray(v) ? (v as readonly Value[]) : []) : [v];
        const seen = new Set<number>();
        for (const x of list) {
          const id = toIdNumber(x);
          if (id !== undefined && !seen.has(id)) {
            seen.add(id);
            yield id;
          }
        }
        return;
      }
      case 'index': {
        if (s.list) {
          // `n.p IN list`: one seek per distinct scalar element.
          const l = s.expr(row, ctx);
          if (!Array.isArray(l)) {
            if (l !== null) yield* tx.scanNodesByLabel(s.label);
            return;
          }
          const seen = new Set<number>();
          for (const x of l as readonly Value[]) {
            const v = toScalar(x);
            if (v === undefined) {
              if (x === null) continue;
              yield* tx.scanNodesByLabel(s.label);
              return;
            }
            for (const id of tx.indexSeek(s.label, s.key, v)) {
              if (!seen.has(id)) {
                seen.add(id);
                yield id;
              }
            }
          }
          return;
        }
        const v = toScalar(s.expr(row, ctx));
        if (v === undefined) {
          // null never matches; a list/map value cannot use the index.
          if (s.expr(row, ctx) === null) return;
          yield* tx.scanNodesByLabel(s.label);
          return;
        }
        yield* tx.indexSeek(s.label, s.key, v);
        return;
      }
      case 'range': {
        const bound = (b: { expr: Expr; inclusive: boolean } | undefined): RangeBound | null | undefined => {
          if (!b) return undefined;
          const v = toScalar(b.expr(row, ctx));
          return v === undefined || (typeof v === 'number' && Number.isNaN(v))
            ? null
            : { value: v, inclusive: b.inclusive };
        };
        const lo = bound(s.lower);
        const hi = bound(s.upper);
        if (lo === null || hi === null) {
          yield* tx.scanNodesByLabel(s.label);
          return;
        }
        yield* tx.indexRange(s.label, s.key, lo, hi);
        return;
      }
      case 'prefix': {
        // Strings starting with p lie in [p, p with its last code point incremented).
        const p = s.expr(row, ctx);
        if (p === null) return;
        if (typeof p !== 'string') {
          yield* tx.scanNodesByLabel(s.label);
          return;
        }
        const cps = [...p];
        const last = cps.length > 0 ? cps[cps.length - 1]!.codePointAt(0)! : -1;
        let upper: RangeBound | undefined;
        if (last >= 0 && last < 0x10ffff) {
          const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
          upper = { value: cps.slice(0, -1).join('') + String.fromCodePoint(next), inclusive: false };
        }
        yield* tx.indexRange(s.label, s.key, { value: p, inclusive: true }, upper);
        return;
      }
      case 'label':
        yield* tx.scanNodesByLabel(s.label);
        return;
      case 'all':
        yield* tx.scanNodes();
        return;
      case 'relEnd': {
        let rel: Relationship | undefined;
        if (typeof s.rel === 'string') {
          const v = row[s.rel];
          if (v instanceof Relationship) rel = v;
        } else {
          const id = toIdNumber(s.rel(row, ctx));
          const rec = id === undefined ? undefined : tx.getRelationship(id);
          if (rec) rel = new Relationship(rec.id, rec.type, rec.start, rec.end, rec.properties);
        }
        if (!rel) return;
        if (s.end !== 'end') yield rel.start;
        if (s.end !== 'start' && rel.end !== rel.start) yield rel.end;
        return;
      }
    }
  }

  const prof = ctx.profile;

  /**
   * `run(j)`, except that the final step (which copies the row) is an array instead of a
   * generator: a generator object of `run` costs ~700 bytes, one per produced row, and a
   * scan's garbage is what makes the collector stall other tenants' requests.
   */
  const next = (j: number): Iterable<Row | Pause> => (j === n && prof === undefined ? [{ ...row }] : run(j));

  function* run(i: number): Generator<Row | Pause> {
    if (prof !== undefined && i > 0) {
      const done = steps[i - 1]!;
      prof.set(done, (prof.get(done) ?? 0) + 1);
    }
    if (i === n) {
      yield { ...row };
      return;
    }
    const step = steps[i]!;
    if (step.kind === 'start') {
      const spec = step.node;
      if (step.bound) {
        const v = row[spec.name];
        if (!(v instanceof Node)) return;
        if (!nodeOk(spec, v)) return;
        if (passes(step.filters)) yield* next(i + 1);
        return;
      }
      const st = step.start;
      // A scan already guarantees existence and its label: nothing to read yet.
      const stubOk =
        spec.props === null &&
        ((st.kind === 'all' && spec.labels.length === 0) ||
          (st.kind === 'label' && spec.labels.every((l) => l === st.label)));
      for (const id of startIds(step)) {
        if ((++ctx.work & (PAUSE_EVERY - 1)) === 0) yield PAUSE;
        if (stubOk) {
          row[spec.name] = ctx.stubNode(id);
          if (passes(step.filters)) yield* next(i + 1);
          continue;
        }
        const rec = tx.getNode(id);
        if (!rec) continue;
        const node = new Node(rec.id, rec.labels, rec.properties);
        if (!nodeOk(spec, node)) continue;
        row[spec.name] = node;
        if (passes(step.filters)) yield* next(i + 1);
      }
      return;
    }
    if (step.kind === 'path') {
      row[step.part.pathVar!] = buildPath(step.part, row, ctx);
      if (passes(step.filters)) yield* next(i + 1);
      return;
    }
    const from = row[step.from.name];
    if (!(from instanceof Node)) return;
    const rel = step.rel;
    const types = rel.types.length > 0 ? rel.types : undefined;
    if (step.shortest) {
      yield* shortest(step, from, types, i);
      return;
    }
    if (!rel.varLength) {
      const boundRel = step.relBound ? row[rel.name] : undefined;
      if (step.relBound && !(boundRel instanceof Relationship)) return;
      const target = step.toBound ? row[step.to.name] : undefined;
      if (step.toBound && !(target instanceof Node)) return;
      for (const adj of tx.expand(from.id, step.dir, types)) {
        if ((++ctx.work & (PAUSE_EVERY - 1)) === 0) yield PAUSE;
        if (used.has(adj.rel)) continue;
        if (boundRel && (boundRel as Relationship).id !== adj.rel) continue;
        if (target && (target as Node).id !== adj.other) continue;
        let r: Relationship;
        if (rel.props) {
          const rec = tx.getRelationship(adj.rel);
          if (!rec) continue;
          r = new Relationship(rec.id, rec.type, rec.start, rec.end, rec.properties);
          if (!rel.props(rec.properties, row, ctx)) continue;
        } else if (boundRel) {
          r = boundRel as Relationship;
        } else {
          r =
            adj.direction === 'out'
              ? new Relationship(adj.rel, adj.type, from.id, adj.other, STUB_PROPS)
              : new Relationship(adj.rel, adj.type, adj.other, from.id, STUB_PROPS);
        }
        let to: Node | undefined;
        if (target) {
          to = target as Node;
          if (!nodeOk(step.to, to)) continue;
        } else {
          to = reach(step.to, adj.other);
          if (!to || !nodeOk(step.to, to)) continue;
          row[step.to.name] = to;
        }
        row[rel.name] = r;
        used.add(adj.rel);
        if (passes(step.filters)) yield* next(i + 1);
        used.delete(adj.rel);
      }
      return;
    }
    const es = step;
    // Variable length: depth-first, each relationship at most once per path.
    const target = es.toBound ? row[es.to.name] : undefined;
    if (es.toBound && !(target instanceof Node)) return;
    const boundList = es.relBound ? row[rel.name] : undefined;
    const trail: Relationship[] = [];
    /** Emits the row for the trail so far, ending at `node`, if it is long enough and matches. */
    function* emit(nodeId: number, node: Node): Generator<Row | Pause> {
      if (trail.length < rel.min) return;
      let to: Node | undefined = node;
      if (target) {
        if ((target as Node).id !== nodeId) to = undefined;
      }
      if (to && nodeOk(es.to, to)) {
        if (!target) row[es.to.name] = to;
        const list = es.reversed ? [...trail].reverse() : [...trail];
        if (!boundList || sameRels(boundList, list)) {
          row[rel.name] = list;
          if (passes(es.filters)) yield* next(i + 1);
        }
      }
    }
    // Depth-first with an explicit stack, not a recursive generator per level: a chain of
    // 20,000 nodes would overflow the call stack, and every row would climb back up
    // through one generator frame per level.
    const stack: { nodeId: number; adj: Iterator<AdjacencyEntry> }[] = [];
    yield* emit(from.id, from);
    if (rel.max > 0)
      stack.push({ nodeId: from.id, adj: tx.expand(from.id, es.dir, types)[Symbol.iterator]() });
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const step = top.adj.next();
      if (step.done === true) {
        stack.pop();
        // Leaving a node: give back the relationship that led to it.
        if (stack.length > 0) {
          ctx.release(1);
          used.delete(trail.pop()!.id);
        }
        continue;
      }
      if ((++ctx.work & (PAUSE_EVERY - 1)) === 0) yield PAUSE;
      const adj = step.value;
      if (used.has(adj.rel)) continue;
      const nodeId = top.nodeId;
      const r = relOf(adj, nodeId, rel.props);
      if (r === null) continue;
      const next = reach(es.to, adj.other) ?? ctx.stubNode(adj.other);
      used.add(adj.rel);
      trail.push(r);
      ctx.hold(1);
      yield* emit(adj.other, next);
      if (trail.length < rel.max) {
        stack.push({ nodeId: adj.other, adj: tx.expand(adj.other, es.dir, types)[Symbol.iterator]() });
      } else {
        ctx.release(1);
        trail.pop();
        used.delete(adj.rel);
      }
    }
  }

  /** Breadth-first search from `from`; emits the shortest path(s) to each acceptable end. */
  function* shortest(
    step: Extract<Step, { kind: 'expand' }>,
    from: Node,
    types: readonly string[] | undefined,
    i: number,
  ): Generator<Row | Pause> {
    const rel = step.rel;
    const target = step.toBound ? row[step.to.name] : undefined;
    if (step.toBound && !(target instanceof Node)) return;
    const targetId = target ? (target as Node).id : undefined;
    if (step.pathPredicates) {
      yield* shortestWhere(step, from, types, i);
      return;
    }
    // A lower bound of 0 admits the zero-length path from the start node to itself.
    if (rel.min === 0 && (targetId === undefined || targetId === from.id) && nodeOk(step.to, from)) {
      if (!target) row[step.to.name] = from;
      row[rel.name] = [];
      yield* next(i + 1);
      if (targetId !== undefined) return;
    }
    const depthOf = new Map<number, number>([[from.id, 0]]);
    const parents = new Map<number, { rel: Relationship; prev: number }[]>();
    let frontier = [from.id];
    for (let depth = 1; depth <= rel.max && frontier.length > 0; depth++) {
      const next: number[] = [];
      for (const id of frontier) {
        for (const adj of tx.expand(id, step.dir, types)) {
          if ((++ctx.work & (PAUSE_EVERY - 1)) === 0) yield PAUSE;
          const r = relOf(adj, id, rel.props);
          if (r === null) continue;
          const seen = depthOf.get(adj.other);
          if (seen === undefined) {
            depthOf.set(adj.other, depth);
            parents.set(adj.other, [{ rel: r, prev: id }]);
            next.push(adj.other);
            ctx.hold(1);
          } else if (seen === depth && step.shortest === 'all') {
            parents.get(adj.other)!.push({ rel: r, prev: id });
          }
        }
      }
      if (targetId !== undefined && depthOf.has(targetId)) break;
      frontier = next;
    }
    ctx.release(parents.size);
    const ends = targetId !== undefined ? [targetId] : [...parents.keys()];
    for (const end of ends) {
      const d = depthOf.get(end);
      if (d === undefined || d < rel.min || end === from.id) continue;
      const endNode = target ? (target as Node) : reach(step.to, end);
      if (!endNode || !nodeOk(step.to, endNode)) continue;
      if (!target) row[step.to.name] = endNode;
      // Walk parent links back to `from`: one path, or every shortest one.
      const paths: Relationship[][] = [];
      const walk = (node: number, acc: Relationship[]) => {
        if (node === from.id) {
          paths.push([...acc].reverse());
          return;
        }
        for (const p of parents.get(node) ?? []) {
          acc.push(p.rel);
          walk(p.prev, acc);
          acc.pop();
          if (step.shortest === 'one' && paths.length > 0) return;
        }
      };
      walk(end, []);
      for (const path of paths) {
        row[rel.name] = rel.varLength ? (step.reversed ? path.reverse() : path) : path[0]!;
        if (passes(step.filters)) yield* next(i + 1);
      }
    }
  }

  /**
   * shortestPath with WHERE predicates on it: Neo4j returns the shortest path that
   * satisfies them, not the shortest path filtered afterwards. Trails (each relationship
   * once) are tried level by level; an end node is settled by the first accepted trail
   * ('one') or by every accepted trail of that length ('all').
   */
  function* shortestWhere(
    step: Extract<Step, { kind: 'expand' }>,
    from: Node,
    types: readonly string[] | undefined,
    i: number,
  ): Generator<Row | Pause> {
    const rel = step.rel;
    const target = step.toBound ? (row[step.to.name] as Node) : undefined;
    const settled = new Map<number, number>();
    interface Trail {
      readonly node: number;
      readonly rels: readonly Relationship[];
    }
    let level: Trail[] = [{ node: from.id, rels: [] }];
    let held = 0;
    try {
      for (let depth = 0; level.length > 0; depth++) {
        if (depth >= rel.min) {
          for (const t of level) {
            const d = settled.get(t.node);
            if (d !== undefined && (step.shortest === 'one' || d < depth)) continue;
            if (target && t.node !== target.id) continue;
            const end = target ?? (t.node === from.id ? from : reach(step.to, t.node));
            if (!end || !nodeOk(step.to, end)) continue;
            if (!target) row[step.to.name] = end;
            const list = step.reversed ? [...t.rels].reverse() : [...t.rels];
            row[rel.name] = rel.varLength ? list : (list[0] ?? null);
            if (!passes(step.filters)) continue;
            let accepted = false;
            for (const out of next(i + 1)) {
              if (out !== PAUSE) accepted = true;
              yield out;
            }
            if (accepted) settled.set(t.node, depth);
          }
        }
        if ((target && settled.has(target.id)) || depth >= rel.max) return;
        const deeper: Trail[] = [];
        for (const t of level) {
          for (const adj of tx.expand(t.node, step.dir, types)) {
            if ((++ctx.work & (PAUSE_EVERY - 1)) === 0) yield PAUSE;
            if (used.has(adj.rel) || t.rels.some((r) => r.id === adj.rel)) continue;
            const r = relOf(adj, t.node, rel.props);
            if (r === null) continue;
            deeper.push({ node: adj.other, rels: [...t.rels, r] });
          }
        }
        ctx.hold(deeper.length);
        held += deeper.length;
        level = deeper;
      }
    } finally {
      ctx.release(held);
    }
  }

  yield* run(0);
}

function sameRels(a: Value, b: readonly Relationship[]): boolean {
  if (!Array.isArray(a) || a.length !== b.length) return false;
  return (a as readonly Value[]).every((x, i) => x instanceof Relationship && x.id === b[i]!.id);
}

function buildPath(part: PartSpec, row: Row, ctx: QueryContext): Value {
  const first = row[part.nodes[0]!.name];
  if (!(first instanceof Node)) return null;
  const nodes: Node[] = [first];
  const rels: Relationship[] = [];
  let cur = first;
  for (let j = 0; j < part.rels.length; j++) {
    const spec = part.rels[j]!;
    const v = row[spec.name];
    const list = spec.varLength ? ((v as readonly Value[] | null) ?? []) : [v];
    for (const r of list) {
      if (!(r instanceof Relationship)) return null;
      const otherId = r.start === cur.id ? r.end : r.start;
      rels.push(r);
      const isLast = r === list[list.length - 1];
      const endNode = row[part.nodes[j + 1]!.name];
      cur = isLast && endNode instanceof Node && endNode.id === otherId ? endNode : ctx.stubNode(otherId);
      nodes.push(cur);
    }
  }
  return new Path(nodes, rels);
}
