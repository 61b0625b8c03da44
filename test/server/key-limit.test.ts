// auth.max_keys_per_user over the wire: the real wiring (openServices) and a listening server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openServices } from '../../src/server/open-services.js';
import { startServer } from '../../src/server/start-server.js';
import { testConfig } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'nexus-key-limit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('auth.max_keys_per_user (HTTP)', () => {
  it('answers 409 API_KEY_LIMIT_EXCEEDED past the limit; a revoke frees the slot', async () => {
    const root = 'limit-root-key-0123456789';
    const config = testConfig({
      server: { port: 0 },
      storage: { data_dir: join(dir, 'db') },
      auth: { enabled: true, root_api_key: root, max_keys_per_user: 2 },
    });
    const running = await startServer({ config, version: 't', openServices, print: () => undefined });
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${running.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${root}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return {
        status: res.status,
        body: (await res.json()) as {
          key?: { id: string };
          error?: { code: string; details?: unknown };
        },
      };
    };
    try {
      const create = (user_id: string) =>
        call('POST', '/auth/api-keys', { name: 'k', user_id, permissions: ['READ'] });
      const first = await create('acme');
      expect(first.status).toBe(201);
      expect((await create('acme')).status).toBe(201);
      const refused = await create('acme');
      expect(refused.status).toBe(409);
      expect(refused.body.error?.code).toBe('API_KEY_LIMIT_EXCEEDED');
      expect(refused.body.error?.details).toEqual({ user_id: 'acme', limit: 2 });
      expect((await create('globex')).status).toBe(201);
      const revoked = await call('DELETE', `/auth/api-keys/${String(first.body.key?.id)}`);
      expect(revoked.status).toBe(200);
      expect((await create('acme')).status).toBe(201);
      expect((await create('acme')).status).toBe(409);
    } finally {
      await running.close();
    }
  });
});
