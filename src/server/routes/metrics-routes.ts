/**
 * GET /metrics in Prometheus text format. The registry holds only process-level and
 * aggregate HTTP / query / error figures (no tenant labels), storage bytes and, in cluster
 * mode, the control plane's state. In cluster mode the view is global (storage is the total
 * of all tenants), so it needs a SUPER key; standalone it needs any key when auth is on.
 */
import type { FastifyPluginAsync } from 'fastify';
import { requirePermission } from '../../auth/permissions.js';
import { contextOf, type RouteServices } from '../route-services.js';

export const metricsRoutes: FastifyPluginAsync<RouteServices> = async (app, services) => {
  const { metrics, config, clusterGate } = services;
  if (clusterGate !== null) metrics.trackControlPlane(() => clusterGate.status());
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
      if (config.cluster.enabled) requirePermission(contextOf(req), 'SUPER');
      reply.type(metrics.contentType);
      return metrics.render();
    },
  );
};
