/**
 * A Cypher syntax error over HTTP carries the offending line and a caret under the token in
 * its `message`, as Neo4j prints it (issue 17 §4), with the position in `details`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../security/harness.js';

let s: Stack;
let key: string;
beforeAll(async () => {
  s = await startStack();
  key = (await s.createKey({ name: 'a', permissions: ['READ'], user_id: 'alice' })).secret;
});
afterAll(async () => s.close());

describe('syntax errors over HTTP', () => {
  it('show the line and a caret in the message', async () => {
    const res = await s.request(key, 'POST', '/cypher', { query: 'MATCH (n)\nWHERE n.x = = 1\nRETURN n' });
    expect(res.statusCode).toBe(400);
    const { error } = res.json() as {
      error: { code: string; message: string; details: Record<string, unknown> };
    };
    expect(error.code).toBe('CYPHER_SYNTAX_ERROR');
    expect(error.message).toBe(
      "Invalid input '=': expected an expression (line 2, column 13 (offset: 22))\n" +
        '"WHERE n.x = = 1"\n' +
        '             ^',
    );
    expect(error.details).toMatchObject({ line: 2, column: 13, offset: 22 });
  });
});
