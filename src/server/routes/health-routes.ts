/**
 * GET /health: liveness plus, in cluster mode, the control plane's reachability. Public in
 * standalone mode; needs any valid key in cluster mode (the auth hook decides).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { RouteServices } from '../route-services.js';

export const healthRoutes: FastifyPluginAsync<RouteServices> = async (app, services) => {
  const { clusterGate, version, startedAt } = services;
  app.get(
    '/health',
    {
      schema: {
        summary: 'Liveness check',
        tags: ['server'],
        response: {
          200: {
            type: 'object',
            required: ['status', 'version', 'uptime_seconds'],
            properties: {
              status: { type: 'string', enum: ['ok', 'degraded'] },
              version: { type: 'string' },
              uptime_seconds: { type: 'number' },
              cluster: {
                type: 'object',
                additionalProperties: true,
                properties: {
                  control_plane_reachable: { type: 'boolean' },
                  breaker_state: { type: 'string' },
                },
              },
            },
          },
        },
      },
    },
    async () => {
      const body: Record<string, unknown> = {
        status: 'ok',
        version,
        uptime_seconds: Math.round((Date.now() - startedAt) / 1000),
      };
      if (clusterGate !== null) {
        const status = clusterGate.status();
        // Only the gate's own health: nothing here is about any particular tenant.
        body.cluster = {
          control_plane_reachable: status.reachable,
          breaker_state: status.breakerState,
          outbox_depth: status.outboxDepth,
        };
        if (!status.reachable) body.status = 'degraded';
      }
      return body;
    },
  );
};
