/**
 * POST /cypher: runs one Cypher statement in the caller's namespace through the request
 * core, which runs it read-only for a key without WRITE (the engine then refuses any query
 * whose plan writes, FORBIDDEN, before touching data; the kind comes from the plan).
 */
import type { FastifyPluginAsync } from 'fastify';
import { scopeOf, JSON_TYPE, type RouteServices } from '../route-services.js';
import { jsonToParams, serializeQueryResult } from '../serialize.js';
import { NexusError } from '../../errors.js';
import { DEFAULT_DATABASE_NAME, isDefaultDatabase } from '../../service/default-database.js';

interface CypherBody {
  query: string;
  params?: Record<string, unknown> | null;
  /** Upstream Nexus SDKs' name for `params`. */
  parameters?: Record<string, unknown> | null;
  /** Upstream: the database to run in; only the default one exists so far. */
  database?: string | null;
  /** Upstream: a per-query timeout; accepted, the server's query.timeout_ms applies. */
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
  const { core } = services;
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
              description: 'Accepted for upstream clients; the server’s query.timeout_ms applies',
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
      const start = performance.now();
      const result = await core.run(scopeOf(req), req.body.query, params, {
        // A read yields between slices; a client that went away stops it there.
        isCancelled: () => reply.raw.destroyed,
      });
      const ms = Math.round((performance.now() - start) * 1000) / 1000;
      reply.type(JSON_TYPE);
      let text = serializeQueryResult(result.columns, result.rows, ms, result.stats);
      if (result.plan !== undefined) text = `${text.slice(0, -1)},"plan":${JSON.stringify(result.plan)}}`;
      return text;
    },
  );
};
