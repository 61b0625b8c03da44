import { describe, expect, it } from 'vitest';
import {
  compareSideEffects,
  diffSnapshots,
  parseSideEffectsTable,
  takeSnapshot,
  zeroSideEffects,
} from '../../tools/tck/side-effects.js';
import { TckFormatError } from '../../tools/tck/tck-value.js';
import { FakeDatabase, result } from './fake-database.js';

function db(): FakeDatabase {
  return new FakeDatabase('/nowhere', () => result([]));
}

describe('side effects', () => {
  it('counts nodes and relationships by id', () => {
    const d = db();
    d.graph.nodes.set(0, { labels: [], properties: new Map() });
    d.graph.nodes.set(1, { labels: [], properties: new Map() });
    d.graph.rels.set(0, { type: 'T', start: 0, end: 1, properties: new Map() });
    const before = takeSnapshot(d.namespace('default'));
    d.graph.nodes.delete(1);
    d.graph.rels.delete(0);
    d.graph.nodes.set(2, { labels: [], properties: new Map() });
    d.graph.nodes.set(3, { labels: [], properties: new Map() });
    const effects = diffSnapshots(before, takeSnapshot(d.namespace('default')));
    expect(effects).toEqual({ ...zeroSideEffects(), '+nodes': 2, '-nodes': 1, '-relationships': 1 });
  });

  it('counts distinct labels in the graph, not node/label pairs', () => {
    const d = db();
    d.graph.nodes.set(0, { labels: ['N'], properties: new Map() });
    d.graph.nodes.set(1, { labels: ['N'], properties: new Map() });
    const before = takeSnapshot(d.namespace('default'));
    d.graph.nodes.set(2, { labels: ['N', 'M'], properties: new Map() });
    d.graph.nodes.get(0)?.labels.splice(0);
    let effects = diffSnapshots(before, takeSnapshot(d.namespace('default')));
    expect(effects['+labels']).toBe(1);
    expect(effects['-labels']).toBe(0);
    const mid = takeSnapshot(d.namespace('default'));
    d.graph.nodes.get(1)?.labels.splice(0);
    d.graph.nodes.get(2)?.labels.splice(0);
    effects = diffSnapshots(mid, takeSnapshot(d.namespace('default')));
    expect(effects['-labels']).toBe(2);
  });

  it('counts a changed property value as one removal and one addition', () => {
    const d = db();
    d.graph.nodes.set(0, { labels: [], properties: new Map([['p', 1n]]) });
    d.graph.rels.set(0, { type: 'T', start: 0, end: 0, properties: new Map([['p', 1n]]) });
    const before = takeSnapshot(d.namespace('default'));
    d.graph.nodes.get(0)?.properties.set('p', 1); // 1 (integer) -> 1.0 (float) is a change
    d.graph.nodes.get(0)?.properties.set('q', 'new');
    d.graph.rels.get(0)?.properties.set('p', 1n); // same value: no effect
    const effects = diffSnapshots(before, takeSnapshot(d.namespace('default')));
    expect(effects['+properties']).toBe(2);
    expect(effects['-properties']).toBe(1);
  });

  it('parses and compares side effect tables', () => {
    const expected = parseSideEffectsTable([
      ['+nodes', '1'],
      ['+properties', ' 2 '],
    ]);
    expect(expected).toEqual({ ...zeroSideEffects(), '+nodes': 1, '+properties': 2 });
    expect(compareSideEffects(expected, expected)).toEqual([]);
    expect(compareSideEffects(expected, { ...expected, '-labels': 1 })).toEqual(['-labels expected 0 got 1']);
    expect(() => parseSideEffectsTable([['+widgets', '1']])).toThrow(TckFormatError);
    expect(() => parseSideEffectsTable([['+nodes', 'x']])).toThrow(TckFormatError);
  });
});
