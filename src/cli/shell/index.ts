/** `nexus shell`: the REPL, its backends (embedded, remote) and output formats. */
export {
  runInteractive,
  runScript,
  ShellSession,
  SHELL_HELP,
  DEFAULT_DATABASE_NAMES,
} from './nexus-shell.js';
export { embeddedBackend, remoteBackend, wireToValue } from './shell-backend.js';
export type { ShellBackend, ShellResult } from './shell-backend.js';
export { formatResult, OUTPUT_FORMATS } from './output-format.js';
export type { OutputFormat } from './output-format.js';
export { splitStatements } from './split-statements.js';
