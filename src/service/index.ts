/**
 * The service layer: the one request core every protocol door (HTTP, MCP, Bolt, RPC,
 * the Query API) calls, its error mapping to HTTP and Neo4j status codes.
 */
export type {
  CallScope,
  Credentials,
  MappedError,
  Protocol,
  RequestCore,
  RunOptions,
  ServiceTransaction,
  Session,
  SessionOptions,
} from './types.js';
export { NexusRequestCore, addQueryUsage, bufferedCursor } from './request-core.js';
export type { CoreLimits, CredentialVerifier, RequestCoreDeps } from './request-core.js';
export { ERROR_STATUS, statusOf } from './error-status.js';
export { NEO4J_STATUS, isRetriableStatus } from './neo4j-codes.js';
