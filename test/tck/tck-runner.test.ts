import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runTck, formatFailure, selectScenarios, type ScenarioReport } from '../../tools/tck/tck-runner.js';
import { parseProcedureSignature } from '../../tools/tck/scenario-runner.js';
import { TckFormatError } from '../../tools/tck/tck-value.js';
import { FakeDatabase } from './fake-database.js';
import { fixtureScript } from './fixture-script.js';

const FEATURES = resolve(import.meta.dirname, 'fixtures', 'features');
const opened: FakeDatabase[] = [];

async function openFake(path: string): Promise<FakeDatabase> {
  const db = new FakeDatabase(path, fixtureScript);
  opened.push(db);
  return db;
}

afterAll(() => {
  for (const db of opened) rmSync(db.path, { recursive: true, force: true });
});

describe('TCK runner on fixture features', async () => {
  const reports: ScenarioReport[] = [];
  const { summary, results } = await runTck({
    roots: [FEATURES],
    open: openFake,
    timeoutMs: 200,
    onResult: (r) => reports.push(r),
  });
  const byName = (file: string, name: string): ScenarioReport => {
    const r = results.find((x) => x.file === file && x.name.startsWith(name));
    if (!r) throw new Error(`no result for ${file} ${name}`);
    return r;
  };

  it('expands outlines and summarises by directory', () => {
    expect(summary.scenarios).toBe(16);
    expect(summary.by_dir).toEqual({
      basic: { scenarios: 13, passed: 8 },
      other: { scenarios: 2, passed: 0 },
      'other/deep': { scenarios: 1, passed: 0 },
    });
    expect(summary.passed).toBe(8);
    expect(summary.failed).toBe(8);
    expect(reports).toHaveLength(16);
  });

  it('passes matching results, parameters, errors, side effects, graphs and procedures', () => {
    for (const n of ['[1]', '[4]', '[6]', '[7]', '[10]', '[11]']) {
      expect(byName('basic/Basic.feature', n).status, n).toBe('passed');
    }
    const outline = results.filter((r) => r.name.startsWith('[3]'));
    expect(outline.map((r) => r.status)).toEqual(['passed', 'passed', 'failed']);
    expect(outline.map((r) => r.line)).toEqual([39, 40, 41]);
  });

  it('explains failures in one line', () => {
    const wrong = byName('basic/Basic.feature', '[2]');
    expect(wrong.reason).toMatch(/rows differ: 1 expected, 1 actual, 1 missing, 1 unexpected; e.g. got 2/);
    expect(wrong.details).toContain('expected:\nx\n3');
    expect(formatFailure(wrong)).toBe(
      `FAIL basic/Basic.feature:${wrong.line} [2] Wrong value fails — ${wrong.reason}`,
    );
    expect(byName('basic/Basic.feature', '[5]').reason).toBe(
      'expected SyntaxError/InvalidNumberLiteral, got SyntaxError/UnexpectedSyntax',
    );
    expect(byName('basic/Basic.feature', '[8]').reason).toBe('query failed: Error: boom');
    expect(byName('basic/Basic.feature', '[9]').reason).toMatch(/timed out/);
    expect(byName('other/Other.feature', '[1]').reason).toBe(
      'unexpected side effects: +nodes expected 0 got 1, +labels expected 0 got 1, +properties expected 0 got 1',
    );
    expect(byName('other/Other.feature', '[2]').reason).toMatch(/^runner: unsupported step/);
    expect(byName('other/deep/Deep.feature', '[1]').reason).toBe(
      'columns differ: expected [l, n] got [n, l]',
    );
  });

  it('gives every scenario a fresh database in a temp dir it then removes', () => {
    const mine = opened.slice(0, 16);
    expect(new Set(mine.map((d) => d.path)).size).toBe(16);
    for (const db of mine) {
      expect(db.closed).toBe(true);
      expect(existsSync(db.path)).toBe(false);
    }
    // Exact names: an unrelated entry such as /tmp/x must not match a path ending in "x".
    expect(readdirSync(tmpdir()).filter((d) => mine.some((o) => basename(o.path) === d))).toEqual([]);
  });
});

describe('concurrent runs', () => {
  it('give the same results in selection order', async () => {
    const serial = await runTck({ roots: [FEATURES], open: openFake, timeoutMs: 200 });
    const parallel = await runTck({ roots: [FEATURES], open: openFake, timeoutMs: 200, concurrency: 4 });
    expect(parallel.summary).toEqual(serial.summary);
    const key = (r: ScenarioReport): string => `${r.file}:${r.line} ${r.status} ${r.reason ?? ''}`;
    expect(parallel.results.map(key)).toEqual(serial.results.map(key));
  });
});

describe('scenario selection', () => {
  it('honours --exclude (relative to the root or as a path) and --filter', () => {
    const all = selectScenarios({ roots: [FEATURES] });
    expect(all).toHaveLength(16);
    const noOther = selectScenarios({ roots: [FEATURES], exclude: ['other'] });
    expect(noOther.every((s) => s.scenario.dir === 'basic')).toBe(true);
    const noDeep = selectScenarios({ roots: [FEATURES], exclude: [join(FEATURES, 'other', 'deep')] });
    expect(noDeep).toHaveLength(15);
    const filtered = selectScenarios({ roots: [FEATURES], filter: 'Outline rows' });
    expect(filtered).toHaveLength(3);
    const single = selectScenarios({ roots: [join(FEATURES, 'other', 'Other.feature')] });
    expect(single.map((s) => s.scenario.file)).toEqual(['Other.feature', 'Other.feature']);
  });

  it('rejects a missing root', () => {
    expect(() => selectScenarios({ roots: [join(FEATURES, 'nope')] })).toThrow(TckFormatError);
  });
});

describe('procedure signatures', () => {
  it('parses inputs and outputs', () => {
    expect(
      parseProcedureSignature('test.my.proc(name :: STRING?, id :: INTEGER?) :: (city :: STRING?)'),
    ).toEqual({
      name: 'test.my.proc',
      inputs: [
        { name: 'name', type: 'STRING?' },
        { name: 'id', type: 'INTEGER?' },
      ],
      outputs: [{ name: 'city', type: 'STRING?' }],
    });
    expect(parseProcedureSignature('test.doNothing() :: ()')).toEqual({
      name: 'test.doNothing',
      inputs: [],
      outputs: [],
    });
    expect(() => parseProcedureSignature('test.broken(x) :: ()')).toThrow(TckFormatError);
  });
});

describe('CLI', () => {
  const run = async (args: string[]): Promise<string> => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { stdout } = await promisify(execFile)('npx', ['tsx', 'tools/tck/run.ts', ...args], {
      cwd: resolve(import.meta.dirname, '..', '..'),
      encoding: 'utf8',
    });
    return stdout;
  };
  const fake = resolve(import.meta.dirname, 'fixture-script.ts');

  it('prints FAIL lines, --verbose details and the JSON summary last, and writes --json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nexus-tck-cli-'));
    try {
      const jsonFile = join(dir, 'out.json');
      const out = await run([
        join(FEATURES, 'basic'),
        '--filter',
        'Wrong value',
        '--verbose',
        '--workers',
        '0',
        '--open-module',
        fake,
        '--json',
        jsonFile,
      ]);
      const lines = out.trim().split('\n');
      expect(lines[0]).toMatch(/^FAIL Basic.feature:\d+ \[2\] Wrong value fails — rows differ: /);
      expect(lines.slice(1, -1)).toEqual([
        '    expected:',
        '    x',
        '    3',
        '    actual:',
        '    x',
        '    2',
      ]);
      expect(JSON.parse(lines[lines.length - 1] as string)).toEqual({
        scenarios: 1,
        passed: 0,
        failed: 1,
        by_dir: { '.': { scenarios: 1, passed: 0 } },
      });
      const written = JSON.parse(readFileSync(jsonFile, 'utf8')) as {
        results: { status: string; line: number }[];
      };
      expect(written.results.map((r) => r.status)).toEqual(['failed']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs in worker processes by default and honours --exclude', async () => {
    const out = await run([FEATURES, '--exclude', 'other', '--open-module', fake, '--timeout', '200']);
    const lines = out.trim().split('\n');
    const summary = JSON.parse(lines[lines.length - 1] as string) as { by_dir: Record<string, unknown> };
    expect(summary).toEqual({
      scenarios: 13,
      passed: 8,
      failed: 5,
      by_dir: { basic: { scenarios: 13, passed: 8 } },
    });
    expect(lines.slice(0, -1).every((l) => l.startsWith('FAIL basic/Basic.feature:'))).toBe(true);
    expect(lines).toHaveLength(6);
  });
});

describe('child-process workers', () => {
  const openModule = resolve(import.meta.dirname, 'fixture-script.ts');

  it('run the fixture features with the same results as in-process', async () => {
    const inProcess = await runTck({ roots: [FEATURES], open: openFake, timeoutMs: 200 });
    const isolated = await runTck({ roots: [FEATURES], workers: 2, openModule, timeoutMs: 200 });
    expect(isolated.summary).toEqual(inProcess.summary);
    const key = (r: ScenarioReport): string => `${r.file}:${r.line} ${r.status} ${r.reason ?? ''}`;
    expect(isolated.results.map(key)).toEqual(inProcess.results.map(key));
  });

  it('survive a scenario that blocks the event loop or exits the process', async () => {
    const before = new Set(readdirSync(tmpdir()));
    const { summary, results } = await runTck({
      roots: [resolve(import.meta.dirname, 'fixtures', 'crashing')],
      workers: 1,
      openModule,
      timeoutMs: 200,
    });
    expect(results.map((r) => r.status)).toEqual(['failed', 'passed', 'failed', 'passed']);
    expect(results[0]?.reason).toMatch(/^scenario hung for \d+ ms; worker killed$/);
    expect(results[2]?.reason).toBe('worker crashed (exit code 3)');
    expect(summary).toEqual({
      scenarios: 4,
      passed: 2,
      failed: 2,
      by_dir: { '.': { scenarios: 4, passed: 2 } },
    });
    const leftovers = readdirSync(tmpdir()).filter(
      (d) => !before.has(d) && d.startsWith('nexus-tck-worker-'),
    );
    expect(leftovers).toEqual([]);
  });
});
