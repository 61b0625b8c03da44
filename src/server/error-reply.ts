/**
 * Turns anything thrown while serving a request into the one error shape
 * `{"error":{"code","message","details?"}}`, with the status from error-status.ts.
 * Fastify's own errors (bad JSON, body limit, media type, schema validation) are mapped
 * onto catalogue codes; anything unexpected becomes a generic INTERNAL_ERROR whose real
 * cause is only logged.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { NexusError, isNexusError, type ErrorCode } from '../errors.js';
import { asResourceError } from '../engine/index.js';
import { ERROR_STATUS } from '../service/error-status.js';

export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    /** RATE_LIMIT_EXCEEDED only: the contract puts it next to the code (issue #6). */
    retry_after_seconds?: number;
    details?: Record<string, unknown>;
  };
}

function fromFastifyError(err: FastifyError): NexusError | null {
  if (err.validation) {
    const first = err.validation[0];
    const where = err.validationContext ?? 'body';
    const path = first ? `${where}${first.instancePath.replace(/\//g, '.')}` : where;
    const details: Record<string, unknown> = { path };
    const index = /^\/(?:[A-Za-z_]+)\/(\d+)/.exec(first?.instancePath ?? '');
    if (index) details.index = Number(index[1]);
    const message = first ? `${path} ${first.message ?? 'is invalid'}` : err.message;
    return new NexusError(where === 'body' ? 'INVALID_BODY' : 'INVALID_PARAMETER', message, { details });
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new NexusError('PAYLOAD_TOO_LARGE', 'The request body exceeds the configured limit');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new NexusError('UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new NexusError('INVALID_BODY', 'The request body is empty; send a JSON document');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new NexusError('INVALID_BODY', 'The Content-Length does not match the body');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new NexusError('INVALID_BODY', 'Malformed JSON');
    // Router errors (reach us through `frameworkErrors`); the URL is not echoed back.
    case 'FST_ERR_BAD_URL':
      return new NexusError('INVALID_PARAMETER', 'The URL is not valid (malformed percent-encoding)');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new NexusError('INVALID_PARAMETER', 'A path parameter is too long');
  }
  const status = err.statusCode;
  if (status === 404) return new NexusError('NOT_FOUND', 'Not found');
  if (status === 413)
    return new NexusError('PAYLOAD_TOO_LARGE', 'The request body exceeds the configured limit');
  if (status === 415)
    return new NexusError('UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json');
  if (status !== undefined && status >= 400 && status < 500)
    return new NexusError('INVALID_BODY', err.message);
  return null;
}

/** Normalises any thrown value into a NexusError, or null when it is an internal failure. */
export function toNexusError(err: unknown): NexusError | null {
  if (isNexusError(err)) return err;
  // A result too large to serialise (V8 string limit) is the query's fault, not a 500.
  // (Fastify's own errors, such as the 413, are RangeErrors too: they fall through.)
  const resource = asResourceError(err);
  if (isNexusError(resource)) return resource;
  if (err instanceof SyntaxError) return new NexusError('INVALID_BODY', 'Malformed JSON');
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') {
    return fromFastifyError(err as FastifyError);
  }
  return null;
}

/** Sends the error response; returns the code used (for metrics). */
export function replyWithError(err: unknown, request: FastifyRequest, reply: FastifyReply): ErrorCode {
  let nexusErr = toNexusError(err);
  if (nexusErr === null) {
    request.log.error({ err }, 'internal error');
    nexusErr = new NexusError('INTERNAL_ERROR', 'An internal error occurred; it has been logged');
  } else if (nexusErr.code === 'INTERNAL_ERROR') {
    request.log.error({ err }, 'internal error');
    nexusErr = new NexusError('INTERNAL_ERROR', 'An internal error occurred; it has been logged');
  }
  const body: ErrorBody = { error: { code: nexusErr.code, message: nexusErr.message } };
  const details = nexusErr.details;
  if (details !== undefined) {
    // Rate-limit headers travel as headers, not inside the body.
    const { headers, ...rest } = details as { headers?: unknown } & Record<string, unknown>;
    if (headers !== null && typeof headers === 'object') {
      for (const [k, v] of Object.entries(headers as Record<string, unknown>)) reply.header(k, String(v));
    }
    const retryAfter = rest.retry_after_seconds ?? rest.retryAfterSeconds;
    if (typeof retryAfter === 'number') {
      const seconds = Math.max(0, Math.ceil(retryAfter));
      reply.header('retry-after', String(seconds));
      // Clients read the wait from the body too, without parsing headers.
      body.error.retry_after_seconds = seconds;
    }
    if (Object.keys(rest).length > 0) body.error.details = rest;
  }
  if (nexusErr.code === 'METHOD_NOT_ALLOWED' && Array.isArray(body.error.details?.allow)) {
    reply.header('allow', (body.error.details.allow as string[]).join(', '));
  }
  reply.code(ERROR_STATUS[nexusErr.code]).type('application/json; charset=utf-8').send(JSON.stringify(body));
  return nexusErr.code;
}
