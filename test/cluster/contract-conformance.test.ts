/**
 * Contract v1 (/work/shared/hivehub-api.md) mismatches found by the strict HiveHub double
 * (test/e2e/hivehub-contract.test.ts), pinned at unit level: unbounded byte counts in
 * answers, RFC 3339 UTC timestamps in reports, a refused report must not block the outbox,
 * a broken quota-check answer must not become a 500, and the emulator must require
 * `Content-Type: application/json` like the contract does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterGate } from '../../src/cluster/cluster-gate.js';
import type { ClusterConfig } from '../../src/cluster/config.js';
import { ControlPlaneProtocolError } from '../../src/cluster/control-plane-errors.js';
import { startHiveHubEmulator } from '../../src/cluster/emulator/index.js';
import type { HiveHubEmulator } from '../../src/cluster/emulator/index.js';
import { HiveHubClient } from '../../src/cluster/hivehub-client.js';
import type { HttpRequestInit } from '../../src/cluster/hivehub-client.js';
import {
  quotaCheckResponseSchema,
  usageReportSchema,
  userDatabaseSchema,
} from '../../src/cluster/hivehub-schemas.js';
import type { UsageReport, UsageResponse } from '../../src/cluster/hivehub-schemas.js';
import { REFUSED_PREFIX, UsageTracker } from '../../src/cluster/usage-tracker.js';
import type { SystemTable } from '../../src/storage/types.js';
import { NexusError } from '../../src/errors.js';
import {
  ManualClock,
  MemorySystemTable,
  errorResponse,
  recordingLogger,
  response,
  scriptedFetch,
  userDatabase,
} from './fakes.js';

const report = (overrides: Partial<UsageReport> = {}): UsageReport => ({
  report_id: 'r-1',
  instance_id: 'nexus-1',
  period_start: '2026-11-26T10:00:00.000Z',
  period_end: '2026-11-26T10:01:00Z',
  users: [],
  ...overrides,
});

describe('wire schemas', () => {
  it('accepts byte counts above 2^53 in answers (the contract sets no bound; HiveHub is u64)', () => {
    const huge = 2 ** 60;
    const db = userDatabase('u', {
      quotas: { storage_bytes: huge, requests_per_minute: huge, requests_per_hour: null },
      usage: { storage_bytes: huge, updated_at: '2026-11-26T10:00:00Z' },
    });
    expect(userDatabaseSchema.safeParse(db).success).toBe(true);
    expect(
      quotaCheckResponseSchema.safeParse({
        allowed: true,
        storage_bytes_limit: huge,
        storage_bytes_used: huge,
        storage_bytes_remaining: 0,
      }).success,
    ).toBe(true);
    for (const bad of [-1, 1.5, '10']) {
      const quotas = { storage_bytes: bad, requests_per_minute: null, requests_per_hour: null };
      expect(userDatabaseSchema.safeParse(userDatabase('u', { quotas })).success, String(bad)).toBe(false);
    }
  });

  it('sends only RFC 3339 UTC timestamps in usage reports', () => {
    expect(usageReportSchema.safeParse(report()).success).toBe(true);
    expect(usageReportSchema.safeParse(report({ period_end: '2026-11-26T10:01:00+00:00' })).success).toBe(
      true,
    );
    for (const bad of [
      'yesterday',
      '2026-11-26 10:01:00',
      '2026-11-26T11:01:00+01:00',
      '2026-13-45T10:01:00Z',
    ]) {
      expect(usageReportSchema.safeParse(report({ period_end: bad })).success, bad).toBe(false);
    }
  });
});

describe('usage delivery when HiveHub refuses one report', () => {
  it('keeps a report answered 404 USER_NOT_FOUND and still delivers the ones behind it', async () => {
    const outbox = new MemorySystemTable<UsageReport>();
    await outbox.put('2026-11-26T10:01:00.000Z#00000000#a', report({ report_id: 'a' }));
    await outbox.put('2026-11-26T10:01:00.000Z#00000001#b', report({ report_id: 'b' }));
    const sent: string[] = [];
    const client = {
      updateUsage(r: UsageReport): Promise<UsageResponse> {
        sent.push(r.report_id);
        if (r.report_id === 'a') return Promise.reject(new NexusError('TENANT_NOT_FOUND', 'gone'));
        return Promise.resolve({ accepted: true, report_id: r.report_id, duplicate: false });
      },
    };
    const tracker = new UsageTracker({
      client,
      outbox,
      instanceId: 'nexus-1',
      intervalSeconds: 60,
      storageBytesOf: () => 0,
      clock: new ManualClock(),
    });
    await tracker.deliverPending();
    expect(sent).toEqual(['a', 'b']);
    expect([...outbox.map.keys()]).toEqual(['2026-11-26T10:01:00.000Z#00000000#a']);
    expect(tracker.stats().reportsSent).toBe(1);
  });
});

/** A cluster gate's settings for the tests below (one quick attempt, no retries). */
const GATE_CONFIG: ClusterConfig = {
  enabled: true,
  instance_id: 'nexus-1',
  quota_cache_ttl_seconds: 60,
  stale_quota_grace_seconds: 300,
  unknown_tenant_policy: 'fail_closed',
  default_quotas: { storage_bytes: 1000, requests_per_minute: 10, requests_per_hour: 100 },
  usage_report_interval_seconds: 60,
  hivehub: {
    base_url: 'http://hub.test',
    service_api_key: 'k',
    timeout_ms: 100,
    retries: 0,
    retry_delay_ms: 1,
  },
};

describe('bulk import when the quota check answer breaks the contract', () => {
  const config = GATE_CONFIG;

  it('checks locally against the held quota instead of failing with INTERNAL_ERROR', async () => {
    let checkAnswer = response(200, '{"allowed": tru');
    const fetch = scriptedFetch((url: string, _init: HttpRequestInit) =>
      url.endsWith('/quota/check')
        ? checkAnswer
        : response(
            200,
            userDatabase('alice', {
              quotas: { storage_bytes: 1000, requests_per_minute: null, requests_per_hour: null },
            }),
          ),
    );
    const gate = createClusterGate({
      config,
      storageBytesOf: () => 900,
      outbox: new MemorySystemTable<UsageReport>(),
      fetch,
      clock: new ManualClock(),
    });
    // The raw client does call it a protocol error...
    await expect(
      gate.client.checkQuota({ user_id: 'alice', operation: 'import', estimated_bytes: 1 }),
    ).rejects.toBeInstanceOf(ControlPlaneProtocolError);
    // ...but a tenant's import is judged locally: 900 + 100 fits in 1000, 900 + 101 does not.
    await expect(gate.checkImport('alice', 100)).resolves.toBeUndefined();
    await expect(gate.checkImport('alice', 101)).rejects.toMatchObject({ code: 'STORAGE_QUOTA_EXCEEDED' });
    checkAnswer = errorResponse(400, 'BAD_REQUEST');
    await expect(gate.checkImport('alice', 100)).resolves.toBeUndefined();
  });
});

describe('emulator strictness', () => {
  let emulator: HiveHubEmulator;
  beforeAll(async () => {
    emulator = await startHiveHubEmulator({
      users: {
        service_api_key: 'emu',
        plans: { p: { storage_bytes: 10, requests_per_minute: null, requests_per_hour: null } },
        users: [{ user_id: 'alice' }],
      },
    });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('refuses a POST without Content-Type: application/json with 400 BAD_REQUEST', async () => {
    const body = JSON.stringify({ user_id: 'alice', operation: 'write', estimated_bytes: 1 });
    const post = (contentType: string | null) =>
      fetch(`${emulator.url}/api/v1/nexus/quota/check`, {
        method: 'POST',
        headers: {
          Authorization: 'Bearer emu',
          'X-HiveHub-Service': 'nexus',
          ...(contentType === null ? {} : { 'Content-Type': contentType }),
        },
        body,
      });
    for (const type of [null, 'text/plain', 'application/jsonp']) {
      const res = await post(type);
      expect(res.status, String(type)).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST');
    }
    expect((await post('application/json; charset=utf-8')).status).toBe(200);
    // The real client passes, of course.
    const client = new HiveHubClient({ baseUrl: emulator.url, serviceApiKey: 'emu', retries: 0 });
    await expect(
      client.checkQuota({ user_id: 'alice', operation: 'write', estimated_bytes: 1 }),
    ).resolves.toMatchObject({ allowed: true });
  });
});

describe('a revoked service key (401 INVALID_SERVICE_KEY)', () => {
  it('shows the control plane as unreachable until a call succeeds again', async () => {
    const logger = recordingLogger();
    let revoked = true;
    const fetch = scriptedFetch(() =>
      revoked ? errorResponse(401, 'INVALID_SERVICE_KEY') : response(200, userDatabase('alice')),
    );
    const gate = createClusterGate({
      config: GATE_CONFIG,
      storageBytesOf: () => 0,
      outbox: new MemorySystemTable<UsageReport>(),
      fetch,
      clock: new ManualClock(),
      logger,
    });
    await expect(gate.admit('alice')).rejects.toMatchObject({ code: 'CONTROL_PLANE_UNAVAILABLE' });
    await expect(gate.admit('bob')).rejects.toMatchObject({ code: 'CONTROL_PLANE_UNAVAILABLE' });
    expect(gate.status()).toMatchObject({ reachable: false, authFailed: true });
    // Logged loudly, but once for the incident rather than once per request.
    const errors = logger.lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.msg).toContain('service API key');
    revoked = false;
    await gate.admit('alice');
    expect(gate.status()).toMatchObject({ reachable: true, authFailed: false });
  });
});

describe('429 Retry-After throttles the whole instance', () => {
  it('sends nothing until Retry-After has passed: a long one fails every call at once', async () => {
    const clock = new ManualClock();
    let throttle = true;
    const fetch = scriptedFetch(() =>
      throttle
        ? errorResponse(429, 'THROTTLED', 'x', { 'Retry-After': '120' })
        : response(200, userDatabase('bob')),
    );
    const client = new HiveHubClient({
      baseUrl: 'http://hub.test',
      serviceApiKey: 'k',
      retries: 0,
      fetch,
      clock,
    });
    await expect(client.getUserDatabase('alice')).rejects.toMatchObject({ reason: 'throttled' });
    throttle = false;
    await expect(client.getUserDatabase('bob')).rejects.toMatchObject({
      code: 'CONTROL_PLANE_UNAVAILABLE',
      reason: 'throttled',
      retryAfterSeconds: 120,
    });
    expect(fetch.calls).toHaveLength(1);
    expect(client.health().lastError).toContain('throttled');
    clock.advance(120_001);
    await expect(client.getUserDatabase('bob')).resolves.toMatchObject({ user_id: 'bob' });
    expect(fetch.calls).toHaveLength(2);
  });

  it('delays the next call by a short Retry-After instead of failing it', async () => {
    let throttle = true;
    const fetch = scriptedFetch(() =>
      throttle
        ? errorResponse(429, 'THROTTLED', 'x', { 'Retry-After': '1' })
        : response(200, userDatabase('bob')),
    );
    const client = new HiveHubClient({ baseUrl: 'http://hub.test', serviceApiKey: 'k', retries: 0, fetch });
    await expect(client.getUserDatabase('alice')).rejects.toMatchObject({ reason: 'throttled' });
    throttle = false;
    const started = Date.now();
    await expect(client.getUserDatabase('bob')).resolves.toMatchObject({ user_id: 'bob' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });
});

describe('a usage report HiveHub calls malformed (400 BAD_REQUEST: do not retry)', () => {
  const refusing = () => {
    const sent: string[] = [];
    return {
      sent,
      updateUsage(r: UsageReport): Promise<UsageResponse> {
        sent.push(r.report_id);
        if (r.report_id === 'bad') return Promise.reject(new ControlPlaneProtocolError('refused (400)', 400));
        return Promise.resolve({ accepted: true, report_id: r.report_id, duplicate: false });
      },
    };
  };
  const trackerOver = (outbox: SystemTable<UsageReport>, client: ReturnType<typeof refusing>) =>
    new UsageTracker({
      client,
      outbox,
      instanceId: 'nexus-1',
      intervalSeconds: 60,
      storageBytesOf: () => 0,
      clock: new ManualClock(),
    });
  const BAD_KEY = '2026-11-26T10:01:00.000Z#00000000#bad';
  const GOOD_KEY = '2026-11-26T10:01:00.000Z#00000001#good';

  /** The same table without `batch`: the tracker must park with put + remove. */
  const withoutBatch = (table: MemorySystemTable<UsageReport>): SystemTable<UsageReport> => ({
    get: (k) => table.get(k),
    put: (k, v) => table.put(k, v),
    remove: (k) => table.remove(k),
    entries: (p) => table.entries(p),
  });

  for (const atomic of [true, false]) {
    it(`parks it, keeps it and never re-sends it (${atomic ? 'atomic' : 'put + remove'} outbox)`, async () => {
      const table = new MemorySystemTable<UsageReport>();
      await table.put(BAD_KEY, report({ report_id: 'bad' }));
      await table.put(GOOD_KEY, report({ report_id: 'good' }));
      const client = refusing();
      const tracker = trackerOver(atomic ? table : withoutBatch(table), client);
      await tracker.deliverPending();
      await tracker.deliverPending();
      expect(client.sent).toEqual(['bad', 'good']);
      expect([...table.map.keys()]).toEqual([`${REFUSED_PREFIX}${BAD_KEY}`]);
      expect(table.map.get(`${REFUSED_PREFIX}${BAD_KEY}`)?.report_id).toBe('bad');
      expect(tracker.outboxDepth()).toBe(0);
    });
  }

  it('leaves it pending when it cannot be parked (nothing is lost)', async () => {
    const table = new MemorySystemTable<UsageReport>();
    await table.put(BAD_KEY, report({ report_id: 'bad' }));
    table.failPuts = true;
    const client = refusing();
    const tracker = trackerOver(withoutBatch(table), client);
    await tracker.deliverPending();
    expect([...table.map.keys()]).toEqual([BAD_KEY]);
    expect(tracker.outboxDepth()).toBe(1);
  });
});
