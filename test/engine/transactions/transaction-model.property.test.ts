/**
 * Random interleavings of explicit transactions and autocommit statements, checked
 * against a model of the documented rules (docs/TRANSACTIONS.md): statements read the
 * latest committed state plus the transaction's own writes; a transaction conflicts when
 * an entity it wrote changed since it first wrote it (checked at each later statement and
 * at commit); first committer wins. Properties: every read equals the model (no dirty
 * read, read-your-writes), conflicts happen exactly where the model says, no update is
 * lost (each counter equals the number of increments that committed), and the committed
 * state is what a reopened store holds.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExplicitTransaction } from '../../../src/engine/transaction/index.js';
import { openTxDb, type TxDb } from './tx-db.js';

const KEYS = 2;
const SLOTS = 2;

/** One step: `t` is the transaction slot (unused by autocommit steps), `k` the key (unused by begin/commit/rollback). */
interface Op {
  kind: 'begin' | 'commit' | 'rollback' | 'inc' | 'read' | 'autoInc' | 'autoRead';
  t: number;
  k: number;
}

const opArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom('begin', 'commit', 'rollback', 'inc', 'read', 'autoInc', 'autoRead'),
  t: fc.integer({ min: 0, max: SLOTS - 1 }),
  k: fc.integer({ min: 0, max: KEYS - 1 }),
});

interface ModelTx {
  tx: ExplicitTransaction;
  writes: Map<number, number>;
  /** Committed value of each written key when the transaction first wrote it. */
  pre: Map<number, number>;
  /** Increments made (counted into `applied` if the transaction commits). */
  incs: number[];
}

let t: TxDb;
let run = 0;
/** Conflicts seen over all runs (the property must exercise them). */
let conflictsSeen = 0;
/** Final committed values per namespace, checked again after reopening. */
const finals = new Map<string, number[]>();

beforeAll(async () => {
  t = await openTxDb();
});
afterAll(async () => {
  await t.close();
});

async function value(namespace: string, k: number): Promise<number> {
  const r = await t.db.execute('MATCH (n:K {k: $k}) RETURN n.v', { k: BigInt(k) }, { namespace });
  return Number(r.rows[0]![0]);
}

describe('explicit transactions against a model', () => {
  it('random interleavings: no lost update, no dirty read, committed = visible after reopen', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 40, size: 'max' }), async (ops) => {
        const namespace = `run-${run++}`;
        await t.db.execute(
          'UNWIND range(0, $n - 1) AS k CREATE (:K {k: k, v: 0})',
          { n: BigInt(KEYS) },
          { namespace },
        );
        const committed = new Array<number>(KEYS).fill(0);
        /** Increments that reached the committed state, per key. */
        const applied = new Array<number>(KEYS).fill(0);
        const slots: (ModelTx | undefined)[] = new Array(SLOTS).fill(undefined);
        const conflicts = (m: ModelTx): boolean => [...m.pre].some(([k, v]) => committed[k] !== v);

        for (const op of ops) {
          if (op.kind === 'autoInc') {
            await t.db.execute('MATCH (n:K {k: $k}) SET n.v = n.v + 1', { k: BigInt(op.k) }, { namespace });
            committed[op.k]!++;
            applied[op.k]!++;
            continue;
          }
          if (op.kind === 'autoRead') {
            expect(await value(namespace, op.k)).toBe(committed[op.k]);
            continue;
          }
          const m = slots[op.t];
          if (op.kind === 'begin') {
            if (m === undefined) {
              slots[op.t] = {
                tx: t.db.openTransaction({ namespace }),
                writes: new Map(),
                pre: new Map(),
                incs: [],
              };
            }
            continue;
          }
          if (m === undefined) continue;
          if (op.kind === 'rollback') {
            await m.tx.rollback();
            slots[op.t] = undefined;
            continue;
          }
          if (op.kind === 'commit') {
            const expectConflict = m.writes.size > 0 && conflicts(m);
            if (expectConflict) {
              conflictsSeen++;
              await expect(m.tx.commit()).rejects.toMatchObject({ code: 'TRANSACTION_CONFLICT' });
            } else {
              await m.tx.commit();
              for (const [k, v] of m.writes) committed[k] = v;
              for (const k of m.incs) applied[k]!++;
            }
            slots[op.t] = undefined;
            continue;
          }
          // A statement: once the transaction has written, it replays and checks first.
          const checks = op.kind === 'inc' || m.writes.size > 0;
          if (checks && m.writes.size > 0 && conflicts(m)) {
            conflictsSeen++;
            await expect(
              m.tx.run('MATCH (n:K {k: $k}) RETURN n.v', { k: BigInt(op.k) }),
            ).rejects.toMatchObject({
              code: 'TRANSACTION_CONFLICT',
            });
            expect(m.tx.state).toBe('rolled_back');
            slots[op.t] = undefined;
            continue;
          }
          const own = m.writes.get(op.k) ?? committed[op.k]!;
          if (op.kind === 'read') {
            const r = await m.tx.run('MATCH (n:K {k: $k}) RETURN n.v', { k: BigInt(op.k) });
            expect(Number(r.rows[0]![0])).toBe(own);
          } else {
            const r = await m.tx.run('MATCH (n:K {k: $k}) SET n.v = n.v + 1 RETURN n.v', { k: BigInt(op.k) });
            expect(Number(r.rows[0]![0])).toBe(own + 1);
            if (!m.pre.has(op.k)) m.pre.set(op.k, committed[op.k]!);
            m.writes.set(op.k, own + 1);
            m.incs.push(op.k);
          }
        }
        for (const m of slots) await m?.tx.rollback();
        // No lost update: every counter is exactly the number of increments that committed.
        expect(committed).toEqual(applied);
        for (let k = 0; k < KEYS; k++) expect(await value(namespace, k)).toBe(committed[k]);
        finals.set(namespace, committed);
      }),
      { numRuns: 60 },
    );
    expect(conflictsSeen).toBeGreaterThan(0);
    await t.reopen();
    for (const [namespace, committed] of finals) {
      for (let k = 0; k < KEYS; k++) expect(await value(namespace, k)).toBe(committed[k]);
    }
  });
});
