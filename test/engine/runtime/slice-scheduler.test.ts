/**
 * The slice scheduler: one read slice per event-loop turn, namespaces round-robin, and a
 * short read in one namespace is not held up by heavy reads in another.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SliceScheduler } from '../../../src/engine/runtime/slice-scheduler.js';
import { openTestDb, type TestDb } from '../support/test-db.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('SliceScheduler', () => {
  it('resumes one waiting slice per event-loop turn', async () => {
    const s = new SliceScheduler();
    const resumed: number[] = [];
    const all = [0, 1, 2].map((i) => s.yield('a').then(() => resumed.push(i)));
    expect(s.waiting).toBe(3);
    await nextTurn();
    expect(resumed).toEqual([0]);
    await nextTurn();
    expect(resumed).toEqual([0, 1]);
    await Promise.all(all);
    expect(resumed).toEqual([0, 1, 2]);
    expect(s.waiting).toBe(0);
  });

  it('takes namespaces round-robin, FIFO within a namespace', async () => {
    const s = new SliceScheduler();
    const order: string[] = [];
    const waits = [
      s.yield('noisy').then(() => order.push('noisy-1')),
      s.yield('noisy').then(() => order.push('noisy-2')),
      s.yield('noisy').then(() => order.push('noisy-3')),
      s.yield('quiet').then(() => order.push('quiet-1')),
      s.yield('other').then(() => order.push('other-1')),
    ];
    await Promise.all(waits);
    expect(order).toEqual(['noisy-1', 'quiet-1', 'other-1', 'noisy-2', 'noisy-3']);
  });
});

describe('noisy neighbour', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb();
    await t.db.execute(
      'UNWIND range(1, 40000) AS i CREATE (:P {i: i, g: i % 50})',
      {},
      { namespace: 'noisy' },
    );
    await t.db.execute('CREATE (:P {i: 1})', {}, { namespace: 'quiet' });
  }, 60_000);
  afterAll(async () => {
    await t.close();
  });

  it('heavy scans get one slice per event-loop turn between them, so short requests interleave', async () => {
    // Count resumed slices; a probe re-armed every turn sees how many ran between its turns.
    const original = SliceScheduler.prototype.yield;
    let resumed = 0;
    const spy = vi.spyOn(SliceScheduler.prototype, 'yield').mockImplementation(function (
      this: SliceScheduler,
      namespace: string,
    ) {
      return original.call(this, namespace).then(() => {
        resumed++;
      });
    });
    try {
      const heavy = 'MATCH (p:P) RETURN p.g AS g, count(*) AS n, collect(p.i)[0] AS s ORDER BY g';
      let running = true;
      const perTurn: number[] = [];
      let seen = 0;
      const probe = (): void => {
        perTurn.push(resumed - seen);
        seen = resumed;
        if (running) setImmediate(probe);
      };
      setImmediate(probe);
      const scans = Array.from({ length: 4 }, () => t.db.execute(heavy, {}, { namespace: 'noisy' }));
      // A short read in another namespace, issued while the scans run, is answered before them.
      let pointDone = false;
      let scansDoneFirst = 0;
      void Promise.all(scans).then(() => {
        if (!pointDone) scansDoneFirst = 1;
      });
      await new Promise((resolve) => setTimeout(resolve, 1));
      const point = await t.db.execute('MATCH (p:P {i: 1}) RETURN p.i AS i', {}, { namespace: 'quiet' });
      pointDone = true;
      expect(point.rows).toEqual([[1n]]);
      const results = await Promise.all(scans);
      running = false;
      for (const r of results) expect(r.rows).toHaveLength(50);
      expect(scansDoneFirst).toBe(0);
      // The scans did yield many times, and never more than one slice ran per turn.
      expect(resumed).toBeGreaterThan(8);
      expect(Math.max(...perTurn)).toBeLessThanOrEqual(1);
    } finally {
      spy.mockRestore();
    }
  }, 60_000);
});
