/** The services work with only their required options (system clock, silent logger, UUID ids). */
import { describe, expect, it } from 'vitest';
import { CLUSTER_CONFIG_DEFAULTS } from '../../src/cluster/config.js';
import { QuotaService } from '../../src/cluster/quota-service.js';
import { RateLimiter } from '../../src/cluster/rate-limiter.js';
import { UsageTracker } from '../../src/cluster/usage-tracker.js';
import type { UsageReport, UserDatabase } from '../../src/cluster/hivehub-schemas.js';
import { MemorySystemTable, userDatabase } from './fakes.js';

describe('service defaults', () => {
  it('QuotaService caches with the system clock', async () => {
    let calls = 0;
    const service = new QuotaService({
      client: {
        getUserDatabase: async (u: string) => {
          calls += 1;
          return userDatabase(u) as UserDatabase;
        },
      },
      config: { ...CLUSTER_CONFIG_DEFAULTS, default_quotas: { ...CLUSTER_CONFIG_DEFAULTS.default_quotas } },
    });
    await service.resolve('a');
    await service.resolve('a');
    expect(calls).toBe(1);
  });

  it('RateLimiter counts with the system clock', () => {
    const limiter = new RateLimiter();
    const q = { storageBytes: null, requestsPerMinute: 100_000, requestsPerHour: null };
    limiter.consume('a', q);
    expect(limiter.consume('a', q).windows[0]?.remaining).toBe(99_998);
  });

  it('UsageTracker gives reports UUID ids', async () => {
    const sent: UsageReport[] = [];
    const tracker = new UsageTracker({
      client: {
        updateUsage: async (r: UsageReport) => {
          sent.push(r);
          return { accepted: true, report_id: r.report_id, duplicate: false };
        },
      },
      outbox: new MemorySystemTable<UsageReport>(),
      instanceId: 'i',
      intervalSeconds: CLUSTER_CONFIG_DEFAULTS.usage_report_interval_seconds,
      storageBytesOf: async () => 7,
    });
    tracker.record('a', { requests: 1 });
    await tracker.flush();
    expect(sent[0]?.report_id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(sent[0]?.users[0]?.storage_bytes).toBe(7);
  });
});
