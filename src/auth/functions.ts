/**
 * Function-level permissions. A key's `allowed_functions` names the functions it may
 * call; the names are the MCP tool names plus names for REST routes without a tool.
 * `ROUTE_FUNCTIONS` is the one table mapping each REST route to its function and coarse
 * permission, so the server and the docs cannot disagree about it.
 */
import { NexusError } from '../errors.js';
import type { Permission, UserContext } from './types.js';

/** Functions that are also MCP tools (the tool name is the function name). */
export const MCP_TOOL_FUNCTIONS = [
  'execute_cypher',
  'create_node',
  'create_relationship',
  'get_node',
  'delete_node',
  'list_labels',
  'list_relationship_types',
  'get_schema',
  'get_stats',
  'ingest',
] as const;

/** Functions reachable only over REST. */
export const REST_ONLY_FUNCTIONS = [
  'update_node',
  'get_relationship',
  'delete_relationship',
  'list_property_keys',
  'list_indexes',
  'manage_api_keys',
  'get_usage',
  'get_metrics',
  'export_graph',
] as const;

export type FunctionName = (typeof MCP_TOOL_FUNCTIONS)[number] | (typeof REST_ONLY_FUNCTIONS)[number];

export const FUNCTION_NAMES: readonly FunctionName[] = [...MCP_TOOL_FUNCTIONS, ...REST_ONLY_FUNCTIONS];

export function isFunctionName(value: unknown): value is FunctionName {
  return typeof value === 'string' && (FUNCTION_NAMES as readonly string[]).includes(value);
}

export interface RouteAuth {
  /**
   * The function a key must be allowed to call, or null for routes exempt from function
   * checks (health, OpenAPI: no data; /mcp: each tool call is checked on its own).
   */
  readonly function: FunctionName | null;
  /**
   * Coarse permission the route needs, or null when any authenticated key will do. For
   * `POST /cypher` this is the minimum; the server asks for WRITE (or runs the query with
   * accessMode 'read') depending on the parsed query.
   */
  readonly permission: Permission | null;
  /** Reachable without a key in standalone mode even when auth is enabled. Never in cluster mode. */
  readonly publicInStandalone: boolean;
  /**
   * Reachable without a key in every mode: only the web console's static files, which hold
   * no data (every data call the page makes carries the key the user typed in).
   */
  readonly publicAlways: boolean;
}

function route(
  fn: FunctionName | null,
  permission: Permission | null,
  publicInStandalone = false,
  publicAlways = false,
): RouteAuth {
  return Object.freeze({ function: fn, permission, publicInStandalone, publicAlways });
}

/**
 * Key: `"<METHOD> <fastify route pattern>"`, e.g. `"GET /data/nodes/:id"`. A route missing
 * from this table must be refused by the server (deny by default), not let through.
 */
export const ROUTE_FUNCTIONS: Readonly<Record<string, RouteAuth>> = Object.freeze({
  'POST /cypher': route('execute_cypher', 'READ'),
  'POST /data/nodes': route('create_node', 'WRITE'),
  'GET /data/nodes': route('get_node', 'READ'),
  'PUT /data/nodes': route('update_node', 'WRITE'),
  'DELETE /data/nodes': route('delete_node', 'WRITE'),
  'GET /data/nodes/by-external-id': route('get_node', 'READ'),
  'GET /data/nodes/:id': route('get_node', 'READ'),
  'PATCH /data/nodes/:id': route('update_node', 'WRITE'),
  'PUT /data/nodes/:id': route('update_node', 'WRITE'),
  'DELETE /data/nodes/:id': route('delete_node', 'WRITE'),
  'POST /data/relationships': route('create_relationship', 'WRITE'),
  'GET /data/relationships/:id': route('get_relationship', 'READ'),
  'DELETE /data/relationships/:id': route('delete_relationship', 'WRITE'),
  'POST /ingest': route('ingest', 'WRITE'),
  'GET /schema/labels': route('list_labels', 'READ'),
  'GET /schema/rel_types': route('list_relationship_types', 'READ'),
  'GET /schema/property_keys': route('list_property_keys', 'READ'),
  'GET /schema/indexes': route('list_indexes', 'READ'),
  'GET /stats': route('get_stats', 'READ'),
  'GET /export': route('export_graph', 'READ'),
  'GET /cluster/usage': route('get_usage', 'READ'),
  'GET /metrics': route('get_metrics', 'READ'),
  'GET /auth/keys': route('manage_api_keys', 'ADMIN'),
  'POST /auth/keys': route('manage_api_keys', 'ADMIN'),
  'GET /auth/keys/:id': route('manage_api_keys', 'ADMIN'),
  'PATCH /auth/keys/:id': route('manage_api_keys', 'ADMIN'),
  'DELETE /auth/keys/:id': route('manage_api_keys', 'ADMIN'),
  'GET /auth/api-keys': route('manage_api_keys', 'ADMIN'),
  'POST /auth/api-keys': route('manage_api_keys', 'ADMIN'),
  'GET /auth/api-keys/:id': route('manage_api_keys', 'ADMIN'),
  'PATCH /auth/api-keys/:id': route('manage_api_keys', 'ADMIN'),
  'DELETE /auth/api-keys/:id': route('manage_api_keys', 'ADMIN'),
  'POST /db/:database/query/v2': route('execute_cypher', 'READ'),
  'POST /db/:database/query/v2/tx': route('execute_cypher', 'READ'),
  'POST /db/:database/query/v2/tx/:txid': route('execute_cypher', 'READ'),
  'POST /db/:database/query/v2/tx/:txid/commit': route('execute_cypher', 'READ'),
  'DELETE /db/:database/query/v2/tx/:txid': route('execute_cypher', 'READ'),
  'GET /health': route(null, null, true),
  'GET /openapi.json': route(null, null),
  'GET /': route(null, null, true, true),
  'GET /console': route(null, null, true, true),
  'GET /console/*': route(null, null, true, true),
  'POST /mcp': route(null, 'READ'),
  'GET /mcp': route(null, 'READ'),
  'DELETE /mcp': route(null, 'READ'),
});

/** The auth rule of a route, by method and Fastify route pattern (not the concrete URL). */
export function routeAuth(method: string, routePattern: string): RouteAuth | undefined {
  return ROUTE_FUNCTIONS[`${method.toUpperCase()} ${routePattern}`];
}

/** Deny by default: null = unrestricted, [] = nothing, otherwise the exact names listed. */
export function isFunctionAllowed(ctx: Pick<UserContext, 'allowedFunctions'>, name: string): boolean {
  return ctx.allowedFunctions === null || ctx.allowedFunctions.includes(name);
}

/** Throws FUNCTION_NOT_ALLOWED (403) unless the key may call `name`. */
export function checkFunction(ctx: Pick<UserContext, 'allowedFunctions'>, name: string): void {
  if (!isFunctionAllowed(ctx, name)) {
    throw new NexusError('FUNCTION_NOT_ALLOWED', `This API key is not allowed to call ${name}`, {
      details: { function: name },
    });
  }
}
