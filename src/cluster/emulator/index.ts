/** Public surface of the HiveHub emulator. */
export { startHiveHubEmulator } from './hivehub-emulator.js';
export type { HiveHubEmulator, HiveHubEmulatorOptions } from './hivehub-emulator.js';
export { runEmulatorCli, EMULATOR_USAGE } from './run-emulator-cli.js';
export type { EmulatorCliIo } from './run-emulator-cli.js';
export {
  DEFAULT_EMULATOR_PLANS,
  DEFAULT_EMULATOR_SERVICE_KEY,
  loadUsersFile,
  parseUsersFile,
} from './users-file.js';
export type { EmulatorUserInput, UsersFile, UsersFileInput } from './users-file.js';
