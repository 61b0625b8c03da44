/**
 * Turns runtime values into result snapshots: nodes and relationships carry their
 * labels/properties as of the end of the query (a SET after the MATCH must show).
 * Entities deleted by the query keep the state they were last read with.
 */
import type { GraphReader } from '../../storage/types.js';
import { propertiesBytes, type MemoryBudget } from './memory-budget.js';
import { STUB_PROPS } from './query-context.js';
import { Node, Path, Relationship, type Value } from '../values.js';

/**
 * `refresh`: re-read every entity (after writes); otherwise only stubs are resolved.
 * `memory`: charged with the properties of every record read here (a node with a 30 MB
 * property returned in many rows is decoded once per row).
 */
export function snapshotValue(v: Value, tx: GraphReader, refresh: boolean, memory?: MemoryBudget): Value {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Node) {
    if (!refresh && v.properties !== STUB_PROPS) return v;
    const rec = tx.getNode(v.id);
    if (rec) memory?.charge(propertiesBytes(rec.properties));
    return rec ? new Node(rec.id, rec.labels, rec.properties) : v;
  }
  if (v instanceof Relationship) {
    if (!refresh && v.properties !== STUB_PROPS) return v;
    const rec = tx.getRelationship(v.id);
    if (rec) memory?.charge(propertiesBytes(rec.properties));
    return rec ? new Relationship(rec.id, rec.type, rec.start, rec.end, rec.properties) : v;
  }
  if (v instanceof Path) {
    return new Path(
      v.nodes.map((n) => snapshotValue(n, tx, refresh, memory) as Node),
      v.relationships.map((r) => snapshotValue(r, tx, refresh, memory) as Relationship),
    );
  }
  if (Array.isArray(v)) return (v as readonly Value[]).map((x) => snapshotValue(x, tx, refresh, memory));
  if (v instanceof Map) {
    const out = new Map<string, Value>();
    for (const [k, x] of v as ReadonlyMap<string, Value>) out.set(k, snapshotValue(x, tx, refresh, memory));
    return out;
  }
  return v;
}
