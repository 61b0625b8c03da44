/**
 * The real request core over a real database for the RPC door's in-process tests, with a
 * small key table standing in for the auth service (the door calls the core's
 * authenticate, which hands the key to this verifier as HTTP's Authorization header).
 */
import type { Permission, UserContext } from '../../src/auth/types.js';
import type { NexusDatabase } from '../../src/engine/api.js';
import { NexusError } from '../../src/errors.js';
import { NexusRequestCore } from '../../src/service/request-core.js';
import type { Session } from '../../src/service/types.js';

export function context(
  namespace: string,
  permissions: Permission[],
  allowedFunctions: string[] | null = null,
): UserContext {
  return {
    userId: null,
    namespace,
    permissions: new Set(permissions),
    allowedFunctions,
    keyId: `key-${permissions.join('-')}-${allowedFunctions?.join('-') ?? 'all'}`,
    isRoot: false,
  };
}

/** The core, recording the sessions the door closes. */
export function testCore(db: NexusDatabase, keys: Map<string, UserContext> | null) {
  const closed: Session[] = [];
  const auth =
    keys === null
      ? null
      : {
          authenticate(headers: Readonly<Record<string, string | undefined>>): UserContext {
            const secret = headers.authorization?.replace(/^Bearer /, '');
            const ctx = secret === undefined ? undefined : keys.get(secret);
            if (ctx === undefined) throw new NexusError('INVALID_TOKEN', 'Unknown API key');
            return ctx;
          },
        };
  const core = new NexusRequestCore({ db, auth, clusterGate: null, limits: { queryTimeoutMs: 30_000 } });
  const closeSession = core.closeSession.bind(core);
  core.closeSession = async (session: Session) => {
    closed.push(session);
    await closeSession(session);
  };
  return Object.assign(core, { closed });
}
