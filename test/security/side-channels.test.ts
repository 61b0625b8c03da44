// Side channels in responses that are not about a tenant's own graph: /health, /metrics,
// rate-limit headers. Process-wide figures move with every tenant's traffic, so only the
// operator sees them; nothing names a tenant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/cluster/rate-limiter.js';
import { NexusError } from '../../src/errors.js';
import { ROOT_KEY, startStack, type Stack } from './harness.js';

let s: Stack;
let alice: string;

beforeAll(async () => {
  s = await startStack();
  alice = (await s.createKey({ name: 'a', user_id: 'alice', permissions: ['WRITE'] })).secret;
  await s.createKey({ name: 'b', user_id: 'bob_the_tenant', permissions: ['WRITE'] });
});
afterAll(async () => {
  await s.close();
});

describe('/health', () => {
  it('gives a tenant reachability only, the operator the process-wide figures', async () => {
    const tenant = (await s.request(alice, 'GET', '/health')).json();
    expect(tenant.cluster).toEqual({ control_plane_reachable: true, breaker_state: 'closed' });
    const operator = (await s.request(ROOT_KEY, 'GET', '/health')).json();
    expect(operator.cluster).toMatchObject({
      control_plane_reachable: true,
      breaker_state: 'closed',
      last_error: null,
      quota_cache_hit_rate: 1,
      outbox_depth: 0,
      usage_reports_sent: 0,
      usage_reports_failed: 0,
    });
  });
});

describe('/metrics', () => {
  it('is SUPER-only and names no tenant', async () => {
    await s.request(alice, 'POST', '/cypher', { query: 'CREATE (:Secret)' });
    expect((await s.request(alice, 'GET', '/metrics')).statusCode).toBe(403);
    const text = (await s.request(ROOT_KEY, 'GET', '/metrics')).body;
    expect(text).toContain('nexus_');
    for (const word of ['alice', 'bob_the_tenant', 'tenant:', 'Secret']) expect(text).not.toContain(word);
  });
});

describe('rate-limit headers', () => {
  it('carry budgets only, never the tenant id (also on the 429)', () => {
    const limiter = new RateLimiter();
    const quotas = { storageBytes: null, requestsPerMinute: 1, requestsPerHour: 10 };
    const ok = limiter.consume('tenant_id_secret', quotas);
    expect(JSON.stringify(ok.headers)).not.toContain('tenant_id_secret');
    let refused: unknown;
    try {
      limiter.consume('tenant_id_secret', quotas);
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(NexusError);
    const e = refused as NexusError;
    expect(e.code).toBe('RATE_LIMIT_EXCEEDED');
    expect(JSON.stringify({ m: e.message, d: e.details })).not.toContain('tenant_id_secret');
  });
});
