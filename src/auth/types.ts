/**
 * Identity types shared by the auth layer, the server and cluster mode. The auth layer
 * resolves an API key into a `UserContext`, which travels explicitly with each request
 * into every layer (never through globals).
 */

export type Permission = 'READ' | 'WRITE' | 'ADMIN' | 'SUPER';
export const PERMISSIONS: readonly Permission[] = ['READ', 'WRITE', 'ADMIN', 'SUPER'];

/** An API key as stored and listed (the secret itself is never stored, only its hash). */
export interface ApiKeyRecord {
  id: string;
  name: string;
  user_id: string | null;
  permissions: Permission[];
  /** null = unrestricted, [] = nothing, otherwise exact function names. */
  allowed_functions: string[] | null;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface UserContext {
  /** Tenant id (cluster mode) or the key's optional user id (standalone). */
  readonly userId: string | null;
  /** The storage namespace every data operation of this request is bound to. */
  readonly namespace: string;
  readonly permissions: ReadonlySet<Permission>;
  readonly allowedFunctions: readonly string[] | null;
  readonly keyId: string;
  /** True for the root key configured by the operator. */
  readonly isRoot: boolean;
}
