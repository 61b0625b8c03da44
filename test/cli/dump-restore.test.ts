/**
 * `nexus dump` / `nexus restore` and GET /export (issue 17 §3): round trips through the real
 * CLI give identical query results and byte counts — from a data directory, from a running
 * server while it takes writes, and per tenant — and /export in cluster mode streams only
 * the caller's own graph.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Nexus } from '../../src/engine/index.js';
import { formatTable } from '../../src/cli/format-table.js';
import { spawn } from 'node:child_process';
import { REPO_ROOT, startServerProcess } from '../helpers/server-process.js';
import { ROOT_KEY, startStack } from '../security/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'nexus-dump-'));

/** The compiled CLI (bin/nexus.js → dist; `npm run build` first), faster than tsx per call. */
function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'nexus.js'), ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SEED =
  "UNWIND range(1, 300) AS i CREATE (a:Person {name: 'p' + i, n: i, f: i / 2.0, tags: ['a', 'b'], " +
  "big: 9007199254740993})-[:KNOWS {since: i}]->(:City {name: 'c' + (i % 7)})";
const CHECK = [
  'MATCH (a:Person)-[r:KNOWS]->(c:City) RETURN a, r.since, c.name ORDER BY a.n',
  'MATCH (n) RETURN labels(n) AS l, count(*) AS c ORDER BY l',
  'MATCH (p:Person) WHERE p.n = 77 RETURN p.name',
];

/** Query results (as printed) and stored bytes of one namespace of a data directory. */
async function snapshot(data: string, namespace = 'default'): Promise<{ results: string[]; bytes: number }> {
  const db = await Nexus.open({ path: data });
  try {
    const results: string[] = [];
    for (const q of CHECK) results.push(formatTable(await db.execute(q, {}, { namespace })));
    const indexes = await db.execute('SHOW INDEXES', {}, { namespace }).catch(() => null);
    if (indexes !== null) results.push(formatTable(indexes));
    return { results, bytes: db.stats(namespace).bytes };
  } finally {
    await db.close();
  }
}

async function seed(data: string, namespace = 'default'): Promise<void> {
  const db = await Nexus.open({ path: data });
  try {
    await db.execute(SEED, {}, { namespace });
    await db.execute('CREATE INDEX person_n FOR (p:Person) ON (p.n)', {}, { namespace });
  } finally {
    await db.close();
  }
}

describe('nexus dump / restore', { timeout: 120_000 }, () => {
  it('round-trips a data directory: same results, same bytes', async () => {
    const src = join(dir, 'src');
    const dst = join(dir, 'dst');
    const file = join(dir, 'a.jsonl.gz');
    await seed(src);
    const dump = await runCli(['dump', '--data', src, '--out', file]);
    expect(dump.stderr).toBe('');
    expect(dump.stdout).toMatch(/^dumped 600 nodes and 300 relationships \(\d+ bytes stored\)/);
    // gzip JSON lines: header first, end line last.
    const lines = gunzipSync(readFileSync(file)).toString('utf8').trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({
      type: 'header',
      format: 'nexus-dump',
      version: 1,
      nodes: 600,
    });
    expect(JSON.parse(lines.at(-1)!)).toEqual({ type: 'end', nodes: 600, relationships: 300 });
    expect(lines).toContain('{"type":"index","name":"person_n","label":"Person","property":"n"}');

    const restore = await runCli(['restore', file, '--data', dst]);
    expect(restore.stderr).toBe('');
    const before = await snapshot(src);
    const after = await snapshot(dst);
    expect(after.results).toEqual(before.results);
    expect(after.bytes).toBe(before.bytes);
    expect(restore.stdout).toContain(`${before.bytes} bytes stored (the source held ${before.bytes})`);

    // Restoring again into a non-empty graph is refused, and nothing changes.
    const again = await runCli(['restore', file, '--data', dst]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('the target graph is not empty');
    expect((await snapshot(dst)).bytes).toBe(before.bytes);
  });

  it('dumps one tenant and restores it into another tenant namespace with exact bytes', async () => {
    const src = join(dir, 'tenants');
    const dst = join(dir, 'tenants-restored');
    const file = join(dir, 'alice.jsonl.gz');
    await seed(src, 'tenant:alice');
    const db = await Nexus.open({ path: src });
    await db.execute("CREATE (:Secret {of: 'bob'})", {}, { namespace: 'tenant:bob' });
    await db.close();
    expect((await runCli(['dump', '--data', src, '--tenant', 'alice', '--out', file])).code).toBe(0);
    const text = gunzipSync(readFileSync(file)).toString('utf8');
    expect(text).not.toContain('Secret');
    // A quota below the dump's size refuses the restore.
    const tooSmall = await runCli([
      'restore',
      file,
      '--data',
      dst,
      '--tenant',
      'carol',
      '--max-bytes',
      '1000',
    ]);
    expect(tooSmall.code).toBe(1);
    expect(tooSmall.stderr).toContain('over the quota');
    const ok = await runCli([
      'restore',
      file,
      '--data',
      join(dir, 'tenants-restored-2'),
      '--tenant',
      'carol',
    ]);
    expect(ok.stderr).toBe('');
    const before = await snapshot(src, 'tenant:alice');
    const after = await snapshot(join(dir, 'tenants-restored-2'), 'tenant:carol');
    expect(after.results).toEqual(before.results);
    expect(after.bytes).toBe(before.bytes);
  });

  it('dumps a running server over GET /export while it takes writes (one snapshot)', async () => {
    const key = 'dump-test-root-key-0123456789';
    const server = await startServerProcess({ env: { NEXUS_AUTH_ENABLED: 'true', NEXUS_ROOT_API_KEY: key } });
    const post = (query: string): Promise<Response> =>
      fetch(`${server.url}/cypher`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query }),
      });
    try {
      expect((await post(SEED)).status).toBe(200);
      expect((await post('CREATE INDEX person_n FOR (p:Person) ON (p.n)')).status).toBe(200);
      const file = join(dir, 'remote.jsonl.gz');
      // Writers keep going during the dump; the dump must still be internally consistent.
      let writing = true;
      const writer = (async () => {
        let n = 0;
        while (writing && n < 200) {
          await post(`CREATE (:Late {n: ${n++}})`);
        }
      })();
      const dump = await runCli(['dump', '--url', server.url, '--key', key, '--out', file]);
      writing = false;
      await writer;
      expect(dump.stderr).toBe('');
      const restored = join(dir, 'remote-restored');
      const restore = await runCli(['restore', file, '--data', restored]);
      expect(restore.stderr).toBe('');
      const lines = gunzipSync(readFileSync(file)).toString('utf8').trim().split('\n');
      const header = JSON.parse(lines[0]!) as { nodes: number; relationships: number; bytes: number };
      const after = await snapshot(restored);
      expect(after.bytes).toBe(header.bytes);
      expect(after.results.slice(0, 1)).toEqual((await snapshot(join(dir, 'src'))).results.slice(0, 1));
      // No key: refused with the server's error, no file.
      const refused = await runCli(['dump', '--url', server.url, '--out', join(dir, 'no.gz')]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('AUTHENTICATION_REQUIRED');
    } finally {
      await server.stop();
    }
  });
});

describe('GET /export in cluster mode', () => {
  it("streams only the caller's own graph", async () => {
    const s = await startStack();
    try {
      const alice = (await s.createKey({ name: 'a', permissions: ['WRITE'], user_id: 'alice' })).secret;
      const bob = (await s.createKey({ name: 'b', permissions: ['WRITE'], user_id: 'bob' })).secret;
      expect(
        (await s.request(alice, 'POST', '/cypher', { query: "CREATE (:Mine {who: 'alice'})" })).statusCode,
      ).toBe(200);
      expect(
        (await s.request(bob, 'POST', '/cypher', { query: "CREATE (:Mine {who: 'bob'})" })).statusCode,
      ).toBe(200);
      const res = await s.request(alice, 'GET', '/export');
      expect(res.statusCode).toBe(200);
      expect(String(res.headers['content-type'])).toContain('application/x-ndjson');
      const lines = res.body
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines[0]).toMatchObject({ type: 'header', nodes: 1, relationships: 0 });
      expect(lines.filter((l) => l.type === 'node')).toEqual([
        { type: 'node', id: 0, labels: ['Mine'], properties: { who: 'alice' } },
      ]);
      // The root key without a tenant has no graph here; with X-Nexus-Tenant it reads that tenant's.
      const asRoot = await s.request(ROOT_KEY, 'GET', '/export', undefined, { 'x-nexus-tenant': 'bob' });
      expect(asRoot.body).toContain('"who":"bob"');
      expect(asRoot.body).not.toContain('"who":"alice"');
    } finally {
      await s.close();
    }
  });
});
