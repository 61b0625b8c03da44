/**
 * serializeQueryResult: the cached column list and the constant for unchanged stats give
 * the same JSON as serializing the result object directly.
 */
import { describe, expect, it } from 'vitest';
import { serializeQueryResult } from '../../src/engine/json-values.js';
import { emptyStats } from '../../src/engine/values.js';

describe('serializeQueryResult', () => {
  it('matches JSON.stringify for empty and non-empty stats, reusing a column array', () => {
    const columns = ['a', 'b "quoted"'];
    const stats = emptyStats();
    const first = serializeQueryResult(columns, [[1n, 'x']], 0.5, stats);
    expect(JSON.parse(first)).toEqual({
      columns,
      rows: [[1, 'x']],
      execution_time_ms: 1,
      execution_time_ms_precise: 0.5,
      stats: emptyStats(),
    });
    expect(first).toContain(`"stats":${JSON.stringify(emptyStats())}}`);

    const changed = { ...emptyStats(), nodesCreated: 2, propertiesSet: 3 };
    const second = serializeQueryResult(columns, [], 1, changed);
    expect(second).toBe(
      `{"columns":${JSON.stringify(columns)},"rows":[],"execution_time_ms":1,"execution_time_ms_precise":1,"stats":${JSON.stringify(changed)}}`,
    );
    // Stats with one counter changed after creation are not mistaken for empty ones.
    const later = emptyStats();
    later.indexesRemoved = 1;
    expect(JSON.parse(serializeQueryResult(columns, [], 1, later)).stats.indexesRemoved).toBe(1);
  });
});
