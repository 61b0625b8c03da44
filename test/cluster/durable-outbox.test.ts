/**
 * The usage outbox on the real LMDB system table: reports written while HiveHub is down
 * survive closing the store and are delivered by the next process with their original ids.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneUnavailableError } from '../../src/cluster/control-plane-errors.js';
import type { UsageReport, UsageResponse } from '../../src/cluster/hivehub-schemas.js';
import { UsageTracker } from '../../src/cluster/usage-tracker.js';
import { GraphStore } from '../../src/storage/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nexus-outbox-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('usage outbox on LMDB', () => {
  it('keeps undelivered reports across a restart', async () => {
    const down = {
      updateUsage: async (): Promise<UsageResponse> => {
        throw new ControlPlaneUnavailableError('connection', 'down', 5);
      },
    };
    let store = await GraphStore.open({ path: dir });
    const first = new UsageTracker({
      client: down,
      outbox: store.systemTable<UsageReport>('usage_outbox'),
      instanceId: 'nexus-1',
      intervalSeconds: 60,
      storageBytesOf: () => 321,
    });
    first.record('alice', { requests: 4, writeQueries: 1 });
    await first.stop();
    const pendingIds = [...store.systemTable<UsageReport>('usage_outbox').entries()].map(
      ([, r]) => r.report_id,
    );
    expect(pendingIds).toHaveLength(1);
    await store.close();

    store = await GraphStore.open({ path: dir });
    const received: UsageReport[] = [];
    const up = {
      updateUsage: async (r: UsageReport): Promise<UsageResponse> => {
        received.push(r);
        return { accepted: true, report_id: r.report_id, duplicate: false };
      },
    };
    const outbox = store.systemTable<UsageReport>('usage_outbox');
    const second = new UsageTracker({
      client: up,
      outbox,
      instanceId: 'nexus-1',
      intervalSeconds: 60,
      storageBytesOf: () => 0,
    });
    await second.start();
    await second.stop();
    expect(received.map((r) => r.report_id)).toEqual(pendingIds);
    expect(received[0]?.users[0]).toMatchObject({
      user_id: 'alice',
      requests: 4,
      write_queries: 1,
      storage_bytes: 321,
    });
    expect([...outbox.entries()]).toEqual([]);
    await store.close();
  });
});
