/**
 * Cluster mode against the HiveHub emulator running as a separate process, over real HTTP.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClusterGate } from '../../src/cluster/cluster-gate.js';
import type { ClusterConfig } from '../../src/cluster/config.js';
import {
  ControlPlaneAuthError,
  ControlPlaneUnavailableError,
} from '../../src/cluster/control-plane-errors.js';
import { HiveHubClient } from '../../src/cluster/hivehub-client.js';
import type { UsageReport } from '../../src/cluster/hivehub-schemas.js';
import { MemorySystemTable, recordingLogger } from './fakes.js';

const KEY = 'integration-service-key';
const USERS_YAML = `
service_api_key: ${KEY}
cache_ttl_seconds: 60
plans:
  free: { storage_bytes: 5000, requests_per_minute: 100, requests_per_hour: 1000 }
users:
  - { user_id: alice, plan: free }
  - { user_id: mallory, plan: free, status: suspended }
  - { user_id: flaky, plan: free, cache_ttl_seconds: 0 }
`;

let dir: string;
let child: ChildProcess;
let url: string;

async function startEmulatorProcess(usersFile: string): Promise<{ child: ChildProcess; url: string }> {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cluster/emulator/main.ts', '--port', '0', '--users', usersFile],
    {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const found = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`emulator did not start: ${err}`)), 20_000);
    proc.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
    proc.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with ${code}: ${err}`));
    });
  });
  return { child: proc, url: found };
}

const control = async (path: string, method = 'GET', body?: unknown): Promise<unknown> => {
  const res = await fetch(`${url}${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json();
};
const apiRequests = async (): Promise<{ method: string; path: string; status: number }[]> =>
  (
    (await control('/__emulator/requests')) as {
      requests: { method: string; path: string; status: number }[];
    }
  ).requests;

function config(overrides: Partial<ClusterConfig['hivehub']> = {}): ClusterConfig {
  return {
    enabled: true,
    instance_id: 'nexus-it',
    quota_cache_ttl_seconds: 60,
    stale_quota_grace_seconds: 300,
    unknown_tenant_policy: 'fail_closed',
    default_quotas: { storage_bytes: 1, requests_per_minute: 1, requests_per_hour: 1 },
    usage_report_interval_seconds: 3600,
    hivehub: {
      base_url: url,
      service_api_key: KEY,
      timeout_ms: 1000,
      retries: 2,
      retry_delay_ms: 5,
      ...overrides,
    },
  };
}

function makeGate(
  overrides: Partial<ClusterConfig['hivehub']> = {},
  outbox = new MemorySystemTable<UsageReport>(),
) {
  const logger = recordingLogger();
  const gate = createClusterGate({
    config: config(overrides),
    storageBytesOf: () => 2048,
    outbox,
    logger,
    clientOptions: { breakerThreshold: 20 },
  });
  return { gate, outbox, logger };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nexus-hivehub-it-'));
  const file = join(dir, 'users.yml');
  await writeFile(file, USERS_YAML);
  ({ child, url } = await startEmulatorProcess(file));
});

afterAll(async () => {
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
});

afterEach(async () => {
  await control('/__emulator/faults', 'DELETE');
  await control('/__emulator/requests', 'DELETE');
});

describe('cluster mode against the emulator process', () => {
  it('caches quotas: many admits, one HiveHub call', async () => {
    const { gate } = makeGate();
    await control('/__emulator/requests', 'DELETE');
    await gate.admit('alice');
    const admissions = await Promise.all(Array.from({ length: 19 }, () => gate.admit('alice')));
    expect(admissions[0]?.quotas).toEqual({
      storageBytes: 5000,
      requestsPerMinute: 100,
      requestsPerHour: 1000,
    });
    expect(await apiRequests()).toEqual([
      { method: 'GET', path: '/api/v1/nexus/users/alice/database', status: 200 },
    ]);
    expect(gate.status().cacheHitRate).toBeCloseTo(19 / 20);
  });

  it('refuses suspended and unknown tenants, and sees a suspension made at runtime', async () => {
    const { gate } = makeGate();
    await expect(gate.admit('mallory')).rejects.toMatchObject({ code: 'TENANT_SUSPENDED' });
    await expect(gate.admit('nobody')).rejects.toMatchObject({ code: 'TENANT_NOT_FOUND' });
    await gate.admit('flaky');
    await control('/__emulator/users', 'POST', { user_id: 'flaky', status: 'suspended' });
    // flaky's cache hint is 0 s, so the next request asks HiveHub again
    await expect(gate.admit('flaky')).rejects.toMatchObject({ code: 'TENANT_SUSPENDED' });
    await control('/__emulator/users', 'POST', { user_id: 'flaky', status: 'active' });
  });

  it('refuses to start with a wrong service key (401)', async () => {
    const { gate } = makeGate({ service_api_key: 'wrong-key' });
    const err = await gate.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ControlPlaneAuthError);
    expect((err as Error).message).not.toContain('wrong-key');
    expect(gate.status().authFailed).toBe(true);
    await gate.stop();
  });

  it('starts against a healthy emulator (probe answers 404)', async () => {
    const { gate } = makeGate();
    await gate.start();
    expect(gate.status()).toMatchObject({ reachable: true, authFailed: false, breakerState: 'closed' });
    await gate.stop();
  });

  it('retries 5xx and honours Retry-After on 429', async () => {
    const client = new HiveHubClient({ baseUrl: url, serviceApiKey: KEY, retries: 3, retryDelayMs: 5 });
    await control('/__emulator/faults', 'POST', { status: 503, count: 2 });
    await expect(client.getUserInfo('alice')).resolves.toMatchObject({ user_id: 'alice' });
    await control('/__emulator/faults', 'POST', { status: 429, retry_after: 1, count: 1 });
    const started = Date.now();
    await expect(client.getUserInfo('alice')).resolves.toMatchObject({ plan: 'free' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect((await apiRequests()).map((r) => r.status)).toEqual([503, 503, 200, 429, 200]);
  });

  it('gives up with ControlPlaneUnavailableError when 5xx persists or Retry-After is too long', async () => {
    const client = new HiveHubClient({ baseUrl: url, serviceApiKey: KEY, retries: 2, retryDelayMs: 5 });
    await control('/__emulator/faults', 'POST', { status: 500 });
    const err = await client.getUserDatabase('alice').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ControlPlaneUnavailableError);
    expect(err).toMatchObject({ reason: 'server_error', status: 500 });
    expect(await apiRequests()).toHaveLength(3);
    await control('/__emulator/faults', 'POST', { status: 429, retry_after: 600 });
    await expect(client.getUserDatabase('alice')).rejects.toMatchObject({
      reason: 'throttled',
      retryAfterSeconds: 600,
    });
  });

  it('times out a slow answer and retries', async () => {
    const client = new HiveHubClient({
      baseUrl: url,
      serviceApiKey: KEY,
      retries: 1,
      retryDelayMs: 5,
      timeoutMs: 150,
    });
    await control('/__emulator/faults', 'POST', { delay_ms: 600, count: 1 });
    await expect(client.getUserDatabase('alice')).resolves.toMatchObject({ user_id: 'alice' });
    await control('/__emulator/faults', 'POST', { delay_ms: 600 });
    await expect(client.getUserDatabase('alice')).rejects.toMatchObject({ reason: 'timeout' });
  });

  it('maps refused connections to unavailable and serves cached quotas meanwhile', async () => {
    const { gate } = makeGate({ retries: 0 });
    await gate.admit('alice');
    await control('/__emulator/faults', 'POST', { refuse_connections: true });
    await expect(gate.admit('unknown-tenant')).rejects.toMatchObject({ code: 'CONTROL_PLANE_UNAVAILABLE' });
    await expect(gate.admit('alice')).resolves.toMatchObject({ quotas: { requestsPerMinute: 100 } });
    expect(gate.status().reachable).toBe(false);
  });

  it('checks imports against the emulator', async () => {
    const { gate } = makeGate();
    await gate.checkImport('alice', 1000);
    await expect(gate.checkImport('alice', 10_000)).rejects.toMatchObject({ code: 'STORAGE_QUOTA_EXCEEDED' });
  });

  it('delivers usage exactly once across an outage, a lost answer and a restart', async () => {
    const outbox = new MemorySystemTable<UsageReport>();
    const { gate } = makeGate({ retries: 1, timeout_ms: 200 }, outbox);
    await gate.start();

    // outage: two intervals pile up in the outbox
    await control('/__emulator/faults', 'POST', { refuse_connections: true });
    gate.recordUsage('alice', { requests: 3, readQueries: 3 });
    await gate.usageTracker.flush();
    gate.recordUsage('alice', { requests: 2, writeQueries: 2, nodesCreated: 5 });
    await gate.usageTracker.flush();
    expect(gate.status().outboxDepth).toBe(2);

    // back up, but the first answer is lost (processed, then too slow): the retry is a duplicate
    await control('/__emulator/faults', 'POST', { delay_ms: 500, count: 1 });
    await gate.usageTracker.deliverPending();
    expect(gate.status().outboxDepth).toBe(0);

    // a third interval left in the outbox by a process that stopped while HiveHub was down
    await control('/__emulator/faults', 'POST', { refuse_connections: true });
    gate.recordUsage('alice', { requests: 1, relationshipsCreated: 1 });
    await gate.stop();
    expect(outbox.map.size).toBe(1);
    await control('/__emulator/faults', 'DELETE');
    const { gate: restarted } = makeGate({}, outbox);
    await restarted.start();
    expect(outbox.map.size).toBe(0);
    await restarted.stop();

    const usage = (await control('/__emulator/usage')) as {
      reports: UsageReport[];
      duplicates: number;
      totals: Record<string, Record<string, number>>;
    };
    const mine = usage.reports.filter((r) => r.instance_id === 'nexus-it');
    expect(mine).toHaveLength(3);
    expect(new Set(mine.map((r) => r.report_id)).size).toBe(3);
    expect(usage.duplicates).toBeGreaterThanOrEqual(1);
    expect(usage.totals.alice).toMatchObject({
      requests: 6,
      read_queries: 3,
      write_queries: 2,
      nodes_created: 5,
      relationships_created: 1,
      storage_bytes: 2048,
    });
  });

  it('exits non-zero on a bad users file', async () => {
    const bad = join(dir, 'bad.yml');
    await writeFile(bad, 'users: [{ user_id: "no spaces allowed" }]');
    await expect(startEmulatorProcess(bad)).rejects.toThrow(/exited with 1/);
  });
});
