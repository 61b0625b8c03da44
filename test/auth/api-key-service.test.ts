import { describe, expect, it } from 'vitest';
import { ApiKeyService, hashSecret } from '../../src/auth/index.js';
import type { AuthTableEntry } from '../../src/auth/index.js';
import { NexusError } from '../../src/errors.js';
import { ctx, DeferredTable, makeService, SUPER, TestClock } from './helpers.js';

/** A service whose table writes wait for `commitAll()`, holding one committed READ key. */
async function deferredServiceWithKey() {
  const table = new DeferredTable<AuthTableEntry>();
  const service = new ApiKeyService(table, { clock: new TestClock().fn });
  const creating = service.create({ name: 'k', permissions: ['READ'] }, SUPER);
  await Promise.resolve();
  table.commitAll();
  await new Promise((r) => setTimeout(r, 0));
  table.commitAll();
  const { key, secret } = await creating;
  return { table, service, key, secret };
}

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    if (err instanceof NexusError) return err.code;
    throw err;
  }
  return undefined;
}

describe('ApiKeyService: storage and verification', () => {
  it('stores only the SHA-256 hash and returns the secret once', async () => {
    const { table, service } = makeService();
    const { key, secret } = await service.create({ name: 'k', permissions: ['READ'] }, SUPER);
    const dump = JSON.stringify([...table.entries()]);
    expect(dump).not.toContain(secret);
    expect(dump).toContain(hashSecret(secret));
    expect(key).toMatchObject({
      name: 'k',
      user_id: null,
      permissions: ['READ'],
      allowed_functions: null,
      expires_at: null,
      revoked_at: null,
      last_used_at: null,
    });
    expect(JSON.stringify(key)).not.toContain(secret);
    expect(service.verify(secret)?.id).toBe(key.id);
  });

  it('rejects unknown and malformed secrets with a reason', async () => {
    const { service } = makeService();
    const { secret } = await service.create({ name: 'k', permissions: ['READ'] }, SUPER);
    const other = 'nx_' + 'A'.repeat(43);
    expect(service.check(other)).toEqual({ ok: false, reason: 'unknown' });
    expect(service.check('nx_nope')).toEqual({ ok: false, reason: 'malformed' });
    expect(service.check(secret + 'x')).toEqual({ ok: false, reason: 'malformed' });
    expect(service.verify(other)).toBeUndefined();
  });

  it('expires keys by the injected clock', async () => {
    const { service, clock } = makeService();
    const expires = new Date(clock.now + 60_000).toISOString();
    const { secret } = await service.create({ name: 'k', permissions: ['READ'], expires_at: expires }, SUPER);
    expect(service.check(secret).ok).toBe(true);
    clock.advance(59_999);
    expect(service.check(secret).ok).toBe(true);
    clock.advance(1);
    expect(service.check(secret)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses an expiry in the past or not a date', async () => {
    const { service, clock } = makeService();
    const past = new Date(clock.now - 1).toISOString();
    expect(await codeOf(service.create({ name: 'k', permissions: ['READ'], expires_at: past }, SUPER))).toBe(
      'INVALID_BODY',
    );
    expect(
      await codeOf(service.create({ name: 'k', permissions: ['READ'], expires_at: 'soon' }, SUPER)),
    ).toBe('INVALID_BODY');
  });

  it('revocation takes effect immediately, even before the write commits', async () => {
    const { table, service, key, secret } = await deferredServiceWithKey();
    expect(service.verify(secret)).toBeDefined();
    const pending = service.revoke(key.id, SUPER);
    expect(table.get(`key:${key.id}`)).toMatchObject({ record: { revoked_at: null } });
    expect(service.check(secret)).toEqual({ ok: false, reason: 'revoked' });
    table.commitAll();
    const revoked = await pending;
    expect(revoked.revoked_at).not.toBeNull();
    expect(service.check(secret)).toEqual({ ok: false, reason: 'revoked' });
    // Idempotent and still listed for audit.
    const again = service.revoke(key.id, SUPER);
    table.commitAll();
    expect((await again).revoked_at).toBe(revoked.revoked_at);
    expect(service.list(SUPER).map((k) => k.id)).toEqual([key.id]);
  });

  it('sees a revoke written by another service instance on the same table', async () => {
    const { table, service, clock } = makeService();
    const { key, secret } = await service.create({ name: 'k', permissions: ['READ'] }, SUPER);
    expect(service.verify(secret)).toBeDefined();
    const { ApiKeyService } = await import('../../src/auth/index.js');
    const other = new ApiKeyService(table, { clock: clock.fn });
    await other.revoke(key.id, SUPER);
    expect(service.check(secret)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('updates last_used_at at most once per minute', async () => {
    const { service, clock } = makeService();
    const { key, secret } = await service.create({ name: 'k', permissions: ['READ'] }, SUPER);
    const t0 = new Date(clock.now).toISOString();
    service.verify(secret);
    await service.flush();
    expect(service.get(key.id, SUPER).last_used_at).toBe(t0);
    clock.advance(30_000);
    service.verify(secret);
    await service.flush();
    expect(service.get(key.id, SUPER).last_used_at).toBe(t0);
    clock.advance(30_000);
    service.verify(secret);
    await service.flush();
    expect(service.get(key.id, SUPER).last_used_at).toBe(new Date(clock.now).toISOString());
  });

  it('a last_used_at update never undoes a revoke', async () => {
    const { table, service, key, secret } = await deferredServiceWithKey();
    const revoking = service.revoke(key.id, SUPER);
    // The revoke is not committed yet; a verify now must neither succeed nor write stale state.
    expect(service.verify(secret)).toBeUndefined();
    table.commitAll();
    await revoking;
    table.commitAll();
    await service.flush();
    expect(service.get(key.id, SUPER).revoked_at).not.toBeNull();
  });

  it('validates names, permissions and function names', async () => {
    const { service } = makeService();
    expect(await codeOf(service.create({ name: '', permissions: ['READ'] }, SUPER))).toBe('INVALID_BODY');
    expect(await codeOf(service.create({ name: 'k', permissions: [] }, SUPER))).toBe('INVALID_BODY');
    expect(
      await codeOf(service.create({ name: 'k', permissions: ['OWNER' as unknown as 'READ'] }, SUPER)),
    ).toBe('INVALID_BODY');
    expect(
      await codeOf(
        service.create({ name: 'k', permissions: ['READ'], allowed_functions: ['drop_everything'] }, SUPER),
      ),
    ).toBe('INVALID_BODY');
    expect(
      await codeOf(service.create({ name: 'k', permissions: ['READ'], user_id: 'bad id!' }, SUPER)),
    ).toBe('INVALID_BODY');
    const { key } = await service.create(
      { name: 'k', permissions: ['WRITE', 'READ', 'WRITE'], allowed_functions: ['get_node', 'get_node'] },
      SUPER,
    );
    expect(key.permissions).toEqual(['READ', 'WRITE']);
    expect(key.allowed_functions).toEqual(['get_node']);
  });

  it('updates name, permissions and allowed_functions', async () => {
    const { service } = makeService();
    const { key, secret } = await service.create({ name: 'k', permissions: ['READ'] }, SUPER);
    const updated = await service.update(
      key.id,
      { name: 'renamed', permissions: ['WRITE'], allowed_functions: ['execute_cypher'] },
      SUPER,
    );
    expect(updated).toMatchObject({
      name: 'renamed',
      permissions: ['WRITE'],
      allowed_functions: ['execute_cypher'],
    });
    expect(service.verify(secret)).toMatchObject({
      permissions: ['WRITE'],
      allowed_functions: ['execute_cypher'],
    });
    expect(await codeOf(service.update('no-such-id', { name: 'x' }, SUPER))).toBe('NOT_FOUND');
  });
});

describe('ApiKeyService: standalone management rules', () => {
  const admin = ctx(['ADMIN']);

  it('ADMIN and SUPER manage keys; READ/WRITE get FORBIDDEN', async () => {
    const { service } = makeService();
    await service.create({ name: 'a', permissions: ['READ'] }, admin);
    expect(service.list(admin)).toHaveLength(1);
    expect(await codeOf(service.create({ name: 'w', permissions: ['READ'] }, ctx(['WRITE'])))).toBe(
      'FORBIDDEN',
    );
    expect(await codeOf(() => service.list(ctx(['READ'])))).toBe('FORBIDDEN');
  });

  it('an ADMIN cannot grant SUPER nor touch SUPER keys', async () => {
    const { service } = makeService();
    expect(await codeOf(service.create({ name: 's', permissions: ['SUPER'] }, admin))).toBe('FORBIDDEN');
    const { key } = await service.create({ name: 's', permissions: ['SUPER'] }, SUPER);
    expect(await codeOf(service.revoke(key.id, admin))).toBe('FORBIDDEN');
    expect(await codeOf(service.update(key.id, { name: 'x' }, admin))).toBe('FORBIDDEN');
    const { key: plain } = await service.create({ name: 'p', permissions: ['READ'] }, admin);
    expect(await codeOf(service.update(plain.id, { permissions: ['SUPER'] }, admin))).toBe('FORBIDDEN');
  });

  it('a key with restricted functions grants only a subset, never null', async () => {
    const { service } = makeService();
    const restricted = ctx(['ADMIN'], { allowedFunctions: ['manage_api_keys', 'get_node', 'create_node'] });
    const { key } = await service.create(
      { name: 'r', permissions: ['READ'], allowed_functions: ['get_node'] },
      restricted,
    );
    expect(key.allowed_functions).toEqual(['get_node']);
    expect(await codeOf(service.create({ name: 'r', permissions: ['READ'] }, restricted))).toBe('FORBIDDEN');
    expect(
      await codeOf(
        service.create({ name: 'r', permissions: ['READ'], allowed_functions: ['delete_node'] }, restricted),
      ),
    ).toBe('FORBIDDEN');
  });
});

describe('ApiKeyService: cluster management rules', () => {
  const aliceAdmin = ctx(['ADMIN'], { userId: 'alice' });
  const bobAdmin = ctx(['ADMIN'], { userId: 'bob' });

  it('every non-SUPER key needs a valid user_id', async () => {
    const { service } = makeService(true);
    expect(await codeOf(service.create({ name: 'k', permissions: ['READ'] }, SUPER))).toBe('INVALID_BODY');
    expect(
      await codeOf(service.create({ name: 'k', permissions: ['READ'], user_id: 'a'.repeat(129) }, SUPER)),
    ).toBe('INVALID_BODY');
    const { key } = await service.create({ name: 'k', permissions: ['READ'], user_id: 'alice' }, SUPER);
    expect(key.user_id).toBe('alice');
    const { key: superKey } = await service.create({ name: 's', permissions: ['SUPER'] }, SUPER);
    expect(superKey.user_id).toBeNull();
    expect(await codeOf(service.update(superKey.id, { permissions: ['ADMIN'] }, SUPER))).toBe('INVALID_BODY');
  });

  it('a tenant admin creates keys only for itself, with permissions it holds, never SUPER', async () => {
    const { service } = makeService(true);
    const { key } = await service.create({ name: 'k', permissions: ['WRITE'] }, aliceAdmin);
    expect(key.user_id).toBe('alice');
    expect(
      await codeOf(service.create({ name: 'k', permissions: ['READ'], user_id: 'bob' }, aliceAdmin)),
    ).toBe('FORBIDDEN');
    expect(await codeOf(service.create({ name: 'k', permissions: ['SUPER'] }, aliceAdmin))).toBe('FORBIDDEN');
    const aliceWriter = ctx(['WRITE'], { userId: 'alice' });
    expect(await codeOf(service.create({ name: 'k', permissions: ['READ'] }, aliceWriter))).toBe('FORBIDDEN');
  });

  it("another tenant's key is NOT_FOUND, never FORBIDDEN, and never listed", async () => {
    const { service } = makeService(true);
    const { key: aliceKey } = await service.create({ name: 'a', permissions: ['READ'] }, aliceAdmin);
    const { key: bobKey } = await service.create({ name: 'b', permissions: ['READ'] }, bobAdmin);
    expect(service.list(aliceAdmin).map((k) => k.id)).toEqual([aliceKey.id]);
    expect(
      service
        .list(SUPER)
        .map((k) => k.id)
        .sort(),
    ).toEqual([aliceKey.id, bobKey.id].sort());
    expect(await codeOf(() => service.get(bobKey.id, aliceAdmin))).toBe('NOT_FOUND');
    expect(await codeOf(service.revoke(bobKey.id, aliceAdmin))).toBe('NOT_FOUND');
    expect(await codeOf(service.update(bobKey.id, { name: 'x' }, aliceAdmin))).toBe('NOT_FOUND');
    expect(service.get(aliceKey.id, aliceAdmin).id).toBe(aliceKey.id);
    expect((await service.revoke(aliceKey.id, aliceAdmin)).revoked_at).not.toBeNull();
    expect(service.get(bobKey.id, SUPER).revoked_at).toBeNull();
  });

  it('SUPER creates keys for any tenant', async () => {
    const { service } = makeService(true);
    const { key } = await service.create({ name: 'k', permissions: ['ADMIN'], user_id: 'carol' }, SUPER);
    expect(key.user_id).toBe('carol');
    expect(service.list(ctx(['ADMIN'], { userId: 'carol' })).map((k) => k.id)).toEqual([key.id]);
  });
});
