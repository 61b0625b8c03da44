/**
 * Builds the Fastify application (not listening): lossless JSON bodies, the auth /
 * cluster-admission hook, metrics, the single error shape, 404/405 handling, and one
 * plugin per API area. `startServer` (start-server.ts) wires the real services and listens.
 */
import type { StorageStatus } from '../storage/storage-ceiling.js';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  type RouteOptions,
  type onRequestHookHandler,
} from 'fastify';
import { routeAuth } from '../auth/functions.js';
import { ANONYMOUS_CONTEXT, type HeaderBag } from '../auth/auth-service.js';
import type { UserContext } from '../auth/types.js';
import type { ClusterGate } from '../cluster/types.js';
import { effectiveWriteTimeoutMs, type NexusConfig } from '../config/config-schema.js';
import { DEFAULT_NAMESPACE, type NexusDatabase } from '../engine/api.js';
import { NexusRequestCore, type CallScope, type Session } from '../service/index.js';
import { NexusError } from '../errors.js';
import { makeClientErrorHandler } from './client-error.js';
import { replyWithError } from './error-reply.js';
import { useLosslessJsonBody } from './json-body.js';
import { OpenApiCollector } from './openapi.js';
import './request-context.js';
import type { RouteServices } from './route-services.js';
import { clusterRoutes } from './routes/cluster-routes.js';
import { cypherRoutes } from './routes/cypher-routes.js';
import { dataRoutes } from './routes/data-routes.js';
import { consoleRoutes } from './routes/console-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { ingestRoutes } from './routes/ingest-routes.js';
import { metricsRoutes } from './routes/metrics-routes.js';
import { openapiRoutes } from './routes/openapi-routes.js';
import { queryApiRoutes } from './routes/query-api-routes.js';
import { schemaRoutes } from './routes/schema-routes.js';
import { statsRoutes } from './routes/stats-routes.js';
import { exportRoutes } from './routes/export-routes.js';
import { ServerMetrics } from './server-metrics.js';

/** The part of the auth layer the server calls per request (`AuthService` fits). */
export interface RequestAuthenticator {
  authenticate(headers: HeaderBag, clientIp: string): UserContext;
}

export interface ServerDeps {
  config: NexusConfig;
  db: NexusDatabase;
  /** Required when `config.auth.enabled`. */
  auth?: RequestAuthenticator | null;
  /** Required when `config.cluster.enabled`. */
  clusterGate?: ClusterGate | null;
  /**
   * Bytes /metrics reports as `nexus_storage_bytes`; default: the default namespace
   * (standalone) — in cluster mode openServices gives the total over all namespaces.
   */
  storageBytes?: () => number;
  /** The store's size ceiling state: /health `degraded` and `nexus_storage_full` when full. */
  storageStatus?: () => StorageStatus;
  /** Extra plugins mounted after the core routes (MCP endpoint, key management, ...). */
  plugins?: readonly FastifyPluginAsync[];
  version: string;
  /** Fastify logger option; default: pino at `config.log.level` with secrets redacted. */
  logger?: FastifyServerOptions['logger'];
  /** An existing pino instance (takes precedence over `logger`). */
  loggerInstance?: FastifyBaseLogger;
}

export interface NexusServer {
  readonly app: FastifyInstance;
  /** The request core the HTTP routes use; other protocol doors (Bolt, RPC) share it. */
  readonly core: NexusRequestCore;
  readonly metrics: ServerMetrics;
  /** Makes the hook refuse new requests with 503 while in-flight ones finish. */
  beginShutdown(): void;
}

/** Keys and the control-plane key must never reach a log line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
];

const MCP_PREFIX = '/mcp';

function compilePattern(url: string): RegExp {
  const escaped = url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z0-9_]+/g, '[^/]+');
  return new RegExp(`^${escaped}/?$`);
}

const BASIC = /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i;

/**
 * HTTP Basic credentials (what Neo4j clients of the Query API send) carry the API key as
 * the password, with any user name; they are handed to the auth layer as a Bearer key, so
 * the same verification and failed-auth throttle apply. Everything else passes unchanged.
 */
function credentialHeaders(headers: HeaderBag): HeaderBag {
  const authorization = headers.authorization;
  if (typeof authorization !== 'string') return headers;
  const m = BASIC.exec(authorization);
  if (m === null) return headers;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  return { ...headers, authorization: password === '' ? 'Basic' : `Bearer ${password}` };
}

/** `server.trust_proxy` as Fastify takes it (a comma-separated string becomes a list). */
/** A route option's hooks (absent, one, or several) as a list. */
function hookList<T>(hooks: T | T[] | undefined): T[] {
  if (hooks === undefined) return [];
  return Array.isArray(hooks) ? hooks : [hooks];
}

function trustProxyOf(
  value: NexusConfig['server']['trust_proxy'],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof value === 'string') return value.split(',').map((part) => part.trim());
  // A hop count, as proxy-addr reads one: trust the nearest n hops.
  if (typeof value === 'number') return (_address, hop) => hop < value;
  return Array.isArray(value) ? [...value] : value;
}

export async function createServer(deps: ServerDeps): Promise<NexusServer> {
  const { config, db } = deps;
  const clusterMode = config.cluster.enabled;
  const authOn = config.auth.enabled || clusterMode;
  const auth = deps.auth ?? null;
  const gate = deps.clusterGate ?? null;
  if (authOn && auth === null)
    throw new NexusError('INTERNAL_ERROR', 'auth is enabled but no authenticator was given');
  if (clusterMode && gate === null)
    throw new NexusError('INTERNAL_ERROR', 'cluster mode needs a cluster gate');

  const app = Fastify({
    ...(deps.loggerInstance !== undefined
      ? { loggerInstance: deps.loggerInstance }
      : {
          logger: deps.logger ?? {
            level: config.log.level,
            redact: { paths: REDACT_PATHS, censor: '[redacted]' },
          },
        }),
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: 'x-request-id',
    // Only when the operator says a proxy is in front: then req.ip (the auth throttle's key)
    // comes from X-Forwarded-For, which any direct client could otherwise forge.
    trustProxy: trustProxyOf(config.server.trust_proxy),
    bodyLimit: config.server.body_limit_bytes,
    requestTimeout: config.server.request_timeout_ms,
    return503OnClosing: false,
    exposeHeadRoutes: false,
    // `/health/` is `/health`: the router matches it to the same route, whose own hooks
    // (auth included, see onRoute) run as for the canonical path.
    routerOptions: { ignoreTrailingSlash: true },
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    // Without this, router errors (bad percent-encoding, over-long path parameters) are
    // answered by Fastify in its own body shape, bypassing the error handler.
    frameworkErrors: (err, req, reply) => {
      metrics.countError(replyWithError(err, req, reply));
    },
    // Errors of the HTTP parser itself (no request exists yet), in the same error shape.
    clientErrorHandler: makeClientErrorHandler((code) => metrics.countError(code)),
  });

  const startedAt = Date.now();
  const metrics = new ServerMetrics(
    deps.storageBytes ?? (() => db.stats(DEFAULT_NAMESPACE).bytes),
    startedAt,
  );
  if (deps.storageStatus !== undefined) metrics.trackStorage(deps.storageStatus);
  const openapi = new OpenApiCollector({ title: 'Nexus', version: deps.version }, authOn);
  const core = new NexusRequestCore({
    db,
    // Auth off: every caller is anonymous. HTTP authenticates from headers itself (below).
    auth: authOn
      ? {
          authenticate: (headers, ip) => auth!.authenticate(headers, ip),
        }
      : null,
    clusterGate: gate,
    limits: {
      queryTimeoutMs: config.query.timeout_ms,
      writeTimeoutMs: effectiveWriteTimeoutMs(config),
      maxIntermediateRows: config.query.max_intermediate_rows,
      maxQueryMemoryBytes: config.query.max_memory_bytes,
      maxOpenTransactionsPerUser: config.transactions.max_open_per_user,
      maxConcurrentQueriesPerTenant: config.cluster.max_concurrent_queries_per_tenant,
      transactionIdleTimeoutMs: config.transactions.idle_timeout_ms,
    },
    onQuery: (isWrite) => metrics.countQuery(isWrite),
    log: {
      info: (obj, msg) => app.log.info(obj, msg),
      error: (obj, msg) => app.log.error(obj, msg),
    },
  });
  const services: RouteServices = {
    config,
    core,
    db,
    metrics,
    openapi,
    clusterGate: gate,
    storageStatus: deps.storageStatus ?? null,
    version: deps.version,
    startedAt,
  };
  let closing = false;
  // Per-request lines only at debug: info-level request logging would cost throughput.
  const debugLog = config.log.level === 'debug' || config.log.level === 'trace';

  app.decorate('nexusCore', core);
  app.decorateRequest('ctx', null);
  app.decorateRequest('tenantId', null);
  app.decorateRequest('quotaBytes', null);
  app.decorateRequest('usage', null);
  app.decorateRequest('scope', null);

  useLosslessJsonBody(app);

  // Per-route work is bound when the route is registered (`onRoute`): the route's URL and
  // auth rule are closed over by its own hooks, so no request reads `req.routeOptions`
  // (a getter that builds a fresh object on every access). Global hooks still run for
  // every request, including unmatched ones (`req.is404`).
  type RouteRule = NonNullable<FastifyRequest['routeOptions']['config']['auth']>;
  const finish = (req: FastifyRequest, reply: FastifyReply, url: string): void => {
    metrics.observeRequest(req.method, url, reply.statusCode, reply.elapsedTime / 1000);
    if (req.scope !== null) core.finish(req.scope);
    if (debugLog) {
      req.log.debug(
        { method: req.method, url: req.url, status: reply.statusCode, ms: reply.elapsedTime },
        'request completed',
      );
    }
  };
  const authorizer = authOn ? makeAuthorizer() : undefined;

  // Method-not-allowed needs the set of patterns per method, known only at registration.
  const patterns: { method: string; re: RegExp }[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const method = Array.isArray(route.method) ? String(route.method[0]) : String(route.method);
    const url = route.url;
    const rule = routeAuth(method, url);
    const needsNamespace = route.config?.needsNamespace === true || url.startsWith(MCP_PREFIX);
    route.config = { ...route.config, auth: rule, needsNamespace };
    route.onResponse = [
      (req, reply, done) => {
        finish(req, reply, url);
        done();
      },
      ...hookList(route.onResponse),
    ];
    if (authorizer !== undefined) {
      route.onRequest = [authorizer.forRoute(url, rule, needsNamespace), ...hookList(route.onRequest)];
    }
    for (const m of Array.isArray(route.method) ? route.method : [route.method]) {
      patterns.push({ method: String(m), re: compilePattern(url) });
    }
  });
  app.addHook('onRoute', openapi.onRoute);

  if (!authOn) {
    const anonymousSession = core.openSession(ANONYMOUS_CONTEXT, { protocol: 'http' });
    app.addHook('onRequest', (req, _reply, done) => {
      if (closing) done(new NexusError('SERVICE_UNAVAILABLE', 'The server is shutting down'));
      else {
        // Set explicitly, so a request without a context can fail closed (see contextOf).
        req.ctx = ANONYMOUS_CONTEXT;
        req.scope = core.admit(anonymousSession, null) as CallScope;
        done();
      }
    });
  } else {
    app.addHook('onRequest', (req: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
      if (closing) return done(new NexusError('SERVICE_UNAVAILABLE', 'The server is shutting down'));
      // Unknown route: the 404/405 handler answers — in cluster mode only to a valid key, so
      // an unauthenticated client cannot map the routes (401 everywhere instead). Matched
      // routes are authorized by their own hook (see onRoute).
      if (clusterMode && req.is404) {
        try {
          auth!.authenticate(req.headers, req.ip);
        } catch (err) {
          return done(err as Error);
        }
      }
      done();
    });
  }

  app.addHook('onResponse', (req, reply, done) => {
    // Matched routes record their own completion (see onRoute).
    if (req.is404) finish(req, reply, 'unmatched');
    done();
  });

  /** The auth and admission hook of each route (auth on): the request core decides. */
  function makeAuthorizer() {
    const admitted = (req: FastifyRequest, reply: FastifyReply, scope: CallScope): void => {
      for (const _ in scope.headers) {
        reply.headers(scope.headers);
        break;
      }
      req.scope = scope;
      req.ctx = scope.session.ctx;
      req.tenantId = scope.session.tenantId;
      req.quotaBytes = scope.quotaBytes;
      req.usage = scope.usage;
    };
    /**
     * Authenticates and admits the request. Synchronous in the common case (a warm quota
     * cache): a promise is returned only when the control plane must be asked.
     */
    const authorize = (
      req: FastifyRequest,
      reply: FastifyReply,
      url: string,
      rule: RouteRule | undefined,
      needsNamespace: boolean,
    ): Promise<void> | undefined => {
      if (rule === undefined) {
        // Deny by default: a route missing from the function table is never reachable by keys.
        req.log.warn({ route: url }, 'route missing from the auth function table');
        throw new NexusError('FORBIDDEN', 'This route is not available to API keys');
      }
      if (rule.publicAlways || (!clusterMode && rule.publicInStandalone)) return undefined;
      const ctx = auth!.authenticate(credentialHeaders(req.headers), req.ip);
      const tenant = clusterMode ? req.headers['x-nexus-tenant'] : undefined;
      const session: Session = core.openSession(ctx, {
        protocol: 'http',
        ...(tenant === undefined ? {} : { tenant: tenant as string }),
        requireNamespace: needsNamespace,
        logContext: { route: url },
      });
      const scope = core.admit(session, rule.function, rule.permission);
      if (scope instanceof Promise) return scope.then((s) => admitted(req, reply, s));
      admitted(req, reply, scope);
      return undefined;
    };
    return {
      /** A callback hook, not an async one: no promise per request on the synchronous path. */
      forRoute:
        (url: string, rule: RouteRule | undefined, needsNamespace: boolean): onRequestHookHandler =>
        (req, reply, done) => {
          let pending: Promise<void> | undefined;
          try {
            pending = authorize(req, reply, url, rule, needsNamespace);
          } catch (err) {
            done(err as Error);
            return;
          }
          if (pending === undefined) done();
          else
            pending.then(
              () => done(),
              (err: unknown) => done(err as Error),
            );
        },
    };
  }

  app.setErrorHandler((err, req, reply) => {
    const code = replyWithError(err, req, reply);
    metrics.countError(code);
  });

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?', 1)[0]!;
    const allow = [...new Set(patterns.filter((p) => p.re.test(path)).map((p) => p.method))];
    const err =
      allow.length > 0
        ? new NexusError('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${path}`, {
            details: { allow },
          })
        : new NexusError('NOT_FOUND', `No route ${req.method} ${path}`);
    metrics.countError(replyWithError(err, req, reply));
  });

  await app.register(healthRoutes, services);
  await app.register(cypherRoutes, services);
  await app.register(statsRoutes, services);
  await app.register(exportRoutes, services);
  await app.register(schemaRoutes, services);
  await app.register(dataRoutes, services);
  await app.register(ingestRoutes, services);
  await app.register(metricsRoutes, services);
  await app.register(openapiRoutes, services);
  await app.register(queryApiRoutes, services);
  await app.register(consoleRoutes, services);
  if (clusterMode) await app.register(clusterRoutes, services);
  for (const plugin of deps.plugins ?? []) await app.register(plugin);
  await app.ready();

  return {
    app,
    core,
    metrics,
    beginShutdown() {
      closing = true;
    },
  };
}
