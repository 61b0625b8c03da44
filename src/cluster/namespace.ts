/**
 * Tenant identity → storage namespace. A tenant's namespace is derived from its HiveHub
 * `user_id` and nothing else, so two keys of one tenant always land in the same
 * namespace and no tenant can name another's.
 */
import { NexusError } from '../errors.js';

/** HiveHub's user id format: 1–128 characters of [A-Za-z0-9_-]. */
export const USER_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

export type NamespaceId = string;

export function isValidUserId(userId: unknown): userId is string {
  return typeof userId === 'string' && USER_ID_PATTERN.test(userId);
}

export function assertValidUserId(userId: unknown): asserts userId is string {
  if (!isValidUserId(userId)) {
    throw new NexusError('INVALID_BODY', 'user_id must be 1-128 characters of [A-Za-z0-9_-]');
  }
}

/** The namespace that holds a tenant's graph. */
export function tenantNamespace(userId: string): NamespaceId {
  assertValidUserId(userId);
  return `tenant:${userId}`;
}
