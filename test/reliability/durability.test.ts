import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GraphStore } from '../../src/storage/index.js';
// The SIGKILL durability loop, kept in the fault suite (test/reliability/).
import { tempDir } from '../storage/helpers.js';

const WRITER = fileURLToPath(new URL('../storage/fixtures/durable-writer.ts', import.meta.url));

/** Runs the writer, waits for its "ok", kills it with SIGKILL. */
function writeThenKill(path: string, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, path, String(count)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ok\n')) child.kill('SIGKILL');
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' && out.includes('ok')) resolve();
      else reject(new Error(`writer exited with ${code ?? signal}: ${err}`));
    });
  });
}

describe('durability', () => {
  it('keeps a write whose promise resolved when the process is killed right after', async () => {
    const path = tempDir();
    try {
      await writeThenKill(path, 500);
      const store = await GraphStore.open({ path });
      try {
        const ns = store.namespace('default');
        expect(ns.stats().nodes).toBe(500);
        expect(ns.read((tx) => tx.countNodesByLabel('Durable'))).toBe(500);
        expect(ns.read((tx) => tx.getNode(499)?.properties.get('i'))).toBe(499n);
        expect(store.systemTable<string>('outbox').get('report-1')).toBe('pending');
      } finally {
        await store.close();
      }
    } finally {
      rmSync(path, { recursive: true, force: true });
    }
  });
});
