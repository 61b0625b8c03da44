/**
 * Wires the real services from the validated config: the database (`Nexus.open`), the auth
 * layer and its key-management routes over a system table of the same store, the MCP
 * endpoint, and in cluster mode the cluster gate. Kept apart from start-server.ts so tests
 * can build the app with fakes.
 */
import { join } from 'node:path';
import type { FastifyBaseLogger, FastifyPluginAsync } from 'fastify';
import type { ClusterConfig } from '../cluster/config.js';
import { effectiveWriteTimeoutMs, type NexusConfig } from '../config/config-schema.js';
import { DEFAULT_NAMESPACE, type NexusDatabase } from '../engine/api.js';
import type { SystemTable } from '../storage/types.js';
import { addUsage, contextOf, scopeOf } from './route-services.js';
import type { ServerServices } from './start-server.js';

/** The system table cluster mode keeps undelivered usage reports in. */
export const USAGE_OUTBOX_TABLE = 'usage_outbox';

/** How cluster/namespace.ts names a tenant's namespace: `tenant:<user_id>`. */
const TENANT_PREFIX = 'tenant:';

/** A system table from the database's own store, or from a separate store as a fallback. */
async function systemTableOpener(
  db: NexusDatabase,
  config: NexusConfig,
): Promise<{ open: <V>(name: string) => SystemTable<V>; close: () => Promise<void> }> {
  if (db.systemTable !== undefined) {
    return { open: (name) => db.systemTable!(name), close: async () => undefined };
  }
  const { GraphStore } = await import('../storage/index.js');
  const store = await GraphStore.open({ path: join(config.storage.data_dir, 'system'), sync: true });
  return { open: (name) => store.systemTable(name), close: () => store.close() };
}

/** The validated `cluster` section in the shape cluster mode takes (loader checked the nulls). */
function clusterConfigOf(config: NexusConfig): ClusterConfig {
  const c = config.cluster;
  return {
    ...c,
    default_quotas: { ...c.default_quotas },
    hivehub: { ...c.hivehub, base_url: c.hivehub.base_url!, service_api_key: c.hivehub.service_api_key! },
  };
}

export interface OpenServicesOptions {
  version: string;
  logger: FastifyBaseLogger;
}

export async function openServices(
  config: NexusConfig,
  options: OpenServicesOptions,
): Promise<ServerServices> {
  const { Nexus } = await import('../engine/nexus.js');
  const { GraphStore } = await import('../storage/index.js');
  // The store is opened here, not by Nexus.open, because the server also needs what only the
  // store knows: which namespaces hold data (usage storage sync, /metrics storage total).
  const store = await GraphStore.open({
    path: config.storage.data_dir,
    sync: config.storage.sync,
    mapSize: config.storage.map_size,
  });
  const db = Nexus.fromStore(store, {
    queryTimeoutMs: config.query.timeout_ms,
    writeTimeoutMs: effectiveWriteTimeoutMs(config),
    maxIntermediateRows: config.query.max_intermediate_rows,
    maxQueryMemoryBytes: config.query.max_memory_bytes,
    transactionIdleTimeoutMs: config.transactions.idle_timeout_ms,
  });
  const tables = await systemTableOpener(db, config);
  const clusterMode = config.cluster.enabled;
  const services: ServerServices = {
    db,
    auth: null,
    clusterGate: null,
    storageBytes: clusterMode
      ? () => {
          let total = 0;
          for (const name of store.namespaces()) total += store.namespace(name).stats().bytes;
          return total;
        }
      : () => db.stats(DEFAULT_NAMESPACE).bytes,
    plugins: [],
    notices: [],
    cleanup: [tables.close],
  };

  try {
    if (config.auth.enabled || clusterMode) {
      const { createAuth, keyRoutes, AUTH_TABLE_NAME } = await import('../auth/index.js');
      const bundle = await createAuth({
        table: tables.open(AUTH_TABLE_NAME),
        enabled: true,
        clusterMode,
        ...(config.auth.root_api_key === null ? {} : { rootApiKey: config.auth.root_api_key }),
        // The config loader already applied NEXUS_ROOT_API_KEY(_FILE); do not read them twice.
        env: {},
        maxFailuresPerMinute: config.auth.failed_attempts_per_minute,
        maxKeysPerUser: config.auth.max_keys_per_user,
      });
      services.auth = bundle.auth;
      const keyPlugin: FastifyPluginAsync = async (app) => {
        await app.register(keyRoutes, { keys: bundle.keys, getContext: contextOf });
      };
      services.plugins.push(keyPlugin);
      if (bundle.generatedRootKey !== undefined) {
        services.notices.push(
          `Generated root API key (shown only this once, store it now): ${bundle.generatedRootKey}`,
        );
      }
    }

    if (clusterMode) {
      const standalone = store.namespace(DEFAULT_NAMESPACE).stats();
      if (standalone.bytes > 0) {
        // Cluster mode serves tenants only: the default graph is invisible to every key.
        services.notices.push(
          `warning: ${config.storage.data_dir} holds standalone data (${standalone.nodes} nodes, ` +
            `${standalone.relationships} relationships) that cluster mode does not serve. ` +
            'To hand it to a tenant, stop the server and run: nexus migrate --to-tenant <user_id> ' +
            `--data ${config.storage.data_dir}`,
        );
      }
      const { createClusterGate, tenantNamespace } = await import('../cluster/index.js');
      services.clusterGate = createClusterGate({
        config: clusterConfigOf(config),
        storageBytesOf: (userId) => db.stats(tenantNamespace(userId)).bytes,
        tenantsWithData: () =>
          store
            .namespaces()
            .filter((name) => name.startsWith(TENANT_PREFIX))
            .map((name) => name.slice(TENANT_PREFIX.length)),
        outbox: tables.open(USAGE_OUTBOX_TABLE),
        logger: options.logger,
      });
    }

    const { registerMcp } = await import('../mcp/index.js');
    const gate = services.clusterGate;
    const mcpPlugin: FastifyPluginAsync = async (app) => {
      registerMcp(app, {
        db,
        getContext: contextOf,
        recordUsage: (req, event) => addUsage(req, event),
        runCypher: (req, query, params) => app.nexusCore.run(scopeOf(req), query, params),
        maxStorageBytes: (req) => req.quotaBytes,
        checkImport: (req, bytes) =>
          gate !== null && req.tenantId !== null ? gate.checkImport(req.tenantId, bytes) : Promise.resolve(),
        queryTimeoutMs: config.query.timeout_ms,
        // One message per request, so each tool call is one unit of the tenant's rate limit.
        ...(clusterMode ? { maxBatchMessages: 1 } : {}),
        serverInfo: { name: 'nexus', version: options.version },
      });
    };
    services.plugins.push(mcpPlugin);
  } catch (err) {
    await db.close().catch(() => undefined);
    await tables.close().catch(() => undefined);
    throw err;
  }
  return services;
}
