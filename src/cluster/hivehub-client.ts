/**
 * HTTP client for the HiveHub control plane (contract v1). Every call goes through one
 * cockatiel pipeline — retry (exponential backoff with jitter, honouring Retry-After) around
 * a shared circuit breaker around a per-attempt timeout — and every answer is validated
 * with zod and mapped to a typed error. The service key lives in a private field and is
 * scrubbed from any text that could end up in a log or an error.
 */
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
} from 'cockatiel';
import type { IRetryBackoffContext } from 'cockatiel';
import type { z } from 'zod';
import { NexusError } from '../errors.js';
import { assertValidUserId } from './namespace.js';
import {
  ControlPlaneAuthError,
  ControlPlaneProtocolError,
  ControlPlaneUnavailableError,
} from './control-plane-errors.js';
import type { UnavailableReason } from './control-plane-errors.js';
import { describeError, silentLogger, systemClock } from './cluster-logger.js';
import type { Clock, ClusterLogger } from './cluster-logger.js';
import {
  errorBodySchema,
  quotaCheckRequestSchema,
  quotaCheckResponseSchema,
  usageReportSchema,
  usageResponseSchema,
  userDatabaseSchema,
  userInfoSchema,
} from './hivehub-schemas.js';
import type {
  QuotaCheckRequest,
  QuotaCheckResponse,
  UsageReport,
  UsageResponse,
  UserDatabase,
  UserInfo,
} from './hivehub-schemas.js';

/** The part of a fetch `Response` the client reads. */
export interface HttpResponseLike {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export interface HttpRequestInit {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

/** A `fetch`-compatible transport; the global `fetch` satisfies it. */
export type FetchLike = (url: string, init: HttpRequestInit) => Promise<HttpResponseLike>;

export interface HiveHubClientOptions {
  baseUrl: string;
  serviceApiKey: string;
  /** Per attempt. Default 5000. */
  timeoutMs?: number;
  /** Retries after the first attempt for transient failures. Default 3. */
  retries?: number;
  /** Base delay of the exponential backoff. Default 200. */
  retryDelayMs?: number;
  /** Cap on one backoff delay. Default 10 000. */
  maxRetryDelayMs?: number;
  /** A 429 whose Retry-After exceeds this is not waited for: the call fails at once. Default 10 000. */
  maxRetryAfterMs?: number;
  /** Consecutive transient failures that open the breaker. Default 5. */
  breakerThreshold?: number;
  /** How long the open breaker fails fast before letting a probe through. Default 10 000. */
  breakerHalfOpenAfterMs?: number;
  fetch?: FetchLike;
  clock?: Clock;
  /** Uniform in [0, 1): the jitter source. */
  random?: () => number;
  logger?: ClusterLogger;
}

export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

export interface HiveHubHealth {
  /** False once a call failed transiently (or the breaker is open) until a call gets an answer. */
  readonly reachable: boolean;
  /** True while the last answer was 401: the service key is wrong or revoked. */
  readonly authFailed: boolean;
  readonly lastError: string | null;
  readonly lastErrorAt: number | null;
  readonly lastSuccessAt: number | null;
  readonly breakerState: BreakerState;
}

/** A failure worth retrying; never leaves the client (mapped to ControlPlaneUnavailableError). */
class TransientFailure extends Error {
  constructor(
    readonly reason: UnavailableReason,
    message: string,
    readonly status: number | null = null,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'TransientFailure';
  }
}

const DEFAULT_RETRY_AFTER_SECONDS = 5;
const BREAKER_STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

function isTransient(err: unknown): boolean {
  return err instanceof TransientFailure || err instanceof TaskCancelledError;
}

export class HiveHubClient {
  readonly #serviceApiKey: string;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly halfOpenAfterMs: number;
  readonly #fetch: FetchLike;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly logger: ClusterLogger;
  private readonly breaker;
  private readonly pipeline;
  private reachable = true;
  private authFailed = false;
  private lastError: string | null = null;
  private lastErrorAt: number | null = null;
  private lastSuccessAt: number | null = null;
  /** Epoch ms before which HiveHub asked (429 Retry-After) this instance to send nothing. */
  private throttledUntil = 0;

  constructor(options: HiveHubClientOptions) {
    if (options.serviceApiKey.length === 0) {
      throw new NexusError('INVALID_PARAMETER', 'cluster.hivehub.service_api_key must not be empty');
    }
    this.#serviceApiKey = options.serviceApiKey;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.retryDelayMs = options.retryDelayMs ?? 200;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 10_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 10_000;
    this.halfOpenAfterMs = options.breakerHalfOpenAfterMs ?? 10_000;
    this.#fetch = options.fetch ?? (globalThis.fetch as FetchLike);
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? silentLogger;

    this.breaker = circuitBreaker(handleWhen(isTransient), {
      halfOpenAfter: this.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.breakerThreshold ?? 5),
    });
    // A Retry-After longer than we are willing to hold a request for ends the call now.
    const retryable = handleWhen(
      (err) =>
        isTransient(err) &&
        !(
          err instanceof TransientFailure &&
          err.retryAfterMs !== null &&
          err.retryAfterMs > this.maxRetryAfterMs
        ),
    );
    const retryPolicy = retry(retryable, {
      maxAttempts: options.retries ?? 3,
      backoff: new DelegateBackoff((ctx: IRetryBackoffContext<unknown>) => this.backoffDelay(ctx)),
    });
    retryPolicy.onRetry((event) => {
      // No result filter is configured, so every retry is caused by a thrown error.
      const error = this.describe((event as { error: unknown }).error);
      this.logger.warn(
        { component: 'hivehub', attempt: event.attempt, delayMs: event.delay, error },
        'HiveHub call failed, retrying',
      );
    });
    this.pipeline = wrap(retryPolicy, this.breaker, timeout(this.timeoutMs, TimeoutStrategy.Aggressive));
  }

  /** Quotas and database info: `GET /api/v1/nexus/users/{user_id}/database`. */
  async getUserDatabase(userId: string): Promise<UserDatabase> {
    assertValidUserId(userId);
    return this.call(
      'GET',
      `/api/v1/nexus/users/${encodeURIComponent(userId)}/database`,
      undefined,
      userDatabaseSchema,
    );
  }

  /** User metadata: `GET /api/v1/users/{user_id}`. */
  async getUserInfo(userId: string): Promise<UserInfo> {
    assertValidUserId(userId);
    return this.call('GET', `/api/v1/users/${encodeURIComponent(userId)}`, undefined, userInfoSchema);
  }

  /** `POST /api/v1/nexus/quota/check`. */
  async checkQuota(request: QuotaCheckRequest): Promise<QuotaCheckResponse> {
    const body = quotaCheckRequestSchema.safeParse(request);
    if (!body.success) throw new NexusError('INVALID_PARAMETER', 'invalid quota check request');
    return this.call('POST', '/api/v1/nexus/quota/check', body.data, quotaCheckResponseSchema);
  }

  /** `POST /api/v1/nexus/usage`. Retries keep the report's `report_id`, so HiveHub counts it once. */
  async updateUsage(report: UsageReport): Promise<UsageResponse> {
    const body = usageReportSchema.safeParse(report);
    if (!body.success) throw new NexusError('INVALID_PARAMETER', 'invalid usage report');
    return this.call('POST', '/api/v1/nexus/usage', body.data, usageResponseSchema);
  }

  health(): HiveHubHealth {
    const breakerState = BREAKER_STATES[this.breaker.state];
    return {
      reachable: this.reachable && breakerState !== 'open',
      authFailed: this.authFailed,
      lastError: this.lastError,
      lastErrorAt: this.lastErrorAt,
      lastSuccessAt: this.lastSuccessAt,
      breakerState,
    };
  }

  /** Replaces the key everywhere it might appear in text from outside (bodies, transport errors). */
  private redact(text: string): string {
    return text.split(this.#serviceApiKey).join('[REDACTED]');
  }

  private describe(err: unknown): string {
    return this.redact(describeError(err));
  }

  private backoffDelay(ctx: IRetryBackoffContext<unknown>): number {
    const err = (ctx.result as { error: unknown }).error;
    if (err instanceof TransientFailure && err.retryAfterMs !== null) return err.retryAfterMs;
    const base = Math.min(this.maxRetryDelayMs, this.retryDelayMs * 2 ** (ctx.attempt - 1));
    // "Equal jitter": at least half the exponential step, so a herd of retries spreads out
    // without any retry coming back immediately.
    return Math.round(base / 2 + (this.random() * base) / 2);
  }

  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    schema: z.ZodType<T>,
  ): Promise<T> {
    // A 429 throttles this whole Nexus instance, not one call: every call holds off until
    // Retry-After has passed, or fails at once if that is longer than we wait for.
    const wait = this.throttledUntil - this.clock.now();
    if (wait > this.maxRetryAfterMs) {
      const err = new ControlPlaneUnavailableError(
        'throttled',
        `HiveHub throttled this instance (429); calls resume in ${Math.ceil(wait / 1000)} s`,
        Math.ceil(wait / 1000),
        429,
      );
      this.lastError = err.message;
      this.lastErrorAt = this.clock.now();
      throw err;
    }
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    try {
      const result = await this.pipeline.execute(({ signal }) =>
        this.attempt(method, path, body, schema, signal),
      );
      this.reachable = true;
      this.authFailed = false;
      this.lastSuccessAt = this.clock.now();
      return result;
    } catch (err) {
      const mapped = this.mapFailure(path, err);
      if (!(mapped instanceof NexusError && mapped.code === 'TENANT_NOT_FOUND')) {
        this.lastError = mapped.message;
        this.lastErrorAt = this.clock.now();
      }
      throw mapped;
    }
  }

  private async attempt<T>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    schema: z.ZodType<T>,
    signal: AbortSignal,
  ): Promise<T> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.#serviceApiKey}`,
      'X-HiveHub-Service': 'nexus',
      Accept: 'application/json',
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let status: number;
    let text: string;
    let retryAfterHeader: string | null;
    try {
      const res = await this.#fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
      status = res.status;
      retryAfterHeader = res.headers.get('retry-after');
      text = await res.text();
    } catch (err) {
      if (signal.aborted)
        throw new TransientFailure('timeout', `HiveHub did not answer within ${this.timeoutMs} ms`);
      throw new TransientFailure('connection', `cannot reach HiveHub: ${this.connectionDetail(err)}`);
    }

    if (status >= 200 && status < 300) {
      const parsed = schema.safeParse(safeJson(text));
      if (!parsed.success) {
        throw new ControlPlaneProtocolError(
          `HiveHub answered ${method} ${path} with a body that breaks the contract`,
          status,
        );
      }
      return parsed.data;
    }
    const error = errorBodySchema.safeParse(safeJson(text));
    const code = error.success ? error.data.error.code : 'UNKNOWN';
    const detail = error.success ? this.redact(error.data.error.message) : `HTTP ${status}`;
    if (status === 429) {
      const retryAfterMs = this.parseRetryAfter(retryAfterHeader);
      if (retryAfterMs !== null) {
        this.throttledUntil = Math.max(this.throttledUntil, this.clock.now() + retryAfterMs);
      }
      throw new TransientFailure(
        'throttled',
        `HiveHub throttled the request (429 ${code})`,
        status,
        retryAfterMs,
      );
    }
    if (status >= 500)
      throw new TransientFailure('server_error', `HiveHub failed (${status} ${code}: ${detail})`, status);
    // Any other HTTP answer proves the control plane is up, even if it refused us.
    this.reachable = true;
    if (status === 401) {
      // A configuration error that no retry fixes: log it loudly, once per occurrence
      // (not once per request, which would flood the log during the incident).
      if (!this.authFailed) {
        this.logger.error(
          { component: 'hivehub', status, code },
          'HiveHub rejected the service API key; check cluster.hivehub.service_api_key',
        );
      }
      this.authFailed = true;
      throw new ControlPlaneAuthError(
        `HiveHub rejected the service API key (401 ${code}); check cluster.hivehub.service_api_key`,
      );
    }
    if (status === 404 && code === 'USER_NOT_FOUND') {
      throw new NexusError('TENANT_NOT_FOUND', 'the tenant is unknown to the control plane');
    }
    throw new ControlPlaneProtocolError(
      `HiveHub refused ${method} ${path} (${status} ${code}: ${detail})`,
      status,
    );
  }

  private connectionDetail(err: unknown): string {
    // undici reports the useful part (ECONNREFUSED, ECONNRESET...) on `cause`.
    const cause = err instanceof Error ? err.cause : undefined;
    const code =
      typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string'
        ? cause.code
        : undefined;
    return code ?? this.describe(err);
  }

  private parseRetryAfter(header: string | null): number | null {
    if (header === null) return null;
    const trimmed = header.trim();
    if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
    const at = Date.parse(trimmed);
    return Number.isNaN(at) ? null : Math.max(0, at - this.clock.now());
  }

  private mapFailure(path: string, err: unknown): Error {
    if (err instanceof NexusError) return err;
    this.reachable = false;
    if (err instanceof BrokenCircuitError) {
      return new ControlPlaneUnavailableError(
        'circuit_open',
        'HiveHub is failing; the circuit breaker is open',
        Math.max(1, Math.ceil(this.halfOpenAfterMs / 1000)),
      );
    }
    if (err instanceof TaskCancelledError) {
      return new ControlPlaneUnavailableError(
        'timeout',
        `HiveHub did not answer ${path} within ${this.timeoutMs} ms`,
        DEFAULT_RETRY_AFTER_SECONDS,
      );
    }
    if (err instanceof TransientFailure) {
      const retryAfter =
        err.retryAfterMs !== null
          ? Math.max(1, Math.ceil(err.retryAfterMs / 1000))
          : DEFAULT_RETRY_AFTER_SECONDS;
      return new ControlPlaneUnavailableError(err.reason, err.message, retryAfter, err.status);
    }
    return new ControlPlaneUnavailableError(
      'connection',
      `HiveHub call failed: ${this.describe(err)}`,
      DEFAULT_RETRY_AFTER_SECONDS,
    );
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
