/**
 * Finds `.feature` files and compiles them with the official Gherkin parser into
 * pickles (one per scenario, one per example row of a Scenario Outline), reduced to
 * the plain data the scenario runner needs.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, sep } from 'node:path';
import { AstBuilder, GherkinClassicTokenMatcher, Parser, compile } from '@cucumber/gherkin';
import { IdGenerator } from '@cucumber/messages';

export interface TckStep {
  /** Step text without the keyword (e.g. `executing query:`). */
  readonly text: string;
  readonly docString?: string;
  /** Table cells (already unescaped by Gherkin). */
  readonly table?: readonly (readonly string[])[];
}

export interface TckScenario {
  /** Feature file path relative to the features root (forward slashes). */
  readonly file: string;
  /** Directory of the feature file relative to the root ('.' for the root itself). */
  readonly dir: string;
  readonly line: number;
  readonly name: string;
  readonly steps: readonly TckStep[];
}

/** All `.feature` files under `root` (a file is accepted as-is), sorted for stable output. */
export function findFeatureFiles(root: string): string[] {
  const st = statSync(root);
  if (st.isFile()) return root.endsWith('.feature') ? [root] : [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith('.feature')) out.push(p);
    }
  };
  walk(root);
  return out;
}

function toPosix(p: string): string {
  return p.split(sep).join('/');
}

/** Compiles one feature file's text into scenarios. `file` is the path reported in output. */
export function compileFeature(source: string, file: string): TckScenario[] {
  const newId = IdGenerator.uuid();
  const parser = new Parser(new AstBuilder(newId), new GherkinClassicTokenMatcher());
  const doc = parser.parse(source);
  const pickles = compile(doc, file, newId);
  // Pickle.location is optional in the messages schema; fall back to the AST node's line.
  const lineOf = new Map<string, number>();
  const visitChildren = (
    children: readonly {
      scenario?: {
        id: string;
        location: { line: number };
        examples: readonly { tableBody: readonly { id: string; location: { line: number } }[] }[];
      };
      rule?: { children: readonly unknown[] };
    }[],
  ): void => {
    for (const c of children) {
      if (c.scenario) {
        lineOf.set(c.scenario.id, c.scenario.location.line);
        for (const ex of c.scenario.examples)
          for (const row of ex.tableBody) lineOf.set(row.id, row.location.line);
      }
      if (c.rule) visitChildren(c.rule.children as typeof children);
    }
  };
  visitChildren(doc.feature?.children ?? []);
  const rel = toPosix(file);
  const d = dirname(rel);
  return pickles.map((p) => {
    const astLine =
      p.astNodeIds.length > 1 ? lineOf.get(p.astNodeIds[p.astNodeIds.length - 1] as string) : undefined;
    const line = astLine ?? p.location?.line ?? lineOf.get(p.astNodeIds[0] as string) ?? 0;
    return {
      file: rel,
      dir: d,
      line,
      name: p.name,
      steps: p.steps.map((s) => {
        const step: { text: string; docString?: string; table?: string[][] } = { text: s.text };
        if (s.argument?.docString) step.docString = s.argument.docString.content;
        if (s.argument?.dataTable)
          step.table = s.argument.dataTable.rows.map((r) => r.cells.map((c) => c.value));
        return step;
      }),
    };
  });
}

/** Loads every scenario under `root`; paths are reported relative to `root`. */
export function loadScenarios(root: string): TckScenario[] {
  const st = statSync(root);
  const base = st.isFile() ? dirname(root) : root;
  return findFeatureFiles(root).flatMap((f) => compileFeature(readFileSync(f, 'utf8'), relative(base, f)));
}
