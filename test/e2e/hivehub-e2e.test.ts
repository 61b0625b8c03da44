/**
 * Cluster mode against the HiveHub emulator, both as real processes: tenant status,
 * control-plane outage under fail_closed (stale quotas in the grace period, then 503),
 * rate-limit exactness under 200 concurrent requests, storage-quota rollback with the
 * store byte-for-byte unchanged, and usage delivered exactly once across an emulator
 * outage and across a SIGKILL + restart of Nexus.
 *
 * Two Nexus processes share the emulator: Q (short quota TTL and grace, for the quota and
 * outage tests) and U (one-second usage interval, own data dir, killed and restarted).
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsageUser } from '../../src/cluster/hivehub-schemas.js';
import { makeTempDir, type ServerProcess } from '../helpers/server-process.js';
import {
  ROOT_KEY,
  call,
  createKey,
  cypher,
  errorCode,
  mcpConnect,
  rows,
  sleep,
  startClusterServer,
  startEmulatorProcess,
  type CreatedKey,
  type EmulatorProcess,
  type WireResponse,
} from './helpers/cluster-harness.js';

const RATE_LIMIT = 37;
const STORAGE_QUOTA = 6000;
/** A user id that must never show up in a response header. */
const RATE_TENANT = 'rl-tenant-7f3a9c';

let emulator: EmulatorProcess;
let q: ServerProcess;
let u: ServerProcess;
let uDataDir: string;

const QUOTA_CONFIG = {
  cluster: { quota_cache_ttl_seconds: 1, stale_quota_grace_seconds: 3, usage_report_interval_seconds: 3600 },
  hivehub: { timeout_ms: 300, retries: 0 },
};
const USAGE_CONFIG = {
  cluster: { quota_cache_ttl_seconds: 60, usage_report_interval_seconds: 1, instance_id: 'nexus-e2e-u' },
  hivehub: { timeout_ms: 300, retries: 0 },
};

beforeAll(async () => {
  emulator = await startEmulatorProcess({
    plans: {
      big: { storage_bytes: 100_000_000, requests_per_minute: 100_000, requests_per_hour: 1_000_000 },
      limited: { storage_bytes: 100_000_000, requests_per_minute: RATE_LIMIT, requests_per_hour: 10_000 },
      tiny: { storage_bytes: STORAGE_QUOTA, requests_per_minute: 100_000, requests_per_hour: 1_000_000 },
    },
    users: [
      { user_id: 'alice', plan: 'big' },
      { user_id: 'dave', plan: 'big' },
      { user_id: 'mallory', plan: 'big', status: 'suspended' },
      { user_id: 'later', plan: 'big' },
      { user_id: RATE_TENANT, plan: 'limited' },
      { user_id: 'tiny', plan: 'tiny' },
      { user_id: 'meter', plan: 'big' },
    ],
  });
  uDataDir = makeTempDir('nexus-e2e-usage-');
  [q, u] = await Promise.all([
    startClusterServer(emulator.url, QUOTA_CONFIG),
    startClusterServer(emulator.url, USAGE_CONFIG, { dataDir: uDataDir }),
  ]);
}, 60_000);

afterAll(async () => {
  await q?.stop();
  await u?.stop();
  await emulator?.stop();
  if (uDataDir !== undefined) rmSync(uDataDir, { recursive: true, force: true });
});

const keyFor = (server: ServerProcess, user: string, permissions = ['ADMIN']): Promise<CreatedKey> =>
  createKey(server.url, { user_id: user, permissions });

describe('tenant status from the control plane', () => {
  it('refuses suspended and unknown tenants with 403 and their codes, over REST and MCP', async () => {
    const mallory = await keyFor(q, 'mallory');
    const ghost = await keyFor(q, 'ghost-tenant');
    for (const [k, code] of [
      [mallory, 'TENANT_SUSPENDED'],
      [ghost, 'TENANT_NOT_FOUND'],
    ] as const) {
      for (const res of [
        await cypher(q.url, k.secret, 'RETURN 1'),
        await call(q.url, 'GET', '/stats', { key: k.secret }),
        await call(q.url, 'GET', '/health', { key: k.secret }),
      ]) {
        expect(res.status).toBe(403);
        expect(errorCode(res.body)).toBe(code);
      }
      await expect(mcpConnect(q.url, k.secret)).rejects.toThrow();
    }
  });

  it('sees a suspension made at runtime once the cached answer expires', async () => {
    const later = await keyFor(q, 'later');
    expect((await cypher(q.url, later.secret, 'RETURN 1')).status).toBe(200);
    await emulator.control('/__emulator/users', 'POST', { user_id: 'later', status: 'suspended' });
    await sleep(1200);
    // Stale-while-revalidate: the first request after expiry may still be served from the
    // cache while it triggers the refresh; the refreshed answer applies right after.
    const untilStatus = async (status: number) => {
      let res = await cypher(q.url, later.secret, 'RETURN 1');
      for (let i = 0; i < 20 && res.status !== status; i++) {
        await sleep(100);
        res = await cypher(q.url, later.secret, 'RETURN 1');
      }
      return res;
    };
    const res = await untilStatus(403);
    expect(res.status).toBe(403);
    expect(errorCode(res.body)).toBe('TENANT_SUSPENDED');
    await emulator.control('/__emulator/users', 'POST', { user_id: 'later', status: 'active' });
    await sleep(1200);
    expect((await untilStatus(200)).status).toBe(200);
  });
});

describe('rate limits', () => {
  it(`admits exactly ${RATE_LIMIT} of 200 concurrent requests and refuses the rest with 429`, async () => {
    const k = await keyFor(q, RATE_TENANT);
    // Windows are aligned to the clock minute: do not straddle a boundary.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await sleep(60_000 - intoMinute + 300);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        i % 2 === 0 ? cypher(q.url, k.secret, 'RETURN 1') : call(q.url, 'GET', '/stats', { key: k.secret }),
      ),
    );
    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 429);
    expect(ok).toHaveLength(RATE_LIMIT);
    expect(refused).toHaveLength(200 - RATE_LIMIT);
    // Each admitted request took its own slot of the budget.
    const remaining = ok.map((r) => Number(r.headers.get('x-ratelimit-remaining'))).sort((a, b) => a - b);
    expect(remaining).toEqual(Array.from({ length: RATE_LIMIT }, (_, i) => i));
    for (const r of ok) {
      expect(r.headers.get('x-ratelimit-limit')).toBe(String(RATE_LIMIT));
      expect(r.headers.get('ratelimit-policy')).toContain(`q=${RATE_LIMIT};w=60`);
      expect(r.headers.get('ratelimit')).toMatch(/"minute";r=\d+;t=\d+/);
    }
    for (const r of refused) {
      expect(errorCode(r.body)).toBe('RATE_LIMIT_EXCEEDED');
      const retryAfter = Number(r.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect((r.body as { error: { retry_after_seconds?: number } }).error.retry_after_seconds).toBe(
        retryAfter,
      );
      expect(r.headers.get('x-ratelimit-limit')).toBe(String(RATE_LIMIT));
      expect(r.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(Number(r.headers.get('x-ratelimit-reset'))).toBeGreaterThan(0);
      expect(r.headers.get('ratelimit-policy')).toContain(`q=${RATE_LIMIT};w=60`);
      expect(r.headers.get('ratelimit')).toContain('"minute";r=0;');
    }
    for (const r of results) {
      for (const [name, value] of r.headers) {
        expect(`${name}: ${value}`).not.toContain(RATE_TENANT);
      }
    }
    // Another tenant is not throttled by this one's budget.
    const alice = await keyFor(q, 'alice');
    expect((await cypher(q.url, alice.secret, 'RETURN 1')).status).toBe(200);
  });
});

describe('storage quota', () => {
  let tiny: CreatedKey;
  const state = async () => {
    const stats = (
      await call(q.url, 'GET', '/stats', { key: ROOT_KEY, headers: { 'x-nexus-tenant': 'tiny' } })
    ).body as { storage_bytes: number; nodes: number; relationships: number };
    const nodes = await rows(
      q.url,
      tiny.secret,
      'MATCH (n) RETURN id(n), labels(n), properties(n) ORDER BY id(n)',
    );
    const rels = await rows(
      q.url,
      tiny.secret,
      'MATCH ()-[r]->() RETURN id(r), type(r), properties(r) ORDER BY id(r)',
    );
    return { bytes: stats.storage_bytes, nodes, rels };
  };
  const expectQuotaError = (res: WireResponse, what: string) => {
    expect(res.status, `${what}: ${res.text}`).toBe(403);
    expect(errorCode(res.body)).toBe('STORAGE_QUOTA_EXCEEDED');
  };

  beforeAll(async () => {
    tiny = await keyFor(q, 'tiny');
    await rows(q.url, tiny.secret, "CREATE (a:Doc {body: $b})-[:LINK]->(:Doc {body: 'small'})", {
      b: 'x'.repeat(4000),
    });
  });

  it('refuses writes that would pass the quota as a whole, leaving the store unchanged', async () => {
    const before = await state();
    expect(before.bytes).toBeGreaterThan(4000);
    expect(before.bytes).toBeLessThan(STORAGE_QUOTA);
    const big = 'y'.repeat(STORAGE_QUOTA - before.bytes + 10);
    // Each of these would fit in part; none may apply in part.
    expectQuotaError(await cypher(q.url, tiny.secret, 'CREATE (:Doc {body: $b})', { b: big }), 'CREATE');
    expectQuotaError(
      await cypher(q.url, tiny.secret, 'UNWIND range(1, 40) AS i CREATE (:Doc {i: i, body: $b})', {
        b: 'z'.repeat(60),
      }),
      'UNWIND CREATE',
    );
    expectQuotaError(
      await cypher(q.url, tiny.secret, "MATCH (n:Doc {body: 'small'}) SET n.more = $b", { b: big }),
      'SET',
    );
    expectQuotaError(await cypher(q.url, tiny.secret, 'MERGE (n:Doc {body: $b})', { b: big }), 'MERGE');
    expectQuotaError(
      await cypher(q.url, tiny.secret, 'MATCH (a:Doc), (b:Doc) CREATE (a)-[:BIG {b: $b}]->(b)', {
        b: 'w'.repeat(600),
      }),
      'CREATE relationships',
    );
    expectQuotaError(
      await call(q.url, 'POST', '/data/nodes', {
        key: tiny.secret,
        body: { labels: ['Doc'], properties: { b: big } },
      }),
      'POST /data/nodes',
    );
    expectQuotaError(
      await call(q.url, 'PATCH', '/data/nodes/1', { key: tiny.secret, body: { properties: { b: big } } }),
      'PATCH /data/nodes',
    );
    expectQuotaError(
      await call(q.url, 'POST', '/ingest', {
        key: tiny.secret,
        body: {
          nodes: Array.from({ length: 40 }, (_, i) => ({
            ref: `r${i}`,
            labels: ['Doc'],
            properties: { p: 'v'.repeat(50) },
          })),
          relationships: [{ src: 'r0', dst: 'r1', type: 'LINK' }],
        },
      }),
      '/ingest',
    );
    const mcp = await mcpConnect(q.url, tiny.secret);
    const tool = await mcp.tool('create_node', { labels: ['Doc'], properties: { b: big } });
    expect(errorCode(tool.json)).toBe('STORAGE_QUOTA_EXCEEDED');
    const ingestTool = await mcp.tool('ingest', {
      nodes: Array.from({ length: 40 }, () => ({ labels: ['Doc'], properties: { p: 'v'.repeat(50) } })),
    });
    expect(errorCode(ingestTool.json)).toBe('STORAGE_QUOTA_EXCEEDED');
    await mcp.close();
    expect(await state()).toEqual(before);
    // Not a blanket refusal: a write that fits is applied.
    expect((await cypher(q.url, tiny.secret, 'CREATE (:Doc {body: "ok"})')).status).toBe(200);
    expect((await state()).nodes).toHaveLength(before.nodes.length + 1);
  });

  it('keeps reads and deletes working once the tenant is over its quota', async () => {
    await emulator.control('/__emulator/users', 'POST', { user_id: 'tiny', quotas: { storage_bytes: 100 } });
    await sleep(1200); // the quota cache TTL on Q is one second
    const before = await state();
    expect(before.bytes).toBeGreaterThan(100);
    expectQuotaError(await cypher(q.url, tiny.secret, 'CREATE (:Doc)'), 'small CREATE over quota');
    expectQuotaError(
      await call(q.url, 'POST', '/ingest', { key: tiny.secret, body: { nodes: [{ labels: ['Doc'] }] } }),
      'small /ingest over quota',
    );
    expect(await state()).toEqual(before);
    expect(await rows(q.url, tiny.secret, 'MATCH (n:Doc) RETURN count(n)')).toEqual([[before.nodes.length]]);
    const del = await call(q.url, 'DELETE', '/data/relationships/0', { key: tiny.secret });
    expect(del.status).toBeLessThan(300);
    const wipe = await cypher(q.url, tiny.secret, 'MATCH (n) DETACH DELETE n');
    expect(wipe.status).toBe(200);
    const after = await state();
    expect(after.nodes).toEqual([]);
    expect(after.bytes).toBeLessThan(before.bytes);
  });
});

describe('control plane down (fail_closed)', () => {
  it('serves cached tenants during the grace period, then refuses with 503 and Retry-After', async () => {
    const alice = await keyFor(q, 'alice', ['READ']);
    const dave = await keyFor(q, 'dave', ['READ']);
    expect((await cypher(q.url, alice.secret, 'RETURN 1')).status).toBe(200);
    const fetchedAt = Date.now();
    await emulator.control('/__emulator/faults', 'POST', { refuse_connections: true });
    try {
      const unseen = await cypher(q.url, dave.secret, 'RETURN 1');
      expect(unseen.status).toBe(503);
      expect(errorCode(unseen.body)).toBe('CONTROL_PLANE_UNAVAILABLE');
      expect(Number(unseen.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(unseen.text).not.toContain('e2e-service-key');
      // Past the 1 s TTL but inside the 3 s grace: the stale answer keeps alice served.
      await sleep(Math.max(0, fetchedAt + 1500 - Date.now()));
      expect((await cypher(q.url, alice.secret, 'RETURN 1')).status).toBe(200);
      const health = await call(q.url, 'GET', '/health', { key: ROOT_KEY });
      expect(health.body).toMatchObject({ status: 'degraded', cluster: { control_plane_reachable: false } });
      // Past TTL + grace: fail closed.
      await sleep(Math.max(0, fetchedAt + 4800 - Date.now()));
      const expired = await cypher(q.url, alice.secret, 'RETURN 1');
      expect(expired.status).toBe(503);
      expect(errorCode(expired.body)).toBe('CONTROL_PLANE_UNAVAILABLE');
      expect(expired.headers.get('retry-after')).not.toBeNull();
    } finally {
      await emulator.control('/__emulator/faults', 'DELETE');
    }
  });
});

type Totals = Omit<UsageUser, 'user_id'>;
type Counted = Omit<Totals, 'storage_bytes'>;

describe('usage reporting, exactly once', () => {
  let meter: CreatedKey;
  const expected: Counted = {
    requests: 0,
    read_queries: 0,
    write_queries: 0,
    nodes_created: 0,
    relationships_created: 0,
    nodes_deleted: 0,
    relationships_deleted: 0,
  };

  /** Runs one query as the meter tenant and adds its effects to `expected`. */
  async function act(server: ServerProcess, query: string, write: boolean): Promise<void> {
    const res = await cypher(server.url, meter.secret, query);
    expect(res.status, res.text).toBe(200);
    const stats = (res.body as { stats: Record<string, number> }).stats;
    expected.requests += 1;
    expected[write ? 'write_queries' : 'read_queries'] += 1;
    expected.nodes_created += stats.nodesCreated ?? 0;
    expected.relationships_created += stats.relationshipsCreated ?? 0;
    expected.nodes_deleted += stats.nodesDeleted ?? 0;
    expected.relationships_deleted += stats.relationshipsDeleted ?? 0;
  }

  const usage = async () =>
    (await emulator.control('/__emulator/usage')) as {
      reports: { report_id: string; instance_id: string; users: ({ user_id: string } & Counted)[] }[];
      duplicates: number;
      totals: Record<string, Totals>;
    };
  const counted = (t: Totals | undefined): Counted | undefined => {
    if (t === undefined) return undefined;
    const { storage_bytes: _s, ...rest } = t;
    return rest;
  };
  async function waitFor<T>(
    what: string,
    probe: () => Promise<T>,
    ok: (v: T) => boolean,
    ms = 10_000,
  ): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await probe();
      if (ok(v)) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
      await sleep(150);
    }
  }
  const outboxDepth = async (server: ServerProcess) =>
    (
      (await call(server.url, 'GET', '/health', { key: ROOT_KEY })).body as {
        cluster: { outbox_depth: number };
      }
    ).cluster.outbox_depth;

  beforeAll(async () => {
    meter = await keyFor(u, 'meter', ['WRITE']);
  });

  it('delivers the counters of normal operation', async () => {
    for (let i = 0; i < 3; i++) await act(u, "CREATE (:M {b: 'A'})-[:R]->(:M {b: 'A'})", true);
    await act(u, 'MATCH (n:M) RETURN count(n)', false);
    await act(u, 'MATCH (n) RETURN n LIMIT 1', false);
    const got = await waitFor('batch A', usage, (v) => v.totals.meter?.requests === expected.requests);
    expect(counted(got.totals.meter)).toEqual(expected);
  });

  it('keeps usage in the outbox through an emulator outage and delivers it once afterwards', async () => {
    const deliveredBefore = counted((await usage()).totals.meter);
    await emulator.control('/__emulator/faults', 'POST', { refuse_connections: true });
    try {
      for (let i = 0; i < 2; i++) await act(u, "CREATE (:M {b: 'B'})-[:R]->(:M {b: 'B'})", true);
      await act(u, "MATCH (a:M {b: 'A'})-[r:R]->(b) WITH a, b LIMIT 1 DETACH DELETE a, b", true);
      await waitFor(
        'an undeliverable report in the outbox',
        () => outboxDepth(u),
        (d) => d >= 1,
      );
      await sleep(1200); // at least one more failed interval
      expect(counted((await usage()).totals.meter)).toEqual(deliveredBefore);
    } finally {
      await emulator.control('/__emulator/faults', 'DELETE');
    }
    await waitFor(
      'outbox drained',
      () => outboxDepth(u),
      (d) => d === 0,
      15_000,
    );
    expect(counted((await usage()).totals.meter)).toEqual(expected);
  });

  it('survives SIGKILL with an unacknowledged report: resent with its id after restart, counted once', async () => {
    await act(u, "CREATE (:M {b: 'C'})-[:R]->(:M {b: 'C'})", true);
    await act(u, "MATCH (n:M {b: 'C'}) RETURN n", false);
    // HiveHub processes the report but its answer never reaches Nexus before the crash.
    await emulator.control('/__emulator/faults', 'POST', { delay_ms: 30_000 });
    const dupsBefore = (await usage()).duplicates;
    try {
      await waitFor('batch C processed', usage, (v) => v.totals.meter?.requests === expected.requests);
      expect(await outboxDepth(u)).toBeGreaterThanOrEqual(1);
      const exit = await u.stop({ signal: 'SIGKILL', keepData: true });
      expect(exit.signal).toBe('SIGKILL');
    } finally {
      await emulator.control('/__emulator/faults', 'DELETE');
    }
    u = await startClusterServer(emulator.url, USAGE_CONFIG, { dataDir: uDataDir });
    await waitFor(
      'outbox drained after restart',
      () => outboxDepth(u),
      (d) => d === 0,
      15_000,
    );
    const after = await usage();
    expect(after.duplicates).toBeGreaterThan(dupsBefore);
    expect(counted(after.totals.meter)).toEqual(expected);
    // The restarted process keeps counting on top, still once.
    await act(u, 'MATCH (n:M) RETURN count(n)', false);
    const final = await waitFor(
      'post-restart usage',
      usage,
      (v) => v.totals.meter?.requests === expected.requests,
    );
    expect(counted(final.totals.meter)).toEqual(expected);
    // Every accepted report is distinct, and the reports add up to the totals.
    const ids = final.reports.map((r) => r.report_id);
    expect(new Set(ids).size).toBe(ids.length);
    const summed = final.reports
      .flatMap((r) => r.users.filter((x) => x.user_id === 'meter'))
      .reduce((acc, x) => acc + x.requests, 0);
    expect(summed).toBe(expected.requests);
    // storage_bytes is the absolute size, as /stats reports it.
    const stats = (
      await call(u.url, 'GET', '/stats', { key: ROOT_KEY, headers: { 'x-nexus-tenant': 'meter' } })
    ).body as { storage_bytes: number };
    expect(final.totals.meter?.storage_bytes).toBe(stats.storage_bytes);
  });
});
