import { describe, expect, it } from 'vitest';
import { TckFormatError, parseTckValue } from '../../tools/tck/tck-value.js';

describe('parseTckValue', () => {
  it('parses scalars, keeping integers and floats apart', () => {
    expect(parseTckValue('null')).toEqual({ kind: 'null' });
    expect(parseTckValue('true')).toEqual({ kind: 'boolean', value: true });
    expect(parseTckValue(' false ')).toEqual({ kind: 'boolean', value: false });
    expect(parseTckValue('42')).toEqual({ kind: 'integer', value: 42n });
    expect(parseTckValue('-9223372036854775808')).toEqual({ kind: 'integer', value: -9223372036854775808n });
    expect(parseTckValue('1.0')).toEqual({ kind: 'float', value: 1 });
    expect(parseTckValue('-0.5')).toEqual({ kind: 'float', value: -0.5 });
    expect(parseTckValue('1e3')).toEqual({ kind: 'float', value: 1000 });
    expect(parseTckValue('-1.2635418652381264e305')).toEqual({
      kind: 'float',
      value: -1.2635418652381264e305,
    });
    expect(parseTckValue('.5')).toEqual({ kind: 'float', value: 0.5 });
    expect(parseTckValue('0x1F')).toEqual({ kind: 'integer', value: 31n });
  });

  it('parses the IEEE special values', () => {
    const nan = parseTckValue('NaN');
    expect(nan.kind).toBe('float');
    expect(nan.kind === 'float' && Number.isNaN(nan.value)).toBe(true);
    expect(parseTckValue('Inf')).toEqual({ kind: 'float', value: Infinity });
    expect(parseTckValue('-Inf')).toEqual({ kind: 'float', value: -Infinity });
    expect(parseTckValue('Infinity')).toEqual({ kind: 'float', value: Infinity });
  });

  it('unescapes quotes and backslashes in strings, keeps other backslashes', () => {
    expect(parseTckValue("'it\\'s'")).toEqual({ kind: 'string', value: "it's" });
    expect(parseTckValue("'a\\\\b'")).toEqual({ kind: 'string', value: 'a\\b' });
    expect(parseTckValue("'\\''")).toEqual({ kind: 'string', value: "'" });
    expect(parseTckValue("'x\\ny'")).toEqual({ kind: 'string', value: 'x\\ny' });
    expect(parseTckValue("''")).toEqual({ kind: 'string', value: '' });
    expect(parseTckValue("'a, [b]: {c}'")).toEqual({ kind: 'string', value: 'a, [b]: {c}' });
  });

  it('parses nested lists and maps, including backquoted keys', () => {
    expect(parseTckValue("[1, [2.0, 'x'], []]")).toEqual({
      kind: 'list',
      items: [
        { kind: 'integer', value: 1n },
        {
          kind: 'list',
          items: [
            { kind: 'float', value: 2 },
            { kind: 'string', value: 'x' },
          ],
        },
        { kind: 'list', items: [] },
      ],
    });
    const m = parseTckValue("{name: 'a', `k 2`: null, ``: [1]}");
    expect(m.kind).toBe('map');
    if (m.kind !== 'map') return;
    expect([...m.entries.keys()]).toEqual(['name', 'k 2', '']);
    expect(m.entries.get('name')).toEqual({ kind: 'string', value: 'a' });
    expect(parseTckValue('{}')).toEqual({ kind: 'map', entries: new Map() });
  });

  it('parses nodes and relationships', () => {
    expect(parseTckValue('()')).toEqual({ kind: 'node', labels: [], properties: new Map() });
    expect(parseTckValue("(:A:B {name: 'x', n: 1})")).toEqual({
      kind: 'node',
      labels: ['A', 'B'],
      properties: new Map([
        ['name', { kind: 'string', value: 'x' }],
        ['n', { kind: 'integer', value: 1n }],
      ]),
    });
    expect(parseTckValue('({num: 1})')).toEqual({
      kind: 'node',
      labels: [],
      properties: new Map([['num', { kind: 'integer', value: 1n }]]),
    });
    expect(parseTckValue('[:T {w: 2}]')).toEqual({
      kind: 'relationship',
      type: 'T',
      properties: new Map([['w', { kind: 'integer', value: 2n }]]),
    });
    expect(parseTckValue('[:`odd type`]')).toEqual({
      kind: 'relationship',
      type: 'odd type',
      properties: new Map(),
    });
  });

  it('parses paths in both directions', () => {
    const p = parseTckValue('<(:A)-[:T]->(:B)<-[:U {x: 1}]-()>');
    expect(p.kind).toBe('path');
    if (p.kind !== 'path') return;
    expect(p.start.labels).toEqual(['A']);
    expect(p.steps.map((s) => [s.relationship.type, s.direction, s.node.labels])).toEqual([
      ['T', 'out', ['B']],
      ['U', 'in', []],
    ]);
    expect(parseTckValue('<()>')).toEqual({
      kind: 'path',
      start: { kind: 'node', labels: [], properties: new Map() },
      steps: [],
    });
    expect(parseTckValue('[<(:A)-[:T]->(:B)>]').kind).toBe('list');
  });

  it('rejects malformed notation with TckFormatError', () => {
    for (const bad of ['', "'open", '[1, 2', '{a 1}', '(:A', '1 2', 'nul', '<(:A)-[:T]-(:B)>', '{a: }']) {
      expect(() => parseTckValue(bad), bad).toThrow(TckFormatError);
    }
  });
});
