/**
 * Time limits over the real wire: the separate write timeout (a write cannot yield, so it is
 * bounded more tightly than a read), and a read stopped when its client goes away instead of
 * running to its timeout for nobody.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

const WRITE_TIMEOUT_MS = 200;
let server: ServerProcess;

beforeAll(async () => {
  server = await startServerProcess({
    config: { query: { timeout_ms: 20_000, write_timeout_ms: WRITE_TIMEOUT_MS } },
  });
  expect((await cypher('UNWIND range(1, 25) AS i CREATE (:N {i: i})')).status).toBe(200);
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

async function cypher(
  query: string,
  signal?: AbortSignal,
): Promise<{ status: number; code: string | undefined; ms: number }> {
  const started = Date.now();
  const res = await fetch(`${server.url}/cypher`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
    ...(signal ? { signal } : {}),
  });
  const body = (await res.json()) as { error?: { code?: string } };
  return { status: res.status, code: body.error?.code, ms: Date.now() - started };
}

async function errorCount(code: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const m = new RegExp(`nexus_errors_total\\{code="${code}"\\} (\\d+)`).exec(text);
  return m ? Number(m[1]) : 0;
}

// About 1.2 s of work on this machine: longer than the write timeout, shorter than the query timeout.
const LONG = 'UNWIND range(1, 10000000) AS x WITH x WHERE x < 0';

describe('query time limits over HTTP', () => {
  it('stops a long write at query.write_timeout_ms and writes nothing; a read of the same length completes', async () => {
    const write = await cypher(`${LONG} CREATE (:Done)`);
    expect(write).toMatchObject({ status: 408, code: 'QUERY_TIMEOUT' });
    expect(write.ms).toBeLessThan(5_000);
    const read = await cypher(`${LONG} RETURN count(*) AS c`);
    expect(read.status).toBe(200);
    expect(read.ms).toBeGreaterThan(WRITE_TIMEOUT_MS);
    const done = await fetch(`${server.url}/cypher`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'MATCH (d:Done) RETURN count(d) AS c' }),
    });
    expect(((await done.json()) as { rows: unknown[][] }).rows).toEqual([[0]]);
  });

  it('stops a read whose client disconnected (QUERY_CANCELLED), long before its timeout', async () => {
    const before = await errorCount('QUERY_CANCELLED');
    const controller = new AbortController();
    // 25^5 ≈ 9.8 M rows: seconds of work, under the 20 s timeout.
    const abandoned = cypher(
      'MATCH (a:N), (b:N), (c:N), (d:N), (e:N) RETURN count(*) AS c',
      controller.signal,
    );
    setTimeout(() => controller.abort(), 150);
    await expect(abandoned).rejects.toThrow();
    const deadline = Date.now() + 3_000;
    while ((await errorCount('QUERY_CANCELLED')) === before && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await errorCount('QUERY_CANCELLED')).toBe(before + 1);
    expect((await cypher('RETURN 1 AS one')).status).toBe(200);
  });
});
