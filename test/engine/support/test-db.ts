/**
 * Opens a real `Nexus` (LMDB) in a fresh temp directory for a test and removes it after.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nexus } from '../../../src/engine/index.js';
import type { NexusOptions } from '../../../src/engine/api.js';
import type { Value } from '../../../src/engine/values.js';

export interface TestDb {
  db: Nexus;
  close(): Promise<void>;
  /** Runs a query and returns its rows as objects keyed by column. */
  rows(query: string, params?: Record<string, Value>): Promise<Record<string, Value>[]>;
}

export async function openTestDb(options: Omit<NexusOptions, 'path'> = {}): Promise<TestDb> {
  const dir = mkdtempSync(join(tmpdir(), 'nexus-engine-'));
  const db = await Nexus.open({ path: dir, sync: false, ...options });
  return {
    db,
    async close() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
    async rows(query, params) {
      const r = await db.execute(query, params);
      return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i] ?? null])));
    },
  };
}
