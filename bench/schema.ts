/**
 * Schema-feature benchmarks (`npm run bench`, in-process): the vector index (build rate,
 * recall@10 and query rate against exact brute force in the same run, p99) over seeded
 * clustered vectors, and MERGE on a unique-constraint key against MERGE on a plain
 * RANGE index.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nexus } from '../src/engine/index.js';
import { prng } from './dataset.js';
import { percentile } from './lib/stats.js';

export interface SchemaBenchResults {
  vectors: {
    count: number;
    dimensions: number;
    buildVectorsPerSec: number;
    /** Per CPU second of this process: the machine may be shared, CPU time is not. */
    buildVectorsPerCpuSec: number;
    approxCpuMsPerQuery: number;
    exactCpuMsPerQuery: number;
    /** exact / approximate CPU time per query. */
    cpuSpeedup: number;
    recallAt10: number;
    approxQueriesPerSec: number;
    exactQueriesPerSec: number;
    speedup: number;
    approxP99Ms: number;
    exactP99Ms: number;
  };
  merge: { uniqueOpsPerSec: number; plainIndexOpsPerSec: number; ratio: number; cpuRatio: number };
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function clustered(count: number, dims: number, seed: number, clusters = 100): Float32Array[] {
  const rand = prng(seed);
  const centers = Array.from({ length: clusters }, () =>
    Float32Array.from({ length: dims }, () => rand() * 2 - 1),
  );
  return Array.from({ length: count }, () => {
    const c = centers[Math.floor(rand() * clusters)]!;
    return Float32Array.from(c, (x) => x + (rand() * 2 - 1) * 0.35);
  });
}

export async function runSchemaBench(opts: {
  vectors: number;
  dimensions: number;
  queries: number;
  merges: number;
}): Promise<SchemaBenchResults> {
  const dir = mkdtempSync(join(tmpdir(), 'nexus-bench-schema-'));
  const db = await Nexus.open({ path: dir, sync: false });
  try {
    const { vectors: count, dimensions: dims } = opts;
    await db.execute(
      `CREATE VECTOR INDEX emb FOR (d:Doc) ON d.embedding OPTIONS {indexConfig: {\`vector.dimensions\`: ${dims}, \`vector.similarity_function\`: 'cosine'}}`,
    );
    const data = clustered(count, dims, 11);
    const h = db.namespace('default');
    const t0 = performance.now();
    const c0 = cpuMs();
    const batch = 2000;
    for (let i = 0; i < count; i += batch) {
      await h.write((w) => {
        for (let j = i; j < Math.min(count, i + batch); j++) {
          w.createNode(['Doc'], new Map([['embedding', Array.from(data[j]!)]]));
        }
      });
    }
    const buildVectorsPerSec = count / ((performance.now() - t0) / 1000);
    const buildVectorsPerCpuSec = count / ((cpuMs() - c0) / 1000);
    // queries near the data, as retrieval queries are
    const rand = prng(23);
    const qs = Array.from({ length: opts.queries }, () =>
      Array.from(data[Math.floor(rand() * count)]!, (x) => x + (rand() * 2 - 1) * 0.1),
    );
    const time = (exact: boolean) => {
      const lat: number[] = [];
      const results: number[][] = [];
      const start = performance.now();
      const c = cpuMs();
      h.read((r) => {
        for (const q of qs) {
          const s = performance.now();
          results.push(r.vectorSearch!('emb', 10, q, { exact }).map((x) => x.node));
          lat.push(performance.now() - s);
        }
      });
      const secs = (performance.now() - start) / 1000;
      const cpuPerQuery = (cpuMs() - c) / qs.length;
      lat.sort((a, b) => a - b);
      return { qps: qs.length / secs, p99: percentile(lat, 99), results, cpuPerQuery };
    };
    const exact = time(true);
    const approx = time(false);
    let hits = 0;
    approx.results.forEach((r, i) => (hits += r.filter((x) => exact.results[i]!.includes(x)).length));

    // MERGE throughput: unique constraint vs plain RANGE index, interleaved halves.
    await db.execute('CREATE CONSTRAINT u_key FOR (p:U) REQUIRE p.key IS UNIQUE');
    await db.execute('CREATE INDEX p_key FOR (p:P) ON (p.key)');
    const cpu = { U: 0, P: 0 };
    const mergeRun = async (label: 'U' | 'P', from: number, n: number) => {
      const s = performance.now();
      const c = cpuMs();
      for (let i = from; i < from + n; i++) {
        await db.execute(`MERGE (x:${label} {key: $k}) ON CREATE SET x.c = 1 ON MATCH SET x.c = x.c + 1`, {
          k: BigInt(i % Math.floor(opts.merges / 2)),
        });
      }
      cpu[label] += cpuMs() - c;
      return n / ((performance.now() - s) / 1000);
    };
    const half = Math.floor(opts.merges / 2);
    const u1 = await mergeRun('U', 0, half);
    const p1 = await mergeRun('P', 0, half);
    const p2 = await mergeRun('P', half, half);
    const u2 = await mergeRun('U', half, half);
    const uniqueOpsPerSec = (u1 + u2) / 2;
    const plainIndexOpsPerSec = (p1 + p2) / 2;
    return {
      vectors: {
        count,
        dimensions: dims,
        buildVectorsPerSec,
        buildVectorsPerCpuSec,
        approxCpuMsPerQuery: approx.cpuPerQuery,
        exactCpuMsPerQuery: exact.cpuPerQuery,
        cpuSpeedup: exact.cpuPerQuery / approx.cpuPerQuery,
        recallAt10: hits / (qs.length * 10),
        approxQueriesPerSec: approx.qps,
        exactQueriesPerSec: exact.qps,
        speedup: approx.qps / exact.qps,
        approxP99Ms: approx.p99,
        exactP99Ms: exact.p99,
      },
      merge: {
        uniqueOpsPerSec,
        plainIndexOpsPerSec,
        ratio: uniqueOpsPerSec / plainIndexOpsPerSec,
        cpuRatio: cpu.P / cpu.U,
      },
    };
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// `tsx bench/schema.ts` runs this section alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runSchemaBench({
    vectors: Number(process.env.VECTORS ?? 100000),
    dimensions: 128,
    queries: 200,
    merges: 4000,
  });
  console.log(JSON.stringify(r, null, 2));
}
