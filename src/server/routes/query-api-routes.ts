/**
 * Neo4j Query API v2 over HTTP: `POST /db/{database}/query/v2` (implicit transaction) and
 * the explicit transaction endpoints `…/query/v2/tx`, `…/tx/{id}`, `…/tx/{id}/commit`,
 * `DELETE …/tx/{id}`. A door onto the request core like every other protocol: the
 * server's auth hook admitted the call (Bearer or Basic with an API key as the password),
 * the core runs statements and owns transactions. Answers and errors use Neo4j's shapes
 * (`{data: {fields, values}, bookmarks}`, `{errors: [{code, message}]}`), in plain JSON or
 * typed JSON (`application/vnd.neo4j.query`), negotiated by Accept.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { NexusError } from '../../errors.js';
import type { QueryStats, Value } from '../../engine/values.js';
import type { ServiceTransaction } from '../../service/types.js';
import { toNexusError } from '../error-reply.js';
import { parseJsonBody } from '../json-body.js';
import { plainValue, queryApiParams, typedValue } from '../query-api-values.js';
import { scopeOf, type RouteServices } from '../route-services.js';

const TYPED_JSON = 'application/vnd.neo4j.query';
const IMPLICIT_BOOKMARK = 'nexus:autocommit';
/** The names the default (and only) database answers to until multi-database exists. */
export const DEFAULT_DATABASE_NAMES: ReadonlySet<string> = new Set(['neo4j', 'nexus', 'default']);

interface QueryBody {
  statement?: string;
  parameters?: Record<string, unknown> | null;
  includeCounters?: boolean;
  accessMode?: 'READ' | 'WRITE' | 'read' | 'write';
  bookmarks?: string[];
  impersonatedUser?: string;
}
interface DbParams {
  database: string;
}
interface TxParams extends DbParams {
  txid: string;
}

const BODY_SCHEMA = {
  anyOf: [
    {
      type: 'object',
      additionalProperties: false,
      properties: {
        statement: { type: 'string' },
        parameters: { anyOf: [{ type: 'object', additionalProperties: true }, { type: 'null' }] },
        includeCounters: { type: 'boolean' },
        accessMode: { type: 'string', enum: ['READ', 'WRITE', 'read', 'write'] },
        bookmarks: { type: 'array', items: { type: 'string' } },
        impersonatedUser: { type: 'string' },
      },
    },
    { type: 'null' },
  ],
} as const;

function wantsTyped(req: FastifyRequest): boolean {
  const accept = req.headers.accept;
  return typeof accept === 'string' && accept.includes(TYPED_JSON);
}

function sentTyped(req: FastifyRequest): boolean {
  const type = req.headers['content-type'];
  return typeof type === 'string' && type.includes(TYPED_JSON);
}

function counters(stats: QueryStats): string {
  const containsUpdates =
    stats.nodesCreated +
      stats.nodesDeleted +
      stats.relationshipsCreated +
      stats.relationshipsDeleted +
      stats.propertiesSet +
      stats.labelsAdded +
      stats.labelsRemoved +
      stats.indexesAdded +
      stats.indexesRemoved >
    0;
  return JSON.stringify({
    containsUpdates,
    nodesCreated: stats.nodesCreated,
    nodesDeleted: stats.nodesDeleted,
    propertiesSet: stats.propertiesSet,
    relationshipsCreated: stats.relationshipsCreated,
    relationshipsDeleted: stats.relationshipsDeleted,
    labelsAdded: stats.labelsAdded,
    labelsRemoved: stats.labelsRemoved,
    indexesAdded: stats.indexesAdded,
    indexesRemoved: stats.indexesRemoved,
    constraintsAdded: 0,
    constraintsRemoved: 0,
    containsSystemUpdates: false,
    systemUpdates: 0,
  });
}

export const queryApiRoutes: FastifyPluginAsync<RouteServices> = async (app, services) => {
  const { core } = services;
  const idleMs = core.transactionIdleTimeoutMs;

  // Clients of the Query API may send typed JSON (parsed losslessly like JSON), and may
  // send no body at all to open, touch or commit a transaction.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(['application/json', TYPED_JSON], { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, (body as string).trim() === '' ? null : parseJsonBody(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  // Errors in Neo4j's shape, with the status of the Nexus code (one mapping, the core's).
  app.setErrorHandler((err, req, reply) => {
    const mapped = core.mapError(toNexusError(err) ?? err);
    services.metrics.countError(mapped.code);
    const retryAfter = mapped.details?.retryAfterSeconds ?? mapped.details?.retry_after_seconds;
    if (typeof retryAfter === 'number')
      reply.header('retry-after', String(Math.max(0, Math.ceil(retryAfter))));
    reply
      .code(mapped.httpStatus)
      .type('application/json')
      .send(
        JSON.stringify({
          errors: [{ code: mapped.neo4jCode, message: `${mapped.message} (${mapped.code})` }],
          // Nexus's own error shape too, so a client of the rest of the API reads it the same way.
          error: {
            code: mapped.code,
            message: mapped.message,
            ...(mapped.details === undefined ? {} : { details: mapped.details }),
          },
        }),
      );
  });

  const checkDatabase = (name: string): void => {
    if (!DEFAULT_DATABASE_NAMES.has(name)) {
      throw new NexusError('DATABASE_NOT_FOUND', `Database ${JSON.stringify(name)} does not exist`, {
        details: { database: name },
      });
    }
  };

  const txInfo = (stx: ServiceTransaction): string =>
    JSON.stringify({ id: stx.id, expires: new Date(Date.now() + idleMs).toISOString() });

  /** Runs the body's statement (if any) and writes the response text. */
  const answer = async (
    req: FastifyRequest<{ Body: QueryBody | null }>,
    reply: FastifyReply,
    run: (
      statement: string,
      params: ReturnType<typeof queryApiParams>,
    ) => Promise<{
      columns: readonly string[];
      rows: readonly (readonly Value[])[];
      stats: QueryStats;
    }>,
    extra: { bookmark?: string; tx?: ServiceTransaction },
    status = 202,
  ): Promise<string> => {
    const body = req.body ?? {};
    const typedOut = wantsTyped(req);
    const parts: string[] = [];
    if (typeof body.statement === 'string' && body.statement.trim() !== '') {
      const params = queryApiParams(body.parameters, sentTyped(req));
      const result = await run(body.statement, params);
      const encode = typedOut ? typedValue : plainValue;
      const values = result.rows.map((row) => '[' + row.map((v) => encode(v)).join(',') + ']').join(',');
      parts.push(`"data":{"fields":${JSON.stringify(result.columns)},"values":[${values}]}`);
      if (body.includeCounters === true) parts.push(`"counters":${counters(result.stats)}`);
    }
    if (extra.bookmark !== undefined) parts.push(`"bookmarks":${JSON.stringify([extra.bookmark])}`);
    if (extra.tx !== undefined) parts.push(`"transaction":${txInfo(extra.tx)}`);
    reply.code(status).type(typedOut ? TYPED_JSON : 'application/json');
    return `{${parts.join(',')}}`;
  };

  const readOnlyOf = (body: QueryBody | null | undefined): boolean =>
    body?.accessMode === 'READ' || body?.accessMode === 'read';

  const routeConfig = { needsNamespace: true } as const;
  const schema = (summary: string) => ({ summary, tags: ['query-api'], body: BODY_SCHEMA });

  app.post<{ Params: DbParams; Body: QueryBody | null }>(
    '/db/:database/query/v2',
    { config: routeConfig, schema: schema('Neo4j Query API: run one statement (implicit transaction)') },
    async (req, reply) => {
      checkDatabase(req.params.database);
      const scope = scopeOf(req);
      if (typeof req.body?.statement !== 'string') {
        throw new NexusError('INVALID_BODY', 'The body needs a "statement"');
      }
      let bookmark: string | undefined;
      const text = await answer(
        req,
        reply,
        async (statement, params) => {
          const result = await core.run(scope, statement, params, {
            readOnly: readOnlyOf(req.body),
            isCancelled: () => reply.raw.destroyed,
          });
          // One instance is always causally consistent: the bookmark is for driver
          // compatibility and carries no information (docs/QUERY_API.md).
          bookmark = IMPLICIT_BOOKMARK;
          return result;
        },
        {},
      );
      return bookmark === undefined
        ? text
        : `${text.slice(0, -1)}${text.length > 2 ? ',' : ''}"bookmarks":["${bookmark}"]}`;
    },
  );

  app.post<{ Params: DbParams; Body: QueryBody | null }>(
    '/db/:database/query/v2/tx',
    { config: routeConfig, schema: schema('Neo4j Query API: open an explicit transaction') },
    async (req, reply) => {
      checkDatabase(req.params.database);
      const scope = scopeOf(req);
      const stx = core.beginTransaction(scope, { accessMode: readOnlyOf(req.body) ? 'read' : 'write' });
      try {
        return await answer(req, reply, (s, p) => core.runInTransaction(scope, stx, s, p), { tx: stx });
      } catch (err) {
        // Neo4j rolls the transaction back when a statement fails.
        await core.rollback(stx).catch(() => undefined);
        throw err;
      }
    },
  );

  app.post<{ Params: TxParams; Body: QueryBody | null }>(
    '/db/:database/query/v2/tx/:txid',
    { config: routeConfig, schema: schema('Neo4j Query API: run a statement in an open transaction') },
    async (req, reply) => {
      checkDatabase(req.params.database);
      const scope = scopeOf(req);
      const stx = core.transaction(scope.session, req.params.txid);
      try {
        return await answer(req, reply, (s, p) => core.runInTransaction(scope, stx, s, p), { tx: stx });
      } catch (err) {
        await core.rollback(stx).catch(() => undefined);
        throw err;
      }
    },
  );

  app.post<{ Params: TxParams; Body: QueryBody | null }>(
    '/db/:database/query/v2/tx/:txid/commit',
    { config: routeConfig, schema: schema('Neo4j Query API: commit (optionally after a last statement)') },
    async (req, reply) => {
      checkDatabase(req.params.database);
      const scope = scopeOf(req);
      const stx = core.transaction(scope.session, req.params.txid);
      let result: string;
      try {
        result = await answer(req, reply, (s, p) => core.runInTransaction(scope, stx, s, p), {});
      } catch (err) {
        await core.rollback(stx).catch(() => undefined);
        throw err;
      }
      const { bookmark } = await core.commit(stx);
      return `${result.slice(0, -1)}${result.length > 2 ? ',' : ''}"bookmarks":${JSON.stringify([bookmark])}}`;
    },
  );

  app.delete<{ Params: TxParams }>(
    '/db/:database/query/v2/tx/:txid',
    { config: routeConfig, schema: { summary: 'Neo4j Query API: roll back', tags: ['query-api'] } },
    async (req, reply) => {
      checkDatabase(req.params.database);
      const stx = core.transaction(scopeOf(req).session, req.params.txid);
      await core.rollback(stx);
      reply.code(200).type('application/json');
      return '{}';
    },
  );
};
