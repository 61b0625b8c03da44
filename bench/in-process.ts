/**
 * In-process engine benchmarks: the embedded API (`Nexus.open` + `execute`) on the
 * synthetic social graph, without HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nexus } from '../src/engine/index.js';
import { loadSocialGraph, prng, type DatasetSize, type IngestMeasurement } from './dataset.js';
import { measure, summarise, type LatencySummary } from './lib/stats.js';

export interface InProcessResults {
  dataset: DatasetSize;
  ingest: IngestMeasurement;
  queries: Record<string, LatencySummary>;
  peakRssMb: number;
}

export async function runInProcess(size: DatasetSize, secondsPerQuery: number): Promise<InProcessResults> {
  const dir = mkdtempSync(join(tmpdir(), 'nexus-bench-'));
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const db = await Nexus.open({ path: dir });
  try {
    const ingest = await loadSocialGraph(db.namespace('default'), size);
    await db.execute('CREATE INDEX person_email FOR (p:Person) ON (p.email)');
    await db.execute('CREATE INDEX city_name FOR (c:City) ON (c.name)');
    const rand = prng(7);
    const someId = () => BigInt(Math.floor(rand() * size.nodes));
    const ms = secondsPerQuery * 1000;
    const queries: Record<string, LatencySummary> = {};
    const run = async (name: string, op: (i: number) => Promise<unknown>, duration = ms) => {
      const t0 = process.hrtime.bigint();
      const lat = await measure(op, duration, 5);
      queries[name] = summarise(lat, Number(process.hrtime.bigint() - t0));
    };

    await run('point read by id', () =>
      db.execute('MATCH (n) WHERE id(n) = $id RETURN n.name', { id: someId() }),
    );
    await run('index seek', () =>
      db.execute('MATCH (p:Person {email: $email}) RETURN p.name', {
        email: `p${Math.floor(rand() * size.nodes)}@example.com`,
      }),
    );
    await run('1-hop expansion', () =>
      db.execute('MATCH (a)-[:KNOWS]->(b) WHERE id(a) = $id RETURN b.name', { id: someId() }),
    );
    await run('2-hop expansion', () =>
      db.execute('MATCH (a)-[:KNOWS]->()-[:KNOWS]->(c) WHERE id(a) = $id RETURN count(DISTINCT c)', {
        id: someId(),
      }),
    );
    await run(
      'aggregation over a label',
      () => db.execute('MATCH (p:Person) RETURN p.city AS city, count(*) AS n, avg(p.age) AS age'),
      Math.max(ms, 1000),
    );
    await run('single CREATE', (i) => db.execute('CREATE (:Event {n: $i})', { i: BigInt(i) }));
    await run('MERGE', (i) =>
      db.execute('MERGE (c:City {name: $name}) RETURN c.name', { name: `city-${i % 1000}` }),
    );
    return { dataset: size, ingest, queries, peakRssMb: peakRss / 2 ** 20 };
  } finally {
    clearInterval(sampler);
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
