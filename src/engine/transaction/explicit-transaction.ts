/**
 * `ExplicitTransaction`: one client transaction of several statements (see
 * docs/TRANSACTIONS.md). It never holds the store's single writer between statements:
 * - a statement before the transaction's first write, or of a read-only transaction,
 *   runs on a read snapshot like an autocommit read;
 * - a statement that may write, or any statement once the transaction has written, runs
 *   inside a scratch write transaction (`NamespaceHandle.scratch`, always rolled back):
 *   the log of earlier mutations is replayed first (checking pre-images: conflicts), then
 *   the statement runs through a `RecordingWriter` that extends the log;
 * - commit replays the log in one real write transaction (quota checked on the whole
 *   transaction there); rollback forgets the log.
 * Statements, commit and rollback run one at a time in call order.
 */
import { randomUUID } from 'node:crypto';
import { NexusError } from '../../errors.js';
import type { ExecuteOptions, QueryCursor, StatementOptions, Transaction } from '../api.js';
import { BufferedCursor, type PreparedStatement } from '../statement/index.js';
import type { QueryResult, Value } from '../values.js';
import type { NamespaceHandle } from '../../storage/types.js';
import { RecordingWriter } from './recording-writer.js';
import { TransactionLog, type LogSegment } from './transaction-log.js';

/** What a transaction needs from the database that opened it. */
export interface TransactionHost {
  /** Compiles and checks a statement (access mode, parameters) and fixes its limits. */
  prepare(
    query: string,
    params: Record<string, Value>,
    options: ExecuteOptions,
    /** The statement runs in a write transaction even if it only reads (write timeout applies). */
    inWriter: boolean,
    /** Epoch ms the statement's deadline may not pass (the transaction's; 0 = none). */
    deadlineCap: number,
  ): PreparedStatement;
  /** Waits for this namespace's next read slice (fair scheduling). */
  yieldSlice(namespace: string): Promise<void>;
  /** Called once when the transaction ends (committed or rolled back). */
  ended(tx: ExplicitTransaction): void;
}

export interface ExplicitTransactionOptions {
  readonly handle: NamespaceHandle;
  readonly accessMode: 'read' | 'write';
  /** Whole-transaction timeout in ms from begin (0 = none). */
  readonly timeoutMs: number;
  /** Rolled back after this long without a statement (0 = never). */
  readonly idleTimeoutMs: number;
  readonly statementTimeoutMs: number | undefined;
  readonly maxIntermediateRows: number | undefined;
  readonly maxQueryMemoryBytes: number | undefined;
  readonly maxStorageBytes: number | undefined;
  readonly onEnd: ((tx: Transaction) => void) | undefined;
}

type State = Transaction['state'];

/** An opaque bookmark: random, so it says nothing about anyone's activity. */
export function newBookmark(): string {
  return `nexus:${randomUUID()}`;
}

export class ExplicitTransaction implements Transaction {
  readonly id = randomUUID();
  private current: State = 'open';
  /** Why the transaction ended without a commit (the error later calls get). */
  private endError: NexusError | undefined;
  private readonly log = new TransactionLog();
  private readonly deadline: number;
  private chain: Promise<unknown> = Promise.resolve();
  /** Operations queued or running. */
  private busy = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Epoch ms of the last statement's end (or of begin). */
  private lastActive = Date.now();

  constructor(
    private readonly host: TransactionHost,
    private readonly options: ExplicitTransactionOptions,
  ) {
    this.deadline = options.timeoutMs > 0 ? Date.now() + options.timeoutMs : 0;
    this.arm();
  }

  get namespace(): string {
    return this.options.handle.namespace;
  }

  get accessMode(): 'read' | 'write' {
    return this.options.accessMode;
  }

  get state(): State {
    return this.current;
  }

  /** Number of mutations recorded so far (for diagnostics and tests). */
  get logSize(): number {
    return this.log.size;
  }

  run(
    query: string,
    params: Record<string, Value> = {},
    options: StatementOptions = {},
  ): Promise<QueryResult> {
    return this.serial(() => this.runNow(query, params, options));
  }

  /**
   * `run` as a cursor (for protocols that pull results). The statement runs to its end
   * first — it may need the write transaction it replays in — and its rows are handed out
   * from that buffer.
   */
  async stream(
    query: string,
    params: Record<string, Value> = {},
    options: StatementOptions = {},
  ): Promise<QueryCursor> {
    return new BufferedCursor(await this.run(query, params, options));
  }

  commit(): Promise<{ bookmark: string }> {
    return this.serial(() => this.commitNow());
  }

  /**
   * Rolls back now, even while a statement runs (its result is then discarded and a
   * read statement stops at its next slice). Idempotent; also after commit (no-op).
   */
  rollback(): Promise<void> {
    if (this.current === 'open' || this.current === 'failed') {
      this.end('rolled_back', undefined);
    }
    return Promise.resolve();
  }

  /** Rolls back because the database closes. */
  abort(reason: NexusError): void {
    if (this.current === 'open' || this.current === 'failed') this.end('rolled_back', reason);
  }

  // ---- internals ---------------------------------------------------------------------

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    this.busy++;
    this.disarm();
    const run = this.chain.then(fn).finally(() => {
      this.busy--;
      this.lastActive = Date.now();
      this.arm();
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Throws unless statements may run. */
  private assertOpen(): void {
    this.checkDeadline();
    if (this.current === 'open') return;
    if (this.current === 'failed') {
      throw new NexusError(
        'TRANSACTION_FAILED',
        'A statement of this transaction failed earlier; the transaction can only be rolled back',
      );
    }
    throw this.endError ?? this.gone();
  }

  private gone(): NexusError {
    return new NexusError(
      'TRANSACTION_NOT_FOUND',
      `The transaction was already ${this.current === 'committed' ? 'committed' : 'rolled back'}`,
    );
  }

  private checkDeadline(): void {
    if (
      this.deadline > 0 &&
      Date.now() > this.deadline &&
      (this.current === 'open' || this.current === 'failed')
    ) {
      this.end('rolled_back', this.timedOut());
    }
  }

  private timedOut(): NexusError {
    return new NexusError(
      'TRANSACTION_TIMED_OUT',
      `The transaction was open longer than its timeout of ${this.options.timeoutMs} ms and was rolled back`,
    );
  }

  private end(state: 'committed' | 'rolled_back', error: NexusError | undefined): void {
    this.current = state;
    this.endError = error;
    this.log.clear();
    this.disarm();
    this.host.ended(this);
    this.options.onEnd?.(this);
  }

  /** Statement errors fail the transaction; conflicts and timeouts roll it back. */
  private onStatementError(err: unknown): unknown {
    if (this.current !== 'open') return err;
    if (err instanceof NexusError && err.code === 'TRANSACTION_CONFLICT') {
      this.end('rolled_back', err);
    } else if (
      err instanceof NexusError &&
      err.code === 'QUERY_TIMEOUT' &&
      this.deadline > 0 &&
      Date.now() > this.deadline
    ) {
      const timeout = this.timedOut();
      this.end('rolled_back', timeout);
      return timeout;
    } else {
      this.current = 'failed';
    }
    return err;
  }

  private async runNow(
    query: string,
    params: Record<string, Value>,
    options: StatementOptions,
  ): Promise<QueryResult> {
    this.assertOpen();
    const o = this.options;
    const cancelled = options.isCancelled;
    const isCancelled = (): boolean => this.current !== 'open' || cancelled?.() === true;
    const timeoutMs = options.timeoutMs ?? o.statementTimeoutMs;
    const execOptions: ExecuteOptions = {
      namespace: this.namespace,
      accessMode: o.accessMode,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(o.maxIntermediateRows === undefined ? {} : { maxIntermediateRows: o.maxIntermediateRows }),
      ...(o.maxQueryMemoryBytes === undefined ? {} : { maxQueryMemoryBytes: o.maxQueryMemoryBytes }),
    };
    try {
      const inWriter = !this.log.isEmpty;
      const statement = this.host.prepare(query, params, execOptions, inWriter, this.deadline);
      if (statement.compiled.mode === 'explain') return statement.explain();
      let rows: Value[][] | undefined;
      if (!statement.compiled.isWrite && !inWriter) {
        rows = await statement.runRead(async () => {
          await this.host.yieldSlice(this.namespace);
          if (isCancelled()) {
            throw new NexusError(
              'QUERY_CANCELLED',
              'The statement was stopped: the transaction ended or the client went away',
            );
          }
        });
      } else if (statement.compiled.mergeOnly && !inWriter) {
        rows = statement.dryRun();
      }
      if (rows === undefined) rows = await this.runInScratch(statement);
      // Rolled back meanwhile: the result belongs to a transaction that no longer exists.
      if (this.current !== 'open') throw this.endError ?? this.gone();
      return statement.result(rows);
    } catch (err) {
      throw this.onStatementError(err);
    }
  }

  private async runInScratch(statement: PreparedStatement): Promise<Value[][]> {
    const scratch = this.options.handle.scratch?.bind(this.options.handle);
    if (scratch === undefined) {
      throw new NexusError('INTERNAL_ERROR', 'This store does not support explicit transactions that write');
    }
    const { rows, segment } = await scratch((w) => {
      // Rolled back while the statement waited for the writer: do not run it.
      if (this.current !== 'open') throw this.endError ?? this.gone();
      this.log.replay(w);
      const recorder = new RecordingWriter(w, this.log);
      return { rows: statement.runInWriter(recorder), segment: recorder.segment as LogSegment };
    });
    if (this.current === 'open') this.log.append(segment);
    return rows;
  }

  private async commitNow(): Promise<{ bookmark: string }> {
    if (this.current === 'failed') {
      this.end('rolled_back', undefined);
      throw new NexusError(
        'TRANSACTION_FAILED',
        'A statement of this transaction failed earlier; the transaction was rolled back instead of committed',
      );
    }
    this.assertOpen();
    if (!this.log.isEmpty) {
      const max = this.options.maxStorageBytes;
      try {
        await this.options.handle.write(
          (w) => {
            this.log.replay(w);
          },
          max === undefined ? undefined : { maxBytes: max },
        );
      } catch (err) {
        this.end(
          'rolled_back',
          err instanceof NexusError && err.code === 'TRANSACTION_CONFLICT' ? err : undefined,
        );
        throw err;
      }
    }
    this.end('committed', undefined);
    return { bookmark: newBookmark() };
  }

  // ---- idle and whole-transaction timers ------------------------------------------------

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** While no statement is queued or running: a timer for the idle timeout and the deadline. */
  private arm(): void {
    this.disarm();
    if (this.busy > 0 || (this.current !== 'open' && this.current !== 'failed')) return;
    const idle = this.options.idleTimeoutMs;
    let at = idle > 0 ? this.lastActive + idle : 0;
    if (this.deadline > 0 && (at === 0 || this.deadline < at)) at = this.deadline;
    if (at === 0) return;
    this.timer = setTimeout(() => this.expire(), Math.max(0, at - Date.now()) + 1);
    this.timer.unref();
  }

  private expire(): void {
    this.timer = undefined;
    if (this.busy > 0 || (this.current !== 'open' && this.current !== 'failed')) return;
    if (this.deadline > 0 && Date.now() > this.deadline) {
      this.end('rolled_back', this.timedOut());
      return;
    }
    const idle = this.options.idleTimeoutMs;
    this.end(
      'rolled_back',
      new NexusError(
        'TRANSACTION_NOT_FOUND',
        `The transaction was idle for more than ${idle} ms (transactions.idle_timeout_ms) and was rolled back`,
      ),
    );
  }
}
