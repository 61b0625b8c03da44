/**
 * Per-tenant quotas from HiveHub, cached so that a request of a tenant with a cached quota
 * never waits on the control plane (stale-while-revalidate): shortly before an answer
 * expires (its last fifth, at most 10 s) a request triggers a background refresh and is
 * served the cached answer; an expired answer keeps being served, while a background
 * refresh runs, for `stale_quota_grace_seconds`. Refreshes and misses are coalesced per
 * tenant (one HiveHub call in flight). Past the grace period (HiveHub down all along), the
 * configured unknown-tenant policy decides (fail closed, or default quotas).
 */
import { LRUCache } from 'lru-cache';
import { NexusError } from '../errors.js';
import { silentLogger, systemClock } from './cluster-logger.js';
import type { Clock, ClusterLogger } from './cluster-logger.js';
import type { ClusterConfig } from './config.js';
import {
  ControlPlaneAuthError,
  ControlPlaneProtocolError,
  ControlPlaneUnavailableError,
} from './control-plane-errors.js';
import type { HiveHubClient } from './hivehub-client.js';
import type { UserStatus } from './hivehub-schemas.js';
import type { TenantQuotas } from './types.js';

/** Where an answer came from: a live or cached HiveHub answer, an expired one inside the grace period, or the fail-open defaults. */
export type QuotaSource = 'hivehub' | 'stale' | 'default';

export interface TenantRecord {
  readonly userId: string;
  readonly status: UserStatus;
  readonly plan: string;
  readonly databaseId: string | null;
  readonly quotas: TenantQuotas;
  /** Storage HiveHub last knew of (as of the last usage report it accepted). */
  readonly storageBytesUsed: number | null;
  readonly source: QuotaSource;
  /** When the answer stops being fresh (epoch ms). */
  readonly expiresAt: number;
}

/**
 * `refreshAt`: from then on a hit also starts a background refresh. `staleUntil`: until
 * then an expired answer is served while it refreshes (the expiry itself when HiveHub's
 * hint was 0 s, "do not cache": such a tenant is asked on every request).
 */
type CacheEntry =
  | { kind: 'tenant'; record: TenantRecord; refreshAt: number; staleUntil: number }
  | { kind: 'unknown'; expiresAt: number };

/** Refresh ahead during the last fifth of an answer's lifetime, at most this long. */
const MAX_REFRESH_AHEAD_MS = 10_000;

export type QuotaServiceConfig = Pick<
  ClusterConfig,
  'quota_cache_ttl_seconds' | 'stale_quota_grace_seconds' | 'unknown_tenant_policy' | 'default_quotas'
>;

export interface QuotaServiceOptions {
  client: Pick<HiveHubClient, 'getUserDatabase'>;
  config: QuotaServiceConfig;
  clock?: Clock;
  logger?: ClusterLogger;
  /** Tenants kept in the cache (least recently used are dropped). Default 10 000. */
  maxEntries?: number;
  /** How long a "no such tenant" answer is cached. Default min(quota_cache_ttl_seconds, 10). */
  negativeTtlSeconds?: number;
}

export interface QuotaCacheStats {
  readonly hits: number;
  readonly misses: number;
  /** Expired answers served (inside the grace period) while a refresh ran or HiveHub was unreachable. */
  readonly staleServed: number;
  /** Answers made from default quotas under `fail_open`. */
  readonly defaultsServed: number;
  /** Background refreshes started (near expiry, or inside the grace period). */
  readonly refreshes: number;
  /** hits / (hits + misses); 0 before the first lookup. */
  readonly hitRate: number;
  readonly size: number;
}

function isControlPlaneFailure(err: unknown): boolean {
  return (
    err instanceof ControlPlaneUnavailableError ||
    err instanceof ControlPlaneAuthError ||
    err instanceof ControlPlaneProtocolError
  );
}

export class QuotaService {
  private readonly cache: LRUCache<string, CacheEntry>;
  private readonly inflight = new Map<string, Promise<CacheEntry>>();
  /** Background refreshes in flight (one per tenant). */
  private readonly refreshing = new Map<string, Promise<void>>();
  private readonly client: Pick<HiveHubClient, 'getUserDatabase'>;
  private readonly config: QuotaServiceConfig;
  private readonly clock: Clock;
  private readonly logger: ClusterLogger;
  private readonly negativeTtlMs: number;
  private hits = 0;
  private misses = 0;
  private staleServed = 0;
  private defaultsServed = 0;
  private refreshes = 0;

  constructor(options: QuotaServiceOptions) {
    this.client = options.client;
    this.config = options.config;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.cache = new LRUCache({ max: options.maxEntries ?? 10_000 });
    this.negativeTtlMs =
      (options.negativeTtlSeconds ?? Math.min(options.config.quota_cache_ttl_seconds, 10)) * 1000;
  }

  /**
   * The tenant's quotas. Throws TENANT_SUSPENDED, TENANT_NOT_FOUND, or
   * CONTROL_PLANE_UNAVAILABLE (details.retryAfterSeconds) under `fail_closed`.
   */
  async resolve(userId: string): Promise<TenantRecord> {
    const fresh = this.resolveCached(userId);
    if (fresh !== undefined) return fresh;
    this.misses += 1;
    let pending = this.inflight.get(userId);
    if (pending === undefined) {
      pending = this.fetch(userId).finally(() => this.inflight.delete(userId));
      this.inflight.set(userId, pending);
    }
    return answer(await pending);
  }

  /**
   * The cached answer, synchronously (counted as a hit), or undefined when HiveHub must be
   * asked (nothing cached, a cached "unknown" expired, or past the grace period). A fresh
   * answer near its expiry, or an expired one inside the grace period, is served while a
   * background refresh runs. Throws like `resolve` for a cached suspended or unknown tenant.
   * Lets the request path skip a promise per request while the cache is warm.
   */
  resolveCached(userId: string): TenantRecord | undefined {
    const entry = this.cache.get(userId);
    if (entry === undefined) return undefined;
    const now = this.clock.now();
    const expiry = expiryOf(entry);
    if (now < expiry) {
      if (entry.kind === 'tenant' && now >= entry.refreshAt) this.refreshInBackground(userId);
      this.hits += 1;
      return answer(entry);
    }
    if (entry.kind === 'tenant' && now < entry.staleUntil) {
      this.refreshInBackground(userId);
      this.hits += 1;
      this.staleServed += 1;
      return answer({ ...entry, record: { ...entry.record, source: 'stale' } });
    }
    return undefined;
  }

  /** Starts one refresh of the tenant's answer unless one is already in flight. */
  private refreshInBackground(userId: string): void {
    if (this.refreshing.has(userId)) return;
    this.refreshes += 1;
    const done = this.load(userId).then(
      () => undefined,
      (err: unknown) => {
        // The cached answer stays; past the grace period a request asks in the foreground.
        this.logger.warn(
          { component: 'quota', error: err instanceof Error ? err.message : String(err) },
          'background quota refresh failed; serving the cached quota',
        );
      },
    );
    this.refreshing.set(
      userId,
      done.finally(() => this.refreshing.delete(userId)),
    );
  }

  /** Settles when the tenant's background refresh (if any) has; for tests and shutdown. */
  async settled(userId: string): Promise<void> {
    await this.refreshing.get(userId);
  }

  /** The cached answer, fresh or not, without calling HiveHub. */
  peek(userId: string): TenantRecord | undefined {
    const entry = this.cache.peek(userId);
    return entry?.kind === 'tenant' ? entry.record : undefined;
  }

  /** Forgets a tenant so the next lookup asks HiveHub (e.g. after a plan change notice). */
  invalidate(userId: string): void {
    this.cache.delete(userId);
  }

  stats(): QuotaCacheStats {
    const lookups = this.hits + this.misses;
    return {
      hits: this.hits,
      misses: this.misses,
      staleServed: this.staleServed,
      defaultsServed: this.defaultsServed,
      refreshes: this.refreshes,
      hitRate: lookups === 0 ? 0 : this.hits / lookups,
      size: this.cache.size,
    };
  }

  private async fetch(userId: string): Promise<CacheEntry> {
    try {
      return await this.load(userId);
    } catch (err) {
      if (!isControlPlaneFailure(err)) throw err;
      return this.fallback(userId, err as NexusError);
    }
  }

  /** Asks HiveHub and caches the answer (a tenant, or "unknown"); throws its other failures. */
  private async load(userId: string): Promise<CacheEntry> {
    try {
      const db = await this.client.getUserDatabase(userId);
      const ttlSeconds = Math.min(this.config.quota_cache_ttl_seconds, db.cache_ttl_seconds);
      const now = this.clock.now();
      const expiresAt = now + ttlSeconds * 1000;
      const entry: CacheEntry = {
        kind: 'tenant',
        refreshAt: expiresAt - Math.min(ttlSeconds * 200, MAX_REFRESH_AHEAD_MS),
        staleUntil: ttlSeconds > 0 ? expiresAt + this.config.stale_quota_grace_seconds * 1000 : expiresAt,
        record: {
          userId,
          status: db.status,
          plan: db.plan,
          databaseId: db.database_id,
          quotas: {
            storageBytes: db.quotas.storage_bytes,
            requestsPerMinute: db.quotas.requests_per_minute,
            requestsPerHour: db.quotas.requests_per_hour,
          },
          storageBytesUsed: db.usage.storage_bytes,
          source: 'hivehub',
          expiresAt,
        },
      };
      this.cache.set(userId, entry);
      return entry;
    } catch (err) {
      if (err instanceof NexusError && err.code === 'TENANT_NOT_FOUND') {
        const entry: CacheEntry = { kind: 'unknown', expiresAt: this.clock.now() + this.negativeTtlMs };
        this.cache.set(userId, entry);
        return entry;
      }
      throw err;
    }
  }

  /** HiveHub could not answer: serve a recently expired answer, else apply the policy. */
  private fallback(userId: string, err: NexusError): CacheEntry {
    const now = this.clock.now();
    const cached = this.cache.peek(userId);
    if (cached !== undefined && now < expiryOf(cached) + this.config.stale_quota_grace_seconds * 1000) {
      this.staleServed += 1;
      this.logger.warn(
        { component: 'quota', error: err.message },
        'HiveHub unavailable; serving a cached quota',
      );
      return cached.kind === 'tenant' ? { ...cached, record: { ...cached.record, source: 'stale' } } : cached;
    }
    if (this.config.unknown_tenant_policy === 'fail_open') {
      this.defaultsServed += 1;
      this.logger.warn(
        { component: 'quota', error: err.message },
        'HiveHub unavailable; applying default quotas (fail_open)',
      );
      const defaults = this.config.default_quotas;
      return {
        kind: 'tenant',
        refreshAt: now,
        staleUntil: now,
        record: {
          userId,
          status: 'active',
          plan: 'default',
          databaseId: null,
          quotas: {
            storageBytes: defaults.storage_bytes,
            requestsPerMinute: defaults.requests_per_minute,
            requestsPerHour: defaults.requests_per_hour,
          },
          storageBytesUsed: null,
          source: 'default',
          expiresAt: now,
        },
      };
    }
    const retryAfterSeconds = err instanceof ControlPlaneUnavailableError ? err.retryAfterSeconds : 30;
    throw new NexusError(
      'CONTROL_PLANE_UNAVAILABLE',
      'the control plane is unavailable and no quota is cached for this tenant',
      {
        details: { retryAfterSeconds },
      },
    );
  }
}

function expiryOf(entry: CacheEntry): number {
  return entry.kind === 'tenant' ? entry.record.expiresAt : entry.expiresAt;
}

function answer(entry: CacheEntry): TenantRecord {
  if (entry.kind === 'unknown')
    throw new NexusError('TENANT_NOT_FOUND', 'the tenant is unknown to the control plane');
  if (entry.record.status === 'suspended')
    throw new NexusError('TENANT_SUSPENDED', 'the tenant is suspended');
  return entry.record;
}
