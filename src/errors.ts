/**
 * The one catalogue of Nexus errors. Every error a client can see is a `NexusError`
 * with a stable `code` from `ERROR_CODES`; the HTTP layer maps codes to statuses in
 * one place (src/service/error-status.ts) and docs/ERRORS.md documents each code.
 * This module sits below every layer and imports nothing.
 */

export const ERROR_CODES = {
  INVALID_BODY: 'The request body is malformed or fails schema validation.',
  INVALID_PARAMETER: 'A query parameter or path parameter is invalid.',
  NOT_FOUND: 'The route or the entity does not exist.',
  METHOD_NOT_ALLOWED: 'The route exists but not for this HTTP method.',
  PAYLOAD_TOO_LARGE: 'The request body exceeds the configured limit.',
  UNSUPPORTED_MEDIA_TYPE: 'The request body is not JSON.',
  REQUEST_HEADERS_TOO_LARGE: "The request line and headers exceed the HTTP server's size limit.",
  REQUEST_TIMEOUT: 'The client did not send the whole request within server.request_timeout_ms.',
  AUTHENTICATION_REQUIRED: 'No API key was presented.',
  INVALID_TOKEN: 'The API key is unknown, revoked, expired, or not usable for this route.',
  FORBIDDEN: 'The API key lacks the permission the operation needs.',
  FUNCTION_NOT_ALLOWED: "The API key's allowed_functions does not include this function.",
  TOO_MANY_AUTH_FAILURES: 'Too many failed authentication attempts from this client address.',
  CYPHER_SYNTAX_ERROR: 'The query is not valid Cypher.',
  CYPHER_SEMANTIC_ERROR: 'The query is well formed but not meaningful (unknown variable, bad scope, ...).',
  CYPHER_TYPE_ERROR: 'A value has the wrong type for an operation.',
  CYPHER_ARGUMENT_ERROR: 'A function or clause received an invalid argument.',
  CYPHER_ARITHMETIC_ERROR: 'Integer overflow, division by zero or another arithmetic failure.',
  CYPHER_ENTITY_NOT_FOUND: 'The query refers to an entity that was deleted.',
  CYPHER_CONSTRAINT_VIOLATION:
    'The write would break a constraint, e.g. deleting a node that still has relationships.',
  CYPHER_PROCEDURE_ERROR: 'The called procedure does not exist or failed.',
  CYPHER_UNSUPPORTED: 'The query uses a Cypher feature that Nexus does not support.',
  QUERY_TIMEOUT: 'The query ran longer than the configured timeout.',
  QUERY_MEMORY_LIMIT: 'The query produced more intermediate rows than the configured cap.',
  QUERY_CANCELLED: 'The client closed the connection; the query was stopped.',
  API_KEY_LIMIT_EXCEEDED: 'The user already holds the maximum number of active API keys.',
  CONFLICT: 'The entity already exists or the request conflicts with the current state.',
  CONSTRAINT_VIOLATION:
    'The operation would break data integrity: a schema constraint (unique, not null, node key, property type; Neo4j code Neo.ClientError.Schema.ConstraintValidationFailed) or deleting a node with relationships. Nothing of the statement is written.',
  TENANT_SUSPENDED: 'The tenant is suspended in the control plane.',
  TENANT_NOT_FOUND: 'The control plane does not know the tenant.',
  CONTROL_PLANE_UNAVAILABLE: 'The control plane cannot be reached and no cached quota may be used.',
  RATE_LIMIT_EXCEEDED: "The tenant's per-minute or per-hour request budget is spent.",
  STORAGE_QUOTA_EXCEEDED: 'The write would take the tenant past its storage quota.',
  SERVICE_UNAVAILABLE: 'The server is shutting down or otherwise unable to serve.',
  STORAGE_FULL:
    'The store reached its size ceiling (storage.max_size_bytes); writes that grow it are refused, deletes still work.',
  TRANSACTION_CONFLICT:
    'A concurrent transaction changed what this transaction wrote; retry the transaction.',
  TRANSACTION_NOT_FOUND:
    'The transaction does not exist, was committed or rolled back, or expired (idle timeout).',
  TRANSACTION_TIMED_OUT: 'The transaction was open longer than its timeout and was rolled back.',
  TRANSACTION_FAILED:
    'An earlier statement of the transaction failed; the transaction can only be rolled back.',
  TOO_MANY_TRANSACTIONS: 'The key or tenant already holds transactions.max_open_per_user open transactions.',
  TOO_MANY_CONCURRENT_QUERIES:
    'The tenant already runs cluster.max_concurrent_queries_per_tenant queries; retry later.',
  DATABASE_NOT_FOUND: 'The named database does not exist.',
  DATABASE_EXISTS: 'A database of that name already exists.',
  DATABASE_LIMIT_EXCEEDED: 'The tenant already holds cluster.max_databases_per_tenant databases.',
  PROTOCOL_ERROR: 'A binary-protocol (Bolt, RPC) message is malformed or not valid in the connection state.',
  IMPORT_INVALID_ROW:
    'A row of an import or NDJSON ingest input is malformed; the message names the file and line (or the line number).',
  INTERNAL_ERROR: 'An unexpected server error; details are logged, never sent.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface NexusErrorOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** Base class of every error with a stable code. */
export class NexusError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: NexusErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NexusError';
    this.code = code;
    if (options.details !== undefined) this.details = options.details;
  }
}

export function isNexusError(err: unknown): err is NexusError {
  return err instanceof NexusError;
}
