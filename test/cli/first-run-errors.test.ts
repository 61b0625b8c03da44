/**
 * First-run errors (issue 17 §4): each names the problem and the fix, through the real CLI
 * process where the condition can be produced (port in use, data path is a file, missing
 * data dir for `query`, short root key, cluster mode over standalone data) and through
 * `explainStartupError` for the ones a root test process cannot provoke (EACCES).
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkDataDir, explainStartupError } from '../../src/cli/startup-errors.js';
import { NexusError } from '../../src/errors.js';
import { REPO_ROOT, runCli, startServerProcess } from '../helpers/server-process.js';

const dir = mkdtempSync(join(tmpdir(), 'nexus-first-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('first-run errors of the CLI', () => {
  it('names the port and --port when the port is in use', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const res = await runCli(['serve', '--port', String(port), '--data', join(dir, 'port')]);
      expect(res.code).toBe(1);
      expect(res.stderr).toContain(`port ${port} is already in use`);
      expect(res.stderr).toContain('--port');
      expect(res.stderr).not.toContain('EADDRINUSE');
    } finally {
      blocker.close();
    }
  });

  it('says the data path is a file', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const res = await runCli(['serve', '--port', '0', '--data', file]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`the data path ${file} is a file, not a directory`);
    expect(res.stderr).not.toContain('EEXIST');
  });

  it('does not create a missing data dir for query, and offers --create', async () => {
    const missing = join(dir, 'typo');
    const res = await runCli(['query', 'RETURN 1', '--data', missing]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`the data directory ${missing} does not exist`);
    expect(res.stderr).toContain('--create');
    expect(existsSync(missing)).toBe(false);
    const created = await runCli(['query', 'RETURN 1 AS one', '--data', missing, '--create']);
    expect(created.code).toBe(0);
    expect(existsSync(missing)).toBe(true);
  });

  it('rejects a short root key without echoing it', async () => {
    const secret = 'tooShort-Zq9';
    const res = await runCli(['serve', '--port', '0', '--data', join(dir, 'key')], {
      env: { NEXUS_AUTH_ENABLED: 'true', NEXUS_ROOT_API_KEY: secret },
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('root API key is too short');
    expect(res.stderr).toContain('at least 16 characters');
    expect(res.stderr + res.stdout).not.toContain(secret);
  });

  it('prints a syntax error with the line and a caret under the offending token', async () => {
    const data = join(dir, 'syntax');
    const res = await runCli(['query', 'MATCH (n RETURN n', '--data', data, '--create']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(
      "Invalid input 'RETURN': expected ')' (line 1, column 10 (offset: 9))\n" +
        '"MATCH (n RETURN n"\n' +
        '          ^',
    );
  });

  it('warns when cluster mode starts on a store holding standalone data, and names nexus migrate', async () => {
    const data = join(dir, 'standalone');
    expect((await runCli(['query', 'CREATE (:Old)', '--data', data, '--create'])).code).toBe(0);
    const server = await startServerProcess({
      dataDir: data,
      env: {
        NEXUS_CLUSTER_ENABLED: 'true',
        NEXUS_ROOT_API_KEY: 'root-key-for-the-warning-test-0123',
        // Never contacted in this test: the gate only calls HiveHub for requests.
        NEXUS_HIVEHUB_BASE_URL: 'http://127.0.0.1:9',
        NEXUS_HIVEHUB_SERVICE_API_KEY: 'service-key-0123456789',
      },
    });
    try {
      const line = await server.waitForOutput(/holds standalone data/);
      expect(line).toContain('1 nodes');
      expect(line).toContain('nexus migrate --to-tenant <user_id>');
    } finally {
      await server.stop();
    }
  });
});

describe('explainStartupError', () => {
  const errno = (code: string, extra: Record<string, unknown>): Error =>
    Object.assign(new Error(`${code}: raw`), { code, ...extra });

  it('names the path and the user on permission denied', () => {
    const err = explainStartupError(errno('EACCES', { syscall: 'open', path: '/srv/nexus/data.mdb' }));
    expect(err).toBeInstanceOf(NexusError);
    expect((err as NexusError).message).toMatch(
      /^permission denied on \/srv\/nexus\/data\.mdb for \S+ \(uid \d+\) \(open\)/,
    );
    expect((err as NexusError).message).toContain('--data');
  });

  it('explains privileged ports', () => {
    const err = explainStartupError(errno('EACCES', { syscall: 'listen', port: 80 })) as NexusError;
    expect(err.message).toContain('permission denied to listen on port 80');
    expect(err.message).toContain('--port');
  });

  it('passes other errors through unchanged', () => {
    const raw = errno('EIO', {});
    expect(explainStartupError(raw)).toBe(raw);
  });

  it('checkDataDir accepts an existing directory and a missing one with create', () => {
    expect(() => checkDataDir(dir, { create: false })).not.toThrow();
    expect(() => checkDataDir(join(dir, 'nope'), { create: true })).not.toThrow();
  });
});

describe('npm start', () => {
  it('stops the server when npm receives SIGTERM (no orphan holding the lock)', async () => {
    const data = join(dir, 'npm-start');
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? dir,
        NEXUS_PORT: '0',
        NEXUS_DATA_DIR: data,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    npm.stdout.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ready line: ${out}`)), 30_000);
      npm.stdout.on('data', (c: string) => {
        out += c;
        if (out.includes('Nexus listening on')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    expect(existsSync(join(data, 'nexus.lock'))).toBe(true);
    const exited = new Promise<number | null>((r) => npm.once('exit', (code) => r(code)));
    npm.kill('SIGTERM');
    await exited;
    // The server released its lock: it shut down rather than being orphaned.
    await expect.poll(() => existsSync(join(data, 'nexus.lock')), { timeout: 10_000 }).toBe(false);
  });
});
