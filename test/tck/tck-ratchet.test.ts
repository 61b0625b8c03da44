/**
 * The TCK ratchet: runs the runner (as a child process, like `npm run tck`) over the
 * shipped TCK without `expressions/temporal` and fails when fewer scenarios pass than
 * `tck-baseline.json` records. Raise the baseline when the engine improves.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { TckSummary } from '../../tools/tck/tck-runner.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const FEATURES = resolve(REPO, '..', 'shared', 'tck', 'features');

interface Baseline {
  passed: number;
  exclude: string[];
}

describe('openCypher TCK ratchet', () => {
  it('passes at least as many scenarios as tck-baseline.json records', { timeout: 15 * 60_000 }, async () => {
    expect(existsSync(FEATURES), `TCK features expected at ${FEATURES}`).toBe(true);
    const baseline = JSON.parse(readFileSync(resolve(REPO, 'tck-baseline.json'), 'utf8')) as Baseline;
    const args = ['tsx', 'tools/tck/run.ts', FEATURES, ...baseline.exclude.flatMap((d) => ['--exclude', d])];
    const { stdout } = await promisify(execFile)('npx', args, { cwd: REPO, maxBuffer: 64 * 1024 * 1024 });
    const lines = stdout.trim().split('\n');
    const summary = JSON.parse(lines[lines.length - 1] as string) as TckSummary;
    expect(summary.scenarios).toBeGreaterThan(0);
    expect(Object.keys(summary.by_dir).some((d) => baseline.exclude.some((ex) => d.startsWith(ex)))).toBe(
      false,
    );
    expect(
      summary.passed,
      `${summary.passed}/${summary.scenarios} passed; baseline ${baseline.passed}`,
    ).toBeGreaterThanOrEqual(baseline.passed);
  });
});
