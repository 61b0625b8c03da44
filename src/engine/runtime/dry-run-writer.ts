/**
 * A `GraphWriter` over a read snapshot that refuses every write. A MERGE-only query is
 * first run through it: when the pattern already exists nothing is written and the
 * query completes without opening (and syncing) a write transaction; the first write
 * attempt aborts the dry run and the query re-runs in a real write transaction.
 */
import type {
  AdjacencyEntry,
  Direction,
  GraphReader,
  GraphWriter,
  IndexDefinition,
  NamespaceStats,
  NodeRecord,
  PropertyScalar,
  RangeBound,
  RelationshipRecord,
} from '../../storage/types.js';

/** Thrown (and caught by the driver) when a dry run needs to write. */
export class WriteNeeded extends Error {
  constructor() {
    super('write needed');
    this.name = 'WriteNeeded';
  }
}

function refuse(): never {
  throw new WriteNeeded();
}

export class DryRunWriter implements GraphWriter {
  constructor(private readonly r: GraphReader) {}

  getNode(id: number): NodeRecord | undefined {
    return this.r.getNode(id);
  }
  getRelationship(id: number): RelationshipRecord | undefined {
    return this.r.getRelationship(id);
  }
  scanNodes(): Iterable<number> {
    return this.r.scanNodes();
  }
  scanNodesByLabel(label: string): Iterable<number> {
    return this.r.scanNodesByLabel(label);
  }
  scanRelationships(): Iterable<number> {
    return this.r.scanRelationships();
  }
  expand(node: number, direction: Direction, types?: readonly string[]): Iterable<AdjacencyEntry> {
    return this.r.expand(node, direction, types);
  }
  degree(node: number, direction: Direction, types?: readonly string[]): number {
    return this.r.degree(node, direction, types);
  }
  countNodesByLabel(label: string): number {
    return this.r.countNodesByLabel(label);
  }
  labels(): string[] {
    return this.r.labels();
  }
  relationshipTypes(): string[] {
    return this.r.relationshipTypes();
  }
  propertyKeys(): string[] {
    return this.r.propertyKeys();
  }
  indexes(): IndexDefinition[] {
    return this.r.indexes();
  }
  indexSeek(label: string, property: string, value: PropertyScalar): Iterable<number> {
    return this.r.indexSeek(label, property, value);
  }
  indexRange(label: string, property: string, lower?: RangeBound, upper?: RangeBound): Iterable<number> {
    return this.r.indexRange(label, property, lower, upper);
  }
  findIndex(label: string, property: string): IndexDefinition | undefined {
    return this.r.findIndex(label, property);
  }
  stats(): NamespaceStats {
    return this.r.stats();
  }
  createNode(): number {
    return refuse();
  }
  setNodeProperty(): void {
    refuse();
  }
  replaceNodeProperties(): void {
    refuse();
  }
  addNodeLabels(): void {
    refuse();
  }
  removeNodeLabels(): void {
    refuse();
  }
  deleteNode(): void {
    refuse();
  }
  createRelationship(): number {
    return refuse();
  }
  setRelationshipProperty(): void {
    refuse();
  }
  replaceRelationshipProperties(): void {
    refuse();
  }
  deleteRelationship(): void {
    refuse();
  }
  createIndex(): IndexDefinition {
    return refuse();
  }
  dropIndex(): boolean {
    return refuse();
  }
}
