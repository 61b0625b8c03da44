/**
 * REST routes for API key management (`/auth/api-keys`, alias `/auth/keys`), as a Fastify plugin the server
 * mounts. Authentication, the ADMIN permission and the `manage_api_keys` function check
 * happen in the server's onRequest hook (ROUTE_FUNCTIONS); the tenant and escalation rules
 * are the `ApiKeyService`'s. The secret appears in exactly one response: the POST.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { NexusError } from '../errors.js';
import type { ApiKeyService, CreateKeyInput, UpdateKeyInput } from './api-key-service.js';
import type { UserContext } from './types.js';
import { PERMISSIONS } from './types.js';
import { FUNCTION_NAMES } from './functions.js';

export interface KeyRoutesOptions {
  keys: ApiKeyService;
  /** The caller's context as the server's onRequest hook resolved it. */
  getContext(request: FastifyRequest): UserContext;
}

const CREATE_FIELDS = new Set(['name', 'user_id', 'permissions', 'allowed_functions', 'expires_at']);
const UPDATE_FIELDS = new Set(['name', 'permissions', 'allowed_functions']);

function objectBody(body: unknown, allowed: ReadonlySet<string>): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new NexusError('INVALID_BODY', 'The body must be a JSON object');
  }
  const unknown = Object.keys(body).filter((k) => !allowed.has(k));
  if (unknown.length > 0) throw new NexusError('INVALID_BODY', `Unknown field(s): ${unknown.join(', ')}`);
  return body as Record<string, unknown>;
}

const keySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    user_id: { type: ['string', 'null'] },
    permissions: { type: 'array', items: { type: 'string', enum: [...PERMISSIONS] } },
    allowed_functions: { type: ['array', 'null'], items: { type: 'string', enum: [...FUNCTION_NAMES] } },
    created_at: { type: 'string' },
    expires_at: { type: ['string', 'null'] },
    revoked_at: { type: ['string', 'null'] },
    last_used_at: { type: ['string', 'null'] },
  },
} as const;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', description: 'The key id' } },
} as const;

/**
 * `/auth/api-keys` is the canonical prefix (the documented API); `/auth/keys` is kept as
 * an alias for scripts written against earlier builds. Both map to `manage_api_keys`.
 */
export const KEY_ROUTE_PREFIXES = ['/auth/api-keys', '/auth/keys'] as const;

export const keyRoutes: FastifyPluginAsync<KeyRoutesOptions> = async (app, { keys, getContext }) => {
  for (const base of KEY_ROUTE_PREFIXES) registerKeyRoutes(app, base, keys, getContext);
};

function registerKeyRoutes(
  app: FastifyInstance,
  base: string,
  keys: ApiKeyService,
  getContext: (request: FastifyRequest) => UserContext,
): void {
  app.get(
    base,
    { schema: { summary: 'List the API keys the caller may manage', tags: ['auth'] } },
    async (req) => ({ keys: keys.list(getContext(req)) }),
  );

  app.post(
    base,
    {
      schema: {
        summary: 'Create an API key (the secret is returned only in this response)',
        tags: ['auth'],
        body: {
          type: 'object',
          required: ['name', 'permissions'],
          properties: {
            name: keySchema.properties.name,
            user_id: keySchema.properties.user_id,
            permissions: keySchema.properties.permissions,
            allowed_functions: keySchema.properties.allowed_functions,
            expires_at: keySchema.properties.expires_at,
          },
        },
      },
    },
    async (req, reply) => {
      const body = objectBody(req.body, CREATE_FIELDS) as unknown as CreateKeyInput;
      const created = await keys.create(body, getContext(req));
      return reply.code(201).send(created);
    },
  );

  app.get(
    `${base}/:id`,
    { schema: { summary: 'Get one API key', tags: ['auth'], params: idParams } },
    async (req) => ({ key: keys.get((req.params as { id: string }).id, getContext(req)) }),
  );

  app.patch(
    `${base}/:id`,
    {
      schema: {
        summary: 'Change the name, permissions or allowed functions of an API key',
        tags: ['auth'],
        params: idParams,
        body: {
          type: 'object',
          properties: {
            name: keySchema.properties.name,
            permissions: keySchema.properties.permissions,
            allowed_functions: keySchema.properties.allowed_functions,
          },
        },
      },
    },
    async (req) => {
      const body = objectBody(req.body, UPDATE_FIELDS) as UpdateKeyInput;
      return { key: await keys.update((req.params as { id: string }).id, body, getContext(req)) };
    },
  );

  app.delete(
    `${base}/:id`,
    {
      schema: {
        summary: 'Revoke an API key (effective on the next request)',
        tags: ['auth'],
        params: idParams,
      },
    },
    async (req) => ({ key: await keys.revoke((req.params as { id: string }).id, getContext(req)) }),
  );
}
