/**
 * The store's hard size ceiling (`storage.max_size_bytes`) and the free-disk guard. A full
 * disk must be a clear, recoverable state rather than a crash or a 500: writes that would
 * grow the store past the ceiling, or while the disk is nearly full, fail with
 * `STORAGE_FULL` (507); writes that do not grow it (deletes, shrinking updates) always pass,
 * since they are how space is freed; `status()` feeds /health and /metrics.
 *
 * The size is the store's accounted bytes (the sum of every namespace's byte counter, the
 * figure tenant quotas use), kept as a running total: each commit adds its delta, so a
 * check costs nothing and deletes lower it at once. The disk is checked with `statfs` at
 * most every `DISK_RECHECK_MS` (and at once after an ENOSPC), so space returned to the
 * disk is noticed without a restart.
 */
import { statfsSync } from 'node:fs';
import { NexusError } from '../errors.js';

/** Writes that grow the store are refused while the disk has less free space than this. */
export const MIN_FREE_DISK_BYTES = 32 * 1024 * 1024;
/** How often (at most) free disk space is re-read. */
export const DISK_RECHECK_MS = 5_000;
/**
 * Default ceiling: what the store holds at start plus this share of the free disk space.
 * The rest is headroom: LMDB pages are not full, freed pages are reused rather than returned,
 * and the disk has other users (logs, temp files).
 */
export const DEFAULT_FREE_DISK_SHARE = 0.5;

export interface StorageStatus {
  /** True while writes that grow the store are refused (or the last one was). */
  readonly full: boolean;
  /** Why, when full. */
  readonly reason: string | null;
  readonly usedBytes: number;
  readonly maxBytes: number;
  /** Free disk space at the last check (bytes available to this process), or null if unknown. */
  readonly freeDiskBytes: number | null;
}

/** Free bytes available to unprivileged writers on the file system holding `path`, or null. */
export function freeDiskBytes(path: string): number | null {
  try {
    const s = statfsSync(path);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}

/** The default ceiling for a store holding `usedBytes` at `path` (see DEFAULT_FREE_DISK_SHARE). */
export function defaultMaxSizeBytes(path: string, usedBytes: number): number {
  const free = freeDiskBytes(path);
  if (free === null) return Number.MAX_SAFE_INTEGER;
  return usedBytes + Math.max(0, Math.floor((free - MIN_FREE_DISK_BYTES) * DEFAULT_FREE_DISK_SHARE));
}

export class StorageCeiling {
  private used: number;
  private free: number | null;
  private checkedAt: number;
  /** A write was refused and nothing has shrunk the store since. */
  private refused = false;
  private diskFull = false;

  constructor(
    readonly maxBytes: number,
    usedBytes: number,
    private readonly path: string,
    /** Recounts the store's accounted bytes (run with each disk recheck, so the total cannot drift). */
    private readonly recount: (() => number) | null = null,
    private readonly clock: () => number = Date.now,
    private readonly readFree: (path: string) => number | null = freeDiskBytes,
  ) {
    this.used = usedBytes;
    this.free = readFree(path);
    this.checkedAt = clock();
  }

  get usedBytes(): number {
    return this.used;
  }

  /** Throws STORAGE_FULL when a write growing the store by `delta` bytes may not commit. */
  assertRoom(delta: number): void {
    if (delta <= 0) return;
    this.recheckDisk();
    if (this.used + delta > this.maxBytes) {
      this.refused = true;
      throw new NexusError(
        'STORAGE_FULL',
        `The store is full: it holds ${this.used} bytes and this write adds ${delta}, over the ceiling ` +
          `storage.max_size_bytes = ${this.maxBytes} bytes. Delete data (deletes still work) or raise ` +
          'storage.max_size_bytes.',
        {
          details: {
            usedBytes: this.used,
            writeBytes: delta,
            maxBytes: this.maxBytes,
            setting: 'storage.max_size_bytes',
          },
        },
      );
    }
    if (this.diskFull || (this.free !== null && this.free < MIN_FREE_DISK_BYTES)) {
      this.refused = true;
      throw new NexusError(
        'STORAGE_FULL',
        `The disk holding the store is full (${this.free ?? 0} bytes free; writes that grow the store ` +
          `need at least ${MIN_FREE_DISK_BYTES}). Free disk space or delete data.`,
        { details: { freeDiskBytes: this.free, minFreeDiskBytes: MIN_FREE_DISK_BYTES } },
      );
    }
  }

  /** A committed write changed the store by `delta` bytes. */
  committed(delta: number): void {
    this.used += delta;
    // A commit that shrank the store freed room; one that grew it found room.
    if (delta !== 0 && !this.diskFull) this.refused = false;
  }

  /** The disk reported ENOSPC (or LMDB its map full): refuse growth until a recheck sees room. */
  noteDiskFull(): void {
    this.diskFull = true;
    this.refused = true;
    this.checkedAt = -Infinity;
  }

  status(): StorageStatus {
    this.recheckDisk();
    let reason: string | null = null;
    if (this.diskFull || this.diskLow()) {
      reason = `the disk holding the store has ${this.free ?? 0} bytes free; writes that grow the store fail with STORAGE_FULL`;
    } else if (this.used >= this.maxBytes || this.refused) {
      reason = `the store holds ${this.used} bytes of storage.max_size_bytes = ${this.maxBytes}; writes that grow it fail with STORAGE_FULL`;
    }
    return {
      full: reason !== null,
      reason,
      usedBytes: this.used,
      maxBytes: this.maxBytes,
      freeDiskBytes: this.free,
    };
  }

  private diskLow(): boolean {
    return this.free !== null && this.free < MIN_FREE_DISK_BYTES;
  }

  private recheckDisk(): void {
    const now = this.clock();
    if (now - this.checkedAt < DISK_RECHECK_MS) return;
    this.checkedAt = now;
    this.free = this.readFree(this.path);
    if (this.recount !== null) this.used = this.recount();
    if (this.diskFull && !this.diskLow()) {
      this.diskFull = false;
      this.refused = false;
    }
  }
}

/** True for a write failure that means "no space" (ENOSPC from the disk, MDB_MAP_FULL from LMDB). */
export function isNoSpaceError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return (
    code === 'ENOSPC' ||
    code === 'MDB_MAP_FULL' ||
    code === -30792 ||
    /ENOSPC|MDB_MAP_FULL|No space left on device/i.test(err.message)
  );
}
