// Error texts as a side channel: an INTERNAL_ERROR must never carry its real cause to the
// client, over MCP exactly as over REST (the cause here is a control-plane answer naming a
// HiveHub path and HiveHub's own message).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneProtocolError } from '../../src/cluster/control-plane-errors.js';
import { startStack, type Stack } from './harness.js';

const CAUSE = 'HiveHub refused POST /api/v1/nexus/users/someone_else/import-check (400 BAD: internal detail)';

let s: Stack;
let alice: string;

beforeAll(async () => {
  s = await startStack({
    checkImport: () => Promise.reject(new ControlPlaneProtocolError(CAUSE, 400)),
  });
  s.gate.checkImport = () => Promise.reject(new ControlPlaneProtocolError(CAUSE, 400));
  alice = (await s.createKey({ name: 'a', user_id: 'alice', permissions: ['WRITE'] })).secret;
});
afterAll(async () => {
  await s.close();
});

describe('INTERNAL_ERROR carries no cause', () => {
  it('over REST: generic message, no details', async () => {
    const res = await s.request(alice, 'POST', '/ingest', { nodes: [{ labels: ['A'] }] });
    expect(res.statusCode).toBe(500);
    expect(res.json().error.code).toBe('INTERNAL_ERROR');
    expect(res.body).not.toContain('HiveHub');
    expect(res.body).not.toContain('someone_else');
  });

  it('over MCP: the tool error is the same generic INTERNAL_ERROR', async () => {
    const res = await s.mcp(alice, 'ingest', { nodes: [{ labels: ['A'] }] });
    expect(res.status).toBe(200);
    expect(res.body.error.code).toBe('INTERNAL_ERROR');
    const text = JSON.stringify(res.body);
    expect(text).not.toContain('HiveHub');
    expect(text).not.toContain('someone_else');
    expect(text).not.toContain('internal detail');
    // Nothing was imported.
    expect((await s.mcp(alice, 'get_stats', {})).body.nodes).toBe(0);
  });

  it('other NexusErrors keep their code and message over MCP', async () => {
    const res = await s.mcp(alice, 'get_node', { id: 12345 });
    expect(res.body.error.code).toBe('NOT_FOUND');
    expect(res.body.error.message).toContain('12345');
  });
});
