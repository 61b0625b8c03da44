/**
 * Runtime type names of Cypher values, used in error messages and by the
 * type-checking helpers of the other function modules.
 */
import { Node, Path, Relationship, type Value } from '../values.js';

export type CypherTypeName =
  'NULL' | 'BOOLEAN' | 'INTEGER' | 'FLOAT' | 'STRING' | 'LIST' | 'MAP' | 'NODE' | 'RELATIONSHIP' | 'PATH';

export function typeName(v: Value): CypherTypeName {
  switch (typeof v) {
    case 'boolean':
      return 'BOOLEAN';
    case 'bigint':
      return 'INTEGER';
    case 'number':
      return 'FLOAT';
    case 'string':
      return 'STRING';
    default:
      break;
  }
  if (v === null) return 'NULL';
  if (Array.isArray(v)) return 'LIST';
  if (v instanceof Map) return 'MAP';
  if (v instanceof Node) return 'NODE';
  if (v instanceof Relationship) return 'RELATIONSHIP';
  if (v instanceof Path) return 'PATH';
  return 'MAP';
}

export function isList(v: Value): v is readonly Value[] {
  return Array.isArray(v);
}

export function isMap(v: Value): v is ReadonlyMap<string, Value> {
  return v instanceof Map;
}

/** INTEGER or FLOAT. */
export function isNumber(v: Value): v is bigint | number {
  const t = typeof v;
  return t === 'bigint' || t === 'number';
}
