/**
 * The data-directory lock: `<data_dir>/nexus.lock`, a small JSON file naming the process
 * (pid, role) that owns the directory. `nexus serve` holds it for its whole life and
 * `nexus migrate` while it rewrites namespaces, so a migration can never run under a live
 * server (LMDB itself would let both write, and the migration's offline assumptions would
 * lose data). A lock whose pid is no longer alive (a crash, kill -9) is stale and taken over.
 *
 * Embedded `nexus query` does not take it: LMDB is multi-process safe for ordinary reads
 * and writes, which is all a query does.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NexusError } from '../errors.js';

export const LOCK_FILE_NAME = 'nexus.lock';

/** What the lock file records about its owner. */
export interface LockOwner {
  readonly pid: number;
  /** e.g. `nexus serve`, `nexus migrate`. */
  readonly role: string;
  readonly started_at: string;
}

export interface DataDirLock {
  /** Path of the lock file. */
  readonly file: string;
  readonly owner: LockOwner;
  /** Removes the lock file if it is still ours; idempotent. */
  release(): void;
}

/** Lock files this process holds now (a same-pid lock not in here is a previous incarnation's). */
const heldHere = new Set<string>();

/** How many times a contended acquisition is retried before giving up. */
const MAX_ATTEMPTS = 8;

function errnoOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

/** Whether `pid` names a running process (EPERM: alive, owned by someone else). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return errnoOf(err) === 'EPERM';
  }
  return !isZombie(pid);
}

/** A killed process its parent has not reaped yet still answers kill(0); on Linux, /proc says. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Format: `pid (comm) state …`; comm may contain spaces and parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false; // no /proc (not Linux) or the process just went away
  }
}

/** The recorded owner; `null` when the file is unreadable garbage; `undefined` when absent. */
function readOwner(file: string): LockOwner | null | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number') return null;
    return {
      pid: parsed.pid,
      role: typeof parsed.role === 'string' ? parsed.role : 'unknown',
      started_at: typeof parsed.started_at === 'string' ? parsed.started_at : '',
    };
  } catch {
    return null;
  }
}

const sameOwner = (a: LockOwner | null | undefined, b: LockOwner): boolean =>
  a !== null && a !== undefined && a.pid === b.pid && a.started_at === b.started_at && a.role === b.role;

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone: nothing to clean up.
  }
}

function lockedError(dataDir: string, owner: LockOwner): NexusError {
  return new NexusError(
    'CONFLICT',
    `the data directory ${dataDir} is in use by ${owner.role} (pid ${owner.pid}, since ${owner.started_at}); ` +
      `stop that process first (lock file ${join(dataDir, LOCK_FILE_NAME)})`,
    { details: { data_dir: dataDir, pid: owner.pid, role: owner.role } },
  );
}

/**
 * Whether the recorded owner still holds the lock. Our own pid counts only if this process
 * really took the lock: after a container restart the new process often gets the pid its
 * crashed predecessor had (pid 1), and must not lock itself out.
 */
function isLive(owner: LockOwner | null | undefined, file: string): owner is LockOwner {
  if (owner === null || owner === undefined) return false;
  if (owner.pid === process.pid) return heldHere.has(file);
  return isProcessAlive(owner.pid);
}

/** The live owner of the directory's lock, or null when it is free or stale. */
export function dataDirLockOwner(dataDir: string): LockOwner | null {
  const file = join(resolve(dataDir), LOCK_FILE_NAME);
  const owner = readOwner(file);
  return isLive(owner, file) ? owner : null;
}

/**
 * Takes the lock of `dataDir` (created if missing) for this process, or throws
 * `NexusError('CONFLICT')` naming the live owner.
 */
export function acquireDataDirLock(dataDir: string, role: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const file = join(resolve(dataDir), LOCK_FILE_NAME);
  const owner: LockOwner = { pid: process.pid, role, started_at: new Date().toISOString() };
  const unique = (): string => `${process.pid}.${randomBytes(6).toString('hex')}`;
  // Written in full under a private name, then linked into place: the link is atomic and
  // fails if the lock exists, so no reader ever sees a half-written lock.
  const staged = `${file}.${unique()}.tmp`;
  writeFileSync(staged, `${JSON.stringify(owner)}\n`, { flag: 'wx' });
  try {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      try {
        linkSync(staged, file);
        heldHere.add(file);
        return ownedLock(file, owner);
      } catch (err) {
        if (errnoOf(err) !== 'EEXIST') throw err;
      }
      const holder = readOwner(file);
      if (holder === undefined) continue; // released meanwhile
      if (isLive(holder, file)) throw lockedError(dataDir, holder);
      // Stale. Move it aside atomically: of several contenders only one renames it.
      const aside = `${file}.stale.${unique()}`;
      try {
        renameSync(file, aside);
      } catch (err) {
        if (errnoOf(err) === 'ENOENT') continue;
        throw err;
      }
      const moved = readOwner(aside);
      if (isLive(moved, file)) {
        // Another contender replaced the stale lock between our read and our rename: give
        // its lock back (if it can still go back) and report it as the owner.
        try {
          linkSync(aside, file);
        } catch {
          // A third process took the slot; its lock stands.
        }
        unlinkQuietly(aside);
        throw lockedError(dataDir, moved);
      }
      unlinkQuietly(aside);
    }
    throw new NexusError('CONFLICT', `could not take the lock of the data directory ${dataDir} (contended)`, {
      details: { data_dir: dataDir },
    });
  } finally {
    unlinkQuietly(staged);
  }
}

function ownedLock(file: string, owner: LockOwner): DataDirLock {
  let released = false;
  return {
    file,
    owner,
    release() {
      if (released) return;
      released = true;
      heldHere.delete(file);
      // Only our own lock: never remove one a later process took over.
      try {
        if (sameOwner(readOwner(file), owner)) unlinkQuietly(file);
      } catch {
        // Unreadable now: leave it; a later start sees our pid dead and takes it over.
      }
    },
  };
}
