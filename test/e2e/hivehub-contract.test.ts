/**
 * Contract conformance and fault injection against a strict, independent HiveHub double
 * written from /work/shared/hivehub-api.md alone (it shares no code with the emulator or
 * with Nexus's client schemas). The double checks every request a real Nexus process makes
 * — method, path, headers, content type, exact body fields, types and units, RFC 3339 UTC
 * timestamps, batch size, report_id reuse — and answers as documented, with unknown extra
 * fields and null quotas. Faults are then injected (5xx, 429 with and without Retry-After,
 * resets, slow answers, malformed or off-schema bodies, accepted-then-500 usage, an outage)
 * and Nexus must never crash, never answer 500 for them, follow fail_closed/fail_open, and
 * deliver usage exactly once.
 */
import { rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, type ServerProcess } from '../helpers/server-process.js';
import {
  ROOT_KEY,
  SERVICE_KEY,
  call,
  createKey,
  cypher,
  errorCode,
  sleep,
  startClusterServer,
  type CreatedKey,
  type WireResponse,
} from './helpers/cluster-harness.js';

// ---------------------------------------------------------------------------------------
// The strict HiveHub double
// ---------------------------------------------------------------------------------------

const USER_ID = /^[A-Za-z0-9_-]{1,128}$/;
/** RFC 3339 date-time in UTC (contract: "Timestamps are RFC 3339 strings in UTC"). */
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]00:00)$/;
const COUNTERS = [
  'requests',
  'read_queries',
  'write_queries',
  'nodes_created',
  'relationships_created',
  'nodes_deleted',
  'relationships_deleted',
] as const;
type Counter = (typeof COUNTERS)[number];
type Counts = Record<Counter, number>;
const USAGE_USER_FIELDS = ['user_id', ...COUNTERS, 'storage_bytes'];

interface FakeUser {
  status: 'active' | 'suspended';
  quotas: {
    storage_bytes: number | null;
    requests_per_minute: number | null;
    requests_per_hour: number | null;
  };
  cache_ttl_seconds: number;
  storage_bytes: number;
}

type Route = 'database' | 'user' | 'quota_check' | 'usage';

interface Seen {
  route: Route | null;
  method: string;
  path: string;
  userId: string | null;
  body: unknown;
}

type Fault =
  | { kind: 'status'; status: number; retryAfter?: string; body?: string; contentType?: string }
  | { kind: 'reset' }
  /** Sends the status line and half a body, then resets the connection. */
  | { kind: 'truncate' }
  /** Answers (after doing the work) only after `ms`. */
  | { kind: 'slow'; ms: number }
  | { kind: 'malformed' }
  | { kind: 'html' }
  | { kind: 'mutate'; mutate: (body: Record<string, unknown>) => unknown }
  /** Does the work (e.g. counts the usage report), then answers 500. */
  | { kind: 'after_500' };

interface FaultRule {
  match: (seen: Seen) => boolean;
  fault: Fault;
  remaining: number;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    isObject(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x,
  );

class StrictHiveHub {
  readonly users = new Map<string, FakeUser>();
  readonly violations: string[] = [];
  readonly log: Seen[] = [];
  /** Accepted reports by report_id (canonical body). */
  readonly reports = new Map<string, string>();
  readonly totals = new Map<string, Counts & { storage_bytes: number }>();
  duplicates = 0;
  faults: FaultRule[] = [];
  private server: Server | null = null;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.violations.push(`fake failed: ${String(err)}`);
        if (!res.headersSent) this.send(res, 500, { error: { code: 'INTERNAL', message: 'fake' } });
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  addUser(id: string, user: Partial<FakeUser> = {}): void {
    this.users.set(id, {
      status: 'active',
      quotas: { storage_bytes: 100_000_000, requests_per_minute: 100_000, requests_per_hour: 1_000_000 },
      cache_ttl_seconds: 60,
      storage_bytes: 0,
      ...user,
    });
  }

  inject(match: (s: Seen) => boolean, fault: Fault, times = Number.POSITIVE_INFINITY): FaultRule {
    const rule = { match, fault, remaining: times };
    this.faults.push(rule);
    return rule;
  }

  clearFaults(): void {
    this.faults = [];
  }

  counted(userId: string): Counts | undefined {
    const t = this.totals.get(userId);
    if (t === undefined) return undefined;
    const { storage_bytes: _s, ...rest } = t;
    return rest;
  }

  private violation(seen: Seen, what: string): void {
    this.violations.push(`${seen.method} ${seen.path}: ${what}`);
  }

  private send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(text);
  }

  private error(res: ServerResponse, status: number, code: string, message: string): void {
    this.send(res, status, { error: { code, message } });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const method = String(req.method);
    const path = new URL(String(req.url), 'http://x').pathname;
    const seen: Seen = { route: null, method, path, userId: null, body: undefined };

    let m: RegExpExecArray | null;
    if (method === 'GET' && (m = /^\/api\/v1\/nexus\/users\/([^/]+)\/database$/.exec(path))) {
      seen.route = 'database';
      seen.userId = decodeURIComponent(m[1]!);
    } else if (method === 'GET' && (m = /^\/api\/v1\/users\/([^/]+)$/.exec(path))) {
      seen.route = 'user';
      seen.userId = decodeURIComponent(m[1]!);
    } else if (method === 'POST' && path === '/api/v1/nexus/quota/check') seen.route = 'quota_check';
    else if (method === 'POST' && path === '/api/v1/nexus/usage') seen.route = 'usage';
    this.log.push(seen);
    if (seen.route === null) {
      this.violation(seen, 'no such route in the contract');
      return this.error(res, 404, 'NOT_FOUND', 'no route');
    }

    // Conventions: every request carries the key and the service header.
    if (req.headers.authorization !== `Bearer ${SERVICE_KEY}`) {
      this.violation(seen, `Authorization header is ${String(req.headers.authorization)}`);
      return this.error(res, 401, 'INVALID_SERVICE_KEY', 'bad key');
    }
    if (req.headers['x-hivehub-service'] !== 'nexus') {
      this.violation(seen, `X-HiveHub-Service is ${String(req.headers['x-hivehub-service'])}`);
      return this.error(res, 400, 'BAD_REQUEST', 'X-HiveHub-Service');
    }
    if (method === 'GET' && raw.length > 0) this.violation(seen, 'GET with a body');
    if (method === 'POST') {
      const type = String(req.headers['content-type'] ?? '');
      if (!/^application\/json\s*(;|$)/i.test(type)) {
        this.violation(seen, `Content-Type is ${type}`);
        return this.error(res, 400, 'BAD_REQUEST', 'content type');
      }
      try {
        seen.body = JSON.parse(raw) as unknown;
      } catch {
        this.violation(seen, 'body is not JSON');
        return this.error(res, 400, 'BAD_REQUEST', 'not JSON');
      }
    }
    if (seen.userId !== null && !USER_ID.test(seen.userId)) {
      this.violation(seen, `user_id ${seen.userId} breaks the id format`);
      return this.error(res, 400, 'BAD_REQUEST', 'user_id');
    }
    const problems =
      seen.route === 'quota_check'
        ? this.checkQuotaRequest(seen.body)
        : seen.route === 'usage'
          ? this.checkUsageRequest(seen.body)
          : [];
    if (problems.length > 0) {
      for (const p of problems) this.violation(seen, p);
      return this.error(res, 400, 'BAD_REQUEST', problems.join('; '));
    }

    const rule = this.faults.find((f) => f.remaining > 0 && f.match(seen));
    if (rule !== undefined) rule.remaining -= 1;
    const fault = rule?.fault;
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      const headers: Record<string, string> = { 'content-type': fault.contentType ?? 'application/json' };
      if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
      const code = fault.status === 429 ? 'THROTTLED' : fault.status === 400 ? 'BAD_REQUEST' : 'UNAVAILABLE';
      return this.send(res, fault.status, fault.body ?? { error: { code, message: 'injected' } }, headers);
    }
    if (fault?.kind === 'truncate') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '400' });
      res.write('{"user_id": "x", "quo');
      setTimeout(() => req.socket.destroy(), 20);
      return;
    }
    if (fault?.kind === 'malformed') return this.send(res, 200, '{"user_id": "x", "quotas": {');
    if (fault?.kind === 'html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Maintenance</body></html>');
      return;
    }

    const [status, body] = this.answer(seen);
    if (fault?.kind === 'slow') await sleep(fault.ms);
    if (fault?.kind === 'after_500') return this.error(res, 500, 'INTERNAL', 'failed after commit');
    if (res.destroyed) return;
    const out = fault?.kind === 'mutate' && isObject(body) ? fault.mutate(body) : body;
    this.send(res, status, out);
  }

  private answer(seen: Seen): [number, unknown] {
    const notFound: [number, unknown] = [404, { error: { code: 'USER_NOT_FOUND', message: 'no such user' } }];
    if (seen.route === 'database' || seen.route === 'user') {
      const user = this.users.get(seen.userId!);
      if (user === undefined) return notFound;
      if (seen.route === 'user') {
        return [
          200,
          {
            user_id: seen.userId,
            email: `${seen.userId}@example.com`,
            display_name: seen.userId,
            plan: 'pro',
            status: user.status,
            created_at: '2026-01-02T03:04:05Z',
            avatar_url: 'https://example.com/a.png',
          },
        ];
      }
      // Unknown fields everywhere: a client must tolerate what a newer HiveHub adds.
      return [
        200,
        {
          user_id: seen.userId,
          database_id: `db_${seen.userId}`,
          status: user.status,
          plan: 'pro',
          quotas: { ...user.quotas, gpu_seconds: 7 },
          usage: { storage_bytes: user.storage_bytes, updated_at: '2026-11-26T10:00:00Z', source: 'meter' },
          cache_ttl_seconds: user.cache_ttl_seconds,
          region: 'eu-west',
          features: { vector: true },
        },
      ];
    }
    if (seen.route === 'quota_check') {
      const body = seen.body as { user_id: string; estimated_bytes: number };
      const user = this.users.get(body.user_id);
      if (user === undefined) return notFound;
      const limit = user.quotas.storage_bytes;
      const used = user.storage_bytes;
      const allowed = limit === null || used + body.estimated_bytes <= limit;
      return [
        200,
        {
          allowed,
          reason: allowed ? null : 'storage quota exceeded',
          storage_bytes_limit: limit,
          storage_bytes_used: used,
          storage_bytes_remaining: limit === null ? null : Math.max(0, limit - used),
          checked_at: '2026-11-26T10:00:00Z',
        },
      ];
    }
    // usage
    const report = seen.body as {
      report_id: string;
      users: ({ user_id: string } & Counts & { storage_bytes: number })[];
    };
    const body = canonical(report);
    const known = this.reports.get(report.report_id);
    if (known !== undefined) {
      if (known !== body) this.violation(seen, `report_id ${report.report_id} re-sent with a different body`);
      this.duplicates += 1;
      return [200, { accepted: true, report_id: report.report_id, duplicate: true, received_at: 'now' }];
    }
    this.reports.set(report.report_id, body);
    for (const u of report.users) {
      const t = this.totals.get(u.user_id) ?? {
        ...(Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Counts),
        storage_bytes: 0,
      };
      for (const c of COUNTERS) t[c] += u[c];
      t.storage_bytes = u.storage_bytes;
      this.totals.set(u.user_id, t);
    }
    return [200, { accepted: true, report_id: report.report_id, duplicate: false, received_at: 'now' }];
  }

  private checkQuotaRequest(body: unknown): string[] {
    if (!isObject(body)) return ['quota check body is not an object'];
    const p: string[] = [];
    const keys = Object.keys(body).sort();
    if (canonical(keys) !== canonical(['estimated_bytes', 'operation', 'user_id']))
      p.push(`quota check fields are ${keys.join(',')}`);
    if (typeof body.user_id !== 'string' || !USER_ID.test(body.user_id)) p.push('quota check user_id');
    if (body.operation !== 'write' && body.operation !== 'import')
      p.push(`operation ${String(body.operation)}`);
    if (!isInt(body.estimated_bytes)) p.push(`estimated_bytes ${String(body.estimated_bytes)}`);
    return p;
  }

  private checkUsageRequest(body: unknown): string[] {
    if (!isObject(body)) return ['usage body is not an object'];
    const p: string[] = [];
    const keys = Object.keys(body).sort();
    if (canonical(keys) !== canonical(['instance_id', 'period_end', 'period_start', 'report_id', 'users']))
      p.push(`usage fields are ${keys.join(',')}`);
    if (typeof body.report_id !== 'string' || body.report_id.length === 0) p.push('report_id');
    if (typeof body.instance_id !== 'string' || body.instance_id.length === 0) p.push('instance_id');
    for (const f of ['period_start', 'period_end'] as const) {
      const v = body[f];
      if (typeof v !== 'string' || !RFC3339_UTC.test(v) || Number.isNaN(Date.parse(v)))
        p.push(`${f} ${String(v)}`);
    }
    if (
      typeof body.period_start === 'string' &&
      typeof body.period_end === 'string' &&
      Date.parse(body.period_start) > Date.parse(body.period_end)
    )
      p.push('period_start after period_end');
    if (!Array.isArray(body.users)) return [...p, 'users is not an array'];
    if (body.users.length > 1000) p.push(`${body.users.length} users in one report`);
    const ids = new Set<string>();
    for (const u of body.users as unknown[]) {
      if (!isObject(u)) {
        p.push('a user entry is not an object');
        continue;
      }
      const uk = Object.keys(u).sort();
      if (canonical(uk) !== canonical([...USAGE_USER_FIELDS].sort()))
        p.push(`user fields are ${uk.join(',')}`);
      if (typeof u.user_id !== 'string' || !USER_ID.test(u.user_id)) p.push(`user_id ${String(u.user_id)}`);
      else if (ids.has(u.user_id)) p.push(`user ${u.user_id} twice in one report`);
      else ids.add(u.user_id);
      for (const f of [...COUNTERS, 'storage_bytes'] as const)
        if (!isInt(u[f])) p.push(`${String(u.user_id)}.${f} = ${String(u[f])}`);
    }
    return p;
  }
}

// ---------------------------------------------------------------------------------------
// Nexus against the double
// ---------------------------------------------------------------------------------------

const hub = new StrictHiveHub();
let nexus: ServerProcess;
let keySeq = 0;

const CONFIG = {
  cluster: {
    quota_cache_ttl_seconds: 60,
    stale_quota_grace_seconds: 60,
    usage_report_interval_seconds: 1,
    instance_id: 'nexus-contract',
    unknown_tenant_policy: 'fail_closed',
  },
  hivehub: { timeout_ms: 400, retries: 2, retry_delay_ms: 20 },
};

/** A tenant known to the double, with a key for it. */
async function tenant(
  server: ServerProcess,
  prefix: string,
  user: Partial<FakeUser> = {},
): Promise<[string, CreatedKey]> {
  const id = `${prefix}-${++keySeq}`;
  hub.addUser(id, user);
  return [id, await createKey(server.url, { user_id: id, permissions: ['ADMIN'] })];
}

const forUser =
  (route: Route, userId: string) =>
  (s: Seen): boolean =>
    s.route === route &&
    (s.userId === userId || (isObject(s.body) && (s.body as { user_id?: unknown }).user_id === userId));

function expectControlPlaneUnavailable(res: WireResponse, what: string): void {
  expect(res.status, `${what}: ${res.text}`).toBe(503);
  expect(errorCode(res.body), what).toBe('CONTROL_PLANE_UNAVAILABLE');
  expect(Number(res.headers.get('retry-after')), what).toBeGreaterThanOrEqual(1);
}

async function waitFor<T>(
  what: string,
  probe: () => T | Promise<T>,
  ok: (v: T) => boolean,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await sleep(100);
  }
}

beforeAll(async () => {
  await hub.start();
  nexus = await startClusterServer(hub.url, CONFIG);
}, 40_000);

afterEach(() => {
  hub.clearFaults();
});

afterAll(async () => {
  await nexus?.stop();
  await hub.stop();
});

describe('contract conformance of every request Nexus makes', () => {
  it('sends documented requests and accepts documented answers (null quotas, unknown fields)', async () => {
    const [, unlimited] = await tenant(nexus, 'unl', {
      quotas: { storage_bytes: null, requests_per_minute: null, requests_per_hour: null },
    });
    const [, pro] = await tenant(nexus, 'pro', {
      quotas: { storage_bytes: 100_000_000, requests_per_minute: 600, requests_per_hour: 20_000 },
    });
    // No upper bound in the contract and HiveHub's SDK is u64: a limit above 2^53 is legal.
    const [, huge] = await tenant(nexus, 'huge', {
      quotas: { storage_bytes: 2 ** 62, requests_per_minute: 2 ** 60, requests_per_hour: null },
      storage_bytes: 2 ** 55,
    });
    const [, full] = await tenant(nexus, 'full', {
      quotas: { storage_bytes: 10, requests_per_minute: null, requests_per_hour: null },
      storage_bytes: 10,
    });

    const a = await cypher(nexus.url, unlimited.secret, 'CREATE (:U {v: 1}) RETURN 1');
    expect(a.status, a.text).toBe(200);
    expect(a.headers.get('x-ratelimit-limit')).toBeNull();
    const h = await cypher(nexus.url, huge.secret, 'CREATE (:H) RETURN 1');
    expect(h.status, h.text).toBe(200);
    const b = await cypher(nexus.url, pro.secret, 'RETURN 1');
    expect(b.status, b.text).toBe(200);
    expect(b.headers.get('x-ratelimit-limit')).toBe('600');

    // Bulk import asks POST /quota/check with operation "import"; null limit = unlimited.
    const ing = await call(nexus.url, 'POST', '/ingest', {
      key: unlimited.secret,
      body: { nodes: [{ labels: ['Doc'], properties: { t: 'x' } }] },
    });
    expect(ing.status, ing.text).toBeLessThan(300);
    const refused = await call(nexus.url, 'POST', '/ingest', {
      key: full.secret,
      body: { nodes: [{ labels: ['Doc'] }] },
    });
    expect(refused.status, refused.text).toBe(403);
    expect(errorCode(refused.body)).toBe('STORAGE_QUOTA_EXCEEDED');

    await waitFor(
      'usage of the unlimited tenant',
      () => hub.counted(`unl-${keySeq - 3}`),
      (c) => c !== undefined,
    );
    const routes = new Set(hub.log.map((s) => s.route));
    expect(routes).toContain('database');
    expect(routes).toContain('quota_check');
    expect(routes).toContain('usage');
    expect(hub.violations).toEqual([]);
  });
});

describe('fault injection (fail_closed)', () => {
  /** A tenant HiveHub answers with cache_ttl 0: every request of it asks HiveHub again. */
  let pulse: CreatedKey;
  beforeAll(async () => {
    [, pulse] = await tenant(nexus, 'pulse', { cache_ttl_seconds: 0 });
  });
  /** One successful call resets the breaker's consecutive-failure count between faults. */
  async function heartbeat(): Promise<void> {
    const res = await cypher(nexus.url, pulse.secret, 'RETURN 1');
    expect(res.status, res.text).toBe(200);
  }

  it('retries transient failures that clear and serves the request', async () => {
    const cases: [string, Fault, number][] = [
      ['500', { kind: 'status', status: 500 }, 1],
      [
        '502 with an HTML body',
        { kind: 'status', status: 502, body: '<html>bad gateway</html>', contentType: 'text/html' },
        1,
      ],
      ['503 twice', { kind: 'status', status: 503 }, 2],
      ['429 without Retry-After', { kind: 'status', status: 429 }, 1],
      ['429 with Retry-After: 1', { kind: 'status', status: 429, retryAfter: '1' }, 1],
      ['connection reset', { kind: 'reset' }, 1],
      ['connection reset mid-body', { kind: 'truncate' }, 1],
      ['503 with Retry-After: 1', { kind: 'status', status: 503, retryAfter: '1' }, 1],
      ['slower than the timeout', { kind: 'slow', ms: 1000 }, 1],
    ];
    for (const [what, fault, times] of cases) {
      const [id, key] = await tenant(nexus, 'tr');
      hub.inject(forUser('database', id), fault, times);
      const started = Date.now();
      const res = await cypher(nexus.url, key.secret, 'RETURN 1');
      expect(res.status, `${what}: ${res.text}`).toBe(200);
      if (fault.kind === 'status' && fault.status === 429 && fault.retryAfter === '1')
        expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      await heartbeat();
    }
    hub.clearFaults();
    expect(hub.violations).toEqual([]);
  }, 25_000);

  it('refuses an unknown tenant with 503 CONTROL_PLANE_UNAVAILABLE, never 500, whatever HiveHub does', async () => {
    const cases: [string, Fault][] = [
      ['500', { kind: 'status', status: 500 }],
      ['503', { kind: 'status', status: 503 }],
      ['connection reset', { kind: 'reset' }],
      ['connection reset mid-body', { kind: 'truncate' }],
      ['slower than the timeout', { kind: 'slow', ms: 1000 }],
      ['malformed JSON', { kind: 'malformed' }],
      ['HTML with 200', { kind: 'html' }],
      ['400 BAD_REQUEST', { kind: 'status', status: 400 }],
      [
        '404 without USER_NOT_FOUND',
        { kind: 'status', status: 404, body: '{"error":{"code":"NOT_FOUND","message":"x"}}' },
      ],
      [
        'a negative quota',
        { kind: 'mutate', mutate: (b) => ({ ...b, quotas: { ...(b.quotas as object), storage_bytes: -1 } }) },
      ],
      ['a missing field', { kind: 'mutate', mutate: ({ quotas: _q, ...rest }) => rest }],
      ['an unknown status', { kind: 'mutate', mutate: (b) => ({ ...b, status: 'frozen' }) }],
    ];
    for (const [what, fault] of cases) {
      const [id, key] = await tenant(nexus, 'cp');
      hub.inject(forUser('database', id), fault);
      const res = await cypher(nexus.url, key.secret, 'RETURN 1');
      expectControlPlaneUnavailable(res, what);
      await heartbeat();
    }
    hub.clearFaults();
    expect(nexus.child.exitCode).toBeNull();
    expect(hub.violations).toEqual([]);
  }, 25_000);

  it('surfaces a revoked service key on /health and refuses unknown tenants with 503', async () => {
    const [, key] = await tenant(nexus, 'revoked');
    hub.inject(() => true, {
      kind: 'status',
      status: 401,
      body: '{"error":{"code":"INVALID_SERVICE_KEY","message":"revoked"}}',
    });
    expectControlPlaneUnavailable(await cypher(nexus.url, key.secret, 'RETURN 1'), '401');
    const health = await call(nexus.url, 'GET', '/health', { key: ROOT_KEY });
    expect(health.body).toMatchObject({ status: 'degraded', cluster: { control_plane_reachable: false } });
    hub.clearFaults();
    await heartbeat();
    expect((await call(nexus.url, 'GET', '/health', { key: ROOT_KEY })).body).toMatchObject({
      cluster: { control_plane_reachable: true },
    });
  });

  it('answers 503 CONTROL_PLANE_UNAVAILABLE on every surface (REST, MCP, /health, /stats), never 500', async () => {
    const [id, key] = await tenant(nexus, 'surf');
    hub.inject(forUser('database', id), { kind: 'malformed' });
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    };
    for (const [what, res] of [
      ['cypher', await cypher(nexus.url, key.secret, 'RETURN 1')],
      ['stats', await call(nexus.url, 'GET', '/stats', { key: key.secret })],
      ['health', await call(nexus.url, 'GET', '/health', { key: key.secret })],
      [
        'mcp',
        await call(nexus.url, 'POST', '/mcp', {
          key: key.secret,
          body: initialize,
          headers: { accept: 'application/json, text/event-stream' },
        }),
      ],
    ] as const) {
      expectControlPlaneUnavailable(res, what);
    }
    hub.clearFaults();
    await heartbeat();
  });

  it('keeps serving a tenant whose quota it holds while HiveHub fails (stale grace)', async () => {
    const [id, key] = await tenant(nexus, 'stale', { cache_ttl_seconds: 0 });
    expect((await cypher(nexus.url, key.secret, 'RETURN 1')).status).toBe(200);
    for (const fault of [{ kind: 'malformed' }, { kind: 'status', status: 503 }] as Fault[]) {
      hub.inject(forUser('database', id), fault);
      const res = await cypher(nexus.url, key.secret, 'RETURN 1');
      expect(res.status, res.text).toBe(200);
      hub.clearFaults();
      await heartbeat();
    }
  });

  it('never answers 500 to a bulk import when the quota check fails; checks locally instead', async () => {
    const [id, key] = await tenant(nexus, 'imp');
    expect((await cypher(nexus.url, key.secret, 'RETURN 1')).status).toBe(200);
    const cases: [string, Fault][] = [
      ['malformed JSON', { kind: 'malformed' }],
      ['HTML with 200', { kind: 'html' }],
      ['a missing field', { kind: 'mutate', mutate: ({ allowed: _a, ...rest }) => rest }],
      ['400 BAD_REQUEST', { kind: 'status', status: 400 }],
      ['503', { kind: 'status', status: 503 }],
    ];
    for (const [what, fault] of cases) {
      hub.inject(forUser('quota_check', id), fault);
      const res = await call(nexus.url, 'POST', '/ingest', {
        key: key.secret,
        body: { nodes: [{ labels: ['Doc'] }] },
      });
      expect(res.status, `${what}: ${res.text}`).toBeLessThan(300);
      hub.clearFaults();
      await heartbeat();
    }
    expect(hub.violations).toEqual([]);
  }, 20_000);
});

describe('usage delivered exactly once', () => {
  async function act(key: CreatedKey, expected: Counts, n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const res = await cypher(nexus.url, key.secret, 'CREATE (:Meter) RETURN 1');
      expect(res.status, res.text).toBe(200);
      expected.requests += 1;
      expected.write_queries += 1;
      expected.nodes_created += 1;
    }
  }
  const zero = (): Counts => Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Counts;

  it('retries a report HiveHub counted but answered 500 or too late for, with the same report_id', async () => {
    const [id, key] = await tenant(nexus, 'meter');
    const expected = zero();
    const includes = (s: Seen) =>
      s.route === 'usage' && (s.body as { users: { user_id: string }[] }).users.some((u) => u.user_id === id);
    const f500 = hub.inject(includes, { kind: 'after_500' }, 1);
    const fSlow = hub.inject(includes, { kind: 'slow', ms: 1000 }, 1);
    const dupBefore = hub.duplicates;
    await act(key, expected, 3);
    await waitFor(
      'both faults used',
      () => [f500.remaining, fSlow.remaining],
      (r) => r[0] === 0 && r[1] === 0,
    );
    await act(key, expected, 2);
    await waitFor(
      'usage counted',
      () => hub.counted(id)?.requests,
      (r) => r === expected.requests,
    );
    await sleep(1500); // another interval or two: nothing may be counted twice
    expect(hub.counted(id)).toEqual(expected);
    expect(hub.duplicates - dupBefore).toBeGreaterThanOrEqual(2);
    hub.clearFaults();
    expect(hub.violations).toEqual([]);
  }, 20_000);

  it('does not retry a report HiveHub refuses as malformed (400 BAD_REQUEST)', async () => {
    const [id, key] = await tenant(nexus, 'bad400');
    const includes = (s: Seen) =>
      s.route === 'usage' && (s.body as { users: { user_id: string }[] }).users.some((u) => u.user_id === id);
    hub.inject(includes, { kind: 'status', status: 400 });
    expect((await cypher(nexus.url, key.secret, 'RETURN 1')).status).toBe(200);
    await waitFor(
      'a refused report',
      () => hub.log.filter(includes).length,
      (n) => n >= 1,
    );
    await sleep(2500); // two more intervals
    const ids = hub.log.filter(includes).map((s) => (s.body as { report_id: string }).report_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(nexus.child.exitCode).toBeNull();
  });

  it('keeps usage through an outage and delivers it once when HiveHub comes back', async () => {
    const [id, key] = await tenant(nexus, 'outage');
    const expected = zero();
    await act(key, expected, 1); // caches the quota
    await waitFor(
      'first report',
      () => hub.counted(id)?.requests,
      (r) => r === 1,
    );
    const [, unseen] = await tenant(nexus, 'unseen');
    hub.inject(() => true, { kind: 'reset' });
    await act(key, expected, 3); // cached tenant: served during the outage
    const refused = await cypher(nexus.url, unseen.secret, 'RETURN 1');
    expectControlPlaneUnavailable(refused, 'unknown tenant during the outage');
    await sleep(1500);
    expect(hub.counted(id)?.requests).toBe(1);
    const health = await call(nexus.url, 'GET', '/health', { key: ROOT_KEY });
    expect(health.status).toBeLessThan(500);
    expect(
      (health.body as { cluster: { outbox_depth: number } }).cluster.outbox_depth,
    ).toBeGreaterThanOrEqual(1);
    hub.clearFaults();
    // The breaker may be open: it lets a probe through within 10 s.
    await waitFor(
      'delivery after recovery',
      () => hub.counted(id)?.requests,
      (r) => r === expected.requests,
      15_000,
    );
    await sleep(1200);
    expect(hub.counted(id)).toEqual(expected);
    expect((await cypher(nexus.url, unseen.secret, 'RETURN 1')).status).toBe(200);
    expect(nexus.child.exitCode).toBeNull();
    expect(hub.violations).toEqual([]);
  }, 29_000);
});

describe('usage across a crash', () => {
  it('re-sends a report HiveHub counted but never acknowledged, after SIGKILL, with the same id and body', async () => {
    const dataDir = makeTempDir('nexus-contract-crash-');
    let crashy: ServerProcess | undefined;
    try {
      const config = {
        cluster: { ...CONFIG.cluster, instance_id: 'nexus-contract-crash' },
        hivehub: CONFIG.hivehub,
      };
      crashy = await startClusterServer(hub.url, config, { dataDir });
      const [id, key] = await tenant(crashy, 'crash');
      // HiveHub counts every report of this tenant but answers 500: Nexus never learns.
      const ack = hub.inject(
        (s) =>
          s.route === 'usage' &&
          (s.body as { users: { user_id: string }[] }).users.some((u) => u.user_id === id),
        { kind: 'after_500' },
      );
      for (let i = 0; i < 3; i++)
        expect((await cypher(crashy.url, key.secret, 'CREATE (:C) RETURN 1')).status).toBe(200);
      await waitFor(
        'counted by HiveHub',
        () => hub.counted(id)?.requests,
        (r) => r === 3,
      );
      const exit = await crashy.stop({ signal: 'SIGKILL', keepData: true });
      expect(exit.signal).toBe('SIGKILL');
      const ids = [...hub.reports.keys()];
      ack.remaining = 0;
      const dupBefore = hub.duplicates;
      crashy = await startClusterServer(hub.url, config, { dataDir });
      await waitFor(
        'the unacknowledged report re-sent',
        () => hub.duplicates - dupBefore,
        (d) => d >= 1,
      );
      await sleep(1500);
      expect(hub.counted(id)).toMatchObject({ requests: 3, write_queries: 3, nodes_created: 3 });
      // Reports with new ids may only carry the periodic storage sync (zero deltas) for it.
      const fresh = [...hub.reports.entries()]
        .filter(([r]) => !ids.includes(r))
        .flatMap(([, body]) => (JSON.parse(body) as { users: ({ user_id: string } & Counts)[] }).users)
        .filter((u) => u.user_id === id);
      for (const u of fresh) for (const c of COUNTERS) expect(u[c], c).toBe(0);
      expect(hub.violations).toEqual([]);
    } finally {
      await crashy?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 29_000);
});

describe('fail_open', () => {
  let open: ServerProcess;
  beforeAll(async () => {
    open = await startClusterServer(hub.url, {
      cluster: {
        ...CONFIG.cluster,
        instance_id: 'nexus-contract-open',
        unknown_tenant_policy: 'fail_open',
        default_quotas: { storage_bytes: 1_000_000, requests_per_minute: 7, requests_per_hour: 100 },
      },
      hivehub: CONFIG.hivehub,
    });
  }, 40_000);
  afterAll(async () => {
    await open?.stop();
  });

  it('serves a tenant it knows nothing about with the default quotas while HiveHub misbehaves', async () => {
    for (const fault of [
      { kind: 'reset' },
      { kind: 'malformed' },
      { kind: 'status', status: 503 },
    ] as Fault[]) {
      const [id, key] = await tenant(open, 'fo');
      hub.inject(forUser('database', id), fault);
      const res = await cypher(open.url, key.secret, 'RETURN 1');
      expect(res.status, res.text).toBe(200);
      expect(res.headers.get('x-ratelimit-limit')).toBe('7');
      hub.clearFaults();
    }
    expect(open.child.exitCode).toBeNull();
    expect(hub.violations).toEqual([]);
  }, 20_000);
});

describe('HiveHub throttling this instance (429 with Retry-After)', () => {
  it('stops calling HiveHub for the Retry-After period: quick 503 for unknown tenants, cached ones served', async () => {
    const [, cached] = await tenant(nexus, 'thr');
    expect((await cypher(nexus.url, cached.secret, 'RETURN 1')).status).toBe(200);
    const [first, k1] = await tenant(nexus, 'thr');
    const [second, k2] = await tenant(nexus, 'thr');
    hub.inject(forUser('database', first), { kind: 'status', status: 429, retryAfter: '15' });
    const started = Date.now();
    const res = await cypher(nexus.url, k1.secret, 'RETURN 1');
    expectControlPlaneUnavailable(res, 'throttled');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(14);
    // Throttling is per instance: another tenant's lookup must not reach HiveHub either.
    expectControlPlaneUnavailable(await cypher(nexus.url, k2.secret, 'RETURN 1'), 'during Retry-After');
    expect(hub.log.filter((s) => s.userId === second)).toEqual([]);
    expect((await cypher(nexus.url, cached.secret, 'RETURN 1')).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(nexus.child.exitCode).toBeNull();
  });
});
