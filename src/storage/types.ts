/**
 * The storage contract. A `GraphReader` / `GraphWriter` is always bound to one
 * namespace: no method takes a namespace argument, so code that holds a handle cannot
 * reach another namespace's keys. Handles are only obtained from a `NamespaceHandle`,
 * which the server creates from the caller's authenticated context.
 */

import type {
  ConstraintDefinition,
  ConstraintSpec,
  FulltextIndexDefinition,
  FulltextIndexSpec,
  SchemaDefinition,
  VectorHit,
  VectorIndexDefinition,
  VectorIndexSpec,
} from './schema-definitions.js';
import type { FulltextHit } from './fulltext-index.js';

/** Numeric id of a node or relationship, allocated per namespace (starts at 0). */
export type NodeId = number;
export type RelId = number;

/** The temporal types storage can keep (see `TemporalScalar`). */
export type TemporalKind = 'Date' | 'LocalTime' | 'Time' | 'LocalDateTime' | 'DateTime' | 'Duration';

/**
 * A temporal property value. Storage does not interpret it: it keeps the kind and the
 * ISO text (`toString()`), and rebuilds the engine's object on read through the decoder
 * the engine registers (`registerTemporalDecoder` in property-codec).
 */
export interface TemporalScalar {
  readonly temporalKind: TemporalKind;
  toString(): string;
}

/** A scalar property value. Integers are `bigint` (exact 64-bit), floats are `number`. */
export type PropertyScalar = boolean | bigint | number | string | TemporalScalar;
/** Property values: scalars or lists of scalars. `null` is never stored (setting null removes). */
export type PropertyValue = PropertyScalar | readonly PropertyScalar[];
export type PropertyMap = ReadonlyMap<string, PropertyValue>;

export interface NodeRecord {
  readonly id: NodeId;
  readonly labels: readonly string[];
  readonly properties: PropertyMap;
}

export interface RelationshipRecord {
  readonly id: RelId;
  readonly type: string;
  readonly start: NodeId;
  readonly end: NodeId;
  readonly properties: PropertyMap;
}

/** 'out': the node is the relationship's start; 'in': its end; 'both': either. */
export type Direction = 'out' | 'in' | 'both';

export interface AdjacencyEntry {
  readonly rel: RelId;
  readonly type: string;
  /** The node at the other end (equal to the node itself for a self-loop). */
  readonly other: NodeId;
  /** Direction as seen from the expanded node. A self-loop is reported once, as 'out'. */
  readonly direction: 'out' | 'in';
}

export interface IndexDefinition {
  readonly name: string;
  readonly label: string;
  readonly property: string;
}

export interface RangeBound {
  readonly value: PropertyScalar;
  readonly inclusive: boolean;
}

export interface NamespaceStats {
  readonly nodes: number;
  readonly relationships: number;
  /** Exact bytes of all keys and values this namespace holds. */
  readonly bytes: number;
}

/** Read access to one namespace, over a consistent snapshot. */
export interface GraphReader {
  getNode(id: NodeId): NodeRecord | undefined;
  getRelationship(id: RelId): RelationshipRecord | undefined;
  /**
   * One property of a node without decoding the rest of the record: null when the node
   * has no such property, undefined when the node does not exist. Optional (callers fall
   * back to `getNode`).
   */
  nodeProperty?(id: NodeId, key: string): PropertyValue | null | undefined;
  /** All node ids in ascending order. */
  scanNodes(): Iterable<NodeId>;
  /** Node ids carrying `label`, ascending. Unknown label: empty. */
  scanNodesByLabel(label: string): Iterable<NodeId>;
  /** All relationship ids in ascending order. */
  scanRelationships(): Iterable<RelId>;
  /** Relationship ids of one type, ascending (a type index scan). Unknown type: empty. */
  scanRelationshipsByType?(type: string): Iterable<RelId>;
  /** Relationships touching `node`, optionally restricted to `types` (empty/undefined = all). */
  expand(node: NodeId, direction: Direction, types?: readonly string[]): Iterable<AdjacencyEntry>;
  degree(node: NodeId, direction: Direction, types?: readonly string[]): number;
  countNodesByLabel(label: string): number;
  /** Catalog names in use in this namespace (labels with at least one node, etc.). */
  labels(): string[];
  relationshipTypes(): string[];
  propertyKeys(): string[];
  indexes(): IndexDefinition[];
  /** Nodes with `label` whose `property` equals `value`, via the index; throws if no such index. */
  indexSeek(label: string, property: string, value: PropertyScalar): Iterable<NodeId>;
  /** Nodes with `label` whose `property` lies in the range (same type family as the bounds). */
  indexRange(label: string, property: string, lower?: RangeBound, upper?: RangeBound): Iterable<NodeId>;
  findIndex(label: string, property: string): IndexDefinition | undefined;
  stats(): NamespaceStats;
  /** Constraints and vector indexes (optional: stores without them list none). */
  schemaDefinitions?(): SchemaDefinition[];
  /** The `k` nearest nodes of vector index `name`, best first. Throws NOT_FOUND / INVALID_PARAMETER. */
  /**
   * Entities of full-text index `name` matching `query` (Lucene-style subset), best BM25
   * score first; `entity` must match the index's entity type.
   */
  fulltextSearch?(
    name: string,
    entity: 'node' | 'relationship',
    query: string,
    options?: { skip?: number; limit?: number },
  ): FulltextHit[];
  vectorSearch?(
    name: string,
    k: number,
    vector: readonly number[],
    options?: { exact?: boolean; probes?: number },
  ): VectorHit[];
}

/** Write access to one namespace inside one transaction. */
export interface GraphWriter extends GraphReader {
  createNode(labels: readonly string[], properties: PropertyMap): NodeId;
  /** `null` removes the property. */
  setNodeProperty(id: NodeId, key: string, value: PropertyValue | null): void;
  replaceNodeProperties(id: NodeId, properties: PropertyMap): void;
  addNodeLabels(id: NodeId, labels: readonly string[]): void;
  removeNodeLabels(id: NodeId, labels: readonly string[]): void;
  /** Throws `StorageConstraintError` when the node still has relationships. */
  deleteNode(id: NodeId): void;
  createRelationship(type: string, start: NodeId, end: NodeId, properties: PropertyMap): RelId;
  setRelationshipProperty(id: RelId, key: string, value: PropertyValue | null): void;
  replaceRelationshipProperties(id: RelId, properties: PropertyMap): void;
  deleteRelationship(id: RelId): void;
  /** Creates the index (and fills it). Name defaults to `index_<label>_<property>`. */
  createIndex(label: string, property: string, name?: string): IndexDefinition;
  /** Returns false when no index of that name exists in this namespace. */
  dropIndex(name: string): boolean;
  /** Creates a constraint, checking existing data (CONSTRAINT_VIOLATION names an offender). */
  createConstraint?(spec: ConstraintSpec): ConstraintDefinition;
  /** Returns false when no constraint of that name exists. */
  dropConstraint?(name: string): boolean;
  /** Creates a vector index over existing nodes; dropped with `dropIndex`. */
  createVectorIndex?(spec: VectorIndexSpec): VectorIndexDefinition;
  /** Creates a full-text index over existing entities; dropped with `dropIndex`. */
  createFulltextIndex?(spec: FulltextIndexSpec): FulltextIndexDefinition;
  /** Re-trains a vector index's lists; false when there is no vector index of that name. */
  rebuildVectorIndex?(name: string): boolean;
  /**
   * Creates a node under a given id (replaying an explicit transaction's log, see
   * docs/TRANSACTIONS.md). Throws `NexusError('CONFLICT')` when the id is in use. Optional:
   * stores without it cannot run explicit transactions.
   */
  createNodeWithId?(id: NodeId, labels: readonly string[], properties: PropertyMap): void;
  /** `createRelationship` under a given id; same rules as `createNodeWithId`. */
  createRelationshipWithId?(
    id: RelId,
    type: string,
    start: NodeId,
    end: NodeId,
    properties: PropertyMap,
  ): void;
}

/** A read transaction held open (for cooperative, yielding execution). Close it. */
export interface ReadTransaction extends GraphReader {
  close(): void;
}

/** The only door to one namespace's data. */
export interface NamespaceHandle {
  readonly namespace: string;
  /** Runs `fn` over a snapshot. */
  read<T>(fn: (tx: GraphReader) => T): T;
  /** Opens a snapshot that stays valid across awaits until closed. */
  beginRead(): ReadTransaction;
  /**
   * Runs `fn` in one write transaction (the single writer): all or nothing. If `fn`
   * throws, nothing is written. Resolves once the commit is durable (per `sync`).
   */
  write<T>(fn: (tx: GraphWriter) => T, options?: WriteOptions): Promise<T>;
  /**
   * Runs `fn` in a write transaction (through the same single writer and group commit as
   * `write`) and ALWAYS rolls it back: nothing `fn` does is ever committed, and other
   * writes batched with it are not affected. Resolves with `fn`'s result (or rejects with
   * its error). Node and relationship ids allocated inside stay reserved for this store
   * instance: no later write is handed them, so replaying the same creates with
   * `createNodeWithId` / `createRelationshipWithId` cannot collide. Used by explicit
   * transactions (docs/TRANSACTIONS.md). Optional in the contract.
   */
  scratch?<T>(fn: (tx: GraphWriter) => T): Promise<T>;
  stats(): NamespaceStats;
}

/** A small key/value table outside every namespace, for server state (API keys, usage outbox). */
export interface SystemTable<V> {
  get(key: string): V | undefined;
  /**
   * The stored bytes of `key` (its JSON text), or undefined. Lets a caller that keeps a
   * parsed copy skip re-parsing while the bytes are unchanged. The buffer is only valid
   * until the next storage call. Optional: callers fall back to `get`.
   */
  getRaw?(key: string): Uint8Array | undefined;
  put(key: string, value: V): Promise<void>;
  remove(key: string): Promise<boolean>;
  /** Entries whose key starts with `prefix`, in key order. */
  entries(prefix?: string): Iterable<[string, V]>;
  /**
   * Applies several puts and removes in ONE transaction: all of them are durable, or none
   * (e.g. a usage report written while the counters it was built from are cleared).
   * Optional: callers that need the atomicity check for it.
   */
  batch?(writes: readonly SystemTableWrite<V>[]): Promise<void>;
}

/** One write of `SystemTable.batch`: a put, or a remove when `value` is undefined. */
export interface SystemTableWrite<V> {
  readonly key: string;
  readonly value?: V;
}

export interface StoreOptions {
  /** Directory of the LMDB environment; created if missing. */
  path: string;
  /** Synced commits (durable on power loss / kill -9). Default true; false for bulk loads. */
  sync?: boolean;
  /**
   * Hard ceiling of the store's accounted bytes (see storage-ceiling.ts): writes that would
   * grow it further fail with STORAGE_FULL. Default: what the store holds plus half the free
   * disk space at open; `Infinity` disables the ceiling (the free-disk guard stays).
   */
  maxSizeBytes?: number;
}

export interface WriteOptions {
  /**
   * Storage quota in bytes for this namespace. If the transaction leaves the namespace
   * larger than this AND larger than it was before, it is rolled back and a
   * `NexusError('STORAGE_QUOTA_EXCEEDED')` is thrown. Deletes are therefore always allowed.
   */
  maxBytes?: number;
}
