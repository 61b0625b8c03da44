/**
 * POST /cypher: runs one Cypher statement in the caller's namespace. A key without WRITE
 * runs it with accessMode 'read', so the engine refuses any query whose plan writes
 * (FORBIDDEN) before touching data; the query kind comes from the plan, not the text.
 */
import type { FastifyPluginAsync } from 'fastify';
import { hasPermission } from '../../auth/permissions.js';
import { contextOf, addQueryUsage, JSON_TYPE, type RouteServices } from '../route-services.js';
import { jsonToParams, serializeQueryResult } from '../serialize.js';
import { effectiveWriteTimeoutMs } from '../../config/index.js';

interface CypherBody {
  query: string;
  params?: Record<string, unknown>;
}

const STATS_SCHEMA = {
  type: 'object',
  properties: Object.fromEntries(
    [
      'nodesCreated',
      'nodesDeleted',
      'relationshipsCreated',
      'relationshipsDeleted',
      'propertiesSet',
      'labelsAdded',
      'labelsRemoved',
      'indexesAdded',
      'indexesRemoved',
    ].map((k) => [k, { type: 'integer' }]),
  ),
};

export const cypherRoutes: FastifyPluginAsync<RouteServices> = async (app, services) => {
  const { db, metrics, config } = services;
  const writeTimeoutMs = effectiveWriteTimeoutMs(config);
  app.post<{ Body: CypherBody }>(
    '/cypher',
    {
      config: { needsNamespace: true },
      schema: {
        summary: 'Run a Cypher query',
        description:
          'Integers within ±(2^53-1) are JSON numbers; larger ones are {"$int":"…"}. Floats always carry a ' +
          'fraction or exponent (1.0). See docs/API.md.',
        tags: ['cypher'],
        body: {
          type: 'object',
          required: ['query'],
          additionalProperties: false,
          properties: {
            query: { type: 'string', minLength: 1 },
            params: { type: 'object', additionalProperties: true },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['columns', 'rows', 'execution_time_ms', 'stats'],
            properties: {
              columns: { type: 'array', items: { type: 'string' } },
              rows: { type: 'array', items: { type: 'array', items: {} } },
              execution_time_ms: { type: 'number' },
              stats: STATS_SCHEMA,
            },
          },
        },
      },
    },
    async (req, reply) => {
      const ctx = contextOf(req);
      const params = jsonToParams(req.body.params);
      const start = performance.now();
      const result = await db.execute(req.body.query, params, {
        namespace: ctx.namespace,
        accessMode: hasPermission(ctx, 'WRITE') ? 'write' : 'read',
        timeoutMs: config.query.timeout_ms,
        writeTimeoutMs,
        // A read yields between slices; a client that went away stops it there.
        isCancelled: () => reply.raw.destroyed,
        maxIntermediateRows: config.query.max_intermediate_rows,
        maxQueryMemoryBytes: config.query.max_memory_bytes,
        ...(req.quotaBytes === null ? {} : { maxStorageBytes: req.quotaBytes }),
      });
      const ms = Math.round((performance.now() - start) * 1000) / 1000;
      metrics.countQuery(result.isWrite);
      addQueryUsage(req, result.isWrite, result.stats);
      reply.type(JSON_TYPE);
      let text = serializeQueryResult(result.columns, result.rows, ms, result.stats);
      if (result.plan !== undefined) text = `${text.slice(0, -1)},"plan":${JSON.stringify(result.plan)}}`;
      return text;
    },
  );
};
