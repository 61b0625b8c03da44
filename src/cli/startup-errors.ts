/**
 * First-run errors of the `nexus` command, each naming the problem and the fix: the data path
 * is a file, a read command's data directory is missing (offer `--create`), the port is in
 * use (name `--port`), permission denied (name the path and the user). `checkDataDir` runs
 * before anything opens the store; `explainStartupError` rewrites the raw Node errors
 * (`EADDRINUSE`, `EACCES`, ...) that reach the CLI into `NexusError`s with a fix.
 */
import { statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { NexusError } from '../errors.js';

/** The user this process runs as, for "permission denied" messages. */
export function currentUser(): string {
  try {
    const info = userInfo();
    return `${info.username} (uid ${info.uid})`;
  } catch {
    return typeof process.getuid === 'function' ? `uid ${process.getuid()}` : 'the current user';
  }
}

/**
 * Checks a data directory before use. A path that is a file is always an error. A missing
 * directory is an error unless `create` is set (read commands such as `query` and `shell`
 * must not silently create an empty store because of a typo).
 */
export function checkDataDir(dir: string, options: { create: boolean; flag?: string }): void {
  const abs = resolve(dir);
  let stat;
  try {
    stat = statSync(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      if (options.create) return;
      throw new NexusError(
        'NOT_FOUND',
        `the data directory ${abs} does not exist. Check the path (${options.flag ?? '--data'}), ` +
          'or pass --create to create an empty database there',
        { details: { path: abs } },
      );
    }
    throw explainStartupError(err, { path: abs });
  }
  if (!stat.isDirectory()) {
    throw new NexusError(
      'INVALID_PARAMETER',
      `the data path ${abs} is a file, not a directory. Point ${options.flag ?? '--data'} ` +
        '(storage.data_dir) at a directory, or move the file away',
      { details: { path: abs } },
    );
  }
}

export interface StartupContext {
  /** The data directory or file involved, for permission errors without a path. */
  path?: string;
  host?: string;
  port?: number;
}

/** Rewrites a raw system error into one that names the problem and the fix; others pass through. */
export function explainStartupError(err: unknown, context: StartupContext = {}): unknown {
  if (err instanceof NexusError || !(err instanceof Error)) return err;
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  switch (e.code) {
    case 'EADDRINUSE': {
      const port = e.port ?? context.port;
      const where = `${e.address ?? context.host ?? ''}:${port ?? '?'}`;
      return new NexusError(
        'CONFLICT',
        `port ${port ?? '?'} is already in use (${where}): another Nexus or another program listens there. ` +
          'Stop it, or start on another port with --port <n> (or NEXUS_PORT, server.port; --port 0 picks a free one)',
        { cause: err, details: { port, address: e.address } },
      );
    }
    case 'EADDRNOTAVAIL':
      return new NexusError(
        'INVALID_PARAMETER',
        `cannot listen on ${e.address ?? context.host ?? '?'}: no network interface has that address. ` +
          'Use --host 127.0.0.1 (local only) or --host 0.0.0.0 (all interfaces)',
        { cause: err },
      );
    case 'EACCES':
    case 'EPERM': {
      if (e.syscall === 'listen' || e.syscall === 'bind') {
        return new NexusError(
          'FORBIDDEN',
          `permission denied to listen on port ${e.port ?? context.port ?? '?'} as ${currentUser()}: ` +
            'ports below 1024 need privileges. Use --port with a port above 1023 (the default is 7474)',
          { cause: err },
        );
      }
      const path = e.path ?? context.path ?? '(unknown path)';
      return new NexusError(
        'FORBIDDEN',
        `permission denied on ${path} for ${currentUser()} (${e.syscall ?? 'access'}). ` +
          `Give this user read/write access (e.g. chown -R ${userInfo().username} ${path}) ` +
          'or choose another directory with --data',
        { cause: err, details: { path } },
      );
    }
    case 'ENOTDIR':
    case 'EEXIST':
      if (e.syscall === 'mkdir' || e.syscall === 'open') {
        const path = e.path ?? context.path ?? '(unknown path)';
        return new NexusError(
          'INVALID_PARAMETER',
          `the data path ${path} (or one of its parents) is a file, not a directory. ` +
            'Point --data (storage.data_dir) at a directory',
          { cause: err, details: { path } },
        );
      }
      return err;
    case 'ENOSPC':
      return new NexusError(
        'STORAGE_FULL',
        `no space left on the device holding ${e.path ?? context.path ?? 'the data directory'}. ` +
          'Free disk space or move the data directory (--data)',
        { cause: err },
      );
    default:
      return err;
  }
}
