/**
 * Child-process side of the isolated runner: receives scenarios over IPC, runs each
 * against a fresh database, and reports the result. Running in a child lets the parent
 * kill a scenario that blocks the event loop or crashes the process.
 */
import type { TckScenario } from './feature-loader.js';
import { runScenario, type OpenDatabase, type ScenarioResult } from './scenario-runner.js';
import { loadOpenModule, openNexus } from './open-nexus.js';

export interface WorkerRequest {
  readonly id: number;
  readonly scenario: TckScenario;
  readonly featurePath: string;
  readonly timeoutMs: number;
  readonly graphDirs: readonly string[];
}

export interface WorkerResponse {
  readonly id: number;
  readonly result: ScenarioResult;
}

function loadOpen(): Promise<OpenDatabase> {
  const modulePath = process.env.NEXUS_TCK_OPEN_MODULE;
  return modulePath ? loadOpenModule(modulePath) : Promise.resolve(openNexus);
}

async function main(): Promise<void> {
  const open = await loadOpen();
  // Requests arrive one at a time; the parent sends the next only after a response.
  process.on('message', (msg: WorkerRequest) => {
    void runScenario(msg.scenario, {
      open,
      timeoutMs: msg.timeoutMs,
      featurePath: msg.featurePath,
      graphDirs: msg.graphDirs,
      ...(process.env.NEXUS_TCK_TMP ? { tmpRoot: process.env.NEXUS_TCK_TMP } : {}),
    }).then((result) => {
      const response: WorkerResponse = { id: msg.id, result };
      process.send?.(response);
    });
  });
  process.send?.({ ready: true });
}

void main();
