/**
 * What the server attaches to each request and each route, as Fastify type augmentations.
 * Routes declare their needs in `config`; the auth hook fills `ctx` (the caller's identity,
 * bound to one namespace) and, in cluster mode, the tenant and quota the handlers obey.
 */
import type { UserContext } from '../auth/types.js';
import type { RouteAuth } from '../auth/functions.js';
import type { UsageEvent } from '../cluster/types.js';
import type { CallScope } from '../service/types.js';
import type { NexusRequestCore } from '../service/request-core.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The request core (src/service), shared with plugins such as the MCP endpoint. */
    nexusCore: NexusRequestCore;
  }
  /** Documentation keys read by the OpenAPI generator (openapi.ts). */
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: string[];
    hide?: boolean;
  }
  interface FastifyContextConfig {
    /** The route reads or writes graph data, so the caller must be bound to a namespace. */
    needsNamespace?: boolean;
    /** Filled from the auth function table when the route is registered. */
    auth?: RouteAuth | undefined;
  }
  interface FastifyRequest {
    /** The authenticated caller; null until the auth hook ran (auth off: the auth layer's ANONYMOUS_CONTEXT). */
    ctx: UserContext | null;
    /**
     * Cluster mode: the tenant the request acts on (its storage quota applies). Usage is
     * counted towards it only when `usage` is set — not for operator access.
     */
    tenantId: string | null;
    /** Cluster mode: the tenant's storage quota, passed into every write. */
    quotaBytes: number | null;
    /** Cluster mode: what this request did, reported to the gate when it completes. */
    usage: UsageEvent | null;
    /** The admitted call, as the request core granted it (auth on); null otherwise. */
    scope: CallScope | null;
  }
}
