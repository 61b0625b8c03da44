/**
 * The scripted answers of the fake database for the fixture features, and an
 * `openDatabase` export so the runner's child-process workers can load the same fake.
 */
import { CypherError } from '../../src/cypher/errors.js';
import type { OpenDatabase } from '../../tools/tck/scenario-runner.js';
import { FakeDatabase, result, type FakeScript } from './fake-database.js';

/** Answers the handful of queries the fixture features use. */
export const fixtureScript: FakeScript = (query, params, graph, db) => {
  const q = query.trim();
  if (q === 'RETURN 1 AS x') return result(['x'], [[1n]]);
  if (q === 'RETURN 2 AS x') return result(['x'], [[2n]]);
  if (q === 'RETURN $p AS p') return result(['p'], [[params.p ?? null]]);
  if (q === 'BAD SYNTAX') throw new CypherError('SyntaxError', 'UnexpectedSyntax', 'bad');
  if (q === 'CREATE (:L {p: 1})') {
    graph.nodes.set(graph.nextId++, { labels: ['L'], properties: new Map([['p', 1n]]) });
    return result([]);
  }
  if (q === 'ROWS') {
    return result(
      ['n', 'l'],
      [
        [1n, [1n, 2n]],
        [2n, []],
      ],
    );
  }
  if (q === 'CRASH') throw new Error('boom');
  if (q === 'HANG') return new Promise(() => undefined);
  if (q === 'SPIN') for (;;) graph.nextId++;
  if (q === 'DIE') process.exit(3);
  if (q.startsWith("CREATE (:A {name: 'a'})")) {
    graph.nodes.set(graph.nextId++, { labels: ['A'], properties: new Map([['name', 'a']]) });
    graph.nodes.set(graph.nextId++, { labels: ['B'], properties: new Map([['name', 'b']]) });
    return result([]);
  }
  if (q === 'COUNT') {
    const ok = db.procedures.length === 1 && db.procedures[0]?.name === 'test.my.proc';
    return result(['count'], [[ok ? BigInt(graph.nodes.size) : -1n]]);
  }
  throw new CypherError('SyntaxError', 'UnexpectedSyntax', `fake does not know ${q}`);
};

export const openDatabase: OpenDatabase = async (path) => new FakeDatabase(path, fixtureScript);
