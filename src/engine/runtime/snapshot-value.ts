/**
 * Turns runtime values into result snapshots: nodes and relationships carry their
 * labels/properties as of the end of the query (a SET after the MATCH must show).
 * Entities deleted by the query keep the state they were last read with.
 */
import type { GraphReader } from '../../storage/types.js';
import { STUB_PROPS } from './query-context.js';
import { Node, Path, Relationship, type Value } from '../values.js';

/** `refresh`: re-read every entity (after writes); otherwise only stubs are resolved. */
export function snapshotValue(v: Value, tx: GraphReader, refresh: boolean): Value {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Node) {
    if (!refresh && v.properties !== STUB_PROPS) return v;
    const rec = tx.getNode(v.id);
    return rec ? new Node(rec.id, rec.labels, rec.properties) : v;
  }
  if (v instanceof Relationship) {
    if (!refresh && v.properties !== STUB_PROPS) return v;
    const rec = tx.getRelationship(v.id);
    return rec ? new Relationship(rec.id, rec.type, rec.start, rec.end, rec.properties) : v;
  }
  if (v instanceof Path) {
    return new Path(
      v.nodes.map((n) => snapshotValue(n, tx, refresh) as Node),
      v.relationships.map((r) => snapshotValue(r, tx, refresh) as Relationship),
    );
  }
  if (Array.isArray(v)) return (v as readonly Value[]).map((x) => snapshotValue(x, tx, refresh));
  if (v instanceof Map) {
    const out = new Map<string, Value>();
    for (const [k, x] of v as ReadonlyMap<string, Value>) out.set(k, snapshotValue(x, tx, refresh));
    return out;
  }
  return v;
}
