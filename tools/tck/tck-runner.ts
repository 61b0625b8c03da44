/**
 * Runs every selected scenario under one or more feature roots, one fresh database per
 * scenario, and aggregates the results into the summary the CLI prints and the ratchet
 * test checks.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileFeature, findFeatureFiles, type TckScenario } from './feature-loader.js';
import { openNexus } from './open-nexus.js';
import { runInProcessPool } from './process-pool.js';
import { runScenario, type OpenDatabase, type ScenarioResult } from './scenario-runner.js';
import { TckFormatError } from './tck-value.js';

/** The repository root (two levels above this file). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The TCK sits beside the repository, in CI as here. */
export const DEFAULT_FEATURES_DIR = resolve(REPO_ROOT, '..', 'shared', 'tck', 'features');

export interface TckRunOptions {
  /** Feature directories (or files); default `DEFAULT_FEATURES_DIR`. */
  readonly roots?: readonly string[];
  /**
   * Directories to skip: an existing path, or a directory relative to a root
   * (e.g. `expressions/temporal`).
   */
  readonly exclude?: readonly string[];
  /** Only scenarios whose `file:line name` contains this substring. */
  readonly filter?: string;
  readonly timeoutMs?: number;
  /** How scenarios get a database; default `Nexus.open({ path, sync: false })`. */
  readonly open?: OpenDatabase;
  readonly graphDirs?: readonly string[];
  /**
   * Scenarios in flight at once (default 1). Each has its own database, so this only
   * overlaps the engine's asynchronous waits (commits, file I/O); results keep selection order.
   */
  readonly concurrency?: number;
  /**
   * Child processes to run scenarios in (0, the default, runs them in this process).
   * Isolation lets the runner survive a scenario that blocks or crashes its process.
   */
  readonly workers?: number;
  /** With `workers`: module exporting `openDatabase` to use instead of the real engine. */
  readonly openModule?: string;
  /** Called after each scenario (for streaming output). */
  readonly onResult?: (r: ScenarioReport) => void;
}

export interface ScenarioReport extends ScenarioResult {
  readonly file: string;
  readonly dir: string;
  readonly line: number;
  readonly name: string;
}

export interface DirSummary {
  scenarios: number;
  passed: number;
}

export interface TckSummary {
  scenarios: number;
  passed: number;
  failed: number;
  by_dir: Record<string, DirSummary>;
}

function isUnder(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}

function toPosixDir(d: string): string {
  return d.split(sep).join('/').replace(/\/+$/, '');
}

interface LoadedScenario {
  readonly scenario: TckScenario;
  readonly absPath: string;
}

/** Collects the scenarios of all roots, honouring exclude and filter. */
export function selectScenarios(
  options: Pick<TckRunOptions, 'roots' | 'exclude' | 'filter'>,
): LoadedScenario[] {
  const roots = (options.roots && options.roots.length > 0 ? options.roots : [DEFAULT_FEATURES_DIR]).map(
    (r) => resolve(r),
  );
  const excludes = options.exclude ?? [];
  const out: LoadedScenario[] = [];
  for (const root of roots) {
    if (!existsSync(root)) throw new TckFormatError(`feature directory not found: ${root}`);
    const base = statSync(root).isFile() ? dirname(root) : root;
    const excludedPaths = excludes.flatMap((ex) => {
      const candidates = [resolve(ex), resolve(base, ex)];
      return candidates.filter((c) => existsSync(c));
    });
    const relExcludes = excludes.map(toPosixDir);
    for (const file of findFeatureFiles(root)) {
      if (excludedPaths.some((p) => isUnder(file, p))) continue;
      const rel = relative(base, file);
      const relDir = toPosixDir(dirname(rel));
      if (relExcludes.some((ex) => relDir === ex || relDir.startsWith(`${ex}/`))) continue;
      for (const scenario of compileFeature(readFileSync(file, 'utf8'), rel)) {
        if (options.filter && !`${scenario.file}:${scenario.line} ${scenario.name}`.includes(options.filter))
          continue;
        out.push({ scenario, absPath: file });
      }
    }
  }
  return out;
}

/** Runs the selection: in this process (`concurrency` at a time) or in `workers` child processes. */
export async function runTck(
  options: TckRunOptions = {},
): Promise<{ summary: TckSummary; results: ScenarioReport[] }> {
  const selected = selectScenarios(options);
  const open = options.open ?? openNexus;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const results: ScenarioReport[] = new Array<ScenarioReport>(selected.length);
  const record = (index: number, r: ScenarioResult): void => {
    const { scenario } = selected[index] as LoadedScenario;
    const report: ScenarioReport = {
      ...r,
      file: scenario.file,
      dir: scenario.dir,
      line: scenario.line,
      name: scenario.name,
    };
    results[index] = report;
    options.onResult?.(report);
  };
  if (options.workers !== undefined && options.workers > 0) {
    const tasks = selected.map((s) => ({ scenario: s.scenario, featurePath: s.absPath }));
    await runInProcessPool(
      tasks,
      {
        workers: options.workers,
        timeoutMs,
        graphDirs: options.graphDirs ?? [],
        ...(options.openModule ? { openModule: options.openModule } : {}),
      },
      record,
    );
    return { summary: summarize(results), results };
  }
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < selected.length) {
      const index = next++;
      const { scenario, absPath } = selected[index] as LoadedScenario;
      const r = await runScenario(scenario, {
        open,
        timeoutMs,
        featurePath: absPath,
        ...(options.graphDirs ? { graphDirs: options.graphDirs } : {}),
      });
      record(index, r);
    }
  };
  const lanes = Math.max(1, Math.min(options.concurrency ?? 1, selected.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  return { summary: summarize(results), results };
}

export function summarize(results: readonly ScenarioReport[]): TckSummary {
  const by_dir: Record<string, DirSummary> = {};
  let passed = 0;
  for (const r of results) {
    const d = (by_dir[r.dir] ??= { scenarios: 0, passed: 0 });
    d.scenarios++;
    if (r.status === 'passed') {
      d.passed++;
      passed++;
    }
  }
  const sorted: Record<string, DirSummary> = {};
  for (const k of Object.keys(by_dir).sort()) sorted[k] = by_dir[k] as DirSummary;
  return { scenarios: results.length, passed, failed: results.length - passed, by_dir: sorted };
}

/** The `FAIL ...` line printed for a failed scenario. */
export function formatFailure(r: ScenarioReport): string {
  return `FAIL ${r.file}:${r.line} ${r.name} — ${r.reason ?? 'failed'}`;
}
