/**
 * `nexus shell`: a REPL like cypher-shell. Statements end with `;` and may span lines;
 * commands start with `:` (`:help`, `:param name => expr`, `:params`, `:use db`,
 * `:begin/:commit/:rollback`, `:history`, `:exit`). Interactive on a TTY (readline, history
 * kept across sessions in a file); otherwise it runs a script (`-f` or piped stdin) and
 * stops at the first error with exit code 1.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Value } from '../../engine/values.js';
import { NexusError, isNexusError } from '../../errors.js';
import { formatValue } from '../format-table.js';
import { formatResult, type OutputFormat } from './output-format.js';
import type { ShellBackend } from './shell-backend.js';
import { isOnlyComments, splitStatements } from './split-statements.js';

/** Database names `:use` accepts: Nexus has one database per deployment (or tenant) so far. */
export const DEFAULT_DATABASE_NAMES = ['default', 'nexus', 'neo4j'];
const HISTORY_LIMIT = 1000;

export const SHELL_HELP = `Statements end with ';' and may span several lines.
Commands:
  :help                      this help
  :param name => expression  set a parameter ($name) to the value of a Cypher expression
  :params                    list the parameters; ':params clear' removes them all
  :use <database>            switch database (only the default one exists: default, nexus, neo4j)
  :begin / :commit / :rollback   explicit transaction
  :history                   the statements entered so far
  :exit (or Ctrl-D)          leave the shell`;

export interface ShellOptions {
  backend: ShellBackend;
  format: OutputFormat;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

function errorText(err: unknown): string {
  if (isNexusError(err)) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/** One shell session's state and its command interpreter, shared by the REPL and scripts. */
export class ShellSession {
  readonly params: Record<string, Value> = Object.create(null) as Record<string, Value>;
  private buffer = '';
  database = 'default';
  exitRequested = false;

  constructor(private readonly options: ShellOptions) {}

  get pending(): boolean {
    return this.buffer.trim() !== '' && !isOnlyComments(this.buffer);
  }

  clearPending(): void {
    this.buffer = '';
  }

  /**
   * Feeds one input line; runs every statement it completes and every command.
   * Returns false when something failed (the error was printed).
   */
  async feedLine(line: string): Promise<boolean> {
    if (!this.pending && line.trim().startsWith(':')) {
      this.buffer = '';
      return this.command(line.trim());
    }
    this.buffer += `${line}\n`;
    const { statements, rest } = splitStatements(this.buffer);
    this.buffer = rest;
    let ok = true;
    for (const statement of statements) {
      if (!(await this.runStatement(statement))) {
        ok = false;
        break;
      }
    }
    if (!ok) this.buffer = '';
    return ok;
  }

  /** At end of input: a last statement without `;` still runs. */
  async flush(): Promise<boolean> {
    const rest = this.buffer.trim();
    this.buffer = '';
    if (rest === '' || isOnlyComments(rest)) return true;
    return this.runStatement(rest);
  }

  async runStatement(statement: string): Promise<boolean> {
    try {
      const result = await this.options.backend.run(statement, this.params);
      const text = formatResult(result, this.options.format);
      if (text !== '') this.options.stdout(`${text}\n`);
      return true;
    } catch (err) {
      this.options.stderr(`${errorText(err)}\n`);
      return false;
    }
  }

  async command(text: string): Promise<boolean> {
    const [name = '', ...restWords] = text.split(/\s+/);
    const rest = text.slice(name.length).trim();
    const { backend } = this.options;
    const out = (s: string): void => this.options.stdout(`${s}\n`);
    try {
      switch (name.toLowerCase()) {
        case ':help':
        case ':h':
        case ':?':
          out(SHELL_HELP);
          return true;
        case ':exit':
        case ':quit':
        case ':q':
          this.exitRequested = true;
          return true;
        case ':param':
          if (rest === 'clear') return this.command(':params clear');
          await this.setParam(rest);
          return true;
        case ':params':
          if (restWords[0] === 'clear') {
            for (const k of Object.keys(this.params)) delete this.params[k];
            out('parameters cleared');
            return true;
          }
          if (Object.keys(this.params).length === 0) out('no parameters (set one with :param name => value)');
          for (const [k, v] of Object.entries(this.params)) out(`:param ${k} => ${formatValue(v)}`);
          return true;
        case ':use': {
          const db = rest.replace(/^`|`$/g, '');
          if (db === '' || DEFAULT_DATABASE_NAMES.includes(db.toLowerCase())) {
            this.database = db === '' ? 'default' : db;
            out(`using database ${this.database}`);
            return true;
          }
          throw new NexusError(
            'DATABASE_NOT_FOUND',
            `database '${db}' does not exist: Nexus serves one database here ` +
              `(use ${DEFAULT_DATABASE_NAMES.map((n) => `'${n}'`).join(', ')}; named databases are not available yet)`,
          );
        }
        case ':begin':
        case ':commit':
        case ':rollback': {
          const op = name.slice(1).toLowerCase() as 'begin' | 'commit' | 'rollback';
          const fn = backend[op];
          if (fn === undefined) {
            throw new NexusError(
              'CYPHER_UNSUPPORTED',
              `explicit transactions (:${op}) are not available yet ${backend.description.startsWith('http') ? 'over --url' : 'in this build'}; ` +
                'each statement runs in its own transaction (autocommit)',
            );
          }
          await fn.call(backend);
          out(op === 'begin' ? 'transaction open' : op === 'commit' ? 'committed' : 'rolled back');
          return true;
        }
        default:
          throw new NexusError('INVALID_PARAMETER', `unknown command ${name}; type :help for the list`);
      }
    } catch (err) {
      this.options.stderr(`${errorText(err)}\n`);
      return false;
    }
  }

  private async setParam(spec: string): Promise<void> {
    const m = /^([A-Za-z_][A-Za-z0-9_]*|`[^`]+`)\s*(?:=>|:)\s*([\s\S]+?);?$/.exec(spec);
    if (m === null) {
      throw new NexusError(
        'INVALID_PARAMETER',
        "usage: :param name => expression, e.g. :param name => 'Ada'",
      );
    }
    const name = m[1]!.replace(/^`|`$/g, '');
    const result = await this.options.backend.run(`RETURN ${m[2]!} AS value`, this.params);
    const value = result.rows[0]?.[0] ?? null;
    this.params[name] = value;
    this.options.stdout(`:param ${name} => ${formatValue(value)}\n`);
  }
}

/** Runs a script (file or piped stdin): fail-fast; resolves with the exit code. */
export async function runScript(text: string, options: ShellOptions): Promise<number> {
  const session = new ShellSession(options);
  for (const line of text.split(/\r?\n/)) {
    if (!(await session.feedLine(line))) return 1;
    if (session.exitRequested) return 0;
  }
  return (await session.flush()) ? 0 : 1;
}

function loadHistory(file: string): string[] {
  if (!existsSync(file)) return [];
  try {
    // The file is oldest first; readline wants newest first.
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(-HISTORY_LIMIT).reverse();
  } catch {
    return [];
  }
}

export interface InteractiveOptions extends ShellOptions {
  input: Readable;
  output: Writable;
  historyFile: string | null;
}

/** The interactive REPL on a terminal; resolves with the exit code when the user leaves. */
export async function runInteractive(options: InteractiveOptions): Promise<number> {
  const session = new ShellSession(options);
  const history = options.historyFile === null ? [] : loadHistory(options.historyFile);
  const rl: Interface = createInterface({
    input: options.input,
    output: options.output,
    terminal: true,
    history,
    historySize: HISTORY_LIMIT,
    removeHistoryDuplicates: true,
  });
  if (options.historyFile !== null) {
    const file = options.historyFile;
    const persist = (list: string[]): void => {
      try {
        // readline's list is newest first; the file is oldest first (like ~/.bash_history).
        writeFileSync(file, `${[...list].reverse().join('\n')}\n`, { mode: 0o600 });
      } catch {
        // History is a convenience: an unwritable file must not break the shell.
      }
    };
    rl.on('history', persist);
  }
  options.stdout(
    `Connected to Nexus (${options.backend.description}). Type :help for commands, :exit to leave.\n`,
  );
  const prompt = (): void => {
    const db = session.database;
    rl.setPrompt(
      session.pending ? `${' '.repeat(db.length)}> ` : `${db}${options.backend.inTransaction ? '#' : '>'} `,
    );
    rl.prompt();
  };
  rl.on('SIGINT', () => {
    if (session.pending) {
      session.clearPending();
      options.output.write('\n');
    } else {
      options.output.write('\n(to leave, type :exit or press Ctrl-D)\n');
    }
    prompt();
  });
  prompt();
  for await (const line of rl) {
    await session.feedLine(line);
    if (session.exitRequested) break;
    prompt();
  }
  rl.close();
  if (session.pending) await session.flush();
  return 0;
}
