// In cluster mode no request may reach the `default` namespace: a key without a tenant (the
// root key, a SUPER key without user_id) is refused on every data-bearing route unless it
// names a tenant. Routes opt in with `config.needsNamespace`, so this walks the whole
// function table: a new data route that forgets the flag fails here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_FUNCTIONS } from '../../src/auth/functions.js';
import { DEFAULT_NAMESPACE } from '../../src/engine/api.js';
import { ROOT_KEY, startStack, type Stack } from './harness.js';

/** Routes that carry no graph data (no namespace) by design. */
const NO_NAMESPACE = new Set(['manage_api_keys', 'get_usage', 'get_metrics']);
const EXEMPT_URLS = new Set(['/health', '/openapi.json']);

let s: Stack;
let tenantlessSuper: string;

beforeAll(async () => {
  s = await startStack();
  tenantlessSuper = (await s.createKey({ name: 'ops', permissions: ['SUPER'] })).secret;
});
afterAll(async () => {
  await s.close();
});

const dataRoutes = Object.entries(ROUTE_FUNCTIONS)
  .map(([key, rule]) => {
    const [method, url] = key.split(' ') as [string, string];
    return { method, url, rule };
  })
  .filter(({ url, rule, method }) => {
    if (EXEMPT_URLS.has(url)) return false;
    if (url === '/mcp') return method === 'POST';
    return rule.function !== null && !NO_NAMESPACE.has(rule.function);
  });

describe('keys without a tenant never reach the default namespace', () => {
  it('covers the data routes of the function table', () => {
    expect(dataRoutes.length).toBeGreaterThanOrEqual(16);
  });

  for (const key of ['root', 'super-without-user_id'] as const) {
    it(`${key}: every data route is 400 without X-Nexus-Tenant`, async () => {
      const secret = key === 'root' ? ROOT_KEY : tenantlessSuper;
      for (const { method, url } of dataRoutes) {
        const res = await s.request(
          secret,
          method as 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
          url.replace(':id', '0'),
          method === 'GET' || method === 'DELETE' ? undefined : { query: 'CREATE (:Leak)', labels: ['Leak'] },
        );
        expect(res.statusCode, `${method} ${url}`).toBe(400);
        expect(res.json().error.details?.header, `${method} ${url}`).toBe('X-Nexus-Tenant');
      }
      expect(s.db.stats(DEFAULT_NAMESPACE).bytes).toBe(0);
    });
  }

  it('naming a tenant works and writes only there', async () => {
    const res = await s.request(
      ROOT_KEY,
      'POST',
      '/data/nodes',
      { labels: ['Op'] },
      {
        'x-nexus-tenant': 'alice',
      },
    );
    expect(res.statusCode).toBe(201);
    expect(s.db.stats('tenant:alice').nodes).toBe(1);
    expect(s.db.stats(DEFAULT_NAMESPACE).bytes).toBe(0);
  });
});
