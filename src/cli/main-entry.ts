/**
 * Process entry of the CLI when run from source (`node --import tsx src/cli/main-entry.ts`),
 * as the integration tests do; the installed command uses bin/nexus.js instead.
 */
import { main } from './main.js';

main(process.argv).catch((err: unknown) => {
  process.stderr.write(`nexus: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
