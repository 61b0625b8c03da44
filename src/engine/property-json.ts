/**
 * Property maps from JSON for the write paths that bypass Cypher (REST CRUD, /ingest and
 * the MCP write tools): json-values' conversion plus the rule Cypher's CREATE/SET enforce —
 * a list property holds values of one type, integers and floats counting as one — so
 * those paths cannot store what Cypher refuses (and Cypher could then not copy, as in
 * `SET n.y = n.x`). JSON cannot spell a temporal, so the families are the JSON ones.
 */
import { NexusError } from '../errors.js';
import type { PropertyMap, PropertyValue } from '../storage/types.js';
import { jsonToProperties } from './json-values.js';

function familyOf(x: unknown): string {
  return typeof x === 'bigint' ? 'number' : typeof x;
}

function assertHomogeneousLists(props: ReadonlyMap<string, PropertyValue | null>, path: string): void {
  for (const [key, value] of props) {
    if (!Array.isArray(value) || value.length < 2) continue;
    const list = value as readonly unknown[];
    const first = familyOf(list[0]);
    const at = list.findIndex((x) => familyOf(x) !== first);
    if (at >= 0) {
      const where = `${path}.${key}[${at}]`;
      throw new NexusError(
        'INVALID_BODY',
        `${where}: a list property must hold values of one type (${first} and ${familyOf(list[at])})`,
        { details: { path: where } },
      );
    }
  }
}

/** `jsonToProperties` (nulls kept when `keepNulls`: PATCH removes them) with the list rule. */
export function jsonToCheckedProperties(
  v: unknown,
  path = 'properties',
  keepNulls = false,
): Map<string, PropertyValue | null> {
  const props = jsonToProperties(v, path, keepNulls);
  assertHomogeneousLists(props, path);
  return props;
}

/** `jsonToPropertyMap` with the list rule. */
export function jsonToCheckedPropertyMap(v: unknown, path = 'properties'): PropertyMap {
  return jsonToCheckedProperties(v, path, false) as Map<string, PropertyValue>;
}
