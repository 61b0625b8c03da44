/**
 * A small OpenAPI 3.1 generator: collects every registered route (through Fastify's
 * `onRoute` hook) with its JSON schemas and builds the document served at
 * /openapi.json, so the published API cannot drift from the routes that exist.
 */
import type { RouteOptions } from 'fastify';
import { ERROR_CODES } from '../errors.js';

interface CollectedRoute {
  method: string;
  url: string;
  schema: Record<string, unknown>;
  publicRoute: boolean;
}

type JsonObject = Record<string, unknown>;

const ERROR_SCHEMA: JsonObject = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: Object.keys(ERROR_CODES) },
        message: { type: 'string' },
        details: { type: 'object', additionalProperties: true },
      },
    },
  },
};

function toOpenApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function parametersOf(schema: JsonObject, location: 'path' | 'query'): JsonObject[] {
  const source = (location === 'path' ? schema.params : schema.querystring) as JsonObject | undefined;
  const props = (source?.properties ?? {}) as Record<string, JsonObject>;
  const required = new Set((source?.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, s]) => ({
    name,
    in: location,
    required: location === 'path' || required.has(name),
    schema: s,
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
  }));
}

export class OpenApiCollector {
  private readonly routes: CollectedRoute[] = [];
  private cached: string | null = null;

  constructor(
    private readonly info: { title: string; version: string },
    private readonly authRequired: boolean,
  ) {}

  /** For `app.addHook('onRoute', …)`. */
  readonly onRoute = (route: RouteOptions): void => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const schema = (route.schema ?? {}) as JsonObject;
    if (schema.hide === true) return;
    for (const method of methods) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      this.routes.push({
        method: method.toLowerCase(),
        url: route.url,
        schema,
        publicRoute:
          route.config?.auth?.publicInStandalone === true || route.config?.auth?.publicAlways === true,
      });
    }
    this.cached = null;
  };

  document(): JsonObject {
    const paths: Record<string, Record<string, JsonObject>> = {};
    for (const r of [...this.routes].sort((a, b) => a.url.localeCompare(b.url))) {
      const s = r.schema;
      const op: JsonObject = {};
      if (typeof s.summary === 'string') op.summary = s.summary;
      if (typeof s.description === 'string') op.description = s.description;
      if (Array.isArray(s.tags)) op.tags = s.tags;
      const parameters = [...parametersOf(s, 'path'), ...parametersOf(s, 'query')];
      if (parameters.length > 0) op.parameters = parameters;
      if (s.body !== undefined) {
        // A body schema per content type (`{content: {type: {schema}}}`) maps one to one.
        const perType = (s.body as JsonObject).content as Record<string, JsonObject> | undefined;
        op.requestBody = {
          required: true,
          content: perType ?? { 'application/json': { schema: s.body } },
        };
      }
      const responses: JsonObject = {};
      const declared = (s.response ?? {}) as Record<string, JsonObject>;
      for (const [status, schema] of Object.entries(declared)) {
        const description = typeof schema.description === 'string' ? schema.description : `Status ${status}`;
        const contentType = typeof schema.contentType === 'string' ? schema.contentType : 'application/json';
        responses[status] = { description, content: { [contentType]: { schema } } };
      }
      if (Object.keys(responses).length === 0) responses['200'] = { description: 'Success' };
      responses.default = {
        description: 'Error (see docs/ERRORS.md for the status of each code)',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
      op.responses = responses;
      if (!this.authRequired || r.publicRoute) op.security = [];
      (paths[toOpenApiPath(r.url)] ??= {})[r.method] = op;
    }
    return {
      openapi: '3.1.0',
      info: { title: this.info.title, version: this.info.version },
      paths,
      components: {
        schemas: { Error: ERROR_SCHEMA },
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <api key>' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
      security: this.authRequired ? [{ bearer: [] }, { apiKey: [] }] : [],
    };
  }

  /** The document as JSON text, built once after the routes are known. */
  text(): string {
    this.cached ??= JSON.stringify(this.document());
    return this.cached;
  }
}
