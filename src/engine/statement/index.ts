/**
 * Running one statement: the prepared statement (limits, counters, the ways to run it)
 * and the cursors that hand out its rows incrementally.
 */
export { PreparedStatement, READ_SLICE_MS, project } from './prepared-statement.js';
export type { StatementLimits } from './prepared-statement.js';
export { StreamingCursor } from './streaming-cursor.js';
export { BufferedCursor } from './buffered-cursor.js';
