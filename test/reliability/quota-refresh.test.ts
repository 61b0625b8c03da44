/**
 * Stale-while-revalidate quotas against real processes: when a tenant's cached quota
 * expires while HiveHub is slow, the tenant's next requests are answered from the cached
 * answer at once (one background refresh runs), instead of waiting for HiveHub.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../helpers/server-process.js';
import {
  createKey,
  rows,
  sleep,
  startClusterServer,
  startEmulatorProcess,
  type CreatedKey,
  type EmulatorProcess,
} from '../e2e/helpers/cluster-harness.js';

let emulator: EmulatorProcess;
let server: ServerProcess;
let carol: CreatedKey;

beforeAll(async () => {
  emulator = await startEmulatorProcess({ users: [{ user_id: 'carol', cache_ttl_seconds: 1 }] });
  server = await startClusterServer(emulator.url, { hivehub: { timeout_ms: 5000, retries: 0 } });
  carol = await createKey(server.url, { user_id: 'carol', permissions: ['READ', 'WRITE'] });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await emulator?.stop();
});

describe('quota stale-while-revalidate', () => {
  it('an expired cached quota is served at once while HiveHub answers slowly', async () => {
    expect(await rows(server.url, carol.secret, 'RETURN 1')).toEqual([[1]]);
    // HiveHub now takes 3 s per call.
    await emulator.control('/__emulator/faults', 'POST', { delay_ms: 3000, count: 20 });
    // Not synchronization: the 1 s cache lifetime has to pass for the answer to expire.
    await sleep(1200);
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = Date.now();
      expect(await rows(server.url, carol.secret, 'RETURN 1')).toEqual([[1]]);
      latencies.push(Date.now() - started);
    }
    // Each request is far below HiveHub's 3 s: none waited on it.
    expect(Math.max(...latencies)).toBeLessThan(2000);
  }, 60_000);
});
