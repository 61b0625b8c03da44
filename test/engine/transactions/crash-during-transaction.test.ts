import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Nexus } from '../../../src/engine/index.js';

const CHILD = fileURLToPath(new URL('./fixtures/open-transaction-process.ts', import.meta.url));

/** Runs the child until it printed "ok" (transaction open), then SIGKILLs it. */
function runThenKill(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path], {
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
      else reject(new Error(`child exited with ${code ?? signal}: ${err}`));
    });
  });
}

describe('SIGKILL during an open transaction', () => {
  it('leaves nothing of the transaction after restart; committed work survives', async () => {
    const path = mkdtempSync(join(tmpdir(), 'nexus-tx-crash-'));
    try {
      await runThenKill(path);
      const db = await Nexus.open({ path });
      try {
        const rows = await db.execute('MATCH (n) RETURN labels(n)[0] AS l, n.v AS v ORDER BY l');
        expect(rows.rows).toEqual([
          ['AlsoCommitted', null],
          ['Committed', 1n],
        ]);
        expect(db.stats()).toMatchObject({ nodes: 2, relationships: 0 });
        expect((await db.execute('CALL db.labels() YIELD label RETURN label ORDER BY label')).rows).toEqual([
          ['AlsoCommitted'],
          ['Committed'],
        ]);
        // The store is writable and consistent.
        await db.execute('CREATE (:After)');
        expect(db.stats().nodes).toBe(3);
      } finally {
        await db.close();
      }
    } finally {
      rmSync(path, { recursive: true, force: true });
    }
  });
});
