/**
 * Runs the server for real: opens the database, the auth layer and (cluster mode) the
 * cluster gate from the validated config, listens, prints the bound address, and shuts
 * down gracefully — stop accepting, let in-flight requests finish (bounded by
 * server.shutdown_timeout_ms), stop the gate (flushing usage), close storage. The data
 * directory's lock (storage/data-dir-lock.ts) is held from before the store opens until it
 * is closed. The Bolt listener (src/bolt, `server.bolt_port`) shares the HTTP server's
 * request core; on shutdown it closes first (its open transactions roll back).
 */
import type { StorageStatus } from '../storage/storage-ceiling.js';
import { mkdirSync } from 'node:fs';
import type { FastifyBaseLogger, FastifyPluginAsync } from 'fastify';
import { pino } from 'pino';
import type { NexusConfig } from '../config/config-schema.js';
import type { NexusDatabase } from '../engine/api.js';
import { createServer, REDACT_PATHS, type NexusServer, type RequestAuthenticator } from './create-server.js';
import type { ClusterGate } from '../cluster/types.js';
import { acquireDataDirLock } from '../storage/data-dir-lock.js';
import { startRpcServer, type RpcServer } from '../rpc/index.js';
import { startBoltServer, type BoltServer } from '../bolt/index.js';

/** What `openServices` produces: everything the app needs, and how to release it. */
export interface ServerServices {
  db: NexusDatabase;
  auth: RequestAuthenticator | null;
  clusterGate: ClusterGate | null;
  /** Bytes /metrics reports as nexus_storage_bytes (default: the default namespace). */
  storageBytes?: () => number;
  /** The store's size ceiling and free-disk state, for /health and /metrics (storage-ceiling.ts). */
  storageStatus?: () => StorageStatus;
  plugins: FastifyPluginAsync[];
  /** Printed once on start (e.g. a generated root key). */
  notices: string[];
  /** Run after the database is closed (e.g. a separate system store). */
  cleanup: (() => Promise<void>)[];
}

export interface RunningServer {
  readonly server: NexusServer;
  /** e.g. `http://127.0.0.1:15474` */
  readonly url: string;
  readonly port: number;
  /** The native RPC listener, when `server.rpc_port` is set. */
  readonly rpc: RpcServer | null;
  /** The Bolt listener, or null when `server.bolt_port` is off. */
  readonly bolt: BoltServer | null;
  /** Graceful shutdown; idempotent. */
  close(): Promise<void>;
}

export interface StartServerOptions {
  config: NexusConfig;
  version: string;
  /** Builds the services (start-services.ts wires the real ones). */
  openServices: (
    config: NexusConfig,
    options: { version: string; logger: FastifyBaseLogger },
  ) => Promise<ServerServices>;
  /** Where the startup lines go (default stdout). */
  print?: (line: string) => void;
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config } = options;
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  mkdirSync(config.storage.data_dir, { recursive: true });
  // Before the store opens: a second server or a running `nexus migrate` must not share it.
  const lock = acquireDataDirLock(config.storage.data_dir, 'nexus serve');
  // One pino instance for the app and cluster mode; keys are redacted wherever they appear.
  const logger = pino({
    level: config.log.level,
    redact: { paths: [...REDACT_PATHS, 'serviceApiKey', 'service_api_key'], censor: '[redacted]' },
  });
  let services: ServerServices;
  try {
    services = await options.openServices(config, { version: options.version, logger });
  } catch (err) {
    lock.release();
    throw err;
  }
  let server: NexusServer | undefined;
  let rpc: RpcServer | null = null;
  let bolt: BoltServer | null = null;
  let httpListening: NexusServer | null = null;
  try {
    server = await createServer({
      config,
      db: services.db,
      auth: services.auth,
      clusterGate: services.clusterGate,
      ...(services.storageBytes === undefined ? {} : { storageBytes: services.storageBytes }),
      ...(services.storageStatus === undefined ? {} : { storageStatus: services.storageStatus }),
      plugins: services.plugins,
      version: options.version,
      loggerInstance: logger,
    });
    if (services.clusterGate !== null) await services.clusterGate.start();
    await server.app.listen({ host: config.server.host, port: config.server.port });
    httpListening = server;
    const boltPort = config.server.bolt_port;
    if (boltPort !== false && boltPort !== null) {
      const log = server.app.log;
      const tls = config.server.bolt_tls;
      bolt = await startBoltServer({
        core: server.core,
        host: config.server.host,
        port: boltPort,
        tls: tls === null ? null : { certFile: tls.cert_file, keyFile: tls.key_file },
        maxMessageBytes: config.server.bolt_max_message_bytes,
        logger: { info: (obj, msg) => log.info(obj, msg), warn: (obj, msg) => log.warn(obj, msg) },
      });
    }
    if (config.server.rpc_port !== null) {
      // The same request core as the HTTP routes: one set of rules for every door.
      rpc = await startRpcServer({
        config,
        core: server.core,
        db: services.db,
        version: options.version,
        logger,
      });
    }
  } catch (err) {
    await bolt?.close().catch(() => undefined);
    await httpListening?.app.close().catch(() => undefined);
    await services.clusterGate?.stop().catch(() => undefined);
    await services.db.close().catch(() => undefined);
    for (const fn of services.cleanup) await fn().catch(() => undefined);
    lock.release();
    throw err;
  }
  const address = server.app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.server.port;
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  const url = `http://${host}:${port}`;
  for (const notice of services.notices) print(notice);
  // Before the HTTP line: whoever waits for that line can already read this one.
  if (bolt !== null) print(`Nexus Bolt listening on ${bolt.url}`);
  // Tests and scripts read the port from this exact line (test/helpers/server-process.ts).
  print(`Nexus listening on ${url}`);
  if (rpc !== null) print(`Nexus RPC listening on ${rpc.url}`);

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      server.beginShutdown();
      // Bolt connections are long-lived: close them (rolling back open transactions) while
      // HTTP drains; both finish before storage closes.
      const boltClosed = bolt?.close().catch((err: unknown) => server.app.log.error({ err }, 'bolt close'));
      const timeout = config.server.shutdown_timeout_ms;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeout);
      });
      // Keep-alive connections become idle as their in-flight requests finish; close them
      // as they do, so a client's pooled socket cannot hold shutdown until the timeout.
      const reaper = setInterval(() => server.app.server.closeIdleConnections(), 50);
      const rpcClosed = rpc === null ? Promise.resolve() : rpc.close(timeout);
      const result = await Promise.race([server.app.close().then(() => 'closed' as const), timedOut]);
      await rpcClosed;
      clearInterval(reaper);
      clearTimeout(timer);
      if (result === 'timeout') {
        server.app.log.warn({ timeoutMs: timeout }, 'shutdown timeout: closing remaining connections');
        server.app.server.closeAllConnections();
      }
      await boltClosed;
      if (services.clusterGate !== null) {
        await services.clusterGate
          .stop()
          .catch((err: unknown) => server.app.log.error({ err }, 'cluster gate stop'));
      }
      try {
        await services.db.close();
        for (const fn of services.cleanup) await fn();
      } finally {
        lock.release();
      }
    })();
    return closing;
  };
  return { server, url, port, rpc, bolt, close };
}
