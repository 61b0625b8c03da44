import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { generateSecret, hashSecret, isWellFormedSecret, SECRET_PATTERN } from '../../src/auth/index.js';

describe('secrets', () => {
  it('generates nx_ + base64url of 32 random bytes', () => {
    const s = generateSecret();
    expect(s).toMatch(SECRET_PATTERN);
    expect(Buffer.from(s.slice(3), 'base64url')).toHaveLength(32);
    expect(generateSecret()).not.toBe(s);
  });

  it('hashes with SHA-256 hex', () => {
    expect(hashSecret('nx_abc')).toBe(createHash('sha256').update('nx_abc').digest('hex'));
    expect(hashSecret('nx_abc')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('recognises malformed secrets', () => {
    expect(isWellFormedSecret(generateSecret())).toBe(true);
    expect(isWellFormedSecret('nx_short')).toBe(false);
    expect(isWellFormedSecret('xx_' + 'a'.repeat(43))).toBe(false);
    expect(isWellFormedSecret('nx_' + 'a'.repeat(42) + '+')).toBe(false);
  });
});
