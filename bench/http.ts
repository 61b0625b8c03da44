/**
 * HTTP benchmarks with autocannon at fixed concurrency, each comparison interleaved A/B
 * within one run: standalone vs cluster mode (read and write query), `RETURN 1` vs a
 * bare Fastify route (twice: the default standalone config, auth off on loopback as
 * `npm start` runs, and standalone with auth on — bare Fastify has no auth either way),
 * and a tenant's point reads with and without a noisy neighbour.
 */
import autocannon from 'autocannon';
import { interleave, median } from './lib/stats.js';
import {
  newApiKeySecret,
  startBareServer,
  startBenchEmulator,
  startServerProcess,
  type ServerProcess,
} from './lib/processes.js';

export interface HttpRun {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

export interface HttpComparison {
  /** Means over the rounds. */
  a: HttpRun;
  b: HttpRun;
  /**
   * b's throughput relative to a's: the median over the rounds of b/a within each round
   * (A and B of one round ran back to back, so the machine's load was about the same for
   * both; one disturbed round cannot move the median).
   */
  throughputRatio: number;
  /** b/a of each round, in round order. */
  roundRatios: number[];
}

export interface HttpResults {
  connections: number;
  secondsPerRound: number;
  rounds: number;
  readQuery: HttpComparison & { overheadPct: number };
  writeQuery: HttpComparison & { overheadPct: number };
  /** `RETURN 1`: bare Fastify (a) vs standalone in its default config, auth off on loopback (b). */
  ceiling: HttpComparison;
  /** `RETURN 1`: bare Fastify (a, no auth) vs standalone with auth on and an API key (b). */
  ceilingAuth: HttpComparison;
  /** p99Ratio: median over the rounds of (p99 with the neighbour) / (p99 alone). */
  noisyNeighbour: { alone: HttpRun; withNeighbour: HttpRun; p99Ratio: number; roundP99Ratios: number[] };
}

const READ_QUERY = 'MATCH (p:Person {email: $email}) RETURN p.name AS name';
const WRITE_QUERY = 'CREATE (e:Event {v: 1}) RETURN id(e) AS id';

async function post(
  url: string,
  path: string,
  key: string | undefined,
  body: unknown,
  extra: Record<string, string> = {},
) {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...extra,
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${path} -> ${res.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

async function createKey(server: ServerProcess, rootKey: string, userId?: string): Promise<string> {
  const body: Record<string, unknown> = {
    name: `bench-${userId ?? 'standalone'}`,
    permissions: ['READ', 'WRITE'],
  };
  if (userId) body.user_id = userId;
  const created = await post(server.url, '/auth/keys', rootKey, body);
  const secret = (created.secret ?? (created.key as { secret?: string } | undefined)?.secret) as
    string | undefined;
  if (!secret) throw new Error(`no secret in ${JSON.stringify(created)}`);
  return secret;
}

async function loadPeople(url: string, key: string, count: number): Promise<void> {
  for (let start = 0; start < count; start += 5000) {
    const nodes = [];
    for (let i = start; i < Math.min(count, start + 5000); i++) {
      nodes.push({
        labels: ['Person'],
        properties: { name: `person-${i}`, email: `p${i}@example.com`, age: i % 70 },
      });
    }
    await post(url, '/ingest', key, { nodes, relationships: [] });
  }
  await post(url, '/cypher', key, { query: 'CREATE INDEX person_email FOR (p:Person) ON (p.email)' });
}

async function cannon(
  url: string,
  key: string | undefined,
  query: string,
  params: Record<string, unknown>,
  connections: number,
  seconds: number,
): Promise<HttpRun> {
  const r = await autocannon({
    url: `${url}/cypher`,
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key !== undefined ? { authorization: `Bearer ${key}` } : {}),
    },
    body: JSON.stringify({ query, params }),
    connections,
    duration: seconds,
  });
  return {
    requestsPerSec: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    errors: r.errors,
    non2xx: r.non2xx,
  };
}

function combine(runs: HttpRun[]): HttpRun {
  const n = runs.length;
  const avg = (f: (r: HttpRun) => number) => runs.reduce((s, r) => s + f(r), 0) / n;
  return {
    requestsPerSec: avg((r) => r.requestsPerSec),
    p50Ms: avg((r) => r.p50Ms),
    p99Ms: avg((r) => r.p99Ms),
    errors: runs.reduce((s, r) => s + r.errors, 0),
    non2xx: runs.reduce((s, r) => s + r.non2xx, 0),
  };
}

function compare(a: HttpRun[], b: HttpRun[]): HttpComparison {
  const roundRatios = a.map((ra, i) => b[i]!.requestsPerSec / ra.requestsPerSec);
  return { a: combine(a), b: combine(b), throughputRatio: median(roundRatios), roundRatios };
}

export async function runHttp(opts: {
  connections: number;
  seconds: number;
  rounds: number;
  people: number;
}): Promise<HttpResults> {
  const rootKey = newApiKeySecret();
  const serviceKey = 'bench-service-key';
  const emulator = await startBenchEmulator(serviceKey, ['bench-a', 'bench-b', 'noisy']);
  const common = { log: { level: 'warn' }, query: { timeout_ms: 60000 } };
  const standalone = await startServerProcess({
    compiled: true,
    env: { NEXUS_ROOT_API_KEY: rootKey, NEXUS_AUTH_ENABLED: 'true' },
    config: common,
  });
  // What `npm start` runs: no auth settings, so auth is off on a loopback bind.
  const standaloneDefault = await startServerProcess({ compiled: true, config: common });
  const cluster = await startServerProcess({
    compiled: true,
    env: { NEXUS_ROOT_API_KEY: rootKey },
    config: {
      ...common,
      cluster: {
        enabled: true,
        instance_id: 'bench',
        quota_cache_ttl_seconds: 3600,
        usage_report_interval_seconds: 60,
        hivehub: { base_url: emulator.url, service_api_key: serviceKey },
      },
    },
  });
  const bare = await startBareServer();
  try {
    const standaloneKey = await createKey(standalone, rootKey);
    const tenantA = await createKey(cluster, rootKey, 'bench-a');
    const tenantB = await createKey(cluster, rootKey, 'bench-b');
    const noisy = await createKey(cluster, rootKey, 'noisy');
    await loadPeople(standalone.url, standaloneKey, opts.people);
    await loadPeople(cluster.url, tenantA, opts.people);
    await loadPeople(cluster.url, tenantB, opts.people);
    await loadPeople(cluster.url, noisy, opts.people * 5);

    const { connections: c, seconds: s, rounds } = opts;
    const readParams = { email: 'p42@example.com' };
    // Warm-up: quota cache, plan cache, JIT.
    await cannon(standalone.url, standaloneKey, READ_QUERY, readParams, c, 1);
    await cannon(cluster.url, tenantA, READ_QUERY, readParams, c, 1);

    const read = await interleave(
      rounds,
      () => cannon(standalone.url, standaloneKey, READ_QUERY, readParams, c, s),
      () => cannon(cluster.url, tenantA, READ_QUERY, readParams, c, s),
    );
    const write = await interleave(
      rounds,
      () => cannon(standalone.url, standaloneKey, WRITE_QUERY, {}, c, s),
      () => cannon(cluster.url, tenantA, WRITE_QUERY, {}, c, s),
    );
    await cannon(standaloneDefault.url, undefined, 'RETURN 1', {}, c, 1);
    const ceiling = await interleave(
      rounds,
      () => cannon(bare.url, undefined, 'RETURN 1', {}, c, s),
      () => cannon(standaloneDefault.url, undefined, 'RETURN 1', {}, c, s),
    );
    const ceilingAuth = await interleave(
      rounds,
      () => cannon(bare.url, undefined, 'RETURN 1', {}, c, s),
      () => cannon(standalone.url, standaloneKey, 'RETURN 1', {}, c, s),
    );
    // Noisy neighbour: tenant B's point reads alone, and while `noisy` runs full scans + aggregation.
    const heavy =
      'MATCH (p:Person) RETURN p.age AS age, count(*) AS n, collect(p.name)[0] AS sample ORDER BY age';
    const neighbour = await interleave(
      rounds,
      () => cannon(cluster.url, tenantB, READ_QUERY, readParams, c, s),
      async () => {
        const [victim] = await Promise.all([
          cannon(cluster.url, tenantB, READ_QUERY, readParams, c, s),
          cannon(cluster.url, noisy, heavy, {}, 4, s),
        ]);
        return victim;
      },
    );

    const readCmp = compare(read.a, read.b);
    const writeCmp = compare(write.a, write.b);
    const nb = compare(neighbour.a, neighbour.b);
    const roundP99Ratios = neighbour.a.map(
      (alone, i) => neighbour.b[i]!.p99Ms / Math.max(alone.p99Ms, 0.001),
    );
    return {
      connections: c,
      secondsPerRound: s,
      rounds,
      readQuery: { ...readCmp, overheadPct: (1 - readCmp.throughputRatio) * 100 },
      writeQuery: { ...writeCmp, overheadPct: (1 - writeCmp.throughputRatio) * 100 },
      ceiling: compare(ceiling.a, ceiling.b),
      ceilingAuth: compare(ceilingAuth.a, ceilingAuth.b),
      noisyNeighbour: {
        alone: nb.a,
        withNeighbour: nb.b,
        p99Ratio: median(roundP99Ratios),
        roundP99Ratios,
      },
    };
  } finally {
    await Promise.all([
      standalone.stop(),
      standaloneDefault.stop(),
      cluster.stop(),
      bare.stop(),
      emulator.stop(),
    ]);
    emulator.cleanup();
  }
}
