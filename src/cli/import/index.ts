/** `nexus import`: offline bulk import of CSV / JSONL files (see docs/IMPORT.md). */
export { registerImportCommand, type ImportIo } from './import-command.js';
export { parseInputGroup, runImport } from './run-import.js';
export type { BadRow, ImportOptions, ImportProgress, ImportSummary, InputGroup } from './run-import.js';
