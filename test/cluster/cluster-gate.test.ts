import { describe, expect, it } from 'vitest';
import { createClusterGate, STARTUP_PROBE_USER_ID } from '../../src/cluster/cluster-gate.js';
import type { ClusterConfig } from '../../src/cluster/config.js';
import { ControlPlaneAuthError } from '../../src/cluster/control-plane-errors.js';
import type { HttpRequestInit } from '../../src/cluster/hivehub-client.js';
import type { UsageReport } from '../../src/cluster/hivehub-schemas.js';
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
import type { Responder } from './fakes.js';

const KEY = 'gate-secret-key';
const config = (overrides: Partial<ClusterConfig> = {}): ClusterConfig => ({
  enabled: true,
  instance_id: 'nexus-test-1',
  quota_cache_ttl_seconds: 60,
  stale_quota_grace_seconds: 300,
  unknown_tenant_policy: 'fail_closed',
  default_quotas: { storage_bytes: 1000, requests_per_minute: 10, requests_per_hour: 100 },
  usage_report_interval_seconds: 60,
  hivehub: {
    base_url: 'http://hub.test',
    service_api_key: KEY,
    timeout_ms: 100,
    retries: 0,
    retry_delay_ms: 1,
  },
  ...overrides,
});

interface HubState {
  down: boolean;
  authFails: boolean;
  users: Record<string, Record<string, unknown>>;
  quotaAllowed: boolean;
  usage: UsageReport[];
}

function hub(state: HubState): Responder {
  return (url: string, init: HttpRequestInit) => {
    if (state.down) return Promise.reject(new TypeError('fetch failed'));
    if (state.authFails) return errorResponse(401, 'INVALID_SERVICE_KEY');
    const path = new URL(url).pathname;
    const dbMatch = /\/api\/v1\/nexus\/users\/([^/]+)\/database$/.exec(path);
    if (dbMatch !== null) {
      const user = state.users[dbMatch[1] as string];
      return user === undefined
        ? errorResponse(404, 'USER_NOT_FOUND')
        : response(200, userDatabase(dbMatch[1] as string, user));
    }
    if (path.endsWith('/quota/check')) {
      const request = JSON.parse(init.body ?? '{}') as { user_id: string };
      if (state.users[request.user_id] === undefined) return errorResponse(404, 'USER_NOT_FOUND');
      return response(200, {
        allowed: state.quotaAllowed,
        reason: state.quotaAllowed ? null : 'storage quota exceeded',
        storage_bytes_limit: 1000,
        storage_bytes_used: 900,
        storage_bytes_remaining: 100,
      });
    }
    if (path.endsWith('/usage')) {
      const report = JSON.parse(init.body ?? '{}') as UsageReport;
      state.usage.push(report);
      return response(200, { accepted: true, report_id: report.report_id, duplicate: false });
    }
    return errorResponse(404, 'NOT_FOUND');
  };
}

function setup(cfg: Partial<ClusterConfig> = {}, initial: Partial<HubState> = {}) {
  const state: HubState = {
    down: false,
    authFails: false,
    quotaAllowed: true,
    usage: [],
    users: {
      alice: { quotas: { storage_bytes: 1000, requests_per_minute: 50, requests_per_hour: 1000 } },
      sus: { status: 'suspended' },
    },
    ...initial,
  };
  const fetch = scriptedFetch(hub(state));
  const clock = new ManualClock(Date.parse('2026-11-26T10:00:30Z'));
  const outbox = new MemorySystemTable<UsageReport>();
  const logger = recordingLogger();
  const storage = new Map<string, number>([['alice', 900]]);
  const gate = createClusterGate({
    config: config(cfg),
    storageBytesOf: (u) => storage.get(u) ?? 0,
    outbox,
    fetch,
    clock,
    logger,
  });
  return { gate, state, fetch, clock, outbox, logger, storage };
}

/** A report left undelivered in the outbox by an earlier run. */
const PENDING_REPORT: UsageReport = {
  report_id: 'pending',
  instance_id: 'nexus-test-1',
  period_start: '2026-11-26T09:58:00Z',
  period_end: '2026-11-26T09:59:00Z',
  users: [],
};

describe('ClusterGate.quotasFor (operator access)', () => {
  it('gives the tenant’s quotas without consuming rate budget, synchronously once cached', async () => {
    const { gate, fetch } = setup();
    const first = gate.quotasFor('alice');
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toEqual({ storageBytes: 1000, requestsPerMinute: 50, requestsPerHour: 1000 });
    for (let i = 0; i < 100; i++) gate.quotasFor('alice'); // over the 50/min budget
    expect(gate.quotasFor('alice')).toEqual({
      storageBytes: 1000,
      requestsPerMinute: 50,
      requestsPerHour: 1000,
    });
    expect(fetch.calls).toHaveLength(1);
    // The tenant's own budget is untouched.
    expect((await gate.admit('alice')).headers['X-RateLimit-Remaining']).toBe('49');
  });

  it('binds an operator to a suspended tenant’s quotas instead of refusing', async () => {
    const { gate } = setup(
      {},
      {
        users: {
          sus: {
            status: 'suspended',
            quotas: { storage_bytes: 77, requests_per_minute: 1, requests_per_hour: 1 },
          },
        },
      },
    );
    expect(await gate.quotasFor('sus')).toMatchObject({ storageBytes: 77 });
    expect(gate.quotasFor('sus')).toMatchObject({ storageBytes: 77 }); // cached path
    await expect(gate.admit('sus')).rejects.toMatchObject({ code: 'TENANT_SUSPENDED' });
  });

  it('gives a tenant HiveHub does not know a zero storage quota (reads and deletes only)', async () => {
    const { gate } = setup();
    expect(await gate.quotasFor('ghost')).toEqual({
      storageBytes: 0,
      requestsPerMinute: null,
      requestsPerHour: null,
    });
    expect(gate.quotasFor('ghost')).toMatchObject({ storageBytes: 0 }); // cached negative answer
  });

  it('gives a zero storage quota while the control plane is unavailable and nothing is cached', async () => {
    const { gate, state } = setup({}, { down: true });
    await expect(gate.admit('alice')).rejects.toMatchObject({ code: 'CONTROL_PLANE_UNAVAILABLE' });
    expect(await gate.quotasFor('alice')).toMatchObject({ storageBytes: 0 });
    state.down = false;
    expect(await gate.quotasFor('alice')).toMatchObject({ storageBytes: 1000 });
    expect(() => gate.quotasFor('not a user!')).toThrow();
    // Anything but a refusal from the quota service propagates.
    gate.quotaService.resolve = () => Promise.reject(new Error('bug'));
    gate.quotaService.invalidate('alice');
    await expect(gate.quotasFor('alice')).rejects.toThrow('bug');
  });
});

describe('ClusterGate.admit', () => {
  it('admits an active tenant with rate-limit headers and its quotas', async () => {
    const { gate } = setup();
    const admission = await gate.admit('alice');
    expect(admission.quotas).toEqual({ storageBytes: 1000, requestsPerMinute: 50, requestsPerHour: 1000 });
    expect(admission.headers).toMatchObject({
      'X-RateLimit-Limit': '50',
      'X-RateLimit-Remaining': '49',
      'X-RateLimit-Reset': '30',
      'RateLimit-Policy': '"minute";q=50;w=60, "hour";q=1000;w=3600',
    });
  });

  it('admits exactly the budget out of 200 concurrent requests', async () => {
    const { gate, fetch } = setup();
    const outcomes = await Promise.allSettled(Array.from({ length: 200 }, () => gate.admit('alice')));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(50);
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(refused.every((r) => (r.reason as NexusError).code === 'RATE_LIMIT_EXCEEDED')).toBe(true);
    expect((refused[0]?.reason as NexusError).details).toMatchObject({
      retryAfterSeconds: 30,
      retry_after_seconds: 30,
    });
    expect(fetch.calls).toHaveLength(1);
  });

  it('admits synchronously from a fresh cache, sharing the rate limit with admit', async () => {
    const { gate, fetch, clock } = setup();
    // Nothing cached yet: the caller must take the asynchronous path.
    expect(gate.admitCached('alice')).toBeUndefined();
    expect((await gate.admit('alice')).headers['X-RateLimit-Remaining']).toBe('49');
    const cached = gate.admitCached('alice');
    expect(cached?.quotas).toEqual({ storageBytes: 1000, requestsPerMinute: 50, requestsPerHour: 1000 });
    expect(cached?.headers['X-RateLimit-Remaining']).toBe('48');
    // Exactly the budget, across both paths.
    let admitted = 2;
    for (let i = 0; i < 60; i++) {
      try {
        if (gate.admitCached('alice') !== undefined) admitted++;
      } catch (err) {
        expect((err as NexusError).code).toBe('RATE_LIMIT_EXCEEDED');
      }
    }
    expect(admitted).toBe(50);
    await expect(gate.admit('alice')).rejects.toMatchObject({ code: 'RATE_LIMIT_EXCEEDED' });
    expect(fetch.calls).toHaveLength(1);
    expect(gate.status().cacheHitRate).toBeGreaterThan(0.9);
    // Past the TTL the cached answer is still served (stale-while-revalidate) while one
    // background refresh asks HiveHub; past the grace period too, the caller must wait.
    clock.advance(61_000);
    expect(gate.admitCached('alice')?.quotas.requestsPerMinute).toBe(50);
    clock.advance(10 * 60_000);
    expect(gate.admitCached('alice')).toBeUndefined();
  });

  it('refuses cached suspended tenants and malformed ids synchronously', async () => {
    const { gate } = setup();
    await expect(gate.admit('sus')).rejects.toMatchObject({ code: 'TENANT_SUSPENDED' });
    expect(() => gate.admitCached('sus')).toThrow(expect.objectContaining({ code: 'TENANT_SUSPENDED' }));
    expect(() => gate.admitCached('bad id')).toThrow(expect.objectContaining({ code: 'INVALID_BODY' }));
  });

  it('refuses suspended and unknown tenants and malformed ids', async () => {
    const { gate } = setup();
    await expect(gate.admit('sus')).rejects.toMatchObject({ code: 'TENANT_SUSPENDED' });
    await expect(gate.admit('ghost')).rejects.toMatchObject({ code: 'TENANT_NOT_FOUND' });
    await expect(gate.admit('bad id')).rejects.toMatchObject({ code: 'INVALID_BODY' });
  });

  it('fails closed for tenants it knows nothing about while HiveHub is down', async () => {
    const { gate } = setup({}, { down: true });
    await expect(gate.admit('alice')).rejects.toMatchObject({
      code: 'CONTROL_PLANE_UNAVAILABLE',
      details: { retryAfterSeconds: 5 },
    });
    expect(gate.status()).toMatchObject({ reachable: false, cacheHitRate: 0 });
  });

  it('serves default quotas while HiveHub is down under fail_open', async () => {
    const { gate } = setup({ unknown_tenant_policy: 'fail_open' }, { down: true });
    expect((await gate.admit('alice')).quotas).toEqual({
      storageBytes: 1000,
      requestsPerMinute: 10,
      requestsPerHour: 100,
    });
  });
});

describe('ClusterGate.checkImport', () => {
  it('passes when HiveHub allows and refuses with STORAGE_QUOTA_EXCEEDED otherwise', async () => {
    const { gate, state, fetch } = setup();
    await gate.checkImport('alice', 50);
    const body = JSON.parse(fetch.calls[0]?.init.body ?? '{}') as Record<string, unknown>;
    expect(body).toEqual({ user_id: 'alice', operation: 'import', estimated_bytes: 50 });
    state.quotaAllowed = false;
    await expect(gate.checkImport('alice', 500)).rejects.toMatchObject({
      code: 'STORAGE_QUOTA_EXCEEDED',
      message: 'storage quota exceeded',
      details: { storage_bytes_remaining: 100, estimated_bytes: 500 },
    });
  });

  it('checks locally against the cached quota when HiveHub is down', async () => {
    const { gate, state, logger } = setup();
    await gate.admit('alice');
    state.down = true;
    await gate.checkImport('alice', 100);
    await expect(gate.checkImport('alice', 101)).rejects.toMatchObject({
      code: 'STORAGE_QUOTA_EXCEEDED',
      details: { storage_bytes_limit: 1000, storage_bytes_used: 900 },
    });
    expect(logger.lines.some((l) => l.msg?.includes('checking import locally'))).toBe(true);
  });

  it('allows any import locally for an unlimited tenant', async () => {
    const { gate, state } = setup(
      {},
      {
        users: {
          open: { quotas: { storage_bytes: null, requests_per_minute: null, requests_per_hour: null } },
        },
      },
    );
    await gate.admit('open');
    state.down = true;
    await expect(gate.checkImport('open', 1e12)).resolves.toBeUndefined();
  });

  it('rejects bad sizes and propagates unknown tenants', async () => {
    const { gate } = setup();
    await expect(gate.checkImport('alice', -1)).rejects.toMatchObject({ code: 'INVALID_PARAMETER' });
    await expect(gate.checkImport('alice', 1.5)).rejects.toMatchObject({ code: 'INVALID_PARAMETER' });
    await expect(gate.checkImport('ghost', 1)).rejects.toMatchObject({ code: 'TENANT_NOT_FOUND' });
  });
});

describe('ClusterGate usage and status', () => {
  it('reports usage, quotas and rate-limit state to the tenant', async () => {
    const { gate } = setup();
    await gate.admit('alice');
    gate.recordUsage('alice', { requests: 1, readQueries: 1 });
    expect(await gate.usageOf('alice')).toEqual({
      user_id: 'alice',
      plan: 'pro',
      status: 'active',
      database_id: 'db_alice',
      quota_source: 'hivehub',
      quotas: { storage_bytes: 1000, requests_per_minute: 50, requests_per_hour: 1000 },
      storage_bytes: 900,
      rate_limit: {
        minute: { limit: 50, remaining: 49, reset_seconds: 30 },
        hour: { limit: 1000, remaining: 999, reset_seconds: 3570 },
      },
      current_period: {
        period_start: '2026-11-26T10:00:30.000Z',
        requests: 1,
        read_queries: 1,
        write_queries: 0,
        nodes_created: 0,
        relationships_created: 0,
        nodes_deleted: 0,
        relationships_deleted: 0,
      },
    });
  });

  it('shows unlimited windows as null', async () => {
    const { gate } = setup(
      {},
      {
        users: { open: { quotas: { storage_bytes: null, requests_per_minute: null, requests_per_hour: 5 } } },
      },
    );
    const usage = await gate.usageOf('open');
    expect(usage.rate_limit).toEqual({ minute: null, hour: { limit: 5, remaining: 5, reset_seconds: 3570 } });
  });

  it('exposes control-plane status for /health and /metrics', async () => {
    const { gate, state } = setup();
    await gate.admit('alice');
    await gate.admit('alice');
    gate.recordUsage('alice', { requests: 2 });
    state.down = true;
    await gate.usageTracker.flush();
    expect(gate.status()).toEqual({
      reachable: false,
      lastError: 'cannot reach HiveHub: fetch failed',
      breakerState: 'closed',
      cacheHitRate: 0.5,
      outboxDepth: 1,
      reportsSent: 0,
      reportsFailed: 1,
      authFailed: false,
      lastSuccessAt: '2026-11-26T10:00:30.000Z',
      quotaCacheSize: 1,
      staleQuotasServed: 0,
      lastUsageDeliveryAt: null,
      usageLastError: 'cannot reach HiveHub: fetch failed',
    });
    expect(JSON.stringify(gate.status())).not.toContain(KEY);
  });

  it('uses injected services and a default refusal message', async () => {
    const base = setup();
    const gate = createClusterGate({
      config: config(),
      storageBytesOf: () => 0,
      client: base.gate.client,
      quotaService: base.gate.quotaService,
      rateLimiter: base.gate.rateLimiter,
      usageTracker: base.gate.usageTracker,
    });
    expect(gate.usageTracker).toBe(base.gate.usageTracker);
    await gate.admit('alice');
    expect(
      base.gate.rateLimiter.peek('alice', (await gate.admit('alice')).quotas).windows[0]?.remaining,
    ).toBe(48);
    base.fetch.calls.length = 0;
    const refusing = createClusterGate({
      config: config(),
      storageBytesOf: () => 0,
      outbox: new MemorySystemTable<UsageReport>(),
      fetch: scriptedFetch(() =>
        response(200, {
          allowed: false,
          storage_bytes_limit: 1,
          storage_bytes_used: 1,
          storage_bytes_remaining: 0,
        }),
      ),
    });
    await expect(refusing.checkImport('alice', 5)).rejects.toMatchObject({
      code: 'STORAGE_QUOTA_EXCEEDED',
      message: 'the import would exceed the storage quota',
    });
  });

  it('needs an outbox or a usage tracker', () => {
    expect(() => createClusterGate({ config: config(), storageBytesOf: () => 0 })).toThrow(NexusError);
  });
});

describe('ClusterGate lifecycle', () => {
  it('probes HiveHub on start, re-sends the outbox, and flushes on stop', async () => {
    const { gate, state, outbox, fetch } = setup();
    await outbox.put('2026-11-26T09:59:00.000Z#0#old', {
      report_id: 'old',
      instance_id: 'nexus-test-1',
      period_start: '2026-11-26T09:58:00Z',
      period_end: '2026-11-26T09:59:00Z',
      users: [],
    });
    await gate.start();
    expect(fetch.calls[0]?.url).toContain(`/users/${STARTUP_PROBE_USER_ID}/database`);
    expect(state.usage.map((r) => r.report_id)).toEqual(['old']);
    gate.recordUsage('alice', { requests: 1, writeQueries: 1, nodesCreated: 1 });
    await gate.stop();
    expect(state.usage).toHaveLength(2);
    expect(state.usage[1]).toMatchObject({
      instance_id: 'nexus-test-1',
      users: [{ user_id: 'alice', storage_bytes: 900 }],
    });
    expect(gate.status()).toMatchObject({ outboxDepth: 0, reportsSent: 2, reachable: true });
    expect(gate.status().lastUsageDeliveryAt).not.toBeNull();
  });

  it('fails start with ControlPlaneAuthError on 401, logging without the key', async () => {
    const { gate, logger } = setup({}, { authFails: true });
    const err = await gate.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ControlPlaneAuthError);
    expect(gate.status()).toMatchObject({ authFailed: true });
    expect(logger.lines.some((l) => l.level === 'error')).toBe(true);
    expect(JSON.stringify(logger.lines)).not.toContain(KEY);
    await gate.stop();
  });

  it('starts with a warning when HiveHub is unreachable', async () => {
    const { gate, logger, outbox } = setup({}, { down: true });
    await outbox.put('k', PENDING_REPORT);
    await gate.start();
    expect(logger.lines.some((l) => l.level === 'warn' && l.msg?.includes('unreachable at startup'))).toBe(
      true,
    );
    expect(gate.status().reachable).toBe(false);
    await gate.stop();
    expect(gate.status().outboxDepth).toBe(1);
  });

  it('logs when the outbox cannot be re-sent at startup', async () => {
    const { gate, logger, outbox } = setup({}, { down: true });
    await outbox.put('k', PENDING_REPORT);
    const entries = outbox.entries.bind(outbox);
    let calls = 0;
    outbox.entries = (prefix) => {
      // The first full scan is the delivery (drafts are read by prefix before it).
      if (prefix === undefined && ++calls === 1) throw new Error('outbox corrupt');
      return entries(prefix);
    };
    await gate.start();
    await new Promise((r) => setTimeout(r, 10));
    expect(logger.lines.some((l) => l.msg === 'cannot re-send the usage outbox')).toBe(true);
  });
});

describe('ClusterGate storage sync', () => {
  it('reports tenants that hold data but made no request, with zero deltas', async () => {
    const state: HubState = { down: false, authFails: false, quotaAllowed: true, usage: [], users: {} };
    const gate = createClusterGate({
      config: config(),
      storageBytesOf: (u) => (u === 'idle' ? 777 : 0),
      tenantsWithData: () => ['idle'],
      outbox: new MemorySystemTable<UsageReport>(),
      fetch: scriptedFetch(hub(state)),
      clock: new ManualClock(Date.parse('2026-11-26T10:00:30Z')),
    });
    await gate.stop();
    expect(state.usage.flatMap((r) => r.users)).toEqual([
      {
        user_id: 'idle',
        requests: 0,
        read_queries: 0,
        write_queries: 0,
        nodes_created: 0,
        relationships_created: 0,
        nodes_deleted: 0,
        relationships_deleted: 0,
        storage_bytes: 777,
      },
    ]);
  });
});
