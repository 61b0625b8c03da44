/**
 * Usage of the open reporting interval survives a hard kill (KNOWN_BUGS #1, fixed): the
 * counters are persisted every `usage_flush_interval_ms`, so after N requests, a wait
 * longer than that, a SIGKILL and a restart on the same data dir, HiveHub (the emulator,
 * a separate process) counts exactly N — once, under report ids never seen before.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, type ServerProcess } from '../helpers/server-process.js';
import {
  createKey,
  cypher,
  sleep,
  startClusterServer,
  startEmulatorProcess,
  type EmulatorProcess,
} from './helpers/cluster-harness.js';

const FLUSH_MS = 200;
/** An interval that never closes during the test: only the persisted counters can carry usage. */
const CONFIG = {
  cluster: {
    usage_report_interval_seconds: 3600,
    usage_flush_interval_ms: FLUSH_MS,
    instance_id: 'nexus-e2e-durable',
  },
  hivehub: { timeout_ms: 500, retries: 0 },
};

interface EmulatorUsage {
  reports: { report_id: string; users: { user_id: string; requests: number; write_queries: number }[] }[];
  duplicates: number;
  totals: Record<
    string,
    { requests: number; read_queries: number; write_queries: number; nodes_created: number }
  >;
}

let emulator: EmulatorProcess;
let server: ServerProcess | undefined;
let dataDir: string;

beforeAll(async () => {
  emulator = await startEmulatorProcess({ users: [{ user_id: 'durable', plan: 'big' }] });
  dataDir = makeTempDir('nexus-e2e-durable-');
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await emulator?.stop();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

describe('usage durability across SIGKILL', () => {
  it('reports exactly the requests made before each kill, once', async () => {
    server = await startClusterServer(emulator.url, CONFIG, { dataDir });
    const key = await createKey(server.url, { user_id: 'durable', permissions: ['WRITE'] });
    const usage = async () => (await emulator.control('/__emulator/usage')) as EmulatorUsage;

    const made = { requests: 0, reads: 0, writes: 0, nodes: 0 };
    const run = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const write = i % 3 === 0;
        const res = await cypher(
          server!.url,
          key.secret,
          write ? 'CREATE (:D {i: $i})' : 'MATCH (n:D) RETURN count(n)',
          {
            i,
          },
        );
        expect(res.status, res.text).toBe(200);
        made.requests += 1;
        if (write) {
          made.writes += 1;
          made.nodes += 1;
        } else made.reads += 1;
      }
    };
    const kill = async () => {
      await sleep(FLUSH_MS * 3); // longer than the flush interval: the counters are on disk
      const exit = await server!.stop({ signal: 'SIGKILL', keepData: true });
      expect(exit.signal).toBe('SIGKILL');
      server = await startClusterServer(emulator.url, CONFIG, { dataDir });
    };

    await run(7);
    await kill();
    // Nothing was sent yet: the interval never closed.
    expect((await usage()).totals.durable).toBeUndefined();
    // The restarted process carries the folded counters and keeps counting on top.
    await run(5);
    await kill();
    await run(4);
    await sleep(FLUSH_MS * 3);
    // A graceful stop closes the interval and delivers it.
    const exit = await server.stop({ keepData: true });
    expect(exit.signal).toBeNull();
    server = undefined;

    const got = await usage();
    expect(got.totals.durable).toMatchObject({
      requests: made.requests,
      read_queries: made.reads,
      write_queries: made.writes,
      nodes_created: made.nodes,
    });
    expect(made.requests).toBe(16);
    // No report was counted twice and every report id is new.
    expect(got.duplicates).toBe(0);
    const ids = got.reports.map((r) => r.report_id);
    expect(new Set(ids).size).toBe(ids.length);
    const summed = got.reports
      .flatMap((r) => r.users.filter((x) => x.user_id === 'durable'))
      .reduce((n, x) => n + x.requests, 0);
    expect(summed).toBe(made.requests);
  }, 120_000);
});
