/**
 * The README's shell blocks run as written when pasted in order (issue 17 §4). Every ```sh
 * block carries a marker: `<!-- readme-test: run -->` or `<!-- readme-test: skip (reason) -->`.
 * The run blocks are concatenated into one bash script and run in a temp directory next to
 * a server started as `npm start` would (the Quick start block), with two substitutions
 * only: `npx nexus` → this checkout's bin/nexus.js, and the fixed ports → free ones.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startServerProcess } from '../helpers/server-process.js';

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'nexus-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Block {
  marker: 'run' | 'skip' | null;
  reason: string;
  code: string;
}

function shellBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  const re = /(?:<!-- readme-test: (run|skip)([^>]*)-->\n)?```sh\n([\s\S]*?)```/g;
  for (const m of text.matchAll(re)) {
    blocks.push({ marker: (m[1] as 'run' | 'skip' | undefined) ?? null, reason: m[2]!.trim(), code: m[3]! });
  }
  return blocks;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

describe('README blocks', () => {
  const blocks = shellBlocks(readme);

  it('marks every shell block as run or skip (with a reason)', () => {
    expect(blocks.length).toBeGreaterThan(3);
    for (const b of blocks) {
      expect(b.marker, `unmarked block:\n${b.code}`).not.toBeNull();
      if (b.marker === 'skip') expect(b.reason, `skip without a reason:\n${b.code}`).toMatch(/\(.+\)/);
    }
    for (const b of blocks.filter((x) => x.marker === 'skip')) {
      process.stdout.write(`README block not run ${b.reason}: ${b.code.split('\n')[0]}\n`);
    }
  });

  it('runs the marked blocks in order, verbatim', { timeout: 240_000 }, async () => {
    const ports = { 15474: await freePort(), 15475: await freePort(), 8787: await freePort() };
    symlinkSync(join(REPO_ROOT, 'examples'), join(dir, 'examples'));
    // What `npm start` runs (bin/nexus.js serve), with the data in ./data of the temp dir.
    const server = await startServerProcess({
      compiled: true,
      dataDir: join(dir, 'data'),
      args: ['--port', String(ports[15474])],
    });
    try {
      let script = blocks
        .filter((b) => b.marker === 'run')
        .map((b) => b.code)
        .join('\n');
      script = script.replace(/npx nexus/g, `node ${join(REPO_ROOT, 'bin', 'nexus.js')}`);
      for (const [fixed, port] of Object.entries(ports)) script = script.replaceAll(fixed, String(port));
      const full = `set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null; wait' EXIT\n${script}\necho README-DONE\n`;
      const res = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const child = spawn('bash', ['-c', full], {
          cwd: dir,
          env: { PATH: process.env.PATH ?? '', HOME: dir },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
        child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
        child.once('exit', (code) => resolve({ code, out, err }));
      });
      expect(res.code, `stdout:\n${res.out}\nstderr:\n${res.err}`).toBe(0);
      expect(res.out).toContain('README-DONE');
      // Shell block: both names; curl block: Ada as a node; dump/restore: the count.
      expect(res.out).toMatch(/name\nAda\nGrace\n/);
      expect(res.out).toContain('"labels":["Person"],"properties":{"name":"Ada"}');
      expect(res.out).toMatch(/dumped 2 nodes and 1 relationships/);
      expect(res.out).toMatch(/\| people \|\n\+-+\+\n\| 2 +\|/);
      // Cluster block: alice's key worked, her shell sees only her node, HiveHub got a report.
      expect(res.out).toMatch(/HTTP\/1\.1 200/);
      expect(res.out).toMatch(/mine\n1\n/);
    } finally {
      await server.stop({ keepData: true });
    }
  });
});
