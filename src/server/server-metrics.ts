/**
 * Prometheus metrics of one server instance, on its own Registry (never the global one, so
 * several servers in one process — tests — do not collide). Label sets are small and
 * bounded: route patterns, not URLs; error codes from the catalogue; no tenant labels, so
 * the figures never split out another tenant's activity.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ControlPlaneStatus } from '../cluster/types.js';

const BREAKER_STATES: readonly ControlPlaneStatus['breakerState'][] = [
  'closed',
  'open',
  'half-open',
  'isolated',
];

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
      help: 'Bytes of graph data: the default namespace (standalone), all namespaces together (cluster mode)',
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

  /**
   * Cluster mode: the control plane's state, read from the gate at each scrape. Instance-wide
   * figures only; no series names a tenant.
   */
  trackControlPlane(status: () => ControlPlaneStatus): void {
    const registers = [this.registry];
    new Gauge({
      name: 'nexus_control_plane_reachable',
      help: 'Whether HiveHub answered the last call (1) or not (0)',
      registers,
      collect() {
        this.set(status().reachable ? 1 : 0);
      },
    });
    new Gauge({
      name: 'nexus_control_plane_breaker_state',
      help: "The HiveHub client's circuit breaker: 1 for the current state, 0 for the others",
      labelNames: ['state'],
      registers,
      collect() {
        const current = status().breakerState;
        for (const state of BREAKER_STATES) this.set({ state }, state === current ? 1 : 0);
      },
    });
    new Gauge({
      name: 'nexus_quota_cache_hit_ratio',
      help: 'Share of quota lookups answered from the cache (0 to 1) since start',
      registers,
      collect() {
        this.set(status().cacheHitRate);
      },
    });
    new Gauge({
      name: 'nexus_usage_outbox_depth',
      help: 'Usage reports written to the durable outbox and not yet accepted by HiveHub',
      registers,
      collect() {
        this.set(status().outboxDepth);
      },
    });
    // Counters kept by the usage tracker; mirrored (reset + inc) so they stay monotonic here.
    new Counter({
      name: 'nexus_usage_reports_sent_total',
      help: 'Usage reports HiveHub accepted since start',
      registers,
      collect() {
        this.reset();
        this.inc(status().reportsSent);
      },
    });
    new Counter({
      name: 'nexus_usage_reports_failed_total',
      help: 'Usage report deliveries that failed since start (retried from the outbox)',
      registers,
      collect() {
        this.reset();
        this.inc(status().reportsFailed);
      },
    });
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
