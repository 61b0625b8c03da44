/**
 * Builds the one options object the process runs with: YAML file, then environment
 * overrides, then CLI flags (each later source wins per key), validated by the zod schema,
 * derived values resolved, then deep-frozen. Any problem is a `ConfigError` naming the key,
 * the offending value and where it came from, raised before anything listens.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { NexusError } from '../errors.js';
import { configSchema, type NexusConfig } from './config-schema.js';

/** An invalid setting. Operator input, so it carries the key and the source in details. */
export class ConfigError extends NexusError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('INVALID_PARAMETER', message, { details });
    this.name = 'ConfigError';
  }
}

type EnvKind = 'string' | 'int' | 'bool' | 'quota' | 'proxy' | 'port-or-off' | 'port';

/**
 * Environment variables → config paths. The short names are the documented ones;
 * every key also has its long `NEXUS_<SECTION>_<KEY>` form so any key can be overridden.
 */
export const ENV_OVERRIDES: ReadonlyArray<readonly [string, string, EnvKind]> = [
  ['NEXUS_HOST', 'server.host', 'string'],
  ['NEXUS_PORT', 'server.port', 'int'],
  ['NEXUS_RPC_PORT', 'server.rpc_port', 'port-or-off'],
  ['NEXUS_RPC_MAX_FRAME_BYTES', 'rpc.max_frame_bytes', 'int'],
  ['NEXUS_RPC_MAX_IN_FLIGHT', 'rpc.max_in_flight_per_conn', 'int'],
  ['NEXUS_SERVER_BODY_LIMIT_BYTES', 'server.body_limit_bytes', 'int'],
  ['NEXUS_SERVER_REQUEST_TIMEOUT_MS', 'server.request_timeout_ms', 'int'],
  ['NEXUS_SERVER_SHUTDOWN_TIMEOUT_MS', 'server.shutdown_timeout_ms', 'int'],
  ['NEXUS_TRUST_PROXY', 'server.trust_proxy', 'proxy'],
  ['NEXUS_BOLT_PORT', 'server.bolt_port', 'port'],
  ['NEXUS_BOLT_TLS_CERT_FILE', 'server.bolt_tls.cert_file', 'string'],
  ['NEXUS_BOLT_TLS_KEY_FILE', 'server.bolt_tls.key_file', 'string'],
  ['NEXUS_SERVER_BOLT_MAX_MESSAGE_BYTES', 'server.bolt_max_message_bytes', 'int'],
  ['NEXUS_DATA_DIR', 'storage.data_dir', 'string'],
  ['NEXUS_STORAGE_SYNC', 'storage.sync', 'bool'],
  ['NEXUS_STORAGE_MAX_SIZE_BYTES', 'storage.max_size_bytes', 'quota'],
  ['NEXUS_QUERY_TIMEOUT_MS', 'query.timeout_ms', 'int'],
  ['NEXUS_QUERY_MAX_INTERMEDIATE_ROWS', 'query.max_intermediate_rows', 'int'],
  ['NEXUS_QUERY_MAX_MEMORY_BYTES', 'query.max_memory_bytes', 'int'],
  ['NEXUS_QUERY_WRITE_TIMEOUT_MS', 'query.write_timeout_ms', 'quota'],
  ['NEXUS_TRANSACTIONS_IDLE_TIMEOUT_MS', 'transactions.idle_timeout_ms', 'int'],
  ['NEXUS_TRANSACTIONS_MAX_OPEN_PER_USER', 'transactions.max_open_per_user', 'int'],
  ['NEXUS_AUTH_ENABLED', 'auth.enabled', 'bool'],
  ['NEXUS_ROOT_API_KEY', 'auth.root_api_key', 'string'],
  ['NEXUS_ROOT_API_KEY_FILE', 'auth.root_api_key_file', 'string'],
  ['NEXUS_AUTH_FAILED_ATTEMPTS_PER_MINUTE', 'auth.failed_attempts_per_minute', 'int'],
  ['NEXUS_AUTH_MAX_KEYS_PER_USER', 'auth.max_keys_per_user', 'quota'],
  ['NEXUS_LOG_LEVEL', 'log.level', 'string'],
  ['NEXUS_CLUSTER_ENABLED', 'cluster.enabled', 'bool'],
  ['NEXUS_CLUSTER_INSTANCE_ID', 'cluster.instance_id', 'string'],
  ['NEXUS_CLUSTER_QUOTA_CACHE_TTL_SECONDS', 'cluster.quota_cache_ttl_seconds', 'int'],
  ['NEXUS_CLUSTER_STALE_QUOTA_GRACE_SECONDS', 'cluster.stale_quota_grace_seconds', 'int'],
  ['NEXUS_CLUSTER_UNKNOWN_TENANT_POLICY', 'cluster.unknown_tenant_policy', 'string'],
  ['NEXUS_CLUSTER_DEFAULT_STORAGE_BYTES', 'cluster.default_quotas.storage_bytes', 'quota'],
  ['NEXUS_CLUSTER_DEFAULT_REQUESTS_PER_MINUTE', 'cluster.default_quotas.requests_per_minute', 'quota'],
  ['NEXUS_CLUSTER_DEFAULT_REQUESTS_PER_HOUR', 'cluster.default_quotas.requests_per_hour', 'quota'],
  ['NEXUS_CLUSTER_USAGE_REPORT_INTERVAL_SECONDS', 'cluster.usage_report_interval_seconds', 'int'],
  ['NEXUS_CLUSTER_MAX_CONCURRENT_QUERIES_PER_TENANT', 'cluster.max_concurrent_queries_per_tenant', 'int'],
  ['NEXUS_CLUSTER_USAGE_FLUSH_INTERVAL_MS', 'cluster.usage_flush_interval_ms', 'int'],
  ['NEXUS_HIVEHUB_BASE_URL', 'cluster.hivehub.base_url', 'string'],
  ['NEXUS_HIVEHUB_SERVICE_API_KEY', 'cluster.hivehub.service_api_key', 'string'],
  ['NEXUS_HIVEHUB_TIMEOUT_MS', 'cluster.hivehub.timeout_ms', 'int'],
  ['NEXUS_HIVEHUB_RETRIES', 'cluster.hivehub.retries', 'int'],
  ['NEXUS_HIVEHUB_RETRY_DELAY_MS', 'cluster.hivehub.retry_delay_ms', 'int'],
];

/** CLI flags the commands accept, already parsed by commander (undefined = not given). */
export interface ConfigFlags {
  host?: string;
  port?: string | number;
  dataDir?: string;
  logLevel?: string;
}

export interface LoadConfigOptions {
  /** YAML file path (`--config`). */
  file?: string;
  /** Environment to read overrides from; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  flags?: ConfigFlags;
}

type Tree = Record<string, unknown>;

function isTree(v: unknown): v is Tree {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function setPath(tree: Tree, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = tree;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (!isTree(next)) node[part] = {};
    node = node[part] as Tree;
  }
  node[parts[parts.length - 1]!] = value;
}

function getPath(tree: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = tree;
  for (const part of path) {
    if (!isTree(node)) return undefined;
    node = node[String(part)];
  }
  return node;
}

/** Keys whose values are secrets: error messages name them but never show the value. */
function isSecretPath(path: string): boolean {
  return /(^|\.)(root_api_key|service_api_key|secret)$/.test(path);
}

function coerce(name: string, path: string, raw: string, kind: EnvKind): unknown {
  const fail = (expected: string): never => {
    const secret = isSecretPath(path);
    const shown = secret ? `[redacted, ${raw.length} characters]` : JSON.stringify(raw);
    throw new ConfigError(`invalid config: ${path} = ${shown} (from ${name}): expected ${expected}`, {
      key: path,
      ...(secret ? {} : { value: raw }),
      source: name,
    });
  };
  switch (kind) {
    case 'string':
      return raw;
    case 'proxy':
      // true/false, a hop count, or addresses / CIDRs kept as the string Fastify accepts.
      if (/^(true|yes|on)$/i.test(raw)) return true;
      if (/^(false|no|off)$/i.test(raw)) return false;
      if (/^\d+$/.test(raw.trim())) return Number(raw.trim());
      return raw;
    case 'port-or-off':
      if (/^(false|off|no|null|none)$/i.test(raw)) return null;
      if (!/^\d+$/.test(raw.trim())) return fail('a port number, or false/null to turn it off');
      return Number(raw.trim());
    case 'bool':
      if (/^(true|1|yes|on)$/i.test(raw)) return true;
      if (/^(false|0|no|off)$/i.test(raw)) return false;
      return fail('a boolean (true/false)');
    case 'port':
      // A port number, or false / null / off to disable the listener.
      if (/^(false|null|off|no)$/i.test(raw.trim())) return false;
      if (!/^\d+$/.test(raw.trim())) return fail('a port number or false');
      return Number(raw.trim());
    case 'int':
    case 'quota':
      if (kind === 'quota' && /^(null|unlimited)$/i.test(raw)) return null;
      if (!/^-?\d+$/.test(raw.trim()))
        return fail(kind === 'quota' ? 'an integer or "unlimited"' : 'an integer');
      return Number(raw.trim());
  }
}

function readYaml(file: string): Tree {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`, { source: file });
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid YAML: ${(err as Error).message}`, {
      source: file,
    });
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isTree(parsed)) throw new ConfigError(`config file ${file} must hold a mapping at the top level`);
  return parsed;
}

/** Loopback binds are only reachable locally, so auth may default to off there. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Merges the sources, validates and freezes. Throws `ConfigError` on the first bad key. */
export function loadConfig(options: LoadConfigOptions = {}): NexusConfig {
  const env = options.env ?? process.env;
  const sources = new Map<string, string>();
  const tree: Tree = options.file ? readYaml(options.file) : {};
  const fileLabel = options.file ?? 'defaults';

  for (const [name, path, kind] of ENV_OVERRIDES) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    setPath(tree, path, coerce(name, path, raw, kind));
    sources.set(path, name);
  }
  const flags = options.flags ?? {};
  const flagTable: ReadonlyArray<readonly [unknown, string, string, EnvKind]> = [
    [flags.host, 'server.host', '--host', 'string'],
    [flags.port, 'server.port', '--port', 'int'],
    [flags.dataDir, 'storage.data_dir', '--data', 'string'],
    [flags.logLevel, 'log.level', '--log-level', 'string'],
  ];
  for (const [value, path, flag, kind] of flagTable) {
    if (value === undefined) continue;
    setPath(tree, path, coerce(flag, path, String(value), kind));
    sources.set(path, flag);
  }

  return resolveConfig(tree, sources, fileLabel);
}

/**
 * Only the `storage` section, for offline commands (`nexus migrate`) that touch nothing
 * but the data directory: the rest of the config — the cluster / HiveHub section above
 * all — is neither needed nor validated, so an environment set up for a cluster-mode
 * server does not stop a migration. Precedence per key: the `--data` flag, then the
 * `--config` file the operator named explicitly, then the environment, then the default.
 */
export function loadStorageConfig(options: LoadConfigOptions = {}): NexusConfig['storage'] {
  const env = options.env ?? process.env;
  const tree: Tree = {};
  const sources = new Map<string, string>();
  for (const [name, path, kind] of ENV_OVERRIDES) {
    if (!path.startsWith('storage.')) continue;
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    setPath(tree, path, coerce(name, path, raw, kind));
    sources.set(path, name);
  }
  if (options.file) {
    const fileStorage = readYaml(options.file).storage;
    if (fileStorage !== undefined && fileStorage !== null) {
      if (!isTree(fileStorage)) {
        throw new ConfigError(
          `invalid config: storage = ${JSON.stringify(fileStorage)} (from ${options.file}): expected a mapping`,
          {
            key: 'storage',
            value: fileStorage,
            source: options.file,
          },
        );
      }
      for (const [key, value] of Object.entries(fileStorage)) {
        setPath(tree, `storage.${key}`, value);
        sources.set(`storage.${key}`, options.file);
      }
    }
  }
  const dataDir = options.flags?.dataDir;
  if (dataDir !== undefined) {
    setPath(tree, 'storage.data_dir', coerce('--data', 'storage.data_dir', dataDir, 'string'));
    sources.set('storage.data_dir', '--data');
  }
  const section = isTree(tree.storage) ? tree.storage : {};
  const result = configSchema.shape.storage.safeParse(section);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = issue.code === 'unrecognized_keys' ? (issue.keys[0] ?? '') : issue.path.map(String).join('.');
    const path = `storage.${key}`;
    const value = section[key];
    const shown = value === undefined ? 'undefined' : JSON.stringify(value);
    const reason = issue.code === 'unrecognized_keys' ? 'unknown key' : issue.message;
    throw new ConfigError(
      `invalid config: ${path} = ${shown} (from ${sources.get(path) ?? 'defaults'}): ${reason}`,
      {
        key: path,
        value,
        source: sources.get(path) ?? 'defaults',
      },
    );
  }
  return Object.freeze({ ...result.data });
}

/**
 * Validates a raw options tree (as YAML would give it), resolves derived values and
 * freezes. `sources` names where each dotted key came from, for error messages.
 */
export function resolveConfig(
  tree: Record<string, unknown>,
  sources: ReadonlyMap<string, string> = new Map(),
  fileLabel = 'config',
): NexusConfig {
  const result = configSchema.safeParse(tree);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    let path = issue.path.map(String).join('.');
    let value = getPath(tree, issue.path);
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0] ?? '';
      path = path ? `${path}.${key}` : key;
      value = getPath(tree, [...issue.path, key]);
    }
    const from = sources.get(path) ?? fileLabel;
    const secret = isSecretPath(path);
    // A secret's value is never echoed (it lands in terminals, logs and CI output).
    const shown = secret
      ? `[redacted, ${typeof value === 'string' ? value.length : 0} characters]`
      : value === undefined
        ? 'undefined'
        : JSON.stringify(value);
    let reason = issue.code === 'unrecognized_keys' ? 'unknown key' : issue.message;
    if (path === 'auth.root_api_key' && issue.code === 'too_small') {
      reason =
        'the root API key is too short: use at least 16 characters, ' +
        'e.g. NEXUS_ROOT_API_KEY="$(openssl rand -hex 32)"';
    }
    throw new ConfigError(`invalid config: ${path || '(root)'} = ${shown} (from ${from}): ${reason}`, {
      key: path,
      ...(secret ? {} : { value }),
      source: from,
    });
  }
  const parsed = result.data;

  if (parsed.auth.root_api_key !== null && parsed.auth.root_api_key_file !== null) {
    throw new ConfigError('invalid config: set only one of auth.root_api_key and auth.root_api_key_file', {
      key: 'auth.root_api_key_file',
    });
  }
  let rootKey = parsed.auth.root_api_key;
  if (parsed.auth.root_api_key_file !== null) {
    const file = parsed.auth.root_api_key_file;
    try {
      rootKey = readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw new ConfigError(
        `invalid config: auth.root_api_key_file = ${JSON.stringify(file)}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        { key: 'auth.root_api_key_file', value: file },
      );
    }
    if (rootKey.length < 16) {
      throw new ConfigError(
        `invalid config: auth.root_api_key_file = ${JSON.stringify(file)}: the key must be at least 16 characters`,
        { key: 'auth.root_api_key_file', value: file },
      );
    }
  }

  let authEnabled = parsed.auth.enabled ?? !isLoopbackHost(parsed.server.host);
  if (parsed.cluster.enabled) {
    if (parsed.auth.enabled === false) {
      throw new ConfigError(
        'invalid config: auth.enabled = false: authentication is mandatory in cluster mode',
        {
          key: 'auth.enabled',
          value: false,
        },
      );
    }
    authEnabled = true;
    for (const key of ['base_url', 'service_api_key'] as const) {
      if (parsed.cluster.hivehub[key] === null) {
        throw new ConfigError(
          `invalid config: cluster.hivehub.${key} = null: required when cluster.enabled is true`,
          {
            key: `cluster.hivehub.${key}`,
            value: null,
          },
        );
      }
    }
  }

  return deepFreeze({
    ...parsed,
    auth: { ...parsed.auth, enabled: authEnabled, root_api_key: rootKey },
  });
}

/** The effective options with secrets masked, for the startup log line. */
export function redactConfig(config: NexusConfig): Record<string, unknown> {
  const mask = (v: string | null): string | null => (v === null ? null : '[redacted]');
  return {
    ...config,
    auth: { ...config.auth, root_api_key: mask(config.auth.root_api_key) },
    cluster: {
      ...config.cluster,
      hivehub: { ...config.cluster.hivehub, service_api_key: mask(config.cluster.hivehub.service_api_key) },
    },
  };
}
