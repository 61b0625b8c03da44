/**
 * MCP for a first-time assistant (issue 17 §4): big results are cut with a note and a LIMIT
 * hint, tool errors use {error: {code, message}} (a syntax error carries the caret), and
 * get_schema names each label's properties and what each relationship type connects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { MCP_MAX_RESULT_BYTES, MCP_MAX_ROWS } from '../../src/mcp/tools.js';
import { startMcpApp, type McpFixture } from './mcp-app.js';

interface ToolResult {
  isError?: boolean;
  content: { type: string; text?: string }[];
}

let fx: McpFixture;
let client: Client;

async function call(name: string, args: Record<string, unknown> = {}): Promise<ToolResult> {
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

async function ok(name: string, args: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const result = await call(name, args);
  expect(result.isError ?? false, result.content[0]?.text).toBe(false);
  return JSON.parse(result.content[0]?.text ?? 'null') as Record<string, unknown>;
}

beforeAll(async () => {
  fx = await startMcpApp(false);
  client = await fx.connect(fx.rootKey);
  await ok('execute_cypher', {
    query:
      "CREATE (a:Person {name: 'Ada', born: 1815})-[:WROTE {year: 1843}]->(:Paper {title: 'Notes'}), " +
      "(a)-[:KNOWS]->(:Person {name: 'Charles'}), (a)-[:WORKS_AT]->(:Company:Org {name: 'X', city: 'L'})",
  });
});
afterAll(async () => fx.close());

describe('MCP tools for assistants', () => {
  it('get_schema lists properties per label and the labels each relationship type connects', async () => {
    const schema = await ok('get_schema');
    expect(schema.labels).toEqual(
      expect.arrayContaining([
        { label: 'Person', count: 2, properties: ['born', 'name'] },
        { label: 'Paper', count: 1, properties: ['title'] },
        { label: 'Company', count: 1, properties: ['city', 'name'] },
      ]),
    );
    expect(schema.relationships).toEqual(
      expect.arrayContaining([
        { type: 'WROTE', properties: ['year'], connects: [{ from: ['Person'], to: ['Paper'] }] },
        { type: 'KNOWS', properties: [], connects: [{ from: ['Person'], to: ['Person'] }] },
        { type: 'WORKS_AT', properties: [], connects: [{ from: ['Person'], to: ['Company', 'Org'] }] },
      ]),
    );
    expect(schema.sampled).toBeUndefined();
  });

  it('cuts results over the row cap with a note and a LIMIT hint', async () => {
    const total = MCP_MAX_ROWS + 500;
    const res = await ok('execute_cypher', { query: `UNWIND range(1, ${total}) AS i RETURN i` });
    expect((res.rows as unknown[]).length).toBe(MCP_MAX_ROWS);
    expect(res.truncated).toBe(true);
    expect(res.total_rows).toBe(total);
    expect(res.note).toContain(`showing ${MCP_MAX_ROWS} of ${total} rows`);
    expect(res.note).toContain('LIMIT');
    // Under the cap nothing is added.
    const small = await ok('execute_cypher', { query: 'UNWIND range(1, 3) AS i RETURN i' });
    expect(small.truncated).toBeUndefined();
    expect(small.rows).toEqual([[1], [2], [3]]);
  });

  it('cuts results over the size cap', async () => {
    const res = await call('execute_cypher', {
      query: "UNWIND range(1, 500) AS i RETURN i, [x IN range(1, 100) | 'xxxxxxxxxx'] AS big",
    });
    const text = res.content[0]!.text!;
    expect(Buffer.byteLength(text)).toBeLessThan(MCP_MAX_RESULT_BYTES + 2048);
    const body = JSON.parse(text) as { rows: unknown[]; truncated: boolean; note: string };
    expect(body.truncated).toBe(true);
    expect(body.rows.length).toBeGreaterThan(100);
    expect(body.rows.length).toBeLessThan(500);
    expect(body.note).toContain(`about ${MCP_MAX_RESULT_BYTES} bytes`);
  });

  it('reports tool errors as {error: {code, message}} with the caret for syntax errors', async () => {
    const res = await call('execute_cypher', { query: 'MATCH (n RETURN n' });
    expect(res.isError).toBe(true);
    const body = JSON.parse(res.content[0]!.text!) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('CYPHER_SYNTAX_ERROR');
    expect(body.error.message).toContain('(line 1, column 10 (offset: 9))\n"MATCH (n RETURN n"\n          ^');
  });
});
