/**
 * Processes the HTTP benchmarks run against: Nexus servers (through the same helper the
 * integration tests use), the HiveHub emulator and the bare Fastify ceiling.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../test/helpers/server-process.js';

export { REPO_ROOT, startServerProcess, type ServerProcess } from '../../test/helpers/server-process.js';

/**
 * Compiles `src/` to `dist/` (`npm run build`): the servers under test run the compiled
 * build, as `npm start` does, not the sources through tsx.
 */
export function buildDist(root: string = REPO_ROOT): void {
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}

export interface SimpleProcess {
  url: string;
  stop(): Promise<void>;
}

export function newApiKeySecret(): string {
  return `nx_${randomBytes(32).toString('base64url')}`;
}

/** Spawns `node --import tsx <script> ...args` and waits for a line matching `ready`. */
export async function startScript(script: string, args: string[], ready: RegExp): Promise<SimpleProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${script} did not start: ${out}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${out}`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

export async function startBareServer(): Promise<SimpleProcess> {
  const p = await startScript('bench/bare-server.ts', [], /listening (\d+)/);
  return { url: `http://127.0.0.1:${p.url}`, stop: p.stop };
}

/** The emulator with unlimited-quota tenants for the benchmarks. */
export async function startBenchEmulator(
  serviceKey: string,
  tenants: string[],
): Promise<SimpleProcess & { cleanup(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'nexus-bench-hub-'));
  const file = join(dir, 'users.yml');
  const users = tenants.map((t) => `  - { user_id: ${t}, plan: unlimited }`).join('\n');
  writeFileSync(
    file,
    `service_api_key: ${serviceKey}\ncache_ttl_seconds: 3600\nplans:\n  unlimited: { storage_bytes: null, requests_per_minute: null, requests_per_hour: null }\nusers:\n${users}\n`,
  );
  const p = await startScript(
    'src/cluster/emulator/main.ts',
    ['--port', '0', '--users', file],
    /listening on (http:\/\/\S+)/,
  );
  return { ...p, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
