/**
 * Native RPC vs HTTP on one compiled standalone server (auth on, both doors): `RETURN 1`
 * and an indexed point read, at the same concurrency (one request in flight per
 * connection on both sides: autocannon for HTTP, the test RPC client for RPC), in
 * interleaved rounds. Target: RPC ≥ 2× HTTP requests/s.
 */
import autocannon from 'autocannon';
import { interleave, median } from './lib/stats.js';
import { newApiKeySecret, startServerProcess } from './lib/processes.js';
import { nx, RpcTestClient } from '../test/helpers/rpc-client.js';

export interface RpcVsHttpRun {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

export interface RpcVsHttp {
  http: RpcVsHttpRun;
  rpc: RpcVsHttpRun;
  /** Median over the rounds of rpc/http requests per second. */
  ratio: number;
  roundRatios: number[];
}

export interface RpcResults {
  connections: number;
  secondsPerRound: number;
  rounds: number;
  return1: RpcVsHttp;
  pointRead: RpcVsHttp;
}

const POINT_READ = 'MATCH (p:Person {email: $email}) RETURN p.name AS name';

async function httpRun(
  url: string,
  key: string,
  query: string,
  params: Record<string, unknown>,
  c: number,
  s: number,
) {
  const r = await autocannon({
    url: `${url}/cypher`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, params }),
    connections: c,
    duration: s,
  });
  return {
    requestsPerSec: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    errors: r.errors + r.non2xx,
  };
}

async function rpcRun(clients: RpcTestClient[], query: string, params: Record<string, unknown>, s: number) {
  const args = [nx.Str(query), nx.Map(params)];
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + s * 1000;
  const start = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const res = await c.call('CYPHER', args);
        latencies.push(performance.now() - t0);
        if (!res.ok) errors++;
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]! * 100) / 100;
  return { requestsPerSec: latencies.length / elapsed, p50Ms: pct(0.5), p99Ms: pct(0.99), errors };
}

function mean(runs: RpcVsHttpRun[]): RpcVsHttpRun {
  const avg = (f: (r: RpcVsHttpRun) => number) => runs.reduce((s, r) => s + f(r), 0) / runs.length;
  return {
    requestsPerSec: avg((r) => r.requestsPerSec),
    p50Ms: avg((r) => r.p50Ms),
    p99Ms: avg((r) => r.p99Ms),
    errors: runs.reduce((s, r) => s + r.errors, 0),
  };
}

export async function runRpcVsHttp(opts: {
  connections: number;
  seconds: number;
  rounds: number;
  people: number;
}) {
  const rootKey = newApiKeySecret();
  const server = await startServerProcess({
    compiled: true,
    env: { NEXUS_ROOT_API_KEY: rootKey, NEXUS_AUTH_ENABLED: 'true', NEXUS_RPC_PORT: '0' },
    config: { log: { level: 'warn' }, query: { timeout_ms: 60000 } },
  });
  const clients: RpcTestClient[] = [];
  try {
    const line = await server.waitForOutput(/Nexus RPC listening on nexus:\/\/\S+/);
    const rpcPort = Number(/:(\d+)\s*$/.exec(line.trim())![1]);
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${rootKey}` },
        body: JSON.stringify(body),
      });
      if (res.status >= 300) throw new Error(`${path} -> ${res.status}: ${await res.text()}`);
    };
    for (let start = 0; start < opts.people; start += 5000) {
      const nodes = [];
      for (let i = start; i < Math.min(opts.people, start + 5000); i++) {
        nodes.push({ labels: ['Person'], properties: { name: `person-${i}`, email: `p${i}@example.com` } });
      }
      await post('/ingest', { nodes, relationships: [] });
    }
    await post('/cypher', { query: 'CREATE INDEX person_email FOR (p:Person) ON (p.email)' });
    for (let i = 0; i < opts.connections; i++) {
      const c = await RpcTestClient.open(rpcPort);
      await c.ok('AUTH', [nx.Str(rootKey)]);
      clients.push(c);
    }
    const { connections: c, seconds: s, rounds } = opts;
    const compare = async (query: string, params: Record<string, unknown>): Promise<RpcVsHttp> => {
      await httpRun(server.url, rootKey, query, params, c, 1); // warm-up
      await rpcRun(clients, query, params, 1);
      const { a, b } = await interleave(
        rounds,
        () => httpRun(server.url, rootKey, query, params, c, s),
        () => rpcRun(clients, query, params, s),
      );
      const roundRatios = a.map((h, i) => b[i]!.requestsPerSec / h.requestsPerSec);
      return { http: mean(a), rpc: mean(b), ratio: median(roundRatios), roundRatios };
    };
    return {
      connections: c,
      secondsPerRound: s,
      rounds,
      return1: await compare('RETURN 1 AS one', {}),
      pointRead: await compare(POINT_READ, { email: 'p42@example.com' }),
    } satisfies RpcResults;
  } finally {
    for (const client of clients) client.close();
    await server.stop();
  }
}
