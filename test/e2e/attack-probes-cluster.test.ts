/**
 * Regression tests for defects found by probing a real cluster-mode server (with the
 * HiveHub emulator) as a tenant trying to get more than its plan allows. The rate limit
 * counts HTTP requests; a JSON-RPC batch on /mcp used to carry up to 100 tool calls in
 * one request, so a tenant ran 100 queries (or writes) per unit of its budget.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../helpers/server-process.js';
import {
  call,
  createKey,
  startClusterServer,
  startEmulatorProcess,
  type CreatedKey,
  type EmulatorProcess,
} from './helpers/cluster-harness.js';

const PER_MINUTE = 8;
const MCP_HEADERS = { accept: 'application/json, text/event-stream' };

let emulator: EmulatorProcess;
let server: ServerProcess;
let tenant: CreatedKey;
let operator: CreatedKey;

beforeAll(async () => {
  emulator = await startEmulatorProcess({
    plans: { tight: { storage_bytes: 10_000_000, requests_per_minute: PER_MINUTE, requests_per_hour: 1000 } },
    users: [{ user_id: 'batcher', plan: 'tight' }],
  });
  server = await startClusterServer(emulator.url);
  tenant = await createKey(server.url, { user_id: 'batcher', permissions: ['READ', 'WRITE'] });
  operator = await createKey(server.url, { permissions: ['SUPER'] });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await emulator?.stop();
});

function toolCall(id: number, query: string): Record<string, unknown> {
  return {
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'execute_cypher', arguments: { query } },
  };
}

/** Nodes labelled `label` in the tenant's graph, read by the operator (not rate limited). */
async function countAsOperator(label: string): Promise<number> {
  const res = await call(server.url, 'POST', '/cypher', {
    key: operator.secret,
    headers: { 'x-nexus-tenant': 'batcher' },
    body: { query: `MATCH (n:${label}) RETURN count(n) AS c` },
  });
  expect(res.status, res.text).toBe(200);
  return (res.body as { rows: number[][] }).rows[0]![0]!;
}

describe('MCP JSON-RPC batches against the per-request rate limit', () => {
  it('a batch of tool calls cannot run more writes than the tenant’s requests per minute', async () => {
    const batch = Array.from({ length: 5 * PER_MINUTE }, (_, i) => toolCall(i + 1, 'CREATE (:Hit)'));
    const res = await call(server.url, 'POST', '/mcp', {
      key: tenant.secret,
      headers: MCP_HEADERS,
      body: batch,
    });
    expect(res.status, res.text.slice(0, 300)).toBe(400);
    expect((res.body as { error: { code: number } }).error.code).toBe(-32600);
    // Whatever the answer, the plan's budget bounds the work done.
    expect(await countAsOperator('Hit')).toBeLessThanOrEqual(PER_MINUTE);
    expect(await countAsOperator('Hit')).toBe(0);
  });

  it('one message per request still works, also wrapped in a one-element array', async () => {
    for (const body of [toolCall(1, 'CREATE (:Single)'), [toolCall(2, 'CREATE (:Single)')]]) {
      const res = await call(server.url, 'POST', '/mcp', { key: tenant.secret, headers: MCP_HEADERS, body });
      expect(res.status, res.text.slice(0, 300)).toBe(200);
      expect(res.text).not.toContain('"isError":true');
    }
    expect(await countAsOperator('Single')).toBe(2);
  });
});
