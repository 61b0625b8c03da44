/**
 * Element ids: the opaque string ids Neo4j 5 clients use for nodes and relationships
 * (`elementId(n)`, Bolt's element_id fields, the Query API's `elementId`). One format for
 * every door: `n:<id>` for nodes, `r:<id>` for relationships. Ids are per namespace, so an
 * element id says nothing about other tenants.
 */
import type { NodeId, RelId } from '../storage/types.js';

export function nodeElementId(id: NodeId): string {
  return `n:${id}`;
}

export function relationshipElementId(id: RelId): string {
  return `r:${id}`;
}

/** The numeric id behind an element id of the given kind, or undefined when malformed. */
export function parseElementId(elementId: string, kind: 'node' | 'relationship'): number | undefined {
  const prefix = kind === 'node' ? 'n:' : 'r:';
  if (!elementId.startsWith(prefix)) return undefined;
  const digits = elementId.slice(2);
  if (!/^(0|[1-9][0-9]{0,14})$/.test(digits)) return undefined;
  return Number(digits);
}
