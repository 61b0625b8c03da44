/**
 * Operator access (a SUPER key acting on a tenant through X-Nexus-Tenant), over the wire
 * against the emulator process (KNOWN_BUGS #3, decided): the operator is exempt from the
 * tenant's rate limit and is not billed to the tenant's usage, but its writes respect the
 * tenant's storage quota — like the tenant's own writes, as a whole or not at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../helpers/server-process.js';
import {
  ROOT_KEY,
  call,
  createKey,
  cypher,
  errorCode,
  mcpConnect,
  sleep,
  startClusterServer,
  startEmulatorProcess,
  type CreatedKey,
  type EmulatorProcess,
} from './helpers/cluster-harness.js';

const QUOTA = 6000;
const RATE = 8;
const OP = { 'x-nexus-tenant': 'tiny' };

let emulator: EmulatorProcess;
let server: ServerProcess;
let tiny: CreatedKey;
let tinyRequests = 0;

const asTenant = async (query: string, params?: Record<string, unknown>) => {
  tinyRequests += 1;
  return cypher(server.url, tiny.secret, query, params);
};
const asOperator = (query: string, params?: Record<string, unknown>) =>
  cypher(server.url, ROOT_KEY, query, params, OP);
const storageBytes = async () =>
  (
    (await call(server.url, 'GET', '/stats', { key: ROOT_KEY, headers: OP })).body as {
      storage_bytes: number;
    }
  ).storage_bytes;

beforeAll(async () => {
  emulator = await startEmulatorProcess({
    plans: { tiny: { storage_bytes: QUOTA, requests_per_minute: RATE, requests_per_hour: 1000 } },
    users: [{ user_id: 'tiny', plan: 'tiny' }],
  });
  server = await startClusterServer(emulator.url, {
    cluster: { usage_report_interval_seconds: 1, instance_id: 'nexus-e2e-operator' },
    hivehub: { timeout_ms: 500, retries: 0 },
  });
  tiny = await createKey(server.url, { user_id: 'tiny', permissions: ['WRITE'] });
  const res = await asTenant("CREATE (:Doc {body: $b})-[:LINK]->(:Doc {body: 'small'})", {
    b: 'x'.repeat(4000),
  });
  expect(res.status, res.text).toBe(200);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await emulator?.stop();
});

describe('operator access through X-Nexus-Tenant', () => {
  it('cannot push the tenant past its storage quota, over REST and MCP', async () => {
    const before = await storageBytes();
    expect(before).toBeGreaterThan(4000);
    expect(before).toBeLessThan(QUOTA);
    const big = 'y'.repeat(4000);
    for (const res of [
      await asOperator('CREATE (:Doc {body: $b})', { b: big }),
      await call(server.url, 'POST', '/data/nodes', {
        key: ROOT_KEY,
        headers: OP,
        body: { labels: ['Doc'], properties: { body: big } },
      }),
      await call(server.url, 'POST', '/ingest', {
        key: ROOT_KEY,
        headers: OP,
        body: { nodes: [{ labels: ['Doc'], properties: { body: big } }] },
      }),
    ]) {
      expect(res.status, res.text).toBe(403);
      expect(errorCode(res.body)).toBe('STORAGE_QUOTA_EXCEEDED');
    }
    const mcp = await mcpConnect(server.url, ROOT_KEY, OP);
    try {
      const created = await mcp.tool('create_node', { labels: ['Doc'], properties: { body: big } });
      expect(created.isError).toBe(true);
      expect(errorCode(created.json)).toBe('STORAGE_QUOTA_EXCEEDED');
    } finally {
      await mcp.close();
    }
    expect(await storageBytes()).toBe(before);
    // Writes that fit, reads and deletes are still the operator's to do.
    const small = await asOperator("CREATE (:Note {t: 'op'}) RETURN count(*) AS c");
    expect(small.status, small.text).toBe(200);
    const deleted = await asOperator('MATCH (n:Note) DELETE n RETURN count(*) AS c');
    expect((deleted.body as { rows: unknown[][] }).rows).toEqual([[1]]);
  });

  it('is not rate-limited by the tenant’s plan and does not use up the tenant’s budget', async () => {
    let first = await asTenant('RETURN 1');
    // Rate windows are aligned to the wall-clock minute: start in a fresh one if this one
    // ends soon, so that both tenant requests below count against the same window.
    if (Number(first.headers.get('x-ratelimit-reset')) < 15) {
      await sleep((Number(first.headers.get('x-ratelimit-reset')) + 1) * 1000);
      first = await asTenant('RETURN 1');
    }
    expect(first.status).toBe(200);
    const remaining = Number(first.headers.get('x-ratelimit-remaining'));
    expect(remaining).toBeGreaterThan(0);
    for (let i = 0; i < RATE * 2; i++) {
      const res = await asOperator('MATCH (n:Doc) RETURN count(n) AS c');
      expect(res.status, res.text).toBe(200);
      expect(res.headers.get('x-ratelimit-remaining')).toBeNull();
    }
    const next = await asTenant('RETURN 1');
    expect(next.status).toBe(200);
    expect(Number(next.headers.get('x-ratelimit-remaining'))).toBe(remaining - 1);
  });

  it('is not billed to the tenant: HiveHub sees only the tenant’s own requests', async () => {
    await sleep(2500); // a report interval closes and is delivered
    const usage = (await emulator.control('/__emulator/usage')) as {
      totals: Record<string, { requests: number }>;
    };
    expect(usage.totals.tiny?.requests).toBe(tinyRequests);
  });
});
