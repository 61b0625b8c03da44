/**
 * Test double for FunctionContext: an in-memory graph keyed by id, so tests can check
 * that functions read current labels/properties through ctx.graph, not the snapshots.
 */
import type { FunctionContext, GraphAccess } from '../../../src/engine/functions/index.js';
import { Node, Relationship, type Value } from '../../../src/engine/values.js';

export interface FakeGraph {
  labels: Map<number, string[]>;
  nodeProps: Map<number, Map<string, Value>>;
  relProps: Map<number, Map<string, Value>>;
  nodes: Map<number, Node>;
}

export function fakeContext(graph?: Partial<FakeGraph>, now = 1_700_000_000_000): FunctionContext {
  const g: FakeGraph = {
    labels: graph?.labels ?? new Map(),
    nodeProps: graph?.nodeProps ?? new Map(),
    relProps: graph?.relProps ?? new Map(),
    nodes: graph?.nodes ?? new Map(),
  };
  const access: GraphAccess = {
    nodeLabels: (n) => g.labels.get(n.id) ?? n.labels,
    nodeProperties: (n) => g.nodeProps.get(n.id) ?? n.properties,
    relationshipProperties: (r) => g.relProps.get(r.id) ?? r.properties,
    startNode: (r: Relationship) => g.nodes.get(r.start) ?? new Node(r.start, [], new Map()),
    endNode: (r: Relationship) => g.nodes.get(r.end) ?? new Node(r.end, [], new Map()),
  };
  let seed = 42;
  return {
    graph: access,
    now,
    random: () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    },
  };
}

export function node(id: number, labels: string[] = [], props: Record<string, Value> = {}): Node {
  return new Node(id, labels, new Map(Object.entries(props)));
}

export function rel(
  id: number,
  type: string,
  start: number,
  end: number,
  props: Record<string, Value> = {},
): Relationship {
  return new Relationship(id, type, start, end, new Map(Object.entries(props)));
}

export function map(obj: Record<string, Value>): ReadonlyMap<string, Value> {
  return new Map(Object.entries(obj));
}

/** Runs `f` and returns the thrown error's TCK class and detail. */
export function errorOf(f: () => unknown): { errorClass: string; detail: string } | 'no error' {
  try {
    f();
  } catch (err) {
    const e = err as { errorClass?: string; detail?: string };
    return { errorClass: e.errorClass ?? 'plain', detail: e.detail ?? String(err) };
  }
  return 'no error';
}
