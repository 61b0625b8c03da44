/**
 * The contract of the request core: the one service layer every protocol door (HTTP,
 * MCP, Bolt, RPC, the Query API) calls. A door decodes its frames into these calls; the
 * core applies authentication (with the failed-auth throttle), the tenant namespace,
 * permissions, `allowed_functions`, admission (suspended tenants, rate limits), storage
 * quotas, usage accounting and error mapping — once, for every door.
 */
import type { FunctionName } from '../auth/functions.js';
import type { Permission, UserContext } from '../auth/types.js';
import type { QueryCursor, Transaction } from '../engine/api.js';
import type { QueryResult, Value } from '../engine/values.js';
import type { ErrorCode } from '../errors.js';
import type { UsageEvent } from '../cluster/types.js';

/** The protocol a session came through (logged, and shown in SHOW TRANSACTIONS). */
export type Protocol = 'http' | 'mcp' | 'bolt' | 'rpc' | 'query-api';

/** How a caller proved who it is, independent of the protocol. */
export interface Credentials {
  /**
   * 'bearer': `secret` is an API key. 'basic': `principal` is ignored (any user name),
   * `secret` is an API key. 'none': nothing presented (accepted only when auth is off).
   */
  readonly scheme: 'bearer' | 'basic' | 'none';
  readonly secret?: string;
  readonly principal?: string;
  /** Remote address, the failed-authentication throttle's key. */
  readonly clientAddress: string;
}

export interface SessionOptions {
  readonly protocol: Protocol;
  /**
   * Cluster mode, SUPER keys only: the tenant to act on (Bolt HELLO/BEGIN `tenant`
   * metadata, HTTP X-Nexus-Tenant, …). Logged. Any other key may only name its own tenant.
   */
  readonly tenant?: string;
  /**
   * Default true: the session must be bound to a tenant namespace (cluster mode). False for
   * calls that touch no graph data (key management, health), where a SUPER key without a
   * tenant is fine.
   */
  readonly requireNamespace?: boolean;
  /** Extra fields for the operator-access log line (e.g. the HTTP route). */
  readonly logContext?: Readonly<Record<string, unknown>>;
}

/** An authenticated caller bound to one namespace, for the life of a connection or request. */
export interface Session {
  readonly ctx: UserContext;
  readonly protocol: Protocol;
  /** Cluster mode: the tenant whose quotas apply; null in standalone mode. */
  readonly tenantId: string | null;
  /** SUPER acting on a tenant: not rate-limited, not billed, still bound by its storage quota. */
  readonly operatorAccess: boolean;
}

/** One admitted call (a statement, a command): its quota, and the usage it accumulates. */
export interface CallScope {
  readonly session: Session;
  /** null for calls exempt from function checks (health, OpenAPI). */
  readonly fn: FunctionName | null;
  /** Cluster mode: the tenant's storage quota in bytes (null = none). */
  readonly quotaBytes: number | null;
  /** Rate-limit headers an HTTP door may send (empty elsewhere). */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Cluster mode: the usage this call accumulates (one request, plus what its statements
   * did); reported by `finish`. null when not billed (standalone, operator access).
   */
  readonly usage: UsageEvent | null;
}

export interface RunOptions {
  /** Run read-only even when the key may write (a client's READ access mode). */
  readonly readOnly?: boolean;
  /** Polled while a read runs: true stops it with QUERY_CANCELLED (client gone). */
  readonly isCancelled?: () => boolean;
}

/** A transaction as the core hands it out: owned by one key, counted against its cap. */
export interface ServiceTransaction {
  readonly id: string;
  readonly owner: Session;
  readonly tx: Transaction;
}

/** A client-visible error, mapped once for every protocol. */
export interface MappedError {
  readonly code: ErrorCode;
  readonly httpStatus: number;
  /** Neo4j status code for Bolt and the Query API, e.g. `Neo.ClientError.Statement.SyntaxError`. */
  readonly neo4jCode: string;
  readonly message: string;
  /** True when the same request may succeed if retried (conflicts, rate limits, transient). */
  readonly retriable: boolean;
  readonly details?: Record<string, unknown>;
}

export interface RequestCore {
  /** Throws AUTHENTICATION_REQUIRED, INVALID_TOKEN or TOO_MANY_AUTH_FAILURES. */
  authenticate(credentials: Credentials): UserContext;
  /** Binds a context to its namespace (applying a SUPER tenant override); throws on misuse. */
  openSession(ctx: UserContext, options: SessionOptions): Session;
  /**
   * Admits one call: `allowed_functions`, the permission, then (cluster mode) suspended
   * tenant and rate limit, consuming one request of the tenant's budget. Synchronous when
   * the tenant's quota is cached.
   */
  admit(
    session: Session,
    fn: FunctionName | null,
    permission?: Permission | null,
  ): CallScope | Promise<CallScope>;
  /** Reports the call's usage (once; later calls are no-ops). Every door calls it when the call ends, success or not. */
  finish(scope: CallScope): void;
  /** Runs one autocommit statement; a key without WRITE runs it read-only. Adds its counters to the call's usage. */
  run(
    scope: CallScope,
    query: string,
    params: Record<string, Value>,
    options?: RunOptions,
  ): Promise<QueryResult>;
  /** Same as `run`, as a cursor for protocols that stream (Bolt PULL n). Adds its counters when done. */
  stream(
    scope: CallScope,
    query: string,
    params: Record<string, Value>,
    options?: RunOptions,
  ): Promise<QueryCursor>;
  /** Opens an explicit transaction owned by the session's key (cap: transactions.max_open_per_user). */
  beginTransaction(
    scope: CallScope,
    options?: { accessMode?: 'read' | 'write'; timeoutMs?: number },
  ): ServiceTransaction;
  /** The caller's own open transaction; TRANSACTION_NOT_FOUND for unknown ids and for other keys' ids. */
  transaction(session: Session, id: string): ServiceTransaction;
  /** Runs a statement inside a transaction (admission per statement is the caller's `admit`). */
  runInTransaction(
    scope: CallScope,
    stx: ServiceTransaction,
    query: string,
    params: Record<string, Value>,
    options?: RunOptions,
  ): Promise<QueryResult>;
  commit(stx: ServiceTransaction): Promise<{ bookmark: string }>;
  rollback(stx: ServiceTransaction): Promise<void>;
  /** Rolls back every transaction of a session (connection closed). */
  closeSession(session: Session): Promise<void>;
  /** Maps any thrown value to the client-visible error (unknown errors → INTERNAL_ERROR, logged). */
  mapError(err: unknown): MappedError;
}
