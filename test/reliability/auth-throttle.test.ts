/**
 * The failed-authentication throttle punishes failures, never a valid key: 10,000 bad keys
 * from one address (all requests here come from 127.0.0.1), and a valid key from the same
 * address still gets 200 on every request — also the root key. Against a real server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { ROOT_KEY, createKey, errorCode, type CreatedKey } from '../e2e/helpers/cluster-harness.js';

let server: ServerProcess;
let tenant: CreatedKey;

beforeAll(async () => {
  server = await startServerProcess({
    env: { NEXUS_ROOT_API_KEY: ROOT_KEY, NEXUS_AUTH_ENABLED: 'true' },
  });
  tenant = await createKey(server.url, { permissions: ['READ'] });
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

async function status(key: string): Promise<{ status: number; code: string | undefined }> {
  const res = await fetch(`${server.url}/stats`, { headers: { authorization: `Bearer ${key}` } });
  const text = await res.text();
  return { status: res.status, code: errorCode(text === '' ? undefined : JSON.parse(text)) };
}

describe('auth throttle (failures only)', () => {
  it('10,000 bad keys from one address: a valid key from the same address gets 200 on every request', async () => {
    const BAD = 10_000;
    const BATCH = 50;
    const badCodes = new Map<string, number>();
    const validStatuses: number[] = [];
    for (let sent = 0; sent < BAD; sent += BATCH) {
      const batch = Array.from({ length: BATCH }, (_, i) => {
        const guess = `nx_${String(sent + i).padStart(43, 'G')}`;
        return status(guess);
      });
      // Interleaved with the flood: the tenant key and the root key.
      batch.push(status(tenant.secret), status(ROOT_KEY));
      const results = await Promise.all(batch);
      for (const r of results.slice(0, BATCH))
        badCodes.set(r.code ?? '', (badCodes.get(r.code ?? '') ?? 0) + 1);
      validStatuses.push(...results.slice(BATCH).map((r) => r.status));
    }
    expect(validStatuses).toHaveLength((2 * BAD) / BATCH);
    expect(validStatuses.every((s) => s === 200)).toBe(true);
    // The flood itself is throttled: after the first few, failures are 429.
    expect(badCodes.get('TOO_MANY_AUTH_FAILURES') ?? 0).toBeGreaterThan(BAD - 100);
    expect([...badCodes.keys()].sort()).toEqual(['INVALID_TOKEN', 'TOO_MANY_AUTH_FAILURES']);
  }, 120_000);
});
