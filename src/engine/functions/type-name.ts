/**
 * Runtime type names of Cypher values, used in error messages and by the
 * type-checking helpers of the other function modules.
 */
import { Node, Path, Relationship, isTemporal, type Value } from '../values.js';

export type CypherTypeName =
  | 'NULL'
  | 'BOOLEAN'
  | 'INTEGER'
  | 'FLOAT'
  | 'STRING'
  | 'LIST'
  | 'MAP'
  | 'NODE'
  | 'RELATIONSHIP'
  | 'PATH'
  | 'DATE'
  | 'LOCAL TIME'
  | 'ZONED TIME'
  | 'LOCAL DATETIME'
  | 'ZONED DATETIME'
  | 'DURATION';

const TEMPORAL_TYPE_NAMES = {
  Date: 'DATE',
  LocalTime: 'LOCAL TIME',
  Time: 'ZONED TIME',
  LocalDateTime: 'LOCAL DATETIME',
  DateTime: 'ZONED DATETIME',
  Duration: 'DURATION',
} as const;

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
  if (isTemporal(v)) return TEMPORAL_TYPE_NAMES[v.temporalKind];
  return 'MAP';
}

/** The one runtime description of a value's type in error messages: `a value of type DATE`. */
export function describeValue(v: Value): string {
  return `a value of type ${typeName(v)}`;
}

function elementTypeName(v: Value): string {
  return v === null ? 'NULL' : valueTypeNonNull(v);
}

function valueTypeNonNull(v: Value): string {
  const t = typeName(v);
  if (t !== 'LIST') return `${t} NOT NULL`;
  const items = v as readonly Value[];
  if (items.length === 0) return 'LIST<NOTHING> NOT NULL';
  const kinds: string[] = [];
  let hasNull = false;
  for (const item of items) {
    if (item === null) {
      hasNull = true;
      continue;
    }
    const k = elementTypeName(item);
    if (!kinds.includes(k)) kinds.push(k);
  }
  if (kinds.length === 0) return 'LIST<NULL> NOT NULL';
  // A nullable element type drops the NOT NULL of its members, as Neo4j prints it.
  const inner = hasNull ? kinds.map((k) => k.replace(/ NOT NULL$/, '')) : kinds;
  return `LIST<${inner.join(' | ')}> NOT NULL`;
}

/** valueType(): Neo4j 5's type description, e.g. `INTEGER NOT NULL`, `LIST<STRING NOT NULL> NOT NULL`. */
export function valueTypeDescription(v: Value): string {
  return v === null ? 'NULL' : valueTypeNonNull(v);
}
