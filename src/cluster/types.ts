/**
 * The contract between cluster mode and the server: the server calls a `ClusterGate`
 * for every authenticated request in cluster mode and reports what each request did.
 */

/** `null` means unlimited for that dimension. */
export interface TenantQuotas {
  readonly storageBytes: number | null;
  readonly requestsPerMinute: number | null;
  readonly requestsPerHour: number | null;
}

export interface Admission {
  /** Rate-limit headers to put on the response (X-RateLimit-*, RateLimit-Policy, RateLimit). */
  readonly headers: Record<string, string>;
  readonly quotas: TenantQuotas;
}

/** Deltas one request contributes to a tenant's usage report. */
export interface UsageEvent {
  requests?: number;
  readQueries?: number;
  writeQueries?: number;
  nodesCreated?: number;
  nodesDeleted?: number;
  relationshipsCreated?: number;
  relationshipsDeleted?: number;
}

export interface ControlPlaneStatus {
  readonly reachable: boolean;
  readonly lastError: string | null;
  readonly breakerState: 'closed' | 'open' | 'half-open' | 'isolated';
  readonly cacheHitRate: number;
  readonly outboxDepth: number;
  readonly reportsSent: number;
  readonly reportsFailed: number;
}

export interface ClusterGate {
  /**
   * Resolves the tenant's quotas (cached), refuses suspended / unknown tenants and
   * applies the rate limit, consuming one request. Throws `NexusError` with code
   * TENANT_SUSPENDED, TENANT_NOT_FOUND, CONTROL_PLANE_UNAVAILABLE (details.retryAfterSeconds)
   * or RATE_LIMIT_EXCEEDED (details.retryAfterSeconds and details.headers).
   */
  admit(userId: string): Promise<Admission>;
  /**
   * `admit` without a promise when the tenant's quotas are freshly cached (the common
   * case); undefined when the control plane must be asked, and the caller then uses
   * `admit`. Same refusals and the same single rate-limit consumption as `admit`.
   */
  admitCached?(userId: string): Admission | undefined;
  /**
   * The tenant's quotas for operator access (a SUPER key with X-Nexus-Tenant): resolved
   * like `admit` (cached, coalesced) but consuming no rate budget, and also for a
   * suspended tenant (an operator may repair it). A tenant HiveHub does not know, or any
   * tenant while HiveHub is unreachable and nothing is cached (under `fail_closed`), gets a
   * storage quota of 0: reads and deletes only. Synchronous when freshly cached.
   */
  quotasFor(userId: string): TenantQuotas | Promise<TenantQuotas>;
  /** Before a bulk import: asks the control plane; throws STORAGE_QUOTA_EXCEEDED if refused. */
  checkImport(userId: string, estimatedBytes: number): Promise<void>;
  /** Adds a request's deltas to the tenant's counters for the current report interval. */
  recordUsage(userId: string, event: UsageEvent): void;
  /** The tenant's own usage, quotas and rate-limit state (GET /cluster/usage). */
  usageOf(userId: string): Promise<Record<string, unknown>>;
  status(): ControlPlaneStatus;
  start(): Promise<void>;
  /** Flushes pending usage into the durable outbox and stops timers. */
  stop(): Promise<void>;
}
