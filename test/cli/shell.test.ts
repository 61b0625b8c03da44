/**
 * `nexus shell` (issue 17 §1), through the real CLI: interactive in a pseudo-terminal
 * (test/helpers/pty-drive.py), scripts from -f and piped stdin, every output format, and
 * remote on a live server with an API key. Runs the compiled CLI (bin/nexus.js → dist).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitStatements } from '../../src/cli/shell/index.js';
import { REPO_ROOT, startServerProcess, type ServerProcess } from '../helpers/server-process.js';

const BIN = join(REPO_ROOT, 'bin', 'nexus.js');
const dir = mkdtempSync(join(tmpdir(), 'nexus-shell-'));
const data = join(dir, 'db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const baseEnv = (): Record<string, string> => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir });

type Step = { expect: string } | { send: string };

/** Runs `nexus <args>` in a pseudo-terminal, following `steps`; returns the transcript. */
function inPty(
  args: string[],
  steps: Step[],
  env: Record<string, string> = {},
): { output: string; exit: number } {
  const spec = {
    argv: [process.execPath, BIN, ...args],
    cwd: dir,
    env: { ...baseEnv(), TERM: 'dumb', ...env },
    timeout: 60,
    steps,
  };
  const res = spawnSync('python3', [join(REPO_ROOT, 'test', 'helpers', 'pty-drive.py')], {
    input: JSON.stringify(spec),
    encoding: 'utf8',
    timeout: 90_000,
  });
  const out = JSON.parse(res.stdout) as { output: string; exit: number; error: string | null };
  if (out.error !== null) throw new Error(`${out.error}\n--- transcript ---\n${out.output}`);
  return { output: out.output.replace(/\r/g, ''), exit: out.exit };
}

/** Runs `nexus <args>` with `input` piped to stdin (not a TTY). */
function piped(
  args: string[],
  input: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...baseEnv(), ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('nexus shell on a terminal', () => {
  it('runs multi-line statements, params, :use, :help and shows aligned tables', () => {
    const history = join(dir, 'history-1');
    const { output, exit } = inPty(
      ['shell', '--data', data, '--create', '--history-file', history],
      [
        { expect: 'default> ' },
        { send: "CREATE (:Person {name: 'Ada', born: 1815}),\r" },
        { expect: '> ' },
        { send: "  (:Person {name: 'Grace', born: 1906});\r" },
        { expect: 'nodesCreated: 2' },
        { send: ':param year => 1800 + 50\r' },
        { expect: ':param year => 1850' },
        { send: ':params\r' },
        { expect: ':param year => 1850' },
        { send: 'MATCH (p:Person) WHERE p.born > $year RETURN p.name AS name, p.born AS born;\r' },
        { expect: '1 row' },
        { send: ':use neo4j\r' },
        { expect: 'using database neo4j' },
        { send: ':use other\r' },
        { expect: 'DATABASE_NOT_FOUND' },
        { send: ':help\r' },
        { expect: ':rollback' },
        { send: 'MATCH (n RETURN n;\r' },
        { expect: '\\^' },
        { send: ':exit\r' },
      ],
    );
    expect(exit).toBe(0);
    expect(output).toContain(
      "+---------+------+\n| name    | born |\n+---------+------+\n| 'Grace' | 1906 |\n+---------+------+\n1 row",
    );
    expect(output).toContain("database 'other' does not exist");
    expect(output).toContain('"MATCH (n RETURN n"\n          ^');
    // History is written oldest first, one line per entry.
    const saved = readFileSync(history, 'utf8').split('\n');
    expect(saved).toContain("  (:Person {name: 'Grace', born: 1906});");
    expect(saved.at(-2)).toBe(':exit');
  });

  it('keeps history across sessions (arrow up recalls the last session)', () => {
    const history = join(dir, 'history-2');
    writeFileSync(history, 'RETURN 1 AS first;\nRETURN 40 + 2 AS answer;\n');
    // TERM=dumb turns readline's line editing (and so history keys) off: use a real terminal type.
    const { output } = inPty(
      ['shell', '--data', data, '--history-file', history],
      [
        { expect: 'default> ' },
        { send: '\x1b[A' },
        { expect: 'AS answer;' },
        { send: '\r' },
        { expect: '1 row' },
        { send: ':exit\r' },
      ],
      { TERM: 'xterm' },
    );
    expect(output).toContain('| answer |');
    expect(output).toContain('| 42     |');
  });

  it('says explicit transactions are not available when the engine has none', () => {
    const { output } = inPty(
      ['shell', '--data', data, '--history-file', ''],
      [{ expect: 'default> ' }, { send: ':begin\r' }, { expect: 'default[>#] ' }, { send: ':exit\r' }],
    );
    // Either the engine has transactions (then the prompt shows '#') or the shell says so.
    expect(/transaction open|not available yet/.test(output)).toBe(true);
  });
});

describe('nexus shell scripts', () => {
  it('runs -f scripts and stops at the first error with exit code 1', async () => {
    const script = join(dir, 'script.cypher');
    writeFileSync(
      script,
      "// a comment; with a semicolon\nMATCH (p:Person {name: 'Ada'})\nRETURN p.name AS name, 'a;b' AS s;\n" +
        'RETURN 1 +;\nRETURN 2;\n',
    );
    const res = await piped(['shell', '--data', data, '-f', script], '');
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('name\ts\nAda\ta;b\n');
    expect(res.stderr).toContain('CYPHER_SYNTAX_ERROR');
    expect(res.stderr).toMatch(/"RETURN 1 \+"\n {11}\^/);
  });

  it('reads piped stdin, with csv and json formats', async () => {
    const input =
      ":param who => 'Ada'\nMATCH (p:Person {name: $who}) RETURN p.name AS name, p.born AS born, p, 1.0 AS f\n";
    const csv = await piped(['shell', '--data', data, '--format', 'csv'], input);
    expect(csv.code).toBe(0);
    expect(csv.stdout).toContain('name,born,p,f\nAda,1815,"(:Person {name: \'Ada\', born: 1815})",1.0\n');
    const json = await piped(['shell', '--data', data, '--format', 'json'], input);
    const line = json.stdout.split('\n').find((l) => l.startsWith('{'))!;
    expect(JSON.parse(line)).toMatchObject({
      name: 'Ada',
      born: 1815,
      p: { labels: ['Person'], properties: { name: 'Ada', born: 1815 } },
    });
    expect(line).toContain('"f":1.0');
  });

  it('refuses a missing data directory without --create', async () => {
    const res = await piped(['shell', '--data', join(dir, 'typo')], 'RETURN 1;');
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('--create');
  });

  it('splits statements only at top-level semicolons', () => {
    expect(splitStatements("RETURN 'a;b' AS x; /* ; */ RETURN `c;d`; // ;\nRETURN 3")).toEqual({
      statements: ["RETURN 'a;b' AS x", '/* ; */ RETURN `c;d`'],
      rest: ' // ;\nRETURN 3',
    });
  });
});

describe('nexus shell --url (remote)', () => {
  let server: ServerProcess;
  const rootKey = 'shell-test-root-key-0123456789';
  beforeAll(async () => {
    server = await startServerProcess({ env: { NEXUS_AUTH_ENABLED: 'true', NEXUS_ROOT_API_KEY: rootKey } });
  });
  afterAll(async () => server.stop());

  it('runs statements over POST /cypher with the key, and rebuilds nodes', async () => {
    const res = await piped(
      ['shell', '--url', server.url, '--format', 'plain'],
      "CREATE (a:City {name: 'Paris', big: 9007199254740993}) RETURN a, a.big AS big;\n",
      { NEXUS_API_KEY: rootKey },
    );
    expect(res.stderr).toBe('');
    expect(res.stdout).toBe("a\tbig\n(:City {name: 'Paris', big: 9007199254740993})\t9007199254740993\n");
  });

  it('names --key when the server wants one', async () => {
    const res = await piped(['shell', '--url', server.url], 'RETURN 1;\n');
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('AUTHENTICATION_REQUIRED');
    expect(res.stderr).toContain('--key or NEXUS_API_KEY');
  });

  it('works in a terminal too', () => {
    const { output } = inPty(
      ['shell', '--url', server.url, '--key', rootKey, '--history-file', ''],
      [
        { expect: 'default> ' },
        { send: 'MATCH (c:City) RETURN c.name AS city;\r' },
        { expect: '1 row' },
        { send: ':exit\r' },
      ],
    );
    expect(output).toContain(`Connected to Nexus (${server.url})`);
    expect(output).toContain("| 'Paris' |");
  });
});
