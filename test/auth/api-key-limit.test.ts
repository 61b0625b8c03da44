// auth.max_keys_per_user in ApiKeyService.create: active keys per owner, null-owner group, concurrency.
import { describe, expect, it } from 'vitest';
import { ApiKeyService, MemorySystemTable } from '../../src/auth/index.js';
import type { AuthTableEntry, CreateKeyInput } from '../../src/auth/index.js';
import { NexusError } from '../../src/errors.js';
import { statusOf } from '../../src/service/error-status.js';
import { ctx, DeferredTable, SUPER, TestClock } from './helpers.js';

function limited(maxKeysPerUser: number | null, clusterMode = false) {
  const clock = new TestClock();
  const table = new MemorySystemTable<AuthTableEntry>();
  const service = new ApiKeyService(table, { clusterMode, clock: clock.fn, maxKeysPerUser });
  return { table, service, clock };
}

const key = (user_id: string | null, extra: Partial<CreateKeyInput> = {}): CreateKeyInput => ({
  name: 'k',
  user_id,
  permissions: ['READ'],
  ...extra,
});

async function refusal(p: Promise<unknown>): Promise<NexusError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof NexusError) return err;
    throw err;
  }
  throw new Error('expected the create to be refused');
}

describe('ApiKeyService: max keys per user', () => {
  it('refuses the key past the limit with API_KEY_LIMIT_EXCEEDED (409) and stores nothing', async () => {
    const { service, table } = limited(2);
    await service.create(key('acme'), SUPER);
    await service.create(key('acme'), SUPER);
    const before = [...table.entries()].length;
    const err = await refusal(service.create(key('acme'), SUPER));
    expect(err.code).toBe('API_KEY_LIMIT_EXCEEDED');
    expect(statusOf(err.code)).toBe(409);
    expect(err.details).toEqual({ user_id: 'acme', limit: 2 });
    expect(err.message).toContain('acme');
    expect([...table.entries()].length).toBe(before);
    expect(service.list(SUPER)).toHaveLength(2);
  });

  it('revoking a key frees its slot', async () => {
    const { service } = limited(2);
    const first = await service.create(key('acme'), SUPER);
    await service.create(key('acme'), SUPER);
    expect((await refusal(service.create(key('acme'), SUPER))).code).toBe('API_KEY_LIMIT_EXCEEDED');
    await service.revoke(first.key.id, SUPER);
    const third = await service.create(key('acme'), SUPER);
    expect(service.verify(third.secret)?.id).toBe(third.key.id);
    expect((await refusal(service.create(key('acme'), SUPER))).code).toBe('API_KEY_LIMIT_EXCEEDED');
  });

  it('an expired key no longer counts', async () => {
    const { service, clock } = limited(1);
    const soon = new Date(clock.now + 60_000).toISOString();
    await service.create(key('acme', { expires_at: soon }), SUPER);
    expect((await refusal(service.create(key('acme'), SUPER))).code).toBe('API_KEY_LIMIT_EXCEEDED');
    clock.advance(60_000);
    await expect(service.create(key('acme'), SUPER)).resolves.toBeDefined();
  });

  it('counts per user_id: another user is unaffected', async () => {
    const { service } = limited(1);
    await service.create(key('acme'), SUPER);
    expect((await refusal(service.create(key('acme'), SUPER))).code).toBe('API_KEY_LIMIT_EXCEEDED');
    await expect(service.create(key('globex'), SUPER)).resolves.toBeDefined();
    await expect(service.create(key(null), SUPER)).resolves.toBeDefined();
  });

  it('keys without a user_id are limited as one owner (standalone)', async () => {
    const { service } = limited(2);
    await service.create(key(null), SUPER);
    await service.create({ name: 'k', permissions: ['WRITE'] }, SUPER);
    const err = await refusal(service.create(key(null), SUPER));
    expect(err.code).toBe('API_KEY_LIMIT_EXCEEDED');
    expect(err.details).toEqual({ user_id: null, limit: 2 });
    await expect(service.create(key('acme'), SUPER)).resolves.toBeDefined();
  });

  it("applies to a tenant admin creating its own tenant's keys (cluster mode)", async () => {
    const { service } = limited(2, true);
    await service.create(key('acme', { permissions: ['ADMIN'] }), SUPER);
    const admin = ctx(['ADMIN'], { userId: 'acme' });
    await service.create({ name: 'w', permissions: ['WRITE'] }, admin);
    const err = await refusal(service.create({ name: 'w2', permissions: ['WRITE'] }, admin));
    expect(err.code).toBe('API_KEY_LIMIT_EXCEEDED');
  });

  it('0 allows no key at all; null is unlimited', async () => {
    const none = limited(0);
    expect((await refusal(none.service.create(key('acme'), SUPER))).code).toBe('API_KEY_LIMIT_EXCEEDED');
    const unlimited = limited(null);
    for (let i = 0; i < 120; i++) await unlimited.service.create(key('acme'), SUPER);
    expect(unlimited.service.list(SUPER)).toHaveLength(120);
    // The default of the service itself (no option) is unlimited too.
    const plain = new ApiKeyService(new MemorySystemTable<AuthTableEntry>());
    for (let i = 0; i < 105; i++) await plain.create(key(null), SUPER);
    expect(plain.list(SUPER)).toHaveLength(105);
  });

  it('concurrent creates cannot pass the limit while their writes are uncommitted', async () => {
    const table = new DeferredTable<AuthTableEntry>();
    const service = new ApiKeyService(table, { clock: new TestClock().fn, maxKeysPerUser: 2 });
    const creates = Array.from({ length: 5 }, () => service.create(key('acme'), SUPER));
    const settled = Promise.allSettled(creates);
    // Commit hash entries, then key entries, as the writes are issued.
    for (let i = 0; i < 4; i++) {
      table.commitAll();
      await new Promise((r) => setTimeout(r, 0));
    }
    const results = await settled;
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter(
      (r) => r.status === 'rejected' && (r.reason as NexusError).code === 'API_KEY_LIMIT_EXCEEDED',
    );
    expect(ok).toHaveLength(2);
    expect(refused).toHaveLength(3);
    expect(service.list(SUPER)).toHaveLength(2);
  });

  it('a create whose key write is still pending counts toward the limit', async () => {
    const table = new DeferredTable<AuthTableEntry>();
    const service = new ApiKeyService(table, { clock: new TestClock().fn, maxKeysPerUser: 1 });
    const first = service.create(key('acme'), SUPER);
    table.commitAll(); // the hash entry; the key entry is issued next and stays pending
    await new Promise((r) => setTimeout(r, 0));
    expect([...table.entries('key:')]).toHaveLength(0);
    expect((await refusal(service.create(key('acme'), SUPER))).code).toBe('API_KEY_LIMIT_EXCEEDED');
    table.commitAll();
    await first;
    expect((await refusal(service.create(key('acme'), SUPER))).code).toBe('API_KEY_LIMIT_EXCEEDED');
  });

  it('a failed create releases its slot', async () => {
    class FailingTable extends MemorySystemTable<AuthTableEntry> {
      fail = true;
      override put(k: string, v: AuthTableEntry): Promise<void> {
        if (this.fail && k.startsWith('key:')) return Promise.reject(new Error('disk full'));
        return super.put(k, v);
      }
    }
    const table = new FailingTable();
    const service = new ApiKeyService(table, { maxKeysPerUser: 1 });
    await expect(service.create(key('acme'), SUPER)).rejects.toThrow('disk full');
    table.fail = false;
    await expect(service.create(key('acme'), SUPER)).resolves.toBeDefined();
  });
});
