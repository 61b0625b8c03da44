/**
 * Runs one TCK scenario (a compiled pickle) against a fresh database: interprets the
 * Given/When/Then steps, executes queries, and checks results, errors and side
 * effects. Every failure, including engine crashes, becomes a result, never a throw.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_NAMESPACE, type NexusDatabase, type ProcedureDefinition } from '../../src/engine/api.js';
import type { QueryResult, Value } from '../../src/engine/values.js';
import type { TckScenario, TckStep } from './feature-loader.js';
import {
  compareSideEffects,
  diffSnapshots,
  parseSideEffectsTable,
  takeSnapshot,
  zeroSideEffects,
  type GraphSnapshot,
} from './side-effects.js';
import { TckFormatError, parseTckValue } from './tck-value.js';
import { canonicalTck, canonicalValue, renderValue, tckToValue } from './value-compare.js';

/** Opens a database in an empty directory. */
export type OpenDatabase = (path: string) => Promise<NexusDatabase>;

export interface ScenarioRunOptions {
  readonly open: OpenDatabase;
  /** Per-query timeout passed to the engine, and the basis of the scenario watchdog. */
  readonly timeoutMs: number;
  /** Absolute path of the feature file, to find named graphs beside it. */
  readonly featurePath: string;
  /** Extra directories holding `<name>/<name>.cypher` named graphs. */
  readonly graphDirs?: readonly string[];
  /** Where the per-scenario temp directory is created (default `os.tmpdir()`). */
  readonly tmpRoot?: string;
}

export type ScenarioStatus = 'passed' | 'failed';

export interface ScenarioResult {
  readonly status: ScenarioStatus;
  /** Short reason (failed only). */
  readonly reason?: string;
  /** Longer explanation: expected vs actual (failed only). */
  readonly details?: string;
  readonly durationMs: number;
}

/** A scenario step did not hold; `reason` is the one-line summary. */
class StepFailure extends Error {
  constructor(
    readonly reason: string,
    readonly details?: string,
  ) {
    super(reason);
    this.name = 'StepFailure';
  }
}

interface ErrorShape {
  errorClass?: unknown;
  detail?: unknown;
  code?: unknown;
  message?: unknown;
}

function describeError(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as ErrorShape;
    if (typeof e.errorClass === 'string') return `${e.errorClass}/${String(e.detail)}: ${String(e.message)}`;
    if (typeof e.code === 'string') return `${e.code}: ${String(e.message)}`;
    if (typeof e.message === 'string') return `${err instanceof Error ? err.name : 'Error'}: ${e.message}`;
  }
  return String(err);
}

function oneLine(s: string, max = 160): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Parses `name(in :: T?, ...) :: (out :: T?, ...)`. */
export function parseProcedureSignature(sig: string): Omit<ProcedureDefinition, 'rows'> {
  const m = /^\s*([\w.]+)\s*\(([^)]*)\)\s*::\s*\(([^)]*)\)\s*$/.exec(sig);
  if (!m) throw new TckFormatError(`bad procedure signature '${sig}'`);
  const params = (list: string): { name: string; type: string }[] =>
    list
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '')
      .map((p) => {
        const pm = /^(\w+)\s*::\s*(\S+)$/.exec(p);
        if (!pm) throw new TckFormatError(`bad procedure parameter '${p}'`);
        return { name: pm[1] as string, type: pm[2] as string };
      });
  return { name: m[1] as string, inputs: params(m[2] as string), outputs: params(m[3] as string) };
}

/** Looks for `graphs/<name>/<name>.cypher` in the given dirs and above the feature file. */
function findGraphScript(
  name: string,
  featurePath: string,
  graphDirs: readonly string[],
): string | undefined {
  for (const d of graphDirs) {
    const p = join(d, name, `${name}.cypher`);
    if (existsSync(p)) return p;
  }
  let dir = dirname(featurePath);
  for (;;) {
    const p = join(dir, 'graphs', name, `${name}.cypher`);
    if (existsSync(p)) return p;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

type Outcome = { readonly result: QueryResult } | { readonly error: unknown };

const RESULT_STEP =
  /^the result should be(?:, (in any order|in order))?( \(ignoring element order for lists\))?:$/;
/** The detail `*` (used with "at any time") accepts any detail of the class. */
const ERROR_STEP = /^an? (\w+) should be raised at (compile time|runtime|any time): (\w+|\*)$/;
const PROCEDURE_STEP = /^there exists a procedure (.+?)\s*:$/;
const GRAPH_STEP = /^the ([\w-]+) graph$/;

class ScenarioContext {
  private params: Record<string, Value> = {};
  private outcome: Outcome | undefined;
  /** Side effects of the last `executing query` (not of control queries). */
  private before: GraphSnapshot | undefined;
  private after: GraphSnapshot | undefined;

  constructor(
    private readonly db: NexusDatabase,
    private readonly opts: ScenarioRunOptions,
    private readonly needsSnapshots: boolean,
  ) {}

  private async exec(query: string, params: Record<string, Value>): Promise<QueryResult> {
    return this.db.execute(query, params, { timeoutMs: this.opts.timeoutMs });
  }

  private snapshot(): GraphSnapshot {
    return takeSnapshot(this.db.namespace(DEFAULT_NAMESPACE));
  }

  private async setupQuery(query: string, what: string): Promise<void> {
    try {
      await this.exec(query, {});
    } catch (err) {
      throw new StepFailure(`${what} failed: ${oneLine(describeError(err))}`, `query:\n${query}`);
    }
  }

  private requireOutcome(): Outcome {
    if (!this.outcome) throw new TckFormatError('a Then step before any query was executed');
    return this.outcome;
  }

  private requireResult(): QueryResult {
    const o = this.requireOutcome();
    if ('error' in o) throw new StepFailure(`query failed: ${oneLine(describeError(o.error))}`);
    return o.result;
  }

  async step(s: TckStep): Promise<void> {
    const text = s.text.trim();
    if (text === 'an empty graph' || text === 'any graph') return;
    let m = GRAPH_STEP.exec(text);
    if (m) {
      const name = m[1] as string;
      const script = findGraphScript(name, this.opts.featurePath, this.opts.graphDirs ?? []);
      if (!script) throw new TckFormatError(`named graph '${name}' not found`);
      await this.setupQuery(readFileSync(script, 'utf8'), `loading graph ${name}`);
      return;
    }
    if (text === 'having executed:' || text === 'after having executed:') {
      await this.setupQuery(this.docString(s), 'setup query');
      return;
    }
    if (text === 'parameters are:' || text === 'parameter values are:') {
      for (const row of s.table ?? []) {
        const [name, value] = row;
        if (name === undefined || value === undefined)
          throw new TckFormatError('parameter rows need name | value');
        this.params[name.trim()] = tckToValue(parseTckValue(value));
      }
      return;
    }
    m = PROCEDURE_STEP.exec(text);
    if (m) {
      this.registerProcedure(m[1] as string, s.table ?? []);
      return;
    }
    if (text.startsWith('executing query:') || text.startsWith('executing control query:')) {
      const control = text.startsWith('executing control query:');
      const inline = text.slice(text.indexOf(':') + 1).trim();
      const query = s.docString ?? inline;
      if (!control && this.needsSnapshots) this.before = this.snapshot();
      try {
        this.outcome = { result: await this.exec(query, this.params) };
      } catch (error) {
        this.outcome = { error };
      }
      if (!control && this.needsSnapshots) this.after = this.snapshot();
      return;
    }
    m = RESULT_STEP.exec(text);
    if (m) {
      const ordered = m[1] === 'in order';
      this.checkResult(s.table ?? [], ordered, m[2] !== undefined);
      return;
    }
    if (text === 'the result should be empty') {
      const r = this.requireResult();
      if (r.rows.length !== 0) {
        throw new StepFailure(
          `expected no rows, got ${r.rows.length}`,
          `actual:\n${renderTable(r.columns, r.rows.slice(0, 20))}`,
        );
      }
      return;
    }
    m = ERROR_STEP.exec(text);
    if (m) {
      this.checkError(m[1] as string, m[3] as string);
      return;
    }
    if (text === 'no side effects') {
      this.checkSideEffects(zeroSideEffects(), true);
      return;
    }
    if (text === 'the side effects should be:') {
      this.checkSideEffects(parseSideEffectsTable(s.table ?? []), false);
      return;
    }
    throw new TckFormatError(`unsupported step '${text}'`);
  }

  private docString(s: TckStep): string {
    if (s.docString === undefined) throw new TckFormatError(`step '${s.text}' needs a doc string`);
    return s.docString;
  }

  private registerProcedure(signature: string, table: readonly (readonly string[])[]): void {
    const sig = parseProcedureSignature(signature);
    const width = sig.inputs.length + sig.outputs.length;
    const [header = [], ...body] = table;
    const names = header.map((c) => c.trim()).filter((c) => c !== '');
    const expectedNames = [...sig.inputs, ...sig.outputs].map((p) => p.name);
    if (names.join('|') !== expectedNames.join('|')) {
      throw new TckFormatError(`procedure table header ${names.join('|')} does not match signature`);
    }
    const rows = body.map((r) => {
      if (r.length !== width) throw new TckFormatError('procedure row width does not match signature');
      return r.map((c) => tckToValue(parseTckValue(c)));
    });
    try {
      this.db.registerProcedure({ ...sig, rows });
    } catch (err) {
      throw new StepFailure(`registerProcedure failed: ${oneLine(describeError(err))}`);
    }
  }

  private checkResult(
    table: readonly (readonly string[])[],
    ordered: boolean,
    unorderedLists: boolean,
  ): void {
    const r = this.requireResult();
    const [header = [], ...body] = table;
    const columns = header.map((c) => c.trim());
    if (columns.join('\u0001') !== r.columns.join('\u0001')) {
      throw new StepFailure(
        `columns differ: expected [${columns.join(', ')}] got [${r.columns.join(', ')}]`,
        `actual:\n${renderTable(r.columns, r.rows.slice(0, 20))}`,
      );
    }
    const opts = { unorderedLists };
    const expected = body.map((row) => row.map((c) => canonicalTck(parseTckValue(c), opts)).join('\u0001'));
    const actual = r.rows.map((row) => row.map((v) => canonicalValue(v, opts)).join('\u0001'));
    const details = (): string =>
      `expected:\n${[columns.join(' | '), ...body.map((row) => row.map((c) => c.trim()).join(' | '))].join('\n')}\n` +
      `actual:\n${renderTable(r.columns, r.rows.slice(0, 50))}`;
    if (ordered) {
      if (expected.length !== actual.length) {
        throw new StepFailure(`expected ${expected.length} rows in order, got ${actual.length}`, details());
      }
      const i = expected.findIndex((e, k) => e !== actual[k]);
      if (i >= 0) {
        throw new StepFailure(
          `row ${i + 1} differs: expected ${oneLine((body[i] ?? []).join(' | '), 80)} got ${oneLine(
            (r.rows[i] ?? []).map(renderValue).join(' | '),
            80,
          )}`,
          details(),
        );
      }
      return;
    }
    const counts = new Map<string, number>();
    for (const e of expected) counts.set(e, (counts.get(e) ?? 0) + 1);
    const unexpected: number[] = [];
    actual.forEach((a, k) => {
      const c = counts.get(a) ?? 0;
      if (c > 0) counts.set(a, c - 1);
      else unexpected.push(k);
    });
    const missing = [...counts.values()].reduce((s, c) => s + c, 0);
    if (missing > 0 || unexpected.length > 0) {
      const first = unexpected[0];
      const sample =
        first === undefined
          ? ''
          : `; e.g. got ${oneLine((r.rows[first] ?? []).map(renderValue).join(' | '), 80)}`;
      throw new StepFailure(
        `rows differ: ${expected.length} expected, ${actual.length} actual, ${missing} missing, ${unexpected.length} unexpected${sample}`,
        details(),
      );
    }
  }

  private checkError(errorClass: string, detail: string): void {
    const o = this.requireOutcome();
    if (!('error' in o)) {
      throw new StepFailure(
        `expected ${errorClass}/${detail}, query succeeded with ${o.result.rows.length} rows`,
        `actual:\n${renderTable(o.result.columns, o.result.rows.slice(0, 20))}`,
      );
    }
    const e = o.error as ErrorShape;
    if (e && typeof e === 'object' && typeof e.errorClass === 'string') {
      if (e.errorClass === errorClass && (detail === '*' || e.detail === detail)) return;
      throw new StepFailure(
        `expected ${errorClass}/${detail}, got ${e.errorClass}/${String(e.detail)}`,
        oneLine(String(e.message), 400),
      );
    }
    throw new StepFailure(`expected ${errorClass}/${detail}, got ${oneLine(describeError(o.error))}`);
  }

  private checkSideEffects(expected: ReturnType<typeof zeroSideEffects>, none: boolean): void {
    // Also meaningful after an expected error: a failed query must leave the graph untouched.
    this.requireOutcome();
    if (!this.before || !this.after) throw new TckFormatError('side effects checked without snapshots');
    const diffs = compareSideEffects(expected, diffSnapshots(this.before, this.after));
    if (diffs.length > 0)
      throw new StepFailure(
        `${none ? 'unexpected side effects' : 'side effects differ'}: ${diffs.join(', ')}`,
      );
  }
}

function renderTable(columns: readonly string[], rows: readonly (readonly Value[])[]): string {
  return [columns.join(' | '), ...rows.map((r) => r.map(renderValue).join(' | '))].join('\n');
}

function withWatchdog<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const watchdog = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StepFailure(`scenario timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, watchdog]).finally(() => clearTimeout(timer));
}

/** Runs one scenario in a fresh database under a fresh temp directory, which is removed afterwards. */
export async function runScenario(scenario: TckScenario, opts: ScenarioRunOptions): Promise<ScenarioResult> {
  const started = performance.now();
  const dir = mkdtempSync(join(opts.tmpRoot ?? tmpdir(), 'nexus-tck-'));
  let db: NexusDatabase | undefined;
  let failure: { reason: string; details?: string } | undefined;
  const needsSnapshots = scenario.steps.some((s) => /side effects/.test(s.text));
  // The engine gets its own timeout per query; the watchdog only catches a hung await.
  const budget = opts.timeoutMs * (scenario.steps.length + 2);
  try {
    await withWatchdog(
      (async () => {
        db = await opts.open(dir);
        const ctx = new ScenarioContext(db, opts, needsSnapshots);
        for (const s of scenario.steps) await ctx.step(s);
      })(),
      budget,
    );
  } catch (err) {
    if (err instanceof StepFailure)
      failure =
        err.details === undefined ? { reason: err.reason } : { reason: err.reason, details: err.details };
    else if (err instanceof TckFormatError) failure = { reason: `runner: ${err.message}` };
    else
      failure = {
        reason: `engine threw: ${oneLine(describeError(err))}`,
        details: err instanceof Error ? (err.stack ?? '') : '',
      };
  }
  try {
    const opened = db as NexusDatabase | undefined;
    if (opened) await withWatchdog(opened.close(), opts.timeoutMs);
  } catch (err) {
    failure ??= { reason: `close failed: ${oneLine(describeError(err))}` };
  }
  rmSync(dir, { recursive: true, force: true });
  const durationMs = Math.round(performance.now() - started);
  if (!failure) return { status: 'passed', durationMs };
  return { status: 'failed', durationMs, ...failure };
}
