/**
 * Synthetic social graph for the benchmarks: `Person` nodes (name, email, age, city) and
 * `KNOWS` relationships between random people, loaded in large write transactions
 * through a namespace handle — the same path the server's bulk ingest takes.
 */
import type { NamespaceHandle } from '../src/storage/index.js';

export interface DatasetSize {
  nodes: number;
  relationships: number;
}

export interface IngestMeasurement {
  nodes: number;
  relationships: number;
  nodesPerSec: number;
  relationshipsPerSec: number;
}

export const CITIES = [
  'Lisbon',
  'Berlin',
  'Paris',
  'Rome',
  'Oslo',
  'Vienna',
  'Prague',
  'Dublin',
  'Madrid',
  'Athens',
];

/** Deterministic PRNG (mulberry32) so every run builds the same graph. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function loadSocialGraph(
  handle: NamespaceHandle,
  size: DatasetSize,
  batch = 20_000,
): Promise<IngestMeasurement> {
  const rand = prng(42);
  const t0 = performance.now();
  let firstId = -1;
  for (let done = 0; done < size.nodes; done += batch) {
    const n = Math.min(batch, size.nodes - done);
    await handle.write((tx) => {
      for (let i = 0; i < n; i++) {
        const k = done + i;
        const id = tx.createNode(
          ['Person'],
          new Map<string, string | bigint>([
            ['name', `person-${k}`],
            ['email', `p${k}@example.com`],
            ['age', BigInt(18 + (k % 60))],
            ['city', CITIES[k % CITIES.length]!],
          ]),
        );
        if (firstId < 0) firstId = id;
      }
    });
  }
  const t1 = performance.now();
  for (let done = 0; done < size.relationships; done += batch) {
    const n = Math.min(batch, size.relationships - done);
    await handle.write((tx) => {
      for (let i = 0; i < n; i++) {
        const a = firstId + Math.floor(rand() * size.nodes);
        const b = firstId + Math.floor(rand() * size.nodes);
        tx.createRelationship('KNOWS', a, b, new Map([['since', BigInt(2000 + ((done + i) % 25))]]));
      }
    });
  }
  const t2 = performance.now();
  return {
    nodes: size.nodes,
    relationships: size.relationships,
    nodesPerSec: size.nodes / ((t1 - t0) / 1000),
    relationshipsPerSec: size.relationships / ((t2 - t1) / 1000),
  };
}
