/**
 * Public surface of the CLI: `main(argv)` and the table formatter `nexus query` uses.
 */
export { main, buildProgram, packageVersion } from './main.js';
export type { CliIo } from './main.js';
export { formatTable, formatValue } from './format-table.js';
