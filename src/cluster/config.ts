/**
 * The `cluster:` section of the server configuration, as the server hands it to cluster
 * mode after validating it (snake_case keys, exactly as written in YAML).
 */

export type UnknownTenantPolicy = 'fail_closed' | 'fail_open';

export interface ClusterDefaultQuotas {
  /** `null` = unlimited. */
  storage_bytes: number | null;
  requests_per_minute: number | null;
  requests_per_hour: number | null;
}

export interface HiveHubConfig {
  base_url: string;
  service_api_key: string;
  timeout_ms: number;
  /** Retries after the first attempt for transient failures (5xx, 429, timeouts, connection errors). */
  retries: number;
  /** Base of the exponential backoff between retries. */
  retry_delay_ms: number;
}

export interface ClusterConfig {
  enabled: boolean;
  instance_id: string;
  /** Upper bound on how long a HiveHub quota answer is cached (HiveHub's own hint may be lower). */
  quota_cache_ttl_seconds: number;
  /** How long an expired cached quota may still be served while HiveHub is unreachable. */
  stale_quota_grace_seconds: number;
  /** What to do with a tenant we know nothing about while HiveHub is unreachable. */
  unknown_tenant_policy: UnknownTenantPolicy;
  /** Quotas applied under `fail_open` to tenants HiveHub could not tell us about. */
  default_quotas: ClusterDefaultQuotas;
  usage_report_interval_seconds: number;
  /**
   * How often the open interval's usage counters are persisted (ms): the most a hard kill
   * can lose. 0 = only at the end of each interval. Default 1000.
   */
  usage_flush_interval_ms?: number;
  hivehub: HiveHubConfig;
}

/** Sensible values for every key but the deployment-specific ones. */
export const CLUSTER_CONFIG_DEFAULTS = {
  quota_cache_ttl_seconds: 60,
  stale_quota_grace_seconds: 300,
  unknown_tenant_policy: 'fail_closed',
  default_quotas: { storage_bytes: 104_857_600, requests_per_minute: 60, requests_per_hour: 1000 },
  usage_report_interval_seconds: 60,
  usage_flush_interval_ms: 1000,
  hivehub: { timeout_ms: 5000, retries: 3, retry_delay_ms: 200 },
} as const satisfies Omit<ClusterConfig, 'enabled' | 'instance_id' | 'hivehub'> & {
  hivehub: Omit<HiveHubConfig, 'base_url' | 'service_api_key'>;
};
