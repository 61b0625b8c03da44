/**
 * GET /stats: counts of the caller's namespace (in cluster mode, the tenant's own graph
 * only) plus process figures. Per-type relationship counts need a scan of the
 * relationships, so this is O(relationships); labels are counted from the label index.
 */
import type { FastifyPluginAsync } from 'fastify';
import { addUsage, namespaceOf, type RouteServices } from '../route-services.js';

export const statsRoutes: FastifyPluginAsync<RouteServices> = async (app, services) => {
  app.get(
    '/stats',
    {
      config: { needsNamespace: true },
      schema: {
        summary: 'Graph and server statistics of the caller’s namespace',
        tags: ['server'],
        response: {
          200: {
            type: 'object',
            required: [
              'nodes',
              'relationships',
              'labels',
              'relationship_types',
              'storage_bytes',
              'uptime_seconds',
              'version',
            ],
            properties: {
              nodes: { type: 'integer' },
              relationships: { type: 'integer' },
              labels: { type: 'object', additionalProperties: { type: 'integer' } },
              relationship_types: { type: 'object', additionalProperties: { type: 'integer' } },
              storage_bytes: { type: 'integer' },
              uptime_seconds: { type: 'number' },
              version: { type: 'string' },
              node_count: { type: 'integer', description: 'Same as nodes (upstream Nexus name)' },
              relationship_count: {
                type: 'integer',
                description: 'Same as relationships (upstream Nexus name)',
              },
            },
          },
        },
      },
    },
    async (req) => {
      const handle = namespaceOf(services, req);
      // Counted like the MCP get_stats tool: one read.
      addUsage(req, { readQueries: 1 });
      return handle.read((tx) => {
        const stats = tx.stats();
        // Maps, turned into own properties at the end: a label or type named "__proto__"
        // assigned into a plain object set its prototype and vanished from the answer.
        const labels = new Map<string, number>();
        for (const label of tx.labels().sort()) labels.set(label, tx.countNodesByLabel(label));
        const types = new Map<string, number>();
        for (const type of tx.relationshipTypes().sort()) types.set(type, 0);
        for (const id of tx.scanRelationships()) {
          const rel = tx.getRelationship(id);
          if (rel !== undefined) types.set(rel.type, (types.get(rel.type) ?? 0) + 1);
        }
        return {
          nodes: stats.nodes,
          relationships: stats.relationships,
          labels: Object.fromEntries(labels),
          relationship_types: Object.fromEntries(types),
          storage_bytes: stats.bytes,
          uptime_seconds: Math.round((Date.now() - services.startedAt) / 1000),
          version: services.version,
          node_count: stats.nodes,
          relationship_count: stats.relationships,
        };
      });
    },
  );
};
