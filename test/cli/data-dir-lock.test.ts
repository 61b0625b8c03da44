/**
 * The data-directory lock over real processes: `nexus migrate` refuses while a server
 * holds the directory (and the data survives), a second server on the same directory
 * exits non-zero, an embedded `nexus query` still works, a clean shutdown removes the
 * lock, a stale lock of a dead process is taken over, and migrate then works — also in an
 * environment set up for cluster mode without HiveHub settings.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli, startServerProcess } from '../helpers/server-process.js';

const root = makeTempDir('nexus-lock-test-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function cypher(url: string, query: string): Promise<{ rows: unknown[][] }> {
  const res = await fetch(`${url}/cypher`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { rows: unknown[][] };
}

describe('data-directory lock (processes)', () => {
  it('keeps migrate and a second server away from a running server', async () => {
    // A dotted name, as mktemp makes them.
    const data = join(root, 'tmp.data');
    const deadPid = Number(
      spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString(),
    );
    await runCli(['query', 'RETURN 1', '--data', data, '--create']);
    const lockFile = join(data, 'nexus.lock');
    writeFileSync(lockFile, JSON.stringify({ pid: deadPid, role: 'nexus serve', started_at: 'long ago' }));

    const server = await startServerProcess({ dataDir: data });
    try {
      // The stale lock of the dead process was taken over.
      expect(JSON.parse(readFileSync(lockFile, 'utf8'))).toMatchObject({
        pid: server.child.pid,
        role: 'nexus serve',
      });
      await cypher(server.url, "CREATE (:Person {name: 'Ada'})-[:KNOWS]->(:Person {name: 'Bob'})");

      const migrate = await runCli(['migrate', '--to-tenant', 'acme', '--data', data]);
      expect(migrate.code).not.toBe(0);
      expect(migrate.stderr).toMatch(
        new RegExp(
          `cannot migrate: the data directory .* is in use by nexus serve \\(pid ${server.child.pid}`,
        ),
      );
      // Nothing moved: the server still sees its graph.
      expect((await cypher(server.url, 'MATCH (n:Person) RETURN count(n)')).rows).toEqual([[2]]);

      const second = await runCli(['serve', '--host', '127.0.0.1', '--port', '0', '--data', data]);
      expect(second.code).not.toBe(0);
      expect(second.stderr).toMatch(/is in use by nexus serve/);
      expect(second.stdout).not.toContain('listening');

      // Embedded queries share the directory safely (LMDB is multi-process safe).
      const query = await runCli(['query', 'MATCH (n:Person) RETURN count(n) AS c', '--data', data]);
      expect(query.code).toBe(0);
      expect(query.stdout).toContain('| 2 |');
    } finally {
      const exit = await server.stop();
      expect(exit.code).toBe(0);
    }
    expect(existsSync(lockFile)).toBe(false);

    const migrate = await runCli(['migrate', '--to-tenant', 'acme', '--data', data], {
      env: { NEXUS_CLUSTER_ENABLED: 'true' },
    });
    expect(migrate.stderr).toBe('');
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toContain('source default: 2 nodes, 1 relationships');
    expect(migrate.stdout).toContain('after target tenant:acme: 2 nodes, 1 relationships');
    expect(existsSync(lockFile)).toBe(false);
  }, 60_000);
});
