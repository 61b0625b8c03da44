/**
 * Cluster mode end to end: the real server process against the HiveHub emulator. Tenant
 * isolation, the SUPER tenant header, suspended tenants, rate-limit headers, and usage
 * flushed to HiveHub on SIGTERM.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHiveHubEmulator, type HiveHubEmulator } from '../../src/cluster/index.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

const ROOT_KEY = 'cluster-root-key-0123456789';
const SERVICE_KEY = 'svc-key-for-tests';
let hivehub: HiveHubEmulator;
let server: ServerProcess;
const keys: Record<string, string> = {};

interface Loose {
  [key: string]: Loose;
}

async function call(
  key: string | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...headers,
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: JSON.parse(text) as Loose };
}

beforeAll(async () => {
  hivehub = await startHiveHubEmulator({
    port: 0,
    host: '127.0.0.1',
    users: {
      service_api_key: SERVICE_KEY,
      users: [
        { user_id: 'alice', plan: 'pro' },
        { user_id: 'bob', plan: 'free' },
        { user_id: 'mallory', plan: 'free', status: 'suspended' },
      ],
    },
  });
  server = await startServerProcess({
    env: {
      NEXUS_CLUSTER_ENABLED: 'true',
      NEXUS_HIVEHUB_BASE_URL: hivehub.url,
      NEXUS_HIVEHUB_SERVICE_API_KEY: SERVICE_KEY,
      NEXUS_ROOT_API_KEY: ROOT_KEY,
      NEXUS_LOG_LEVEL: 'info',
    },
  });
  for (const user of ['alice', 'bob', 'mallory']) {
    const res = await call(ROOT_KEY, 'POST', '/auth/keys', {
      name: user,
      user_id: user,
      permissions: ['WRITE'],
    });
    expect(res.status).toBe(201);
    keys[user] = String(res.json.secret);
  }
});
afterAll(async () => {
  await server?.stop();
  await hivehub?.close();
});

describe('cluster mode over HTTP with the HiveHub emulator', () => {
  it('requires a key even for /health', async () => {
    expect((await call(null, 'GET', '/health')).status).toBe(401);
    const health = await call(keys.alice!, 'GET', '/health');
    expect(health.status).toBe(200);
    expect(health.json.cluster).toMatchObject({ control_plane_reachable: true });
  });

  it('keeps tenants apart and puts rate-limit headers on answers', async () => {
    const created = await call(keys.alice!, 'POST', '/cypher', { query: 'CREATE (:Doc {owner: "alice"})' });
    expect(created.status).toBe(200);
    expect(created.headers.get('x-ratelimit-limit')).not.toBeNull();
    const bob = await call(keys.bob!, 'POST', '/cypher', { query: 'MATCH (n) RETURN count(n) AS c' });
    expect(bob.json.rows).toEqual([[0]]);
    expect((await call(keys.bob!, 'GET', '/stats')).json.nodes).toBe(0);
    expect((await call(keys.alice!, 'GET', '/stats')).json.nodes).toBe(1);
  });

  it('lets the root (SUPER) key reach a tenant only via X-Nexus-Tenant', async () => {
    const without = await call(ROOT_KEY, 'POST', '/cypher', { query: 'MATCH (n) RETURN count(n) AS c' });
    expect(without.status).toBe(400);
    const withHeader = await call(
      ROOT_KEY,
      'POST',
      '/cypher',
      { query: 'MATCH (n:Doc) RETURN n.owner' },
      { 'x-nexus-tenant': 'alice' },
    );
    expect(withHeader.json.rows).toEqual([['alice']]);
    const line = await server.waitForOutput(/SUPER key tenant access/, 5000);
    expect(JSON.parse(line)).toMatchObject({ keyId: 'root', tenant: 'alice', level: 30 });
  });

  it('refuses a suspended tenant', async () => {
    const res = await call(keys.mallory!, 'POST', '/cypher', { query: 'RETURN 1' });
    expect(res.status).toBe(403);
    expect(res.json.error!.code).toBe('TENANT_SUSPENDED');
  });

  it('shows the tenant its own usage', async () => {
    const usage = await call(keys.bob!, 'GET', '/cluster/usage');
    expect(usage.status).toBe(200);
    expect(usage.json).toMatchObject({ user_id: 'bob', plan: 'free' });
  });

  it('flushes usage to HiveHub on SIGTERM', async () => {
    const exit = await server.stop();
    expect(exit.code).toBe(0);
    const logs = server.stdout() + server.stderr();
    for (const secret of [ROOT_KEY, SERVICE_KEY, ...Object.values(keys)]) expect(logs).not.toContain(secret);
    const res = await fetch(`${hivehub.url}/__emulator/usage`);
    const usage = (await res.json()) as { totals: Record<string, Record<string, number>> };
    expect(usage.totals.alice).toBeDefined();
    expect(Object.values(usage.totals.alice!).some((v) => v > 0)).toBe(true);
  });
});
