/**
 * A `GraphReader` that forwards every read to the reader its subclass supplies: the
 * shared base of readers that add one behaviour around a snapshot (opening it lazily,
 * refusing writes in a dry run).
 */
import type {
  AdjacencyEntry,
  Direction,
  GraphReader,
  IndexDefinition,
  NamespaceStats,
  NodeId,
  NodeRecord,
  PropertyScalar,
  PropertyValue,
  RangeBound,
  RelationshipRecord,
  RelId,
} from '../../storage/types.js';
import type { SchemaDefinition, VectorHit } from '../../storage/schema-definitions.js';
import type { FulltextHit } from '../../storage/fulltext-index.js';
import { NexusError } from '../../errors.js';

export abstract class DelegatingReader implements GraphReader {
  /** The reader every call goes to (evaluated per call, so it may be made on first use). */
  protected abstract get reader(): GraphReader;

  getNode(id: NodeId): NodeRecord | undefined {
    return this.reader.getNode(id);
  }
  getRelationship(id: RelId): RelationshipRecord | undefined {
    return this.reader.getRelationship(id);
  }
  nodeProperty(id: NodeId, key: string): PropertyValue | null | undefined {
    const r = this.reader;
    if (r.nodeProperty !== undefined) return r.nodeProperty(id, key);
    const rec = r.getNode(id);
    return rec === undefined ? undefined : (rec.properties.get(key) ?? null);
  }
  scanNodes(): Iterable<NodeId> {
    return this.reader.scanNodes();
  }
  scanNodesByLabel(label: string): Iterable<NodeId> {
    return this.reader.scanNodesByLabel(label);
  }
  scanRelationships(): Iterable<RelId> {
    return this.reader.scanRelationships();
  }
  expand(node: NodeId, direction: Direction, types?: readonly string[]): Iterable<AdjacencyEntry> {
    return this.reader.expand(node, direction, types);
  }
  degree(node: NodeId, direction: Direction, types?: readonly string[]): number {
    return this.reader.degree(node, direction, types);
  }
  countNodesByLabel(label: string): number {
    return this.reader.countNodesByLabel(label);
  }
  labels(): string[] {
    return this.reader.labels();
  }
  relationshipTypes(): string[] {
    return this.reader.relationshipTypes();
  }
  propertyKeys(): string[] {
    return this.reader.propertyKeys();
  }
  indexes(): IndexDefinition[] {
    return this.reader.indexes();
  }
  indexSeek(label: string, property: string, value: PropertyScalar): Iterable<NodeId> {
    return this.reader.indexSeek(label, property, value);
  }
  indexRange(label: string, property: string, lower?: RangeBound, upper?: RangeBound): Iterable<NodeId> {
    return this.reader.indexRange(label, property, lower, upper);
  }
  findIndex(label: string, property: string): IndexDefinition | undefined {
    return this.reader.findIndex(label, property);
  }
  stats(): NamespaceStats {
    return this.reader.stats();
  }
  schemaDefinitions(): SchemaDefinition[] {
    return this.reader.schemaDefinitions?.() ?? [];
  }
  vectorSearch(
    name: string,
    k: number,
    vector: readonly number[],
    options?: { exact?: boolean; probes?: number },
  ): VectorHit[] {
    if (!this.reader.vectorSearch)
      throw new NexusError('CYPHER_UNSUPPORTED', 'This store has no vector indexes');
    return this.reader.vectorSearch(name, k, vector, options);
  }
  fulltextSearch(
    name: string,
    entity: 'node' | 'relationship',
    query: string,
    options?: { skip?: number; limit?: number },
  ): FulltextHit[] {
    if (!this.reader.fulltextSearch)
      throw new NexusError('CYPHER_UNSUPPORTED', 'This store has no full-text indexes');
    return this.reader.fulltextSearch(name, entity, query, options);
  }
}
