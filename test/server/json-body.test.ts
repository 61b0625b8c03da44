import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeAmbiguousNumbers, parseJsonBody } from '../../src/server/json-body.js';

describe('lossless JSON bodies', () => {
  it('leaves bodies without ambiguous numbers untouched (same string)', () => {
    const text = '{"a":1,"b":-2.5,"c":"1.0 and 99999999999999999999","d":[1e-3,0]}';
    expect(escapeAmbiguousNumbers(text)).toBe(text);
  });

  it('escapes integral floats and unsafe integers, not strings that look like them', () => {
    expect(
      parseJsonBody('{"f":1.0,"e":1e3,"z":-0.0,"s":"1.0","big":9007199254740993,"neg":-9223372036854775808}'),
    ).toEqual({
      f: { $float: '1.0' },
      e: { $float: '1e3' },
      z: { $float: '-0.0' },
      s: '1.0',
      big: { $int: '9007199254740993' },
      neg: { $int: '-9223372036854775808' },
    });
    expect(parseJsonBody('{"k\\"1.0":[2.0]}')).toEqual({ 'k"1.0': [{ $float: '2.0' }] });
    expect(parseJsonBody('9007199254740991')).toBe(9007199254740991);
  });

  it('rejects malformed and empty bodies with INVALID_BODY', () => {
    for (const text of ['', '{', '{"a":1.0.0}', '[1,]', '-', 'nul']) {
      expect(() => parseJsonBody(text), text).toThrow(expect.objectContaining({ code: 'INVALID_BODY' }));
    }
  });

  it('agrees with JSON.parse on any JSON without integral floats or big integers', () => {
    const safe = fc.jsonValue().filter((v) => !/\d\.0\b|e[+-]?\d|\d{16}/i.test(JSON.stringify(v)));
    fc.assert(
      fc.property(safe, (value) => {
        const text = JSON.stringify(value);
        expect(parseJsonBody(text)).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips every safe integer and every non-integral double exactly', () => {
    fc.assert(
      fc.property(fc.oneof(fc.maxSafeInteger(), fc.double({ noNaN: true, noDefaultInfinity: true })), (n) => {
        const text = JSON.stringify({ n });
        const parsed = parseJsonBody(text) as { n: unknown };
        const literal = JSON.stringify(n);
        if (Number.isSafeInteger(n)) expect(parsed.n).toBe(n === 0 ? 0 : n);
        else if (Number.isInteger(n) && !literal.includes('e')) expect(parsed.n).toEqual({ $int: literal });
        else if (Number.isInteger(n)) expect(parsed.n).toEqual({ $float: literal });
        else expect(parsed.n).toBe(n);
      }),
      { numRuns: 300 },
    );
  });
});
