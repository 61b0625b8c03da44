/**
 * A read transaction that opens its snapshot on first use. Many statements never touch
 * the graph (`RETURN 1` — the connectivity check drivers send —, `UNWIND $list ...`,
 * function calls on parameters); for them, opening and resetting an LMDB read
 * transaction was the largest part of the work. A statement that does read gets one
 * snapshot, taken at its first read, and keeps it to the end, so it still sees one
 * consistent state.
 */
import type {
  AdjacencyEntry,
  Direction,
  GraphReader,
  IndexDefinition,
  NamespaceHandle,
  NamespaceStats,
  NodeId,
  NodeRecord,
  PropertyScalar,
  RangeBound,
  ReadTransaction,
  RelationshipRecord,
  RelId,
} from '../../storage/types.js';
import { NexusError } from '../../errors.js';

export class LazyReadTransaction implements ReadTransaction {
  private tx: ReadTransaction | undefined;
  private closed = false;

  constructor(private readonly handle: NamespaceHandle) {}

  /** The snapshot, opened now if this is the first read. */
  private get open(): GraphReader {
    if (this.tx !== undefined) return this.tx;
    // A read after close would otherwise leak a snapshot nobody closes.
    if (this.closed) throw new NexusError('INTERNAL_ERROR', 'read transaction used after close');
    this.tx = this.handle.beginRead();
    return this.tx;
  }

  close(): void {
    this.closed = true;
    this.tx?.close();
    this.tx = undefined;
  }

  getNode(id: NodeId): NodeRecord | undefined {
    return this.open.getNode(id);
  }
  getRelationship(id: RelId): RelationshipRecord | undefined {
    return this.open.getRelationship(id);
  }
  scanNodes(): Iterable<NodeId> {
    return this.open.scanNodes();
  }
  scanNodesByLabel(label: string): Iterable<NodeId> {
    return this.open.scanNodesByLabel(label);
  }
  scanRelationships(): Iterable<RelId> {
    return this.open.scanRelationships();
  }
  expand(node: NodeId, direction: Direction, types?: readonly string[]): Iterable<AdjacencyEntry> {
    return this.open.expand(node, direction, types);
  }
  degree(node: NodeId, direction: Direction, types?: readonly string[]): number {
    return this.open.degree(node, direction, types);
  }
  countNodesByLabel(label: string): number {
    return this.open.countNodesByLabel(label);
  }
  labels(): string[] {
    return this.open.labels();
  }
  relationshipTypes(): string[] {
    return this.open.relationshipTypes();
  }
  propertyKeys(): string[] {
    return this.open.propertyKeys();
  }
  indexes(): IndexDefinition[] {
    return this.open.indexes();
  }
  indexSeek(label: string, property: string, value: PropertyScalar): Iterable<NodeId> {
    return this.open.indexSeek(label, property, value);
  }
  indexRange(label: string, property: string, lower?: RangeBound, upper?: RangeBound): Iterable<NodeId> {
    return this.open.indexRange(label, property, lower, upper);
  }
  findIndex(label: string, property: string): IndexDefinition | undefined {
    return this.open.findIndex(label, property);
  }
  stats(): NamespaceStats {
    return this.open.stats();
  }
}
