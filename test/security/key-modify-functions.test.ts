// A tenant ADMIN whose allowed_functions are restricted cannot rename, re-permission or
// revoke a key of its tenant that may call more functions than it may (the same rule that
// already held for permissions). It still manages keys within its own reach.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_KEY, startStack, type Stack } from './harness.js';

let s: Stack;
let restricted: string;
let unrestrictedId: string;
let widerId: string;
let narrowId: string;

beforeAll(async () => {
  s = await startStack();
  restricted = (
    await s.createKey({
      name: 'restricted-admin',
      user_id: 'alice',
      permissions: ['ADMIN'],
      allowed_functions: ['manage_api_keys', 'execute_cypher'],
    })
  ).secret;
  unrestrictedId = (await s.createKey({ name: 'full', user_id: 'alice', permissions: ['READ'] })).id;
  widerId = (
    await s.createKey({
      name: 'wider',
      user_id: 'alice',
      permissions: ['READ'],
      allowed_functions: ['execute_cypher', 'ingest'],
    })
  ).id;
  narrowId = (
    await s.createKey({
      name: 'narrow',
      user_id: 'alice',
      permissions: ['READ'],
      allowed_functions: ['execute_cypher'],
    })
  ).id;
});
afterAll(async () => {
  await s.close();
});

describe('restricted ADMIN and keys that may call more', () => {
  it('cannot rename or revoke an unrestricted key or one with functions it lacks', async () => {
    for (const id of [unrestrictedId, widerId]) {
      const patch = await s.request(restricted, 'PATCH', `/auth/api-keys/${id}`, { name: 'x' });
      expect(patch.statusCode, id).toBe(403);
      expect(patch.json().error.code).toBe('FORBIDDEN');
      const del = await s.request(restricted, 'DELETE', `/auth/api-keys/${id}`);
      expect(del.statusCode, id).toBe(403);
      const after = (await s.request(ROOT_KEY, 'GET', `/auth/api-keys/${id}`)).json().key;
      expect(after.revoked_at).toBeNull();
      expect(after.name).not.toBe('x');
    }
  });

  it('still manages a key within its own functions', async () => {
    const patch = await s.request(restricted, 'PATCH', `/auth/api-keys/${narrowId}`, { name: 'renamed' });
    expect(patch.statusCode).toBe(200);
    expect(patch.json().key.name).toBe('renamed');
    const del = await s.request(restricted, 'DELETE', `/auth/api-keys/${narrowId}`);
    expect(del.statusCode).toBe(200);
    expect(del.json().key.revoked_at).not.toBeNull();
  });
});
