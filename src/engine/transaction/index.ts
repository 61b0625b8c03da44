/**
 * Explicit (multi-statement) transactions: the transaction object, its log of mutations
 * with conflict detection, the recording writer statements run with, and the registry of
 * open transactions. See docs/TRANSACTIONS.md.
 */
export { ExplicitTransaction, newBookmark } from './explicit-transaction.js';
export type { ExplicitTransactionOptions, TransactionHost } from './explicit-transaction.js';
export { TransactionLog } from './transaction-log.js';
export type { LoggedOp, LogSegment } from './transaction-log.js';
export { RecordingWriter } from './recording-writer.js';
export { TransactionRegistry } from './transaction-registry.js';
