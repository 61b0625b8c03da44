/**
 * Streaming over Bolt: a 100k-row result reaches the official driver through PULL n in
 * bounded steps. The request core's cursor is observed (a proxy around the real core): no
 * pull asks for more than the driver's fetch size, and when the first record reaches the
 * client the cursor has handed out only a couple of batches — the result is not built and
 * buffered whole before the first record goes out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import neo4j from 'neo4j-driver';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBoltServer, type BoltServer } from '../../src/bolt/index.js';
import type { QueryCursor } from '../../src/engine/api.js';
import { Nexus } from '../../src/engine/nexus.js';
import type { NexusDatabase } from '../../src/engine/api.js';
import { NexusRequestCore } from '../../src/service/index.js';
import type { RequestCore } from '../../src/service/types.js';

const ROWS = 100_000;
const FETCH = 1000;
let dir: string;
let db: NexusDatabase;
let bolt: BoltServer;
const observed = { pulls: [] as number[], rowsOut: 0, done: false };

function observe(cursor: QueryCursor): QueryCursor {
  return {
    columns: cursor.columns,
    isWrite: cursor.isWrite,
    async pull(n) {
      observed.pulls.push(n);
      const batch = await cursor.pull(n);
      observed.rowsOut += batch.rows.length;
      if (batch.done) observed.done = true;
      return batch;
    },
    close: () => cursor.close(),
    summary: () => cursor.summary(),
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nexus-bolt-stream-'));
  db = await Nexus.open({ path: join(dir, 'db'), sync: false });
  const core = new NexusRequestCore({
    db,
    auth: null,
    clusterGate: null,
    limits: { queryTimeoutMs: 60_000 },
  });
  const observing = new Proxy(core, {
    get(target, prop) {
      if (prop === 'stream') {
        return async (...args: Parameters<RequestCore['stream']>) => observe(await target.stream(...args));
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  bolt = await startBoltServer({ core: observing, host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await bolt?.close();
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('streams 100k rows in pulls of at most the fetch size, the first record before the result is complete', async () => {
  const driver = neo4j.driver(bolt.url, neo4j.auth.bearer('unused'), { fetchSize: FETCH });
  try {
    const session = driver.session();
    let received = 0;
    let rowsOutAtFirstRecord = -1;
    let doneAtFirstRecord = true;
    let sum = 0;
    await new Promise<void>((resolve, reject) => {
      session.run('UNWIND range(1, $n) AS i RETURN i', { n: neo4j.int(ROWS) }).subscribe({
        onNext(record) {
          if (received === 0) {
            rowsOutAtFirstRecord = observed.rowsOut;
            doneAtFirstRecord = observed.done;
          }
          received++;
          sum += (record.get('i') as { toNumber(): number }).toNumber();
        },
        onCompleted: () => resolve(),
        onError: reject,
      });
    });
    await session.close();
    expect(received).toBe(ROWS);
    expect(sum).toBe((ROWS * (ROWS + 1)) / 2);
    expect(Math.max(...observed.pulls)).toBeLessThanOrEqual(FETCH);
    expect(observed.pulls.length).toBeGreaterThanOrEqual(ROWS / FETCH);
    expect(doneAtFirstRecord).toBe(false);
    expect(rowsOutAtFirstRecord).toBeLessThanOrEqual(2 * FETCH);
  } finally {
    await driver.close();
  }
}, 120_000);
