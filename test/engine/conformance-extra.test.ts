/**
 * Neo4j-conformance scenarios beyond the shipped openCypher TCK: runs every feature under
 * test/tck/extra (TCK Gherkin format) through the TCK runner, in process, against the
 * real engine, and requires every scenario to pass.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatFailure, runTck } from '../../tools/tck/tck-runner.js';

const EXTRA = resolve(import.meta.dirname, '..', 'tck', 'extra');

describe('extra conformance features (test/tck/extra)', () => {
  it('passes every scenario', { timeout: 5 * 60_000 }, async () => {
    const { summary, results } = await runTck({ roots: [EXTRA], workers: 0, timeoutMs: 20_000 });
    const failures = results.filter((r) => r.status !== 'passed').map((r) => formatFailure(r));
    expect(summary.scenarios).toBeGreaterThan(0);
    expect(failures).toEqual([]);
    expect(summary.passed).toBe(summary.scenarios);
  });
});
