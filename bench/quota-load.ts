/**
 * Load test for quota enforcement (seed 13.6 / 15.4): many tenants × many concurrent
 * clients against one cluster-mode server for a bounded time. Each tenant has its own
 * per-minute budget; we count admitted (2xx) requests per tenant and compare with the
 * budget of the minute windows the run touched. Over-admission should be zero.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newApiKeySecret, startScript, startServerProcess } from './lib/processes.js';

export interface TenantLoad {
  tenant: string;
  limitPerMinute: number;
  windows: number;
  allowed: number;
  admitted: number;
  rejected429: number;
  otherErrors: number;
  overAdmission: number;
}

export interface QuotaLoadResults {
  tenants: number;
  clientsPerTenant: number;
  seconds: number;
  totalRequests: number;
  perTenant: TenantLoad[];
  totalOverAdmission: number;
}

export async function runQuotaLoad(opts: {
  tenants: number;
  clientsPerTenant: number;
  seconds: number;
}): Promise<QuotaLoadResults> {
  const serviceKey = 'quota-load-key';
  const rootKey = newApiKeySecret();
  const dir = mkdtempSync(join(tmpdir(), 'nexus-quota-load-'));
  const tenants = Array.from({ length: opts.tenants }, (_, i) => ({ id: `load-${i}`, limit: 20 + 15 * i }));
  writeFileSync(
    join(dir, 'users.yml'),
    `service_api_key: ${serviceKey}\ncache_ttl_seconds: 3600\nplans:\n  p: { storage_bytes: null, requests_per_minute: 100, requests_per_hour: null }\nusers:\n` +
      tenants
        .map((t) => `  - { user_id: ${t.id}, plan: p, quotas: { requests_per_minute: ${t.limit} } }`)
        .join('\n') +
      '\n',
  );
  const emulator = await startScript(
    'src/cluster/emulator/main.ts',
    ['--port', '0', '--users', join(dir, 'users.yml')],
    /listening on (http:\/\/\S+)/,
  );
  const server = await startServerProcess({
    compiled: true,
    env: { NEXUS_ROOT_API_KEY: rootKey },
    config: {
      log: { level: 'warn' },
      cluster: {
        enabled: true,
        quota_cache_ttl_seconds: 3600,
        hivehub: { base_url: emulator.url, service_api_key: serviceKey },
      },
    },
  });
  try {
    const keys = new Map<string, string>();
    for (const t of tenants) {
      const res = await fetch(`${server.url}/auth/keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${rootKey}` },
        body: JSON.stringify({ name: t.id, user_id: t.id, permissions: ['READ'] }),
      });
      const body = (await res.json()) as { secret?: string };
      if (!body.secret) throw new Error(`key creation failed: ${JSON.stringify(body)}`);
      keys.set(t.id, body.secret);
    }
    const counts = new Map(tenants.map((t) => [t.id, { ok: 0, r429: 0, other: 0 }]));
    const startMs = Date.now();
    const deadline = startMs + opts.seconds * 1000;
    let total = 0;
    const client = async (tenant: string) => {
      const c = counts.get(tenant)!;
      while (Date.now() < deadline) {
        const res = await fetch(`${server.url}/cypher`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.get(tenant)}` },
          body: '{"query":"RETURN 1 AS one"}',
        });
        await res.arrayBuffer();
        total++;
        if (res.status === 200) c.ok++;
        else if (res.status === 429) c.r429++;
        else c.other++;
      }
    };
    await Promise.all(
      tenants.flatMap((t) => Array.from({ length: opts.clientsPerTenant }, () => client(t.id))),
    );
    const endMs = Date.now();
    const windows = Math.floor(endMs / 60_000) - Math.floor(startMs / 60_000) + 1;
    const perTenant = tenants.map((t) => {
      const c = counts.get(t.id)!;
      const allowed = t.limit * windows;
      return {
        tenant: t.id,
        limitPerMinute: t.limit,
        windows,
        allowed,
        admitted: c.ok,
        rejected429: c.r429,
        otherErrors: c.other,
        overAdmission: Math.max(0, c.ok - allowed),
      };
    });
    return {
      tenants: opts.tenants,
      clientsPerTenant: opts.clientsPerTenant,
      seconds: opts.seconds,
      totalRequests: total,
      perTenant,
      totalOverAdmission: perTenant.reduce((s, t) => s + t.overAdmission, 0),
    };
  } finally {
    await server.stop();
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
