/**
 * `nexus import`: the offline bulk import (flags after neo4j-admin's `database import
 * full`). Opens the data directory under its lock, loads the inputs into an EMPTY target
 * (the standalone graph, or a tenant namespace after a HiveHub quota check) through the
 * storage bulk path, shows a progress bar on a TTY and prints one summary line.
 */
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { loadConfig, loadStorageConfig } from '../../config/load-config.js';
import { DEFAULT_NAMESPACE } from '../../engine/api.js';
import { NexusError } from '../../errors.js';
import { parseInputGroup, runImport, type BadRow, type ImportProgress } from './run-import.js';

export interface ImportIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Draw a progress bar (stdout is a terminal). */
  tty: boolean;
}

interface ImportFlags {
  data?: string;
  config?: string;
  database?: string;
  tenant?: string;
  nodes?: string[];
  relationships?: string[];
  delimiter?: string;
  arrayDelimiter?: string;
  quote?: string;
  idType?: string;
  skipBadRows?: boolean;
  maxBadRows?: string;
  verify?: boolean;
}

/** Bad rows printed one per line before the rest are only counted. */
const MAX_PRINTED_BAD_ROWS = 100;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerImportCommand(program: Command, io: ImportIo): void {
  program
    .command('import')
    .description(
      'Bulk-load CSV (neo4j-admin headers) or JSONL files into an EMPTY database or tenant (offline)',
    )
    .option('-d, --data <dir>', 'data directory (default: storage.data_dir, ./data)')
    .option('-c, --config <file>', 'YAML configuration file (storage section; HiveHub settings for --tenant)')
    .option('--database <name>', `target database (only "${DEFAULT_NAMESPACE}", the standalone graph, today)`)
    .option('--tenant <user_id>', 'target tenant (cluster mode); its quota is checked with HiveHub first')
    .option(
      '--nodes <[Label:...=]files>',
      'node file(s), comma-separated, header in the first; repeatable',
      collect,
    )
    .option('--relationships <[TYPE=]files>', 'relationship file(s), comma-separated; repeatable', collect)
    .option('--delimiter <char>', 'CSV field delimiter', ',')
    .option('--array-delimiter <char>', 'delimiter of array items inside a field', ';')
    .option('--quote <char>', 'CSV quote character', '"')
    .option('--id-type <type>', 'how a named :ID column is stored as a property: string or integer', 'string')
    .option('--skip-bad-rows', 'skip malformed rows (reported with file:line) instead of stopping')
    .option('--max-bad-rows <n>', 'with --skip-bad-rows: stop after more than n bad rows', '1000')
    .option('--verify', 'recount the imported namespace from its keys and compare with its counters')
    .action(async (opts: ImportFlags) => {
      await importAction(opts, io);
    });
}

async function importAction(opts: ImportFlags, io: ImportIo): Promise<void> {
  if (opts.database !== undefined && opts.tenant !== undefined) {
    throw new NexusError('INVALID_PARAMETER', 'give --database or --tenant, not both');
  }
  if (opts.database !== undefined && opts.database !== DEFAULT_NAMESPACE) {
    throw new NexusError(
      'DATABASE_NOT_FOUND',
      `database '${opts.database}' does not exist; this build has one database per data directory ("${DEFAULT_NAMESPACE}")`,
    );
  }
  if ((opts.nodes ?? []).length === 0) {
    throw new NexusError('INVALID_PARAMETER', 'give at least one --nodes file');
  }
  if (opts.idType !== 'string' && opts.idType !== 'integer') {
    throw new NexusError('INVALID_PARAMETER', '--id-type is string or integer');
  }
  const maxBadRows = Number(opts.maxBadRows);
  if (!Number.isSafeInteger(maxBadRows) || maxBadRows < 0) {
    throw new NexusError('INVALID_PARAMETER', '--max-bad-rows must be a non-negative integer');
  }
  const fileOpt = opts.config === undefined ? {} : { file: opts.config };
  let target = DEFAULT_NAMESPACE;
  let checkQuota: ((bytes: number) => Promise<void>) | undefined;
  let storage;
  if (opts.tenant !== undefined) {
    const { tenantNamespace } = await import('../../cluster/namespace.js');
    target = tenantNamespace(opts.tenant);
    const config = loadConfig({ ...fileOpt, flags: { dataDir: opts.data } });
    storage = config.storage;
    const hub = config.cluster.hivehub;
    if (hub.base_url === null || hub.service_api_key === null) {
      throw new NexusError(
        'INVALID_PARAMETER',
        'importing into a tenant checks its storage quota with HiveHub: set cluster.hivehub.base_url and service_api_key (--config or NEXUS_HIVEHUB_* variables)',
      );
    }
    const { HiveHubClient } = await import('../../cluster/hivehub-client.js');
    const client = new HiveHubClient({
      baseUrl: hub.base_url,
      serviceApiKey: hub.service_api_key,
      timeoutMs: hub.timeout_ms,
      retries: hub.retries,
      retryDelayMs: hub.retry_delay_ms,
    });
    const tenant = opts.tenant;
    checkQuota = async (bytes) => {
      const answer = await client.checkQuota({
        user_id: tenant,
        operation: 'import',
        estimated_bytes: bytes,
      });
      if (!answer.allowed) {
        throw new NexusError(
          'STORAGE_QUOTA_EXCEEDED',
          `${answer.reason ?? 'the import would exceed the storage quota'} (tenant ${tenant}: ${bytes} bytes to import, ${answer.storage_bytes_used} used, limit ${answer.storage_bytes_limit ?? 'none'}); nothing was imported`,
          {
            details: {
              estimated_bytes: bytes,
              storage_bytes_used: answer.storage_bytes_used,
              storage_bytes_limit: answer.storage_bytes_limit,
            },
          },
        );
      }
    };
  } else {
    storage = loadStorageConfig({ ...fileOpt, flags: { dataDir: opts.data } });
  }

  const nodes = (opts.nodes ?? []).map(parseInputGroup);
  const relationships = (opts.relationships ?? []).map(parseInputGroup);
  if (checkQuota !== undefined) {
    // Fail fast before reading: the input's size is a floor of what the graph will take.
    const { statSync } = await import('node:fs');
    let inputBytes = 0;
    for (const g of [...nodes, ...relationships])
      for (const f of g.files) inputBytes += statSync(f, { throwIfNoEntry: false })?.size ?? 0;
    await checkQuota(inputBytes);
  }

  const { GraphStore, acquireDataDirLock } = await import('../../storage/index.js');
  const lock = acquireDataDirLock(storage.data_dir, 'nexus import');
  let bar: SingleBar | undefined;
  try {
    // Synced commits: the whole import is ONE transaction, so this is one final sync.
    const store = await GraphStore.open({ path: storage.data_dir, sync: true, mapSize: storage.map_size });
    try {
      const loader = store.bulkLoader(target);
      const t0 = performance.now();
      let printed = 0;
      if (io.tty) {
        bar = new SingleBar({
          format: 'import [{bar}] {percentage}% | {records} records | {rate} records/s | ETA {eta_formatted}',
          hideCursor: true,
          etaBuffer: 50,
        });
        bar.start(1, 0, { records: 0, rate: 0 });
      }
      const summary = await runImport(loader, {
        nodes,
        relationships,
        delimiter: opts.delimiter,
        arrayDelimiter: opts.arrayDelimiter,
        quote: opts.quote,
        idType: opts.idType,
        skipBadRows: opts.skipBadRows === true,
        maxBadRows,
        onProgress: (p: ImportProgress) => {
          if (bar === undefined) return;
          const seconds = (performance.now() - t0) / 1000;
          bar.setTotal(Math.max(1, p.totalBytes));
          bar.update(p.bytesRead, {
            records: p.records,
            rate: Math.round(p.records / Math.max(seconds, 1e-3)),
          });
        },
        onBadRow: (row: BadRow) => {
          if (opts.skipBadRows !== true) return;
          if (printed++ < MAX_PRINTED_BAD_ROWS)
            io.stderr(`bad row skipped: ${row.file}:${row.line}: ${row.message}\n`);
        },
        ...(checkQuota === undefined
          ? {}
          : { beforeCommit: async (_l, exact: number) => checkQuota!(exact) }),
      });
      bar?.stop();
      bar = undefined;
      const records = summary.nodes + summary.relationships;
      io.stdout(
        `imported ${summary.nodes} nodes and ${summary.relationships} relationships into ${opts.tenant === undefined ? `database ${target}` : `tenant ${opts.tenant}`}` +
          ` in ${summary.seconds.toFixed(2)} s (${Math.round(records / summary.seconds)} records/s); ${summary.bytes} bytes` +
          (summary.badRows > 0 ? `; ${summary.badRows} bad rows skipped` : '') +
          '\n',
      );
      if (opts.verify === true) {
        const { recount } = await import('../../storage/namespace-audit.js');
        const { namespacePrefix } = await import('../../storage/key-layout.js');
        const audit = recount(
          store.internals.data,
          namespacePrefix(store.internals.lookupNamespace(target)!),
        );
        const stats = store.namespace(target).stats();
        if (
          audit.nodes !== stats.nodes ||
          audit.relationships !== stats.relationships ||
          audit.bytes !== stats.bytes
        ) {
          throw new NexusError(
            'INTERNAL_ERROR',
            `accounting audit failed: counters ${JSON.stringify(stats)}, recount ${JSON.stringify(audit)}`,
          );
        }
        io.stdout(`accounting audit: counters match a recount (${audit.bytes} bytes)\n`);
      }
    } finally {
      bar?.stop();
      await store.close();
    }
  } finally {
    lock.release();
  }
}
