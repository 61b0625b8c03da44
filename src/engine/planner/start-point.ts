/**
 * Start-point choice for a connected pattern part: the candidates a node offers (bound
 * variable, id seek, property-index seek or range, label scan, full scan) from its labels,
 * inline properties and WHERE, and the choice among them from the data at hand.
 */
import type * as Ast from '../../cypher/ast.js';
import type { GraphReader } from '../../storage/types.js';
import { type Candidate, type NodeSpec, type StartKind } from './pattern-program.js';
import { compileExpression, referencedVariables, type ExprEnv } from './compile-expression.js';

export function isIdCall(e: Ast.Expression, name: string): boolean {
  return (
    e.kind === 'FunctionCall' &&
    e.name.toLowerCase() === 'id' &&
    e.args.length === 1 &&
    e.args[0]!.kind === 'Variable' &&
    e.args[0]!.name === name
  );
}

export function propOf(e: Ast.Expression, name: string): string | null {
  return e.kind === 'PropertyAccess' && e.object.kind === 'Variable' && e.object.name === name ? e.key : null;
}

export const FLIP: Record<string, string> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=' };

/** Start candidates for one node of a part, from its labels, inline properties and WHERE. */
export function startCandidates(
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
export function tier(c: Candidate, tx: GraphReader): number {
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

export function chooseStart(cs: readonly Candidate[], tx: GraphReader): Candidate {
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

export function startName(s: StartKind): string {
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

export function startDetails(node: NodeSpec, s: StartKind): string {
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
