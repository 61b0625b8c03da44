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
import { NexusError } from '../../errors.js';
import { DEFAULT_DATABASE_NAME, isDefaultDatabase } from '../../service/default-database.js';

interface CypherBody {
  query: string;
  params?: Record<string, unknown> | null;
  /** Upstream Nexus SDKs' name for `params`. */
  parameters?: Record<string, unknown> | null;
  /** Upstream: the database to run in; only the default one exists so far. */
  database?: string | null;
  /** Upstream: a per-query timeout, capped by query.timeout_ms. */
  timeout_ms?: number | null;
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
            params: { type: ['object', 'null'], additionalProperties: true },
            parameters: {
              type: ['object', 'null'],
              additionalProperties: true,
              description: 'Alias of params (upstream Nexus SDKs); give one of the two',
            },
            database: {
              type: ['string', 'null'],
              description: `Database name; only the default database (${DEFAULT_DATABASE_NAME}) exists`,
            },
            timeout_ms: {
              type: ['integer', 'null'],
              minimum: 1,
              description: 'Per-query timeout in ms, capped by the server’s query.timeout_ms',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['columns', 'rows', 'execution_time_ms', 'stats'],
            properties: {
              columns: { type: 'array', items: { type: 'string' } },
              rows: { type: 'array', items: { type: 'array', items: {} } },
              execution_time_ms: { type: 'integer', description: 'Whole milliseconds (rounded)' },
              execution_time_ms_precise: { type: 'number', description: 'Milliseconds, to the microsecond' },
              stats: STATS_SCHEMA,
            },
          },
        },
      },
    },
    async (req, reply) => {
      const ctx = contextOf(req);
      const body = req.body;
      if (body.params != null && body.parameters != null) {
        throw new NexusError('INVALID_BODY', 'Give params or parameters, not both', {
          details: { path: 'body.parameters' },
        });
      }
      if (body.database != null && !isDefaultDatabase(body.database)) {
        throw new NexusError('DATABASE_NOT_FOUND', `Database '${body.database}' does not exist`, {
          details: { database: body.database },
        });
      }
      const params = jsonToParams(body.params ?? body.parameters ?? undefined);
      const timeoutMs =
        body.timeout_ms == null
          ? config.query.timeout_ms
          : config.query.timeout_ms === 0
            ? body.timeout_ms
            : Math.min(body.timeout_ms, config.query.timeout_ms);
      const start = performance.now();
      const result = await db.execute(req.body.query, params, {
        namespace: ctx.namespace,
        accessMode: hasPermission(ctx, 'WRITE') ? 'write' : 'read',
        timeoutMs,
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
