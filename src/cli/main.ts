/**
 * The `nexus` command line (commander): `serve`, `query` (embedded), `migrate` (standalone
 * data into a tenant namespace), `import` (offline bulk import) and `hivehub-emulator`. `main(argv)` takes the full
 * process argv; errors propagate to the caller (bin/nexus.js prints them and exits 1).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { loadConfig, loadStorageConfig } from '../config/load-config.js';
import { DEFAULT_NAMESPACE } from '../engine/api.js';
import { NexusError } from '../errors.js';
import { parseJsonBody } from '../server/json-body.js';
import { jsonToParams } from '../server/serialize.js';
import { startServer, type RunningServer } from '../server/start-server.js';
import { openServices } from '../server/open-services.js';
import type { GraphStore } from '../storage/graph-store.js';
import { formatTable } from './format-table.js';
import { checkDataDir, explainStartupError } from './startup-errors.js';
import type { OutputFormat } from './shell/index.js';
import { registerImportCommand } from './import/index.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** stdout is a terminal (progress bars); default false. */
  tty?: boolean;
}

const defaultIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  tty: process.stdout.isTTY === true,
};

/** The package version, read from package.json two levels up (src/cli and dist/cli alike). */
export function packageVersion(): string {
  const raw = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(raw) as { version: string }).version;
}

/** Installs SIGTERM/SIGINT handlers that shut the server down gracefully, once. */
function handleSignals(running: RunningServer, io: CliIo): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    io.stdout(`Received ${signal}, shutting down\n`);
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        io.stderr(`nexus: shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

type Counts = { nodes: number; relationships: number; bytes: number };
const describe = (s: Counts): string =>
  `${s.nodes} nodes, ${s.relationships} relationships, ${s.bytes} bytes`;

/**
 * The body of `nexus migrate`. The source's counts are the reference; the target is
 * described only as empty or not, because during an interrupted copy its counter record
 * (copied from the source) is not what it holds yet.
 */
async function migrate(store: GraphStore, target: string, io: CliIo): Promise<void> {
  const source = store.namespace(DEFAULT_NAMESPACE).stats();
  const targetBefore = store.namespace(target).stats();
  io.stdout(`source ${DEFAULT_NAMESPACE}: ${describe(source)}\n`);
  let targetState = 'empty';
  if (targetBefore.bytes !== 0) {
    targetState =
      source.bytes === 0
        ? 'holds data, the source is empty'
        : 'not empty (an interrupted migration is resumed; any other data makes the move refuse)';
  }
  io.stdout(`target ${target}: ${targetState}\n`);
  let lastPhase = '';
  let lastPrint = 0;
  const result = await store.moveNamespace(DEFAULT_NAMESPACE, target, {
    onProgress: ({ phase, entries }) => {
      const now = Date.now();
      // Every phase change, and at most once a second within a phase.
      if (phase === lastPhase && now - lastPrint < 1000) return;
      lastPhase = phase;
      lastPrint = now;
      io.stdout(`progress: ${phase}, ${entries} entries\n`);
    },
  });
  const after = store.namespace(DEFAULT_NAMESPACE).stats();
  io.stdout(`after source ${DEFAULT_NAMESPACE}: ${describe(after)}\n`);
  io.stdout(`after target ${target}: ${describe(result)}\n`);
  if (result.alreadyDone) {
    io.stdout(`nothing to migrate: ${target} already holds the data or the source is empty\n`);
  } else {
    io.stdout(
      `migrated ${result.nodes} nodes and ${result.relationships} relationships into ${target}` +
        `${result.resumed ? ' (resumed an interrupted migration)' : ''}; counts verified\n`,
    );
  }
}

export function buildProgram(io: CliIo = defaultIo): Command {
  const version = packageVersion();
  const program = new Command('nexus')
    .description('Nexus property-graph database: Cypher over HTTP/JSON and MCP')
    .version(version, '-V, --version')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: () => undefined })
    .exitOverride();

  program
    .command('serve')
    .description('Run the HTTP server')
    .option('-c, --config <file>', 'YAML configuration file')
    .option('--host <host>', 'address to bind (server.host)')
    .option('-p, --port <port>', 'port to listen on, 0 for any free port (server.port)')
    .option('-d, --data <dir>', 'data directory (storage.data_dir)')
    .option('--log-level <level>', 'log level (log.level)')
    .action(
      async (opts: { config?: string; host?: string; port?: string; data?: string; logLevel?: string }) => {
        const config = loadConfig({
          ...(opts.config === undefined ? {} : { file: opts.config }),
          flags: { host: opts.host, port: opts.port, dataDir: opts.data, logLevel: opts.logLevel },
        });
        const dataDir = config.storage.data_dir;
        checkDataDir(dataDir, { create: true });
        let running: RunningServer;
        try {
          running = await startServer({
            config,
            version,
            openServices,
            print: (line) => io.stdout(`${line}\n`),
          });
        } catch (err) {
          throw explainStartupError(err, {
            path: dataDir,
            host: config.server.host,
            port: config.server.port,
          });
        }
        handleSignals(running, io);
      },
    );

  program
    .command('query')
    .description('Run one Cypher query against a local data directory (embedded, no server)')
    .argument('<cypher>', 'the Cypher query')
    .option('--params <json>', 'query parameters as a JSON object')
    .option('-d, --data <dir>', 'data directory (default: storage.data_dir, ./data)')
    .option('--create', 'create the data directory if it does not exist (default: refuse)')
    .action(async (cypher: string, opts: { params?: string; data?: string; create?: boolean }) => {
      const params = opts.params === undefined ? {} : jsonToParams(parseJsonBody(opts.params));
      const config = loadConfig({ flags: { dataDir: opts.data } });
      checkDataDir(config.storage.data_dir, { create: opts.create === true });
      const { Nexus } = await import('../engine/nexus.js');
      let db;
      try {
        db = await Nexus.open({
          path: config.storage.data_dir,
          sync: config.storage.sync,
          mapSize: config.storage.map_size,
        });
      } catch (err) {
        throw explainStartupError(err, { path: config.storage.data_dir });
      }
      try {
        const result = await db.execute(cypher, params);
        io.stdout(`${formatTable(result)}\n`);
      } finally {
        await db.close();
      }
    });

  program
    .command('shell')
    .description(
      'Interactive Cypher shell (like cypher-shell): embedded on a data directory, or --url a server',
    )
    .option('-d, --data <dir>', 'data directory to open embedded (default: storage.data_dir, ./data)')
    .option('--create', 'create the data directory if it does not exist (default: refuse)')
    .option('-u, --url <url>', 'a running server, e.g. http://127.0.0.1:15474 (env NEXUS_URL)')
    .option('-k, --key <key>', 'API key for --url (env NEXUS_API_KEY)')
    .option('-f, --file <script>', 'run the statements of a file and exit (stops at the first error)')
    .option('--format <format>', 'table, plain, csv or json (default: table on a terminal, plain otherwise)')
    .option(
      '--history-file <file>',
      'where history is kept (env NEXUS_SHELL_HISTORY, default ~/.nexus_history)',
    )
    .action(
      async (opts: {
        data?: string;
        create?: boolean;
        url?: string;
        key?: string;
        file?: string;
        format?: string;
        historyFile?: string;
      }) => {
        const shell = await import('./shell/index.js');
        const interactive = opts.file === undefined && process.stdin.isTTY === true;
        const format = (opts.format ?? (process.stdout.isTTY === true ? 'table' : 'plain')) as OutputFormat;
        if (!shell.OUTPUT_FORMATS.includes(format)) {
          throw new NexusError(
            'INVALID_PARAMETER',
            `unknown --format ${format}; use one of ${shell.OUTPUT_FORMATS.join(', ')}`,
          );
        }
        const url = opts.url ?? process.env.NEXUS_URL;
        let backend;
        if (url !== undefined && url !== '') {
          backend = shell.remoteBackend(url, opts.key ?? process.env.NEXUS_API_KEY);
        } else {
          const storage = loadStorageConfig({ flags: { dataDir: opts.data } });
          checkDataDir(storage.data_dir, { create: opts.create === true });
          const { Nexus } = await import('../engine/nexus.js');
          let db;
          try {
            db = await Nexus.open({ path: storage.data_dir, sync: storage.sync, mapSize: storage.map_size });
          } catch (err) {
            throw explainStartupError(err, { path: storage.data_dir });
          }
          backend = shell.embeddedBackend(db, `embedded ${storage.data_dir}`);
        }
        let code: number;
        try {
          if (interactive) {
            const historyFile =
              opts.historyFile ?? process.env.NEXUS_SHELL_HISTORY ?? join(homedir(), '.nexus_history');
            code = await shell.runInteractive({
              backend,
              format,
              stdout: io.stdout,
              stderr: io.stderr,
              input: process.stdin,
              output: process.stdout,
              historyFile: historyFile === '' ? null : historyFile,
            });
          } else {
            const text = opts.file !== undefined ? readFileSync(opts.file, 'utf8') : await readStdin();
            code = await shell.runScript(text, { backend, format, stdout: io.stdout, stderr: io.stderr });
          }
        } finally {
          await backend.close();
        }
        if (code !== 0) process.exitCode = code;
      },
    );

  program
    .command('dump')
    .description('Write a consistent, compressed logical dump (gzip JSON lines) without stopping writes')
    .requiredOption('-o, --out <file>', 'the dump file to write, e.g. backup.nexus.jsonl.gz')
    .option('-u, --url <url>', 'dump from a running server (GET /export)')
    .option('-k, --key <key>', 'API key for --url (env NEXUS_API_KEY)')
    .option('-d, --data <dir>', 'dump from a data directory (embedded; a server may be running on it)')
    .option('--tenant <user_id>', "dump one tenant's graph (cluster mode; with --url, a SUPER key)")
    .action(async (opts: { out: string; url?: string; key?: string; data?: string; tenant?: string }) => {
      const { runDump } = await import('./dump-command.js');
      await runDump(opts, io);
    });

  program
    .command('restore')
    .description(
      'Load a dump into an empty data directory or tenant namespace (offline: stop the server first)',
    )
    .argument('<file>', 'a file written by nexus dump (or GET /export, gzip-compressed)')
    .option('-d, --data <dir>', 'data directory to restore into (created if missing)')
    .option('--tenant <user_id>', "restore into this tenant's namespace (cluster mode)")
    .option('--max-bytes <n>', "refuse to go past this many stored bytes (the tenant's storage quota)")
    .action(async (file: string, opts: { data?: string; tenant?: string; maxBytes?: string }) => {
      const { runRestore } = await import('./dump-command.js');
      let maxBytes: number | undefined;
      if (opts.maxBytes !== undefined) {
        maxBytes = Number(opts.maxBytes);
        if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
          throw new NexusError(
            'INVALID_PARAMETER',
            `--max-bytes must be a whole number of bytes, got ${opts.maxBytes}`,
          );
        }
      }
      await runRestore(
        file,
        {
          ...(opts.data === undefined ? {} : { data: opts.data }),
          ...(opts.tenant === undefined ? {} : { tenant: opts.tenant }),
          ...(maxBytes === undefined ? {} : { maxBytes }),
        },
        io,
      );
    });

  program
    .command('migrate')
    .description('Move the standalone (default) graph into a tenant namespace for cluster mode (offline)')
    .requiredOption('--to-tenant <user_id>', 'the HiveHub user id that will own the data')
    .option('-c, --config <file>', 'YAML configuration file (only its storage section is read)')
    .option('-d, --data <dir>', 'data directory (default: storage.data_dir, ./data)')
    .action(async (opts: { toTenant: string; config?: string; data?: string }) => {
      const { tenantNamespace } = await import('../cluster/namespace.js');
      const target = tenantNamespace(opts.toTenant);
      // Offline: only the data directory matters, so a cluster-mode environment without
      // HiveHub settings must not stop it (loadConfig would validate the cluster section).
      const storage = loadStorageConfig({
        ...(opts.config === undefined ? {} : { file: opts.config }),
        flags: { dataDir: opts.data },
      });
      const { GraphStore, acquireDataDirLock } = await import('../storage/index.js');
      let lock;
      try {
        lock = acquireDataDirLock(storage.data_dir, 'nexus migrate');
      } catch (err) {
        if (err instanceof NexusError && err.code === 'CONFLICT') {
          throw new NexusError('CONFLICT', `cannot migrate: ${err.message}`, { details: err.details });
        }
        throw err;
      }
      try {
        const store = await GraphStore.open({
          path: storage.data_dir,
          sync: true,
          mapSize: storage.map_size,
        });
        try {
          await migrate(store, target, io);
        } finally {
          await store.close();
        }
      } finally {
        lock.release();
      }
    });

  registerImportCommand(program, { stdout: io.stdout, stderr: io.stderr, tty: io.tty === true });

  program
    .command('hivehub-emulator')
    .description('Run the HiveHub.Cloud control-plane emulator (for tests and local cluster mode)')
    .option('-p, --port <port>', 'port to listen on (0 = any free port)')
    .option('--host <host>', 'address to bind')
    .option('--users <file>', 'YAML/JSON file of users, plans and quotas')
    .action(async (opts: { port?: string; host?: string; users?: string }) => {
      const { runEmulatorCli } = await import('../cluster/emulator/index.js');
      const args: string[] = [];
      if (opts.port !== undefined) args.push('--port', opts.port);
      if (opts.host !== undefined) args.push('--host', opts.host);
      if (opts.users !== undefined) args.push('--users', opts.users);
      const emulator = await runEmulatorCli(args, { stdout: (line) => io.stdout(`${line}\n`) });
      const stop = (): void => {
        emulator.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });

  return program;
}

/** Runs the CLI. `argv` is the full process argv (node, script, ...args). */
export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<void> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors with 1.
      if (err.exitCode === 0) return;
      throw new NexusError('INVALID_PARAMETER', err.message.replace(/^error: /, ''));
    }
    throw err;
  }
}
