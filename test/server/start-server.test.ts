import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NexusConfig } from '../../src/config/index.js';
import type { NexusDatabase } from '../../src/engine/api.js';
import { emptyStats, type QueryResult } from '../../src/engine/values.js';
import { startServer } from '../../src/server/start-server.js';
import { RecordingGate, testConfig, CLUSTER_CONFIG, TokenAuthenticator, userContext } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'nexus-start-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A database whose queries wait until released, recording the shutdown order. */
function slowDb(events: string[]) {
  let release: () => void = () => undefined;
  let started: () => void = () => undefined;
  const queryStarted = new Promise<void>((r) => (started = r));
  const gate = new Promise<void>((r) => (release = r));
  const db = {
    async execute(): Promise<QueryResult> {
      started();
      await gate;
      events.push('query done');
      return { columns: ['x'], rows: [[1n]], stats: emptyStats(), isWrite: false };
    },
    stats: () => ({ nodes: 0, relationships: 0, bytes: 0 }),
    async close() {
      events.push('db closed');
    },
  } as unknown as NexusDatabase;
  return { db, release: () => release(), queryStarted };
}

/** startServer over `db` alone: no auth, no cluster gate, no plugins, printing nothing. */
function startWithDb(config: NexusConfig, db: NexusDatabase) {
  return startServer({
    config,
    version: 't',
    print: () => undefined,
    openServices: async () => ({ db, auth: null, clusterGate: null, plugins: [], notices: [], cleanup: [] }),
  });
}

describe('startServer', () => {
  it('prints the address, finishes in-flight requests on close, then stops the gate and storage', async () => {
    const events: string[] = [];
    const { db, release, queryStarted } = slowDb(events);
    const gate = new RecordingGate();
    const lines: string[] = [];
    const config = testConfig({
      ...CLUSTER_CONFIG,
      server: { port: 0 },
      storage: { data_dir: join(dir, 'a') },
    });
    const running = await startServer({
      config,
      version: 't',
      print: (l) => lines.push(l),
      openServices: async () => ({
        db,
        auth: new TokenAuthenticator({ t: userContext('k', ['READ'], { userId: 'u1', cluster: true }) }),
        clusterGate: {
          ...gate,
          admit: gate.admit.bind(gate),
          checkImport: gate.checkImport.bind(gate),
          quotasFor: gate.quotasFor.bind(gate),
          recordUsage: gate.recordUsage.bind(gate),
          usageOf: gate.usageOf.bind(gate),
          status: gate.status.bind(gate),
          start: async () => void events.push('gate started'),
          stop: async () => void events.push('gate stopped'),
        },
        plugins: [],
        notices: ['a notice'],
        cleanup: [async () => void events.push('cleanup')],
      }),
    });
    expect(lines).toEqual(['a notice', `Nexus listening on ${running.url}`]);
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const inFlight = fetch(`${running.url}/cypher`, {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'RETURN 1' }),
    });
    await queryStarted;
    const closing = running.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(events).toEqual(['gate started']);
    await expect(fetch(`${running.url}/health`, { headers: { connection: 'close' } })).rejects.toThrow();
    release();
    const res = await inFlight;
    expect(res.status).toBe(200);
    await closing;
    expect(events).toEqual(['gate started', 'query done', 'gate stopped', 'db closed', 'cleanup']);
  });

  it('bounds the wait for in-flight requests by shutdown_timeout_ms', async () => {
    const events: string[] = [];
    const { db, release, queryStarted } = slowDb(events);
    const config = testConfig({
      server: { port: 0, shutdown_timeout_ms: 200 },
      storage: { data_dir: join(dir, 'b') },
    });
    const running = await startWithDb(config, db);
    const stuck = fetch(`${running.url}/cypher`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'RETURN 1' }),
    }).catch((err: unknown) => err);
    // Close only once the request is inside the handler (a fixed sleep raced on busy machines).
    await queryStarted;
    const started = Date.now();
    await running.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(events).toContain('db closed');
    expect(await stuck).toBeInstanceOf(Error);
    release();
  });

  it('closes storage when the server cannot listen', async () => {
    const events: string[] = [];
    const { db } = slowDb(events);
    const config = testConfig({
      server: { host: '203.0.113.1', port: 0 },
      storage: { data_dir: join(dir, 'c') },
      auth: { enabled: false },
    });
    await expect(startWithDb(config, db)).rejects.toThrow();
    expect(events).toEqual(['db closed']);
    // The data-directory lock is released too, so a corrected restart is not refused.
    expect(existsSync(join(dir, 'c', 'nexus.lock'))).toBe(false);
  });

  it('holds the data-directory lock while running and releases it on close', async () => {
    const config = testConfig({
      server: { port: 0 },
      storage: { data_dir: join(dir, 'd') },
      auth: { enabled: false },
    });
    const running = await startWithDb(config, slowDb([]).db);
    expect(existsSync(join(dir, 'd', 'nexus.lock'))).toBe(true);
    await expect(startWithDb(config, slowDb([]).db)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/is in use by nexus serve/),
    });
    await running.close();
    expect(existsSync(join(dir, 'd', 'nexus.lock'))).toBe(false);
  });
});
