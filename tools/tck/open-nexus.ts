/**
 * How the runner opens the real engine: `Nexus.open({ path, sync: false })`. Imported
 * lazily so the runner (and its tests against a fake) load even when the engine does not.
 */
import type { NexusDatabase, NexusOptions } from '../../src/engine/api.js';
import type { OpenDatabase } from './scenario-runner.js';

interface NexusModule {
  readonly Nexus: { open(options: NexusOptions): NexusDatabase | Promise<NexusDatabase> };
}

export const openNexus: OpenDatabase = async (path) => {
  const specifier = '../../src/engine/index.js';
  const mod = (await import(specifier)) as NexusModule;
  return mod.Nexus.open({ path, sync: false });
};
