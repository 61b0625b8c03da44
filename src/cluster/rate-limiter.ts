/**
 * Per-tenant request budgets per minute and per hour (fixed windows aligned to the clock's
 * minute and hour). Check and consume happen in one synchronous step, so on one instance N
 * concurrent requests against a remaining budget L admit exactly min(N, L).
 */
import { NexusError } from '../errors.js';
import { systemClock } from './cluster-logger.js';
import type { Clock } from './cluster-logger.js';
import type { TenantQuotas } from './types.js';

export type RateWindowName = 'minute' | 'hour';

export interface RateWindowState {
  readonly name: RateWindowName;
  readonly limit: number;
  readonly remaining: number;
  /** Whole seconds until this window resets (1..window length). */
  readonly resetSeconds: number;
}

export interface RateDecision {
  /** Only the limited windows; empty when the tenant is unlimited in both. */
  readonly windows: readonly RateWindowState[];
  readonly headers: Record<string, string>;
}

export interface RateLimiterOptions {
  clock?: Clock;
  /** Above this many tracked tenants, tenants idle for a whole hour are dropped. Default 10 000. */
  sweepThreshold?: number;
}

interface Counters {
  minuteStart: number;
  minuteCount: number;
  hourStart: number;
  hourCount: number;
}

const WINDOWS: readonly { name: RateWindowName; ms: number; quota: keyof TenantQuotas }[] = [
  { name: 'minute', ms: 60_000, quota: 'requestsPerMinute' },
  { name: 'hour', ms: 3_600_000, quota: 'requestsPerHour' },
];

export class RateLimiter {
  private readonly clock: Clock;
  private readonly sweepThreshold: number;
  private readonly counters = new Map<string, Counters>();
  private lastSweepHour = -1;

  constructor(options: RateLimiterOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.sweepThreshold = options.sweepThreshold ?? 10_000;
  }

  /**
   * Consumes one request or throws RATE_LIMIT_EXCEEDED with details
   * `{retry_after_seconds, retryAfterSeconds, headers}`. Must stay synchronous: exactness
   * depends on no other request running between the check and the increment.
   */
  consume(userId: string, quotas: TenantQuotas): RateDecision {
    const now = this.clock.now();
    const counters = this.current(userId, now);
    const before = this.windowsOf(counters, quotas, now);
    const spent = before.filter((w) => w.remaining <= 0);
    if (spent.length > 0) {
      const retryAfter = Math.max(...spent.map((w) => w.resetSeconds));
      const headers = { ...headersFor(before), 'Retry-After': String(retryAfter) };
      throw new NexusError(
        'RATE_LIMIT_EXCEEDED',
        `rate limit exceeded (${spent.map((w) => w.name).join(', ')})`,
        {
          details: { retry_after_seconds: retryAfter, retryAfterSeconds: retryAfter, headers },
        },
      );
    }
    counters.minuteCount += 1;
    counters.hourCount += 1;
    const windows = this.windowsOf(counters, quotas, now);
    return { windows, headers: headersFor(windows) };
  }

  /** The tenant's budget without consuming any. */
  peek(userId: string, quotas: TenantQuotas): RateDecision {
    const now = this.clock.now();
    const windows = this.windowsOf(this.current(userId, now), quotas, now);
    return { windows, headers: headersFor(windows) };
  }

  get trackedTenants(): number {
    return this.counters.size;
  }

  private current(userId: string, now: number): Counters {
    const minuteStart = now - (now % 60_000);
    const hourStart = now - (now % 3_600_000);
    let counters = this.counters.get(userId);
    if (counters === undefined) {
      // At most one sweep per hour: a sweep is O(tenants), so never once per new tenant.
      if (this.counters.size >= this.sweepThreshold && this.lastSweepHour !== hourStart)
        this.sweep(hourStart);
      counters = { minuteStart, minuteCount: 0, hourStart, hourCount: 0 };
      this.counters.set(userId, counters);
    }
    if (counters.minuteStart !== minuteStart) {
      counters.minuteStart = minuteStart;
      counters.minuteCount = 0;
    }
    if (counters.hourStart !== hourStart) {
      counters.hourStart = hourStart;
      counters.hourCount = 0;
    }
    return counters;
  }

  /** Drops tenants whose counters belong to a past hour: they would be reset anyway. */
  private sweep(hourStart: number): void {
    this.lastSweepHour = hourStart;
    for (const [userId, counters] of this.counters) {
      if (counters.hourStart !== hourStart) this.counters.delete(userId);
    }
  }

  private windowsOf(counters: Counters, quotas: TenantQuotas, now: number): RateWindowState[] {
    const windows: RateWindowState[] = [];
    for (const window of WINDOWS) {
      const limit = quotas[window.quota];
      if (limit === null) continue;
      const start = window.name === 'minute' ? counters.minuteStart : counters.hourStart;
      const count = window.name === 'minute' ? counters.minuteCount : counters.hourCount;
      windows.push({
        name: window.name,
        limit,
        remaining: Math.max(0, limit - count),
        resetSeconds: Math.ceil((start + window.ms - now) / 1000),
      });
    }
    return windows;
  }
}

/**
 * X-RateLimit-* describe the binding window (least remaining; on a tie the one that resets
 * later); RateLimit-Policy / RateLimit (IETF httpapi draft) list every limited window.
 */
export function headersFor(windows: readonly RateWindowState[]): Record<string, string> {
  if (windows.length === 0) return {};
  let binding = windows[0] as RateWindowState;
  for (const w of windows) {
    if (
      w.remaining < binding.remaining ||
      (w.remaining === binding.remaining && w.resetSeconds > binding.resetSeconds)
    ) {
      binding = w;
    }
  }
  return {
    'X-RateLimit-Limit': String(binding.limit),
    'X-RateLimit-Remaining': String(binding.remaining),
    'X-RateLimit-Reset': String(binding.resetSeconds),
    'RateLimit-Policy': windows
      .map((w) => `"${w.name}";q=${w.limit};w=${w.name === 'minute' ? 60 : 3600}`)
      .join(', '),
    RateLimit: windows.map((w) => `"${w.name}";r=${w.remaining};t=${w.resetSeconds}`).join(', '),
  };
}
