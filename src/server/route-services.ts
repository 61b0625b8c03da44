/**
 * What route plugins receive, and the small per-request helpers they share: the caller's
 * context, its namespace handle, the write options carrying the tenant's storage quota,
 * and usage accounting for cluster mode.
 */
import type { FastifyRequest } from 'fastify';
import type { UserContext } from '../auth/types.js';
import type { ClusterGate, UsageEvent } from '../cluster/types.js';
import type { NexusConfig } from '../config/config-schema.js';
import type { NexusDatabase } from '../engine/api.js';
import { NexusError } from '../errors.js';
import type { NamespaceHandle, WriteOptions } from '../storage/types.js';
import type { OpenApiCollector } from './openapi.js';
import type { NexusRequestCore } from '../service/request-core.js';
import type { CallScope } from '../service/types.js';
import type { ServerMetrics } from './server-metrics.js';

export interface RouteServices {
  readonly config: NexusConfig;
  /** The service layer every protocol shares (auth, admission, quotas, usage, error mapping). */
  readonly core: NexusRequestCore;
  readonly db: NexusDatabase;
  readonly metrics: ServerMetrics;
  readonly openapi: OpenApiCollector;
  readonly clusterGate: ClusterGate | null;
  readonly version: string;
  readonly startedAt: number;
}

/**
 * The caller's context as the onRequest hook set it (the anonymous context when auth is
 * off). Fails closed: a request that reached a handler without one is a server bug, never
 * a reason to fall back to the default namespace.
 */
export function contextOf(req: FastifyRequest): UserContext {
  if (req.ctx === null) {
    throw new NexusError('INTERNAL_ERROR', 'The request has no caller context');
  }
  return req.ctx;
}

/** The call the request core admitted for this request (fails closed like contextOf). */
export function scopeOf(req: FastifyRequest): CallScope {
  if (req.scope === null) throw new NexusError('INTERNAL_ERROR', 'The request was not admitted');
  return req.scope;
}

export function namespaceOf(services: RouteServices, req: FastifyRequest): NamespaceHandle {
  return services.db.namespace(contextOf(req).namespace);
}

const NO_WRITE_OPTIONS: WriteOptions = Object.freeze({});

export function writeOptionsOf(req: FastifyRequest): WriteOptions {
  return req.quotaBytes === null ? NO_WRITE_OPTIONS : { maxBytes: req.quotaBytes };
}

/** Adds deltas to the request's usage event (cluster mode only; a no-op otherwise). */
export function addUsage(req: FastifyRequest, delta: UsageEvent): void {
  const usage = req.usage;
  if (usage === null) return;
  for (const key in delta) {
    const k = key as keyof UsageEvent;
    usage[k] = (usage[k] ?? 0) + (delta[k] ?? 0);
  }
}

/** Path ids arrive as digit strings (the schema checks the pattern). */
export function parseId(raw: string, what: string): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id < 0) {
    throw new NexusError('INVALID_PARAMETER', `${what} id must be a non-negative integer`, {
      details: { id: raw },
    });
  }
  return id;
}

export const JSON_TYPE = 'application/json; charset=utf-8';

/** Path parameter schema for `:id` routes. */
export const ID_PARAMS = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[0-9]{1,15}$', description: 'Numeric entity id' } },
} as const;
