/**
 * The request core on its own, with a real database and a recording cluster gate: session
 * binding, admission order and billing, the read-only rule, the per-tenant concurrency
 * limit, transaction ownership and caps, and the error mapping every door shares.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { effectivePermissions } from '../../src/auth/permissions.js';
import type { Permission, UserContext } from '../../src/auth/types.js';
import type { Admission, ClusterGate, UsageEvent } from '../../src/cluster/types.js';
import { tenantNamespace } from '../../src/cluster/namespace.js';
import { Nexus } from '../../src/engine/nexus.js';
import { NexusError } from '../../src/errors.js';
import { CypherError } from '../../src/cypher/errors.js';
import { NexusRequestCore } from '../../src/service/index.js';

let dir: string;
let db: Nexus;
const usage: [string, UsageEvent][] = [];
const admitted: string[] = [];

const gate: ClusterGate = {
  admit: (userId) => {
    admitted.push(userId);
    if (userId === 'suspended') return Promise.reject(new NexusError('TENANT_SUSPENDED', 'suspended'));
    return Promise.resolve<Admission>({
      headers: { 'x-ratelimit-remaining': '9' },
      quotas: { storageBytes: 1_000_000, requestsPerMinute: null, requestsPerHour: null },
    });
  },
  quotasFor: () => ({ storageBytes: 0, requestsPerMinute: null, requestsPerHour: null }),
  checkImport: () => Promise.resolve(),
  recordUsage: (userId, event) => usage.push([userId, { ...event }]),
  usageOf: () => Promise.resolve({}),
  status: () => ({
    reachable: true,
    lastError: null,
    breakerState: 'closed',
    cacheHitRate: 1,
    outboxDepth: 0,
    reportsSent: 0,
    reportsFailed: 0,
  }),
  start: () => Promise.resolve(),
  stop: () => Promise.resolve(),
};

function tenantKey(userId: string | null, permissions: Permission[], keyId = `k-${userId}`): UserContext {
  return Object.freeze({
    userId,
    namespace: userId === null ? 'default' : tenantNamespace(userId),
    permissions: effectivePermissions(permissions),
    allowedFunctions: null,
    keyId,
    isRoot: false,
  });
}

function core(limits: Partial<ConstructorParameters<typeof NexusRequestCore>[0]['limits']> = {}) {
  return new NexusRequestCore({
    db,
    auth: { authenticate: () => tenantKey('alice', ['WRITE']) },
    clusterGate: gate,
    limits: { queryTimeoutMs: 10_000, ...limits },
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nexus-core-'));
  db = await Nexus.open({ path: dir, sync: false });
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sessions and admission', () => {
  it('binds a tenant key to its namespace and refuses a key without a tenant', () => {
    const c = core();
    expect(c.openSession(tenantKey('alice', ['READ']), { protocol: 'bolt' }).ctx.namespace).toBe(
      tenantNamespace('alice'),
    );
    expect(() => c.openSession(tenantKey(null, ['READ']), { protocol: 'bolt' })).toThrow(
      /not bound to a tenant/,
    );
    const superKey = tenantKey(null, ['SUPER']);
    expect(() => c.openSession(superKey, { protocol: 'bolt' })).toThrow(/`tenant` field of HELLO/);
    const operator = c.openSession(superKey, { protocol: 'bolt', tenant: 'bob' });
    expect(operator).toMatchObject({ tenantId: 'bob', operatorAccess: true });
    expect(() => c.openSession(tenantKey('alice', ['ADMIN']), { protocol: 'rpc', tenant: 'bob' })).toThrow(
      /Only a SUPER key/,
    );
  });

  it('bills a refused call once, and a run with its query counters once', async () => {
    const c = core();
    usage.length = 0;
    const reader = c.openSession(
      { ...tenantKey('carol', ['READ']), allowedFunctions: ['get_stats'] },
      { protocol: 'bolt' },
    );
    await expect(c.admit(reader, 'execute_cypher')).rejects.toMatchObject({ code: 'FUNCTION_NOT_ALLOWED' });
    expect(usage).toEqual([['carol', { requests: 1 }]]);
    usage.length = 0;
    const writer = c.openSession(tenantKey('carol', ['WRITE']), { protocol: 'bolt' });
    const scope = await c.admit(writer, 'execute_cypher');
    await c.run(scope, 'CREATE (:X), (:X)', {});
    c.finish(scope);
    c.finish(scope);
    expect(usage).toEqual([['carol', { requests: 1, writeQueries: 1, nodesCreated: 2 }]]);
  });

  it('runs a READ key read-only and refuses a suspended tenant', async () => {
    const c = core();
    const scope = await c.admit(
      c.openSession(tenantKey('dave', ['READ']), { protocol: 'rpc' }),
      'execute_cypher',
    );
    await expect(c.run(scope, 'CREATE (:Nope)', {})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const suspended = c.openSession(tenantKey('suspended', ['WRITE']), { protocol: 'rpc' });
    await expect(c.admit(suspended, 'execute_cypher')).rejects.toMatchObject({ code: 'TENANT_SUSPENDED' });
  });
});

describe('per-tenant concurrency', () => {
  it('refuses a statement over the tenant limit without touching other tenants', async () => {
    const c = core({ maxConcurrentQueriesPerTenant: 1 });
    const eve = c.openSession(tenantKey('eve', ['WRITE']), { protocol: 'bolt' });
    const frank = c.openSession(tenantKey('frank', ['WRITE']), { protocol: 'bolt' });
    const held = await c.stream(
      await c.admit(eve, 'execute_cypher'),
      'UNWIND range(1, 10) AS i RETURN i',
      {},
    );
    await expect(c.run(await c.admit(eve, 'execute_cypher'), 'RETURN 1', {})).rejects.toMatchObject({
      code: 'TOO_MANY_CONCURRENT_QUERIES',
      details: { retryAfterSeconds: 1 },
    });
    // Another tenant is not affected by eve's slot.
    expect((await c.run(await c.admit(frank, 'execute_cypher'), 'RETURN 1 AS x', {})).rows).toEqual([[1n]]);
    // Draining the cursor frees the slot.
    expect((await held.pull(-1)).done).toBe(true);
    expect((await c.run(await c.admit(eve, 'execute_cypher'), 'RETURN 2 AS x', {})).rows).toEqual([[2n]]);
  });
});

describe('transactions', () => {
  it('caps open transactions per key and frees a slot when one ends', async () => {
    const c = core({ maxOpenTransactionsPerUser: 2 });
    const s = c.openSession(tenantKey('gina', ['WRITE']), { protocol: 'bolt' });
    const scope = await c.admit(s, 'execute_cypher');
    const a = c.beginTransaction(scope);
    c.beginTransaction(scope);
    expect(() => c.beginTransaction(scope)).toThrow(
      expect.objectContaining({ code: 'TOO_MANY_TRANSACTIONS' }),
    );
    await c.rollback(a);
    expect(c.beginTransaction(scope).id).toMatch(/./);
    await c.closeSession(s);
    expect(c.openTransactions(s)).toHaveLength(0);
  });

  it('hides a transaction from every other key and tenant', async () => {
    const c = core();
    const owner = c.openSession(tenantKey('hank', ['WRITE'], 'key-1'), { protocol: 'bolt' });
    const stx = c.beginTransaction(await c.admit(owner, 'execute_cypher'));
    const sameTenantOtherKey = c.openSession(tenantKey('hank', ['WRITE'], 'key-2'), { protocol: 'bolt' });
    const otherTenant = c.openSession(tenantKey('ivy', ['WRITE'], 'key-1'), { protocol: 'bolt' });
    for (const s of [sameTenantOtherKey, otherTenant]) {
      expect(() => c.transaction(s, stx.id)).toThrow(
        expect.objectContaining({ code: 'TRANSACTION_NOT_FOUND' }),
      );
    }
    const scope = await c.admit(owner, 'execute_cypher');
    await c.runInTransaction(scope, c.transaction(owner, stx.id), 'CREATE (:InTx)', {});
    await c.commit(stx);
    const check = await c.run(scope, 'MATCH (n:InTx) RETURN count(n) AS c', {});
    expect(check.rows).toEqual([[1n]]);
  });
});

describe('error mapping', () => {
  it('gives every door the same code, status, Neo4j code and retry class', () => {
    const c = core();
    expect(c.mapError(new CypherError('SyntaxError', 'UnexpectedSyntax', 'bad'))).toMatchObject({
      code: 'CYPHER_SYNTAX_ERROR',
      httpStatus: 400,
      neo4jCode: 'Neo.ClientError.Statement.SyntaxError',
      retriable: false,
    });
    expect(c.mapError(new NexusError('TRANSACTION_CONFLICT', 'x'))).toMatchObject({
      neo4jCode: 'Neo.TransientError.Transaction.DeadlockDetected',
      retriable: true,
    });
    const internal = c.mapError(new Error('secret detail'));
    expect(internal).toMatchObject({ code: 'INTERNAL_ERROR', httpStatus: 500 });
    expect(internal.message).not.toContain('secret');
  });
});
