/**
 * The one place that maps error codes to HTTP statuses. A `Record` over `ErrorCode`, so
 * adding a code to src/errors.ts without choosing its status fails the type-check.
 */
import type { ErrorCode } from '../errors.js';

export const ERROR_STATUS: Readonly<Record<ErrorCode, number>> = Object.freeze({
  INVALID_BODY: 400,
  INVALID_PARAMETER: 400,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  AUTHENTICATION_REQUIRED: 401,
  INVALID_TOKEN: 401,
  FORBIDDEN: 403,
  FUNCTION_NOT_ALLOWED: 403,
  TOO_MANY_AUTH_FAILURES: 429,
  CYPHER_SYNTAX_ERROR: 400,
  CYPHER_SEMANTIC_ERROR: 400,
  CYPHER_TYPE_ERROR: 400,
  CYPHER_ARGUMENT_ERROR: 400,
  CYPHER_ARITHMETIC_ERROR: 400,
  CYPHER_ENTITY_NOT_FOUND: 400,
  CYPHER_CONSTRAINT_VIOLATION: 409,
  CYPHER_PROCEDURE_ERROR: 400,
  CYPHER_UNSUPPORTED: 400,
  QUERY_TIMEOUT: 408,
  QUERY_MEMORY_LIMIT: 422,
  // nginx's "client closed request": the client is gone and never sees it; logs and metrics do.
  QUERY_CANCELLED: 499,
  API_KEY_LIMIT_EXCEEDED: 409,
  CONFLICT: 409,
  CONSTRAINT_VIOLATION: 409,
  TENANT_SUSPENDED: 403,
  TENANT_NOT_FOUND: 403,
  CONTROL_PLANE_UNAVAILABLE: 503,
  RATE_LIMIT_EXCEEDED: 429,
  STORAGE_QUOTA_EXCEEDED: 403,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
});

export function statusOf(code: ErrorCode): number {
  return ERROR_STATUS[code];
}
