/**
 * Coarse permissions and their hierarchy. A key's permission set is expanded once at
 * authentication, so every later check is a single set lookup:
 * SUPER ⊇ ADMIN ⊇ WRITE ⊇ READ.
 */
import { NexusError } from '../errors.js';
import { PERMISSIONS, type Permission, type UserContext } from './types.js';

/** Rank in the hierarchy; a permission implies every permission of lower rank. */
const RANK: Readonly<Record<Permission, number>> = { READ: 0, WRITE: 1, ADMIN: 2, SUPER: 3 };

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && (PERMISSIONS as readonly string[]).includes(value);
}

/** Every permission the given ones grant, including the implied lower ones. */
export function effectivePermissions(granted: Iterable<Permission>): Set<Permission> {
  let top = -1;
  for (const p of granted) top = Math.max(top, RANK[p]);
  return new Set(PERMISSIONS.filter((p) => RANK[p] <= top));
}

/** True when the granted permissions include `perm`, directly or through the hierarchy. */
export function impliesPermission(granted: Iterable<Permission>, perm: Permission): boolean {
  for (const p of granted) if (RANK[p] >= RANK[perm]) return true;
  return false;
}

export function hasPermission(ctx: UserContext, perm: Permission): boolean {
  return impliesPermission(ctx.permissions, perm);
}

/** Throws FORBIDDEN (403) unless the context holds `perm` (directly or by implication). */
export function requirePermission(ctx: UserContext, perm: Permission): void {
  if (!hasPermission(ctx, perm)) {
    throw new NexusError('FORBIDDEN', `This operation requires the ${perm} permission`, {
      details: { required: perm },
    });
  }
}
