import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../src/cli/index.js';
import { runCli } from '../helpers/server-process.js';

const dir = mkdtempSync(join(tmpdir(), 'nexus-cli-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...args: string[]): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: (t) => void (out += t), stderr: (t) => void (err += t) };
  await main(['node', 'nexus', ...args], io);
  return { out, err };
}

describe('nexus CLI', () => {
  it('prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect((await run('--version')).out.trim()).toBe(pkg.version);
  });

  it('has --help on every command', async () => {
    expect((await run('--help')).out).toMatch(/serve[\s\S]*query[\s\S]*migrate[\s\S]*hivehub-emulator/);
    expect((await run('serve', '--help')).out).toMatch(/--config[\s\S]*--host[\s\S]*--port[\s\S]*--data/);
    expect((await run('query', '--help')).out).toMatch(/--params[\s\S]*--data/);
    expect((await run('migrate', '--help')).out).toMatch(/--to-tenant/);
    expect((await run('hivehub-emulator', '--help')).out).toMatch(/--port[\s\S]*--users/);
  });

  it('rejects unknown commands and options with a usage error', async () => {
    await expect(run('frobnicate')).rejects.toMatchObject({ code: 'INVALID_PARAMETER' });
    await expect(run('query')).rejects.toThrow(/missing required argument/);
    await expect(run('migrate')).rejects.toThrow(/--to-tenant/);
  });

  it('runs queries embedded and prints a table', async () => {
    const data = join(dir, 'query-db');
    const created = await run(
      'query',
      "CREATE (a:Person {name:'Ada'}) RETURN a.name AS name",
      '--data',
      data,
      '--create',
    );
    expect(created.out).toContain("| 'Ada' |");
    expect(created.out).toContain('1 row');
    expect(created.out).toContain('nodesCreated: 1');
    const read = await run(
      'query',
      'MATCH (p:Person) RETURN p, $x AS x, $f AS f',
      '--data',
      data,
      '--params',
      '{"x": 9007199254740993, "f": 2.0}',
    );
    expect(read.out).toMatch(/\| \(:Person \{name: 'Ada'\}\) \| 9007199254740993 \| 2\.0 \|/);
    await expect(run('query', 'RETURN $x', '--data', data, '--params', '{bad')).rejects.toMatchObject({
      code: 'INVALID_BODY',
    });
  });

  it('migrates the standalone graph into a tenant namespace', async () => {
    const data = join(dir, 'migrate-db');
    await run('query', 'CREATE (:A)-[:R]->(:B)', '--data', data, '--create');
    const res = await run('migrate', '--to-tenant', 'acme_1', '--data', data);
    expect(res.out).toContain('source default: 2 nodes, 1 relationships');
    expect(res.out).toContain('target tenant:acme_1: empty');
    expect(res.out).toContain('after source default: 0 nodes, 0 relationships');
    expect(res.out).toContain('after target tenant:acme_1: 2 nodes, 1 relationships');
    expect(res.out).toContain('migrated 2 nodes and 1 relationships into tenant:acme_1; counts verified');
    expect((await run('query', 'MATCH (n) RETURN count(n) AS c', '--data', data)).out).toContain('| 0 |');
    await expect(run('migrate', '--to-tenant', 'bad tenant!', '--data', data)).rejects.toMatchObject({
      code: 'INVALID_BODY',
    });
  });

  it('resumes an interrupted migration, showing the source counts as the reference', async () => {
    const data = join(dir, 'migrate-resume-db');
    await run('query', 'UNWIND range(1, 20) AS i CREATE (:A {i: i})-[:R]->(:B)', '--data', data, '--create');
    const { GraphStore } = await import('../../src/storage/index.js');
    const store = await GraphStore.open({ path: data });
    let batches = 0;
    await expect(
      store.moveNamespace('default', 'tenant:acme_2', {
        batchSize: 10,
        onProgress: (p) => {
          if (p.phase === 'copy' && ++batches === 2) throw new Error('crash');
        },
      }),
    ).rejects.toThrow('crash');
    await store.close();

    const res = await run('migrate', '--to-tenant', 'acme_2', '--data', data);
    // The reference is the source; the half-copied target's counter record is not shown.
    expect(res.out).toContain('source default: 40 nodes, 20 relationships');
    expect(res.out).toContain('target tenant:acme_2: not empty (an interrupted migration is resumed');
    expect(res.out).not.toMatch(/^(before|target) tenant:acme_2: 40 nodes/m);
    expect(res.out).toMatch(/progress: copy, \d+ entries/);
    expect(res.out).toMatch(/progress: delete, \d+ entries/);
    expect(res.out).toContain('after target tenant:acme_2: 40 nodes, 20 relationships');
    expect(res.out).toContain('into tenant:acme_2 (resumed an interrupted migration); counts verified');
  });

  it('reads the data directory of migrate from --config, ignoring the cluster section', async () => {
    const data = join(dir, 'migrate-config.db');
    await run('query', 'CREATE (:A)', '--data', data, '--create');
    const config = join(dir, 'migrate.yml');
    writeFileSync(config, `storage:\n  data_dir: ${JSON.stringify(data)}\ncluster:\n  enabled: true\n`);
    const res = await run('migrate', '--to-tenant', 'acme_3', '--config', config);
    expect(res.out).toContain('migrated 1 nodes and 0 relationships into tenant:acme_3');
    writeFileSync(config, 'storage:\n  map_size: -1\n');
    await expect(run('migrate', '--to-tenant', 'acme_3', '--config', config)).rejects.toThrow(
      /storage\.map_size = -1/,
    );
  });

  it('starts the HiveHub emulator and prints its address (as a process)', async () => {
    const users = join(dir, 'users.yml');
    writeFileSync(users, 'users: []\n');
    const { spawn } = await import('node:child_process');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main-entry.ts', 'hivehub-emulator', '--port', '0', '--users', users],
      { cwd: new URL('../..', import.meta.url).pathname, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        child.stdout.setEncoding('utf8').on('data', (c: string) => {
          out += c;
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
        child.once('exit', (code) => reject(new Error(`emulator exited ${code}: ${out}${err}`)));
      });
      expect(line).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('exits non-zero with the offending key on a bad config file (as a process)', async () => {
    const config = join(dir, 'bad.yml');
    writeFileSync(config, 'server:\n  port: "not a port"\n');
    const res2 = await runCli(['serve', '--config', config]);
    expect(res2.code).not.toBe(0);
    expect(res2.stderr).toMatch(/server\.port = "not a port"/);
    expect(res2.stdout).not.toContain('listening');
  });
});
