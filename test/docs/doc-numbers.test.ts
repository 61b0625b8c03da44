/**
 * Numbers in the docs that drift when storage or metrics change (issue 17 §4): the byte
 * counts of the cluster-mode walkthrough (docs/CLUSTER_MODE.md) are recomputed by running
 * the walkthrough's own writes, and the metric families DEPLOYMENT_GUIDE names are compared
 * with what a live server's /metrics exposes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Nexus } from '../../src/engine/index.js';
import { isNexusError } from '../../src/errors.js';
import { REPO_ROOT, startServerProcess } from '../helpers/server-process.js';

const doc = (name: string): string => readFileSync(join(REPO_ROOT, 'docs', name), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'nexus-doc-numbers-'));
let db: Nexus;
beforeAll(async () => {
  db = await Nexus.open({ path: dir });
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('docs/CLUSTER_MODE.md byte counts', () => {
  const text = doc('CLUSTER_MODE.md');

  it("alice's storage_bytes is what her walkthrough writes take", async () => {
    const ns = 'tenant:alice';
    await db.execute(
      'CREATE (a:Person {name: $name})-[:KNOWS]->(:Person {name: "Grace"}) RETURN a.name, id(a)',
      { name: 'Ada' },
      { namespace: ns },
    );
    const bytes = db.stats(ns).bytes;
    const usage = [
      ...text.matchAll(/"user_id":"alice","plan"[^\n]*?"storage_bytes":(\d+),"rate_limit"/g),
    ].map((m) => m[1]);
    const report = [...text.matchAll(/"user_id": "alice",[\s\S]*?"storage_bytes": (\d+)/g)].map((m) => m[1]);
    const stats = [...text.matchAll(/"user_id": "alice"[^}]*?"storage_bytes": (\d+)/g)].map((m) => m[1]);
    const all = [...usage, ...report, ...stats];
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const n of all) expect(Number(n), 'a storage_bytes of alice in CLUSTER_MODE.md').toBe(bytes);
  });

  it("the storage-quota example's numbers are what the engine computes", async () => {
    const ns = 'tenant:tiny';
    await db.execute('CREATE (:Note {text: "small"})', {}, { namespace: ns });
    const before = db.stats(ns).bytes;
    let details: Record<string, unknown> | undefined;
    let message = '';
    try {
      await db.execute(
        'UNWIND range(1, 50) AS i CREATE (:Note {text: "a longer note number " + i})',
        {},
        { namespace: ns, maxStorageBytes: 300 },
      );
    } catch (err) {
      if (!isNexusError(err)) throw err;
      details = err.details;
      message = err.message;
    }
    expect(details).toBeDefined();
    const m =
      /"message":"(The write would use (\d+) bytes[^"]*)","details":\{"bytes":(\d+),"maxBytes":300,"before":(\d+)\}/.exec(
        text,
      );
    expect(m, 'the STORAGE_QUOTA_EXCEEDED example in CLUSTER_MODE.md').not.toBeNull();
    expect(m![1]).toBe(message);
    expect(Number(m![3])).toBe(details!.bytes);
    expect(Number(m![4])).toBe(before);
    expect(details!.before).toBe(before);
  });
});

describe('docs/DEPLOYMENT_GUIDE.md metrics section', () => {
  it('names exactly the nexus_* metric families /metrics exposes', async () => {
    const server = await startServerProcess();
    let exposed: string[];
    try {
      await fetch(`${server.url}/cypher`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"RETURN 1"}',
      });
      const body = await (await fetch(`${server.url}/metrics`)).text();
      exposed = [...body.matchAll(/^# TYPE (nexus_\w+) /gm)].map((m) => m[1]!);
    } finally {
      await server.stop();
    }
    const guide = doc('DEPLOYMENT_GUIDE.md');
    const section = guide.slice(guide.indexOf('Metric families:'), guide.indexOf('Health probe examples'));
    const named = [...section.matchAll(/`(nexus_\w+)`/g)].map((m) => m[1]!);
    const prefixes = named.filter((n) => n.endsWith('_'));
    const families = named.filter((n) => !n.endsWith('_'));
    for (const f of families) expect(exposed, `${f} is named in DEPLOYMENT_GUIDE.md`).toContain(f);
    for (const f of exposed) {
      const covered = families.includes(f) || prefixes.some((p) => f.startsWith(p));
      expect(covered, `${f} is exposed but not in DEPLOYMENT_GUIDE.md's metrics section`).toBe(true);
    }
  });
});
