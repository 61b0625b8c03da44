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
import type { GraphReader } from '../../storage/types.js';
import { equals } from '../functions/index.js';
import { type QueryContext, type Row, type RowStream } from '../runtime/query-context.js';
import { type Value } from '../values.js';
import { compileExpression, referencedVariables, type Expr, type ExprEnv } from './compile-expression.js';
import { runProgram } from '../executor/pattern-matcher.js';
import {
  anonName,
  conjuncts,
  type Candidate,
  type Conjunct,
  type NodeSpec,
  type PartSpec,
  type PatternStepDescription,
  type Program,
  type PropCheck,
  type RelSpec,
  type Step,
} from './pattern-program.js';
import { chooseStart, isIdCall, startCandidates, startDetails, startName } from './start-point.js';

export { anonName, conjuncts, isInternalName, type PatternStepDescription } from './pattern-program.js';

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

export interface CompiledPattern {
  /** Variables this pattern binds that were not bound before (for OPTIONAL MATCH nulls). */
  readonly newVars: readonly string[];
  run(ctx: QueryContext, row: Row): RowStream;
  describe(tx: GraphReader | undefined): readonly PatternStepDescription[];
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
  // Label/type expressions and inline WHERE of the elements join the WHERE conjuncts.
  const inline: Ast.Expression[] = [];
  const variable = (name: string, offset: number): Ast.Variable => ({ kind: 'Variable', offset, name });
  for (const p of partsAst) {
    const boundBefore = new Set(all);
    const env: ExprEnv = { ...envBase, bound: boundBefore };
    const nodes = p.element.nodes.map((n): NodeSpec => {
      const name = n.variable?.name ?? anonName();
      const { check, inline: inlineProps } = compileProps(n.properties, env);
      if (n.labelExpression) {
        const operand = variable(name, n.offset);
        inline.push({
          kind: 'HasLabels',
          offset: n.offset,
          operand,
          labels: [],
          labelExpression: n.labelExpression,
        });
      }
      if (n.where) inline.push(n.where);
      return { name, labels: n.labels, props: check, inline: inlineProps };
    });
    const rels = p.element.relationships.map((r): RelSpec => {
      const name = r.variable?.name ?? anonName();
      const { check } = compileProps(r.properties, env);
      if (r.typeExpression) {
        const has: Ast.HasLabels = {
          kind: 'HasLabels',
          offset: r.offset,
          operand: variable(' t', r.offset),
          labels: [],
          labelExpression: r.typeExpression,
        };
        // every relationship of a variable-length hop must match the type expression
        inline.push(
          r.length === null
            ? { ...has, operand: variable(name, r.offset) }
            : {
                kind: 'Quantifier',
                offset: r.offset,
                quantifier: 'all',
                variable: variable(' t', r.offset),
                list: variable(name, r.offset),
                where: has,
              },
        );
      }
      if (r.where) inline.push(r.where);
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
  const whereParts = [...conjuncts(where), ...inline.flatMap((e) => conjuncts(e))];
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
