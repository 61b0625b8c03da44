/**
 * GET /schema/*: the catalog names in use in the caller's namespace (labels, relationship
 * types, property keys) and its indexes.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { GraphReader } from '../../storage/types.js';
import { addUsage, namespaceOf, type RouteServices } from '../route-services.js';

function listRoute(key: string, summary: string) {
  return {
    config: { needsNamespace: true },
    schema: {
      summary,
      tags: ['schema'],
      response: {
        200: {
          type: 'object',
          required: [key],
          properties: { [key]: { type: 'array', items: { type: 'string' } } },
        },
      },
    },
  };
}

export const schemaRoutes: FastifyPluginAsync<RouteServices> = async (app, services) => {
  const names =
    (key: string, read: (tx: GraphReader) => string[]) => async (req: Parameters<typeof namespaceOf>[1]) => {
      // Counted like the MCP list_labels / get_schema tools: one read.
      addUsage(req, { readQueries: 1 });
      return { [key]: namespaceOf(services, req).read((tx) => read(tx).sort()) };
    };

  app.get(
    '/schema/labels',
    listRoute('labels', 'Node labels in use'),
    names('labels', (tx) => tx.labels()),
  );
  app.get(
    '/schema/rel_types',
    listRoute('relationship_types', 'Relationship types in use'),
    names('relationship_types', (tx) => tx.relationshipTypes()),
  );
  app.get(
    '/schema/property_keys',
    listRoute('property_keys', 'Property keys in use'),
    names('property_keys', (tx) => tx.propertyKeys()),
  );
  app.get(
    '/schema/indexes',
    {
      config: { needsNamespace: true },
      schema: {
        summary: 'Property indexes',
        tags: ['schema'],
        response: {
          200: {
            type: 'object',
            required: ['indexes'],
            properties: {
              indexes: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['name', 'label', 'property'],
                  properties: {
                    name: { type: 'string' },
                    label: { type: 'string' },
                    property: { type: 'string' },
                  },
                },
              },
            },
          },
        },
      },
    },
    async (req) => {
      addUsage(req, { readQueries: 1 });
      return {
        indexes: namespaceOf(services, req).read((tx) =>
          tx.indexes().map((i) => ({ name: i.name, label: i.label, property: i.property })),
        ),
      };
    },
  );
};
