/**
 * The pattern matcher operator: runs a compiled pattern program against one input row by
 * backtracking over adjacency, with relationship uniqueness across the whole pattern,
 * variable-length expansion and the breadth-first shortest-path search.
 */
import type { AdjacencyEntry, RangeBound } from '../../storage/types.js';
import {
  PAUSE,
  PAUSE_EVERY,
  STUB_PROPS,
  type Pause,
  type QueryContext,
  type Row,
} from '../runtime/query-context.js';
import { Node, Path, Relationship, type Value } from '../values.js';
import { type Expr } from '../planner/compile-expression.js';
import {
  toIdNumber,
  toScalar,
  type NodeSpec,
  type PartSpec,
  type Program,
  type PropCheck,
  type Step,
} from '../planner/pattern-program.js';

export function* runProgram(prog: Program, ctx: QueryContext, input: Row): Generator<Row | Pause> {
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

export function sameRels(a: Value, b: readonly Relationship[]): boolean {
  if (!Array.isArray(a) || a.length !== b.length) return false;
  return (a as readonly Value[]).every((x, i) => x instanceof Relationship && x.id === b[i]!.id);
}

export function buildPath(part: PartSpec, row: Row, ctx: QueryContext): Value {
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
