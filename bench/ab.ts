/**
 * A/B harness for performance work: starts two Nexus servers — each from its own source
 * tree (e.g. an export of the base commit vs the working tree) and each standalone or
 * cluster mode — and runs the same autocannon load against both, interleaved round by
 * round so machine noise hits both sides alike. Optional `--cpu-prof DIR` profiles both.
 *
 *   npx tsx bench/ab.ts --a-root /tmp/old --b-root . --query write --seconds 3 --rounds 3
 *   npx tsx bench/ab.ts --a-mode standalone --b-mode cluster --query read
 *
 * Servers run the compiled `dist/` build by default (as `npm start`); `--a-runtime tsx`
 * runs a side from its sources instead.
 *
 * Modes: standalone (auth on), default (standalone, auth off on loopback, as `npm start`),
 * cluster, bare (a bare Fastify route, bench/bare-server.ts).
 * Queries: read (indexed point read), write (single CREATE), return1, noisy (tenant B's
 * point reads alone vs while a neighbour runs full-scan aggregations; cluster mode only).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { stringify as toYaml } from 'yaml';
import { buildDist, newApiKeySecret, REPO_ROOT, startBenchEmulator } from './lib/processes.js';
import { median } from './lib/stats.js';

const { values } = parseArgs({
  options: {
    'a-root': { type: 'string', default: '.' },
    'b-root': { type: 'string', default: '.' },
    'a-mode': { type: 'string', default: 'standalone' },
    'b-mode': { type: 'string', default: 'standalone' },
    query: { type: 'string', default: 'read' },
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
    people: { type: 'string', default: '2000' },
    'cpu-prof': { type: 'string' },
    /** Extra node flags for one side, e.g. --b-node-args=--max-semi-space-size=64 (comma-separated). */
    'a-node-args': { type: 'string', default: '' },
    'b-node-args': { type: 'string', default: '' },
    /** How a side runs the server: `dist` (compiled, as `npm start`) or `tsx` (from source). */
    'a-runtime': { type: 'string', default: 'dist' },
    'b-runtime': { type: 'string', default: 'dist' },
  },
});

const QUERIES: Record<string, { query: string; params: Record<string, unknown> }> = {
  read: {
    query: 'MATCH (p:Person {email: $email}) RETURN p.name AS name',
    params: { email: 'p42@example.com' },
  },
  write: { query: 'CREATE (e:Event {v: 1}) RETURN id(e) AS id', params: {} },
  return1: { query: 'RETURN 1', params: {} },
};
const HEAVY =
  'MATCH (p:Person) RETURN p.age AS age, count(*) AS n, collect(p.name)[0] AS sample ORDER BY age';

interface Server {
  url: string;
  /** CPU time (user + system) the server process has used so far, in ms. */
  cpuMs(): number;
  stop(): Promise<void>;
}

async function startServer(
  nodeArgs: string[],
  root: string,
  config: Record<string, unknown>,
  env: Record<string, string>,
  prof: string | undefined,
  runtime: string,
): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'nexus-ab-'));
  const configFile = join(dir, 'config.yml');
  writeFileSync(configFile, toYaml(config));
  const args = [
    ...nodeArgs,
    ...(prof ? ['--cpu-prof', '--cpu-prof-interval=200', `--cpu-prof-dir=${prof}`] : []),
    ...(runtime === 'dist'
      ? [join(root, 'dist/cli/main-entry.js')]
      : ['--import', 'tsx', join(root, 'src/cli/main-entry.ts')]),
    'serve',
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--data',
    join(dir, 'data'),
    '--config',
    configFile,
  ];
  const cleanEnv: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('NEXUS_')) cleanEnv[k] = v;
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: root,
    // Bolt off: two servers side by side would both claim its default port.
    env: { ...cleanEnv, NEXUS_LOG_LEVEL: 'warn', NEXUS_BOLT_PORT: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((res, rej) => {
    let out = '';
    const on = (c: Buffer) => {
      out += c.toString();
      const m = /Nexus listening on (http:\/\/\S+)/.exec(out);
      if (m) res(m[1]!);
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.once('exit', (code) => rej(new Error(`server exited ${code}: ${out}`)));
  });
  return serverHandle(child, url);
}

function serverHandle(child: ChildProcess, url: string): Server {
  return {
    url,
    cpuMs: () => {
      // Fields 14 and 15 of /proc/<pid>/stat: utime and stime in clock ticks (100/s).
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10;
    },
    stop: () =>
      new Promise((res) => {
        if (child.exitCode !== null) return res();
        child.once('exit', () => res());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 8000).unref();
      }),
  };
}

/** The bare Fastify ceiling (bench/bare-server.ts), for `--a-mode bare`. */
async function startBare(root: string, prof: string | undefined): Promise<Server> {
  const args = [
    ...(prof ? ['--cpu-prof', '--cpu-prof-interval=200', `--cpu-prof-dir=${prof}`] : []),
    '--import',
    'tsx',
    join(root, 'bench/bare-server.ts'),
  ];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise<string>((res, rej) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) res(m[1]!);
    });
    child.once('exit', (code) => rej(new Error(`bare server exited ${code}: ${out}`)));
  });
  return serverHandle(child, `http://127.0.0.1:${port}`);
}

async function post(url: string, path: string, key: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${path} -> ${res.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

async function createKey(url: string, rootKey: string, userId?: string): Promise<string> {
  const body: Record<string, unknown> = { name: `ab-${userId ?? 'x'}`, permissions: ['READ', 'WRITE'] };
  if (userId) body.user_id = userId;
  const created = await post(url, '/auth/keys', rootKey, body);
  return (created.secret ?? (created.key as { secret?: string }).secret) as string;
}

async function loadPeople(url: string, key: string, count: number): Promise<void> {
  for (let start = 0; start < count; start += 5000) {
    const nodes = [];
    for (let i = start; i < Math.min(count, start + 5000); i++)
      nodes.push({
        labels: ['Person'],
        properties: { name: `person-${i}`, email: `p${i}@example.com`, age: i % 70 },
      });
    await post(url, '/ingest', key, { nodes, relationships: [] });
  }
  await post(url, '/cypher', key, { query: 'CREATE INDEX person_email FOR (p:Person) ON (p.email)' });
}

interface Run {
  rps: number;
  /** Server CPU per request (µs): robust to a machine shared with other load. */
  cpuUs: number;
  p50: number;
  p99: number;
  non2xx: number;
}

async function cannon(
  server: Server,
  key: string,
  query: string,
  params: Record<string, unknown>,
  connections: number,
  seconds: number,
): Promise<Run> {
  const cpu0 = server.cpuMs();
  const r = await autocannon({
    url: `${server.url}/cypher`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, params }),
    connections,
    duration: seconds,
  });
  const cpuUs = ((server.cpuMs() - cpu0) * 1000) / Math.max(r.requests.total, 1);
  return {
    rps: r.requests.average,
    cpuUs,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx + r.errors,
  };
}

const rootKey = newApiKeySecret();
const serviceKey = 'ab-service-key';
const emulator = await startBenchEmulator(serviceKey, ['ab-a', 'ab-b', 'noisy']);
const common = { log: { level: 'warn' }, query: { timeout_ms: 60000 } };
function sideConfig(mode: string): { config: Record<string, unknown>; env: Record<string, string> } {
  if (mode === 'cluster')
    return {
      env: { NEXUS_ROOT_API_KEY: rootKey },
      config: {
        ...common,
        cluster: {
          enabled: true,
          instance_id: 'ab',
          quota_cache_ttl_seconds: 3600,
          usage_report_interval_seconds: 60,
          hivehub: { base_url: emulator.url, service_api_key: serviceKey },
        },
      },
    };
  // `default`: standalone as `npm start` runs it (no auth settings: auth off on loopback).
  if (mode === 'default') return { env: {}, config: common };
  return { env: { NEXUS_ROOT_API_KEY: rootKey, NEXUS_AUTH_ENABLED: 'true' }, config: common };
}

const sides = (['a', 'b'] as const).map((s) => ({
  name: s,
  root: resolve(values[`${s}-root`]!),
  mode: values[`${s}-mode`]!,
}));
// The working tree is compiled before a `dist` run; another tree (`--a-root /tmp/old`)
// must have been built by whoever made it.
if (sides.some((s) => s.mode !== 'bare' && values[`${s.name}-runtime`] === 'dist' && s.root === REPO_ROOT))
  buildDist();
const prof = values['cpu-prof'];
const servers = await Promise.all(
  sides.map((s) => {
    const c = sideConfig(s.mode);
    const profDir = prof ? join(prof, s.name) : undefined;
    if (s.mode === 'bare') return startBare(s.root, profDir);
    const nodeArgs = values[`${s.name}-node-args`]!.split(',').filter((a) => a !== '');
    return startServer(nodeArgs, s.root, c.config, c.env, profDir, values[`${s.name}-runtime`]!);
  }),
);
const c = Number(values.connections);
const secs = Number(values.seconds);
const rounds = Number(values.rounds);
try {
  const keys: string[] = [];
  const noisyKeys: (string | undefined)[] = [];
  for (let i = 0; i < 2; i++) {
    if (sides[i]!.mode === 'bare') {
      keys.push('unused');
      continue;
    }
    const cluster = sides[i]!.mode === 'cluster';
    const k =
      sides[i]!.mode === 'default'
        ? 'unused'
        : await createKey(servers[i]!.url, rootKey, cluster ? 'ab-a' : undefined);
    keys.push(k);
    await loadPeople(servers[i]!.url, k, Number(values.people));
    if (values.query === 'noisy') {
      const n = await createKey(servers[i]!.url, rootKey, cluster ? 'noisy' : undefined);
      if (!cluster) throw new Error('noisy needs cluster mode on both sides');
      await loadPeople(servers[i]!.url, n, Number(values.people) * 5);
      noisyKeys.push(n);
    }
  }
  const q = values.query === 'noisy' ? QUERIES.read! : QUERIES[values.query!]!;
  for (let i = 0; i < 2; i++) await cannon(servers[i]!, keys[i]!, q.query, q.params, c, 1);
  const results: Record<string, Run[]> = { a: [], b: [], aNoisy: [], bNoisy: [] };
  for (let r = 0; r < rounds; r++) {
    // ABBA order: a trend in the machine's background load hits both sides alike.
    for (const i of r % 2 === 0 ? [0, 1] : [1, 0]) {
      const name = sides[i]!.name;
      results[name]!.push(await cannon(servers[i]!, keys[i]!, q.query, q.params, c, secs));
      if (values.query === 'noisy') {
        const [victim] = await Promise.all([
          cannon(servers[i]!, keys[i]!, q.query, q.params, c, secs),
          cannon(servers[i]!, noisyKeys[i]!, HEAVY, {}, 4, secs),
        ]);
        results[`${name}Noisy`]!.push(victim);
      }
    }
  }
  const avg = (runs: Run[], f: (r: Run) => number) =>
    runs.reduce((s, r) => s + f(r), 0) / Math.max(runs.length, 1);
  for (const key of Object.keys(results)) {
    const runs = results[key]!;
    if (runs.length === 0) continue;
    const side = sides.find((s) => key.startsWith(s.name))!;
    const m = (f: (r: Run) => number, d = 0) => avg(runs, f).toFixed(d);
    process.stdout.write(
      [
        key.padEnd(7),
        side.mode.padEnd(10),
        side.root.padEnd(20),
        `req/s ${m((r) => r.rps).padStart(6)}`,
        `cpu/req ${m((r) => r.cpuUs).padStart(5)} µs`,
        `p50 ${m((r) => r.p50, 1)} ms`,
        `p99 ${m((r) => r.p99, 1)} ms`,
        `non2xx ${m((r) => r.non2xx)}`,
        `rounds ${runs.map((r) => r.rps.toFixed(0)).join(',')}`,
      ].join('  ') + '\n',
    );
  }
  const ratio = (f: (r: Run) => number) => (avg(results.b!, f) / avg(results.a!, f)).toFixed(3);
  const perRound = results.a!.map((a, i) => results.b![i]!.rps / a.rps);
  process.stdout.write(
    `B/A throughput ${ratio((r) => r.rps)} (median of rounds ${median(perRound).toFixed(3)}), cpu per request ${ratio((r) => r.cpuUs)}\n`,
  );
} finally {
  await Promise.all(servers.map((s) => s.stop()));
  await emulator.stop();
  emulator.cleanup();
}
