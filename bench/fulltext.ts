/**
 * Full-text index benchmark (`npm run bench`, in-process): index rate of 100k short
 * documents (population of a new index over existing nodes, and ingest with the index in
 * place) and the p50/p95 latency of single-term `db.index.fulltext.queryNodes` queries
 * (top 10), over a seeded corpus with a skewed 5,000-word vocabulary.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nexus } from '../src/engine/index.js';
import { prng } from './dataset.js';
import { percentile } from './lib/stats.js';

export interface FulltextBenchResults {
  docs: number;
  /** CREATE FULLTEXT INDEX over existing documents. */
  populateDocsPerSec: number;
  /** CREATE of documents with the index in place, minus the same CREATE without it. */
  ingestWithIndexDocsPerSec: number;
  ingestWithoutIndexDocsPerSec: number;
  queries: number;
  termQueryP50Ms: number;
  termQueryP95Ms: number;
  avgHitsPerQuery: number;
}

const VOCAB = 5000;

function corpus(count: number, seed: number): { i: bigint; title: string; body: string }[] {
  const rand = prng(seed);
  // A skewed vocabulary (word k drawn with probability ~ 1/sqrt(k)).
  const word = (): string => `w${Math.floor(VOCAB * rand() ** 2).toString(36)}`;
  const words = (n: number): string => Array.from({ length: n }, word).join(' ');
  return Array.from({ length: count }, (_, i) => ({
    i: BigInt(i),
    title: words(3),
    body: words(5 + Math.floor(rand() * 6)),
  }));
}

async function ingest(db: Nexus, namespace: string, rows: ReturnType<typeof corpus>): Promise<number> {
  const t0 = performance.now();
  for (let k = 0; k < rows.length; k += 5000) {
    await db.execute(
      'UNWIND $rows AS r CREATE (:Doc {i: r.i, title: r.title, body: r.body})',
      { rows: rows.slice(k, k + 5000).map((r) => new Map(Object.entries(r))) },
      { namespace },
    );
  }
  return rows.length / ((performance.now() - t0) / 1000);
}

export async function runFulltextBench(opts: {
  docs: number;
  queries: number;
}): Promise<FulltextBenchResults> {
  const dir = mkdtempSync(join(tmpdir(), 'nexus-bench-fulltext-'));
  const db = await Nexus.open({ path: dir, sync: false });
  try {
    const rows = corpus(opts.docs, 7);
    const create = 'CREATE FULLTEXT INDEX ft FOR (n:Doc) ON EACH [n.title, n.body]';
    const ingestWithoutIndexDocsPerSec = await ingest(db, 'plain', rows);
    const t0 = performance.now();
    await db.execute(create, {}, { namespace: 'plain' });
    const populateDocsPerSec = rows.length / ((performance.now() - t0) / 1000);
    await db.execute(create, {}, { namespace: 'live' });
    const ingestWithIndexDocsPerSec = await ingest(db, 'live', rows);
    const rand = prng(99);
    const times: number[] = [];
    let hits = 0;
    const q =
      'CALL db.index.fulltext.queryNodes("ft", $q, {limit: 10}) YIELD node, score RETURN node.i, score';
    for (let k = 0; k < opts.queries + 20; k++) {
      const term = `w${Math.floor(VOCAB * rand() ** 2).toString(36)}`;
      const s = performance.now();
      const r = await db.execute(q, { q: term }, { namespace: 'live' });
      if (k >= 20) {
        times.push(performance.now() - s);
        hits += r.rows.length;
      }
    }
    times.sort((a, b) => a - b);
    return {
      docs: rows.length,
      populateDocsPerSec,
      ingestWithIndexDocsPerSec,
      ingestWithoutIndexDocsPerSec,
      queries: opts.queries,
      termQueryP50Ms: percentile(times, 50),
      termQueryP95Ms: percentile(times, 95),
      avgHitsPerQuery: hits / opts.queries,
    };
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('fulltext.ts')) {
  console.log(await runFulltextBench({ docs: Number(process.argv[2] ?? 100_000), queries: 500 }));
}
