/**
 * Schema objects other than plain property indexes: constraints (unique, not null, node
 * key, property type), vector indexes and full-text indexes. Their definitions are stored as JSON under
 * `Tag.SchemaDefinition` (see docs/ARCHITECTURE.md "Key layout"); this module holds their
 * types, their (de)serialisation and the pure value rules they apply (property types,
 * the canonical form used for uniqueness, vector extraction).
 */
import { NexusError } from '../errors.js';
import type { PropertyScalar, PropertyValue } from './types.js';

export type ConstraintType = 'UNIQUE' | 'NOT_NULL' | 'NODE_KEY' | 'PROPERTY_TYPE';
export type SchemaEntity = 'node' | 'relationship';

/** A property type of `IS :: <TYPE>`; `LIST<T>` holds the element type. */
export type PropertyTypeName =
  | 'BOOLEAN'
  | 'STRING'
  | 'INTEGER'
  | 'FLOAT'
  | 'DATE'
  | 'LOCAL TIME'
  | 'ZONED TIME'
  | 'LOCAL DATETIME'
  | 'ZONED DATETIME'
  | 'DURATION'
  | `LIST<${string}>`;

export interface ConstraintDefinition {
  readonly kind: 'constraint';
  readonly name: string;
  /** Small per-namespace id used in entry keys. */
  readonly id: number;
  readonly constraintType: ConstraintType;
  readonly entity: SchemaEntity;
  /** Label (node) or relationship type. */
  readonly labelOrType: string;
  readonly properties: readonly string[];
  /** PROPERTY_TYPE only: the allowed types (a union when several). */
  readonly propertyTypes?: readonly PropertyTypeName[];
  /** Name of the RANGE index created to back it (single-property node UNIQUE / NODE KEY). */
  readonly ownedIndex?: string;
}

export type VectorSimilarity = 'cosine' | 'euclidean';

export interface VectorIndexDefinition {
  readonly kind: 'vector';
  readonly name: string;
  readonly id: number;
  readonly label: string;
  readonly property: string;
  readonly dimensions: number;
  readonly similarity: VectorSimilarity;
}

export type FulltextAnalyzerName = 'standard' | 'english' | 'keyword';

export interface FulltextIndexDefinition {
  readonly kind: 'fulltext';
  readonly name: string;
  readonly id: number;
  readonly entity: SchemaEntity;
  /** Labels (node) or relationship types: an entity with any of them is indexed. */
  readonly labelsOrTypes: readonly string[];
  /** The indexed properties; a query's `field:` names one of them. */
  readonly properties: readonly string[];
  readonly analyzer: FulltextAnalyzerName;
}

export type SchemaDefinition = ConstraintDefinition | VectorIndexDefinition | FulltextIndexDefinition;

/** What `createConstraint` is given (the id is allocated by storage). */
export type ConstraintSpec = Omit<ConstraintDefinition, 'kind' | 'id' | 'ownedIndex'>;
export type VectorIndexSpec = Omit<VectorIndexDefinition, 'kind' | 'id'>;
export type FulltextIndexSpec = Omit<FulltextIndexDefinition, 'kind' | 'id'>;

/** A hit of a vector query: the node and its Neo4j-style score (higher is closer). */
export interface VectorHit {
  readonly node: number;
  readonly score: number;
}

export const MAX_VECTOR_DIMENSIONS = 4096;

export function encodeDefinition(def: SchemaDefinition): Buffer {
  return Buffer.from(JSON.stringify(def), 'utf8');
}

export function decodeDefinition(buf: Uint8Array): SchemaDefinition {
  return JSON.parse(
    Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8'),
  ) as SchemaDefinition;
}

// ---- property types ----------------------------------------------------------------------

function scalarTypeOf(v: PropertyScalar): PropertyTypeName {
  switch (typeof v) {
    case 'boolean':
      return 'BOOLEAN';
    case 'string':
      return 'STRING';
    case 'bigint':
      return 'INTEGER';
    case 'number':
      return 'FLOAT';
    default:
      switch (v.temporalKind) {
        case 'Date':
          return 'DATE';
        case 'LocalTime':
          return 'LOCAL TIME';
        case 'Time':
          return 'ZONED TIME';
        case 'LocalDateTime':
          return 'LOCAL DATETIME';
        case 'DateTime':
          return 'ZONED DATETIME';
        case 'Duration':
          return 'DURATION';
      }
  }
}

/** The Cypher type name of a stored value (`LIST<INTEGER NOT NULL>` style for lists). */
export function propertyTypeOf(v: PropertyValue): string {
  if (Array.isArray(v)) {
    const list = v as readonly PropertyScalar[];
    const types = new Set(list.map(scalarTypeOf));
    return `LIST<${types.size === 1 ? [...types][0]! : 'ANY'} NOT NULL>`;
  }
  return scalarTypeOf(v as PropertyScalar);
}

/** True when `v` is one of the allowed types. An empty list matches every list type. */
export function valueHasType(v: PropertyValue, allowed: readonly PropertyTypeName[]): boolean {
  if (Array.isArray(v)) {
    const list = v as readonly PropertyScalar[];
    return allowed.some((t) => {
      const m = /^LIST<(.+) NOT NULL>$/.exec(t);
      return m !== null && list.every((x) => scalarTypeOf(x) === m[1]);
    });
  }
  return allowed.includes(scalarTypeOf(v as PropertyScalar));
}

const SCALAR_TYPES: readonly string[] = [
  'BOOLEAN',
  'STRING',
  'INTEGER',
  'FLOAT',
  'DATE',
  'LOCAL TIME',
  'ZONED TIME',
  'LOCAL DATETIME',
  'ZONED DATETIME',
  'DURATION',
];

/** Normalises a type name written by a user (`INT`, `BOOL`, `LIST<INT NOT NULL>`…). */
export function normalizeTypeName(raw: string): PropertyTypeName {
  const t = raw.toUpperCase().replace(/\s+/g, ' ').trim();
  const alias: Record<string, string> = {
    BOOL: 'BOOLEAN',
    INT: 'INTEGER',
    'SIGNED INTEGER': 'INTEGER',
    'TIME WITHOUT TIME ZONE': 'LOCAL TIME',
    'TIME WITH TIME ZONE': 'ZONED TIME',
    'TIMESTAMP WITHOUT TIME ZONE': 'LOCAL DATETIME',
    'TIMESTAMP WITH TIME ZONE': 'ZONED DATETIME',
  };
  const list = /^(?:LIST|ARRAY)\s*<(.+)>$/.exec(t);
  if (list) {
    const inner = list[1]!.replace(/ NOT NULL$/, '');
    const el = alias[inner] ?? inner;
    if (!SCALAR_TYPES.includes(el)) {
      throw new NexusError(
        'CYPHER_UNSUPPORTED',
        `Unsupported list element type in a property type constraint: ${inner}`,
      );
    }
    return `LIST<${el} NOT NULL>`;
  }
  const s = alias[t] ?? t;
  if (!SCALAR_TYPES.includes(s)) {
    throw new NexusError('CYPHER_UNSUPPORTED', `Unsupported type in a property type constraint: ${raw}`);
  }
  return s as PropertyTypeName;
}

// ---- uniqueness -------------------------------------------------------------------------

function canonicalScalar(v: PropertyScalar): string {
  switch (typeof v) {
    case 'boolean':
      return v ? 'B1' : 'B0';
    case 'string':
      return `S${v}`;
    case 'bigint':
      return `N${v.toString()}`;
    case 'number':
      // 1 and 1.0 are equal in Cypher: integral floats share the integer form.
      if (Number.isInteger(v)) return `N${BigInt(v).toString()}`;
      return `F${Object.is(v, -0) ? 0 : v}`;
    default:
      return `T${v.temporalKind}:${v.toString()}`;
  }
}

/**
 * A string equal for two tuples of values exactly when Cypher's `=` holds for every
 * element (`1 = 1.0`, lists element-wise). Used (hashed) in unique-entry keys.
 */
export function canonicalTuple(values: readonly PropertyValue[]): string {
  const parts: string[] = [];
  for (const v of values) {
    if (Array.isArray(v)) {
      const list = v as readonly PropertyScalar[];
      parts.push(
        `L${list.length}[${list.map((x) => canonicalScalar(x).length + ':' + canonicalScalar(x)).join('')}]`,
      );
    } else {
      const c = canonicalScalar(v as PropertyScalar);
      parts.push(`${c.length}:${c}`);
    }
  }
  return parts.join('|');
}

// ---- vectors ----------------------------------------------------------------------------

/**
 * The float32 form of a vector property for an index of `dimensions`; throws a clear
 * INVALID_PARAMETER for anything else (a wrong length or a non-numeric list).
 */
export function toVector(value: PropertyValue, dimensions: number, where: string): Float32Array {
  if (!Array.isArray(value)) {
    throw new NexusError('INVALID_PARAMETER', `${where}: a vector must be a list of numbers`, {
      details: { dimensions },
    });
  }
  const list = value as readonly PropertyScalar[];
  if (list.length !== dimensions) {
    throw new NexusError(
      'INVALID_PARAMETER',
      `${where}: the vector has ${list.length} dimensions, the index expects ${dimensions}`,
      { details: { dimensions, got: list.length } },
    );
  }
  const out = new Float32Array(dimensions);
  for (let i = 0; i < dimensions; i++) {
    const x = list[i];
    const n = typeof x === 'bigint' ? Number(x) : typeof x === 'number' ? x : NaN;
    if (!Number.isFinite(n)) {
      throw new NexusError('INVALID_PARAMETER', `${where}: vector element ${i} is not a finite number`, {
        details: { dimensions, index: i },
      });
    }
    out[i] = n;
  }
  return out;
}

/** Neo4j's scores: cosine → (1 + cos) / 2, euclidean → 1 / (1 + d²); both in [0, 1]. */
export function similarity(kind: VectorSimilarity, a: Float32Array, b: Float32Array): number {
  if (kind === 'euclidean') {
    let d = 0;
    for (let i = 0; i < a.length; i++) {
      const x = a[i]! - b[i]!;
      d += x * x;
    }
    return 1 / (1 + d);
  }
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  if (na === 0 || nb === 0) return 0;
  return (1 + dot / Math.sqrt(na * nb)) / 2;
}
