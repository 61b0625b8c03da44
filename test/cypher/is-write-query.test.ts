import { describe, expect, it } from 'vitest';
import { isWriteQuery, parse } from '../../src/cypher/index.js';

describe('isWriteQuery', () => {
  const reads = [
    'MATCH (n) RETURN n',
    "MATCH (n) WHERE n.name = 'CREATE (x)' RETURN n // DELETE n",
    'UNWIND [1] AS x RETURN x',
    'CALL db.labels',
    'SHOW INDEXES',
    'EXPLAIN MATCH (n) RETURN n',
    'RETURN 1 AS a UNION RETURN 2 AS a',
    'MATCH (n) WHERE EXISTS { MATCH (n)-->(m) } RETURN n',
  ];
  const writes = [
    'CREATE (n)',
    'MATCH (n) SET n.x = 1',
    'MATCH (n) REMOVE n:L',
    'MATCH (n) DELETE n',
    'MATCH (n) DETACH DELETE n',
    'MERGE (n:L)',
    'MATCH (n) FOREACH (x IN [1] | SET n.x = x)',
    'CREATE INDEX FOR (n:L) ON (n.p)',
    'DROP INDEX idx',
    'RETURN 1 AS a UNION MATCH (n) SET n.x = 1 RETURN 2 AS a',
    'PROFILE CREATE (n)',
  ];

  for (const text of reads) {
    it(`read: ${text}`, () => {
      expect(isWriteQuery(parse(text))).toBe(false);
    });
  }
  for (const text of writes) {
    it(`write: ${text}`, () => {
      expect(isWriteQuery(parse(text))).toBe(true);
    });
  }

  it('asks about procedures only through the supplied predicate', () => {
    const statement = parse('CALL my.writer()');
    expect(isWriteQuery(statement)).toBe(false);
    expect(isWriteQuery(statement, { isWriteProcedure: (name) => name === 'my.writer' })).toBe(true);
    expect(isWriteQuery(statement, { isWriteProcedure: () => false })).toBe(false);
  });
});
