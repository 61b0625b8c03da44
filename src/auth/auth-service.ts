/**
 * Request authentication: turns the credentials of a request into a `UserContext`, or
 * refuses it. Also throttles failed attempts (per client address and per presented key
 * prefix; a key that verifies is always served, see docs/AUTHENTICATION.md) and resolves a
 * SUPER key's `X-Nexus-Tenant` override. Synchronous on purpose: it runs in the server's onRequest
 * hook for every request.
 */
import { LRUCache } from 'lru-cache';
import { NexusError } from '../errors.js';
import { DEFAULT_NAMESPACE } from '../engine/api.js';
import { isValidUserId, tenantNamespace } from '../cluster/namespace.js';
import type { ApiKeyRecord, Permission, UserContext } from './types.js';
import type { ApiKeyService, Clock, SharedVerifyResult } from './api-key-service.js';
import { effectivePermissions, hasPermission } from './permissions.js';
import { hashSecret, hashSecretBytes, isWellFormedSecret } from './secrets.js';
import { timingSafeEqual } from 'node:crypto';

/** Where the root key came from; only its hash is kept in memory. */
export interface RootKeyConfig {
  readonly hash: string;
  readonly source: 'config' | 'env' | 'file' | 'stored' | 'generated';
}

export interface AuthOptions {
  /** false: every request is the anonymous context (standalone only). */
  enabled: boolean;
  clusterMode: boolean;
  /** The root key: its secret, or a resolved config (see `resolveRootKey`). */
  rootKey?: string | RootKeyConfig;
  /** Failed authentications allowed per client address, and per presented key prefix, per window (default 20). */
  maxFailuresPerMinute?: number;
  /** Length of the throttle window (default 60 s). */
  failureWindowMs?: number;
  /** Client addresses (and key prefixes) tracked at once; the least recently seen are forgotten (default 10,000). */
  maxTrackedClients?: number;
}

/** Node's `IncomingHttpHeaders` and Fastify's headers both fit. */
export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

export const ROOT_KEY_ID = 'root';
export const ANONYMOUS_KEY_ID = 'anonymous';

const ALL_PERMISSIONS: ReadonlySet<Permission> = new Set<Permission>(['READ', 'WRITE', 'ADMIN', 'SUPER']);

/** The context of every request when auth is disabled (standalone only): full local control. */
export const ANONYMOUS_CONTEXT: UserContext = Object.freeze({
  userId: null,
  namespace: DEFAULT_NAMESPACE,
  permissions: new Set<Permission>(['READ', 'WRITE', 'ADMIN']),
  allowedFunctions: null,
  keyId: ANONYMOUS_KEY_ID,
  isRoot: false,
});

interface FailureWindow {
  start: number;
  count: number;
}

/** Characters of a presented key that identify it for the per-key throttle (`nx_` + 9). */
const KEY_PREFIX_LENGTH = 12;

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export class AuthService {
  readonly enabled: boolean;
  readonly clusterMode: boolean;
  private readonly rootDigest: Buffer | undefined;
  private readonly maxFailures: number;
  private readonly windowMs: number;
  /** Failure windows by client address. */
  private readonly failures: LRUCache<string, FailureWindow>;
  /** Failure windows by presented key prefix (one key guessed from many addresses). */
  private readonly prefixFailures: LRUCache<string, FailureWindow>;
  private readonly rootContext: UserContext;
  /**
   * Contexts by the shared record they were built from: `lookupHashed` returns the same
   * record object while the key's stored bytes are unchanged, and a new one after any
   * change, so a context can never outlive the state it was derived from.
   */
  private readonly contexts = new WeakMap<Readonly<ApiKeyRecord>, UserContext>();

  constructor(
    private readonly keys: ApiKeyService,
    options: AuthOptions,
    private readonly clock: Clock = Date.now,
  ) {
    if (options.clusterMode && !options.enabled) {
      throw new Error('Cluster mode requires authentication: auth.enabled must be true');
    }
    this.enabled = options.enabled;
    this.clusterMode = options.clusterMode;
    const root = options.rootKey;
    const rootHex = root === undefined ? undefined : typeof root === 'string' ? hashSecret(root) : root.hash;
    this.rootDigest = rootHex === undefined ? undefined : Buffer.from(rootHex, 'hex');
    this.maxFailures = options.maxFailuresPerMinute ?? 20;
    this.windowMs = options.failureWindowMs ?? 60_000;
    this.failures = new LRUCache({ max: options.maxTrackedClients ?? 10_000 });
    this.prefixFailures = new LRUCache({ max: options.maxTrackedClients ?? 10_000 });
    this.rootContext = Object.freeze({
      userId: null,
      namespace: DEFAULT_NAMESPACE,
      permissions: ALL_PERMISSIONS,
      allowedFunctions: null,
      keyId: ROOT_KEY_ID,
      isRoot: true,
    });
  }

  /**
   * Credentials from `Authorization: Bearer <key>` or `X-API-Key: <key>`. Throws
   * AUTHENTICATION_REQUIRED (none presented), INVALID_TOKEN (unknown, revoked, expired,
   * malformed) or, for a failing attempt only, TOO_MANY_AUTH_FAILURES (this address or this
   * key prefix failed too often this window).
   *
   * The key is always verified (one SHA-256 and one map lookup) before any throttle is
   * consulted: a key that verifies is served whatever others (or the same address) did, so
   * a flood of bad keys from a shared address (a load balancer, a NAT) locks no tenant out.
   * Throttling applies to failures only: over the budget, a failing attempt is answered 429
   * with Retry-After instead of 401.
   */
  authenticate(headers: HeaderBag, clientIp: string): UserContext {
    if (!this.enabled) return ANONYMOUS_CONTEXT;
    const token = this.extractToken(headers, clientIp);
    if (token === undefined) {
      throw new NexusError(
        'AUTHENTICATION_REQUIRED',
        'An API key is required (Authorization: Bearer <key> or X-API-Key)',
      );
    }
    // One hash per request, shared by the root comparison and the key lookup.
    const digest = hashSecretBytes(token);
    if (this.rootDigest?.length === 32 && timingSafeEqual(digest, this.rootDigest)) return this.rootContext;
    const result: SharedVerifyResult = isWellFormedSecret(token)
      ? this.keys.lookupHashed(digest)
      : { ok: false, reason: 'malformed' };
    if (!result.ok) {
      this.failed(clientIp, token.slice(0, KEY_PREFIX_LENGTH));
      // One message for every reason: which keys exist or were revoked is not disclosed.
      throw new NexusError('INVALID_TOKEN', 'The API key is invalid, revoked or expired', {
        details: { reason: result.reason === 'malformed' ? 'malformed' : 'rejected' },
      });
    }
    let ctx = this.contexts.get(result.key);
    if (ctx === undefined) {
      ctx = this.contextFor(result.key);
      this.contexts.set(result.key, ctx);
    }
    return ctx;
  }

  /** The context a stored key authenticates as. */
  contextFor(key: Readonly<ApiKeyRecord>): UserContext {
    let namespace = DEFAULT_NAMESPACE;
    if (this.clusterMode && key.user_id !== null) namespace = tenantNamespace(key.user_id);
    return Object.freeze({
      userId: key.user_id,
      namespace,
      permissions: effectivePermissions(key.permissions),
      allowedFunctions: key.allowed_functions === null ? null : Object.freeze([...key.allowed_functions]),
      keyId: key.id,
      isRoot: false,
    });
  }

  /**
   * Seconds until a failing attempt from `clientIp` (or, given, with this key prefix) is
   * answered INVALID_TOKEN again rather than TOO_MANY_AUTH_FAILURES; 0 when not throttled.
   * A valid key is served in either case.
   */
  retryAfterSeconds(clientIp: string, keyPrefix?: string): number {
    const byAddress = this.remainingMs(this.failures, clientIp);
    const byPrefix = keyPrefix === undefined ? 0 : this.remainingMs(this.prefixFailures, keyPrefix);
    const remaining = Math.max(byAddress, byPrefix);
    return remaining > 0 ? Math.ceil(remaining / 1000) : 0;
  }

  private remainingMs(windows: LRUCache<string, FailureWindow>, key: string): number {
    const w = windows.get(key);
    if (w === undefined || w.count <= this.maxFailures) return 0;
    return w.start + this.windowMs - this.clock();
  }

  /** Counts a failed attempt; throws TOO_MANY_AUTH_FAILURES when it is over a budget. */
  private failed(clientIp: string, keyPrefix: string | undefined): void {
    this.count(this.failures, clientIp);
    if (keyPrefix !== undefined) this.count(this.prefixFailures, keyPrefix);
    const retryAfterSeconds = this.retryAfterSeconds(clientIp, keyPrefix);
    if (retryAfterSeconds > 0) {
      throw new NexusError(
        'TOO_MANY_AUTH_FAILURES',
        'Too many failed authentication attempts; try again later (a valid key is still served)',
        { details: { retryAfterSeconds } },
      );
    }
  }

  private count(windows: LRUCache<string, FailureWindow>, key: string): void {
    const now = this.clock();
    const w = windows.get(key);
    if (w === undefined || now - w.start >= this.windowMs) windows.set(key, { start: now, count: 1 });
    else w.count += 1;
  }

  private extractToken(headers: HeaderBag, clientIp: string): string | undefined {
    const authorization = single(headers['authorization']);
    if (authorization !== undefined && authorization !== '') {
      const m = BEARER.exec(authorization);
      if (m?.[1] !== undefined) return m[1];
      if (single(headers['x-api-key']) === undefined) {
        this.failed(clientIp, undefined);
        throw new NexusError('INVALID_TOKEN', 'The Authorization header must be "Bearer <key>"', {
          details: { reason: 'malformed' },
        });
      }
    }
    const apiKey = single(headers['x-api-key'])?.trim();
    return apiKey === undefined || apiKey === '' ? undefined : apiKey;
  }
}

/**
 * Applies an `X-Nexus-Tenant` header (cluster mode). A SUPER key may act as any tenant;
 * any other key may only name its own tenant (FORBIDDEN otherwise). No header: the
 * context is returned unchanged — a SUPER key without user_id then has no tenant
 * (`userId === null`) and the server must not give it tenant data.
 */
export function resolveTenantOverride(ctx: UserContext, header: string | string[] | undefined): UserContext {
  if (header === undefined || header === '') return ctx;
  if (Array.isArray(header) || !isValidUserId(header)) {
    throw new NexusError(
      'INVALID_PARAMETER',
      'X-Nexus-Tenant must be one user id of 1-128 characters [A-Za-z0-9_-]',
    );
  }
  if (!hasPermission(ctx, 'SUPER')) {
    if (header === ctx.userId) return ctx;
    throw new NexusError('FORBIDDEN', 'Only a SUPER key may act on behalf of another tenant');
  }
  return Object.freeze({ ...ctx, userId: header, namespace: tenantNamespace(header) });
}
