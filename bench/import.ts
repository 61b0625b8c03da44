/**
 * Bulk import benchmark: writes the social graph (Person nodes with name, email, age,
 * city; KNOWS relationships with `since`) as neo4j-admin CSV files, then loads them with
 * the `nexus import` code path (CSV parsing, id mapping, storage bulk loader, one synced
 * commit) into a fresh store. Also times the same graph through Cypher `UNWIND` batches
 * on a smaller slice, for the before/after ratio.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runImport } from '../src/cli/import/index.js';
import { Nexus } from '../src/engine/nexus.js';
import { GraphStore } from '../src/storage/index.js';
import { CITIES, prng, type DatasetSize } from './dataset.js';

export interface ImportBenchResult {
  nodes: number;
  relationships: number;
  seconds: number;
  recordsPerSec: number;
  bytes: number;
  /** Cypher UNWIND batches of 10 000 on `cypherSlice` records, for comparison. */
  cypher: { records: number; recordsPerSec: number };
}

export function writeSocialCsv(dir: string, size: DatasetSize): { nodes: string; rels: string } {
  const rand = prng(42);
  const people: string[] = ['personId:ID(Person),name,email,age:int,city'];
  for (let k = 0; k < size.nodes; k++) {
    people.push(`p${k},person-${k},p${k}@example.com,${18 + (k % 60)},${CITIES[k % CITIES.length]}`);
  }
  const knows: string[] = [':START_ID(Person),:END_ID(Person),since:int'];
  for (let i = 0; i < size.relationships; i++) {
    const a = Math.floor(rand() * size.nodes);
    const b = Math.floor(rand() * size.nodes);
    knows.push(`p${a},p${b},${2000 + (i % 25)}`);
  }
  const nodes = join(dir, 'people.csv');
  const rels = join(dir, 'knows.csv');
  writeFileSync(nodes, `${people.join('\n')}\n`);
  writeFileSync(rels, `${knows.join('\n')}\n`);
  return { nodes, rels };
}

async function cypherLoad(size: DatasetSize): Promise<{ records: number; recordsPerSec: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'nexus-bench-cypher-'));
  const db = await Nexus.open({ path: dir, sync: true });
  try {
    const rand = prng(7);
    const batch = 10_000;
    const t0 = performance.now();
    for (let done = 0; done < size.nodes; done += batch) {
      const rows = [];
      for (let k = done; k < Math.min(size.nodes, done + batch); k++)
        rows.push(
          new Map<string, bigint | string>([
            ['id', BigInt(k)],
            ['name', `person-${k}`],
          ]),
        );
      await db.execute('UNWIND $rows AS r CREATE (:Person {id: r.id, name: r.name})', { rows });
    }
    await db.execute('CREATE INDEX FOR (p:Person) ON (p.id)');
    for (let done = 0; done < size.relationships; done += batch) {
      const rows = [];
      for (let i = done; i < Math.min(size.relationships, done + batch); i++)
        rows.push(
          new Map<string, bigint>([
            ['a', BigInt(Math.floor(rand() * size.nodes))],
            ['b', BigInt(Math.floor(rand() * size.nodes))],
          ]),
        );
      await db.execute(
        'UNWIND $rows AS r MATCH (a:Person {id: r.a}), (b:Person {id: r.b}) CREATE (a)-[:KNOWS]->(b)',
        { rows },
      );
    }
    const records = size.nodes + size.relationships;
    return { records, recordsPerSec: records / ((performance.now() - t0) / 1000) };
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runImportBench(
  size: DatasetSize,
  cypherSlice: DatasetSize,
): Promise<ImportBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'nexus-bench-import-'));
  try {
    const files = writeSocialCsv(dir, size);
    const store = await GraphStore.open({ path: join(dir, 'data'), sync: true });
    let summary;
    try {
      summary = await runImport(store.bulkLoader('default'), {
        nodes: [{ names: ['Person'], files: [files.nodes] }],
        relationships: [{ names: ['KNOWS'], files: [files.rels] }],
      });
    } finally {
      await store.close();
    }
    const records = summary.nodes + summary.relationships;
    return {
      nodes: summary.nodes,
      relationships: summary.relationships,
      seconds: summary.seconds,
      recordsPerSec: records / summary.seconds,
      bytes: summary.bytes,
      cypher: await cypherLoad(cypherSlice),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('import.ts')) {
  const r = await runImportBench(
    { nodes: 100_000, relationships: 1_000_000 },
    { nodes: 10_000, relationships: 50_000 },
  );
  console.log(JSON.stringify(r, null, 2));
}
