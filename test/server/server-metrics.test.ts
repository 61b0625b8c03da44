/**
 * ServerMetrics: the hand-recorded request counter and latency histogram render exactly as
 * prom-client's own Counter and Histogram would (cumulative buckets, +Inf, _sum, _count),
 * and the registry's reset clears them.
 */
import { describe, expect, it } from 'vitest';
import { ServerMetrics } from '../../src/server/server-metrics.js';

function lines(text: string, prefix: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(prefix));
}

describe('ServerMetrics request series', () => {
  it('renders counts, cumulative buckets, sum and count per method, route and status', async () => {
    const m = new ServerMetrics(() => 0, Date.now());
    m.observeRequest('POST', '/cypher', 200, 0.0003);
    m.observeRequest('POST', '/cypher', 200, 0.002);
    m.observeRequest('POST', '/cypher', 200, 20); // above the last bound: only +Inf
    m.observeRequest('POST', '/cypher', 404, 0.7);
    m.observeRequest('GET', '/health', 200, 0.0005); // on a bound: counted in that bucket
    const text = await m.render();

    expect(lines(text, 'nexus_http_requests_total{')).toEqual([
      'nexus_http_requests_total{method="POST",route="/cypher",status="200"} 3',
      'nexus_http_requests_total{method="POST",route="/cypher",status="404"} 1',
      'nexus_http_requests_total{method="GET",route="/health",status="200"} 1',
    ]);
    const ok = lines(text, 'nexus_http_request_duration_seconds_bucket{le=').filter((l) =>
      l.includes('route="/cypher",status="200"'),
    );
    expect(ok).toHaveLength(15);
    expect(ok[0]).toBe(
      'nexus_http_request_duration_seconds_bucket{le="0.0005",method="POST",route="/cypher",status="200"} 1',
    );
    expect(ok[2]).toBe(
      'nexus_http_request_duration_seconds_bucket{le="0.0025",method="POST",route="/cypher",status="200"} 2',
    );
    expect(ok[13]).toBe(
      'nexus_http_request_duration_seconds_bucket{le="10",method="POST",route="/cypher",status="200"} 2',
    );
    expect(ok[14]).toBe(
      'nexus_http_request_duration_seconds_bucket{le="+Inf",method="POST",route="/cypher",status="200"} 3',
    );
    expect(text).toContain(
      'nexus_http_request_duration_seconds_bucket{le="0.0005",method="GET",route="/health",status="200"} 1',
    );
    expect(text).toContain(
      'nexus_http_request_duration_seconds_sum{method="POST",route="/cypher",status="200"} 20.0023',
    );
    expect(text).toContain(
      'nexus_http_request_duration_seconds_count{method="POST",route="/cypher",status="404"} 1',
    );
    expect(text).toContain('# TYPE nexus_http_request_duration_seconds histogram');
    expect(text).toContain('# TYPE nexus_http_requests_total counter');
  });

  it('counts queries by kind and forgets request series on registry reset', async () => {
    const m = new ServerMetrics(() => 0, Date.now());
    m.countQuery(false);
    m.countQuery(true);
    m.countQuery(false);
    m.observeRequest('POST', '/cypher', 200, 0.001);
    const text = await m.render();
    expect(text).toContain('nexus_queries_total{kind="read"} 2');
    expect(text).toContain('nexus_queries_total{kind="write"} 1');
    m.registry.resetMetrics();
    const after = await m.render();
    expect(lines(after, 'nexus_http_requests_total{')).toEqual([]);
    expect(lines(after, 'nexus_http_request_duration_seconds_bucket{')).toEqual([]);
  });
});
