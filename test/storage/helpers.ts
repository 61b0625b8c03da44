/**
 * Shared fixtures for storage tests: stores in fresh temp directories, removed after use.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphStore } from '../../src/storage/index.js';
import type { PropertyValue, StoreOptions } from '../../src/storage/index.js';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'nexus-storage-'));
}

export interface TempStore {
  store: GraphStore;
  path: string;
  cleanup(): Promise<void>;
}

export async function openTempStore(options: Partial<StoreOptions> = {}): Promise<TempStore> {
  const path = tempDir();
  const t: TempStore = {
    store: await GraphStore.open({ path, ...options }),
    path,
    cleanup: async () => {
      // `t.store` may have been replaced by a reopened store.
      await t.store.close();
      rmSync(path, { recursive: true, force: true });
    },
  };
  return t;
}

export function props(entries: Record<string, PropertyValue> = {}): Map<string, PropertyValue> {
  return new Map(Object.entries(entries));
}
