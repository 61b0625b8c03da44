/**
 * Cypher values as the engine returns them. Integers are `bigint` (exact 64-bit) and
 * floats are `number`, so `1` and `1.0` stay distinct; maps are `Map`s (insertion
 * ordered, no prototype keys); graph entities are snapshots taken when the result is
 * produced.
 */
import type { NodeId, RelId, TemporalScalar } from '../storage/types.js';

/**
 * DATE, LOCAL TIME, ZONED TIME, LOCAL DATETIME, ZONED DATETIME and DURATION values. The
 * concrete immutable classes (DateValue, ..., DurationValue) live in
 * functions/temporal; this is their common shape, which is also what storage keeps, so
 * every stored property value is a Value. `toString()` is the ISO form.
 */
export type Temporal = TemporalScalar;

/** True for a temporal value (never for maps, lists or graph entities). */
export function isTemporal(v: Value): v is Temporal {
  return typeof v === 'object' && v !== null && typeof (v as Partial<Temporal>).temporalKind === 'string';
}

export type Value =
  | null
  | boolean
  | bigint
  | number
  | string
  | readonly Value[]
  | ReadonlyMap<string, Value>
  | Node
  | Relationship
  | Path
  | Temporal;

export class Node {
  constructor(
    readonly id: NodeId,
    readonly labels: readonly string[],
    readonly properties: ReadonlyMap<string, Value>,
  ) {}
}

export class Relationship {
  constructor(
    readonly id: RelId,
    readonly type: string,
    readonly start: NodeId,
    readonly end: NodeId,
    readonly properties: ReadonlyMap<string, Value>,
  ) {}
}

/** A path alternates nodes and relationships: nodes.length === relationships.length + 1. */
export class Path {
  constructor(
    readonly nodes: readonly Node[],
    readonly relationships: readonly Relationship[],
  ) {}
}

/** Counters of what a query changed (TCK side effects and Neo4j-style stats). */
export interface QueryStats {
  nodesCreated: number;
  nodesDeleted: number;
  relationshipsCreated: number;
  relationshipsDeleted: number;
  propertiesSet: number;
  labelsAdded: number;
  labelsRemoved: number;
  indexesAdded: number;
  indexesRemoved: number;
}

export function emptyStats(): QueryStats {
  return {
    nodesCreated: 0,
    nodesDeleted: 0,
    relationshipsCreated: 0,
    relationshipsDeleted: 0,
    propertiesSet: 0,
    labelsAdded: 0,
    labelsRemoved: 0,
    indexesAdded: 0,
    indexesRemoved: 0,
  };
}

export interface QueryResult {
  readonly columns: readonly string[];
  /** One array per row, in column order. */
  readonly rows: readonly (readonly Value[])[];
  readonly stats: QueryStats;
  /** EXPLAIN / PROFILE: the plan tree (PROFILE adds rows per operator). */
  readonly plan?: PlanDescription;
  /** True when the query could write (decided from the planned query, not its text). */
  readonly isWrite: boolean;
}

export interface PlanDescription {
  readonly operator: string;
  readonly details: string;
  readonly rows?: number;
  readonly children: readonly PlanDescription[];
}
