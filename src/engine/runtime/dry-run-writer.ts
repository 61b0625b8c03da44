/**
 * A `GraphWriter` over a read snapshot that refuses every write. A MERGE-only query is
 * first run through it: when the pattern already exists nothing is written and the
 * query completes without opening (and syncing) a write transaction; the first write
 * attempt aborts the dry run and the query re-runs in a real write transaction.
 */
import type { GraphReader, GraphWriter, IndexDefinition } from '../../storage/types.js';
import { DelegatingReader } from './delegating-reader.js';

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

export class DryRunWriter extends DelegatingReader implements GraphWriter {
  constructor(private readonly r: GraphReader) {
    super();
  }

  protected get reader(): GraphReader {
    return this.r;
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
