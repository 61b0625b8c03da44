/**
 * The data-directory lock: exclusive per directory, released only by its owner, and taken
 * over when the recorded process is gone.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  LOCK_FILE_NAME,
  acquireDataDirLock,
  dataDirLockOwner,
  isProcessAlive,
} from '../../src/storage/index.js';
import { tempDir } from './helpers.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function freshDir(): string {
  const root = tempDir();
  roots.push(root);
  return join(root, 'data');
}

/** A pid that certainly belonged to a process which has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('data-directory lock', () => {
  it('is exclusive, records the owner, and is removed on release', () => {
    const dir = freshDir();
    const lock = acquireDataDirLock(dir, 'nexus serve');
    const file = join(dir, LOCK_FILE_NAME);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid, role: 'nexus serve' });
    expect(dataDirLockOwner(dir)).toMatchObject({ pid: process.pid, role: 'nexus serve' });
    expect(() => acquireDataDirLock(dir, 'nexus migrate')).toThrow(
      /in use by nexus serve \(pid \d+.*stop that process first/,
    );
    lock.release();
    expect(existsSync(file)).toBe(false);
    expect(dataDirLockOwner(dir)).toBeNull();
    lock.release(); // idempotent
    const again = acquireDataDirLock(dir, 'nexus migrate');
    expect(dataDirLockOwner(dir)?.role).toBe('nexus migrate');
    again.release();
  });

  it('takes over a stale lock whose process is dead, and a garbled one', () => {
    const dir = freshDir();
    acquireDataDirLock(dir, 'x').release();
    const file = join(dir, LOCK_FILE_NAME);
    const pid = deadPid();
    writeFileSync(file, JSON.stringify({ pid, role: 'nexus serve', started_at: 'then' }));
    expect(dataDirLockOwner(dir)).toBeNull();
    const lock = acquireDataDirLock(dir, 'nexus serve');
    expect(JSON.parse(readFileSync(file, 'utf8')).pid).toBe(process.pid);
    lock.release();

    writeFileSync(file, 'not json');
    const lock2 = acquireDataDirLock(dir, 'nexus serve');
    expect(dataDirLockOwner(dir)?.pid).toBe(process.pid);
    lock2.release();
    // No staging or stale files are left behind.
    expect(existsSync(file)).toBe(false);
  });

  it("treats its own pid as stale when this process does not hold the lock (a restarted container's pid 1)", () => {
    const dir = freshDir();
    acquireDataDirLock(dir, 'x').release();
    const file = join(dir, LOCK_FILE_NAME);
    writeFileSync(
      file,
      JSON.stringify({ pid: process.pid, role: 'nexus serve', started_at: 'before restart' }),
    );
    const lock = acquireDataDirLock(dir, 'nexus serve');
    expect(dataDirLockOwner(dir)?.started_at).not.toBe('before restart');
    lock.release();
  });

  it('never removes a lock that another owner took over', () => {
    const dir = freshDir();
    const lock = acquireDataDirLock(dir, 'nexus serve');
    const file = join(dir, LOCK_FILE_NAME);
    // Someone else's lock replaced ours (e.g. ours was deleted by hand and a new server started).
    const other = { pid: process.ppid, role: 'nexus serve', started_at: 'later' };
    writeFileSync(file, JSON.stringify(other));
    lock.release();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(other);
  });
});

describe('isProcessAlive', () => {
  it('sees a killed but not yet reaped process (a zombie) as dead', async () => {
    // A shell whose child exits at once and is never reaped while the shell sleeps.
    const parent = spawn('sh', ['-c', 'sleep 0.05 & exec sleep 5'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 400));
      const children = execFileSync('ps', ['-o', 'pid=,stat=', '--ppid', String(parent.pid)], {
        encoding: 'utf8',
      })
        .trim()
        .split('\n')
        .map((line) => line.trim().split(/\s+/));
      const zombie = children.find(([, stat]) => stat?.startsWith('Z'));
      expect(zombie).toBeDefined();
      expect(isProcessAlive(Number(zombie![0]))).toBe(false);
      expect(isProcessAlive(parent.pid!)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
