import { describe, expect, it } from 'vitest';
import { formatFloat, formatLiteral, formatValue } from '../../../src/engine/functions/index.js';
import { Path } from '../../../src/engine/values.js';
import { map, node, rel } from './fake-context.js';

describe('formatFloat (Java Double.toString style)', () => {
  it('always shows a fraction for plain floats', () => {
    expect(formatFloat(1)).toBe('1.0');
    expect(formatFloat(2.3)).toBe('2.3');
    expect(formatFloat(-4.5)).toBe('-4.5');
    expect(formatFloat(0)).toBe('0.0');
    expect(formatFloat(-0)).toBe('-0.0');
    expect(formatFloat(3985764.3405892686)).toBe('3985764.3405892686');
    expect(formatFloat(0.001)).toBe('0.001');
  });

  it('switches to E notation outside [1e-3, 1e7)', () => {
    expect(formatFloat(1e7)).toBe('1.0E7');
    expect(formatFloat(1.5e10)).toBe('1.5E10');
    expect(formatFloat(1e9)).toBe('1.0E9');
    expect(formatFloat(1.2635418652381264e305)).toBe('1.2635418652381264E305');
    expect(formatFloat(0.0001)).toBe('1.0E-4');
    expect(formatFloat(-1.5e-7)).toBe('-1.5E-7');
  });

  it('names the special values', () => {
    expect(formatFloat(NaN)).toBe('NaN');
    expect(formatFloat(Infinity)).toBe('Infinity');
    expect(formatFloat(-Infinity)).toBe('-Infinity');
  });
});

describe('formatValue / formatLiteral', () => {
  it('renders scalars as toString does', () => {
    expect(formatValue('apa')).toBe('apa');
    expect(formatValue(42n)).toBe('42');
    expect(formatValue(true)).toBe('true');
    expect(formatValue(null)).toBe('null');
    expect(formatValue(2.0)).toBe('2.0');
  });

  it('renders containers and entities as TCK-style literals', () => {
    expect(formatValue([1n, 'a', null, 1.5])).toBe("[1, 'a', null, 1.5]");
    expect(formatValue(map({ k: 1.0, s: "it's" }))).toBe("{k: 1.0, s: 'it\\'s'}");
    expect(formatLiteral('x')).toBe("'x'");
    expect(formatValue(node(1, ['A', 'B'], { name: 'n' }))).toBe("(:A:B {name: 'n'})");
    expect(formatValue(node(1))).toBe('()');
    expect(formatValue(node(1, [], { k: 1n }))).toBe('({k: 1})');
    expect(formatValue(rel(1, 'T', 1, 2, { w: 2n }))).toBe('[:T {w: 2}]');
    const a = node(1, ['A']);
    const b = node(2, ['B']);
    expect(formatValue(new Path([a, b], [rel(5, 'R', 1, 2)]))).toBe('<(:A)-[:R]->(:B)>');
    expect(formatValue(new Path([a, b], [rel(5, 'R', 2, 1)]))).toBe('<(:A)<-[:R]-(:B)>');
  });
});
