/**
 * How the runner opens a database: the real engine, `Nexus.open({ path, sync: false })`,
 * imported lazily so the runner loads even when the engine does not; or any module
 * exporting `openDatabase` (a fake in tests, another implementation).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { NexusDatabase, NexusOptions } from '../../src/engine/api.js';
import type { OpenDatabase } from './scenario-runner.js';
import { TckFormatError } from './tck-value.js';

interface NexusModule {
  readonly Nexus: { open(options: NexusOptions): NexusDatabase | Promise<NexusDatabase> };
}

export const openNexus: OpenDatabase = async (path) => {
  const specifier = '../../src/engine/index.js';
  const mod = (await import(specifier)) as NexusModule;
  return mod.Nexus.open({ path, sync: false });
};

/** Loads `openDatabase` from a module file (path relative to the working directory). */
export async function loadOpenModule(modulePath: string): Promise<OpenDatabase> {
  const mod = (await import(pathToFileURL(resolve(modulePath)).href)) as { openDatabase?: unknown };
  if (typeof mod.openDatabase !== 'function') {
    throw new TckFormatError(`${modulePath} does not export an openDatabase function`);
  }
  return mod.openDatabase as OpenDatabase;
}
