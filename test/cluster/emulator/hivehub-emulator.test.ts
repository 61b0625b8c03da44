import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHiveHubEmulator } from '../../../src/cluster/emulator/index.js';
import type { HiveHubEmulator } from '../../../src/cluster/emulator/index.js';
import { HiveHubClient } from '../../../src/cluster/hivehub-client.js';
import type { UsageReport } from '../../../src/cluster/hivehub-schemas.js';

const KEY = 'emu-key';
const USERS = {
  service_api_key: KEY,
  cache_ttl_seconds: 30,
  plans: {
    free: { storage_bytes: 1000, requests_per_minute: 10, requests_per_hour: 100 },
    open: { storage_bytes: null, requests_per_minute: null, requests_per_hour: null },
  },
  users: [
    { user_id: 'alice', plan: 'free', storage_bytes: 900, email: 'alice@x.io', display_name: 'Alice' },
    {
      user_id: 'bob',
      plan: 'free',
      status: 'suspended' as const,
      quotas: { requests_per_minute: 3 },
      cache_ttl_seconds: 5,
    },
    { user_id: 'carol', plan: 'open' },
  ],
};

let emulator: HiveHubEmulator;
let client: HiveHubClient;

const api = (path: string, init: RequestInit = {}, key = KEY) =>
  fetch(`${emulator.url}${path}`, {
    ...init,
    headers: {
      Authorization: `Bearer ${key}`,
      'X-HiveHub-Service': 'nexus',
      'Content-Type': 'application/json',
      ...init.headers,
    },
  });
const control = (path: string, method = 'GET', body?: unknown) =>
  fetch(`${emulator.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });

function report(id: string, users: Partial<UsageReport['users'][number]>[]): UsageReport {
  return {
    report_id: id,
    instance_id: 'test',
    period_start: '2026-11-26T10:00:00Z',
    period_end: '2026-11-26T10:01:00Z',
    users: users.map((u) => ({
      user_id: 'alice',
      requests: 0,
      read_queries: 0,
      write_queries: 0,
      nodes_created: 0,
      relationships_created: 0,
      nodes_deleted: 0,
      relationships_deleted: 0,
      storage_bytes: 0,
      ...u,
    })),
  };
}

beforeAll(async () => {
  emulator = await startHiveHubEmulator({ port: 0, users: USERS });
  client = new HiveHubClient({
    baseUrl: emulator.url,
    serviceApiKey: KEY,
    retries: 1,
    retryDelayMs: 1,
    timeoutMs: 2000,
  });
});
afterAll(() => emulator.close());
afterEach(async () => {
  await control('/__emulator/faults', 'DELETE');
});

describe('HiveHub emulator contract', () => {
  it('serves database info with plan quotas, overrides and the cache hint', async () => {
    const alice = await client.getUserDatabase('alice');
    expect(alice).toMatchObject({
      user_id: 'alice',
      database_id: 'db_alice',
      status: 'active',
      plan: 'free',
      quotas: { storage_bytes: 1000, requests_per_minute: 10, requests_per_hour: 100 },
      usage: { storage_bytes: 900 },
      cache_ttl_seconds: 30,
    });
    const bob = await client.getUserDatabase('bob');
    expect(bob).toMatchObject({
      status: 'suspended',
      quotas: { requests_per_minute: 3 },
      cache_ttl_seconds: 5,
    });
    expect((await client.getUserDatabase('carol')).quotas.storage_bytes).toBeNull();
  });

  it('serves user info', async () => {
    expect(await client.getUserInfo('alice')).toMatchObject({
      email: 'alice@x.io',
      display_name: 'Alice',
      plan: 'free',
    });
    expect(await client.getUserInfo('carol')).toMatchObject({
      email: 'carol@example.com',
      display_name: 'carol',
    });
  });

  it('answers unknown users with 404 USER_NOT_FOUND', async () => {
    await expect(client.getUserDatabase('nobody')).rejects.toMatchObject({ code: 'TENANT_NOT_FOUND' });
    const res = await api('/api/v1/users/nobody');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'USER_NOT_FOUND', message: 'no such user' } });
  });

  it('requires the service key and the service header', async () => {
    const wrong = await api('/api/v1/users/alice', {}, 'nope');
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('INVALID_SERVICE_KEY');
    const noHeader = await fetch(`${emulator.url}/api/v1/users/alice`, {
      headers: { Authorization: `Bearer ${KEY}` },
    });
    expect(noHeader.status).toBe(400);
  });

  it('answers malformed requests with 400 BAD_REQUEST', async () => {
    expect((await api('/api/v1/users/bad%20id')).status).toBe(400);
    expect((await api('/api/v1/users/%E0%A4%A')).status).toBe(400);
    expect((await api('/api/v1/nexus/quota/check', { method: 'POST', body: '{nope' })).status).toBe(400);
    const bad = await api('/api/v1/nexus/quota/check', {
      method: 'POST',
      body: JSON.stringify({ user_id: 'alice', operation: 'x' }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST');
    expect((await api('/api/v1/nexus/usage', { method: 'POST' })).status).toBe(400);
    expect((await api('/api/v1/unknown')).status).toBe(404);
  });

  it('checks storage quotas', async () => {
    expect(await client.checkQuota({ user_id: 'alice', operation: 'write', estimated_bytes: 100 })).toEqual({
      allowed: true,
      reason: null,
      storage_bytes_limit: 1000,
      storage_bytes_used: 900,
      storage_bytes_remaining: 100,
    });
    expect(
      await client.checkQuota({ user_id: 'alice', operation: 'import', estimated_bytes: 101 }),
    ).toMatchObject({
      allowed: false,
      reason: 'storage quota exceeded',
    });
    expect(await client.checkQuota({ user_id: 'bob', operation: 'write', estimated_bytes: 0 })).toMatchObject(
      {
        allowed: false,
        reason: 'user suspended',
      },
    );
    expect(
      await client.checkQuota({ user_id: 'carol', operation: 'write', estimated_bytes: 1e12 }),
    ).toMatchObject({
      allowed: true,
      storage_bytes_remaining: null,
    });
    await expect(
      client.checkQuota({ user_id: 'ghost', operation: 'write', estimated_bytes: 1 }),
    ).rejects.toMatchObject({
      code: 'TENANT_NOT_FOUND',
    });
  });
});

describe('HiveHub emulator usage and control routes', () => {
  it('records usage idempotently by report_id and keeps totals', async () => {
    const first = report('r-1', [
      {
        user_id: 'carol',
        requests: 5,
        read_queries: 4,
        write_queries: 1,
        nodes_created: 2,
        storage_bytes: 300,
      },
      { user_id: 'stranger', requests: 1, storage_bytes: 1 },
    ]);
    expect(await client.updateUsage(first)).toEqual({ accepted: true, report_id: 'r-1', duplicate: false });
    expect(await client.updateUsage(first)).toEqual({ accepted: true, report_id: 'r-1', duplicate: true });
    await client.updateUsage(report('r-2', [{ user_id: 'carol', requests: 2, storage_bytes: 350 }]));
    const usage = (await (await control('/__emulator/usage')).json()) as {
      reports: UsageReport[];
      duplicates: number;
      totals: Record<string, Record<string, number>>;
    };
    expect(usage.reports.map((r) => r.report_id)).toEqual(['r-1', 'r-2']);
    expect(usage.duplicates).toBe(1);
    expect(usage.totals.carol).toMatchObject({
      requests: 7,
      read_queries: 4,
      nodes_created: 2,
      storage_bytes: 350,
    });
    expect(usage.totals.stranger).toMatchObject({ requests: 1 });
    // the reported absolute storage becomes the user's usage
    expect((await client.getUserDatabase('carol')).usage).toEqual({
      storage_bytes: 350,
      updated_at: '2026-11-26T10:01:00Z',
    });
  });

  it('logs API requests and can clear the log', async () => {
    await control('/__emulator/requests', 'DELETE');
    await client.getUserInfo('alice');
    const log = (await (await control('/__emulator/requests')).json()) as { requests: unknown[] };
    expect(log.requests).toEqual([{ method: 'GET', path: '/api/v1/users/alice', status: 200 }]);
  });

  it('adds and modifies users at runtime', async () => {
    const added = await control('/__emulator/users', 'POST', { user_id: 'dave', plan: 'free' });
    expect(added.status).toBe(200);
    expect((await client.getUserDatabase('dave')).status).toBe('active');
    await control('/__emulator/users', 'POST', {
      user_id: 'dave',
      status: 'suspended',
      quotas: { requests_per_hour: 7 },
    });
    expect(await client.getUserDatabase('dave')).toMatchObject({
      status: 'suspended',
      plan: 'free',
      quotas: { requests_per_hour: 7, requests_per_minute: 10 },
    });
    expect((await control('/__emulator/users', 'POST', { user_id: 'erin', plan: 'gold' })).status).toBe(400);
    expect((await control('/__emulator/users', 'POST', { user_id: 'bad id' })).status).toBe(400);
    expect((await control('/__emulator/nothing')).status).toBe(404);
  });

  it('injects status faults for the next N requests', async () => {
    await control('/__emulator/faults', 'POST', { status: 503, count: 2 });
    const first = await api('/api/v1/users/alice');
    expect(first.status).toBe(503);
    expect((await api('/api/v1/users/alice')).status).toBe(503);
    expect((await api('/api/v1/users/alice')).status).toBe(200);
  });

  it('injects 429 with Retry-After and 500 until cleared', async () => {
    await control('/__emulator/faults', 'POST', { status: 429, retry_after: 7 });
    const throttled = await api('/api/v1/users/alice');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('7');
    expect(((await throttled.json()) as { error: { code: string } }).error.code).toBe('THROTTLED');
    await control('/__emulator/faults', 'POST', { status: 500, delay_ms: 5 });
    expect((await api('/api/v1/users/alice')).status).toBe(500);
    expect((await api('/api/v1/users/alice')).status).toBe(500);
    await control('/__emulator/faults', 'DELETE');
    expect((await api('/api/v1/users/alice')).status).toBe(200);
  });

  it('refuses connections while the fault is active', async () => {
    await control('/__emulator/faults', 'POST', { refuse_connections: true, count: 1 });
    await expect(api('/api/v1/users/alice')).rejects.toThrow();
    expect((await api('/api/v1/users/alice')).status).toBe(200);
  });

  it('delays answers after processing them', async () => {
    await control('/__emulator/faults', 'POST', { delay_ms: 60, count: 1 });
    const started = Date.now();
    expect((await api('/api/v1/users/alice')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
  });

  it('survives a client that gives up during a delay', async () => {
    await control('/__emulator/faults', 'POST', { delay_ms: 80, count: 1 });
    await expect(api('/api/v1/users/alice', { signal: AbortSignal.timeout(20) })).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 100));
    expect((await api('/api/v1/users/alice')).status).toBe(200);
  });

  it('validates fault bodies', async () => {
    expect((await control('/__emulator/faults', 'POST', { status: 418 })).status).toBe(400);
  });
});

describe('HiveHub emulator startup', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nexus-emu-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('loads a YAML users file with defaults', async () => {
    const file = join(dir, 'users.yml');
    await writeFile(file, 'users:\n  - user_id: zed\n');
    const emu = await startHiveHubEmulator({ users: file });
    try {
      const c = new HiveHubClient({ baseUrl: emu.url, serviceApiKey: 'nexus-emulator-key' });
      expect(await c.getUserDatabase('zed')).toMatchObject({ plan: 'free', cache_ttl_seconds: 60 });
    } finally {
      await emu.close();
    }
  });

  it('rejects unreadable, malformed or inconsistent users files', async () => {
    await expect(startHiveHubEmulator({ users: join(dir, 'missing.yml') })).rejects.toMatchObject({
      code: 'INVALID_PARAMETER',
    });
    const broken = join(dir, 'broken.yml');
    await writeFile(broken, 'users: [\n');
    await expect(startHiveHubEmulator({ users: broken })).rejects.toMatchObject({ code: 'INVALID_BODY' });
    const wrongShape = join(dir, 'shape.json');
    await writeFile(wrongShape, JSON.stringify({ users: [{ user_id: 'a', colour: 'red' }] }));
    await expect(startHiveHubEmulator({ users: wrongShape })).rejects.toThrow(/users\[0\]/);
    await expect(
      startHiveHubEmulator({ users: { users: [{ user_id: 'a', plan: 'gold' }] } }),
    ).rejects.toThrow(/unknown plan gold/);
  });

  it('starts from an empty file with default plans', async () => {
    const file = join(dir, 'empty.yml');
    await writeFile(file, '');
    const emu = await startHiveHubEmulator({ users: file });
    try {
      const res = await fetch(`${emu.url}/__emulator/users`, {
        method: 'POST',
        body: JSON.stringify({ user_id: 'x' }),
      });
      expect(((await res.json()) as { user: { plan: string } }).user.plan).toBe('free');
    } finally {
      await emu.close();
    }
  });

  it('treats a user of a file without plans as unlimited', async () => {
    const emu = await startHiveHubEmulator({ users: { plans: {}, users: [{ user_id: 'x' }] } });
    try {
      const c = new HiveHubClient({ baseUrl: emu.url, serviceApiKey: 'nexus-emulator-key' });
      expect((await c.getUserDatabase('x')).quotas).toEqual({
        storage_bytes: null,
        requests_per_minute: null,
        requests_per_hour: null,
      });
    } finally {
      await emu.close();
    }
  });

  it('fails to start on a port in use', async () => {
    await expect(startHiveHubEmulator({ port: emulator.port, users: {} })).rejects.toThrow(/EADDRINUSE/);
  });
});
