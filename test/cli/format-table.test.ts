import { describe, expect, it } from 'vitest';
import { formatTable, formatValue } from '../../src/cli/format-table.js';
import { emptyStats, Node, Path, Relationship } from '../../src/engine/values.js';

describe('formatValue', () => {
  it('shows each Cypher type distinctly', () => {
    expect(formatValue(null)).toBe('null');
    expect(formatValue(42n)).toBe('42');
    expect(formatValue(1)).toBe('1.0');
    expect(formatValue(2.5)).toBe('2.5');
    expect(formatValue(1e300)).toBe('1e+300');
    expect(formatValue(NaN)).toBe('NaN');
    expect(formatValue(-Infinity)).toBe('-Infinity');
    expect(formatValue("it's")).toBe("'it\\'s'");
    expect(formatValue(true)).toBe('true');
    expect(formatValue([1n, 'a'])).toBe("[1, 'a']");
    expect(formatValue(new Map([['k', 1n]]))).toBe('{k: 1}');
  });

  it('draws nodes, relationships and paths in pattern syntax', () => {
    const a = new Node(0, ['A'], new Map([['x', 1n]]));
    const b = new Node(1, [], new Map());
    const out = new Relationship(5, 'R', 0, 1, new Map());
    const back = new Relationship(6, 'S', 0, 1, new Map([['w', 2n]]));
    expect(formatValue(a)).toBe('(:A {x: 1})');
    expect(formatValue(b)).toBe('()');
    expect(formatValue(out)).toBe('[:R]');
    expect(formatValue(new Path([a, b], [out]))).toBe('<(:A {x: 1})-[:R]->()>');
    expect(formatValue(new Path([b, a], [back]))).toBe('<()<-[:S {w: 2}]-(:A {x: 1})>');
  });
});

describe('formatTable', () => {
  it('aligns columns and counts rows', () => {
    const text = formatTable({
      columns: ['name', 'n'],
      rows: [
        ['Ada', 1n],
        ['Charles', 22n],
      ],
      stats: emptyStats(),
    });
    expect(text.split('\n')).toEqual([
      '+-----------+----+',
      '| name      | n  |',
      '+-----------+----+',
      "| 'Ada'     | 1  |",
      "| 'Charles' | 22 |",
      '+-----------+----+',
      '2 rows',
    ]);
  });

  it('reports changes when there are no columns', () => {
    const stats = { ...emptyStats(), nodesCreated: 2, labelsAdded: 2 };
    expect(formatTable({ columns: [], rows: [], stats })).toBe('0 rows\nnodesCreated: 2, labelsAdded: 2');
  });
});
