import { describe, expect, it } from 'vitest';
import { parseSyntax, type Clause, type Expression } from '../../src/cypher/index.js';
import { clauses, errorOf, expr, query, statement, strip } from './helpers.js';

function only<K extends Clause['kind']>(text: string, kind: K): Extract<Clause, { kind: K }> {
  const found = clauses(text).find((c) => c.kind === kind);
  if (!found) throw new TypeError(`no ${kind} clause`);
  return found as Extract<Clause, { kind: K }>;
}

/** Renders an expression as a fully parenthesized string to check precedence. */
function show(e: Expression): string {
  switch (e.kind) {
    case 'Literal':
      return typeof e.value === 'string' ? `'${e.value}'` : String(e.value);
    case 'Variable':
      return e.name;
    case 'Parameter':
      return `$${e.name}`;
    case 'Binary':
      return `(${show(e.left)} ${e.operator} ${show(e.right)})`;
    case 'Unary':
      return `(${e.operator} ${show(e.operand)})`;
    case 'IsNull':
      return `(${show(e.operand)} IS ${e.negated ? 'NOT ' : ''}NULL)`;
    case 'PropertyAccess':
      return `${show(e.object)}.${e.key}`;
    case 'IndexAccess':
      return `${show(e.object)}[${show(e.index)}]`;
    case 'ListLiteral':
      return `[${e.elements.map(show).join(', ')}]`;
    case 'HasLabels':
      return `${show(e.operand)}:${e.labels.join(':')}`;
    case 'FunctionCall':
      return `${e.name}(${e.args.map(show).join(', ')})`;
    default:
      return e.kind;
  }
}

describe('statements', () => {
  it('records EXPLAIN and PROFILE as the statement mode', () => {
    expect(statement('MATCH (n) RETURN n').mode).toBe('execute');
    expect(statement('EXPLAIN MATCH (n) RETURN n').mode).toBe('explain');
    expect(statement('profile MATCH (n) RETURN n').mode).toBe('profile');
  });

  it('accepts a trailing semicolon', () => {
    expect(query('RETURN 1;').first.clauses).toHaveLength(1);
  });

  it('parses UNION and UNION ALL parts in order', () => {
    const q = query('RETURN 1 AS a UNION RETURN 2 AS a UNION RETURN 3 AS a');
    expect(q.unions.map((u) => u.all)).toEqual([false, false]);
    expect(query('RETURN 1 AS a UNION ALL RETURN 2 AS a').unions[0]?.all).toBe(true);
  });

  it('parses CREATE INDEX with and without a name, and relationship indexes', () => {
    expect(strip(statement('CREATE INDEX person_name FOR (p:Person) ON (p.name, p.age)').body)).toEqual({
      kind: 'CreateIndex',
      name: 'person_name',
      ifNotExists: false,
      entity: 'node',
      variable: { kind: 'Variable', name: 'p' },
      label: 'Person',
      properties: ['name', 'age'],
    });
    const unnamed = statement('CREATE INDEX IF NOT EXISTS FOR (n:L) ON (n.x)').body;
    expect(unnamed).toMatchObject({ kind: 'CreateIndex', name: null, ifNotExists: true });
    const rel = statement('CREATE INDEX FOR ()-[r:KNOWS]-() ON (r.since)').body;
    expect(rel).toMatchObject({ entity: 'relationship', label: 'KNOWS', properties: ['since'] });
  });

  it('rejects an index property on another variable', () => {
    expect(errorOf('CREATE INDEX FOR (n:L) ON (m.x)').detail).toBe('UnexpectedSyntax');
  });

  it('parses DROP INDEX and SHOW INDEXES', () => {
    expect(strip(statement('DROP INDEX person_name').body)).toEqual({
      kind: 'DropIndex',
      name: 'person_name',
      ifExists: false,
    });
    expect(statement('DROP INDEX x IF EXISTS').body).toMatchObject({ ifExists: true });
    expect(statement('SHOW INDEXES').body.kind).toBe('ShowIndexes');
    expect(statement('SHOW INDEX').body.kind).toBe('ShowIndexes');
  });

  it('treats keywords case-insensitively', () => {
    expect(
      clauses('match (n) where n.x = 1 return distinct n order by n.x desc skip 1 limit 2').map(
        (c) => c.kind,
      ),
    ).toEqual(['Match', 'Return']);
  });
});

describe('clauses', () => {
  it('MATCH and OPTIONAL MATCH with WHERE', () => {
    const m = only('OPTIONAL MATCH (a) WHERE a.x > 1 RETURN a', 'Match');
    expect(m.optional).toBe(true);
    expect(m.where?.kind).toBe('Binary');
    expect(only('MATCH (a) RETURN a', 'Match').optional).toBe(false);
  });

  it('CREATE with a multi-part pattern', () => {
    const c = only('CREATE (a:A {x: 1})-[:R]->(b), (c)', 'Create');
    expect(c.pattern.parts).toHaveLength(2);
  });

  it('MERGE with ON CREATE SET and ON MATCH SET in source order', () => {
    const m = only('MERGE (n:A {k: 1}) ON MATCH SET n.m = 1 ON CREATE SET n.c = 2, n.d = 3', 'Merge');
    expect(m.actions.map((a) => [a.on, a.items.length])).toEqual([
      ['match', 1],
      ['create', 2],
    ]);
  });

  it('SET items: property, replace, merge and labels', () => {
    const s = only('MATCH (n) SET n.a = 1, n = {b: 2}, n += {c: 3}, n:A:B, (n).d = 4', 'Set');
    expect(s.items.map((i) => i.kind)).toEqual([
      'SetProperty',
      'SetVariable',
      'SetVariable',
      'SetLabels',
      'SetProperty',
    ]);
    expect(s.items[1]).toMatchObject({ mode: 'replace' });
    expect(s.items[2]).toMatchObject({ mode: 'merge' });
    expect(s.items[3]).toMatchObject({ labels: ['A', 'B'] });
    expect(s.items[0]).toMatchObject({ property: { key: 'a', object: { kind: 'Variable', name: 'n' } } });
  });

  it('REMOVE properties and labels', () => {
    const r = only('MATCH (n) REMOVE n.a, n:A:B', 'Remove');
    expect(r.items.map((i) => i.kind)).toEqual(['RemoveProperty', 'RemoveLabels']);
  });

  it('DELETE and DETACH DELETE', () => {
    expect(only('MATCH (n) DELETE n', 'Delete').detach).toBe(false);
    const d = only('MATCH (n)-[r]-() DETACH DELETE n, r', 'Delete');
    expect(d.detach).toBe(true);
    expect(d.expressions).toHaveLength(2);
  });

  it('WITH with DISTINCT, *, aliases, ORDER BY, SKIP, LIMIT and WHERE', () => {
    const w = only(
      'MATCH (n) WITH DISTINCT *, n.x AS x ORDER BY x DESC, n.y SKIP 1 LIMIT 5 WHERE x > 0 RETURN x',
      'With',
    );
    expect(w.projection.distinct).toBe(true);
    expect(w.projection.star).toBe(true);
    expect(w.projection.items.map((i) => i.name)).toEqual(['x']);
    expect(w.projection.orderBy.map((s) => s.direction)).toEqual(['desc', 'asc']);
    expect(strip(w.projection.skip)).toEqual({ kind: 'Literal', value: '1n' });
    expect(strip(w.projection.limit)).toEqual({ kind: 'Literal', value: '5n' });
    expect(w.where?.kind).toBe('Binary');
  });

  it('accepts ASCENDING / DESCENDING spelled out', () => {
    const r = only('MATCH (n) RETURN n ORDER BY n.a ASCENDING, n.b DESCENDING', 'Return');
    expect(r.projection.orderBy.map((s) => s.direction)).toEqual(['asc', 'desc']);
  });

  it('names unaliased RETURN columns by their source text', () => {
    const r = only('MATCH (n) RETURN n.name, count( * ), n.a  +  1 AS s, toUpper(n.x)', 'Return');
    expect(r.projection.items.map((i) => i.name)).toEqual(['n.name', 'count( * )', 's', 'toUpper(n.x)']);
  });

  it('UNWIND', () => {
    const u = only('UNWIND [1, 2] AS x RETURN x', 'Unwind');
    expect(u.variable.name).toBe('x');
    expect(u.expression.kind).toBe('ListLiteral');
  });

  it('FOREACH with nested updating clauses', () => {
    const f = only('MATCH (n) FOREACH (x IN [1, 2] | SET n.v = x CREATE (:N {v: x}))', 'Foreach');
    expect(f.variable.name).toBe('x');
    expect(f.clauses.map((c) => c.kind)).toEqual(['Set', 'Create']);
  });

  it('CALL with arguments, YIELD aliases and WHERE', () => {
    const c = only("CALL db.labels() YIELD label AS l WHERE l <> 'x' RETURN l", 'Call');
    expect(c.procedure).toBe('db.labels');
    expect(c.args).toEqual([]);
    expect(c.yield?.items.map((i) => [i.field, i.variable.name])).toEqual([['label', 'l']]);
    expect(c.yield?.where?.kind).toBe('Binary');
  });

  it('standalone CALL without parentheses has null args', () => {
    const c = only('CALL test.my.proc', 'Call');
    expect(c.procedure).toBe('test.my.proc');
    expect(c.args).toBeNull();
    expect(c.yield).toBeNull();
  });

  it('standalone CALL with YIELD *', () => {
    expect(only("CALL test.my.proc('a', 1) YIELD *", 'Call').yield?.star).toBe(true);
  });
});

describe('patterns', () => {
  function element(text: string) {
    const part = only(`MATCH ${text} RETURN 1`, 'Match').pattern.parts[0];
    if (!part) throw new TypeError('no part');
    return part;
  }

  it('node patterns with variable, labels and properties', () => {
    const part = element('(n:A:B {x: 1, y: $p})');
    expect(strip(part.element.nodes[0])).toEqual({
      kind: 'NodePattern',
      variable: { kind: 'Variable', name: 'n' },
      labels: ['A', 'B'],
      properties: {
        kind: 'MapLiteral',
        entries: [
          { kind: 'MapEntry', key: 'x', value: { kind: 'Literal', value: '1n' } },
          { kind: 'MapEntry', key: 'y', value: { kind: 'Parameter', name: 'p' } },
        ],
      },
    });
  });

  it('relationship directions', () => {
    const dirs = (text: string) => element(text).element.relationships.map((r) => r.direction);
    expect(dirs('(a)-->(b)<--(c)--(d)<-->(e)')).toEqual(['right', 'left', 'both', 'both']);
    expect(dirs('(a)-[r]->(b)<-[s]-(c)-[t]-(d)')).toEqual(['right', 'left', 'both']);
  });

  it('relationship types, variable and properties', () => {
    const rel = element('(a)-[r:A|B|:C {w: 1}]->(b)').element.relationships[0];
    expect(rel?.variable?.name).toBe('r');
    expect(rel?.types).toEqual(['A', 'B', 'C']);
    expect(rel?.properties?.kind).toBe('MapLiteral');
  });

  it('variable-length ranges', () => {
    const lengths = element(
      '(a)-[*]->()-[*2]->()-[*1..3]->()-[*..3]->()-[*2..]->()-[:T]->()',
    ).element.relationships.map((r) => r.length);
    expect(lengths).toEqual([
      { min: null, max: null },
      { min: 2, max: 2 },
      { min: 1, max: 3 },
      { min: null, max: 3 },
      { min: 2, max: null },
      null,
    ]);
  });

  it('named paths and shortestPath', () => {
    const part = element('p = shortestPath((a)-[*]-(b))');
    expect(part.variable?.name).toBe('p');
    expect(part.shortestPath).toBe('shortestPath');
    expect(element('p = allShortestPaths((a)-[*]-(b))').shortestPath).toBe('allShortestPaths');
    expect(element('(a)').shortestPath).toBeNull();
  });

  it('keeps nodes and relationships in alternating order', () => {
    const e = element('(a)-[r]->(b)<-[s]-(c)').element;
    expect(e.nodes.map((n) => n.variable?.name)).toEqual(['a', 'b', 'c']);
    expect(e.relationships.map((r) => r.variable?.name)).toEqual(['r', 's']);
  });
});

describe('expressions', () => {
  it('literals: integers as bigint, floats as number, strings, booleans, null', () => {
    expect(strip(expr('[1, 0x1F, 0o17, 1.5, .5, 1e10, "s", true, FALSE, null]'))).toEqual({
      kind: 'ListLiteral',
      elements: [
        { kind: 'Literal', value: '1n' },
        { kind: 'Literal', value: '31n' },
        { kind: 'Literal', value: '15n' },
        { kind: 'Literal', value: 1.5 },
        { kind: 'Literal', value: 0.5 },
        { kind: 'Literal', value: 1e10 },
        { kind: 'Literal', value: 's' },
        { kind: 'Literal', value: true },
        { kind: 'Literal', value: false },
        { kind: 'Literal', value: null },
      ],
    });
  });

  it('parses the minimum integer and rejects values out of range', () => {
    expect(expr('-9223372036854775808')).toMatchObject({ kind: 'Literal', value: -9223372036854775808n });
    expect(expr('-0x8000000000000000')).toMatchObject({ value: -9223372036854775808n });
    expect(expr('9223372036854775807')).toMatchObject({ value: 9223372036854775807n });
    for (const text of [
      'RETURN 9223372036854775808',
      'RETURN -9223372036854775809',
      'RETURN 0x8000000000000000',
      'RETURN -0x8000000000000001',
      'RETURN 0o1000000000000000000000',
      'RETURN -0o1000000000000000000001',
    ]) {
      const error = errorOf(text);
      expect(error.errorClass).toBe('SyntaxError');
      expect(error.detail).toBe('IntegerOverflow');
    }
  });

  it('unary minus on a non-literal stays an operator', () => {
    expect(show(expr('-x'))).toBe('(- x)');
    expect(show(expr('- -1'))).toBe('(- -1)');
  });

  it('parameters by name and position', () => {
    expect(strip(expr('$name'))).toEqual({ kind: 'Parameter', name: 'name' });
    expect(strip(expr('$0'))).toEqual({ kind: 'Parameter', name: '0' });
  });

  it('property access, dynamic index and slices', () => {
    expect(show(expr('a.b.c'))).toBe('a.b.c');
    expect(show(expr("a['k'][0]"))).toBe("a['k'][0]");
    expect(strip(expr('l[1..2]'))).toMatchObject({
      kind: 'Slice',
      from: { value: '1n' },
      to: { value: '2n' },
    });
    expect(strip(expr('l[..2]'))).toMatchObject({ kind: 'Slice', from: null, to: { value: '2n' } });
    expect(strip(expr('l[1..]'))).toMatchObject({ kind: 'Slice', from: { value: '1n' }, to: null });
  });

  it('map literals and map projections', () => {
    expect(strip(expr('{a: 1, `b c`: 2}'))).toEqual({
      kind: 'MapLiteral',
      entries: [
        { kind: 'MapEntry', key: 'a', value: { kind: 'Literal', value: '1n' } },
        { kind: 'MapEntry', key: 'b c', value: { kind: 'Literal', value: '2n' } },
      ],
    });
    expect(strip(expr('n{.a, b: 1, c, .*}'))).toEqual({
      kind: 'MapProjection',
      variable: { kind: 'Variable', name: 'n' },
      items: [
        { kind: 'MapProjectionProperty', key: 'a' },
        { kind: 'MapProjectionLiteral', key: 'b', value: { kind: 'Literal', value: '1n' } },
        { kind: 'MapProjectionVariable', variable: { kind: 'Variable', name: 'c' } },
        { kind: 'MapProjectionAllProperties' },
      ],
    });
  });

  it('list comprehensions in all forms', () => {
    expect(strip(expr('[x IN l WHERE x > 1 | x * 2]'))).toMatchObject({
      kind: 'ListComprehension',
      variable: { name: 'x' },
      where: { kind: 'Binary', operator: '>' },
      projection: { kind: 'Binary', operator: '*' },
    });
    expect(expr('[x IN l]')).toMatchObject({ kind: 'ListComprehension', where: null, projection: null });
    expect(expr('[x IN l | x]')).toMatchObject({ where: null, projection: { kind: 'Variable' } });
  });

  it('pattern comprehensions, optionally named', () => {
    expect(expr('[(a)-->(b) WHERE b.x > 1 | b.name]')).toMatchObject({
      kind: 'PatternComprehension',
      variable: null,
      where: { kind: 'Binary' },
      projection: { kind: 'PropertyAccess', key: 'name' },
    });
    expect(expr('[p = (a)-[:R*]->(b) | length(p)]')).toMatchObject({
      kind: 'PatternComprehension',
      variable: { name: 'p' },
    });
  });

  it('a list starting with a parenthesized expression is still a list', () => {
    expect(show(expr('[(1 + 2), 3]'))).toBe('[(1 + 2), 3]');
    expect(show(expr('[x = (1)]'))).toBe('[(x = 1)]');
  });

  it('quantifiers and reduce', () => {
    for (const q of ['all', 'any', 'none', 'single'] as const) {
      expect(expr(`${q}(x IN l WHERE x > 0)`)).toMatchObject({ kind: 'Quantifier', quantifier: q });
    }
    expect(expr('reduce(acc = 0, x IN l | acc + x)')).toMatchObject({
      kind: 'Reduce',
      accumulator: { name: 'acc' },
      variable: { name: 'x' },
      expression: { kind: 'Binary', operator: '+' },
    });
  });

  it('simple and searched CASE', () => {
    expect(expr("CASE x WHEN 1 THEN 'a' WHEN 2 THEN 'b' ELSE 'c' END")).toMatchObject({
      kind: 'Case',
      subject: { kind: 'Variable' },
      alternatives: [{ kind: 'CaseAlternative' }, { kind: 'CaseAlternative' }],
      else: { value: 'c' },
    });
    expect(expr('CASE WHEN x THEN 1 END')).toMatchObject({ kind: 'Case', subject: null, else: null });
  });

  it('function calls: plain, namespaced, DISTINCT, count(*)', () => {
    expect(expr('toUpper(x)')).toMatchObject({ kind: 'FunctionCall', name: 'toUpper', distinct: false });
    expect(expr('date.truncate("day", d)')).toMatchObject({ kind: 'FunctionCall', name: 'date.truncate' });
    expect(expr('count(DISTINCT x)')).toMatchObject({ kind: 'FunctionCall', name: 'count', distinct: true });
    expect(strip(expr('count(*)'))).toEqual({ kind: 'CountStar' });
    expect(strip(expr('COUNT ( * )'))).toEqual({ kind: 'CountStar' });
  });

  it('EXISTS subqueries with a pattern or a full query', () => {
    const where = only('MATCH (n) WHERE EXISTS { (n)-->(m) WHERE m.x = 1 } RETURN n', 'Match').where;
    expect(where).toMatchObject({ kind: 'ExistsSubquery', body: { kind: 'ExistsPatternBody' } });
    const full = only('MATCH (n) WHERE exists { MATCH (n)-->(m) RETURN m } RETURN n', 'Match').where;
    expect(full).toMatchObject({ kind: 'ExistsSubquery', body: { kind: 'Query' } });
  });

  it('exists(n.prop) is a function call', () => {
    expect(expr('exists(n.prop)')).toMatchObject({ kind: 'FunctionCall', name: 'exists' });
  });

  it('pattern predicates in WHERE', () => {
    const where = only('MATCH (a), (b) WHERE (a)-[:R]->(b) AND NOT (a)<--(b) RETURN a', 'Match').where;
    expect(where).toMatchObject({
      kind: 'Binary',
      operator: 'and',
      left: { kind: 'PatternExpression' },
      right: { kind: 'Unary', operator: 'not', operand: { kind: 'PatternExpression' } },
    });
  });

  it('a parenthesized variable or subtraction is not a pattern', () => {
    expect(show(expr('(a)'))).toBe('a');
    expect(show(expr('(a) - (b)'))).toBe('(a - b)');
    expect(show(expr('(a:L)'))).toBe('a:L');
  });

  it('label predicates', () => {
    expect(expr('n:A:B')).toMatchObject({ kind: 'HasLabels', labels: ['A', 'B'] });
  });

  it('backquoted identifiers', () => {
    expect(expr('`my var`.`a b`')).toMatchObject({
      kind: 'PropertyAccess',
      key: 'a b',
      object: { name: 'my var' },
    });
  });

  describe('precedence', () => {
    const cases: [string, string][] = [
      ['a OR b XOR c AND d', '(a or (b xor (c and d)))'],
      ['NOT a AND b', '((not a) and b)'],
      ['NOT a = b', '(not (a = b))'],
      ['a = b OR c', '((a = b) or c)'],
      ['1 + 2 * 3', '(1 + (2 * 3))'],
      ['1 - 2 - 3', '((1 - 2) - 3)'],
      ['2 ^ 3 ^ 2', '((2 ^ 3) ^ 2)'],
      ['-3 ^ 2', '(-3 ^ 2)'],
      ['4 * 2 ^ 3', '(4 * (2 ^ 3))'],
      ['a < b < c', '((a < b) and (b < c))'],
      ['a = b <> c >= d', '(((a = b) and (b <> c)) and (c >= d))'],
      ['[1] + 2 IN [3] + 4', '(([1] + 2) in ([3] + 4))'],
      ['[1, 2] = [3, 4] IN l', '([1, 2] = ([3, 4] in l))'],
      ["a STARTS WITH 'x' OR b", "((a startsWith 'x') or b)"],
      ['a ENDS WITH b CONTAINS c', '((a endsWith b) contains c)'],
      ["a =~ 'x.*' AND b", "((a =~ 'x.*') and b)"],
      ['a IS NULL = b IS NOT NULL', '((a IS NULL) = (b IS NOT NULL))'],
      ['NOT a IS NULL', '(not (a IS NULL))'],
      ['a + 1 IS NULL', '((a + 1) IS NULL)'],
      ['a.b[0].c', 'a.b[0].c'],
      ['-a.b', '(- a.b)'],
      ['n:A AND m:B', '(n:A and m:B)'],
      ['a != b', '(a <> b)'],
    ];
    for (const [input, expected] of cases) {
      it(input, () => {
        expect(show(expr(input))).toBe(expected);
      });
    }
  });
});

describe('syntax errors', () => {
  it('report class, detail, message and 1-based line/column', () => {
    const error = errorOf('MATCH (a)\nRETURN a b');
    expect(error.errorClass).toBe('SyntaxError');
    expect(error.detail).toBe('UnexpectedSyntax');
    expect(error.code).toBe('CYPHER_SYNTAX_ERROR');
    expect(error.message).toMatch(/^Invalid input 'b': expected /);
    expect(error.position).toEqual({ offset: 19, line: 2, column: 10 });
  });

  it('list each expected continuation once after a clause that only a clause can follow', () => {
    for (const text of ['FOREACH (x IN [1] | CREATE ()) foo', 'CALL { RETURN 1 AS one } foo']) {
      const error = errorOf(text);
      expect(error.message).toMatch(/expected a clause, UNION or end of input/);
      expect(error.message).not.toMatch(/a clause, a clause/);
    }
  });

  it('refuse CALL { … } IN TRANSACTIONS as unsupported, not as a syntax error', () => {
    expect(() => parseSyntax('UNWIND [1] AS x CALL { WITH x CREATE () } IN TRANSACTIONS')).toThrow(
      expect.objectContaining({ code: 'CYPHER_UNSUPPORTED' }),
    );
  });

  it('point at the end of input when the query stops early', () => {
    const error = errorOf('MATCH (n) RETURN');
    expect(error.message).toContain('expected an expression');
    expect(error.position?.column).toBe(17);
  });

  it('reject malformed maps as the TCK requires', () => {
    for (const text of [
      'RETURN {1B2c3e67:1} AS literal',
      'RETURN {k1#k: 1} AS literal',
      'RETURN {k1.k: 1} AS literal',
      'RETURN {, } AS literal',
      'RETURN {1} AS literal',
      'RETURN {[]} AS literal',
      'RETURN {{}} AS literal',
      'RETURN {k: {k: {}} AS literal',
    ]) {
      expect(errorOf(text).detail).toBe('UnexpectedSyntax');
    }
  });

  it('reject invalid number and unicode literals with their details', () => {
    expect(errorOf('RETURN 0x AS literal').detail).toBe('InvalidNumberLiteral');
    expect(errorOf("RETURN '\\uH'").detail).toBe('InvalidUnicodeLiteral');
    expect(errorOf('RETURN 1.34E999').detail).toBe('FloatingPointOverflow');
  });

  it('reject an empty query and a missing clause', () => {
    expect(errorOf('').detail).toBe('UnexpectedSyntax');
    expect(errorOf('n RETURN n').detail).toBe('UnexpectedSyntax');
  });

  it('reject YIELD * inside a larger query', () => {
    expect(errorOf("CALL test.my.proc('Stefan', 1) YIELD * RETURN city").detail).toBe('UnexpectedSyntax');
  });

  it('reject a reserved word used as a bare variable', () => {
    expect(errorOf('MATCH (n) RETURN n ORDER BY WHERE').detail).toBe('UnexpectedSyntax');
  });
});

describe('offsets', () => {
  it('every node records where it starts', () => {
    const text = 'MATCH (a)-[r]->(b) WHERE a.x = 1 RETURN b';
    const s = parseSyntax(text);
    const q = s.body.kind === 'Query' ? s.body : null;
    const match = q?.first.clauses[0];
    if (match?.kind !== 'Match') throw new TypeError('expected MATCH');
    const rel = match.pattern.parts[0]?.element.relationships[0];
    expect(rel?.offset).toBe(text.indexOf('-[r]'));
    expect(match.where?.offset).toBe(text.indexOf('a.x'));
    expect(q?.first.clauses[1]?.offset).toBe(text.indexOf('RETURN'));
  });
});

describe('performance', () => {
  it('parses a simple query in well under a millisecond', () => {
    const text =
      'MATCH (n:Person {name: $name})-[:KNOWS]->(m) WHERE m.age > 30 RETURN m.name AS name LIMIT 10';
    for (let i = 0; i < 200; i++) parseSyntax(text);
    const runs = 2000;
    const start = performance.now();
    for (let i = 0; i < runs; i++) parseSyntax(text);
    const perQueryMs = (performance.now() - start) / runs;
    // generous bound: shared CI machines are slow; locally this is ~10-20 µs
    expect(perQueryMs).toBeLessThan(0.5);
  });
});
