/**
 * The `ClusterGate` the server calls on every authenticated request in cluster mode:
 * tenant quotas (cached, from HiveHub), the rate limit, import quota checks, usage
 * accounting and the control-plane status shown on /health and /metrics.
 */
import { NexusError } from '../errors.js';
import type { SystemTable } from '../storage/types.js';
import { describeError, silentLogger, systemClock } from './cluster-logger.js';
import type { Clock, ClusterLogger } from './cluster-logger.js';
import { CLUSTER_CONFIG_DEFAULTS } from './config.js';
import type { ClusterConfig } from './config.js';
import {
  ControlPlaneAuthError,
  ControlPlaneProtocolError,
  ControlPlaneUnavailableError,
} from './control-plane-errors.js';
import { HiveHubClient } from './hivehub-client.js';
import type { FetchLike, HiveHubClientOptions } from './hivehub-client.js';
import type { UsageReport } from './hivehub-schemas.js';
import { assertValidUserId } from './namespace.js';
import { QuotaService } from './quota-service.js';
import type { TenantRecord } from './quota-service.js';
import { RateLimiter } from './rate-limiter.js';
import type { Admission, ClusterGate, ControlPlaneStatus, TenantQuotas, UsageEvent } from './types.js';
import { UsageTracker } from './usage-tracker.js';
import type { StorageBytesOf, TenantsWithData } from './usage-tracker.js';

/** A user id no tenant has: the startup probe expects 404 (key valid) or 401 (key wrong). */
export const STARTUP_PROBE_USER_ID = 'nexus-startup-probe';

export interface ClusterGateDeps {
  config: ClusterConfig;
  storageBytesOf: StorageBytesOf;
  /** Tenants whose storage is reported every interval, active or not (see UsageTracker). */
  tenantsWithData?: TenantsWithData;
  /** Durable usage outbox; required unless `usageTracker` is given. */
  outbox?: SystemTable<UsageReport>;
  client?: HiveHubClient;
  quotaService?: QuotaService;
  rateLimiter?: RateLimiter;
  usageTracker?: UsageTracker;
  logger?: ClusterLogger;
  clock?: Clock;
  /** Transport for the default client (tests). */
  fetch?: FetchLike;
  /** Extra settings for the default client (breaker threshold, jitter source...). */
  clientOptions?: Partial<HiveHubClientOptions>;
}

export interface ClusterGateStatus extends ControlPlaneStatus {
  readonly authFailed: boolean;
  readonly lastSuccessAt: string | null;
  readonly quotaCacheSize: number;
  readonly staleQuotasServed: number;
  readonly lastUsageDeliveryAt: string | null;
  readonly usageLastError: string | null;
}

export interface ClusterGateImpl extends ClusterGate {
  admitCached(userId: string): Admission | undefined;
  readonly client: HiveHubClient;
  readonly quotaService: QuotaService;
  readonly rateLimiter: RateLimiter;
  readonly usageTracker: UsageTracker;
  status(): ClusterGateStatus;
}

/** Operator access without a known quota: nothing may grow, all else is allowed. */
const NO_STORAGE: TenantQuotas = Object.freeze({
  storageBytes: 0,
  requestsPerMinute: null,
  requestsPerHour: null,
});

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function createClusterGate(deps: ClusterGateDeps): ClusterGateImpl {
  const { config, storageBytesOf } = deps;
  const logger = deps.logger ?? silentLogger;
  const clock = deps.clock ?? systemClock;
  const client =
    deps.client ??
    new HiveHubClient({
      baseUrl: config.hivehub.base_url,
      serviceApiKey: config.hivehub.service_api_key,
      timeoutMs: config.hivehub.timeout_ms,
      retries: config.hivehub.retries,
      retryDelayMs: config.hivehub.retry_delay_ms,
      fetch: deps.fetch,
      clock,
      logger,
      ...deps.clientOptions,
    });
  const quotaService = deps.quotaService ?? new QuotaService({ client, config, clock, logger });
  const rateLimiter = deps.rateLimiter ?? new RateLimiter({ clock });
  let usageTracker = deps.usageTracker;
  if (usageTracker === undefined) {
    if (deps.outbox === undefined) {
      throw new NexusError(
        'INVALID_PARAMETER',
        'createClusterGate needs an outbox SystemTable or a UsageTracker',
      );
    }
    usageTracker = new UsageTracker({
      client,
      outbox: deps.outbox,
      instanceId: config.instance_id,
      intervalSeconds: config.usage_report_interval_seconds,
      flushIntervalMs: config.usage_flush_interval_ms ?? CLUSTER_CONFIG_DEFAULTS.usage_flush_interval_ms,
      storageBytesOf,
      ...(deps.tenantsWithData === undefined ? {} : { tenantsWithData: deps.tenantsWithData }),
      clock,
      logger,
    });
  }
  const tracker = usageTracker;

  async function checkImportLocally(userId: string, estimatedBytes: number): Promise<void> {
    const tenant = await quotaService.resolve(userId);
    const limit = tenant.quotas.storageBytes;
    if (limit === null) return;
    const used = await storageBytesOf(userId);
    if (used + estimatedBytes > limit) {
      throw new NexusError('STORAGE_QUOTA_EXCEEDED', 'the import would exceed the storage quota', {
        details: { storage_bytes_limit: limit, storage_bytes_used: used, estimated_bytes: estimatedBytes },
      });
    }
  }

  return {
    client,
    quotaService,
    rateLimiter,
    usageTracker: tracker,

    async admit(userId: string): Promise<Admission> {
      assertValidUserId(userId);
      const tenant = await quotaService.resolve(userId);
      // Synchronous from here: the rate limiter's exactness relies on it.
      const { headers } = rateLimiter.consume(userId, tenant.quotas);
      return { headers, quotas: tenant.quotas };
    },

    admitCached(userId: string): Admission | undefined {
      assertValidUserId(userId);
      const tenant = quotaService.resolveCached(userId);
      if (tenant === undefined) return undefined;
      const { headers } = rateLimiter.consume(userId, tenant.quotas);
      return { headers, quotas: tenant.quotas };
    },

    quotasFor(userId: string): TenantQuotas | Promise<TenantQuotas> {
      assertValidUserId(userId);
      const unlessSuspended = (err: unknown): TenantQuotas => {
        if (err instanceof NexusError) {
          // A suspended tenant's answer is cached like any other: its quotas still bind the operator.
          const record = quotaService.peek(userId);
          if (err.code === 'TENANT_SUSPENDED' && record !== undefined) return record.quotas;
          // Unknown to HiveHub (e.g. deleted), or HiveHub down with nothing cached: no storage
          // to grant, but an operator can still read and delete (repair during an outage).
          if (err.code === 'TENANT_NOT_FOUND' || err.code === 'CONTROL_PLANE_UNAVAILABLE') return NO_STORAGE;
        }
        throw err;
      };
      let cached: TenantRecord | undefined;
      try {
        cached = quotaService.resolveCached(userId);
      } catch (err) {
        return unlessSuspended(err);
      }
      if (cached !== undefined) return cached.quotas;
      return quotaService.resolve(userId).then((tenant) => tenant.quotas, unlessSuspended);
    },

    async checkImport(userId: string, estimatedBytes: number): Promise<void> {
      assertValidUserId(userId);
      if (!Number.isSafeInteger(estimatedBytes) || estimatedBytes < 0) {
        throw new NexusError('INVALID_PARAMETER', 'estimated import size must be a non-negative integer');
      }
      let answer;
      try {
        answer = await client.checkQuota({
          user_id: userId,
          operation: 'import',
          estimated_bytes: estimatedBytes,
        });
      } catch (err) {
        if (!(
          err instanceof ControlPlaneUnavailableError ||
          err instanceof ControlPlaneAuthError ||
          err instanceof ControlPlaneProtocolError
        ))
          throw err;
        // HiveHub cannot give a usable answer (down, or an answer that breaks the contract):
        // a control-plane fault is not the tenant's, so judge with the quota we hold (stale
        // grace and policy apply) rather than answer 500.
        logger.warn(
          { component: 'cluster', error: err.message },
          'quota check unavailable; checking import locally',
        );
        await checkImportLocally(userId, estimatedBytes);
        return;
      }
      if (!answer.allowed) {
        throw new NexusError(
          'STORAGE_QUOTA_EXCEEDED',
          answer.reason ?? 'the import would exceed the storage quota',
          {
            details: {
              storage_bytes_limit: answer.storage_bytes_limit,
              storage_bytes_used: answer.storage_bytes_used,
              storage_bytes_remaining: answer.storage_bytes_remaining,
              estimated_bytes: estimatedBytes,
            },
          },
        );
      }
    },

    recordUsage(userId: string, event: UsageEvent): void {
      tracker.record(userId, event);
    },

    async usageOf(userId: string): Promise<Record<string, unknown>> {
      assertValidUserId(userId);
      const tenant: TenantRecord = await quotaService.resolve(userId);
      const rate = rateLimiter.peek(userId, tenant.quotas);
      const window = (name: string) => {
        const w = rate.windows.find((x) => x.name === name);
        return w === undefined
          ? null
          : { limit: w.limit, remaining: w.remaining, reset_seconds: w.resetSeconds };
      };
      const { period_start, ...counters } = tracker.current(userId);
      return {
        user_id: userId,
        plan: tenant.plan,
        status: tenant.status,
        database_id: tenant.databaseId,
        quota_source: tenant.source,
        quotas: {
          storage_bytes: tenant.quotas.storageBytes,
          requests_per_minute: tenant.quotas.requestsPerMinute,
          requests_per_hour: tenant.quotas.requestsPerHour,
        },
        storage_bytes: await storageBytesOf(userId),
        rate_limit: { minute: window('minute'), hour: window('hour') },
        current_period: { period_start, ...counters },
      };
    },

    status(): ClusterGateStatus {
      const health = client.health();
      const cache = quotaService.stats();
      const usage = tracker.stats();
      return {
        // Contract: a rejected service key must be surfaced loudly (health, metrics), and no
        // call can succeed with it, so the control plane counts as unreachable.
        reachable: health.reachable && !health.authFailed,
        lastError: health.lastError,
        breakerState: health.breakerState,
        cacheHitRate: cache.hitRate,
        outboxDepth: usage.outboxDepth,
        reportsSent: usage.reportsSent,
        reportsFailed: usage.reportsFailed,
        authFailed: health.authFailed,
        lastSuccessAt: iso(health.lastSuccessAt),
        quotaCacheSize: cache.size,
        staleQuotasServed: cache.staleServed,
        lastUsageDeliveryAt: iso(usage.lastDeliveredAt),
        usageLastError: usage.lastError,
      };
    },

    async start(): Promise<void> {
      let reachable = true;
      try {
        await client.getUserDatabase(STARTUP_PROBE_USER_ID);
      } catch (err) {
        if (err instanceof ControlPlaneAuthError) {
          logger.error({ component: 'cluster', error: err.message }, 'HiveHub rejected the service API key');
          throw err;
        }
        if (!(err instanceof NexusError && err.code === 'TENANT_NOT_FOUND')) {
          reachable = false;
          logger.warn(
            { component: 'cluster', error: describeError(err) },
            'HiveHub is unreachable at startup; serving cached/default quotas per policy and retrying in the background',
          );
        }
      }
      const pending = tracker.start().catch((err: unknown) => {
        logger.error({ component: 'cluster', error: describeError(err) }, 'cannot re-send the usage outbox');
      });
      // With HiveHub down, re-sending the outbox would only delay startup; the timer retries.
      if (reachable) await pending;
      logger.info(
        { component: 'cluster', reachable, outboxDepth: tracker.outboxDepth() },
        'cluster mode started',
      );
    },

    async stop(): Promise<void> {
      await tracker.stop();
    },
  };
}
