import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuth, hashSecret, MemorySystemTable, resolveRootKey } from '../../src/auth/index.js';
import type { AuthTableEntry } from '../../src/auth/index.js';

describe('root key', () => {
  it('generates once, stores only the hash, and reuses it on later starts', async () => {
    const table = new MemorySystemTable<AuthTableEntry>();
    const first = await resolveRootKey(table, { enabled: true, env: {} });
    expect(first.generatedSecret).toMatch(/^nx_/);
    expect(first.rootKey).toEqual({ hash: hashSecret(first.generatedSecret ?? ''), source: 'generated' });
    expect(JSON.stringify([...table.entries()])).not.toContain(first.generatedSecret);
    const second = await resolveRootKey(table, { enabled: true, env: {} });
    expect(second.generatedSecret).toBeUndefined();
    expect(second.rootKey).toEqual({ hash: first.rootKey?.hash, source: 'stored' });
  });

  it('uses NEXUS_ROOT_API_KEY, or the trimmed file NEXUS_ROOT_API_KEY_FILE', async () => {
    const table = new MemorySystemTable<AuthTableEntry>();
    const env = await resolveRootKey(table, { enabled: true, env: { NEXUS_ROOT_API_KEY: 'from-env' } });
    expect(env.rootKey).toEqual({ hash: hashSecret('from-env'), source: 'env' });
    const dir = mkdtempSync(join(tmpdir(), 'nexus-root-'));
    try {
      const file = join(dir, 'root.key');
      writeFileSync(file, '  from-file\n');
      const f = await resolveRootKey(table, { enabled: true, env: { NEXUS_ROOT_API_KEY_FILE: file } });
      expect(f.rootKey).toEqual({ hash: hashSecret('from-file'), source: 'file' });
      await expect(
        resolveRootKey(table, { enabled: true, env: { NEXUS_ROOT_API_KEY_FILE: join(dir, 'missing') } }),
      ).rejects.toThrow(/Cannot read the root API key file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(table.size).toBe(0);
  });

  it('nothing when auth is disabled', async () => {
    const table = new MemorySystemTable<AuthTableEntry>();
    expect(await resolveRootKey(table, { enabled: false, env: {} })).toEqual({});
    expect(table.size).toBe(0);
  });

  it('createAuth wires a root key that authenticates as SUPER', async () => {
    const table = new MemorySystemTable<AuthTableEntry>();
    const { auth, keys, generatedRootKey } = await createAuth({
      table,
      enabled: true,
      clusterMode: true,
      env: {},
    });
    expect(generatedRootKey).toBeDefined();
    const root = auth.authenticate({ 'x-api-key': generatedRootKey }, '127.0.0.1');
    expect(root.isRoot).toBe(true);
    const { secret } = await keys.create({ name: 't', permissions: ['ADMIN'], user_id: 'acme' }, root);
    expect(auth.authenticate({ authorization: `Bearer ${secret}` }, '127.0.0.1').namespace).toBe(
      'tenant:acme',
    );
    const again = await createAuth({ table, enabled: true, clusterMode: true, env: {} });
    expect(again.generatedRootKey).toBeUndefined();
    expect(again.auth.authenticate({ 'x-api-key': generatedRootKey }, '127.0.0.1').isRoot).toBe(true);
  });
});
