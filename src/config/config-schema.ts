/**
 * The server's options schema (zod): every key, its type, bounds and default. The loader
 * (load-config.ts) merges YAML, environment and CLI flags into one object, validates it
 * against this schema and freezes it; nothing else in the process reads raw settings.
 */
import { z } from 'zod';

const port = z.number().int().min(0).max(65535);
const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
/** null = unlimited, as in the control plane's quota documents. */
const quota = nonNegativeInt.nullable();

/** One trusted proxy: an IPv4/IPv6 address or CIDR, or a proxy-addr range name. */
const PROXY_ADDRESS = /^(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?)$/;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const configSchema = z
  .object({
    server: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: port.default(15474),
        /**
         * Native binary RPC listener (upstream Nexus SDKs' default transport): a port, 0 = a
         * free port (printed on start), null/false = off. Same host as HTTP.
         */
        rpc_port: z
          .union([port, z.null(), z.literal(false)])
          .transform((v) => (v === false ? null : v))
          .default(15475),
        body_limit_bytes: positiveInt.default(10 * 1024 * 1024),
        request_timeout_ms: nonNegativeInt.default(60_000),
        shutdown_timeout_ms: nonNegativeInt.default(10_000),
        /** Bolt listener (Neo4j drivers): a port (0 = a free one), or false/null = off. */
        bolt_port: z.union([port, z.literal(false), z.null()]).default(7687),
        /** Bolt over TLS: PEM certificate and key files (both), or null = plain TCP. */
        bolt_tls: z
          .object({ cert_file: z.string().min(1), key_file: z.string().min(1) })
          .strict()
          .nullable()
          .default(null),
        /** Largest Bolt message accepted (refused from its chunk headers, before buffering). */
        bolt_max_message_bytes: positiveInt.default(64 * 1024 * 1024),
        /**
         * Fastify's trustProxy: false (default: X-Forwarded-For is ignored), true (trust every
         * hop), a hop count, or the proxies' addresses / CIDRs (list, or comma-separated).
         */
        trust_proxy: z
          .union([
            z.boolean(),
            nonNegativeInt,
            z.string().refine((v) => v.split(',').every((part) => PROXY_ADDRESS.test(part.trim())), {
              message: 'expected true/false, a hop count, or IP addresses / CIDRs',
            }),
            z.array(z.string().regex(PROXY_ADDRESS)).min(1),
          ])
          .default(false),
      })
      .strict()
      .prefault({}),
    rpc: z
      .object({
        /** Largest accepted RPC frame body; a larger length prefix closes the connection before allocating. */
        max_frame_bytes: positiveInt.default(64 * 1024 * 1024),
        /** Requests one RPC connection may have in flight; reading pauses beyond it. */
        max_in_flight_per_conn: positiveInt.default(1024),
      })
      .strict()
      .prefault({}),
    storage: z
      .object({
        data_dir: z.string().min(1).default('./data'),
        sync: z.boolean().default(true),
        /** Hard ceiling of the store's bytes (STORAGE_FULL beyond); null = stored bytes + half the free disk at start. */
        max_size_bytes: positiveInt.nullable().default(null),
      })
      .strict()
      .prefault({}),
    query: z
      .object({
        timeout_ms: nonNegativeInt.default(30_000),
        /**
         * Timeout of statements that write (0 = none). A write runs to its end without
         * yielding, so it holds every other request for as long as it runs. null: 5000 in
         * cluster mode (one tenant's write must not stall the others for long), else timeout_ms.
         */
        write_timeout_ms: nonNegativeInt.nullable().default(null),
        max_intermediate_rows: positiveInt.default(1_000_000),
        /** Per-query memory budget (estimated bytes of lists, strings and held rows); 0 = none. */
        max_memory_bytes: nonNegativeInt.default(256 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
    transactions: z
      .object({
        /** An explicit transaction without a statement for this long is rolled back (ms; 0 = never). */
        idle_timeout_ms: nonNegativeInt.default(60_000),
        /** Open explicit transactions one API key (or tenant) may hold at once. */
        max_open_per_user: positiveInt.default(32),
      })
      .strict()
      .prefault({}),
    auth: z
      .object({
        /** Unset: on unless the server binds a loopback address (resolved by the loader). */
        enabled: z.boolean().optional(),
        root_api_key: z.string().min(16).nullable().default(null),
        root_api_key_file: z.string().min(1).nullable().default(null),
        failed_attempts_per_minute: positiveInt.default(10),
        /** Active (not revoked) API keys one user_id may hold; null = unlimited. */
        max_keys_per_user: quota.default(100),
      })
      .strict()
      .prefault({}),
    log: z
      .object({
        level: z.enum(LOG_LEVELS).default('info'),
      })
      .strict()
      .prefault({}),
    cluster: z
      .object({
        enabled: z.boolean().default(false),
        instance_id: z.string().min(1).default('nexus-1'),
        quota_cache_ttl_seconds: nonNegativeInt.default(60),
        stale_quota_grace_seconds: nonNegativeInt.default(300),
        unknown_tenant_policy: z.enum(['fail_closed', 'fail_open']).default('fail_closed'),
        default_quotas: z
          .object({
            storage_bytes: quota.default(104_857_600),
            requests_per_minute: quota.default(60),
            requests_per_hour: quota.default(1000),
          })
          .strict()
          .prefault({}),
        /** Statements one tenant may run at once over all protocols (0 = no limit). */
        max_concurrent_queries_per_tenant: nonNegativeInt.default(4),
        usage_report_interval_seconds: positiveInt.default(60),
        usage_flush_interval_ms: nonNegativeInt.default(1000),
        hivehub: z
          .object({
            base_url: z.url().nullable().default(null),
            service_api_key: z.string().min(1).nullable().default(null),
            timeout_ms: positiveInt.default(5_000),
            retries: nonNegativeInt.default(3),
            retry_delay_ms: nonNegativeInt.default(200),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** The schema's output before the loader resolves derived values. */
export type ParsedConfig = z.infer<typeof configSchema>;

/** The validated, resolved options: `auth.enabled` is always decided. */
export type NexusConfig = Readonly<
  Omit<ParsedConfig, 'auth'> & {
    auth: Readonly<Omit<ParsedConfig['auth'], 'enabled'> & { enabled: boolean }>;
  }
>;

/** In cluster mode, a write holds every tenant's requests: keep it short unless configured. */
const CLUSTER_WRITE_TIMEOUT_MS = 5_000;

/** `query.write_timeout_ms` with its default resolved (see the schema). */
export function effectiveWriteTimeoutMs(config: NexusConfig): number {
  return (
    config.query.write_timeout_ms ??
    (config.cluster.enabled ? CLUSTER_WRITE_TIMEOUT_MS : config.query.timeout_ms)
  );
}
