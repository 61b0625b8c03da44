/**
 * Public surface of the HTTP server: build the app (`createServer`), run it with real
 * services (`startServer`), and the pieces other modules reuse (error statuses, value
 * serialisation, the route-services helpers for plugins such as the MCP endpoint).
 */
export { createServer, REDACT_PATHS } from './create-server.js';
export type { NexusServer, ServerDeps, RequestAuthenticator } from './create-server.js';
export { ERROR_STATUS, statusOf } from '../service/error-status.js';
export { replyWithError, toNexusError } from './error-reply.js';
export type { ErrorBody } from './error-reply.js';
export { parseJsonBody, escapeAmbiguousNumbers } from './json-body.js';
export {
  serializeValue,
  serializeQueryResult,
  jsonToValue,
  jsonToParams,
  jsonToProperties,
  jsonToPropertyMap,
} from './serialize.js';
export { contextOf, writeOptionsOf, addUsage } from './route-services.js';
export type { RouteServices } from './route-services.js';
export { ServerMetrics } from './server-metrics.js';
