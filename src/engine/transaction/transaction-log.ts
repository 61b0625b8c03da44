/**
 * `TransactionLog`: what an explicit transaction has written so far, as the low-level
 * `GraphWriter` mutations its statements made (with the ids their creates got), plus the
 * pre-image of every existing entity it mutated — the committed record as it was when
 * the transaction first wrote it. Replaying the log inside a fresh write transaction
 * rebuilds the transaction's state on top of the latest committed state; before that,
 * every pre-image is checked against the committed record: a difference means another
 * transaction committed a change to an entity this one wrote (first committer wins), and
 * the replay fails with TRANSACTION_CONFLICT. See docs/TRANSACTIONS.md.
 */
import { NexusError } from '../../errors.js';
import type {
  GraphWriter,
  NodeId,
  NodeRecord,
  PropertyMap,
  PropertyScalar,
  PropertyValue,
  RelationshipRecord,
  RelId,
} from '../../storage/types.js';

/** One recorded mutation. Creates carry the id they got; `dropIndex` its answer. */
export type LoggedOp =
  | {
      readonly op: 'createNode';
      readonly id: NodeId;
      readonly labels: readonly string[];
      readonly props: PropertyMap;
    }
  | {
      readonly op: 'setNodeProperty';
      readonly id: NodeId;
      readonly key: string;
      readonly value: PropertyValue | null;
    }
  | { readonly op: 'replaceNodeProperties'; readonly id: NodeId; readonly props: PropertyMap }
  | { readonly op: 'addNodeLabels'; readonly id: NodeId; readonly labels: readonly string[] }
  | { readonly op: 'removeNodeLabels'; readonly id: NodeId; readonly labels: readonly string[] }
  | { readonly op: 'deleteNode'; readonly id: NodeId }
  | {
      readonly op: 'createRelationship';
      readonly id: RelId;
      readonly type: string;
      readonly start: NodeId;
      readonly end: NodeId;
      readonly props: PropertyMap;
    }
  | {
      readonly op: 'setRelationshipProperty';
      readonly id: RelId;
      readonly key: string;
      readonly value: PropertyValue | null;
    }
  | { readonly op: 'replaceRelationshipProperties'; readonly id: RelId; readonly props: PropertyMap }
  | { readonly op: 'deleteRelationship'; readonly id: RelId }
  | { readonly op: 'createIndex'; readonly label: string; readonly property: string; readonly name: string }
  | { readonly op: 'dropIndex'; readonly name: string; readonly dropped: boolean };

/** What one statement recorded (merged into the log only if the statement succeeded). */
export interface LogSegment {
  readonly ops: LoggedOp[];
  readonly nodePreImages: Map<NodeId, NodeRecord>;
  readonly relPreImages: Map<RelId, RelationshipRecord>;
  readonly createdNodes: Set<NodeId>;
  readonly createdRels: Set<RelId>;
}

export function emptySegment(): LogSegment {
  return {
    ops: [],
    nodePreImages: new Map(),
    relPreImages: new Map(),
    createdNodes: new Set(),
    createdRels: new Set(),
  };
}

export class TransactionLog {
  private readonly ops: LoggedOp[] = [];
  readonly nodePreImages = new Map<NodeId, NodeRecord>();
  readonly relPreImages = new Map<RelId, RelationshipRecord>();
  readonly createdNodes = new Set<NodeId>();
  readonly createdRels = new Set<RelId>();

  get size(): number {
    return this.ops.length;
  }

  get isEmpty(): boolean {
    return this.ops.length === 0;
  }

  /** Appends a successful statement's mutations. */
  append(segment: LogSegment): void {
    for (const op of segment.ops) this.ops.push(op);
    for (const [id, rec] of segment.nodePreImages) this.nodePreImages.set(id, rec);
    for (const [id, rec] of segment.relPreImages) this.relPreImages.set(id, rec);
    for (const id of segment.createdNodes) this.createdNodes.add(id);
    for (const id of segment.createdRels) this.createdRels.add(id);
  }

  /** Forgets everything (rollback). */
  clear(): void {
    this.ops.length = 0;
    this.nodePreImages.clear();
    this.relPreImages.clear();
    this.createdNodes.clear();
    this.createdRels.clear();
  }

  /**
   * Checks every pre-image against `w`'s (committed) state, then re-applies every op.
   * Throws TRANSACTION_CONFLICT on the first difference or failing op.
   */
  replay(w: GraphWriter): void {
    for (const [id, pre] of this.nodePreImages) {
      const now = w.getNode(id);
      if (now === undefined) throw conflict(`node ${id} was deleted`);
      if (!sameNode(pre, now)) throw conflict(`node ${id} was changed`);
    }
    for (const [id, pre] of this.relPreImages) {
      const now = w.getRelationship(id);
      if (now === undefined) throw conflict(`relationship ${id} was deleted`);
      if (!sameRelationship(pre, now)) throw conflict(`relationship ${id} was changed`);
    }
    const createNode = w.createNodeWithId?.bind(w);
    const createRel = w.createRelationshipWithId?.bind(w);
    if (createNode === undefined || createRel === undefined) {
      throw new NexusError('INTERNAL_ERROR', 'This store cannot replay explicit transactions');
    }
    for (const op of this.ops) {
      try {
        applyOp(w, op, createNode, createRel);
      } catch (err) {
        if (err instanceof NexusError && err.code === 'TRANSACTION_CONFLICT') throw err;
        throw conflict(`replaying ${describeOp(op)} failed (${errorMessage(err)})`, err);
      }
    }
  }
}

function applyOp(
  w: GraphWriter,
  op: LoggedOp,
  createNode: NonNullable<GraphWriter['createNodeWithId']>,
  createRel: NonNullable<GraphWriter['createRelationshipWithId']>,
): void {
  switch (op.op) {
    case 'createNode':
      createNode(op.id, op.labels, op.props);
      return;
    case 'setNodeProperty':
      w.setNodeProperty(op.id, op.key, op.value);
      return;
    case 'replaceNodeProperties':
      w.replaceNodeProperties(op.id, op.props);
      return;
    case 'addNodeLabels':
      w.addNodeLabels(op.id, op.labels);
      return;
    case 'removeNodeLabels':
      w.removeNodeLabels(op.id, op.labels);
      return;
    case 'deleteNode':
      w.deleteNode(op.id);
      return;
    case 'createRelationship':
      createRel(op.id, op.type, op.start, op.end, op.props);
      return;
    case 'setRelationshipProperty':
      w.setRelationshipProperty(op.id, op.key, op.value);
      return;
    case 'replaceRelationshipProperties':
      w.replaceRelationshipProperties(op.id, op.props);
      return;
    case 'deleteRelationship':
      w.deleteRelationship(op.id);
      return;
    case 'createIndex':
      w.createIndex(op.label, op.property, op.name);
      return;
    case 'dropIndex':
      if (w.dropIndex(op.name) !== op.dropped) {
        throw conflict(`index '${op.name}' was ${op.dropped ? 'dropped' : 'created'}`);
      }
      return;
  }
}

function describeOp(op: LoggedOp): string {
  switch (op.op) {
    case 'createNode':
      return `the creation of node ${op.id}`;
    case 'createRelationship':
      return `the creation of relationship ${op.id} between nodes ${op.start} and ${op.end}`;
    case 'createIndex':
      return `the creation of index '${op.name}'`;
    case 'dropIndex':
      return `the drop of index '${op.name}'`;
    case 'deleteNode':
      return `the deletion of node ${op.id}`;
    case 'deleteRelationship':
      return `the deletion of relationship ${op.id}`;
    default:
      return `a change of ${op.op.includes('Relationship') ? 'relationship' : 'node'} ${op.id}`;
  }
}

function conflict(what: string, cause?: unknown): NexusError {
  return new NexusError(
    'TRANSACTION_CONFLICT',
    `Transaction conflict: ${what} by another transaction that committed after this one first wrote it; ` +
      'this transaction was rolled back, retry it',
    cause === undefined ? {} : { cause },
  );
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function sameNode(a: NodeRecord, b: NodeRecord): boolean {
  if (a.labels.length !== b.labels.length) return false;
  const labels = new Set(a.labels);
  for (const l of b.labels) if (!labels.has(l)) return false;
  return sameProperties(a.properties, b.properties);
}

function sameRelationship(a: RelationshipRecord, b: RelationshipRecord): boolean {
  return (
    a.type === b.type && a.start === b.start && a.end === b.end && sameProperties(a.properties, b.properties)
  );
}

function sameProperties(a: PropertyMap, b: PropertyMap): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (w === undefined || !sameValue(v, w)) return false;
  }
  return true;
}

function sameValue(a: PropertyValue, b: PropertyValue): boolean {
  if (isList(a) || isList(b)) {
    if (!isList(a) || !isList(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i]!, b[i]!)) return false;
    return true;
  }
  if (typeof a === 'object' && typeof b === 'object') {
    // Temporal values: same kind and same ISO text.
    return a.temporalKind === b.temporalKind && a.toString() === b.toString();
  }
  return Object.is(a, b);
}

function isList(v: PropertyValue): v is readonly PropertyScalar[] {
  return Array.isArray(v);
}
