/**
 * The planner: parsed statement → immutable operator tree (`compileStatement`).
 */
export { compileStatement } from './compile-statement.js';
export type { CompiledQuery } from './compile-statement.js';
