/**
 * Cluster mode over the wire, server and HiveHub emulator as two processes: the control
 * plane's state on /health and /metrics, real storage bytes on /metrics, usage counted the
 * same over REST as over MCP, idle tenants' storage synced each interval, and 401 (not 404)
 * for unauthenticated requests to unknown routes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsageUser } from '../../src/cluster/hivehub-schemas.js';
import type { ServerProcess } from '../helpers/server-process.js';
import {
  ROOT_KEY,
  call,
  createKey,
  mcpConnect,
  rows,
  sleep,
  startClusterServer,
  startEmulatorProcess,
  type EmulatorProcess,
} from '../e2e/helpers/cluster-harness.js';

interface EmulatorUsage {
  reports: { period_start: string; period_end: string; users: UsageUser[] }[];
  totals: Record<string, UsageUser>;
}

let emulator: EmulatorProcess;
let server: ServerProcess;
const keys: Record<string, string> = {};

beforeAll(async () => {
  emulator = await startEmulatorProcess({
    users: ['alice', 'rest', 'mcp'].map((user_id) => ({ user_id, plan: 'big' })),
  });
  server = await startClusterServer(emulator.url, { cluster: { usage_report_interval_seconds: 1 } });
  for (const user of ['alice', 'rest', 'mcp']) {
    keys[user] = (await createKey(server.url, { user_id: user, permissions: ['WRITE'] })).secret;
  }
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await emulator?.stop();
});

const usage = async (): Promise<EmulatorUsage> =>
  (await emulator.control('/__emulator/usage')) as EmulatorUsage;

/** Polls the emulator until `check` holds (reports arrive once a second). */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await sleep(200);
  }
}

describe('cluster mode observability and usage over the wire', () => {
  it('answers 401 on unknown routes without a valid key, 404/405 with one', async () => {
    for (const [method, path] of [
      ['GET', '/no-such-route'],
      ['POST', '/admin/secret'],
      ['GET', '/cypher'], // exists for POST only: 405 would reveal it
      ['DELETE', '/data/nodes'],
    ] as const) {
      const anonymous = await call(server.url, method, path);
      expect(anonymous.status, `${method} ${path}`).toBe(401);
      expect(anonymous.text).not.toMatch(/route|allow/i);
      const badKey = await call(server.url, method, path, {
        key: 'nx_not-a-real-key-aaaaaaaaaaaaaaaaaaaaaaaaaaa',
      });
      expect(badKey.status, `${method} ${path}`).toBe(401);
    }
    expect((await call(server.url, 'GET', '/no-such-route', { key: keys.alice! })).status).toBe(404);
    expect((await call(server.url, 'GET', '/cypher', { key: keys.alice! })).status).toBe(405);
  });

  it('shows the control-plane state on /health (process-wide figures only to SUPER)', async () => {
    await call(server.url, 'GET', '/health', { key: keys.alice! }); // the quota cache miss
    const tenant = await call(server.url, 'GET', '/health', { key: keys.alice! }); // a hit
    expect(tenant.status).toBe(200);
    // A tenant sees reachability only: the rest moves with other tenants' traffic.
    const cluster = (tenant.body as { cluster: Record<string, unknown> }).cluster;
    expect(cluster).toEqual({ control_plane_reachable: true, breaker_state: 'closed' });

    const root = await call(server.url, 'GET', '/health', { key: ROOT_KEY });
    const rootCluster = (root.body as { cluster: Record<string, unknown> }).cluster;
    expect(rootCluster).toHaveProperty('last_error', null);
    expect(typeof rootCluster.quota_cache_hit_rate).toBe('number');
    expect(rootCluster.quota_cache_hit_rate as number).toBeGreaterThan(0);
    expect(rootCluster.quota_cache_hit_rate as number).toBeLessThanOrEqual(1);
    expect(Number.isInteger(rootCluster.outbox_depth)).toBe(true);
    expect(Number.isInteger(rootCluster.usage_reports_sent)).toBe(true);
    expect(rootCluster.usage_reports_failed).toBe(0);
  });

  it('exports control-plane series and the real storage total on /metrics', async () => {
    await rows(server.url, keys.alice!, "CREATE (:Doc {text: 'some text to take up storage'})");
    // Reports go out once a second: wait for one to be accepted.
    await eventually(
      () => call(server.url, 'GET', '/health', { key: ROOT_KEY }),
      (r) => ((r.body as { cluster: { usage_reports_sent: number } }).cluster.usage_reports_sent ?? 0) > 0,
      'a delivered usage report',
    );
    expect((await call(server.url, 'GET', '/metrics', { key: keys.alice! })).status).toBe(403);
    const text = (await call(server.url, 'GET', '/metrics', { key: ROOT_KEY })).text;
    const value = (series: string): number => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      if (line === undefined) throw new Error(`no series ${series} in /metrics`);
      return Number(line.slice(series.length + 1));
    };
    expect(value('nexus_control_plane_reachable')).toBe(1);
    expect(value('nexus_control_plane_breaker_state{state="closed"}')).toBe(1);
    expect(value('nexus_control_plane_breaker_state{state="open"}')).toBe(0);
    const hitRate = value('nexus_quota_cache_hit_ratio');
    expect(hitRate).toBeGreaterThan(0);
    expect(hitRate).toBeLessThanOrEqual(1);
    expect(value('nexus_usage_outbox_depth')).toBeGreaterThanOrEqual(0);
    expect(value('nexus_usage_reports_sent_total')).toBeGreaterThan(0);
    expect(value('nexus_usage_reports_failed_total')).toBe(0);
    // The total over all tenants: at least what alice holds.
    const alice = (await call(server.url, 'GET', '/stats', { key: keys.alice! })).body as {
      storage_bytes: number;
    };
    expect(alice.storage_bytes).toBeGreaterThan(0);
    expect(value('nexus_storage_bytes')).toBeGreaterThanOrEqual(alice.storage_bytes);
  });

  it('counts REST /data, /ingest, /stats and /schema exactly like the MCP tools', async () => {
    // The same operations, once over REST (tenant "rest") and once over MCP (tenant "mcp").
    const k = keys.rest!;
    const a = (await call(server.url, 'POST', '/data/nodes', { key: k, body: { labels: ['P'] } })).body as {
      id: number;
    };
    const b = (await call(server.url, 'POST', '/data/nodes', { key: k, body: { labels: ['P'] } })).body as {
      id: number;
    };
    expect((await call(server.url, 'GET', `/data/nodes/${a.id}`, { key: k })).status).toBe(200);
    expect(
      (
        await call(server.url, 'POST', '/data/relationships', {
          key: k,
          body: { src: a.id, dst: b.id, type: 'R' },
        })
      ).status,
    ).toBe(201);
    expect((await call(server.url, 'DELETE', `/data/nodes/${a.id}?detach=true`, { key: k })).status).toBe(
      200,
    );
    const ingest = await call(server.url, 'POST', '/ingest', {
      key: k,
      body: {
        nodes: [
          { ref: 'x', labels: ['Q'] },
          { ref: 'y', labels: ['Q'] },
        ],
        relationships: [{ src: 'x', dst: 'y', type: 'S' }],
      },
    });
    expect(ingest.status).toBe(200);
    expect((await call(server.url, 'GET', '/stats', { key: k })).status).toBe(200);
    expect((await call(server.url, 'GET', '/schema/labels', { key: k })).status).toBe(200);

    const mcp = await mcpConnect(server.url, keys.mcp!);
    try {
      const ma = (await mcp.tool('create_node', { labels: ['P'] })).json as { id: number };
      const mb = (await mcp.tool('create_node', { labels: ['P'] })).json as { id: number };
      expect((await mcp.tool('get_node', { id: ma.id })).isError).toBe(false);
      expect((await mcp.tool('create_relationship', { src: ma.id, dst: mb.id, type: 'R' })).isError).toBe(
        false,
      );
      expect((await mcp.tool('delete_node', { id: ma.id, detach: true })).isError).toBe(false);
      expect(
        (
          await mcp.tool('ingest', {
            nodes: [
              { ref: 'x', labels: ['Q'] },
              { ref: 'y', labels: ['Q'] },
            ],
            relationships: [{ src: 'x', dst: 'y', type: 'S' }],
          })
        ).isError,
      ).toBe(false);
      expect((await mcp.tool('get_stats')).isError).toBe(false);
      expect((await mcp.tool('list_labels')).isError).toBe(false);
    } finally {
      await mcp.close();
    }

    const expected = {
      read_queries: 3,
      write_queries: 5,
      nodes_created: 4,
      relationships_created: 2,
      nodes_deleted: 1,
      relationships_deleted: 1,
    };
    const settled = (u: EmulatorUsage): boolean =>
      ['rest', 'mcp'].every((t) => u.totals[t]?.write_queries === 5 && u.totals[t]?.read_queries === 3);
    const totals = (await eventually(usage, settled, 'usage of both tenants')).totals;
    expect(totals.rest).toMatchObject(expected);
    expect(totals.mcp).toMatchObject(expected);
    // Every REST call above is one request.
    expect(totals.rest!.requests).toBe(8);
  });

  it("reports an idle tenant's absolute storage each interval, with zero deltas", async () => {
    await rows(server.url, keys.alice!, "CREATE (:Doc {text: 'alice keeps this'})");
    const storage = (
      (await call(server.url, 'GET', '/stats', { key: keys.alice! })).body as { storage_bytes: number }
    ).storage_bytes;
    const lastActive = new Date().toISOString();
    // From here on alice makes no request; later reports must still carry her storage.
    const found = await eventually(
      usage,
      (u) =>
        u.reports.some(
          (r) =>
            r.period_start > lastActive && r.users.some((x) => x.user_id === 'alice' && x.requests === 0),
        ),
      'a report of idle alice',
    );
    const entry = found.reports
      .filter((r) => r.period_start > lastActive)
      .flatMap((r) => r.users)
      .find((x) => x.user_id === 'alice')!;
    expect(entry).toEqual({
      user_id: 'alice',
      requests: 0,
      read_queries: 0,
      write_queries: 0,
      nodes_created: 0,
      relationships_created: 0,
      nodes_deleted: 0,
      relationships_deleted: 0,
      storage_bytes: storage,
    });
  });
});
