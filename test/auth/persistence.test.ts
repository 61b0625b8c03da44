import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphStore } from '../../src/storage/index.js';
import { AUTH_TABLE_NAME, createAuth, type AuthTableEntry, type UserContext } from '../../src/auth/index.js';

// Keys and the generated root key over the real LMDB system table, across a restart.
describe('auth state in the LMDB store', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('survives a restart: root key hash, keys, revocations; secrets never stored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nexus-auth-'));
    dirs.push(dir);
    let store = await GraphStore.open({ path: dir });
    const first = await createAuth({
      table: store.systemTable<AuthTableEntry>(AUTH_TABLE_NAME),
      enabled: true,
      clusterMode: false,
      env: {},
    });
    const rootSecret = first.generatedRootKey ?? '';
    const root: UserContext = first.auth.authenticate({ 'x-api-key': rootSecret }, 'ip');
    const kept = await first.keys.create({ name: 'kept', permissions: ['READ'] }, root);
    const gone = await first.keys.create({ name: 'gone', permissions: ['WRITE'] }, root);
    await first.keys.revoke(gone.key.id, root);
    const dump = JSON.stringify([...store.systemTable<AuthTableEntry>(AUTH_TABLE_NAME).entries()]);
    for (const s of [rootSecret, kept.secret, gone.secret]) expect(dump).not.toContain(s);
    await first.keys.flush();
    await store.close();

    store = await GraphStore.open({ path: dir });
    const second = await createAuth({
      table: store.systemTable<AuthTableEntry>(AUTH_TABLE_NAME),
      enabled: true,
      clusterMode: false,
      env: {},
    });
    expect(second.generatedRootKey).toBeUndefined();
    expect(second.auth.authenticate({ authorization: `Bearer ${rootSecret}` }, 'ip').isRoot).toBe(true);
    expect(second.auth.authenticate({ 'x-api-key': kept.secret }, 'ip').keyId).toBe(kept.key.id);
    expect(() => second.auth.authenticate({ 'x-api-key': gone.secret }, 'ip')).toThrow(
      /invalid, revoked or expired/,
    );
    await store.close();
  });

  it('sees a revoke or permission change by another process on the next request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nexus-auth-'));
    dirs.push(dir);
    const store = await GraphStore.open({ path: dir });
    const open = () =>
      createAuth({
        table: store.systemTable<AuthTableEntry>(AUTH_TABLE_NAME),
        enabled: true,
        clusterMode: false,
        env: {},
      });
    const server = await open();
    const root = server.auth.authenticate({ 'x-api-key': server.generatedRootKey ?? '' }, 'ip');
    const { key, secret } = await server.keys.create({ name: 'k', permissions: ['READ'] }, root);
    // Authenticated twice: the second time from the parsed copy of unchanged bytes.
    expect(server.auth.authenticate({ 'x-api-key': secret }, 'ip').permissions).toContain('READ');
    expect(server.auth.authenticate({ 'x-api-key': secret }, 'ip').permissions).not.toContain('WRITE');
    // Another service instance (as another process would) changes the stored entry.
    const other = await open();
    await other.keys.update(key.id, { permissions: ['WRITE'] }, root);
    expect(server.auth.authenticate({ 'x-api-key': secret }, 'ip').permissions).toContain('WRITE');
    await other.keys.revoke(key.id, root);
    expect(() => server.auth.authenticate({ 'x-api-key': secret }, 'ip')).toThrow(
      /invalid, revoked or expired/,
    );
    await server.keys.flush();
    await other.keys.flush();
    await store.close();
  });
});
