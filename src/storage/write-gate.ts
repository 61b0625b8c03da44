/**
 * The single writer. Every write to the environment (namespace data, the namespace
 * registry, system tables, migrations) goes through `WriteGate.run`, which runs the
 * callback synchronously inside one LMDB write transaction (`transactionSync`): LMDB
 * allows one write transaction at a time, and running it synchronously means no other
 * JavaScript can interleave with it. A throw aborts the transaction.
 */
import type { Database } from 'lmdb';
import { NexusError } from '../errors.js';

/** lmdb-js transaction flags: abortable (so a throw rolls back) and committed before returning. */
const ABORTABLE_SYNCHRONOUS_COMMIT = 1 | 2;

export class WriteGate {
  private depth = 0;

  constructor(private readonly db: Database<Buffer, Buffer>) {}

  /** True while a write transaction runs (reads then see its uncommitted writes). */
  get active(): boolean {
    return this.depth > 0;
  }

  /**
   * Runs `fn` in one write transaction and commits it (durably unless the environment
   * was opened with `sync: false`). Nested calls are refused: a nested transaction would
   * be a child transaction with different rollback semantics.
   */
  run<T>(fn: () => T): T {
    if (this.depth > 0) {
      throw new NexusError(
        'INTERNAL_ERROR',
        'A write transaction is already running (nested writes are not supported)',
      );
    }
    this.depth++;
    try {
      return this.db.transactionSync(() => {
        const result = fn();
        if (
          result !== null &&
          typeof result === 'object' &&
          typeof (result as { then?: unknown }).then === 'function'
        ) {
          throw new NexusError('INTERNAL_ERROR', 'Write transaction callbacks must be synchronous');
        }
        return result;
      }, ABORTABLE_SYNCHRONOUS_COMMIT);
    } finally {
      this.depth--;
    }
  }
}
