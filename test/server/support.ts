/**
 * Shared setup of the server's in-process tests: a real `Nexus` in a temp dir, a config
 * built from a partial tree, a token → context authenticator and a recording cluster gate.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { UserContext, Permission } from '../../src/auth/types.js';
import { effectivePermissions } from '../../src/auth/permissions.js';
import type {
  Admission,
  ClusterGate,
  ControlPlaneStatus,
  TenantQuotas,
  UsageEvent,
} from '../../src/cluster/types.js';
import { tenantNamespace } from '../../src/cluster/namespace.js';
import { resolveConfig, type NexusConfig } from '../../src/config/index.js';
import { DEFAULT_NAMESPACE, type NexusDatabase } from '../../src/engine/api.js';
import { Nexus } from '../../src/engine/nexus.js';
import { NexusError } from '../../src/errors.js';
import { createServer, type NexusServer, type RequestAuthenticator } from '../../src/server/index.js';
import type { HeaderBag } from '../../src/auth/auth-service.js';

/** RPC is off unless a test names `server.rpc_port` (15475 would collide across test files). */
export function testConfig(tree: Record<string, unknown> = {}): NexusConfig {
  // RPC and Bolt off unless asked for: their default ports would collide between parallel tests.
  const server = {
    rpc_port: null,
    bolt_port: false,
    ...((tree['server'] as Record<string, unknown> | undefined) ?? {}),
  };
  return resolveConfig({ log: { level: 'silent' }, ...tree, server });
}

export interface TestDb {
  db: NexusDatabase;
  dir: string;
  close(): Promise<void>;
}

export async function openTestDb(): Promise<TestDb> {
  const dir = mkdtempSync(join(tmpdir(), 'nexus-server-test-'));
  const db = await Nexus.open({ path: join(dir, 'db'), sync: false });
  return {
    db,
    dir,
    async close() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function userContext(
  keyId: string,
  permissions: Permission[],
  options: { userId?: string | null; allowedFunctions?: string[] | null; cluster?: boolean } = {},
): UserContext {
  const userId = options.userId ?? null;
  return {
    userId,
    namespace: options.cluster && userId !== null ? tenantNamespace(userId) : DEFAULT_NAMESPACE,
    permissions: effectivePermissions(permissions),
    allowedFunctions: options.allowedFunctions ?? null,
    keyId,
    isRoot: false,
  };
}

/** Authenticates `Authorization: Bearer <token>` against a fixed table, like AuthService. */
export class TokenAuthenticator implements RequestAuthenticator {
  constructor(private readonly tokens: Record<string, UserContext>) {}

  authenticate(headers: HeaderBag): UserContext {
    const raw = headers['authorization'];
    const header = Array.isArray(raw) ? raw[0] : raw;
    if (header === undefined) throw new NexusError('AUTHENTICATION_REQUIRED', 'An API key is required');
    const ctx = this.tokens[header.replace(/^Bearer /, '')];
    if (ctx === undefined) throw new NexusError('INVALID_TOKEN', 'The API key is invalid');
    return ctx;
  }
}

/** A ClusterGate that records calls; `refuse` makes admit() throw for a tenant. */
export class RecordingGate implements ClusterGate {
  readonly admitted: string[] = [];
  readonly usage: { userId: string; event: UsageEvent }[] = [];
  readonly imports: { userId: string; bytes: number }[] = [];
  readonly refuse = new Map<string, NexusError>();
  quotas: TenantQuotas = { storageBytes: null, requestsPerMinute: 100, requestsPerHour: 1000 };
  started = false;
  stopped = false;

  async admit(userId: string): Promise<Admission> {
    this.admitted.push(userId);
    const refusal = this.refuse.get(userId);
    if (refusal !== undefined) throw refusal;
    return { headers: { 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '99' }, quotas: this.quotas };
  }

  /** Operator access: the tenant's quotas, no rate budget consumed (see ClusterGate.quotasFor). */
  readonly quotaLookups: string[] = [];
  quotasFor(userId: string): TenantQuotas | Promise<TenantQuotas> {
    this.quotaLookups.push(userId);
    return this.quotas;
  }

  async checkImport(userId: string, estimatedBytes: number): Promise<void> {
    this.imports.push({ userId, bytes: estimatedBytes });
  }

  recordUsage(userId: string, event: UsageEvent): void {
    this.usage.push({ userId, event: { ...event } });
  }

  async usageOf(userId: string): Promise<Record<string, unknown>> {
    return { user_id: userId, requests: this.usage.filter((u) => u.userId === userId).length };
  }

  status(): ControlPlaneStatus {
    return {
      reachable: true,
      lastError: null,
      breakerState: 'closed',
      cacheHitRate: 1,
      outboxDepth: 0,
      reportsSent: 0,
      reportsFailed: 0,
    };
  }

  async start(): Promise<void> {
    this.started = true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }
}

export interface BuildServerOptions {
  db: NexusDatabase;
  config?: Record<string, unknown>;
  auth?: RequestAuthenticator;
  gate?: ClusterGate;
}

export async function buildServer(options: BuildServerOptions): Promise<NexusServer> {
  return createServer({
    config: testConfig(options.config),
    db: options.db,
    auth: options.auth ?? null,
    clusterGate: options.gate ?? null,
    version: '0.0.0-test',
    logger: false,
  });
}

export const CLUSTER_CONFIG = {
  cluster: { enabled: true, hivehub: { base_url: 'http://127.0.0.1:1', service_api_key: 'svc-key' } },
} as const;

/**
 * One database and one in-process server over it for all the tests of a file: opened in
 * beforeAll, closed in afterAll. `app` may be used from the tests on.
 */
export function useTestServer(options: Omit<BuildServerOptions, 'db'> = {}): {
  readonly app: NexusServer['app'];
} {
  let t: TestDb | undefined;
  let server: NexusServer | undefined;
  beforeAll(async () => {
    t = await openTestDb();
    server = await buildServer({ ...options, db: t.db });
  });
  afterAll(async () => {
    await server?.app.close();
    await t?.close();
  });
  return {
    get app() {
      if (server === undefined) throw new Error('The test server starts in beforeAll');
      return server.app;
    },
  };
}
