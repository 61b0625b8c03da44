/**
 * The request core: the single implementation of `RequestCore` (types.ts) that every
 * protocol door calls. Authentication (with the failed-auth throttle of the auth layer),
 * the tenant namespace and SUPER tenant override, `allowed_functions`, permissions,
 * cluster admission (suspended tenants, rate limits), storage quotas, usage accounting,
 * explicit-transaction ownership and caps, and error mapping all live here once.
 */
import { ANONYMOUS_CONTEXT, resolveTenantOverride } from '../auth/auth-service.js';
import type { FunctionName } from '../auth/functions.js';
import { checkFunction } from '../auth/functions.js';
import { hasPermission, requirePermission } from '../auth/permissions.js';
import type { Permission, UserContext } from '../auth/types.js';
import type { Admission, ClusterGate, TenantQuotas, UsageEvent } from '../cluster/types.js';
import { DEFAULT_NAMESPACE } from '../engine/api.js';
import type { ExecuteOptions, NexusDatabase, QueryCursor } from '../engine/api.js';
import { asResourceError } from '../engine/index.js';
import type { QueryResult, QueryStats, Value } from '../engine/values.js';
import { NexusError, isNexusError } from '../errors.js';
import { ERROR_STATUS } from './error-status.js';
import { NEO4J_STATUS, NEO4J_STATUS_BY_DETAIL, isRetriableStatus } from './neo4j-codes.js';
import type {
  CallScope,
  Credentials,
  MappedError,
  Protocol,
  RequestCore,
  RunOptions,
  ServiceTransaction,
  Session,
  SessionOptions,
} from './types.js';

/** What the core needs from the auth layer (`AuthService` fits). */
export interface CredentialVerifier {
  authenticate(headers: Readonly<Record<string, string | undefined>>, clientIp: string): UserContext;
}

/** Limits and timeouts the core applies to every statement, from the validated config. */
export interface CoreLimits {
  readonly queryTimeoutMs: number;
  readonly writeTimeoutMs?: number;
  readonly maxIntermediateRows?: number;
  readonly maxQueryMemoryBytes?: number;
  /** transactions.max_open_per_user (default 32). */
  readonly maxOpenTransactionsPerUser?: number;
  /**
   * cluster.max_concurrent_queries_per_tenant (0 = no limit): statements one tenant may run
   * at once, over every door together; one more is TOO_MANY_CONCURRENT_QUERIES (429).
   */
  readonly maxConcurrentQueriesPerTenant?: number;
  /** transactions.idle_timeout_ms (default 60000; 0 = never). */
  readonly transactionIdleTimeoutMs?: number;
}

export interface RequestCoreDeps {
  readonly db: NexusDatabase;
  /** null when authentication is off (standalone on loopback): every caller is anonymous. */
  readonly auth: CredentialVerifier | null;
  /** Cluster mode only. */
  readonly clusterGate: ClusterGate | null;
  readonly limits: CoreLimits;
  /** Called once per statement (server metrics). */
  readonly onQuery?: (isWrite: boolean) => void;
  /** Logs operator access and internal errors. */
  readonly log?: {
    info(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
  };
}

/** A CallScope with the core's private bookkeeping. */
interface Scope extends CallScope {
  finished: boolean;
}

interface TxEntry extends ServiceTransaction {
  ownerKey: string;
}

/** Where each door lets a SUPER key name the tenant it acts for (error messages). */
const TENANT_FIELD: Readonly<Record<Protocol, { description: string; details: Record<string, unknown> }>> = {
  http: { description: 'the X-Nexus-Tenant header', details: { header: 'X-Nexus-Tenant' } },
  mcp: { description: 'the X-Nexus-Tenant header', details: { header: 'X-Nexus-Tenant' } },
  'query-api': { description: 'the X-Nexus-Tenant header', details: { header: 'X-Nexus-Tenant' } },
  bolt: { description: 'the `tenant` field of HELLO or BEGIN', details: { field: 'tenant' } },
  rpc: { description: 'the `tenant` field of AUTH', details: { field: 'tenant' } },
};

const NOOP = (): void => undefined;
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
const DEFAULT_MAX_OPEN_TX = 32;
const DEFAULT_IDLE_TX_MS = 60_000;

export class NexusRequestCore implements RequestCore {
  private readonly db: NexusDatabase;
  private readonly auth: CredentialVerifier | null;
  private readonly gate: ClusterGate | null;
  private readonly limits: CoreLimits;
  private readonly transactions = new Map<string, TxEntry>();
  private readonly openPerOwner = new Map<string, number>();
  /** Statements running per tenant (cluster mode), for the per-tenant concurrency limit. */
  private readonly running = new Map<string, number>();

  constructor(private readonly deps: RequestCoreDeps) {
    this.db = deps.db;
    this.auth = deps.auth;
    this.gate = deps.clusterGate;
    this.limits = deps.limits;
  }

  /** How long an open transaction may stay idle before it is rolled back (0 = never). */
  get transactionIdleTimeoutMs(): number {
    return this.limits.transactionIdleTimeoutMs ?? DEFAULT_IDLE_TX_MS;
  }

  get clusterMode(): boolean {
    return this.gate !== null;
  }

  authenticate(credentials: Credentials): UserContext {
    if (this.auth === null) return ANONYMOUS_CONTEXT;
    if (credentials.scheme === 'none' || credentials.secret === undefined || credentials.secret === '') {
      throw new NexusError('AUTHENTICATION_REQUIRED', 'An API key is required');
    }
    // The auth layer reads the key from a header bag: the same parser, throttle and
    // failure accounting as HTTP's Authorization header.
    return this.auth.authenticate(
      { authorization: `Bearer ${credentials.secret}` },
      credentials.clientAddress,
    );
  }

  openSession(ctx: UserContext, options: SessionOptions): Session {
    if (this.gate === null) {
      if (ctx.namespace === DEFAULT_NAMESPACE && options.protocol === 'http') return this.httpSession(ctx);
      const standalone = ctx.namespace === DEFAULT_NAMESPACE ? ctx : { ...ctx, namespace: DEFAULT_NAMESPACE };
      return Object.freeze({
        ctx: standalone,
        protocol: options.protocol,
        tenantId: null,
        operatorAccess: false,
      });
    }
    let bound = ctx;
    let operatorAccess = false;
    if (options.tenant !== undefined && options.tenant !== '') {
      bound = resolveTenantOverride(ctx, options.tenant);
      if (bound.userId !== ctx.userId) {
        operatorAccess = true;
        this.deps.log?.info(
          { keyId: ctx.keyId, tenant: bound.userId, protocol: options.protocol, ...options.logContext },
          'SUPER key tenant access',
        );
      }
    }
    if (bound.userId === null) {
      if (options.requireNamespace === false) {
        return Object.freeze({
          ctx: bound,
          protocol: options.protocol,
          tenantId: null,
          operatorAccess: false,
        });
      }
      if (hasPermission(bound, 'SUPER')) {
        const where = TENANT_FIELD[options.protocol];
        throw new NexusError(
          'INVALID_PARAMETER',
          `A SUPER key reaches tenant data only by naming the tenant in ${where.description}`,
          { details: where.details },
        );
      }
      throw new NexusError('INVALID_TOKEN', 'This API key is not bound to a tenant (no user_id)');
    }
    return Object.freeze({ ctx: bound, protocol: options.protocol, tenantId: bound.userId, operatorAccess });
  }

  /** Standalone HTTP sessions of the same context are reused (no allocation per request). */
  private readonly httpSessions = new WeakMap<UserContext, Session>();
  private httpSession(ctx: UserContext): Session {
    let session = this.httpSessions.get(ctx);
    if (session === undefined) {
      session = Object.freeze({ ctx, protocol: 'http' as const, tenantId: null, operatorAccess: false });
      this.httpSessions.set(ctx, session);
    }
    return session;
  }

  admit(
    session: Session,
    fn: FunctionName | null,
    permission?: Permission | null,
  ): CallScope | Promise<CallScope> {
    const gate = this.gate;
    const tenant = session.tenantId;
    if (gate === null || tenant === null) return this.grant(session, fn, permission, null, NO_HEADERS, null);
    if (session.operatorAccess) {
      const quotas = gate.quotasFor(tenant);
      return quotas instanceof Promise
        ? quotas.then((q) => this.grant(session, fn, permission, q, NO_HEADERS, null))
        : this.grant(session, fn, permission, quotas, NO_HEADERS, null);
    }
    const usage: UsageEvent = { requests: 1 };
    const admitted = (admission: Admission): CallScope =>
      this.grantOrBill(session, fn, permission, admission, usage);
    const cached = gate.admitCached?.(tenant);
    return cached === undefined ? gate.admit(tenant).then(admitted) : admitted(cached);
  }

  /** Admission consumed a request: a refusal by permission or function still counts it. */
  private grantOrBill(
    session: Session,
    fn: FunctionName | null,
    permission: Permission | null | undefined,
    admission: Admission,
    usage: UsageEvent,
  ): CallScope {
    try {
      return this.grant(session, fn, permission, admission.quotas, admission.headers, usage);
    } catch (err) {
      // Admission consumed a request of the budget: a refusal is still billed.
      this.gate!.recordUsage(session.tenantId!, usage);
      throw err;
    }
  }

  private grant(
    session: Session,
    fn: FunctionName | null,
    permission: Permission | null | undefined,
    quotas: TenantQuotas | null,
    headers: Readonly<Record<string, string>>,
    usage: UsageEvent | null,
  ): Scope {
    if (permission !== undefined && permission !== null) requirePermission(session.ctx, permission);
    if (fn !== null) checkFunction(session.ctx, fn);
    const scope: Scope = {
      session,
      fn,
      quotaBytes: quotas?.storageBytes ?? null,
      headers,
      usage,
      finished: false,
    };
    return scope;
  }

  private executeOptions(scope: CallScope, options: RunOptions | undefined): ExecuteOptions {
    const { limits } = this;
    return {
      namespace: scope.session.ctx.namespace,
      accessMode: options?.readOnly !== true && hasPermission(scope.session.ctx, 'WRITE') ? 'write' : 'read',
      timeoutMs: limits.queryTimeoutMs,
      ...(limits.writeTimeoutMs === undefined ? {} : { writeTimeoutMs: limits.writeTimeoutMs }),
      ...(options?.isCancelled === undefined ? {} : { isCancelled: options.isCancelled }),
      ...this.memoryAndQuota(scope),
    };
  }

  /** The row and memory caps and the tenant's storage quota, as every statement gets them. */
  private memoryAndQuota(scope: CallScope): {
    maxIntermediateRows?: number;
    maxQueryMemoryBytes?: number;
    maxStorageBytes?: number;
  } {
    const { limits } = this;
    return {
      ...(limits.maxIntermediateRows === undefined
        ? {}
        : { maxIntermediateRows: limits.maxIntermediateRows }),
      ...(limits.maxQueryMemoryBytes === undefined
        ? {}
        : { maxQueryMemoryBytes: limits.maxQueryMemoryBytes }),
      ...(scope.quotaBytes === null ? {} : { maxStorageBytes: scope.quotaBytes }),
    };
  }

  /** Adds a statement's counters to the call's usage. */
  private settle(scope: CallScope, result: { isWrite: boolean; stats: QueryStats } | null): void {
    if (result === null) return;
    this.deps.onQuery?.(result.isWrite);
    if (scope.usage !== null) addQueryUsage(scope.usage, result.isWrite, result.stats);
  }

  finish(scope: CallScope): void {
    const s = scope as Scope;
    if (s.finished) return;
    s.finished = true;
    if (s.usage !== null && s.session.tenantId !== null) this.gate?.recordUsage(s.session.tenantId, s.usage);
  }

  /**
   * Takes one of the tenant's concurrent-statement slots, or refuses: a tenant at its limit
   * gets a retryable error at once, and can never take another tenant's capacity. Returns
   * the release function (idempotent).
   */
  private acquire(scope: CallScope): () => void {
    const tenant = scope.session.tenantId;
    const max = this.limits.maxConcurrentQueriesPerTenant ?? 0;
    if (tenant === null || max <= 0) return NOOP;
    const now = this.running.get(tenant) ?? 0;
    if (now >= max) {
      throw new NexusError(
        'TOO_MANY_CONCURRENT_QUERIES',
        `This tenant already runs ${now} statements at once (cluster.max_concurrent_queries_per_tenant = ${max}); retry when one has finished`,
        { details: { running: now, max, retryAfterSeconds: 1 } },
      );
    }
    this.running.set(tenant, now + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.running.get(tenant) ?? 1) - 1;
      if (n <= 0) this.running.delete(tenant);
      else this.running.set(tenant, n);
    };
  }

  async run(
    scope: CallScope,
    query: string,
    params: Record<string, Value>,
    options?: RunOptions,
  ): Promise<QueryResult> {
    const release = this.acquire(scope);
    let result: QueryResult | null = null;
    try {
      result = await this.db.execute(query, params, this.executeOptions(scope, options));
      return result;
    } finally {
      release();
      this.settle(scope, result);
    }
  }

  async stream(
    scope: CallScope,
    query: string,
    params: Record<string, Value>,
    options?: RunOptions,
  ): Promise<QueryCursor> {
    const db = this.db;
    if (db.stream === undefined) {
      // A database without cursors: the whole result, handed out in pieces.
      return bufferedCursor(await this.run(scope, query, params, options));
    }
    const release = this.acquire(scope);
    let cursor: QueryCursor;
    try {
      cursor = await db.stream(query, params, this.executeOptions(scope, options));
    } catch (err) {
      release();
      throw err;
    }
    let settled = false;
    const settleOnce = (complete: boolean): void => {
      if (settled) return;
      settled = true;
      release();
      const summary = cursor.summary();
      this.settle(scope, complete ? { isWrite: cursor.isWrite, stats: summary.stats } : null);
    };
    return {
      columns: cursor.columns,
      isWrite: cursor.isWrite,
      async pull(n) {
        try {
          const out = await cursor.pull(n);
          if (out.done) settleOnce(true);
          return out;
        } catch (err) {
          settleOnce(false);
          throw err;
        }
      },
      close() {
        cursor.close();
        settleOnce(false);
      },
      summary: () => cursor.summary(),
    };
  }

  beginTransaction(
    scope: CallScope,
    options: { accessMode?: 'read' | 'write'; timeoutMs?: number } = {},
  ): ServiceTransaction {
    const db = this.db;
    if (db.beginTransaction === undefined) {
      throw new NexusError('CYPHER_UNSUPPORTED', 'Explicit transactions are not available on this database');
    }
    const session = scope.session;
    const ownerKey = ownerOf(session);
    const open = this.openPerOwner.get(ownerKey) ?? 0;
    const max = this.limits.maxOpenTransactionsPerUser ?? DEFAULT_MAX_OPEN_TX;
    if (open >= max) {
      throw new NexusError(
        'TOO_MANY_TRANSACTIONS',
        `This key already holds ${open} open transactions (transactions.max_open_per_user = ${max}); commit or roll back one first`,
        { details: { open, max } },
      );
    }
    const writable = hasPermission(session.ctx, 'WRITE');
    const { limits } = this;
    const tx = db.beginTransaction({
      // However the transaction ends (commit, rollback, conflict, timeout, idle expiry in
      // the engine), its slot under the key's cap is given back.
      onEnd: (ended) => {
        const known = this.transactions.get(ended.id);
        if (known !== undefined) this.forget(known);
      },
      ...(this.limits.transactionIdleTimeoutMs === undefined
        ? {}
        : { idleTimeoutMs: this.limits.transactionIdleTimeoutMs }),
      namespace: session.ctx.namespace,
      accessMode: options.accessMode === 'read' || !writable ? 'read' : 'write',
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      statementTimeoutMs: limits.queryTimeoutMs,
      ...this.memoryAndQuota(scope),
    });
    const entry: TxEntry = { id: tx.id, owner: session, tx, ownerKey };
    this.transactions.set(tx.id, entry);
    this.openPerOwner.set(ownerKey, open + 1);
    return entry;
  }

  transaction(session: Session, id: string): ServiceTransaction {
    const entry = this.transactions.get(id);
    // Another key's transaction is "not found" too: ids are not a way to probe others.
    if (
      entry === undefined ||
      entry.ownerKey !== ownerOf(session) ||
      entry.owner.ctx.namespace !== session.ctx.namespace
    ) {
      throw new NexusError(
        'TRANSACTION_NOT_FOUND',
        'No such open transaction (committed, rolled back or expired)',
      );
    }
    return entry;
  }

  async runInTransaction(
    scope: CallScope,
    stx: ServiceTransaction,
    query: string,
    params: Record<string, Value>,
    options?: RunOptions,
  ): Promise<QueryResult> {
    const entry = this.live(stx);
    const release = this.acquire(scope);
    let result: QueryResult | null = null;
    try {
      result = await entry.tx.run(query, params, {
        ...(options?.isCancelled === undefined ? {} : { isCancelled: options.isCancelled }),
      });
      return result;
    } finally {
      release();
      this.settle(scope, result);
    }
  }

  async commit(stx: ServiceTransaction): Promise<{ bookmark: string }> {
    const entry = this.live(stx);
    try {
      return await entry.tx.commit();
    } finally {
      this.forget(entry);
    }
  }

  async rollback(stx: ServiceTransaction): Promise<void> {
    const entry = this.transactions.get(stx.id);
    if (entry === undefined) return;
    try {
      await entry.tx.rollback();
    } finally {
      this.forget(entry);
    }
  }

  async closeSession(session: Session): Promise<void> {
    const mine = [...this.transactions.values()].filter((e) => e.owner === session);
    await Promise.all(mine.map((e) => this.rollback(e)));
  }

  /** Rolls back every open transaction (shutdown). */
  async close(): Promise<void> {
    await Promise.all([...this.transactions.values()].map((e) => this.rollback(e)));
  }

  /** Open transactions (for SHOW TRANSACTIONS-style listings and tests). */
  openTransactions(session?: Session): readonly ServiceTransaction[] {
    const all = [...this.transactions.values()];
    return session === undefined ? all : all.filter((e) => e.ownerKey === ownerOf(session));
  }

  mapError(err: unknown): MappedError {
    let nexusErr: NexusError | null = isNexusError(err) ? err : null;
    if (nexusErr === null) {
      const resource = asResourceError(err);
      if (isNexusError(resource)) nexusErr = resource;
    }
    if (nexusErr === null || nexusErr.code === 'INTERNAL_ERROR') {
      this.deps.log?.error({ err }, 'internal error');
      nexusErr = new NexusError('INTERNAL_ERROR', 'An internal error occurred; it has been logged');
    }
    const detail = (nexusErr as { detail?: unknown }).detail;
    const neo4jCode =
      (typeof detail === 'string' ? NEO4J_STATUS_BY_DETAIL[detail] : undefined) ??
      NEO4J_STATUS[nexusErr.code];
    return {
      code: nexusErr.code,
      httpStatus: ERROR_STATUS[nexusErr.code],
      neo4jCode,
      message: nexusErr.message,
      retriable: isRetriableStatus(neo4jCode),
      ...(nexusErr.details === undefined ? {} : { details: nexusErr.details }),
    };
  }

  private live(stx: ServiceTransaction): TxEntry {
    const entry = this.transactions.get(stx.id);
    if (entry === undefined) {
      throw new NexusError(
        'TRANSACTION_NOT_FOUND',
        'No such open transaction (committed, rolled back or expired)',
      );
    }
    return entry;
  }

  private forget(entry: TxEntry): void {
    if (!this.transactions.delete(entry.id)) return;
    const n = (this.openPerOwner.get(entry.ownerKey) ?? 1) - 1;
    if (n <= 0) this.openPerOwner.delete(entry.ownerKey);
    else this.openPerOwner.set(entry.ownerKey, n);
  }
}

/** Transactions are capped and owned per key and tenant (a SUPER key acting for two tenants holds two pools). */
function ownerOf(session: Session): string {
  return `${session.ctx.keyId}\u0000${session.ctx.namespace}`;
}

/** Per statement, in cluster mode: plain field updates, no intermediate objects. */
export function addQueryUsage(usage: UsageEvent, isWrite: boolean, stats: QueryStats): void {
  if (isWrite) usage.writeQueries = (usage.writeQueries ?? 0) + 1;
  else usage.readQueries = (usage.readQueries ?? 0) + 1;
  if (stats.nodesCreated !== 0) usage.nodesCreated = (usage.nodesCreated ?? 0) + stats.nodesCreated;
  if (stats.nodesDeleted !== 0) usage.nodesDeleted = (usage.nodesDeleted ?? 0) + stats.nodesDeleted;
  if (stats.relationshipsCreated !== 0)
    usage.relationshipsCreated = (usage.relationshipsCreated ?? 0) + stats.relationshipsCreated;
  if (stats.relationshipsDeleted !== 0)
    usage.relationshipsDeleted = (usage.relationshipsDeleted ?? 0) + stats.relationshipsDeleted;
}

/** A cursor over an already complete result. */
export function bufferedCursor(result: QueryResult): QueryCursor {
  let next = 0;
  const rows = result.rows;
  return {
    columns: result.columns,
    isWrite: result.isWrite,
    pull(n) {
      const end = n > 0 && Number.isFinite(n) ? Math.min(rows.length, next + n) : rows.length;
      const out = rows.slice(next, end) as Value[][];
      next = end;
      return Promise.resolve({ rows: out, done: next >= rows.length });
    },
    close() {
      next = rows.length;
    },
    summary: () => ({ stats: result.stats, ...(result.plan === undefined ? {} : { plan: result.plan }) }),
  };
}
