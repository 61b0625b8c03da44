/**
 * The logical dump format of one namespace's graph (used by `nexus dump`, `nexus restore`
 * and `GET /export`): JSON lines over ONE read snapshot, so a dump is consistent while
 * writes go on. Line 1 is a header, then indexes, nodes (in id order), relationships, and a
 * closing `end` line with the counts (a truncated file is detected on restore):
 *
 *   {"type":"header","format":"nexus-dump","version":1,"nodes":2,"relationships":1,"bytes":158}
 *   {"type":"index","name":"person_name","label":"Person","property":"name"}
 *   {"type":"node","id":0,"labels":["Person"],"properties":{"name":"Ada"}}
 *   {"type":"relationship","id":0,"rel_type":"KNOWS","start":0,"end":1,"properties":{}}
 *   {"type":"end","nodes":2,"relationships":1}
 *
 * Values use the lossless wire form of the HTTP API ({"$int": "…"}, {"$float": "1.0"}).
 * Restore recreates the graph in an empty namespace; ids are reassigned in dump order.
 */
import { NexusError } from '../errors.js';
import type { NamespaceHandle, NodeId, PropertyMap } from '../storage/types.js';
import { serializeValue } from './json-values.js';
import { jsonToCheckedPropertyMap } from './property-json.js';

export const DUMP_FORMAT = 'nexus-dump';
export const DUMP_VERSION = 1;

function propsJson(p: PropertyMap): string {
  let out = '{';
  let first = true;
  for (const [k, v] of p) {
    out += `${first ? '' : ','}${JSON.stringify(k)}:${serializeValue(v)}`;
    first = false;
  }
  return `${out}}`;
}

export interface DumpProgress {
  nodes: number;
  relationships: number;
  totalNodes: number;
  totalRelationships: number;
}

/**
 * The dump of `handle`'s graph as JSON lines (each without its newline), read from one
 * snapshot that stays open until the generator finishes or is returned early.
 */
export async function* dumpLines(
  handle: NamespaceHandle,
  options: { createdAt?: Date; onProgress?: (p: DumpProgress) => void } = {},
): AsyncGenerator<string> {
  const tx = handle.beginRead();
  try {
    const stats = tx.stats();
    yield JSON.stringify({
      type: 'header',
      format: DUMP_FORMAT,
      version: DUMP_VERSION,
      created_at: (options.createdAt ?? new Date()).toISOString(),
      nodes: stats.nodes,
      relationships: stats.relationships,
      bytes: stats.bytes,
    });
    for (const index of tx.indexes()) {
      yield JSON.stringify({ type: 'index', name: index.name, label: index.label, property: index.property });
    }
    const progress: DumpProgress = {
      nodes: 0,
      relationships: 0,
      totalNodes: stats.nodes,
      totalRelationships: stats.relationships,
    };
    for (const id of tx.scanNodes()) {
      const node = tx.getNode(id);
      if (node === undefined) continue;
      yield `{"type":"node","id":${id},"labels":${JSON.stringify(node.labels)},"properties":${propsJson(node.properties)}}`;
      if (++progress.nodes % 1000 === 0) options.onProgress?.(progress);
    }
    for (const id of tx.scanRelationships()) {
      const rel = tx.getRelationship(id);
      if (rel === undefined) continue;
      yield (
        `{"type":"relationship","id":${id},"rel_type":${JSON.stringify(rel.type)},` +
        `"start":${rel.start},"end":${rel.end},"properties":${propsJson(rel.properties)}}`
      );
      if (++progress.relationships % 1000 === 0) options.onProgress?.(progress);
    }
    options.onProgress?.(progress);
    yield JSON.stringify({ type: 'end', nodes: progress.nodes, relationships: progress.relationships });
  } finally {
    tx.close();
  }
}

export interface RestoreResult {
  nodes: number;
  relationships: number;
  indexes: number;
  /** The namespace's stored bytes after the restore (exact: the store's own counter). */
  bytes: number;
  /** What the dump's header said the source held. */
  source: { nodes: number; relationships: number; bytes: number };
}

type DumpRecord = Record<string, unknown> & { type?: unknown };

function bad(line: number, message: string): NexusError {
  return new NexusError('INVALID_BODY', `dump line ${line}: ${message}`, { details: { line } });
}

/**
 * Restores parsed dump records (JSON values, parsed losslessly by the caller) into
 * `handle`, which must be empty. Writes in batches (one write transaction each, checked
 * against `maxBytes` like any write); the counts are verified against the dump's end line.
 */
export async function restoreRecords(
  handle: NamespaceHandle,
  records: AsyncIterable<unknown>,
  options: { maxBytes?: number; batchSize?: number; onProgress?: (done: number) => void } = {},
): Promise<RestoreResult> {
  const before = handle.stats();
  if (before.nodes !== 0 || before.relationships !== 0) {
    throw new NexusError(
      'CONFLICT',
      `the target graph is not empty (${before.nodes} nodes, ${before.relationships} relationships): ` +
        'restore into an empty data directory or tenant',
    );
  }
  const batchSize = options.batchSize ?? 5000;
  const writeOptions = options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes };
  const ids = new Map<number, NodeId>();
  let header: DumpRecord | undefined;
  let end: DumpRecord | undefined;
  let batch: { line: number; record: DumpRecord }[] = [];
  let nodes = 0;
  let relationships = 0;
  let indexes = 0;
  let lineNo = 0;

  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const items = batch;
    batch = [];
    const created = await handle.write((tx) => {
      const newIds = new Map<number, NodeId>();
      for (const { line, record: r } of items) {
        if (r.type === 'index') {
          tx.createIndex(String(r.label), String(r.property), String(r.name));
        } else if (r.type === 'node') {
          if (!Array.isArray(r.labels)) throw bad(line, 'a node needs labels');
          const id = tx.createNode(
            r.labels.map(String),
            jsonToCheckedPropertyMap(r.properties, 'properties'),
          );
          newIds.set(Number(r.id), id);
        } else {
          const start = ids.get(Number(r.start)) ?? newIds.get(Number(r.start));
          const endId = ids.get(Number(r.end)) ?? newIds.get(Number(r.end));
          if (start === undefined || endId === undefined) {
            throw bad(line, `relationship ${String(r.id)} refers to a node the dump does not hold`);
          }
          tx.createRelationship(
            String(r.rel_type),
            start,
            endId,
            jsonToCheckedPropertyMap(r.properties, 'properties'),
          );
        }
      }
      return newIds;
    }, writeOptions);
    for (const [old, id] of created) ids.set(old, id);
    options.onProgress?.(nodes + relationships);
  };

  for await (const raw of records) {
    lineNo++;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad(lineNo, 'not a JSON object');
    const record = raw as DumpRecord;
    if (lineNo === 1) {
      if (record.type !== 'header' || record.format !== DUMP_FORMAT) {
        throw bad(1, `not a Nexus dump (the first line must be a ${DUMP_FORMAT} header)`);
      }
      if (record.version !== DUMP_VERSION) {
        throw bad(
          1,
          `dump version ${String(record.version)} is not supported (this build reads ${DUMP_VERSION})`,
        );
      }
      header = record;
      continue;
    }
    if (end !== undefined) throw bad(lineNo, 'data after the end line');
    switch (record.type) {
      case 'index':
        indexes++;
        break;
      case 'node':
        nodes++;
        break;
      case 'relationship':
        relationships++;
        break;
      case 'end':
        end = record;
        continue;
      default:
        throw bad(lineNo, `unknown record type ${JSON.stringify(record.type)}`);
    }
    batch.push({ line: lineNo, record });
    // Relationships may refer to nodes of the same batch; ids are mapped after each commit.
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  if (header === undefined) throw bad(1, 'the dump is empty');
  if (end === undefined) {
    throw bad(lineNo, 'the dump is truncated (no end line); the restored data is incomplete');
  }
  if (Number(end.nodes) !== nodes || Number(end.relationships) !== relationships) {
    throw bad(
      lineNo,
      `the end line counts ${String(end.nodes)} nodes and ${String(end.relationships)} relationships, the dump holds ${nodes} and ${relationships}`,
    );
  }
  const after = handle.stats();
  return {
    nodes,
    relationships,
    indexes,
    bytes: after.bytes,
    source: {
      nodes: Number(header.nodes),
      relationships: Number(header.relationships),
      bytes: Number(header.bytes),
    },
  };
}
