import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHiveHubEmulator, type HiveHubEmulator } from '../../src/cluster/index.js';
import { openServices } from '../../src/server/open-services.js';
import { startServer } from '../../src/server/start-server.js';
import { testConfig } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'nexus-open-services-'));
let hivehub: HiveHubEmulator;

beforeAll(async () => {
  hivehub = await startHiveHubEmulator({
    port: 0,
    host: '127.0.0.1',
    users: { service_api_key: 'svc', users: [{ user_id: 'acme', plan: 'pro' }] },
  });
});
afterAll(async () => {
  await hivehub.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(
  url: string,
  path: string,
  key: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { ...headers, authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('openServices (the real wiring, in process)', () => {
  it('runs standalone without auth: no authenticator, MCP mounted, data persisted', async () => {
    const config = testConfig({ server: { port: 0 }, storage: { data_dir: join(dir, 'plain') } });
    const running = await startServer({ config, version: 't', openServices, print: () => undefined });
    try {
      const res = await fetch(`${running.url}/cypher`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'CREATE (n:W) RETURN count(n) AS c' }),
      });
      expect(((await res.json()) as { rows: unknown }).rows).toEqual([[1]]);
      const mcp = await fetch(`${running.url}/mcp`, { method: 'GET' });
      expect(mcp.status).toBe(405);
    } finally {
      await running.close();
    }
  });

  it('wires auth, key management and the cluster gate in cluster mode', async () => {
    const root = 'wiring-root-key-0123456789';
    const config = testConfig({
      server: { port: 0 },
      storage: { data_dir: join(dir, 'cluster') },
      auth: { root_api_key: root },
      cluster: {
        enabled: true,
        usage_report_interval_seconds: 3600,
        hivehub: { base_url: hivehub.url, service_api_key: 'svc' },
      },
    });
    const running = await startServer({ config, version: 't', openServices, print: () => undefined });
    try {
      const key = await post(running.url, '/auth/api-keys', root, {
        name: 'acme',
        user_id: 'acme',
        permissions: ['WRITE'],
      });
      expect(key.status).toBe(201);
      const secret = String(key.body.secret);
      const created = await post(running.url, '/cypher', secret, { query: 'CREATE (:T) RETURN 1 AS one' });
      expect(created.status).toBe(200);
      const asOperator = await post(
        running.url,
        '/cypher',
        root,
        { query: 'MATCH (n:T) RETURN count(n) AS c' },
        { 'x-nexus-tenant': 'acme' },
      );
      expect(asOperator.body.rows).toEqual([[1]]);
      const usage = await fetch(`${running.url}/cluster/usage`, {
        headers: { authorization: `Bearer ${secret}` },
      });
      const body = (await usage.json()) as { user_id: string; storage_bytes: number };
      expect(body.user_id).toBe('acme');
      expect(body.storage_bytes).toBeGreaterThan(0);
    } finally {
      await running.close();
    }
    const report = (await (await fetch(`${hivehub.url}/__emulator/usage`)).json()) as {
      totals: Record<string, unknown>;
    };
    expect(report.totals.acme).toBeDefined();
  });
});
