/**
 * GET /openapi.json: the OpenAPI document generated from the registered routes' schemas.
 */
import type { FastifyPluginAsync } from 'fastify';
import { JSON_TYPE, type RouteServices } from '../route-services.js';

export const openapiRoutes: FastifyPluginAsync<RouteServices> = async (app, services) => {
  app.get(
    '/openapi.json',
    { schema: { summary: 'This API as an OpenAPI 3.1 document', tags: ['server'] } },
    async (_req, reply) => {
      reply.type(JSON_TYPE);
      return services.openapi.text();
    },
  );
};
