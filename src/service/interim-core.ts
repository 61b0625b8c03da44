/**
 * A RequestCore for the binary doors built from the same pieces the HTTP auth hook uses
 * (the auth service, the cluster gate, the database), until the shared implementation
 * (src/service/request-core.ts) replaces it. Autocommit statements only: the transaction
 * methods refuse. Cluster mode: the tenant comes from the key, every call is admitted by
 * the gate (suspended tenants, rate limits; one request of the tenant's budget), writes
 * carry the tenant's storage quota and usage is recorded per call.
 */
import type { FunctionName } from '../auth/functions.js';
import { checkFunction } from '../auth/functions.js';
import { hasPermission, requirePermission } from '../auth/permissions.js';
import type { Permission, UserContext } from '../auth/types.js';
import type { ClusterGate, UsageEvent } from '../cluster/types.js';
import { effectiveWriteTimeoutMs, type NexusConfig } from '../config/config-schema.js';
import { DEFAULT_NAMESPACE, type NexusDatabase } from '../engine/api.js';
import type { Value } from '../engine/values.js';
import { NexusError } from '../errors.js';
import { statusOf } from '../server/error-status.js';
import type { CallScope, Credentials, MappedError, RequestCore, Session } from './types.js';

export interface InterimCoreDeps {
  readonly config: NexusConfig;
  readonly db: NexusDatabase;
  /** The HTTP authenticator (headers-based); null when auth is off. */
  readonly auth: {
    authenticate(headers: Record<string, string | string[] | undefined>, clientIp: string): UserContext;
  } | null;
  readonly gate: ClusterGate | null;
  readonly anonymous: UserContext;
  readonly log?: (err: unknown) => void;
}

const NO_TRANSACTIONS = 'Explicit transactions are not available on this door yet';

export function createInterimCore(deps: InterimCoreDeps): RequestCore {
  const { config, db, gate } = deps;
  const clusterMode = config.cluster.enabled;
  const writeTimeoutMs = effectiveWriteTimeoutMs(config);

  const record = (scope: CallScope, delta: UsageEvent): void => {
    const tenant = scope.session.tenantId;
    if (gate === null || tenant === null || scope.session.operatorAccess) return;
    gate.recordUsage(tenant, delta);
  };

  return {
    authenticate(credentials: Credentials): UserContext {
      if (deps.auth === null) return deps.anonymous;
      const headers: Record<string, string> = {};
      if (credentials.secret !== undefined && credentials.scheme !== 'none') {
        headers.authorization = `Bearer ${credentials.secret}`;
      }
      return deps.auth.authenticate(headers, credentials.clientAddress);
    },
    openSession(ctx, options): Session {
      if (clusterMode) {
        if (ctx.userId === null) {
          throw new NexusError(
            'INVALID_TOKEN',
            hasPermission(ctx, 'SUPER')
              ? 'A SUPER key reaches tenant data only through a door that names the tenant'
              : 'This API key is not bound to a tenant (no user_id)',
          );
        }
        return { ctx, protocol: options.protocol, tenantId: ctx.userId, operatorAccess: false };
      }
      const bound = ctx.namespace === DEFAULT_NAMESPACE ? ctx : { ...ctx, namespace: DEFAULT_NAMESPACE };
      return { ctx: bound, protocol: options.protocol, tenantId: null, operatorAccess: false };
    },
    admit(session, fn: FunctionName, permission?: Permission): CallScope | Promise<CallScope> {
      const grant = (quotaBytes: number | null, headers: Record<string, string>): CallScope => {
        if (permission !== undefined) requirePermission(session.ctx, permission);
        checkFunction(session.ctx, fn);
        const scope: CallScope = { session, fn, quotaBytes, headers };
        record(scope, { requests: 1 });
        return scope;
      };
      if (gate === null || session.tenantId === null) return grant(null, {});
      const tenant = session.tenantId;
      const cached = gate.admitCached?.(tenant);
      if (cached !== undefined) return grant(cached.quotas.storageBytes, cached.headers);
      return gate.admit(tenant).then((a) => grant(a.quotas.storageBytes, a.headers));
    },
    async run(scope, query, params: Record<string, Value>, options) {
      const ctx = scope.session.ctx;
      const result = await db.execute(query, params, {
        namespace: ctx.namespace,
        accessMode: hasPermission(ctx, 'WRITE') ? 'write' : 'read',
        timeoutMs: config.query.timeout_ms,
        writeTimeoutMs,
        maxIntermediateRows: config.query.max_intermediate_rows,
        maxQueryMemoryBytes: config.query.max_memory_bytes,
        ...(options?.isCancelled === undefined ? {} : { isCancelled: options.isCancelled }),
        ...(scope.quotaBytes === null ? {} : { maxStorageBytes: scope.quotaBytes }),
      });
      const s = result.stats;
      record(scope, {
        ...(result.isWrite ? { writeQueries: 1 } : { readQueries: 1 }),
        ...(s.nodesCreated === 0 ? {} : { nodesCreated: s.nodesCreated }),
        ...(s.nodesDeleted === 0 ? {} : { nodesDeleted: s.nodesDeleted }),
        ...(s.relationshipsCreated === 0 ? {} : { relationshipsCreated: s.relationshipsCreated }),
        ...(s.relationshipsDeleted === 0 ? {} : { relationshipsDeleted: s.relationshipsDeleted }),
      });
      return result;
    },
    stream: () =>
      Promise.reject(new NexusError('NOT_IMPLEMENTED', 'Streaming is not available on this door yet')),
    beginTransaction: () => {
      throw new NexusError('NOT_IMPLEMENTED', NO_TRANSACTIONS);
    },
    transaction: () => {
      throw new NexusError('TRANSACTION_NOT_FOUND', NO_TRANSACTIONS);
    },
    runInTransaction: () => Promise.reject(new NexusError('NOT_IMPLEMENTED', NO_TRANSACTIONS)),
    commit: () => Promise.reject(new NexusError('NOT_IMPLEMENTED', NO_TRANSACTIONS)),
    rollback: () => Promise.reject(new NexusError('NOT_IMPLEMENTED', NO_TRANSACTIONS)),
    closeSession: () => Promise.resolve(),
    mapError(err: unknown): MappedError {
      if (err instanceof NexusError) {
        return {
          code: err.code,
          httpStatus: statusOf(err.code),
          neo4jCode: '',
          message: err.message,
          retriable: ['RATE_LIMIT_EXCEEDED', 'TRANSACTION_CONFLICT', 'SERVICE_UNAVAILABLE'].includes(
            err.code,
          ),
          ...(err.details === undefined ? {} : { details: err.details }),
        };
      }
      deps.log?.(err);
      return {
        code: 'INTERNAL_ERROR',
        httpStatus: 500,
        neo4jCode: 'Neo.DatabaseError.General.UnknownError',
        message: 'Internal server error',
        retriable: false,
      };
    },
  };
}
