#!/usr/bin/env node
// Entry point of the `nexus` command: runs the compiled CLI (built by `npm run build`,
// which `npm ci` runs through the `prepare` script).
import { main } from '../dist/cli/main.js';

main(process.argv).catch((err) => {
  process.stderr.write(`nexus: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
