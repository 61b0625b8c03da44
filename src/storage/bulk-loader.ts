/**
 * The bulk path into an EMPTY namespace (offline `nexus import`): records are buffered
 * in memory — values pre-encoded into one arena, ids allocated densely from 0, catalog
 * ids resolved once per name — and `commit()` writes every entry in ONE write
 * transaction in key order (nodes, relationships, adjacency bucketed by node with a
 * counting sort, label and type scans), with LMDB's append mode when no key of the
 * environment sorts after the namespace. The byte counter is the exact sum of the
 * counted keys and values written, as the normal writer keeps it, so the namespace is
 * indistinguishable from one written record by record (namespace-audit.ts recounts it).
 */
import { NexusError } from '../errors.js';
import { ByteWriter } from './byte-writer.js';
import { hasEntries } from './namespace-audit.js';
import {
  CatalogKind,
  DIR_IN,
  DIR_OUT,
  MAX_NAME_BYTES,
  MetaKey,
  NAMESPACE_PREFIX_BYTES,
  Tag,
  namespacePrefix,
} from './key-layout.js';
import type { DataDb } from './namespace-reader.js';
import { COUNTERS_SIZE, emptyCounters, encodeCounters } from './namespace-state.js';
import { assertWellFormedName, writeValue } from './property-codec.js';
import type { NamespaceStats, NodeId, PropertyValue, RelId } from './types.js';
import type { WriteGate } from './write-gate.js';

/** What the loader needs from the store (a subset of `StoreInternals`). */
export interface BulkLoaderHost {
  readonly data: DataDb;
  readonly gate: WriteGate;
  lookupNamespace(name: string): number | undefined;
  registerNamespace(name: string): number;
  forget(name: string): void;
}

/** A growable Uint32 column. */
class U32Column {
  data = new Uint32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

/** A growable Float64 column (arena offsets may pass 4 GiB in principle). */
class F64Column {
  data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

class Catalog {
  readonly ids = new Map<string, number>();
  readonly names: string[] = [];
  /** Records using each id. */
  readonly usage: number[] = [];

  constructor(
    readonly kind: CatalogKind,
    private readonly what: string,
  ) {}

  id(name: string): number {
    const found = this.ids.get(name);
    if (found !== undefined) return found;
    if (typeof name !== 'string' || name.length === 0 || Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) {
      throw new NexusError(
        'INVALID_PARAMETER',
        `${this.what} names must be non-empty strings of at most ${MAX_NAME_BYTES} UTF-8 bytes`,
      );
    }
    assertWellFormedName(this.what, name);
    const id = this.names.length;
    this.ids.set(name, id);
    this.names.push(name);
    this.usage.push(0);
    return id;
  }
}

const APPEND = { append: true } as const;

/** A buffer carrying the window lmdb-js should store (`start`/`end` in its ArrayBuffer). */
type WindowBuffer = Buffer & { start?: number; end?: number };

function window(buf: WindowBuffer, from: number, to: number): WindowBuffer {
  buf.start = buf.byteOffset + from;
  buf.end = buf.byteOffset + to;
  return buf;
}
const EMPTY = Buffer.alloc(0);

/** The varint encoding of `n` (catalog ids are compared by these bytes in keys). */
function varintBytes(n: number): Buffer {
  return new ByteWriter(8).varint(n).copy();
}

/** Catalog ids ordered by the bytes of their varint encoding (the key order). */
function idsInKeyOrder(count: number): number[] {
  const ids = Array.from({ length: count }, (_, i) => i);
  const enc = ids.map(varintBytes);
  return ids.sort((a, b) => Buffer.compare(enc[a]!, enc[b]!));
}

function varintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    len++;
  }
  return len;
}

/** Bytes of the order-preserving id encoding (a length byte and big-endian bytes). */
function orderedLength(n: number): number {
  let len = 1;
  for (let v = n; v > 0; v = Math.floor(v / 256)) len++;
  return len;
}

export interface BulkCommitResult extends NamespaceStats {
  /** Whether LMDB's append mode was usable (no key of the environment after the namespace). */
  readonly appended: boolean;
}

export class BulkLoader {
  private readonly labels = new Catalog(CatalogKind.Label, 'Label');
  private readonly types = new Catalog(CatalogKind.Type, 'Relationship type');
  private readonly keys = new Catalog(CatalogKind.Key, 'Property');
  /** Encoded node records back to back; node i spans nodeEnds[i-1]..nodeEnds[i]. */
  private readonly nodeArena = new ByteWriter(1 << 20);
  private readonly nodeEnds = new F64Column();
  /** Node ids per label id, ascending. */
  private readonly labelNodes: U32Column[] = [];
  private readonly relArena = new ByteWriter(1 << 20);
  private readonly relEnds = new F64Column();
  private readonly relType = new U32Column();
  private readonly relStart = new U32Column();
  private readonly relEnd = new U32Column();
  private committed = false;

  constructor(
    private readonly host: BulkLoaderHost,
    readonly namespace: string,
  ) {
    this.assertEmpty();
  }

  get nodeCount(): number {
    return this.nodeEnds.length;
  }

  get relationshipCount(): number {
    return this.relEnds.length;
  }

  /** Catalog ids, allocated on first use (resolve names once, then add records by id). */
  labelId(name: string): number {
    const id = this.labels.id(name);
    if (this.labelNodes.length <= id) this.labelNodes.push(new U32Column());
    return id;
  }

  typeId(name: string): number {
    return this.types.id(name);
  }

  keyId(name: string): number {
    return this.keys.id(name);
  }

  /**
   * Adds a node with distinct label ids and `count` properties (`keyIds[i]` → `values[i]`,
   * distinct keys, values already valid property values). Returns its id.
   */
  addNode(
    labelIds: readonly number[],
    keyIds: readonly number[],
    values: readonly PropertyValue[],
    count = keyIds.length,
  ): NodeId {
    const id = this.nodeEnds.length;
    const w = this.nodeArena;
    w.varint(labelIds.length);
    for (const l of labelIds) {
      w.varint(l);
      this.labels.usage[l]!++;
      this.labelNodes[l]!.push(id);
    }
    this.writeProps(w, keyIds, values, count);
    this.nodeEnds.push(w.pos);
    return id;
  }

  /** Adds a relationship between two nodes added before. Returns its id. */
  addRelationship(
    typeId: number,
    start: NodeId,
    end: NodeId,
    keyIds: readonly number[],
    values: readonly PropertyValue[],
    count = keyIds.length,
  ): RelId {
    const n = this.nodeEnds.length;
    if (!(start >= 0 && start < n && end >= 0 && end < n) || !Number.isInteger(start + end)) {
      throw new NexusError(
        'NOT_FOUND',
        `Relationship endpoint ${start < 0 || start >= n ? start : end} does not exist`,
      );
    }
    const id = this.relEnds.length;
    const w = this.relArena;
    w.varint(typeId).varint(start).varint(end);
    this.writeProps(w, keyIds, values, count);
    this.relEnds.push(w.pos);
    this.relType.push(typeId);
    this.relStart.push(start);
    this.relEnd.push(end);
    this.types.usage[typeId]!++;
    return id;
  }

  private writeProps(
    w: ByteWriter,
    keyIds: readonly number[],
    values: readonly PropertyValue[],
    count: number,
  ): void {
    w.varint(count);
    for (let i = 0; i < count; i++) {
      const k = keyIds[i]!;
      w.varint(k);
      writeValue(w, values[i]!);
      this.keys.usage[k]!++;
    }
  }

  /**
   * The exact bytes the namespace will hold after `commit()` (the counted keys and
   * values), computed without writing: lets a caller check a quota first.
   */
  exactBytes(): number {
    const P = NAMESPACE_PREFIX_BYTES + 1;
    let bytes = 0;
    for (const cat of [this.labels, this.types, this.keys]) {
      cat.names.forEach((name, id) => {
        const nameBytes = Buffer.byteLength(name, 'utf8');
        const idBytes = varintLength(id);
        bytes += P + 1 + nameBytes + idBytes + (P + 1 + idBytes + nameBytes);
      });
    }
    const N = this.nodeEnds.length;
    const M = this.relEnds.length;
    for (let i = 0; i < N; i++) bytes += P + orderedLength(i);
    bytes += this.nodeEnds.length > 0 ? this.nodeEnds.data[N - 1]! : 0;
    for (let r = 0; r < M; r++) {
      const rel = P + orderedLength(r);
      const s = this.relStart.data[r]!;
      const e = this.relEnd.data[r]!;
      const t = varintLength(this.relType.data[r]!);
      // Record key, type-scan key, two adjacency keys with their values.
      bytes += rel;
      bytes += P + t + orderedLength(r);
      bytes +=
        2 * (P + 1 + t + orderedLength(r)) +
        orderedLength(s) +
        orderedLength(e) +
        varintLength(e) +
        varintLength(s);
    }
    bytes += M > 0 ? this.relEnds.data[M - 1]! : 0;
    this.labelNodes.forEach((col, l) => {
      const lb = varintLength(l);
      for (let i = 0; i < col.length; i++) bytes += P + lb + orderedLength(col.data[i]!);
    });
    return bytes;
  }

  private assertEmpty(): void {
    const id = this.host.lookupNamespace(this.namespace);
    if (id !== undefined && hasEntries(this.host.data, namespacePrefix(id))) {
      throw new NexusError(
        'CONFLICT',
        `The target '${this.namespace}' is not empty; import only loads into an empty database or tenant`,
      );
    }
  }

  /**
   * Writes everything in one write transaction (one durable commit) and returns the
   * namespace's counters. All or nothing: on a throw nothing is written. `append: false`
   * forces plain puts (the path taken when another namespace's keys sort after this one).
   */
  commit(options: { append?: boolean } = {}): BulkCommitResult {
    if (this.committed) throw new NexusError('INTERNAL_ERROR', 'The bulk load was already committed');
    this.committed = true;
    const { data, gate } = this.host;
    const result = gate.run(() => {
      this.assertEmpty();
      const nsId = this.host.lookupNamespace(this.namespace) ?? this.host.registerNamespace(this.namespace);
      const prefix = namespacePrefix(nsId);
      let last: Buffer | undefined;
      for (const k of data.getKeys({ reverse: true, limit: 1 })) last = k as Buffer;
      const appended = options.append !== false && (last === undefined || Buffer.compare(last, prefix) < 0);
      const bytes = this.writeAll(prefix, appended);
      return { nodes: this.nodeCount, relationships: this.relationshipCount, bytes, appended };
    });
    // Drop anything cached about the namespace: it is re-read from the committed data.
    this.host.forget(this.namespace);
    return result;
  }

  private writeAll(prefix: Buffer, appended: boolean): number {
    const data = this.host.data;
    const kw = new ByteWriter(64);
    // Fixed size: a varint never needs more than 8 bytes, so `vw.buf` is never replaced.
    const vw = new ByteWriter(16);
    const vwBuf = vw.buf as WindowBuffer;
    let bytes = 0;
    const putPlain = (key: Buffer, value: Buffer): void => {
      data.putSync(key, value);
      bytes += key.length + value.length;
    };
    const putSorted = appended
      ? (key: Buffer, value: WindowBuffer): void => {
          data.putSync(key, value, APPEND);
          bytes += key.length + (value.end === undefined ? value.length : value.end - value.start!);
        }
      : (key: Buffer, value: WindowBuffer): void => {
          data.putSync(key, value);
          bytes += key.length + (value.end === undefined ? value.length : value.end - value.start!);
        };
    const key = (tag: number): ByteWriter => kw.reset().bytes(prefix).byte(tag);

    // Catalog (small): plain puts, they sort before every appended key.
    for (const cat of [this.labels, this.types, this.keys]) {
      cat.names.forEach((name, id) => {
        putPlain(key(Tag.CatalogByName).byte(cat.kind).utf8(name).copy(), varintBytes(id));
        putPlain(key(Tag.CatalogById).byte(cat.kind).varint(id).copy(), Buffer.from(name, 'utf8'));
      });
    }

    // Node records, ascending ids. Values are handed over as windows of the arena
    // (lmdb-js reads `start`/`end` on a value buffer, as for its own reusable encoders),
    // so no view object is made per record.
    const nodeBuf = this.nodeArena.buf as WindowBuffer;
    const nodeEnds = this.nodeEnds.data;
    for (let i = 0, from = 0; i < this.nodeEnds.length; i++) {
      const to = nodeEnds[i]!;
      putSorted(key(Tag.Node).ordered(i).view(), window(nodeBuf, from, to));
      from = to;
    }

    // Relationship records, ascending ids.
    const relBuf = this.relArena.buf as WindowBuffer;
    const relEnds = this.relEnds.data;
    const M = this.relEnds.length;
    for (let i = 0, from = 0; i < M; i++) {
      const to = relEnds[i]!;
      putSorted(key(Tag.Relationship).ordered(i).view(), window(relBuf, from, to));
      from = to;
    }

    // Adjacency `<node><dir><type><rel>`: bucket by (node, dir) with a counting sort; rels
    // arrive ascending, so within a bucket only the type order may need a sort.
    const N = this.nodeEnds.length;
    const starts = this.relStart.data;
    const ends = this.relEnd.data;
    const relTypes = this.relType.data;
    const offsets = new Uint32Array(2 * N + 1);
    for (let r = 0; r < M; r++) {
      offsets[starts[r]! * 2 + DIR_OUT + 1]!++;
      offsets[ends[r]! * 2 + DIR_IN + 1]!++;
    }
    for (let b = 0; b < 2 * N; b++) offsets[b + 1]! += offsets[b]!;
    const fill = offsets.slice(0, 2 * N);
    const entries = new Uint32Array(2 * M);
    for (let r = 0; r < M; r++) {
      entries[fill[starts[r]! * 2 + DIR_OUT]!++] = r;
      entries[fill[ends[r]! * 2 + DIR_IN]!++] = r;
    }
    const typeOrder = idsInKeyOrder(this.types.names.length);
    const typeRank = new Uint32Array(typeOrder.length);
    typeOrder.forEach((t, rank) => (typeRank[t] = rank));
    const typeBytes = this.types.names.map((_, t) => varintBytes(t));
    const multiType = typeOrder.length > 1;
    for (let b = 0; b < 2 * N; b++) {
      const lo = offsets[b]!;
      const hi = offsets[b + 1]!;
      if (lo === hi) continue;
      if (multiType && hi - lo > 1) {
        entries.subarray(lo, hi).sort((x, y) => typeRank[relTypes[x]!]! - typeRank[relTypes[y]!]! || x - y);
      }
      const node = b >> 1;
      const dir = b & 1;
      kw.reset().bytes(prefix).byte(Tag.Adjacency).ordered(node).byte(dir);
      const base = kw.pos;
      for (let i = lo; i < hi; i++) {
        const r = entries[i]!;
        kw.pos = base;
        kw.bytes(typeBytes[relTypes[r]!]!).ordered(r);
        vw.reset().varint(dir === DIR_OUT ? ends[r]! : starts[r]!);
        putSorted(kw.view(), window(vwBuf, 0, vw.pos));
      }
    }

    // Label scan `<label><node>`, labels in key order, nodes ascending.
    for (const l of idsInKeyOrder(this.labels.names.length)) {
      const col = this.labelNodes[l]!;
      key(Tag.LabelIndex).varint(l);
      const base = kw.pos;
      for (let i = 0; i < col.length; i++) {
        kw.pos = base;
        putSorted(kw.ordered(col.data[i]!).view(), EMPTY);
      }
    }

    // Type scan `<type><rel>`: one counting pass per type when there are several.
    for (const t of typeOrder) {
      key(Tag.TypeIndex).varint(t);
      const base = kw.pos;
      for (let r = 0; r < M; r++) {
        if (relTypes[r] !== t) continue;
        kw.pos = base;
        putSorted(kw.ordered(r).view(), EMPTY);
      }
    }

    // Bookkeeping (uncounted): usage counts and the counter record.
    const usageValue = (count: number): Buffer => {
      const v = Buffer.allocUnsafe(8);
      v.writeDoubleBE(count, 0);
      return v;
    };
    for (const cat of [this.labels, this.types, this.keys]) {
      cat.usage.forEach((count, id) => {
        if (count > 0) {
          data.putSync(key(Tag.Meta).byte(MetaKey.Usage).byte(cat.kind).varint(id).copy(), usageValue(count));
        }
      });
    }
    const counters = emptyCounters();
    counters.nodes = N;
    counters.relationships = M;
    counters.bytes = bytes;
    counters.nextNode = N;
    counters.nextRel = M;
    counters.nextLabel = this.labels.names.length;
    counters.nextType = this.types.names.length;
    counters.nextKey = this.keys.names.length;
    const stats = Buffer.allocUnsafe(COUNTERS_SIZE);
    encodeCounters(counters, stats);
    data.putSync(key(Tag.Meta).byte(MetaKey.Stats).copy(), stats);
    return bytes;
  }
}
