/**
 * Scan A/B in one run: `MATCH (p:Person) RETURN avg(p.age)` over the social graph's
 * Person nodes, with (B) and without (A) single-property reads — A hides the readers'
 * `nodeProperty`, so each property access decodes the whole node record, as before.
 * Point reads and a 1-hop expansion are measured the same way to show they do not slow
 * down. Rounds alternate A and B; ops/s per query are medians over the rounds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nexus, type NexusStore } from '../src/engine/nexus.js';
import { GraphStore, type GraphReader, type NamespaceHandle } from '../src/storage/index.js';
import { CITIES, prng } from './dataset.js';
import { median } from './lib/stats.js';

export interface ScanAbResult {
  nodes: number;
  relationships: number;
  rounds: number;
  /**
   * query → ops/s of A and B (medians over the rounds) and CPU ms per op (process CPU
   * time, which a machine shared with other work inflates less than wall time).
   */
  queries: Record<string, { a: number; b: number; ratio: number; aCpuMs: number; bCpuMs: number }>;
}

/** The reader without `nodeProperty` (an own undefined shadows the prototype method). */
function withoutNodeProperty<T extends GraphReader>(r: T): T {
  const o = Object.create(r) as T & { nodeProperty?: unknown };
  o.nodeProperty = undefined;
  return o;
}

function storeWithoutNodeProperty(store: GraphStore): NexusStore {
  return {
    namespace(name: string): NamespaceHandle {
      const h = store.namespace(name);
      return {
        namespace: h.namespace,
        read: (fn) => h.read((tx) => fn(withoutNodeProperty(tx))),
        beginRead: () => {
          const tx = h.beginRead();
          const o = withoutNodeProperty(tx);
          o.close = () => tx.close();
          return o;
        },
        write: (fn, options) => h.write(fn, options),
        stats: () => h.stats(),
      };
    },
    close: () => Promise.resolve(),
  };
}

export async function runScanAb(
  nodes: number,
  relationships: number,
  rounds = 5,
  msPerQuery = 600,
): Promise<ScanAbResult> {
  const dir = mkdtempSync(join(tmpdir(), 'nexus-bench-scan-'));
  const store = await GraphStore.open({ path: dir, sync: false });
  try {
    const l = store.bulkLoader('default');
    const person = l.labelId('Person');
    const keys = ['name', 'email', 'age', 'city'].map((k) => l.keyId(k));
    for (let k = 0; k < nodes; k++)
      l.addNode([person], keys, [
        `person-${k}`,
        `p${k}@example.com`,
        BigInt(18 + (k % 60)),
        CITIES[k % CITIES.length]!,
      ]);
    const rand = prng(42);
    const knows = l.typeId('KNOWS');
    const since = [l.keyId('since')];
    for (let i = 0; i < relationships; i++)
      l.addRelationship(knows, Math.floor(rand() * nodes), Math.floor(rand() * nodes), since, [
        BigInt(2000 + (i % 25)),
      ]);
    l.commit();
    const a = Nexus.fromStore(storeWithoutNodeProperty(store));
    const b = Nexus.fromStore(store);
    const pick = prng(7);
    const queries: Record<string, (db: Nexus) => Promise<unknown>> = {
      'avg over a label': (db) => db.execute('MATCH (p:Person) RETURN avg(p.age)'),
      'point read by id': (db) =>
        db.execute('MATCH (n) WHERE id(n) = $id RETURN n.name', { id: BigInt(Math.floor(pick() * nodes)) }),
      '1-hop expansion': (db) =>
        db.execute('MATCH (a)-[:KNOWS]->(b) WHERE id(a) = $id RETURN b.name', {
          id: BigInt(Math.floor(pick() * nodes)),
        }),
    };
    const samples: Record<string, { a: number[]; b: number[]; aCpu: number[]; bCpu: number[] }> = {};
    const opsPerSec = async (db: Nexus, op: (db: Nexus) => Promise<unknown>): Promise<[number, number]> => {
      await op(db);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      let n = 0;
      while (performance.now() - t0 < msPerQuery || n < 3) {
        await op(db);
        n++;
      }
      const cpu = process.cpuUsage(c0);
      return [n / ((performance.now() - t0) / 1000), (cpu.user + cpu.system) / 1000 / n];
    };
    for (let r = 0; r < rounds; r++) {
      for (const [name, op] of Object.entries(queries)) {
        const s = (samples[name] ??= { a: [], b: [], aCpu: [], bCpu: [] });
        const [ra, ca] = await opsPerSec(a, op);
        const [rb, cb] = await opsPerSec(b, op);
        s.a.push(ra);
        s.aCpu.push(ca);
        s.b.push(rb);
        s.bCpu.push(cb);
      }
    }
    const out: ScanAbResult['queries'] = {};
    for (const [name, s] of Object.entries(samples)) {
      const ma = median(s.a);
      const mb = median(s.b);
      out[name] = { a: ma, b: mb, ratio: mb / ma, aCpuMs: median(s.aCpu), bCpuMs: median(s.bCpu) };
    }
    return { nodes, relationships, rounds, queries: out };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('ab-scan.ts')) {
  console.log(JSON.stringify(await runScanAb(100_000, 100_000), null, 2));
}
