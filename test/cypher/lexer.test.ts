import { describe, expect, it } from 'vitest';
import { CypherError } from '../../src/cypher/errors.js';
import { positionAt, tokenize } from '../../src/cypher/lexer.js';

function types(text: string): string[] {
  return tokenize(text).map((t) => `${t.type}:${t.text}`);
}

function lexError(text: string): CypherError {
  try {
    tokenize(text);
  } catch (error) {
    expect(error).toBeInstanceOf(CypherError);
    return error as CypherError;
  }
  throw new TypeError('expected a lexer error');
}

describe('tokenize', () => {
  it('splits identifiers, punctuation and literals and ends with eof', () => {
    expect(types("MATCH (n:Person {name: 'A'}) RETURN n")).toEqual([
      'ident:MATCH',
      'punct:(',
      'ident:n',
      'punct::',
      'ident:Person',
      'punct:{',
      'ident:name',
      'punct::',
      'string:A',
      'punct:}',
      'punct:)',
      'ident:RETURN',
      'ident:n',
      'eof:',
    ]);
  });

  it('upper-cases identifiers for keyword checks but keeps the original text', () => {
    const [token] = tokenize('mAtCh');
    expect(token?.text).toBe('mAtCh');
    expect(token?.upper).toBe('MATCH');
  });

  it('keeps arrows as separate tokens so a<-1 is a comparison with a negative number', () => {
    expect(types('a<-1')).toEqual(['ident:a', 'punct:<', 'punct:-', 'int:1', 'eof:']);
    expect(types('<>')).toEqual(['punct:<>', 'eof:']);
    expect(types('<=>=!==~+=..')).toEqual([
      'punct:<=',
      'punct:>=',
      'punct:!=',
      'punct:=~',
      'punct:+=',
      'punct:..',
      'eof:',
    ]);
  });

  it('skips line and block comments', () => {
    expect(types('a // comment\n/* block\n comment */ b')).toEqual(['ident:a', 'ident:b', 'eof:']);
  });

  it('reads backquoted identifiers with doubled backticks', () => {
    const [token] = tokenize('`a ``b`` c`');
    expect(token?.type).toBe('quoted');
    expect(token?.text).toBe('a `b` c');
  });

  it('reads parameters by name, number and backquoted name', () => {
    expect(types('$name $0 $`odd name`')).toEqual(['param:name', 'param:0', 'param:odd name', 'eof:']);
  });

  describe('numbers', () => {
    it('reads decimal, hex and octal integers as bigint', () => {
      const tokens = tokenize('42 0x1F 0o17 0');
      expect(tokens.slice(0, 4).map((t) => t.bigint)).toEqual([42n, 31n, 15n, 0n]);
    });

    it('keeps integers beyond 64 bits exact for the parser to range-check', () => {
      expect(tokenize('9223372036854775808')[0]?.bigint).toBe(9223372036854775808n);
    });

    it('reads floats with fractions and exponents', () => {
      const tokens = tokenize('1.5 .5 1e10 1E-3 2.5e+2');
      expect(tokens.slice(0, 5).map((t) => [t.type, t.number])).toEqual([
        ['float', 1.5],
        ['float', 0.5],
        ['float', 1e10],
        ['float', 1e-3],
        ['float', 250],
      ]);
    });

    it('does not swallow a range dot: 1..3 is int, .., int', () => {
      expect(types('1..3')).toEqual(['int:1', 'punct:..', 'int:3', 'eof:']);
    });

    it('rejects malformed hex and octal literals', () => {
      expect(lexError('0x').detail).toBe('InvalidNumberLiteral');
      expect(lexError('0x1A2b3j4D5E6f7').detail).toBe('InvalidNumberLiteral');
      expect(lexError('0o19').detail).toBe('InvalidNumberLiteral');
    });

    it('rejects float literals that overflow', () => {
      const error = lexError('1.34E999');
      expect(error.errorClass).toBe('SyntaxError');
      expect(error.detail).toBe('FloatingPointOverflow');
    });
  });

  describe('strings', () => {
    it('accepts both quote styles and all escapes', () => {
      const [a, b] = tokenize(`'it\\'s \\"x\\" \\\\ \\t\\n' "say \\"hi\\" 'ok'"`);
      expect(a?.text).toBe('it\'s "x" \\ \t\n');
      expect(b?.text).toBe('say "hi" \'ok\'');
    });

    it('decodes \\u and \\U escapes', () => {
      expect(tokenize("'\\u0041\\u00e9'")[0]?.text).toBe('Aé');
      expect(tokenize("'\\U0001F600'")[0]?.text).toBe('😀');
    });

    it('rejects an invalid unicode escape', () => {
      const error = lexError("'\\uH'");
      expect(error.detail).toBe('InvalidUnicodeLiteral');
    });

    it('reports an unterminated string at its start', () => {
      const error = lexError("RETURN 'abc");
      expect(error.detail).toBe('UnexpectedSyntax');
      expect(error.position).toEqual({ offset: 7, line: 1, column: 8 });
    });
  });

  it('rejects unknown characters with their position', () => {
    const error = lexError('RETURN {k1#k: 1}');
    expect(error.detail).toBe('UnexpectedSyntax');
    expect(error.message).toContain("Invalid input '#'");
    expect(error.position?.column).toBe(11);
  });
});

describe('positionAt', () => {
  it('converts offsets into 1-based line and column', () => {
    const text = 'ab\ncd\nef';
    expect(positionAt(text, 0)).toEqual({ offset: 0, line: 1, column: 1 });
    expect(positionAt(text, 4)).toEqual({ offset: 4, line: 2, column: 2 });
    expect(positionAt(text, 6)).toEqual({ offset: 6, line: 3, column: 1 });
  });
});
