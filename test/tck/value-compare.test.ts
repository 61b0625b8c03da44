import { describe, expect, it } from 'vitest';
import { Node, Path, Relationship, type Value } from '../../src/engine/values.js';
import { canonicalTck, canonicalValue, renderValue, tckToValue } from '../../tools/tck/value-compare.js';
import { TckFormatError, parseTckValue } from '../../tools/tck/tck-value.js';

function same(actual: Value, expected: string, unorderedLists = false): boolean {
  return (
    canonicalValue(actual, { unorderedLists }) === canonicalTck(parseTckValue(expected), { unorderedLists })
  );
}

const a = new Node(7, ['B', 'A'], new Map<string, Value>([['name', 'x']]));
const b = new Node(9, [], new Map<string, Value>([['num', 2n]]));
const t = new Relationship(3, 'T', 7, 9, new Map<string, Value>([['w', 1.5]]));

describe('value comparison', () => {
  it('keeps integers and floats distinct', () => {
    expect(same(1n, '1')).toBe(true);
    expect(same(1, '1.0')).toBe(true);
    expect(same(1n, '1.0')).toBe(false);
    expect(same(1, '1')).toBe(false);
  });

  it('matches floats by value, NaN with NaN, and -0.0 with 0.0', () => {
    expect(same(3985764.3405892686, '3985764.3405892686')).toBe(true);
    expect(same(0.1 + 0.2, '0.3')).toBe(false);
    expect(same(Number.NaN, 'NaN')).toBe(true);
    expect(same(-0, '0.0')).toBe(true);
    expect(same(Infinity, 'Inf')).toBe(true);
    expect(same(-Infinity, 'Inf')).toBe(false);
  });

  it('compares strings, null and booleans exactly', () => {
    expect(same("it's", "'it\\'s'")).toBe(true);
    expect(same('1', '1')).toBe(false);
    expect(same(null, 'null')).toBe(true);
    expect(same(false, 'false')).toBe(true);
    expect(same(null, "'null'")).toBe(false);
  });

  it('compares nodes by label set and properties, ignoring ids', () => {
    expect(same(a, "(:A:B {name: 'x'})")).toBe(true);
    expect(same(a, "(:B:A {name: 'x'})")).toBe(true);
    expect(same(a, "(:A {name: 'x'})")).toBe(false);
    expect(same(a, "(:A:B {name: 'y'})")).toBe(false);
    expect(same(b, '({num: 2})')).toBe(true);
    expect(same(b, '()')).toBe(false);
  });

  it('compares relationships and paths including direction', () => {
    expect(same(t, '[:T {w: 1.5}]')).toBe(true);
    expect(same(t, '[:U {w: 1.5}]')).toBe(false);
    const forward = new Path([a, b], [t]);
    expect(same(forward, "<(:A:B {name: 'x'})-[:T {w: 1.5}]->({num: 2})>")).toBe(true);
    expect(same(forward, "<(:A:B {name: 'x'})<-[:T {w: 1.5}]-({num: 2})>")).toBe(false);
    const backward = new Path([b, a], [t]);
    expect(same(backward, "<({num: 2})<-[:T {w: 1.5}]-(:A:B {name: 'x'})>")).toBe(true);
    expect(same(new Path([b], []), '<({num: 2})>')).toBe(true);
  });

  it('compares maps regardless of key order, lists in order unless told otherwise', () => {
    const m = new Map<string, Value>([
      ['b', 1n],
      ['a', [1n, 2n]],
    ]);
    expect(same(m, '{a: [1, 2], b: 1}')).toBe(true);
    expect(same(m, '{a: [2, 1], b: 1}')).toBe(false);
    expect(same(m, '{a: [2, 1], b: 1}', true)).toBe(true);
    expect(same(m, '{a: [1, 2]}')).toBe(false);
    expect(same(new Map<string, Value>([['k', null]]), '{k: null}')).toBe(true);
    expect(same([1n, 'x'], "['x', 1]")).toBe(false);
    expect(same([1n, 'x'], "['x', 1]", true)).toBe(true);
    expect(same([1n, 1n, 2n], '[1, 2, 2]', true)).toBe(false);
    expect(same([], '[]')).toBe(true);
    expect(same([], '{}')).toBe(false);
  });

  it('compares values with their own toString (e.g. temporals) as their string form', () => {
    class FakeDate {
      constructor(readonly iso: string) {}
      toString(): string {
        return this.iso;
      }
    }
    const d = new FakeDate('1984-10-11') as unknown as Value;
    expect(same(d, "'1984-10-11'")).toBe(true);
    expect(same(d, "'1984-10-12'")).toBe(false);
    expect(renderValue(d)).toBe("'1984-10-11'");
  });

  it('converts TCK values to engine values for parameters', () => {
    expect(tckToValue(parseTckValue("[1, 2.5, 'x', null, {k: true}]"))).toEqual([
      1n,
      2.5,
      'x',
      null,
      new Map([['k', true]]),
    ]);
    expect(() => tckToValue(parseTckValue('(:A)'))).toThrow(TckFormatError);
  });

  it('renders engine values in TCK notation', () => {
    expect(renderValue(a)).toBe("(:B:A {name: 'x'})");
    expect(renderValue(new Path([a, b], [t]))).toBe("<(:B:A {name: 'x'})-[:T {w: 1.5}]->({num: 2})>");
    expect(renderValue([1n, 2, 'q', null, Number.NaN])).toBe("[1, 2.0, 'q', null, NaN]");
    expect(renderValue(new Map<string, Value>([['k', -Infinity]]))).toBe('{k: -Inf}');
  });
});
