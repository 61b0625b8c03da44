/**
 * One-call wiring of the auth layer for the server: key service, root key and
 * authenticator over one system table.
 */
import type { SystemTable } from '../storage/types.js';
import { ApiKeyService, type AuthTableEntry, type Clock } from './api-key-service.js';
import { AuthService } from './auth-service.js';
import { resolveRootKey } from './root-key.js';

export interface CreateAuthOptions {
  /** Open it with `store.systemTable<AuthTableEntry>(AUTH_TABLE_NAME)`. */
  table: SystemTable<AuthTableEntry>;
  enabled: boolean;
  clusterMode: boolean;
  rootApiKey?: string;
  rootApiKeyFile?: string;
  /** Defaults to `process.env` (NEXUS_ROOT_API_KEY, NEXUS_ROOT_API_KEY_FILE). */
  env?: Readonly<Record<string, string | undefined>>;
  maxFailuresPerMinute?: number;
  /** Active keys per user_id (keys without one count as one owner); null/absent = unlimited. */
  maxKeysPerUser?: number | null;
  clock?: Clock;
}

export interface AuthBundle {
  keys: ApiKeyService;
  auth: AuthService;
  /** Only on the first start without a configured root key: print it once. */
  generatedRootKey?: string;
}

export async function createAuth(options: CreateAuthOptions): Promise<AuthBundle> {
  const clock = options.clock ?? Date.now;
  const keys = new ApiKeyService(options.table, {
    clusterMode: options.clusterMode,
    clock,
    maxKeysPerUser: options.maxKeysPerUser ?? null,
  });
  const root = await resolveRootKey(options.table, {
    enabled: options.enabled,
    rootApiKey: options.rootApiKey,
    rootApiKeyFile: options.rootApiKeyFile,
    env: options.env,
    clock,
  });
  const auth = new AuthService(
    keys,
    {
      enabled: options.enabled,
      clusterMode: options.clusterMode,
      rootKey: root.rootKey,
      maxFailuresPerMinute: options.maxFailuresPerMinute,
    },
    clock,
  );
  const bundle: AuthBundle = { keys, auth };
  if (root.generatedSecret !== undefined) bundle.generatedRootKey = root.generatedSecret;
  return bundle;
}
