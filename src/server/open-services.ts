/**
 * Wires the real services from the validated config: the database (`Nexus.open`), the auth
 * layer over a system table of the same store, and in cluster mode the cluster gate and
 * the MCP endpoint. Kept apart from start-server.ts so tests can start the app with fakes.
 */
import { join } from 'node:path';
import type { NexusConfig } from '../config/config-schema.js';
import type { NexusDatabase } from '../engine/api.js';
import type { SystemTable } from '../storage/types.js';
import type { ServerServices } from './start-server.js';

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

export async function openServices(config: NexusConfig): Promise<ServerServices> {
  const { Nexus } = await import('../engine/nexus.js');
  const db = await Nexus.open({
    path: config.storage.data_dir,
    sync: config.storage.sync,
    mapSize: config.storage.map_size,
    queryTimeoutMs: config.query.timeout_ms,
    maxIntermediateRows: config.query.max_intermediate_rows,
  });
  const tables = await systemTableOpener(db, config);
  const services: ServerServices = {
    db,
    auth: null,
    clusterGate: null,
    plugins: [],
    notices: [],
    cleanup: [tables.close],
  };
  const clusterMode = config.cluster.enabled;

  if (config.auth.enabled || clusterMode) {
    const { createAuth, AUTH_TABLE_NAME } = await import('../auth/index.js');
    const bundle = await createAuth({
      table: tables.open(AUTH_TABLE_NAME),
      enabled: true,
      clusterMode,
      ...(config.auth.root_api_key === null ? {} : { rootApiKey: config.auth.root_api_key }),
      // The config loader already applied NEXUS_ROOT_API_KEY(_FILE); do not read them twice.
      env: {},
      maxFailuresPerMinute: config.auth.failed_attempts_per_minute,
    });
    services.auth = bundle.auth;
    if (bundle.generatedRootKey !== undefined) {
      services.notices.push(
        `Generated root API key (shown only this once, store it now): ${bundle.generatedRootKey}`,
      );
    }
  }
  return services;
}
