// White-box isolation checks: the shared in-memory state the review looked at (compiled-plan
// cache, catalog and index-definition caches, index names), the tenant override header, key
// management identity rules, and revoked/expired keys over MCP — through the real stack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_KEY, startStack, type Stack } from './harness.js';

let s: Stack;
let alice: string;
let bob: string;
let aliceAdmin: string;
let aliceRestrictedAdmin: string;
let bobAdminId: string;

async function cypher(key: string, query: string, headers?: Record<string, string>) {
  return s.request(key, 'POST', '/cypher', { query }, headers);
}

beforeAll(async () => {
  s = await startStack();
  alice = (await s.createKey({ name: 'a', user_id: 'alice', permissions: ['WRITE'] })).secret;
  bob = (await s.createKey({ name: 'b', user_id: 'bob', permissions: ['WRITE'] })).secret;
  aliceAdmin = (await s.createKey({ name: 'aa', user_id: 'alice', permissions: ['ADMIN'] })).secret;
  aliceRestrictedAdmin = (
    await s.createKey({
      name: 'ar',
      user_id: 'alice',
      permissions: ['ADMIN'],
      allowed_functions: ['manage_api_keys', 'execute_cypher'],
    })
  ).secret;
  bobAdminId = (await s.createKey({ name: 'ba', user_id: 'bob', permissions: ['ADMIN'] })).id;
});
afterAll(async () => {
  await s.close();
});

describe('compiled-plan cache is shared by query text, never by namespace', () => {
  it('a plan cached by one tenant does not carry its index choice or catalog ids to another', async () => {
    const q = "MATCH (n:Person {name: 'x'}) RETURN n.name AS name";
    const profile = `PROFILE ${q}`;
    // bob compiles first: no index anywhere yet.
    expect((await cypher(bob, "CREATE (:Person {name: 'x'}), (:Person {name: 'y'})")).statusCode).toBe(200);
    expect((await cypher(bob, q)).json().rows).toEqual([['x']]);
    // alice gets an index on the same label and key; her ids for Person/name differ from bob's.
    await cypher(alice, "CREATE (:Other {k: 1}), (:Person {name: 'x'})");
    expect((await cypher(alice, 'CREATE INDEX FOR (n:Person) ON (n.name)')).statusCode).toBe(200);
    const aPlan = JSON.stringify((await cypher(alice, profile)).json().plan);
    expect(aPlan).toContain('NodeIndexSeek');
    expect((await cypher(alice, q)).json().rows).toEqual([['x']]);
    // The same query text, now cached with alice's choice, must still scan for bob.
    const bPlan = JSON.stringify((await cypher(bob, profile)).json().plan);
    expect(bPlan).not.toContain('NodeIndexSeek');
    expect((await cypher(bob, q)).json().rows).toEqual([['x']]);
    // And a tenant with neither data nor index sees nothing through the cached plan.
    const carol = (await s.createKey({ name: 'c', user_id: 'carol', permissions: ['READ'] })).secret;
    expect((await cypher(carol, q)).json().rows).toEqual([]);
    expect(JSON.stringify((await cypher(carol, profile)).json().plan)).not.toContain('NodeIndexSeek');
  });

  it('catalog caches are per namespace: the same label name has independent ids', async () => {
    await cypher(alice, 'CREATE (:OnlyAlice {v: 1})');
    await cypher(bob, 'CREATE (:OnlyBob {w: 2})');
    expect((await cypher(bob, 'MATCH (n:OnlyAlice) RETURN count(n) AS c')).json().rows).toEqual([[0]]);
    expect((await cypher(alice, 'MATCH (n:OnlyBob) RETURN count(n) AS c')).json().rows).toEqual([[0]]);
    expect((await cypher(bob, 'MATCH (n) WHERE n.v IS NOT NULL RETURN count(n) AS c')).json().rows).toEqual([
      [0],
    ]);
    const bobKeys = (await s.request(bob, 'GET', '/schema/property_keys')).json().property_keys;
    expect(bobKeys).not.toContain('v');
    expect(bobKeys).not.toContain('k');
  });
});

describe('index names are per namespace', () => {
  it('CREATE / DROP / SHOW INDEX with another tenant’s index name reveal nothing', async () => {
    const never = await cypher(bob, 'DROP INDEX never_created_by_anyone');
    expect((await cypher(alice, 'CREATE INDEX secret_idx FOR (n:Doc) ON (n.title)')).statusCode).toBe(200);
    const probe = await cypher(bob, 'DROP INDEX secret_idx');
    // Same status and same text as for a name nobody uses (modulo the name itself).
    expect(probe.statusCode).toBe(never.statusCode);
    expect(probe.body.replace('secret_idx', 'X')).toBe(never.body.replace('never_created_by_anyone', 'X'));
    // bob may create an index with the very same name: no conflict across namespaces.
    expect((await cypher(bob, 'CREATE INDEX secret_idx FOR (n:Doc) ON (n.title)')).statusCode).toBe(200);
    const bobIdx = (await s.request(bob, 'GET', '/schema/indexes')).json().indexes;
    expect(bobIdx.map((i: { name: string }) => i.name).sort()).toEqual(['secret_idx']);
    const show = (await cypher(bob, 'SHOW INDEXES')).body;
    expect(show).not.toContain('Person');
    // alice's index is still there, untouched by bob's DROP attempts.
    const aliceIdx = (await s.request(alice, 'GET', '/schema/indexes')).json().indexes;
    expect(aliceIdx.map((i: { name: string }) => i.name)).toContain('secret_idx');
  });
});

describe('X-Nexus-Tenant', () => {
  it('a tenant key naming another tenant is refused and never switches namespace', async () => {
    await cypher(alice, "CREATE (:Mark {who: 'alice'})");
    for (const url of ['/stats', '/schema/labels']) {
      const res = await s.request(bob, 'GET', url, undefined, { 'x-nexus-tenant': 'alice' });
      expect(res.statusCode, url).toBe(403);
      expect(res.body).not.toContain('Mark');
    }
    const viaCypher = await cypher(bob, 'MATCH (n:Mark) RETURN n.who', { 'x-nexus-tenant': 'alice' });
    expect(viaCypher.statusCode).toBe(403);
    // The answer for an existing and a made-up tenant is the same.
    const madeUp = await cypher(bob, 'MATCH (n:Mark) RETURN n.who', { 'x-nexus-tenant': 'nobody_here' });
    expect(madeUp.statusCode).toBe(403);
    expect(madeUp.body).toBe(viaCypher.body);
    // Over MCP too.
    const mcp = await s.mcp(bob, 'list_labels', {}, { 'x-nexus-tenant': 'alice' });
    expect(mcp.status).toBe(403);
    expect(JSON.stringify(mcp.body)).not.toContain('Mark');
    // Naming oneself is allowed and changes nothing.
    const own = await cypher(bob, 'MATCH (n:Mark) RETURN count(n) AS c', { 'x-nexus-tenant': 'bob' });
    expect(own.json().rows).toEqual([[0]]);
  });

  it('only SUPER may switch, and only to a valid user id', async () => {
    const sup = await cypher(ROOT_KEY, 'MATCH (n:Mark) RETURN n.who AS who', { 'x-nexus-tenant': 'alice' });
    expect(sup.json().rows).toEqual([['alice']]);
    for (const bad of ['tenant:alice', '../alice', 'alice bob', 'a'.repeat(129)]) {
      const res = await cypher(ROOT_KEY, 'RETURN 1', { 'x-nexus-tenant': bad });
      expect(res.statusCode, bad).toBe(400);
    }
  });
});

describe('key management identity rules (cluster mode)', () => {
  it('PATCH cannot change user_id', async () => {
    const { id } = await s.createKey({ name: 'p', permissions: ['READ'] }, aliceAdmin);
    const res = await s.request(aliceAdmin, 'PATCH', `/auth/api-keys/${id}`, { user_id: 'bob' });
    expect(res.statusCode).toBe(400);
    const after = (await s.request(aliceAdmin, 'GET', `/auth/api-keys/${id}`)).json().key;
    expect(after.user_id).toBe('alice');
  });

  it('a tenant ADMIN creates keys only for itself, never SUPER, never wider functions', async () => {
    const other = await s.request(aliceAdmin, 'POST', '/auth/api-keys', {
      name: 'x',
      user_id: 'bob',
      permissions: ['READ'],
    });
    expect(other.statusCode).toBe(403);
    const sup = await s.request(aliceAdmin, 'POST', '/auth/api-keys', { name: 'x', permissions: ['SUPER'] });
    expect(sup.statusCode).toBe(403);
    const unrestricted = await s.request(aliceRestrictedAdmin, 'POST', '/auth/api-keys', {
      name: 'x',
      permissions: ['READ'],
      allowed_functions: null,
    });
    expect(unrestricted.statusCode).toBe(403);
    const omitted = await s.request(aliceRestrictedAdmin, 'POST', '/auth/api-keys', {
      name: 'x',
      permissions: ['READ'],
    });
    expect(omitted.statusCode).toBe(403);
    const wider = await s.request(aliceRestrictedAdmin, 'POST', '/auth/api-keys', {
      name: 'x',
      permissions: ['READ'],
      allowed_functions: ['execute_cypher', 'ingest'],
    });
    expect(wider.statusCode).toBe(403);
    // No key for bob was created by any of this.
    const bobKeys = (await s.request(ROOT_KEY, 'GET', '/auth/api-keys')).json().keys as {
      name: string;
      user_id: string;
    }[];
    expect(bobKeys.filter((k) => k.user_id === 'bob' && k.name === 'x')).toEqual([]);
  });

  it('a tenant ADMIN lists only its own keys; another tenant’s key id is 404 like a made-up id', async () => {
    const listed = (await s.request(aliceAdmin, 'GET', '/auth/api-keys')).json().keys as {
      user_id: string;
    }[];
    expect(listed.length).toBeGreaterThan(0);
    expect(new Set(listed.map((k) => k.user_id))).toEqual(new Set(['alice']));
    for (const method of ['GET', 'DELETE'] as const) {
      const real = await s.request(aliceAdmin, method, `/auth/api-keys/${bobAdminId}`);
      const fake = await s.request(aliceAdmin, method, '/auth/api-keys/00000000-0000-4000-8000-000000000000');
      expect(real.statusCode).toBe(404);
      expect(fake.statusCode).toBe(404);
      expect(real.body.replace(bobAdminId, 'ID')).toBe(
        fake.body.replace('00000000-0000-4000-8000-000000000000', 'ID'),
      );
    }
    const patch = await s.request(aliceAdmin, 'PATCH', `/auth/api-keys/${bobAdminId}`, { name: 'pwned' });
    expect(patch.statusCode).toBe(404);
    // bob's key still works (not revoked by the DELETE above).
    const bobKey = (await s.request(ROOT_KEY, 'GET', `/auth/api-keys/${bobAdminId}`)).json().key;
    expect(bobKey.revoked_at).toBeNull();
    expect(bobKey.name).toBe('ba');
  });

  it('a tenant cannot read /metrics or another tenant’s /cluster/usage', async () => {
    expect((await s.request(alice, 'GET', '/metrics')).statusCode).toBe(403);
    const real = await s.request(alice, 'GET', '/cluster/usage?user_id=bob');
    const fake = await s.request(alice, 'GET', '/cluster/usage?user_id=nobody_here');
    expect(real.statusCode).toBe(403);
    expect(real.body).toBe(fake.body);
    expect((await s.request(alice, 'GET', '/cluster/usage?user_id=tenant:bob')).statusCode).toBe(400);
  });
});

describe('revoked and expired keys over MCP', () => {
  it('a revoked key is refused by /mcp on the very next request', async () => {
    const k = await s.createKey({ name: 'm', user_id: 'alice', permissions: ['READ'] });
    expect((await s.mcp(k.secret, 'list_labels', {})).status).toBe(200);
    expect((await s.request(ROOT_KEY, 'DELETE', `/auth/api-keys/${k.id}`)).statusCode).toBe(200);
    const after = await s.mcp(k.secret, 'list_labels', {});
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('INVALID_TOKEN');
  });

  it('an expired key is refused by /mcp', async () => {
    const soon = new Date(Date.now() + 1500).toISOString();
    const k = await s.createKey({ name: 'e', user_id: 'alice', permissions: ['READ'], expires_at: soon });
    expect((await s.mcp(k.secret, 'get_stats', {})).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1600));
    expect((await s.mcp(k.secret, 'get_stats', {})).status).toBe(401);
  });
});
