/**
 * POST /ingest: bulk import of nodes and relationships. A JSON body is ONE write
 * transaction: every item is converted and checked before the transaction starts, and
 * references are resolved inside it, so a malformed item is reported with its section and
 * index and nothing is imported. In cluster mode the control plane is asked first
 * (checkImport). An NDJSON body (`application/x-ndjson`) is streamed in batches, each its
 * own transaction (ndjson-ingest.ts); it bypasses the JSON body limit, capping each line.
 */
import type { FastifyPluginAsync } from 'fastify';
import { NexusError } from '../../errors.js';
import type { NodeId, PropertyMap } from '../../storage/types.js';
import { addUsage, contextOf, namespaceOf, writeOptionsOf, type RouteServices } from '../route-services.js';
import { jsonToCheckedPropertyMap } from '../../engine/property-json.js';
import type { Readable } from 'node:stream';
import {
  DEFAULT_NDJSON_BATCH,
  MAX_NDJSON_BATCH,
  NDJSON_CONTENT_TYPE,
  ingestNdjson,
} from './ndjson-ingest.js';

interface IngestNode {
  ref?: string;
  labels?: string[];
  properties?: Record<string, unknown>;
}
interface IngestRel {
  src: number | string;
  dst: number | string;
  type: string;
  properties?: Record<string, unknown>;
}
interface IngestBody {
  nodes?: IngestNode[];
  relationships?: IngestRel[];
}

const NAME = { type: 'string', minLength: 1, maxLength: 1024 } as const;
const ENDPOINT = {
  oneOf: [
    { type: 'integer', minimum: 0, description: 'An existing node id' },
    { type: 'string', minLength: 1, description: 'The ref of a node in this batch' },
  ],
} as const;

function itemError(section: string, index: number, message: string): NexusError {
  return new NexusError('INVALID_BODY', `${section}[${index}]: ${message}; nothing was imported`, {
    details: { section, index },
  });
}

export const ingestRoutes: FastifyPluginAsync<RouteServices> = async (app, services) => {
  // The raw request stream, unbuffered: the body limit does not apply, ndjsonLines caps lines.
  app.addContentTypeParser(NDJSON_CONTENT_TYPE, (_req, payload, done) => {
    done(null, payload);
  });
  app.post<{ Body: IngestBody | Readable; Querystring: { batch_size?: string } }>(
    '/ingest',
    {
      config: { needsNamespace: true },
      schema: {
        summary:
          'Bulk import nodes and relationships: a JSON body in one transaction, or an NDJSON stream in batches',
        tags: ['data'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            batch_size: {
              type: 'string',
              pattern: '^[1-9][0-9]{0,5}$',
              description: `NDJSON only: lines per transaction, 1 to ${MAX_NDJSON_BATCH} (default ${DEFAULT_NDJSON_BATCH})`,
            },
          },
        },
        body: {
          content: {
            [NDJSON_CONTENT_TYPE]: {
              schema: {
                description:
                  'One item per line: a node {ref?, labels?, properties?} or a relationship {src, dst, type, properties?}',
              },
            },
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                properties: {
                  nodes: {
                    type: 'array',
                    items: {
                      type: 'object',
                      additionalProperties: false,
                      properties: {
                        ref: { type: 'string', minLength: 1 },
                        labels: { type: 'array', items: NAME },
                        properties: { type: 'object', additionalProperties: true },
                      },
                    },
                  },
                  relationships: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['src', 'dst', 'type'],
                      additionalProperties: false,
                      properties: {
                        src: ENDPOINT,
                        dst: ENDPOINT,
                        type: NAME,
                        properties: { type: 'object', additionalProperties: true },
                      },
                    },
                  },
                },
              },
            },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['nodes_created', 'relationships_created', 'elapsed_ms'],
            properties: {
              nodes_created: { type: 'integer' },
              relationships_created: { type: 'integer' },
              elapsed_ms: { type: 'number' },
              items_per_second: { type: 'number' },
              lines: { type: 'integer', description: 'NDJSON: lines read' },
              batches: { type: 'integer', description: 'NDJSON: transactions committed' },
              refs: { type: 'object', additionalProperties: { type: 'integer' } },
            },
          },
        },
      },
    },
    async (req) => {
      if (req.headers['content-type']?.split(';')[0]?.trim().toLowerCase() === NDJSON_CONTENT_TYPE) {
        const batch =
          req.query.batch_size === undefined ? DEFAULT_NDJSON_BATCH : Number(req.query.batch_size);
        if (batch > MAX_NDJSON_BATCH) {
          throw new NexusError('INVALID_PARAMETER', `batch_size must be at most ${MAX_NDJSON_BATCH}`);
        }
        return ingestNdjson(req, services, req.body as Readable, batch);
      }
      const body = req.body as IngestBody;
      const start = performance.now();
      const nodesIn = body.nodes ?? [];
      const relsIn = body.relationships ?? [];

      // Convert everything up front: errors name the item, and the transaction stays short.
      const refIndex = new Map<string, number>();
      const nodes: { labels: string[]; properties: PropertyMap }[] = nodesIn.map((n, i) => {
        if (n.ref !== undefined) {
          if (refIndex.has(n.ref)) throw itemError('nodes', i, `duplicate ref ${JSON.stringify(n.ref)}`);
          refIndex.set(n.ref, i);
        }
        try {
          return { labels: [...new Set(n.labels ?? [])], properties: jsonToCheckedPropertyMap(n.properties) };
        } catch (err) {
          throw itemError('nodes', i, (err as Error).message);
        }
      });
      const rels = relsIn.map((r, i) => {
        for (const end of [r.src, r.dst]) {
          if (typeof end === 'string' && !refIndex.has(end)) {
            throw itemError('relationships', i, `unknown ref ${JSON.stringify(end)}`);
          }
        }
        try {
          return { src: r.src, dst: r.dst, type: r.type, properties: jsonToCheckedPropertyMap(r.properties) };
        } catch (err) {
          throw itemError('relationships', i, (err as Error).message);
        }
      });

      const tenant = req.tenantId;
      if (tenant !== null && services.clusterGate !== null) {
        // The request size approximates the stored size; chunked bodies have no length header.
        const estimated =
          Number(req.headers['content-length'] ?? 0) || Buffer.byteLength(JSON.stringify(body), 'utf8');
        await services.clusterGate.checkImport(tenant, estimated);
      }

      const ids = await namespaceOf(services, req).write((tx) => {
        const created: NodeId[] = nodes.map((n) => tx.createNode(n.labels, n.properties));
        rels.forEach((r, i) => {
          const resolve = (end: number | string): NodeId => {
            if (typeof end === 'string') return created[refIndex.get(end)!]!;
            if (tx.getNode(end) === undefined)
              throw itemError('relationships', i, `node ${end} does not exist`);
            return end;
          };
          tx.createRelationship(r.type, resolve(r.src), resolve(r.dst), r.properties);
        });
        return created;
      }, writeOptionsOf(req));

      addUsage(req, { writeQueries: 1, nodesCreated: nodes.length, relationshipsCreated: rels.length });
      const elapsed = performance.now() - start;
      // Own data properties (as MCP's ingest builds them): assigning refs["__proto__"] would
      // set the prototype instead, and that ref's id went missing from the answer.
      const refs: Record<string, number> = Object.fromEntries(
        [...refIndex].map(([ref, index]) => [ref, ids[index]!]),
      );
      req.log.debug({ keyId: contextOf(req).keyId, nodes: nodes.length, rels: rels.length }, 'ingest');
      return {
        nodes_created: nodes.length,
        relationships_created: rels.length,
        elapsed_ms: Math.round(elapsed * 1000) / 1000,
        items_per_second: elapsed > 0 ? Math.round(((nodes.length + rels.length) * 1000) / elapsed) : 0,
        refs,
      };
    },
  );
};
