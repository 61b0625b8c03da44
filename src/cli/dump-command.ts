/**
 * `nexus dump` and `nexus restore`: a consistent logical backup without stopping writes.
 * `dump` reads one snapshot — from a data directory (embedded) or from a running server's
 * `GET /export` — and writes gzip-compressed JSON lines (src/engine/graph-dump.ts), with a
 * progress bar on a terminal. `restore` replays a dump into an empty data directory or
 * tenant namespace (offline: it takes the data directory's lock) and checks the counts.
 */
import { createReadStream, createWriteStream, renameSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { SingleBar, Presets } from 'cli-progress';
import { loadStorageConfig } from '../config/load-config.js';
import { DEFAULT_NAMESPACE } from '../engine/api.js';
import { NexusError } from '../errors.js';
import { parseJsonBody } from '../server/json-body.js';
import { checkDataDir, explainStartupError } from './startup-errors.js';

export interface DumpOptions {
  url?: string;
  key?: string;
  data?: string;
  tenant?: string;
  out: string;
}

interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

async function namespaceFor(tenant: string | undefined): Promise<string> {
  if (tenant === undefined) return DEFAULT_NAMESPACE;
  const { tenantNamespace } = await import('../cluster/namespace.js');
  return tenantNamespace(tenant);
}

/** A progress bar on stderr when it is a terminal; otherwise nothing. */
function progressBar(label: string): { start(total: number): void; update(n: number): void; stop(): void } {
  if (process.stderr.isTTY !== true) return { start() {}, update() {}, stop() {} };
  const bar = new SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} entries`, stream: process.stderr },
    Presets.shades_classic,
  );
  return {
    start: (total) => bar.start(Math.max(total, 1), 0),
    update: (n) => bar.update(n),
    stop: () => bar.stop(),
  };
}

/** Lines of a stream of text (a fetch body or a file), without the newlines. */
async function* textLines(stream: Readable): AsyncGenerator<string> {
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  for await (const line of rl) if (line !== '') yield line;
}

type DumpHeader = { nodes: number; relationships: number; bytes: number };
type DumpEnd = { nodes: number; relationships: number };

export async function runDump(opts: DumpOptions, io: Io): Promise<void> {
  if ((opts.url === undefined) === (opts.data === undefined)) {
    throw new NexusError(
      'INVALID_PARAMETER',
      'give exactly one source: --url URL (a running server) or --data DIR (a data directory)',
    );
  }
  let lines: AsyncIterable<string>;
  let cleanup = async (): Promise<void> => {};
  if (opts.url !== undefined) {
    const base = opts.url.replace(/\/+$/, '');
    const key = opts.key ?? process.env.NEXUS_API_KEY;
    const headers: Record<string, string> = {};
    if (key !== undefined && key !== '') headers.authorization = `Bearer ${key}`;
    // A SUPER key picks the tenant; a tenant key always exports its own graph.
    if (opts.tenant !== undefined) headers['x-nexus-tenant'] = opts.tenant;
    let res: Response;
    try {
      res = await fetch(`${base}/export`, { headers });
    } catch (err) {
      throw new NexusError(
        'SERVICE_UNAVAILABLE',
        `cannot reach ${base}: ${String((err as Error).cause ?? (err as Error).message)}. Is the server running? Check --url`,
      );
    }
    if (!res.ok || res.body === null) {
      const text = await res.text();
      let message = `HTTP ${res.status}`;
      try {
        const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
        if (body.error !== undefined) message = `${body.error.code}: ${body.error.message}`;
      } catch {
        // not JSON: keep the status
      }
      throw new NexusError('SERVICE_UNAVAILABLE', `the server refused the export: ${message}`);
    }
    lines = textLines(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream));
  } else {
    const storage = loadStorageConfig({ flags: { dataDir: opts.data } });
    checkDataDir(storage.data_dir, { create: false });
    const { Nexus } = await import('../engine/nexus.js');
    const { dumpLines } = await import('../engine/graph-dump.js');
    let db;
    try {
      db = await Nexus.open({ path: storage.data_dir, sync: storage.sync, mapSize: storage.map_size });
    } catch (err) {
      throw explainStartupError(err, { path: storage.data_dir });
    }
    const opened = db;
    cleanup = () => opened.close();
    lines = dumpLines(opened.namespace(await namespaceFor(opts.tenant)));
  }

  const bar = progressBar('dump');
  // Filled in by the stream below (an object, so the checks after it are not narrowed away).
  const seen: { header?: DumpHeader; end?: DumpEnd } = {};
  let count = 0;
  const partial = `${opts.out}.partial`;
  try {
    const text = Readable.from(
      (async function* () {
        for await (const line of lines) {
          if (seen.header === undefined) {
            const header = JSON.parse(line) as DumpHeader;
            seen.header = header;
            bar.start(header.nodes + header.relationships);
          } else if (line.startsWith('{"type":"end"')) {
            seen.end = JSON.parse(line) as DumpEnd;
          } else if (++count % 500 === 0) {
            bar.update(count);
          }
          yield `${line}\n`;
        }
      })(),
    );
    await pipeline(text, createGzip(), createWriteStream(partial, { mode: 0o600 }));
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  } finally {
    bar.stop();
    await cleanup();
  }
  const { header, end } = seen;
  if (header === undefined || end === undefined) {
    rmSync(partial, { force: true });
    throw new NexusError('SERVICE_UNAVAILABLE', 'the export ended early (no end line); nothing was written');
  }
  renameSync(partial, opts.out);
  io.stdout(
    `dumped ${end.nodes} nodes and ${end.relationships} relationships (${header.bytes} bytes stored) to ${opts.out}\n`,
  );
}

export interface RestoreOptions {
  data?: string;
  tenant?: string;
  /** Refuse a restore that would take the namespace past this many bytes (a tenant's quota). */
  maxBytes?: number;
}

export async function runRestore(file: string, opts: RestoreOptions, io: Io): Promise<void> {
  const storage = loadStorageConfig({ flags: { dataDir: opts.data } });
  checkDataDir(storage.data_dir, { create: true });
  const namespace = await namespaceFor(opts.tenant);
  const { GraphStore, acquireDataDirLock } = await import('../storage/index.js');
  const { restoreRecords } = await import('../engine/graph-dump.js');
  let lock;
  try {
    lock = acquireDataDirLock(storage.data_dir, 'nexus restore');
  } catch (err) {
    if (err instanceof NexusError && err.code === 'CONFLICT') {
      throw new NexusError('CONFLICT', `cannot restore: ${err.message}`, { details: err.details });
    }
    throw explainStartupError(err, { path: storage.data_dir });
  }
  const bar = progressBar('restore');
  try {
    const store = await GraphStore.open({ path: storage.data_dir, sync: true, mapSize: storage.map_size });
    try {
      const input = createReadStream(file).pipe(createGunzip());
      let total = 0;
      const records = (async function* () {
        for await (const line of textLines(input)) {
          const record = parseJsonBody(line) as Record<string, unknown>;
          if (record.type === 'header') {
            total = Number(record.nodes) + Number(record.relationships);
            bar.start(total);
          }
          yield record;
        }
      })();
      const result = await restoreRecords(store.namespace(namespace), records, {
        ...(opts.maxBytes === undefined ? {} : { maxBytes: opts.maxBytes }),
        onProgress: (done) => bar.update(done),
      });
      bar.stop();
      io.stdout(
        `restored ${result.nodes} nodes, ${result.relationships} relationships and ${result.indexes} indexes ` +
          `into ${namespace}: ${result.bytes} bytes stored (the source held ${result.source.bytes})\n`,
      );
    } finally {
      bar.stop();
      await store.close();
    }
  } finally {
    lock.release();
  }
}
