import { describe, expect, it } from 'vitest';
import { RateLimiter, headersFor } from '../../src/cluster/rate-limiter.js';
import type { TenantQuotas } from '../../src/cluster/types.js';
import { NexusError } from '../../src/errors.js';
import { ManualClock } from './fakes.js';

const quotas = (perMinute: number | null, perHour: number | null): TenantQuotas => ({
  storageBytes: null,
  requestsPerMinute: perMinute,
  requestsPerHour: perHour,
});

function rejection(fn: () => unknown): NexusError {
  try {
    fn();
  } catch (err) {
    return err as NexusError;
  }
  throw new Error('expected a throw');
}

describe('RateLimiter', () => {
  it('admits exactly the remaining budget out of 200 concurrent requests', async () => {
    const clock = new ManualClock(Date.parse('2026-11-26T10:00:05Z'));
    const limiter = new RateLimiter({ clock });
    const q = quotas(600, 20_000);
    for (let i = 0; i < 550; i++) limiter.consume('alice', q);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 200 }, async () => {
        await Promise.resolve();
        return limiter.consume('alice', q);
      }),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(50);
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(refused).toHaveLength(150);
    expect(refused.every((r) => (r.reason as NexusError).code === 'RATE_LIMIT_EXCEEDED')).toBe(true);
  });

  it('sets X-RateLimit-* and IETF RateLimit headers, without the user id', () => {
    const clock = new ManualClock(Date.parse('2026-11-26T10:00:18Z'));
    const limiter = new RateLimiter({ clock });
    const { headers, windows } = limiter.consume('secret-user-42', quotas(600, 20_000));
    expect(windows).toEqual([
      { name: 'minute', limit: 600, remaining: 599, resetSeconds: 42 },
      { name: 'hour', limit: 20_000, remaining: 19_999, resetSeconds: 3582 },
    ]);
    expect(headers).toEqual({
      'X-RateLimit-Limit': '600',
      'X-RateLimit-Remaining': '599',
      'X-RateLimit-Reset': '42',
      'RateLimit-Policy': '"minute";q=600;w=60, "hour";q=20000;w=3600',
      RateLimit: '"minute";r=599;t=42, "hour";r=19999;t=3582',
    });
    expect(JSON.stringify(headers)).not.toContain('secret-user-42');
  });

  it('reports the hour window when it is the binding one', () => {
    const limiter = new RateLimiter({ clock: new ManualClock(Date.parse('2026-11-26T10:30:00Z')) });
    const { headers } = limiter.consume('u', quotas(100, 3));
    expect(headers['X-RateLimit-Limit']).toBe('3');
    expect(headers['X-RateLimit-Remaining']).toBe('2');
    expect(headers['X-RateLimit-Reset']).toBe('1800');
  });

  it('prefers the window that resets later on a tie', () => {
    expect(
      headersFor([
        { name: 'minute', limit: 5, remaining: 0, resetSeconds: 10 },
        { name: 'hour', limit: 9, remaining: 0, resetSeconds: 100 },
      ])['X-RateLimit-Limit'],
    ).toBe('9');
  });

  it('refuses over the minute limit with retry details until the window resets', () => {
    const clock = new ManualClock(Date.parse('2026-11-26T10:00:50Z'));
    const limiter = new RateLimiter({ clock });
    const q = quotas(2, null);
    limiter.consume('u', q);
    limiter.consume('u', q);
    const err = rejection(() => limiter.consume('u', q));
    expect(err).toBeInstanceOf(NexusError);
    expect(err.code).toBe('RATE_LIMIT_EXCEEDED');
    expect(err.details).toMatchObject({ retry_after_seconds: 10, retryAfterSeconds: 10 });
    expect((err.details?.headers as Record<string, string>)['Retry-After']).toBe('10');
    expect((err.details?.headers as Record<string, string>)['X-RateLimit-Remaining']).toBe('0');
    clock.advance(10_000);
    expect(limiter.consume('u', q).windows[0]).toMatchObject({ remaining: 1, resetSeconds: 60 });
  });

  it('uses the longest wait when several windows are spent', () => {
    const clock = new ManualClock(Date.parse('2026-11-26T10:59:00Z'));
    const limiter = new RateLimiter({ clock });
    limiter.consume('u', quotas(1, 1));
    expect(rejection(() => limiter.consume('u', quotas(1, 1))).details).toMatchObject({
      retry_after_seconds: 60,
    });
    clock.advance(30_000);
    const err = rejection(() => limiter.consume('u', quotas(5, 1)));
    expect(err.message).toContain('hour');
    expect(err.details).toMatchObject({ retry_after_seconds: 30 });
  });

  it('keeps tenants separate and treats null as unlimited', () => {
    const limiter = new RateLimiter({ clock: new ManualClock() });
    limiter.consume('a', quotas(1, 1));
    expect(() => limiter.consume('b', quotas(1, 1))).not.toThrow();
    for (let i = 0; i < 1000; i++) expect(limiter.consume('c', quotas(null, null)).headers).toEqual({});
  });

  it('peeks without consuming', () => {
    const limiter = new RateLimiter({ clock: new ManualClock() });
    limiter.consume('a', quotas(10, null));
    expect(limiter.peek('a', quotas(10, null)).windows[0]?.remaining).toBe(9);
    expect(limiter.peek('a', quotas(10, null)).windows[0]?.remaining).toBe(9);
  });

  it('drops tenants idle for a past hour once over the sweep threshold', () => {
    const clock = new ManualClock(Date.parse('2026-11-26T10:00:00Z'));
    const limiter = new RateLimiter({ clock, sweepThreshold: 3 });
    for (const u of ['a', 'b', 'c']) limiter.consume(u, quotas(1, 1));
    clock.advance(3_600_000);
    limiter.consume('a', quotas(1, 1));
    limiter.consume('d', quotas(1, 1));
    expect(limiter.trackedTenants).toBe(2);
    // no second sweep in the same hour, and a swept tenant starts afresh
    for (const u of ['e', 'f', 'b']) limiter.consume(u, quotas(1, 1));
    expect(limiter.trackedTenants).toBe(5);
  });
});
