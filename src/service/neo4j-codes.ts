/**
 * The one table from Nexus error codes to Neo4j status codes, used by every door that
 * speaks a Neo4j protocol (Bolt, the Query API) and documented in docs/ERRORS.md. Codes
 * under `Neo.TransientError` tell drivers the work may be retried (managed transactions
 * retry them); every other class is final.
 */
import type { ErrorCode } from '../errors.js';

export const NEO4J_STATUS: Readonly<Record<ErrorCode, string>> = Object.freeze({
  INVALID_BODY: 'Neo.ClientError.Request.Invalid',
  INVALID_PARAMETER: 'Neo.ClientError.Request.Invalid',
  NOT_FOUND: 'Neo.ClientError.Request.Invalid',
  METHOD_NOT_ALLOWED: 'Neo.ClientError.Request.Invalid',
  PAYLOAD_TOO_LARGE: 'Neo.ClientError.Request.Invalid',
  UNSUPPORTED_MEDIA_TYPE: 'Neo.ClientError.Request.InvalidFormat',
  REQUEST_HEADERS_TOO_LARGE: 'Neo.ClientError.Request.Invalid',
  REQUEST_TIMEOUT: 'Neo.ClientError.Request.Invalid',
  AUTHENTICATION_REQUIRED: 'Neo.ClientError.Security.Unauthorized',
  INVALID_TOKEN: 'Neo.ClientError.Security.Unauthorized',
  FORBIDDEN: 'Neo.ClientError.Security.Forbidden',
  FUNCTION_NOT_ALLOWED: 'Neo.ClientError.Security.Forbidden',
  TOO_MANY_AUTH_FAILURES: 'Neo.ClientError.Security.AuthenticationRateLimit',
  CYPHER_SYNTAX_ERROR: 'Neo.ClientError.Statement.SyntaxError',
  CYPHER_SEMANTIC_ERROR: 'Neo.ClientError.Statement.SemanticError',
  CYPHER_TYPE_ERROR: 'Neo.ClientError.Statement.TypeError',
  CYPHER_ARGUMENT_ERROR: 'Neo.ClientError.Statement.ArgumentError',
  CYPHER_ARITHMETIC_ERROR: 'Neo.ClientError.Statement.ArithmeticError',
  CYPHER_ENTITY_NOT_FOUND: 'Neo.ClientError.Statement.EntityNotFound',
  CYPHER_CONSTRAINT_VIOLATION: 'Neo.ClientError.Schema.ConstraintValidationFailed',
  CYPHER_PROCEDURE_ERROR: 'Neo.ClientError.Procedure.ProcedureCallFailed',
  CYPHER_UNSUPPORTED: 'Neo.ClientError.Statement.FeatureNotSupported',
  QUERY_TIMEOUT: 'Neo.ClientError.Transaction.TransactionTimedOut',
  QUERY_MEMORY_LIMIT: 'Neo.TransientError.General.MemoryPoolOutOfMemoryError',
  QUERY_CANCELLED: 'Neo.TransientError.Transaction.Terminated',
  API_KEY_LIMIT_EXCEEDED: 'Neo.ClientError.Request.Invalid',
  CONFLICT: 'Neo.ClientError.Schema.ConstraintValidationFailed',
  CONSTRAINT_VIOLATION: 'Neo.ClientError.Schema.ConstraintValidationFailed',
  TENANT_SUSPENDED: 'Neo.ClientError.Security.Forbidden',
  TENANT_NOT_FOUND: 'Neo.ClientError.Security.Forbidden',
  CONTROL_PLANE_UNAVAILABLE: 'Neo.TransientError.General.DatabaseUnavailable',
  RATE_LIMIT_EXCEEDED: 'Neo.TransientError.Request.ResourceExhaustion',
  STORAGE_QUOTA_EXCEEDED: 'Neo.ClientError.General.ResourceExhaustion',
  STORAGE_FULL: 'Neo.TransientError.General.OutOfMemoryError',
  TRANSACTION_CONFLICT: 'Neo.TransientError.Transaction.DeadlockDetected',
  TRANSACTION_FAILED: 'Neo.ClientError.Transaction.TransactionMarkedAsFailed',
  TRANSACTION_NOT_FOUND: 'Neo.ClientError.Transaction.TransactionNotFound',
  TRANSACTION_TIMED_OUT: 'Neo.ClientError.Transaction.TransactionTimedOut',
  TOO_MANY_TRANSACTIONS: 'Neo.TransientError.Request.ResourceExhaustion',
  TOO_MANY_CONCURRENT_QUERIES: 'Neo.TransientError.Request.ResourceExhaustion',
  DATABASE_NOT_FOUND: 'Neo.ClientError.Database.DatabaseNotFound',
  DATABASE_EXISTS: 'Neo.ClientError.Database.ExistingDatabaseFound',
  DATABASE_LIMIT_EXCEEDED: 'Neo.ClientError.General.ResourceExhaustion',
  PROTOCOL_ERROR: 'Neo.ClientError.Request.Invalid',
  IMPORT_INVALID_ROW: 'Neo.ClientError.Request.InvalidFormat',
  SERVICE_UNAVAILABLE: 'Neo.TransientError.General.DatabaseUnavailable',
  INTERNAL_ERROR: 'Neo.DatabaseError.General.UnknownError',
});

/** Finer Neo4j codes by Cypher error detail (e.g. a missing parameter). */
export const NEO4J_STATUS_BY_DETAIL: Readonly<Record<string, string>> = Object.freeze({
  MissingParameter: 'Neo.ClientError.Statement.ParameterMissing',
  ProcedureNotFound: 'Neo.ClientError.Procedure.ProcedureNotFound',
});

/** True for codes a client may retry unchanged (transient conditions). */
export function isRetriableStatus(neo4jCode: string): boolean {
  return neo4jCode.startsWith('Neo.TransientError.');
}
