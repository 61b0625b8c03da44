import { describe, expect, it } from 'vitest';
import { QuotaService } from '../../src/cluster/quota-service.js';
import type { QuotaServiceConfig } from '../../src/cluster/quota-service.js';
import {
  ControlPlaneAuthError,
  ControlPlaneProtocolError,
  ControlPlaneUnavailableError,
} from '../../src/cluster/control-plane-errors.js';
import type { UserDatabase } from '../../src/cluster/hivehub-schemas.js';
import { NexusError } from '../../src/errors.js';
import { ManualClock, recordingLogger, userDatabase } from './fakes.js';

const CONFIG: QuotaServiceConfig = {
  quota_cache_ttl_seconds: 60,
  stale_quota_grace_seconds: 120,
  unknown_tenant_policy: 'fail_closed',
  default_quotas: { storage_bytes: 10, requests_per_minute: 5, requests_per_hour: 50 },
};

type Answer = UserDatabase | Error;

function fakeClient(answer: (userId: string) => Answer | Promise<Answer>) {
  const calls: string[] = [];
  return {
    calls,
    async getUserDatabase(userId: string): Promise<UserDatabase> {
      calls.push(userId);
      const a = await answer(userId);
      if (a instanceof Error) throw a;
      return a;
    },
  };
}

const db = (userId: string, overrides: Record<string, unknown> = {}) =>
  userDatabase(userId, overrides) as UserDatabase;
const down = () => new ControlPlaneUnavailableError('connection', 'down', 7);

function setup(
  answer: (userId: string) => Answer | Promise<Answer>,
  config: Partial<QuotaServiceConfig> = {},
) {
  const clock = new ManualClock();
  const client = fakeClient(answer);
  const logger = recordingLogger();
  const service = new QuotaService({
    client,
    config: { ...CONFIG, ...config },
    clock,
    logger,
    maxEntries: 3,
  });
  return { clock, client, service, logger };
}

describe('QuotaService caching', () => {
  it('caches answers for min(config TTL, HiveHub hint) and counts hits', async () => {
    const { clock, client, service } = setup((u) => db(u, { cache_ttl_seconds: 30 }));
    const first = await service.resolve('alice');
    expect(first).toMatchObject({
      userId: 'alice',
      plan: 'pro',
      source: 'hivehub',
      quotas: { storageBytes: 1_000_000, requestsPerMinute: 600, requestsPerHour: 20_000 },
      storageBytesUsed: 100,
    });
    clock.advance(23_999);
    await service.resolve('alice');
    expect(client.calls).toHaveLength(1);
    expect(service.stats()).toMatchObject({ hits: 1, misses: 1, size: 1, refreshes: 0 });
    expect(service.stats().hitRate).toBeCloseTo(1 / 2);
  });

  it('refreshes in the background before expiry, coalesced, and never makes a request wait', async () => {
    let release: () => void = () => undefined;
    let gate: Promise<void> = Promise.resolve();
    let plan = 'pro';
    const { clock, client, service } = setup(async (u) => {
      await gate;
      return db(u, { cache_ttl_seconds: 30, plan });
    });
    await service.resolve('alice');
    gate = new Promise<void>((r) => (release = r));
    plan = 'team';
    // Last fifth of the 30 s lifetime: served from the cache, one refresh started.
    clock.advance(24_000);
    for (let i = 0; i < 20; i++) expect(service.resolveCached('alice')?.plan).toBe('pro');
    expect(client.calls).toHaveLength(2);
    // Even past expiry (inside the grace period) the cached answer is served, marked stale.
    clock.advance(10_000);
    const stale = service.resolveCached('alice');
    expect(stale).toMatchObject({ plan: 'pro', source: 'stale' });
    expect(client.calls).toHaveLength(2);
    release();
    await service.settled('alice');
    expect(service.resolveCached('alice')).toMatchObject({ plan: 'team', source: 'hivehub' });
    expect(service.stats()).toMatchObject({ refreshes: 1, misses: 1, staleServed: 1 });
  });

  it('keeps serving the cached answer when a background refresh fails, until the grace period ends', async () => {
    let up = true;
    const { clock, client, service, logger } = setup((u) => (up ? db(u) : down()));
    await service.resolve('alice');
    up = false;
    clock.advance(61_000);
    expect((await service.resolve('alice')).source).toBe('stale');
    await service.settled('alice');
    expect(logger.lines.some((l) => l.level === 'warn' && /background/.test(String(l.msg)))).toBe(true);
    expect(client.calls).toHaveLength(2);
    expect((await service.resolve('alice')).source).toBe('stale');
    await service.settled('alice');
    clock.advance(120_000);
    await expect(service.resolve('alice')).rejects.toMatchObject({ code: 'CONTROL_PLANE_UNAVAILABLE' });
  });

  it('serves nothing stale with a zero grace period: the expired answer is fetched in the foreground', async () => {
    const { clock, client, service } = setup((u) => db(u), { stale_quota_grace_seconds: 0 });
    await service.resolve('alice');
    clock.advance(60_000);
    expect(service.resolveCached('alice')).toBeUndefined();
    expect((await service.resolve('alice')).source).toBe('hivehub');
    expect(client.calls).toHaveLength(2);
  });

  it('asks in the foreground once an unknown tenant answer expires', async () => {
    const { clock, client, service } = setup(() => new NexusError('TENANT_NOT_FOUND', 'x'));
    await expect(service.resolve('ghost')).rejects.toMatchObject({ code: 'TENANT_NOT_FOUND' });
    clock.advance(10_000);
    expect(service.resolveCached('ghost')).toBeUndefined();
    await expect(service.resolve('ghost')).rejects.toMatchObject({ code: 'TENANT_NOT_FOUND' });
    expect(client.calls).toHaveLength(2);
  });

  it('bounds the TTL by the configuration', async () => {
    const { clock, client, service } = setup((u) => db(u, { cache_ttl_seconds: 3600 }), {
      quota_cache_ttl_seconds: 10,
    });
    await service.resolve('alice');
    clock.advance(7_999);
    service.resolveCached('alice');
    expect(client.calls).toHaveLength(1);
    clock.advance(1);
    service.resolveCached('alice');
    expect(client.calls).toHaveLength(2);
  });

  it('coalesces concurrent misses for one tenant into one call', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const { client, service } = setup(async (u) => {
      await gate;
      return db(u);
    });
    const all = Promise.all(Array.from({ length: 50 }, () => service.resolve('alice')));
    const other = service.resolve('bob');
    release();
    const results = await all;
    await other;
    expect(new Set(results.map((r) => r.userId))).toEqual(new Set(['alice']));
    expect(client.calls.sort()).toEqual(['alice', 'bob']);
  });

  it('keeps a bounded number of tenants', async () => {
    const { service } = setup((u) => db(u));
    for (const u of ['a', 'b', 'c', 'd', 'e']) await service.resolve(u);
    expect(service.stats().size).toBe(3);
    expect(service.peek('a')).toBeUndefined();
    expect(service.peek('e')?.userId).toBe('e');
  });

  it('invalidates a tenant on demand', async () => {
    const { client, service } = setup((u) => db(u));
    await service.resolve('alice');
    service.invalidate('alice');
    await service.resolve('alice');
    expect(client.calls).toHaveLength(2);
  });

  it('reports a zero hit rate before any lookup', () => {
    const { service } = setup((u) => db(u));
    expect(service.stats().hitRate).toBe(0);
  });
});

describe('QuotaService tenant states', () => {
  it('refuses suspended tenants and caches that answer', async () => {
    const { client, service } = setup((u) => db(u, { status: 'suspended' }));
    await expect(service.resolve('sus')).rejects.toMatchObject({ code: 'TENANT_SUSPENDED' });
    await expect(service.resolve('sus')).rejects.toMatchObject({ code: 'TENANT_SUSPENDED' });
    expect(client.calls).toHaveLength(1);
  });

  it('caches unknown tenants briefly', async () => {
    const { clock, client, service } = setup(() => new NexusError('TENANT_NOT_FOUND', 'nope'));
    await expect(service.resolve('ghost')).rejects.toMatchObject({ code: 'TENANT_NOT_FOUND' });
    clock.advance(9_000);
    await expect(service.resolve('ghost')).rejects.toMatchObject({ code: 'TENANT_NOT_FOUND' });
    expect(client.calls).toHaveLength(1);
    clock.advance(1_000);
    await expect(service.resolve('ghost')).rejects.toMatchObject({ code: 'TENANT_NOT_FOUND' });
    expect(client.calls).toHaveLength(2);
    expect(service.peek('ghost')).toBeUndefined();
  });

  it('passes through errors that are not control-plane failures', async () => {
    const { service } = setup(() => new Error('bug'));
    await expect(service.resolve('alice')).rejects.toThrow('bug');
  });
});

describe('QuotaService when HiveHub is down', () => {
  it('serves an expired answer during the grace period, then fails closed', async () => {
    let up = true;
    const { clock, service, logger } = setup((u) => (up ? db(u) : down()));
    await service.resolve('alice');
    up = false;
    clock.advance(60_000 + 119_000);
    const stale = await service.resolve('alice');
    expect(stale.source).toBe('stale');
    expect(service.stats().staleServed).toBe(1);
    await service.settled('alice');
    expect(logger.lines.some((l) => l.level === 'warn')).toBe(true);
    clock.advance(1_000);
    const err = await service.resolve('alice').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NexusError);
    expect(err).toMatchObject({ code: 'CONTROL_PLANE_UNAVAILABLE', details: { retryAfterSeconds: 7 } });
    up = true;
    expect((await service.resolve('alice')).source).toBe('hivehub');
  });

  it('keeps refusing a cached suspended tenant while HiveHub is down', async () => {
    let up = true;
    const { clock, service } = setup((u) => (up ? db(u, { status: 'suspended' }) : down()));
    await expect(service.resolve('sus')).rejects.toMatchObject({ code: 'TENANT_SUSPENDED' });
    up = false;
    clock.advance(61_000);
    await expect(service.resolve('sus')).rejects.toMatchObject({ code: 'TENANT_SUSPENDED' });
  });

  it('keeps a cached unknown tenant unknown while HiveHub is down', async () => {
    let up = true;
    const { clock, service } = setup(() => (up ? new NexusError('TENANT_NOT_FOUND', 'x') : down()));
    await expect(service.resolve('ghost')).rejects.toMatchObject({ code: 'TENANT_NOT_FOUND' });
    up = false;
    clock.advance(11_000);
    await expect(service.resolve('ghost')).rejects.toMatchObject({ code: 'TENANT_NOT_FOUND' });
  });

  it('fails closed for unknown tenants with a retry hint', async () => {
    const { service } = setup(() => new ControlPlaneAuthError('bad key'));
    await expect(service.resolve('new')).rejects.toMatchObject({
      code: 'CONTROL_PLANE_UNAVAILABLE',
      details: { retryAfterSeconds: 30 },
    });
  });

  it('applies default quotas under fail_open, without caching them', async () => {
    let up = false;
    const { client, service } = setup((u) => (up ? db(u) : new ControlPlaneProtocolError('weird', 400)), {
      unknown_tenant_policy: 'fail_open',
    });
    const record = await service.resolve('new');
    expect(record).toMatchObject({
      status: 'active',
      plan: 'default',
      source: 'default',
      databaseId: null,
      quotas: { storageBytes: 10, requestsPerMinute: 5, requestsPerHour: 50 },
    });
    expect(service.stats().defaultsServed).toBe(1);
    up = true;
    expect((await service.resolve('new')).source).toBe('hivehub');
    expect(client.calls).toHaveLength(2);
  });
});
