/**
 * GET /health: liveness plus, in cluster mode, the control plane's reachability and breaker
 * state; SUPER keys also get the process-wide figures (quota cache hit rate, usage outbox and
 * deliveries, last error). Public in standalone mode; needs any valid key in cluster mode
 * (the auth hook decides).
 */
import type { FastifyPluginAsync } from 'fastify';
import { hasPermission } from '../../auth/permissions.js';
import type { RouteServices } from '../route-services.js';

export const healthRoutes: FastifyPluginAsync<RouteServices> = async (app, services) => {
  const { clusterGate, storageStatus, version, startedAt } = services;
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
              reasons: { type: 'array', items: { type: 'string' } },
              storage: {
                type: 'object',
                properties: {
                  full: { type: 'boolean' },
                  reason: { type: ['string', 'null'] },
                },
              },
              cluster: {
                type: 'object',
                additionalProperties: true,
                properties: {
                  control_plane_reachable: { type: 'boolean' },
                  breaker_state: { type: 'string', enum: ['closed', 'open', 'half-open', 'isolated'] },
                  last_error: { type: ['string', 'null'] },
                  quota_cache_hit_rate: { type: 'number' },
                  outbox_depth: { type: 'integer' },
                  usage_reports_sent: { type: 'integer' },
                  usage_reports_failed: { type: 'integer' },
                },
              },
            },
          },
        },
      },
    },
    async (req) => {
      const body: Record<string, unknown> = {
        status: 'ok',
        version,
        uptime_seconds: Math.round((Date.now() - startedAt) / 1000),
      };
      const reasons: string[] = [];
      const storage = storageStatus?.();
      if (storage !== undefined) {
        // Sizes are instance-wide (they move with every tenant's writes): in cluster mode only
        // SUPER sees them; others see only whether growing writes are refused.
        const detailed = clusterGate === null || (req.ctx !== null && hasPermission(req.ctx, 'SUPER'));
        const reason = !storage.full
          ? null
          : detailed && storage.reason !== null
            ? storage.reason
            : 'storage full: writes that grow the store fail with STORAGE_FULL';
        body.storage = { full: storage.full, reason };
        if (reason !== null) {
          body.status = 'degraded';
          reasons.push(reason);
        }
      }
      if (clusterGate !== null) {
        const status = clusterGate.status();
        const cluster: Record<string, unknown> = {
          control_plane_reachable: status.reachable,
          breaker_state: status.breakerState,
        };
        body.cluster = cluster;
        // The rest is process-wide and moves with every tenant's traffic (a tenant polling the
        // cache hit rate or the report counters could follow other tenants' activity), and
        // error texts may name the tenant whose lookup failed: operator (SUPER) only.
        if (req.ctx !== null && hasPermission(req.ctx, 'SUPER')) {
          Object.assign(cluster, {
            last_error: status.lastError,
            quota_cache_hit_rate: status.cacheHitRate,
            outbox_depth: status.outboxDepth,
            usage_reports_sent: status.reportsSent,
            usage_reports_failed: status.reportsFailed,
          });
        }
        if (!status.reachable) {
          body.status = 'degraded';
          reasons.push('the control plane (HiveHub) is unreachable');
        }
      }
      if (reasons.length > 0) body.reasons = reasons;
      return body;
    },
  );
};
