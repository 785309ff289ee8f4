import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code; end-to-end tests that cross roles live in tests/.
// Tests talk to a real Docker engine, Postgres and git, so they get generous timeouts.
// Two projects run side by side, each one file at a time: `engine` holds every file that
// drives Docker (the end-to-end tests, builds, the runtimes) and would starve or disturb
// another of its kind; `light` holds the rest (PostgreSQL, Redis, HTTP in process), which
// waits on I/O and fits beside them on this 2-core machine.
const ENGINE = [
  'tests/e2e/**/*.test.ts',
  'builder/**/*.test.ts',
  'scheduler/runtime/**/*.test.ts',
  'scheduler/pipeline.test.ts',
  'billing/usage.test.ts',
];
const shared = {
  testTimeout: 120_000,
  hookTimeout: 300_000,
  fileParallelism: false,
};
export default defineConfig({
  test: {
    globalSetup: ['tests/support/global-setup.ts'],
    projects: [
      { test: { ...shared, name: 'engine', include: ENGINE } },
      { test: { ...shared, name: 'light', include: ['**/*.test.ts'], exclude: ['node_modules/**', 'dist/**', 'examples/**', '.test-dist/**', ...ENGINE] } },
    ],
  },
});
