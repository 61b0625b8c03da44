/**
 * Per-namespace in-memory state shared by all transactions of one store: the resolved
 * namespace id and a cache of committed catalog entries (name ↔ small int). Catalog
 * entries are never renumbered, so a cached entry is valid for every snapshot; entries
 * created by a write transaction are published here only after it commits.
 * Also the binary layout of the namespace's counter record.
 */
import { CatalogKind } from './key-layout.js';

export class CatalogCache {
  readonly byName = new Map<string, number>();
  readonly byId = new Map<number, string>();

  set(name: string, id: number): void {
    this.byName.set(name, id);
    this.byId.set(id, name);
  }
}

export class NamespaceState {
  /** Key prefix (LEB128 namespace id); undefined until the namespace exists. */
  prefix: Buffer | undefined;
  nsId: number | undefined;
  readonly labels = new CatalogCache();
  readonly types = new CatalogCache();
  readonly keys = new CatalogCache();
  /**
   * Index definitions last read by a snapshot, with the index-definition version and the
   * key prefix they were read under (see MetaKey.IndexVersion). Definitions are immutable
   * per version, so any snapshot that sees the same version may reuse them.
   */
  indexDefs: { version: number; prefix: Buffer; defs: readonly unknown[] } | undefined;
  /** Constraint and vector-index definitions, cached the same way (schema-store.ts). */
  schemaDefs: { version: number; prefix: Buffer; defs: readonly unknown[] } | undefined;
  /**
   * Lowest node / relationship id a new create may take (in memory only). Raised by
   * rolled-back scratch transactions (see `NamespaceHandle.scratch`) so the ids they handed
   * out are never handed out again while this store is open.
   */
  nodeFloor = 0;
  relFloor = 0;

  constructor(readonly name: string) {}

  /** Forgets everything cached (after the namespace was moved or removed). */
  reset(): void {
    this.prefix = undefined;
    this.nsId = undefined;
    this.indexDefs = undefined;
    this.schemaDefs = undefined;
    for (const c of [this.labels, this.types, this.keys]) {
      c.byName.clear();
      c.byId.clear();
    }
  }

  catalog(kind: CatalogKind): CatalogCache {
    return kind === CatalogKind.Label ? this.labels : kind === CatalogKind.Type ? this.types : this.keys;
  }
}

/** The counter record stored under `<ns><Meta><Stats>`. */
export interface NamespaceCounters {
  nodes: number;
  relationships: number;
  bytes: number;
  nextNode: number;
  nextRel: number;
  nextLabel: number;
  nextType: number;
  nextKey: number;
}

const COUNTER_FIELDS = [
  'nodes',
  'relationships',
  'bytes',
  'nextNode',
  'nextRel',
  'nextLabel',
  'nextType',
  'nextKey',
] as const;

export const COUNTERS_SIZE = COUNTER_FIELDS.length * 8;

export function emptyCounters(): NamespaceCounters {
  return {
    nodes: 0,
    relationships: 0,
    bytes: 0,
    nextNode: 0,
    nextRel: 0,
    nextLabel: 0,
    nextType: 0,
    nextKey: 0,
  };
}

export function decodeCounters(buf: Buffer | undefined): NamespaceCounters {
  const c = emptyCounters();
  if (buf === undefined) return c;
  for (let i = 0; i < COUNTER_FIELDS.length; i++) c[COUNTER_FIELDS[i]!] = buf.readDoubleBE(i * 8);
  return c;
}

export function encodeCounters(c: NamespaceCounters, out: Buffer): void {
  for (let i = 0; i < COUNTER_FIELDS.length; i++) out.writeDoubleBE(c[COUNTER_FIELDS[i]!], i * 8);
}
