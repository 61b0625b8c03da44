/**
 * The native binary RPC listener (`server.rpc_port`): accepts TCP connections on the HTTP
 * host, one `RpcConnection` each, every command going through the request core. Closing
 * stops accepting, lets in-flight requests finish (bounded by the timeout), then cuts the
 * remaining connections.
 */
import { createServer, type Server } from 'node:net';
import type { NexusConfig } from '../config/config-schema.js';
import type { NexusDatabase } from '../engine/api.js';
import type { RequestCore } from '../service/types.js';
import { RpcConnection, type RpcLogger } from './rpc-connection.js';

export interface RpcServerDeps {
  readonly config: NexusConfig;
  readonly core: RequestCore;
  readonly db: NexusDatabase;
  readonly version: string;
  readonly logger: RpcLogger;
}

export interface RpcServer {
  readonly host: string;
  readonly port: number;
  /** e.g. `nexus://127.0.0.1:15475` */
  readonly url: string;
  /** Live connections. */
  connections(): number;
  /** Graceful close; idempotent. */
  close(timeoutMs?: number): Promise<void>;
}

/** Starts listening on `server.rpc_port`; null when RPC is turned off. */
export async function startRpcServer(deps: RpcServerDeps): Promise<RpcServer | null> {
  const { config } = deps;
  const port = config.server.rpc_port;
  if (port === null) return null;
  const live = new Set<RpcConnection>();
  let nextId = 1;
  const options = {
    core: deps.core,
    db: deps.db,
    version: deps.version,
    authRequired: config.auth.enabled || config.cluster.enabled,
    maxFrameBytes: config.rpc.max_frame_bytes,
    maxInFlight: config.rpc.max_in_flight_per_conn,
    logger: deps.logger,
  };
  const server: Server = createServer((socket) => {
    const conn = new RpcConnection(socket, nextId++, options);
    live.add(conn);
    socket.on('close', () => live.delete(conn));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: config.server.host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => deps.logger.error({ err }, 'rpc listener error'));
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  let closing: Promise<void> | null = null;
  return {
    host: config.server.host,
    port: bound,
    url: `nexus://${host}:${bound}`,
    connections: () => live.size,
    close(timeoutMs = config.server.shutdown_timeout_ms) {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        });
        await Promise.race([Promise.all([...live].map((c) => c.drain())), timedOut]);
        clearTimeout(timer);
        for (const conn of live) conn.destroy();
        await closed;
      })();
      return closing;
    },
  };
}
