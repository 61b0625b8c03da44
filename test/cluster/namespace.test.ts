import { describe, expect, it } from 'vitest';
import { assertValidUserId, isValidUserId, tenantNamespace } from '../../src/cluster/namespace.js';

describe('tenant namespaces', () => {
  it('derives the namespace from a valid user id only', () => {
    expect(tenantNamespace('5f0c-AB_9')).toBe('tenant:5f0c-AB_9');
    expect(() => tenantNamespace('../other')).toThrow(expect.objectContaining({ code: 'INVALID_BODY' }));
  });

  it('accepts 1-128 characters of [A-Za-z0-9_-]', () => {
    expect(isValidUserId('a'.repeat(128))).toBe(true);
    expect(isValidUserId('a'.repeat(129))).toBe(false);
    expect(isValidUserId('')).toBe(false);
    expect(isValidUserId('a b')).toBe(false);
    expect(isValidUserId(7)).toBe(false);
    expect(() => assertValidUserId('ok_id')).not.toThrow();
  });
});
