/**
 * Deterministic fuzz inputs for the e2e fuzz suite: a seeded PRNG, a corpus of real
 * Cypher taken from the openCypher TCK features, Cypher mutators (truncate, swap tokens,
 * junk, huge numbers, deep nesting) and hostile JSON values (wrong types, huge strings,
 * deep nesting, prototype-pollution keys). Same seed, same inputs, every run.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** mulberry32: tiny, fast and good enough to pick fuzz cases reproducibly. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

export const TCK_FEATURES = '/work/shared/tck/features';

function featureFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return featureFiles(path);
      return name.endsWith('.feature') ? [path] : [];
    });
}

/** Every docstring query of the TCK features (setup and tested queries alike), in file order. */
export function loadTckQueries(dir = TCK_FEATURES): string[] {
  const out: string[] = [];
  for (const file of featureFiles(dir)) {
    const parts = readFileSync(file, 'utf8').split('"""');
    for (let i = 1; i < parts.length; i += 2) {
      const text = parts[i]!.split('\n')
        .map((l) => l.trim())
        .filter((l) => l.length > 0)
        .join('\n');
      if (/\b(MATCH|RETURN|CREATE|UNWIND|WITH|MERGE|CALL|DELETE|SET)\b/i.test(text)) out.push(text);
    }
  }
  return out;
}

const JUNK = [
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  "'",
  '"',
  '`',
  '\\',
  '\u0000',
  '\uD800',
  '😀',
  'MATCH',
  'RETURN',
  'DETACH DELETE n',
  ',',
  '-->',
  '<-[*]-',
  '*',
  '$x',
  '$__proto__',
  '/*',
  '//',
  ';',
  'NULL',
  'NaN',
  '0x',
  '1e999',
  'CALL db.labels()',
  'UNION',
  '|',
  ':',
  '..',
  '.',
  '= =',
];

const HUGE_NUMBERS = [
  '9223372036854775807',
  '9223372036854775808',
  '-9223372036854775809',
  '99999999999999999999999999999999999999',
  '1e309',
  '-1e309',
  '0.0000000000000000000000000000001e-400',
  '0x7FFFFFFFFFFFFFFFF',
  '0o777777777777777777777777',
  '4294967296',
];

function tokens(query: string): string[] {
  return query.split(/(\s+|[()[\]{},.:;])/).filter((t) => t.length > 0);
}

function nest(rng: Rng, depth: number): string {
  const kind = rng.int(5);
  if (kind === 0) return `RETURN ${'('.repeat(depth)}1${')'.repeat(depth)}`;
  if (kind === 1) return `RETURN ${'['.repeat(depth)}1${']'.repeat(depth)}`;
  if (kind === 2) return `RETURN ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}`;
  if (kind === 3) return `RETURN ${Array.from({ length: depth }, () => 'NOT ').join('')}true`;
  return `RETURN ${Array.from({ length: depth }, (_, i) => `${i} +`).join(' ')} 0`;
}

/** Expensive on purpose: the query timeout / row cap must bound them. */
export const EXPENSIVE_QUERIES = [
  'UNWIND range(1, 100000000) AS x RETURN count(x)',
  'MATCH (a), (b), (c), (d), (e) RETURN count(*)',
  'MATCH p = (a)-[*]-(b) RETURN count(p)',
  'UNWIND range(1, 3000) AS x UNWIND range(1, 3000) AS y RETURN count(*)',
  "RETURN reduce(s = '', x IN range(1, 1000000) | s + 'x') AS s",
  'WITH range(1, 1000000) AS l UNWIND l AS a RETURN collect(a)[0]',
];

/** One mutated Cypher query. */
export function mutateQuery(rng: Rng, corpus: readonly string[]): string {
  const base = rng.pick(corpus);
  const op = rng.int(10);
  const t = tokens(base);
  switch (op) {
    case 0:
      return base;
    case 1:
      return base.slice(0, rng.int(base.length + 1));
    case 2: {
      if (t.length < 2) return base;
      const i = rng.int(t.length);
      const j = rng.int(t.length);
      [t[i], t[j]] = [t[j]!, t[i]!];
      return t.join('');
    }
    case 3: {
      const at = rng.int(t.length + 1);
      t.splice(at, 0, ` ${rng.pick(JUNK)} `);
      return t.join('');
    }
    case 4:
      return base.replace(/\d+/g, () => (rng.chance(0.5) ? rng.pick(HUGE_NUMBERS) : String(rng.int(10))));
    case 5:
      return nest(rng, rng.pick([50, 300, 2000, 10_000]));
    case 6:
      return `${base}\n${rng.pick(corpus)}`;
    case 7:
      return t.filter(() => rng.chance(0.8)).join('');
    case 8:
      return `RETURN '${'x'.repeat(rng.pick([10, 10_000, 200_000]))}' AS s`;
    default:
      return rng.pick(EXPENSIVE_QUERIES);
  }
}

/** A JSON value nested `depth` levels deep, as text (so it need not exist as an object here). */
export function deepJson(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array'
    ? `${'['.repeat(depth)}1${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** A hostile JSON value: wrong types, huge strings, escapes, pollution keys. Returned as JSON text. */
export function hostileValue(rng: Rng): string {
  switch (rng.int(14)) {
    case 0:
      return 'null';
    case 1:
      return String(rng.pick([0, -1, 1.5, 1e308, -0]));
    case 2:
      return rng.pick(HUGE_NUMBERS.filter((n) => /^-?\d+$/.test(n)));
    case 3:
      return JSON.stringify('s'.repeat(rng.pick([0, 1, 1024, 100_000])));
    case 4:
      return '"\\ud800\\udfff\\u0000\\uffff"';
    case 5:
      return '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}';
    case 6:
      return deepJson(rng.pick([10, 1000, 20_000]), rng.chance(0.5) ? 'array' : 'object');
    case 7:
      return '[1,"a",true,null,{"x":[]}]';
    case 8:
      return '{"$int":"not-a-number"}';
    case 9:
      return '{"$float":"1e99999"}';
    case 10:
      return 'true';
    case 11:
      return `[${Array.from({ length: 200 }, (_, i) => i).join(',')}]`;
    case 12:
      return '{"prototype":{"toString":"x"},"hasOwnProperty":1,"valueOf":{}}';
    default:
      return '{}';
  }
}

/** A body for `route`: its natural shape with a few fields replaced by hostile values. */
export function mutatedBody(rng: Rng, pattern: string): string {
  const h = (): string => hostileValue(rng);
  const either = (good: string): string => (rng.chance(0.5) ? good : h());
  switch (pattern) {
    case '/cypher':
      return `{"query":${either('"RETURN $p AS p"')},"params":${either(`{"p":${h()},"__proto__":{"polluted":"yes"}}`)}}`;
    case '/data/nodes':
    case '/data/nodes/:id':
      return `{"labels":${either('["L"]')},"properties":${either(`{"k":${h()},"__proto__":${h()}}`)}}`;
    case '/data/relationships':
      return `{"src":${either('0')},"dst":${either('1')},"type":${either('"R"')},"properties":${either(`{"k":${h()}}`)}}`;
    case '/ingest':
      return (
        `{"nodes":${either(`[{"ref":"a","labels":["L"],"properties":{"k":${h()}}},{"ref":"b","labels":${h()}}]`)},` +
        `"relationships":${either(`[{"src":"a","dst":${either('"b"')},"type":"R","properties":${h()}}]`)}}`
      );
    case '/auth/keys':
    case '/auth/keys/:id':
      return `{"name":${either('"k"')},"permissions":${either('["READ"]')},"allowed_functions":${h()},"user_id":${either('"fuzzer"')}}`;
    case '/mcp':
      return (
        `{"jsonrpc":${either('"2.0"')},"id":${either('1')},"method":${either('"tools/call"')},` +
        `"params":{"name":${either('"execute_cypher"')},"arguments":${either(`{"query":"RETURN 1","params":${h()}}`)}}}`
      );
    default:
      return h();
  }
}

/** Path parameter values an attacker would try. */
export const HOSTILE_IDS = [
  '0',
  '-1',
  '1.5',
  '1e400',
  '9223372036854775808',
  '99999999999999999999999',
  'abc',
  '%00',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '__proto__',
  'constructor',
  "1'%20OR%20'1'='1",
  'x'.repeat(5000),
  '%F0%9F%98%80',
  '%C0%AF',
  '0x10',
];
