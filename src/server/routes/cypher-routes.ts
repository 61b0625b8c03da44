/**
 * POST /cypher: runs one Cypher statement in the caller's namespace through the request
 * core, which runs it read-only for a key without WRITE (the engine then refuses any query
 * whose plan writes, FORBIDDEN, before touching data; the kind comes from the plan).
 */
import type { FastifyPluginAsync } from 'fastify';
import { scopeOf, JSON_TYPE, type RouteServices } from '../route-services.js';
import { jsonToParams, serializeQueryResult } from '../serialize.js';

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
      const params = jsonToParams(req.body.params);
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
