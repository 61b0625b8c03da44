/**
 * Prometheus metrics of one server instance, on its own Registry (never the global one, so
 * several servers in one process — tests — do not collide). Label sets are small and
 * bounded: route patterns, not URLs; error codes from the catalogue; no tenant labels, so
 * the figures never split out another tenant's activity.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly latency: Histogram<'method' | 'route' | 'status'>;
  private readonly queries: Counter<'kind'>;
  private readonly errors: Counter<'code'>;
  /** Children looked up once per (method, route, status): `labels()` allocates. */
  private readonly children = new Map<string, { count: Counter; hist: Histogram }>();

  constructor(storageBytes: () => number, startedAt: number) {
    this.requests = new Counter({
      name: 'nexus_http_requests_total',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: 'nexus_http_request_duration_seconds',
      help: 'HTTP request latency by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.queries = new Counter({
      name: 'nexus_queries_total',
      help: 'Cypher queries executed, by kind (read or write)',
      labelNames: ['kind'],
      registers: [this.registry],
    });
    this.errors = new Counter({
      name: 'nexus_errors_total',
      help: 'Error responses by error code',
      labelNames: ['code'],
      registers: [this.registry],
    });
    new Gauge({
      name: 'nexus_storage_bytes',
      help: 'Bytes held by the default namespace (standalone) ',
      registers: [this.registry],
      collect() {
        this.set(storageBytes());
      },
    });
    new Gauge({
      name: 'nexus_uptime_seconds',
      help: 'Seconds since the server started',
      registers: [this.registry],
      collect() {
        this.set((Date.now() - startedAt) / 1000);
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'nexus_process_' });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    let child = this.children.get(key);
    if (child === undefined) {
      const labels = { method, route, status: String(status) };
      child = {
        count: this.requests.labels(labels) as unknown as Counter,
        hist: this.latency.labels(labels) as unknown as Histogram,
      };
      this.children.set(key, child);
    }
    child.count.inc();
    child.hist.observe(seconds);
  }

  countQuery(isWrite: boolean): void {
    this.queries.inc({ kind: isWrite ? 'write' : 'read' });
  }

  countError(code: string): void {
    this.errors.inc({ code });
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
