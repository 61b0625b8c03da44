/**
 * Public surface of the configuration module: the schema, its resolved type and the loader.
 */
export { configSchema, effectiveWriteTimeoutMs, LOG_LEVELS } from './config-schema.js';
export type { NexusConfig, ParsedConfig } from './config-schema.js';
export {
  loadConfig,
  loadStorageConfig,
  resolveConfig,
  redactConfig,
  isLoopbackHost,
  ConfigError,
  ENV_OVERRIDES,
} from './load-config.js';
export type { LoadConfigOptions, ConfigFlags } from './load-config.js';
