/**
 * Public surface of the auth layer: API keys, request authentication, permissions and
 * function-level permissions. The server wires it with `createAuth` (or the classes
 * directly), calls `auth.authenticate(headers, ip)` in its onRequest hook, then
 * `requirePermission` / `checkFunction` per route using `ROUTE_FUNCTIONS`.
 */
export type { ApiKeyRecord, Permission, UserContext } from './types.js';
export { PERMISSIONS } from './types.js';
export {
  ApiKeyService,
  AUTH_TABLE_NAME,
  type ApiKeyServiceOptions,
  type AuthTableEntry,
  type Clock,
  type CreateKeyInput,
  type CreatedKey,
  type UpdateKeyInput,
  type VerifyFailure,
  type VerifyResult,
} from './api-key-service.js';
export {
  AuthService,
  ANONYMOUS_CONTEXT,
  ANONYMOUS_KEY_ID,
  ROOT_KEY_ID,
  resolveTenantOverride,
  type AuthOptions,
  type HeaderBag,
  type RootKeyConfig,
} from './auth-service.js';
export { resolveRootKey, type ResolvedRootKey, type RootKeyOptions } from './root-key.js';
export { createAuth, type AuthBundle, type CreateAuthOptions } from './create-auth.js';
export {
  effectivePermissions,
  hasPermission,
  impliesPermission,
  isPermission,
  requirePermission,
} from './permissions.js';
export {
  checkFunction,
  FUNCTION_NAMES,
  isFunctionAllowed,
  isFunctionName,
  MCP_TOOL_FUNCTIONS,
  REST_ONLY_FUNCTIONS,
  ROUTE_FUNCTIONS,
  routeAuth,
  type FunctionName,
  type RouteAuth,
} from './functions.js';
export { generateSecret, hashSecret, isWellFormedSecret, SECRET_PATTERN } from './secrets.js';
export { MemorySystemTable } from './memory-system-table.js';
export { keyRoutes, type KeyRoutesOptions } from './key-routes.js';
