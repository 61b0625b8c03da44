/**
 * The single writer. Every write to the environment (namespace data, the namespace
 * registry, system tables, migrations) goes through the write gate: LMDB allows one
 * write transaction at a time, and running each transaction synchronously means no
 * other JavaScript can interleave with it. A throw aborts the transaction.
 *
 * Group commit: `enqueue` queues a callback and runs every callback queued during one
 * event-loop turn inside ONE durable commit, each in its own LMDB child transaction
 * (lmdb-js `childTransaction`). A throwing callback aborts only its child, so every
 * callback stays all-or-nothing on its own, while N concurrent writers share one fsync
 * instead of paying N. Callbacks run in FIFO order within their lane (a namespace) and
 * their promises settle only after the shared commit returned (durably, unless the
 * environment is `noSync`).
 *
 * Fairness: a batch takes members round-robin across lanes, so one tenant's flood of
 * writes cannot push another tenant's write behind all of it; and the scheduled path
 * commits ONE batch per event-loop turn, so between two batches of a flood the server
 * still answers reads (a batch runs, and syncs, synchronously).
 */
import type { Database } from 'lmdb';
import { NexusError } from '../errors.js';

/** lmdb-js transaction flags: abortable (so a throw rolls back) and committed before returning. */
const ABORTABLE_SYNCHRONOUS_COMMIT = 1 | 2;

/** Bounds one group commit so a flood of writers cannot build an unbounded transaction. */
const MAX_BATCH = 256;

/** One queued write: `body` runs in its child transaction, `onCommit` after the commit. */
interface Member {
  body: () => unknown;
  onCommit: ((result: unknown) => void) | undefined;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** A settled member inside a batch: ok with its result, or failed with its error. */
type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export class WriteGate {
  private depth = 0;
  /** Queued members by lane, lanes in the order they will next be served. */
  private lanes = new Map<string, Member[]>();
  private queued = 0;
  private scheduled = false;
  /** Number of write transactions committed (or attempted); for tests and metrics. */
  commits = 0;

  constructor(private readonly db: Database<Buffer, Buffer>) {}

  /** True while a write transaction runs (reads then see its uncommitted writes). */
  get active(): boolean {
    return this.depth > 0;
  }

  /**
   * Runs `fn` in one write transaction and commits it (durably unless the environment
   * was opened with `sync: false`). Nested calls are refused: a nested transaction would
   * be a child transaction with different rollback semantics. Writes already queued with
   * `enqueue` are committed first, so that commit order follows call order.
   */
  run<T>(fn: () => T): T {
    this.refuseNested();
    if (this.queued > 0) this.flush();
    this.depth++;
    try {
      this.commits++;
      return this.db.transactionSync(() => assertSynchronous(fn()), ABORTABLE_SYNCHRONOUS_COMMIT);
    } finally {
      this.depth--;
    }
  }

  /**
   * Queues `body` for the next group commit. `body` runs synchronously in its own child
   * transaction (a throw rolls back only its own writes); `onCommit` runs after the
   * shared commit succeeded, before the promise resolves (to publish in-memory state).
   */
  enqueue<T>(body: () => T, onCommit?: (result: T) => void, lane = ''): Promise<T> {
    // A write started from inside a write callback would not be part of it: refuse it,
    // as `run` does, instead of silently committing it later on its own.
    if (this.depth > 0) {
      try {
        this.refuseNested();
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return new Promise<T>((resolve, reject) => {
      const member: Member = {
        body,
        onCommit: onCommit as ((result: unknown) => void) | undefined,
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      const queue = this.lanes.get(lane);
      if (queue === undefined) this.lanes.set(lane, [member]);
      else queue.push(member);
      this.queued++;
      this.schedule();
    });
  }

  /** Commits everything queued now instead of at the end of the event-loop turn. */
  drain(): void {
    if (this.depth === 0 && this.queued > 0) this.flush();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // After the I/O phase: every request parsed in this turn joins the same commit.
    setImmediate(() => {
      this.scheduled = false;
      if (this.queued === 0 || this.depth > 0) return;
      this.commitBatch(this.nextBatch());
      // The rest waits for the next turn, after the reads that arrived meanwhile.
      if (this.queued > 0) this.schedule();
    });
  }

  /** Commits everything queued, in batches of at most MAX_BATCH. */
  private flush(): void {
    while (this.queued > 0) this.commitBatch(this.nextBatch());
  }

  /**
   * Up to MAX_BATCH members, one per lane in turn (FIFO within a lane). Lanes left with
   * members move behind the others, so the next batch starts with another lane.
   */
  private nextBatch(): Member[] {
    const batch: Member[] = [];
    while (batch.length < MAX_BATCH && this.queued > 0) {
      // Over a copy of the keys: a lane moved to the back must not come round again in this pass.
      for (const lane of [...this.lanes.keys()]) {
        if (batch.length === MAX_BATCH) break;
        const queue = this.lanes.get(lane)!;
        batch.push(queue.shift()!);
        this.queued--;
        this.lanes.delete(lane);
        if (queue.length > 0) this.lanes.set(lane, queue);
      }
    }
    return batch;
  }

  private commitBatch(batch: Member[]): void {
    const outcomes: Outcome[] = new Array<Outcome>(batch.length);
    this.depth++;
    try {
      this.commits++;
      if (batch.length === 1) {
        // A lone writer needs no child transaction: its own transaction is all or nothing.
        const m = batch[0]!;
        try {
          const value = this.db.transactionSync(
            () => assertSynchronous(m.body()),
            ABORTABLE_SYNCHRONOUS_COMMIT,
          );
          outcomes[0] = { ok: true, value };
        } catch (error) {
          outcomes[0] = { ok: false, error };
        }
      } else {
        this.db.transactionSync(() => {
          for (let i = 0; i < batch.length; i++) {
            const m = batch[i]!;
            try {
              // lmdb-js commits the child into the parent, or aborts it if body throws.
              const value: unknown = this.db.childTransaction(() => assertSynchronous(m.body()));
              outcomes[i] = { ok: true, value };
            } catch (error) {
              outcomes[i] = { ok: false, error };
            }
          }
        }, ABORTABLE_SYNCHRONOUS_COMMIT);
      }
    } catch (error) {
      // The shared commit itself failed: nothing of the batch was written.
      for (let i = 0; i < batch.length; i++) outcomes[i] = { ok: false, error };
    } finally {
      this.depth--;
    }
    for (let i = 0; i < batch.length; i++) {
      const m = batch[i]!;
      const o = outcomes[i]!;
      if (!o.ok) {
        m.reject(o.error);
        continue;
      }
      try {
        m.onCommit?.(o.value);
        m.resolve(o.value);
      } catch (error) {
        m.reject(error);
      }
    }
  }

  private refuseNested(): void {
    if (this.depth > 0) {
      throw new NexusError(
        'INTERNAL_ERROR',
        'A write transaction is already running (nested writes are not supported)',
      );
    }
  }
}

function assertSynchronous<T>(result: T): T {
  if (
    result !== null &&
    typeof result === 'object' &&
    typeof (result as { then?: unknown }).then === 'function'
  ) {
    throw new NexusError('INTERNAL_ERROR', 'Write transaction callbacks must be synchronous');
  }
  return result;
}
