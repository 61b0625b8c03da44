/**
 * A small RequestCore for the RPC door's in-process tests: keys from a table, permissions
 * and allowed_functions checked as the real core does, statements run on a real Nexus
 * database in the key's namespace. The real core (src/service) is exercised by the
 * end-to-end tests that spawn the server.
 */
import { checkFunction, type FunctionName } from '../../src/auth/functions.js';
import { hasPermission, requirePermission } from '../../src/auth/permissions.js';
import type { Permission, UserContext } from '../../src/auth/types.js';
import type { NexusDatabase } from '../../src/engine/api.js';
import type { Value } from '../../src/engine/values.js';
import { NexusError } from '../../src/errors.js';
import { statusOf } from '../../src/server/error-status.js';
import type { CallScope, Credentials, MappedError, RequestCore, Session } from '../../src/service/types.js';

export function context(
  namespace: string,
  permissions: Permission[],
  allowedFunctions: string[] | null = null,
): UserContext {
  return {
    userId: namespace,
    namespace,
    permissions: new Set(permissions),
    allowedFunctions,
    keyId: `key-${namespace}`,
    isRoot: false,
  };
}

export function testCore(
  db: NexusDatabase,
  keys: Map<string, UserContext> | null,
): RequestCore & {
  closed: Session[];
} {
  const closed: Session[] = [];
  const anonymous = context('default', ['READ', 'WRITE', 'ADMIN']);
  return {
    closed,
    authenticate(c: Credentials) {
      if (keys === null) return anonymous;
      if (c.secret === undefined) throw new NexusError('AUTHENTICATION_REQUIRED', 'No API key');
      const ctx = keys.get(c.secret);
      if (ctx === undefined) throw new NexusError('INVALID_TOKEN', 'Unknown API key');
      return ctx;
    },
    openSession(ctx, options) {
      return { ctx, protocol: options.protocol, tenantId: ctx.userId, operatorAccess: false };
    },
    admit(session, fn: FunctionName, permission?: Permission): CallScope {
      if (permission !== undefined) requirePermission(session.ctx, permission);
      checkFunction(session.ctx, fn);
      return { session, fn, quotaBytes: null, headers: {} };
    },
    async run(scope, query, params: Record<string, Value>, options) {
      return db.execute(query, params, {
        namespace: scope.session.ctx.namespace,
        accessMode: hasPermission(scope.session.ctx, 'WRITE') ? 'write' : 'read',
        ...(options?.isCancelled === undefined ? {} : { isCancelled: options.isCancelled }),
      });
    },
    stream: () => Promise.reject(new Error('not used')),
    beginTransaction: () => {
      throw new Error('not used');
    },
    transaction: () => {
      throw new Error('not used');
    },
    runInTransaction: () => Promise.reject(new Error('not used')),
    commit: () => Promise.reject(new Error('not used')),
    rollback: () => Promise.reject(new Error('not used')),
    async closeSession(session) {
      closed.push(session);
    },
    mapError(err: unknown): MappedError {
      const code = err instanceof NexusError ? err.code : 'INTERNAL_ERROR';
      const message = err instanceof NexusError ? err.message : 'Internal error';
      return { code, httpStatus: statusOf(code), neo4jCode: '', message, retriable: false };
    },
  };
}
