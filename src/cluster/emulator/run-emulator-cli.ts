/**
 * Command-line entry of the HiveHub emulator (`nexus hivehub-emulator --port P --users FILE`).
 * Prints one line `HiveHub emulator listening on <url>` on stdout once it listens, so
 * scripts and tests can read the chosen port.
 */
import { parseArgs } from 'node:util';
import { NexusError } from '../../errors.js';
import { startHiveHubEmulator } from './hivehub-emulator.js';
import type { HiveHubEmulator } from './hivehub-emulator.js';

export const EMULATOR_USAGE = 'usage: nexus hivehub-emulator [--port P] [--host H] [--users FILE]';

export interface EmulatorCliIo {
  stdout: (line: string) => void;
}

/** Parses argv (without the node/script prefix), starts the emulator and returns it. */
export async function runEmulatorCli(
  argv: readonly string[],
  io: EmulatorCliIo = { stdout: (line) => process.stdout.write(`${line}\n`) },
): Promise<HiveHubEmulator> {
  let values: { port?: string; host?: string; users?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { port: { type: 'string' }, host: { type: 'string' }, users: { type: 'string' } },
      strict: true,
    }));
  } catch (err) {
    throw new NexusError('INVALID_PARAMETER', `${(err as Error).message}\n${EMULATOR_USAGE}`);
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new NexusError('INVALID_PARAMETER', `--port must be an integer 0-65535\n${EMULATOR_USAGE}`);
  }
  const emulator = await startHiveHubEmulator({
    port,
    host: values.host ?? '127.0.0.1',
    users: values.users ?? {},
  });
  io.stdout(`HiveHub emulator listening on ${emulator.url}`);
  return emulator;
}
