/**
 * Shared helpers for the Cypher front-end tests: parse a query and dig out the parts a
 * test asserts on, or capture the CypherError a query raises.
 */
import { expect } from 'vitest';
import {
  CypherError,
  compile,
  parse,
  parseSyntax,
  type AnalyzeOptions,
  type Clause,
  type Expression,
  type Query,
  type Statement,
} from '../../src/cypher/index.js';

/** Drops `offset` fields and renders bigints as `123n` strings, for shape assertions. */
export function strip(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (key, v: unknown) => {
      if (key === 'offset') return undefined;
      if (typeof v === 'bigint') return `${v}n`;
      return v;
    }),
  ) as unknown;
}

export function query(text: string): Query {
  const statement = parse(text);
  if (statement.body.kind !== 'Query') throw new TypeError(`not a query: ${statement.body.kind}`);
  return statement.body;
}

export function clauses(text: string): readonly Clause[] {
  return query(text).first.clauses;
}

/** The expression of the single item of `RETURN <expr>`, parsed syntax-only. */
export function expr(text: string): Expression {
  const statement = parseSyntax(`RETURN ${text}`);
  if (statement.body.kind !== 'Query') throw new TypeError('not a query');
  const clause = statement.body.first.clauses[0];
  if (clause?.kind !== 'Return') throw new TypeError('not a RETURN');
  const item = clause.projection.items[0];
  if (!item) throw new TypeError('no item');
  return item.expression;
}

export function errorOf(text: string, options?: Omit<AnalyzeOptions, 'source'>): CypherError {
  try {
    if (options) compile(text, options);
    else parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(CypherError);
    return error as CypherError;
  }
  throw new TypeError(`expected a CypherError for: ${text}`);
}

export function statement(text: string): Statement {
  return parse(text);
}
