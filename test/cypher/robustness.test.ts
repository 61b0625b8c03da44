import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CypherError, parse } from '../../src/cypher/index.js';

/** Fragments that make up plausible (and implausible) queries. */
const FRAGMENTS = [
  'MATCH',
  'OPTIONAL',
  'CREATE',
  'MERGE',
  'SET',
  'REMOVE',
  'DELETE',
  'DETACH',
  'WITH',
  'RETURN',
  'UNWIND',
  'FOREACH',
  'CALL',
  'YIELD',
  'WHERE',
  'ORDER',
  'BY',
  'SKIP',
  'LIMIT',
  'UNION',
  'ALL',
  'AS',
  'AND',
  'OR',
  'NOT',
  'IN',
  'IS',
  'NULL',
  'CASE',
  'WHEN',
  'THEN',
  'ELSE',
  'END',
  'EXISTS',
  'DISTINCT',
  'count',
  'n',
  'm',
  'r',
  'p',
  'x',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  ':',
  '.',
  '..',
  '|',
  '=',
  '<',
  '>',
  '-',
  '+',
  '*',
  '/',
  '%',
  '^',
  '<>',
  '=~',
  '+=',
  '1',
  '0x1F',
  '1.5',
  "'s'",
  '$p',
  '`q`',
  'true',
  'null',
  ';',
];

function failsCleanly(text: string): void {
  try {
    parse(text);
  } catch (error) {
    if (!(error instanceof CypherError)) throw error;
    expect(['SyntaxError', 'TypeError', 'ProcedureError', 'ParameterMissing']).toContain(error.errorClass);
  }
}

describe('robustness', () => {
  it('random token sequences either parse or raise a CypherError', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 25 }), (parts) => {
        failsCleanly(parts.join(' '));
      }),
      { numRuns: 1500 },
    );
  });

  it('random text either parses or raises a CypherError', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 60 }), fc.string({ maxLength: 30, unit: 'binary' })),
        (text) => {
          failsCleanly(text);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('every prefix of a valid query fails cleanly', () => {
    const text =
      'MATCH p = (a:A {x: 1})-[r:R*1..2]->(b) WHERE a.x IN [1, 2] AND NOT (a)<--(b) ' +
      'WITH a, count(*) AS c ORDER BY c DESC LIMIT 3 ' +
      "RETURN a {.x, c: c}, [y IN range(1, c) WHERE y % 2 = 0 | y ^ 2] AS ys, CASE WHEN c > 1 THEN 'many' END AS k";
    expect(() => parse(text)).not.toThrow();
    for (let i = 0; i < text.length; i++) failsCleanly(text.slice(0, i));
  });

  it('rejects absurd nesting with a syntax error instead of overflowing the stack', () => {
    for (const text of [
      `RETURN ${'('.repeat(2000)}1${')'.repeat(2000)}`,
      `RETURN ${'['.repeat(2000)}1${']'.repeat(2000)}`,
      `RETURN ${'[('.repeat(2000)}`,
      `MATCH ${'('.repeat(2000)}n${')'.repeat(2000)} RETURN n`,
    ]) {
      const error = (() => {
        try {
          parse(text);
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(error).toBeInstanceOf(CypherError);
    }
  });

  it('rejects an operator chain too long to analyze with a CypherError', () => {
    const text = `RETURN ${Array(30000).fill('1').join(' + ')}`;
    expect(() => parse(text)).toThrow(CypherError);
  });

  it('accepts reasonable nesting', () => {
    expect(() => parse(`RETURN ${'('.repeat(50)}1${')'.repeat(50)} AS x`)).not.toThrow();
    expect(() => parse(`RETURN ${Array(500).fill('1').join(' + ')} AS x`)).not.toThrow();
  });
});
