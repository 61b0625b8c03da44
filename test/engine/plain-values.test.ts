import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Nexus, jsonParams, resultToPlainJson, toPlainJson } from '../../src/index.js';

describe('embedded API: plain JS values', () => {
  let dir: string;
  let db: Nexus;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nexus-plain-'));
    db = await Nexus.open({ path: dir });
  });
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts plain objects and arrays as maps and lists, at any depth', async () => {
    const r = await db.execute('UNWIND $rows AS r RETURN r.id, r.tags[1], r.nested.deep, r.missing', {
      rows: [
        { id: 1n, tags: ['a', 'b'], nested: { deep: [{ x: true }] } },
        { id: 2n, tags: [] },
      ],
    });
    expect(r.rows).toEqual([
      [1n, 'b', [new Map([['x', true]])], null],
      [2n, null, null, null],
    ]);
    const m = await db.execute('RETURN $m.a AS a, keys($m) AS k, $u IS NULL AS u', {
      m: JSON.parse('{"a": "x", "__proto__": 1}') as Record<string, number | string>,
      u: undefined,
    });
    expect(m.rows).toEqual([['x', ['a', '__proto__'], true]]);
  });

  it('keeps the number rule: number is FLOAT, bigint is INTEGER, both ways', async () => {
    const r = await db.execute('RETURN $a AS a, $b AS b, toInteger($a) = $b AS same, $a + 1 AS f', {
      a: 1,
      b: 1n,
    });
    expect(r.rows).toEqual([[1, 1n, true, 2]]);
    const types = await db.execute(
      'UNWIND $rows AS r RETURN r.n = toInteger(r.n) AS integral, toString(r.n) AS s',
      {
        rows: [{ n: 1 }, { n: 1n }, { n: 2.5 }],
      },
    );
    expect(types.rows).toEqual([
      [true, '1.0'],
      [true, '1'],
      [false, '2.5'],
    ]);
    // jsonParams applies the HTTP JSON scheme: integral numbers are INTEGERs, escapes decode.
    const j = await db.execute(
      'RETURN $x AS x, $y AS y, $z AS z, $w.v AS v',
      jsonParams({
        x: 1,
        y: 2.5,
        z: { $int: '9223372036854775807' },
        w: { v: 3 },
      }),
    );
    expect(j.rows).toEqual([[1n, 2.5, 9223372036854775807n, 3n]]);
  });

  it('refuses values that are not Cypher values with a clear error', async () => {
    await expect(db.execute('RETURN $d', { d: new Date() as never })).rejects.toMatchObject({
      code: 'INVALID_PARAMETER',
      message: expect.stringMatching(/\$d: an object of class Date/),
    });
    await expect(db.execute('RETURN $f', { f: { g: (() => 1) as never } })).rejects.toThrow(
      /\$f\.g: a function/,
    );
  });

  it('gives results as plain JSON in the lossless scheme', async () => {
    await db.execute('CREATE (:P {name: "a", n: 1, f: 1.0, big: 9007199254740993})-[:R {w: 0.5}]->(:P)');
    const r = await db.execute(
      'MATCH p = (a:P {name: "a"})-[r]->(b) RETURN a, r, a.f AS f, a.big AS big, [1, 2.0] AS l, p',
    );
    const plain = resultToPlainJson(r);
    const text = JSON.stringify(plain);
    const back = JSON.parse(text) as typeof plain;
    expect(back.columns).toEqual(['a', 'r', 'f', 'big', 'l', 'p']);
    const [a, rel, f, big, l, p] = back.rows[0]!;
    expect(a).toMatchObject({ labels: ['P'], properties: { name: 'a', n: 1, f: { $float: '1.0' } } });
    expect(rel).toMatchObject({ type: 'R', properties: { w: 0.5 } });
    expect(f).toEqual({ $float: '1.0' });
    expect(big).toEqual({ $int: '9007199254740993' });
    expect(l).toEqual([1, { $float: '2.0' }]);
    expect(p).toMatchObject({
      nodes: [{ labels: ['P'] }, { labels: ['P'] }],
      relationships: [{ type: 'R' }],
    });
    // Round trip: the plain form read back under the JSON scheme gives the same values.
    expect(jsonParams({ v: toPlainJson(9007199254740993n), f: toPlainJson(1) })).toEqual({
      v: 9007199254740993n,
      f: 1,
    });
  });
});
