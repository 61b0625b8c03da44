/**
 * `RecordingWriter`: the `GraphWriter` a statement of an explicit transaction runs with.
 * Every call goes to the real writer of the (scratch) write transaction; every mutation
 * is also appended to the statement's log segment, with the id a create got. Before the
 * first mutation of an entity the transaction did not create, its record is saved as a
 * pre-image (it is then still the committed record: nothing earlier in the transaction
 * changed it), which later replays and the commit check (see TransactionLog).
 */
import type {
  GraphWriter,
  IndexDefinition,
  NodeId,
  PropertyMap,
  PropertyValue,
  RelId,
} from '../../storage/types.js';
import { DelegatingReader } from '../runtime/delegating-reader.js';
import { emptySegment, type LogSegment, type TransactionLog } from './transaction-log.js';

export class RecordingWriter extends DelegatingReader implements GraphWriter {
  readonly segment: LogSegment = emptySegment();

  constructor(
    private readonly inner: GraphWriter,
    private readonly log: TransactionLog,
  ) {
    super();
  }

  protected get reader(): GraphWriter {
    return this.inner;
  }

  private touchNode(id: NodeId): void {
    const s = this.segment;
    if (this.log.createdNodes.has(id) || s.createdNodes.has(id)) return;
    if (this.log.nodePreImages.has(id) || s.nodePreImages.has(id)) return;
    const rec = this.inner.getNode(id);
    // A missing node: the real writer throws its own error.
    if (rec !== undefined) s.nodePreImages.set(id, rec);
  }

  private touchRel(id: RelId): void {
    const s = this.segment;
    if (this.log.createdRels.has(id) || s.createdRels.has(id)) return;
    if (this.log.relPreImages.has(id) || s.relPreImages.has(id)) return;
    const rec = this.inner.getRelationship(id);
    if (rec !== undefined) s.relPreImages.set(id, rec);
  }

  createNode(labels: readonly string[], properties: PropertyMap): NodeId {
    const id = this.inner.createNode(labels, properties);
    this.segment.ops.push({ op: 'createNode', id, labels: [...labels], props: new Map(properties) });
    this.segment.createdNodes.add(id);
    return id;
  }

  setNodeProperty(id: NodeId, key: string, value: PropertyValue | null): void {
    this.touchNode(id);
    this.inner.setNodeProperty(id, key, value);
    this.segment.ops.push({ op: 'setNodeProperty', id, key, value });
  }

  replaceNodeProperties(id: NodeId, properties: PropertyMap): void {
    this.touchNode(id);
    this.inner.replaceNodeProperties(id, properties);
    this.segment.ops.push({ op: 'replaceNodeProperties', id, props: new Map(properties) });
  }

  addNodeLabels(id: NodeId, labels: readonly string[]): void {
    this.touchNode(id);
    this.inner.addNodeLabels(id, labels);
    this.segment.ops.push({ op: 'addNodeLabels', id, labels: [...labels] });
  }

  removeNodeLabels(id: NodeId, labels: readonly string[]): void {
    this.touchNode(id);
    this.inner.removeNodeLabels(id, labels);
    this.segment.ops.push({ op: 'removeNodeLabels', id, labels: [...labels] });
  }

  deleteNode(id: NodeId): void {
    this.touchNode(id);
    this.inner.deleteNode(id);
    this.segment.ops.push({ op: 'deleteNode', id });
  }

  createRelationship(type: string, start: NodeId, end: NodeId, properties: PropertyMap): RelId {
    const id = this.inner.createRelationship(type, start, end, properties);
    this.segment.ops.push({ op: 'createRelationship', id, type, start, end, props: new Map(properties) });
    this.segment.createdRels.add(id);
    return id;
  }

  setRelationshipProperty(id: RelId, key: string, value: PropertyValue | null): void {
    this.touchRel(id);
    this.inner.setRelationshipProperty(id, key, value);
    this.segment.ops.push({ op: 'setRelationshipProperty', id, key, value });
  }

  replaceRelationshipProperties(id: RelId, properties: PropertyMap): void {
    this.touchRel(id);
    this.inner.replaceRelationshipProperties(id, properties);
    this.segment.ops.push({ op: 'replaceRelationshipProperties', id, props: new Map(properties) });
  }

  deleteRelationship(id: RelId): void {
    this.touchRel(id);
    this.inner.deleteRelationship(id);
    this.segment.ops.push({ op: 'deleteRelationship', id });
  }

  createIndex(label: string, property: string, name?: string): IndexDefinition {
    const def = this.inner.createIndex(label, property, name);
    this.segment.ops.push({ op: 'createIndex', label, property, name: def.name });
    return def;
  }

  dropIndex(name: string): boolean {
    const dropped = this.inner.dropIndex(name);
    this.segment.ops.push({ op: 'dropIndex', name, dropped });
    return dropped;
  }
}
