import { describe, expect, it } from 'vitest';
import {
  ANONYMOUS_CONTEXT,
  AuthService,
  generateSecret,
  resolveTenantOverride,
  type UserContext,
} from '../../src/auth/index.js';
import { NexusError } from '../../src/errors.js';
import { ctx, makeService, SUPER, TestClock } from './helpers.js';

function errorOf(fn: () => unknown): NexusError {
  try {
    fn();
  } catch (err) {
    if (err instanceof NexusError) return err;
    throw err;
  }
  throw new Error('expected a NexusError');
}

const ROOT = 'operator-root-secret-0123456789';

function setup(opts: { clusterMode?: boolean; maxFailuresPerMinute?: number } = {}) {
  const clock = new TestClock();
  const { service } = makeService(opts.clusterMode ?? false, clock);
  const auth = new AuthService(
    service,
    {
      enabled: true,
      clusterMode: opts.clusterMode ?? false,
      rootKey: ROOT,
      maxFailuresPerMinute: opts.maxFailuresPerMinute ?? 3,
    },
    clock.fn,
  );
  return { auth, service, clock };
}

describe('AuthService.authenticate', () => {
  it('accepts Bearer and X-API-Key and builds the context', async () => {
    const { auth, service } = setup();
    const { key, secret } = await service.create(
      { name: 'k', permissions: ['WRITE'], user_id: 'u1', allowed_functions: ['get_node'] },
      SUPER,
    );
    const viaBearer = auth.authenticate({ authorization: `Bearer ${secret}` }, '1.1.1.1');
    const viaHeader = auth.authenticate({ 'x-api-key': secret }, '1.1.1.1');
    for (const c of [viaBearer, viaHeader]) {
      expect(c.keyId).toBe(key.id);
      expect(c.userId).toBe('u1');
      expect(c.namespace).toBe('default');
      expect([...c.permissions].sort()).toEqual(['READ', 'WRITE']);
      expect(c.allowedFunctions).toEqual(['get_node']);
      expect(c.isRoot).toBe(false);
    }
    expect(auth.authenticate({ authorization: `bearer   ${secret}` }, '1.1.1.1').keyId).toBe(key.id);
  });

  it('missing credentials → AUTHENTICATION_REQUIRED; bad ones → INVALID_TOKEN', async () => {
    const { auth, service } = setup({ maxFailuresPerMinute: 100 });
    const { key, secret } = await service.create({ name: 'k', permissions: ['READ'] }, SUPER);
    expect(errorOf(() => auth.authenticate({}, 'ip')).code).toBe('AUTHENTICATION_REQUIRED');
    expect(errorOf(() => auth.authenticate({ 'x-api-key': '' }, 'ip')).code).toBe('AUTHENTICATION_REQUIRED');
    expect(errorOf(() => auth.authenticate({ 'x-api-key': generateSecret() }, 'ip')).code).toBe(
      'INVALID_TOKEN',
    );
    expect(errorOf(() => auth.authenticate({ 'x-api-key': 'garbage' }, 'ip')).code).toBe('INVALID_TOKEN');
    expect(errorOf(() => auth.authenticate({ authorization: `Basic ${secret}` }, 'ip')).code).toBe(
      'INVALID_TOKEN',
    );
    await service.revoke(key.id, SUPER);
    const revoked = errorOf(() => auth.authenticate({ authorization: `Bearer ${secret}` }, 'ip'));
    expect(revoked.code).toBe('INVALID_TOKEN');
    // The reason is not disclosed beyond "rejected".
    expect(revoked.details).toEqual({ reason: 'rejected' });
  });

  it('expired keys are INVALID_TOKEN', async () => {
    const { auth, service, clock } = setup();
    const { secret } = await service.create(
      { name: 'k', permissions: ['READ'], expires_at: new Date(clock.now + 1000).toISOString() },
      SUPER,
    );
    expect(auth.authenticate({ 'x-api-key': secret }, 'ip').permissions.has('READ')).toBe(true);
    clock.advance(1000);
    expect(errorOf(() => auth.authenticate({ 'x-api-key': secret }, 'ip')).code).toBe('INVALID_TOKEN');
  });

  it('the root key is SUPER and isRoot', () => {
    const { auth } = setup();
    const c = auth.authenticate({ authorization: `Bearer ${ROOT}` }, 'ip');
    expect(c.isRoot).toBe(true);
    expect(c.keyId).toBe('root');
    expect([...c.permissions].sort()).toEqual(['ADMIN', 'READ', 'SUPER', 'WRITE']);
    expect(c.allowedFunctions).toBeNull();
  });

  it('cluster mode binds the tenant namespace', async () => {
    const { auth, service } = setup({ clusterMode: true });
    const { secret } = await service.create({ name: 'k', permissions: ['READ'], user_id: 'alice' }, SUPER);
    const c = auth.authenticate({ 'x-api-key': secret }, 'ip');
    expect(c.namespace).toBe('tenant:alice');
    expect(c.userId).toBe('alice');
  });

  it('auth disabled: anonymous context; cluster mode refuses to run without auth', () => {
    const { service } = makeService();
    const auth = new AuthService(service, { enabled: false, clusterMode: false });
    expect(auth.authenticate({}, 'ip')).toBe(ANONYMOUS_CONTEXT);
    expect(ANONYMOUS_CONTEXT.permissions.has('SUPER')).toBe(false);
    expect(() => new AuthService(makeService(true).service, { enabled: false, clusterMode: true })).toThrow(
      /requires authentication/,
    );
  });
});

describe('brute-force throttle (failures only)', () => {
  it('answers failing attempts 429 after N failures per address, yet always serves a valid key', async () => {
    const { auth, service, clock } = setup({ maxFailuresPerMinute: 3 });
    const { secret } = await service.create({ name: 'k', permissions: ['READ'] }, SUPER);
    for (let i = 0; i < 3; i++) {
      expect(errorOf(() => auth.authenticate({ 'x-api-key': generateSecret() }, '10.0.0.1')).code).toBe(
        'INVALID_TOKEN',
      );
    }
    clock.advance(20_000);
    const blocked = errorOf(() => auth.authenticate({ 'x-api-key': generateSecret() }, '10.0.0.1'));
    expect(blocked.code).toBe('TOO_MANY_AUTH_FAILURES');
    expect(blocked.details).toEqual({ retryAfterSeconds: 40 });
    // The valid key behind the same (throttled) address is served, every time.
    for (let i = 0; i < 5; i++)
      expect(auth.authenticate({ 'x-api-key': secret }, '10.0.0.1').keyId).toBeDefined();
    // Other addresses' failures are not throttled.
    expect(errorOf(() => auth.authenticate({ 'x-api-key': generateSecret() }, '10.0.0.2')).code).toBe(
      'INVALID_TOKEN',
    );
    clock.advance(40_000);
    expect(errorOf(() => auth.authenticate({ 'x-api-key': generateSecret() }, '10.0.0.1')).code).toBe(
      'INVALID_TOKEN',
    );
  });

  it('throttles one presented key prefix across addresses', async () => {
    const { auth, service } = setup({ maxFailuresPerMinute: 2 });
    const { secret } = await service.create({ name: 'k', permissions: ['READ'] }, SUPER);
    const guess = (i: number) => `${secret.slice(0, 12)}${'A'.repeat(31 - String(i).length)}${i}`;
    const codes = [1, 2, 3, 4].map(
      (i) => errorOf(() => auth.authenticate({ 'x-api-key': guess(i) }, `ip${i}`)).code,
    );
    expect(codes).toEqual([
      'INVALID_TOKEN',
      'INVALID_TOKEN',
      'TOO_MANY_AUTH_FAILURES',
      'TOO_MANY_AUTH_FAILURES',
    ]);
    expect(auth.retryAfterSeconds('ip9', secret.slice(0, 12))).toBe(60);
    // The real key with that prefix still works.
    expect(auth.authenticate({ 'x-api-key': secret }, 'ip5').keyId).toBeDefined();
  });

  it('ten thousand bad keys from one address never refuse a valid key there', async () => {
    const { auth, service } = setup({ maxFailuresPerMinute: 10 });
    const { secret } = await service.create({ name: 'k', permissions: ['READ'] }, SUPER);
    for (let i = 0; i < 10_000; i++) {
      errorOf(() => auth.authenticate({ 'x-api-key': generateSecret() }, 'lb'));
      if (i % 500 === 0) expect(auth.authenticate({ 'x-api-key': secret }, 'lb').keyId).toBeDefined();
    }
    expect(auth.authenticate({ 'x-api-key': secret }, 'lb').keyId).toBeDefined();
  });

  it('missing credentials do not count as failures; malformed ones do', () => {
    const { auth } = setup({ maxFailuresPerMinute: 2 });
    for (let i = 0; i < 5; i++)
      expect(errorOf(() => auth.authenticate({}, 'a')).code).toBe('AUTHENTICATION_REQUIRED');
    expect(errorOf(() => auth.authenticate({ authorization: 'Basic x' }, 'a')).code).toBe('INVALID_TOKEN');
    expect(errorOf(() => auth.authenticate({ 'x-api-key': 'bad' }, 'a')).code).toBe('INVALID_TOKEN');
    expect(errorOf(() => auth.authenticate({ 'x-api-key': 'bad' }, 'a')).code).toBe('TOO_MANY_AUTH_FAILURES');
  });

  it('tracks a bounded number of addresses', () => {
    const { service } = makeService();
    const clock = new TestClock();
    const auth = new AuthService(
      service,
      { enabled: true, clusterMode: false, maxFailuresPerMinute: 1, maxTrackedClients: 2 },
      clock.fn,
    );
    for (const ip of ['a', 'b', 'c']) {
      errorOf(() => auth.authenticate({ 'x-api-key': `bad-${ip}-1` }, ip));
      errorOf(() => auth.authenticate({ 'x-api-key': `bad-${ip}-2` }, ip));
    }
    // 'a' was evicted (least recently used), 'c' is still throttled.
    expect(auth.retryAfterSeconds('a')).toBe(0);
    expect(auth.retryAfterSeconds('c')).toBe(60);
  });
});

describe('resolveTenantOverride', () => {
  const tenantReader: UserContext = ctx(['READ'], { userId: 'alice' });

  it('SUPER acts as the named tenant', () => {
    const c = resolveTenantOverride(SUPER, 'bob');
    expect(c.userId).toBe('bob');
    expect(c.namespace).toBe('tenant:bob');
    expect(c.permissions.has('SUPER')).toBe(true);
    expect(resolveTenantOverride(SUPER, undefined)).toBe(SUPER);
  });

  it('non-SUPER keys may only name themselves', () => {
    expect(resolveTenantOverride(tenantReader, 'alice')).toBe(tenantReader);
    expect(errorOf(() => resolveTenantOverride(tenantReader, 'bob')).code).toBe('FORBIDDEN');
  });

  it('rejects invalid tenant ids', () => {
    expect(errorOf(() => resolveTenantOverride(SUPER, '../x')).code).toBe('INVALID_PARAMETER');
    expect(errorOf(() => resolveTenantOverride(SUPER, ['a', 'b'])).code).toBe('INVALID_PARAMETER');
  });
});
