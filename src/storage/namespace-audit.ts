/**
 * Full recounts of a namespace straight from its keys, independent of the counters the
 * writer maintains. Used to verify migrations and, in tests, the byte accounting.
 */
import { Tag, prefixEnd, tagKey } from './key-layout.js';
import type { DataDb } from './namespace-reader.js';
import type { NamespaceStats } from './types.js';

/** Counts node and relationship records and sums key + value bytes of counted entries. */
export function recount(data: DataDb, prefix: Buffer): NamespaceStats {
  const nodes = data.getKeysCount({ start: tagKey(prefix, Tag.Node), end: tagKey(prefix, Tag.Node + 1) });
  const relationships = data.getKeysCount({
    start: tagKey(prefix, Tag.Relationship),
    end: tagKey(prefix, Tag.Relationship + 1),
  });
  let bytes = 0;
  // Everything after the Meta tag is counted; Meta entries (counters) are not.
  for (const { key, value } of data.getRange({
    start: tagKey(prefix, Tag.Meta + 1),
    end: prefixEnd(prefix),
  })) {
    bytes += (key as Buffer).length + value.length;
  }
  return { nodes, relationships, bytes };
}

/** True if the namespace has any entry at all (counted or not). */
export function hasEntries(data: DataDb, prefix: Buffer): boolean {
  for (const _ of data.getKeys({ start: prefix, end: prefixEnd(prefix), limit: 1 })) return true;
  return false;
}
