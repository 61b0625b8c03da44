/**
 * The upstream Nexus TypeScript SDK's own test suite against a live server, over RPC and
 * over HTTP (tools/sdk-suite/run.ts). Fails on any failing test not listed, with its
 * reason, in tools/sdk-suite/expected-failures.json, and on a listed test missing from
 * docs/COMPATIBILITY.md. The SDK comes from ../shared/upstream-nexus beside the
 * repository, as the TCK does (NEXUS_UPSTREAM_SDK overrides).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SDK_DIR, type SuiteSummary } from '../../tools/sdk-suite/run.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const SDK = process.env.NEXUS_UPSTREAM_SDK ?? DEFAULT_SDK_DIR;

interface ExpectedFailure {
  transport: string;
  test: string;
  reason: string;
}

describe('upstream TypeScript SDK suite', () => {
  it('every listed failure is documented with its reason', () => {
    const expected = JSON.parse(
      readFileSync(resolve(REPO, 'tools', 'sdk-suite', 'expected-failures.json'), 'utf8'),
    ) as ExpectedFailure[];
    const doc = readFileSync(resolve(REPO, 'docs', 'COMPATIBILITY.md'), 'utf8');
    for (const e of expected) {
      expect(e.reason.length, e.test).toBeGreaterThan(10);
      const shortName = e.test.split(' > ').slice(1).join(' > ');
      expect(doc, `docs/COMPATIBILITY.md should list "${shortName}"`).toContain(shortName);
    }
  });

  it('passes over RPC and over HTTP except the documented failures', { timeout: 10 * 60_000 }, async () => {
    expect(existsSync(SDK), `upstream SDK expected at ${SDK}`).toBe(true);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'tools/sdk-suite/run.ts', '--json', '--sdk', SDK],
      { cwd: REPO, maxBuffer: 64 * 1024 * 1024 },
    ).catch((err: { stdout?: string; stderr?: string }) => {
      // Exit code 1 = unexpected failures; the summary still comes last on stdout.
      if (err.stdout === undefined || err.stdout === '') throw new Error(`sdk-suite failed: ${err.stderr}`);
      return { stdout: err.stdout };
    });
    const lines = stdout.trim().split('\n');
    const summary = JSON.parse(lines[lines.length - 1]!) as SuiteSummary;
    for (const transport of ['rpc', 'http'] as const) {
      const s = summary[transport];
      expect(s.unexpected, `${transport}: unexpected failures`).toEqual([]);
      expect(s.nowPassing, `${transport}: listed as failing but passed`).toEqual([]);
      expect(s.passed, `${transport}: passed`).toBeGreaterThan(20);
    }
  });
});
