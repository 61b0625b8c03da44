import { describe, expect, it } from 'vitest';
import { NexusError, ERROR_CODES } from '../src/errors.js';
import { CypherError } from '../src/cypher/errors.js';

describe('error catalogue', () => {
  it('carries a stable code and details', () => {
    const err = new NexusError('NOT_FOUND', 'no such node', { details: { id: 3 } });
    expect(err.code).toBe('NOT_FOUND');
    expect(err.details).toEqual({ id: 3 });
    expect(ERROR_CODES[err.code]).toMatch(/exist/);
  });

  it('maps Cypher error classes onto codes', () => {
    expect(new CypherError('SyntaxError', 'UnexpectedSyntax', 'x').code).toBe('CYPHER_SYNTAX_ERROR');
    expect(new CypherError('SyntaxError', 'UndefinedVariable', 'x').code).toBe('CYPHER_SEMANTIC_ERROR');
    expect(new CypherError('TypeError', 'InvalidArgumentType', 'x').code).toBe('CYPHER_TYPE_ERROR');
    const positioned = new CypherError('SyntaxError', 'UnexpectedSyntax', 'x', {
      position: { offset: 4, line: 1, column: 5 },
    });
    expect(positioned.details).toMatchObject({ line: 1, column: 5 });
  });
});
