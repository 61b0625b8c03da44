/**
 * Runs scenarios in child processes (`tck-worker.ts`), one scenario at a time per child.
 * A scenario that blocks the event loop past its budget, or kills its process (stack
 * overflow, out of memory, native crash), costs only that scenario: the parent kills
 * the child, records the failure, removes the child's temp directory and starts another.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TckScenario } from './feature-loader.js';
import type { ScenarioResult } from './scenario-runner.js';
import { TckFormatError } from './tck-value.js';
import type { WorkerRequest, WorkerResponse } from './tck-worker.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const WORKER = join(HERE, 'tck-worker.ts');
const REPO = resolve(HERE, '..', '..');
/** Slack on top of the in-child budget before the parent kills a child: at least 1 s. */
const MIN_GRACE_MS = 1_000;
const READY_TIMEOUT_MS = 60_000;

export interface PoolTask {
  readonly scenario: TckScenario;
  readonly featurePath: string;
}

export interface PoolOptions {
  readonly workers: number;
  readonly timeoutMs: number;
  readonly graphDirs: readonly string[];
  /** Module exporting `openDatabase` (tests use a fake); default the real engine. */
  readonly openModule?: string;
}

class Worker {
  readonly tmp = mkdtempSync(join(tmpdir(), 'nexus-tck-worker-'));
  readonly child: ChildProcess;
  private exited = false;
  private exitListeners: ((why: string) => void)[] = [];

  constructor(openModule: string | undefined) {
    const env: NodeJS.ProcessEnv = { ...process.env, NEXUS_TCK_TMP: this.tmp };
    if (openModule) env.NEXUS_TCK_OPEN_MODULE = resolve(openModule);
    else delete env.NEXUS_TCK_OPEN_MODULE;
    this.child = fork(WORKER, [], {
      cwd: REPO,
      env,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      const why = signal ? `signal ${signal}` : `exit code ${String(code)}`;
      for (const l of this.exitListeners) l(why);
      this.exitListeners = [];
    });
  }

  private onExit(l: (why: string) => void): () => void {
    if (this.exited) {
      l('already exited');
      return () => undefined;
    }
    this.exitListeners.push(l);
    return () => {
      this.exitListeners = this.exitListeners.filter((x) => x !== l);
    };
  }

  /** Resolves once the child has loaded; rejects if it dies or stalls first. */
  ready(): Promise<void> {
    return new Promise((resolveReady, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new TckFormatError('TCK worker did not start in time'));
      }, READY_TIMEOUT_MS);
      const onMessage = (m: unknown): void => {
        if (m && typeof m === 'object' && 'ready' in m) {
          cleanup();
          resolveReady();
        }
      };
      const offExit = this.onExit((why) => {
        cleanup();
        reject(new TckFormatError(`TCK worker failed to start (${why})`));
      });
      const cleanup = (): void => {
        clearTimeout(timer);
        offExit();
        this.child.off('message', onMessage);
      };
      this.child.on('message', onMessage);
    });
  }

  /** Runs one scenario; never rejects. `dead` tells the caller to replace this worker. */
  run(req: WorkerRequest, budgetMs: number): Promise<{ result: ScenarioResult; dead: boolean }> {
    const started = performance.now();
    return new Promise((done) => {
      const elapsed = (): number => Math.round(performance.now() - started);
      const timer = setTimeout(() => {
        cleanup();
        this.kill();
        done({
          result: {
            status: 'failed',
            reason: `scenario hung for ${budgetMs} ms; worker killed`,
            durationMs: elapsed(),
          },
          dead: true,
        });
      }, budgetMs);
      const onMessage = (m: WorkerResponse): void => {
        if (!m || m.id !== req.id) return;
        cleanup();
        done({ result: m.result, dead: false });
      };
      const offExit = this.onExit((why) => {
        cleanup();
        done({
          result: { status: 'failed', reason: `worker crashed (${why})`, durationMs: elapsed() },
          dead: true,
        });
      });
      const cleanup = (): void => {
        clearTimeout(timer);
        offExit();
        this.child.off('message', onMessage);
      };
      this.child.on('message', onMessage);
      this.child.send(req);
    });
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  /** Stops the child and removes whatever a killed scenario left in its temp root. */
  async dispose(): Promise<void> {
    if (!this.exited) {
      const gone = new Promise<void>((r) => this.onExit(() => r()));
      this.child.kill('SIGKILL');
      await gone;
    }
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

/** Runs `tasks` across `workers` children; `onDone` gets each result as it completes. */
export async function runInProcessPool(
  tasks: readonly PoolTask[],
  options: PoolOptions,
  onDone: (index: number, result: ScenarioResult) => void,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    let worker: Worker | undefined;
    try {
      while (next < tasks.length) {
        const index = next++;
        const task = tasks[index] as PoolTask;
        if (!worker) {
          worker = new Worker(options.openModule);
          await worker.ready();
        }
        const budget =
          options.timeoutMs * (task.scenario.steps.length + 2) + Math.max(MIN_GRACE_MS, options.timeoutMs);
        const { result, dead } = await worker.run(
          {
            id: index,
            scenario: task.scenario,
            featurePath: task.featurePath,
            timeoutMs: options.timeoutMs,
            graphDirs: options.graphDirs,
          },
          budget,
        );
        onDone(index, result);
        if (dead) {
          await worker.dispose();
          worker = undefined;
        }
      }
    } finally {
      await worker?.dispose();
    }
  };
  const lanes = Math.max(1, Math.min(options.workers, tasks.length));
  await Promise.all(Array.from({ length: lanes }, lane));
}
