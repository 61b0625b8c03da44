/**
 * A read transaction that opens its snapshot on first use. Many statements never touch
 * the graph (`RETURN 1` — the connectivity check drivers send —, `UNWIND $list ...`,
 * function calls on parameters); for them, opening and resetting an LMDB read
 * transaction was the largest part of the work. A statement that does read gets one
 * snapshot, taken at its first read, and keeps it to the end, so it still sees one
 * consistent state.
 */
import type { GraphReader, NamespaceHandle, ReadTransaction } from '../../storage/types.js';
import { NexusError } from '../../errors.js';
import { DelegatingReader } from './delegating-reader.js';

export class LazyReadTransaction extends DelegatingReader implements ReadTransaction {
  private tx: ReadTransaction | undefined;
  private closed = false;

  constructor(private readonly handle: NamespaceHandle) {
    super();
  }

  /** The snapshot, opened now if this is the first read. */
  protected get reader(): GraphReader {
    if (this.tx !== undefined) return this.tx;
    // A read after close would otherwise leak a snapshot nobody closes.
    if (this.closed) throw new NexusError('INTERNAL_ERROR', 'read transaction used after close');
    this.tx = this.handle.beginRead();
    return this.tx;
  }

  close(): void {
    this.closed = true;
    this.tx?.close();
    this.tx = undefined;
  }
}
