/**
 * REST CRUD on nodes and relationships, straight on the caller's namespace handle (no
 * Cypher). Writes carry the tenant's storage quota; responses use the lossless value
 * encoding of serialize.ts.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { NexusError } from '../../errors.js';
import type { GraphWriter, NodeId, PropertyMap, PropertyValue } from '../../storage/types.js';
import {
  addUsage,
  ID_PARAMS,
  JSON_TYPE,
  namespaceOf,
  parseId,
  writeOptionsOf,
  type RouteServices,
} from '../route-services.js';
import { jsonToCheckedProperties, jsonToCheckedPropertyMap } from '../../engine/property-json.js';
import { serializeNodeRecord, serializeRelationshipRecord } from '../serialize.js';

const NAME = { type: 'string', minLength: 1, maxLength: 1024 } as const;
const PROPERTIES = {
  type: 'object',
  additionalProperties: true,
  description: 'Property values: boolean, number, string, {"$int"}/{"$float"} escapes, or lists of those',
} as const;
const NODE = {
  type: 'object',
  required: ['id', 'labels', 'properties'],
  properties: {
    id: { type: 'integer' },
    labels: { type: 'array', items: { type: 'string' } },
    properties: PROPERTIES,
  },
} as const;
const RELATIONSHIP = {
  type: 'object',
  required: ['id', 'type', 'start', 'end', 'properties'],
  properties: {
    id: { type: 'integer' },
    type: { type: 'string' },
    start: { type: 'integer' },
    end: { type: 'integer' },
    properties: PROPERTIES,
  },
} as const;
const DELETED = {
  type: 'object',
  required: ['deleted', 'id'],
  properties: {
    deleted: { type: 'boolean' },
    id: { type: 'integer' },
    relationships_deleted: { type: 'integer' },
  },
} as const;

interface IdParams {
  id: string;
}

function externalIdsNotImplemented(): NexusError {
  return new NexusError(
    'NOT_IMPLEMENTED',
    'External node ids are not implemented yet (see docs/COMPATIBILITY.md)',
  );
}

function nodeNotFound(id: number): NexusError {
  return new NexusError('NOT_FOUND', `Node ${id} does not exist`, { details: { id } });
}

function relNotFound(id: number): NexusError {
  return new NexusError('NOT_FOUND', `Relationship ${id} does not exist`, { details: { id } });
}

function send(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply.code(status).type(JSON_TYPE).send(text);
}

function labelsOf(raw: unknown): string[] {
  return [...new Set((raw as string[] | undefined) ?? [])];
}

function mustGetNode(tx: GraphWriter, id: NodeId): void {
  if (tx.getNode(id) === undefined) throw nodeNotFound(id);
}

export const dataRoutes: FastifyPluginAsync<RouteServices> = async (app, services) => {
  const nodeRoute = (summary: string, extra: Record<string, unknown> = {}) => ({
    config: { needsNamespace: true },
    schema: { summary, tags: ['data'], ...extra },
  });

  app.post<{
    Body: {
      labels?: string[];
      properties?: Record<string, unknown>;
      external_id?: string | null;
      conflict_policy?: string | null;
    };
  }>(
    '/data/nodes',
    nodeRoute('Create a node', {
      description:
        '`external_id` / `conflict_policy` (upstream Nexus) are accepted but not implemented yet (501).',
      body: {
        type: 'object',
        additionalProperties: false,
        properties: {
          labels: { type: 'array', items: NAME, maxItems: 64 },
          properties: PROPERTIES,
          external_id: {
            type: ['string', 'null'],
            description: 'Upstream external id (not implemented yet)',
          },
          conflict_policy: { type: ['string', 'null'], enum: ['error', 'match', 'replace', null] },
        },
      },
      response: { 201: NODE },
    }),
    async (req, reply) => {
      if (req.body.external_id != null) throw externalIdsNotImplemented();
      const labels = labelsOf(req.body.labels);
      const properties = jsonToCheckedPropertyMap(req.body.properties);
      const node = await namespaceOf(services, req).write((tx) => {
        const id = tx.createNode(labels, properties);
        return tx.getNode(id)!;
      }, writeOptionsOf(req));
      addUsage(req, { writeQueries: 1, nodesCreated: 1 });
      return send(reply, 201, serializeNodeRecord(node));
    },
  );

  app.get<{ Params: IdParams }>(
    '/data/nodes/:id',
    nodeRoute('Get a node', { params: ID_PARAMS, response: { 200: NODE } }),
    async (req, reply) => {
      const id = parseId(req.params.id, 'node');
      const node = namespaceOf(services, req).read((tx) => tx.getNode(id));
      addUsage(req, { readQueries: 1 });
      if (node === undefined) throw nodeNotFound(id);
      return send(reply, 200, serializeNodeRecord(node));
    },
  );

  const update =
    (replace: boolean) =>
    async (
      req: FastifyRequest<{
        Params: IdParams;
        Body: { properties?: Record<string, unknown>; labels?: string[] };
      }>,
      reply: FastifyReply,
    ) => {
      const id = parseId(req.params.id, 'node');
      const labels = req.body.labels === undefined ? undefined : labelsOf(req.body.labels);
      const node = await namespaceOf(services, req).write((tx) => {
        const current = tx.getNode(id);
        if (current === undefined) throw nodeNotFound(id);
        if (replace) {
          tx.replaceNodeProperties(id, jsonToCheckedPropertyMap(req.body.properties));
        } else {
          for (const [key, value] of jsonToCheckedProperties(req.body.properties, 'properties', true)) {
            tx.setNodeProperty(id, key, value as PropertyValue | null);
          }
        }
        if (labels !== undefined) {
          const remove = current.labels.filter((l) => !labels.includes(l));
          const add = labels.filter((l) => !current.labels.includes(l));
          if (remove.length > 0) tx.removeNodeLabels(id, remove);
          if (add.length > 0) tx.addNodeLabels(id, add);
        }
        return tx.getNode(id)!;
      }, writeOptionsOf(req));
      addUsage(req, { writeQueries: 1 });
      return send(reply, 200, serializeNodeRecord(node));
    };

  const updateBody = (replace: boolean) => ({
    type: 'object',
    additionalProperties: false,
    ...(replace ? { required: ['properties'] } : {}),
    properties: {
      properties: {
        ...PROPERTIES,
        description: replace
          ? 'The new complete property map'
          : 'Properties to set; null removes a property; others are kept',
      },
      labels: { type: 'array', items: NAME, maxItems: 64, description: 'If given, the exact new label set' },
    },
  });

  app.patch(
    '/data/nodes/:id',
    nodeRoute('Merge properties into a node', {
      params: ID_PARAMS,
      body: updateBody(false),
      response: { 200: NODE },
    }),
    update(false),
  );
  app.put(
    '/data/nodes/:id',
    nodeRoute('Replace the properties of a node', {
      params: ID_PARAMS,
      body: updateBody(true),
      response: { 200: NODE },
    }),
    update(true),
  );

  app.delete<{ Params: IdParams; Querystring: { detach?: string } }>(
    '/data/nodes/:id',
    nodeRoute('Delete a node (detach=true also deletes its relationships)', {
      params: ID_PARAMS,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { detach: { type: 'string', enum: ['true', 'false'] } },
      },
      response: { 200: DELETED },
    }),
    async (req) => {
      const id = parseId(req.params.id, 'node');
      const detach = req.query.detach === 'true';
      const relsDeleted = await namespaceOf(services, req).write((tx) => {
        mustGetNode(tx, id);
        const rels = [...new Set([...tx.expand(id, 'both')].map((e) => e.rel))];
        if (rels.length > 0 && !detach) {
          throw new NexusError(
            'CONSTRAINT_VIOLATION',
            `Node ${id} still has ${rels.length} relationship(s); delete them first or pass detach=true`,
            { details: { id, relationships: rels.length } },
          );
        }
        for (const rel of rels) tx.deleteRelationship(rel);
        tx.deleteNode(id);
        return rels.length;
      }, writeOptionsOf(req));
      addUsage(req, { writeQueries: 1, nodesDeleted: 1, relationshipsDeleted: relsDeleted });
      return { deleted: true, id, relationships_deleted: relsDeleted };
    },
  );

  app.post<{
    Body: {
      src?: number;
      dst?: number;
      type?: string;
      source_id?: number;
      target_id?: number;
      rel_type?: string;
      properties?: Record<string, unknown>;
    };
  }>(
    '/data/relationships',
    nodeRoute('Create a relationship', {
      description:
        'Upstream Nexus SDK names are accepted too: source_id (= src), target_id (= dst), rel_type (= type).',
      body: {
        type: 'object',
        additionalProperties: false,
        properties: {
          src: { type: 'integer', minimum: 0, description: 'Start node id' },
          dst: { type: 'integer', minimum: 0, description: 'End node id' },
          type: NAME,
          source_id: { type: 'integer', minimum: 0, description: 'Alias of src (upstream)' },
          target_id: { type: 'integer', minimum: 0, description: 'Alias of dst (upstream)' },
          rel_type: { ...NAME, description: 'Alias of type (upstream)' },
          properties: PROPERTIES,
        },
      },
      response: { 201: RELATIONSHIP },
    }),
    async (req, reply) => {
      const b = req.body;
      const pick = <T>(name: string, a: T | undefined, alias: string, c: T | undefined): T => {
        if (a !== undefined && c !== undefined) {
          throw new NexusError('INVALID_BODY', `Give ${name} or ${alias}, not both`, {
            details: { path: `body.${alias}` },
          });
        }
        const v = a ?? c;
        if (v === undefined) {
          throw new NexusError('INVALID_BODY', `body must have required property '${name}'`, {
            details: { path: `body.${name}` },
          });
        }
        return v;
      };
      const src = pick('src', b.src, 'source_id', b.source_id);
      const dst = pick('dst', b.dst, 'target_id', b.target_id);
      const type = pick('type', b.type, 'rel_type', b.rel_type);
      const properties: PropertyMap = jsonToCheckedPropertyMap(req.body.properties);
      const rel = await namespaceOf(services, req).write((tx) => {
        mustGetNode(tx, src);
        mustGetNode(tx, dst);
        const id = tx.createRelationship(type, src, dst, properties);
        return tx.getRelationship(id)!;
      }, writeOptionsOf(req));
      addUsage(req, { writeQueries: 1, relationshipsCreated: 1 });
      return send(reply, 201, serializeRelationshipRecord(rel));
    },
  );

  app.get<{ Params: IdParams }>(
    '/data/relationships/:id',
    nodeRoute('Get a relationship', { params: ID_PARAMS, response: { 200: RELATIONSHIP } }),
    async (req, reply) => {
      const id = parseId(req.params.id, 'relationship');
      const rel = namespaceOf(services, req).read((tx) => tx.getRelationship(id));
      addUsage(req, { readQueries: 1 });
      if (rel === undefined) throw relNotFound(id);
      return send(reply, 200, serializeRelationshipRecord(rel));
    },
  );

  app.delete<{ Params: IdParams }>(
    '/data/relationships/:id',
    nodeRoute('Delete a relationship', { params: ID_PARAMS, response: { 200: DELETED } }),
    async (req) => {
      const id = parseId(req.params.id, 'relationship');
      await namespaceOf(services, req).write((tx) => {
        if (tx.getRelationship(id) === undefined) throw relNotFound(id);
        tx.deleteRelationship(id);
      }, writeOptionsOf(req));
      addUsage(req, { writeQueries: 1, relationshipsDeleted: 1 });
      return { deleted: true, id };
    },
  );

  // Upstream Nexus forms: the id in the query string or the body instead of the path.
  const idFrom = (query: { id?: string }, body: unknown): number => {
    const raw =
      query.id ??
      (typeof body === 'object' && body !== null
        ? ((body as Record<string, unknown>).id ?? (body as Record<string, unknown>).node_id)
        : undefined);
    if (raw === undefined) {
      throw new NexusError(
        'INVALID_PARAMETER',
        'Give the node id as ?id= or as "id" / "node_id" in the body',
      );
    }
    return parseId(String(raw), 'node');
  };
  const UPSTREAM_QUERY = {
    type: 'object',
    additionalProperties: false,
    properties: {
      id: { type: 'string', pattern: '^[0-9]{1,15}$' },
      detach: { type: 'string', enum: ['true', 'false'] },
    },
  } as const;
  const UPSTREAM_ID = { type: 'integer', minimum: 0 } as const;

  app.get<{ Querystring: { id?: string } }>(
    '/data/nodes',
    nodeRoute('Get a node (upstream form: ?id=)', { querystring: UPSTREAM_QUERY }),
    async (req, reply) => {
      const id = idFrom(req.query, undefined);
      const node = namespaceOf(services, req).read((tx) => tx.getNode(id));
      addUsage(req, { readQueries: 1 });
      if (node === undefined) return send(reply, 200, '{"node":null}');
      return send(reply, 200, `{"node":${serializeNodeRecord(node)}}`);
    },
  );

  app.put<{
    Querystring: { id?: string };
    Body: { id?: number; node_id?: number; properties?: Record<string, unknown> };
  }>(
    '/data/nodes',
    nodeRoute('Merge properties into a node (upstream form: id in the body)', {
      querystring: UPSTREAM_QUERY,
      body: {
        type: 'object',
        additionalProperties: false,
        properties: { id: UPSTREAM_ID, node_id: UPSTREAM_ID, properties: PROPERTIES },
      },
    }),
    async (req, reply) => {
      const id = idFrom(req.query, req.body);
      const node = await namespaceOf(services, req).write((tx) => {
        if (tx.getNode(id) === undefined) throw nodeNotFound(id);
        for (const [key, value] of jsonToCheckedProperties(req.body.properties, 'properties', true)) {
          tx.setNodeProperty(id, key, value as PropertyValue | null);
        }
        return tx.getNode(id)!;
      }, writeOptionsOf(req));
      addUsage(req, { writeQueries: 1 });
      return send(reply, 200, `{"node":${serializeNodeRecord(node)},"message":"Node updated"}`);
    },
  );

  app.delete<{
    Querystring: { id?: string; detach?: string };
    Body: { id?: number; node_id?: number } | undefined;
  }>(
    '/data/nodes',
    nodeRoute(
      'Delete a node (upstream form: ?id= or id in the body; detach=true also deletes its relationships)',
      {
        querystring: UPSTREAM_QUERY,
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { id: UPSTREAM_ID, node_id: UPSTREAM_ID },
        },
      },
    ),
    async (req) => {
      const id = idFrom(req.query, req.body);
      const detach = req.query.detach === 'true';
      const relsDeleted = await namespaceOf(services, req).write((tx) => {
        mustGetNode(tx, id);
        const rels = [...new Set([...tx.expand(id, 'both')].map((e) => e.rel))];
        if (rels.length > 0 && !detach) {
          throw new NexusError(
            'CONSTRAINT_VIOLATION',
            `Node ${id} still has ${rels.length} relationship(s); delete them first or pass detach=true`,
            { details: { id, relationships: rels.length } },
          );
        }
        for (const rel of rels) tx.deleteRelationship(rel);
        tx.deleteNode(id);
        return rels.length;
      }, writeOptionsOf(req));
      addUsage(req, { writeQueries: 1, nodesDeleted: 1, relationshipsDeleted: relsDeleted });
      return { deleted: true, id, relationships_deleted: relsDeleted, message: 'Node deleted' };
    },
  );

  app.get<{ Querystring: { external_id?: string } }>(
    '/data/nodes/by-external-id',
    nodeRoute('Get a node by its external id (upstream; not implemented yet: 501)', {
      querystring: {
        type: 'object',
        additionalProperties: false,
        required: ['external_id'],
        properties: { external_id: { type: 'string', minLength: 1 } },
      },
    }),
    async () => {
      throw externalIdsNotImplemented();
    },
  );
};
