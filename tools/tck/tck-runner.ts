/**
 * Runs every selected scenario under one or more feature roots, one fresh database per
 * scenario, and aggregates the results into the summary the CLI prints and the ratchet
 * test checks.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NexusOptions, NexusDatabase } from '../../src/engine/api.js';
import { compileFeature, findFeatureFiles, type TckScenario } from './feature-loader.js';
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

interface NexusModule {
  readonly Nexus: { open(options: NexusOptions): NexusDatabase | Promise<NexusDatabase> };
}

/** Opens the real engine; imported lazily so the runner loads (and its tests run) without it. */
export const openNexus: OpenDatabase = async (path) => {
  const specifier = '../../src/engine/index.js';
  const mod = (await import(specifier)) as NexusModule;
  return mod.Nexus.open({ path, sync: false });
};

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

/** Runs the selection sequentially (the engine is single-writer and the machine small). */
export async function runTck(
  options: TckRunOptions = {},
): Promise<{ summary: TckSummary; results: ScenarioReport[] }> {
  const selected = selectScenarios(options);
  const open = options.open ?? openNexus;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const results: ScenarioReport[] = [];
  for (const { scenario, absPath } of selected) {
    const r = await runScenario(scenario, {
      open,
      timeoutMs,
      featurePath: absPath,
      ...(options.graphDirs ? { graphDirs: options.graphDirs } : {}),
    });
    const report: ScenarioReport = {
      ...r,
      file: scenario.file,
      dir: scenario.dir,
      line: scenario.line,
      name: scenario.name,
    };
    results.push(report);
    options.onResult?.(report);
  }
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
