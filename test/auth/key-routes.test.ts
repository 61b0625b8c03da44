import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import {
  checkFunction,
  createAuth,
  keyRoutes,
  MemorySystemTable,
  requirePermission,
  routeAuth,
  type AuthBundle,
  type AuthTableEntry,
  type UserContext,
} from '../../src/auth/index.js';
import { isNexusError, type ErrorCode } from '../../src/errors.js';

const STATUS: Partial<Record<ErrorCode, number>> = {
  AUTHENTICATION_REQUIRED: 401,
  INVALID_TOKEN: 401,
  FORBIDDEN: 403,
  FUNCTION_NOT_ALLOWED: 403,
  NOT_FOUND: 404,
  INVALID_BODY: 400,
};

/** A Fastify app with an auth hook modelled on the server's: authenticate, permission, function. */
async function buildApp(
  clusterMode: boolean,
): Promise<{ app: FastifyInstance; bundle: AuthBundle; root: string }> {
  const bundle = await createAuth({
    table: new MemorySystemTable<AuthTableEntry>(),
    enabled: true,
    clusterMode,
    env: {},
  });
  const contexts = new WeakMap<FastifyRequest, UserContext>();
  const app = Fastify();
  app.addHook('onRequest', async (req) => {
    const ctx = bundle.auth.authenticate(req.headers, req.ip);
    const rule = routeAuth(req.method, req.routeOptions.url ?? '');
    if (rule === undefined) throw new Error('route missing from ROUTE_FUNCTIONS');
    if (rule.permission !== null) requirePermission(ctx, rule.permission);
    if (rule.function !== null) checkFunction(ctx, rule.function);
    contexts.set(req, ctx);
  });
  app.setErrorHandler((err, _req, reply) => {
    if (isNexusError(err)) return reply.code(STATUS[err.code] ?? 400).send({ error: { code: err.code } });
    if ((err as { validation?: unknown }).validation !== undefined) {
      return reply.code(400).send({ error: { code: 'INVALID_BODY' } });
    }
    return reply.code(500).send({ error: { code: 'INTERNAL_ERROR', message: String(err) } });
  });
  await app.register(keyRoutes, { keys: bundle.keys, getContext: (req) => contexts.get(req) as UserContext });
  return { app, bundle, root: bundle.generatedRootKey ?? '' };
}

describe('/auth/keys routes (cluster mode)', () => {
  let app: FastifyInstance;
  let root: string;
  const auth = (key: string) => ({ authorization: `Bearer ${key}` });

  beforeAll(async () => {
    ({ app, root } = await buildApp(true));
  });
  afterAll(async () => {
    await app.close();
  });

  it('SUPER creates a tenant admin; the secret appears only in the creation response', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/auth/keys',
      headers: auth(root),
      payload: { name: 'acme admin', user_id: 'acme', permissions: ['ADMIN'] },
    });
    expect(res.statusCode).toBe(201);
    const { key, secret } = res.json<{ key: { id: string }; secret: string }>();
    expect(secret).toMatch(/^nx_/);
    const list = await app.inject({ method: 'GET', url: '/auth/keys', headers: auth(root) });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(secret);
    expect(list.json<{ keys: { id: string }[] }>().keys.map((k) => k.id)).toContain(key.id);
    const one = await app.inject({ method: 'GET', url: `/auth/keys/${key.id}`, headers: auth(secret) });
    expect(one.json()).toMatchObject({ key: { id: key.id, user_id: 'acme', permissions: ['ADMIN'] } });
  });

  it('tenant admins manage their own keys only; others are 404', async () => {
    const mk = async (user: string) =>
      (
        await app.inject({
          method: 'POST',
          url: '/auth/keys',
          headers: auth(root),
          payload: { name: user, user_id: user, permissions: ['ADMIN'] },
        })
      ).json<{ key: { id: string }; secret: string }>();
    const t1 = await mk('t1');
    const t2 = await mk('t2');
    const created = await app.inject({
      method: 'POST',
      url: '/auth/keys',
      headers: auth(t1.secret),
      payload: { name: 'reader', permissions: ['READ'], allowed_functions: ['execute_cypher'] },
    });
    expect(created.statusCode).toBe(201);
    const reader = created.json<{ key: { id: string; user_id: string }; secret: string }>();
    expect(reader.key.user_id).toBe('t1');
    for (const [method, url] of [
      ['GET', `/auth/keys/${t2.key.id}`],
      ['DELETE', `/auth/keys/${t2.key.id}`],
      ['PATCH', `/auth/keys/${t2.key.id}`],
    ] as const) {
      const res = await app.inject({
        method,
        url,
        headers: auth(t1.secret),
        payload: method === 'PATCH' ? { name: 'x' } : undefined,
      });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
    const listed = (await app.inject({ method: 'GET', url: '/auth/keys', headers: auth(t1.secret) })).json<{
      keys: { user_id: string }[];
    }>();
    expect(new Set(listed.keys.map((k) => k.user_id))).toEqual(new Set(['t1']));
    const escalate = await app.inject({
      method: 'POST',
      url: '/auth/keys',
      headers: auth(t1.secret),
      payload: { name: 'boss', permissions: ['SUPER'] },
    });
    expect(escalate.statusCode).toBe(403);

    const patched = await app.inject({
      method: 'PATCH',
      url: `/auth/keys/${reader.key.id}`,
      headers: auth(t1.secret),
      payload: { name: 'renamed' },
    });
    expect(patched.json()).toMatchObject({ key: { name: 'renamed' } });
    // A READ key cannot manage keys (ADMIN needed), before any tenant logic runs.
    expect(
      (await app.inject({ method: 'GET', url: '/auth/keys', headers: auth(reader.secret) })).statusCode,
    ).toBe(403);
    const revoked = await app.inject({
      method: 'DELETE',
      url: `/auth/keys/${reader.key.id}`,
      headers: auth(t1.secret),
    });
    expect(revoked.json<{ key: { revoked_at: string | null } }>().key.revoked_at).not.toBeNull();
    const after = await app.inject({ method: 'GET', url: '/auth/keys', headers: auth(reader.secret) });
    expect(after.statusCode).toBe(401);
    expect(after.json()).toEqual({ error: { code: 'INVALID_TOKEN' } });
  });

  it('rejects bad bodies and keys lacking manage_api_keys', async () => {
    const unknownField = await app.inject({
      method: 'POST',
      url: '/auth/keys',
      headers: auth(root),
      payload: { name: 'x', permissions: ['READ'], user_id: 'u', admin: true },
    });
    expect(unknownField.statusCode).toBe(400);
    const noUser = await app.inject({
      method: 'POST',
      url: '/auth/keys',
      headers: auth(root),
      payload: { name: 'x', permissions: ['READ'] },
    });
    expect(noUser.json()).toEqual({ error: { code: 'INVALID_BODY' } });
    const restricted = (
      await app.inject({
        method: 'POST',
        url: '/auth/keys',
        headers: auth(root),
        payload: { name: 'r', user_id: 'u', permissions: ['ADMIN'], allowed_functions: ['get_node'] },
      })
    ).json<{ secret: string }>();
    const res = await app.inject({ method: 'GET', url: '/auth/keys', headers: auth(restricted.secret) });
    expect(res.json()).toEqual({ error: { code: 'FUNCTION_NOT_ALLOWED' } });
  });
});
