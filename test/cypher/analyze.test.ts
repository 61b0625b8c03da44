import { describe, expect, it } from 'vitest';
import { compile, parse, parseSyntax, analyze, type ProcedureSignature } from '../../src/cypher/index.js';
import { errorOf } from './helpers.js';

/** [query, errorClass, detail] — taken from the openCypher TCK's compile-time failures. */
const FAILURES: [string, string, string][] = [
  // scoping
  ['MATCH () RETURN foo', 'SyntaxError', 'UndefinedVariable'],
  ['MATCH (a) DELETE x', 'SyntaxError', 'UndefinedVariable'],
  ['CREATE (b {name: missing}) RETURN b', 'SyntaxError', 'UndefinedVariable'],
  ['MERGE (n) ON CREATE SET x.num = 1', 'SyntaxError', 'UndefinedVariable'],
  ['MERGE (n) ON MATCH SET x.num = 1', 'SyntaxError', 'UndefinedVariable'],
  ['RETURN {k1: k2} AS literal', 'SyntaxError', 'UndefinedVariable'],
  ['MATCH (s) WHERE s.name = undefinedVariable AND s.age = 10 RETURN s', 'SyntaxError', 'UndefinedVariable'],
  ['MATCH (a) RETURN DISTINCT a.name ORDER BY a.age', 'SyntaxError', 'UndefinedVariable'],
  [
    "WITH 1 AS a, 'b' AS b, 3 AS c WITH a, b WITH a ORDER BY a, c RETURN a",
    'SyntaxError',
    'UndefinedVariable',
  ],
  ['MATCH (n) WHERE (n)-[r]->() RETURN n', 'SyntaxError', 'UndefinedVariable'],
  ['MATCH (n) WHERE (a) RETURN n', 'SyntaxError', 'UndefinedVariable'],
  ['CALL test.my.proc(1) RETURN out', 'SyntaxError', 'UndefinedVariable'],
  [
    'MATCH (me: Person)--(you: Person) RETURN count(you.age) AS agg ORDER BY me.age + count(you.age)',
    'SyntaxError',
    'UndefinedVariable',
  ],
  // variable binding
  ['MATCH (a) CREATE (a)', 'SyntaxError', 'VariableAlreadyBound'],
  ["MATCH (a) CREATE (a {name: 'foo'}) RETURN a", 'SyntaxError', 'VariableAlreadyBound'],
  ['CREATE (n:Foo)-[:T1]->(), (n:Bar)-[:T2]->()', 'SyntaxError', 'VariableAlreadyBound'],
  ['CREATE (n:Foo) CREATE (n:Bar)-[:OWNS]->(:Dog)', 'SyntaxError', 'VariableAlreadyBound'],
  ['MATCH (a) MERGE (a)', 'SyntaxError', 'VariableAlreadyBound'],
  ["WITH 'Hi' AS label CALL test.labels() YIELD label RETURN *", 'SyntaxError', 'VariableAlreadyBound'],
  ['CALL test.my.proc(null) YIELD a, b AS a RETURN a', 'SyntaxError', 'VariableAlreadyBound'],
  ['MATCH p = (p)-[]-() RETURN p', 'SyntaxError', 'VariableAlreadyBound'],
  ['MATCH ()-[p]-(), p = ()-[]-() RETURN p', 'SyntaxError', 'VariableAlreadyBound'],
  ['WITH true AS p MATCH p = ()-[]-() RETURN p', 'SyntaxError', 'VariableAlreadyBound'],
  ['MATCH ()-[r]-() CREATE ()-[r:T]->()', 'SyntaxError', 'VariableAlreadyBound'],
  ['MATCH (a)-[r]->()-[r]->(a) RETURN r', 'SyntaxError', 'RelationshipUniquenessViolation'],
  // variable kinds
  ['MATCH ()-[r]-() MATCH (r) RETURN r', 'SyntaxError', 'VariableTypeConflict'],
  ['MATCH ()-[r]-(r) RETURN r', 'SyntaxError', 'VariableTypeConflict'],
  ['MATCH r = ()-[]-(), (r) RETURN r', 'SyntaxError', 'VariableTypeConflict'],
  ['MATCH (r) MATCH ()-[r]-() RETURN r', 'SyntaxError', 'VariableTypeConflict'],
  ['WITH 123 AS n MATCH (n) RETURN n', 'SyntaxError', 'VariableTypeConflict'],
  ['WITH {x: []} AS r MATCH ()-[r]-() RETURN r', 'SyntaxError', 'VariableTypeConflict'],
  [
    'MATCH (n) WITH [n] AS users MATCH (users)-->(messages) RETURN messages',
    'SyntaxError',
    'VariableTypeConflict',
  ],
  // parameters in patterns
  ['MATCH (n $param) RETURN n', 'SyntaxError', 'InvalidParameterUse'],
  ['MATCH ()-[r:FOO $param]->() RETURN r', 'SyntaxError', 'InvalidParameterUse'],
  ['MERGE (n $param) RETURN n', 'SyntaxError', 'InvalidParameterUse'],
  // aggregation
  ['MATCH (a) WHERE count(a) > 10 RETURN a', 'SyntaxError', 'InvalidAggregation'],
  ['MATCH (n) RETURN n.num1 ORDER BY max(n.num2)', 'SyntaxError', 'InvalidAggregation'],
  ['MATCH (n) WITH n.num1 AS foo ORDER BY count(n) RETURN foo AS foo', 'SyntaxError', 'InvalidAggregation'],
  ['MATCH (n) CALL test.labels(count(n)) YIELD label RETURN label', 'SyntaxError', 'InvalidAggregation'],
  ['RETURN count(count(*))', 'SyntaxError', 'NestedAggregation'],
  ['RETURN count(rand())', 'SyntaxError', 'NonConstantExpression'],
  [
    'MATCH (me: Person)--(you: Person) RETURN me.age + count(you.age)',
    'SyntaxError',
    'AmbiguousAggregationExpression',
  ],
  [
    'MATCH (me: Person)--(you: Person) RETURN me.age + you.age, me.age + you.age + count(*)',
    'SyntaxError',
    'AmbiguousAggregationExpression',
  ],
  [
    'MATCH (me: Person)--(you: Person) WITH me.age + you.age, count(*) AS cnt ORDER BY me.age + you.age + count(*) RETURN *',
    'SyntaxError',
    'AmbiguousAggregationExpression',
  ],
  // projections
  ['MATCH (a) WITH a, count(*) RETURN a', 'SyntaxError', 'NoExpressionAlias'],
  ['WITH 1 AS a, 2 AS a RETURN a', 'SyntaxError', 'ColumnNameConflict'],
  ['MATCH () RETURN *', 'SyntaxError', 'NoVariablesInScope'],
  ['MATCH (n) RETURN n SKIP n.count', 'SyntaxError', 'NonConstantExpression'],
  ['MATCH (n) RETURN n LIMIT n.count', 'SyntaxError', 'NonConstantExpression'],
  ['MATCH (n) RETURN n SKIP -1', 'SyntaxError', 'NegativeIntegerArgument'],
  ['MATCH (n) RETURN n LIMIT -1', 'SyntaxError', 'NegativeIntegerArgument'],
  ['MATCH (p:Person) RETURN p.name AS name SKIP 1.5', 'SyntaxError', 'InvalidArgumentType'],
  // composition
  ['RETURN 1 AS a UNION RETURN 2 AS b', 'SyntaxError', 'DifferentColumnsInUnion'],
  ['RETURN 1 AS a UNION ALL RETURN 2 AS b', 'SyntaxError', 'DifferentColumnsInUnion'],
  ['RETURN 1 AS a UNION RETURN 2 AS a UNION ALL RETURN 3 AS a', 'SyntaxError', 'InvalidClauseComposition'],
  ['RETURN 1 AS a UNION ALL RETURN 2 AS a UNION RETURN 3 AS a', 'SyntaxError', 'InvalidClauseComposition'],
  [
    "MATCH (n) WHERE exists { MATCH (n)-->(m) SET m.prop='fail' } RETURN n",
    'SyntaxError',
    'InvalidClauseComposition',
  ],
  ['MATCH (n)', 'SyntaxError', 'InvalidClauseComposition'],
  ['RETURN 1 AS a MATCH (n) RETURN n', 'SyntaxError', 'InvalidClauseComposition'],
  ['CREATE (a) MATCH (b) RETURN b', 'SyntaxError', 'InvalidClauseComposition'],
  ['CALL test.my.proc YIELD out RETURN out', 'SyntaxError', 'InvalidArgumentPassingMode'],
  // DELETE
  ['MATCH ()-[r:T]-() DELETE r:T', 'SyntaxError', 'InvalidDelete'],
  ['MATCH () DELETE 1 + 1', 'SyntaxError', 'InvalidArgumentType'],
  // functions
  ['MATCH (a) RETURN foo(a)', 'SyntaxError', 'UnknownFunction'],
  ['RETURN toUpper()', 'SyntaxError', 'InvalidNumberOfArguments'],
  ['RETURN substring("a", 1, 2, 3)', 'SyntaxError', 'InvalidNumberOfArguments'],
  ['MATCH (r) RETURN type(r)', 'SyntaxError', 'InvalidArgumentType'],
  ['MATCH (n) RETURN length(n)', 'SyntaxError', 'InvalidArgumentType'],
  ['MATCH ()-[r]->() RETURN length(r)', 'SyntaxError', 'InvalidArgumentType'],
  ['RETURN properties(1)', 'SyntaxError', 'InvalidArgumentType'],
  ["RETURN properties('Cypher')", 'SyntaxError', 'InvalidArgumentType'],
  ['RETURN properties([true, false])', 'SyntaxError', 'InvalidArgumentType'],
  // literal types
  ['RETURN 123 AND true', 'SyntaxError', 'InvalidArgumentType'],
  ["RETURN null XOR 'foo'", 'SyntaxError', 'InvalidArgumentType'],
  ['RETURN NOT 0', 'SyntaxError', 'InvalidArgumentType'],
  ['RETURN NOT {a: 1}', 'SyntaxError', 'InvalidArgumentType'],
  ['RETURN 1 IN true', 'SyntaxError', 'InvalidArgumentType'],
  ['RETURN 1 IN {x: []}', 'SyntaxError', 'InvalidArgumentType'],
  ["RETURN none(x IN ['Clara'] WHERE x % 2 = 0) AS result", 'SyntaxError', 'InvalidArgumentType'],
  ['RETURN any(x IN [false, true] WHERE x % 2 = 0) AS result', 'SyntaxError', 'InvalidArgumentType'],
  ['MATCH (n) WHERE (n) RETURN n', 'SyntaxError', 'InvalidArgumentType'],
  ["MATCH (n) MATCH r = (n)-[*]->() WHERE r.name = 'apa' RETURN r", 'SyntaxError', 'InvalidArgumentType'],
  ['WITH 123 AS nonMap RETURN nonMap.num', 'TypeError', 'InvalidArgumentType'],
  ['WITH true AS list, 0 AS idx RETURN list[idx]', 'TypeError', 'InvalidArgumentType'],
  // pattern expressions outside predicates
  ['MATCH (n) RETURN (n)-[]->()', 'SyntaxError', 'UnexpectedSyntax'],
  ['MATCH (n) WITH (n)-[]->() AS x RETURN x', 'SyntaxError', 'UnexpectedSyntax'],
  ['MATCH (n) SET n.prop = head(nodes(head((n)-[:REL]->()))).foo', 'SyntaxError', 'UnexpectedSyntax'],
  // CREATE / MERGE relationship rules
  ['CREATE ()-[:A|B]->()', 'SyntaxError', 'NoSingleRelationshipType'],
  ['CREATE ()-[r]->()', 'SyntaxError', 'NoSingleRelationshipType'],
  ['CREATE ()-[:R]-()', 'SyntaxError', 'RequiresDirectedRelationship'],
  ['CREATE ()-[:R*2]->()', 'SyntaxError', 'CreatingVarLength'],
  ['MERGE ()-[:R*]->()', 'SyntaxError', 'CreatingVarLength'],
  ['MATCH (n) FOREACH (x IN [1] | MATCH (m) CREATE (m))', 'SyntaxError', 'InvalidClauseComposition'],
];

describe('semantic errors (TCK compile-time cases)', () => {
  for (const [text, errorClass, detail] of FAILURES) {
    it(`${detail}: ${text}`, () => {
      const error = errorOf(text);
      expect({ errorClass: error.errorClass, detail: error.detail }).toEqual({ errorClass, detail });
    });
  }

  it('map semantic details to the semantic error code and carry a position', () => {
    const error = errorOf('MATCH (n)\nRETURN foo');
    expect(error.code).toBe('CYPHER_SEMANTIC_ERROR');
    expect(error.position).toEqual({ offset: 17, line: 2, column: 8 });
    expect(error.message).toContain('`foo`');
  });
});

/** Queries that must pass analysis (several are near misses of the failures above). */
const VALID = [
  'MATCH (a)-[r]->(b) RETURN a, r, b',
  'MATCH (a) MATCH (a)-->(b) RETURN b',
  'MATCH ()-[r]-() MATCH ()-[r]-() RETURN r',
  'MATCH (a) CREATE (a)-[:R]->(b) RETURN b',
  'CREATE (a)-[:R]->(b), (a)-[:S]->(c)',
  'MATCH (a), (b) MERGE (a)-[r:KNOWS]-(b) RETURN r',
  'MATCH (n) RETURN n.name, count(*) AS c ORDER BY c DESC, n.name',
  'MATCH (a) RETURN a, a.x + count(*)',
  'MATCH (a) RETURN a.x, a.x + count(*)',
  'MATCH (a) RETURN a.x AS x ORDER BY a.y',
  'MATCH (a) WITH a.x AS x ORDER BY a.y RETURN x',
  "MATCH (a) WITH DISTINCT a.name2 AS name WHERE a.name2 = 'B' RETURN *",
  'MATCH (n) RETURN DISTINCT n.name ORDER BY n.name',
  'MATCH (n) RETURN count(n) ORDER BY count(n)',
  'MATCH (n) WITH n, count(*) AS c WHERE c > 1 RETURN n',
  'MATCH (a) RETURN [x IN collect(a.x) WHERE x > 1 | x * 2] AS xs',
  'MATCH (a) RETURN a SKIP $s LIMIT toInteger(2.5)',
  'UNWIND [1, 2, 3] AS x WITH x WHERE x > 1 RETURN sum(x)',
  'MATCH p = (a)-[*1..3]->(b) RETURN nodes(p), relationships(p), length(p)',
  'MATCH (n) WHERE (n)-->() AND NOT (n)<--() RETURN n',
  'MATCH (n) WHERE exists((n)-->()) RETURN n',
  'MATCH (n) WHERE EXISTS { MATCH (n)-->(m) WITH n, count(*) AS c WHERE c = 3 RETURN true } RETURN n',
  'MATCH (n) RETURN [(n)-[:R]->(m) WHERE m.x > 0 | m.name] AS names',
  'MATCH (n) RETURN n {.name, .*, k: 1} AS m',
  'MATCH (n) FOREACH (x IN [1, 2] | CREATE (:N {v: x}) SET n.v = x)',
  'CALL db.labels',
  'CALL db.labels() YIELD label WHERE label <> "x" RETURN label',
  'MATCH (n) CALL test.doNothing() RETURN n',
  'RETURN 1 AS a UNION RETURN 2 AS a',
  'CREATE (n) WITH n MATCH (m) RETURN m',
  'MATCH (n) DELETE n',
  'MATCH (n) SET n = {a: 1}, n += $props, n:L REMOVE n:L, n.a',
  'WITH [1, 2] AS l RETURN l[0], l[1..], size(l)',
  'MATCH () CREATE () WITH * CREATE ()',
  'RETURN reduce(acc = 0, x IN [1, 2] | acc + x) AS s',
  'RETURN date.truncate("day", date()), duration.between(date(), date())',
  'RETURN CASE WHEN true THEN 1 ELSE 2 END',
  'MATCH (n:Person) WHERE n.name STARTS WITH "A" AND n.age IN [1, 2] RETURN n',
  'MATCH ()-[r*]-() RETURN size(r)',
  'CREATE INDEX FOR (n:L) ON (n.p)',
];

describe('valid queries pass analysis', () => {
  for (const text of VALID) {
    it(text, () => {
      expect(() => parse(text)).not.toThrow();
    });
  }
});

describe('analysis results', () => {
  it('reports result columns, with RETURN * expanded in name order', () => {
    expect(compile('MATCH (b), (a) RETURN *, a.x AS x').analysis.columns).toEqual(['a', 'b', 'x']);
    expect(compile('MATCH (n) RETURN n.name, count(*)').analysis.columns).toEqual(['n.name', 'count(*)']);
    expect(compile('CREATE (n)').analysis.columns).toEqual([]);
  });

  it('reports referenced parameters', () => {
    const { analysis } = compile('MATCH (n {k: $a}) WHERE n.x = $b RETURN n LIMIT $c');
    expect([...analysis.parameters].sort()).toEqual(['a', 'b', 'c']);
  });

  it('marks aggregating projections', () => {
    const { statement, analysis } = compile('MATCH (n) WITH n.k AS k, count(*) AS c RETURN k, c');
    if (statement.body.kind !== 'Query') throw new TypeError('query expected');
    const [, withClause, returnClause] = statement.body.first.clauses;
    if (withClause?.kind !== 'With' || returnClause?.kind !== 'Return') throw new TypeError('shape');
    expect(analysis.projections.get(withClause.projection)?.aggregating).toBe(true);
    expect(analysis.projections.get(returnClause.projection)?.aggregating).toBe(false);
  });

  it('reports the scope before each clause and the variables it introduces', () => {
    const { statement, analysis } = compile('MATCH (a) MATCH (a)-[r]->(b) WITH b RETURN b');
    if (statement.body.kind !== 'Query') throw new TypeError('query expected');
    const [first, second, withClause] = statement.body.first.clauses;
    if (!first || !second || !withClause) throw new TypeError('shape');
    expect(analysis.scopes.get(first)?.introduced).toEqual(['a']);
    expect([...(analysis.scopes.get(second)?.before.keys() ?? [])]).toEqual(['a']);
    expect(analysis.scopes.get(second)?.introduced).toEqual(['r', 'b']);
    expect([...(analysis.scopes.get(withClause)?.before.keys() ?? [])]).toEqual(['a', 'r', 'b']);
  });

  it('can be run on its own on a syntax-only parse', () => {
    expect(() => analyze(parseSyntax('RETURN x'))).toThrow(/`x` not defined/);
  });
});

describe('procedure and parameter checks (with compile options)', () => {
  const signatures = new Map<string, ProcedureSignature>([
    [
      'test.my.proc',
      {
        inputs: [
          { name: 'name', type: 'STRING?' },
          { name: 'id', type: 'INTEGER?' },
        ],
        outputs: [
          { name: 'city', type: 'STRING?' },
          { name: 'country_code', type: 'INTEGER?' },
        ],
      },
    ],
  ]);
  const procedures = (name: string) => signatures.get(name);

  it('ProcedureNotFound for an unknown procedure', () => {
    const error = errorOf('CALL test.nope()', { procedures });
    expect([error.errorClass, error.detail, error.code]).toEqual([
      'ProcedureError',
      'ProcedureNotFound',
      'CYPHER_PROCEDURE_ERROR',
    ]);
  });

  it('InvalidNumberOfArguments for the wrong argument count', () => {
    expect(errorOf("CALL test.my.proc('a')", { procedures }).detail).toBe('InvalidNumberOfArguments');
  });

  it('InvalidArgumentType for a literal of the wrong type', () => {
    expect(errorOf('CALL test.my.proc(true, 1)', { procedures }).detail).toBe('InvalidArgumentType');
  });

  it('accepts null for any argument and binds yielded outputs', () => {
    const { analysis } = compile('CALL test.my.proc(null, 1) YIELD city RETURN city', { procedures });
    expect(analysis.columns).toEqual(['city']);
  });

  it('a standalone call reports the procedure outputs as columns', () => {
    expect(compile("CALL test.my.proc('a', 1)", { procedures }).analysis.columns).toEqual([
      'city',
      'country_code',
    ]);
  });

  it('rejects yielding an output the procedure does not have', () => {
    expect(errorOf("CALL test.my.proc('a', 1) YIELD nope RETURN nope", { procedures }).detail).toBe(
      'UndefinedVariable',
    );
  });

  it('MissingParameter for implicit arguments that are not supplied', () => {
    const error = errorOf('CALL test.my.proc', { procedures, parameters: ['name'] });
    expect([error.errorClass, error.detail]).toEqual(['ParameterMissing', 'MissingParameter']);
    expect(() => compile('CALL test.my.proc', { procedures, parameters: ['name', 'id'] })).not.toThrow();
  });

  it('MissingParameter for any referenced parameter not supplied', () => {
    expect(errorOf('RETURN $x', { parameters: [] }).detail).toBe('MissingParameter');
    expect(() => compile('RETURN $x', { parameters: ['x'] })).not.toThrow();
  });
});
