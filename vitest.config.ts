import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    allowOnly: !process.env.CI,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      // Process entry points run only in spawned child processes, where v8 coverage of the
      // test runner cannot see them; their logic lives in the modules they call.
      exclude: ['src/cli/main-entry.ts', 'src/cluster/emulator/main.ts'],
      reporter: ['text-summary', 'json-summary'],
      // Seed 15.7: cluster-mode code must stay at ≥ 95% lines and ≥ 90% branches.
      thresholds: {
        'src/cluster/**': { lines: 95, branches: 90 },
      },
    },
  },
});
