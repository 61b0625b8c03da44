/**
 * GET /cluster/usage (cluster mode only): the caller's own usage, quotas and rate-limit
 * state. A SUPER key may ask about any tenant with `?user_id=`; nobody else may.
 */
import type { FastifyPluginAsync } from 'fastify';
import { hasPermission } from '../../auth/permissions.js';
import { isValidUserId } from '../../cluster/namespace.js';
import { NexusError } from '../../errors.js';
import { contextOf, type RouteServices } from '../route-services.js';

export const clusterRoutes: FastifyPluginAsync<RouteServices> = async (app, services) => {
  const gate = services.clusterGate!;
  app.get<{ Querystring: { user_id?: string } }>(
    '/cluster/usage',
    {
      schema: {
        summary: 'Usage, quotas and rate-limit state of the caller’s tenant',
        tags: ['cluster'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            user_id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,128}$', description: 'SUPER only' },
          },
        },
        response: { 200: { type: 'object', additionalProperties: true } },
      },
    },
    async (req) => {
      const ctx = contextOf(req);
      const asked = req.query.user_id;
      let userId = ctx.userId;
      if (asked !== undefined && asked !== ctx.userId) {
        if (!hasPermission(ctx, 'SUPER')) {
          throw new NexusError('FORBIDDEN', 'Only a SUPER key may read another tenant’s usage');
        }
        userId = asked;
      }
      if (userId === null || !isValidUserId(userId)) {
        throw new NexusError('INVALID_PARAMETER', 'This key has no tenant; a SUPER key must pass ?user_id=', {
          details: { parameter: 'user_id' },
        });
      }
      if (asked !== undefined && asked !== ctx.userId) {
        req.log.info({ keyId: ctx.keyId, tenant: userId }, 'SUPER key read tenant usage');
      }
      return gate.usageOf(userId);
    },
  );
};
