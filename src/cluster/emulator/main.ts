/**
 * Standalone entry of the HiveHub emulator: `node --import tsx src/cluster/emulator/main.ts
 * --port 0 --users FILE`. Stops cleanly on SIGTERM/SIGINT; exits 1 on bad arguments.
 */
import { runEmulatorCli } from './run-emulator-cli.js';

try {
  const emulator = await runEmulatorCli(process.argv.slice(2));
  const stop = (): void => {
    void emulator.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
