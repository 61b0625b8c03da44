import { describe, expect, it } from 'vitest';
import { describeError, silentLogger, systemClock } from '../../src/cluster/cluster-logger.js';

describe('cluster-logger helpers', () => {
  it('describes errors and non-errors', () => {
    expect(describeError(new Error('boom'))).toBe('boom');
    expect(describeError('plain')).toBe('plain');
    expect(describeError(42)).toBe('42');
  });

  it('offers a silent logger and the system clock', () => {
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      expect(silentLogger[level]({ a: 1 }, 'x')).toBeUndefined();
    }
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});
