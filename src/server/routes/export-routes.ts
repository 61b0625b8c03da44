/**
 * GET /export: streams the caller's own graph (in cluster mode, the tenant's namespace
 * only) as JSON lines in the dump format of src/engine/graph-dump.ts, read from one
 * snapshot, so a tenant can take its data out while writes go on. `nexus dump --url`
 * compresses this stream into a file that `nexus restore` reads.
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { dumpLines } from '../../engine/graph-dump.js';
import { addUsage, namespaceOf, type RouteServices } from '../route-services.js';

export const exportRoutes: FastifyPluginAsync<RouteServices> = async (app, services) => {
  app.get(
    '/export',
    {
      config: { needsNamespace: true },
      schema: {
        summary: 'Export the caller’s graph as JSON lines (the nexus dump format)',
        description:
          'One header line ({"type":"header","format":"nexus-dump","version":1,nodes,relationships,bytes}), ' +
          'then index, node and relationship lines, then {"type":"end",nodes,relationships}. Values use the ' +
          'lossless JSON scheme of POST /cypher. Consistent: read from one snapshot.',
        tags: ['data'],
        produces: ['application/x-ndjson'],
      },
    },
    async (req, reply) => {
      const handle = namespaceOf(services, req);
      addUsage(req, { readQueries: 1 });
      const lines = dumpLines(handle);
      const stream = Readable.from(
        (async function* () {
          for await (const line of lines) yield `${line}\n`;
        })(),
      );
      reply.header('content-disposition', 'attachment; filename="nexus-export.jsonl"');
      reply.type('application/x-ndjson; charset=utf-8');
      return reply.send(stream);
    },
  );
};
