/**
 * Test helper: runs the real server as a child process (`node --import tsx
 * src/cli/main-entry.ts serve`) on an ephemeral port with a temp data dir, waits for the
 * `Nexus listening on <url>` line, and stops it with a signal. Reusable by every suite that
 * needs a live server (auth, cluster, MCP). Also `runCli` for one-shot commands.
 *
 *   const server = await startServerProcess({ env: { NEXUS_AUTH_ENABLED: 'true' } });
 *   const res = await fetch(`${server.url}/health`);
 *   await server.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify as toYaml } from 'yaml';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ENTRY = join(REPO_ROOT, 'src', 'cli', 'main-entry.ts');
const COMPILED_ENTRY = join(REPO_ROOT, 'dist', 'cli', 'main-entry.js');
const READY_LINE = /Nexus listening on (http:\/\/\S+)/;
const BOLT_LINE = /Nexus Bolt listening on (bolt(?:\+s)?:\/\/\S+)/;

export interface ServerProcessOptions {
  /** Environment variables added to a clean environment (inherited NEXUS_* are dropped). */
  env?: Record<string, string>;
  /** Config file content: an object (written as YAML) or YAML text. Passed via --config. */
  config?: Record<string, unknown> | string;
  /** Data directory; default a fresh temp dir, removed on stop(). */
  dataDir?: string;
  /** Extra arguments after `serve` (host/port/data defaults come first and can be overridden). */
  args?: string[];
  /** How long to wait for the ready line (default 30 s). */
  startTimeoutMs?: number;
  /**
   * Run the compiled `dist/` build (what `npm start` runs) instead of the sources through
   * tsx. The caller must build first (`npm run build`); the benchmarks do.
   */
  compiled?: boolean;
}

export interface ServerProcess {
  /** e.g. http://127.0.0.1:40123 */
  readonly url: string;
  readonly port: number;
  /** e.g. bolt://127.0.0.1:40124 when the Bolt listener is on (env NEXUS_BOLT_PORT: '0'), else null. */
  readonly boltUrl: string | null;
  readonly dataDir: string;
  readonly child: ChildProcess;
  /** Everything the process printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout/stderr line matching `pattern` (waits for it). */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /**
   * Sends `signal` (default SIGTERM) and waits for exit (SIGKILL after `timeoutMs`).
   * Removes the temp data dir unless it was given or `keepData` is true.
   */
  stop(options?: { signal?: NodeJS.Signals; timeoutMs?: number; keepData?: boolean }): Promise<ExitInfo>;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * The parent's environment without NEXUS_* (so a developer's shell cannot leak in). The
 * Bolt listener is off unless the test asks for it (NEXUS_BOLT_PORT=0): its default port
 * 7687 would collide between test processes running in parallel.
 */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('NEXUS_')) env[k] = v;
  // RPC and Bolt off unless the test asks (NEXUS_RPC_PORT / NEXUS_BOLT_PORT: '0'): their default
  // ports would collide across test files.
  return { NEXUS_LOG_LEVEL: 'warn', NEXUS_RPC_PORT: 'off', NEXUS_BOLT_PORT: 'false', ...env, ...extra };
}

export function makeTempDir(prefix = 'nexus-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startServerProcess(options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? makeTempDir();
  const entry = options.compiled === true ? [COMPILED_ENTRY] : ['--import', 'tsx', ENTRY];
  const args = [...entry, 'serve', '--host', '127.0.0.1', '--port', '0', '--data', dataDir];
  let configFile: string | undefined;
  if (options.config !== undefined) {
    configFile = join(makeTempDir('nexus-config-'), 'config.yml');
    writeFileSync(configFile, typeof options.config === 'string' ? options.config : toYaml(options.config));
    args.push('--config', configFile);
  }
  args.push(...(options.args ?? []));

  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: cleanEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (const l of listeners) l();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    for (const l of listeners) l();
  });
  const exited = new Promise<ExitInfo>((resolveExit) => {
    child.once('exit', (code, signal) => {
      for (const l of listeners) l();
      resolveExit({ code, signal });
    });
  });
  let exitInfo: ExitInfo | null = null;
  void exited.then((info) => {
    exitInfo = info;
    for (const l of listeners) l();
  });

  const waitForOutput = (pattern: RegExp, timeoutMs = 30_000): Promise<string> =>
    new Promise((resolveWait, rejectWait) => {
      const check = (): void => {
        const line = `${out}\n${err}`.split('\n').find((l) => pattern.test(l));
        if (line !== undefined) {
          done();
          resolveWait(line);
        } else if (exitInfo !== null) {
          done();
          rejectWait(
            new Error(
              `server exited (code ${exitInfo.code}, signal ${exitInfo.signal}) before printing ${pattern}\n` +
                `stdout:\n${out}\nstderr:\n${err}`,
            ),
          );
        }
      };
      const timer = setTimeout(() => {
        done();
        rejectWait(new Error(`timed out waiting for ${pattern}\nstdout:\n${out}\nstderr:\n${err}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });

  let readyLine: string;
  try {
    readyLine = await waitForOutput(READY_LINE, options.startTimeoutMs ?? 30_000);
  } catch (e) {
    child.kill('SIGKILL');
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const url = READY_LINE.exec(readyLine)![1]!;
  const port = Number(new URL(url).port);
  const boltUrl = BOLT_LINE.exec(out)?.[1] ?? null;

  let stopped: Promise<ExitInfo> | null = null;
  return {
    url,
    port,
    boltUrl,
    dataDir,
    child,
    stdout: () => out,
    stderr: () => err,
    waitForOutput,
    stop(stopOptions = {}) {
      stopped ??= (async () => {
        if (exitInfo === null) {
          child.kill(stopOptions.signal ?? 'SIGTERM');
          const killTimer = setTimeout(() => child.kill('SIGKILL'), stopOptions.timeoutMs ?? 15_000);
          await exited;
          clearTimeout(killTimer);
        }
        if (configFile !== undefined) rmSync(dirname(configFile), { recursive: true, force: true });
        if (ownDir && stopOptions.keepData !== true) rmSync(dataDir, { recursive: true, force: true });
        return exitInfo ?? (await exited);
      })();
      return stopped;
    },
  };
}

export interface CliResult extends ExitInfo {
  stdout: string;
  stderr: string;
}

/** Runs one CLI command to completion, e.g. `runCli(['query', 'RETURN 1', '--data', dir])`. */
export function runCli(
  args: readonly string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolveRun, rejectRun) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
      cwd: REPO_ROOT,
      env: cleanEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rejectRun(new Error(`nexus ${args.join(' ')} timed out\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code, signal, stdout, stderr });
    });
  });
}
