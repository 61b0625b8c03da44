/**
 * A full store is a clear and recoverable state: on a small `storage.max_size_bytes`, writes
 * that grow the store fail with 507 STORAGE_FULL (naming the setting and the sizes) and
 * write nothing, reads and deletes keep working, /health says degraded and /metrics shows
 * it, and after a delete the server accepts writes again without a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { call, errorCode, rows } from '../e2e/helpers/cluster-harness.js';

const KEY = 'reliability-root-key-0123456789abcdef';
const MAX = 200_000;
let server: ServerProcess;

beforeAll(async () => {
  server = await startServerProcess({
    env: { NEXUS_ROOT_API_KEY: KEY, NEXUS_AUTH_ENABLED: 'true', NEXUS_STORAGE_MAX_SIZE_BYTES: String(MAX) },
  });
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

const blob = 'x'.repeat(4000);

async function health(): Promise<{ status: string; reasons?: string[]; storage?: { full: boolean } }> {
  return (await call(server.url, 'GET', '/health', { key: KEY })).body as {
    status: string;
    reasons?: string[];
    storage?: { full: boolean };
  };
}

async function metric(name: string): Promise<number> {
  const text = (await call(server.url, 'GET', '/metrics', { key: KEY })).text;
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
}

describe('storage ceiling', () => {
  it('refuses growth with 507 STORAGE_FULL, keeps reads and deletes, and recovers after a delete', async () => {
    expect((await health()).status).toBe('ok');
    expect(await metric('nexus_storage_full')).toBe(0);
    expect(await metric('nexus_storage_max_bytes')).toBe(MAX);

    // Fill the store, one node per request, until the ceiling answers.
    let refused: { status: number; body: unknown; text: string } | undefined;
    for (let i = 0; i < 200 && refused === undefined; i++) {
      const res = await call(server.url, 'POST', '/cypher', {
        key: KEY,
        body: { query: 'CREATE (:Blob {i: $i, s: $s})', params: { i, s: blob } },
      });
      if (res.status !== 200) refused = res;
    }
    expect(refused, 'the ceiling was never reached').toBeDefined();
    expect(refused!.status).toBe(507);
    expect(errorCode(refused!.body)).toBe('STORAGE_FULL');
    expect(refused!.text).toContain('storage.max_size_bytes');
    expect(refused!.text).toContain(String(MAX));
    const stored = (await rows(server.url, KEY, 'MATCH (n:Blob) RETURN count(n)'))[0]![0] as number;
    expect(stored).toBeGreaterThan(10);

    // The refused write wrote nothing; a multi-node write is all-or-nothing.
    const big = await call(server.url, 'POST', '/cypher', {
      key: KEY,
      body: { query: 'UNWIND range(1, 20) AS i CREATE (:Big {s: $s})', params: { s: blob } },
    });
    expect(big.status).toBe(507);
    expect(await rows(server.url, KEY, 'MATCH (n:Big) RETURN count(n)')).toEqual([[0]]);
    expect(await rows(server.url, KEY, 'MATCH (n:Blob) RETURN count(n)')).toEqual([[stored]]);

    // Degraded, with the reason; the gauge says so.
    const h = await health();
    expect(h.status).toBe('degraded');
    expect(h.storage?.full).toBe(true);
    expect(h.reasons?.join(' ')).toContain('storage.max_size_bytes');
    expect(await metric('nexus_storage_full')).toBe(1);

    // Shrinking writes succeed: a property set to a shorter value, then deletes.
    expect(
      (
        await call(server.url, 'POST', '/cypher', {
          key: KEY,
          body: { query: "MATCH (n:Blob) WHERE n.i = 0 SET n.s = 'short'" },
        })
      ).status,
    ).toBe(200);
    const del = await call(server.url, 'POST', '/cypher', {
      key: KEY,
      body: { query: 'MATCH (n:Blob) WHERE n.i % 2 = 1 DELETE n' },
    });
    expect(del.status).toBe(200);

    // Recovered without a restart.
    expect((await health()).status).toBe('ok');
    expect(await metric('nexus_storage_full')).toBe(0);
    const again = await call(server.url, 'POST', '/cypher', {
      key: KEY,
      body: { query: 'CREATE (:Blob {i: -1, s: $s})', params: { s: blob } },
    });
    expect(again.status).toBe(200);
  }, 60_000);

  it('refuses growth through the REST data routes too', async () => {
    let last = 0;
    for (let i = 0; i < 200; i++) {
      const res = await call(server.url, 'POST', '/data/nodes', {
        key: KEY,
        body: { labels: ['Rest'], properties: { s: blob } },
      });
      last = res.status;
      if (res.status !== 201 && res.status !== 200) {
        expect(res.status).toBe(507);
        expect(errorCode(res.body)).toBe('STORAGE_FULL');
        break;
      }
    }
    expect(last).toBe(507);
  }, 60_000);
});
