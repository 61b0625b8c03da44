/**
 * The key layout of the `data` database. Every key is `<namespace id><tag><rest>`: the
 * namespace id is a fixed-width 4-byte big-endian integer (prefix-free, so one namespace's
 * key range never contains another's; fixed width so that a tenant's byte accounting does
 * not depend on how many namespaces were created before it — a varint would let a tenant
 * infer the number of other tenants from its own storage size), the tag says what the
 * entry is. Ids inside keys use the
 * order-preserving `ordered` encoding so range scans come out in ascending id order.
 * docs/ARCHITECTURE.md has the full table.
 */

/** Longest label / type / property-key / index name (LMDB keys are limited to 1978 bytes). */
export const MAX_NAME_BYTES = 1024;

export const Tag = {
  /** Counters and bookkeeping; excluded from the byte accounting. */
  Meta: 0x00,
  /** Catalog name → id: `<kind><utf8 name>` → varint id. */
  CatalogByName: 0x01,
  /** Catalog id → name: `<kind><varint id>` → utf8 name. */
  CatalogById: 0x02,
  /** Node record: `<ordered node id>` → labels + properties. */
  Node: 0x03,
  /** Relationship record: `<ordered rel id>` → type, start, end, properties. */
  Relationship: 0x04,
  /** Adjacency: `<ordered node><dir><varint type><ordered rel>` → varint other node. */
  Adjacency: 0x05,
  /** Label index: `<varint label><ordered node>` → empty. */
  LabelIndex: 0x06,
  /** Relationship-type scan: `<varint type><ordered rel>` → empty. */
  TypeIndex: 0x07,
  /** Property index definition: `<utf8 name>` → varint label, varint key. */
  IndexDefinition: 0x08,
  /** Property index entry: `<varint label><varint key><ordered value><ordered node>` → empty. */
  IndexEntry: 0x09,
  /** Schema object definition (constraint, vector index): `<utf8 name>` → JSON. */
  SchemaDefinition: 0x0a,
  /** Unique-constraint entry: `<varint def id><16-byte value hash><ordered entity>` → empty. */
  UniqueEntry: 0x0b,
  /** Vector-index entry: `<varint def id><ordered node>` → float32 LE vector. */
  VectorEntry: 0x0c,
  /** Reserved for the approximate vector graph (HNSW layers). */
  VectorGraph: 0x0d,
  /** Full-text posting: `<varint def id><utf8 term> 00 <ordered entity>` → fields, positions. */
  FulltextPosting: 0x0e,
  /** Full-text statistics: `<varint def id>` + 00 (totals), 01 term (df), 02 entity (length). */
  FulltextStats: 0x0f,
} as const;

/** Sub-keys under `Tag.Meta`. */
export const MetaKey = {
  /** The namespace's counters (see `NamespaceCounters`). */
  Stats: 0x00,
  /** Per catalog entry usage count: `<kind><varint id>` → float64. */
  Usage: 0x01,
  /** Progress marker of an interrupted `moveNamespace` into this namespace. */
  Migration: 0x02,
  /**
   * Index-definition version: float64, bumped by every transaction that creates or drops
   * an index. Lets readers reuse the definitions parsed for the same version.
   */
  IndexVersion: 0x03,
} as const;

export const CatalogKind = {
  Label: 0x4c, // 'L'
  Type: 0x54, // 'T'
  Key: 0x4b, // 'K'
} as const;
export type CatalogKind = (typeof CatalogKind)[keyof typeof CatalogKind];

export const DIR_OUT = 0;
export const DIR_IN = 1;

/** The key prefix of a namespace id. */
export const NAMESPACE_PREFIX_BYTES = 4;

export function namespacePrefix(nsId: number): Buffer {
  const out = Buffer.allocUnsafe(NAMESPACE_PREFIX_BYTES);
  out.writeUInt32BE(nsId, 0);
  return out;
}

/** `prefix + tag` as a fresh buffer (range bounds must outlive the scratch writer). */
export function tagKey(prefix: Buffer, tag: number): Buffer {
  const out = Buffer.allocUnsafe(prefix.length + 1);
  prefix.copy(out, 0);
  out[prefix.length] = tag;
  return out;
}

/** The smallest key greater than every key that starts with `key`. */
export function prefixEnd(key: Buffer): Buffer {
  const out = Buffer.from(key);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! < 0xff) {
      out[i]!++;
      return out.subarray(0, i + 1);
    }
  }
  // Unreachable for real keys: every key has a tag byte below 0xff after its namespace id.
  throw new RangeError('key has no successor');
}
