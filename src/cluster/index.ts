/** Public surface of cluster mode: HiveHub client, emulator, quota/rate/usage services and the gate. */
export * from './types.js';
export { USER_ID_PATTERN, assertValidUserId, isValidUserId, tenantNamespace } from './namespace.js';
export type { NamespaceId } from './namespace.js';
export { CLUSTER_CONFIG_DEFAULTS } from './config.js';
export type { ClusterConfig, ClusterDefaultQuotas, HiveHubConfig, UnknownTenantPolicy } from './config.js';
export { silentLogger, systemClock } from './cluster-logger.js';
export type { Clock, ClusterLogger } from './cluster-logger.js';
export {
  ControlPlaneAuthError,
  ControlPlaneProtocolError,
  ControlPlaneUnavailableError,
} from './control-plane-errors.js';
export type { UnavailableReason } from './control-plane-errors.js';
export { HiveHubClient } from './hivehub-client.js';
export type {
  BreakerState,
  FetchLike,
  HiveHubClientOptions,
  HiveHubHealth,
  HttpRequestInit,
  HttpResponseLike,
} from './hivehub-client.js';
export { MAX_USERS_PER_REPORT } from './hivehub-schemas.js';
export type {
  QuotaCheckRequest,
  QuotaCheckResponse,
  QuotaOperation,
  UsageReport,
  UsageResponse,
  UsageUser,
  UserDatabase,
  UserInfo,
  UserStatus,
  WireQuotas,
} from './hivehub-schemas.js';
export { runEmulatorCli, startHiveHubEmulator } from './emulator/index.js';
export type { HiveHubEmulator, HiveHubEmulatorOptions } from './emulator/index.js';
export { QuotaService } from './quota-service.js';
export type {
  QuotaCacheStats,
  QuotaServiceConfig,
  QuotaServiceOptions,
  QuotaSource,
  TenantRecord,
} from './quota-service.js';
export { RateLimiter, headersFor } from './rate-limiter.js';
export type { RateDecision, RateLimiterOptions, RateWindowName, RateWindowState } from './rate-limiter.js';
export { UsageTracker } from './usage-tracker.js';
export type {
  StorageBytesOf,
  TenantsWithData,
  UsageCounters,
  UsageTrackerOptions,
  UsageTrackerStats,
} from './usage-tracker.js';
export { STARTUP_PROBE_USER_ID, createClusterGate } from './cluster-gate.js';
export type { ClusterGateDeps, ClusterGateImpl, ClusterGateStatus } from './cluster-gate.js';
