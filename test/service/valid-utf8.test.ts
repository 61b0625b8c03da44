import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NexusError } from '../../src/errors.js';
import { assertValidUtf8, decodeUtf8Strict, firstInvalidUtf8 } from '../../src/service/valid-utf8.js';

const fatal = new TextDecoder('utf-8', { fatal: true });
const valid = (b: Uint8Array) => {
  try {
    fatal.decode(b);
    return true;
  } catch {
    return false;
  }
};

describe('strict UTF-8', () => {
  it('agrees with the WHATWG decoder on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect(firstInvalidUtf8(b) < 0).toBe(valid(b));
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts every encoded string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(firstInvalidUtf8(new TextEncoder().encode(s))).toBe(-1);
      }),
    );
  });

  it.each([
    [[0x61, 0xff], 1],
    [[0x61, 0x62, 0xc3], 2], // truncated
    [[0xc0, 0x80], 0], // overlong NUL
    [[0xe0, 0x80, 0x80], 0], // overlong
    [[0x61, 0xed, 0xa0, 0x80], 1], // surrogate
    [[0xf4, 0x90, 0x80, 0x80], 0], // above U+10FFFF
    [[0xe2, 0x82, 0xac, 0x80], 3], // stray continuation
  ])('names the offset of the first bad byte in %j', (bytes, offset) => {
    const b = Uint8Array.from(bytes);
    expect(firstInvalidUtf8(b)).toBe(offset);
    let caught: unknown;
    try {
      decodeUtf8Strict(b);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(NexusError);
    expect((caught as NexusError).code).toBe('INVALID_BODY');
    expect((caught as NexusError).details).toEqual({ offset });
    expect((caught as NexusError).message).toContain(`offset ${offset}`);
    expect(() => assertValidUtf8(b, 'A Bolt string')).toThrow(/A Bolt string is not valid UTF-8/);
  });

  it('decodes valid text, BOM included', () => {
    expect(decodeUtf8Strict(new TextEncoder().encode('héllo €𝄞'))).toBe('héllo €𝄞');
    expect(decodeUtf8Strict(Uint8Array.from([0xef, 0xbb, 0xbf, 0x61]))).toBe('\ufeffa');
  });
});
