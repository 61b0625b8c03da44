/**
 * Functions over graph entities and paths. Labels and properties come from `ctx.graph`
 * (the value snapshots may be stale after SET in the same query); ids, relationship
 * types and endpoints are stable and read from the values.
 */
import { nodeElementId, relationshipElementId } from '../element-id.js';
import { Node, Path, Relationship, type Value } from '../values.js';
import { badValue, spec, type FunctionSpec } from './function-spec.js';

function id(args: readonly Value[]): Value {
  const v = args[0] ?? null;
  if (v === null) return null;
  if (v instanceof Node || v instanceof Relationship) return BigInt(v.id);
  return badValue('id', v, 'a NODE or RELATIONSHIP');
}

function elementId(args: readonly Value[]): Value {
  const v = args[0] ?? null;
  if (v === null) return null;
  if (v instanceof Node) return nodeElementId(v.id);
  if (v instanceof Relationship) return relationshipElementId(v.id);
  return badValue('elementId', v, 'a NODE or RELATIONSHIP');
}

function keys(args: readonly Value[], ctx: Parameters<FunctionSpec['fn']>[1]): Value {
  const v = args[0] ?? null;
  if (v === null) return null;
  if (v instanceof Map) return [...(v as ReadonlyMap<string, Value>).keys()];
  if (v instanceof Node) return nonNullKeys(ctx.graph.nodeProperties(v));
  if (v instanceof Relationship) return nonNullKeys(ctx.graph.relationshipProperties(v));
  return badValue('keys', v, 'a NODE, RELATIONSHIP or MAP');
}

function nonNullKeys(props: ReadonlyMap<string, Value>): string[] {
  const out: string[] = [];
  for (const [k, v] of props) if (v !== null) out.push(k);
  return out;
}

function properties(args: readonly Value[], ctx: Parameters<FunctionSpec['fn']>[1]): Value {
  const v = args[0] ?? null;
  if (v === null) return null;
  if (v instanceof Map) return v;
  if (v instanceof Node) return new Map(ctx.graph.nodeProperties(v));
  if (v instanceof Relationship) return new Map(ctx.graph.relationshipProperties(v));
  return badValue('properties', v, 'a NODE, RELATIONSHIP or MAP');
}

function length(args: readonly Value[]): Value {
  const v = args[0] ?? null;
  if (v === null) return null;
  if (v instanceof Path) return BigInt(v.relationships.length);
  // Since Neo4j 4.0 length() takes only paths; strings and lists use size().
  return badValue('length', v, 'a PATH');
}

export const GRAPH_FUNCTIONS: readonly FunctionSpec[] = [
  spec('id', 1, 1, id),
  spec('elementId', 1, 1, elementId),
  spec('labels', 1, 1, (args, ctx) => {
    const v = args[0] ?? null;
    if (v === null) return null;
    if (v instanceof Node) return [...ctx.graph.nodeLabels(v)];
    return badValue('labels', v, 'a NODE');
  }),
  spec('type', 1, 1, (args) => {
    const v = args[0] ?? null;
    if (v === null) return null;
    if (v instanceof Relationship) return v.type;
    return badValue('type', v, 'a RELATIONSHIP');
  }),
  spec('keys', 1, 1, keys),
  spec('properties', 1, 1, properties),
  spec('startNode', 1, 1, (args, ctx) => {
    const v = args[0] ?? null;
    if (v === null) return null;
    if (v instanceof Relationship) return ctx.graph.startNode(v);
    return badValue('startNode', v, 'a RELATIONSHIP');
  }),
  spec('endNode', 1, 1, (args, ctx) => {
    const v = args[0] ?? null;
    if (v === null) return null;
    if (v instanceof Relationship) return ctx.graph.endNode(v);
    return badValue('endNode', v, 'a RELATIONSHIP');
  }),
  spec('length', 1, 1, length),
  spec('nodes', 1, 1, (args) => {
    const v = args[0] ?? null;
    if (v === null) return null;
    if (v instanceof Path) return v.nodes;
    return badValue('nodes', v, 'a PATH');
  }),
  spec('relationships', 1, 1, (args) => {
    const v = args[0] ?? null;
    if (v === null) return null;
    if (v instanceof Path) return v.relationships;
    return badValue('relationships', v, 'a PATH');
  }),
  spec('rels', 1, 1, (args) => {
    const v = args[0] ?? null;
    if (v === null) return null;
    if (v instanceof Path) return v.relationships;
    return badValue('rels', v, 'a PATH');
  }),
  // exists(expr) for property existence: the executor evaluates `n.prop` and passes it.
  spec('exists', 1, 1, (args) => (args[0] ?? null) !== null),
];
