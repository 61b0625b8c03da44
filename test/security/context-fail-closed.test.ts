// The caller's context is never defaulted: a handler that finds no context fails instead of
// running as the anonymous (default-namespace, ADMIN) caller. With auth off the hook sets
// the anonymous context explicitly, so standalone behaviour is unchanged.
import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS_CONTEXT } from '../../src/auth/auth-service.js';
import { NexusError } from '../../src/errors.js';
import { contextOf } from '../../src/server/index.js';
import { buildServer, openTestDb, type TestDb } from '../server/support.js';

let t: TestDb;

beforeAll(async () => {
  t = await openTestDb();
});
afterAll(async () => {
  await t.close();
});

describe('contextOf', () => {
  it('throws on a request without a context instead of falling back to the anonymous one', () => {
    const req = { ctx: null } as unknown as FastifyRequest;
    expect(() => contextOf(req)).toThrow(NexusError);
    try {
      contextOf(req);
    } catch (err) {
      expect((err as NexusError).code).toBe('INTERNAL_ERROR');
    }
    const withCtx = { ctx: ANONYMOUS_CONTEXT } as unknown as FastifyRequest;
    expect(contextOf(withCtx)).toBe(ANONYMOUS_CONTEXT);
  });

  it('auth disabled: requests still run as the anonymous caller in the default namespace', async () => {
    const server = await buildServer({ db: t.db, config: { auth: { enabled: false } } });
    try {
      const created = await server.app.inject({
        method: 'POST',
        url: '/cypher',
        payload: { query: 'CREATE (n:Anon) RETURN id(n) AS id' },
      });
      expect(created.statusCode).toBe(200);
      expect(t.db.stats('default').nodes).toBe(1);
      const listed = await server.app.inject({ method: 'GET', url: '/schema/labels' });
      expect(listed.json()).toEqual({ labels: ['Anon'] });
    } finally {
      await server.app.close();
    }
  });
});
