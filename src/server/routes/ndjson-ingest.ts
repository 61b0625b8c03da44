/**
 * POST /ingest with `Content-Type: application/x-ndjson`: a stream of any size, one item
 * per line — a node `{"ref"?, "labels"?, "properties"?}` or a relationship
 * `{"src", "dst", "type", "properties"?}` (a line with `src` is a relationship; `src` and
 * `dst` are node ids or refs of nodes sent earlier in the stream). The body is read as a
 * stream, never buffered whole: lines are capped at `server.body_limit_bytes`, and every
 * `batch_size` lines are one transaction (quota-checked on their own) written before the
 * next lines are read, so a fast client is held back by TCP flow control. A malformed
 * line stops the stream with an error naming the line; the batches before it stay
 * committed and the error says how many.
 */
import type { FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { NexusError } from '../../errors.js';
import { jsonToCheckedPropertyMap } from '../../engine/property-json.js';
import type { NodeId, PropertyMap } from '../../storage/types.js';
import { parseJsonBody } from '../json-body.js';
import { addUsage, namespaceOf, writeOptionsOf, type RouteServices } from '../route-services.js';

export const NDJSON_CONTENT_TYPE = 'application/x-ndjson';
export const DEFAULT_NDJSON_BATCH = 10_000;
export const MAX_NDJSON_BATCH = 100_000;
/** Refs remembered across batches (each costs a map entry for the whole stream). */
export const MAX_NDJSON_REFS = 1_000_000;

const NEWLINE = 0x0a;

/** Complete lines of a byte stream with their 1-based numbers; a line over `maxBytes` throws. */
export async function* ndjsonLines(
  stream: AsyncIterable<Buffer | string>,
  maxBytes: number,
): AsyncGenerator<{ text: string; line: number; bytes: number }> {
  let parts: Buffer[] = [];
  let partBytes = 0;
  let line = 0;
  const tooLong = (): NexusError =>
    new NexusError('PAYLOAD_TOO_LARGE', `line ${line + 1} is longer than the ${maxBytes}-byte line limit`, {
      details: { line: line + 1, max_line_bytes: maxBytes },
    });
  for await (const raw of stream) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, from);
      if (nl < 0) break;
      const piece = chunk.subarray(from, nl);
      if (partBytes + piece.length > maxBytes) throw tooLong();
      const buf = parts.length === 0 ? piece : Buffer.concat([...parts, piece]);
      parts = [];
      partBytes = 0;
      line++;
      yield { text: buf.toString('utf8'), line, bytes: buf.length + 1 };
      from = nl + 1;
    }
    if (from < chunk.length) {
      const rest = chunk.subarray(from);
      partBytes += rest.length;
      if (partBytes > maxBytes) throw tooLong();
      // Copy: the chunk may be reused by the stream.
      parts.push(Buffer.from(rest));
    }
  }
  if (partBytes > 0) {
    line++;
    const buf = Buffer.concat(parts);
    yield { text: buf.toString('utf8'), line, bytes: buf.length };
  }
}

type Item =
  | { kind: 'node'; ref: string | undefined; labels: string[]; properties: PropertyMap }
  | { kind: 'rel'; src: number | string; dst: number | string; type: string; properties: PropertyMap };

const NODE_KEYS = new Set(['ref', 'labels', 'properties']);
const REL_KEYS = new Set(['src', 'dst', 'type', 'properties']);

function isName(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= 1024;
}

function isEndpoint(v: unknown): v is number | string {
  return (
    (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) || (typeof v === 'string' && v.length > 0)
  );
}

/** One line as an item; throws a plain message (the caller adds the line number). */
function toItem(text: string): Item {
  const v = parseJsonBody(text);
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new Error('a line must be a JSON object');
  const o = v as Record<string, unknown>;
  if ('src' in o || 'dst' in o) {
    for (const k of Object.keys(o))
      if (!REL_KEYS.has(k)) throw new Error(`unknown field ${JSON.stringify(k)} in a relationship`);
    if (!isEndpoint(o.src) || !isEndpoint(o.dst)) throw new Error('src and dst must be node ids or refs');
    if (!isName(o.type)) throw new Error('a relationship needs a type (1 to 1024 characters)');
    return {
      kind: 'rel',
      src: o.src,
      dst: o.dst,
      type: o.type,
      properties: jsonToCheckedPropertyMap(o.properties),
    };
  }
  for (const k of Object.keys(o))
    if (!NODE_KEYS.has(k)) throw new Error(`unknown field ${JSON.stringify(k)} in a node`);
  if (o.ref !== undefined && !(typeof o.ref === 'string' && o.ref.length > 0))
    throw new Error('ref must be a non-empty string');
  if (o.labels !== undefined && !(Array.isArray(o.labels) && o.labels.every(isName))) {
    throw new Error('labels must be an array of names (1 to 1024 characters)');
  }
  return {
    kind: 'node',
    ref: o.ref as string | undefined,
    labels: [...new Set((o.labels as string[] | undefined) ?? [])],
    properties: jsonToCheckedPropertyMap(o.properties),
  };
}

export interface NdjsonSummary {
  nodes_created: number;
  relationships_created: number;
  lines: number;
  batches: number;
  elapsed_ms: number;
  items_per_second: number;
}

export async function ingestNdjson(
  req: FastifyRequest,
  services: RouteServices,
  body: Readable,
  batchSize: number,
): Promise<NdjsonSummary> {
  const start = performance.now();
  const handle = namespaceOf(services, req);
  const refs = new Map<string, NodeId>();
  const summary = { nodes_created: 0, relationships_created: 0, lines: 0, batches: 0 };
  let batch: { item: Item; line: number }[] = [];
  let batchBytes = 0;

  const fail = (
    line: number,
    message: string,
    code: 'IMPORT_INVALID_ROW' | 'PAYLOAD_TOO_LARGE' = 'IMPORT_INVALID_ROW',
  ) =>
    new NexusError(
      code,
      `line ${line}: ${message}; ${summary.batches} earlier batch(es) with ${summary.nodes_created} nodes and ${summary.relationships_created} relationships were committed, nothing after`,
      { details: { line, committed: { ...summary } } },
    );

  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const items = batch;
    const bytes = batchBytes;
    batch = [];
    batchBytes = 0;
    const tenant = req.tenantId;
    if (tenant !== null && services.clusterGate !== null)
      await services.clusterGate.checkImport(tenant, bytes);
    let nodes = 0;
    let rels = 0;
    const newRefs = await handle.write((tx) => {
      const local = new Map<string, NodeId>();
      for (const { item, line } of items) {
        if (item.kind === 'node') {
          const id = tx.createNode(item.labels, item.properties);
          nodes++;
          if (item.ref !== undefined) local.set(item.ref, id);
          continue;
        }
        const resolve = (end: number | string): NodeId => {
          if (typeof end === 'string') {
            const id = local.get(end) ?? refs.get(end);
            if (id === undefined) throw fail(line, `unknown ref ${JSON.stringify(end)}`);
            return id;
          }
          if (tx.getNode(end) === undefined) throw fail(line, `node ${end} does not exist`);
          return end;
        };
        tx.createRelationship(item.type, resolve(item.src), resolve(item.dst), item.properties);
        rels++;
      }
      return local;
    }, writeOptionsOf(req));
    for (const [ref, id] of newRefs) refs.set(ref, id);
    summary.nodes_created += nodes;
    summary.relationships_created += rels;
    summary.batches++;
    addUsage(req, { writeQueries: 1, nodesCreated: nodes, relationshipsCreated: rels });
  };

  const seen = new Set<string>();
  for await (const { text, line, bytes } of ndjsonLines(body, services.config.server.body_limit_bytes)) {
    summary.lines = line;
    if (text.trim().length === 0) continue;
    let item: Item;
    try {
      item = toItem(text);
    } catch (err) {
      throw fail(line, (err as Error).message);
    }
    if (item.kind === 'node' && item.ref !== undefined) {
      if (seen.has(item.ref)) throw fail(line, `duplicate ref ${JSON.stringify(item.ref)}`);
      if (seen.size >= MAX_NDJSON_REFS) throw fail(line, `more than ${MAX_NDJSON_REFS} refs in one stream`);
      seen.add(item.ref);
    }
    batch.push({ item, line });
    batchBytes += bytes;
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  const elapsed = performance.now() - start;
  const items = summary.nodes_created + summary.relationships_created;
  return {
    ...summary,
    elapsed_ms: Math.round(elapsed * 1000) / 1000,
    items_per_second: elapsed > 0 ? Math.round((items * 1000) / elapsed) : 0,
  };
}
