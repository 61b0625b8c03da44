/**
 * The front end's entry points: `compile` = parse + analyze, `parse` = compile and
 * keep the statement. Callers that only need syntax (tools, tests) use `parseSyntax`.
 */
import type { Statement } from './ast.js';
import { analyze, type Analysis, type AnalyzeOptions } from './analyze.js';
import { parseStatement } from './parser.js';

export interface CompiledStatement {
  readonly statement: Statement;
  readonly analysis: Analysis;
}

/** Parses and analyzes a query; throws `CypherError` for syntax and semantic errors. */
export function compile(query: string, options: Omit<AnalyzeOptions, 'source'> = {}): CompiledStatement {
  const statement = parseStatement(query);
  const analysis = analyze(statement, { ...options, source: query });
  return { statement, analysis };
}

/**
 * Parses and analyzes a query (without procedure/parameter checks, which need
 * `compile` with options) and returns the statement.
 */
export function parse(query: string): Statement {
  return compile(query).statement;
}

/** Syntax only: no semantic checks. */
export function parseSyntax(query: string): Statement {
  return parseStatement(query);
}
