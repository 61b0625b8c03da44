import { describe, expect, it } from 'vitest';
import {
  functionSignatures,
  isAggregateFunctionName,
  lookupFunction,
  registerFunctionSignature,
} from '../../src/cypher/function-names.js';
import { parse } from '../../src/cypher/index.js';
import { errorOf } from './helpers.js';

describe('function catalogue', () => {
  it('looks names up case-insensitively and returns the canonical spelling', () => {
    expect(lookupFunction('TOUPPER')?.name).toBe('toUpper');
    expect(lookupFunction('date.TRUNCATE')?.name).toBe('date.truncate');
    expect(lookupFunction('nope')).toBeUndefined();
  });

  it('knows the aggregates', () => {
    for (const name of [
      'count',
      'sum',
      'avg',
      'min',
      'max',
      'collect',
      'stDev',
      'stDevP',
      'percentileCont',
      'percentileDisc',
    ]) {
      expect(isAggregateFunctionName(name)).toBe(true);
    }
    expect(isAggregateFunctionName('size')).toBe(false);
  });

  it('covers the functions the openCypher TCK calls', () => {
    const used = [
      'abs',
      'avg',
      'coalesce',
      'collect',
      'count',
      'date',
      'datetime',
      'duration',
      'duration.between',
      'duration.inDays',
      'duration.inMonths',
      'duration.inSeconds',
      'head',
      'keys',
      'labels',
      'last',
      'length',
      'localdatetime',
      'localtime',
      'max',
      'min',
      'nodes',
      'percentileCont',
      'percentileDisc',
      'properties',
      'rand',
      'range',
      'relationships',
      'reverse',
      'sign',
      'size',
      'split',
      'sqrt',
      'substring',
      'sum',
      'tail',
      'time',
      'toFloat',
      'toInteger',
      'toString',
      'type',
      'date.truncate',
      'datetime.truncate',
      'localdatetime.truncate',
      'localtime.truncate',
      'time.truncate',
      'toBoolean',
      'id',
      'startNode',
      'endNode',
      'toLower',
      'toUpper',
      'trim',
      'replace',
      'left',
      'right',
      'round',
      'floor',
      'ceil',
      'exists',
      'timestamp',
    ];
    for (const name of used) expect(lookupFunction(name), name).toBeDefined();
  });

  it('has consistent arities', () => {
    for (const signature of functionSignatures()) {
      expect(signature.minArgs).toBeLessThanOrEqual(signature.maxArgs);
    }
  });

  it('accepts registered extra functions in analysis', () => {
    expect(errorOf('RETURN my.custom(1)').detail).toBe('UnknownFunction');
    registerFunctionSignature({
      name: 'my.custom',
      minArgs: 1,
      maxArgs: 1,
      aggregate: false,
      nondeterministic: false,
      argMasks: [],
      returns: 'first',
    });
    expect(() => parse('RETURN my.custom(1)')).not.toThrow();
    expect(errorOf('RETURN my.custom()').detail).toBe('InvalidNumberOfArguments');
  });
});
