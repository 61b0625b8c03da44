/**
 * A real `Nexus` over a `GraphStore` the test keeps a handle on (for byte-level dumps of
 * the store), in a fresh temp directory removed after use.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nexus } from '../../../src/engine/index.js';
import type { NexusOptions } from '../../../src/engine/api.js';
import type { Value } from '../../../src/engine/values.js';
import { GraphStore } from '../../../src/storage/index.js';

export interface TxDb {
  db: Nexus;
  store: GraphStore;
  path: string;
  /** Closes and reopens the database on the same directory. */
  reopen(): Promise<void>;
  close(): Promise<void>;
  /** Autocommit query; rows as objects keyed by column. */
  rows(query: string, params?: Record<string, Value>, namespace?: string): Promise<Record<string, Value>[]>;
}

export async function openTxDb(options: Omit<NexusOptions, 'path'> = {}): Promise<TxDb> {
  const path = mkdtempSync(join(tmpdir(), 'nexus-tx-'));
  const open = async () => {
    const store = await GraphStore.open({ path, sync: false });
    return { store, db: Nexus.fromStore(store, options) };
  };
  const t: TxDb = {
    ...(await open()),
    path,
    async reopen() {
      await t.db.close();
      Object.assign(t, await open());
    },
    async close() {
      await t.db.close();
      rmSync(path, { recursive: true, force: true });
    },
    async rows(query, params, namespace) {
      const r = await t.db.execute(query, params, namespace === undefined ? {} : { namespace });
      return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i] ?? null])));
    },
  };
  return t;
}

/** Rows of a result as objects keyed by column. */
export function asObjects(r: {
  columns: readonly string[];
  rows: readonly (readonly Value[])[];
}): Record<string, Value>[] {
  return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i] ?? null])));
}
