/**
 * CLI of the openCypher TCK runner: `npm run tck -- [DIR …] [--exclude DIR] [--filter S]
 * [--verbose] [--json FILE] [--timeout MS] [--workers N] [--concurrency N]`. Prints one
 * `FAIL` line per failing scenario and, as the last line, the JSON summary. Exit code 0
 * unless the runner itself fails. Scenarios run in `--workers` child processes (default
 * 1; 0 = in this process, `--concurrency` at a time, which starts faster but cannot
 * survive a scenario that blocks or crashes the process).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadOpenModule } from './open-nexus.js';
import { formatFailure, runTck } from './tck-runner.js';

const USAGE = `usage: npm run tck -- [DIR ...] [--exclude DIR]... [--filter SUBSTRING] [--verbose] [--json FILE] [--timeout MS] [--concurrency N] [--workers N] [--graphs DIR] [--open-module FILE]`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      exclude: { type: 'string', multiple: true },
      filter: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
      json: { type: 'string' },
      timeout: { type: 'string' },
      concurrency: { type: 'string' },
      workers: { type: 'string' },
      graphs: { type: 'string', multiple: true },
      'open-module': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const timeoutMs = values.timeout === undefined ? 10_000 : Number(values.timeout);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    process.stderr.write(`--timeout must be a positive number of ms\n${USAGE}\n`);
    return 2;
  }
  const concurrency = values.concurrency === undefined ? 1 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    process.stderr.write(`--concurrency must be a positive integer\n${USAGE}\n`);
    return 2;
  }
  const workers = values.workers === undefined ? 1 : Number(values.workers);
  if (!Number.isInteger(workers) || workers < 0) {
    process.stderr.write(`--workers must be a non-negative integer\n${USAGE}\n`);
    return 2;
  }
  const openModule = values['open-module'];
  const { summary, results } = await runTck({
    ...(openModule !== undefined ? { open: await loadOpenModule(openModule), openModule } : {}),
    concurrency,
    workers,
    roots: positionals,
    exclude: values.exclude ?? [],
    ...(values.filter !== undefined ? { filter: values.filter } : {}),
    ...(values.graphs !== undefined ? { graphDirs: values.graphs } : {}),
    timeoutMs,
    onResult: (r) => {
      if (r.status === 'passed') return;
      process.stdout.write(`${formatFailure(r)}\n`);
      if (values.verbose && r.details) process.stdout.write(`${r.details.replace(/^/gm, '    ')}\n`);
    },
  });
  if (values.json !== undefined)
    writeFileSync(values.json, `${JSON.stringify({ summary, results }, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`tck runner failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
