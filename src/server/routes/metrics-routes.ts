/**
 * GET /metrics in Prometheus text format. The registry holds only process-level and
 * aggregate HTTP / query / error figures (no tenant labels). In cluster mode the view is
 * global, so it needs a SUPER key; standalone it needs any key when auth is on.
 */
import type { FastifyPluginAsync } from 'fastify';
import { requirePermission } from '../../auth/permissions.js';
import type { RouteServices } from '../route-services.js';

export const metricsRoutes: FastifyPluginAsync<RouteServices> = async (app, services) => {
  const { metrics, config } = services;
  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics (text exposition format)',
        description: 'In cluster mode only SUPER keys may read the global metrics.',
        tags: ['server'],
      },
    },
    async (req, reply) => {
      if (config.cluster.enabled && req.ctx !== null) requirePermission(req.ctx, 'SUPER');
      reply.type(metrics.contentType);
      return metrics.render();
    },
  );
};
