/**
 * `TransactionRegistry`: the open explicit transactions of one database, by id. Ids are
 * random UUIDs (they appear in HTTP URLs); a transaction leaves the registry when it is
 * committed or rolled back (by the client, a conflict, its timeout or its idle timeout).
 * A caller that looks a transaction up by id must also check its namespace against the
 * caller's own (see docs/TRANSACTIONS.md).
 */
import { NexusError } from '../../errors.js';
import type { ExplicitTransaction } from './explicit-transaction.js';

export class TransactionRegistry {
  private readonly open = new Map<string, ExplicitTransaction>();

  add(tx: ExplicitTransaction): void {
    this.open.set(tx.id, tx);
  }

  remove(tx: ExplicitTransaction): void {
    if (this.open.get(tx.id) === tx) this.open.delete(tx.id);
  }

  get(id: string): ExplicitTransaction | undefined {
    return this.open.get(id);
  }

  /** Open transactions, of one namespace or of all. */
  count(namespace?: string): number {
    if (namespace === undefined) return this.open.size;
    let n = 0;
    for (const tx of this.open.values()) if (tx.namespace === namespace) n++;
    return n;
  }

  /** Rolls every open transaction back (the database closes). */
  abortAll(): void {
    const reason = new NexusError(
      'SERVICE_UNAVAILABLE',
      'The database closed; the transaction was rolled back',
    );
    for (const tx of [...this.open.values()]) tx.abort(reason);
    this.open.clear();
  }
}
