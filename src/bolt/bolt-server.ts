/**
 * The Bolt listener: a TCP (or, with a certificate, TLS) server on `server.bolt_port`
 * whose every connection is a BoltConnection over the request core. `close()` stops
 * accepting, closes every connection (their open transactions roll back) and waits for
 * their cleanup, so the caller can close storage afterwards.
 */
import { readFileSync } from 'node:fs';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { QueryCursor } from '../engine/api.js';
import type { RequestCore } from '../service/types.js';
import { BoltConnection, type BoltLogger } from './bolt-connection.js';

export interface BoltServerDeps {
  readonly core: RequestCore;
  readonly host: string;
  /** 0 = a free port. */
  readonly port: number;
  /** PEM files; both or neither. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string } | null;
  /** Largest accepted message, checked before its bytes are buffered (default 64 MiB). */
  readonly maxMessageBytes?: number;
  /** Connections that do not authenticate within this many ms are closed (default 30 s). */
  readonly authTimeoutMs?: number;
  readonly logger?: BoltLogger;
  readonly onCursor?: (cursor: QueryCursor) => void;
}

export interface BoltServer {
  readonly port: number;
  /** `bolt://host:port` (or `bolt+s://` with TLS). */
  readonly url: string;
  /** Open connections (for metrics and tests). */
  connectionCount(): number;
  close(): Promise<void>;
}

export async function startBoltServer(deps: BoltServerDeps): Promise<BoltServer> {
  const connections = new Set<BoltConnection>();
  let counter = 0;
  const hostForUrl = deps.host.includes(':') ? `[${deps.host}]` : deps.host;
  let port = deps.port;
  const accept = (socket: Socket): void => {
    const conn = new BoltConnection(socket, {
      core: deps.core,
      connectionId: `bolt-${++counter}`,
      maxMessageBytes: deps.maxMessageBytes ?? 64 * 1024 * 1024,
      advertisedAddress: `${hostForUrl}:${port}`,
      authTimeoutMs: deps.authTimeoutMs ?? 30_000,
      ...(deps.logger === undefined ? {} : { logger: deps.logger }),
      ...(deps.onCursor === undefined ? {} : { onCursor: deps.onCursor }),
    });
    connections.add(conn);
    void conn.finished.then(() => connections.delete(conn));
  };
  const server: Server =
    deps.tls != null
      ? createTlsServer(
          { cert: readFileSync(deps.tls.certFile), key: readFileSync(deps.tls.keyFile) },
          accept,
        )
      : createTcpServer(accept);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.port, deps.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  port = typeof address === 'object' && address !== null ? address.port : deps.port;
  let closing: Promise<void> | null = null;
  return {
    port,
    url: `${deps.tls != null ? 'bolt+s' : 'bolt'}://${hostForUrl}:${port}`,
    connectionCount: () => connections.size,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        const all = [...connections];
        for (const c of all) c.destroy(true);
        await Promise.all(all.map((c) => c.finished));
        await stopped;
      })();
      return closing;
    },
  };
}
